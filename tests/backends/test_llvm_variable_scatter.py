"""The variable scatters natively on the llvm backend (ScatterUpdate/Add/Sub/Mul/Div/Max/
Min, ScatterNdUpdate/Add/Sub: index_lowering.lower_variable_scatter), in place in the
variable's buffer: equal to the numpy backend for every op and dtype, repeated indices
applied in order, slices of rank > 1, scalar updates; every index (and every integer
divisor) checked before the first write, so a bad one is numpy's InvalidArgumentError
naming the op, the index and the bound, raised from native code with the variable as it
was."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import graphc as tf
from graphc.backends.llvm.lowering import FallbackWarning

DTYPES = ["float32", "float64", "int32", "int64", "uint8"]
ROW_SCATTERS = [tf.scatter_update, tf.scatter_add, tf.scatter_sub, tf.scatter_mul,
                tf.scatter_div, tf.scatter_max, tf.scatter_min]
ND_SCATTERS = [tf.scatter_nd_update, tf.scatter_nd_add, tf.scatter_nd_sub]
ROWS = np.int32([3, 0, 3, 1, 3])                      # row 3 three times
ND_ROWS = np.int64([[1, 2], [0, 0], [1, 2], [3, 1]])  # (1, 2) twice
SHAPE = (4, 3, 2)


def _schedule_of(plan) -> list:
    return [k for k, _ in plan.executable._schedule]


def _schedule(sess) -> list:
    return _schedule_of(next(reversed(sess._plans.values())))


def _run(backend, variables, fetches, feed):
    """(the fetched values, the variables after the run, the llvm plan's schedule)."""
    with tf.Session(backend=backend) as sess, warnings.catch_warnings():
        warnings.filterwarnings("error", ".*Scatter", FallbackWarning)
        sess.run([v.initializer for v in variables])
        out = sess.run(fetches, feed)
        kinds = _schedule(sess) if backend == "llvm" else None
        after = sess.run([v.read_value() for v in variables])
    return out, after, kinds


def _values(dtype, shape, seed):
    """Non-zero values (integer divisors), negative ones for signed dtypes (truncation)."""
    r = np.random.RandomState(seed)
    v = r.randint(1, 9, shape).astype(dtype)
    if np.dtype(dtype).kind != "u":
        v = v * np.where(r.rand(*shape) < 0.3, -1, 1).astype(dtype)
    if np.dtype(dtype).kind == "f":
        v = v * np.asarray(1.25, dtype)
        v.flat[1] = np.nan  # through max and min: NaN wins, as numpy's
    return v


@pytest.mark.parametrize("dtype", DTYPES)
def test_every_variable_scatter_is_native_in_place_and_equals_numpy(dtype):
    with tf.Graph().as_default():
        start = _values(dtype, SHAPE, 0)
        variables, fetches = [], []
        ip, nip = tf.placeholder(tf.int32, ROWS.shape), tf.placeholder(tf.int64,
                                                                        ND_ROWS.shape)
        up = tf.placeholder(dtype, ROWS.shape + SHAPE[1:])
        nup = tf.placeholder(dtype, ND_ROWS.shape[:1] + SHAPE[2:])
        for scatter in ROW_SCATTERS:
            for updates in (up, np.asarray(3, dtype)):  # slices, and one scalar for all
                v = tf.Variable(start)
                variables.append(v)
                fetches.append(scatter(v, ip, updates))
        for scatter in ND_SCATTERS:
            v = tf.Variable(start)
            variables.append(v)
            fetches.append(scatter(v, nip, nup))
        feed = {ip: ROWS, nip: ND_ROWS, up: _values(dtype, ROWS.shape + SHAPE[1:], 1),
                nup: _values(dtype, ND_ROWS.shape[:1] + SHAPE[2:], 2)}
        want, want_after, _ = _run("numpy", variables, fetches, feed)
        got, got_after, kinds = _run("llvm", variables, fetches, feed)
    assert kinds == ["native"]
    for f, w, g, wa, ga in zip(fetches, want, got, want_after, got_after):
        np.testing.assert_array_equal(g, w, err_msg=f.op.type)
        np.testing.assert_array_equal(ga, wa, err_msg=f.op.type)
        np.testing.assert_array_equal(g, ga, err_msg=f.op.type)  # the result is the variable
    assert not np.array_equal(want_after[2], start)  # (scatter_add changed something)


def test_repeated_indices_all_apply_in_order():
    with tf.Graph().as_default():
        v = tf.Variable(np.ones((3, 2), np.float64))
        w = tf.Variable(np.ones((3, 2), np.float64))
        i = tf.placeholder(tf.int64, [4])
        added = tf.scatter_add(v, i, np.float64([[1, 2], [3, 4], [5, 6], [7, 8]]))
        updated = tf.scatter_update(w, i, np.float64([[1, 2], [3, 4], [5, 6], [7, 8]]))
        feed = {i: [2, 0, 2, 2]}
        (want_a, want_u), _, _ = _run("numpy", [v, w], [added, updated], feed)
        (got_a, got_u), _, kinds = _run("llvm", [v, w], [added, updated], feed)
    np.testing.assert_array_equal(got_a, [[4, 5], [1, 1], [14, 17]])
    np.testing.assert_array_equal(got_u, want_u)  # the numpy kernel's: the last one wins
    np.testing.assert_array_equal(got_u, [[3, 4], [1, 1], [7, 8]])
    np.testing.assert_array_equal(want_a, got_a)
    assert kinds == ["native"]


def test_integer_division_truncates_and_wraps_int_min_over_minus_one():
    with tf.Graph().as_default():
        v = tf.Variable(np.int32([-7, 7, np.iinfo(np.int32).min]))
        y = tf.scatter_div(v, [0, 1, 2], np.int32([2, -2, -1]))
        (want,), _, _ = _run("numpy", [v], [y], None)
        (got,), _, kinds = _run("llvm", [v], [y], None)
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(got, [-3, -3, np.iinfo(np.int32).min])
    assert kinds == ["native"]


@pytest.mark.parametrize("which,bad,message", [
    ("ScatterAdd", [1, 4, 0], r"indices\[1\] = 4 is not in \[0, 4\)"),
    ("ScatterUpdate", [0, 1, -1], r"indices\[2\] = -1 is not in \[0, 4\)"),
    ("ScatterNdSub", [[1], [0], [7]], r"indices\[2\] = \[7\] does not index into shape \[4,2\]"),
    ("ScatterDiv", [0, 1, 2], "Integer division by zero")])
def test_a_bad_index_or_divisor_fails_in_native_code_before_any_write(which, bad, message):
    start = np.arange(8, dtype=np.int32).reshape(4, 2) + 1
    with tf.Graph().as_default():
        v = tf.Variable(start)
        i = tf.placeholder(tf.int32, np.shape(bad))
        u = np.int32([[1, 2], [3, 4], [5, 0 if which == "ScatterDiv" else 6]])
        y = {"ScatterAdd": tf.scatter_add, "ScatterUpdate": tf.scatter_update,
             "ScatterNdSub": tf.scatter_nd_sub, "ScatterDiv": tf.scatter_div}[which](v, i, u)
        messages = []
        for backend in ("numpy", "llvm"):
            with tf.Session(backend=backend) as sess:
                sess.run(v.initializer)
                with pytest.raises(tf.errors.InvalidArgumentError, match=message) as info:
                    sess.run(y, {i: bad})
                if backend == "llvm":
                    assert _schedule(sess) == ["native"]  # the check ran in native code
                np.testing.assert_array_equal(sess.run(v), start)  # nothing was written
            messages.append(str(info.value))
    assert messages[0] == messages[1]
    assert which in messages[1] and "test_llvm_variable_scatter.py" in messages[1]


def test_a_read_before_the_scatter_keeps_the_old_value():
    with tf.Graph().as_default():
        v = tf.Variable(np.float32([1, 2, 3]))
        before = tf.identity(v.read_value())
        with tf.control_dependencies([before]):
            up = tf.scatter_sub(v, [2, 2], np.float32([1, 4]))
        with tf.control_dependencies([up]):
            after = v.read_value() * 1.0
        (b, u, a), _, kinds = _run("llvm", [v], [before, up, after], None)
    np.testing.assert_array_equal(b, [1, 2, 3])
    np.testing.assert_array_equal(u, [1, 2, -2])
    np.testing.assert_array_equal(a, [1, 2, -2])
    assert "fallback" not in kinds


def test_a_batch_of_indices_of_unknown_size_is_native_for_every_size():
    # one symbolic plan: the number of index rows is read at run time (0 rows: nothing)
    start = np.arange(12.0).reshape(4, 3)
    with tf.Graph().as_default():
        v, w = tf.Variable(start), tf.Variable(start)
        i, u = tf.placeholder(tf.int32, [None]), tf.placeholder(tf.float64, [None, 3])
        ni, nu = tf.placeholder(tf.int64, [None, 2]), tf.placeholder(tf.float64, [None])
        ops = [tf.scatter_add(v, i, u), tf.scatter_nd_update(w, ni, nu)]
        results = {}
        for backend in ("numpy", "llvm"):
            with tf.Session(backend=backend) as sess, warnings.catch_warnings():
                warnings.filterwarnings("error", ".*Scatter", FallbackWarning)
                sess.run([v.initializer, w.initializer])
                got = []
                for n in (3, 5, 0):
                    r = np.random.RandomState(n)
                    feed = {i: r.randint(0, 4, n), u: r.randn(n, 3),
                            ni: np.stack([r.randint(0, 4, n), r.randint(0, 3, n)], 1),
                            nu: r.randn(n)}
                    got.append(sess.run(ops, feed))
                with pytest.raises(tf.errors.InvalidArgumentError, match=r"= 4 is not in"):
                    sess.run(ops, {i: [0, 4], u: np.ones((2, 3)), ni: np.zeros((0, 2)),
                                   nu: np.zeros(0)})
                got.append(sess.run([v, w]))  # unchanged by the failed run
                if backend == "llvm":
                    assert all("fallback" not in _schedule_of(p) for p in sess._plans.values())
                    assert any(p.executable._symbols for p in sess._plans.values())
            results[backend] = got
    for want, got in zip(results["numpy"], results["llvm"]):
        for a, b in zip(want, got):
            np.testing.assert_array_equal(b, a)
