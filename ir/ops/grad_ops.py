"""Ops that gradient rules need: reducing a broadcast gradient to an operand's shape.

`sum_to_shape(g, shape)` sums `g` over the leading dims it has beyond `shape` and over the
dims where `shape` is 1, so a VJP rule stays right when shapes are known only at run time
(`shape` is usually `tf.shape(x)`, folded to a constant when x's shape is static).
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from ..shapes import TensorShape
from ..symbolic import SymbolicDimError, has_symbolic, is_symbolic, symbols_of
from ._base import apply, const_value_as_shape, convert_to_tensor, defop
from .. import dtypes as dt
from .tile_pad_ops import broadcast_to
from .array_ops import shape as shape_of


def _sum_to_shape_infer(op):
    g, shape = op.inputs
    if not shape.dtype.is_integer:
        raise TypeError(f"the target shape '{shape.name}' must be an integer vector, got "
                        f"{shape.dtype.name}")
    target = const_value_as_shape(shape)
    _check_symbolic_sum(op, g.shape.as_tuple(), target.as_tuple())
    return [(g.dtype, target)]


def _check_symbolic_sum(op, dims, target) -> None:
    """A plan's symbolic dim (ir/symbolic.py) summed to, or from, a static one: whether
    the sizes match is known only at run time, so the plan compiles per shape."""
    if dims is None or target is None or not (has_symbolic(dims) or has_symbolic(target)):
        return
    for d, t in zip(reversed(dims), reversed(target)):
        if (is_symbolic(d) or is_symbolic(t)) and d != t and not (
                isinstance(t, int) and t == 1):
            raise SymbolicDimError(f"{op.type} op '{op.name}' sums {d} to {t}",
                                   symbols=symbols_of(d, t))


def sum_to_shape_np(g: np.ndarray, shape) -> np.ndarray:
    shape = tuple(int(d) for d in shape)
    g = np.asarray(g)
    if g.shape == shape:
        return g
    lead = g.ndim - len(shape)
    if lead < 0:
        raise ValueError(f"cannot sum a gradient of shape {g.shape} to the larger rank "
                         f"shape {shape}")
    axes = tuple(range(lead)) + tuple(
        lead + i for i, d in enumerate(shape) if d == 1 and g.shape[lead + i] != 1)
    out = np.sum(g, axis=axes, keepdims=True, dtype=g.dtype) if axes else g
    if lead:
        out = out.reshape(out.shape[lead:])
    if out.shape != shape:
        raise ValueError(f"a gradient of shape {g.shape} does not broadcast to {shape}")
    return np.asarray(out, dtype=g.dtype)


def _sum_to_shape_compute(g, shape):
    return sum_to_shape_np(g, shape)


def _sum_to_shape_vjp(op, grads):
    return [broadcast_to(grads[0], shape_of(op.inputs[0])), None]


defop("SumToShape", _sum_to_shape_infer, _sum_to_shape_compute, _sum_to_shape_vjp,
      family="grad")


def sum_to_shape(g, shape, name: Optional[str] = None):
    """Sum `g` down to `shape` (an int vector): the reverse of broadcasting."""
    g = convert_to_tensor(g)
    if isinstance(shape, (list, tuple, TensorShape)):
        shape = [int(d) for d in TensorShape(shape).as_list()]
    shape = convert_to_tensor(shape, dtype=dt.int32) if not hasattr(shape, "_as_tensor") \
        else shape
    return apply("SumToShape", (g, shape), name=name or "SumToShape")


def reduce_to_operand(g, x, name: Optional[str] = None):
    """`g` summed to the shape of operand `x`; a no-op when static shapes already agree."""
    if x.shape.is_fully_defined() and g.shape.is_fully_defined() and \
            x.shape.as_list() == g.shape.as_list():
        return g
    if x.shape.is_fully_defined():
        return sum_to_shape(g, x.shape.as_list(), name=name)
    return sum_to_shape(g, shape_of(x), name=name)
