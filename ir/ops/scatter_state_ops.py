"""Scatters into variables: TF1's scatter_update/add/sub/mul/div/min/max (rows of the
first dim), scatter_nd_update/add/sub (the last axis of indices indexes the leading
dims) and count_up_to.

Like Assign, each writes the variable its ref input 0 names (the update is computed on
a copy under the variable's lock: ir/runtime.py's NodeContext.update_variable, so a
value read earlier in the run stays what it was) and its output is the variable's value
after the update (TF1's returned ref reads the same). Repeated indices combine in order
(update: the last wins), an index out of range is an InvalidArgumentError naming it, and
the updates of a row scatter may also be a scalar (every indexed row gets it). They are
state writes, not differentiable (TF1 registers no gradient for them); the llvm backend
runs the row and nd scatters natively, in place, every index checked before the first
write (backends/llvm/index_lowering.py). `use_locking` is kept as TF1's attr (the numpy
kernel's update is atomic either way, see NodeContext; the native one races as TF1's
`use_locking=False`). CountUpTo returns the value before its increment and
raises OutOfRangeError once the variable has reached `limit`.
"""
from __future__ import annotations

from builtins import range as builtins_range
from typing import Optional

import numpy as np

from .. import dtypes as dt
from ..errors import InvalidArgumentError, OutOfRangeError
from ._base import NON_DIFFERENTIABLE, apply, check_dtype, convert_to_tensor, defop, \
    graph_of
from .array_ops import INDEX_DTYPES, concat, expand_dims, reshape, shape
from .generator_ops import ones_like, range as range_
from .math_ops import multiply
from .scatter_ops import check_nd_operands, nd_rows, scatter_rows

__all__ = ["scatter_update", "scatter_add", "scatter_sub", "scatter_mul", "scatter_div",
           "scatter_min", "scatter_max", "scatter_nd_update", "scatter_nd_add",
           "scatter_nd_sub", "batch_scatter_update", "count_up_to"]

_ROW_OPS = {"ScatterUpdate": "update", "ScatterAdd": "add", "ScatterSub": "sub",
            "ScatterMul": "mul", "ScatterDiv": "div", "ScatterMin": "min",
            "ScatterMax": "max"}
_ND_OPS = {"ScatterNdUpdate": "update", "ScatterNdAdd": "add", "ScatterNdSub": "sub"}
_REAL = (dt.float16, dt.float32, dt.float64, dt.int8, dt.int16, dt.int32, dt.int64,
         dt.uint8)


def _check_ref(op, ref) -> None:
    if ref.op.type != "VariableV2":
        raise TypeError(f"the target '{ref.name}' of {op.type} must be a variable, but it is "
                        f"produced by a {ref.op.type} op")


def _check_updates_dtype(op, ref, updates) -> None:
    if updates.dtype is not ref.dtype:
        raise TypeError(f"{op.type} op '{op.name}': updates '{updates.name}' are "
                        f"{updates.dtype.name} but the variable '{ref.op.name}' is "
                        f"{ref.dtype.name}")


def _row_infer(op):
    ref, indices, updates = op.inputs
    _check_ref(op, ref)
    check_dtype(op, indices, INDEX_DTYPES, "indices")
    _check_updates_dtype(op, ref, updates)
    if op.type in ("ScatterMin", "ScatterMax", "ScatterMul", "ScatterDiv"):
        check_dtype(op, ref, _REAL, "ref")
    if ref.shape.ndims == 0:
        raise ValueError(f"the variable '{ref.op.name}' must be at least a vector (its rows "
                         "are scattered into), but is a scalar")
    if ref.shape.ndims is not None and updates.shape.ndims != 0:
        want = indices.shape.concatenate(ref.shape[1:])
        if not want.is_compatible_with(updates.shape):
            raise ValueError(f"updates '{updates.name}' must have shape {want} (indices."
                             f"shape + the variable's shape[1:]) or be a scalar, got "
                             f"{updates.shape}")
    return [(ref.dtype, ref.shape)]


def _row_compute(kind):
    def compute(ctx, ref, indices, updates, **attrs):
        def scatter(value):
            if value.ndim == 0:
                raise InvalidArgumentError(None, None, "params must be at least 1-D")
            want = indices.shape + value.shape[1:]
            if updates.ndim and updates.shape != want:
                raise InvalidArgumentError(
                    None, None, f"updates must have shape indices.shape + params.shape[1:] "
                    f"or be a scalar, got params {list(value.shape)}, indices "
                    f"{list(indices.shape)}, updates {list(updates.shape)}")
            flat = indices.reshape(-1)
            bad = np.flatnonzero((flat < 0) | (flat >= value.shape[0]))
            if bad.size:
                raise InvalidArgumentError(
                    None, None, f"indices[{int(bad[0])}] = {int(flat[bad[0]])} is not in "
                    f"[0, {value.shape[0]})")
            rows = np.broadcast_to(updates, want).reshape((flat.size,) + value.shape[1:])
            out = np.array(value, copy=True)
            scatter_rows(out, flat.reshape(-1, 1), rows, kind)
            return out
        return ctx.update_variable(scatter)
    return compute


def _nd_infer(op):
    ref, indices, updates = op.inputs
    _check_ref(op, ref)
    check_nd_operands(op, ref, indices, updates)
    return [(ref.dtype, ref.shape)]


def _nd_compute(kind):
    def compute(ctx, ref, indices, updates, **attrs):
        def scatter(value):
            rows, values = nd_rows(value, indices, updates)
            out = np.array(value, copy=True)
            scatter_rows(out, rows, values, kind)
            return out
        return ctx.update_variable(scatter)
    return compute


for _type, _kind in _ROW_OPS.items():
    defop(_type, _row_infer, _row_compute(_kind), NON_DIFFERENTIABLE, pure=False,
          needs_context=True, ref_inputs=(0,), writes_state=True, family="state")
for _type, _kind in _ND_OPS.items():
    defop(_type, _nd_infer, _nd_compute(_kind), NON_DIFFERENTIABLE, pure=False,
          needs_context=True, ref_inputs=(0,), writes_state=True, family="state")


def _count_infer(op):
    ref, = op.inputs
    _check_ref(op, ref)
    check_dtype(op, ref, INDEX_DTYPES, "ref")
    if ref.shape.ndims not in (None, 0):
        raise ValueError(f"the variable '{ref.op.name}' of count_up_to must be a scalar, "
                         f"but has shape {ref.shape}")
    return [(ref.dtype, ref.shape)]


def _count_compute(ctx, ref, *, limit):
    before = []

    def count(value):
        if value >= limit:
            raise OutOfRangeError(None, None, f"Reached limit of {limit}")
        before.append(value)
        return value + value.dtype.type(1)
    ctx.update_variable(count)
    return np.array(before[0])


defop("CountUpTo", _count_infer, _count_compute, NON_DIFFERENTIABLE, pure=False,
      needs_context=True, ref_inputs=(0,), writes_state=True, family="state")


def _target(ref):
    return ref._variable_tensor() if hasattr(ref, "_variable_tensor") else ref


def _scatter(op_type: str, ref, indices, updates, use_locking, name):
    ref_t = _target(ref)
    indices = convert_to_tensor(indices, name="indices")
    updates = convert_to_tensor(updates, dtype=ref_t.dtype, name="updates")
    return apply(op_type, (ref_t, indices, updates), {"use_locking": bool(use_locking)},
                 name=name or op_type)


def _builder(op_type: str, use_locking_default: bool, doc: str):
    def scatter(ref, indices, updates, use_locking: bool = use_locking_default,
                name: Optional[str] = None):
        return _scatter(op_type, ref, indices, updates, use_locking, name)
    scatter.__doc__ = doc
    return scatter


scatter_update = _builder("ScatterUpdate", True, """TF1 `tf.scatter_update`: `ref[indices,
    ...] = updates`; the variable's new value.""")
scatter_add = _builder("ScatterAdd", False, """TF1 `tf.scatter_add`: `ref[indices, ...] +=
    updates` (repeated indices add up).""")
scatter_sub = _builder("ScatterSub", False, """TF1 `tf.scatter_sub`: `ref[indices, ...] -=
    updates`.""")
scatter_mul = _builder("ScatterMul", False, """TF1 `tf.scatter_mul`: `ref[indices, ...] *=
    updates`.""")
scatter_div = _builder("ScatterDiv", False, """TF1 `tf.scatter_div`: `ref[indices, ...] /=
    updates` (integers truncate).""")
scatter_min = _builder("ScatterMin", False, """TF1 `tf.scatter_min`: `ref[indices, ...] =
    min(ref[indices, ...], updates)`.""")
scatter_max = _builder("ScatterMax", False, """TF1 `tf.scatter_max`: `ref[indices, ...] =
    max(ref[indices, ...], updates)`.""")
scatter_nd_update = _builder("ScatterNdUpdate", True, """TF1 `tf.scatter_nd_update`: the
    slices of the variable at `indices` (the last axis indexing its leading dims) replaced
    by `updates`.""")
scatter_nd_add = _builder("ScatterNdAdd", False, """TF1 `tf.scatter_nd_add`: `updates` added
    to the variable's slices at `indices`.""")
scatter_nd_sub = _builder("ScatterNdSub", False, """TF1 `tf.scatter_nd_sub`: `updates`
    subtracted from the variable's slices at `indices`.""")


def batch_scatter_update(ref, indices, updates, use_locking: bool = True,
                         name: Optional[str] = None):
    """TF1 `tf.batch_scatter_update`: for indices of shape [B..., M] and a variable of
    shape [B..., N, ...], row `indices[b..., m]` of batch b... gets `updates[b..., m]`. As
    TF1's, a scatter_nd_update whose indices are the batch positions (a range per batch
    dim) joined with `indices`."""
    ref_t = _target(ref)
    g = graph_of([ref_t])
    with g.as_default(), g.name_scope(name or "BatchScatterUpdate"):
        indices = convert_to_tensor(indices, name="indices")
        rank = indices.shape.ndims
        if rank is None:
            raise ValueError("batch_scatter_update does not allow indices with unknown shape.")
        dims = shape(indices, out_type=indices.dtype)
        nd = expand_dims(indices, -1)
        parts = []
        for axis in builtins_range(rank - 1):  # the position along each batch dim
            size = dims[axis]
            line = reshape(range_(0, size, 1, dtype=indices.dtype),
                           [size if i == axis else 1 for i in builtins_range(rank + 1)])
            parts.append(multiply(line, ones_like(nd)))
        final = concat(parts + [nd], axis=-1) if parts else nd
        return scatter_nd_update(ref_t, final, updates, use_locking=use_locking)


def count_up_to(ref, limit: int, name: Optional[str] = None):
    """TF1 `tf.count_up_to`: increment the integer scalar variable, returning its value
    before the increment; OutOfRangeError once it has reached `limit`."""
    return apply("CountUpTo", (_target(ref),), {"limit": int(limit)},
                 name=name or "CountUpTo")


from ..naming import name_builders  # noqa: E402

name_builders(globals())
