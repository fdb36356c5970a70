"""Contract samples for the stack ops (TF1's StackV2 family: a while-loop gradient's
stashed forward values), in straight-line code and across two loops."""
import numpy as np

import graphc as tf
from graphc.ir.ops import core_ops
from graphc.ir.ops import stack_ops as S

ph = core_ops.placeholder
R = np.random.RandomState(17)


def _push_push_pop_pop():
    x = ph("float64", [None, 2])
    h = S.stack_v2(-1, tf.float64, stack_name="s")
    first = S.stack_push_v2(h, x)
    with tf.control_dependencies([first]):
        second = S.stack_push_v2(h, x * 2.0)
    with tf.control_dependencies([second]):
        top = S.stack_pop_v2(h, tf.float64, [None, 2])
    with tf.control_dependencies([top]):
        below = S.stack_pop_v2(h, tf.float64)
    return [first, top, below], {x: R.randn(3, 2)}


def _pushed_by_one_loop_popped_by_another():
    """The forward loop pushes every iteration's value (a control input of its counter's
    next value), the second loop pops them back in reverse, as TF1's gradient loop."""
    x = ph("float32", [4, 3])
    h = S.stack_v2(10, tf.float32)

    def forward(i, acc):
        v = tf.tanh(acc + x[i])
        push = S.stack_push_v2(h, v)
        with tf.control_dependencies([push]):
            return i + 1, tf.identity(v)

    n, _ = tf.while_loop(lambda i, acc: i < 4, forward, [0, tf.zeros([3])])

    def backward(i, total):
        with tf.control_dependencies([total]):
            v = S.stack_pop_v2(h, tf.float32, [3])
        return i - 1, total * 0.5 + v

    _, total = tf.while_loop(lambda i, t: i > 0, backward, [n, tf.zeros([3])])
    return total, {x: R.randn(4, 3).astype(np.float32)}


def _close_after_pop():
    x = ph("int32", [])
    h = S.stack_v2(1, tf.int32)
    push = S.stack_push_v2(h, x)
    with tf.control_dependencies([push]):
        y = S.stack_pop_v2(h, tf.int32, [])
    with tf.control_dependencies([y]):
        close = S.stack_close_v2(h)
    with tf.control_dependencies([close]):
        out = tf.identity(y)
    return out, {x: np.int32(7)}


def _close_unused():
    x = ph("float32", [2])
    h = S.stack_v2(-1, tf.float32)
    with tf.control_dependencies([S.stack_close_v2(h)]):
        return tf.identity(x), {x: np.float32([1.0, 2.0])}


# (the contract test looks for the op in the top-level graph: the loop sample is StackV2's)
SAMPLES = {
    "StackV2": [_push_push_pop_pop, _pushed_by_one_loop_popped_by_another, _close_after_pop],
    "StackPushV2": [_push_push_pop_pop, _close_after_pop],
    "StackPopV2": [_push_push_pop_pop, _close_after_pop],
    "StackCloseV2": [_close_after_pop, _close_unused],
}
