"""Inverse trigonometric/hyperbolic functions, sort/argsort, confusion_matrix and TF1's
other math compositions, cumulative_logsumexp, partitions and stitches (issue 20):
values against numpy/TF1 semantics, gradients against central differences, fusion."""
import warnings

import numpy as np
import pytest

import graphc as tf
from graphc.backends.llvm.lowering import FallbackWarning

from ..helpers import central_difference

R = np.random.RandomState(0)


def _run(fetches, feeds=None, backend=None):
    with tf.Session(backend=backend) as sess:
        return sess.run(fetches, feeds)


@pytest.mark.parametrize("backend", ["numpy", "llvm"])
def test_inverse_trig_and_hyperbolic_match_numpy_natively(backend):
    x = tf.placeholder(tf.float32, [None])
    v = np.float32([-0.99, -0.5, 0.0, 0.25, 0.9, 2.0])
    fns = [(tf.asin, np.arcsin), (tf.acos, np.arccos), (tf.atan, np.arctan),
           (tf.asinh, np.arcsinh), (tf.math.atanh, np.arctanh), (tf.sinh, np.sinh),
           (tf.cosh, np.cosh)]
    outs = [f(x) for f, _ in fns] + [tf.acosh(x + 1.0), tf.atan2(x, x[::-1])]
    with warnings.catch_warnings():
        warnings.simplefilter("error", FallbackWarning)  # native on llvm
        warnings.simplefilter("ignore", RuntimeWarning)
        got = _run(outs, {x: v}, backend)
    with np.errstate(all="ignore"):
        wide = v.astype(np.float64)
        want = [g(wide) for _, g in fns] + [np.arccosh(wide + 1), np.arctan2(wide, wide[::-1])]
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b.astype(np.float32), rtol=2e-7, equal_nan=True)


@pytest.mark.parametrize("fn", [tf.asin, tf.acos, tf.atan, tf.asinh, tf.atanh, tf.sinh,
                                tf.cosh, lambda x: tf.acosh(x + 2.0),
                                lambda x: tf.atan2(x, 1.5 - x)])
def test_trig_gradients(fn):
    x = tf.placeholder(tf.float64, [4])
    y = fn(x)
    (g,) = tf.gradients(tf.reduce_sum(y), [x])
    v = np.array([-0.7, -0.2, 0.3, 0.8])
    with tf.Session() as sess:
        numeric = central_difference(lambda w: float(np.sum(sess.run(y, {x: w}))), v)
        np.testing.assert_allclose(sess.run(g, {x: v}), numeric, rtol=1e-6)


def test_sort_and_argsort_follow_tf1():
    v = np.array([[3, 1, 2, 1], [0, -5, 7, -2 ** 31]], np.int32)
    f = np.array([[0.5, -1.0, 0.5, 2.0]])
    a, b, c, d, e = _run([tf.sort(v), tf.sort(v, axis=0, direction="DESCENDING"),
                          tf.argsort(f), tf.argsort(f, direction="DESCENDING"),
                          tf.sort(tf.constant([3, 0, 255, 7], tf.uint8))])
    np.testing.assert_array_equal(a, np.sort(v, axis=-1))
    np.testing.assert_array_equal(b, np.sort(v, axis=0)[::-1])
    np.testing.assert_array_equal(c, [[1, 0, 2, 3]])  # ties keep their order
    np.testing.assert_array_equal(d, [[3, 0, 2, 1]])
    np.testing.assert_array_equal(e, [0, 3, 7, 255])
    with pytest.raises(ValueError, match="Unknown direction"):
        tf.sort(v, direction="UP")


def test_confusion_matrix_and_small_statistics():
    cm, cmw, zf, var, std, ls, rnn, nd, si, pv, lb = _run([
        tf.math.confusion_matrix([0, 1, 2, 1], [0, 2, 2, 1]),
        tf.confusion_matrix([0, 1], [1, 1], num_classes=3, weights=[0.5, 2.0],
                            dtype=tf.float32),
        tf.math.zero_fraction([0.0, 1.0, 0.0, 3.0]),
        tf.math.reduce_variance([[1.0, 2.0], [3.0, 5.0]], axis=1),
        tf.math.reduce_std([[1.0, 2.0], [3.0, 5.0]]),
        tf.math.log_sigmoid([-1000.0, 0.0, 1000.0]),
        tf.math.reciprocal_no_nan([0.0, 4.0]),
        tf.math.is_non_decreasing([1, 1, 2]), tf.math.is_strictly_increasing([1, 1, 2]),
        tf.math.polyval([1.0, 2.0, 3.0], tf.constant([2.0, 0.0])),
        tf.math.lbeta([[1.0, 2.0], [3.0, 4.0]])])
    np.testing.assert_array_equal(cm, [[1, 0, 0], [0, 1, 1], [0, 0, 1]])
    np.testing.assert_array_equal(cmw, [[0, 0.5, 0], [0, 2.0, 0], [0, 0, 0]])
    assert zf == 0.5 and nd and not si
    np.testing.assert_allclose(var, [0.25, 1.0])
    np.testing.assert_allclose(std, np.std([1.0, 2.0, 3.0, 5.0]), rtol=1e-6)
    np.testing.assert_allclose(ls, [-1000.0, -np.log(2.0), 0.0], rtol=1e-6)
    np.testing.assert_array_equal(rnn, [0.0, 0.25])
    np.testing.assert_allclose(pv, [11.0, 3.0])
    np.testing.assert_allclose(lb, [np.log(0.5), np.log(1 / 60)], rtol=1e-6)


def test_cumulative_logsumexp_keeps_small_terms_and_its_gradient():
    got = _run(tf.math.cumulative_logsumexp([-1000.0, 0.0, 1.0]))
    np.testing.assert_allclose(got, [-1000.0, 0.0, np.logaddexp(0.0, 1.0)], rtol=1e-6)
    ex = _run(tf.math.cumulative_logsumexp([[1.0, 2.0]], axis=1, exclusive=True,
                                           reverse=True))
    np.testing.assert_allclose(ex, [[2.0, -np.inf]])
    x = tf.placeholder(tf.float64, [3])
    y = tf.math.cumulative_logsumexp(x)
    w = np.array([1.0, -2.0, 3.0])
    (g,) = tf.gradients(tf.reduce_sum(y * w), [x])
    v = np.array([0.3, -1.0, 2.0])
    with tf.Session() as sess:
        numeric = central_difference(lambda u: float(np.sum(sess.run(y, {x: u}) * w)), v)
        np.testing.assert_allclose(sess.run(g, {x: v}), numeric, rtol=1e-6)


def test_partition_stitch_permutations_and_shapes():
    d = np.arange(12.0).reshape(6, 2)
    parts = [0, 1, 0, 1, 1, 0]
    p0, p1 = tf.dynamic_partition(d, parts, 2)
    st = tf.dynamic_stitch([[0, 2], [1, 2]], [[1.0, 2.0], [3.0, 9.0]])
    inv, (out, idx), bd = _run([tf.invert_permutation([2, 0, 1]),
                                tf.setdiff1d([1, 2, 3, 4, 2], [2, 4]),
                                tf.broadcast_dynamic_shape([2, 1, 3], [4, 3])])
    a, b, s = _run([p0, p1, st])
    np.testing.assert_array_equal(a, d[[0, 2, 5]])
    np.testing.assert_array_equal(b, d[[1, 3, 4]])
    np.testing.assert_array_equal(s, [1.0, 3.0, 9.0])  # the later list wins
    np.testing.assert_array_equal(inv, [1, 2, 0])
    np.testing.assert_array_equal(out, [1, 3])
    np.testing.assert_array_equal(idx, [0, 2])
    np.testing.assert_array_equal(bd, [2, 4, 3])
    assert tf.broadcast_static_shape(tf.TensorShape([2, 1, 3]),
                                     tf.TensorShape([4, 3])).as_list() == [2, 4, 3]
    with pytest.raises(tf.errors.InvalidArgumentError, match="not a permutation"):
        _run(tf.invert_permutation([0, 0, 1]))


def test_partition_gradient_restitches():
    x = tf.placeholder(tf.float64, [5])
    a, b = tf.dynamic_partition(x, [1, 0, 1, 1, 0], 2)
    (g,) = tf.gradients(tf.reduce_sum(a * [1.0, 2.0]) + tf.reduce_sum(b * [3.0, 4.0, 5.0]),
                        [x])
    np.testing.assert_array_equal(_run(g, {x: np.zeros(5)}), [3, 1, 4, 5, 2])


def test_multiply_no_nan_and_xlog1py():
    x = tf.constant([np.inf, np.nan, 2.0, 0.0])
    y = tf.constant([0.0, 0.0, 3.0, -1.0])
    a, b = _run([tf.math.multiply_no_nan(x, y), tf.math.xlog1py(tf.constant([0.0, 2.0]),
                                                                 tf.constant([-1.0, 1.0]))])
    np.testing.assert_array_equal(a, [0.0, 0.0, 6.0, -0.0])
    np.testing.assert_allclose(b, [0.0, 2 * np.log(2.0)])
