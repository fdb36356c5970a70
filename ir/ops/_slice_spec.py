"""TF's strided-slice semantics over partial knowledge, with no op attached.

`strided_slice_plan` is a transcription of TF's `ValidateStridedSliceOp`: the same
function gives StridedSlice's static shape (with partially known begin/end values and
dims), its run-time result, the build-time value of a slice of a partially known shape
vector (`ops._base.partial_value`) and StridedSliceGrad's index, so they never disagree.
"""
from __future__ import annotations

import builtins

import numpy as np

from ..symbolic import SymbolicDimError, is_symbolic, symbols_of


class SliceSpecError(ValueError):
    """An invalid strided-slice spec; a ValueError at build time, InvalidArgument at run."""


_NEW_AXIS, _SHRINK_AXIS = -1, -2


def strided_slice_plan(dims, begin, end, strides, begin_mask, end_mask, ellipsis_mask,
                       new_axis_mask, shrink_axis_mask):
    """TF's ValidateStridedSliceOp over partial knowledge.

    `dims`: the input's dims (int or None; the rank must be known). `begin`, `end`,
    `strides`: equal-length lists of int or None (unknown at build time).
    Returns (final_shape, plan): final_shape lists the output dims (None if unknown);
    plan has, per input dim, (begin, end, stride, shrink) in canonical form, or None
    when not known at build time.
    """
    n = len(strides)
    if len(begin) != n or len(end) != n:
        raise SliceSpecError(f"Expected begin, end, and strides to be 1D equal size tensors, "
                             f"but got shapes [{len(begin)}], [{len(end)}], and [{n}] "
                             f"instead.")
    if ellipsis_mask & (ellipsis_mask - 1):
        raise SliceSpecError("Multiple ellipses in slice spec not allowed")
    # Sparse spec (as written) -> dense spec (one entry per input dim).
    sparse_dims = n
    add_after_ellipsis, seen = 0, False
    for i in builtins.range(n):
        if seen and new_axis_mask >> i & 1:
            add_after_ellipsis += 1
        if ellipsis_mask >> i & 1:
            seen = True
    if not seen:  # an implicit ellipsis at the end
        ellipsis_mask |= 1 << n
        sparse_dims = n + 1
    rank = len(dims)
    d_begin, d_end, d_strides = [0] * rank, [0] * rank, [1] * rank
    d_bmask = d_emask = d_shrink = 0
    gather = []
    full = 0
    for i in builtins.range(sparse_dims):
        bit = 1 << i
        if ellipsis_mask & bit:
            nxt = min(rank - (sparse_dims - i) + 1 + add_after_ellipsis, rank)
            while full < nxt:
                d_bmask |= 1 << full
                d_emask |= 1 << full
                gather.append(full)
                full += 1
        elif new_axis_mask & bit:
            gather.append(_NEW_AXIS)
        else:
            if full == rank:
                raise SliceSpecError(f"Index out of range using input dim {full}; input has "
                                     f"only {rank} dims")
            d_begin[full], d_end[full], d_strides[full] = begin[i], end[i], strides[i]
            if begin_mask & bit:
                d_bmask |= 1 << full
            if end_mask & bit:
                d_emask |= 1 << full
            if shrink_axis_mask & bit:
                gather.append(_SHRINK_AXIS)
                d_shrink |= 1 << full
            else:
                gather.append(full)
            full += 1

    processing, plan = [], []
    for i in builtins.range(rank):
        b, e, s, dim = d_begin[i], d_end[i], d_strides[i], dims[i]
        shrink = bool(d_shrink >> i & 1)
        bmask, emask = bool(d_bmask >> i & 1), bool(d_emask >> i & 1)
        if s is None:
            processing.append(1 if shrink else None)
            plan.append(None)
            continue
        if s == 0:
            raise SliceSpecError(f"strides[{i}] must be non-zero")
        if shrink and s <= 0:
            raise SliceSpecError("only stride 1 allowed on non-range indexing.")
        if dim is None:
            processing.append(1 if shrink else None)
            plan.append(None)
            continue
        if shrink:
            if b is None:
                plan.append(None)
            else:
                x = dim + b if b < 0 else b
                if x < 0 or x >= dim:
                    raise SliceSpecError(f"slice index {x} of dimension {i} out of bounds.")
                plan.append((x, x + 1, 1, True))
            processing.append(1)
            continue
        if is_symbolic(dim):  # a plan's run-time dim (ir/symbolic.py): taken whole
            if not (bmask and emask and s in (1, -1)):  # (else the plan is per shape)
                raise SymbolicDimError(f"slicing [{b}:{e}:{s}] of the dim {dim}",
                                       symbols=symbols_of(dim))
            processing.append(dim)
            plan.append((0, dim, 1, False) if s == 1 else (dim - 1, -1, -1, False))
            continue
        lo, hi = (0, dim) if s > 0 else (-1, dim - 1)

        def canonical(x, masked, c):
            if masked:
                return (lo, hi)[c] if s > 0 else (lo, hi)[(c + 1) & 1]
            if x is None:
                return None
            x = dim + x if x < 0 else x
            return lo if x < lo else hi if x > hi else x

        cb, ce = canonical(b, bmask, 0), canonical(e, emask, 1)
        if cb is None or ce is None:
            processing.append(None)
            plan.append(None)
            continue
        interval = ce - cb
        if interval == 0 or (interval < 0) != (s < 0):
            size = 0
        else:
            size = interval // s + (1 if interval % s else 0)
        processing.append(size)
        plan.append((cb, ce, s, False))
    final = [processing[g] if g >= 0 else 1 for g in gather if g != _SHRINK_AXIS]
    return final, plan


def strided_slice_index(plan) -> tuple:
    """The numpy index of a fully known plan (ints for shrunk axes, slices otherwise)."""
    index = []
    for cb, ce, s, shrink in plan:
        if shrink:
            index.append(cb)
            continue
        interval = ce - cb
        if interval == 0 or (interval < 0) != (s < 0):
            index.append(builtins.slice(0, 0, 1))
        else:  # canonical ends may be -1 ("before 0" for negative strides)
            index.append(builtins.slice(cb, None if ce < 0 else ce, s))
    return tuple(index)


def apply_strided_slice(x: np.ndarray, plan, final_shape) -> np.ndarray:
    """Index `x` (numeric or object array) with a fully known plan."""
    # (dtype kept: a 0-d string must stay an object, not a NUL-stripping bytes_ array)
    return np.asarray(x[strided_slice_index(plan)], dtype=x.dtype).reshape(final_shape)


def ss_masks(attrs) -> tuple:
    """A StridedSlice op's five masks, in `strided_slice_plan`'s order."""
    return (attrs["begin_mask"], attrs["end_mask"], attrs["ellipsis_mask"],
            attrs["new_axis_mask"], attrs["shrink_axis_mask"])
