"""TF1's IndexedSlices: a sparse set of rows of a tensor (`values[i]` is row
`indices[i]` of a tensor of shape `dense_shape`), and IndexedSlicesValue, what running one
returns.

Like SparseTensor (graphc/sparse_tensor.py) it is a namedtuple of its tensors, so
`sess.run` fetches it as a structure and the rebuilt tuple of arrays is an
IndexedSlicesValue. `convert_to_tensor` densifies it as TF1 does (rows with repeated
indices add up: an UnsortedSegmentSum into dense_shape[0] rows), so an IndexedSlices goes
wherever a tensor does. graphc's tf.gradients returns the dense gradient of a gather
(ir/ops/array_grads.py), which the optimizers recognise as sparse
(graphc/train/optimizer.py); IndexedSlices is what user code builds and hands to the
sparse updates (`Variable.scatter_*`, `apply_gradients`' densified gradients).
"""
from __future__ import annotations

import collections
import inspect
from typing import Optional

import numpy as np

from .ir import dtypes as dt
from .ir.ops._base import (const_value_as_shape, convert_to_tensor,
                           register_tensor_conversion_function)
from .ir.ops.array_grads import unsorted_segment_sum
from .ir.ops.math_ops import negative
from .ir.ops.slicing_ops import gather
from .ir.shapes import TensorShape
from .sparse_tensor import SparseTensor

__all__ = ["IndexedSlices", "IndexedSlicesValue", "convert_to_tensor_or_indexed_slices"]


class IndexedSlicesValue(collections.namedtuple("IndexedSlicesValue",
                                                ["values", "indices", "dense_shape"])):
    """What running an IndexedSlices returns: its arrays (dense_shape may be None)."""

    def __str__(self) -> str:
        return (f"IndexedSlicesValue(values={self.values}, indices={self.indices}, "
                f"dense_shape={self.dense_shape})")


class IndexedSlices(collections.namedtuple("IndexedSlices",
                                           ["values", "indices", "dense_shape"])):
    """TF1 `tf.IndexedSlices(values, indices, dense_shape=None)`: `values[i]` is row
    `indices[i]` (int32/int64, a vector) of a tensor of shape `dense_shape`."""

    def __new__(cls, *args, **kwargs):
        # a namedtuple is made in __new__; __init__ holds TF1's parameters, and calling it
        # first gives Python's own error for a wrong call, naming IndexedSlices.__init__
        IndexedSlices.__init__(None, *args, **kwargs)
        bound = _PARAMS.bind(None, *args, **kwargs)
        bound.apply_defaults()
        values, indices, dense_shape = tuple(bound.arguments.values())[1:]
        if isinstance(values, np.ndarray) and isinstance(indices, np.ndarray):
            return IndexedSlicesValue(values, indices, dense_shape)  # fetched (fetch.py)
        values = convert_to_tensor(values, name="values")
        indices = convert_to_tensor(indices, name="indices")
        if indices.dtype not in (dt.int32, dt.int64):
            raise TypeError(f"IndexedSlices: indices '{indices.name}' must be int32 or int64, "
                            f"got {indices.dtype.name}")
        if indices.shape.ndims not in (None, 1):
            raise ValueError(f"IndexedSlices: indices '{indices.name}' must be a vector, got "
                             f"shape {indices.shape}")
        if values.shape.ndims == 0:
            raise ValueError(f"IndexedSlices: values '{values.name}' must be at least a "
                             "vector (one row per index)")
        if not values.shape[:1].is_compatible_with(indices.shape):
            raise ValueError(f"IndexedSlices: values '{values.name}' of shape {values.shape} "
                             f"do not have one row per index of '{indices.name}' "
                             f"({indices.shape})")
        if dense_shape is not None:
            dense_shape = convert_to_tensor(dense_shape, name="dense_shape")
            if dense_shape.dtype not in (dt.int32, dt.int64):
                raise TypeError("IndexedSlices: dense_shape must be int32 or int64, got "
                                f"{dense_shape.dtype.name}")
        return super().__new__(cls, values, indices, dense_shape)

    def __init__(self, values, indices, dense_shape=None) -> None:
        """TF1's parameters; the tuple's fields are set by __new__."""

    @property
    def name(self) -> str:
        return self.values.name

    @property
    def op(self):
        return self.values.op

    @property
    def dtype(self) -> dt.DType:
        return self.values.dtype

    @property
    def graph(self):
        return self.values.graph

    @property
    def device(self) -> str:
        return self.values.device

    def get_shape(self):
        """The dense tensor's static shape (TF1: dense_shape's constant value)."""
        if self.dense_shape is None:
            return TensorShape(None)
        return const_value_as_shape(self.dense_shape).merge_with(
            TensorShape([None]).concatenate(self.values.shape[1:]))

    @property
    def shape(self):
        return self.get_shape()

    def __neg__(self) -> "IndexedSlices":
        return IndexedSlices(negative(self.values), self.indices, self.dense_shape)

    def __str__(self) -> str:
        shape = "" if self.dense_shape is None else f", dense_shape={self.dense_shape}"
        return f"IndexedSlices(indices={self.indices}, values={self.values}{shape})"

    __repr__ = __str__

    def dense(self, name: Optional[str] = None):
        """The dense tensor (rows with repeated indices add up), as TF1's conversion."""
        if self.dense_shape is None:
            raise ValueError(f"Tensor conversion requested for IndexedSlices without "
                             f"dense_shape: {self}")
        return unsorted_segment_sum(self.values, self.indices, gather(self.dense_shape, 0),
                                    name=name)

    def rows_of(self, tensor):
        """The rows of `tensor` these slices name (a gather)."""
        return gather(tensor, self.indices)


_PARAMS = inspect.signature(IndexedSlices.__init__)


def _convert(value: IndexedSlices, dtype=None, name=None, as_ref=False):
    if dtype is not None and value.dtype is not dt.as_dtype(dtype):
        raise ValueError(f"Tensor conversion requested dtype {dt.as_dtype(dtype).name} for "
                         f"IndexedSlices with dtype {value.dtype.name}")
    return value.dense(name=name)


register_tensor_conversion_function(IndexedSlices, _convert)


def convert_to_tensor_or_indexed_slices(value, dtype=None, name: Optional[str] = None):
    """TF1 `tf.convert_to_tensor_or_indexed_slices`: IndexedSlices (and SparseTensors)
    pass through (their dtype checked), anything else becomes a Tensor."""
    if isinstance(value, (IndexedSlices, SparseTensor)):
        if dtype is not None and value.values.dtype is not dt.as_dtype(dtype):
            raise ValueError(f"Tensor conversion requested dtype {dt.as_dtype(dtype).name} "
                             f"for {type(value).__name__} with dtype "
                             f"{value.values.dtype.name}: {value}")
        return value
    return convert_to_tensor(value, dtype=dtype, name=name)
