"""The rest of tf.nn (graphc/nn_extra.py) against numpy versions of TF1's formulas."""
from __future__ import annotations

import numpy as np
import pytest

import graphc as tf

R = np.random.RandomState(11)


def _run(fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed)


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def test_crelu_and_swish_values_and_gradients():
    xs = R.randn(3, 4)
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float64, [3, 4])
        c = tf.nn.crelu(x)
        c0 = tf.nn.crelu(x, axis=0)
        s = tf.nn.swish(x)
        s2 = tf.nn.silu(x, beta=2.0)
        g = tf.gradients(tf.reduce_sum(s2), x)[0]
        got = _run([c, c0, s, s2, g], {x: xs})
    np.testing.assert_allclose(got[0], np.concatenate([np.maximum(xs, 0),
                                                       np.maximum(-xs, 0)], -1))
    assert got[1].shape == (6, 4)
    np.testing.assert_allclose(got[2], xs * _sigmoid(xs), rtol=1e-12)
    np.testing.assert_allclose(got[3], xs * _sigmoid(2 * xs), rtol=1e-12)
    sg = _sigmoid(2 * xs)
    np.testing.assert_allclose(got[4], sg + 2 * xs * sg * (1 - sg), rtol=1e-10)


def test_log_poisson_loss():
    targets = np.array([0.0, 0.5, 1.0, 2.0, 7.0])
    log_input = R.randn(5)
    with tf.Graph().as_default():
        short = tf.nn.log_poisson_loss(targets, tf.constant(log_input))
        full = tf.nn.log_poisson_loss(targets, tf.constant(log_input), compute_full_loss=True)
        got_short, got_full = _run([short, full])
        with pytest.raises(ValueError, match="same shape"):
            tf.nn.log_poisson_loss(np.zeros(3), tf.constant(np.zeros(2)))
    want = np.exp(log_input) - log_input * targets
    np.testing.assert_allclose(got_short, want, rtol=1e-12)
    with np.errstate(divide="ignore", invalid="ignore"):
        stirling = targets * np.log(targets) - targets + 0.5 * np.log(2 * np.pi * targets)
    np.testing.assert_allclose(got_full, want + np.where(targets <= 1, 0, stirling),
                               rtol=1e-12)


@pytest.mark.parametrize("static", [True, False])
def test_sufficient_statistics_and_normalize_moments(static):
    xs = R.randn(4, 3, 2)
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float64, [4, 3, 2] if static else None)
        counts, m_ss, v_ss, shift = tf.nn.sufficient_statistics(x, [0, 2], shift=0.5)
        mean, var = tf.nn.normalize_moments(counts, m_ss, v_ss, shift)
        kept = tf.nn.sufficient_statistics(x, [1], keepdims=True)
        got = _run([counts, m_ss, v_ss, mean, var, kept[1]], {x: xs})
    assert got[0] == 8
    np.testing.assert_allclose(got[1], (xs - 0.5).sum((0, 2)))
    np.testing.assert_allclose(got[2], ((xs - 0.5) ** 2).sum((0, 2)))
    np.testing.assert_allclose(got[3], xs.mean((0, 2)), rtol=1e-12)
    np.testing.assert_allclose(got[4], xs.var((0, 2)), rtol=1e-10)
    assert got[5].shape == (4, 1, 2)


def test_weighted_moments():
    xs, ws = R.randn(5, 3), R.rand(5, 1)
    with tf.Graph().as_default():
        mean, var = tf.nn.weighted_moments(tf.constant(xs), [0], tf.constant(ws))
        half = tf.nn.weighted_moments(tf.constant(xs, tf.float16), [0, 1], tf.constant(ws),
                                      keepdims=True)
        got_mean, got_var, got_half = _run([mean, var, half])
    w = np.broadcast_to(ws, xs.shape)
    want_mean = (w * xs).sum(0) / w.sum(0)
    np.testing.assert_allclose(got_mean, want_mean, rtol=1e-12)
    np.testing.assert_allclose(got_var, (w * (xs - want_mean) ** 2).sum(0) / w.sum(0),
                               rtol=1e-12)
    assert got_half[0].dtype == np.float16 and got_half[0].shape == (1, 1)


def test_compute_average_and_regularization_losses():
    losses = np.array([1.0, 2.0, 3.0, 6.0])
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float64, [None])
        plain = tf.nn.compute_average_loss(x)
        weighted = tf.nn.compute_average_loss(x, sample_weight=[1.0, 0.0, 1.0, 0.5],
                                              global_batch_size=8)
        reg = tf.nn.scale_regularization_loss([tf.constant(1.5), tf.constant(2.0)])
        got = _run([plain, weighted, reg], {x: losses})
        with pytest.raises(ValueError, match="at least rank 1"):
            tf.nn.compute_average_loss(tf.constant(1.0))
        with pytest.raises(TypeError, match="integer"):
            tf.nn.compute_average_loss(x, global_batch_size=2.0)
    np.testing.assert_allclose(got, [3.0, 7.0 / 8, 3.5])


def test_collapse_repeated_tf1_example():
    labels = np.int32([[1, 1, 2, 2, 2, 3, 0], [4, 4, 4, 5, 5, 0, 0], [7, 7, 7, 7, 7, 7, 7]])
    with tf.Graph().as_default():
        out, lengths = tf.nn.collapse_repeated(labels, np.int64([6, 4, 3]))
        got, got_len = _run([out, lengths])
    np.testing.assert_array_equal(got, [[1, 2, 3], [4, 5, 0], [7, 0, 0]])
    np.testing.assert_array_equal(got_len, [3, 2, 1])
    assert got_len.dtype == np.int64


def test_depthwise_native_names_match_depthwise_conv2d_and_its_gradients():
    xs, fs = R.randn(2, 5, 5, 3), R.randn(3, 3, 3, 2)
    with tf.Graph().as_default():
        x, f = tf.constant(xs), tf.constant(fs)
        native = tf.nn.depthwise_conv2d_native(x, f, [1, 1, 1, 1], "SAME")
        ref = tf.nn.depthwise_conv2d(x, f, [1, 1, 1, 1], "SAME")
        dy = tf.constant(R.randn(2, 5, 5, 6))
        gx, gf = tf.gradients(ref, [x, f], dy)
        bx = tf.nn.depthwise_conv2d_backprop_input([2, 5, 5, 3], f, dy, [1, 1, 1, 1], "SAME")
        bf = tf.nn.depthwise_conv2d_native_backprop_filter(x, [3, 3, 3, 2], dy, [1, 1, 1, 1],
                                                           "SAME")
        got = _run([native, ref, gx, gf, bx, bf])
    np.testing.assert_allclose(got[0], got[1])
    np.testing.assert_allclose(got[4], got[2], rtol=1e-12)
    np.testing.assert_allclose(got[5], got[3], rtol=1e-12)


def test_approx_top_k_is_exact():
    xs = R.randn(4, 6).astype(np.float32)
    with tf.Graph().as_default():
        x = tf.constant(xs)
        vmax, imax = tf.math.approx_max_k(x, 2)
        vmin, imin = tf.nn.approx_min_k(x, 3, reduction_dimension=0)
        v, i = tf.approx_top_k(x, 1, is_max_k=False)
        got = _run([vmax, imax, vmin, imin, v])
    np.testing.assert_array_equal(got[0], -np.sort(-xs, 1)[:, :2])
    np.testing.assert_array_equal(got[1], np.argsort(-xs, 1)[:, :2])
    np.testing.assert_array_equal(got[2], np.sort(xs, 0)[:3])
    np.testing.assert_array_equal(got[3], np.argsort(xs, 0)[:3])
    np.testing.assert_array_equal(got[4], xs.min(1, keepdims=True))
