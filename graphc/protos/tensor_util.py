"""`tf.make_tensor_proto` and `tf.make_ndarray` with TensorFlow's tensor_util semantics,
and the conversions between graphc's TensorShape and `TensorShapeProto`.

Encoding (as TensorFlow writes it, so the bytes match): a numeric array of more than one
element whose size equals the shape's goes to `tensor_content` (raw little-endian bytes);
bool and string tensors, scalars, and values smaller than the shape go to the typed
repeated field (`float_val`, `int_val`, `half_val` as float16 bit patterns, ...). Decoding
fills a shape from fewer values by repeating the last one (a single value broadcasts).
"""
from __future__ import annotations

import numpy as np

from ..ir import dtypes as dt
from ..ir.ops._base import np_value
from ..ir.shapes import TensorShape, as_shape
from .tensor import TensorProto, TensorShapeProto
from .types import as_datatype_enum, as_graphc_dtype

_CONTENT_TYPES = frozenset(("float16", "float32", "float64", "int8", "int16", "int32",
                            "int64", "uint8", "complex64", "complex128"))
# The repeated field each graphc dtype's values go to when not in tensor_content.
_VALUE_FIELD = {"float16": "half_val", "float32": "float_val", "float64": "double_val",
                "int8": "int_val", "int16": "int_val", "int32": "int_val", "uint8": "int_val",
                "int64": "int64_val", "bool": "bool_val", "string": "string_val",
                "complex64": "scomplex_val", "complex128": "dcomplex_val"}
_MAX_CONTENT = 1 << 31  # TensorFlow refuses a tensor_content of 2 GB or more


def shape_to_proto(shape) -> TensorShapeProto:
    """A TensorShape (or anything `tf.TensorShape` takes) as a TensorShapeProto; unknown
    dims are -1, an unknown rank sets `unknown_rank`."""
    dims = as_shape(shape).as_tuple()
    if dims is None:
        return TensorShapeProto(unknown_rank=True)
    return TensorShapeProto(dim=[TensorShapeProto.Dim(size=-1 if d is None else d)
                                 for d in dims])


def shape_from_proto(proto: TensorShapeProto) -> TensorShape:
    if proto.unknown_rank:
        return TensorShape(None)
    return TensorShape([None if d.size < 0 else d.size for d in proto.dim])


def make_tensor_proto(values, dtype=None, shape=None, verify_shape: bool = False,
                      allow_broadcast: bool = False) -> TensorProto:
    """TF1 `tf.make_tensor_proto`: a TensorProto holding `values` (a Python or numpy
    value). `shape` may have more elements than `values` (the reader repeats the last
    value); `verify_shape` demands the exact shape; `allow_broadcast` accepts only a
    single value for a larger shape."""
    if isinstance(values, TensorProto):
        return values
    if isinstance(values, (np.ndarray, np.generic)) and dtype is None:
        arr = np.asarray(values)
        gdtype = dt.from_numpy(arr)
        if gdtype is dt.string:
            arr = np_value(values, dt.string)
    else:
        arr = np_value(values, None if dtype is None else dt.as_dtype(dtype))
        gdtype = dt.from_numpy(arr) if arr.dtype != object else dt.string
    if shape is None:
        dims, same_size = list(arr.shape), True
    else:
        dims = [int(d) for d in as_shape(shape).as_list()]
        n = int(np.prod(dims, dtype=np.int64))
        same_size = n == arr.size
        if allow_broadcast:
            if arr.shape not in ((1,), ()) and arr.size != n:
                raise TypeError(f"Expected Tensor's shape: {tuple(dims)}, but got "
                                f"{arr.shape}.")
        else:
            if verify_shape and arr.shape != tuple(dims):
                raise TypeError(f"Expected Tensor's shape: {tuple(dims)}, but got "
                                f"{arr.shape}.")
            if arr.size > n:
                raise ValueError(f"Too many elements provided. Takes at most {n}, but got "
                                 f"{arr.size}.")
    proto = TensorProto(dtype=as_datatype_enum(gdtype), tensor_shape=shape_to_proto(dims))
    if same_size and gdtype.name in _CONTENT_TYPES and arr.size > 1:
        if arr.nbytes >= _MAX_CONTENT:
            raise ValueError("Cannot create a tensor proto whose content is larger than 2GB.")
        proto.tensor_content = np.ascontiguousarray(arr, dtype=arr.dtype.newbyteorder("<")
                                                    ).tobytes()
        return proto
    flat = arr.reshape(-1)
    values_field = getattr(proto, _VALUE_FIELD[gdtype.name])
    if gdtype is dt.float16:
        values_field.extend(int(v) for v in flat.view(np.uint16))
    elif gdtype is dt.string:
        values_field.extend(v if isinstance(v, bytes) else str(v).encode() for v in flat)
    elif gdtype.is_complex:  # (real, imaginary) pairs
        values_field.extend(flat.view(gdtype.real_dtype.np).tolist())
    else:
        values_field.extend(flat.tolist())
    return proto


def make_ndarray(tensor: TensorProto) -> np.ndarray:
    """TF1 `tf.make_ndarray`: the numpy array a TensorProto holds (a copy)."""
    gdtype = as_graphc_dtype(tensor.dtype, "TensorProto")
    dims = [d.size for d in tensor.tensor_shape.dim]
    if any(d < 0 for d in dims):
        raise ValueError(f"TensorProto has a shape with unknown dims {dims}")
    n = int(np.prod(dims, dtype=np.int64))
    if tensor.tensor_content:
        np_dtype = np.dtype(gdtype.np).newbyteorder("<")
        if len(tensor.tensor_content) != n * np_dtype.itemsize:
            raise ValueError(f"TensorProto of shape {dims} and type {gdtype.name} needs "
                             f"{n * np_dtype.itemsize} bytes of tensor_content, has "
                             f"{len(tensor.tensor_content)}")
        return np.frombuffer(tensor.tensor_content, np_dtype).astype(gdtype.np).reshape(dims)
    raw = getattr(tensor, _VALUE_FIELD[gdtype.name])
    if gdtype is dt.string:
        values = np.empty(len(raw), dtype=object)
        values[:] = list(raw)
    elif gdtype is dt.float16:
        values = np.array(list(raw), dtype=np.uint16).view(np.float16)
    elif gdtype.is_complex:  # (real, imaginary) pairs
        if len(raw) % 2:
            raise ValueError(f"TensorProto of type {gdtype.name} holds an odd number "
                             f"({len(raw)}) of real and imaginary parts")
        values = np.array(list(raw), dtype=gdtype.real_dtype.np).view(gdtype.np)
    else:
        values = np.array(list(raw), dtype=gdtype.np)
    if values.size > n:
        raise ValueError(f"TensorProto of shape {dims} holds {values.size} values")
    if values.size == 0:
        return (np.full(dims, b"", dtype=object) if gdtype is dt.string
                else np.zeros(dims, dtype=gdtype.np))
    if values.size < n:
        values = np.concatenate([values, np.repeat(values[-1:], n - values.size)])
    return values.reshape(dims)
