"""TF1's stack ops (a while-loop gradient's stashed forward values) and ConcatOffset,
on both backends: values against numpy, and TensorFlow's errors."""
from __future__ import annotations

import numpy as np
import pytest

import graphc as tf
from graphc.ir.ops import stack_ops as S
from graphc.ir.ops.partition_ops import concat_offset

BACKENDS = ["numpy", "llvm"]


def _forward_then_backward(x):
    """A loop pushing tanh(acc + x[i]) per iteration, a second popping them in reverse
    into total = total * 0.5 + v (as TF1's gradient loop pops its forward values)."""
    h = S.stack_v2(-1, tf.float32)

    def forward(i, acc):
        v = tf.tanh(acc + x[i])
        with tf.control_dependencies([S.stack_push_v2(h, v)]):
            return i + 1, tf.identity(v)

    n, last = tf.while_loop(lambda i, acc: i < tf.shape(x)[0], forward, [0, tf.zeros([3])])

    def backward(i, total):
        with tf.control_dependencies([total]):
            v = S.stack_pop_v2(h, tf.float32, [3])
        return i - 1, total * 0.5 + v

    _, total = tf.while_loop(lambda i, t: i > 0, backward, [n, tf.zeros([3])])
    return last, total


@pytest.mark.parametrize("backend", BACKENDS)
def test_values_pushed_by_one_loop_pop_in_reverse_in_another(backend):
    xs = np.random.RandomState(3).randn(5, 3).astype(np.float32)
    acc, values = np.zeros(3, np.float32), []
    for row in xs:
        acc = np.tanh(acc + row)
        values.append(acc)
    total = np.zeros(3, np.float32)
    for v in reversed(values):
        total = total * np.float32(0.5) + v
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 3])
        last, out = _forward_then_backward(x)
        with tf.Session(backend=backend) as sess:
            for _ in range(2):  # a fresh stack each run
                got_last, got = sess.run([last, out], {x: xs})
                np.testing.assert_allclose(got_last, values[-1], rtol=1e-5, atol=1e-6)
                np.testing.assert_allclose(got, total, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("backend", BACKENDS)
def test_pop_of_an_empty_stack_and_push_past_max_size_raise(backend):
    g = tf.Graph()
    with g.as_default():
        h = S.stack_v2(1, tf.float32, stack_name="tiny")
        first = S.stack_push_v2(h, tf.constant([1.0]))
        with tf.control_dependencies([first]):
            second = S.stack_push_v2(h, tf.constant([2.0]))
        empty = S.stack_pop_v2(S.stack_v2(-1, tf.int32, stack_name="none"), tf.int32)
        with tf.Session(backend=backend) as sess:
            np.testing.assert_array_equal(sess.run(first), [1.0])
            with pytest.raises(tf.errors.InvalidArgumentError, match="'tiny' pushed, but is "
                                                                     "full: max_size 1"):
                sess.run(second)
            with pytest.raises(tf.errors.InvalidArgumentError, match="'none' is empty"):
                sess.run(empty)


def test_a_push_of_the_wrong_dtype_is_refused_when_built():
    g = tf.Graph()
    with g.as_default():
        h = S.stack_v2(-1, tf.float32)
        with pytest.raises(TypeError, match="stack handle"):
            S.stack_push_v2(tf.constant(1.0), tf.constant(1.0))
        S.stack_push_v2(h, tf.constant(1, tf.int32))  # TF checks the element type at run time
        with pytest.raises(tf.errors.InvalidArgumentError, match="holds float32, pushed int32"):
            tf.Session().run(S.stack_push_v2(h, tf.constant(1, tf.int32)))


@pytest.mark.parametrize("backend", BACKENDS)
def test_concat_offset_is_each_inputs_start_along_the_axis(backend):
    g = tf.Graph()
    with g.as_default():
        a = tf.placeholder(tf.int32, [None])
        offsets = concat_offset(1, [a, [2, 4, 5], [2, 1, 5]])
        last = concat_offset(-1, [a, [2, 3, 7]])
        bad = concat_offset(0, [a, [3, 4, 5]])
        with tf.Session(backend=backend) as sess:
            got = sess.run(offsets, {a: [2, 3, 5]})
            np.testing.assert_array_equal(np.stack(got), [[0, 0, 0], [0, 3, 0], [0, 7, 0]])
            np.testing.assert_array_equal(np.stack(sess.run(last, {a: [2, 3, 5]})),
                                          [[0, 0, 0], [0, 0, 5]])
            with pytest.raises(tf.errors.InvalidArgumentError, match="mismatch: 4 vs. 3"):
                sess.run(bad, {a: [2, 3, 5]})


def test_concat_offset_of_constant_shapes_is_known_when_built():
    from graphc.ir.ops._base import const_value
    g = tf.Graph()
    with g.as_default():
        offsets = concat_offset(0, [[2, 3], [4, 3]])
        np.testing.assert_array_equal(const_value(offsets[1]), [2, 0])
        perm = tf.invert_permutation(tf.concat([[1, 0], tf.range(2, 4)], 0))
        np.testing.assert_array_equal(const_value(perm), [1, 0, 2, 3])
