"""TF1's top-level leftovers against TensorFlow: the cases of toplevel_cases.py
(GradientTape in a graph, grad_pass_through, recompute_grad, guarantee_const,
ConditionalAccumulator, PriorityQueue) run in graphc on both backends and match
TensorFlow's outputs stored in tests/fixtures/tf/toplevel.npz (made by
tests/fixtures/tf/make_toplevel_fixtures.py); then what a fixture cannot hold: errors,
variables, blocking, and the names."""
from __future__ import annotations

import threading

import numpy as np
import pytest

import graphc as tf

from . import toplevel_cases
from .tf_case_runner import comparison_tests

globals().update(comparison_tests(tf, toplevel_cases, "toplevel"))

BACKENDS = ["numpy", "llvm"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_tape_watches_the_variables_read_while_recording(backend):
    v = tf.Variable([1.0, -2.0], name="v")
    frozen = tf.Variable([3.0, 4.0], name="frozen", trainable=False)
    with tf.GradientTape() as tape:
        with tf.variable_scope("inside"):
            w = tf.get_variable("w", initializer=tf.constant([0.5, 0.25]))
        y = tf.reduce_sum(v * v * w + frozen)
    assert [x.name for x in tape.watched_variables()] == ["inside/w:0", "v:0"]
    gv, gw, gf = tape.gradient(y, [v, w, frozen])
    assert gf is None  # not trainable, not watched
    with tf.GradientTape(watch_accessed_variables=False) as quiet:
        z = tf.reduce_sum(v * 3.0)
    assert quiet.gradient(z, v) is None and quiet.watched_variables() == ()
    with tf.Session(backend=backend) as sess:
        sess.run(tf.global_variables_initializer())
        got_v, got_w = sess.run([gv, gw])
    np.testing.assert_allclose(got_v, 2 * np.array([1.0, -2.0]) * [0.5, 0.25])
    np.testing.assert_allclose(got_w, [1.0, 4.0])


def test_tape_errors_name_the_misuse():
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x
        with pytest.raises(ValueError, match="re-enter an already-active tape"):
            tape.__enter__()
    tape.gradient(y, x)
    with pytest.raises(RuntimeError, match="non-persistent GradientTape"):
        tape.gradient(y, x)
    with pytest.raises(RuntimeError, match="not recording"):
        with tape.stop_recording():
            pass
    with pytest.raises(ValueError, match="not tf.Tensor or tf.Variable"):
        tf.GradientTape().watch(3.0)
    ph = tf.placeholder(tf.float32, [None])
    with tf.GradientTape() as t2:
        t2.watch(ph)
        z = ph * 2.0
    with pytest.raises(ValueError, match="needs the target's shape known"):
        t2.jacobian(z, ph)


@pytest.mark.timeout(120)
@pytest.mark.parametrize("backend", BACKENDS)
def test_accumulator_take_grad_blocks_until_enough_and_checks_its_input(backend):
    acc = tf.ConditionalAccumulator(tf.float32, shape=[2])
    g = tf.placeholder(tf.float32, [None])
    apply, take = acc.apply_grad(g), acc.take_grad(2)
    assert acc.name == "conditional_accumulator" and take.shape.as_list() == [2]
    with tf.Session(backend=backend) as sess:
        got = []
        taker = threading.Thread(target=lambda: got.append(sess.run(take)))
        taker.start()
        sess.run(apply, {g: [1.0, 1.0]})
        sess.run(apply, {g: [2.0, 4.0]})
        taker.join(60)
        assert not taker.is_alive()
        np.testing.assert_array_equal(got[0], [1.5, 2.5])
        with pytest.raises(tf.errors.InvalidArgumentError, match="incompatible"):
            sess.run(apply, {g: [1.0, 2.0, 3.0]})
        with pytest.raises(tf.errors.InvalidArgumentError, match="num_required must be "
                           "positive"):
            sess.run(acc.take_grad(0))
    with pytest.raises(ValueError, match="incompatible"):
        acc.apply_grad([1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="accumulates float32"):
        acc.apply_grad(tf.constant([1.0, 2.0], tf.float64))
    with pytest.raises(TypeError, match="dtype must be one of"):
        tf.ConditionalAccumulator(tf.int32)
    with pytest.raises(ValueError, match="reduction_type"):
        tf.ConditionalAccumulator(tf.float32, reduction_type="MAX")


def test_names_and_aliases():
    assert tf.io.PriorityQueue is tf.queue.PriorityQueue is tf.PriorityQueue
    assert issubclass(tf.PriorityQueue, tf.QueueBase)
    assert issubclass(tf.ConditionalAccumulator, tf.ConditionalAccumulatorBase)
    assert tf.NoGradient is tf.NotDifferentiable and tf.OpError is tf.errors.OpError
    assert tf.is_symbolic_tensor(tf.constant(1.0)) and not tf.is_symbolic_tensor(1.0)
    assert not tf.is_symbolic_tensor(np.zeros(2))
    q = tf.PriorityQueue(3, [tf.int32])
    assert q.dtypes == [tf.int64, tf.int32] and q.name == "priority_queue"
    with pytest.raises(ValueError, match="Shape mismatch in tuple component 0"):
        q.enqueue([tf.constant([1, 2], tf.int64), tf.constant(3)])


def test_variable_creator_scope_sees_every_variable_made_inside():
    seen = []

    def untrainable(next_creator, **kwargs):
        seen.append(kwargs["name"])
        kwargs["trainable"] = False
        return next_creator(**kwargs)

    def renamed(next_creator, **kwargs):
        seen.append("outer:" + str(kwargs["name"]))
        return next_creator(**kwargs)

    with tf.variable_creator_scope(renamed), tf.variable_creator_scope(untrainable):
        v = tf.Variable(1.0, name="a")
        with tf.variable_scope("s"):
            w = tf.get_variable("w", [2])
        tf.layers.dense(tf.zeros([1, 3]), 2)
    after = tf.Variable(2.0, name="b")
    assert seen == ["a", "outer:a", "s/w", "outer:s/w", "dense/kernel",
                    "outer:dense/kernel", "dense/bias", "outer:dense/bias"]
    assert (v.name, w.name) == ("a:0", "s/w:0") and not v.trainable and not w.trainable
    assert tf.trainable_variables() == [after]
