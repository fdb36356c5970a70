"""Native scatters by index rows on the llvm backend (TensorScatterUpdate/Add/Sub/Max/Min,
ScatterNd) and EnsureShape as a checked view: equal to the numpy backend, repeated
indices combined in order, NaN through max/min, every index checked in native code (an
index out of range is numpy's InvalidArgumentError naming the op and the user's line),
and an EnsureShape the static shape cannot settle checked as on numpy."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import graphc as tf
from graphc.backends.llvm.lowering import FallbackWarning

DTYPES = ["float32", "float64", "int32", "int64", "uint8"]
SCATTERS = [tf.tensor_scatter_nd_update, tf.tensor_scatter_nd_add, tf.tensor_scatter_nd_sub,
            tf.tensor_scatter_nd_max, tf.tensor_scatter_nd_min]
ROWS = np.int32([[1, 2], [0, 0], [1, 2], [3, 1], [1, 2]])  # (1, 2) three times


def _run(backend, fetch, feed):
    """(the result, the kinds of the plan's schedule) on `backend`."""
    with tf.Session(backend=backend) as sess, warnings.catch_warnings():
        warnings.filterwarnings("error", ".*(Scatter|EnsureShape)", FallbackWarning)
        out = sess.run(fetch, feed)
        kinds = [k for k, _ in next(reversed(sess._plans.values())).executable._schedule] \
            if backend == "llvm" else None
    return out, kinds


def _values(dtype, shape, seed):
    v = np.random.RandomState(seed).uniform(0, 9, shape).astype(dtype)
    if dtype == "float32":
        v.flat[0] = np.nan
    return v


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("scatter", SCATTERS, ids=lambda f: f.__name__)
def test_tensor_scatters_are_native_and_equal_numpy(scatter, dtype):
    t, u = _values(dtype, (4, 3, 2), 0), _values(dtype, (5, 2), 1)
    with tf.Graph().as_default():
        tp, ip, up = (tf.placeholder(dtype, t.shape), tf.placeholder(tf.int32, ROWS.shape),
                      tf.placeholder(dtype, u.shape))
        y = scatter(tp, ip, up)
        feed = {tp: t, ip: ROWS, up: u}
        want, _ = _run("numpy", y, feed)
        got, kinds = _run("llvm", y, feed)
    np.testing.assert_array_equal(got, want)
    assert kinds == ["native"]


@pytest.mark.parametrize("index_dtype", ["int32", "int64"])
def test_scatter_nd_sums_repeated_rows_natively(index_dtype):
    with tf.Graph().as_default():
        i = tf.placeholder(index_dtype, [4, 1])
        u = tf.placeholder(tf.float64, [4, 3])
        y = tf.scatter_nd(i, u, [5, 3])
        feed = {i: np.array([[1], [4], [1], [0]], index_dtype),
                u: np.arange(12.0).reshape(4, 3)}
        want, _ = _run("numpy", y, feed)
        got, kinds = _run("llvm", y, feed)
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(got[1], [6, 8, 10])
    assert kinds == ["native"]


@pytest.mark.parametrize("bad", [[[1], [5], [0]], [[-1], [0], [0]]])
@pytest.mark.parametrize("which", ["ScatterNd", "TensorScatterAdd", "TensorScatterUpdate"])
def test_an_index_out_of_range_is_numpys_error_raised_from_native_code(which, bad):
    with tf.Graph().as_default():
        i = tf.placeholder(tf.int64, [3, 1])
        u = tf.constant([1.0, 2.0, 3.0])
        if which == "ScatterNd":
            y = tf.scatter_nd(i, u, [5])
        else:
            f = tf.tensor_scatter_nd_add if which.endswith("Add") else \
                tf.tensor_scatter_nd_update
            y = f(tf.placeholder_with_default(tf.zeros([5]), [5]), i, u)
        messages = []
        for backend in ("numpy", "llvm"):
            with tf.Session(backend=backend) as sess:
                with pytest.raises(tf.errors.InvalidArgumentError) as info:
                    sess.run(y, {i: bad})
                kinds = [k for k, _ in next(reversed(sess._plans.values())).executable
                         ._schedule] if backend == "llvm" else None
            messages.append(str(info.value))
    assert messages[0] == messages[1]
    assert which in messages[1] and "test_llvm_scatter.py" in messages[1]
    assert kinds == ["native"]  # the check ran in native code, not a fallback


def test_ensure_shape_is_a_native_view_and_keeps_its_check():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 3])
        settled = tf.ensure_shape(tf.nn.relu(tf.placeholder(tf.float32, [2, 3])), [None, 3])
        y = tf.ensure_shape(x, [2, 3]) * 2.0  # the fed batch decides: checked at run time
        messages = []
        for backend in ("numpy", "llvm"):
            with tf.Session(backend=backend) as sess, warnings.catch_warnings():
                warnings.simplefilter("ignore", FallbackWarning)
                feed = {settled.op.inputs[0].op.inputs[0]: -np.ones((2, 3), np.float32)}
                np.testing.assert_array_equal(sess.run(settled, feed), np.zeros((2, 3)))
                if backend == "llvm":
                    kinds = [k for k, _ in next(reversed(sess._plans.values())).executable
                             ._schedule]
                    assert kinds == ["native"]
                np.testing.assert_array_equal(sess.run(y, {x: np.ones((2, 3), np.float32)}),
                                              2 * np.ones((2, 3)))
                with pytest.raises(tf.errors.InvalidArgumentError,
                                   match=r"EnsureShape op .*\(4, 3\) is not compatible with "
                                         r"expected shape \(2, 3\)") as info:
                    sess.run(y, {x: np.ones((4, 3), np.float32)})
                messages.append(str(info.value))
    assert messages[0] == messages[1]
