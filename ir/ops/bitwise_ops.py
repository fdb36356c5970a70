"""tf.bitwise: bitwise_and, bitwise_or, bitwise_xor, invert, left_shift and right_shift on
integer tensors (TF1's dtype rules: both operands of one integer dtype, no promotion,
numpy broadcasting; floats and bools refused naming the op).

Shifts follow TF's kernels: the shift is clamped to [0, bits - 1] (a negative or too large
shift is implementation defined in C; TF clamps, so `left_shift(1, 9)` on int8 is 1 << 7),
left shifts wrap in the operand's width, right shifts are arithmetic for signed and
logical for unsigned dtypes. Not differentiable (integers). Native on llvm (scalar
emitters in backends/llvm/scalar_ops.py).
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from .. import dtypes as dt
from ._base import NON_DIFFERENTIABLE, apply, broadcast_infer, check_dtype, convert_pair, \
    convert_to_tensor, defop

__all__ = ["bitwise_and", "bitwise_or", "bitwise_xor", "invert", "left_shift", "right_shift"]


def _clamped(x, y):
    bits = np.dtype(x.dtype).itemsize * 8
    return np.clip(y, 0, bits - 1).astype(y.dtype, copy=False)


def _left_shift(x, y):
    with np.errstate(over="ignore"):
        return np.asarray(np.left_shift(x, _clamped(x, y)), dtype=x.dtype)


def _right_shift(x, y):
    return np.asarray(np.right_shift(x, _clamped(x, y)), dtype=x.dtype)


def _binary(op_type: str, kernel, default_name: str):
    defop(op_type, lambda op: broadcast_infer(op, allowed=dt.INTS), kernel,
          NON_DIFFERENTIABLE, elementwise=True, family="binary")

    def builder(x, y, name: Optional[str] = None):
        x, y = convert_pair(x, y)
        return apply(op_type, (x, y), name=name or default_name)
    return builder


_and = _binary("BitwiseAnd", lambda x, y: np.asarray(np.bitwise_and(x, y)), "BitwiseAnd")
_or = _binary("BitwiseOr", lambda x, y: np.asarray(np.bitwise_or(x, y)), "BitwiseOr")
_xor = _binary("BitwiseXor", lambda x, y: np.asarray(np.bitwise_xor(x, y)), "BitwiseXor")
_lshift = _binary("LeftShift", _left_shift, "LeftShift")
_rshift = _binary("RightShift", _right_shift, "RightShift")


def _invert_infer(op):
    check_dtype(op, op.inputs[0], dt.INTS)
    return [(op.inputs[0].dtype, op.inputs[0].shape)]


defop("Invert", _invert_infer, lambda x: np.asarray(np.invert(x)), NON_DIFFERENTIABLE,
      elementwise=True, family="unary")


def bitwise_and(x, y, name: Optional[str] = None):
    """TF1 `tf.bitwise.bitwise_and(x, y)`: elementwise x & y."""
    return _and(x, y, name=name)


def bitwise_or(x, y, name: Optional[str] = None):
    """TF1 `tf.bitwise.bitwise_or(x, y)`: elementwise x | y."""
    return _or(x, y, name=name)


def bitwise_xor(x, y, name: Optional[str] = None):
    """TF1 `tf.bitwise.bitwise_xor(x, y)`: elementwise x ^ y."""
    return _xor(x, y, name=name)


def left_shift(x, y, name: Optional[str] = None):
    """TF1 `tf.bitwise.left_shift(x, y)`: x << y, y clamped to [0, bits - 1]."""
    return _lshift(x, y, name=name)


def right_shift(x, y, name: Optional[str] = None):
    """TF1 `tf.bitwise.right_shift(x, y)`: x >> y (arithmetic for signed dtypes), y clamped
    to [0, bits - 1]."""
    return _rshift(x, y, name=name)


def invert(x, name: Optional[str] = None):
    """TF1 `tf.bitwise.invert(x)`: elementwise ~x."""
    return apply("Invert", (convert_to_tensor(x, name="x"),), name=name or "Invert")
