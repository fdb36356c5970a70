"""Partial shapes with TF1 semantics: unknown dims (`None`) and unknown rank.

`TensorShape` is immutable. Indexing returns a `Dimension` (TF1 code writes
`x.get_shape()[1].value` and `int(x.shape[-1])`), slicing returns a `TensorShape`.
"""
from __future__ import annotations

from typing import Optional

from .symbolic import Sym, SymbolicDimError, symbols_of


class Dimension:
    """One dimension of a TensorShape; `value` is an int or None (unknown)."""

    __slots__ = ("value",)

    def __init__(self, value) -> None:
        if isinstance(value, Dimension):
            value = value.value
        if value is not None and not isinstance(value, Sym):
            try:
                ivalue = int(value)
            except (TypeError, ValueError):
                raise TypeError(f"Dimension value must be an integer or None, got {value!r}") \
                    from None
            if ivalue != value or isinstance(value, bool):
                raise TypeError(f"Dimension value must be an integer or None, got {value!r}") \
                    from None
            if ivalue < 0:
                raise ValueError(f"Dimension {ivalue} must be >= 0")
            value = ivalue
        self.value = value

    def __int__(self) -> int:
        if self.value is None:
            raise TypeError("Cannot convert an unknown Dimension to an int")
        return self.value

    __index__ = __int__

    def __repr__(self) -> str:
        return f"Dimension({self.value})"

    def __str__(self) -> str:
        return "?" if self.value is None else str(self.value)

    def __eq__(self, other):
        try:
            other = _dim_value(other)
        except (TypeError, ValueError):  # not a dimension (a Tensor, a string): as TF1
            return NotImplemented
        if self.value is None or other is None:
            return None
        return self.value == other

    def __ne__(self, other):
        eq = self.__eq__(other)
        return eq if eq is None or eq is NotImplemented else not eq

    def __hash__(self) -> int:
        return hash(self.value)

    def _cmp(self, other, op):
        other = _dim_value(other)
        if self.value is None or other is None:
            return None
        return op(self.value, other)

    def __lt__(self, other):
        return self._cmp(other, lambda a, b: a < b)

    def __le__(self, other):
        return self._cmp(other, lambda a, b: a <= b)

    def __gt__(self, other):
        return self._cmp(other, lambda a, b: a > b)

    def __ge__(self, other):
        return self._cmp(other, lambda a, b: a >= b)

    def _arith(self, other, op):
        other = _dim_value(other)
        if self.value is None or other is None:
            return Dimension(None)
        return Dimension(op(self.value, other))

    def __add__(self, other):
        return self._arith(other, lambda a, b: a + b)

    __radd__ = __add__

    def __sub__(self, other):
        return self._arith(other, lambda a, b: a - b)

    def __mul__(self, other):
        return self._arith(other, lambda a, b: a * b)

    __rmul__ = __mul__

    def __floordiv__(self, other):
        return self._arith(other, lambda a, b: a // b)

    def is_compatible_with(self, other) -> bool:
        other = _dim_value(other)
        return self.value is None or other is None or self.value == other

    def merge_with(self, other) -> "Dimension":
        other = _dim_value(other)
        if self.value is None:
            return Dimension(other)
        if other is not None and other != self.value:
            raise ValueError(f"Dimensions {self.value} and {other} are not compatible")
        return self


def _dim_value(d) -> Optional[int]:
    if isinstance(d, Dimension):
        return d.value
    if d is None or isinstance(d, Sym):
        return d
    return int(d)


class TensorShape:
    """A possibly-partial shape: `dims` is a tuple of ints/None, or None for unknown rank."""

    __slots__ = ("_dims",)

    def __init__(self, dims=None) -> None:
        if isinstance(dims, TensorShape):
            dims = dims._dims
        elif dims is not None:
            if isinstance(dims, (int, Dimension)) and not isinstance(dims, bool):
                dims = (dims,)
            try:
                dims = tuple(Dimension(d).value for d in dims)
            except TypeError as exc:
                raise TypeError(f"Invalid shape {dims!r}: {exc}") from None
        self._dims: Optional[tuple] = dims

    # --- TF1 accessors -------------------------------------------------------------------
    @property
    def dims(self):
        return None if self._dims is None else [Dimension(d) for d in self._dims]

    @property
    def ndims(self) -> Optional[int]:
        return None if self._dims is None else len(self._dims)

    rank = ndims

    def as_list(self) -> list:
        if self._dims is None:
            raise ValueError("as_list() is not defined on an unknown TensorShape.")
        return list(self._dims)

    def as_tuple(self) -> Optional[tuple]:
        """The dims as a tuple of int/None, or None for unknown rank (graphc extension)."""
        return self._dims

    @property
    def is_fully_defined_(self) -> bool:
        return self._dims is not None and None not in self._dims

    def is_fully_defined(self) -> bool:
        return self.is_fully_defined_

    def num_elements(self) -> Optional[int]:
        if not self.is_fully_defined_:
            return None
        n = 1
        for d in self._dims:
            n *= d
        return n

    def __len__(self) -> int:
        if self._dims is None:
            raise ValueError("Cannot take the length of a shape with unknown rank.")
        return len(self._dims)

    def __bool__(self) -> bool:
        return self._dims is not None

    def __iter__(self):
        if self._dims is None:
            raise ValueError("Cannot iterate over a shape with unknown rank.")
        return iter(Dimension(d) for d in self._dims)

    def __getitem__(self, key):
        if self._dims is None:
            if isinstance(key, slice):
                return TensorShape(None)
            return Dimension(None)
        if isinstance(key, slice):
            return TensorShape(self._dims[key])
        return Dimension(self._dims[key])

    def __eq__(self, other) -> bool:
        try:
            other = as_shape(other)
        except (TypeError, ValueError):
            return NotImplemented
        return self._dims == other._dims

    def __ne__(self, other) -> bool:
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    def __hash__(self) -> int:
        return hash(self._dims)

    def __repr__(self) -> str:
        if self._dims is None:
            return "TensorShape(None)"
        return f"TensorShape({[Dimension(d) for d in self._dims]})"

    def __str__(self) -> str:
        if self._dims is None:
            return "<unknown>"
        inner = ", ".join("?" if d is None else str(d) for d in self._dims)
        if len(self._dims) == 1:
            inner += ","
        return f"({inner})"

    def __add__(self, other) -> "TensorShape":
        return self.concatenate(other)

    def concatenate(self, other) -> "TensorShape":
        other = as_shape(other)
        if self._dims is None or other._dims is None:
            return TensorShape(None)
        return TensorShape(self._dims + other._dims)

    # --- compatibility -------------------------------------------------------------------
    def is_compatible_with(self, other) -> bool:
        other = as_shape(other)
        if self._dims is None or other._dims is None:
            return True
        if len(self._dims) != len(other._dims):
            return False
        return all(a is None or b is None or a == b for a, b in zip(self._dims, other._dims))

    def merge_with(self, other) -> "TensorShape":
        other = as_shape(other)
        if self._dims is None:
            return other
        if other._dims is None:
            return self
        if not self.is_compatible_with(other):
            raise ValueError(f"Shapes {self} and {other} are not compatible")
        return TensorShape(tuple(a if a is not None else b
                                 for a, b in zip(self._dims, other._dims)))

    def assert_is_compatible_with(self, other) -> None:
        if not self.is_compatible_with(other):
            raise ValueError(f"Shapes {self} and {as_shape(other)} are incompatible")

    def assert_has_rank(self, rank: int) -> None:
        if self._dims is not None and len(self._dims) != rank:
            raise ValueError(f"Shape {self} must have rank {rank}")

    def with_rank(self, rank: int) -> "TensorShape":
        if self._dims is None:
            return unknown_shape(rank)
        self.assert_has_rank(rank)
        return self

    def with_rank_at_least(self, rank: int) -> "TensorShape":
        if self._dims is not None and len(self._dims) < rank:
            raise ValueError(f"Shape {self} must have rank at least {rank}")
        return self

    def is_compatible_with_array_shape(self, shape: tuple) -> bool:
        return self.is_compatible_with(TensorShape(shape))


def as_shape(shape) -> TensorShape:
    if isinstance(shape, TensorShape):
        return shape
    return TensorShape(shape)


def unknown_shape(rank: Optional[int] = None) -> TensorShape:
    return TensorShape(None if rank is None else (None,) * rank)


def scalar() -> TensorShape:
    return TensorShape(())


def broadcast_shapes(a: TensorShape, b: TensorShape) -> Optional[TensorShape]:
    """TF1/numpy broadcasting of partial shapes; None if they can never broadcast.

    An unknown dim against 1 gives the unknown dim; unknown against n > 1 gives n
    (the only size that can broadcast); unknown against unknown stays unknown.
    """
    if a._dims is None or b._dims is None:
        return TensorShape(None)
    da, db = a._dims, b._dims
    n = max(len(da), len(db))
    da = (1,) * (n - len(da)) + da
    db = (1,) * (n - len(db)) + db
    out = []
    for x, y in zip(da, db):
        if isinstance(x, Sym) or isinstance(y, Sym):  # (decided for every size, see symbolic)
            if isinstance(x, Sym) and isinstance(y, Sym) and x.terms != y.terms:
                raise SymbolicDimError(f"broadcasting {x} against {y}",
                                       symbols=symbols_of(x, y))
            other = y if isinstance(x, Sym) else x
            if other is None:  # (unknown against a run-time size: unknown, as TF1's)
                out.append(None)
                continue
            if not isinstance(other, Sym) and other != 1:  # (n > 1: B is 1 or n, pinned)
                raise SymbolicDimError(f"broadcasting {x} against {y}",
                                       symbols=symbols_of(x, y))
            out.append(x if isinstance(x, Sym) else y)
            continue
        if x is None and y is None:
            out.append(None)
        elif x is None:
            out.append(None if y == 1 else y)
        elif y is None:
            out.append(None if x == 1 else x)
        elif x == y or y == 1:
            out.append(x)
        elif x == 1:
            out.append(y)
        else:
            return None
    return TensorShape(tuple(out))

