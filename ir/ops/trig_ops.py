"""Inverse trigonometric and hyperbolic functions, elementwise (TF1's names and gradients).

asin, acos, atan, atan2, asinh, acosh, atanh, sinh and cosh, for float inputs; float32 is
computed in float64 and rounded once on both backends (the llvm emitters call the C
library's double functions, backends/llvm/special_scalar.py). Domain errors are NaN
(asin(2), acosh(0.5)), as in TF1.
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from .. import dtypes as dt
from ._base import apply, broadcast_infer, check_dtype, convert_pair, convert_to_tensor, defop
from .grad_ops import reduce_to_operand
from .math_ops import add, multiply, negative, reciprocal, rsqrt, square, subtract, truediv
from .special_ops import _wide

__all__ = ["asin", "acos", "atan", "atan2", "asinh", "acosh", "atanh", "sinh", "cosh"]


def _one(x):
    return np.ones((), x.dtype.np)


def _unary(op_type: str, fn, grad):
    def infer(op):
        check_dtype(op, op.inputs[0], dt.FLOATS)
        return [(op.inputs[0].dtype, op.inputs[0].shape)]
    defop(op_type, infer, _wide(fn),
          lambda op, grads: [multiply(grads[0], grad(op.inputs[0], op.outputs[0]))],
          elementwise=True, family="unary")

    def builder(x, name: Optional[str] = None):
        return apply(op_type, (convert_to_tensor(x, name="x"),), name=name or op_type)
    return builder


asin = _unary("Asin", np.arcsin, lambda x, y: rsqrt(subtract(_one(x), square(x))))
acos = _unary("Acos", np.arccos, lambda x, y: negative(rsqrt(subtract(_one(x), square(x)))))
atan = _unary("Atan", np.arctan, lambda x, y: reciprocal(add(_one(x), square(x))))
asinh = _unary("Asinh", np.arcsinh, lambda x, y: reciprocal(cosh(y)))
acosh = _unary("Acosh", np.arccosh, lambda x, y: reciprocal(sinh(y)))
atanh = _unary("Atanh", np.arctanh, lambda x, y: reciprocal(subtract(_one(x), square(x))))
sinh = _unary("Sinh", np.sinh, lambda x, y: cosh(x))
cosh = _unary("Cosh", np.cosh, lambda x, y: sinh(x))


def _atan2_vjp(op, grads):
    y, x = op.inputs
    scale = truediv(grads[0], add(square(x), square(y)))
    return [reduce_to_operand(multiply(x, scale), y),
            reduce_to_operand(negative(multiply(y, scale)), x)]


defop("Atan2", lambda op: broadcast_infer(op, allowed=dt.FLOATS), _wide(np.arctan2), _atan2_vjp,
      elementwise=True, family="binary")


def atan2(y, x, name: Optional[str] = None):
    """TF1 `tf.atan2(y, x)`: the angle of the point (x, y), in [-pi, pi]."""
    y, x = convert_pair(y, x, "y", "x")
    return apply("Atan2", (y, x), name=name or "Atan2")


from ..naming import name_builders  # noqa: E402

name_builders(globals())
