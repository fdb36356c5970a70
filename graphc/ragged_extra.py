"""More of tf.ragged on graphc's minimal RaggedTensor (graphc/ragged.py): `stack`,
`boolean_mask`, `placeholder`, `stack_dynamic_partitions`, TF1's top-level raw ops
`ragged_fill_empty_rows` / `ragged_fill_empty_rows_grad`, and `cross` / `cross_hashed`
(the RaggedCross op, ir/ops/ragged_cross_ops.py).

The others are compositions of existing ops (concat, gather, RaggedRange for gathering
rows, dynamic_partition, SparseFillEmptyRows), so their gradients are those ops'. `stack`
takes axis 0 or 1 and `boolean_mask` ragged tensors of ragged_rank 1 (what TF1 code
builds from tf.ragged.constant and the from_* factories); a ragged placeholder is fed
through its components (`rt.values`, `rt.row_splits`) or with a RaggedTensorValue.
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from .ir import dtypes as dt
from .ir.context import get_default_graph
from .ir.graph import TensorLike
from .ir.ops import array_ops as A, math_ops as M, reduce_ops as R
from .ir.ops._base import convert_to_tensor
from .ir.ops.core_ops import placeholder as placeholder_op
from .ir.ops.generator_ops import range as range_op
from .ir.ops.math_ops import cast
from .ir.ops.matmul_ops import cumsum
from .ir.ops.partition_ops import dynamic_partition
from .ir.ops.ragged_cross_ops import ragged_cross_op
from .ir.ops.ragged_string_ops import ragged_range_op
from .ir.ops.segment_ops import unsorted_segment_sum
from .ir.ops.slicing_ops import boolean_mask as dense_boolean_mask, gather
from .ir.ops.sparse_combine_ops import sparse_fill_empty_rows_op
from .ir.shapes import TensorShape, as_shape
from .ir.site import where
from .ragged import RaggedTensor

__all__ = ["stack", "boolean_mask", "placeholder", "stack_dynamic_partitions", "cross",
           "cross_hashed",
           "ragged_fill_empty_rows", "ragged_fill_empty_rows_grad", "RAGGED", "TOP_LEVEL"]


def _splits_from_lengths(lengths):
    return A.concat([np.zeros(1, np.int64), cumsum(cast(lengths, dt.int64))], 0)


def _as_ragged(value, what: str) -> RaggedTensor:
    """A RaggedTensor, or a dense tensor of rank >= 2 as one (uniform rows)."""
    if isinstance(value, RaggedTensor):
        return value
    t = value._as_tensor() if isinstance(value, TensorLike) else convert_to_tensor(value)
    if t.shape.ndims is not None and t.shape.ndims < 2:
        raise ValueError(f"{what}: a dense value must have rank >= 2 to stack as ragged, "
                         f"got {t.shape} ({t.name}){where()}")
    shape = A.shape(t, out_type=dt.int64)
    rows, width = shape[0], shape[1]
    values = A.reshape(t, A.concat([[-1], A.shape(t)[2:]], 0))
    return RaggedTensor.from_row_splits(values, M.multiply(_arange(rows + 1), width))


def _arange(n):
    """0, 1, ..., n - 1 as int64."""
    return range_op(cast(n, dt.int64))


def _rank1(rt: RaggedTensor, what: str) -> None:
    if rt.ragged_rank != 1:
        raise NotImplementedError(f"{what}: graphc takes RaggedTensors of ragged_rank 1, got "
                                  f"ragged_rank {rt.ragged_rank}{where()}")


def _gather_rows(rt: RaggedTensor, rows) -> RaggedTensor:
    """The rows `rows` (an int vector) of a ragged_rank-1 RaggedTensor, in that order."""
    starts, limits = gather(rt.row_splits[:-1], rows), gather(rt.row_splits[1:], rows)
    splits, positions = ragged_range_op(starts, limits, np.int64(1))
    return RaggedTensor.from_row_splits(gather(rt.values, positions), splits)


def _concat_rows(parts: list) -> RaggedTensor:
    """The rows of each ragged_rank-1 part, one after the other."""
    values = A.concat([p.values for p in parts], 0)
    lengths = A.concat([p.row_lengths() for p in parts], 0)
    return RaggedTensor.from_row_splits(values, _splits_from_lengths(lengths))


def stack(values, axis: int = 0, name: Optional[str] = None) -> RaggedTensor:
    """TF's `tf.ragged.stack(values, axis=0)`: the ragged and dense tensors (rank 2,
    ragged_rank 1) stacked along a new dimension `axis` (0 or 1; 1 interleaves the
    rows i of each, which must have as many rows)."""
    values = list(values)
    if not values:
        raise ValueError(f"tf.ragged.stack: values must not be empty{where()}")
    with get_default_graph().name_scope(name or "RaggedStack"):
        parts = [_as_ragged(v, "tf.ragged.stack") for v in values]
        for p in parts:
            _rank1(p, "tf.ragged.stack")
        k = len(parts)
        if axis in (0, -3):
            rows = _concat_rows(parts)
            nrows = A.stack([p.nrows() for p in parts])
            return RaggedTensor.from_row_splits(rows, _splits_from_lengths(nrows))
        if axis not in (1, -2):
            raise NotImplementedError(f"tf.ragged.stack: graphc stacks along axis 0 or 1, "
                                      f"got axis={axis}{where()}")
        n = parts[0].nrows()
        rows = _concat_rows(parts)  # row j*n + i is row i of part j
        i = _arange(n)
        order = A.reshape(A.transpose(A.stack([i + j * n for j in range(k)])), [-1])
        inner = _gather_rows(rows, order)
        return RaggedTensor.from_row_splits(inner, M.multiply(_arange(n + 1), np.int64(k)))


def boolean_mask(data, mask, name: Optional[str] = None):
    """TF's `tf.ragged.boolean_mask(data, mask)`: the elements of data where mask is
    true, keeping the rows: a dense mask of rank 1 picks rows, a mask of data's ragged
    (or dense rank-2) shape picks elements within each row."""
    with get_default_graph().name_scope(name or "RaggedMask"):
        if not isinstance(data, RaggedTensor) and not isinstance(mask, RaggedTensor):
            d, m = convert_to_tensor(data), convert_to_tensor(mask, dtype=dt.bool_)
            if m.shape.ndims == 1:
                return dense_boolean_mask(d, m)
            data, mask = _as_ragged(d, "tf.ragged.boolean_mask"), _as_ragged(
                m, "tf.ragged.boolean_mask")
        if isinstance(data, RaggedTensor) and not isinstance(mask, RaggedTensor):
            m = convert_to_tensor(mask, dtype=dt.bool_)
            if m.shape.ndims == 1:  # whole rows
                _rank1(data, "tf.ragged.boolean_mask")
                rows = A.reshape(M.where(m), [-1])
                return _gather_rows(data, rows)
            mask = _as_ragged(m, "tf.ragged.boolean_mask")
        if not isinstance(data, RaggedTensor):
            data = _as_ragged(data, "tf.ragged.boolean_mask")
        _rank1(data, "tf.ragged.boolean_mask")
        _rank1(mask, "tf.ragged.boolean_mask")
        if mask.values.dtype is not dt.bool_:
            raise TypeError(f"tf.ragged.boolean_mask: mask must be bool, got "
                            f"{mask.values.dtype.name}{where()}")
        kept = dense_boolean_mask(data.values, mask.values)
        lengths = unsorted_segment_sum(cast(mask.values, dt.int64), mask.value_rowids(),
                                       mask.nrows())
        return RaggedTensor.from_row_splits(kept, _splits_from_lengths(lengths))


def placeholder(dtype, ragged_rank, value_shape=None, name: Optional[str] = None):
    """TF's `tf.ragged.placeholder(dtype, ragged_rank, value_shape=None)`: a RaggedTensor
    whose flat values ([None] + value_shape) and row splits (int64 vectors) are
    placeholders."""
    ragged_rank = int(ragged_rank)
    if ragged_rank < 1:
        raise ValueError(f"tf.ragged.placeholder: ragged_rank must be >= 1, got "
                         f"{ragged_rank}{where()}")
    inner = TensorShape([]) if value_shape is None else as_shape(value_shape)
    with get_default_graph().name_scope(name or "RaggedPlaceholder"):
        flat = placeholder_op(dt.as_dtype(dtype), TensorShape([None]).concatenate(inner),
                              name="flat_values")
        splits = [placeholder_op(dt.int64, [None], name="row_splits" + (f"_{i}" if i else ""))
                  for i in range(ragged_rank)]
        return RaggedTensor.from_nested_row_splits(flat, splits)


def stack_dynamic_partitions(data, partitions, num_partitions,
                             name: Optional[str] = None) -> RaggedTensor:
    """TF's `tf.ragged.stack_dynamic_partitions`: row p holds the elements of data whose
    partition is p, in their order."""
    with get_default_graph().name_scope(name or "SegmentStack"):
        d = data._as_tensor() if isinstance(data, TensorLike) else convert_to_tensor(data)
        parts = dynamic_partition(d, cast(convert_to_tensor(partitions), dt.int32),
                                  int(num_partitions))
        lengths = A.stack([A.shape(p, out_type=dt.int64)[0] for p in parts])
        return RaggedTensor.from_row_splits(A.concat(parts, 0), _splits_from_lengths(lengths))


def _cross(inputs, hashed: bool, num_buckets: int, hash_key, name: str):
    inputs = list(inputs)
    if not inputs:
        raise ValueError(f"tf.ragged.{name}: inputs must not be empty{where()}")
    parts = []
    for x in inputs:
        rt = _as_ragged(x, f"tf.ragged.{name}")
        _rank1(rt, f"tf.ragged.{name}")
        values = rt.values
        if values.dtype not in (dt.int64, dt.string):
            raise TypeError(f"tf.ragged.{name}: inputs must be int64 or string, got "
                            f"{values.dtype.name} ({values.name}){where()}")
        parts.append(rt)
    values, splits = ragged_cross_op([p.values for p in parts], [p.row_splits for p in parts],
                                     hashed, num_buckets, hash_key)
    return RaggedTensor.from_row_splits(values, splits)


def cross(inputs, name: Optional[str] = None) -> RaggedTensor:
    """TF's `tf.ragged.cross(inputs)`: row i holds each combination of one value of row i
    of every input (ragged or dense 2-D, int64 or string), joined by "_X_"."""
    with get_default_graph().name_scope(name or "RaggedCross"):
        return _cross(inputs, False, 0, None, "cross")


def cross_hashed(inputs, num_buckets: int = 0, hash_key=None,
                 name: Optional[str] = None) -> RaggedTensor:
    """TF's `tf.ragged.cross_hashed(inputs, num_buckets=0, hash_key=None)`: cross's
    combinations as TF's fingerprint hashes (modulo num_buckets when it is > 0)."""
    with get_default_graph().name_scope(name or "RaggedCross"):
        return _cross(inputs, True, num_buckets, hash_key, "cross_hashed")


def ragged_fill_empty_rows(value_rowids, values, nrows, default_value,
                           name: Optional[str] = None) -> tuple:
    """TF's raw op `tf.ragged_fill_empty_rows`: (output_value_rowids, output_values,
    empty_row_indicator, reverse_index_map), each row with no values given one
    `default_value` (SparseFillEmptyRows over [rowid] indices)."""
    with get_default_graph().name_scope(name or "RaggedFillEmptyRows"):
        ids = cast(convert_to_tensor(value_rowids), dt.int64)
        vals = convert_to_tensor(values)
        default = convert_to_tensor(default_value, dtype=vals.dtype)
        dense_shape = A.reshape(cast(convert_to_tensor(nrows), dt.int64), [1])
        idx, out, empty, reverse = sparse_fill_empty_rows_op(A.reshape(ids, [-1, 1]), vals,
                                                             dense_shape, default)
        return A.reshape(idx, [-1]), out, empty, reverse


def ragged_fill_empty_rows_grad(reverse_index_map, grad_values,
                                name: Optional[str] = None) -> tuple:
    """TF's raw op `tf.ragged_fill_empty_rows_grad`: (d_values, d_default_value) of
    ragged_fill_empty_rows' output_values gradient."""
    with get_default_graph().name_scope(name or "RaggedFillEmptyRowsGrad"):
        g = convert_to_tensor(grad_values)
        d_values = gather(g, reverse_index_map)
        return d_values, M.subtract(R.reduce_sum(g), R.reduce_sum(d_values))


RAGGED = {"stack": stack, "boolean_mask": boolean_mask, "placeholder": placeholder,
          "stack_dynamic_partitions": stack_dynamic_partitions, "cross": cross,
          "cross_hashed": cross_hashed}
TOP_LEVEL = {"ragged_fill_empty_rows": ragged_fill_empty_rows,
             "ragged_fill_empty_rows_grad": ragged_fill_empty_rows_grad}
