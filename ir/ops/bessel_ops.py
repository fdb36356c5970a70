"""The modified Bessel functions of order 0 and 1 (TF1's tf.math.special and tf.math
names): bessel_i0, bessel_i1 and bessel_k0, bessel_k1, with their exponentially scaled
forms i0e = exp(-|x|) I0, i1e, k0e = exp(x) K0, k1e.

Computed in float64 (float16/32 rounded once), by region:
  |x| <= 2        I_n by its power series;
  2 < |x| <= 30   exp(-|x|) I_n as the trapezoidal sum of its integral
                  (1/pi) int_0^pi exp(|x| (cos t - 1)) cos(n t) dt: for this periodic
                  integrand it converges faster than any power (64 nodes: error < 1e-140);
  0 < x < 2       K_n by its power series with I_n and log(x / 2) (A&S 9.6.11);
  2 <= x <= 30    exp(x) K_n as the trapezoidal sum of
                  int_0^inf exp(-x (cosh t - 1)) cosh(n t) dt (step h = 1/20: error about
                  exp(-pi^2 / h));
  beyond 30       both by the asymptotic series of Hankel (A&S 9.7.1-2), whose terms fall
below 1e-20 before they grow. As TF (Eigen): I1 and I1e are odd, I0 and I0e even, K_n is
inf for x <= 0. Gradients are TF1's: I0' = I1, I1' = I0 - I1 / x (1/2 at 0; TF
imputes 1 there), I0e' = I1e - sign(x) I0e, I1e' = I0e - I1e (sign(x) + 1/x) (1/2 at 0),
K0' = -K1, K1' = -K0 - K1 / x, K0e' = K0e - K1e, K1e' = K1e (1 - 1/x) - K0e.
"""
from __future__ import annotations

import math
from typing import Optional

import numpy as np

from .. import dtypes as dt
from ._base import apply, check_dtype, convert_to_tensor, defop
from .math_ops import (add, divide, equal, multiply, negative, reciprocal, sign, subtract,
                       where_v2)

__all__ = ["bessel_i0", "bessel_i0e", "bessel_i1", "bessel_i1e", "bessel_k0", "bessel_k0e",
           "bessel_k1", "bessel_k1e"]

_EULER = 0.57721566490153286061
_I_NODES = np.linspace(0.0, np.pi, 65)
_I_WEIGHTS = np.full(65, 1.0 / 64)
_I_WEIGHTS[[0, -1]] = 0.5 / 64
_K_STEP = 0.05


def _asymptotic(x, n: int, alternate: bool):
    """sum_k (+-1)^k a_k(n) / x^k, a_k = prod_{j<=k} (4n^2 - (2j-1)^2) / (k! 8^k)."""
    mu = 4.0 * n * n
    term = np.ones_like(x)
    total = np.ones_like(x)
    for k in range(1, 31):
        term = term * (mu - (2 * k - 1) ** 2) / (k * 8.0 * x)
        total = total + (-term if alternate and k % 2 else term)
    return total


def power_series(x: np.ndarray, n: int, sign: int = 1) -> np.ndarray:
    """I_n(x) = sum_k (x/2)^(2k+n) / (k! (k+n)!), or with sign -1 J_n(x) = sum_k (-1)^k
    (x/2)^(2k+n) / (k! (k+n)!) (special_integral_ops), for |x| <= 2 (30 terms: exact)."""
    q = sign * x * x / 4
    term = np.ones_like(x) if n == 0 else x / 2
    total = np.zeros_like(x)
    for k in range(30):
        total = total + term
        term = term * q / ((k + 1) * (k + n + 1))
    return total


def _scaled_i(x: np.ndarray, n: int) -> np.ndarray:
    """exp(-x) I_n(x) for x >= 0."""
    out = np.empty_like(x)
    series, large = x <= 2, x > 30
    mid = ~series & ~large
    out[series] = power_series(x[series], n) * np.exp(-x[series])
    xs = x[mid]
    integrand = np.exp(xs[:, None] * (np.cos(_I_NODES)[None, :] - 1.0)) * \
        np.cos(n * _I_NODES)[None, :]
    out[mid] = integrand @ _I_WEIGHTS
    xl = x[large]
    out[large] = _asymptotic(xl, n, True) / np.sqrt(2 * np.pi * xl)
    return out


def _k_series(x: np.ndarray, n: int) -> np.ndarray:
    """K_n(x) for 0 < x < 2 (A&S 9.6.11), with I_n from its own series."""
    q = x * x / 4
    log_half = np.log(x / 2)
    term = np.ones_like(x) if n == 0 else x / 2        # (x/2)^n (x^2/4)^k / (k! (k+n)!)
    i_n = np.zeros_like(x)
    psi_sum = np.zeros_like(x)
    psi_k1 = -_EULER                                    # psi(k + 1)
    psi_kn1 = -_EULER + (1.0 if n == 1 else 0.0)        # psi(k + n + 1)
    for k in range(30):
        i_n = i_n + term
        psi_sum = psi_sum + (psi_k1 + psi_kn1) * term
        psi_k1 += 1.0 / (k + 1)
        psi_kn1 += 1.0 / (k + n + 1)
        term = term * q / ((k + 1) * (k + n + 1))
    if n == 0:
        return -log_half * i_n + psi_sum / 2
    return 1 / x + log_half * i_n - psi_sum / 2


def _scaled_k(x: np.ndarray, n: int) -> np.ndarray:
    """exp(x) K_n(x) for x > 0."""
    out = np.empty_like(x)
    small, large = x < 2, x > 30
    mid = ~small & ~large
    out[small] = _k_series(x[small], n) * np.exp(x[small])
    xm = x[mid]
    if xm.size:
        t = np.arange(0.0, math.acosh(1 + 45 / 2) + _K_STEP, _K_STEP)
        weights = np.full(t.size, _K_STEP)
        weights[0] = _K_STEP / 2
        out[mid] = np.exp(-xm[:, None] * (np.cosh(t)[None, :] - 1.0)) @ \
            (weights * np.cosh(n * t))
    xl = x[large]
    out[large] = _asymptotic(xl, n, False) * np.sqrt(np.pi / (2 * xl))
    return out


def unary_in_float64(fn):
    """A unary kernel from `fn` of a flat float64 array: float32 inputs computed in
    float64 and rounded once (special_inverse_ops and special_integral_ops use it too)."""
    def kernel(x):
        with np.errstate(all="ignore"):
            out = fn(np.asarray(x, np.float64).reshape(-1))
        return out.reshape(np.shape(x)).astype(x.dtype, copy=False)
    return kernel


def _i(n: int, scaled: bool):
    def fn(x):
        a = np.abs(x)
        out = _scaled_i(np.where(np.isfinite(a), a, 0.0), n)
        out = np.where(np.isinf(a), 0.0 if scaled else np.inf, out)
        if not scaled:
            out = out * np.exp(a)
        if n == 1:
            out = np.where(x < 0, -out, out)
        return np.where(np.isnan(x), np.nan, out)
    return unary_in_float64(fn)


def _k(n: int, scaled: bool):
    def fn(x):
        positive = (x > 0) & np.isfinite(x)
        out = np.full_like(x, np.inf)
        out[positive] = _scaled_k(x[positive], n)
        if not scaled:
            out[positive] = out[positive] * np.exp(-x[positive])
        out = np.where(x == np.inf, 0.0, out)
        return np.where(np.isnan(x), np.nan, out)
    return unary_in_float64(fn)


# ------------------------------------------------------------------ op definitions
def _infer(op):
    check_dtype(op, op.inputs[0], dt.FLOATS)
    return [(op.inputs[0].dtype, op.inputs[0].shape)]


def define_unary(op_type: str, kernel, grad, name: Optional[str] = None):
    """A float elementwise op whose gradient is g * grad(x, y) and its builder (TF1's
    `name` for its __name__ and docstring; special_integral_ops defines its ops so too)."""
    def vjp(op, grads):
        x, y = op.inputs[0], op.outputs[0]
        return [multiply(grads[0], grad(x, y))]
    defop(op_type, _infer, kernel, vjp, elementwise=True, family="unary")

    def builder(x, name: Optional[str] = None):
        return apply(op_type, (convert_to_tensor(x, name="x"),), name=name or op_type)
    if name is not None:
        builder.__name__ = builder.__qualname__ = name
        builder.__doc__ = f"TF1 `tf.math.special.{name}`, elementwise (see its module's " \
            "comment)."
    return builder


def _at_zero(x, value, expression):
    return where_v2(equal(x, np.asarray(0, x.dtype.np)), np.asarray(value, x.dtype.np),
                    expression)


bessel_i0 = define_unary("BesselI0", _i(0, False), lambda x, y: bessel_i1(x), "bessel_i0")
bessel_i0e = define_unary("BesselI0e", _i(0, True), lambda x, y: subtract(
    bessel_i1e(x), multiply(sign(x), y)), "bessel_i0e")
bessel_i1 = define_unary("BesselI1", _i(1, False), lambda x, y: _at_zero(
    x, 0.5, subtract(bessel_i0(x), divide(y, x))), "bessel_i1")
bessel_i1e = define_unary("BesselI1e", _i(1, True), lambda x, y: _at_zero(
    x, 0.5, subtract(bessel_i0e(x), multiply(y, add(sign(x), reciprocal(x))))), "bessel_i1e")
bessel_k0 = define_unary("BesselK0", _k(0, False), lambda x, y: negative(bessel_k1(x)),
                         "bessel_k0")
bessel_k0e = define_unary("BesselK0e", _k(0, True), lambda x, y: subtract(y, bessel_k1e(x)),
                          "bessel_k0e")
bessel_k1 = define_unary("BesselK1", _k(1, False), lambda x, y: subtract(
    negative(bessel_k0(x)), divide(y, x)), "bessel_k1")
bessel_k1e = define_unary("BesselK1e", _k(1, True), lambda x, y: subtract(
    multiply(y, subtract(np.asarray(1, x.dtype.np), reciprocal(x))), bessel_k0e(x)),
    "bessel_k1e")
