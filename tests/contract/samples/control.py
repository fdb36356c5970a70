"""Contract samples for control flow: If (tf.cond), While (tf.while_loop), Assert."""
import numpy as np

import graphc as tf
from graphc.ir.ops import core_ops

ph = core_ops.placeholder
R = np.random.RandomState(7)


def _cond_taken_true():
    x, y = ph("float64", [3]), ph("float64", [3])
    p = ph("bool", [])
    out = tf.cond(p, lambda: x * y + tf.sin(x), lambda: x - y)
    return out, {x: R.randn(3), y: R.randn(3), p: True}


def _cond_nested_structure_false():
    x = ph("float64", [2, 2])
    p = ph("bool", [])
    a, (b, c) = tf.cond(p, lambda: (tf.exp(x), (x * 2.0, tf.constant(1))),
                        lambda: (tf.tanh(x), (tf.square(x), tf.constant(2))))
    return [a, b, c], {x: R.randn(2, 2), p: False}


def _while_fixed_trips():
    x, y = ph("float64", [3]), ph("float64", [3])
    _, s = tf.while_loop(lambda i, s: i < 4, lambda i, s: (i + 1, s * x + y),
                         [tf.constant(0), tf.zeros([3], tf.float64)])
    return s, {x: R.randn(3), y: R.randn(3)}


def _while_data_dependent():
    x = ph("float64", [2])
    v, n = tf.while_loop(lambda v, n: tf.reduce_sum(v * v) < 50.0,
                         lambda v, n: (tf.tanh(v) * 1.5 + v * x, n + 1),
                         [x, tf.constant(0)], maximum_iterations=20)
    return [v, n], {x: np.array([1.3, 1.6])}


def _assert_passes():
    x = ph("float32", [4])
    check = tf.Assert(tf.reduce_all(x > 0), ["x must be positive:", x])
    with tf.control_dependencies([check]):
        y = tf.identity(x)
    return y, {x: np.arange(1, 5, dtype=np.float32)}


def _assert_with_int_data():
    n = ph("int32", [None])
    check = tf.Assert(tf.reduce_all(n < 10), [n, "too large"], summarize=2)
    with tf.control_dependencies([check]):
        y = n * 2
    return y, {n: np.array([1, 2, 3], np.int32)}


SAMPLES = {
    "If": [_cond_taken_true, _cond_nested_structure_false],
    "While": [_while_fixed_trips, _while_data_dependent],
    "Assert": [_assert_passes, _assert_with_int_data],
}
