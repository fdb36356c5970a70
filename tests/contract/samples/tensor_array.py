"""Contract samples for the TensorArray ops (tf.TensorArray), inside and outside loops."""
import numpy as np

import graphc as tf
from graphc.ir.ops import core_ops

ph = core_ops.placeholder
R = np.random.RandomState(11)


def _loop_write_read_stack():
    x = ph("float64", [4, 3])
    inputs = tf.TensorArray(tf.float64, size=4).unstack(x)
    out = tf.TensorArray(tf.float64, size=4)

    def body(i, h, ta):
        h = tf.tanh(h * 0.5 + inputs.read(i))
        return i + 1, h, ta.write(i, h * h)

    _, _, out = tf.while_loop(lambda i, h, ta: i < 4, body,
                              [0, tf.zeros([3], tf.float64), out])
    return out.stack(), {x: R.randn(4, 3)}


def _scatter_gather():
    x = ph("float64", [3, 2])
    ta = tf.TensorArray(tf.float64, size=3).scatter([2, 0, 1], x)
    return ta.gather([1, 2]), {x: R.randn(3, 2)}


def _split_concat():
    x = ph("float64", [4, 2])
    ta = tf.TensorArray(tf.float64, size=3, infer_shape=False).split(x, [1, 2, 1])
    return ta.concat(), {x: R.randn(4, 2)}


def _write_pieces_concat():
    a, b = ph("float64", [2]), ph("float64", [3])
    ta = tf.TensorArray(tf.float64, size=2, infer_shape=False).write(0, a).write(1, b * 2.0)
    return ta.concat(), {a: R.randn(2), b: R.randn(3)}


def _read_twice_without_clearing():
    x = ph("float64", [2])
    ta = tf.TensorArray(tf.float64, size=2, clear_after_read=False).write(0, x).write(
        1, tf.sin(x))
    return [ta.read(0) * ta.read(1), ta.read(1)], {x: R.randn(2)}


def _dynamic_size_and_close():
    n = ph("int32", [])
    ta = tf.TensorArray(tf.float32, size=0, dynamic_size=True)
    _, ta = tf.while_loop(lambda i, t: i < n,
                          lambda i, t: (i + 1, t.write(i, tf.cast(i, tf.float32))), [0, ta])
    size = ta.size()
    with tf.control_dependencies([size]):
        closed = ta.close()
    with tf.control_dependencies([closed]):
        size = tf.identity(size)
    return [size, ta.stack()], {n: 5}


def _size_in_a_condition():
    x = ph("float64", [3])
    ta = tf.TensorArray(tf.float64, size=3)

    def body(i, t):
        return i + 1, t.write(i, x * tf.cast(i, tf.float64))

    _, ta = tf.while_loop(lambda i, t: i < t.size(), body, [0, ta])
    return ta.stack(), {x: R.randn(3)}


def _gradient_through_writes_and_reads():
    x = ph("float64", [3, 2])
    ta = tf.TensorArray(tf.float64, size=3).unstack(x)
    y = ta.read(0) * ta.read(2)
    (g,) = tf.gradients(tf.reduce_sum(y), [x])
    return [y, g], {x: R.randn(3, 2)}


def _explicit_grad_array():
    x = ph("float64", [2, 2])
    ta = tf.TensorArray(tf.float64, size=2).unstack(x)
    grad = ta.grad("manual").write(1, x[0] * 3.0)
    return grad.read(1), {x: R.randn(2, 2)}


def _split_then_read():
    x = ph("float64", [5, 2])
    ta = tf.TensorArray(tf.float64, size=2, infer_shape=False).split(x, [2, 3])
    piece = ta.read(1)
    with tf.control_dependencies([piece]):
        closed = ta.close()
    with tf.control_dependencies([closed]):
        piece = tf.identity(piece)
    return [piece, ta.read(0)], {x: R.randn(5, 2)}


_ALL = [_loop_write_read_stack, _scatter_gather, _split_concat, _write_pieces_concat,
        _read_twice_without_clearing, _dynamic_size_and_close, _size_in_a_condition,
        _gradient_through_writes_and_reads, _explicit_grad_array, _split_then_read]

SAMPLES = {
    "TensorArrayV3": _ALL,
    "TensorArrayWriteV3": [_write_pieces_concat, _read_twice_without_clearing,
                           _explicit_grad_array],
    "TensorArrayReadV3": [_read_twice_without_clearing, _gradient_through_writes_and_reads,
                          _split_then_read],
    "TensorArrayGatherV3": [_loop_write_read_stack, _scatter_gather, _size_in_a_condition],
    "TensorArrayScatterV3": [_loop_write_read_stack, _scatter_gather,
                             _gradient_through_writes_and_reads],
    "TensorArrayConcatV3": [_split_concat, _write_pieces_concat],
    "TensorArraySplitV3": [_split_concat, _split_then_read],
    "TensorArraySizeV3": [_dynamic_size_and_close, _size_in_a_condition],
    "TensorArrayCloseV3": [_dynamic_size_and_close, _split_then_read],
    "TensorArrayGradV3": [_gradient_through_writes_and_reads, _explicit_grad_array],
}
