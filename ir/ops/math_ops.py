"""Elementwise math, comparisons, logic, reductions, matmul (TF1 names and semantics)."""
from __future__ import annotations

from typing import Optional

import numpy as np

from .. import dtypes as dt
from ._base import (NON_DIFFERENTIABLE, apply, broadcast_infer, check_dtype, convert_pair,
                    convert_to_tensor, defop, same_as_input)


# ------------------------------------------------------------------ binary elementwise
def _binary_builder(op_type: str, default_name: Optional[str] = None):
    def builder(x, y, name: Optional[str] = None):
        x, y = convert_pair(x, y)
        return apply(op_type, (x, y), name=name or default_name or op_type)

    builder.__name__ = op_type.lower()
    return builder


defop("Add", broadcast_infer, lambda x, y: np.add(x, y), elementwise=True, family="binary")
defop("Sub", broadcast_infer, lambda x, y: np.subtract(x, y), elementwise=True,
      family="binary")
defop("Mul", broadcast_infer, lambda x, y: np.multiply(x, y), elementwise=True,
      family="binary")

add = _binary_builder("Add")
subtract = _binary_builder("Sub")
multiply = _binary_builder("Mul")


# ------------------------------------------------------------------ unary elementwise
def _float_infer(op):
    check_dtype(op, op.inputs[0], dt.FLOATS)
    return same_as_input(op)


def _unary_builder(op_type: str):
    def builder(x, name: Optional[str] = None):
        return apply(op_type, (convert_to_tensor(x),), name=name or op_type)

    builder.__name__ = op_type.lower()
    return builder


defop("Neg", same_as_input, lambda x: np.negative(x), elementwise=True, family="unary")
defop("Exp", _float_infer, lambda x: np.exp(x), elementwise=True, family="unary")
negative = _unary_builder("Neg")
exp = _unary_builder("Exp")
