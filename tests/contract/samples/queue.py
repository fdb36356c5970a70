"""Contract samples for the queue ops (FIFOQueue, PaddingFIFOQueue, RandomShuffleQueue):
setup ops fill the queue where the op under test takes from it."""
import numpy as np

import graphc as tf
from graphc.ir.ops import core_ops

ph = core_ops.placeholder
R = np.random.RandomState(7)


def _filled(kind="fifo", n=4):
    if kind == "padding":
        q = tf.PaddingFIFOQueue(8, [tf.float32, tf.string], shapes=[[None], []])
        rows = [q.enqueue([tf.constant(R.randn(k + 1).astype(np.float32)),
                           tf.constant(b"s%d" % k)]) for k in range(n)]
    else:
        q = tf.FIFOQueue(8, [tf.float32, tf.int64], shapes=[[3], []]) if kind == "fifo" \
            else tf.RandomShuffleQueue(8, 1, [tf.float32, tf.int64], shapes=[[3], []],
                                       seed=3)
        rows = [q.enqueue_many([tf.constant(R.randn(n, 3).astype(np.float32)),
                                tf.constant(np.arange(n, dtype=np.int64))])]
    return q, rows


def _enqueue():
    q = tf.FIFOQueue(4, [tf.float64], shapes=[[2]])
    x = ph("float64", [2])
    return [q.enqueue([x]), q.size()], {x: R.randn(2)}


def _enqueue_many():
    q = tf.FIFOQueue(6, [tf.int32, tf.string])
    return [q.enqueue_many([tf.constant([1, 2, 3]), tf.constant([b"a", b"b", b"c"])])], {}


def _dequeue():
    q, setup = _filled()
    x, i = q.dequeue()
    return [tf.sin(x), i + 1], {}, setup


def _dequeue_shuffled():
    q, setup = _filled("shuffle")
    x, i = q.dequeue()
    return [x, i], {}, setup


def _dequeue_many():
    q, setup = _filled()
    x, i = q.dequeue_many(3)
    return [x * 2.0, i], {}, setup


def _dequeue_many_padded():
    q, setup = _filled("padding")
    x, s = q.dequeue_many(3)
    return [x, s], {}, setup


def _dequeue_up_to():
    q, setup = _filled()
    x, i = q.dequeue_up_to(6)
    return [x, i], {}, setup + [q.close()]


def _close():
    q, setup = _filled()
    return [q.close(cancel_pending_enqueues=True)], {}, setup


def _size():
    q, setup = _filled()
    return [q.size()], {}, setup


def _is_closed():
    q, setup = _filled()
    return [q.is_closed()], {}, setup + [q.close()]


def _enqueue_padded():
    q = tf.PaddingFIFOQueue(4, [tf.int32], shapes=[[None, 2]])
    x = ph("int32", [None, 2])
    return [q.enqueue(x), q.size()], {x: np.arange(6, dtype=np.int32).reshape(3, 2)}


def _enqueue_many_shuffled():
    q = tf.RandomShuffleQueue(10, 2, [tf.float32], shapes=[[2]], seed=5)
    x = ph("float32", [None, 2])
    return [q.enqueue_many([x])], {x: R.randn(4, 2).astype(np.float32)}


def _dequeue_up_to_padded():
    q, setup = _filled("padding", 2)
    x, s = q.dequeue_up_to(5)
    return [x, s], {}, setup + [q.close()]


def _close_then_size():
    q, setup = _filled("shuffle")
    with tf.control_dependencies([q.close()]):
        size = q.size()
    return [size], {}, setup


def _size_of_padded():
    q, setup = _filled("padding", 3)
    return [q.size() * 2], {}, setup


def _is_closed_open():
    q, setup = _filled("shuffle")
    return [tf.logical_not(q.is_closed())], {}, setup


SAMPLES = {
    "QueueEnqueueV2": [_enqueue, _enqueue_padded],
    "QueueEnqueueManyV2": [_enqueue_many, _enqueue_many_shuffled],
    "QueueDequeueV2": [_dequeue, _dequeue_shuffled],
    "QueueDequeueManyV2": [_dequeue_many, _dequeue_many_padded],
    "QueueDequeueUpToV2": [_dequeue_up_to, _dequeue_up_to_padded],
    "QueueCloseV2": [_close, _close_then_size],
    "QueueSizeV2": [_size, _size_of_padded],
    "QueueIsClosedV2": [_is_closed, _is_closed_open],
}
