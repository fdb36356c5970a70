"""tf.image.ssim and sobel_edges against TF1's formulas written in numpy (direct window
sums), on both backends, with ssim's gradient by central differences."""
import numpy as np

import graphc as tf
from tests.helpers import central_difference, run_both

R = np.random.RandomState(61)


def _valid(x, k):
    """Per-channel VALID correlation of [n, h, w, c] with a 2-D kernel."""
    kh, kw = k.shape
    n, h, w, c = x.shape
    out = np.zeros((n, h - kh + 1, w - kw + 1, c))
    for i in range(kh):
        for j in range(kw):
            out += k[i, j] * x[:, i:i + h - kh + 1, j:j + w - kw + 1]
    return out


def _ssim(a, b, max_val, size=11, sigma=1.5, k1=0.01, k2=0.03):
    g = np.exp(-0.5 * (np.arange(size) - (size - 1) / 2) ** 2 / sigma ** 2)
    win = np.outer(g, g) / np.outer(g, g).sum()
    mu_a, mu_b = _valid(a, win), _valid(b, win)
    c1, c2 = (k1 * max_val) ** 2, (k2 * max_val) ** 2
    lum = (2 * mu_a * mu_b + c1) / (mu_a ** 2 + mu_b ** 2 + c1)
    cs = (2 * _valid(a * b, win) - 2 * mu_a * mu_b + c2) / (
        _valid(a * a + b * b, win) - mu_a ** 2 - mu_b ** 2 + c2)
    return (lum * cs).mean(axis=(1, 2, 3))


def test_ssim_matches_the_window_statistics():
    a = R.rand(2, 16, 13, 3).astype(np.float32)
    b = np.clip(a + R.randn(*a.shape).astype(np.float32) * 0.1, 0, 1)
    x, y = tf.placeholder(tf.float32, a.shape), tf.placeholder(tf.float32, b.shape)
    s = tf.image.ssim(x, y, 1.0)
    same = tf.image.ssim(x, x, 1.0, filter_size=5)
    for got, got_same in run_both([s, same], {x: a, y: b}):
        np.testing.assert_allclose(got, _ssim(a.astype(np.float64), b, 1.0), rtol=1e-4)
        np.testing.assert_allclose(got_same, 1.0, rtol=1e-5)
    u8 = tf.image.ssim(tf.constant((a * 255).astype(np.uint8)),
                       tf.constant((b * 255).astype(np.uint8)), 255, filter_size=7)
    want = _ssim(np.floor(a * 255) / 255, np.floor(b * 255) / 255, 1.0, size=7)
    np.testing.assert_allclose(run_both(u8)[0], want, rtol=1e-3)


def test_ssim_gradient():
    a, b = R.rand(1, 7, 6, 1), R.rand(1, 7, 6, 1)
    x = tf.placeholder(tf.float32, a.shape)
    s = tf.reduce_sum(tf.image.ssim(x, tf.constant(b.astype(np.float32)), 1.0, filter_size=5))
    g = tf.gradients(s, x)[0]
    with tf.Session() as sess:
        got = sess.run(g, {x: a})
        numeric = central_difference(lambda v: float(sess.run(s, {x: v.astype(np.float32)})),
                                     a, eps=1e-3)
    np.testing.assert_allclose(got, numeric, rtol=2e-2, atol=2e-3)


def test_sobel_edges():
    img = R.rand(2, 5, 6, 3)
    x = tf.placeholder(tf.float64, img.shape)
    e = tf.image.sobel_edges(x)
    assert e.shape.as_list() == [2, 5, 6, 3, 2]
    padded = np.pad(img, [(0, 0), (1, 1), (1, 1), (0, 0)], mode="reflect")
    ky = np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], np.float64)
    for got in run_both(e, {x: img}):
        np.testing.assert_allclose(got[..., 0], _valid(padded, ky), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(got[..., 1], _valid(padded, ky.T), rtol=1e-10, atol=1e-12)
