"""Element structures of tf.data: nests of component specs (dtype and static shape).

As in TF1's `tf.data`, tuples (and namedtuples) and dicts are structure, and a list is a
value (converted to one tensor). Elements move through a pipeline as flat tuples of
arrays; the nesting is applied only where the user sees it (get_next, function args).
"""
from __future__ import annotations

import numpy as np

from .. import nest
from ..ir import dtypes as dt
from ..ir.graph import Tensor, TensorLike
from ..ir.ops._base import convert_to_tensor
from ..ir.shapes import TensorShape, as_shape, unknown_shape


class Spec:
    """One component: its dtype and (partial) static shape (a leaf, not a tuple)."""

    __slots__ = ("dtype", "shape")

    def __init__(self, dtype: dt.DType, shape: TensorShape) -> None:
        self.dtype = dtype
        self.shape = shape

    def __repr__(self) -> str:
        return f"Spec({self.dtype.name}, {self.shape})"


class HasStructure:
    """TF1's output_types/output_shapes/output_classes of a `_structure` nest."""

    _structure = None

    @property
    def output_types(self):
        return types_of(self._structure)

    @property
    def output_shapes(self):
        return shapes_of(self._structure)

    @property
    def output_classes(self):
        return classes_of(self._structure)


def is_structure(x) -> bool:
    return isinstance(x, (tuple, dict))


def flatten(structure) -> list:
    """Components in TF's order (dict keys sorted); lists are leaves."""
    if isinstance(structure, dict):
        return [c for k in sorted(structure) for c in flatten(structure[k])]
    if isinstance(structure, tuple):
        return [c for v in structure for c in flatten(v)]
    return [structure]


def pack(structure, flat):
    """The nest of `structure` holding the components `flat` (a sequence)."""
    it = iter(flat)

    def build(s):
        if isinstance(s, dict):
            return type(s)((k, build(s[k])) for k in sorted(s))
        if isinstance(s, tuple):
            parts = [build(v) for v in s]
            return type(s)._make(parts) if hasattr(s, "_fields") else tuple(parts)
        return next(it)
    return build(structure)


def map_leaves(fn, structure):
    return pack(structure, [fn(x) for x in flatten(structure)])


def to_tensors(value, what: str):
    """Each leaf of `value` as a tensor of the default graph (lists become one tensor)."""
    def convert(v):
        if v is None:
            raise TypeError(f"{what}: None is not a valid component of a dataset element")
        if isinstance(v, TensorLike):
            return v._as_tensor()
        return convert_to_tensor(v)
    return map_leaves(convert, value)


def specs_of(tensors) -> object:
    return map_leaves(lambda t: Spec(t.dtype, t.shape), tensors)


def types_of(structure):
    return map_leaves(lambda s: s.dtype, structure)


def shapes_of(structure):
    return map_leaves(lambda s: s.shape, structure)


def classes_of(structure):
    return map_leaves(lambda s: Tensor, structure)


def from_types_and_shapes(output_types, output_shapes=None):
    """Specs from TF1's (output_types, output_shapes) pair (shapes default to unknown)."""
    if output_shapes is None:
        output_shapes = map_leaves(lambda _: None, output_types)
    types = flatten(output_types)
    shapes = _flatten_shapes(output_types, output_shapes)
    specs = [Spec(dt.as_dtype(d), unknown_shape() if s is None else as_shape(s))
             for d, s in zip(types, shapes)]
    return pack(output_types, specs)


def _flatten_shapes(types, shapes) -> list:
    """Shapes per component: a shape given as a list or TensorShape is one leaf."""
    if isinstance(types, dict):
        if not isinstance(shapes, dict) or set(shapes) != set(types):
            raise ValueError(f"output_shapes {shapes!r} do not match the structure of "
                             f"output_types {types!r}")
        return [s for k in sorted(types) for s in _flatten_shapes(types[k], shapes[k])]
    if isinstance(types, tuple):
        if not isinstance(shapes, tuple) or len(shapes) != len(types):
            raise ValueError(f"output_shapes {shapes!r} do not match the structure of "
                             f"output_types {types!r}")
        return [s for t, sh in zip(types, shapes) for s in _flatten_shapes(t, sh)]
    return [shapes]


def assert_same(a, b, what: str) -> None:
    try:
        nest.assert_same_structure(_shape_only(a), _shape_only(b))
    except (ValueError, TypeError) as exc:
        raise TypeError(f"{what}: the two structures differ: {exc}") from None


def _shape_only(structure):
    """The nest with leaves replaced by 0 (nest treats lists as structure: none here)."""
    if isinstance(structure, dict):
        return {k: _shape_only(v) for k, v in structure.items()}
    if isinstance(structure, tuple):
        return tuple(_shape_only(v) for v in structure)
    return 0


def most_specific_compatible(a: TensorShape, b: TensorShape) -> TensorShape:
    """The shape both are instances of: differing dims (or ranks) become unknown."""
    if a.ndims is None or b.ndims is None or a.ndims != b.ndims:
        return unknown_shape()
    return TensorShape([x if x == y else None for x, y in zip(a.as_tuple(), b.as_tuple())])


def describe(structure) -> str:
    return repr(map_leaves(lambda s: f"{s.dtype.name}{s.shape}", structure))


def component_array(value, spec: Spec, what: str) -> np.ndarray:
    """A value produced by Python code (a generator) as an array of `spec`, checked."""
    if spec.dtype is dt.string:
        arr = np.asarray(value, dtype=object)
        if arr.size:
            arr = np.vectorize(lambda s: s.encode() if isinstance(s, str) else s,
                               otypes=[object])(arr)
    else:
        try:
            arr = np.asarray(value, dtype=spec.dtype.np)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"{what}: cannot convert {value!r} to {spec.dtype.name}: "
                            f"{exc}") from None
    if not spec.shape.is_compatible_with(arr.shape):
        raise ValueError(f"{what} yielded an element of shape {list(arr.shape)} where an "
                         f"element of shape {spec.shape} was expected.")
    return arr
