"""Contract samples for the debugging ops: CheckNumerics, Print (tf.Print), PrintV2."""
import io

import numpy as np

import graphc as tf
from graphc.ir.ops import core_ops

ph = core_ops.placeholder
R = np.random.RandomState(11)


def _check_numerics_f64():
    x = ph("float64", [3, 2])
    return tf.check_numerics(tf.sin(x) * x, "sin x"), {x: R.randn(3, 2)}


def _check_numerics_f32():
    x = ph("float32", [None])
    return tf.check_numerics(x * 2.0, "doubled"), {x: R.randn(5).astype(np.float32)}


def _print_f64():
    x = ph("float64", [4])
    n = ph("int32", [2])
    return tf.Print(x * x, [x, n], message="x, n: ", summarize=2), {x: R.randn(4),
                                                                   n: np.int32([3, 4])}


def _print_int_first_n():
    n = ph("int64", [None])
    return tf.Print(n, [n], first_n=1), {n: np.int64([1, 2])}


def _print_v2():
    x = ph("float32", [2, 3])
    op = tf.print("x:", x, {"sum": tf.reduce_sum(x)}, output_stream=io.StringIO())
    with tf.control_dependencies([op]):
        y = tf.identity(x)
    return y, {x: R.randn(2, 3).astype(np.float32)}


def _print_v2_strings_to_a_stream():
    s = ph("string", [None])
    op = tf.print(s, tf.constant(7), sep=", ", summarize=None, output_stream=io.StringIO())
    with tf.control_dependencies([op]):
        y = tf.identity(s)
    return y, {s: np.array([b"a", b"b"], object)}


SAMPLES = {"CheckNumerics": [_check_numerics_f64, _check_numerics_f32],
           "Print": [_print_f64, _print_int_first_n],
           "PrintV2": [_print_v2, _print_v2_strings_to_a_stream]}
