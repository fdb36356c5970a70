"""The rest of TF1's check_ops (graphc/debugging_checks.py): static checks raise at once
with TF1's messages, the rest become Assert ops that fail the run."""
from __future__ import annotations

import numpy as np
import pytest

import graphc as tf


def test_assert_integer_and_scalar_are_static():
    with tf.Graph().as_default():
        assert tf.debugging.assert_integer(tf.constant([1, 2])).type == "NoOp"
        with pytest.raises(TypeError, match='Expected "x" to be integer type'):
            tf.assert_integer(tf.constant([1.0]), message="ids")
        s = tf.constant(3.0)
        assert tf.debugging.assert_scalar(s) is s
        with pytest.raises(ValueError, match="Expected scalar shape"):
            tf.assert_scalar(tf.constant([1.0]))


def test_assert_near_static_and_at_run_time():
    with tf.Graph().as_default():
        assert tf.assert_near(tf.constant([1.0, 2.0]), tf.constant([1.0, 2.0 + 1e-7])) \
            is not None
        with pytest.raises(tf.errors.InvalidArgumentError, match="not equal to tolerance"):
            tf.assert_near(tf.constant([1.0]), tf.constant([1.1]))
        x = tf.placeholder(tf.float64, [2])
        check = tf.debugging.assert_near(x, np.float64([1.0, 2.0]), rtol=0.1, atol=0.0)
        with tf.Session() as sess:
            sess.run(check, {x: [1.05, 2.15]})
            with pytest.raises(tf.errors.InvalidArgumentError, match="tolerance"):
                sess.run(check, {x: [1.05, 2.3]})


def test_rank_checks():
    with tf.Graph().as_default():
        m = tf.constant(np.zeros((2, 3)))
        tf.assert_rank_at_least(m, 2)
        tf.debugging.assert_rank_in(m, [1, 2])
        with pytest.raises(ValueError, match="must have rank at least 3"):
            tf.assert_rank_at_least(m, 3)
        with pytest.raises(ValueError, match=r"must have rank in \(0, 1\)"):
            tf.assert_rank_in(m, [0, 1])
        x = tf.placeholder(tf.float32)
        at_least = tf.assert_rank_at_least(x, 2)
        rank_in = tf.assert_rank_in(x, (0, 3))
        with tf.Session() as sess:
            sess.run(at_least, {x: np.zeros((1, 1, 1))})
            sess.run(rank_in, {x: 1.0})
            with pytest.raises(tf.errors.InvalidArgumentError, match="rank at least 2"):
                sess.run(at_least, {x: [1.0]})
            with pytest.raises(tf.errors.InvalidArgumentError, match="rank in"):
                sess.run(rank_in, {x: [1.0]})


def test_dtype_checks_and_iterables():
    with tf.Graph().as_default():
        a, b = tf.constant(1.0), tf.constant(2.0)
        assert tf.assert_same_float_dtype([a, b]) == tf.float32
        assert tf.assert_same_float_dtype(None, tf.float64) == tf.float64
        with pytest.raises(ValueError, match="must be of the same type"):
            tf.assert_same_float_dtype([a, tf.constant(1.0, tf.float64)])
        with pytest.raises(ValueError, match="Expected floating point type"):
            tf.assert_same_float_dtype([tf.constant(1)])
        assert tf.is_numeric_tensor(a) and not tf.is_numeric_tensor(tf.constant(True))
        assert not tf.debugging.is_numeric_tensor(1.0)
        tf.assert_proper_iterable([a, b])
        for bad in (a, np.zeros(2), "ab", 3):
            with pytest.raises(TypeError, match="proper"):
                tf.debugging.assert_proper_iterable(bad)
    assert tf.debugging.is_strictly_increasing is tf.is_strictly_increasing
    assert tf.debugging.is_non_decreasing is tf.is_non_decreasing
