"""The passes, the verifier, the printer, the viewer and graph files see into the graphs
that If and While nodes hold."""
import os

import numpy as np
import pytest

import graphc as tf
from graphc import functions
from graphc.ir.printer import format_graph
from graphc.ir.verify import verify


def _plan_ops(sess):
    exe = sess._plans[list(sess._plans)[-1]].executable
    return [op.type for op in exe.plan.nodes]


@pytest.mark.parametrize("backend", ["numpy", "llvm"])
def test_cond_on_a_constant_predicate_becomes_its_branch(backend):
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [3])
        v = tf.Variable([1.0, 2.0, 3.0])
        y = tf.cond(tf.constant(True), lambda: x * 2.0 + v, lambda: tf.sin(x))
        z = tf.cond(tf.constant(False), lambda: tf.assign(v, [9.0, 9.0, 9.0]),
                    lambda: v + 0.0)
        with tf.Session(backend=backend) as sess:
            sess.run(tf.global_variables_initializer())
            yv, zv = sess.run([y, z], {x: [1.0, 2.0, 3.0]})
            assert "If" not in _plan_ops(sess)
            np.testing.assert_allclose(yv, [3.0, 6.0, 9.0])
            np.testing.assert_allclose(zv, [1.0, 2.0, 3.0])
            np.testing.assert_allclose(sess.run(v), [1.0, 2.0, 3.0])  # never assigned


def test_loop_bodies_are_optimised_by_the_pipeline():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [64])
        _, s = tf.while_loop(lambda i, s: i < 3,
                             lambda i, s: (i + 1, tf.tanh(s * 0.5 + x) * (2.0 * 1.5)),
                             [0, tf.zeros([64])])
        with tf.Session(backend="numpy") as sess:
            out = sess.run(s, {x: np.ones(64, np.float32)})
            runner = sess._functions
            bodies = [hit[1].plan for hit in runner._plans.values()]
    ref = np.zeros(64, np.float32)
    for _ in range(3):
        ref = np.tanh(ref * 0.5 + 1.0) * 3.0
    np.testing.assert_allclose(out, ref, rtol=1e-6)
    types = [op.type for plan in bodies for op in plan.nodes]
    assert "Fused" in types                      # the body's elementwise chain fused
    assert not any(op.type == "Mul" and all(t.op.type == "Const" for t in op.inputs)
                   for plan in bodies for op in plan.nodes)  # 2.0 * 1.5 folded


def test_verifier_printer_and_viewer_walk_into_held_graphs(tmp_path):
    with tf.Graph().as_default() as g:
        x = tf.placeholder(tf.float32, [3], name="x")
        p = tf.placeholder(tf.bool, [], name="p")
        y = tf.cond(p, lambda: tf.exp(x, name="in_then"), lambda: tf.sin(x, name="in_else"))
        _, s = tf.while_loop(lambda i, s: i < 2, lambda i, s: (i + 1, s + y), [0, x])
        tf.gradients(tf.reduce_sum(s), x)
    assert verify(g) == []
    text = format_graph(g)
    for needle in ("If(", "While(", "then:", "else:", "cond:", "body:", "in_then", "in_else"):
        assert needle in text
    from graphc import viz
    html = viz.to_html(viz.layout(g, "cf"))
    assert "in_then" in html and "then:" in html and "body: " in html


def test_graph_files_keep_control_flow_and_its_gradients(tmp_path):
    with tf.Graph().as_default() as g:
        x = tf.placeholder(tf.float32, [3], name="x")
        p = tf.placeholder(tf.bool, [], name="p")
        y = tf.cond(p, lambda: x * 2.0, lambda: tf.sin(x))
        _, s = tf.while_loop(lambda i, s: i < 5, lambda i, s: (i + 1, s * 1.5 + y),
                             [0, tf.zeros([3])])
        grad = tf.gradients(tf.reduce_sum(s), [x])[0]
        tf.train.write_graph(g, str(tmp_path), "cf.graphc")
        with tf.Session() as sess:
            want = sess.run([s, grad], {x: [1.0, 2.0, 3.0], p: False})
    with tf.Graph().as_default():
        tf.import_graph_def(tf.train.read_graph(os.path.join(tmp_path, "cf.graphc")), name="")
        with tf.Session() as sess:
            got = sess.run([s.name, grad.name], {"x:0": [1.0, 2.0, 3.0], "p:0": False})
    for a, b in zip(want, got):
        np.testing.assert_array_equal(a, b)


def test_a_function_whose_shapes_keep_changing_compiles_generically(monkeypatch):
    monkeypatch.setattr(functions, "MAX_SPECIALISATIONS", 3)
    with tf.Graph().as_default():
        _, grown = tf.while_loop(lambda i, a: i < 10,
                                 lambda i, a: (i + 1, tf.concat([a, [tf.cast(i, tf.float32)]],
                                                                0)),
                                 [0, tf.zeros([0])],
                                 shape_invariants=[tf.TensorShape([]), tf.TensorShape([None])])
        with tf.Session() as sess:
            out = sess.run(grown)
            # (a plan is kept under every signature it served; on llvm the growing dim
            # is symbolic, graphc/symbolic_plans.py: one plan serves every size but 0)
            plans = {id(v[1]) for v in sess._functions._plans.values()
                     if isinstance(v, tuple)}
    np.testing.assert_array_equal(out, np.arange(10, dtype=np.float32))
    assert len(plans) <= 2 * 3 + 2  # cond and body: 3 specialisations each, then generic
