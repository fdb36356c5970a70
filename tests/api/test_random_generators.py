"""tf.random's stateless gamma, Poisson, binomial and parameterized truncated normal,
fold_in, split, create_rng_state, Algorithm and Generator (ir/ops/random_stateless_ops.py,
graphc/random_generator.py): deterministic for a seed, equal on both backends (the
contract tests compare them), and their distributions checked by moments and the
Kolmogorov-Smirnov statistic on fixed seeds (derandomized: the bounds are the 0.1% levels,
so a correct sampler fails with no seed used here, and a wrong one is far outside)."""
from __future__ import annotations

import math

import numpy as np
import pytest

import graphc as tf
from graphc.ir.ops.special_inverse_ops import _gamma_kernel

N = 4000
KS_BOUND = 1.95 / math.sqrt(N)         # the KS statistic's 0.1% level


def _run(fetches):
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return sess.run(fetches)


def _ks(sample, cdf) -> float:
    x = np.sort(np.asarray(sample, np.float64))
    f = cdf(x)
    i = np.arange(1, x.size + 1)
    return float(max(np.max(i / x.size - f), np.max(f - (i - 1) / x.size)))


def _norm_cdf(x):
    return 0.5 * np.vectorize(math.erfc)(-np.asarray(x) / math.sqrt(2))


def test_stateless_gamma_distribution_and_determinism():
    with tf.Graph().as_default():
        a = tf.random.stateless_gamma([N], [1, 2], alpha=2.5, beta=2.0, dtype=tf.float64)
        b = tf.random.stateless_gamma([N], [1, 2], alpha=2.5, beta=2.0, dtype=tf.float64)
        c = tf.random.stateless_gamma([N], [1, 3], alpha=2.5, beta=2.0, dtype=tf.float64)
        grid = tf.random.stateless_gamma([3, 2], [4, 5], alpha=[1.0, 30.0])
        x, y, z, g = _run([a, b, c, grid])
    np.testing.assert_array_equal(x, y)
    assert not np.array_equal(x, z)
    assert g.shape == (3, 2) and g.dtype == np.float32
    assert _ks(x * 2.0, lambda v: _gamma_kernel(False, False)(np.full_like(v, 2.5), v)) < \
        KS_BOUND
    assert abs(x.mean() - 1.25) < 4 * math.sqrt(2.5 / 4 / N)


def test_stateless_poisson_and_binomial_moments():
    with tf.Graph().as_default():
        p = tf.random.stateless_poisson([N], [7, 8], lam=3.5)
        pf = tf.random.stateless_poisson([2, 2], [7, 8], lam=[[1.0], [100.0]],
                                         dtype=tf.float32)
        b = tf.random.stateless_binomial([N], [9, 10], counts=20.0, probs=0.3)
        b64 = tf.random.stateless_binomial([3], [9, 10], counts=[0.0, 5.0, 7.0],
                                           probs=[0.5, 1.0, 0.0], output_dtype=tf.int64)
        p1, p2, pfv, bv, b64v = _run([p, p, pf, b, b64])
    np.testing.assert_array_equal(p1, p2)
    assert p1.dtype == np.int32 and pfv.dtype == np.float32 and b64v.dtype == np.int64
    for sample, mean, var in ((p1, 3.5, 3.5), (bv, 6.0, 4.2)):
        assert abs(sample.mean() - mean) < 4 * math.sqrt(var / N)
        assert abs(sample.var() - var) < 0.15 * var
    np.testing.assert_array_equal(b64v, [0, 5, 0])     # counts 0, probs 1, probs 0
    assert (bv >= 0).all() and (bv <= 20).all()


@pytest.mark.parametrize("lo,hi", [(-2.0, 2.0), (3.0, 4.0), (-np.inf, -5.0), (0.5, np.inf)])
def test_stateless_parameterized_truncated_normal_ks(lo, hi):
    with tf.Graph().as_default():
        x = tf.random.stateless_parameterized_truncated_normal(
            [N], [5, 6], means=tf.constant(1.0, tf.float64), stddevs=np.float64(2.0),
            minvals=np.float64(lo), maxvals=np.float64(hi))
        v = _run(x)
    assert v.dtype == np.float64 and (v >= lo).all() and (v <= hi).all()
    a, b = _norm_cdf((lo - 1.0) / 2.0), _norm_cdf((hi - 1.0) / 2.0)
    assert _ks(v, lambda t: (_norm_cdf((t - 1.0) / 2.0) - a) / (b - a)) < KS_BOUND


def test_truncated_normal_refuses_empty_intervals():
    with tf.Graph().as_default():
        x = tf.random.stateless_parameterized_truncated_normal([2], [1, 2], 0.0, 1.0, 3.0, 2.0)
        with pytest.raises(tf.errors.InvalidArgumentError, match="Invalid parameters"):
            _run(x)


def test_fold_in_split_and_rng_state():
    with tf.Graph().as_default():
        f1, f2, f3 = (tf.random.fold_in([1, 2], 7), tf.random.fold_in([1, 2], 7),
                      tf.random.fold_in([1, 2], 8))
        s = tf.random.split([1, 2], 3)
        u = tf.random.stateless_uniform([4], seed=tf.random.split([1, 2], 3)[1])
        a, b, c, sv, uv = _run([f1, f2, f3, s, u])
    np.testing.assert_array_equal(a, b)
    assert a[1] == 7 and c[1] == 8 and a[0] == c[0]     # [a full-range int of seed, data]
    assert sv.shape == (3, 2) and len({tuple(r) for r in sv}) == 3
    assert uv.shape == (4,)
    np.testing.assert_array_equal(tf.random.create_rng_state(5, "philox"), [5, 0, 0])
    np.testing.assert_array_equal(tf.random.create_rng_state(2 ** 70 + 3, 1), [3, 64, 0])
    np.testing.assert_array_equal(tf.random.create_rng_state([7, 8], "auto_select"),
                                  [7, 8, 0])
    assert [a.value for a in tf.random.Algorithm] == [1, 2, 3]
    with pytest.raises(ValueError, match="THREEFRY"):
        tf.random.create_rng_state(1, tf.random.Algorithm.THREEFRY)


def test_generator_in_graph_mode():
    with tf.Graph().as_default():
        g = tf.random.Generator.from_seed(3)
        same = tf.random.Generator.from_seed(3)
        x, u = g.normal([N], dtype=tf.float64), g.uniform([5], maxval=10, dtype=tf.int32)
        t = g.truncated_normal([200])
        full, b = g.uniform_full_int([3]), g.binomial([4], counts=10.0, probs=0.5)
        seeds = g.make_seeds(2)
        kids = g.split(2)
        k = [kid.normal([3]) for kid in kids]
        y = same.normal([N], dtype=tf.float64)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            assert list(sess.run(g.state)) == [3, 0, 0] and g.algorithm == 1
            first = sess.run([x, u, t, full, b, seeds, k[0], k[1], y])
            assert list(sess.run(g.state)) == [9, 0, 0]    # six counter steps
            again = sess.run(x)
        with tf.Session() as sess:          # a new session starts from the seed again
            sess.run(tf.global_variables_initializer())
            replay = sess.run([x, u, t, full, b, seeds, k[0], k[1], y])
    for p, q in zip(first, replay):
        np.testing.assert_array_equal(p, q)
    np.testing.assert_array_equal(first[0], first[-1])   # one seed, one sequence
    assert not np.array_equal(first[0], again)           # every run draws anew
    assert abs(first[0].mean()) < 4 / math.sqrt(N) and abs(first[0].std() - 1) < 0.05
    assert _ks(first[0], _norm_cdf) < KS_BOUND
    assert np.abs(first[2]).max() <= 2.0 and first[3].dtype == np.int64
    assert first[5].shape == (2, 2) and not np.array_equal(first[6], first[7])
    with tf.Graph().as_default():
        gen = tf.random.get_global_generator()
        assert gen is tf.random.get_global_generator()
        mine = tf.random.Generator.from_seed(1)
        tf.random.set_global_generator(mine)
        assert tf.random.get_global_generator() is mine
        with pytest.raises(TypeError, match="Generator"):
            tf.random.set_global_generator(3)
        with pytest.raises(ValueError, match="copy_from or state"):
            tf.random.Generator()
