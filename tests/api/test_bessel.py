"""The modified Bessel functions (ir/ops/bessel_ops.py) against TensorFlow's values and
gradients (tests/fixtures/tf/bessel.json, made by make_bessel_fixture.py), in float64 and
float32, and against identities that hold exactly."""
from __future__ import annotations

import json
import os

import numpy as np
import pytest

import graphc as tf

FIXTURE = os.path.join(os.path.dirname(__file__), os.pardir, "fixtures", "tf", "bessel.json")
with open(FIXTURE) as _f:
    DATA = json.load(_f)
POINTS = np.array(DATA["points"])
CASES = [(dtype, name) for dtype in ("float64", "float32") for name in DATA[dtype]]


def _floats(values):
    return np.array([float(v) for v in values])


@pytest.mark.parametrize("dtype,name", CASES, ids=[f"{n}-{d}" for d, n in CASES])
def test_bessel_matches_tensorflow(dtype, name):
    want = DATA[dtype][name]
    with tf.Graph().as_default():
        x = tf.placeholder(dtype, [None])
        y = getattr(tf.math.special, name)(x)
        g = tf.gradients(y, x)[0]
        with tf.Session() as sess:
            got, grad = sess.run([y, g], {x: POINTS.astype(dtype)})
    assert got.dtype == np.dtype(dtype)
    rtol = 1e-13 if dtype == "float64" else 2e-6
    np.testing.assert_allclose(got, _floats(want["value"]), rtol=rtol, atol=0)
    want_grad = _floats(want["gradient"])
    if name == "bessel_i1":
        assert want_grad[0] == 1.0  # TF imputes 1 at x = 0; I1'(0) is 1/2
        want_grad[0] = 0.5
    # the gradients are differences of terms of about the value's size (I0e' = I1e - I0e
    # cancels for large x), so the tolerance scales with the value too; TF flushes
    # subnormal intermediates to zero, so near the normal range's end only atol holds
    rtol = 1e-12 if dtype == "float64" else 2e-6
    scale = np.abs(np.where(np.isfinite(got), got, 0.0))
    tol = rtol * (np.abs(want_grad) + scale) + 1e3 * np.finfo(dtype).tiny
    with np.errstate(invalid="ignore"):
        same = (grad == want_grad) | (np.isnan(grad) & np.isnan(want_grad)) | \
            (np.abs(grad - want_grad) <= tol)
    assert same.all(), f"{name}' at {POINTS[~same]}: got {grad[~same]}, TF {want_grad[~same]}"


def test_bessel_identities():
    x = np.linspace(0.05, 60.0, 400)
    with tf.Graph().as_default():
        xt = tf.constant(x)
        special = tf.math.special
        i0, i1, k0, k1 = (special.bessel_i0(xt), special.bessel_i1(xt), special.bessel_k0(xt),
                          special.bessel_k1(xt))
        with tf.Session() as sess:
            i0, i1, k0, k1, i0e, k1e = sess.run([i0, i1, k0, k1, special.bessel_i0e(xt),
                                                 special.bessel_k1e(xt)])
    np.testing.assert_allclose(i0, np.i0(x), rtol=1e-13)
    np.testing.assert_allclose(i0 * k1 + i1 * k0, 1 / x, rtol=1e-12)  # the Wronskian
    np.testing.assert_allclose(i0e, np.i0(x) * np.exp(-x), rtol=1e-13)
    np.testing.assert_allclose(k1e, k1 * np.exp(x), rtol=1e-12)
    assert tf.math.bessel_i0 is tf.math.special.bessel_i0


def test_second_derivative_and_dtypes():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float64, [3])
        y = tf.math.bessel_i0(x)
        g2 = tf.gradients(tf.gradients(y, x)[0], x)[0]     # I0'' = I0 - I1 / x
        with tf.Session() as sess:
            xs = np.array([0.5, 3.0, 40.0])
            got, i0, i1 = sess.run([g2, y, tf.math.bessel_i1(x)], {x: xs})
        np.testing.assert_allclose(got, i0 - i1 / xs, rtol=1e-12)
        with pytest.raises(TypeError, match="int32"):
            tf.math.special.bessel_k0(tf.constant([1, 2]))
