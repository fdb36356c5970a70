"""A minimal TF1 RaggedTensor and the tf.ragged functions built on it.

A RaggedTensor is a namedtuple (values, row_splits): `values` a Tensor (the flat values)
or another RaggedTensor (more ragged dims), `row_splits` an int64 vector whose row i is
values[row_splits[i]:row_splits[i + 1]]. Like SparseTensor it is fetched as a structure:
rebuilt from the fetched arrays it becomes a RaggedTensorValue (`to_list()`), as TF1's
Session returns. What is here: the factories (from_row_splits, from_row_lengths,
from_value_rowids, from_nested_row_splits), the row partition (row_lengths, nrows,
value_rowids), to_tensor, with_values / with_flat_values, and tf.ragged's constant,
constant_value, range, row_splits_to_segment_ids, segment_ids_to_row_splits,
map_flat_values (graphc/ragged_extra.py adds stack, boolean_mask, placeholder and
stack_dynamic_partitions). Not here: RaggedTensor arithmetic operators, feeding a
RaggedTensor as a whole (feed its components), tf.ragged.cross.
"""
from __future__ import annotations

import collections
import inspect
from typing import Optional

import numpy as np

from .array_extra import repeat
from .ir import dtypes as dt
from .ir.context import get_default_graph
from .ir.ops import array_ops as A, math_ops as M, reduce_ops as R
from .ir.ops._base import convert_to_tensor, np_value
from .ir.ops.generator_ops import fill, range as range_op
from .ir.ops.math_ops import cast
from .ir.ops.matmul_ops import cumsum
from .ir.ops.ragged_string_ops import ragged_range_op
from .ir.ops.scatter_ops import tensor_scatter_nd_update
from .ir.ops.segment_ops import bincount
from .ir.ops.slicing_ops import gather
from .ir.shapes import TensorShape


class RaggedTensorValue(collections.namedtuple("RaggedTensorValue", ["values", "row_splits"])):
    """A fetched RaggedTensor: numpy values (or a nested RaggedTensorValue) and splits."""

    def __new__(cls, *args, **kwargs):
        RaggedTensorValue.__init__(None, *args, **kwargs)  # Python's error for a wrong call
        return super().__new__(cls, *args, **kwargs)

    def __init__(self, values, row_splits) -> None:
        """TF1's parameters; the tuple's fields are set by namedtuple's __new__."""

    @property
    def flat_values(self) -> np.ndarray:
        return self.values.flat_values if isinstance(self.values, RaggedTensorValue) else \
            self.values

    @property
    def nested_row_splits(self) -> tuple:
        inner = self.values.nested_row_splits if isinstance(self.values, RaggedTensorValue) \
            else ()
        return (self.row_splits,) + inner

    @property
    def ragged_rank(self) -> int:
        return len(self.nested_row_splits)

    @property
    def dtype(self):
        return self.flat_values.dtype

    def to_list(self) -> list:
        inner = self.values.to_list() if isinstance(self.values, RaggedTensorValue) else \
            self.values.tolist()
        return [inner[a:b] for a, b in zip(self.row_splits[:-1], self.row_splits[1:])]


def _splits(value, what: str = "row_splits"):
    t = convert_to_tensor(value, dtype_hint=dt.int64, name=what)
    if not t.dtype.is_integer:
        raise TypeError(f"{what} must be integers, got {t.dtype.name}")
    if t.shape.ndims not in (None, 1):
        raise ValueError(f"{what} must be a vector, got shape {t.shape}")
    return cast(t, dt.int64) if t.dtype is not dt.int64 else t


class RaggedTensor(collections.namedtuple("RaggedTensor", ["values", "row_splits"])):
    """TF1 `tf.RaggedTensor`: rows of varying length (see the module docstring); make one
    with the `from_*` class methods or tf.ragged.constant."""

    def __new__(cls, *args, **kwargs):
        # __init__ holds TF1's parameters; calling it first gives Python's own error for a
        # wrong call, naming RaggedTensor.__init__ (as SparseTensor does)
        RaggedTensor.__init__(None, *args, **kwargs)
        bound = _RAGGED_PARAMS.bind(None, *args, **kwargs)
        bound.apply_defaults()
        values, row_splits, internal = tuple(bound.arguments.values())[1:]
        if all(isinstance(p, (np.ndarray, RaggedTensorValue)) for p in (values, row_splits)):
            return RaggedTensorValue(values, row_splits)  # a fetched value (fetch rebuilds)
        if not internal:
            raise ValueError("RaggedTensor constructor is private; please use one of the "
                             "factory methods instead (e.g., RaggedTensor.from_row_lengths())")
        if not isinstance(values, RaggedTensor):
            values = convert_to_tensor(values, name="values")
            if values.shape.ndims == 0:
                raise ValueError("RaggedTensor values must have rank >= 1")
        return super().__new__(cls, values, _splits(row_splits))

    def __init__(self, values, row_partition, internal: bool = False) -> None:
        """TF1's parameters (row_partition: graphc takes the row splits); the tuple's
        fields are set by __new__."""

    # ------------------------------------------------------------ factories
    @classmethod
    def from_row_splits(cls, values, row_splits, name: Optional[str] = None,
                        validate: bool = True):
        return cls(values, row_splits, internal=True)

    @classmethod
    def from_row_lengths(cls, values, row_lengths, name: Optional[str] = None,
                         validate: bool = True):
        lengths = _splits(row_lengths, "row_lengths")
        return cls.from_row_splits(values, A.concat([np.zeros(1, np.int64), cumsum(lengths)],
                                                    0))

    @classmethod
    def from_value_rowids(cls, values, value_rowids, nrows=None, name: Optional[str] = None,
                          validate: bool = True):
        return cls.from_row_splits(values, segment_ids_to_row_splits(value_rowids, nrows))

    @classmethod
    def from_nested_row_splits(cls, flat_values, nested_row_splits,
                               name: Optional[str] = None, validate: bool = True):
        result = flat_values
        for splits in reversed(list(nested_row_splits)):
            result = cls.from_row_splits(result, splits)
        return result

    # ------------------------------------------------------------ structure
    @property
    def dtype(self):
        return self.flat_values.dtype

    @property
    def flat_values(self):
        return self.values.flat_values if isinstance(self.values, RaggedTensor) else \
            self.values

    @property
    def nested_row_splits(self) -> tuple:
        inner = self.values.nested_row_splits if isinstance(self.values, RaggedTensor) else ()
        return (self.row_splits,) + inner

    @property
    def ragged_rank(self) -> int:
        return len(self.nested_row_splits)

    @property
    def shape(self) -> TensorShape:
        n = self.row_splits.shape.as_tuple()[0] if self.row_splits.shape.ndims == 1 else None
        inner = self.values.shape if isinstance(self.values, RaggedTensor) else \
            self.values.shape
        tail = inner.as_list()[1:] if inner.ndims is not None else None
        if tail is None:
            return TensorShape(None)
        return TensorShape([None if n is None else n - 1, None, *tail])

    def get_shape(self) -> TensorShape:
        return self.shape

    def row_lengths(self, axis: int = 1, name: Optional[str] = None):
        if axis != 1:
            raise NotImplementedError("RaggedTensor.row_lengths: graphc supports axis=1")
        return M.subtract(self.row_splits[1:], self.row_splits[:-1], name=name)

    def nrows(self, out_type=dt.int64, name: Optional[str] = None):
        return cast(M.subtract(A.shape(self.row_splits, out_type=dt.int64)[0],
                               np.int64(1)), out_type, name=name)

    def value_rowids(self, name: Optional[str] = None):
        return row_splits_to_segment_ids(self.row_splits, name=name)

    def with_values(self, new_values):
        return RaggedTensor.from_row_splits(new_values, self.row_splits)

    def with_flat_values(self, new_values):
        if isinstance(self.values, RaggedTensor):
            return self.with_values(self.values.with_flat_values(new_values))
        return self.with_values(new_values)

    def to_tensor(self, default_value=None, name: Optional[str] = None, shape=None):
        """The dense tensor: each row padded with default_value (zero) to the longest."""
        if shape is not None:
            raise NotImplementedError("RaggedTensor.to_tensor(shape=...) is not supported")
        with get_default_graph().name_scope(name or "RaggedToTensor"):
            inner = self.values.to_tensor(default_value) if isinstance(
                self.values, RaggedTensor) else self.values
            lengths = self.row_lengths()
            width = M.maximum(R.reduce_max(lengths), np.int64(0))
            rows = self.value_rowids()
            cols = M.subtract(range_op(A.shape(inner, out_type=dt.int64)[0], dtype=dt.int64),
                              gather(self.row_splits, rows))
            dense_shape = A.concat([A.stack([self.nrows(), width]),
                                    A.shape(inner, out_type=dt.int64)[1:]], 0)
            pad = np.zeros((), inner.dtype.np) if default_value is None else default_value
            base = fill(dense_shape, convert_to_tensor(pad, dtype=inner.dtype))
            return tensor_scatter_nd_update(base, A.stack([rows, cols], axis=1), inner)

    def __repr__(self) -> str:
        return f"tf.RaggedTensor(values={self.values!r}, row_splits={self.row_splits!r})"


_RAGGED_PARAMS = inspect.signature(RaggedTensor.__init__)


# ---------------------------------------------------------------- tf.ragged
def row_splits_to_segment_ids(splits, name: Optional[str] = None, out_type=None):
    """TF1 `tf.ragged.row_splits_to_segment_ids`: the row of each value."""
    with get_default_graph().name_scope(name or "RaggedSplitsToSegmentIds"):
        s = _splits(splits, "splits")
        out = dt.as_dtype(out_type or dt.int64)
        lengths = M.subtract(s[1:], s[:-1])
        return cast(repeat(range_op(A.shape(lengths, out_type=dt.int64)[0], dtype=dt.int64),
                           lengths, axis=0), out)


def segment_ids_to_row_splits(segment_ids, num_segments=None, out_type=None,
                              name: Optional[str] = None):
    """TF1 `tf.ragged.segment_ids_to_row_splits`: row splits for sorted segment ids."""
    with get_default_graph().name_scope(name or "SegmentIdsToRaggedSplits"):
        ids = cast(convert_to_tensor(segment_ids, dtype_hint=dt.int64, name="segment_ids"),
                   dt.int32)
        n = None if num_segments is None else cast(convert_to_tensor(num_segments), dt.int32)
        counts = bincount(ids, minlength=n, maxlength=n, dtype=dt.int64)
        out = dt.as_dtype(out_type or dt.int64)
        return cast(A.concat([np.zeros(1, np.int64), cumsum(counts)], 0), out)


def _nested_value(pylist, ragged_rank, dtype):
    """(flat numpy values, [splits per ragged dim]) of a nested Python list."""
    depth = 0
    probe = pylist
    while isinstance(probe, (list, tuple)) and probe and isinstance(probe[0], (list, tuple)):
        probe = probe[0]
        depth += 1
    rank = depth if ragged_rank is None else int(ragged_rank)
    if rank < 1:
        raise ValueError(f"tf.ragged.constant: ragged_rank must be >= 1 (the value needs "
                         f"a nested list), got {ragged_rank}")
    splits, level = [], list(pylist)
    for _ in range(rank):
        lengths = [len(row) for row in level]
        splits.append(np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64))
        level = [item for row in level for item in row]
    if not level:
        return np.zeros(0, dt.as_dtype(dtype or dt.float32).np), splits
    return np_value(level, dtype), splits


def constant_value(pylist, dtype=None, ragged_rank=None, inner_shape=None,
                   row_splits_dtype="int64"):
    """TF1 `tf.ragged.constant_value`: a RaggedTensorValue of a nested Python list."""
    values, splits = _nested_value(pylist, ragged_rank, dtype)
    out = values
    for s in reversed(splits):
        out = RaggedTensorValue(out, s.astype(dt.as_dtype(row_splits_dtype).np))
    return out


def constant(pylist, dtype=None, ragged_rank=None, inner_shape=None,
             name: Optional[str] = None, row_splits_dtype=dt.int64):
    """TF1 `tf.ragged.constant`: a RaggedTensor of constants from a nested Python list."""
    with get_default_graph().name_scope(name or "RaggedConstant"):
        values, splits = _nested_value(pylist, ragged_rank, dtype)
        flat = convert_to_tensor(values, dtype=dt.string if values.dtype == object else
                                 values.dtype)
        return RaggedTensor.from_nested_row_splits(flat, splits)


def ragged_range(starts, limits=None, deltas=1, dtype=None, name: Optional[str] = None,
                 row_splits_dtype=dt.int64):
    """TF1 `tf.ragged.range`: row i is range(starts[i], limits[i], deltas[i])."""
    if limits is None:
        starts, limits = 0, starts
    with get_default_graph().name_scope(name or "RaggedRange"):
        s = convert_to_tensor(starts, dtype=dtype, name="starts")
        splits, values = ragged_range_op(s, limits, deltas)
        return RaggedTensor.from_row_splits(values, splits)


ragged_range.__name__ = ragged_range.__qualname__ = "range"  # (TF1's name; a builtin here)


def map_flat_values(op, *args, **kwargs):
    """TF1 `tf.ragged.map_flat_values`: op applied to the flat values of the ragged
    arguments (which must share their row partition), rebuilt with it."""
    found = []

    def flat(x):
        if isinstance(x, RaggedTensor):
            found.append(x)
            return x.flat_values
        if isinstance(x, (list, tuple)):
            return type(x)(flat(v) for v in x)
        if isinstance(x, dict):
            return {k: flat(v) for k, v in x.items()}
        return x
    result = op(*flat(list(args)), **flat(dict(kwargs)))
    if not found:
        return result
    return found[0].with_flat_values(result)


RAGGED = {"RaggedTensorValue": RaggedTensorValue, "constant": constant,
          "constant_value": constant_value, "range": ragged_range,
          "row_splits_to_segment_ids": row_splits_to_segment_ids,
          "segment_ids_to_row_splits": segment_ids_to_row_splits,
          "map_flat_values": map_flat_values}
