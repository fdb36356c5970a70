"""`export_scope` and `clear_devices` of export_meta_graph / import_meta_graph, as TF1: a
scope's nodes exported with the scope taken off their names (collections and the saver's
variables too), imported again under another scope, restored from the original
checkpoint and run in graphc, and in TensorFlow where it is installed."""
from __future__ import annotations

import os

import numpy as np
import pytest

import graphc as tf
from graphc import protos

X = np.random.RandomState(3).randn(4, 3).astype(np.float32)


def _model(directory) -> tuple:
    """A graph with a 'model' scope (its own input) and a variable outside it, trained one
    step and saved; returns (the checkpoint prefix, the Saver's scoped MetaGraphDef, the
    model's output on X)."""
    g = tf.Graph()
    with g.as_default():
        outside = tf.Variable(np.ones(2, np.float32), name="outside")
        with tf.variable_scope("model"):
            x = tf.placeholder(tf.float32, [None, 3], name="input")
            h = tf.layers.dense(x, 4, activation=tf.nn.relu, name="hidden")
            y = tf.identity(tf.layers.dense(h, 2, name="out"), name="y")
        loss = tf.reduce_sum(tf.square(y)) + tf.reduce_sum(outside)
        train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
        tf.add_to_collection("outputs", y)
        tf.add_to_collection("outputs", loss)
        saver = tf.train.Saver()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(train, {x: X})
            want = sess.run(y, {x: X})
            prefix = saver.save(sess, os.path.join(str(directory), "model.ckpt"))
        meta = saver.export_meta_graph(os.path.join(str(directory), "scoped.meta"),
                                       export_scope="model", clear_devices=True)
    return prefix, meta, want


def test_export_scope_strips_the_scope_and_import_scope_adds_one(tmp_path):
    prefix, meta, want = _model(tmp_path)
    names = {n.name for n in meta.graph_def.node}
    assert {"input", "hidden/kernel", "out/bias", "y"} <= names
    assert not any(n.startswith("model/") or n.startswith("outside") for n in names)
    assert list(meta.collection_def["outputs"].node_list.value) == ["y:0"]
    variables = [protos.VariableDef.FromString(b)
                 for b in meta.collection_def["variables"].bytes_list.value]
    assert [v.variable_name for v in variables] == ["hidden/kernel:0", "hidden/bias:0",
                                                   "out/kernel:0", "out/bias:0"]
    g = tf.Graph()
    with g.as_default():
        saver = tf.train.import_meta_graph(str(tmp_path / "scoped.meta"), import_scope="copy",
                                           clear_devices=True)
        assert [v.name for v in tf.global_variables()] == [
            "copy/hidden/kernel:0", "copy/hidden/bias:0", "copy/out/kernel:0",
            "copy/out/bias:0"]
        (y,) = tf.get_collection("outputs")
        assert y.name == "copy/y:0"
        with tf.Session() as sess:
            saver.restore(sess, prefix)  # the checkpoint's keys are the scoped names
            np.testing.assert_allclose(sess.run(y, {"copy/input:0": X}), want, rtol=1e-6)


def test_a_scope_reading_from_outside_is_refused_naming_the_node(tmp_path):
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 3], name="x")
        with tf.name_scope("model"):
            tf.identity(x * 2.0, name="y")
        with pytest.raises(ValueError, match="node 'model/mul' reads 'x'.*outside the scope"):
            tf.train.export_meta_graph(export_scope="model")


def test_clear_devices_empties_every_device(tmp_path):
    g = tf.Graph()
    with g.as_default():
        tf.constant(1.0, name="c")
        gd = g.as_graph_def()
    for node in gd.node:
        node.device = "/job:worker/task:3/device:CPU:0"
    meta = tf.train.export_meta_graph(graph_def=gd, graph=g, clear_devices=True)
    assert [n.device for n in meta.graph_def.node] == [""]
    kept = tf.train.export_meta_graph(graph_def=gd, graph=g)
    assert kept.graph_def.node[0].device == "/job:worker/task:3/device:CPU:0"
    with tf.Graph().as_default() as g2:
        tf.train.import_meta_graph(kept, clear_devices=True)
        with tf.Session() as sess:
            assert sess.run("c:0") == 1.0
    assert g2.get_operation_by_name("c").device == ""


def test_tensorflow_imports_a_scoped_meta_graph_and_restores(tmp_path):
    tfm = pytest.importorskip("tensorflow")
    prefix, _, want = _model(tmp_path)
    tf1 = tfm.compat.v1
    graph = tfm.Graph()
    with graph.as_default():
        saver = tf1.train.import_meta_graph(str(tmp_path / "scoped.meta"), import_scope="copy")
        with tf1.Session(graph=graph) as sess:
            saver.restore(sess, prefix)
            got = sess.run("copy/y:0", {"copy/input:0": X})
    np.testing.assert_allclose(got, want, rtol=1e-5)
