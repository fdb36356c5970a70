"""Elementwise math, comparisons, logic, cast and select (TF1 names and semantics).

Reductions and argmax live in `reduce_ops`, matmul, add_n and cumsum in `matmul_ops`.
An op's VJP rule sits with its OpDef unless it builds ops of a family above this one
(zeros for Pow, Maximum/Minimum, Sign, Select): those rules are in `math_grads`. Rules
reduce broadcast gradients with `reduce_to_operand`, which works when shapes are known
only at run time.
"""
from __future__ import annotations

import functools
import math
from typing import Optional

import numpy as np

from .. import dtypes as dt
from ..errors import InvalidArgumentError
from ..shapes import TensorShape, broadcast_shapes
from ._base import (NON_DIFFERENTIABLE, apply, graph_of, broadcast_infer, check_dtype, convert_pair,
                    convert_to_tensor, defop)
from .grad_ops import reduce_to_operand

__all__ = [
    "add", "subtract", "multiply", "divide", "truediv", "div", "floordiv", "floor_div",
    "floormod", "mod", "truncatediv", "truncatemod", "pow", "maximum", "minimum",
    "squared_difference", "negative", "abs", "sign", "square", "sqrt", "rsqrt", "reciprocal",
    "exp", "expm1", "log", "log1p", "sin", "cos", "tan", "tanh", "sigmoid", "floor", "ceil",
    "round", "rint", "is_nan", "is_inf", "is_finite", "erf", "cast", "to_float", "to_double",
    "to_int32", "to_int64", "saturate_cast", "clip_by_value", "equal", "not_equal", "less",
    "less_equal", "greater", "greater_equal", "logical_and", "logical_or", "logical_not",
    "logical_xor", "where", "where_v2", "scalar_mul",
]

FLOAT_INT = dt.FLOATS + (dt.int8, dt.int16, dt.int32, dt.int64, dt.uint8)
# Ops TF1 also defines on complex64/complex128 (their complex VJPs: ir/ops/complex_ops.py).
INEXACT = dt.FLOATS + dt.COMPLEX


def _np(value, dtype) -> np.ndarray:
    return np.asarray(value, dtype=dtype)


# ------------------------------------------------------------------ binary elementwise
def _binary(op_type: str, compute, vjp, allowed=None, out_dtype=None, default_name=None):
    def infer(op):
        return broadcast_infer(op, out_dtype, allowed)

    def kernel(x, y):
        r = compute(x, y)
        return _np(r, out_dtype.np if out_dtype is not None else x.dtype)

    defop(op_type, infer, kernel, vjp, elementwise=True, family="binary")

    def builder(x, y, name: Optional[str] = None):
        # TF1 opens the op's name scope first, so `x + 1.0` makes `add/y` and `add`.
        g = graph_of((x, y))
        with g.as_default(), g.name_scope(name or default_name or op_type) as scope:
            x, y = convert_pair(x, y)
            return apply(op_type, (x, y), name=scope)

    return builder


def _vjp_add(op, grads):
    x, y = op.inputs
    g = grads[0]
    return [reduce_to_operand(g, x), reduce_to_operand(g, y)]


def _vjp_sub(op, grads):
    x, y = op.inputs
    g = grads[0]
    return [reduce_to_operand(g, x), reduce_to_operand(negative(g), y)]


def _vjp_mul(op, grads):
    x, y = op.inputs
    g = grads[0]
    return [reduce_to_operand(multiply(g, y), x), reduce_to_operand(multiply(x, g), y)]


def _vjp_realdiv(op, grads):
    x, y = op.inputs
    g = grads[0]
    gx = truediv(g, y)
    gy = negative(multiply(g, truediv(truediv(x, y), y)))
    return [reduce_to_operand(gx, x), reduce_to_operand(gy, y)]


def _vjp_floormod(op, grads):
    x, y = op.inputs
    g = grads[0]
    return [reduce_to_operand(g, x),
            reduce_to_operand(negative(multiply(g, floordiv(x, y))), y)]


def _vjp_sqdiff(op, grads):
    x, y = op.inputs
    g = grads[0]
    two = np.full((), 2, x.dtype.np)
    gx = multiply(multiply(g, two), subtract(x, y))
    return [reduce_to_operand(gx, x), reduce_to_operand(negative(gx), y)]


def _computes_something(x, y) -> bool:
    """False when the broadcast result is empty: no element is computed, so no element's
    error is raised (TF1 returns an empty array for `empty // 0`)."""
    return np.broadcast(x, y).size > 0


def _int_div_check(x, y):
    if y.dtype.kind in "iu" and np.any(y == 0) and _computes_something(x, y):
        raise InvalidArgumentError(None, None, "Integer division by zero")


def _floordiv(x, y):
    """TF1's FloorDiv. Floats: floor(x / y) (Eigen's google_floor_div_real), which keeps
    NaN, gives inf for inf / finite and a signed zero for finite / inf; numpy's
    divmod-based floor_divide differs (1 // 0.1 is 9 there, 10 here and in TensorFlow)."""
    _int_div_check(x, y)
    if x.dtype.kind == "f":
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.floor(np.true_divide(x, y))
    return np.floor_divide(x, y)


def _floormod(x, y):
    """TF1's FloorMod. Floats: fmod(x, y) moved into the divisor's sign when the two
    differ (Eigen's google_floor_fmod): NaN for inf % y and x % 0, the sign of fmod's
    zero kept (-4 % 2 is -0.0; numpy gives +0.0), x + y for x and y = inf of other signs."""
    _int_div_check(x, y)
    if x.dtype.kind == "f":
        with np.errstate(invalid="ignore", divide="ignore"):
            m = np.fmod(x, y)
            return np.where((m != 0) & ((y < 0) != (m < 0)), m + y, m)
    return np.mod(x, y)


def _truncdiv(x, y):
    _int_div_check(x, y)
    if x.dtype.kind in "iu":  # C truncation; |INT_MIN| computed wide, wrapped back
        wide = np.uint64 if x.dtype.kind == "u" else np.int64
        q = np.abs(x.astype(wide)) // np.abs(y.astype(wide))
        return np.where((x < 0) ^ (y < 0), -q, q).astype(x.dtype)
    return np.trunc(x / y)


def _truncmod(x, y):
    _int_div_check(x, y)
    return np.fmod(x, y)


def _pow(x, y):
    if x.dtype.kind in "iu" and np.any(y < 0) and _computes_something(x, y):
        raise InvalidArgumentError(None, None,
                                   "Integers to negative integer powers are not allowed")
    return np.power(x, y)


add = _binary("Add", np.add, _vjp_add, default_name="add")
subtract = _binary("Sub", np.subtract, _vjp_sub, default_name="sub")
multiply = _binary("Mul", np.multiply, _vjp_mul, default_name="mul")
_realdiv = _binary("RealDiv", np.true_divide, _vjp_realdiv, allowed=INEXACT,
                   default_name="truediv")
floordiv = _binary("FloorDiv", _floordiv, NON_DIFFERENTIABLE, allowed=FLOAT_INT,
                   default_name="floordiv")
floormod = _binary("FloorMod", _floormod, _vjp_floormod, allowed=FLOAT_INT,
                   default_name="floormod")
truncatediv = _binary("TruncateDiv", _truncdiv, NON_DIFFERENTIABLE, allowed=FLOAT_INT,
                      default_name="truncatediv")
truncatemod = _binary("TruncateMod", _truncmod, NON_DIFFERENTIABLE, allowed=FLOAT_INT,
                      default_name="truncatemod")
pow = _binary("Pow", _pow, None, allowed=FLOAT_INT, default_name="pow")  # noqa: A001
maximum = _binary("Maximum", np.maximum, None,
                  allowed=FLOAT_INT, default_name="Maximum")
minimum = _binary("Minimum", np.minimum, None,
                  allowed=FLOAT_INT, default_name="Minimum")
squared_difference = _binary("SquaredDifference", lambda x, y: np.square(x - y), _vjp_sqdiff,
                             allowed=FLOAT_INT, default_name="SquaredDifference")
floor_div = floordiv
mod = floormod


def truediv(x, y, name: Optional[str] = None):
    """x / y; integers are cast first (int8/int16/uint8 -> float32, int32/int64 -> float64)."""
    x, y = convert_pair(x, y)
    if x.dtype is not y.dtype:
        return _realdiv(x, y, name=name)  # raises the dtype-mismatch error
    if x.dtype.is_integer:
        target = dt.float32 if x.dtype in (dt.int8, dt.int16, dt.uint8) else dt.float64
        x, y = cast(x, target), cast(y, target)
    return _realdiv(x, y, name=name)


divide = truediv


def div(x, y, name: Optional[str] = None):
    """TF1 `tf.div`: Python 2 semantics, floor division for ints, true division for floats."""
    x, y = convert_pair(x, y)
    if x.dtype.is_integer:
        return floordiv(x, y, name=name)
    return _realdiv(x, y, name=name or "div")


def scalar_mul(scalar, x, name: Optional[str] = None):
    return multiply(scalar, x, name=name)


# ------------------------------------------------------------------ comparisons and logic
def _compare(op_type: str, compute, allowed=None, default_name=None):
    return _binary(op_type, compute, NON_DIFFERENTIABLE, allowed=allowed, out_dtype=dt.bool_,
                   default_name=default_name)


equal = _compare("Equal", np.equal, default_name="Equal")
not_equal = _compare("NotEqual", np.not_equal, default_name="NotEqual")
less = _compare("Less", np.less, FLOAT_INT, "Less")
less_equal = _compare("LessEqual", np.less_equal, FLOAT_INT, "LessEqual")
greater = _compare("Greater", np.greater, FLOAT_INT, "Greater")
greater_equal = _compare("GreaterEqual", np.greater_equal, FLOAT_INT, "GreaterEqual")
logical_and = _compare("LogicalAnd", np.logical_and, (dt.bool_,), "LogicalAnd")
logical_or = _compare("LogicalOr", np.logical_or, (dt.bool_,), "LogicalOr")


def logical_xor(x, y, name: str = "LogicalXor"):
    """TF1 builds xor from and/or/not."""
    return logical_and(logical_or(x, y), logical_not(logical_and(x, y)), name=name)


# ------------------------------------------------------------------ unary elementwise
def _unary(op_type: str, compute, vjp, allowed=None, out_dtype=None, default_name=None):
    def infer(op):
        x = op.inputs[0]
        if allowed is not None:
            check_dtype(op, x, allowed)
        return [(out_dtype or x.dtype, x.shape)]

    def kernel(x):
        return _np(compute(x), out_dtype.np if out_dtype is not None else x.dtype)

    defop(op_type, infer, kernel, vjp, elementwise=True, family="unary")

    def builder(x, name: Optional[str] = None):
        return apply(op_type, (convert_to_tensor(x),), name=name or default_name or op_type)

    return builder


def _g(rule):
    """A unary VJP from f(x, y, g) -> gradient."""
    return lambda op, grads: [rule(op.inputs[0], op.outputs[0], grads[0])]


def _no_grad(op, grads):
    return [None]


def _const_like(t, value):
    return np.full((), value, t.dtype.np)


def _sigmoid_np(x):
    with np.errstate(over="ignore"):
        return np.where(x >= 0, 1 / (1 + np.exp(-np.abs(x))),
                        np.exp(-np.abs(x)) / (1 + np.exp(-np.abs(x))))


def _erf_np(x):
    vec = np.vectorize(math.erf, otypes=[np.float64])
    return vec(x.astype(np.float64)) if x.size else x.astype(np.float64)


SIGNED = dt.FLOATS + (dt.int8, dt.int16, dt.int32, dt.int64)
negative = _unary("Neg", np.negative, _g(lambda x, y, g: negative(g)), SIGNED + dt.COMPLEX,
                  None, "Neg")
_abs_real = _unary("Abs", np.abs, _g(lambda x, y, g: multiply(g, sign(x))), SIGNED, None,
                   "Abs")


def abs(x, name: Optional[str] = None):  # noqa: A001
    """TF1 `tf.abs`: |x|; for a complex x its modulus, a real tensor (the ComplexAbs op,
    ir/ops/complex_ops.py)."""
    x = convert_to_tensor(x)
    if x.dtype.is_complex:
        return apply("ComplexAbs", (x,), {"Tout": x.dtype.real_dtype}, name=name or "Abs")
    return _abs_real(x, name=name)


def _sign_np(x):
    """Sign; a complex z's is z / |z| (0 at 0), as TF1 (numpy 1.x took the real part's)."""
    if x.dtype.kind == "c":
        a = np.abs(x)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(a == 0, 0, x / np.where(a == 0, 1, a))
    return np.sign(x)


sign = _unary("Sign", _sign_np, None, SIGNED + dt.COMPLEX, None, "Sign")
square = _unary("Square", np.square,
                _g(lambda x, y, g: multiply(g, multiply(x, _const_like(x, 2)))),
                FLOAT_INT + dt.COMPLEX, None, "Square")
sqrt = _unary("Sqrt", np.sqrt,
              _g(lambda x, y, g: truediv(multiply(g, _const_like(x, 0.5)), y)), INEXACT,
              None, "Sqrt")
rsqrt = _unary("Rsqrt", lambda x: 1 / np.sqrt(x),
               _g(lambda x, y, g: multiply(g, multiply(_const_like(x, -0.5),
                                                       multiply(y, square(y))))),
               INEXACT, None, "Rsqrt")
reciprocal = _unary("Reciprocal", lambda x: 1 / x,
                    _g(lambda x, y, g: negative(multiply(g, square(y)))), INEXACT, None,
                    "Reciprocal")
exp = _unary("Exp", np.exp, _g(lambda x, y, g: multiply(g, y)), INEXACT, None, "Exp")
expm1 = _unary("Expm1", np.expm1, _g(lambda x, y, g: multiply(g, exp(x))), INEXACT, None,
               "Expm1")
log = _unary("Log", np.log, _g(lambda x, y, g: truediv(g, x)), INEXACT, None, "Log")
log1p = _unary("Log1p", np.log1p, _g(lambda x, y, g: truediv(g, add(x, _const_like(x, 1)))),
               INEXACT, None, "Log1p")
sin = _unary("Sin", np.sin, _g(lambda x, y, g: multiply(g, cos(x))), INEXACT, None, "Sin")
cos = _unary("Cos", np.cos, _g(lambda x, y, g: negative(multiply(g, sin(x)))), INEXACT,
             None, "Cos")
tan = _unary("Tan", np.tan, _g(lambda x, y, g: multiply(g, add(_const_like(x, 1), square(y)))),
             INEXACT, None, "Tan")
tanh = _unary("Tanh", np.tanh,
              _g(lambda x, y, g: multiply(g, subtract(_const_like(x, 1), square(y)))),
              INEXACT, None, "Tanh")
sigmoid = _unary("Sigmoid", _sigmoid_np,
                 _g(lambda x, y, g: multiply(g, multiply(y, subtract(_const_like(x, 1), y)))),
                 dt.FLOATS, None, "Sigmoid")
floor = _unary("Floor", np.floor, _no_grad, dt.FLOATS, None, "Floor")
ceil = _unary("Ceil", np.ceil, _no_grad, dt.FLOATS, None, "Ceil")
round = _unary("Round", np.round, _no_grad, FLOAT_INT, None, "Round")  # noqa: A001
rint = _unary("Rint", np.rint, _no_grad, dt.FLOATS, None, "Rint")
is_nan = _unary("IsNan", np.isnan, NON_DIFFERENTIABLE, dt.FLOATS, dt.bool_, "IsNan")
is_inf = _unary("IsInf", np.isinf, NON_DIFFERENTIABLE, dt.FLOATS, dt.bool_, "IsInf")
is_finite = _unary("IsFinite", np.isfinite, NON_DIFFERENTIABLE, dt.FLOATS, dt.bool_,
                   "IsFinite")
erf = _unary("Erf", _erf_np,
             _g(lambda x, y, g: multiply(g, multiply(_const_like(x, 2 / math.sqrt(math.pi)),
                                                     exp(negative(square(x)))))),
             dt.FLOATS, None, "Erf")
logical_not = _unary("LogicalNot", np.logical_not, NON_DIFFERENTIABLE, (dt.bool_,), None,
                     "LogicalNot")


# ------------------------------------------------------------------ cast
def _cast_infer(op):
    x = op.inputs[0]
    target = op.attrs["DstT"]
    if x.dtype.is_string or target.is_string:
        raise TypeError(f"Cast from {x.dtype.name} to {target.name} is not supported "
                        f"(tensor '{x.name}')")
    return [(target, x.shape)]


def _cast_compute(x, *, DstT, Truncate=False):
    if DstT is dt.bool_:
        return np.asarray(x != 0)
    x = np.asarray(x)
    if x.dtype.kind == "c" and not DstT.is_complex:  # TF1 keeps the real part
        x = x.real
    with np.errstate(invalid="ignore"):
        if x.dtype.kind == "f" and DstT.is_integer and not _astype_is_x86(x.dtype, DstT.np):
            return _float_to_int(x, DstT.np)
        return x.astype(DstT.np)


def _float_to_int(x: np.ndarray, target) -> np.ndarray:
    """x86's float -> int conversion (cvttss2si; numpy's astype there, and TensorFlow's),
    spelt out so every machine computes it: truncation toward zero in range, INT_MIN of
    int32 (int64 for 64-bit targets) for NaN, +-inf and out-of-range values; narrower
    targets (int8, int16, uint8) take the low bits of the int32 (300.7 -> int8 44)."""
    wide = np.dtype(np.int64 if np.dtype(target).itemsize == 8 else np.int32)
    lowest = np.iinfo(wide).min
    with np.errstate(invalid="ignore", over="ignore"):
        limit = x.dtype.type(-float(lowest))  # 2**31 or 2**63, exact in every float type
        in_range = (x >= -limit) & (x < limit)
        r = np.where(in_range, x, 0).astype(wide)
    return np.where(in_range, r, wide.type(lowest)).astype(target)


@functools.cache
def _astype_is_x86(source: np.dtype, target: np.dtype) -> bool:
    """True when numpy's own astype computes `_float_to_int` here (on x86: 80x faster),
    probed once per pair on special values, in its scalar and its vector loops."""
    probe = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 2.5, -2.5, 300.7, -129.5, 255.9,
                      65541.0, 40000.0, 3e9, -3e9, 2.0 ** 31, -2.0 ** 31, 9.3e18, 2.0 ** 63,
                      -2.0 ** 63, 1e20, -1e30], np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        probe = np.tile(probe.astype(source), 7)
        return all(np.array_equal(v.astype(target), _float_to_int(v, target))
                   for v in (probe, probe[::3], probe[:1]))


def _cast_vjp(op, grads):
    x = op.inputs[0]
    inexact = (x.dtype.is_floating or x.dtype.is_complex) and (
        op.outputs[0].dtype.is_floating or op.outputs[0].dtype.is_complex)
    if inexact:  # (complex to real: the gradient's real part, TF1's convention)
        return [cast(grads[0], x.dtype)]
    return [None]


defop("Cast", _cast_infer, _cast_compute, _cast_vjp, elementwise=True, family="unary")


def cast(x, dtype, name: Optional[str] = None):
    """TF1 `tf.cast`: floats to ints truncate toward zero; to bool is `!= 0`."""
    target = dt.as_dtype(dtype)
    x = convert_to_tensor(x) if hasattr(x, "_as_tensor") else convert_to_tensor(
        x, dtype_hint=target)
    if x.dtype is target:
        return x
    return apply("Cast", (x,), {"DstT": target}, name=name or "Cast")


def to_float(x, name: str = "ToFloat"):
    return cast(x, dt.float32, name=name)


def to_double(x, name: str = "ToDouble"):
    return cast(x, dt.float64, name=name)


def to_int32(x, name: str = "ToInt32"):
    return cast(x, dt.int32, name=name)


def to_int64(x, name: str = "ToInt64"):
    return cast(x, dt.int64, name=name)


def saturate_cast(value, dtype, name: Optional[str] = None):
    """Clip to the target dtype's range, then cast."""
    value = convert_to_tensor(value)
    target = dt.as_dtype(dtype)
    if value.dtype.is_numeric and target.is_numeric and not target.is_floating:
        lo = max(target.min, value.dtype.min) if not value.dtype.is_floating else target.min
        hi = min(target.max, value.dtype.max) if not value.dtype.is_floating else target.max
        value = clip_by_value(value, np.asarray(lo, value.dtype.np),
                              np.asarray(hi, value.dtype.np))
    return cast(value, target, name=name)


def clip_by_value(t, clip_value_min, clip_value_max, name: Optional[str] = None):
    """min(max(t, clip_value_min), clip_value_max)."""
    t = convert_to_tensor(t)
    return minimum(maximum(t, clip_value_min), clip_value_max, name=name or "clip_by_value")


# ------------------------------------------------------------------ select / where
def _select_infer(op):
    c, x, y = op.inputs
    check_dtype(op, c, (dt.bool_,), "condition")
    if x.dtype is not y.dtype:
        raise TypeError(f"Select: '{x.name}' is {x.dtype.name} but '{y.name}' is "
                        f"{y.dtype.name}")
    if not x.shape.is_compatible_with(y.shape):
        raise ValueError(f"Select: 'then' {x.name} has shape {x.shape} but 'else' {y.name} "
                         f"has shape {y.shape}; they must be equal")
    shape = x.shape.merge_with(y.shape)
    if c.shape.ndims == 1 and shape.ndims not in (None, 1):
        if not c.shape[0].is_compatible_with(shape[0]):
            raise ValueError(f"Select: a vector condition of length {c.shape[0]} must match "
                             f"the first dimension {shape[0]} of the values")
    elif not c.shape.is_compatible_with(shape) and c.shape.ndims != 0:
        raise ValueError(f"Select: condition '{c.name}' has shape {c.shape}, values have "
                         f"shape {shape}")
    return [(x.dtype, shape)]


def _select_compute(c, x, y):
    if c.ndim == 1 and x.ndim > 1:
        if c.shape[0] != x.shape[0]:
            raise InvalidArgumentError(None, None, "condition must be a vector of size "
                                       f"{x.shape[0]}, got {c.shape[0]}")
        c = c.reshape((-1,) + (1,) * (x.ndim - 1))
    elif c.shape != x.shape and c.ndim != 0:
        raise InvalidArgumentError(None, None, f"'then' and condition must have the same "
                                   f"shape: {list(x.shape)} vs {list(c.shape)}")
    if x.shape != y.shape:
        raise InvalidArgumentError(None, None, f"'then' and 'else' must have the same size: "
                                   f"{list(x.shape)} vs {list(y.shape)}")
    return np.asarray(np.where(c, x, y), dtype=x.dtype)


defop("Select", _select_infer, _select_compute, None, elementwise=True,
      family="select")


def _select_v2_infer(op):
    c, x, y = op.inputs
    check_dtype(op, c, (dt.bool_,), "condition")
    if x.dtype is not y.dtype:
        raise TypeError(f"SelectV2: '{x.name}' is {x.dtype.name} but '{y.name}' is "
                        f"{y.dtype.name}")
    shape = broadcast_shapes(x.shape, y.shape)
    shape = None if shape is None else broadcast_shapes(c.shape, shape)
    if shape is None:
        raise ValueError(f"SelectV2: condition {c.shape}, x {x.shape} and y {y.shape} are "
                         "not broadcast-compatible")
    return [(x.dtype, shape)]


def _select_v2_compute(c, x, y):
    return np.asarray(np.where(c, x, y), dtype=x.dtype)


defop("SelectV2", _select_v2_infer, _select_v2_compute, None, elementwise=True,
      family="select")


def _where_infer(op):
    c = op.inputs[0]
    rank = c.shape.ndims
    return [(dt.int64, TensorShape([None, rank]))]


def _where_compute(c):
    return np.asarray(np.argwhere(c), dtype=np.int64).reshape(-1, c.ndim)


defop("Where", _where_infer, _where_compute, NON_DIFFERENTIABLE, family="select")


def where(condition, x=None, y=None, name: Optional[str] = None):
    """TF1 `tf.where`: Select(condition, x, y), or coordinates of true elements."""
    condition = convert_to_tensor(condition, dtype_hint=dt.bool_)
    if x is None and y is None:
        return apply("Where", (condition,), name=name or "Where")
    if x is None or y is None:
        raise ValueError("x and y must both be non-None or both be None.")
    x, y = convert_pair(x, y)
    return apply("Select", (condition, x, y), name=name or "Select")


def where_v2(condition, x=None, y=None, name: Optional[str] = None):
    """TF2-style where with full broadcasting (`tf.where_v2`)."""
    condition = convert_to_tensor(condition, dtype_hint=dt.bool_)
    if x is None and y is None:
        return apply("Where", (condition,), name=name or "Where")
    x, y = convert_pair(x, y)
    return apply("SelectV2", (condition, x, y), name=name or "SelectV2")


from ..naming import name_builders  # noqa: E402

name_builders(globals())  # the factories' builders take their public names
