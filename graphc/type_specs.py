"""TF's value specifications beyond `tf.TensorSpec`: `tf.SparseTensorSpec`,
`tf.IndexedSlicesSpec`, `tf.RaggedTensorSpec`, `tf.TensorArraySpec`, `tf.OptionalSpec`,
`tf.NoneTensorSpec`, and `tf.type_spec_from_value`, which gives the spec of a value.

A spec is its fields (shape, dtypes, flags): two specs are equal when their fields are;
`is_compatible_with(spec_or_value)` holds when the other is a spec of the same class
(or a value whose spec is) with compatible shapes and equal other fields;
`most_specific_common_supertype(others)` keeps the dims all agree on.
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from . import nest
from .framework_names import TensorSpec, TypeSpec
from .indexed_slices import IndexedSlices
from .ir import dtypes as _dt
from .ir.graph import Tensor, TensorLike
from .ir.ops._base import const_value_as_shape, np_value
from .ir.shapes import TensorShape, as_shape
from .ragged import RaggedTensor
from .sparse_tensor import SparseTensor
from .tensor_array import TensorArray

__all__ = ["SparseTensorSpec", "IndexedSlicesSpec", "RaggedTensorSpec", "TensorArraySpec",
           "OptionalSpec", "NoneTensorSpec", "type_spec_from_value"]


def _common_shape(shapes: list) -> TensorShape:
    """The most specific shape every one of `shapes` is compatible with."""
    ranks = {s.ndims for s in shapes}
    if None in ranks or len(ranks) > 1:
        return TensorShape(None)
    dims = [s.as_tuple() for s in shapes]
    return TensorShape([d[0] if len(set(d)) == 1 else None for d in zip(*dims)])


class _FieldSpec(TypeSpec):
    """A spec made of named fields, TensorShapes among them (see module)."""

    _fields: tuple = ()
    value_type = None

    def __init_subclass__(cls, **kwargs) -> None:
        """Each field is a read-only property (`shape` reads `_shape`)."""
        super().__init_subclass__(**kwargs)
        for name in cls._fields:
            if name not in vars(cls):
                setattr(cls, name, property(lambda self, _n="_" + name: getattr(self, _n)))

    def _values(self) -> tuple:
        return tuple(getattr(self, "_" + f) for f in self._fields)

    def _key(self) -> tuple:
        return tuple(v.as_tuple() if isinstance(v, TensorShape) else
                     v._key() if isinstance(v, _FieldSpec) else v for v in self._values())

    def __eq__(self, other) -> bool:
        return type(other) is type(self) and other._key() == self._key()

    def __hash__(self) -> int:
        return hash((type(self).__name__,) + tuple(
            k if not isinstance(k, TypeSpec) else repr(k) for k in self._key()))

    def __repr__(self) -> str:
        parts = [f"tf.{v.name}" if isinstance(v, _dt.DType) else repr(v)
                 for v in self._values()]
        return f"{type(self).__name__}({', '.join(parts)})"

    def is_compatible_with(self, spec_or_value) -> bool:
        other = spec_or_value if isinstance(spec_or_value, TypeSpec) else \
            type_spec_from_value(spec_or_value)
        if type(other) is not type(self):
            return False
        for mine, theirs in zip(self._values(), other._values()):
            if isinstance(mine, TensorShape):
                if not mine.is_compatible_with(theirs):
                    return False
            elif isinstance(mine, TypeSpec):
                if not mine.is_compatible_with(theirs):
                    return False
            elif mine != theirs:
                return False
        return True

    def most_specific_common_supertype(self, others) -> Optional["TypeSpec"]:
        """The spec every one of self and `others` is compatible with (None if their
        classes or non-shape fields differ)."""
        specs = [self] + list(others)
        if any(type(s) is not type(self) for s in specs):
            return None
        fields = []
        for values in zip(*(s._values() for s in specs)):
            if isinstance(values[0], TensorShape):
                fields.append(_common_shape(list(values)))
            elif all(v == values[0] for v in values):
                fields.append(values[0])
            else:
                return None
        new = object.__new__(type(self))
        for name, value in zip(self._fields, fields):
            setattr(new, "_" + name, value)
        return new


class SparseTensorSpec(_FieldSpec):
    """TF's `tf.SparseTensorSpec(shape=None, dtype=tf.float32)`."""

    _fields = ("shape", "dtype")
    value_type = SparseTensor

    def __init__(self, shape=None, dtype=_dt.float32) -> None:
        self._shape, self._dtype = as_shape(shape), _dt.as_dtype(dtype)

    @classmethod
    def from_value(cls, value) -> "SparseTensorSpec":
        shape = value.shape if hasattr(value, "shape") else TensorShape(None)
        return cls(shape, value.values.dtype)


class IndexedSlicesSpec(_FieldSpec):
    """TF's `tf.IndexedSlicesSpec(shape=None, dtype=tf.float32, indices_dtype=tf.int64,
    dense_shape_dtype=None, indices_shape=None)`."""

    _fields = ("shape", "values_dtype", "indices_dtype", "dense_shape_dtype",
               "indices_shape")
    value_type = IndexedSlices

    def __init__(self, shape=None, dtype=_dt.float32, indices_dtype=_dt.int64,
                 dense_shape_dtype=None, indices_shape=None) -> None:
        self._shape = as_shape(shape)
        self._values_dtype = _dt.as_dtype(dtype)
        self._indices_dtype = _dt.as_dtype(indices_dtype)
        self._dense_shape_dtype = None if dense_shape_dtype is None else \
            _dt.as_dtype(dense_shape_dtype)
        self._indices_shape = as_shape(indices_shape).with_rank(1) \
            if indices_shape is not None else TensorShape([None])

    @property
    def dtype(self) -> _dt.DType:
        return self._values_dtype


class RaggedTensorSpec(_FieldSpec):
    """TF's `tf.RaggedTensorSpec(shape=None, dtype=tf.float32, ragged_rank=None,
    row_splits_dtype=tf.int64, flat_values_spec=None)`: ragged_rank defaults to the
    rank less one (the shape's rank must be known then)."""

    _fields = ("shape", "dtype", "ragged_rank", "row_splits_dtype")
    value_type = RaggedTensor

    def __init__(self, shape=None, dtype=_dt.float32, ragged_rank=None,
                 row_splits_dtype=_dt.int64, flat_values_spec=None) -> None:
        if flat_values_spec is not None:
            if shape is None:
                shape = TensorShape(None)
            dtype = flat_values_spec.dtype
        self._shape = as_shape(shape)
        self._dtype = _dt.as_dtype(dtype)
        self._row_splits_dtype = _dt.as_dtype(row_splits_dtype)
        self._flat_values_spec = flat_values_spec
        rank = self._shape.ndims
        if ragged_rank is None:
            if rank is None:
                raise ValueError("Must specify ragged_rank or a shape with a known rank.")
            ragged_rank = rank - 1
        if not isinstance(ragged_rank, int):
            raise TypeError(f"ragged_rank must be an int, got {ragged_rank!r}")
        if rank is not None and not 0 <= ragged_rank < max(rank, 1):
            raise ValueError(f"ragged_rank must be non-negative and less than the rank "
                             f"({rank}), got {ragged_rank}")
        self._ragged_rank = ragged_rank

    @property
    def flat_values_spec(self):
        return self._flat_values_spec

    @classmethod
    def from_value(cls, value) -> "RaggedTensorSpec":
        splits = value.nested_row_splits
        return cls(value.shape, value.dtype, len(splits), splits[0].dtype)


class TensorArraySpec(_FieldSpec):
    """TF's `tf.TensorArraySpec(element_shape=None, dtype=tf.float32, dynamic_size=False,
    infer_shape=True)`."""

    _fields = ("element_shape", "dtype", "dynamic_size", "infer_shape")
    value_type = TensorArray

    def __init__(self, element_shape=None, dtype=_dt.float32, dynamic_size=False,
                 infer_shape=True) -> None:
        self._element_shape = as_shape(element_shape)
        self._dtype = _dt.as_dtype(dtype)
        self._dynamic_size = bool(dynamic_size)
        self._infer_shape = bool(infer_shape)

    @classmethod
    def from_value(cls, value) -> "TensorArraySpec":
        return cls(value.element_shape, value.dtype, value.dynamic_size,
                   bool(value._infer_shape))


class OptionalSpec(_FieldSpec):
    """TF's `tf.OptionalSpec(element_spec)`: the spec of an optional value of
    `element_spec` (tf.data's Optional)."""

    _fields = ("element_spec",)

    def __init__(self, element_spec) -> None:
        self._element_spec = element_spec

    def __repr__(self) -> str:
        return f"OptionalSpec({self._element_spec!r},)"

    def _key(self) -> tuple:
        return (repr(self._element_spec),)

    def is_compatible_with(self, spec_or_value) -> bool:
        return isinstance(spec_or_value, OptionalSpec) and \
            _specs_compatible(self._element_spec, spec_or_value._element_spec)


def _specs_compatible(a, b) -> bool:
    flat_a, flat_b = nest.flatten(a), nest.flatten(b)
    return len(flat_a) == len(flat_b) and all(
        x.is_compatible_with(y) for x, y in zip(flat_a, flat_b))


class NoneTensorSpec(_FieldSpec):
    """TF's `tf.NoneTensorSpec()`: the spec of None (a value with no parts)."""

    value_type = type(None)

    def __init__(self) -> None:
        pass

    def is_compatible_with(self, spec_or_value) -> bool:
        return spec_or_value is None or isinstance(spec_or_value, NoneTensorSpec)


def type_spec_from_value(value) -> TypeSpec:
    """TF's `tf.type_spec_from_value`: the spec of a tensor, variable, sparse, ragged or
    indexed-slices tensor, TensorArray, None, or anything convertible to a tensor."""
    if value is None:
        return NoneTensorSpec()
    if isinstance(value, Tensor):
        return TensorSpec(value.shape, value.dtype)
    if isinstance(value, SparseTensor):
        return SparseTensorSpec.from_value(value)
    if isinstance(value, RaggedTensor):
        return RaggedTensorSpec.from_value(value)
    if isinstance(value, IndexedSlices):
        dense = value.dense_shape
        shape = TensorShape(None) if dense is None else const_value_as_shape(dense)
        return IndexedSlicesSpec(shape, value.values.dtype, value.indices.dtype,
                                 None if dense is None else dense.dtype,
                                 value.indices.shape)
    if isinstance(value, TensorArray):
        return TensorArraySpec.from_value(value)
    if isinstance(value, TensorLike):
        t = value._as_tensor()
        return TensorSpec(t.shape, t.dtype)
    try:  # (TF converts it to a tensor; its dtype and shape, without a Const)
        arr = value if isinstance(value, np.ndarray) else np_value(value)
        return TensorSpec(arr.shape, _dt.from_numpy(arr))
    except (TypeError, ValueError):
        raise TypeError(f"Could not build a TypeSpec for {value!r} of unsupported type "
                        f"{type(value)}.") from None
