"""Convolution, pooling and normalization against TF1 itself (when TensorFlow is
installed) and against a direct-loop reference (always)."""
from __future__ import annotations

import itertools

import numpy as np
import pytest

import graphc as tf

R = np.random.RandomState(0)


def _run(fetch, feed=None):
    with tf.Session() as sess:
        return sess.run(fetch, feed)


def _direct_conv(x, w, stride, padding, dilation=(1, 1)):
    n, h, wd, c = x.shape
    kh, kw, _, m = w.shape
    eh, ew = (kh - 1) * dilation[0] + 1, (kw - 1) * dilation[1] + 1
    if padding == "SAME":
        oh, ow = -(-h // stride[0]), -(-wd // stride[1])
        ph = max((oh - 1) * stride[0] + eh - h, 0)
        pw = max((ow - 1) * stride[1] + ew - wd, 0)
        top, left = ph // 2, pw // 2
    else:
        oh, ow = (h - eh) // stride[0] + 1, (wd - ew) // stride[1] + 1
        top = left = 0
    out = np.zeros((n, oh, ow, m))
    for b, i, j, o in itertools.product(range(n), range(oh), range(ow), range(m)):
        s = 0.0
        for di, dj, ci in itertools.product(range(kh), range(kw), range(c)):
            r, q = i * stride[0] + di * dilation[0] - top, j * stride[1] + dj * dilation[1] - left
            if 0 <= r < h and 0 <= q < wd:
                s += x[b, r, q, ci] * w[di, dj, ci, o]
        out[b, i, j, o] = s
    return out


@pytest.mark.parametrize("padding,stride,dilation", [("SAME", (1, 1), (1, 1)),
                                                     ("VALID", (2, 1), (1, 1)),
                                                     ("SAME", (2, 2), (1, 1)),
                                                     ("VALID", (1, 1), (2, 2))])
def test_conv2d_matches_a_direct_loop(padding, stride, dilation):
    x, w = R.randn(2, 7, 6, 3), R.randn(3, 2, 3, 4)
    got = _run(tf.nn.conv2d(tf.constant(x), tf.constant(w), [1, *stride, 1], padding,
                            dilations=[1, *dilation, 1]))
    np.testing.assert_allclose(got, _direct_conv(x, w, stride, padding, dilation), rtol=1e-10)


def test_against_tensorflow():
    tf1 = pytest.importorskip("tensorflow").compat.v1
    tf1.disable_eager_execution()
    x = R.randn(2, 9, 8, 3).astype(np.float32)
    w = R.randn(3, 3, 3, 4).astype(np.float32)
    dw = R.randn(3, 3, 3, 2).astype(np.float32)
    cases = []

    def build(lib):
        xx, ww, dww = lib.constant(x), lib.constant(w), lib.constant(dw)
        out = []
        for padding, s in itertools.product(["SAME", "VALID"], [1, 2]):
            c = lib.nn.conv2d(xx, ww, [1, s, s, 1], padding)
            out.append(c)
            out.append(lib.nn.max_pool(xx, [1, 3, 2, 1], [1, s, 2, 1], padding))
            out.append(lib.nn.avg_pool(xx, [1, 3, 3, 1], [1, s, s, 1], padding))
            out.append(lib.nn.depthwise_conv2d(xx, dww, [1, s, s, 1], padding))
            out.append(lib.nn.conv2d_transpose(c, ww, [2, 9, 8, 3], [1, s, s, 1], padding))
            loss = lib.reduce_sum(lib.square(c)) + lib.reduce_sum(
                lib.nn.max_pool(xx, [1, 2, 2, 1], [1, 2, 2, 1], padding) ** 2) + \
                lib.reduce_sum(lib.nn.avg_pool(xx, [1, 2, 2, 1], [1, s, s, 1], padding))
            out.extend(lib.gradients(loss, [xx, ww]))
        m, v = lib.nn.moments(xx, [0, 1, 2])
        out += [m, v, lib.nn.batch_normalization(xx, m, v, 0.1, 2.0, 1e-3)]
        out.append(lib.nn.local_response_normalization(xx, 2, 1.0, 0.5, 0.75))
        return out

    g = tf1.Graph()
    with g.as_default():
        want = tf1.Session(graph=g).run(build(tf1))
    with tf.Graph().as_default():
        got = _run(build(tf))
    for i, (a, b) in enumerate(zip(got, want)):
        cases.append(i)
        np.testing.assert_allclose(a, b, rtol=2e-4, atol=2e-4, err_msg=f"output {i}")


def test_fused_batch_norm_and_moments():
    x = R.randn(4, 3, 3, 2).astype(np.float32)
    y, m, v = tf.nn.fused_batch_norm(tf.constant(x), tf.constant([1.0, 2.0]),
                                     tf.constant([0.0, 0.5]))
    yv, mv, vv = _run([y, m, v])
    mean, var = x.mean((0, 1, 2)), x.var((0, 1, 2))
    np.testing.assert_allclose(mv, mean, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(vv, var * 36 / 35, rtol=1e-5)
    np.testing.assert_allclose(yv, (x - mean) / np.sqrt(var + 1e-3) * [1, 2] + [0, 0.5],
                               rtol=1e-4, atol=1e-5)


def test_shape_errors_name_the_op_and_line():
    x = tf.placeholder(tf.float32, [None, 8, 8, 3])
    with pytest.raises(ValueError, match=r"input depth 3 .* in_channels 4") as info:
        tf.nn.conv2d(x, tf.zeros([3, 3, 4, 8]), [1, 1, 1, 1], "SAME")
    assert "test_conv.py" in str(info.value)
    with pytest.raises(ValueError, match="NHWC"):
        tf.nn.conv2d(x, tf.zeros([3, 3, 3, 8]), [1, 1, 1, 1], "SAME", data_format="NCHW")
    with pytest.raises(ValueError, match="padding must be"):
        tf.nn.max_pool(x, [1, 2, 2, 1], [1, 2, 2, 1], "FULL")
