"""Scalar emitters of the special functions (ir/ops/special_ops.py), registered into
scalar_ops.SCALAR (as SPECIAL) so they lower inside fused loop nests.

Erfc, Lgamma and the inverse trigonometric and hyperbolic functions (trig_ops.py) call
the C library's double functions (a float32 input is widened, the result rounded once, as
the numpy kernels compute it). Digamma is emitted inline and
branch-free, the numpy kernel's algorithm step for step (in double): reflection by selects,
a fixed ten-step recurrence, the asymptotic series. Xlogy, Xlog1py, Xdivy, DivNoNan
and MulNoNan are selects around vmath's log/log1p, a division or a product. Polygamma and
Zeta have no emitter (numpy kernels).
"""
from __future__ import annotations

import math

from llvmlite import ir

from graphc.ir.ops.special_ops import DIGAMMA_SERIES, DIGAMMA_SHIFT
from . import vmath
from .irutil import F64, call_intrinsic, intrinsic

SPECIAL: dict = {}


def _widened(b, x, fn):
    """fn on x as a double, rounded back to x's type."""
    wide = b.fpext(x, F64) if x.type != F64 else x
    r = fn(b, wide)
    return b.fptrunc(r, x.type) if x.type != F64 else r


def _libm(name):
    def emit(b, op, a):
        def call(b, w):
            return b.call(intrinsic(b.module, name, F64, [F64]), [w])
        return _widened(b, a[0], call)
    return emit


SPECIAL["Erfc"] = _libm("erfc")
SPECIAL["Lgamma"] = _libm("lgamma")
for _op, _fn in (("Asin", "asin"), ("Acos", "acos"), ("Atan", "atan"), ("Asinh", "asinh"),
                 ("Acosh", "acosh"), ("Atanh", "atanh"), ("Sinh", "sinh"), ("Cosh", "cosh")):
    SPECIAL[_op] = _libm(_fn)


def _atan2(b, op, a):
    y, x = a
    if y.type == F64:
        return b.call(intrinsic(b.module, "atan2", F64, [F64, F64]), [y, x])
    r = b.call(intrinsic(b.module, "atan2", F64, [F64, F64]),
               [b.fpext(y, F64), b.fpext(x, F64)])
    return b.fptrunc(r, y.type)


SPECIAL["Atan2"] = _atan2


def _d(v) -> ir.Constant:
    return ir.Constant(F64, float(v))


def _digamma(b, x):
    """Eigen's digamma on a double register (see special_ops.digamma_np)."""
    neg = b.fcmp_ordered("<=", x, _d(0))
    p = call_intrinsic(b, "floor", x)
    pole = b.and_(neg, b.fcmp_ordered("==", p, x))
    nz = b.fsub(x, p)
    up = b.fcmp_ordered(">", nz, _d(0.5))
    nz = b.select(up, b.fsub(x, b.fadd(p, _d(1))), nz)
    reflect = b.fdiv(_d(math.pi), vmath.emit_tan(b, b.fmul(_d(math.pi), nz)))
    reflect = b.select(b.fcmp_ordered("==", nz, _d(0.5)), _d(0), reflect)
    s = b.select(neg, b.fsub(_d(1), x), x)
    w = _d(0)
    for _ in range(DIGAMMA_SHIFT):
        small = b.fcmp_ordered("<", s, _d(DIGAMMA_SHIFT))
        w = b.select(small, b.fadd(w, b.fdiv(_d(1), s)), w)
        s = b.select(small, b.fadd(s, _d(1)), s)
    z = b.fdiv(_d(1), b.fmul(s, s))
    poly = _d(0)
    for c in DIGAMMA_SERIES:
        poly = b.fadd(b.fmul(poly, z), _d(c))
    y = b.fsub(vmath.emit_log(b, s), b.fdiv(_d(0.5), s))
    y = b.fsub(b.fsub(y, b.fmul(z, poly)), w)
    y = b.select(neg, b.fsub(y, reflect), y)
    return b.select(pole, _d(float("nan")), y)


SPECIAL["Digamma"] = lambda b, op, a: _widened(b, a[0], _digamma)


def _zero(x):
    return ir.Constant(x.type, 0.0)


def _guarded(zero_where: int, value):
    """0 where operand `zero_where` (0: x, 1: y) is 0, else value(b, x, y)."""
    def emit(b, op, a):
        x, y = a
        guard = a[zero_where]
        return b.select(b.fcmp_ordered("==", guard, _zero(guard)), _zero(x), value(b, x, y))
    return emit


_xlogy = _guarded(0, lambda b, x, y: b.fmul(x, vmath.emit_log(b, y)))
_xlog1py = _guarded(0, lambda b, x, y: b.fmul(x, vmath.emit_log1p(b, y)))
_xdivy = _guarded(0, lambda b, x, y: b.fdiv(x, y))
_div_no_nan = _guarded(1, lambda b, x, y: b.fdiv(x, y))
_mul_no_nan = _guarded(1, lambda b, x, y: b.fmul(x, y))

SPECIAL["Xlogy"] = _xlogy
SPECIAL["Xdivy"] = _xdivy
SPECIAL["DivNoNan"] = _div_no_nan
SPECIAL["Xlog1py"] = _xlog1py
SPECIAL["MulNoNan"] = _mul_no_nan
