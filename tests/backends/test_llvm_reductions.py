"""Reductions split across the thread pool (backends/llvm/loops.py, ReduceLayout): by
kept rows, by bands of kept columns, or in blocks whose partials combine in block order.
Each equals numpy's at several shapes, symbolic batch dims included, on 1 and 2 threads,
bit for bit the same on both; a large one is actually split (the pool's `stats()`)."""
from __future__ import annotations

import numpy as np
import pytest

import graphc as tf
from graphc.backends.llvm import available
from graphc.ir.numerics import assert_close

pytestmark = pytest.mark.skipif(not available() or tf.Session().backend != "llvm",
                                reason="the thread pool belongs to the llvm backend")

REDUCE = {"sum": (tf.reduce_sum, np.sum), "mean": (tf.reduce_mean, np.mean),
          "max": (tf.reduce_max, np.max), "min": (tf.reduce_min, np.min),
          "prod": (tf.reduce_prod, np.prod)}

# (kind, shape, axis, split): the layout's split the shape reaches (loops.ReduceLayout)
CASES = [
    ("sum", (2048, 300), 1, "rows"),       # a row sum (softmax's, a loss per example)
    ("max", (2048, 300), 1, "rows"),
    ("mean", (512, 40, 30), 2, "rows"),
    ("sum", (64, 4104), 0, "bands"),       # a wide bias gradient (a last band of 8)
    ("min", (4, 10, 4096), (0, 1), "bands"),
    ("mean", (4, 10, 4096), (0, 1), "bands"),
    ("sum", (1024, 200), 0, "blocks"),     # a bias gradient
    ("min", (300, 30, 96), (0, 1), "blocks"),
    ("mean", (300, 30, 96), (0, 1), "blocks"),
    ("mean", (300_000,), None, "blocks"),  # a loss's mean
    ("sum", (20000, 10), 0, "blocks"),     # a bias of 10 logits
    ("max", (4000, 60), None, "blocks"),
    ("sum", (400, 30, 7), (0, 2), "blocks"),
    ("sum", (40, 3000, 7), (0, 2), ""),      # (too many outputs for partials)
    ("sum", (300, 1000), 0, ""),             # (and a kept dim too narrow for bands)
    ("prod", (1 << 16,), None, "blocks"),
    ("sum", (100, 50), 1, "rows"),         # small: one call, split or not
    ("sum", (100, 50), None, ""),
]


def _values(kind, shape, rng):
    if kind == "prod":  # (a product of 64K factors near 1 stays finite)
        return (1 + rng.randn(*shape) * 1e-3).astype(np.float32)
    return (rng.rand(*shape) + 0.5).astype(np.float32)


def _expected(kind, value, axis):
    return REDUCE[kind][1](value.astype(np.float64), axis=axis).astype(np.float32)


@pytest.fixture
def pool():
    from graphc.backends.llvm.target import host
    p = host().pool
    p.forget()
    adaptive, p.adaptive = p.adaptive, False  # (a loaded machine's back-off: not here)
    yield p
    p.adaptive = adaptive
    p.hold(False)
    p.forget()


def _split_of(shape, axis):
    from graphc.backends.llvm import loops
    axes = range(len(shape)) if axis is None else np.atleast_1d(axis) % len(shape)
    return loops.reduce_layout(shape, sorted(axes)).split


@pytest.mark.parametrize("kind,shape,axis,split", CASES)
def test_a_reduction_equals_numpy_on_one_and_two_threads(pool, kind, shape, axis, split):
    assert _split_of(shape, axis) == split
    rng = np.random.RandomState(len(shape) + shape[0])
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, shape)
        y = REDUCE[kind][0](x, axis=axis)
        fused = REDUCE[kind][0](x * 2.0 - 0.5, axis=axis)  # (a fused body's reduction)
    value = _values(kind, shape, rng)
    want = [_expected(kind, value, axis), _expected(kind, value * 2 - 0.5, axis)]
    sess = tf.Session(graph=g, backend="llvm")
    runs = []
    for threads in (1, 2, 1, 2):
        with pool.threads_for_now(threads):
            runs.append(sess.run([y, fused], {x: value}))
    for a, w in zip(runs[0], want):
        assert_close(a, w, "reduce", f"{kind} {shape} axis {axis}")
    for run in runs[1:]:
        for a, b in zip(runs[0], run):
            assert np.array_equal(a, b), "a result depends on the thread count"


def test_nan_and_the_mean_of_nothing_as_numpy(pool):
    """Max/Min return NaN where a NaN was reduced, however the rows, bands or blocks fall;
    a Mean over an empty axis is NaN."""
    rng = np.random.RandomState(5)
    value = rng.randn(80, 4096).astype(np.float32)  # (rows, bands and blocks)
    value[50, 3] = value[7, 4000] = np.nan
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, value.shape)
        e = tf.placeholder(tf.float32, [0, 4096])
        outs = [f(x, axis=a) for f in (tf.reduce_max, tf.reduce_min) for a in (0, 1, None)]
        outs.append(tf.reduce_mean(e, axis=0))
    got = tf.Session(graph=g, backend="llvm").run(outs, {x: value, e: np.zeros((0, 4096),
                                                                            np.float32)})
    want = [f(value, axis=a) for f in (np.max, np.min) for a in (0, 1, None)]
    for a, w in zip(got, want):
        np.testing.assert_array_equal(a, w)  # (NaN where numpy's is)
    assert np.isnan(got[-1]).all() and got[-1].shape == (4096,)


BATCHES = (4000, 1, 17, 3000, 64)


def test_symbolic_batch_dims_split_and_equal_numpy_at_every_size(pool):
    """One plan for every batch size: row sums, the bias gradient's column sums, a full
    mean (its blocks cut at run time by the fed batch) and L2Loss, on 1 and 2 threads."""
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 96])
        w = tf.placeholder(tf.float32, [None, 10])
        v = tf.placeholder(tf.float32, [None, 4100])
        outs = [tf.reduce_sum(x, axis=1), tf.reduce_max(x * 3.0, axis=1),
                tf.reduce_sum(x, axis=0), tf.reduce_mean(x * x, axis=0), tf.reduce_mean(x),
                tf.reduce_min(x), tf.reduce_sum(w, axis=0), tf.nn.l2_loss(w), tf.nn.l2_loss(x),
                tf.reduce_sum(v, axis=0), tf.reduce_max(v, axis=0)]
    from graphc.backends.llvm import cache
    sess = tf.Session(graph=g, backend="llvm")
    rng = np.random.RandomState(9)
    for i, n in enumerate(BATCHES):
        if i == 2:  # (after a batch of 1, which a plan may take apart: ir/symbolic.py)
            modules = cache.stats["modules"]
        xv = (rng.rand(n, 96) + 0.5).astype(np.float32)
        wv = rng.randn(n, 10).astype(np.float32)
        vv = (rng.rand(n // 8 + 1, 4100) + 0.5).astype(np.float32)  # (bands)
        x64, w64, v64 = (a.astype(np.float64) for a in (xv, wv, vv))
        want = [x64.sum(1), (x64 * 3).max(1), x64.sum(0), (x64 * x64).mean(0), x64.mean(),
                x64.min(), w64.sum(0), (w64 * w64).sum() / 2, (x64 * x64).sum() / 2,
                v64.sum(0), v64.max(0)]
        runs = []
        for threads in (1, 2):
            with pool.threads_for_now(threads):
                runs.append(sess.run(outs, {x: xv, w: wv, v: vv}))
        for got in runs:
            for i, (a, e) in enumerate(zip(got, want)):
                assert_close(a, np.float32(e) if np.ndim(e) == 0 else e.astype(np.float32),
                             "reduce", f"output {i} at batch {n}")
        for a, b in zip(*runs):
            assert np.array_equal(a, b), f"batch {n}: a result depends on the thread count"
    assert cache.stats["modules"] == modules  # (one module for every batch size)


@pytest.mark.parametrize("shape,axis", [((4096, 1000), 1), ((256, 4096), 0),
                                        ((1 << 22,), None)])
def test_a_large_reduction_splits_across_the_pool(pool, shape, axis):
    if pool.threads < 2:
        pytest.skip("the pool has one thread: nothing to split")
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, shape)
        y = tf.reduce_sum(x, axis=axis) if axis is not None else tf.reduce_mean(x)
    value = np.random.RandomState(2).rand(*shape).astype(np.float32)
    run = tf.Session(graph=g, backend="llvm").make_callable(y, [x])
    first = run(value)
    before = pool.stats()
    again = run(value)
    after = pool.stats()
    assert after["splits"] == before["splits"] + 1, (before, after)
    assert after["split_chunks"] - before["split_chunks"] >= 2
    assert np.array_equal(first, again)
    pool.hold(True)  # every chunk on the caller, in order: the same bits
    held = run(value)
    pool.hold(False)
    assert np.array_equal(first, held)
    assert_close(first, _expected("sum" if axis is not None else "mean", value, axis),
                 "reduce")
