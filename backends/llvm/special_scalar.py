"""Scalar emitters of the special functions (ir/ops/special_ops.py), registered into
scalar_ops.SCALAR (as SPECIAL) so they lower inside fused loop nests.

Erfc and Lgamma call the C library's double functions (a float32 input is widened, the
result rounded once, as the numpy kernels compute it). Digamma is emitted inline and
branch-free, the numpy kernel's algorithm step for step (in double): reflection by selects,
a fixed ten-step recurrence, the asymptotic series. Xlogy, Xdivy and DivNoNan are selects
around vmath's log and a division. Polygamma and Zeta have no emitter (numpy kernels).
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


def _xlogy(b, op, a):
    x, y = a
    return b.select(b.fcmp_ordered("==", x, _zero(x)), _zero(x),
                    b.fmul(x, vmath.emit_log(b, y)))


def _xdivy(b, op, a):
    x, y = a
    return b.select(b.fcmp_ordered("==", x, _zero(x)), _zero(x), b.fdiv(x, y))


def _div_no_nan(b, op, a):
    x, y = a
    return b.select(b.fcmp_ordered("==", y, _zero(y)), _zero(x), b.fdiv(x, y))


SPECIAL["Xlogy"] = _xlogy
SPECIAL["Xdivy"] = _xdivy
SPECIAL["DivNoNan"] = _div_no_nan
