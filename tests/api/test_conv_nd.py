"""conv1d, conv3d (+ transpose), dilated and separable convolutions, 1-D/3-D pooling and
their tf.layers forms: values against direct numpy loops (TF1's definitions), TF1's
variable names and output sizes, and gradients against central differences."""
import itertools

import numpy as np
import pytest

import graphc as tf
from tests.helpers import central_difference, run_both

R = np.random.RandomState(11)


def _run(fetch, feed=None):
    out = run_both(fetch, feed, setup=tf.global_variables_initializer())
    for a, b in zip(out[0] if isinstance(fetch, list) else [out[0]],
                    out[1] if isinstance(fetch, list) else [out[1]]):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    return out[0]


def _direct_conv(x, w, strides, dilations, padding):
    """TF1's convolution, written out: out[n, o..., m] = sum x[n, o*s + k*d - pad, c] w[k, c, m]."""
    sp = x.shape[1:-1]
    k = w.shape[:-2]
    outs, pads = [], []
    for n, kk, s, d in zip(sp, k, strides, dilations):
        eff = (kk - 1) * d + 1
        if padding == "VALID":
            o = (n - eff) // s + 1
            pads.append(0)
        else:
            o = -(-n // s)
            pads.append(max((o - 1) * s + eff - n, 0) // 2)
        outs.append(o)
    y = np.zeros((x.shape[0], *outs, w.shape[-1]))
    for o in itertools.product(*(range(v) for v in outs)):
        for kk in itertools.product(*(range(v) for v in k)):
            pos = [oi * s + ki * d - p for oi, ki, s, d, p in zip(o, kk, strides, dilations, pads)]
            if all(0 <= q < n for q, n in zip(pos, sp)):
                y[(slice(None), *o)] += x[(slice(None), *pos)] @ w[kk]
    return y


@pytest.mark.parametrize("strides,dilations,padding", [
    ((1, 1, 1), (1, 1, 1), "SAME"), ((2, 1, 2), (1, 2, 1), "VALID"),
    ((1, 2, 1), (2, 1, 1), "SAME")])
def test_conv3d_is_tf1s_convolution(strides, dilations, padding):
    xv, wv = R.randn(2, 5, 6, 4, 3), R.randn(2, 3, 2, 3, 4)
    x, w = tf.placeholder(tf.float64, xv.shape), tf.placeholder(tf.float64, wv.shape)
    y = tf.nn.conv3d(x, w, [1, *strides, 1], padding, dilations=[1, *dilations, 1])
    want = _direct_conv(xv, wv, strides, dilations, padding)
    assert y.shape.as_list() == list(want.shape)
    np.testing.assert_allclose(_run(y, {x: xv, w: wv}), want, rtol=1e-10)


def test_conv1d_atrous_and_convolution_are_tf1s_convolutions():
    xv, wv = R.randn(2, 9, 3), R.randn(3, 3, 2)
    x = tf.placeholder(tf.float64, xv.shape)
    y = tf.nn.conv1d(x, wv, stride=2, padding="SAME")
    np.testing.assert_allclose(_run(y, {x: xv}), _direct_conv(xv, wv, [2], [1], "SAME"))
    z = tf.nn.convolution(x, wv, "VALID", dilation_rate=[2])
    np.testing.assert_allclose(_run(z, {x: xv}), _direct_conv(xv, wv, [1], [2], "VALID"))
    img, f = R.randn(1, 7, 8, 2), R.randn(3, 2, 2, 3)
    xi = tf.placeholder(tf.float64, img.shape)
    a = tf.nn.atrous_conv2d(xi, f, rate=2, padding="SAME")
    np.testing.assert_allclose(_run(a, {xi: img}), _direct_conv(img, f, [1, 1], [2, 2], "SAME"))
    # atrous_conv2d_transpose is the adjoint of atrous_conv2d: <A x, y> == <x, A^T y>
    yv = R.randn(1, 7, 8, 3)
    t = tf.nn.atrous_conv2d_transpose(tf.constant(yv), f, [1, 7, 8, 2], rate=2, padding="SAME")
    lhs = np.sum(_run(a, {xi: img}) * yv)
    np.testing.assert_allclose(lhs, np.sum(_run(t) * img), rtol=1e-10)


def test_separable_conv2d_is_depthwise_then_pointwise():
    xv, dw, pw = R.randn(2, 6, 5, 3), R.randn(3, 3, 3, 2), R.randn(1, 1, 6, 4)
    x = tf.placeholder(tf.float64, xv.shape)
    y = tf.nn.separable_conv2d(x, dw, pw, [1, 1, 1, 1], "SAME", rate=[2, 2])
    depth = np.concatenate([_direct_conv(xv[..., c:c + 1], dw[:, :, c:c + 1, :], [1, 1], [2, 2],
                                         "SAME") for c in range(3)], axis=-1)
    np.testing.assert_allclose(_run(y, {x: xv}), depth @ pw[0, 0], rtol=1e-10)


def test_conv3d_transpose_is_the_adjoint_of_conv3d():
    xv, wv, yv = R.randn(1, 4, 5, 3, 2), R.randn(2, 3, 2, 2, 3), R.randn(1, 2, 3, 2, 3)
    fwd = tf.nn.conv3d(tf.constant(xv), wv, [1, 2, 2, 2, 1], "SAME")
    back = tf.nn.conv3d_transpose(tf.constant(yv), wv, [1, 4, 5, 3, 2], [1, 2, 2, 2, 1], "SAME")
    a, b = _run([fwd, back])
    np.testing.assert_allclose(np.sum(a * yv), np.sum(b * xv), rtol=1e-10)


def test_pool3d_values():
    xv = R.randn(2, 4, 5, 3, 2)
    x = tf.placeholder(tf.float64, xv.shape)
    mx = tf.nn.max_pool3d(x, [1, 2, 2, 2, 1], [1, 2, 2, 2, 1], "VALID")
    av = tf.nn.avg_pool3d(x, [1, 2, 2, 2, 1], [1, 1, 1, 1, 1], "SAME")
    got_max, got_avg = _run([mx, av], {x: xv})
    np.testing.assert_allclose(got_max, xv[:, :4, :4, :2].reshape(2, 2, 2, 2, 2, 1, 2, 2)
                               .max(axis=(2, 4, 6)))
    # SAME average: windows clipped at the far edge average what is inside (TF1)
    np.testing.assert_allclose(got_avg[0, -1, -1, -1], xv[0, -1, -1, -1])
    np.testing.assert_allclose(got_avg[1, 0, 0, 0], xv[1, :2, :2, :2].mean(axis=(0, 1, 2)))
    p1 = tf.nn.max_pool1d(tf.constant(xv[:, 0, :, 0]), 2, 2, "VALID")
    np.testing.assert_allclose(_run(p1), xv[:, 0, :4, 0].reshape(2, 2, 2, 2).max(axis=2))


@pytest.mark.parametrize("build", ["conv3d", "conv1d", "separable", "pool3d", "transpose3d"])
def test_gradients_match_central_differences(build):
    xv = R.randn(1, 3, 4, 2, 2) if build in ("conv3d", "pool3d", "transpose3d") else \
        R.randn(1, 5, 2) if build == "conv1d" else R.randn(1, 4, 4, 2)
    x = tf.placeholder(tf.float64, xv.shape)
    if build == "conv3d":
        y = tf.nn.conv3d(x, R.randn(2, 2, 2, 2, 3), [1, 1, 2, 1, 1], "SAME")
    elif build == "conv1d":
        y = tf.nn.conv1d(x, R.randn(2, 2, 3), 1, "VALID")
    elif build == "separable":
        y = tf.nn.separable_conv2d(x, R.randn(2, 2, 2, 2), R.randn(1, 1, 4, 3), [1, 1, 1, 1],
                                   "SAME")
    elif build == "pool3d":
        xv = R.permutation(xv.size).reshape(xv.shape) * 0.1
        y = tf.nn.max_pool3d(x, [1, 2, 2, 2, 1], [1, 1, 1, 1, 1], "SAME") + \
            tf.nn.avg_pool3d(x, [1, 2, 2, 1, 1], [1, 1, 1, 1, 1], "SAME")
    else:
        y = tf.nn.conv3d_transpose(x, R.randn(2, 2, 2, 3, 2), [1, 6, 8, 4, 3], [1, 2, 2, 2, 1],
                                   "SAME")
    wv = R.randn(*y.shape.as_list())
    loss = tf.reduce_sum(y * wv)
    g = tf.gradients(loss, x)[0]
    with tf.Session() as sess:
        got = sess.run(g, {x: xv})
        numeric = central_difference(lambda v: sess.run(loss, {x: v}), xv)
    np.testing.assert_allclose(got, numeric, rtol=1e-5, atol=1e-7)


def test_rank_dispatching_transpose_and_pools():
    x1, x2, x3 = R.randn(2, 6, 3), R.randn(2, 6, 5, 3), R.randn(1, 4, 4, 4, 2)
    p1 = tf.nn.max_pool_v2(tf.constant(x1), 2, 2, "VALID")
    p2 = tf.nn.avg_pool_v2(tf.constant(x2), [2, 1], [2, 1], "VALID")
    p3 = tf.nn.max_pool_v2(tf.constant(x3), 2, 2, "SAME")
    w = R.randn(2, 2, 4, 3)
    t2 = tf.nn.conv_transpose(tf.constant(R.randn(2, 3, 3, 3)), w, [2, 6, 6, 4], 2)
    t1 = tf.nn.conv_transpose(tf.constant(R.randn(2, 3, 3)), R.randn(2, 4, 3), [2, 6, 4], 2)
    got = _run([p1, p2, p3, t2, t1])
    np.testing.assert_allclose(got[0], x1.reshape(2, 3, 2, 3).max(2))
    np.testing.assert_allclose(got[1], x2.reshape(2, 3, 2, 5, 3).mean(2))
    np.testing.assert_allclose(got[2], x3.reshape(1, 2, 2, 2, 2, 2, 2, 2).max(axis=(2, 4, 6)))
    assert got[3].shape == (2, 6, 6, 4) and got[4].shape == (2, 6, 4)
