"""tf.IndexedSlices (graphc/indexed_slices.py) and tf.register_tensor_conversion_function
(ir/ops/_base.py): TF1's fields, densification, fetching and conversions."""
from __future__ import annotations

import numpy as np
import pytest

import graphc as tf


def test_fields_dense_value_and_fetch():
    with tf.Graph().as_default():
        values = tf.constant(np.float32([[1, 2], [3, 4], [5, 6]]))
        s = tf.IndexedSlices(values, tf.constant([0, 2, 0]), tf.constant([4, 2]))
        assert s.values is values and s.dtype == tf.float32 and s.name == values.name
        assert s.op is values.op and s.graph is values.graph
        assert s.shape.as_list() == [4, 2]
        dense = tf.convert_to_tensor(s)
        with tf.Session() as sess:
            got, fetched, neg = sess.run([dense, s, -s])
        np.testing.assert_array_equal(got, [[6, 8], [0, 0], [3, 4], [0, 0]])  # repeats add
        assert isinstance(fetched, tf.IndexedSlicesValue)
        np.testing.assert_array_equal(fetched.indices, [0, 2, 0])
        np.testing.assert_array_equal(fetched.dense_shape, [4, 2])
        np.testing.assert_array_equal(neg.values, -fetched.values)


def test_ops_take_indexed_slices_as_tensors():
    with tf.Graph().as_default():
        s = tf.IndexedSlices(tf.constant([[1.0, 2.0]]), tf.constant([1]), [3, 2])
        with tf.Session() as sess:
            np.testing.assert_array_equal(sess.run(tf.reduce_sum(s, 0)), [1, 2])
            np.testing.assert_array_equal(sess.run(tf.add(s, 1.0)),
                                          [[1, 1], [2, 3], [1, 1]])


def test_checks():
    with tf.Graph().as_default():
        with pytest.raises(TypeError, match="int32 or int64"):
            tf.IndexedSlices(tf.constant([[1.0]]), tf.constant([0.0]))
        with pytest.raises(ValueError, match="one row per index"):
            tf.IndexedSlices(tf.constant([[1.0], [2.0]]), tf.constant([0, 1, 2]))
        no_shape = tf.IndexedSlices(tf.constant([[1.0]]), tf.constant([0]))
        assert no_shape.dense_shape is None and no_shape.shape.ndims is None
        with pytest.raises(ValueError, match="without dense_shape"):
            tf.convert_to_tensor(no_shape)
        with pytest.raises(ValueError, match="requested dtype float64"):
            tf.convert_to_tensor(tf.IndexedSlices(tf.constant([[1.0]]), [0], [1, 1]),
                                 dtype=tf.float64)
        with pytest.raises(TypeError, match="misspelt"):
            tf.IndexedSlices(values=[1.0], misspelt=1)


def test_convert_to_tensor_or_indexed_slices():
    with tf.Graph().as_default():
        s = tf.IndexedSlices(tf.constant([[1.0]]), tf.constant([0]), [2, 1])
        assert tf.convert_to_tensor_or_indexed_slices(s) is s
        sp = tf.SparseTensor([[0, 0]], [1.0], [2, 2])
        assert tf.convert_to_tensor_or_indexed_slices(sp) is sp
        t = tf.convert_to_tensor_or_indexed_slices([1, 2], dtype=tf.int64)
        assert isinstance(t, tf.Tensor) and t.dtype == tf.int64
        with pytest.raises(ValueError, match="requested dtype int32"):
            tf.convert_to_tensor_or_indexed_slices(s, dtype=tf.int32)


class _Celsius:
    def __init__(self, degrees):
        self.degrees = degrees


def test_register_tensor_conversion_function():
    def to_tensor(value, dtype=None, name=None, as_ref=False):
        return tf.constant(np.float32(value.degrees), dtype=dtype, name=name)
    tf.register_tensor_conversion_function(_Celsius, to_tensor)
    with tf.Graph().as_default():
        t = tf.convert_to_tensor(_Celsius(21.5))
        assert t.dtype == tf.float32
        with tf.Session() as sess:
            assert sess.run(tf.multiply(_Celsius(2.0), 3.0)) == 6.0
    with pytest.raises(TypeError, match="converts it itself"):
        tf.register_tensor_conversion_function(float, to_tensor)
    with pytest.raises(TypeError, match="must be a type"):
        tf.register_tensor_conversion_function("Celsius", to_tensor)
