"""Contract samples for the iterator ops of tf.data (MakeIterator, IteratorGetNext): each
runs the initializer as setup, then an element (the Session's source path, or the kernel
when the handle is computed in the run)."""
import numpy as np

import graphc as tf
from graphc.ir.ops import core_ops

ph = core_ops.placeholder
R = np.random.RandomState(5)


def _make_iterator_fed():
    x = ph("float64", [None, 3])
    it = tf.data.Dataset.from_tensor_slices(x).map(lambda v: v * 2.0) \
        .make_initializable_iterator()
    return [it.initializer], {x: R.randn(4, 3)}


def _make_iterator_from_structure():
    ds = tf.data.Dataset.range(5).batch(2)
    it = tf.data.Iterator.from_structure(ds.output_types, ds.output_shapes)
    return [it.make_initializer(ds)], {}


def _get_next_source():
    ds = tf.data.Dataset.from_tensor_slices((R.randn(3, 2), np.arange(3)))
    it = ds.make_initializable_iterator()
    x, y = it.get_next()
    return [tf.sin(x), y + 1], {}, [it.initializer]


def _get_next_kernel():
    ds = tf.data.Dataset.from_tensor_slices(R.randn(4, 2)).batch(3)
    it = ds.make_initializable_iterator()
    computed = tf.data.Iterator.from_string_handle(tf.identity(it.string_handle()),
                                                   ds.output_types, ds.output_shapes)
    return [computed.get_next() * 2.0], {}, [it.initializer]


def _get_next_one_shot():
    nxt = tf.data.Dataset.range(3).map(lambda v: tf.cast(v, tf.float32) / 2.0) \
        .make_one_shot_iterator().get_next()
    return [nxt], {}


SAMPLES = {
    "MakeIterator": [_make_iterator_fed, _make_iterator_from_structure],
    "IteratorGetNext": [_get_next_source, _get_next_kernel, _get_next_one_shot],
}
