"""Contract samples for CriticalSectionExecute and the session tensor ops (a handle
made and read back in the same run)."""
import numpy as np

import graphc as tf
from graphc.ir.ops import core_ops
from graphc.ir.ops.session_tensor_ops import (delete_session_tensor_op,
                                              get_session_handle_op, get_session_tensor_op)

ph = core_ops.placeholder
R = np.random.RandomState(5)


def _execute():
    x = ph("float32", [3])
    return [tf.CriticalSection().execute(lambda: tf.sin(x) * 2.0)], \
        {x: R.randn(3).astype(np.float32)}


def _execute_two_outputs():
    x = ph("int64", [None])
    a, b = tf.CriticalSection(shared_name="shared").execute(lambda: (x + 1, x * x))
    return [a, b], {x: np.arange(4, dtype=np.int64)}


def _handle():
    x = ph("float64", [2])
    return [get_session_handle_op(x * 2.0)], {x: R.randn(2)}


def _handle_of_strings():
    return [get_session_handle_op(tf.constant([b"a", b"b"]))], {}


def _read_back():
    x = ph("float32", [2, 2])
    value = get_session_tensor_op(get_session_handle_op(x), tf.float32)
    return [tf.reshape(value, [2, 2]) + 1.0], \
        {x: R.randn(2, 2).astype(np.float32)}


def _read_back_int():
    h = get_session_handle_op(tf.constant([3, 4], tf.int32))
    return [get_session_tensor_op(h, tf.int32)], {}


def _delete():
    h = get_session_handle_op(tf.constant(1.0))
    return [delete_session_tensor_op(h)], {}


def _delete_after_read():
    h = get_session_handle_op(tf.constant([1.0, 2.0]))
    value = get_session_tensor_op(h, tf.float32)
    with tf.control_dependencies([value]):
        gone = delete_session_tensor_op(h)
    return [value, gone], {}


SAMPLES = {
    "CriticalSectionExecute": [_execute, _execute_two_outputs],
    "GetSessionHandle": [_handle, _handle_of_strings],
    "GetSessionTensor": [_read_back, _read_back_int],
    "DeleteSessionTensor": [_delete, _delete_after_read],
}
