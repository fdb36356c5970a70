import numpy as np
import pytest

import graphc as tf
from graphc.ir import dtypes
from graphc.ir.shapes import Dimension, TensorShape, broadcast_shapes


@pytest.mark.parametrize("alias,expected", [
    ("float", dtypes.float32), ("float32", dtypes.float32), ("double", dtypes.float64),
    ("half", dtypes.float16), ("int32", dtypes.int32), ("int64", dtypes.int64),
    ("uint8", dtypes.uint8), ("bool", dtypes.bool_), ("string", dtypes.string),
    (np.float32, dtypes.float32), (np.dtype("int16"), dtypes.int16), (float, dtypes.float32),
    (int, dtypes.int32), (bool, dtypes.bool_), (str, dtypes.string),
])
def test_as_dtype_aliases(alias, expected):
    assert tf.as_dtype(alias) is expected


def test_dtype_equality_and_properties():
    assert tf.float32 == "float32" and tf.float32 == np.float32
    assert tf.float32 != tf.float64
    assert tf.float32.is_floating and not tf.float32.is_integer
    assert tf.uint8.is_unsigned and tf.int8.min == -128 and tf.uint8.max == 255
    assert tf.float32.as_numpy_dtype is np.float32
    assert tf.bool.name == "bool" and tf.string.is_string
    with pytest.raises(TypeError, match="Cannot convert"):
        tf.as_dtype("complex256")


def test_partial_shapes_tf1_accessors():
    s = TensorShape([None, 3])
    assert s.as_list() == [None, 3] and s.ndims == 2 and not s.is_fully_defined()
    assert s[1].value == 3 and int(s[1]) == 3 and s[0].value is None
    assert str(s) == "(?, 3)" and s[1:].as_list() == [3]
    unknown = TensorShape(None)
    assert unknown.ndims is None and unknown[0].value is None
    with pytest.raises(ValueError):
        unknown.as_list()
    assert s.is_compatible_with([5, 3]) and not s.is_compatible_with([5, 4])
    assert s.merge_with([7, None]).as_list() == [7, 3]
    assert TensorShape([2, 3]).num_elements() == 6
    assert (Dimension(None) == 3) is None  # unknown comparisons are None (TF1)
    assert (Dimension(4) * 2).value == 8


@pytest.mark.parametrize("a,b,out", [
    ([2, 3], [3], [2, 3]), ([2, 1], [1, 4], [2, 4]), ([None, 3], [3], [None, 3]),
    ([None, 1], [5], [None, 5]), ([None], [None], [None]), ([1], [None], [None]),
    ([], [2, 2], [2, 2]),
])
def test_broadcast_shapes(a, b, out):
    assert broadcast_shapes(TensorShape(a), TensorShape(b)).as_list() == out


def test_broadcast_incompatible_and_unknown_rank():
    assert broadcast_shapes(TensorShape([2]), TensorShape([3])) is None
    assert broadcast_shapes(TensorShape(None), TensorShape([3])).ndims is None
