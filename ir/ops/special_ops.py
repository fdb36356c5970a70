"""Special functions and safe divisions, elementwise (TF1's names and semantics).

erfc, lgamma, digamma (Eigen's algorithm: reflection for x <= 0, NaN at the poles, the
recurrence up to 10 and the asymptotic series), polygamma and the Hurwitz zeta function
(Cephes' Euler-Maclaurin sum), and TF's zero-guarded xlogy, xlog1py, xdivy, div_no_nan
and multiply_no_nan: `xlogy(0, y)`, `xlog1py(0, y)` and `xdivy(0, y)` are 0 for every y,
`div_no_nan(x, 0)` and `multiply_no_nan(x, 0)` are 0 for every x.

float32 inputs are computed in float64 and rounded once (both backends), so values near a
root of lgamma or digamma stay accurate. Gradients are TF1's (lgamma' = digamma,
digamma' = polygamma(1, .), polygamma(a, .)' = polygamma(a + 1, .), zeta(x, q)'_q =
-x zeta(x + 1, q); none for polygamma's order or zeta's x).
"""
from __future__ import annotations

import math
from typing import Optional

import numpy as np

from .. import dtypes as dt
from ._base import (apply, broadcast_infer, check_dtype, convert_pair, convert_to_tensor,
                    defop, graph_of)
from .grad_ops import reduce_to_operand
from .math_ops import cast, equal, exp, log, log1p, multiply, negative, not_equal, square, where_v2

__all__ = ["erfc", "lgamma", "digamma", "polygamma", "zeta", "xlogy", "xdivy", "xlog1py",
           "div_no_nan", "divide_no_nan", "multiply_no_nan"]


def _wide(fn):
    """Compute in float64, return the input's dtype (one rounding for float32)."""
    def kernel(*arrays):
        with np.errstate(all="ignore"):
            out = fn(*[np.asarray(a, np.float64) for a in arrays])
        return np.asarray(out, dtype=np.result_type(*arrays))
    return kernel


def _map(fn):
    vec = np.vectorize(fn, otypes=[np.float64])
    return lambda x: vec(x) if x.size else x.copy()


def _lgamma_scalar(v: float) -> float:
    if v <= 0 and math.isfinite(v) and v == math.floor(v):
        return math.inf  # the poles (and -inf), as std::lgamma
    return math.lgamma(v)


# Asymptotic series of digamma: B_2k / 2k, highest order first (Cephes' psi table A).
DIGAMMA_SERIES = (8.33333333333333333333e-2, -2.10927960927960927961e-2,
                  7.57575757575757575758e-3, -4.16666666666666666667e-3,
                  3.96825396825396825397e-3, -8.33333333333333333333e-3,
                  8.33333333333333333333e-2)
DIGAMMA_SHIFT = 10  # the recurrence moves x to [10, 20) before the series


def digamma_np(x: np.ndarray) -> np.ndarray:
    """Eigen's digamma (TF's), on float64 arrays, step for step as the llvm emitter."""
    neg = x <= 0
    p = np.floor(x)
    pole = neg & (p == x)
    nz = x - p
    up = nz > 0.5
    nz = np.where(up, x - (p + 1), nz)
    reflect = np.where(nz == 0.5, 0.0, np.pi / np.tan(np.pi * nz))
    s = np.where(neg, 1 - x, x)
    w = np.zeros_like(s)
    for _ in range(DIGAMMA_SHIFT):
        small = s < DIGAMMA_SHIFT
        w = np.where(small, w + 1 / s, w)
        s = np.where(small, s + 1, s)
    z = 1 / (s * s)
    poly = np.zeros_like(s)
    for c in DIGAMMA_SERIES:
        poly = poly * z + c
    y = np.log(s) - 0.5 / s - z * poly - w
    y = np.where(neg, y - reflect, y)
    return np.where(pole, np.nan, y)


_ZETA_A = (12.0, -720.0, 30240.0, -1209600.0, 47900160.0, -1.8924375803183791606e9,
           7.47242496e10, -2.950130727918164224e12, 1.1646782814350067249e14,
           -4.5979787224074726105e15, 1.8152105401943546773e17, -7.1661652561756670113e18)


def zeta_np(x: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Hurwitz zeta(x, q) = sum_k (q + k)^-x (Cephes: direct sum until q + k > 9, then
    the Euler-Maclaurin tail); inf at x == 1, NaN for x < 1; at q <= 0 inf for integer q,
    NaN for a non-integer x (Cephes' and Eigen's rules)."""
    x, q = np.broadcast_arrays(x, q)
    x, q = x.astype(np.float64), q.astype(np.float64)
    pole = (q <= 0) & (q == np.floor(q))
    undefined = (q <= 0) & (x != np.floor(x))  # q^-x of a negative q
    qs = np.where(pole | undefined, 1.0, q)
    s = qs ** -x
    a = qs.copy()
    b = np.zeros_like(s)
    i = 0
    while i < 9 or np.any(a <= 9.0):
        more = (a <= 9.0) | (i < 9)
        i += 1
        a = np.where(more, a + 1, a)
        b = np.where(more, a ** -x, b)
        s = np.where(more, s + b, s)
    w = a
    s = s + b * w / (x - 1) - 0.5 * b
    fa, k = np.ones_like(s), np.zeros_like(s)
    for coeff in _ZETA_A:
        fa = fa * (x + k)
        b = b / w
        s = s + fa * b / coeff
        k = k + 1
        fa = fa * (x + k)
        b = b / w
        k = k + 1
    out = np.where(x == 1, np.inf, np.where(x < 1, np.nan, s))
    return np.where(pole, np.inf, np.where(undefined, np.nan, out))


def polygamma_np(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """polygamma(a, x): digamma for a == 0, (-1)^(a+1) a! zeta(a + 1, x) for integer
    a >= 1, NaN for other orders (Eigen)."""
    a, x = np.broadcast_arrays(a, x)
    n = np.where((a >= 0) & (a == np.floor(a)) & (a < 171), a, 0)
    fact = np.vectorize(lambda v: float(math.factorial(int(v))), otypes=[np.float64])(n) \
        if n.size else n.astype(np.float64)
    sign = np.where(np.mod(n, 2) == 0, -1.0, 1.0)
    out = np.where(n == 0, digamma_np(x), sign * fact * zeta_np(n + 1, x))
    return np.where((a < 0) | (a != np.floor(a)), np.nan, out)


# ------------------------------------------------------------------ op definitions
def _unary(op_type: str, kernel, vjp):
    def infer(op):
        check_dtype(op, op.inputs[0], dt.FLOATS)
        return [(op.inputs[0].dtype, op.inputs[0].shape)]
    defop(op_type, infer, kernel, vjp, elementwise=True, family="unary")

    def builder(x, name: Optional[str] = None):
        return apply(op_type, (convert_to_tensor(x, name="x"),), name=name or op_type)
    return builder


def _binary(op_type: str, kernel, vjp, scope: Optional[str] = None):
    defop(op_type, lambda op: broadcast_infer(op, allowed=dt.FLOATS), kernel, vjp,
          elementwise=True, family="binary")

    def builder(x, y, name: Optional[str] = None):
        if scope is None:  # a generated op wrapper: no scope of its own
            x, y = convert_pair(x, y)
            return apply(op_type, (x, y), name=name or op_type)
        g = graph_of((x, y))
        with g.as_default(), g.name_scope(name or scope) as s:
            x, y = convert_pair(x, y)
            return apply(op_type, (x, y), name=s)
    return builder


def _c(t, v):
    return np.asarray(v, t.dtype.np)


def _erfc_vjp(op, grads):
    x = op.inputs[0]
    return [multiply(grads[0], multiply(_c(x, -2 / math.sqrt(math.pi)),
                                        exp(negative(square(x)))))]


erfc = _unary("Erfc", _wide(_map(math.erfc)), _erfc_vjp)
lgamma = _unary("Lgamma", _wide(_map(_lgamma_scalar)),
                lambda op, grads: [multiply(grads[0], digamma(op.inputs[0]))])
digamma = _unary("Digamma", _wide(digamma_np), lambda op, grads: [
    multiply(grads[0], polygamma(_c(op.inputs[0], 1), op.inputs[0]))])


def _polygamma_vjp(op, grads):
    a, x = op.inputs
    gx = multiply(grads[0], polygamma(a + _c(a, 1), x))
    return [None, reduce_to_operand(gx, x)]


def _zeta_vjp(op, grads):
    x, q = op.inputs
    gq = multiply(grads[0], multiply(negative(x), zeta(x + _c(x, 1), q)))
    return [None, reduce_to_operand(gq, q)]


_polygamma = _binary("Polygamma", _wide(polygamma_np), _polygamma_vjp)
_zeta = _binary("Zeta", _wide(zeta_np), _zeta_vjp)


def polygamma(a, x, name: Optional[str] = None):
    """TF1 `tf.math.polygamma(a, x)`: the a-th derivative of digamma (a an integer >= 0)."""
    return _polygamma(a, x, name=name)


def zeta(x, q, name: Optional[str] = None):
    """TF1 `tf.math.zeta(x, q)`: the Hurwitz zeta function, sum over k of (q + k)^-x."""
    return _zeta(x, q, name=name)


def _nonzero(x):
    return cast(not_equal(x, _c(x, 0)), x.dtype)


def _xlogy_vjp(op, grads):
    x, y = op.inputs
    g = grads[0]
    return [reduce_to_operand(multiply(g, multiply(_nonzero(x), log(y))), x),
            reduce_to_operand(multiply(g, xdivy(x, y)), y)]


def _xdivy_vjp(op, grads):
    x, y = op.inputs
    g = grads[0]
    return [reduce_to_operand(multiply(g, xdivy(_nonzero(x), y)), x),
            reduce_to_operand(multiply(g, xdivy(negative(x), square(y))), y)]


def _div_no_nan_vjp(op, grads):
    x, y = op.inputs
    g = grads[0]
    return [reduce_to_operand(div_no_nan(g, y), x),
            reduce_to_operand(multiply(g, div_no_nan(div_no_nan(negative(x), y), y)), y)]


def _guarded(zero_where, value):
    def kernel(x, y):
        with np.errstate(all="ignore"):
            return np.asarray(np.where(zero_where(x, y), 0, value(x, y)), dtype=x.dtype)
    return kernel


xlogy = _binary("Xlogy", _guarded(lambda x, y: x == 0, lambda x, y: x * np.log(y)),
                _xlogy_vjp)
xdivy = _binary("Xdivy", _guarded(lambda x, y: x == 0, lambda x, y: x / y), _xdivy_vjp)
def _xlog1py_vjp(op, grads):
    x, y = op.inputs
    g = grads[0]
    return [reduce_to_operand(multiply(g, multiply(_nonzero(x), log1p(y))), x),
            reduce_to_operand(multiply(g, xdivy(x, y + _c(y, 1))), y)]


def _mul_no_nan_vjp(op, grads):
    x, y = op.inputs
    g = grads[0]
    return [reduce_to_operand(multiply_no_nan(g, y), x),
            reduce_to_operand(multiply_no_nan(x, g), y)]


xlog1py = _binary("Xlog1py", _guarded(lambda x, y: x == 0, lambda x, y: x * np.log1p(y)),
                  _xlog1py_vjp)
_mul_no_nan = _binary("MulNoNan", _guarded(lambda x, y: y == 0, lambda x, y: x * y),
                      _mul_no_nan_vjp, scope="multiply_no_nan")


def multiply_no_nan(x, y, name: Optional[str] = None):
    """TF1 `tf.math.multiply_no_nan`: x * y, and 0 where y is 0 (even for x inf or NaN)."""
    return _mul_no_nan(x, y, name=name)


div_no_nan = _binary("DivNoNan", _guarded(lambda x, y: y == 0, lambda x, y: x / y),
                     _div_no_nan_vjp, scope="div_no_nan")
divide_no_nan = div_no_nan

del equal, where_v2

from ..naming import name_builders  # noqa: E402

name_builders(globals())
