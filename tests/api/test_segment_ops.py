"""Segment reductions, unique and bincount (issue 20): TF1's values for empty segments,
negative and unsorted ids, the order of unique values, the errors, and TF1's gradients
(max/min share among ties, prod at zeros)."""
import numpy as np
import pytest

import graphc as tf

D = np.array([[1., 2], [3, -4], [5, 6], [0, 8], [5, 1]])


def _run(fetches, feeds=None):
    with tf.Session() as sess:
        return sess.run(fetches, feeds)


def test_sorted_segments_fill_empty_rows_with_zero_or_one():
    d = tf.constant(D)
    ids = [0, 0, 2, 2, 2]
    s, m, mx, mn, p = _run([tf.segment_sum(d, ids), tf.segment_mean(d, ids),
                            tf.segment_max(d, ids), tf.math.segment_min(d, ids),
                            tf.segment_prod(d, ids)])
    np.testing.assert_allclose(s, [[4, -2], [0, 0], [10, 15]])
    np.testing.assert_allclose(m, [[2, -1], [0, 0], [10 / 3, 5]])
    np.testing.assert_allclose(mx, [[3, 2], [0, 0], [5, 8]])
    np.testing.assert_allclose(mn, [[1, -4], [0, 0], [0, 1]])
    np.testing.assert_allclose(p, [[3, -8], [1, 1], [0, 48]])
    assert tf.segment_sum(d, ids).shape.as_list() == [3, 2]  # constant ids: rows known


def test_unsorted_segments_drop_negative_ids_and_fill_with_the_dtype_limits():
    d = tf.constant(D)
    ids = tf.placeholder(tf.int32, [None])
    fetches = [tf.unsorted_segment_sum(d, ids, 4), tf.unsorted_segment_max(d, ids, 4),
               tf.unsorted_segment_min(d, ids, 4), tf.unsorted_segment_prod(d, ids, 4),
               tf.math.unsorted_segment_mean(d, ids, 4), tf.unsorted_segment_sqrt_n(d, ids, 4)]
    s, mx, mn, p, mean, sqn = _run(fetches, {ids: [1, -1, 0, 1, 3]})
    lo, hi = np.finfo(np.float64).min, np.finfo(np.float64).max
    np.testing.assert_allclose(s, [[5, 6], [1, 10], [0, 0], [5, 1]])
    np.testing.assert_array_equal(mx, [[5, 6], [1, 8], [lo, lo], [5, 1]])
    np.testing.assert_array_equal(mn, [[5, 6], [0, 2], [hi, hi], [5, 1]])
    np.testing.assert_allclose(p, [[5, 6], [0, 16], [1, 1], [5, 1]])
    np.testing.assert_allclose(mean, [[5, 6], [0.5, 5], [0, 0], [5, 1]])
    np.testing.assert_allclose(sqn, [[5, 6], [1 / np.sqrt(2), 10 / np.sqrt(2)], [0, 0], [5, 1]])
    assert all(t.shape.as_list() == [4, 2] for t in fetches)


def test_bad_ids_are_errors_naming_the_op():
    d = tf.constant(D)
    ids = tf.placeholder(tf.int32, [None])
    with pytest.raises(tf.errors.InvalidArgumentError, match="not increasing"):
        _run(tf.segment_sum(d, ids), {ids: [0, 2, 1, 3, 3]})
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"out of range \[0, 4\)"):
        _run(tf.unsorted_segment_max(d, ids, 4), {ids: [0, 4, 1, 3, 3]})
    with pytest.raises(ValueError, match="SegmentSum.*size of data's first dimension"):
        tf.segment_sum(d, [0, 1])


def test_sparse_segments_gather_rows_then_reduce():
    d = tf.constant(D)
    s, m, q, sn = _run([tf.sparse_segment_sum(d, [0, 1, 4], [0, 0, 1]),
                        tf.sparse_segment_mean(d, [0, 1, 2], [0, 0, 2], num_segments=4),
                        tf.sparse_segment_sqrt_n(d, [4, 1, 2], [0, 0, 1]),
                        tf.sparse_segment_sum(d, [2, 2], [1, 1], num_segments=3)])
    np.testing.assert_allclose(s, [[4, -2], [5, 1]])
    np.testing.assert_allclose(m, [[2, -1], [0, 0], [5, 6], [0, 0]])
    np.testing.assert_allclose(q, [[8 / np.sqrt(2), -3 / np.sqrt(2)], [5, 6]])
    np.testing.assert_allclose(sn, [[0, 0], [10, 12], [0, 0]])


def test_unique_keeps_the_order_of_first_occurrence():
    y, idx = tf.unique(tf.constant([4, 1, 4, 2, 1, 1]))
    a, b, c = tf.unique_with_counts(tf.constant([0.5, -1.0, 0.5]), out_idx=tf.int64)
    assert idx.dtype == tf.int32 and b.dtype == tf.int64 and c.dtype == tf.int64
    yv, iv, av, bv, cv = _run([y, idx, a, b, c])
    np.testing.assert_array_equal(yv, [4, 1, 2])
    np.testing.assert_array_equal(iv, [0, 1, 0, 2, 1, 1])
    np.testing.assert_array_equal(av, [0.5, -1.0])
    np.testing.assert_array_equal(bv, [0, 1, 0])
    np.testing.assert_array_equal(cv, [2, 1])
    with pytest.raises(ValueError, match="1-D"):
        tf.unique(tf.constant([[1, 2]]))


def test_bincount_lengths_and_weights():
    arr = tf.constant([1, 1, 3, 5])
    a, b, c, e = _run([tf.bincount(arr), tf.bincount(arr, minlength=8),
                       tf.math.bincount(arr, weights=[0.5, 0.5, 1.0, 2.0], maxlength=4),
                       tf.bincount(tf.constant([], tf.int32))])
    np.testing.assert_array_equal(a, [0, 2, 0, 1, 0, 1])
    np.testing.assert_array_equal(b, [0, 2, 0, 1, 0, 1, 0, 0])
    np.testing.assert_allclose(c, [0, 1, 0, 1])
    assert a.dtype == np.int32 and c.dtype == np.float32 and e.shape == (0,)


def test_max_gradient_is_shared_among_ties_and_prod_gradient_handles_zeros():
    d = tf.placeholder(tf.float64, [4])
    mx = tf.segment_max(d, [0, 0, 0, 1])
    p = tf.unsorted_segment_prod(d, [0, 0, 1, 1], 2)
    gm, gp = tf.gradients(mx, d)[0], tf.gradients(p, d)[0]
    a, b = _run([gm, gp], {d: [2.0, 2.0, 1.0, 5.0]})
    np.testing.assert_allclose(a, [0.5, 0.5, 0, 1])
    b1, b2 = _run([gp, tf.gradients(p, d)[0]], {d: [0.0, 3.0, 0.0, 0.0]})
    np.testing.assert_allclose(b, [2.0, 2.0, 5.0, 1.0])
    np.testing.assert_allclose(b1, [3.0, 0.0, 0.0, 0.0])  # two zeros: no gradient
