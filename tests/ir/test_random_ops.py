"""Random ops: TF1 seed rules, per-run draws, distributions."""
import numpy as np
import pytest

import graphc as tf
from graphc.ir.ops.random_ops import DEFAULT_GRAPH_SEED


def test_same_seeds_same_numbers_across_sessions_new_numbers_per_run():
    tf.set_random_seed(42)
    x = tf.random_normal([3, 4])
    with tf.Session() as s1:
        a1, a2 = s1.run(x), s1.run(x)
    with tf.Session() as s2:
        b1 = s2.run(x)
    np.testing.assert_array_equal(a1, b1)
    assert not np.array_equal(a1, a2)


def test_graph_and_op_seed_rules():
    g = tf.Graph()
    with g.as_default():
        u = tf.random_uniform([2], seed=7)
        rnd = u.op.inputs[0].op.inputs[0].op
        assert (rnd.get_attr("seed"), rnd.get_attr("seed2")) == (DEFAULT_GRAPH_SEED, 7)
        tf.set_random_seed(5)
        v = tf.random_uniform([2])
        op = v.op.inputs[0].op.inputs[0].op
        assert op.get_attr("seed") == 5 and op.get_attr("seed2") > 0
    g2 = tf.Graph()
    with g2.as_default():
        tf.set_random_seed(5)
        tf.random_uniform([2])
        w = tf.random_uniform([2])
    with g.as_default(), tf.Session(graph=g) as s:
        first = s.run(v)
    with g2.as_default(), tf.Session(graph=g2) as s:
        second = s.run(w)
    assert first.shape == second.shape == (2,)


def test_unseeded_ops_differ_between_graphs():
    vals = []
    for _ in range(2):
        g = tf.Graph()
        with g.as_default():
            t = tf.random_uniform([8])
            with tf.Session() as s:
                vals.append(s.run(t))
    assert not np.array_equal(*vals)


def test_distributions():
    tf.set_random_seed(1)
    n = tf.random_normal([100000], mean=2.0, stddev=3.0)
    u = tf.random_uniform([100000], -1.0, 3.0)
    t = tf.truncated_normal([100000], stddev=2.0)
    i = tf.random_uniform([100000], 3, 9, dtype=tf.int64)
    with tf.Session() as s:
        nv, uv, tv, iv = s.run([n, u, t, i])
    assert abs(nv.mean() - 2.0) < 0.05 and abs(nv.std() - 3.0) < 0.05
    assert uv.min() >= -1.0 and uv.max() < 3.0 and abs(uv.mean() - 1.0) < 0.02
    assert np.abs(tv).max() < 4.0 and abs(tv.std() - 2 * 0.8796) < 0.03
    assert iv.dtype == np.int64 and iv.min() == 3 and iv.max() == 8
    assert nv.dtype == np.float32


def test_dynamic_shape_and_errors():
    x = tf.placeholder(tf.float32, [None, 2])
    r = tf.random_normal(tf.shape(x))
    assert r.get_shape().as_list() == [None, 2]
    with tf.Session() as s:
        assert s.run(r, {x: np.zeros((5, 2))}).shape == (5, 2)
    with pytest.raises(ValueError, match="maxval"):
        tf.random_uniform([2], dtype=tf.int32)
