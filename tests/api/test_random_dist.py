"""tf.random.categorical/multinomial, gamma, poisson, the stateless ops and get_seed:
TF1's shapes and seed rules, distributions checked on fixed seeds, both backends equal."""
from __future__ import annotations

import numpy as np
import pytest

import graphc as tf

from ..helpers import run_both


def test_categorical_draws_follow_the_probabilities_and_never_impossible_classes():
    tf.reset_default_graph()
    tf.set_random_seed(3)
    logits = tf.log([[0.1, 0.6, 0.3, 0.0]])
    draws = tf.random.categorical(logits, 4000)
    legacy = tf.multinomial(logits, 10, output_dtype=tf.int32)
    assert draws.shape.as_list() == [1, 4000] and draws.dtype == tf.int64
    assert legacy.dtype == tf.int32
    a, b = run_both(draws)
    np.testing.assert_array_equal(a, b)
    freq = np.bincount(a[0], minlength=4) / 4000
    np.testing.assert_allclose(freq, [0.1, 0.6, 0.3, 0.0], atol=0.03)
    assert freq[3] == 0


def test_categorical_draws_again_each_run_and_repeats_in_a_new_session():
    tf.reset_default_graph()
    draws = tf.random.categorical([[0.0] * 10], 20, seed=5)
    with tf.Session() as sess:
        first, second = sess.run(draws), sess.run(draws)
    with tf.Session() as sess:
        again = sess.run(draws)
    assert not np.array_equal(first, second)
    np.testing.assert_array_equal(first, again)


def test_gamma_and_poisson_shapes_and_means():
    tf.reset_default_graph()
    tf.set_random_seed(11)
    g = tf.random.gamma([5000], [2.0, 8.0], beta=[1.0, 4.0])
    p = tf.random_poisson([1.5, 40.0], [5000], dtype=tf.int32)
    assert g.shape.as_list() == [5000, 2] and p.shape.as_list() == [5000, 2]
    (ga, pa), (gb, pb) = run_both([g, p])
    np.testing.assert_array_equal(ga, gb)
    np.testing.assert_array_equal(pa, pb)
    np.testing.assert_allclose(ga.mean(0), [2.0, 2.0], rtol=0.05)
    np.testing.assert_allclose(pa.mean(0), [1.5, 40.0], rtol=0.05)
    assert pa.dtype == np.int32 and np.all(ga > 0)


def test_stateless_ops_depend_on_the_seed_alone():
    tf.reset_default_graph()
    seed = tf.placeholder(tf.int64, [2])
    u = tf.random.stateless_uniform([3, 2], seed)
    n = tf.random.stateless_normal([1000], seed, mean=1.0, stddev=2.0, dtype=tf.float64)
    t = tf.random.stateless_truncated_normal([1000], seed)
    i = tf.random.stateless_uniform([6], seed, minval=-3, maxval=3, dtype=tf.int64)
    c = tf.random.stateless_categorical([[0.0, 0.0]], 8, seed)
    with tf.Session() as sess:
        one = sess.run([u, n, t, i, c], {seed: [1, 2]})
        two = sess.run([u, n, t, i, c], {seed: [1, 2]})
        other = sess.run(u, {seed: [1, 3]})
    for a, b in zip(one, two):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(one[0], other)
    assert abs(one[1].mean() - 1.0) < 0.2 and abs(one[1].std() - 2.0) < 0.2
    assert np.all(np.abs(one[2]) < 2) and one[3].min() >= -3 and one[3].max() < 3
    a, b = run_both(u, {seed: [4, 4]})
    np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="shape"):
        tf.random.stateless_uniform([2], [1, 2, 3])


def test_get_seed_follows_tf1():
    tf.reset_default_graph()
    assert tf.random.get_seed(None) == (None, None)
    assert tf.get_seed(7)[1] == 7
    tf.set_random_seed(42)
    assert tf.random.get_seed(None)[0] == 42
    assert tf.random.get_seed(3) == (42, 3)
