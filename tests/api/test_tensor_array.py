"""tf.TensorArray on both backends: TF1 semantics (inside and outside while loops),
TF1's errors, gradients against central differences, and TensorFlow itself when
installed."""
import os

import numpy as np
import pytest

import graphc as tf
from tests.helpers import central_difference as _numeric

BACKENDS = ["numpy", "llvm"]


def _rnn_program(m, x, w):
    """A hand-written recurrent loop in TF1 style (TensorArrays in, out)."""
    inputs = m.TensorArray(m.float64, size=5).unstack(x)
    outputs = m.TensorArray(m.float64, size=5)

    def body(i, h, ta):
        h = m.tanh(m.matmul(h, w) + inputs.read(i)[None])
        return i + 1, h, ta.write(i, h[0])

    _, h, outputs = m.while_loop(lambda i, h, ta: i < 5, body,
                                 [0, m.zeros([1, 3], m.float64), outputs])
    out = outputs.stack()
    loss = m.reduce_sum(out * out) + m.reduce_sum(h)
    return out, loss


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_loop_reading_and_writing_tensor_arrays_and_its_gradients(backend):
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float64, [5, 3])
        w = tf.placeholder(tf.float64, [3, 3])
        out, loss = _rnn_program(tf, x, w)
        assert out.shape.as_list() == [5, 3]
        gx, gw = tf.gradients(loss, [x, w])
        rng = np.random.RandomState(0)
        xv, wv = rng.randn(5, 3), rng.randn(3, 3) * 0.5
        with tf.Session(backend=backend) as sess:
            ov, gxv, gwv = sess.run([out, gx, gw], {x: xv, w: wv})
            h, want = np.zeros((1, 3)), []
            for t in range(5):
                h = np.tanh(h @ wv + xv[t][None])
                want.append(h[0])
            np.testing.assert_allclose(ov, want, rtol=1e-12)
            np.testing.assert_allclose(gxv, _numeric(lambda v: sess.run(loss, {x: v, w: wv}),
                                                     xv), rtol=1e-5, atol=1e-8)
            np.testing.assert_allclose(gwv, _numeric(lambda v: sess.run(loss, {x: xv, w: v}),
                                                     wv), rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("backend", BACKENDS)
def test_dynamic_size_scatter_gather_split_concat_and_size(backend):
    with tf.Graph().as_default():
        dyn = tf.TensorArray(tf.float32, size=0, dynamic_size=True)
        _, dyn = tf.while_loop(lambda i, t: i < 4,
                               lambda i, t: (i + 1, t.write(i, tf.cast(i, tf.float32) *
                                                            [1.0, 2.0])), [0, dyn])
        assert dyn.element_shape.as_list() == [2]  # learned by the write in the body
        scattered = tf.TensorArray(tf.int32, size=3).scatter([2, 0, 1], [[1, 1], [2, 2],
                                                                         [3, 3]])
        pieces = tf.TensorArray(tf.int32, size=3, infer_shape=False).split(
            tf.range(6), [1, 2, 3])
        with tf.Session(backend=backend) as sess:
            s, n, g, p0 = sess.run([dyn.stack(), dyn.size(), scattered.gather([0, 2]),
                                    pieces.read(2)])
            c = sess.run(pieces.concat())  # (a read clears its element: another run)
    np.testing.assert_array_equal(s, [[0, 0], [1, 2], [2, 4], [3, 6]])
    assert n == 4
    np.testing.assert_array_equal(g, [[2, 2], [1, 1]])
    np.testing.assert_array_equal(p0, [3, 4, 5])
    np.testing.assert_array_equal(c, np.arange(6))


@pytest.mark.parametrize("backend", BACKENDS)
def test_tf1_errors(backend):
    with tf.Graph().as_default():
        def ta():
            return tf.TensorArray(tf.float32, size=2)

        twice = ta().write(0, 1.0).write(0, 2.0).stack()
        beyond = ta().write(2, 1.0).stack()
        once = ta().write(0, 1.0).write(1, 2.0)
        reread = once.read(0) + once.read(0)
        n = tf.placeholder(tf.int32, [])
        shapes = ta().write(0, tf.zeros([n])).write(1, [1.0, 2.0]).stack()
        unknown = ta().read(0)
        here = os.path.basename(__file__)
        with pytest.raises(ValueError, match="Inconsistent shapes") as err:
            ta().write(0, [1.0]).write(1, [[1.0]])
        assert here in str(err.value)
        with pytest.raises(ValueError, match="float32") as err:
            ta().write(0, tf.constant(1, tf.int32))
        assert here in str(err.value)
        with tf.Session(backend=backend) as sess:
            for fetch, message in [
                    (twice, "already been written"), (beyond, "not resizeable and size is: 2"),
                    (reread, "cleared after a previous read"),
                    (shapes, "incompatible with the TensorArray's inferred element shape"),
                    (unknown, "element shape is not fully defined")]:
                with pytest.raises(tf.errors.InvalidArgumentError, match=message) as err:
                    sess.run(fetch, {n: 3})
                assert os.path.basename(__file__) in str(err.value)  # the user's line


def test_matches_tensorflow():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    tf1 = pytest.importorskip("tensorflow").compat.v1
    tf1.disable_v2_behavior()
    rng = np.random.RandomState(3)
    xv, wv = rng.randn(5, 3), rng.randn(3, 3) * 0.5
    results = []
    for m, kw in ((tf1, {}), (tf, {"backend": "llvm"})):
        with m.Graph().as_default():
            x = m.placeholder(m.float64, [5, 3])
            w = m.placeholder(m.float64, [3, 3])
            out, loss = _rnn_program(m, x, w)
            grads = m.gradients(loss, [x, w])
            with m.Session(**kw) as sess:
                results.append(sess.run([out, loss] + grads, {x: xv, w: wv}))
    for a, b in zip(*results):
        np.testing.assert_allclose(b, a, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("backend", BACKENDS)
def test_cond_branches_write_an_outer_array_and_graph_files_keep_it(backend, tmp_path):
    with tf.Graph().as_default() as graph:
        p = tf.placeholder(tf.bool, [], name="p")
        x = tf.placeholder(tf.float64, [2], name="x")
        ta = tf.TensorArray(tf.float64, size=2).write(0, x)
        ta = tf.cond(p, lambda: ta.write(1, x * 2.0), lambda: ta.write(1, tf.sin(x)))
        out = tf.identity(ta.stack(), name="out")
        (g,) = tf.gradients(tf.reduce_sum(out), [x])
        g = tf.identity(g, name="g")
        with pytest.raises(ValueError, match="create it before the cond"):
            tf.cond(p, lambda: tf.TensorArray(tf.float64, size=1).write(0, x),
                    lambda: tf.TensorArray(tf.float64, size=1).write(0, x))
        tf.train.write_graph(graph, str(tmp_path), "ta.graphc")
    xv = np.array([0.5, -1.0])
    with tf.Graph().as_default():
        tf.import_graph_def(tf.train.read_graph(str(tmp_path / "ta.graphc")), name="")
        with tf.Session(backend=backend) as sess:
            o, gv = sess.run(["out:0", "g:0"], {"p:0": True, "x:0": xv})
            np.testing.assert_allclose(o, [xv, 2 * xv])
            np.testing.assert_allclose(gv, [3.0, 3.0])
            o, gv = sess.run(["out:0", "g:0"], {"p:0": False, "x:0": xv})
            np.testing.assert_allclose(o, [xv, np.sin(xv)])
            np.testing.assert_allclose(gv, 1 + np.cos(xv))
