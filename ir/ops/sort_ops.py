"""Ordering ops: top_k, in_top_k, searchsorted and histogram_fixed_width (TF1 semantics).

`top_k` sorts along the last axis, larger first and, among equal values, the lower index
first (TF1's stable order); its gradient scatters the values' gradient back to the chosen
positions (TF1's rule). `in_top_k` counts the classes scoring strictly higher than the
target's (ties are in), false for a non-finite score or an out-of-range target.
`searchsorted` is TF's LowerBound/UpperBound row by row over the leading dims;
`histogram_fixed_width` bins as TF's kernel does, in double: clamp to the range's
bounds, floor((x - lo) / ((hi - lo) / nbins)), at most nbins - 1.
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from .. import dtypes as dt
from ..errors import InvalidArgumentError
from ..shapes import TensorShape
from ._base import (NON_DIFFERENTIABLE, apply, check_dtype, const_value, convert_to_tensor,
                    defop, graph_of)
from .array_grads import unsorted_segment_sum
from .array_ops import INDEX_DTYPES, expand_dims, reshape, shape, stack
from .generator_ops import range as range_
from .reduce_ops import reduce_prod
from .math_ops import cast, multiply

__all__ = ["top_k", "in_top_k", "searchsorted", "histogram_fixed_width"]

REAL = dt.FLOATS + (dt.int8, dt.int16, dt.int32, dt.int64, dt.uint8)


def _scalar_value(t) -> Optional[int]:
    v = const_value(t)
    return None if v is None or np.ndim(v) else int(v)


def _check_scalar(op, t, what: str) -> None:
    if t.shape.ndims not in (None, 0):
        raise ValueError(f"{what} '{t.name}' must be a scalar, got shape {t.shape}")


# ------------------------------------------------------------------ TopKV2
def _top_k_infer(op):
    x, k = op.inputs
    check_dtype(op, x, REAL, "input")
    check_dtype(op, k, (dt.int32,), "k")
    _check_scalar(op, k, "k")
    dims = x.shape.as_tuple()
    kv = _scalar_value(k)
    if kv is not None and kv < 0:
        raise ValueError(f"Need k >= 0, got {kv}")
    if dims is not None:
        if not dims:
            raise ValueError(f"input '{x.name}' must be at least a vector, got a scalar")
        if kv is not None and dims[-1] is not None and dims[-1] < kv:
            raise ValueError(f"input must have last dimension >= k = {kv} but is "
                             f"{dims[-1]} (input '{x.name}' has shape {x.shape})")
    shape_ = TensorShape(None) if dims is None else TensorShape(dims[:-1] + (kv,))
    return [(x.dtype, shape_), (op.attrs["index_type"], shape_)]


def _top_k_compute(x, k, *, sorted, index_type):  # noqa: A002 (TF1's attribute name)
    k = int(k)
    if k < 0:
        raise InvalidArgumentError(None, None, f"Need k >= 0, got {k}")
    if x.ndim == 0 or x.shape[-1] < k:
        raise InvalidArgumentError(None, None, f"input must have at least {k} columns. Had "
                                   f"{x.shape[-1] if x.ndim else 0}, needed {k}")
    key = -x if x.dtype.kind == "f" else -x.astype(np.int64)
    order = np.argsort(key, axis=-1, kind="stable")[..., :k]
    return np.take_along_axis(x, order, -1), order.astype(index_type.np)


def _top_k_vjp(op, grads):
    """TF1: the values' gradient lands at the chosen indices of each row."""
    x, idx, g = op.inputs[0], op.outputs[1], grads[0]
    in_shape = shape(x)
    n = in_shape[-1]
    k = shape(idx)[-1]
    rows = reshape(idx, stack([-1, k]))
    count = shape(rows)[0]
    offsets = expand_dims(range_(0, multiply(count, n), n), -1)
    flat = reshape(rows + cast(offsets, idx.dtype), [-1])
    total = cast(reduce_prod(in_shape), idx.dtype)
    return [reshape(unsorted_segment_sum(reshape(g, [-1]), flat, total), in_shape), None]


defop("TopKV2", _top_k_infer, _top_k_compute, _top_k_vjp, family="array")


def top_k(input, k=1, sorted: bool = True, index_type=dt.int32,  # noqa: A002
          name: Optional[str] = None):
    """TF1 `tf.nn.top_k`: (values, indices) of the k largest entries along the last axis,
    largest first (equal values: lower index first); `k` may be a scalar tensor."""
    index_type = dt.as_dtype(index_type)
    if index_type not in INDEX_DTYPES:
        raise TypeError(f"top_k: index_type must be int32 or int64, got {index_type.name}")
    x = convert_to_tensor(input, name="input")
    k = convert_to_tensor(k, name="k", dtype=dt.int32)
    values, indices = apply("TopKV2", (x, k), {"sorted": bool(sorted),
                                               "index_type": index_type},
                            name=name or "TopKV2")
    return values, indices


# ------------------------------------------------------------------ InTopKV2
def _in_top_k_infer(op):
    predictions, targets, k = op.inputs
    check_dtype(op, predictions, (dt.float32,), "predictions")
    check_dtype(op, targets, INDEX_DTYPES, "targets")
    if k.dtype is not targets.dtype:
        raise TypeError(f"InTopKV2 op '{op.name}': k '{k.name}' is {k.dtype.name} but "
                        f"targets '{targets.name}' are {targets.dtype.name}")
    _check_scalar(op, k, "k")
    if predictions.shape.ndims not in (None, 2):
        raise ValueError(f"predictions '{predictions.name}' must be 2-dimensional, got "
                         f"shape {predictions.shape}")
    if targets.shape.ndims not in (None, 1):
        raise ValueError(f"targets '{targets.name}' must be a vector, got shape "
                         f"{targets.shape}")
    batch = predictions.shape[0] if predictions.shape.ndims == 2 else None
    if batch is not None and targets.shape.ndims == 1 and \
            not targets.shape[0].is_compatible_with(batch):
        raise ValueError(f"First dimension of predictions {batch} must match length of "
                         f"targets {targets.shape[0]}")
    out = TensorShape([batch]).merge_with(targets.shape) if targets.shape.ndims == 1 else \
        TensorShape([batch])
    return [(dt.bool_, out)]


def _in_top_k_compute(predictions, targets, k):
    if predictions.ndim != 2 or targets.shape != (predictions.shape[0],):
        raise InvalidArgumentError(None, None, f"First dimension of predictions "
                                   f"{predictions.shape[0] if predictions.ndim else 0} must "
                                   f"match length of targets {targets.size}")
    classes = predictions.shape[1]
    valid = (targets >= 0) & (targets < classes)
    safe = np.where(valid, targets, 0)
    target_score = predictions[np.arange(predictions.shape[0]), safe]
    higher = np.sum(predictions > target_score[:, None], axis=1)
    return valid & np.isfinite(target_score) & (higher < int(k))


defop("InTopKV2", _in_top_k_infer, _in_top_k_compute, NON_DIFFERENTIABLE, family="array")


def in_top_k(predictions, targets, k, name: Optional[str] = None):
    """TF1 `tf.nn.in_top_k`: whether each target's score is among the k highest of its row
    (scores tied with the k-th are in)."""
    p = convert_to_tensor(predictions, name="predictions")
    t = convert_to_tensor(targets, name="targets")
    k = convert_to_tensor(k, name="k", dtype=t.dtype if t.dtype in INDEX_DTYPES else None)
    return apply("InTopKV2", (p, t, k), name=name or "InTopKV2")


# ------------------------------------------------------------------ LowerBound, UpperBound
def _bound_infer(op):
    seq, values = op.inputs
    if seq.dtype is not values.dtype:
        raise TypeError(f"{op.type} op '{op.name}': sorted_sequence '{seq.name}' is "
                        f"{seq.dtype.name} but values '{values.name}' are {values.dtype.name}")
    check_dtype(op, seq, REAL, "sorted_sequence")
    s, v = seq.shape.as_tuple(), values.shape.as_tuple()
    if s is not None and v is not None:
        if not s or not v:
            raise ValueError("sorted_sequence and values must be at least vectors")
        if len(s) != len(v) or not seq.shape[:-1].is_compatible_with(values.shape[:-1]):
            raise ValueError(f"Leading dims of sorted_sequence {seq.shape} and values "
                             f"{values.shape} must match")
    return [(op.attrs["out_type"], values.shape)]


def _bound_compute(side):
    def compute(seq, values, *, out_type):
        if seq.ndim == 0 or seq.shape[:-1] != values.shape[:-1]:
            raise InvalidArgumentError(None, None, f"Leading dims of sorted_sequence "
                                       f"{list(seq.shape)} and values {list(values.shape)} "
                                       "must match")
        s = seq.reshape(-1, seq.shape[-1])
        v = values.reshape(-1, values.shape[-1] if values.ndim else 1)
        out = np.empty(v.shape, dtype=out_type.np)
        for row in np.ndindex(s.shape[0]):
            out[row] = np.searchsorted(s[row], v[row], side=side)
        return out.reshape(values.shape)
    return compute


defop("LowerBound", _bound_infer, _bound_compute("left"), NON_DIFFERENTIABLE, family="array")
defop("UpperBound", _bound_infer, _bound_compute("right"), NON_DIFFERENTIABLE, family="array")


def searchsorted(sorted_sequence, values, side: str = "left", out_type=dt.int32,
                 name: Optional[str] = None):
    """TF1 `tf.searchsorted`: for each value, the index in its row of the innermost axis of
    `sorted_sequence` where it would be inserted (`side` 'left': before equal entries,
    'right': after them)."""
    if side not in ("left", "right"):
        raise ValueError(f"side must be either 'right' or 'left'.  Saw: {side}.")
    out_type = dt.as_dtype(out_type)
    if out_type not in INDEX_DTYPES:
        raise TypeError(f"searchsorted: out_type must be int32 or int64, got {out_type.name}")
    seq = convert_to_tensor(sorted_sequence, name="sorted_sequence")
    v = convert_to_tensor(values, name="values", dtype=seq.dtype)
    op_type = "LowerBound" if side == "left" else "UpperBound"
    return apply(op_type, (seq, v), {"out_type": out_type}, name=name or op_type)


# ------------------------------------------------------------------ HistogramFixedWidth
def _histogram_infer(op):
    values, value_range, nbins = op.inputs
    check_dtype(op, values, (dt.int32, dt.int64, dt.float32, dt.float64), "values")
    if value_range.dtype is not values.dtype:
        raise TypeError(f"HistogramFixedWidth op '{op.name}': value_range "
                        f"'{value_range.name}' is {value_range.dtype.name} but values are "
                        f"{values.dtype.name}")
    check_dtype(op, nbins, (dt.int32,), "nbins")
    _check_scalar(op, nbins, "nbins")
    if not value_range.shape.is_compatible_with([2]):
        raise ValueError(f"value_range '{value_range.name}' must have shape [2], got "
                         f"{value_range.shape}")
    return [(op.attrs["dtype"], TensorShape([_scalar_value(nbins)]))]


def _histogram_compute(values, value_range, nbins, *, dtype):
    n = int(nbins)
    if n <= 0:
        raise InvalidArgumentError(None, None, f"nbins should be a positive number, but got "
                                   f"'{n}'")
    lo, hi = value_range.reshape(-1)[:2]
    if not lo < hi:
        raise InvalidArgumentError(None, None, f"value_range should satisfy value_range[0] < "
                                   f"value_range[1], but got '[{lo} {hi}]'")
    step = (float(hi) - float(lo)) / n
    clamped = np.maximum(values.reshape(-1), lo).astype(np.float64) - float(lo)
    bins = np.minimum(clamped / step, n - 1).astype(np.int64)
    return np.bincount(bins, minlength=n).astype(dtype.np)


defop("HistogramFixedWidth", _histogram_infer, _histogram_compute, NON_DIFFERENTIABLE,
      family="array")


def histogram_fixed_width(values, value_range, nbins=100, dtype=dt.int32,
                          name: Optional[str] = None):
    """TF1 `tf.histogram_fixed_width`: counts of `values` in `nbins` equal bins spanning
    `value_range` [lo, hi); values below lo count in the first bin, at or above hi in the
    last."""
    dtype = dt.as_dtype(dtype)
    if dtype not in INDEX_DTYPES:
        raise TypeError(f"histogram_fixed_width: dtype must be int32 or int64, got "
                        f"{dtype.name}")
    g = graph_of((values, value_range))
    with g.as_default(), g.name_scope(name or "histogram_fixed_width") as scope:
        v = convert_to_tensor(values, name="values")
        r = convert_to_tensor(value_range, name="value_range", dtype=v.dtype)
        n = convert_to_tensor(nbins, name="nbins", dtype=dt.int32)
        return apply("HistogramFixedWidth", (v, r, n), {"dtype": dtype}, name=scope)


from ..naming import name_builders  # noqa: E402

name_builders(globals())
