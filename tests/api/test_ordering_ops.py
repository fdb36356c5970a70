"""top_k, in_top_k, searchsorted, histogram_fixed_width, cumprod, linspace, roll and
bitcast (issue 20): TF1's values, ties, errors and gradients, at TF1's paths."""
import numpy as np
import pytest

import graphc as tf

from ..helpers import central_difference


def _run(fetches, feeds=None):
    with tf.Session() as sess:
        return sess.run(fetches, feeds)


def test_top_k_is_sorted_with_ties_in_index_order_and_k_as_a_tensor():
    x = tf.placeholder(tf.float32, [None, 5])
    k = tf.placeholder(tf.int32, [])
    values, indices = tf.nn.top_k(x, k)
    assert tf.math.top_k is tf.nn.top_k and indices.dtype == tf.int32
    assert values.shape.as_list() == [None, None]
    assert tf.nn.top_k(x, 2)[0].shape.as_list() == [None, 2]
    v, i = _run([values, indices], {x: [[1, 3, 3, 0, 3], [5, -1, 2, 2, 9]], k: 3})
    np.testing.assert_array_equal(v, [[3, 3, 3], [9, 5, 2]])
    np.testing.assert_array_equal(i, [[1, 2, 4], [4, 0, 2]])
    with pytest.raises(tf.errors.InvalidArgumentError, match="at least 6 columns"):
        _run(values, {x: np.zeros((1, 5)), k: 6})
    with pytest.raises(ValueError, match="last dimension >= k = 7"):
        tf.nn.top_k(x, 7)


def test_top_k_gradient_lands_on_the_chosen_entries():
    x = tf.placeholder(tf.float64, [2, 4])
    v, _ = tf.nn.top_k(x, 2)
    w = np.array([[1.0, 2.0], [3.0, 4.0]])
    (g,) = tf.gradients(tf.reduce_sum(v * w), [x])
    got = _run(g, {x: [[0.1, 0.9, 0.5, 0.2], [4.0, 3.0, 2.0, 1.0]]})
    np.testing.assert_array_equal(got, [[0, 1, 2, 0], [3, 4, 0, 0]])


def test_in_top_k_counts_ties_in_and_refuses_non_finite_scores():
    p = tf.constant([[0.1, 0.5, 0.5, 0.2], [1, 2, 3, np.nan], [np.inf, 0, 0, 0]], tf.float32)
    got = _run(tf.nn.in_top_k(p, [2, 0, 0], 1))
    np.testing.assert_array_equal(got, [True, False, False])
    assert tf.math.in_top_k is tf.nn.in_top_k


def test_searchsorted_sides_rows_and_errors():
    seq = tf.constant([[0, 1, 1, 3], [-2, 0, 0, 9]])
    vals = tf.constant([[1, 4, -1], [0, 9, 5]])
    left, right = _run([tf.searchsorted(seq, vals), tf.searchsorted(seq, vals, side="right")])
    np.testing.assert_array_equal(left, [[1, 4, 0], [1, 3, 3]])
    np.testing.assert_array_equal(right, [[3, 4, 0], [3, 4, 3]])
    with pytest.raises(ValueError, match="side must be either 'right' or 'left'"):
        tf.searchsorted(seq, vals, side="middle")


def test_histogram_fixed_width_clamps_into_the_edge_bins():
    got = _run(tf.histogram_fixed_width([-1.0, 0.0, 1.5, 2.0, 5.0, 1e9], [0.0, 5.0], nbins=5))
    np.testing.assert_array_equal(got, [2, 1, 1, 0, 2])
    assert got.dtype == np.int32
    with pytest.raises(tf.errors.InvalidArgumentError, match="value_range"):
        _run(tf.histogram_fixed_width([1.0], [2.0, 1.0]))


def test_cumprod_exclusive_reverse_and_gradient():
    x = tf.placeholder(tf.float64, [4])
    y = tf.cumprod(x, exclusive=True, reverse=True)
    xv = np.array([1.5, -0.5, 2.0, 0.8])
    np.testing.assert_allclose(_run(y, {x: xv}), [-0.8, 1.6, 0.8, 1.0])
    w = np.array([0.3, 1.0, -2.0, 0.7])
    (g,) = tf.gradients(tf.reduce_sum(y * w), [x])
    with tf.Session() as sess:
        numeric = central_difference(lambda v: float(np.sum(sess.run(y, {x: v}) * w)), xv)
        np.testing.assert_allclose(sess.run(g, {x: xv}), numeric, rtol=1e-6)
    assert tf.math.cumprod is tf.cumprod


def test_linspace_is_tf1s_kernel():
    got = _run(tf.linspace(1.0, 2.0, 5))
    assert got.dtype == np.float32
    step = np.float32(1.0) / np.float32(4)
    np.testing.assert_array_equal(got, np.float32(1.0) + step * np.arange(5, dtype=np.float32))
    assert tf.lin_space is tf.linspace
    with pytest.raises(ValueError, match="num > 0"):
        tf.linspace(0.0, 1.0, 0)
    with pytest.raises(ValueError, match="start must be a scalar"):
        tf.linspace([0.0, 1.0], [1.0, 2.0], 3)


def test_roll_and_its_gradient():
    x = tf.placeholder(tf.float64, [2, 3])
    y = tf.roll(x, shift=[1, 2], axis=[1, 1])
    xv = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(_run(y, {x: xv}), np.roll(xv, 3, axis=1))
    (g,) = tf.gradients(tf.reduce_sum(tf.manip.roll(x, 1, 0) * xv), [x])
    np.testing.assert_array_equal(_run(g, {x: xv}), np.roll(xv, -1, axis=0))


def test_bitcast_shapes_follow_tf1():
    f = tf.constant([1.0, -2.0], tf.float32)
    b = tf.bitcast(f, tf.uint8)
    assert b.shape.as_list() == [2, 4]
    back = tf.bitcast(b, tf.float32)
    assert back.shape.as_list() == [2]
    bv, fv = _run([b, back])
    np.testing.assert_array_equal(bv, np.float32([1.0, -2.0]).view(np.uint8).reshape(2, 4))
    np.testing.assert_array_equal(fv, [1.0, -2.0])
    with pytest.raises(ValueError, match="must be 4"):
        tf.bitcast(tf.constant([1, 2, 3], tf.uint8), tf.float32)
