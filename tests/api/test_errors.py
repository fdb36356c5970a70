"""Errors name the op, the tensors, the shapes or dtypes, and the user's line."""
import numpy as np
import pytest

import graphc as tf


def test_build_time_shape_mismatch_names_both_operands_and_line():
    a = tf.placeholder(tf.float32, [None, 3], name="a")
    b = tf.placeholder(tf.float32, [4], name="b")
    with pytest.raises(ValueError) as info:
        a + b  # the offending line
    text = str(info.value)
    assert "'a:0'" in text and "'b:0'" in text and "(?, 3)" in text and "(4,)" in text
    assert "test_errors.py" in text and "# the offending line" in text


def test_matmul_inner_dimension_message_is_tf1s():
    a = tf.placeholder(tf.float32, [2, 3])
    b = tf.placeholder(tf.float32, [4, 5])
    with pytest.raises(ValueError, match=r"Dimensions must be equal, but are 3 and 4 for "
                                         r"'MatMul' \(op: 'MatMul'\) with input shapes: "
                                         r"\[2,3\], \[4,5\]"):
        tf.matmul(a, b)


def test_no_implicit_promotion_names_both_tensors():
    a = tf.constant([1.0], dtype=tf.float32, name="f32")
    b = tf.constant([1.0], dtype=tf.float64, name="f64")
    with pytest.raises(TypeError, match=r"'f32:0' is float32 and 'f64:0' is float64"):
        tf.add(a, b)
    assert (a + 1).dtype == tf.float32 and (2 * b).dtype == tf.float64


def test_runtime_error_names_node_and_creation_site():
    idx = tf.placeholder(tf.int32, [None])
    params = tf.constant(np.arange(5.0))
    g = tf.gather(params, idx)  # gather line
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            sess.run(g, {idx: [1, 9]})
    err = info.value
    assert err.op is g.op and err.error_code == tf.errors.INVALID_ARGUMENT
    assert "indices[1] = 9 is not in [0, 5)" in str(err)
    assert "# gather line" in str(err)


def test_integer_division_by_zero_is_an_error_not_a_crash():
    a = tf.placeholder(tf.int32, [2])
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="Integer division by zero"):
            sess.run(a // tf.constant([1, 0]), {a: [4, 5]})
        with pytest.raises(tf.errors.InvalidArgumentError, match="Integer division by zero"):
            sess.run(a % 0, {a: [4, 5]})


def test_error_classes_and_codes():
    assert issubclass(tf.errors.NotFoundError, tf.errors.OpError)
    assert tf.errors.FailedPreconditionError(None, None, "x").error_code == 9
    assert tf.errors.OutOfRangeError(None, None, "x").error_code == tf.errors.OUT_OF_RANGE
    assert tf.errors.InvalidArgumentError(None, None, "msg").message == "msg"
