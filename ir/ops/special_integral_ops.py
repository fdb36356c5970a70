"""TF1's tf.math.special functions defined by integrals, elementwise: the Bessel functions
of the first and second kind bessel_j0, j1, y0, y1, Dawson's integral dawsn, the
exponential integral expint (Ei), the Fresnel integrals fresnel_cos and fresnel_sin and
Spence's function spence (the dilogarithm Li2(1 - x)).

Computed in float64 (float32 rounded once), numpy only, by region:
  J_n, |x| <= 2    the power series;
  J_m, |x| <= 25   the trapezoidal sum of J_m(x) = 1/(2 pi) int_0^2pi cos(m t - x sin t) dt
                   over 128 nodes, exact to J_{128-m}(x) (< 1e-17 for the m <= 64 used)
                   for this periodic integrand;
  Y_n, 0 < x <= 25 Neumann's series Y0 = 2/pi ((log(x/2) + gamma) J0 - 2 sum_k (-1)^k
                   J_2k / k) (A&S 9.1.88) and its derivative, Y1 = -Y0', over those J_m;
  beyond 25        Hankel's asymptotic series (A&S 9.2.5-10), whose terms fall below 1e-19
                   before they grow, with cos and sin of x - (2n+1) pi / 4 expanded in
                   cos x and sin x (no rounding of x - pi/4 for large x);
  dawsn            its Taylor series for |x| < 0.2, Rybicki's exponentially convergent sum
                   (step 0.2: error exp(-(pi / 0.4)^2) < 1e-26) up to 50, the asymptotic
                   series 1/(2x) sum (2k-1)!! / (2x^2)^k beyond;
  expint           Ei(x) = gamma + log x + sum x^k / (k k!) for 0 < x <= 40, the asymptotic
                   series e^x / x sum k! / x^k beyond (NaN for x < 0, as TF);
  fresnel          their power series for |x| < 1.5, the continued fraction of erfc at
                   (1 - i) sqrt(pi) x / 2 (modified Lentz in complex numbers) beyond, their
                   limits +-1/2 at +-inf;
  spence           Li2(z) at z = 1 - x (exact for x in [1/2, 2]) by its series after the
                   reflections z -> 1 - z, 1/z and z / (z - 1) bring |z| to <= 1/2.
Special values follow TF (Eigen's Cephes ports): J and Y are NaN at +inf, Y is -inf at
x <= 0 and at -inf, Ei(0) = -inf, spence(x < 0) and spence(inf) are NaN. Gradients are
TF1's: J0' = -J1, J1' = J0 - J1 / x (1/2 at 0), Y0' = -Y1, Y1' = Y0 - Y1 / x, dawsn' =
1 - 2 x dawsn, Ei' = e^x / x, C' = cos(pi x^2 / 2), S' = sin(pi x^2 / 2), spence' =
log(x) / (1 - x) (-1 at x = 1).
"""
from __future__ import annotations

import math

import numpy as np

from .bessel_ops import define_unary, power_series, unary_in_float64
from .math_ops import (cos, divide, equal, exp, log, multiply, negative, sin, square,
                       subtract, where_v2)

__all__ = ["bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1", "dawsn", "expint",
           "fresnel_cos", "fresnel_sin", "spence"]

_EULER = 0.57721566490153286061
_NODES = 2 * np.pi * np.arange(128) / 128
_ORDERS = np.arange(65)
_HANKEL_FROM = 25.0


# ------------------------------------------------------------------ Bessel J and Y
def _j_table(x, orders: int):
    """J_m(x) for m = 0..orders-1 (columns), |x| <= 25, by the trapezoidal sum (in
    blocks of 256 elements, to bound the temporary)."""
    out = np.empty((x.size, orders))
    m = _ORDERS[None, None, :orders] * _NODES[None, :, None]
    for start in range(0, x.size, 256):
        block = x[start:start + 256]
        out[start:start + 256] = np.cos(m - block[:, None, None] *
                                        np.sin(_NODES)[None, :, None]).mean(axis=1)
    return out


def _hankel(x, n: int):
    """(J_n, Y_n) for x > 25 by Hankel's series (A&S 9.2.5-10)."""
    mu = 4.0 * n * n
    p, q = np.ones_like(x), np.zeros_like(x)
    term = np.ones_like(x)
    for k in range(1, 40):
        term = term * (mu - (2 * k - 1) ** 2) / (k * 8.0 * x)
        if k % 2:
            q = q + (term if k % 4 == 1 else -term)
        else:
            p = p + (-term if k % 4 == 2 else term)
    c, s = np.cos(x), np.sin(x)
    root = math.sqrt(0.5)
    if n == 0:   # chi = x - pi/4
        cos_chi, sin_chi = (c + s) * root, (s - c) * root
    else:        # chi = x - 3 pi/4
        cos_chi, sin_chi = (s - c) * root, -(s + c) * root
    scale = np.sqrt(2 / (np.pi * x))
    return scale * (p * cos_chi - q * sin_chi), scale * (p * sin_chi + q * cos_chi)


def _bessel(x, n: int, kind: str):
    a = np.abs(x)
    out = np.full_like(x, np.nan)
    near = np.isfinite(a) & (a <= _HANKEL_FROM)
    far = np.isfinite(a) & (a > _HANKEL_FROM)
    table = _j_table(a[near], 2 if kind == "j" else 65)
    if kind == "j":
        out[near] = table[:, n]
        small = a <= 2           # the power series keeps tiny values' relative accuracy
        out[small] = power_series(a[small], n, -1)
        out[far] = _hankel(a[far], n)[0]
        if n == 1:
            out = np.where(x < 0, -out, out)
        return out
    xs = a[near]
    k = np.arange(1, 32)
    signs = (-1.0) ** k
    lead = np.log(xs / 2) + _EULER
    if n == 0:
        y = 2 / np.pi * (lead * table[:, 0] - 2 * (table[:, 2 * k] * signs / k).sum(axis=1))
    else:
        y = -2 / np.pi * (table[:, 0] / xs - lead * table[:, 1] -
                          ((table[:, 2 * k - 1] - table[:, 2 * k + 1]) * signs / k).sum(
                              axis=1))
    out[near] = y
    out[far] = _hankel(a[far], n)[1]
    out = np.where((x > 0) | np.isnan(x) | (x == np.inf), out, -np.inf)
    return np.where(x == np.inf, np.nan, out)


# ------------------------------------------------------------------ Dawson's integral
_RYBICKI_H = 0.2
_RYBICKI_N = np.arange(-61, 62, 2)          # odd offsets: exp(-(61 h)^2) ~ 1e-65


def _dawsn(x):
    a = np.abs(x)
    out = np.zeros_like(x)
    small = a < 0.2
    z = a[small] ** 2
    term, total = a[small].copy(), a[small].copy()
    for k in range(1, 20):                  # F = sum (-1)^k 2^k x^(2k+1) / (2k+1)!!
        term = term * (-2 * z) / (2 * k + 1)
        total = total + term
    out[small] = total
    mid = ~small & (a <= 50)
    am = a[mid]
    n0 = 2 * np.round(am / (2 * _RYBICKI_H))
    xp = am - n0 * _RYBICKI_H
    terms = np.exp(-(xp[:, None] - _RYBICKI_N[None, :] * _RYBICKI_H) ** 2) / \
        (_RYBICKI_N[None, :] + n0[:, None])
    out[mid] = terms.sum(axis=1) / math.sqrt(math.pi)
    far = ~small & ~mid & np.isfinite(a)
    af = a[far]
    inv = 1 / (2 * af * af)
    term, total = np.ones_like(af), np.ones_like(af)
    for k in range(1, 12):                  # 1/(2x) sum (2k-1)!! / (2 x^2)^k
        term = term * (2 * k - 1) * inv
        total = total + term
    out[far] = total / (2 * af)
    out = np.where(x < 0, -out, out)
    return np.where(np.isnan(x), np.nan, out)


# ------------------------------------------------------------------ exponential integral
def _expint(x):
    out = np.full_like(x, np.nan)
    series = (x > 0) & (x <= 40)
    xs = x[series]
    term, total = np.ones_like(xs), np.zeros_like(xs)
    for k in range(1, 200):                 # x^k / (k k!): the terms peak near k = x
        term = term * xs / k
        total = total + term / k
    out[series] = _EULER + np.log(xs) + total
    far = (x > 40) & np.isfinite(x)
    xf = x[far]
    term, total = np.ones_like(xf), np.ones_like(xf)
    for k in range(1, 40):                  # k! / x^k, smallest near k = x
        term = term * k / xf
        total = total + term
    out[far] = np.exp(xf) / xf * total
    out[x == 0] = -np.inf
    return out


# ------------------------------------------------------------------ Fresnel integrals
def _fresnel(x):
    """(C(x), S(x))."""
    a = np.abs(x)
    c, s = np.zeros_like(x), np.zeros_like(x)
    small = a < 1.5
    t = a[small]
    half_pi = np.pi / 2
    w = (half_pi * t * t) ** 2
    cterm, sterm = t.copy(), half_pi * t ** 3          # the k = 0 terms, before 1/(4k+1)
    csum, ssum = t.copy(), sterm / 3
    for k in range(1, 30):
        cterm = cterm * -w / ((2 * k - 1) * (2 * k))
        sterm = sterm * -w / ((2 * k) * (2 * k + 1))
        csum = csum + cterm / (4 * k + 1)
        ssum = ssum + sterm / (4 * k + 3)
    c[small], s[small] = csum, ssum
    big = ~small & np.isfinite(a)
    ab = a[big]
    pix2 = np.pi * ab * ab
    tiny = 1e-300
    b = 1 - 1j * pix2
    cc = np.full(ab.shape, 1 / tiny, complex)
    d = 1 / b
    h = d.copy()
    n = -1
    for _ in range(200):                    # erfc's continued fraction (modified Lentz)
        n += 2
        an = -n * (n + 1.0)
        b = b + 4
        d = 1 / (an * d + b)
        cc = b + an / cc
        h = h * cc * d
    h = (ab - 1j * ab) * h
    cs = (0.5 + 0.5j) * (1 - np.exp(0.5j * pix2) * h)
    c[big], s[big] = cs.real, cs.imag
    c[np.isinf(a)], s[np.isinf(a)] = 0.5, 0.5
    c, s = np.where(x < 0, -c, c), np.where(x < 0, -s, s)
    nan = np.isnan(x)
    return np.where(nan, np.nan, c), np.where(nan, np.nan, s)


# ------------------------------------------------------------------ Spence's function
def _li2_series(z):
    term, total = z.copy(), z.copy()
    for k in range(2, 60):                  # |z| <= 1/2: 2^-60 / 60^2 below 1e-21
        term = term * z
        total = total + term / (k * k)
    return total


def _li2(z):
    """Li2(z) for real z <= 1."""
    out = np.empty_like(z)
    zeta2 = np.pi ** 2 / 6
    near = np.abs(z) <= 0.5
    out[near] = _li2_series(z[near])
    upper = z > 0.5                          # Li2(z) = zeta2 - log z log(1-z) - Li2(1-z)
    zu = z[upper]
    logs = np.where(zu == 1, 0.0, np.log(zu) * np.log1p(-zu))   # (0 at z = 1)
    out[upper] = zeta2 - logs - _li2_series(1 - zu)
    landen = (z < -0.5) & (z >= -2)          # Li2(z) = -Li2(z/(z-1)) - log(1-z)^2 / 2
    zl = z[landen]
    w = zl / (zl - 1)                        # in [1/3, 2/3]
    inner = np.where(w <= 0.5, _li2_series(np.minimum(w, 0.5)),
                     zeta2 - np.log(w) * np.log1p(-w) - _li2_series(1 - w))
    out[landen] = -inner - 0.5 * np.log1p(-zl) ** 2
    far = z < -2                             # Li2(z) = -zeta2 - log(-z)^2/2 - Li2(1/z)
    zf = z[far]
    out[far] = -zeta2 - 0.5 * np.log(-zf) ** 2 - _li2_series(1 / zf)
    return out


def _spence(x):
    out = np.full_like(x, np.nan)
    ok = (x >= 0) & np.isfinite(x)
    out[ok] = _li2(1 - x[ok])
    return out


# ------------------------------------------------------------------ op definitions
def _c(t, v):
    return np.asarray(v, t.dtype.np)


def _at(x, point, value, expression):
    return where_v2(equal(x, _c(x, point)), _c(x, value), expression)


def _half_pi_square(x):
    return multiply(_c(x, math.pi / 2), square(x))


def _define(op_type: str, name: str, fn, grad):
    return define_unary(op_type, unary_in_float64(fn), grad, name=name)


bessel_j0 = _define("BesselJ0", "bessel_j0", lambda x: _bessel(x, 0, "j"),
                    lambda x, y: negative(bessel_j1(x)))
bessel_j1 = _define("BesselJ1", "bessel_j1", lambda x: _bessel(x, 1, "j"),
                    lambda x, y: _at(x, 0, 0.5, subtract(bessel_j0(x), divide(y, x))))
bessel_y0 = _define("BesselY0", "bessel_y0", lambda x: _bessel(x, 0, "y"),
                    lambda x, y: negative(bessel_y1(x)))
bessel_y1 = _define("BesselY1", "bessel_y1", lambda x: _bessel(x, 1, "y"),
                    lambda x, y: subtract(bessel_y0(x), divide(y, x)))
dawsn = _define("Dawsn", "dawsn", _dawsn,
                lambda x, y: subtract(_c(x, 1), multiply(_c(x, 2), multiply(x, y))))
expint = _define("Expint", "expint", _expint, lambda x, y: divide(exp(x), x))
fresnel_cos = _define("FresnelCos", "fresnel_cos", lambda x: _fresnel(x)[0],
                      lambda x, y: cos(_half_pi_square(x)))
fresnel_sin = _define("FresnelSin", "fresnel_sin", lambda x: _fresnel(x)[1],
                      lambda x, y: sin(_half_pi_square(x)))
spence = _define("Spence", "spence", _spence,
                 lambda x, y: _at(x, 1, -1.0, divide(log(x), subtract(_c(x, 1), x))))
