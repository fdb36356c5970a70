"""TF1's remaining top-level array functions, as TF1 composes them from other ops:

- `repeat`: each element repeated along an axis; constant repeats gather known indices,
  run-time repeats follow TF1's repeat_with_axis (tile to the largest count, then a
  sequence mask and boolean_mask drop the extra copies), so both differentiate;
- `histogram_fixed_width_bins`: the bin of each value, as TF1's (scale, floor, clip);
- `parallel_stack`: `stack` for inputs whose shape is fully known (as TF1 requires);
  unlike TF1's ParallelConcat it has a gradient, stack's;
- `realdiv`: the RealDiv op under its own name;
- `switch_case`: the branch `branch_index` names (the default, else the last, when out of
  range), as nested conds through `case`;
- `unravel_index`, `ensure_shape`, `timestamp`: the ops (ir/ops/index_ops.py).
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from .control_flow import case
from .ir import dtypes as dt
from .ir.context import get_default_graph
from .ir.ops import array_ops as A, math_ops as M, reduce_ops as R
from .ir.ops._base import const_value, convert_to_tensor, normalize_axis
from .ir.ops.generator_ops import sequence_mask
from .ir.ops.index_ops import ensure_shape, timestamp, unravel_index
from .ir.ops.slicing_ops import boolean_mask, gather
from .ir.ops.tile_pad_ops import broadcast_to, tile


def _tile_axis(data, axis: int, multiple):
    """data tiled `multiple` times (an int or a scalar tensor) along `axis`."""
    rank = data.shape.ndims
    if hasattr(multiple, "_as_tensor"):
        ones = [np.int32(1)] * rank
        return tile(data, A.stack(ones[:axis] + [M.cast(multiple, dt.int32)] + ones[axis + 1:]))
    return tile(data, [1] * axis + [int(multiple)] + [1] * (rank - axis - 1))


def _resized(data, axis: int, size):
    """The shape of `data` with dim `axis` replaced by `size` (an int or a scalar)."""
    shape = A.shape(data)
    return A.concat([shape[:axis], A.reshape(M.cast(size, dt.int32), [1]),
                     shape[axis + 1:]], 0)


def repeat(input, repeats, axis=None, name: Optional[str] = None):  # noqa: A002
    """TF1 `tf.repeat`: the elements of `input` repeated `repeats` times along `axis` (the
    flattened input when axis is None); `repeats` broadcasts to the axis' length."""
    with get_default_graph().name_scope(name or "Repeat"):
        data = convert_to_tensor(input, name="input")
        if axis is None:
            data, axis = A.reshape(data, [-1]), 0
        if data.shape.ndims is None:
            raise ValueError(f"repeat: the rank of {data.name!r} must be known")
        if data.shape.ndims == 0:
            data = A.expand_dims(data, 0)
        axis = normalize_axis(int(axis), data.shape.ndims, "repeat")
        reps = convert_to_tensor(repeats, dtype_hint=dt.int32, name="repeats")
        if not reps.dtype.is_integer:
            raise TypeError(f"repeat: repeats must be integers, got {reps.dtype.name}")
        known, length = const_value(reps), data.shape.as_tuple()[axis]
        if known is not None and np.any(known < 0):
            raise ValueError(f"repeat: repeats must be non-negative, got {known}")
        if known is not None and known.ndim == 1 and known.size > 1 and length is not None:
            if known.size != length:
                raise ValueError(f"repeat: repeats has {known.size} entries, axis {axis} "
                                 f"of {data.name!r} has {length}")
            return gather(data, np.repeat(np.arange(length, dtype=np.int32), known), axis=axis)
        if reps.shape.num_elements() == 1:  # expand, tile, merge the two axes
            r = int(known.reshape(-1)[0]) if known is not None else A.reshape(reps, [])
            tiled = _tile_axis(A.expand_dims(data, axis + 1), axis + 1, r)
            if data.shape.is_fully_defined() and known is not None:
                dims = data.shape.as_list()
                return A.reshape(tiled, dims[:axis] + [dims[axis] * r] + dims[axis + 1:])
            return A.reshape(tiled, _resized(data, axis, -1))
        if reps.shape.ndims not in (None, 1) and reps.shape.ndims != axis + 1:
            raise ValueError(f"repeat: repeats must be a scalar, a vector, or of rank axis + 1 "
                             f"= {axis + 1}, got shape {reps.shape}")
        if reps.shape.ndims != axis + 1:  # broadcast against data's dims up to the axis
            reps = broadcast_to(reps, A.shape(data, out_type=reps.dtype)[:axis + 1])
        most = M.maximum(R.reduce_max(reps), M.cast(0, reps.dtype))
        tiled = _tile_axis(A.expand_dims(data, axis + 1), axis + 1, most)
        masked = boolean_mask(tiled, sequence_mask(reps, most))
        return masked if axis == 0 else A.reshape(masked, _resized(data, axis, -1))


def histogram_fixed_width_bins(values, value_range, nbins=100, dtype=dt.int32,
                               name: Optional[str] = None):
    """TF1 `tf.histogram_fixed_width_bins`: the bin (0 to nbins - 1) of each value, for
    nbins equal bins over value_range; values outside fall into the first or last bin.
    The result is int32 whatever `dtype` says, as TF1's."""
    with get_default_graph().name_scope(name or "histogram_fixed_width_bins"):
        v = convert_to_tensor(values, name="values")
        shape = A.shape(v)
        flat = A.reshape(v, [-1])
        bounds = convert_to_tensor(value_range, dtype=v.dtype, name="value_range")
        n = M.cast(convert_to_tensor(nbins, dtype=dt.int32, name="nbins"), v.dtype)
        scaled = M.truediv(M.subtract(flat, bounds[0]), M.subtract(bounds[1], bounds[0]),
                           name="scaled_values")
        indices = M.floor(M.multiply(n, scaled), name="indices")
        clipped = M.cast(M.clip_by_value(indices, M.cast(0, v.dtype),
                                         M.subtract(n, M.cast(1, v.dtype))), dt.int32)
        return A.reshape(clipped, shape)


def parallel_stack(values, name: str = "parallel_stack"):
    """TF1 `tf.parallel_stack`: `stack(values)` along a new first axis; every input's
    shape must be known when the graph is built."""
    tensors = [convert_to_tensor(v) for v in values]
    if not tensors:
        raise ValueError("parallel_stack: values must not be empty")
    for t in tensors:
        if not t.shape.is_fully_defined():
            raise ValueError(f"parallel_stack: the shape of {t.name!r} must be fully "
                             f"defined, got {t.shape}")
    return A.stack(tensors, axis=0, name=name)


def realdiv(x, y, name: Optional[str] = None):
    """TF1 `tf.realdiv`: x / y for real (floating-point) tensors, the RealDiv op."""
    return M._realdiv(x, y, name=name or "RealDiv")


def switch_case(branch_index, branch_fns, default=None, name: str = "switch_case"):
    """TF1 `tf.switch_case`: `branch_fns[branch_index]()`; `branch_fns` is a list of
    callables, a dict from int to callable, or (int, callable) pairs, whose keys are
    0 to n - 1; an index with no branch runs `default`, else the last branch."""
    pairs = sorted(branch_fns.items()) if isinstance(branch_fns, dict) else [
        fn if isinstance(fn, (list, tuple)) else (i, fn) for i, fn in enumerate(branch_fns)]
    if not pairs:
        raise ValueError("switch_case: branch_fns must not be empty")
    keys = [k for k, _ in pairs]
    if any(not isinstance(k, (int, np.integer)) for k in keys):
        raise TypeError(f"switch_case: branch keys must be ints, got {keys}")
    if sorted(keys) != list(range(len(keys))):
        raise ValueError(f"branch indices (keys) must form contiguous range of [0 to "
                         f"{len(keys)}) but found {{{','.join(map(str, sorted(keys)))}}}")
    pairs = sorted(pairs, key=lambda pair: pair[0])
    if any(not callable(fn) for _, fn in pairs) or default is not None and not callable(
            default):
        raise TypeError("switch_case: branch_fns and default must be callables")
    with get_default_graph().name_scope(name):
        index = convert_to_tensor(branch_index, dtype_hint=dt.int32, name="branch_index")
        if index.dtype is not dt.int32 or index.shape.ndims not in (None, 0):
            raise TypeError(f"switch_case: branch_index must be an int32 scalar, got "
                            f"{index.dtype.name} of shape {index.shape}")
        return case([(M.equal(index, np.int32(k)), fn) for k, fn in pairs], default,
                    name="case")

