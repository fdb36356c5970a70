"""`.meta` files (MetaGraphDef): `Saver.save` writes one beside each checkpoint,
`tf.train.export_meta_graph` / `import_meta_graph` move graphs, collections and the saver
between graphc and TensorFlow. TensorFlow's `.meta` fixtures (tests/fixtures/tf/ckpt, made
by make_checkpoint_fixtures.py) import and run in graphc equal to TensorFlow's outputs;
graphc's import and run in TensorFlow where it is installed."""
from __future__ import annotations

import os

import numpy as np
import pytest

import graphc as tf
from graphc import protos
from graphc.train.meta_graph import MetaGraphFileError

FIXTURES = os.path.join(os.path.dirname(os.path.dirname(__file__)), "fixtures", "tf", "ckpt")
BACKENDS = ["numpy", "llvm"]


def _npz(name: str, kind: str) -> dict:
    with np.load(os.path.join(FIXTURES, f"{name}.{kind}.npz")) as f:
        return dict(f)


def _train_and_save(directory) -> tuple:
    """A small graphc model trained two steps and saved with its meta graph."""
    g = tf.Graph()
    x_value = np.random.RandomState(0).randn(6, 4).astype(np.float32)
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 4], name="x")
        h = tf.layers.dense(x, 5, activation=tf.nn.relu, name="d1")
        y = tf.identity(tf.layers.dense(h, 2, name="d2"), name="y")
        step = tf.train.get_or_create_global_step()
        loss = tf.reduce_mean(tf.square(y))
        train = tf.train.GradientDescentOptimizer(0.1).minimize(loss, global_step=step)
        tf.add_to_collection("notes", b"graphc")
        saver = tf.train.Saver()
        init = tf.global_variables_initializer()
    with tf.Session(graph=g) as sess:
        sess.run(init)
        for _ in range(2):
            sess.run(train, {x: x_value})
        want = sess.run(y, {x: x_value})
        prefix = saver.save(sess, os.path.join(str(directory), "model.ckpt"), global_step=step)
    return prefix, x_value, want


def test_save_writes_a_meta_graph_that_graphc_imports_and_restores(tmp_path):
    prefix, x_value, want = _train_and_save(tmp_path)
    assert prefix.endswith("model.ckpt-2") and os.path.exists(prefix + ".meta")
    meta = protos.MetaGraphDef.FromString(open(prefix + ".meta", "rb").read())
    assert meta.saver_def.restore_op_name == "save/restore_all"
    assert meta.saver_def.filename_tensor_name == "save/Const:0"
    assert meta.saver_def.version == protos.SaverDef.V2
    ops = {n.name: n.op for n in meta.graph_def.node}
    assert ops["save/SaveV2"] == "SaveV2" and ops["save/RestoreV2"] == "RestoreV2"
    variables = [protos.VariableDef.FromString(b)
                 for b in meta.collection_def["variables"].bytes_list.value]
    assert [v.variable_name for v in variables] == [
        "d1/kernel:0", "d1/bias:0", "d2/kernel:0", "d2/bias:0", "global_step:0"]
    assert variables[0].snapshot_name == "d1/kernel/read:0" and variables[0].trainable
    assert not variables[-1].trainable
    assert list(meta.collection_def["notes"].bytes_list.value) == [b"graphc"]

    g = tf.Graph()
    with g.as_default():
        saver = tf.train.import_meta_graph(prefix + ".meta")
        assert [v.name for v in tf.trainable_variables()] == [
            "d1/kernel:0", "d1/bias:0", "d2/kernel:0", "d2/bias:0"]
        assert tf.train.get_global_step().name == "global_step:0"
        (train,) = tf.get_collection(tf.GraphKeys.TRAIN_OP)
        assert tf.get_collection("notes") == [b"graphc"]
        with tf.Session() as sess:
            saver.restore(sess, prefix)
            np.testing.assert_allclose(sess.run("y:0", {"x:0": x_value}), want, rtol=1e-6)
            sess.run(train, {"x:0": x_value})  # the imported train op trains
            assert sess.run("global_step:0") == 3
            again = saver.save(sess, str(tmp_path / "again"), global_step=3)
    assert tf.train.load_variable(again, "global_step") == 3


def test_export_and_import_meta_graph_with_scopes(tmp_path):
    g = tf.Graph()
    with g.as_default():
        with tf.variable_scope("net"):
            w = tf.get_variable("w", initializer=np.float32([[1.0, 2.0]]))
        x = tf.placeholder(tf.float32, [None, 1], name="x")
        tf.matmul(x, w, name="out")
        meta = tf.train.export_meta_graph(str(tmp_path / "g.meta"), as_text=True)
        saver = tf.train.Saver()
        init = tf.global_variables_initializer()
    assert not meta.HasField("saver_def") and "variables" in meta.collection_def
    assert open(tmp_path / "g.meta").read().startswith("meta_info_def")  # text format
    with tf.Session(graph=g) as sess:
        sess.run(init)
        prefix = saver.save(sess, str(tmp_path / "m"), write_meta_graph=False)
    assert not os.path.exists(prefix + ".meta")
    g2 = tf.Graph()
    with g2.as_default():
        restored = tf.train.import_meta_graph(str(tmp_path / "g.meta"), import_scope="copy")
        assert [v.name for v in tf.global_variables()] == ["copy/net/w:0"]
        out = g2.get_tensor_by_name("copy/out:0")
        with tf.Session() as sess:
            assert sorted(restored._names) == ["copy/net/w"]  # TF1: keys are the op names
            tf.train.Saver({"net/w": tf.global_variables()[0]}).restore(sess, prefix)
            np.testing.assert_array_equal(sess.run(out, {"copy/x:0": [[3.0]]}), [[3.0, 6.0]])


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", ["mlp", "convnet_bn"])
def test_tensorflow_meta_graphs_run_in_graphc(name, backend):
    feeds, want = _npz(name, "inputs"), _npz(name, "outputs")
    directory = os.path.join(FIXTURES, name)
    with tf.Graph().as_default():
        saver = tf.train.import_meta_graph(os.path.join(directory, "model.ckpt-3.meta"))
        assert "global_step" in saver._names
        with tf.Session(backend=backend) as sess:
            saver.restore(sess, tf.train.latest_checkpoint(directory))
            got = sess.run(list(want), feeds)
            assert sess.run(tf.train.get_global_step()) == 3
    for key, value in zip(want, got):
        np.testing.assert_allclose(value, want[key], rtol=1e-5, atol=1e-6, err_msg=key)


def test_meta_graph_errors_name_the_file(tmp_path):
    bad = tmp_path / "bad.meta"
    bad.write_bytes(b"\xff\x00not a proto")
    with pytest.raises(MetaGraphFileError, match="bad.meta: not a MetaGraphDef"):
        tf.train.import_meta_graph(str(bad))
    with pytest.raises(MetaGraphFileError, match="nope.meta: cannot open"):
        tf.train.import_meta_graph(str(tmp_path / "nope.meta"))
    meta = protos.MetaGraphDef.FromString(open(os.path.join(
        FIXTURES, "mlp", "model.ckpt-3.meta"), "rb").read())
    meta.graph_def.node.add(name="uses_saver", op="Identity", input=["save/Const"])
    with tf.Graph().as_default(), pytest.raises(MetaGraphFileError,
                                                match="'uses_saver' .* reads the saver"):
        tf.train.import_meta_graph(meta)


def test_tensorflow_imports_graphc_meta_graphs(tmp_path):
    tfm = pytest.importorskip("tensorflow")
    tf1 = tfm.compat.v1
    prefix, x_value, want = _train_and_save(tmp_path)
    graph = tfm.Graph()
    with graph.as_default():
        saver = tf1.train.import_meta_graph(prefix + ".meta")
        assert [v.name for v in tf1.trainable_variables()] == [
            "d1/kernel:0", "d1/bias:0", "d2/kernel:0", "d2/bias:0"]
        with tf1.Session(graph=graph) as sess:
            saver.restore(sess, prefix)
            np.testing.assert_allclose(sess.run("y:0", {"x:0": x_value}), want, rtol=1e-5,
                                       atol=1e-6)
            sess.run(tf1.get_collection("variables")[0].initializer)  # re-initialized
            written = saver.save(sess, str(tmp_path / "by_tensorflow"))
    kernel = tf.train.load_variable(written, "d1/kernel")
    assert kernel.shape == (4, 5) and not np.array_equal(
        kernel, tf.train.load_variable(prefix, "d1/kernel"))
