"""Winograd convolutions (backends/llvm/winograd_kernels.py): the transform tables against
direct correlation, and the llvm backend's stride-1 5x5 convolutions (the forward one and
the input gradient by F(2x2, 5x5), the filter gradient by F(5, 2) along rows, on AVX-512
hosts) against the numpy interpreter at awkward shapes and against central differences
(an unknown batch: tests/backends/test_llvm_conv.py)."""
from __future__ import annotations

import numpy as np
import pytest

import graphc as tf
from graphc.backends.llvm import winograd_kernels as WK
from graphc.ir.numerics import assert_close
from tests.backends.test_llvm_conv import _both
from tests.helpers import central_difference

R = np.random.RandomState(11)


def test_the_transform_tables_compute_a_correlation_of_two_outputs():
    """A^T [(G g) * (B^T d)] = [g . d[0:5], g . d[1:6]] for any 6 inputs and 5 taps."""
    bt, g, at = (np.array(m, np.float64) for m in (WK.B_T, WK.G, WK.A_T))
    for _ in range(5):
        d, w = R.randn(6), R.randn(5)
        np.testing.assert_allclose(at @ ((g @ w) * (bt @ d)),
                                   [w @ d[0:5], w @ d[1:6]], rtol=1e-13, atol=1e-13)


def test_the_filter_gradient_tables_compute_a_correlation_of_five_outputs():
    """A^T [(G w) * (B^T d)] = [w . d[i:i+2] for i < 5] for any 6 inputs and 2 taps."""
    bt, g, at = (np.array(m, np.float64) for m in (WK.ROW_B_T, WK.ROW_G, WK.ROW_A_T))
    for _ in range(5):
        d, w = R.randn(6), R.randn(2)
        np.testing.assert_allclose(at @ ((g @ w) * (bt @ d)),
                                   [w @ d[i:i + 2] for i in range(5)], rtol=1e-13, atol=1e-13)


def _winograd_host() -> bool:
    from graphc.backends.llvm.target import host
    return "+avx512f" in host().features.split(",")


@pytest.mark.parametrize("shape,channels,padding,dtype", [
    ((16, 14, 14, 32), 64, "SAME", np.float32),    # the convnet's second layer (threaded)
    ((1, 7, 9, 17), 20, "SAME", np.float32),       # batch 1, odd sizes, channel tails
    ((3, 11, 8, 16), 33, "VALID", np.float32),     # VALID, an odd output row count
    ((2, 5, 6, 40), 16, "SAME", np.float64),       # a single tile row (and float64)
    ((2, 9, 9, 19), 18, "VALID", np.float64),      # 5x5 outputs: odd both ways
])
def test_winograd_conv_bias_relu_and_gradients_match_numpy(shape, channels, padding, dtype):
    x = R.randn(*shape).astype(dtype)
    w = (R.randn(5, 5, shape[3], channels) * 0.1).astype(dtype)
    bias = R.randn(channels).astype(dtype)

    def build(x, w, bias):
        y = tf.nn.conv2d(x, w, [1, 1, 1, 1], padding)
        h = tf.nn.relu(y + bias)
        dy = tf.constant(np.random.RandomState(1).randn(*y.shape.as_tuple()).astype(dtype))
        return [y, h] + tf.gradients(tf.reduce_sum(y * dy), [x, w])
    got, want, text = _both(build, [x, w, bias])
    for a, b, name in zip(got, want, ["conv", "conv+bias+relu", "input grad", "filter grad"]):
        assert_close(a, b, "conv", err_msg=name)
    if _winograd_host():
        assert text.count("_wf_body") >= 2, "forward and input gradient ran without Winograd"
        assert "_out_body" in text, "the filter gradient ran without Winograd"


@pytest.mark.parametrize("wrt", ["input", "filter"])
def test_winograd_gradients_match_central_differences(wrt):
    """float64: d sum(conv(x, w) * r) / dx (or dw) by the native gradient against central
    differences of the native forward convolution (all Winograd on AVX-512 hosts)."""
    x = R.randn(1, 6, 5, 16)
    w = R.randn(5, 5, 16, 16) * 0.1
    r = R.randn(1, 6, 5, 16)
    g = tf.Graph()
    with g.as_default():
        xp, wp = tf.placeholder(tf.float64, x.shape), tf.placeholder(tf.float64, w.shape)
        loss = tf.reduce_sum(tf.nn.conv2d(xp, wp, [1, 1, 1, 1], "SAME") * tf.constant(r))
        grad = tf.gradients(loss, [xp if wrt == "input" else wp])[0]
        sess = tf.Session(graph=g, backend="llvm")
        got = sess.run(grad, {xp: x, wp: w})
        if wrt == "input":
            numeric = central_difference(lambda v: sess.run(loss, {xp: v, wp: w}), x, 1e-5)
        else:  # (a slice of the filter: each element costs two runs)
            got, numeric = got[1:3, :, :4], central_difference(
                lambda v: sess.run(loss, {xp: x, wp: np.concatenate(
                    [w[:1], np.concatenate([v, w[1:3, :, 4:]], 2), w[3:]])}),
                w[1:3, :, :4], 1e-5)
    np.testing.assert_allclose(got, numeric, rtol=1e-6, atol=1e-6 * np.abs(numeric).max())
