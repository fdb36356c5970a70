"""Inverse error functions and incomplete gamma and beta functions, elementwise (TF1's
tf.math names and semantics): erfinv, ndtri (the normal quantile), erfcinv, the
regularized incomplete gamma functions igamma = P(a, x) and igammac = Q(a, x) with
IgammaGradA (dP/da, TF's op), betainc = I_x(a, b), and nextafter.

Computed in float64 (float32 rounded once), numpy only:
  erfinv, ndtri   Newton's method from Giles' single-precision approximation: on erf(y)
                  = t for |t| <= 1/2, and on log erfc(y) = log q for the tails (q = 1 -
                  |x| for erfinv, 2p or 2(1 - p) for ndtri, all exact in float64), so the
                  tails keep their relative accuracy down to the smallest subnormal q
                  (log erfc is concave: from Giles' start the iterates approach the root
                  monotonically, and an error below 1 ulp takes at most 5 steps);
                  erfcinv(x) = -ndtri(x / 2) / sqrt(2), TF's composition.
  igamma(c)       Cephes' (Eigen's, TF's) power series of P for x <= max(1, a), its
                  continued fraction of Q beyond, each carrying its derivative in a
                  (forward mode, as Eigen does) for IgammaGradA.
  betainc         the continued fraction of I_x(a, b) (modified Lentz) on the side of
                  x < (a + 1) / (a + b + 2), and 1 - I_{1-x}(b, a) on the other.
Special values follow TF (Eigen): NaN for a <= 0 or x < 0 (igamma), for a, b <= 0 or x
outside [0, 1] (betainc) and |x| > 1 (erfinv); erfinv(+-1) = +-inf, ndtri(0) = -inf.
Gradients are TF1's: erfinv' = sqrt(pi)/2 exp(erfinv^2), ndtri' = sqrt(2 pi) exp(ndtri^2
/ 2), dP/dx = -dQ/dx = exp(-x) x^(a-1) / Gamma(a), dP/da = IgammaGradA (whose own
gradient is its x part; through a, tf.gradients raises: TF defines none), dI/dx =
x^(a-1) (1-x)^(b-1) / B(a, b) and none for betainc's a and b (TF defines none: tf.gradients returns None for them);
nextafter is not differentiable.
"""
from __future__ import annotations

import math
from typing import Optional

import numpy as np

from .. import dtypes as dt
from ..registry import NoGradient
from ..shapes import broadcast_shapes
from .bessel_ops import unary_in_float64
from ._base import (NON_DIFFERENTIABLE, apply, broadcast_infer, check_dtype, convert_pair,
                    convert_to_tensor, defop, graph_of)
from .grad_ops import reduce_to_operand
from .math_ops import exp, less, log, multiply, negative, square, subtract, where_v2
from .special_ops import digamma, digamma_np, lgamma, xlog1py, xlogy

__all__ = ["erfinv", "ndtri", "erfcinv", "igamma", "igammac", "igamma_grad_a", "betainc",
           "nextafter"]

_EPS = np.finfo(np.float64).eps
_MAX_TERMS = 4000            # the series' and fractions' terms grow as sqrt(a) (a <= 1e7)
_erf = np.vectorize(math.erf, otypes=[np.float64])
_erfc = np.vectorize(math.erfc, otypes=[np.float64])
_lgamma = np.vectorize(math.lgamma, otypes=[np.float64])

# Giles, "Approximating the erfinv function" (GPU Gems 4): single precision, the start
_GILES_CENTRAL = (2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06,
                  0.00021858087, -0.00125372503, -0.00417768164, 0.246640727, 1.50140941)
_GILES_TAIL = (-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844,
               0.00573950773, -0.0076224613, 0.00943887047, 1.00167406, 2.83297682)


def _horner(coeffs, w):
    p = np.zeros_like(w)
    for c in coeffs:
        p = p * w + c
    return p


def _giles(t, q):
    """Giles' erfinv(t) for |t| < 1, with q = 1 - |t| given exactly."""
    w = -np.log(q * (2 - q))
    central = w < 5
    p = np.where(central, _horner(_GILES_CENTRAL, w - 2.5),
                 _horner(_GILES_TAIL, np.sqrt(np.maximum(w, 5)) - 3))
    return p * np.abs(t)


def _solve_erf(t):
    """y with erf(y) = t, for |t| <= 1/2 (Newton on erf)."""
    y = _giles(t, 1 - np.abs(t)) * np.sign(t)
    for _ in range(4):
        y = y - (_erf(y) - t) / (2 / math.sqrt(math.pi) * np.exp(-y * y))
    return y


def _solve_erfc(q):
    """y >= 0 with erfc(y) = q, for 0 < q <= 1/2 (Newton on log erfc, module comment)."""
    y = _giles(np.ones_like(q), q)
    tiny = q < 1e-30          # beyond Giles' table: erfc(y) ~ exp(-y^2) / (y sqrt(pi))
    lq = -np.log(q)
    y = np.where(tiny, np.sqrt(np.maximum(lq - 0.5 * np.log(np.maximum(lq, 1.0)) - 0.5724, 1)),
                 y)
    target = np.log(q)
    for _ in range(8):
        e = _erfc(y)
        step = (np.log(e) - target) * e / (-2 / math.sqrt(math.pi) * np.exp(-y * y))
        y = y - step
    return y


def _erfinv_np(x):
    a = np.abs(x)
    small = a <= 0.5
    q = np.where(small | (a >= 1), 0.5, 1 - a)
    y = np.where(small, _solve_erf(np.where(small, x, 0.0)), _solve_erfc(q) * np.sign(x))
    y = np.where(a == 1, np.copysign(np.inf, x), y)
    return np.where((a > 1) | np.isnan(x), np.nan, y)


def _ndtri_np(p):
    central = (p >= 0.25) & (p <= 0.75)
    tail = np.where(p < 0.5, 2 * p, 2 * (1 - p))       # exact in float64
    inner = (tail > 0) & ~central & (p > 0) & (p < 1)
    y_tail = _solve_erfc(np.where(inner, tail, 0.5))
    z = np.where(central, math.sqrt(2) * _solve_erf(np.where(central, 2 * p - 1, 0.0)),
                 math.sqrt(2) * np.where(p < 0.5, -y_tail, y_tail))
    z = np.where(p == 0, -np.inf, np.where(p == 1, np.inf, z))
    return np.where((p < 0) | (p > 1) | np.isnan(p), np.nan, z)


# ------------------------------------------------------------------ incomplete gamma
def _active_loop(n, step):
    """Run `step(index)` on the still-unconverged elements (step returns their done mask)."""
    live = np.arange(n)
    for _ in range(_MAX_TERMS):
        if not live.size:
            return
        live = live[~step(live)]


def _gamma_series(a, x, derivative: bool):
    """P(a, x) by its series (or dP/da): x^a e^-x / Gamma(a + 1) sum x^n / (a+1)...(a+n)."""
    r, c, total = a.copy(), np.ones_like(a), np.ones_like(a)
    dc, dtotal = np.zeros_like(a), np.zeros_like(a)

    def step(i):
        r[i] += 1
        term = x[i] / r[i]
        dc[i] = term * dc[i] - x[i] / (r[i] * r[i]) * c[i]
        dtotal[i] += dc[i]
        c[i] *= term
        total[i] += c[i]
        if derivative:
            return np.abs(dc[i]) <= _EPS * np.abs(dtotal[i])
        return c[i] <= _EPS * total[i]
    _active_loop(a.size, step)
    ax = np.exp(a * np.log(x) - x - _lgamma(a + 1))
    if not derivative:
        return total * ax
    return ax * (total * (np.log(x) - digamma_np(a + 1)) + dtotal)


def _gamma_fraction(a, x, derivative: bool):
    """Q(a, x) by Cephes' continued fraction (or dQ/da), for x > max(1, a)."""
    big, inv_big = 2.0 ** 52, 2.0 ** -52
    y, z, c = 1 - a, x + 2 - a, np.zeros_like(a)
    pkm2, qkm2, pkm1, qkm1 = np.ones_like(a), x.copy(), x + 1, (x + 2 - a) * x
    dpkm2, dqkm2, dpkm1, dqkm1 = (np.zeros_like(a), np.zeros_like(a), np.zeros_like(a),
                                  -x.copy())
    ans = pkm1 / qkm1
    dans = (dpkm1 - ans * dqkm1) / qkm1

    def step(i):
        c[i] += 1
        y[i] += 1
        z[i] += 2
        yc = y[i] * c[i]
        pk = pkm1[i] * z[i] - pkm2[i] * yc
        qk = qkm1[i] * z[i] - qkm2[i] * yc
        dpk = dpkm1[i] * z[i] - pkm1[i] - dpkm2[i] * yc + pkm2[i] * c[i]
        dqk = dqkm1[i] * z[i] - qkm1[i] - dqkm2[i] * yc + qkm2[i] * c[i]
        ok = qk != 0
        prev, dprev = ans[i], dans[i]
        new = np.where(ok, pk / np.where(ok, qk, 1), prev)
        dnew = np.where(ok, (dpk - new * dqk) / np.where(ok, qk, 1), dprev)
        ans[i], dans[i] = new, dnew
        done = ok & ((np.abs(dnew - dprev) <= _EPS) if derivative else
                     (np.abs(prev - new) <= _EPS * np.abs(new)))
        pkm2[i], pkm1[i], qkm2[i], qkm1[i] = pkm1[i], pk, qkm1[i], qk
        dpkm2[i], dpkm1[i], dqkm2[i], dqkm1[i] = dpkm1[i], dpk, dqkm1[i], dqk
        scale = np.where(np.abs(pk) > big, inv_big, 1.0)
        for arr in (pkm2, pkm1, qkm2, qkm1, dpkm2, dpkm1, dqkm2, dqkm1):
            arr[i] *= scale
        return done
    _active_loop(a.size, step)
    ax = np.exp(a * np.log(x) - x - _lgamma(a))
    if not derivative:
        return ans * ax
    return ax * (ans * (np.log(x) - digamma_np(a)) + dans)


def _igamma_parts(a, x, derivative: bool, upper: bool):
    """P (or Q, or their derivative in a) on flat float64 arrays."""
    a, x = (np.asarray(v, np.float64).ravel() for v in np.broadcast_arrays(a, x))
    out = np.full(a.shape, np.nan)
    valid = (a > 0) & (x >= 0) & ~np.isnan(a) & ~np.isnan(x)
    fraction = valid & (x > 1) & (x > a) & np.isfinite(x) & np.isfinite(a)
    series = valid & ~fraction & (x > 0) & np.isfinite(a) & np.isfinite(x)
    lower = _gamma_series(a[series], x[series], derivative)
    upper_part = _gamma_fraction(a[fraction], x[fraction], derivative)
    sign = -1.0 if upper else 1.0
    if derivative:
        out[series], out[fraction] = sign * lower, -sign * upper_part
        out[valid & ((x == 0) | np.isinf(x) | np.isinf(a))] = 0.0
        return out
    out[series] = 1 - lower if upper else lower
    out[fraction] = upper_part if upper else 1 - upper_part
    zero_end = valid & ((x == 0) | (np.isinf(a) & np.isfinite(x)))
    out[zero_end] = 1.0 if upper else 0.0
    out[valid & np.isinf(x)] = 0.0 if upper else 1.0
    return out


def _gamma_kernel(derivative: bool, upper: bool):
    def kernel(a, x):
        shape = np.broadcast_shapes(np.shape(a), np.shape(x))
        with np.errstate(all="ignore"):
            out = _igamma_parts(a, x, derivative, upper)
        return out.reshape(shape).astype(np.result_type(a, x), copy=False)
    return kernel


# ------------------------------------------------------------------ incomplete beta
def _beta_fraction(a, b, x):
    """The continued fraction of I_x(a, b) (modified Lentz), for x < (a+1)/(a+b+2)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1, a - 1
    d = 1 - qab * x / qap
    d = 1 / np.where(np.abs(d) < tiny, tiny, d)
    c, h, m = np.ones_like(a), d.copy(), np.zeros_like(a)

    def lentz(i, aa):
        d[i] = 1 + aa * d[i]
        d[i] = 1 / np.where(np.abs(d[i]) < tiny, tiny, d[i])
        c[i] = 1 + aa / c[i]
        c[i] = np.where(np.abs(c[i]) < tiny, tiny, c[i])
        return d[i] * c[i]

    def step(i):
        m[i] += 1
        m2 = 2 * m[i]
        h[i] *= lentz(i, m[i] * (b[i] - m[i]) * x[i] / ((qam[i] + m2) * (a[i] + m2)))
        delta = lentz(i, -(a[i] + m[i]) * (qab[i] + m[i]) * x[i] / ((a[i] + m2) *
                                                                    (qap[i] + m2)))
        h[i] *= delta
        return np.abs(delta - 1) <= _EPS
    _active_loop(a.size, step)
    front = np.exp(a * np.log(x) + b * np.log1p(-x) - (_lgamma(a) + _lgamma(b) -
                                                        _lgamma(a + b)))
    return front * h / a


def _betainc_np(a, b, x):
    shape = np.broadcast_shapes(np.shape(a), np.shape(b), np.shape(x))
    dtype = np.result_type(a, b, x)
    a, b, x = (np.asarray(v, np.float64).ravel() for v in np.broadcast_arrays(a, b, x))
    out = np.full(a.shape, np.nan)
    with np.errstate(all="ignore"):
        valid = (a > 0) & (b > 0) & (x >= 0) & (x <= 1)
        inner = valid & (x > 0) & (x < 1)
        direct = inner & (x < (a + 1) / (a + b + 2))
        mirror = inner & ~direct
        out[direct] = _beta_fraction(a[direct], b[direct], x[direct])
        out[mirror] = 1 - _beta_fraction(b[mirror], a[mirror], 1 - x[mirror])
        out[valid & (x == 0)] = 0.0
        out[valid & (x == 1)] = 1.0
    return out.reshape(shape).astype(dtype, copy=False)


# ------------------------------------------------------------------ op definitions
def _c(t, v):
    return np.asarray(v, t.dtype.np)


def _unary_infer(op):
    check_dtype(op, op.inputs[0], (dt.float32, dt.float64))
    return [(op.inputs[0].dtype, op.inputs[0].shape)]


def _unary(op_type: str, kernel, grad):
    defop(op_type, _unary_infer, kernel,
          lambda op, grads: [multiply(grads[0], grad(op.outputs[0]))],
          elementwise=True, family="unary")

    def builder(x, name: Optional[str] = None):
        return apply(op_type, (convert_to_tensor(x, name="x"),), name=name or op_type)
    return builder


_erfinv = _unary("Erfinv", unary_in_float64(_erfinv_np),
                 lambda y: multiply(_c(y, math.sqrt(math.pi) / 2), exp(square(y))))
_ndtri = _unary("Ndtri", unary_in_float64(_ndtri_np),
                lambda y: multiply(_c(y, math.sqrt(2 * math.pi)),
                                   exp(multiply(square(y), _c(y, 0.5)))))


def erfinv(x, name: Optional[str] = None):
    """TF1 `tf.math.erfinv`: the inverse of erf on [-1, 1] (see the module comment)."""
    return _erfinv(x, name=name)


def ndtri(x, name: Optional[str] = None):
    """TF1 `tf.math.ndtri`: the standard normal quantile, the inverse of ndtr."""
    return _ndtri(x, name=name)


def erfcinv(x, name: Optional[str] = None):
    """TF1 `tf.math.erfcinv`: the inverse of erfc on [0, 2], as TF: -ndtri(x / 2) /
    sqrt(2)."""
    g = graph_of((x,))
    with g.as_default(), g.name_scope(name or "erfcinv") as scope:
        x = convert_to_tensor(x, name="x")
        return multiply(negative(ndtri(multiply(x, _c(x, 0.5)))), _c(x, math.sqrt(0.5)),
                        name=scope)


def _gamma_infer(op):
    return broadcast_infer(op, allowed=(dt.float32, dt.float64))


def _dgamma_dx(a, x):
    """exp(-x) x^(a-1) / Gamma(a) = dP/dx (its limit 1 at a = 1, x = 0, where TF's
    (a - 1) log(x) is NaN; NaN for x < 0, as P)."""
    dx = exp(subtract(subtract(xlogy(subtract(a, _c(a, 1)), x), x), lgamma(a)))
    return where_v2(less(x, _c(x, 0)), _c(x, np.nan), dx)


def _igamma_vjp(sign: float):
    def vjp(op, grads):
        a, x = op.inputs
        g = grads[0]
        ga = multiply(g, igamma_grad_a(a, x))
        gx = multiply(g, _dgamma_dx(a, x))
        if sign < 0:
            ga, gx = negative(ga), negative(gx)
        return [reduce_to_operand(ga, a), reduce_to_operand(gx, x)]
    return vjp


defop("Igamma", _gamma_infer, _gamma_kernel(False, False), _igamma_vjp(1.0),
      elementwise=True, family="binary")
defop("Igammac", _gamma_infer, _gamma_kernel(False, True), _igamma_vjp(-1.0),
      elementwise=True, family="binary")


def _igamma_grad_a_vjp(op, grads):
    """d/dx dP/da = dP/dx (log x - digamma(a)); none for a: differentiating through a
    raises, as TF's (which defines no gradient of IgammaGradA at all)."""
    a, x = op.inputs
    gx = multiply(grads[0], multiply(_dgamma_dx(a, x), subtract(log(x), digamma(a))))
    return [NoGradient("igamma's second derivative in a (d2P/da2) is not implemented, as "
                       "in TensorFlow"), reduce_to_operand(gx, x)]


defop("IgammaGradA", _gamma_infer, _gamma_kernel(True, False), _igamma_grad_a_vjp,
      elementwise=True, family="binary")


def _binary_builder(op_type: str, default: str):
    def builder(a, x, name: Optional[str] = None):
        a, x = convert_pair(a, x, "a", "x")
        return apply(op_type, (a, x), name=name or default)
    return builder


_igamma = _binary_builder("Igamma", "Igamma")
_igammac = _binary_builder("Igammac", "Igammac")
_igamma_grad_a = _binary_builder("IgammaGradA", "IgammaGradA")


def igamma(a, x, name: Optional[str] = None):
    """TF1 `tf.math.igamma(a, x)`: the regularized lower incomplete gamma function P(a, x)
    = 1 / Gamma(a) int_0^x t^(a-1) exp(-t) dt."""
    return _igamma(a, x, name=name)


def igammac(a, x, name: Optional[str] = None):
    """TF1 `tf.math.igammac(a, x)`: the regularized upper incomplete gamma function
    Q(a, x) = 1 - P(a, x)."""
    return _igammac(a, x, name=name)


def igamma_grad_a(a, x, name: Optional[str] = None):
    """TF's `IgammaGradA`: dP(a, x)/da (igamma's gradient in a)."""
    return _igamma_grad_a(a, x, name=name)


def _betainc_infer(op):
    a, b, x = op.inputs
    for t in (a, b, x):
        check_dtype(op, t, (dt.float32, dt.float64))
    if len({a.dtype, b.dtype, x.dtype}) > 1:
        raise TypeError(f"Betainc op '{op.name}' requires a, b and x of one dtype, got "
                        f"{a.dtype.name}, {b.dtype.name} and {x.dtype.name}")
    shape = broadcast_shapes(a.shape, b.shape)
    shape = None if shape is None else broadcast_shapes(shape, x.shape)
    if shape is None:
        raise ValueError(f"Betainc op '{op.name}': shapes {a.shape}, {b.shape} and "
                         f"{x.shape} of a, b and x are not broadcast-compatible")
    return [(a.dtype, shape)]


def _betainc_vjp(op, grads):
    a, b, x = op.inputs
    log_beta = subtract(lgamma(a) + lgamma(b), lgamma(a + b))
    dx = exp(subtract(xlog1py(subtract(b, _c(b, 1)), negative(x)) +
                      xlogy(subtract(a, _c(a, 1)), x), log_beta))
    return [None, None, reduce_to_operand(multiply(grads[0], dx), x)]


defop("Betainc", _betainc_infer, _betainc_np, _betainc_vjp, elementwise=True,
      family="ternary")


def betainc(a, b, x, name: Optional[str] = None):
    """TF1 `tf.math.betainc(a, b, x)`: the regularized incomplete beta function
    I_x(a, b) = B(x; a, b) / B(a, b)."""
    g = graph_of((a, b, x))
    with g.as_default():
        x = convert_to_tensor(x, name="x")
        a = convert_to_tensor(a, name="a", dtype=x.dtype)
        b = convert_to_tensor(b, name="b", dtype=x.dtype)
        return apply("Betainc", (a, b, x), name=name or "Betainc")


def _nextafter_kernel(x1, x2):
    return np.asarray(np.nextafter(x1, x2), dtype=np.result_type(x1, x2))


defop("NextAfter", _gamma_infer, _nextafter_kernel, NON_DIFFERENTIABLE, elementwise=True,
      family="binary")


def nextafter(x1, x2, name: Optional[str] = None):
    """TF1 `tf.math.nextafter(x1, x2)`: the next representable value after x1 toward x2."""
    x1, x2 = convert_pair(x1, x2, "x1", "x2")
    return apply("NextAfter", (x1, x2), name=name or "NextAfter")


from ..naming import name_builders  # noqa: E402

name_builders(globals())
