"""Reductions (Sum, Mean, Max, Min, Prod, Any, All) and ArgMax/ArgMin.

The axis is static (`attrs["axis"]`: a sorted tuple of non-negative ints, or None for
all axes) and so is keep_dims, as TF1 programs nearly always write them.
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from .. import dtypes as dt
from ..errors import InvalidArgumentError
from ..shapes import TensorShape
from ._base import (NON_DIFFERENTIABLE, apply, check_dtype, convert_to_tensor, defop,
                    deprecated_argument, static_int_list)
from .core_ops import identity, stop_gradient
from .math_ops import (add, cast, equal, exp, is_finite, log, multiply, not_equal, subtract,
                       truediv, where_v2)
from .generator_ops import fill, ones_like, range as range_of, zeros_like
from .tile_pad_ops import broadcast_to
from .array_ops import rank as rank_of, reshape, shape as shape_of, size, squeeze

__all__ = ["reduce_sum", "reduce_mean", "reduce_max", "reduce_min", "reduce_prod",
           "reduce_any", "reduce_all", "reduce_logsumexp", "count_nonzero", "argmax",
           "argmin"]

NUMERIC = dt.NUMERIC


def _reduce_infer_for(allowed):
    def infer(op):
        x = op.inputs[0]
        if allowed is not None:
            check_dtype(op, x, allowed)
        return [(x.dtype, reduced_shape(x.shape, op.attrs["axis"], op.attrs["keep_dims"],
                                        op))]
    return infer


def reduced_shape(shape: TensorShape, axis, keep_dims: bool, op=None) -> TensorShape:
    dims = shape.as_tuple()
    if dims is None:
        if axis is None and not keep_dims:
            return TensorShape([])
        return TensorShape(None)
    rank = len(dims)
    if axis is None:
        axis = tuple(range(rank))
    for a in axis:
        if a >= rank:
            raise ValueError(f"Invalid reduction dimension {a} for input with {rank} "
                             f"dimensions (shape {shape})")
    if keep_dims:
        return TensorShape([1 if i in axis else d for i, d in enumerate(dims)])
    return TensorShape([d for i, d in enumerate(dims) if i not in axis])


def _axis_attr(axis, x) -> Optional[tuple]:
    """Normalise a static axis argument: sorted, non-negative, no duplicates."""
    if axis is None:
        return None
    values = static_int_list(axis, "reduction axis")
    rank = x.shape.ndims
    out = []
    for a in values:
        if rank is not None:
            if not -rank <= a < rank:
                raise ValueError(f"Invalid reduction dimension {a} for input '{x.name}' with "
                                 f"{rank} dimensions (shape {x.shape})")
            a %= rank
        elif a < 0:
            raise ValueError(f"a negative reduction axis {a} needs a known rank "
                             f"('{x.name}' has unknown rank)")
        if a in out:
            raise ValueError(f"Axis {a} specified more than once in reduction of '{x.name}'")
        out.append(a)
    return tuple(sorted(out))


def _np_axis(x, axis):
    return None if axis is None else tuple(a for a in axis if a < x.ndim)


def _kernel(fn, empty_error: bool = False):
    def compute(x, *, axis, keep_dims):
        ax = _np_axis(x, axis)
        if empty_error and x.size == 0:
            n_out = 1 if ax is None else int(np.prod([d for i, d in enumerate(x.shape)
                                                     if i not in ax]))
            if n_out:
                raise InvalidArgumentError(None, None, "Reduction of an empty tensor along an "
                                           "axis of length 0 has no identity for max/min")
        return np.asarray(fn(x, axis=ax, keepdims=keep_dims), dtype=x.dtype)
    return compute


def _mean(x, axis, keepdims):
    if x.dtype.kind in "iu":
        n = x.size if axis is None else int(np.prod([x.shape[a] for a in axis]))
        total = np.sum(x, axis=axis, keepdims=keepdims, dtype=np.int64)
        return (np.trunc(total / max(n, 1))).astype(x.dtype)
    return np.mean(x, axis=axis, keepdims=keepdims)


def _sum(x, axis, keepdims):
    return np.sum(x, axis=axis, keepdims=keepdims, dtype=x.dtype)


# ---------------------------------------------------------------- VJP rules
def _broadcast_back(g, op):
    """g (the reduction's output gradient) broadcast back to the input's shape."""
    x = op.inputs[0]
    axis, keep = op.attrs["axis"], op.attrs["keep_dims"]
    rank = x.shape.ndims
    if not keep:
        if rank is not None:
            dims = g.shape.as_tuple() if g.shape.ndims is not None else None
            axes = range(rank) if axis is None else axis
            kept = [1 if i in axes else None for i in range(rank)]
            if dims is not None and None not in dims:
                it = iter(dims)
                kept = [1 if k == 1 else next(it) for k in kept]
                g = reshape(g, kept)
            else:
                g = reshape(g, _kept_shape_tensor(x, axes))
        elif axis is None:
            g = reshape(g, fill(reshape(rank_of(x), [1]), np.int32(1)))
        else:
            g = reshape(g, _kept_shape_tensor(x, axis))
    target = x.shape.as_list() if x.shape.is_fully_defined() else shape_of(x)
    return broadcast_to(g, target)


def _kept_shape_tensor(x, axes):
    """shape(x) with the reduced axes set to 1, as a tensor (for run-time shapes)."""
    rank = x.shape.ndims
    if rank is not None:
        mask = np.array([i in axes for i in range(rank)])
    else:  # the rank is known only at run time: compare each dim index with the axes
        dims = reshape(range_of(rank_of(x)), [-1, 1])
        mask = reduce_any(equal(dims, np.int32([list(axes)])), axis=1)
    target = shape_of(x)
    return where_v2(mask, ones_like(target), target)


def _vjp_sum(op, grads):
    return [_broadcast_back(grads[0], op)]


def _vjp_mean(op, grads):
    x, y = op.inputs[0], op.outputs[0]
    g = _broadcast_back(grads[0], op)
    nx, ny = x.shape.num_elements(), y.shape.num_elements()
    if nx is not None and ny is not None:
        count = np.asarray(nx / max(ny, 1), x.dtype.np)
    else:
        count = truediv(cast(size(x), x.dtype), cast(size(y), x.dtype))
    return [truediv(g, count)]


def _vjp_minmax(op, grads):
    x, y = op.inputs[0], op.outputs[0]
    keep = {"axis": op.attrs["axis"], "keep_dims": op.attrs["keep_dims"]}
    y_b = _broadcast_back(y, op)
    mask = cast(equal(x, y_b), x.dtype)
    ties = apply("Sum", (mask,), keep)
    return [multiply(mask, truediv(_broadcast_back(grads[0], op), _broadcast_back(ties, op)))]


def _vjp_prod(op, grads):
    # d prod / d x_i is the product of the other entries of x_i's slice (TF1 computes it
    # with exclusive cumprods), by the number of zeros in the slice, with P the product of
    # its non-zeros and z the sum of its zeros (0, but it carries their gradient):
    #   none: P / x_i;   one: P at the zero, z P / x_i elsewhere;
    #   two: (z - x_i) P at a zero (the other zero times P), 0 elsewhere;   more: 0.
    # Each is exact in value and first derivative, so second-order gradients at zeros are
    # right too, and every division is by a non-zero.
    x = op.inputs[0]
    keep = {"axis": op.attrs["axis"], "keep_dims": True}

    def c(v):
        return np.asarray(v, x.dtype.np)

    is_zero = equal(x, c(0))
    nonzero = where_v2(is_zero, c(1), x)
    p = apply("Prod", (nonzero,), keep)
    zeros = apply("Sum", (cast(is_zero, x.dtype),), keep)
    z = apply("Sum", (where_v2(is_zero, x, c(0)),), keep)
    p_over_x = truediv(p, nonzero)
    one = where_v2(is_zero, p, multiply(z, p_over_x))
    two = where_v2(is_zero, multiply(subtract(z, x), p), c(0))
    others = where_v2(equal(zeros, c(0)), p_over_x,
                      where_v2(equal(zeros, c(1)), one,
                               where_v2(equal(zeros, c(2)), two, c(0))))
    return [multiply(_broadcast_back(grads[0], op), others)]


for _name, _fn, _allowed, _vjp, _empty in (
        ("Sum", _sum, NUMERIC + dt.COMPLEX, _vjp_sum, False),
        ("Mean", _mean, NUMERIC + dt.COMPLEX, _vjp_mean, False),
        ("Max", np.max, NUMERIC, _vjp_minmax, True),
        ("Min", np.min, NUMERIC, _vjp_minmax, True),
        ("Prod", lambda x, axis, keepdims: np.prod(x, axis=axis, keepdims=keepdims,
                                                   dtype=x.dtype), NUMERIC, _vjp_prod, False),
        ("Any", np.any, (dt.bool_,), NON_DIFFERENTIABLE, False),
        ("All", np.all, (dt.bool_,), NON_DIFFERENTIABLE, False)):
    defop(_name, _reduce_infer_for(_allowed), _kernel(_fn, _empty), _vjp, family="reduce")


def _reduction(op_type: str, default_name: str):
    def builder(input_tensor, axis=None, keepdims=None, name: Optional[str] = None,
                reduction_indices=None, keep_dims=None):
        axis = deprecated_argument("axis", axis, "reduction_indices", reduction_indices)
        keep = bool(deprecated_argument("keepdims", keepdims, "keep_dims", keep_dims))
        x = convert_to_tensor(input_tensor)
        return apply(op_type, (x,), {"axis": _axis_attr(axis, x), "keep_dims": keep},
                     name=name or default_name)

    return builder


reduce_sum = _reduction("Sum", "Sum")
reduce_mean = _reduction("Mean", "Mean")
reduce_max = _reduction("Max", "Max")
reduce_min = _reduction("Min", "Min")
reduce_prod = _reduction("Prod", "Prod")
reduce_any = _reduction("Any", "Any")
reduce_all = _reduction("All", "All")


def reduce_logsumexp(input_tensor, axis=None, keepdims=None, name: Optional[str] = None,
                     reduction_indices=None, keep_dims=None):
    """log(sum(exp(x))) computed stably: the max is subtracted first where it is finite
    (TF1's rule, so all -inf gives -inf and an inf gives inf, not NaN)."""
    axis = deprecated_argument("axis", axis, "reduction_indices", reduction_indices)
    keep = bool(deprecated_argument("keepdims", keepdims, "keep_dims", keep_dims))
    x = convert_to_tensor(input_tensor)
    raw = reduce_max(x, axis, keepdims=True)
    m = stop_gradient(where_v2(is_finite(raw), raw, zeros_like(raw)))
    s = reduce_sum(exp(subtract(x, m)), axis, keepdims=True)
    out = add(log(s), m)
    if not keep:
        ax = _axis_attr(axis, x)
        out = squeeze(out, list(ax) if ax is not None else None) if (
            ax is not None or x.shape.ndims is not None) else reduce_sum(out)
    return out if name is None else identity(out, name=name)


def count_nonzero(input_tensor=None, axis=None, keepdims=None, dtype=dt.int64,
                  name: Optional[str] = None, reduction_indices=None, keep_dims=None,
                  input=None):
    if (input_tensor is None) == (input is None):
        raise ValueError("count_nonzero takes input_tensor (or its deprecated name input), "
                         "exactly one of them")
    x = convert_to_tensor(input_tensor if input is None else input)
    nz = cast(not_equal(x, np.zeros((), x.dtype.np) if not x.dtype.is_string else b""),
              dt.int64)
    out = reduce_sum(nz, axis, keepdims, reduction_indices=reduction_indices,
                     keep_dims=keep_dims)
    return cast(out, dtype, name=name)


# ---------------------------------------------------------------- ArgMax / ArgMin
def _arg_infer(op):
    x = op.inputs[0]
    check_dtype(op, x, NUMERIC)
    axis = op.attrs["axis"]
    dims = x.shape.as_tuple()
    if dims is None:
        return [(op.attrs["output_type"], TensorShape(None))]
    if axis >= len(dims):
        raise ValueError(f"Expected dimension in the range [{-len(dims)}, {len(dims)}), but "
                         f"got {axis}")
    return [(op.attrs["output_type"], TensorShape(dims[:axis] + dims[axis + 1:]))]


def _arg_kernel(fn):
    def compute(x, *, axis, output_type):
        if x.shape[axis] == 0:
            raise InvalidArgumentError(None, None, f"Reduction axis {axis} is empty in shape "
                                       f"{list(x.shape)}")
        return np.asarray(fn(x, axis=axis), dtype=output_type.np)
    return compute


defop("ArgMax", _arg_infer, _arg_kernel(np.argmax), NON_DIFFERENTIABLE, family="reduce")
defop("ArgMin", _arg_infer, _arg_kernel(np.argmin), NON_DIFFERENTIABLE, family="reduce")


def _arg(op_type: str):
    def builder(input, axis=None, name: Optional[str] = None, dimension=None,
                output_type=dt.int64):
        axis = deprecated_argument("axis", axis, "dimension", dimension)
        if axis is None:
            axis = 0  # TF1
        x = convert_to_tensor(input)
        (a,) = static_int_list(axis, "axis") or [0]
        rank = x.shape.ndims
        if rank is not None:
            if not -rank <= a < rank:
                raise ValueError(f"Expected dimension in the range [{-rank}, {rank}), but got "
                                 f"{a} (input '{x.name}' of shape {x.shape})")
            a %= rank
        out = dt.as_dtype(output_type)
        if out not in (dt.int32, dt.int64):
            raise TypeError(f"output_type must be int32 or int64, got {out.name}")
        return apply(op_type, (x,), {"axis": a, "output_type": out}, name=name or op_type)

    return builder


argmax = _arg("ArgMax")
argmin = _arg("ArgMin")

from ..naming import name_builders  # noqa: E402

name_builders(globals())  # the factories' builders take their public names
