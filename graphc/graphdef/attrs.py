"""AttrValue <-> Python values, by kind, for the op tables of import and export.

A kind names how one attribute reads and writes: BOOL, INT, FLOAT, STR, DTYPE, SHAPE, INTS,
and for values TensorFlow passes as constant *inputs* that graphc keeps as attributes
(axes, permutations, paddings): AXIS (one int), AXES (int or list of ints), INT_LIST,
PAIRS (an [n, 2] int array), SCALAR (a number).
"""
from __future__ import annotations

import numpy as np

from .. import protos
from ..ir import dtypes as dt


BOOL, INT, FLOAT, STR, DTYPE, SHAPE, INTS = "bool", "int", "float", "str", "dtype", "shape", \
    "ints"
AXIS, AXES, INT_LIST, PAIRS, SCALAR = "axis", "axes", "int_list", "pairs", "scalar"


def decode(value: protos.AttrValue, kind: str, where: str):
    """The Python value of an AttrValue read as `kind`."""
    which = value.WhichOneof("value")
    if kind == BOOL and which in ("b", None):
        return bool(value.b)
    if kind == INT and which in ("i", None):
        return int(value.i)
    if kind == FLOAT and which in ("f", None):
        return float(value.f)
    if kind == STR and which in ("s", None):
        return value.s.decode()
    if kind == DTYPE and which == "type":
        return protos.as_graphc_dtype(value.type, where)
    if kind == SHAPE and which == "shape":
        return protos.shape_from_proto(value.shape)
    if kind == INTS and which in ("list", None):
        return [int(i) for i in value.list.i]
    raise ValueError(f"{where}: attribute holds {which or 'nothing'}, expected {kind}")


def encode(value, kind: str) -> protos.AttrValue:
    """An AttrValue holding `value` as `kind`."""
    out = protos.AttrValue()
    if kind == BOOL:
        out.b = bool(value)
    elif kind == INT:
        out.i = int(value)
    elif kind == FLOAT:
        out.f = float(value)
    elif kind == STR:
        out.s = value.encode() if isinstance(value, str) else bytes(value)
    elif kind == DTYPE:
        out.type = protos.as_datatype_enum(value)
    elif kind == SHAPE:
        out.shape.CopyFrom(protos.shape_to_proto(value))
    elif kind == INTS:
        out.list.i.extend(int(i) for i in value)
    else:
        raise ValueError(f"no AttrValue encoding for kind {kind!r}")
    return out


def from_constant(array: np.ndarray, kind: str, where: str):
    """The graphc attribute value of a constant input read as `kind`."""
    a = np.asarray(array)
    if kind == AXIS:
        if a.size != 1:
            raise ValueError(f"{where}: expected a single axis, got {a.tolist()}")
        return int(a.reshape(()))
    if kind == AXES:
        return tuple(int(i) for i in a.reshape(-1))
    if kind == INT_LIST:
        return tuple(int(i) for i in a.reshape(-1))
    if kind == PAIRS:
        if a.ndim != 2 or a.shape[1] != 2:
            raise ValueError(f"{where}: paddings must be an [n, 2] array, got shape {a.shape}")
        return tuple((int(p), int(q)) for p, q in a)
    if kind == SCALAR:
        if a.size != 1:
            raise ValueError(f"{where}: expected a scalar, got shape {a.shape}")
        v = a.reshape(()).item()
        return v.decode() if isinstance(v, bytes) else v
    raise ValueError(f"no constant-input reading for kind {kind!r}")


def to_constant(value, kind: str, dtype: dt.DType = dt.int32) -> np.ndarray:
    """The constant input TensorFlow expects for a graphc attribute read as `kind`."""
    if kind in (AXIS, SCALAR):
        return np.asarray(value, dtype=dtype.np)
    if kind in (AXES, INT_LIST):
        return np.asarray(list(value), dtype=dtype.np).reshape(-1)
    if kind == PAIRS:
        return np.asarray([list(p) for p in value], dtype=dtype.np).reshape(-1, 2)
    raise ValueError(f"no constant-input writing for kind {kind!r}")
