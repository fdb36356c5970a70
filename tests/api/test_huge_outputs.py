"""Outputs larger than the machine's memory are refused before anything is allocated, on
both backends, with TF1's InvalidArgumentError naming the op and the user's line (never a
bare MemoryError, never an attempt to allocate terabytes)."""
from __future__ import annotations

import numpy as np
import pytest

import graphc as tf
from graphc.ir import runtime

BACKENDS = ["numpy", "llvm"]
HUGE = 2 ** 40


def _sum_over_an_empty_axis():
    return tf.reduce_sum(tf.zeros([0, HUGE]), axis=0), {}, "Sum"


def _tile_of_a_feed():
    x = tf.placeholder(tf.float32, [3])
    return tf.tile(x, [HUGE]), {x: np.ones(3, np.float32)}, "Tile"


def _fill_of_a_fed_value():
    v = tf.placeholder(tf.float32, [])
    return tf.fill([2 ** 20, 2 ** 20], v), {v: 1.0}, "Fill"


def _broadcast_into_a_huge_sum():
    x = tf.placeholder(tf.float32, [None, 2 ** 20])
    return tf.reduce_sum(x, 0) + tf.zeros([2 ** 20, 2 ** 20]), \
        {x: np.ones((1, 2 ** 20), np.float32)}, "zeros"


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("build", [_sum_over_an_empty_axis, _tile_of_a_feed,
                                   _fill_of_a_fed_value, _broadcast_into_a_huge_sum])
def test_outputs_larger_than_memory_are_refused_naming_the_op(backend, build, monkeypatch):
    def refuse_huge(allocate):
        def guarded(shape, *args, **kwargs):
            if int(np.prod(shape, dtype=object)) > 2 ** 30:
                raise AssertionError(f"an allocation of shape {shape} was attempted")
            return allocate(shape, *args, **kwargs)
        return guarded

    with tf.Graph().as_default():
        y, feeds, name = build()
        with tf.Session(backend=backend) as sess:
            with monkeypatch.context() as m:  # nothing huge is even attempted
                for fn in ("empty", "zeros", "full"):
                    m.setattr(np, fn, refuse_huge(getattr(np, fn)))
                with pytest.raises(tf.errors.InvalidArgumentError) as info:
                    sess.run(y, feeds)
    message = str(info.value)
    assert f"'{name}'" in message and "bytes" in message, message
    assert "test_huge_outputs.py" in message, message  # the user's line


def test_llvm_refuses_a_run_whose_buffers_together_exceed_memory(monkeypatch):
    """Each output fits, the run does not: llvm plans its arena and results up front and
    checks them together (numpy allocates as it goes and reports the allocation that
    fails, as above)."""
    pytest.importorskip("llvmlite")
    from graphc.backends.llvm import buffers
    monkeypatch.setattr(runtime, "MEMORY_LIMIT", 6000)
    monkeypatch.setattr(buffers, "MEMORY_LIMIT", 6000)
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [1000])
        a = tf.exp(x)
        b = tf.tanh(a) * a
        with tf.Session(backend="llvm") as sess:
            np.testing.assert_allclose(sess.run(tf.sin(x), {x: np.zeros(1000, np.float32)}),
                                       np.zeros(1000))  # 4 kB of results: fits
            with pytest.raises(tf.errors.InvalidArgumentError, match="bytes"):
                sess.run([a, b, tf.sin(b)], {x: np.zeros(1000, np.float32)})  # 12 kB


def test_sizes_are_counted_without_overflow():
    assert runtime.nbytes_of((2 ** 40, 2 ** 40, 2 ** 40), tf.float64) == 8 * 2 ** 120


def _failing_above(allocate, limit):
    def guarded(shape, *args, **kwargs):
        if int(np.prod(shape, dtype=object)) > limit:
            raise MemoryError("no memory (a test's allocator)")
        return allocate(shape, *args, **kwargs)
    return guarded


@pytest.mark.parametrize("what", ["result", "workspace"])
def test_llvm_allocation_failing_at_run_time_names_the_op(what, monkeypatch):
    """A plan that fits in the machine's memory but not in what is free when it runs:
    TF1's InvalidArgumentError naming the op, not a bare MemoryError."""
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [4000])
        h = tf.matmul(tf.reshape(x, [40, 100]), tf.reshape(x, [100, 40]))  # intermediate
        y = tf.exp(tf.reshape(h, [1600]) * 2.0)  # (fused: named by its first op, mul)
        feed = {x: np.ones(4000, np.float32)}
        with tf.Session(backend="llvm") as sess:
            want = sess.run(y, feed)
        with tf.Session(backend="llvm") as sess:  # (a new plan: no workspace yet)
            fn = "empty" if what == "result" else "zeros"
            with monkeypatch.context() as m:
                m.setattr(np, fn, _failing_above(getattr(np, fn), 1000))
                with pytest.raises(tf.errors.InvalidArgumentError, match="free now") as info:
                    sess.run(y, feed)
            np.testing.assert_array_equal(sess.run(y, feed), want)  # and then it runs
    assert "test_huge_outputs.py" in str(info.value)
    assert ("'mul'" if what == "result" else "'MatMul'") in str(info.value)


def _fill_of_fed_dims():
    d = tf.placeholder(tf.int32, [2])
    return tf.fill(d, 1.0), {d: [2 ** 20, 2 ** 20]}, "Fill"


def _zeros_of_fed_dims():
    d = tf.placeholder(tf.int32, [2])
    return tf.zeros(d), {d: [2 ** 20, 2 ** 20]}, "zeros"


def _range_to_a_fed_limit():
    n = tf.placeholder(tf.int64, [])
    return tf.range(n), {n: 2 ** 45}, "range"


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("build", [_fill_of_fed_dims, _zeros_of_fed_dims, _range_to_a_fed_limit])
def test_outputs_sized_by_fed_values_beyond_memory_name_the_op(backend, build):
    """A size known only at run time cannot be checked while planning; the kernel's refusal
    still comes back as InvalidArgumentError naming the op and the user's line."""
    with tf.Graph().as_default():
        y, feeds, name = build()
        with tf.Session(backend=backend) as sess:
            with pytest.raises(tf.errors.InvalidArgumentError) as info:
                sess.run(y, feeds)
    message = str(info.value)
    assert f"'{name}'" in message, message
    assert "test_huge_outputs.py" in message, message
