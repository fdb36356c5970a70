"""Summary ops: their value is a serialized `Summary` protocol buffer (a string scalar),
exactly what TF1's summary ops return, so `sess.run(merged)` feeds
`FileWriter.add_summary` and TensorBoard reads the result.

ScalarSummary(value) {tag}       one Summary.Value with simple_value
HistogramSummary(values) {tag}   one Summary.Value with a HistogramProto (TF1's bucket
                                 edges: 1e-12 * 1.1^k on both sides of zero)
MergeSummary(s1, s2, ...)        the union: Summary has only a repeated field, so the
                                 serialized messages concatenate
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from .. import dtypes as dt
from .. import proto
from ..errors import InvalidArgumentError
from ..shapes import TensorShape
from ._base import NON_DIFFERENTIABLE, apply, check_dtype, convert_to_tensor, defop

_NUMERIC = dt.FLOATS + (dt.int8, dt.int16, dt.int32, dt.int64, dt.uint8, dt.bool_)


def _scalar_bytes(tag: str, value: float) -> bytes:
    return proto.message((1, "bytes", proto.message((1, "bytes", tag),
                                                     (2, "float", value))))


def _scalar_infer(op):
    check_dtype(op, op.inputs[0], _NUMERIC)
    shape = op.inputs[0].shape
    if shape.ndims is not None and shape.num_elements() not in (None, 1):
        raise ValueError(f"tags and values not the same shape: a scalar summary needs one "
                         f"value, '{op.inputs[0].name}' has shape {shape}")
    return [(dt.string, TensorShape([]))]


def _scalar_compute(value, *, tag):
    if value.size != 1:
        raise InvalidArgumentError(None, None, f"tags and values not the same shape: [] != "
                                   f"{list(value.shape)} (tag '{tag}')")
    return np.array(_scalar_bytes(tag, float(value.reshape(-1)[0])), dtype=object)


def _default_edges() -> np.ndarray:
    positive = []
    v = 1e-12
    while v < 1e20:
        positive.append(v)
        v *= 1.1
    positive.append(np.finfo(np.float64).max)
    pos = np.array(positive)
    return np.concatenate([-pos[::-1], [0.0], pos])


EDGES = _default_edges()


def histogram_bytes(tag: str, values: np.ndarray) -> bytes:
    """A Summary with one HistogramProto over TF1's default buckets (empty ones dropped
    at both ends)."""
    v = np.asarray(values, dtype=np.float64).reshape(-1)
    if v.size and not np.all(np.isfinite(v)):
        raise InvalidArgumentError(None, None, f"Nan in summary histogram for: {tag}")
    if v.size == 0:
        limits, counts = [np.finfo(np.float64).max], [0.0]
        lo = hi = 0.0
    else:
        idx = np.searchsorted(EDGES, v, side="left")  # bucket i covers (edge[i-1], edge[i]]
        counts_all = np.bincount(idx, minlength=len(EDGES)).astype(np.float64)
        first, last = int(idx.min()), int(idx.max())
        limits, counts = EDGES[first:last + 1], counts_all[first:last + 1]
        lo, hi = float(v.min()), float(v.max())
    histo = proto.message((1, "double", lo), (2, "double", hi), (3, "double", float(v.size)),
                          (4, "double", float(v.sum())),
                          (5, "double", float(np.dot(v, v))),
                          (6, "packed_double", list(limits)), (7, "packed_double", list(counts)))
    return proto.message((1, "bytes", proto.message((1, "bytes", tag), (5, "bytes", histo))))


def _histogram_infer(op):
    check_dtype(op, op.inputs[0], _NUMERIC)
    return [(dt.string, TensorShape([]))]


def _histogram_compute(values, *, tag):
    return np.array(histogram_bytes(tag, values), dtype=object)


def _merge_infer(op):
    for t in op.inputs:
        if not t.dtype.is_string:
            raise TypeError(f"MergeSummary inputs must be serialized summaries (strings); "
                            f"'{t.name}' is {t.dtype.name}")
    return [(dt.string, TensorShape([]))]


def _merge_compute(*summaries):
    parts = []
    for s in summaries:
        for item in np.asarray(s, dtype=object).reshape(-1):
            parts.append(item if isinstance(item, bytes) else bytes(item))
    return np.array(b"".join(parts), dtype=object)


defop("ScalarSummary", _scalar_infer, _scalar_compute, NON_DIFFERENTIABLE, family="summary")
defop("HistogramSummary", _histogram_infer, _histogram_compute, NON_DIFFERENTIABLE,
      family="summary")
defop("MergeSummary", _merge_infer, _merge_compute, NON_DIFFERENTIABLE, family="summary")


def scalar_summary(tag: str, value, name: Optional[str] = None):
    return apply("ScalarSummary", (convert_to_tensor(value),), {"tag": tag},
                 name=name or "ScalarSummary")


def histogram_summary(tag: str, values, name: Optional[str] = None):
    return apply("HistogramSummary", (convert_to_tensor(values),), {"tag": tag},
                 name=name or "HistogramSummary")


def merge_summary(inputs, name: Optional[str] = None):
    tensors = [convert_to_tensor(t) for t in inputs]
    return apply("MergeSummary", tensors, name=name or "Merge/MergeSummary")
