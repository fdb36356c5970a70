"""tf.bitwise (ir/ops/bitwise_ops.py) against TensorFlow's results on every integer dtype
(tests/fixtures/tf/special.json, made by make_special_fixture.py): shifts clamped to
[0, bits - 1] as TF's kernels do, on both backends (native on llvm), and TF1's dtype rules."""
from __future__ import annotations

import json
import os

import numpy as np
import pytest

import graphc as tf

FIXTURE = os.path.join(os.path.dirname(__file__), os.pardir, "fixtures", "tf", "special.json")
with open(FIXTURE) as _f:
    DATA = json.load(_f)["bitwise"]
DTYPES = ("int8", "int16", "int32", "int64", "uint8")
BINARY = ("bitwise_and", "bitwise_or", "bitwise_xor", "left_shift", "right_shift")


@pytest.mark.parametrize("dtype", DTYPES)
def test_bitwise_matches_tensorflow(dtype):
    xv = np.array(DATA["x"]).astype(dtype)
    yv = np.array(DATA["y"]).astype(dtype)
    with tf.Graph().as_default():
        x = tf.placeholder(dtype, [None])
        y = tf.placeholder(dtype, [None])
        fetches = {name: getattr(tf.bitwise, name)(x, y) for name in BINARY}
        fetches["invert"] = tf.bitwise.invert(x)
        fetches["fused"] = tf.bitwise.bitwise_or(tf.bitwise.bitwise_and(
            tf.bitwise.bitwise_xor(tf.bitwise.left_shift(x, y), x), 0),
            tf.bitwise.right_shift(x, 1))  # a chain (fused on llvm) with Python operands
        with tf.Session() as sess:
            got = sess.run(fetches, {x: xv, y: yv})
    for name, want in DATA[dtype].items():
        assert got[name].dtype == np.dtype(dtype)
        np.testing.assert_array_equal(got[name], np.array(want, dtype), err_msg=name)
    np.testing.assert_array_equal(got["fused"], np.right_shift(xv, 1))


def test_bitwise_dtype_rules_and_gradients():
    with tf.Graph().as_default():
        a = tf.constant([1, 2], tf.int32)
        with pytest.raises(TypeError, match="BitwiseAnd .*float32"):
            tf.bitwise.bitwise_and(tf.constant([1.0]), tf.constant([2.0]))
        with pytest.raises(TypeError, match="int64"):
            tf.bitwise.bitwise_or(a, tf.constant([1, 2], tf.int64))
        with pytest.raises(TypeError, match="Invert .*bool"):
            tf.bitwise.invert(tf.constant([True]))
        with pytest.raises(ValueError, match="not broadcast-compatible"):
            tf.bitwise.left_shift(a, tf.constant([1, 2, 3]))
        shifted = tf.bitwise.left_shift(a, [[1], [2]])      # broadcasting, a list operand
        assert shifted.shape.as_list() == [2, 2]
        with tf.Session() as sess:
            np.testing.assert_array_equal(sess.run(shifted), [[2, 4], [4, 8]])
        x = tf.placeholder(tf.float32, [2])
        shifted = tf.cast(tf.bitwise.left_shift(tf.cast(x, tf.int32), 1), tf.float32)
        assert tf.gradients(shifted, x) == [None]    # not differentiable, as TF
