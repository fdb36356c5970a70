"""Data types with TF1 names and semantics.

A `DType` is a small immutable value wrapping a numpy dtype. TF1 code refers to
dtypes as `tf.float32`, `"float"`, `np.float32` or `tf.as_dtype(...)`; all of these
resolve to the same `DType` instance, so dtypes compare with `is` and `==`.
"""
from __future__ import annotations

import numpy as np


class DType:
    """A tensor element type (TF1 `tf.DType`)."""

    __slots__ = ("name", "np", "kind", "size")

    def __init__(self, name: str, np_dtype: np.dtype | type, kind: str) -> None:
        self.name = name
        self.np = np.dtype(np_dtype)
        self.kind = kind  # "float", "complex", "int", "uint", "bool", "string", "resource"
        self.size = self.np.itemsize if kind not in ("string", "resource") else 0

    @property
    def as_numpy_dtype(self) -> type:
        return self.np.type

    @property
    def base_dtype(self) -> "DType":
        return self

    @property
    def is_floating(self) -> bool:
        return self.kind == "float"

    @property
    def is_complex(self) -> bool:
        return self.kind == "complex"

    @property
    def real_dtype(self) -> "DType":
        """TF1 `DType.real_dtype`: float32 for complex64, float64 for complex128, else
        the dtype itself."""
        return _REAL_OF.get(self.name, self)

    @property
    def is_integer(self) -> bool:
        return self.kind in ("int", "uint")

    @property
    def is_unsigned(self) -> bool:
        return self.kind in ("uint", "bool")

    @property
    def is_bool(self) -> bool:
        return self.kind == "bool"

    @property
    def is_numeric(self) -> bool:
        return self.kind in ("float", "int", "uint")

    @property
    def is_string(self) -> bool:
        return self.kind == "string"

    @property
    def min(self):
        if self.is_floating:
            return float(np.finfo(self.np).min)
        if self.is_integer:
            return int(np.iinfo(self.np).min)
        raise TypeError(f"Cannot find minimum value of {self.name}.")

    @property
    def max(self):
        if self.is_floating:
            return float(np.finfo(self.np).max)
        if self.is_integer:
            return int(np.iinfo(self.np).max)
        raise TypeError(f"Cannot find maximum value of {self.name}.")

    def is_compatible_with(self, other) -> bool:
        return as_dtype(other) is self

    def __repr__(self) -> str:
        return f"tf.{self.name}"

    def __str__(self) -> str:
        return f"<dtype: '{self.name}'>"

    def __eq__(self, other) -> bool:
        if other is None:
            return False
        try:
            return as_dtype(other) is self
        except (TypeError, ValueError):  # not a dtype (a Tensor, an arbitrary object)
            return False

    def __hash__(self) -> int:
        return hash(self.name)

    def __reduce__(self):
        return (as_dtype, (self.name,))


float16 = DType("float16", np.float16, "float")
float32 = DType("float32", np.float32, "float")
float64 = DType("float64", np.float64, "float")
int8 = DType("int8", np.int8, "int")
int16 = DType("int16", np.int16, "int")
int32 = DType("int32", np.int32, "int")
int64 = DType("int64", np.int64, "int")
uint8 = DType("uint8", np.uint8, "uint")
bool_ = DType("bool", np.bool_, "bool")
string = DType("string", np.object_, "string")
# A handle to run-time state (a TensorArray's storage); held in object arrays, never
# converted, lowered or differentiated.
resource = DType("resource", np.object_, "resource")

complex64 = DType("complex64", np.complex64, "complex")
complex128 = DType("complex128", np.complex128, "complex")

ALL_DTYPES: tuple[DType, ...] = (float16, float32, float64, int8, int16, int32, int64, uint8,
                                 bool_, string, complex64, complex128)
FLOATS = (float16, float32, float64)
COMPLEX = (complex64, complex128)
# The real dtype of each complex one's parts, and the reverse (tf.complex's output).
_REAL_OF = {"complex64": float32, "complex128": float64}
COMPLEX_OF = {float32: complex64, float64: complex128}
INTS = (int8, int16, int32, int64, uint8)
NUMERIC = FLOATS + INTS

_BY_NAME: dict[str, DType] = {d.name: d for d in ALL_DTYPES}
_BY_NAME.update({"float": float32, "double": float64, "half": float16, "int": int32,
                 "long": int64, "bool_": bool_, "str": string, "bytes": string})
_BY_NAME["resource"] = resource
_BY_NP: dict[np.dtype, DType] = {d.np: d for d in ALL_DTYPES if d is not string}


def as_dtype(type_value) -> DType:
    """Resolve a dtype given as DType, TF1 name ("float32", "float"), numpy or Python type."""
    value = type_value
    if isinstance(value, DType):
        return value
    if isinstance(value, str):
        found = _BY_NAME.get(value)
        if found is not None:
            return found
    elif value is float:
        return float32
    elif value is int:
        return int32
    elif value is bool:
        return bool_
    elif value is complex:
        return complex128
    elif value in (str, bytes):
        return string
    else:
        try:
            npd = np.dtype(value)
        except TypeError:
            npd = None
        if npd is not None:
            if npd.kind in "SUO":
                return string
            found = _BY_NP.get(npd)
            if found is not None:
                return found
    raise TypeError(f"Cannot convert {value!r} to a graphc dtype. Known dtypes: "
                    + ", ".join(d.name for d in ALL_DTYPES))


def from_numpy(array: np.ndarray) -> DType:
    """The DType of a numpy array; strings and bytes become `string`."""
    return as_dtype(array.dtype)
