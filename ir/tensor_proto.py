"""TensorFlow's TensorProto on the wire (ir/proto.py), for the ops that read and write it:
tensor summaries, SerializeTensor/ParseTensor and the serialized SparseTensors.

encode(value, dtype)   TF's `Tensor::AsProtoTensorContent`: dtype, shape, then the values
                       as little-endian bytes in tensor_content (string_val for strings)
decode(data)           (DataType number, shape, array) from any TensorProto TensorFlow
                       writes: tensor_content, or the typed repeated fields (packed or not;
                       fewer values than the shape holds repeat the last, none are zeros,
                       as TF's `Tensor::FromProto`)
"""
from __future__ import annotations

import struct

import numpy as np

from . import dtypes as dt
from . import proto

# TensorFlow's DataType enum (types.proto), for TensorProtos and GraphDefs.
TF_TYPES = {"float32": 1, "float64": 2, "int32": 3, "uint8": 4, "int16": 5, "int8": 6,
            "string": 7, "complex64": 8, "int64": 9, "bool": 10, "uint16": 17,
            "complex128": 18, "float16": 19,
            "resource": 20, "uint32": 22, "uint64": 23}
# The numbers graphc has a dtype for (a TensorProto of another type cannot be parsed).
DTYPE_OF_TF = {n: dt.as_dtype(name) for name, n in TF_TYPES.items()
               if name in {d.name for d in dt.ALL_DTYPES}}
# The repeated field a dtype's values go to outside tensor_content, and how each is held.
_TYPED_FIELD = {"float32": 5, "float64": 6, "int32": 7, "int16": 7, "int8": 7,
                "uint8": 7, "string": 8, "complex64": 9, "int64": 10, "bool": 11,
                "complex128": 12, "float16": 13}


class TensorProtoError(ValueError):
    """A TensorProto that does not describe a tensor (the caller names the op)."""


def encode(value: np.ndarray, dtype: dt.DType, strings_as_content: bool = False) -> bytes:
    """A TensorProto: dtype, shape, and the values (string_val for strings, else the
    little-endian bytes in tensor_content), byte for byte as TensorFlow serializes (proto3:
    zeros and empty fields are left out). With `strings_as_content`, strings go to
    tensor_content as TF's AsProtoTensorContent puts them: every length as a varint, then
    the bytes."""
    value = np.asarray(value)
    shape = b"".join(proto.field(2, "bytes", proto.message((1, "varint", d or None)))
                     for d in value.shape)
    fields = [(1, "varint", TF_TYPES[dtype.name]), (2, "bytes", shape)]
    strings = [v if isinstance(v, bytes) else str(v).encode() for v in value.reshape(-1)] \
        if dtype.is_string else []
    if dtype.is_string and not strings_as_content:
        fields += [(8, "bytes", v) for v in strings]
    elif strings:
        fields.append((4, "bytes", b"".join(proto.varint(len(v)) for v in strings) +
                       b"".join(strings)))
    elif value.size:
        little = value.astype(np.dtype(dtype.np).newbyteorder("<"), copy=False)
        fields.append((4, "bytes", np.ascontiguousarray(little).tobytes()))
    return proto.message(*fields)


def _shape(data: bytes) -> tuple:
    fields = proto.decode(data)
    if fields.get(3, [0])[0]:
        raise TensorProtoError("the TensorProto's shape has unknown rank")
    dims = []
    for d in fields.get(2, []):
        size = proto.decode(d).get(1, [0])[0]
        size = size - (1 << 64) if size >= 1 << 63 else size
        if size < 0:
            raise TensorProtoError(f"the TensorProto's shape has an unknown dimension ({size})")
        dims.append(size)
    return tuple(dims)


def _varints(raw: list) -> list:
    out = []
    for item in raw:
        if isinstance(item, int):
            out.append(item)
            continue
        i = 0
        while i < len(item):
            v, i = proto.read_varint(item, i)
            out.append(v)
    return out


def _fixed(raw: list, code: str) -> list:
    out: list = []
    size = struct.calcsize(code)
    for item in raw:
        if isinstance(item, bytes):
            out.extend(struct.unpack(f"<{len(item) // size}{code}", item))
        else:
            out.append(item)
    return out


def _string_content(content: bytes, size: int) -> np.ndarray:
    """The strings of a string tensor's tensor_content: `size` varint lengths, then the
    bytes."""
    lengths, i = [], 0
    for _ in range(size):
        n, i = proto.read_varint(content, i)
        lengths.append(n)
    if i + sum(lengths) != len(content):
        raise TensorProtoError(f"a string tensor_content of {len(content)} bytes does not "
                               f"hold {size} strings")
    out = np.empty(size, object)
    for k, n in enumerate(lengths):
        out[k] = content[i:i + n]
        i += n
    return out


def _typed_values(fields: dict, dtype: dt.DType) -> np.ndarray:
    number = _TYPED_FIELD[dtype.name]
    raw = fields.get(number, [])
    if dtype.is_string:
        out = np.empty(len(raw), object)
        out[:] = list(raw)
        return out
    if dtype.name in ("float32", "complex64"):
        values = np.array(_fixed(raw, "f"), np.float32)
    elif dtype.name in ("float64", "complex128"):
        values = np.array(_fixed(raw, "d"), np.float64)
    else:
        ints = _varints(raw)
        if dtype.name == "float16":
            return np.array(ints, np.uint16).view(np.float16)
        if dtype.name == "bool":
            return np.array(ints, np.bool_)
        # varints of negative int32s are 64-bit two's complement: wrap into the dtype
        values = np.array([v - (1 << 64) if v >= 1 << 63 else v for v in ints], np.int64)
        return values.astype(dtype.np)
    if dtype.is_complex:
        return values[0::2] + 1j * values[1::2] if values.size else values.astype(dtype.np)
    return values


def decode(data: bytes) -> tuple:
    """(DataType number, shape, array) of a serialized TensorProto."""
    try:
        fields = proto.decode(data)
        number = fields.get(1, [0])[0]
        shape = _shape(fields[2][0]) if 2 in fields else ()
    except (ValueError, IndexError) as exc:
        raise TensorProtoError(f"Could not parse the input as a TensorProto ({exc})") from None
    dtype = DTYPE_OF_TF.get(number)
    if dtype is None:
        raise TensorProtoError(f"a TensorProto of DataType {number} has no graphc dtype")
    size = int(np.prod(shape, dtype=np.int64))
    content = fields.get(4, [b""])[-1]
    if content and dtype.is_string:
        try:
            return number, shape, _string_content(content, size).reshape(shape)
        except ValueError as exc:
            raise TensorProtoError(f"Could not parse the string tensor_content ({exc})") \
                from None
    if content:
        item = np.dtype(dtype.np).itemsize
        if len(content) != size * item:
            raise TensorProtoError(f"tensor_content holds {len(content)} bytes, the shape "
                                   f"{list(shape)} of {dtype.name} needs {size * item}")
        array = np.frombuffer(content, np.dtype(dtype.np).newbyteorder("<"))
        return number, shape, array.astype(dtype.np).reshape(shape)
    try:
        values = _typed_values(fields, dtype)
    except (ValueError, struct.error) as exc:
        raise TensorProtoError(f"Could not parse the TensorProto's values ({exc})") from None
    if values.size > size:
        raise TensorProtoError(f"the TensorProto holds {values.size} values for the shape "
                               f"{list(shape)}")
    out = np.empty(size, object) if dtype.is_string else np.zeros(size, dtype.np)
    if dtype.is_string:
        out[:] = b""
    if values.size:
        out[:values.size] = values
        out[values.size:] = values[-1]
    return number, shape, out.reshape(shape)
