"""Segment reductions, unique and bincount (TF1's names and semantics).

Sorted segment ops (`segment_sum/mean/max/min/prod`) take 1-D, non-decreasing ids that
index `data`'s first dim; the output has max(id) + 1 rows, empty rows 0 (prod: 1).
Unsorted ones (`unsorted_segment_max/min/prod`; the sum is array_grads'
UnsortedSegmentSum) take ids of any shape that prefixes `data`'s, drop negative ids, and
fill empty rows with the dtype's lowest (max), highest (min) or 1 (prod). Mean and sqrt_n
of unsorted segments and the sparse segment ops are compositions of these (as in TF1).
VJP rules are TF1's (math_grad.py): the selected elements of a max/min share its
gradient equally; a product's gradient divides by the element except at zeros.
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from .. import dtypes as dt
from ..errors import InvalidArgumentError
from ..shapes import TensorShape
from ._base import NON_DIFFERENTIABLE, apply, check_dtype, const_value, convert_to_tensor, defop
from .array_grads import unsorted_segment_sum as _segment_sum_op
from .array_ops import INDEX_DTYPES, concat, reshape, shape
from .generator_ops import ones, ones_like, zeros_like
from .math_ops import (cast, equal, greater, greater_equal, maximum, minimum, multiply, rsqrt, sqrt,
                       truediv, where, where_v2)
from .slicing_ops import gather
from .reduce_ops import reduce_max
from ..context import get_default_graph

__all__ = ["unsorted_segment_sum", "segment_sum", "segment_mean", "segment_max", "segment_min",
           "segment_prod",
           "unsorted_segment_max", "unsorted_segment_min", "unsorted_segment_prod",
           "unsorted_segment_mean", "unsorted_segment_sqrt_n", "sparse_segment_sum",
           "sparse_segment_mean", "sparse_segment_sqrt_n", "unique", "unique_with_counts",
           "bincount"]

_UFUNC = {"sum": np.add, "mean": np.add, "max": np.maximum, "min": np.minimum,
          "prod": np.multiply}


def _identity(kind: str, dtype: np.dtype, sorted_ids: bool):
    if kind in ("sum", "mean") or sorted_ids and kind in ("max", "min"):
        return 0  # (sorted max/min: empty rows are 0 after the reduction)
    if kind == "prod":
        return 1
    info = np.finfo(dtype) if dtype.kind == "f" else np.iinfo(dtype)
    return info.min if kind == "max" else info.max


def _reduce(kind: str, data: np.ndarray, ids: np.ndarray, n: int, sorted_ids: bool):
    """Reduce the slices data[i] (i over ids' positions) into n rows by id."""
    k = ids.ndim
    flat_ids = ids.reshape(-1)
    rows = data.reshape((flat_ids.size,) + data.shape[k:])
    keep = flat_ids >= 0
    flat_ids, rows = flat_ids[keep], rows[keep]
    out_shape = (n,) + data.shape[k:]
    if kind in ("max", "min") or kind == "prod":
        init = _identity(kind, data.dtype, False)
        out = np.full(out_shape, init, dtype=data.dtype)
    else:
        out = np.zeros(out_shape, dtype=data.dtype)
    _UFUNC[kind].at(out, flat_ids, rows)
    if kind == "mean" or sorted_ids and kind in ("max", "min"):
        counts = np.bincount(flat_ids, minlength=n).reshape((n,) + (1,) * (data.ndim - k))
        if kind == "mean":
            with np.errstate(invalid="ignore", divide="ignore"):
                out = np.where(counts > 0, out / np.maximum(counts, 1), 0).astype(data.dtype)
        else:
            out = np.where(counts > 0, out, 0).astype(data.dtype)
    return out


# ------------------------------------------------------------------ sorted segments
def _segment_infer(op):
    data, ids = op.inputs
    check_dtype(op, ids, INDEX_DTYPES, "segment_ids")
    check_dtype(op, data, dt.NUMERIC, "data")
    if ids.shape.ndims not in (None, 1):
        raise ValueError(f"segment_ids '{ids.name}' must be a vector, got shape {ids.shape}")
    dims = data.shape.as_tuple()
    if dims is not None and not dims:
        raise ValueError(f"data '{data.name}' must be at least a vector")
    if dims is not None and ids.shape.ndims == 1 and \
            not ids.shape[0].is_compatible_with(data.shape[0]):
        raise ValueError(f"segment_ids '{ids.name}' (shape {ids.shape}) must have the size "
                         f"of data's first dimension (data '{data.name}' has shape "
                         f"{data.shape})")
    v = const_value(ids)
    n = (int(v[-1]) + 1 if v.size else 0) if v is not None else None
    return [(data.dtype, TensorShape(None) if dims is None else TensorShape((n,) + dims[1:]))]


def _segment_compute(kind):
    def compute(data, ids):
        if data.ndim == 0 or ids.ndim != 1 or ids.shape[0] != data.shape[0]:
            raise InvalidArgumentError(None, None, "segment_ids should be the same size as "
                                       f"dimension 0 of input, got {list(ids.shape)} for "
                                       f"input of shape {list(data.shape)}")
        if ids.size and ids[0] < 0:
            raise InvalidArgumentError(None, None, f"segment ids must be >= 0, got "
                                       f"{int(ids[0])}")
        bad = np.flatnonzero(np.diff(ids) < 0)
        if bad.size:
            i = int(bad[0])
            raise InvalidArgumentError(None, None, f"segment ids are not increasing: "
                                       f"segment_ids[{i + 1}] = {int(ids[i + 1])} follows "
                                       f"{int(ids[i])}")
        n = int(ids[-1]) + 1 if ids.size else 0
        return _reduce(kind, data, ids, n, sorted_ids=True)
    return compute


def _counts(ids, like, num=None):
    """Per-segment counts of ids in `like`'s dtype, shaped [segments, 1, ...] to broadcast
    against a segment result `like` (sorted ids, or unsorted into `num` segments)."""
    ones = cast(ones_like(ids), like.dtype)
    n = apply("SegmentSum", (ones, ids)) if num is None else unsorted_segment_sum(ones, ids, num)
    return _to_rank(n, like)


def _to_rank(t, like):
    """`t` reshaped with trailing dims of size 1 to the rank of `like` (static where both
    ranks are known, so shapes stay known)."""
    r, k = like.shape.ndims, t.shape.ndims
    if r is not None and k is not None:
        return t if r == k else reshape(t, concat([shape(t), np.ones(r - k, np.int32)], 0))
    extra = apply("Rank", (like,)) - apply("Rank", (t,))
    return reshape(t, concat([shape(t), ones(reshape(extra, [1]), dt.int32)], 0))


def _min_max_vjp(op, grads, num=None):
    """TF1: the gradient goes to the elements equal to the result, shared among them."""
    data, ids = op.inputs[0], op.inputs[1]
    out, g = op.outputs[0], grads[0]
    if num is None:
        gathered = gather(out, ids)
        selected = equal(data, gathered)
        count = apply("SegmentSum", (cast(selected, data.dtype), ids))
        return [where(selected, gather(truediv(g, count), ids), zeros_like(data)), None]
    gathered, positive = _gather_drop_negatives(out, ids)
    selected = equal(data, gathered)
    selected = where_v2(positive, selected, False)
    count = unsorted_segment_sum(cast(selected, data.dtype), ids, num)
    share, _ = _gather_drop_negatives(truediv(g, count), ids)
    return [where(selected, share, zeros_like(data)), None, None]


def _gather_drop_negatives(params, ids):
    """TF1's _GatherDropNegatives: gather(params, ids) with zeros where ids < 0, and the
    mask of non-negative ids (shaped to broadcast against the result)."""
    clipped = maximum(ids, zeros_like(ids))
    gathered = gather(params, clipped)
    positive = greater_equal(ids, zeros_like(ids))
    positive = _to_rank(positive, gathered)
    return where_v2(positive, gathered, zeros_like(gathered)), positive


def _prod_vjp(op, grads, num=None):
    """TF1's product gradient: prod / x, or the product of the other elements at a zero
    (zero when a segment holds two zeros)."""
    data, ids = op.inputs[0], op.inputs[1]
    g = grads[0]
    is_zero = equal(data, zeros_like(data))
    if num is None:
        zeros = apply("SegmentSum", (cast(is_zero, dt.int32), ids))
        nonzero_prod = apply("SegmentProd", (where(is_zero, ones_like(data), data), ids))
        clipped = ids
    else:
        zeros = unsorted_segment_sum(cast(is_zero, dt.int32), ids, num)
        nonzero_prod = apply("UnsortedSegmentProd",
                             (where(is_zero, ones_like(data), data), ids, num))
        clipped = maximum(ids, zeros_like(ids))
    g = where(greater(zeros, 1), zeros_like(g), g)
    partial = where(is_zero, gather(nonzero_prod, clipped),
                    truediv(gather(op.outputs[0], clipped), data))
    if num is None:
        return [multiply(gather(g, ids), partial), None]
    return [multiply(_gather_drop_negatives(g, ids)[0], partial), None, None]


def _sum_vjp(op, grads):
    return [gather(grads[0], op.inputs[1]), None]


def _mean_vjp(op, grads):
    g = grads[0]
    return [gather(truediv(g, _counts(op.inputs[1], g)), op.inputs[1]), None]


for _kind, _vjp in (("sum", _sum_vjp), ("mean", _mean_vjp), ("max", _min_max_vjp),
                    ("min", _min_max_vjp), ("prod", _prod_vjp)):
    defop("Segment" + _kind.capitalize(), _segment_infer, _segment_compute(_kind), _vjp,
          family="array_grad")


def _segment_builder(op_type: str):
    def builder(data, segment_ids, name: Optional[str] = None):
        d = convert_to_tensor(data, name="data")
        ids = convert_to_tensor(segment_ids, name="segment_ids")
        return apply(op_type, (d, ids), name=name or op_type)
    return builder


segment_sum = _segment_builder("SegmentSum")
segment_mean = _segment_builder("SegmentMean")
segment_max = _segment_builder("SegmentMax")
segment_min = _segment_builder("SegmentMin")
segment_prod = _segment_builder("SegmentProd")


# ------------------------------------------------------------------ unsorted segments
def _unsorted_infer(op):
    data, ids, num = op.inputs
    check_dtype(op, ids, INDEX_DTYPES, "segment_ids")
    check_dtype(op, num, INDEX_DTYPES, "num_segments")
    check_dtype(op, data, dt.NUMERIC, "data")
    if num.shape.ndims not in (None, 0):
        raise ValueError(f"num_segments '{num.name}' must be a scalar, got shape {num.shape}")
    dims, k = data.shape.as_tuple(), ids.shape.ndims
    if dims is None or k is None:
        return [(data.dtype, TensorShape(None))]
    if k > len(dims) or not data.shape[:k].is_compatible_with(ids.shape):
        raise ValueError(f"segment_ids '{ids.name}' of shape {ids.shape} must be a prefix of "
                         f"data '{data.name}''s shape {data.shape}")
    v = const_value(num)
    return [(data.dtype, TensorShape((None if v is None else int(v),) + dims[k:]))]


def _unsorted_compute(kind):
    def compute(data, ids, num):
        n = int(num)
        if data.shape[:ids.ndim] != ids.shape:
            raise InvalidArgumentError(None, None, f"data.shape = {list(data.shape)} does "
                                       f"not start with segment_ids.shape = "
                                       f"{list(ids.shape)}")
        flat = ids.reshape(-1)
        bad = np.flatnonzero(flat >= n)
        if bad.size:
            i = int(bad[0])
            raise InvalidArgumentError(None, None, f"segment_ids[{i}] = {int(flat[i])} is "
                                       f"out of range [0, {n})")
        return _reduce(kind, data, ids, n, sorted_ids=False)
    return compute


def _unsorted_min_max_vjp(op, grads):
    return _min_max_vjp(op, grads, num=op.inputs[2])


def _unsorted_prod_vjp(op, grads):
    return _prod_vjp(op, grads, num=op.inputs[2])


for _kind, _vjp in (("max", _unsorted_min_max_vjp), ("min", _unsorted_min_max_vjp),
                    ("prod", _unsorted_prod_vjp)):
    defop("UnsortedSegment" + _kind.capitalize(), _unsorted_infer, _unsorted_compute(_kind),
          _vjp, family="array_grad")


def _unsorted_builder(op_type: str):
    def builder(data, segment_ids, num_segments, name: Optional[str] = None):
        d = convert_to_tensor(data, name="data")
        ids = convert_to_tensor(segment_ids, name="segment_ids")
        num = convert_to_tensor(num_segments, name="num_segments",
                                dtype_hint=ids.dtype if ids.dtype.is_integer else None)
        return apply(op_type, (d, ids, num), name=name or op_type)
    return builder


def unsorted_segment_sum(data, segment_ids, num_segments, name: Optional[str] = None):
    """TF1 `tf.math.unsorted_segment_sum`: the slices of `data` summed into `num_segments`
    rows by id; a negative id's slice is dropped (ids known to be non-negative at build
    time, as in gradients, go straight to the UnsortedSegmentSum op)."""
    d = convert_to_tensor(data, name="data")
    ids = convert_to_tensor(segment_ids, name="segment_ids")
    num = convert_to_tensor(num_segments, name="num_segments",
                            dtype_hint=ids.dtype if ids.dtype.is_integer else None)
    known = const_value(ids)
    if known is None or known.size and known.min() < 0:
        keep = greater_equal(ids, zeros_like(ids), name="segment_ids_kept")
        d = where_v2(_to_rank(keep, d), d,
                     zeros_like(d), name="data_kept")
        ids = maximum(ids, zeros_like(ids), name="segment_ids_clipped")
    return _segment_sum_op(d, ids, num, name=name or "UnsortedSegmentSum")


unsorted_segment_max = _unsorted_builder("UnsortedSegmentMax")
unsorted_segment_min = _unsorted_builder("UnsortedSegmentMin")
unsorted_segment_prod = _unsorted_builder("UnsortedSegmentProd")


def _unsorted_scaled(data, segment_ids, num_segments, name, scope, sqrt_n: bool):
    g = get_default_graph()
    with g.name_scope(name or scope):
        d = convert_to_tensor(data, name="data")
        ids = convert_to_tensor(segment_ids, name="segment_ids")
        if not d.dtype.is_floating:
            raise TypeError(f"{scope}: data '{d.name}' must be floating point, got "
                            f"{d.dtype.name}")
        num = convert_to_tensor(num_segments, dtype_hint=ids.dtype)
        n = maximum(_counts(ids, d, num), np.ones((), d.dtype.np))
        total = unsorted_segment_sum(d, ids, num)
        return multiply(total, rsqrt(n)) if sqrt_n else truediv(total, n)


def unsorted_segment_mean(data, segment_ids, num_segments, name: Optional[str] = None):
    """TF1 `tf.math.unsorted_segment_mean`: the sum over each segment divided by its count
    (empty segments: 0)."""
    return _unsorted_scaled(data, segment_ids, num_segments, name, "UnsortedSegmentMean",
                            False)


def unsorted_segment_sqrt_n(data, segment_ids, num_segments, name: Optional[str] = None):
    """TF1 `tf.math.unsorted_segment_sqrt_n`: the sum over each segment divided by the
    square root of its count (empty segments: 0)."""
    return _unsorted_scaled(data, segment_ids, num_segments, name, "UnsortedSegmentSqrtN",
                            True)


# ------------------------------------------------------------------ sparse segments
def _sparse_segment(data, indices, segment_ids, name, num_segments, op_name, kind):
    g = get_default_graph()
    with g.name_scope(name or op_name):
        d = convert_to_tensor(data, name="data")
        rows = gather(d, convert_to_tensor(indices, name="indices"))
        ids = convert_to_tensor(segment_ids, name="segment_ids")
        if kind != "sum" and not d.dtype.is_floating:
            raise TypeError(f"{op_name}: data '{d.name}' must be floating point, got "
                            f"{d.dtype.name}")
        if num_segments is None:
            total = segment_sum(rows, ids)
            count = _counts(ids, total)
        else:
            num = convert_to_tensor(num_segments, dtype_hint=ids.dtype)
            total = unsorted_segment_sum(rows, ids, num)
            count = _counts(ids, total, num)
        if kind == "sum":
            return total
        count = maximum(count, np.ones((), d.dtype.np))
        return truediv(total, count if kind == "mean" else sqrt(count))


def sparse_segment_sum(data, indices, segment_ids, name: Optional[str] = None,
                       num_segments=None, sparse_gradient: bool = False):
    """TF1 `tf.sparse.segment_sum`: segment_sum(gather(data, indices), segment_ids), with
    `num_segments` rows when given. (`sparse_gradient` changes only the gradient's type in
    TF; graphc's gradient is dense, with the same values.)"""
    return _sparse_segment(data, indices, segment_ids, name, num_segments, "SparseSegmentSum",
                           "sum")


def sparse_segment_mean(data, indices, segment_ids, name: Optional[str] = None,
                        num_segments=None, sparse_gradient: bool = False):
    """TF1 `tf.sparse.segment_mean`: the mean of the rows `indices` of `data` per segment."""
    return _sparse_segment(data, indices, segment_ids, name, num_segments,
                           "SparseSegmentMean", "mean")


def sparse_segment_sqrt_n(data, indices, segment_ids, name: Optional[str] = None,
                          num_segments=None, sparse_gradient: bool = False):
    """TF1 `tf.sparse.segment_sqrt_n`: the sum of the rows `indices` of `data` per segment
    divided by the square root of the segment's size."""
    return _sparse_segment(data, indices, segment_ids, name, num_segments,
                           "SparseSegmentSqrtN", "sqrt_n")


# ------------------------------------------------------------------ unique, bincount
def _unique_infer(op):
    x = op.inputs[0]
    if x.shape.ndims not in (None, 1):
        raise ValueError(f"unique expects a 1-D tensor, '{x.name}' has shape {x.shape}")
    out = [(x.dtype, TensorShape([None])), (op.attrs["out_idx"], x.shape)]
    if op.type == "UniqueWithCounts":
        out.append((op.attrs["out_idx"], TensorShape([None])))
    return out


def _unique_np(x, out_idx, counts: bool):
    if x.ndim != 1:
        raise InvalidArgumentError(None, None, f"unique expects a 1D vector, got shape "
                                   f"{list(x.shape)}")
    values, first, inverse = np.unique(x, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")  # TF1: in order of first occurrence
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    idx = rank[inverse.reshape(-1)].astype(out_idx.np)
    y = np.asarray(values[order], dtype=x.dtype)
    if not counts:
        return y, idx
    return y, idx, np.bincount(idx, minlength=y.size).astype(out_idx.np)


defop("Unique", _unique_infer, lambda x, *, out_idx: _unique_np(x, out_idx, False),
      NON_DIFFERENTIABLE, family="array")
defop("UniqueWithCounts", _unique_infer, lambda x, *, out_idx: _unique_np(x, out_idx, True),
      NON_DIFFERENTIABLE, family="array")


def _unique(op_type, x, out_idx, name):
    out_idx = dt.as_dtype(out_idx)
    if out_idx not in INDEX_DTYPES:
        raise TypeError(f"{op_type}: out_idx must be int32 or int64, got {out_idx.name}")
    return apply(op_type, (convert_to_tensor(x, name="x"),), {"out_idx": out_idx},
                 name=name or op_type)


def unique(x, out_idx=dt.int32, name: Optional[str] = None):
    """TF1 `tf.unique`: (y, idx), y the distinct values of the vector x in order of first
    occurrence and idx, for each element of x, its position in y."""
    return _unique("Unique", x, out_idx, name)


def unique_with_counts(x, out_idx=dt.int32, name: Optional[str] = None):
    """TF1 `tf.unique_with_counts`: (y, idx, count), `unique` and each value's count."""
    return _unique("UniqueWithCounts", x, out_idx, name)


def _bincount_infer(op):
    arr, size, weights = op.inputs
    check_dtype(op, arr, (dt.int32,), "arr")
    check_dtype(op, size, (dt.int32,), "size")
    check_dtype(op, weights, (dt.int32, dt.int64, dt.float32, dt.float64), "weights")
    v = const_value(size)
    return [(weights.dtype, TensorShape([None if v is None else int(v)]))]


def _bincount_compute(arr, size, weights):
    n = int(size)
    if n < 0:
        raise InvalidArgumentError(None, None, f"size ({n}) must be non-negative")
    if weights.size and weights.shape != arr.shape:
        raise InvalidArgumentError(None, None, f"weights (shape {list(weights.shape)}) must "
                                   f"be empty or have the shape of arr {list(arr.shape)}")
    flat = arr.reshape(-1)
    if flat.size and flat.min() < 0:
        raise InvalidArgumentError(None, None, f"Input arr must be non-negative, got "
                                   f"{int(flat.min())}")
    keep = flat < n  # values past the size are not counted (TF1)
    w = weights.reshape(-1)[keep] if weights.size else None
    out = np.bincount(flat[keep], weights=w, minlength=n)[:n]
    return out.astype(weights.dtype)


defop("Bincount", _bincount_infer, _bincount_compute, NON_DIFFERENTIABLE, family="array")


def bincount(arr, weights=None, minlength=None, maxlength=None, dtype=dt.int32):
    """TF1 `tf.math.bincount`: counts (or summed `weights`) of each value in the int32
    `arr`; the length is max(arr) + 1 (0 for an empty arr), at least `minlength` and at
    most `maxlength` (larger values are not counted)."""
    with get_default_graph().name_scope("bincount"):
        a = convert_to_tensor(arr, name="arr", dtype=dt.int32)
        # max(arr) + 1, or 0 for an empty arr (a -1 joins the values)
        size = reduce_max(concat([reshape(a, [-1]), np.int32([-1])], 0)) + 1
        if minlength is not None:
            size = maximum(convert_to_tensor(minlength, name="minlength", dtype=dt.int32), size)
        if maxlength is not None:
            size = minimum(convert_to_tensor(maxlength, name="maxlength", dtype=dt.int32), size)
        if weights is not None:
            w = convert_to_tensor(weights, name="weights")
        else:
            w = convert_to_tensor(np.zeros((0,), dt.as_dtype(dtype).np))
        return apply("Bincount", (a, size, w), name="Bincount")


from ..naming import name_builders  # noqa: E402

name_builders(globals())
