"""cumprod, lin_space, roll and bitcast (TF1 names and semantics).

`cumprod` takes TF1's exclusive/reverse and TF1's gradient (a reversed cumsum of
prod * grad, divided by x: like TF1's, it is not defined at zeros of x). `lin_space` is
TF1's kernel, start + i * ((stop - start) / (num - 1)) in the input dtype (the last value
is not forced to `stop`). `roll` sums the shifts of a repeated axis; `bitcast` follows
TF1's shape rule: a wider input type splits into a new last dim, a narrower one needs a
last dim of the width ratio, which disappears.
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from .. import dtypes as dt
from ..errors import InvalidArgumentError
from ..shapes import TensorShape
from ._base import (NON_DIFFERENTIABLE, apply, check_dtype, const_value, convert_to_tensor,
                    defop, normalize_axis)
from .array_ops import INDEX_DTYPES, _static_axis
from .math_ops import multiply, negative, truediv
from .matmul_ops import cumsum, scan, scan_infer

__all__ = ["cumprod", "lin_space", "linspace", "roll", "bitcast"]


# ------------------------------------------------------------------ Cumprod
def _cumprod_compute(x, *, axis, exclusive, reverse):
    if x.ndim == 0 or not -x.ndim <= axis < x.ndim:
        raise InvalidArgumentError(None, None, f"axis {axis} is out of range for a tensor "
                                   f"of rank {x.ndim}")
    return scan(x, axis, exclusive, reverse, np.cumprod, 1)


def _cumprod_vjp(op, grads):
    """TF1's rule: cumsum(prod * g, reverse=not reverse) / x."""
    x = op.inputs[0]
    a = op.attrs
    prod = apply("Cumprod", (x,), dict(a))
    summed = cumsum(multiply(prod, grads[0]), a["axis"], exclusive=a["exclusive"],
                    reverse=not a["reverse"])
    return [truediv(summed, x)]


defop("Cumprod", scan_infer, _cumprod_compute, _cumprod_vjp, family="scan")


def cumprod(x, axis=0, exclusive: bool = False, reverse: bool = False,
            name: Optional[str] = None):
    """TF1 `tf.math.cumprod`: running products along `axis`; `exclusive` starts each with
    1, `reverse` runs from the end."""
    x = convert_to_tensor(x, name="x")
    return apply("Cumprod", (x,), {"axis": _static_axis(axis), "exclusive": bool(exclusive),
                                   "reverse": bool(reverse)}, name=name or "Cumprod")


# ------------------------------------------------------------------ LinSpace
def _lin_space_infer(op):
    start, stop, num = op.inputs
    check_dtype(op, start, dt.FLOATS, "start")
    if stop.dtype is not start.dtype:
        raise TypeError(f"LinSpace op '{op.name}': stop '{stop.name}' is {stop.dtype.name} "
                        f"but start '{start.name}' is {start.dtype.name}")
    check_dtype(op, num, INDEX_DTYPES, "num")
    for t, what in ((start, "start"), (stop, "stop"), (num, "num")):
        if t.shape.ndims not in (None, 0):
            raise ValueError(f"{what} must be a scalar, not shape {t.shape}")
    n = const_value(num)
    if n is not None and int(n) <= 0:
        raise ValueError(f"Requires num > 0: {int(n)}")
    return [(start.dtype, TensorShape([None if n is None else int(n)]))]


def _lin_space_compute(start, stop, num):
    n = int(num)
    if n <= 0:
        raise InvalidArgumentError(None, None, f"Requires num > 0: {n}")
    if n == 1:
        return np.asarray([start], dtype=start.dtype)
    step = (stop - start) / start.dtype.type(n - 1)
    return (start + step * np.arange(n, dtype=start.dtype)).astype(start.dtype)


# TF1 registers no gradient for LinSpace.
defop("LinSpace", _lin_space_infer, _lin_space_compute, NON_DIFFERENTIABLE, family="generator")


def lin_space(start, stop, num, name: Optional[str] = None, axis=0):
    """TF1 `tf.lin_space` (`tf.linspace`): `num` evenly spaced values from `start` to
    `stop`, scalars (axis 0 is the only axis of the result)."""
    if _static_axis(axis) not in (0, -1):
        raise ValueError(f"linspace of scalars has one axis, got axis={axis!r}")
    start = convert_to_tensor(start, name="start")
    stop = convert_to_tensor(stop, name="stop", dtype=start.dtype)
    num = convert_to_tensor(num, name="num")
    return apply("LinSpace", (start, stop, num), name=name or "LinSpace")


linspace = lin_space


# ------------------------------------------------------------------ Roll
def _roll_infer(op):
    x, shift, axis = op.inputs
    check_dtype(op, shift, INDEX_DTYPES, "shift")
    check_dtype(op, axis, INDEX_DTYPES, "axis")
    if shift.shape.ndims not in (None, 0, 1) or axis.shape.ndims not in (None, 0, 1):
        raise ValueError("shift and axis must be scalars or vectors")
    if not shift.shape.is_compatible_with(axis.shape):
        raise ValueError(f"shift and axis must have the same size, got {shift.shape} and "
                         f"{axis.shape}")
    a = const_value(axis)
    if a is not None and x.shape.ndims is not None:
        for v in np.reshape(a, -1):
            normalize_axis(int(v), x.shape.ndims, f"Roll op '{op.name}'")
    return [(x.dtype, x.shape)]


def _roll_compute(x, shift, axis):
    s, a = np.reshape(shift, -1), np.reshape(axis, -1)
    if s.shape != a.shape:
        raise InvalidArgumentError(None, None, f"shift and axis must have the same size, got "
                                   f"{s.size} and {a.size}")
    for v in a:
        if not -x.ndim <= v < x.ndim:
            raise InvalidArgumentError(None, None, f"axis {int(v)} is out of range for a "
                                       f"tensor of rank {x.ndim}")
    if not a.size:
        return x.copy()
    return np.roll(x, tuple(int(v) for v in s), axis=tuple(int(v) for v in a))


defop("Roll", _roll_infer, _roll_compute,
      lambda op, grads: [apply("Roll", (grads[0], negative(op.inputs[1]), op.inputs[2])),
                         None, None], family="array")


def roll(input, shift, axis, name: Optional[str] = None):  # noqa: A002 (TF1's name)
    """TF1 `tf.roll`: elements shifted along `axis` (ints or tensors; a repeated axis sums
    its shifts), those moved past the end come back at the start."""
    x = convert_to_tensor(input, name="input")
    s = convert_to_tensor(shift, name="shift")
    a = convert_to_tensor(axis, name="axis")
    return apply("Roll", (x, s, a), name=name or "Roll")


# ------------------------------------------------------------------ Bitcast
_BITCASTABLE = (dt.float16, dt.float32, dt.float64, dt.int8, dt.int16, dt.int32, dt.int64,
                dt.uint8)


def _bitcast_infer(op):
    x = op.inputs[0]
    target = op.attrs["type"]
    check_dtype(op, x, _BITCASTABLE, "input")
    if target not in _BITCASTABLE:
        raise TypeError(f"Bitcast op '{op.name}': cannot bitcast to {target.name}")
    src, dst = x.dtype.size, target.size
    dims = x.shape.as_tuple()
    if dims is None or src == dst:
        return [(target, x.shape)]
    if src > dst:
        return [(target, TensorShape(dims + (src // dst,)))]
    if not dims or dims[-1] is not None and dims[-1] != dst // src:
        raise ValueError(f"Cannot bitcast from {x.dtype.name} to {target.name}: the last "
                         f"dimension of '{x.name}' (shape {x.shape}) must be {dst // src}")
    return [(target, TensorShape(dims[:-1]))]


def _bitcast_compute(x, *, type):  # noqa: A002 (TF1's attribute name)
    src, dst = x.dtype.itemsize, type.np.itemsize
    x = np.ascontiguousarray(x)
    if src == dst:
        return x.view(type.np)
    if src > dst:
        return x.reshape(-1).view(type.np).reshape(x.shape + (src // dst,))
    if x.ndim == 0 or x.shape[-1] != dst // src:
        raise InvalidArgumentError(None, None, f"Cannot bitcast from {x.dtype.name} to "
                                   f"{type.name}: shape {list(x.shape)}")
    return x.reshape(-1).view(type.np).reshape(x.shape[:-1])


defop("Bitcast", _bitcast_infer, _bitcast_compute, NON_DIFFERENTIABLE, family="array")


def bitcast(input, type, name: Optional[str] = None):  # noqa: A002 (TF1's names)
    """TF1 `tf.bitcast`: the same bytes seen as another dtype (no copy of values)."""
    x = convert_to_tensor(input, name="input")
    return apply("Bitcast", (x,), {"type": dt.as_dtype(type)}, name=name or "Bitcast")


from ..naming import name_builders  # noqa: E402

name_builders(globals())
