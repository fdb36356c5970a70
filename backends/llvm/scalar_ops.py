"""Stage 3 of the llvm backend, the body of a loop nest: one scalar IR emitter per
pointwise op type (which ops lower, for which dtypes, is lowering.TABLE's decision).

`SCALAR[op_type](b, op, args)` receives the IRBuilder, the op (for dtypes and attrs) and
the operands as registers of the inputs' dtypes, and returns the result register of the
output's dtype. The loop around it (broadcasting, vectorisation, fusion) is the kernel
emitter's business. Semantics follow each op's numpy kernel, special values included:
Maximum/Minimum propagate NaN like np.maximum, Sign(-0.0) is 0, float -> int casts
are x86's (INT_MIN for NaN and out-of-range values), floor division is TF1's.

Transcendentals come from `vmath` (branch-free, so loops stay vectorisable). Integer
division and modulo raise the kernel's error flag (irutil) on a zero divisor instead of
trapping; integer powers and the rarer float ops have no emitter and run through their
numpy kernels.
"""
from __future__ import annotations

from llvmlite import ir

from . import vmath
from .irutil import F64, I1, call_intrinsic, const, is_float, is_signed, raise_error_if, \
    value_type

SCALAR: dict = {}




def _reg(*names):
    def deco(fn):
        for n in names:
            SCALAR[n] = fn
        return fn
    return deco


def _in(op, i=0):
    return op.inputs[i].dtype


def _out(op):
    return op.outputs[0].dtype


def _float(op) -> bool:
    return is_float(_in(op))


def _c(op, v, i=0):
    return const(_in(op, i), v)


# ---------------------------------------------------------------- arithmetic
@_reg("Add", "BiasAdd")
def _add(b, op, a):
    return b.fadd(a[0], a[1]) if _float(op) else b.add(a[0], a[1])


@_reg("AddN")
def _addn(b, op, a):
    acc = a[0]
    for v in a[1:]:
        acc = b.fadd(acc, v) if _float(op) else b.add(acc, v)
    return acc


@_reg("Sub")
def _sub(b, op, a):
    return b.fsub(a[0], a[1]) if _float(op) else b.sub(a[0], a[1])


@_reg("Mul")
def _mul(b, op, a):
    return b.fmul(a[0], a[1]) if _float(op) else b.mul(a[0], a[1])


@_reg("RealDiv")
def _div(b, op, a):
    return b.fdiv(a[0], a[1])


@_reg("SquaredDifference")
def _sqdiff(b, op, a):
    d = _sub(b, op, a)
    return _mul(b, op, [d, d])


def _isnan(b, x):
    return b.fcmp_unordered("uno", x, x)


def _max(b, op, x, y):
    """np.maximum: x if x >= y or x is NaN, else y (so NaN in either propagates)."""
    if _float(op):
        take_x = b.or_(b.fcmp_ordered(">=", x, y), _isnan(b, x))
    elif is_signed(_in(op)):
        take_x = b.icmp_signed(">=", x, y)
    else:
        take_x = b.icmp_unsigned(">=", x, y)
    return b.select(take_x, x, y)


def _min(b, op, x, y):
    if _float(op):
        take_x = b.or_(b.fcmp_ordered("<=", x, y), _isnan(b, x))
    elif is_signed(_in(op)):
        take_x = b.icmp_signed("<=", x, y)
    else:
        take_x = b.icmp_unsigned("<=", x, y)
    return b.select(take_x, x, y)


@_reg("Maximum")
def _maximum(b, op, a):
    return _max(b, op, a[0], a[1])


@_reg("Minimum")
def _minimum(b, op, a):
    return _min(b, op, a[0], a[1])


@_reg("Pow")
def _pow(b, op, a):
    return vmath.emit_pow(b, a[0], a[1])


@_reg("Neg")
def _neg(b, op, a):
    return b.fneg(a[0]) if _float(op) else b.neg(a[0])


@_reg("Abs")
def _abs(b, op, a):
    if _float(op):
        return call_intrinsic(b, "fabs", a[0])
    return b.select(b.icmp_signed("<", a[0], _c(op, 0)), b.neg(a[0]), a[0])


@_reg("Sign")
def _sign(b, op, a):
    x = a[0]
    if _float(op):
        zero = _c(op, 0)
        r = b.select(b.fcmp_ordered(">", x, zero), _c(op, 1),
                     b.select(b.fcmp_ordered("<", x, zero), _c(op, -1), x))
        return b.select(b.fcmp_ordered("==", x, zero), zero, r)
    zero = _c(op, 0)
    return b.select(b.icmp_signed(">", x, zero), _c(op, 1),
                    b.select(b.icmp_signed("<", x, zero), _c(op, -1), zero))


@_reg("Square")
def _square(b, op, a):
    return _mul(b, op, [a[0], a[0]])


@_reg("Sqrt")
def _sqrt(b, op, a):
    return call_intrinsic(b, "sqrt", a[0])


@_reg("Rsqrt")
def _rsqrt(b, op, a):
    return b.fdiv(_c(op, 1), call_intrinsic(b, "sqrt", a[0]))


@_reg("Reciprocal")
def _reciprocal(b, op, a):
    return b.fdiv(_c(op, 1), a[0])


for _name, _fn in (("Floor", "floor"), ("Ceil", "ceil"), ("Rint", "rint"), ("Round", "rint")):
    SCALAR[_name] = (lambda fn: lambda b, op, a: call_intrinsic(b, fn, a[0]) if _float(op)
                     else a[0])(_fn)  # Round of an integer is the integer


def _math(name):
    return lambda b, op, a: getattr(vmath, "emit_" + name)(b, a[0])


for _name in ("exp", "expm1", "log", "log1p", "tanh", "sigmoid", "sin", "cos", "tan", "erf",
              "softplus"):
    SCALAR[_name.capitalize() if _name != "expm1" else "Expm1"] = _math(_name)
SCALAR["Log1p"] = _math("log1p")


@_reg("IsNan")
def _is_nan(b, op, a):
    return _isnan(b, a[0])


@_reg("IsInf")
def _is_inf(b, op, a):
    return b.fcmp_ordered("==", call_intrinsic(b, "fabs", a[0]), _c(op, float("inf")))


@_reg("IsFinite")
def _is_finite(b, op, a):
    return b.fcmp_ordered("<", call_intrinsic(b, "fabs", a[0]), _c(op, float("inf")))


# ---------------------------------------------------------------- comparisons and logic
_CMP = {"Equal": "==", "NotEqual": "!=", "Less": "<", "LessEqual": "<=", "Greater": ">",
        "GreaterEqual": ">="}


def _compare(pred):
    def emit(b, op, a):
        x, y = a
        if _float(op):
            if pred == "!=":
                return b.fcmp_unordered("!=", x, y)
            return b.fcmp_ordered(pred, x, y)
        if x.type == I1 or not is_signed(_in(op)):
            return b.icmp_unsigned(pred, x, y)
        return b.icmp_signed(pred, x, y)
    return emit


for _name, _pred in _CMP.items():
    SCALAR[_name] = _compare(_pred)
SCALAR["LogicalAnd"] = lambda b, op, a: b.and_(a[0], a[1])
SCALAR["LogicalOr"] = lambda b, op, a: b.or_(a[0], a[1])
SCALAR["LogicalNot"] = lambda b, op, a: b.xor(a[0], ir.Constant(I1, 1))
# tf.bitwise on integers (ir/ops/bitwise_ops.py): shifts clamped to [0, bits - 1] as TF's
SCALAR["BitwiseAnd"] = lambda b, op, a: b.and_(a[0], a[1])
SCALAR["BitwiseOr"] = lambda b, op, a: b.or_(a[0], a[1])
SCALAR["BitwiseXor"] = lambda b, op, a: b.xor(a[0], a[1])
SCALAR["Invert"] = lambda b, op, a: b.not_(a[0])


@_reg("LeftShift", "RightShift")
def _shift(b, op, a):
    x, y = a
    signed = is_signed(_in(op))
    zero, top = ir.Constant(x.type, 0), ir.Constant(x.type, x.type.width - 1)
    above = b.icmp_signed(">", y, top) if signed else b.icmp_unsigned(">", y, top)
    shift = b.select(above, top, y)
    if signed:
        shift = b.select(b.icmp_signed("<", y, zero), zero, shift)
    if op.type == "LeftShift":
        return b.shl(x, shift)
    return b.ashr(x, shift) if signed else b.lshr(x, shift)


@_reg("Select", "SelectV2")
def _select(b, op, a):
    return b.select(a[0], a[1], a[2])


# ---------------------------------------------------------------- identity-like
@_reg("Identity", "StopGradient", "Snapshot", "GuaranteeConst")
def _identity(b, op, a):
    return a[0]


@_reg("ZerosLike", "OnesLike")
def _fill_like(b, op, a):
    return const(_out(op), 1 if op.type == "OnesLike" else 0)


@_reg("Cast")
def _cast(b, op, a):
    x, src, dst = a[0], _in(op), _out(op)
    to = value_type(dst)
    if dst.name == "bool":
        if is_float(src):
            return b.fcmp_unordered("!=", x, ir.Constant(x.type, 0.0))
        return b.icmp_unsigned("!=", x, ir.Constant(x.type, 0))
    if src.name == "bool":
        return b.uitofp(x, to) if is_float(dst) else b.zext(x, to)
    if is_float(src) and is_float(dst):
        if x.type == to:
            return x
        return b.fpext(x, to) if to == F64 else b.fptrunc(x, to)
    if is_float(src):
        return _float_to_int(b, x, to)
    if is_float(dst):
        return b.sitofp(x, to) if is_signed(src) else b.uitofp(x, to)
    if to.width == x.type.width:
        return x
    if to.width < x.type.width:
        return b.trunc(x, to)
    return b.sext(x, to) if is_signed(src) else b.zext(x, to)


def _float_to_int(b, x, to):
    """numpy's float -> int conversion on x86 (cvttss2si/cvttsd2si), which TF1 shares:
    truncation toward zero in range, the "integer indefinite" INT_MIN for NaN, +-inf and
    out-of-range values; widths under 32 bits (int8, int16, uint8) convert to
    int32 first and keep its low bits (so 300.7 -> int8 44, 3e9 -> int8 0). fptosi alone
    is poison out of range: it only ever sees an in-range value, and selects keep the
    loop vectorisable. (uint32 and uint64 are no graphc dtypes: numpy's own conversion to
    them differs between its scalar and vector loops.)"""
    wide = ir.IntType(64 if to.width == 64 else 32)
    limit = float(2 ** (wide.width - 1))
    in_range = b.and_(b.fcmp_ordered(">=", x, ir.Constant(x.type, -limit)),
                      b.fcmp_ordered("<", x, ir.Constant(x.type, limit)))
    r = b.fptosi(b.select(in_range, x, ir.Constant(x.type, 0.0)), wide)
    r = b.select(in_range, r, ir.Constant(wide, 1 << (wide.width - 1)))
    return r if to.width == wide.width else b.trunc(r, to)


# ---------------------------------------------------------------- activations
def _gt0(b, op, x):
    return b.fcmp_ordered(">", x, _c(op, 0))


SCALAR["Relu"] = lambda b, op, a: _max(b, op, a[0], _c(op, 0))
SCALAR["Relu6"] = lambda b, op, a: _min(b, op, _max(b, op, a[0], _c(op, 0)), _c(op, 6))


@_reg("Elu")
def _elu(b, op, a):
    x = a[0]
    return b.select(_gt0(b, op, x), x, vmath.emit_expm1(b, _min(b, op, x, _c(op, 0))))


@_reg("Selu")
def _selu(b, op, a):
    from graphc.ir.ops.nn_ops import SELU_ALPHA, SELU_SCALE
    x = a[0]
    neg = b.fmul(_c(op, SELU_ALPHA), vmath.emit_expm1(b, _min(b, op, x, _c(op, 0))))
    return b.fmul(_c(op, SELU_SCALE), b.select(_gt0(b, op, x), x, neg))


@_reg("LeakyRelu")
def _leaky(b, op, a):
    x = a[0]
    return b.select(_gt0(b, op, x), x, b.fmul(x, _c(op, op.attrs["alpha"])))


@_reg("Softsign")
def _softsign(b, op, a):
    x = a[0]
    return b.fdiv(x, b.fadd(_c(op, 1), call_intrinsic(b, "fabs", x)))


@_reg("SigmoidCrossEntropyWithLogits")
def _sig_xent(b, op, a):
    x, z = a
    softplus = vmath.emit_log1p_exp_neg_abs(b, x)
    return b.fadd(b.fsub(_max(b, op, x, _c(op, 0)), b.fmul(x, z)), softplus)


# ---------------------------------------------------------------- division and modulo
def _int_div_parts(b, op, x, y):
    """A divisor safe for the hardware (x86 traps on 0 and on INT_MIN / -1): 0 raises the
    kernel's error flag (TF1: "Integer division by zero"); INT_MIN / -1 wraps as numpy."""
    dtype = _in(op)
    zero = _c(op, 0)
    raise_error_if(b, b.icmp_unsigned("==", y, zero))
    bad = b.icmp_unsigned("==", y, zero)
    if is_signed(dtype):
        import numpy as np
        lowest = _c(op, int(np.iinfo(dtype.np).min))
        overflow = b.and_(b.icmp_signed("==", x, lowest), b.icmp_signed("==", y, _c(op, -1)))
        bad = b.or_(bad, overflow)
    else:
        overflow = ir.Constant(I1, 0)
    return b.select(bad, _c(op, 1), y), overflow


def _trunc_int(b, op, x, y):
    safe, overflow = _int_div_parts(b, op, x, y)
    if is_signed(_in(op)):
        q, r = b.sdiv(x, safe), b.srem(x, safe)
        # INT_MIN / -1 wraps to INT_MIN (remainder 0), as numpy computes it
        return b.select(overflow, x, q), b.select(overflow, _c(op, 0), r), safe
    return b.udiv(x, safe), b.urem(x, safe), safe


@_reg("TruncateDiv")
def _truncdiv(b, op, a):
    x, y = a
    if _float(op):
        return call_intrinsic(b, "trunc", b.fdiv(x, y))
    return _trunc_int(b, op, x, y)[0]


@_reg("TruncateMod")
def _truncmod(b, op, a):
    x, y = a
    if _float(op):
        return b.frem(x, y)
    return _trunc_int(b, op, x, y)[1]


def _adjust(b, op, r, y):
    """Python-style floor correction: remainder and divisor of different signs."""
    zero = _c(op, 0)
    return b.and_(b.icmp_signed("!=", r, zero),
                  b.xor(b.icmp_signed("<", r, zero), b.icmp_signed("<", y, zero)))


def _floor_divmod(b, op, a):
    """(x // y, x % y) with Python's flooring, as numpy's floor_divide and remainder."""
    x, y = a
    if _float(op):
        return _float_divmod(b, op, x, y)
    q, r, safe = _trunc_int(b, op, x, y)
    if not is_signed(_in(op)):
        return q, r
    fix = _adjust(b, op, r, safe)
    return b.select(fix, b.sub(q, _c(op, 1)), q), b.select(fix, b.add(r, safe), r)


SCALAR["FloorDiv"] = lambda b, op, a: _floor_divmod(b, op, a)[0]
SCALAR["FloorMod"] = lambda b, op, a: _floor_divmod(b, op, a)[1]


def can_fail(op) -> bool:
    """Whether `op`'s emitter may raise the kernel's error flag (an integer division or
    modulo: a zero divisor), so that a loop writing in place must not hold it."""
    return op.type in ("FloorDiv", "FloorMod", "TruncateDiv", "TruncateMod") and \
        not is_float(_in(op))


def _float_divmod(b, op, x, y):
    """TF1's float FloorDiv, floor(x / y), and FloorMod, fmod(x, y) moved into the
    divisor's sign when the two differ: NaN, infinities and signed zeros as the numpy
    kernels in ir/ops/math_ops.py compute them (C's `!=` is true for NaN: une)."""
    zero = _c(op, 0)
    q = call_intrinsic(b, "floor", b.fdiv(x, y))
    m = b.frem(x, y)
    fix = b.and_(b.fcmp_unordered("!=", m, zero),
                 b.xor(b.fcmp_ordered("<", y, zero), b.fcmp_ordered("<", m, zero)))
    return q, b.select(fix, b.fadd(m, y), m)


from .special_scalar import SPECIAL  # noqa: E402  (the special functions' emitters)

SCALAR.update(SPECIAL)
