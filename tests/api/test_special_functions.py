"""tf.math's inverse error functions, incomplete gamma and beta functions and nextafter
(ir/ops/special_inverse_ops.py) and tf.math.special's Bessel J/Y, dawsn, expint, Fresnel
and Spence functions (ir/ops/special_integral_ops.py) against TensorFlow's values and
gradients (tests/fixtures/tf/special.json, made by make_special_fixture.py) in float64 and
float32, and against identities that hold exactly.

The tolerance of a point is rtol |TF| plus what one rounding of the input costs, k eps
|x f'(x)| + k eps |f'(x)| (f' TF's gradient there): a function's value at a large or
ill-conditioned argument is only as exact as the argument (a Bessel function at 1000,
a Fresnel integral at 1e4, erfinv near 1, which TF computes from the rounded (x + 1) / 2).
"""
from __future__ import annotations

import json
import math
import os

import numpy as np
import pytest

import graphc as tf

FIXTURE = os.path.join(os.path.dirname(__file__), os.pardir, "fixtures", "tf", "special.json")
with open(FIXTURE) as _f:
    DATA = json.load(_f)
RTOL = {"float64": 1e-13, "float32": 2e-6}
# TF's erfinv(1 - 2^-53) is inf: (x + 1) / 2 rounds to 1 (graphc's is 5.8636, erfc of it
# is 2^-53); the test takes graphc's value from erfc instead
TF_ROUNDS_TO_ONE = 1 - 2 ** -53


def _floats(values):
    return np.array([np.nan if v is None else float(v) for v in values])


def _fn(path):
    obj = tf.math
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


def _close(got, want, want_grad, x, dtype, rtol=None, what=""):
    eps = np.finfo(dtype).eps
    slope = np.abs(np.where(np.isfinite(want_grad), want_grad, 0.0))
    scale = np.abs(np.where(np.isfinite(x), x, 0.0))
    size = np.abs(np.where(np.isfinite(want), want, 0.0))
    tol = (RTOL[dtype] if rtol is None else rtol) * size + \
        8 * eps * slope * (scale + 1) + 1e3 * np.finfo(dtype).tiny
    with np.errstate(invalid="ignore"):
        same = (got == want) | (np.isnan(got) & np.isnan(want)) | (np.abs(got - want) <= tol)
    assert same.all(), f"{what} at {x[~same]}: got {got[~same]}, TF {want[~same]}"


UNARY = [(dtype, name) for dtype in ("float64", "float32") for name in DATA["unary"]]


@pytest.mark.parametrize("dtype,name", UNARY, ids=[f"{n}-{d}" for d, n in UNARY])
def test_unary_matches_tensorflow(dtype, name):
    case = DATA["unary"][name]
    points = np.array(case["points"])
    want, want_grad = _floats(case[dtype]["value"]), _floats(case[dtype]["gradient"])
    with tf.Graph().as_default():
        x = tf.placeholder(dtype, [None])
        y = _fn(name)(x)
        g = tf.gradients(y, x)[0]
        with tf.Session() as sess:
            got, grad = sess.run([y, g], {x: points.astype(dtype)})
    assert got.dtype == np.dtype(dtype)
    xs = points.astype(dtype).astype(np.float64)
    if name == "erfinv":
        odd = xs == np.float64(np.float32(TF_ROUNDS_TO_ONE)) if dtype == "float32" else \
            xs == TF_ROUNDS_TO_ONE
        if odd.any():
            assert math.erfc(float(got[odd][0])) == pytest.approx(1 - TF_ROUNDS_TO_ONE,
                                                                  rel=1e-12)
            want, want_grad = want.copy(), want_grad.copy()
            want[odd], want_grad[odd] = got[odd], grad[odd]
    if name in ("special.bessel_y0", "special.bessel_y1") and dtype == "float32":
        # TF's float32 Y1(0) is NaN (its float64 one, and graphc's, the limit -inf), so
        # its Y0'(0) = -Y1(0) and Y1'(0) are NaN too; graphc's are the limits
        assert np.isnan(want_grad[0]) and got[0] == -np.inf and points[0] == 0
        want, want_grad = want.copy(), want_grad.copy()
        want[0] = got[0]
        want_grad[0] = grad[0]
    _close(got, want, want_grad, xs, dtype, what=name)
    # a gradient is TF's formula of x and the value: besides its own rounding it moves with
    # the value's difference from TF's, delta, as fast as the formula does (erfinv' =
    # sqrt(pi)/2 exp(y^2) moves by 2 y delta relative)
    finite = np.isfinite(want) & np.isfinite(got)
    delta = np.abs(np.where(finite, got, 0.0) - np.where(finite, want, 0.0))
    size = np.abs(np.where(np.isfinite(want_grad), want_grad, 0.0))
    y = np.abs(np.where(finite, want, 0.0))
    tol = 1e-12 if dtype == "float64" else 2e-5
    bound = tol * (size + y) * (1 + xs ** 2) + 4 * delta * (1 + y) * (size + 1 + np.abs(xs)) + \
        1e3 * np.finfo(dtype).tiny
    with np.errstate(invalid="ignore"):
        same = (grad == want_grad) | (np.isnan(grad) & np.isnan(want_grad)) | \
            (np.abs(grad - want_grad) <= bound)
    assert same.all(), f"{name}' at {xs[~same]}: got {grad[~same]}, TF {want_grad[~same]}"


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", ["igamma", "igammac", "betainc"])
def test_incomplete_gamma_and_beta_match_tensorflow(name, dtype):
    group = "betainc" if name == "betainc" else "igamma"
    points = np.array(DATA[group]["points"]).astype(dtype)
    case = DATA[group][dtype][name]
    with tf.Graph().as_default():
        cols = [tf.placeholder(dtype, [None]) for _ in range(points.shape[1])]
        y = getattr(tf.math, name)(*cols)
        grads = tf.gradients(y, cols)
        with tf.Session() as sess:
            feed = dict(zip(cols, points.T))
            got = sess.run(y, feed)
            got_grads = sess.run([g for g in grads if g is not None], feed)
    want = _floats(case["value"])
    x = points[:, -1].astype(np.float64)
    # TF's float32 kernels sum in float32: their prefactor x^a e^-x / Gamma(a) (or the
    # beta function's) loses eps times the size of its exponent
    a = points[:, 0].astype(np.float64)
    with np.errstate(all="ignore"):
        exponent = np.abs(a * np.log(np.abs(x) + 1)) + np.abs(x) + np.abs(a * np.log(a + 1))
        if group == "betainc":
            b = points[:, 1].astype(np.float64)
            exponent = exponent + np.abs(b * np.log(b + 1))
    rtol = 1e-11 if dtype == "float64" else 2e-5
    rtol = rtol + 8 * np.finfo(dtype).eps * np.nan_to_num(exponent)
    _close(got, want, _floats(case["gradients"][-1]), x, dtype, rtol=rtol, what=name)
    assert [g is None for g in grads] == [g is None for g in case["gradients"]]
    for k, (got_g, want_g) in enumerate(zip(got_grads, [g for g in case["gradients"]
                                                        if g is not None])):
        want_g = _floats(want_g)
        if group == "igamma" and k == 1:
            # dP/dx at a = 1, x = 0 is 1 (exp(-x) x^0); TF's formula takes 0 * log(0) =
            # NaN for x^(a-1) there, graphc's xlogy the limit
            at = (points[:, 0] == 1) & (points[:, 1] == 0)
            assert np.isnan(want_g[at]).all() and (np.abs(got_g[at]) == 1).all()
            want_g[at] = got_g[at]
        rtol = (1e-9 if dtype == "float64" else 5e-4) + 64 * np.finfo(dtype).eps * \
            np.nan_to_num(exponent)
        # the float32 gradients in a of TF are float32 series sums (relative 1e-4 where
        # they cancel); both are 0 or subnormal where P is 1 to the last bit
        atol = 1e-300 if dtype == "float64" else 1e-30
        with np.errstate(invalid="ignore"):
            same = (got_g == want_g) | (np.isnan(got_g) & np.isnan(want_g)) | \
                (np.abs(got_g - want_g) <= rtol * np.abs(want_g) + atol)
        assert same.all(), (f"d{name}/d{'ax'[k] if group == 'igamma' else 'x'} at "
                            f"{points[~same]}: got {got_g[~same]}, TF {want_g[~same]}")


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_nextafter_matches_tensorflow(dtype):
    points = np.array(DATA["nextafter"]["points"]).astype(dtype)
    with tf.Graph().as_default(), tf.Session() as sess:
        got = sess.run(tf.math.nextafter(points[:, 0], points[:, 1]))
        x = tf.constant(points[:, 0])
        assert tf.gradients(tf.math.nextafter(x, points[:, 1]), x) == [None]  # as TF
    want = _floats(DATA["nextafter"][dtype]).astype(dtype)
    # TF flushes a subnormal result to 0 once (nextafter(1e-308, 0)); graphc's is numpy's
    flushed = (want == 0) & (np.abs(got) < np.finfo(dtype).tiny) & (points[:, 0] != 0)
    assert flushed.sum() == (dtype == "float64")
    np.testing.assert_array_equal(got[~flushed], want[~flushed])
    np.testing.assert_array_equal(got, np.nextafter(points[:, 0], points[:, 1]))


def test_identities_and_names():
    x = np.linspace(0.05, 0.95, 19)
    a, z = 2.5, np.linspace(0.1, 30.0, 25)
    with tf.Graph().as_default(), tf.Session() as sess:
        inv, roundtrip, pq, beta_sym, wronskian, y1 = sess.run([
            tf.math.erfinv(tf.math.erf(tf.constant(x))),
            tf.math.ndtri(0.5 * tf.math.erfc(-tf.constant(x) / np.sqrt(2))),
            tf.math.igamma(a, z) + tf.math.igammac(a, z),
            tf.math.betainc(2.0, 3.5, x) + tf.math.betainc(3.5, 2.0, 1 - x),
            tf.math.special.bessel_j1(z) * tf.math.special.bessel_y0(z) -
            tf.math.special.bessel_j0(z) * tf.math.special.bessel_y1(z),
            tf.math.special.bessel_y1(z)])
    np.testing.assert_allclose(inv, x, rtol=1e-14)
    np.testing.assert_allclose(roundtrip, x, rtol=1e-14)
    np.testing.assert_allclose(pq, 1.0, rtol=1e-14)
    np.testing.assert_allclose(beta_sym, 1.0, rtol=1e-14)
    np.testing.assert_allclose(wronskian, 2 / (np.pi * z), rtol=1e-12)   # A&S 9.1.16
    assert np.all(np.isfinite(y1))
    assert tf.igamma is tf.math.igamma and tf.igammac is tf.math.igammac
    assert tf.betainc is tf.math.betainc
    with tf.Graph().as_default():
        with pytest.raises(TypeError, match="int32"):
            tf.math.special.dawsn(tf.constant([1, 2]))
        with pytest.raises(TypeError, match="float64"):
            tf.math.igamma(tf.constant(1.0), tf.constant(2.0, tf.float64))
        with pytest.raises(ValueError, match="Betainc op .* not broadcast-compatible"):
            tf.math.betainc(tf.ones([2]), tf.ones([3]), tf.ones([2]))


def test_second_derivatives():
    with tf.Graph().as_default():
        a = tf.placeholder(tf.float64, [3])
        x = tf.placeholder(tf.float64, [3])
        p = tf.math.igamma(a, x)
        dpdx = tf.gradients(p, x)[0]
        d2 = tf.gradients(tf.gradients(p, a)[0], x)[0]   # d/dx dP/da = d/da dP/dx
        da_dpdx = tf.gradients(dpdx, a)[0]
        j = tf.math.special.bessel_j0(x)
        j2 = tf.gradients(tf.gradients(j, x)[0], x)[0]   # J0'' = -J0 + J1 / x
        with tf.Session() as sess:
            av, xv = np.array([0.8, 3.0, 9.0]), np.array([0.5, 2.0, 15.0])
            got, want, jj, j0, j1 = sess.run(
                [d2, da_dpdx, j2, j, tf.math.special.bessel_j1(x)], {a: av, x: xv})
    np.testing.assert_allclose(got, want, rtol=1e-10)
    np.testing.assert_allclose(jj, -j0 + j1 / xv, rtol=1e-12)


def test_igammas_second_derivative_in_a_raises_naming_the_op():
    # TF defines no gradient of IgammaGradA: differentiating dP/da in a is a LookupError
    # naming it, never a silent None or zero (its x part, d/dx dP/da, stays defined)
    with tf.Graph().as_default():
        a = tf.placeholder(tf.float64, [3])
        x = tf.placeholder(tf.float64, [3])
        dpda = tf.gradients(tf.math.igamma(a, x), a)[0]
        with pytest.raises(LookupError, match=r"input 0 .* of operation '.*IgammaGradA' "
                           r"\(op type: IgammaGradA\): igamma's second derivative in a"):
            tf.gradients(dpda, a)
        with pytest.raises(LookupError, match="IgammaGradA"):
            tf.gradients(tf.gradients(tf.math.igammac(a, x), a)[0], [a, x])
        assert tf.gradients(dpda, x)[0] is not None
