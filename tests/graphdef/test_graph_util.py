"""tf.graph_util: extract_sub_graph, convert_variables_to_constants (freezing a graphc
session's variables, checked by running the frozen graph in graphc and, where installed,
in TensorFlow) and remove_training_nodes, with TF1's rules."""
from __future__ import annotations

import numpy as np
import pytest
from google.protobuf import text_format

import graphc as tf

from .tensorflow_run import run_in_tensorflow

CHAIN = """
node { name: "x" op: "Placeholder" attr { key: "dtype" value { type: DT_FLOAT } } }
node { name: "check" op: "CheckNumerics" input: "x" }
node { name: "id1" op: "Identity" input: "x" }
node { name: "id2" op: "Identity" input: "id1" }
node { name: "guard" op: "NoOp" }
node { name: "kept" op: "Identity" input: "id2" input: "^guard" }
node { name: "y" op: "Neg" input: "id2" input: "check" }
node { name: "unused" op: "Neg" input: "x" }
"""


def _gd(text):
    return text_format.Parse(text, tf.GraphDef())


def test_extract_sub_graph_keeps_what_the_nodes_need_in_order():
    sub = tf.graph_util.extract_sub_graph(_gd(CHAIN), ["kept"])
    assert [n.name for n in sub.node] == ["x", "id1", "id2", "guard", "kept"]
    with pytest.raises(AssertionError, match="nope is not in graph"):
        tf.graph_util.extract_sub_graph(_gd(CHAIN), ["nope"])
    with pytest.raises(TypeError, match="list of node names"):
        tf.graph_util.extract_sub_graph(_gd(CHAIN), "kept")


def test_remove_training_nodes_splices_identities_as_tf1():
    out = tf.graph_util.remove_training_nodes(_gd(CHAIN))
    nodes = {n.name: n for n in out.node}
    assert "check" not in nodes and "id1" not in nodes and "id2" not in nodes
    assert list(nodes["y"].input) == ["x"]                 # CheckNumerics input dropped
    assert list(nodes["kept"].input) == ["x", "^guard"]   # kept: it has a control input
    protected = tf.graph_util.remove_training_nodes(_gd(CHAIN), protected_nodes=["id2"])
    assert list({n.name: n for n in protected.node}["y"].input) == ["id2"]


def _trained_model():
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    w = tf.get_variable("w", [3, 2], initializer=tf.random_normal_initializer(seed=1))
    b = tf.get_variable("b", [2], initializer=tf.ones_initializer())
    y = tf.nn.relu(tf.matmul(x, w) + b, name="y")
    loss = tf.reduce_sum(y * y)
    train = tf.train.GradientDescentOptimizer(0.01).minimize(loss)
    return x, y, train


def _train_and_freeze(**kwargs):
    """(input, graphc's output before freezing, frozen GraphDef) of a trained model."""
    x, y, train = _trained_model()
    xv = np.random.RandomState(0).randn(4, 3).astype(np.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train, {x: xv})
        want = sess.run(y, {x: xv})
        frozen = tf.graph_util.convert_variables_to_constants(
            sess, sess.graph.as_graph_def(), ["y"], **kwargs)
    return xv, want, frozen


def test_convert_variables_to_constants_freezes_the_sessions_values():
    xv, want, frozen = _train_and_freeze()
    ops = {n.name: n.op for n in frozen.node}
    assert ops["w"] == "Const" and ops["b"] == "Const" and "VariableV2" not in ops.values()
    assert not any(op.startswith(("Assign", "ApplyGradient")) for op in ops.values())
    with tf.Graph().as_default():
        (out,) = tf.import_graph_def(frozen, return_elements=["y:0"], name="")
        with tf.Session() as sess:
            np.testing.assert_allclose(sess.run(out, {"x:0": xv}), want, rtol=1e-6)
    with tf.Graph().as_default():
        _, _, only_w = _train_and_freeze(variable_names_whitelist=["w"])
    assert {n.name: n.op for n in only_w.node}["b"] == "VariableV2"


def test_tensorflow_runs_graphcs_frozen_graph():
    pytest.importorskip("tensorflow")
    xv, want, frozen = _train_and_freeze()
    got = run_in_tensorflow(frozen.SerializeToString(), "y:0", {"x:0": xv})
    np.testing.assert_allclose(got, want, rtol=1e-6)
