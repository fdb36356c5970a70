"""graphc's If and While written as TensorFlow 2's functional ops (If/StatelessIf,
While/StatelessWhile) with their branches, cond and body in the GraphDef's function
library, when control flow v2 is asked for: graphc imports them back to the same outputs,
and TensorFlow, where it is installed, runs them to graphc's outputs."""
from __future__ import annotations

import numpy as np
import pytest

import graphc as tf
from graphc.graphdef import graph_to_graph_def
from graphc.graphdef.functional_export import (control_flow_v2_enabled,
                                               disable_control_flow_v2,
                                               enable_control_flow_v2)

from .tensorflow_run import run_in_tensorflow
from .test_frames_export import _cond, _dynamic_rnn, _map_fn, _nested, _while

X = np.random.RandomState(0).randn(2, 3).astype(np.float32)


def _captures(x):
    w = tf.constant(np.float32(0.5))

    def body(i, y):
        return i + 1, tf.cond(i < 2, lambda: y * w + x, lambda: y - w)
    return tf.while_loop(lambda i, y: i < 5, body, [tf.constant(0), x])[1]


def _stateful(x):
    v = tf.Variable(np.ones(3, np.float32), name="v")
    p = tf.placeholder_with_default(False, [], name="p")
    return tf.cond(p, lambda: x + tf.random_uniform([3], seed=1) * 0.0, lambda: x * v)


MODELS = [_cond, _while, _nested, _captures, _stateful, _dynamic_rnn]


def _functional(model):
    with tf.Graph().as_default() as g:
        x = tf.placeholder(tf.float32, [None, 3], name="x")
        tf.identity(model(x), name="out")
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            want = sess.run("out:0", {"x:0": X})
            frozen = tf.graph_util.convert_variables_to_constants(sess, g.as_graph_def(),
                                                                  ["out"])
    with tf.Graph().as_default() as g:
        tf.import_graph_def(frozen, name="")
        gd = graph_to_graph_def(g, functional=True)
    return want, gd


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_functional_control_flow_round_trips(model):
    want, gd = _functional(model)
    ops = {n.op for n in gd.node}
    assert ops & {"If", "StatelessIf", "While", "StatelessWhile"}
    assert not ops & {"Switch", "Merge", "Enter", "Exit"}
    assert gd.library.function
    with tf.Graph().as_default():
        (out,) = tf.import_graph_def(gd, return_elements=["out:0"], name="")
        with tf.Session() as sess:
            np.testing.assert_allclose(sess.run(out, {"x:0": X}), want, rtol=1e-6)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_tensorflow_runs_functional_control_flow(model):
    pytest.importorskip("tensorflow")
    want, gd = _functional(model)
    (theirs,) = run_in_tensorflow(gd.SerializeToString(), ["out:0"], {"x:0": X})
    np.testing.assert_allclose(theirs, want, rtol=1e-5, atol=1e-6)


def test_stateless_forms_and_the_v2_switch():
    _, gd = _functional(_cond)
    assert "StatelessIf" in {n.op for n in gd.node}
    assert not control_flow_v2_enabled()
    enable_control_flow_v2()
    try:
        assert tf.enable_control_flow_v2 is enable_control_flow_v2
        with tf.Graph().as_default() as g:
            _while(tf.placeholder(tf.float32, [None, 3]))
            assert "StatelessWhile" in {n.op for n in g.as_graph_def().node}
    finally:
        disable_control_flow_v2()
    with tf.Graph().as_default() as g:
        _while(tf.placeholder(tf.float32, [None, 3]))
        assert "Enter" in {n.op for n in g.as_graph_def().node}


def test_loops_stacking_values_stay_frames():
    """A loop stacking each iteration's value (map_fn as graphc builds it), and a cond
    holding one, are written as TF1's frames beside the functional ops."""
    with tf.Graph().as_default() as g:
        x = tf.placeholder(tf.float32, [None, 3], name="x")
        p = tf.placeholder_with_default(True, [], name="p")
        framed = tf.cond(p, lambda: _map_fn(x), lambda: x)
        out = tf.identity(framed + tf.cond(p, lambda: x * 2.0, lambda: x), name="out")
        with tf.Session() as sess:
            want = sess.run(out, {x: X})
        gd = graph_to_graph_def(g, functional=True)
    ops = {n.op for n in gd.node}
    assert {"StatelessIf", "Enter", "Exit", "Switch", "Merge"} <= ops
    with tf.Graph().as_default():
        (got,) = tf.import_graph_def(gd, return_elements=["out:0"], name="")
        with tf.Session() as sess:
            np.testing.assert_allclose(sess.run(got, {"x:0": X}), want, rtol=1e-6)
