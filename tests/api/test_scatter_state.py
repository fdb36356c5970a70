"""Scatters into variables, count_up_to, Variable's scatter methods and
tensor_scatter_nd_max/min (ir/ops/scatter_state_ops.py, scatter_ops.py) against
TensorFlow's results (tests/fixtures/tf/state.json, made by make_state_fixtures.py from
the cases in state_cases.py), and the checks TF1 makes when the graph is built."""
from __future__ import annotations

import json
import os
import threading

import numpy as np
import pytest

import graphc as tf

from .state_cases import CASES, M43, run

FIXTURE = os.path.join(os.path.dirname(__file__), os.pardir, "fixtures", "tf", "state.json")
with open(FIXTURE) as _f:
    WANT = json.load(_f)["cases"]


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_tensorflow(name):
    with tf.Graph().as_default(), tf.Session() as sess:
        got = run(tf, sess, name)
    want = WANT[name]
    assert got.get("error") == want.get("error")
    assert len(got["updates"]) == len(want["updates"])
    for g_run, w_run in zip(got["updates"], want["updates"]):
        for g, w in zip(g_run, w_run):
            np.testing.assert_allclose(np.float64(g), np.float64(w), rtol=1e-6)
    if name == "scatter_out_of_range":
        # TensorFlow's kernel has written the rows before the bad index when it fails;
        # graphc checks every index first, so a failed scatter writes nothing
        np.testing.assert_array_equal(got["variables"][0], M43)
        return
    for g, w in zip(got["variables"], want["variables"]):
        np.testing.assert_allclose(np.float64(g), np.float64(w), rtol=1e-6)


def test_the_result_is_the_updated_variable_and_later_reads_see_it():
    with tf.Graph().as_default():
        v = tf.Variable([1.0, 2.0, 3.0])
        before = v.read_value()
        with tf.control_dependencies([before]):
            up = tf.scatter_update(v, [2], [9.0])
        with tf.control_dependencies([up]):
            after = v.read_value()
        with tf.Session() as sess:
            sess.run(v.initializer)
            b, u, a = sess.run([before, up, after])
        np.testing.assert_array_equal(b, [1, 2, 3])
        np.testing.assert_array_equal(u, [1, 2, 9])
        np.testing.assert_array_equal(a, [1, 2, 9])
        assert up.shape == v.shape and up.dtype == tf.float32


def test_build_time_checks_name_the_op_and_shapes():
    with tf.Graph().as_default():
        v = tf.Variable(np.zeros((4, 3), np.float32), name="table")
        with pytest.raises(ValueError, match=r"updates .* must have shape \(2, 3\)"):
            tf.scatter_add(v, [0, 1], np.ones((2, 2), np.float32))
        with pytest.raises(ValueError, match=r"must have shape \(2,\)"):
            tf.scatter_nd_add(v, [[0, 1], [1, 1]], np.ones((3,), np.float32))
        with pytest.raises(ValueError, match="Tensor conversion requested dtype float32"):
            tf.scatter_update(v, [0], tf.constant([[1.0, 2.0, 3.0]], tf.float64))
        with pytest.raises(TypeError, match="must be a variable"):
            tf.scatter_update(tf.constant([1.0]), [0], [2.0])
        with pytest.raises(TypeError, match="indices"):
            tf.scatter_update(v, [0.5], [[1.0, 2.0, 3.0]])
        with pytest.raises(ValueError, match="must be at least a vector"):
            tf.scatter_update(tf.Variable(1.0), [0], 2.0)
        with pytest.raises(TypeError, match="does not accept float32"):
            tf.count_up_to(tf.Variable(1.0), 3)
        with pytest.raises(TypeError, match="sparse_delta is not IndexedSlices"):
            v.scatter_add([1.0])
        with pytest.raises(ValueError, match="unknown shape"):
            tf.batch_scatter_update(v, tf.placeholder(tf.int32), [1.0])


def test_state_scatters_are_not_differentiable_and_not_folded():
    with tf.Graph().as_default():
        v = tf.Variable([1.0, 2.0])
        up = tf.scatter_add(v, [0], [1.0])
        assert tf.gradients(up, v) == [None]
        with tf.Session() as sess:
            sess.run(v.initializer)
            assert [sess.run(up)[0] for _ in range(3)] == [2.0, 3.0, 4.0]


def test_repeated_indices_in_concurrent_runs_lose_no_update():
    with tf.Graph().as_default():
        v = tf.Variable(np.zeros(3, np.int64))
        # (use_locking: on llvm the scatter runs in place in native code, racing as TF1's
        # without it; with it, a run holds the variable's lock)
        up = tf.scatter_add(v, [0, 0, 2], np.int64([1, 1, 1]), use_locking=True)
        with tf.Session() as sess:
            sess.run(v.initializer)
            threads = [threading.Thread(target=lambda: [sess.run(up.op) for _ in range(20)])
                       for _ in range(3)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=60)
            np.testing.assert_array_equal(sess.run(v), [120, 0, 60])
