"""TF1 names that stop classic programs at their first line (issue 20): tf.gfile and
tf.io.gfile, tf.get_local_variable, tf.nn.static_bidirectional_rnn."""
import os

import numpy as np
import pytest

import graphc as tf


def test_gfile_files_and_directories(tmp_path):
    root = str(tmp_path / "a" / "b")
    tf.gfile.MakeDirs(root)
    tf.gfile.MakeDirs(root)  # an existing directory is fine
    assert tf.gfile.IsDirectory(root) and tf.io.gfile.isdir(root)
    path = os.path.join(root, "x.txt")
    with tf.gfile.GFile(path, "w") as f:
        f.write("hello\n")
        f.write(b"world\n")
    with tf.gfile.GFile(path) as f:
        assert f.readlines() == ["hello\n", "world\n"]
    with tf.io.gfile.GFile(path, "rb") as f:
        assert f.read() == b"hello\nworld\n" and f.size() == 12
    assert tf.gfile.Exists(path) and not tf.io.gfile.exists(path + ".no")
    tf.gfile.Copy(path, os.path.join(root, "y.txt"))
    with pytest.raises(tf.errors.AlreadyExistsError, match="y.txt"):
        tf.gfile.Copy(path, os.path.join(root, "y.txt"))
    tf.gfile.Rename(os.path.join(root, "y.txt"), os.path.join(root, "z.txt"))
    tf.gfile.MkDir(os.path.join(root, "sub"))
    assert tf.gfile.ListDirectory(root) == ["sub", "x.txt", "z.txt"]
    assert tf.gfile.Glob(os.path.join(root, "*.txt")) == [path, os.path.join(root, "z.txt")]
    assert tf.gfile.Stat(path).length == 12 and not tf.gfile.Stat(path).is_directory
    assert [(d, s, f) for d, s, f in tf.gfile.Walk(str(tmp_path / "a"))] == [
        (str(tmp_path / "a"), ["b"], []), (root, ["sub"], ["x.txt", "z.txt"]),
        (os.path.join(root, "sub"), [], [])]
    tf.gfile.Remove(path)
    with pytest.raises(tf.errors.NotFoundError, match="x.txt"):
        tf.gfile.Remove(path)
    with pytest.raises(tf.errors.NotFoundError, match="x.txt"):
        tf.gfile.GFile(path)
    with pytest.raises(tf.errors.NotFoundError):
        tf.io.gfile.listdir(path)
    tf.gfile.DeleteRecursively(str(tmp_path / "a"))
    assert not tf.gfile.Exists(root) and tf.gfile.Open is tf.gfile.GFile


def test_gfile_refuses_remote_file_systems():
    with pytest.raises(tf.errors.UnknownError, match="gs://b/x.*local files only"):
        tf.gfile.Exists("gs://b/x")


def test_get_local_variable():
    v = tf.get_local_variable("counter", [2], tf.int32, tf.zeros_initializer(),
                              trainable=True)
    assert v in tf.local_variables() and v not in tf.global_variables()
    assert v not in tf.trainable_variables()  # TF1: never trainable
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        np.testing.assert_array_equal(sess.run(tf.assign_add(v, [1, 2])), [1, 2])


def _rnn_reference(xs, kernel, bias, lengths, reverse):
    batch = xs[0].shape[0]
    h = np.zeros((batch, bias.shape[0]), np.float64)
    outs = [None] * len(xs)
    order = range(len(xs))
    for b in range(batch):
        hb = h[b]
        steps = [t for t in order if t < lengths[b]]
        for t in (reversed(steps) if reverse else steps):
            hb = np.tanh(np.concatenate([xs[t][b], hb]) @ kernel + bias)
            outs[t] = outs[t] if outs[t] is not None else np.zeros_like(h)
            outs[t][b] = hb
        h[b] = hb
    return [o if o is not None else np.zeros_like(h) for o in outs], h


def test_static_bidirectional_rnn_is_tf1s():
    rng = np.random.RandomState(0)
    xs = [rng.rand(2, 3).astype(np.float32) for _ in range(4)]
    lengths = [4, 2]
    fw, bw = tf.nn.rnn_cell.BasicRNNCell(5), tf.nn.rnn_cell.BasicRNNCell(5)
    outputs, state_fw, state_bw = tf.nn.static_bidirectional_rnn(
        fw, bw, [tf.constant(x) for x in xs], dtype=tf.float32, sequence_length=lengths)
    names = [v.name for v in tf.global_variables()]
    assert names == ["bidirectional_rnn/fw/basic_rnn_cell/kernel:0",
                     "bidirectional_rnn/fw/basic_rnn_cell/bias:0",
                     "bidirectional_rnn/bw/basic_rnn_cell/kernel:0",
                     "bidirectional_rnn/bw/basic_rnn_cell/bias:0"]
    assert len(outputs) == 4 and outputs[0].shape.as_list() == [2, 10]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        got, sf, sb, (kf, bf, kb, bb) = sess.run([outputs, state_fw, state_bw,
                                                  tf.global_variables()])
    ref_fw, ref_sf = _rnn_reference(xs, kf, bf, lengths, reverse=False)
    ref_bw, ref_sb = _rnn_reference(xs, kb, bb, lengths, reverse=True)
    for t in range(4):
        np.testing.assert_allclose(got[t], np.concatenate([ref_fw[t], ref_bw[t]], 1),
                                   rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(sf, ref_sf, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(sb, ref_sb, rtol=1e-5, atol=1e-6)


def _deconv_reference(x, k, stride):
    """Each input pixel scatters x * kernel into a stride-spaced window ('valid' size)."""
    n, h, w, _ = x.shape
    kh, kw, f, _ = k.shape
    out = np.zeros((n, (h - 1) * stride + kh, (w - 1) * stride + kw, f))
    for i in range(h):
        for j in range(w):
            out[:, i * stride:i * stride + kh, j * stride:j * stride + kw, :] += np.einsum(
                "nc,abfc->nabf", x[:, i, j, :], k)
    return out


def test_layers_conv2d_transpose_is_tf1s():
    rng = np.random.RandomState(1)
    xv = rng.rand(2, 4, 4, 3).astype(np.float32)
    x = tf.placeholder(tf.float32, [None, 4, 4, 3])
    valid = tf.layers.conv2d_transpose(x, 2, 3, strides=2, padding="valid",
                                       bias_initializer=tf.constant_initializer(0.5))
    same = tf.layers.conv2d_transpose(x, 2, [3, 3], strides=(2, 2), padding="same",
                                      activation=tf.nn.relu, name="up")
    assert valid.shape.as_list() == [None, 9, 9, 2] and same.shape.as_list() == [None, 8, 8, 2]
    assert [v.name for v in tf.trainable_variables()] == [
        "conv2d_transpose/kernel:0", "conv2d_transpose/bias:0", "up/kernel:0", "up/bias:0"]
    assert tf.trainable_variables()[0].shape.as_list() == [3, 3, 2, 3]  # [kh, kw, out, in]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        got_valid, got_same, k1, k2 = sess.run([valid, same, tf.trainable_variables()[0],
                                                tf.trainable_variables()[2]], {x: xv})
    np.testing.assert_allclose(got_valid, _deconv_reference(xv, k1, 2) + 0.5, rtol=1e-5,
                               atol=1e-5)
    full = _deconv_reference(xv, k2, 2)  # 'same' crops TF's padding: (3 - 2) // 2 = 0 first
    np.testing.assert_allclose(got_same, np.maximum(full[:, :8, :8, :], 0), rtol=1e-5,
                               atol=1e-5)
    with pytest.raises(ValueError, match="known height, width and channels"):
        tf.layers.conv2d_transpose(tf.placeholder(tf.float32, [None, None, 4, 3]), 2, 3)
