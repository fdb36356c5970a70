"""Indexing ops: Slice, StridedSlice (and `Tensor.__getitem__`), GatherV2, GatherNd,
BooleanMask, with TF1's builders and TF1's exact index semantics.

StridedSlice's inference and kernel both ask `_slice_spec.strided_slice_plan` (TF's
`ValidateStridedSliceOp`), so inference and execution can never disagree.
"""
from __future__ import annotations

import builtins
from typing import Optional

import numpy as np

from .. import dtypes as dt
from ..errors import InvalidArgumentError
from ..graph import TensorLike
from ..shapes import Dimension, TensorShape, unknown_shape
from ..symbolic import SymbolicDimError, is_symbolic, symbols_of
from ._base import (apply, check_dtype, const_value, convert_to_tensor, defop, graph_of,
                    normalize_axis, only_default, partial_value)
from ._slice_spec import SliceSpecError, apply_strided_slice, ss_masks, strided_slice_plan
from .array_ops import (INDEX_DTYPES, _check_vector, dim_list, _shape_str, _static_axis, concat,
                        reshape, shape, stack, transpose)
from .tile_pad_ops import broadcast_to
from .math_ops import cast
from .generator_ops import ones_like, range as range_
from .reduce_ops import reduce_prod

__all__ = ["slice", "strided_slice", "gather", "gather_nd", "boolean_mask"]


def _partial_ints(t) -> Optional[list]:
    """Entries of a 1-D int tensor known at build time (None where unknown)."""
    pv = partial_value(t)
    if pv is None or pv.ndim != 1:
        return None
    return [None if v is None else v if is_symbolic(v) else int(v) for v in pv]


# ------------------------------------------------------------------ StridedSlice
def _strided_slice_infer(op):
    x, begin, end, strides = op.inputs
    for t, what in ((begin, "begin"), (end, "end"), (strides, "strides")):
        _check_vector(op, t, what)
    if not begin.dtype is end.dtype is strides.dtype:
        raise TypeError(f"begin, end and strides must have the same dtype, got "
                        f"{begin.dtype.name}, {end.dtype.name} and {strides.dtype.name}")
    n = begin.shape[0].value if begin.shape.ndims == 1 else None
    dims = dim_list(x.shape)
    if dims is None or n is None:
        return [(x.dtype, unknown_shape())]
    b = _partial_ints(begin) or [None] * n
    e = _partial_ints(end) or [None] * n
    s = _partial_ints(strides) or [None] * n
    try:
        final, _ = strided_slice_plan(dims, b, e, s, *ss_masks(op.attrs))
    except SliceSpecError as exc:
        raise ValueError(f"{exc} (slicing '{x.name}' of shape {x.shape})") from None
    return [(x.dtype, TensorShape(final))]


def _strided_slice_compute(x, begin, end, strides, **masks):
    if not begin.ndim == end.ndim == strides.ndim == 1:
        raise InvalidArgumentError(None, None, "Expected begin, end, and strides to be 1D "
                                   "equal size tensors")
    try:
        final, plan = strided_slice_plan(
            list(x.shape), [int(v) for v in begin], [int(v) for v in end],
            [int(v) for v in strides], *ss_masks(masks))
    except SliceSpecError as exc:
        raise InvalidArgumentError(None, None, str(exc)) from None
    return apply_strided_slice(x, plan, final)


defop("StridedSlice", _strided_slice_infer, _strided_slice_compute, family="array")


def _index_tensor(values, what: str):
    """A 1-D index tensor from a list/array/tensor (int32 unless int64 is needed)."""
    if isinstance(values, TensorLike):
        return values._as_tensor()
    return convert_to_tensor(values, dtype_hint=dt.int32, name=what)


def strided_slice(input_, begin, end, strides=None, begin_mask: int = 0, end_mask: int = 0,
                  ellipsis_mask: int = 0, new_axis_mask: int = 0, shrink_axis_mask: int = 0,
                  var=None, name: Optional[str] = None):
    """TF1 `tf.strided_slice` with TF1's mask semantics; begin/end/strides are tensors."""
    x = convert_to_tensor(input_)
    begin = _index_tensor(begin, "begin")
    end = _index_tensor(end, "end")
    if strides is None:  # TF1: ones_like(begin)
        if begin.shape.is_fully_defined():
            strides = np.ones(begin.shape.as_list(), dtype=begin.dtype.np)
        else:
            strides = ones_like(begin)
    strides = _index_tensor(strides, "strides")
    attrs = {"begin_mask": int(begin_mask), "end_mask": int(end_mask),
             "ellipsis_mask": int(ellipsis_mask), "new_axis_mask": int(new_axis_mask),
             "shrink_axis_mask": int(shrink_axis_mask)}
    return apply("StridedSlice", (x, begin, end, strides), attrs,
                 name=name or "StridedSlice")


_SLICE_TYPE_ERROR = ("Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) "
                     "and scalar tf.int32/tf.int64 tensors are valid indices")


def _check_index(idx) -> None:
    """TF1 `_check_index`: ints, Dimensions and scalar int32/int64 tensors."""
    if isinstance(idx, (int, np.integer, Dimension)):
        return
    t = idx._as_tensor() if isinstance(idx, TensorLike) else None
    if t is None or t.dtype not in INDEX_DTYPES or t.shape.ndims not in (None, 0):
        raise TypeError(f"{_SLICE_TYPE_ERROR}, got {idx!r}")


def _index_value(idx):
    if isinstance(idx, Dimension):
        return int(idx)
    if isinstance(idx, np.integer):
        return int(idx)
    return idx


def _undefined(idx) -> bool:
    return idx is None or (isinstance(idx, Dimension) and idx.value is None)


def slice_helper(tensor, key, name: Optional[str] = None):
    """TF1 `_slice_helper`: `x[key]` as one StridedSlice with begin/end/strides masks."""
    x = convert_to_tensor(tensor)
    spec = key if isinstance(key, tuple) or isinstance(key, list) else (key,)
    begin, end, strides = [], [], []
    begin_mask = end_mask = ellipsis_mask = new_axis_mask = shrink_axis_mask = 0
    for index, s in enumerate(spec):
        bit = 1 << index
        if isinstance(s, builtins.slice):
            if not _undefined(s.start):
                _check_index(s.start)
                begin.append(_index_value(s.start))
            else:
                begin.append(0)
                begin_mask |= bit
            if not _undefined(s.stop):
                _check_index(s.stop)
                end.append(_index_value(s.stop))
            else:
                end.append(0)
                end_mask |= bit
            if s.step is not None:
                _check_index(s.step)
                strides.append(_index_value(s.step))
            else:
                strides.append(1)
        elif s is Ellipsis:
            begin.append(0), end.append(0), strides.append(1)
            ellipsis_mask |= bit
        elif s is None:
            begin.append(0), end.append(0), strides.append(1)
            new_axis_mask |= bit
        else:
            _check_index(s)
            s = _index_value(s)
            begin.append(s)
            # TF1 packs s + 1; a shrunk axis never reads its end, so a tensor index
            # reuses itself instead of adding an Add node.
            end.append(s + 1 if isinstance(s, int) else s)
            strides.append(1)
            shrink_axis_mask |= bit
    if begin:
        packed = [stack(v, name="stack") for v in (begin, end, strides)]
        if any(p.dtype is dt.int64 for p in packed):
            packed = [_to_int64(p) for p in packed]
    else:
        empty = convert_to_tensor(np.zeros([0], np.int32), name="Const")
        packed = [empty, empty, empty]
    return strided_slice(x, *packed, begin_mask=begin_mask, end_mask=end_mask,
                         ellipsis_mask=ellipsis_mask, new_axis_mask=new_axis_mask,
                         shrink_axis_mask=shrink_axis_mask, name=name or "strided_slice")


def _to_int64(t):
    if t.dtype is dt.int64:
        return t
    v = const_value(t)
    if v is not None:
        return convert_to_tensor(v.astype(np.int64), name="Cast")
    return cast(t, dt.int64)


# ------------------------------------------------------------------ Slice
def _slice_infer(op):
    x, begin, size_t = op.inputs
    _check_vector(op, begin, "begin")
    _check_vector(op, size_t, "size")
    if begin.dtype is not size_t.dtype:
        raise TypeError(f"begin and size must have the same dtype, got {begin.dtype.name} "
                        f"and {size_t.dtype.name}")
    dims = dim_list(x.shape)
    n = begin.shape[0].value if begin.shape.ndims == 1 else None
    if n is None and size_t.shape.ndims == 1:
        n = size_t.shape[0].value
    if dims is not None and n is not None and n != len(dims):
        raise ValueError(f"Expected begin and size arguments to be 1-D tensors of size "
                         f"{len(dims)}, but got shapes [{n}] for slicing '{x.name}' of shape "
                         f"{x.shape}")
    r = len(dims) if dims is not None else n
    if r is None:
        return [(x.dtype, unknown_shape())]
    dims = dims or [None] * r
    b = _partial_ints(begin) or [None] * r
    sz = _partial_ints(size_t) or [None] * r
    out = []
    for i in builtins.range(r):
        d, bi, si = dims[i], b[i], sz[i]
        if any(is_symbolic(v) for v in (d, bi, si)):  # a plan's run-time dim: taken whole
            if not (is_symbolic(d) and isinstance(bi, int) and bi == 0 and (
                    is_symbolic(si) and si == d or isinstance(si, int) and si == -1)):
                raise SymbolicDimError(f"slicing {si} from {bi} of the dim {d}",
                                       symbols=symbols_of(d, bi, si))
            out.append(d)
            continue
        if bi is not None and (bi < 0 or (d is not None and bi > d)):
            raise ValueError(f"Expected begin[{i}] in [0, {d}], but got {bi} (slicing "
                             f"'{x.name}' of shape {x.shape})")
        if si is not None and si < -1:
            raise ValueError(f"Expected size[{i}] >= -1, but got {si}")
        if si is not None and si >= 0:
            if d is not None and bi is not None and bi + si > d:
                raise ValueError(f"Expected size[{i}] in [0, {d - bi}], but got {si} "
                                 f"(slicing '{x.name}' of shape {x.shape})")
            out.append(si)
        elif si == -1 and d is not None and bi is not None:
            out.append(d - bi)
        else:
            out.append(None)
    return [(x.dtype, TensorShape(out))]


def _slice_compute(x, begin, size):
    if begin.ndim != 1 or size.ndim != 1 or len(begin) != x.ndim or len(size) != x.ndim:
        raise InvalidArgumentError(
            None, None, f"Expected begin and size arguments to be 1-D tensors of size "
            f"{x.ndim}, but got shapes {_shape_str(begin.shape)} and "
            f"{_shape_str(size.shape)} instead.")
    index = []
    for i in builtins.range(x.ndim):
        d, b, s = x.shape[i], int(begin[i]), int(size[i])
        if s == -1:
            s = d - b
        if not 0 <= b <= d:
            raise InvalidArgumentError(None, None, f"Expected begin[{i}] in [0, {d}], but "
                                       f"got {b}")
        if not (0 <= s and b + s <= d):
            raise InvalidArgumentError(None, None, f"Expected size[{i}] in [0, {d - b}], "
                                       f"but got {s}")
        index.append(builtins.slice(b, b + s))
    return x[tuple(index)]


defop("Slice", _slice_infer, _slice_compute, family="array")


def slice(input_, begin, size, name: Optional[str] = None):
    """TF1 `tf.slice`: `size[i] == -1` takes everything from `begin[i]` on."""
    x = convert_to_tensor(input_)
    return apply("Slice", (x, _index_tensor(begin, "begin"), _index_tensor(size, "size")),
                 name=name or "Slice")


# ------------------------------------------------------------------ GatherV2, GatherNd
def _position(shape, flat: int) -> str:
    return ",".join(str(int(i)) for i in np.unravel_index(flat, shape)) if shape else ""


def _gather_infer(op):
    params, indices = op.inputs
    check_dtype(op, indices, INDEX_DTYPES, "indices")
    dims = dim_list(params.shape)
    axis = op.attrs["axis"]
    if dims is None:
        return [(params.dtype, unknown_shape())]
    if not dims:
        raise ValueError(f"params '{params.name}' must be at least 1 dimensional (it is a "
                         f"scalar)")
    a = normalize_axis(axis, len(dims), f"gather from '{params.name}' (shape "
                                        f"{params.shape})")
    idx = dim_list(indices.shape)
    if idx is None:
        return [(params.dtype, unknown_shape())]
    return [(params.dtype, TensorShape(dims[:a] + idx + dims[a + 1:]))]


def _gather_compute(params, indices, *, axis):
    if not -params.ndim <= axis < params.ndim:
        raise InvalidArgumentError(None, None, f"Expected axis in the range "
                                   f"[{-params.ndim}, {params.ndim}), but got {axis}")
    limit = params.shape[axis]
    bad = np.flatnonzero((indices < 0) | (indices >= limit))
    if bad.size:
        i = int(bad[0])
        raise InvalidArgumentError(None, None, f"indices[{_position(indices.shape, i)}] = "
                                   f"{indices.reshape(-1)[i]} is not in [0, {limit})")
    # (a 0-d index gives a scalar: its dtype kept, so a string stays an object, not a
    # NUL-stripping bytes_ array)
    return np.asarray(np.take(params, indices, axis=axis), dtype=params.dtype)


defop("GatherV2", _gather_infer, _gather_compute, family="array")


def gather(params, indices, validate_indices=None, name: Optional[str] = None, axis=None,
           batch_dims=0):
    """TF1 `tf.gather` (GatherV2, static axis; None is 0): out-of-range indices are an
    error."""
    if batch_dims:  # a composition over GatherNd (below)
        return gather_with_batch_dims(params, indices, int(batch_dims), axis, name)
    axis = 0 if axis is None else axis
    p = convert_to_tensor(params)
    i = convert_to_tensor(indices, dtype_hint=dt.int32)
    return apply("GatherV2", (p, i), {"axis": _static_axis(axis)}, name=name or "GatherV2")


def _gather_nd_infer(op):
    params, indices = op.inputs
    check_dtype(op, indices, INDEX_DTYPES, "indices")
    idx, dims = dim_list(indices.shape), dim_list(params.shape)
    if idx is not None and not idx:
        raise ValueError(f"indices '{indices.name}' must be at least a vector")
    nd = idx[-1] if idx is not None else None
    if nd is not None and dims is not None and nd > len(dims):
        raise ValueError(f"indices.shape[-1] must be <= params.rank, but saw indices shape "
                         f"{indices.shape} and params shape {params.shape}")
    if idx is None or nd is None or dims is None:
        return [(params.dtype, unknown_shape())]
    return [(params.dtype, TensorShape(idx[:-1] + dims[nd:]))]


def index_rows(indices: np.ndarray, shape: tuple, what: str) -> np.ndarray:
    """The rows of an [..., depth] index array, each checked against the leading dims of
    `shape` (TF1's error names the first bad row)."""
    nd = indices.shape[-1]
    rows = indices.reshape(-1, nd)
    limits = np.asarray(shape[:nd])
    bad = np.flatnonzero(np.any((rows < 0) | (rows >= limits), axis=1))
    if bad.size:
        i = int(bad[0])
        where = _position(indices.shape[:-1], i)
        raise InvalidArgumentError(
            None, None, f"indices[{where}] = [{', '.join(str(int(v)) for v in rows[i])}] "
            f"does not index into {what} {_shape_str(shape)}")
    return rows


def _gather_nd_compute(params, indices):
    nd = indices.shape[-1]
    if nd > params.ndim:
        raise InvalidArgumentError(None, None, f"indices.shape[-1] must be <= params.rank, "
                                   f"but saw indices shape: {_shape_str(indices.shape)} and "
                                   f"params shape: {_shape_str(params.shape)}")
    rows = index_rows(indices, params.shape, "param shape")
    out = params[tuple(rows.T)] if nd else np.broadcast_to(
        params, (rows.shape[0],) + params.shape)
    return np.array(out.reshape(indices.shape[:-1] + params.shape[nd:]))


defop("GatherNd", _gather_nd_infer, _gather_nd_compute, family="array")


def gather_nd(params, indices, name: Optional[str] = None, batch_dims: int = 0,
              bad_indices_policy=""):
    """TF1 `tf.gather_nd`: the last dim of `indices` indexes the leading dims of params."""
    only_default("gather_nd", bad_indices_policy=(bad_indices_policy, ""))
    if batch_dims:  # a composition over GatherNd (below)
        return gather_nd_with_batch_dims(params, indices, int(batch_dims), name)
    p = convert_to_tensor(params)
    i = convert_to_tensor(indices, dtype_hint=dt.int32)
    return apply("GatherNd", (p, i), name=name or "GatherNd")


# ------------------------------------------------------------------ BooleanMask
def _boolean_mask_infer(op):
    x, mask = op.inputs
    check_dtype(op, mask, (dt.bool_,), "mask")
    axis = op.attrs["axis"]
    k = mask.shape.ndims
    dims = dim_list(x.shape)
    if dims is None:
        return [(x.dtype, unknown_shape())]
    if axis + k > len(dims):
        raise ValueError(f"mask '{mask.name}' of shape {mask.shape} does not fit tensor "
                         f"'{x.name}' of shape {x.shape} at axis {axis}")
    if not x.shape[axis:axis + k].is_compatible_with(mask.shape):
        raise ValueError(f"Shapes {x.shape[axis:axis + k]} and {mask.shape} are incompatible: "
                         f"dims {axis}..{axis + k - 1} of '{x.name}' (shape {x.shape}) must "
                         f"match mask '{mask.name}'")
    m = const_value(mask)
    count = int(np.count_nonzero(m)) if m is not None else None
    return [(x.dtype, TensorShape(dims[:axis] + [count] + dims[axis + k:]))]


def _boolean_mask_compute(x, mask, *, axis):
    k = mask.ndim
    if x.shape[axis:axis + k] != mask.shape:
        raise InvalidArgumentError(
            None, None, f"Shapes of tensor and mask are incompatible: tensor shape "
            f"{_shape_str(x.shape)}, mask shape {_shape_str(mask.shape)} at axis {axis}")
    flat = x.reshape(x.shape[:axis] + (mask.size,) + x.shape[axis + k:])
    return np.compress(mask.reshape(-1), flat, axis=axis)


defop("BooleanMask", _boolean_mask_infer, _boolean_mask_compute, family="array")


def boolean_mask(tensor, mask, name: str = "boolean_mask", axis=None):
    """TF1 `tf.boolean_mask`: keep the entries where `mask` is True (unknown first dim)."""
    x = convert_to_tensor(tensor)
    m = convert_to_tensor(mask, dtype_hint=dt.bool_)
    k = m.shape.ndims
    if k is None:
        raise ValueError("Number of mask dimensions must be specified, even if some "
                         "dimensions are None.  E.g. shape=[None] is ok, but shape=None "
                         "is not.")
    if k == 0:
        raise ValueError("mask cannot be scalar.")
    axis = 0 if axis is None else _static_axis(axis)
    if axis < 0:
        r = x.shape.ndims
        if r is None:
            raise ValueError("a negative axis needs a tensor of known rank")
        axis = normalize_axis(axis, r, "boolean_mask")
    return apply("BooleanMask", (x, m), {"axis": axis}, name=name or "boolean_mask")


# ------------------------------------------------------------------ batched gathers
# `gather(batch_dims=)`, `gather_nd(batch_dims=)` and `batch_gather` are compositions over
# GatherNd: each batch's indices get their batch coordinate prepended, so every index is
# checked against its own dim (never silently read from another batch).
def _prepend_batch_coordinate(flat_indices, batch, depth_last: bool):
    """indices [B, i..., (C)] -> [B, i..., 1 + C]: each row's batch number in front."""
    rank = flat_indices.shape.ndims
    ids = cast(range_(cast(batch, dt.int32)), flat_indices.dtype)
    lead = rank - 1 if depth_last else rank
    ids = reshape(ids, [-1] + [1] * lead)
    s = shape(flat_indices, out_type=flat_indices.dtype)
    target = concat([s[:-1], np.ones(1, flat_indices.dtype.np)], 0) if depth_last else \
        concat([s, np.ones(1, flat_indices.dtype.np)], 0)
    coords = flat_indices if depth_last else reshape(flat_indices, target)
    return concat([broadcast_to(ids, target), coords], -1)


def _flatten_batches(p, i, b: int):
    """(shape of p, shape of i, the batch size, p and i with their first b dims as one)."""
    ps, ix = shape(p, out_type=i.dtype), shape(i, out_type=i.dtype)
    size = reduce_prod(ps[:b])
    return (ps, ix, size, reshape(p, concat([stack([size]), ps[b:]], 0)),
            reshape(i, concat([stack([size]), ix[b:]], 0)))


def _known_rank(t, fn: str) -> int:
    if t.shape.ndims is None:
        raise ValueError(f"{fn} with batch_dims needs the rank of '{t.name}' known when the "
                         "graph is built")
    return t.shape.ndims


def gather_nd_with_batch_dims(params, indices, batch_dims: int, name=None):
    """TF1 `tf.gather_nd(params, indices, batch_dims=b)`: gather_nd within each of the
    first b (batch) dims, which params and indices share."""
    g = graph_of((params, indices))
    with g.as_default(), g.name_scope(name or "GatherNd") as scope:
        p = convert_to_tensor(params, name="params")
        i = convert_to_tensor(indices, name="indices", dtype_hint=dt.int32)
        rank_i, rank_p = _known_rank(i, "gather_nd"), _known_rank(p, "gather_nd")
        b = batch_dims + rank_i if batch_dims < 0 else batch_dims
        if not 0 <= b < min(rank_i, rank_p + 1):
            raise ValueError(f"gather_nd: batch_dims {batch_dims} must be less than the rank "
                             f"of indices ({rank_i}) and at most the rank of params")
        ps, ix, size, flat_p, flat_i = _flatten_batches(p, i, b)
        out = gather_nd(flat_p, _prepend_batch_coordinate(flat_i, size, True))
        rest = shape(out, out_type=i.dtype)[1:]
        return reshape(out, concat([ps[:b], rest], 0), name=scope)


def gather_with_batch_dims(params, indices, batch_dims: int, axis=None, name=None):
    """TF1 `tf.gather(params, indices, axis=a, batch_dims=b)`: gather along `axis` within
    each of the first b (batch) dims (axis >= b; default b)."""
    g = graph_of((params, indices))
    with g.as_default(), g.name_scope(name or "GatherV2") as scope:
        p = convert_to_tensor(params, name="params")
        i = convert_to_tensor(indices, name="indices", dtype_hint=dt.int32)
        rank_i, rank_p = _known_rank(i, "gather"), _known_rank(p, "gather")
        b = batch_dims + rank_i if batch_dims < 0 else batch_dims
        a = b if axis is None else int(axis)
        a = a + rank_p if a < 0 else a
        if not 0 <= b <= rank_i or not b <= a < rank_p:
            raise ValueError(f"gather: batch_dims ({batch_dims}) must be in [0, rank(indices)"
                             f" = {rank_i}] and axis ({axis}) in [batch_dims, rank(params) = "
                             f"{rank_p})")
        if a != b:  # move `axis` to just after the batch dims, and the result's dims back
            perm = list(range(b)) + [a] + list(range(b, a)) + list(range(a + 1, rank_p))
            out = gather_with_batch_dims(transpose(p, perm), i, b)
            start = rank_i + a - b
            back = list(range(b)) + list(range(rank_i, start)) + list(range(b, rank_i)) + \
                list(range(start, rank_i + rank_p - 1 - b))
            return transpose(out, back, name=scope)
        ps, ix, size, flat_p, flat_i = _flatten_batches(p, i, b)
        out = gather_nd(flat_p, _prepend_batch_coordinate(flat_i, size, False))
        return reshape(out, concat([ix, ps[b + 1:]], 0), name=scope)


def batch_gather(params, indices, name: Optional[str] = None):
    """TF1 `tf.batch_gather` (deprecated there): gather with batch_dims = rank(indices) - 1."""
    i = convert_to_tensor(indices, name="indices", dtype_hint=dt.int32)
    return gather_with_batch_dims(params, i, _known_rank(i, "batch_gather") - 1,
                                  name=name or "batch_gather")
