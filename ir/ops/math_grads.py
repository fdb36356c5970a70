"""VJP rules of math ops that build zeros or ones (Pow, Maximum, Minimum, Sign, Select,
SelectV2), attached to their OpDefs with `set_vjp`.

They live above `generator_ops` (ZerosLike, OnesLike), which itself builds with
`math_ops.cast`: keeping them beside their OpDefs would make the two modules import each
other. Every other math rule sits with its OpDef in `math_ops`.
"""
from __future__ import annotations

import numpy as np

from ..registry import set_vjp
from ._base import apply
from .generator_ops import ones_like, zeros_like
from .grad_ops import reduce_to_operand
from .math_ops import greater, greater_equal, less_equal, log, multiply, pow, subtract, \
    where_v2


def _vjp_pow(op, grads):
    x, y = op.inputs
    z = op.outputs[0]
    g = grads[0]
    one = np.ones((), x.dtype.np)
    gx = multiply(g, multiply(y, pow(x, subtract(y, one))))
    positive = greater(x, np.zeros((), x.dtype.np))
    safe_x = where_v2(positive, x, ones_like(x))
    log_x = where_v2(positive, log(safe_x), zeros_like(x))
    gy = multiply(g, multiply(z, log_x))
    return [reduce_to_operand(gx, x), reduce_to_operand(gy, y)]


def _vjp_minmax(select_x):
    def rule(op, grads):
        x, y = op.inputs
        g = grads[0]
        zeros = zeros_like(g)
        mask = select_x(x, y)
        return [reduce_to_operand(where_v2(mask, g, zeros), x),
                reduce_to_operand(where_v2(mask, zeros, g), y)]
    return rule


def _select_vjp(op, grads):
    c = op.inputs[0]
    g = grads[0]
    zeros = zeros_like(g)
    return [None, apply("Select", (c, g, zeros)), apply("Select", (c, zeros, g))]


def _select_v2_vjp(op, grads):
    c, x, y = op.inputs
    g = grads[0]
    zeros = zeros_like(g)
    return [None, reduce_to_operand(where_v2(c, g, zeros), x),
            reduce_to_operand(where_v2(c, zeros, g), y)]


set_vjp("Pow", _vjp_pow)
set_vjp("Maximum", _vjp_minmax(greater_equal))
set_vjp("Minimum", _vjp_minmax(less_equal))
set_vjp("Sign", lambda op, grads: [zeros_like(op.inputs[0])])
set_vjp("Select", _select_vjp)
set_vjp("SelectV2", _select_v2_vjp)
