"""tf.nn.fractional_max_pool / fractional_avg_pool against TensorFlow
(tests/fixtures/tf/fractional_pool.npz, made by
tests/fixtures/tf/make_fractional_pool_fixtures.py).

graphc draws its regions from its own Philox stream, so the comparison has two halves:
pooling and gradients over TF's own regions match TF's values (the gradient ops fed TF's
sequences), and graphc's regions obey the rules TF's obey (random: sizes k and k+1 in
TF's proportion; pseudo-random: ceil(alpha * (i + u)) - 1 for one u in TF's range)."""
from __future__ import annotations

import os

import numpy as np
import pytest

import graphc as tf
from graphc.ir.ops._base import apply
from graphc.ir.ops.fractional_pool_ops import pool_regions

from .tf_case_runner import load_fixture

FIXTURE = os.path.join(os.path.dirname(__file__), "..", "fixtures", "tf",
                       "fractional_pool.npz")
X = np.random.RandomState(11).randn(2, 10, 9, 3)
SEEDS = 6
CASES = {  # name: (kind, pooling_ratio, pseudo_random, overlapping)
    "max": ("max", [1.0, 1.44, 1.73, 1.0], False, False),
    "max_pseudo_overlap": ("max", [1.0, 1.44, 1.73, 1.0], True, True),
    "avg": ("avg", [1.0, 2.0, 1.5, 1.0], False, True),
    "avg_pseudo": ("avg", [1.0, 1.9, 1.2, 1.0], True, False),
}


def weights(shape):
    return np.random.RandomState(5).uniform(0.5, 1.5, [int(d) for d in shape])


@pytest.fixture(scope="module")
def expected():
    return load_fixture(FIXTURE, "tests/fixtures/tf/make_fractional_pool_fixtures.py")


def _check_sequence(seq, n_in, ratio, pseudo):
    """TF's rules for one pooling sequence."""
    n_out = int(np.floor(n_in / ratio))
    assert seq[0] == 0 and seq[-1] == n_in and len(seq) == n_out + 1, seq
    k, extra = divmod(n_in, n_out)
    if not pseudo:
        diff = np.diff(seq)
        assert sorted(diff) == sorted([k] * (n_out - extra) + [k + 1] * extra), seq
        return
    alpha = n_in / n_out
    max_u = min((k + 2) / alpha - 1, (n_in + 1 - k) / alpha - (n_out - 1))
    us = np.linspace(0, max_u, 20001)[:-1]
    fits = np.all([np.ceil(alpha * (i + us)) - 1 == seq[i] for i in range(1, n_out)], axis=0)
    assert fits.any(), f"{seq} is no pseudo-random sequence of {n_in} -> {n_out}"


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("backend", ["numpy", "llvm"])
def test_pooling_and_gradients_over_tensorflows_regions(expected, case, backend):
    kind, ratio, pseudo, overlapping = CASES[case]
    with tf.Graph().as_default():
        x = tf.constant(X)
        rows, cols = tf.placeholder(tf.int64, [None]), tf.placeholder(tf.int64, [None])
        dy = tf.placeholder(tf.float64, [2, None, None, 3])
        if kind == "max":
            y = tf.placeholder(tf.float64, [2, None, None, 3])
            grad = apply("FractionalMaxPoolGrad", (x, y, dy, rows, cols),
                         {"overlapping": overlapping})
        else:
            grad = apply("FractionalAvgPoolGrad", (tf.shape(x, out_type=tf.int64), dy, rows,
                                                   cols), {"overlapping": overlapping})
        with tf.Session(backend=backend) as sess:
            for seed in range(1, SEEDS + 1):
                want = {n: expected[f"{case}_{seed}_{n}"] for n in ("out", "rows", "cols",
                                                                    "grad")}
                pooled = pool_regions(X, want["rows"], want["cols"], overlapping, kind)
                np.testing.assert_allclose(pooled, want["out"], rtol=1e-14)
                feed = {rows: want["rows"], cols: want["cols"], dy: weights(pooled.shape)}
                if kind == "max":
                    feed[y] = pooled
                np.testing.assert_allclose(sess.run(grad, feed), want["grad"], rtol=1e-14,
                                           atol=1e-15)


@pytest.mark.parametrize("case", sorted(CASES))
def test_regions_follow_tensorflows_rules(expected, case):
    kind, ratio, pseudo, overlapping = CASES[case]
    fn = tf.nn.fractional_max_pool if kind == "max" else tf.nn.fractional_avg_pool
    with tf.Graph().as_default():
        outs = [fn(X, ratio, pseudo, overlapping, True, seed, 4) for seed in range(1, 16)]
        with tf.Session() as sess:
            values = sess.run(outs)
    for seed in range(1, SEEDS + 1):   # TF's own sequences obey the rules checked
        _check_sequence(expected[f"{case}_{seed}_rows"], 10, ratio[1], pseudo)
        _check_sequence(expected[f"{case}_{seed}_cols"], 9, ratio[2], pseudo)
    for y, r, c in values:
        _check_sequence(r, 10, ratio[1], pseudo)
        _check_sequence(c, 9, ratio[2], pseudo)
        np.testing.assert_allclose(y, pool_regions(X, r, c, overlapping, kind), rtol=1e-14)
    assert len({tuple(r) + tuple(c) for _, r, c in values}) > 1


def test_deterministic_keeps_its_regions_and_the_default_draws_new_ones():
    x = tf.constant(X)
    fixed = tf.nn.fractional_max_pool(x, [1.0, 1.44, 1.73, 1.0], deterministic=True)[1]
    fresh = tf.nn.fractional_avg_pool(x, [1.0, 1.44, 1.73, 1.0])[1]
    with tf.Session() as sess:
        runs = [sess.run([fixed, fresh]) for _ in range(12)]
    assert len({tuple(f) for f, _ in runs}) == 1
    assert len({tuple(g) for _, g in runs}) > 1


def test_fractional_pool_checks_its_arguments():
    x = tf.constant(X)
    with pytest.raises(ValueError, match="Both seed and seed2 should be 0"):
        tf.nn.fractional_max_pool(x, [1.0, 1.5, 1.5, 1.0], seed=3)
    with pytest.raises(ValueError, match="pooling over the batch and channels"):
        tf.nn.fractional_avg_pool(x, [1.0, 1.5, 1.5, 2.0])
    with pytest.raises(ValueError, match="leaves no output"):
        tf.nn.fractional_avg_pool(x, [1.0, 11.0, 1.5, 1.0])


@pytest.mark.parametrize("kind", ["max", "avg"])
def test_the_gradient_is_the_derivative_over_fixed_regions(kind):
    """deterministic=True fixes the regions, so central differences apply."""
    fn = tf.nn.fractional_max_pool if kind == "max" else tf.nn.fractional_avg_pool
    x0 = np.random.RandomState(2).randn(1, 6, 5, 2)
    x = tf.placeholder(tf.float64, x0.shape)
    y = fn(x, [1.0, 1.5, 1.3, 1.0], overlapping=True, deterministic=True, seed=1,
           seed2=2)[0]
    w = weights([1, 4, 3, 2])
    loss = tf.reduce_sum(y * w)
    (g,) = tf.gradients(loss, [x])
    with tf.Session() as sess:
        got = sess.run(g, {x: x0})
        numeric = np.zeros_like(x0)
        for i in np.ndindex(x0.shape):
            d = np.zeros_like(x0)
            d[i] = 1e-6
            numeric[i] = (sess.run(loss, {x: x0 + d}) - sess.run(loss, {x: x0 - d})) / 2e-6
    np.testing.assert_allclose(got, numeric, rtol=1e-6, atol=1e-8)
