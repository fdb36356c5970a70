"""graphc's If, While, TensorArray and Fused nodes written as TensorFlow GraphDefs: TF1's
Switch/Merge conds and Enter/Exit frames (per-iteration stacks in TensorArrays, captures
as constant Enters), fused groups as their member ops. graphc imports each back to the
same outputs; where TensorFlow is installed, TensorFlow runs each to graphc's outputs."""
from __future__ import annotations

import numpy as np
import pytest

import graphc as tf
from graphc.graphdef import graph_to_graph_def
from graphc.passes.manager import PassManager
from graphc.passes.lower import lower
from graphc.passes.prune import build_program

from .tensorflow_run import run_in_tensorflow

X = np.random.RandomState(0).randn(2, 3).astype(np.float32)


def _cond(x):
    p = tf.placeholder_with_default(True, [], name="p")
    return tf.cond(p, lambda: x * 2.0 + tf.reduce_mean(x), lambda: tf.tanh(x) - 1.0)


def _while(x):
    i, y = tf.while_loop(lambda i, y: tf.reduce_sum(y) < 50.0,
                         lambda i, y: (i + 1, y * 2.0 + 1.0), [tf.constant(0), x])
    return y + tf.cast(i, tf.float32)


def _nested(x):
    def body(i, a):
        _, a = tf.while_loop(lambda j, b: j < i, lambda j, b: (j + 1, b * 0.9 + 1.0),
                             [tf.constant(0), a], name="inner")
        return i + 1, tf.cond(tf.equal(i % 2, 0), lambda: a + 1.0, lambda: a * 0.5)
    return tf.while_loop(lambda i, a: i < 4, body, [tf.constant(0), x], name="outer")[1]


def _dynamic_rnn(x):
    xs = tf.reshape(x, [-1, 1, 3]) * tf.ones([1, 4, 1])
    out, state = tf.nn.dynamic_rnn(tf.nn.rnn_cell.BasicLSTMCell(5), xs, dtype=tf.float32)
    return out[:, -1] + state.h


def _tensor_array(x):
    ta = tf.TensorArray(tf.float32, size=3)
    _, ta = tf.while_loop(lambda i, t: i < 3,
                          lambda i, t: (i + 1, t.write(i, x * tf.cast(i, tf.float32))),
                          [0, ta])
    return tf.reduce_sum(ta.stack(), 0)


def _map_fn(x):
    return tf.map_fn(lambda r: r * 2.0 + 1.0, x)


def _tensor_array_concat(x):
    ta = tf.TensorArray(tf.float32, size=3, infer_shape=False)
    _, ta = tf.while_loop(lambda i, t: i < 3,
                          lambda i, t: (i + 1, t.write(i, x[:i + 1] * tf.cast(i, tf.float32))),
                          [0, ta])
    return tf.reduce_sum(ta.concat(), 0, keepdims=True) + x


MODELS = [_cond, _while, _nested, _dynamic_rnn, _tensor_array, _map_fn, _tensor_array_concat]


def _frozen(model):
    """graphc's outputs of `model` and its frozen GraphDef."""
    with tf.Graph().as_default() as g:
        x = tf.placeholder(tf.float32, [None, 3], name="x")
        tf.identity(model(x), name="out")
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            want = sess.run("out:0", {"x:0": X})
            gd = tf.graph_util.convert_variables_to_constants(sess, g.as_graph_def(), ["out"])
    return want, gd


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_control_flow_exports_as_tf1_frames_graphc_reads_back(model):
    want, gd = _frozen(model)
    ops = {n.op for n in gd.node}
    assert not ops & {"If", "While", "StatelessIf", "StatelessWhile"}
    assert not gd.library.function
    assert {"Switch", "Merge"} <= ops
    with tf.Graph().as_default():
        (out,) = tf.import_graph_def(gd, return_elements=["out:0"], name="")
        with tf.Session() as sess:
            np.testing.assert_allclose(sess.run(out, {"x:0": X}), want, rtol=1e-6)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_tensorflow_runs_graphcs_control_flow(model):
    pytest.importorskip("tensorflow")
    want, gd = _frozen(model)
    (theirs,) = run_in_tensorflow(gd.SerializeToString(), ["out:0"], {"x:0": X})
    np.testing.assert_allclose(theirs, want, rtol=1e-5, atol=1e-6)


def _fused_plan():
    x = tf.placeholder(tf.float32, [1000], name="x")
    a = tf.placeholder(tf.float32, [], name="a")
    y = tf.tanh(x * a + 0.5) * tf.sigmoid(x) + 0.5 * x * x
    program = build_program([y], [], [x, a])
    plan = PassManager().run(lower(program, [((1000,), tf.float32), ((), tf.float32)]))
    assert "Fused" in {op.type for op in plan.graph.get_operations()}
    feeds = {"x:0": np.random.RandomState(1).randn(1000).astype(np.float32), "a:0": 2.0}
    with tf.Session() as sess:
        want = sess.run(y, feeds)
    return graph_to_graph_def(plan.graph), plan.fetches[0].name, feeds, want


def test_fused_nodes_export_as_their_members():
    with tf.Graph().as_default():
        gd, fetch, feeds, want = _fused_plan()
    assert "Fused" not in {n.op for n in gd.node}
    assert {"Tanh", "Sigmoid", "Mul", "AddV2", "IdentityN"} <= {n.op for n in gd.node}
    with tf.Graph().as_default():
        (out,) = tf.import_graph_def(gd, return_elements=[fetch], name="")
        with tf.Session() as sess:
            np.testing.assert_allclose(sess.run(out, feeds), want, rtol=1e-6)
    pytest.importorskip("tensorflow")
    (theirs,) = run_in_tensorflow(gd.SerializeToString(), [fetch], feeds)
    np.testing.assert_allclose(theirs, want, rtol=1e-5, atol=1e-6)


def test_fused_updates_export_writing_the_variables_own_nodes():
    # An optimized training plan: each variable's Momentum update is one Fused node whose
    # body assigns the variable; exported, the assigns write the variables' own nodes.
    w0 = np.arange(6, dtype=np.float32).reshape(2, 3)
    with tf.Graph().as_default():
        w = tf.Variable(w0, name="w")
        loss = tf.reduce_sum(tf.square(w - 1.0))
        train = tf.train.MomentumOptimizer(0.1, 0.9).minimize(loss)
        program = build_program([], [train], [])
        plan = PassManager().run(lower(program, []))
        fused = [op for op in plan.graph.get_operations() if op.type == "Fused"]
        assert any(m.type == "Assign" and m.inputs[0].op.name == "w" for op in fused
                   for m in op.subgraphs["body"].get_operations())
        gd = graph_to_graph_def(plan.graph)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for _ in range(3):
                sess.run(train)
            want = sess.run(w)
    names = [n.name for n in gd.node if n.op == "VariableV2"]
    assert sorted(names) == ["w", "w/Momentum"]  # each once, under its own name
    with tf.Graph().as_default() as g:
        tf.import_graph_def(gd, name="")
        step = g.get_operation_by_name(plan.targets[0].name)
        with tf.Session() as sess:
            sess._set_variable_value("w", w0.copy())
            sess._set_variable_value("w/Momentum", np.zeros_like(w0))
            for _ in range(3):
                sess.run(step)
            np.testing.assert_allclose(sess.variable_values()["w"], want, rtol=1e-6)
