"""tf.py_func, tf.numpy_function, tf.py_function: Python functions inside the graph, on
both backends, with TF1's output checks, errors and gradient overrides."""
from __future__ import annotations

import numpy as np
import pytest

import graphc as tf


@pytest.fixture(params=["numpy", "llvm"])
def backend(request):
    return request.param


def run(fetches, feed=None, backend=None):
    with tf.Session(backend=backend) as sess:
        return sess.run(fetches, feed)


def test_py_func_runs_between_ops_and_returns_lists(backend):
    tf.reset_default_graph()
    x = tf.placeholder(tf.float32, [None, 2])
    doubled = tf.py_func(lambda a: a * 2, [x * 1.5], tf.float32)
    assert doubled.shape.ndims is None and doubled.dtype == tf.float32
    doubled.set_shape([None, 2])  # (as TF1 programs do: later ops then lower natively)
    total, count = tf.py_func(lambda a: (a.sum(), np.int64(a.size)), [doubled],
                              [tf.float32, tf.int64])
    y = doubled + 1.0
    got = run([y, total, count], {x: np.ones((3, 2), np.float32)}, backend)
    np.testing.assert_allclose(got[0], np.full((3, 2), 4.0))
    assert got[1] == 18.0 and got[2] == 6


def test_stateful_functions_run_every_time_and_stateless_ones_merge():
    tf.reset_default_graph()
    calls = []

    def count(a):
        calls.append(1)
        return a

    c = tf.constant([1.0])
    a = tf.py_func(count, [c], tf.float32)
    b = tf.py_func(count, [c], tf.float32)
    run([a, b])
    assert len(calls) == 2
    del calls[:]
    s = tf.numpy_function(count, [c], tf.float32, stateful=False)
    assert s.op.type == "PyFuncStateless"
    run(s)
    assert len(calls) == 1


def test_a_result_of_another_dtype_is_an_error_naming_the_function():
    tf.reset_default_graph()
    y = tf.py_func(lambda: np.array([1, 2]), [], tf.int32, name="wrong")
    with pytest.raises(tf.errors.InvalidArgumentError, match="is int64, but expects int32"):
        run(y)


def test_exceptions_become_tf1_errors():
    tf.reset_default_graph()

    def bad(a):
        raise ValueError("no good")

    def stop(a):
        raise StopIteration

    with pytest.raises(tf.errors.InvalidArgumentError, match="no good") as info:
        run(tf.py_func(bad, [tf.constant(1.0)], tf.float32, name="badfunc"))
    assert "badfunc" in str(info.value)
    with pytest.raises(tf.errors.OutOfRangeError):
        run(tf.py_func(stop, [tf.constant(1.0)], tf.float32))


def test_gradient_through_an_override():
    tf.reset_default_graph()

    @tf.RegisterGradient("SquareByPython")
    def _square_grad(op, grad):
        return grad * 2.0 * op.inputs[0]

    x = tf.placeholder(tf.float64, [3])
    with tf.get_default_graph().gradient_override_map({"PyFunc": "SquareByPython"}):
        y = tf.py_func(np.square, [x], tf.float64)
    y.set_shape([3])
    g = tf.gradients(tf.reduce_sum(y), x)[0]
    np.testing.assert_allclose(run(g, {x: [1.0, 2.0, 3.0]}), [2, 4, 6])
    plain = tf.py_func(np.square, [x], tf.float64)
    assert tf.gradients(tf.reduce_sum(plain), x) == [None]


def test_py_function_passes_arrays_with_numpy():
    tf.reset_default_graph()
    y = tf.py_function(lambda a: a.numpy() + 1, [tf.constant([1, 2])], tf.int32)
    np.testing.assert_array_equal(run(y), [2, 3])
    strings = tf.py_func(lambda s: s.upper(), [tf.constant("ab")], tf.string)
    assert run(strings) == b"AB"
