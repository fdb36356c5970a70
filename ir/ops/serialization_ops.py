"""Tensors to bytes and back, as TensorFlow writes them: SerializeTensor/ParseTensor
(one TensorProto, ir/tensor_proto.py), SerializeSparse/SerializeManySparse/
DeserializeManySparse (a SparseTensor as three TensorProtos), DecodeCompressed (ZLIB,
GZIP) and DecodeWav/EncodeWav (16-bit PCM WAV, ir/media.py).

SerializeTensor(tensor)                  string scalar, TF's bytes
ParseTensor(serialized) {out_type}       the tensor (its shape known only at run time)
SerializeSparse(indices, values, shape)  string [3]: the three parts' TensorProtos
SerializeManySparse(...)                 string [batch, 3]: row b is the SparseTensor of
                                         the entries with first index b (rank - 1)
DeserializeManySparse(serialized) {dtype}  [batch, 3] back to one SparseTensor whose first
                                         dimension is the row and whose shape is the
                                         largest of the rows'
DecodeCompressed(bytes) {compression_type}  each string inflated ('' leaves it as it is)
DecodeWav(contents) {desired_channels, desired_samples}  (float32 [samples, channels] in
                                         [-1, 1), int32 sample rate); fewer channels repeat
                                         the last, more are dropped; samples are cut or
                                         padded with zeros to desired_samples
EncodeWav(audio, sample_rate)            float32 [samples, channels] as a WAV file
All are non-differentiable numpy kernels (strings) on both backends.
"""
from __future__ import annotations

import collections

import gzip
import zlib
from typing import Optional

import numpy as np

from .. import dtypes as dt
from .. import media, tensor_proto
from ..errors import InvalidArgumentError
from ..shapes import TensorShape
from ._base import NON_DIFFERENTIABLE, apply, check_dtype, convert_to_tensor, defop

__all__ = ["serialize_tensor", "parse_tensor", "decode_compressed", "decode_wav",
           "encode_wav", "serialize_sparse_op", "serialize_many_sparse_op",
           "deserialize_many_sparse_op"]

_SERIALIZABLE = tuple(d for d in dt.ALL_DTYPES if d.name in tensor_proto.TF_TYPES)


def _strings(op, t, what, ndims=None):
    check_dtype(op, t, (dt.string,), what)
    if ndims is not None and t.shape.ndims not in (None, ndims):
        raise ValueError(f"{what} '{t.name}' must have rank {ndims}, got shape {t.shape}")


def _scalar_string(array) -> np.ndarray:
    return np.array(array, dtype=object)


def _bytes(item) -> bytes:
    return item if isinstance(item, bytes) else bytes(item)


def _parse_error(exc) -> InvalidArgumentError:
    return InvalidArgumentError(None, None, str(exc))


# ------------------------------------------------------------------ one tensor
def _serialize_infer(op):
    check_dtype(op, op.inputs[0], _SERIALIZABLE, "tensor")
    return [(dt.string, TensorShape([]))]


def _serialize_compute(tensor):
    value = np.asarray(tensor)
    kind = dt.string if value.dtype == object else dt.as_dtype(value.dtype)
    return _scalar_string(tensor_proto.encode(value, kind))


def _parse_infer(op):
    _strings(op, op.inputs[0], "serialized", 0)
    return [(op.attrs["out_type"], TensorShape(None))]


def _parse_compute(serialized, *, out_type):
    try:
        number, _, value = tensor_proto.decode(_bytes(serialized[()]))
    except tensor_proto.TensorProtoError as exc:
        raise _parse_error(exc) from None
    if number != tensor_proto.TF_TYPES[out_type.name]:
        raise InvalidArgumentError(None, None, f"Type mismatch between parsed tensor "
                                   f"({tensor_proto.DTYPE_OF_TF[number].name}) and dtype "
                                   f"({out_type.name})")
    return value


defop("SerializeTensor", _serialize_infer, _serialize_compute, NON_DIFFERENTIABLE,
      family="parsing")
defop("ParseTensor", _parse_infer, _parse_compute, NON_DIFFERENTIABLE, family="parsing")


def serialize_tensor(tensor, name: Optional[str] = None):
    """TF1 `tf.io.serialize_tensor`: the tensor as a serialized TensorProto (TF's bytes)."""
    return apply("SerializeTensor", (convert_to_tensor(tensor, name="tensor"),),
                 name=name or "SerializeTensor")


def parse_tensor(serialized, out_type, name: Optional[str] = None):
    """TF1 `tf.io.parse_tensor`: the tensor a serialized TensorProto holds; its dtype
    must be `out_type`."""
    return apply("ParseTensor", (convert_to_tensor(serialized, dtype=dt.string,
                                                   name="serialized"),),
                 {"out_type": dt.as_dtype(out_type)}, name=name or "ParseTensor")


# ------------------------------------------------------------------ SparseTensors
def _sparse_inputs(op):
    indices, values, shape = op.inputs
    check_dtype(op, indices, (dt.int64,), "sparse indices")
    check_dtype(op, values, _SERIALIZABLE, "sparse values")
    check_dtype(op, shape, (dt.int64,), "sparse dense_shape")
    return indices, values, shape


def _serialize_sparse_infer(op):
    _sparse_inputs(op)
    return [(dt.string, TensorShape([3]))]


def _serialize_many_infer(op):
    _, _, shape = _sparse_inputs(op)
    rank = shape.shape[0].value if shape.shape.ndims == 1 else None
    if rank is not None and rank < 2:
        raise ValueError(f"SparseTensor must have rank >= 2 to serialize by rows, got "
                         f"rank {rank} ('{shape.name}')")
    return [(dt.string, TensorShape([None, 3]))]


def _parts(indices, values, shape) -> list:
    kind = dt.string if values.dtype == object else dt.as_dtype(values.dtype)
    return [tensor_proto.encode(np.asarray(indices, np.int64), dt.int64),
            tensor_proto.encode(values, kind, strings_as_content=True),
            tensor_proto.encode(np.asarray(shape, np.int64), dt.int64)]


def _serialize_sparse_compute(indices, values, shape):
    out = np.empty(3, object)
    out[:] = _parts(indices, values, shape)
    return out


def _serialize_many_compute(indices, values, shape):
    if shape.size < 2:
        raise InvalidArgumentError(None, None, f"SparseTensor must have rank >= 2 to "
                                   f"serialize by rows, got shape {shape.tolist()}")
    rows = int(shape[0])
    out = np.empty((rows, 3), object)
    first = indices[:, 0] if indices.size else np.zeros(0, np.int64)
    if first.size and (first.min() < 0 or first.max() >= rows):
        raise InvalidArgumentError(None, None, f"a SparseTensor index's first entry is "
                                   f"outside [0, {rows})")
    for b in range(rows):
        take = first == b
        out[b] = _parts(indices[take, 1:].reshape(-1, shape.size - 1), values[take],
                        shape[1:])
    return out


def _deserialize_infer(op):
    _strings(op, op.inputs[0], "serialized_sparse", 2)
    s = op.inputs[0].shape
    if s.ndims == 2 and s[1].value not in (None, 3):
        raise ValueError(f"serialized_sparse must have 3 columns, got shape {s} "
                         f"('{op.inputs[0].name}')")
    rank = op.attrs["rank"]
    return [(dt.int64, TensorShape([None, rank])), (op.attrs["dtype"], TensorShape([None])),
            (dt.int64, TensorShape([rank]))]


def _decode_part(data, number: int, what: str, row: int) -> np.ndarray:
    try:
        found, _, value = tensor_proto.decode(_bytes(data))
    except tensor_proto.TensorProtoError as exc:
        raise InvalidArgumentError(None, None, f"Could not parse serialized_sparse[{row}, "
                                   f"{what}]: {exc}") from None
    if found != number:
        name = tensor_proto.DTYPE_OF_TF[found].name if found in tensor_proto.DTYPE_OF_TF \
            else str(found)
        raise InvalidArgumentError(None, None, f"Requested SparseTensor of type "
                                   f"{tensor_proto.DTYPE_OF_TF[number].name} but "
                                   f"serialized_sparse[{row}, {what}] has type {name}")
    return value


def _deserialize_compute(serialized, *, dtype, rank):
    if serialized.ndim != 2 or serialized.shape[1] != 3:
        raise InvalidArgumentError(None, None, f"Serialized sparse should be a matrix with "
                                   f"3 columns, got shape {list(serialized.shape)}")
    int64 = tensor_proto.TF_TYPES["int64"]
    rows = serialized.shape[0]
    parts, widest = [], None
    for b in range(rows):
        ind = _decode_part(serialized[b, 0], int64, 0, b)
        val = _decode_part(serialized[b, 1], tensor_proto.TF_TYPES[dtype.name], 1, b)
        shp = _decode_part(serialized[b, 2], int64, 2, b)
        if ind.ndim != 2 or val.ndim != 1 or shp.ndim != 1 or ind.shape[0] != val.shape[0] \
                or ind.shape[1] != shp.shape[0]:
            raise InvalidArgumentError(None, None, f"serialized_sparse[{b}] is not a "
                                       f"SparseTensor: indices {list(ind.shape)}, values "
                                       f"{list(val.shape)}, shape {list(shp.shape)}")
        if widest is not None and shp.shape != widest.shape:
            raise InvalidArgumentError(None, None, f"Inconsistent rank across SparseTensors: "
                                       f"rank prior to SparseTensor[{b}] was: "
                                       f"{widest.size} but rank of SparseTensor[{b}] is: "
                                       f"{shp.size}")
        widest = shp if widest is None else np.maximum(widest, shp)
        parts.append((np.concatenate([np.full((ind.shape[0], 1), b, np.int64), ind], 1), val))
    inner = widest if widest is not None else np.zeros(0, np.int64)
    if rank is not None and inner.size + 1 != rank:
        raise InvalidArgumentError(None, None, f"the serialized SparseTensors have rank "
                                   f"{inner.size + 1} with their row, expected rank {rank}")
    width = inner.size + 1
    indices = np.concatenate([p[0] for p in parts]) if parts else np.zeros((0, width), np.int64)
    values = np.concatenate([p[1] for p in parts]) if parts else \
        np.zeros(0, object if dtype.is_string else dtype.np)
    return indices, values, np.concatenate([[rows], inner]).astype(np.int64)


for _name, _infer, _compute in (("SerializeSparse", _serialize_sparse_infer,
                                 _serialize_sparse_compute),
                                ("SerializeManySparse", _serialize_many_infer,
                                 _serialize_many_compute),
                                ("DeserializeManySparse", _deserialize_infer,
                                 _deserialize_compute)):
    defop(_name, _infer, _compute, NON_DIFFERENTIABLE, family="parsing")


def _sparse_parts(sp) -> tuple:
    return (convert_to_tensor(sp.indices, dtype=dt.int64, name="indices"),
            convert_to_tensor(sp.values, name="values"),
            convert_to_tensor(sp.dense_shape, dtype=dt.int64, name="dense_shape"))


def serialize_sparse_op(sp, many: bool, name: Optional[str] = None):
    """SerializeSparse (or SerializeManySparse, `many`) of a SparseTensor's three parts."""
    kind = "SerializeManySparse" if many else "SerializeSparse"
    return apply(kind, _sparse_parts(sp), name=name or kind)


def deserialize_many_sparse_op(serialized, dtype, rank: Optional[int],
                               name: Optional[str] = None) -> tuple:
    """DeserializeManySparse: (indices, values, dense_shape) of the rows' SparseTensor."""
    return apply("DeserializeManySparse",
                 (convert_to_tensor(serialized, dtype=dt.string, name="serialized_sparse"),),
                 {"dtype": dt.as_dtype(dtype), "rank": None if rank is None else int(rank)},
                 name=name or "DeserializeManySparse")


# ------------------------------------------------------------------ compression
_INFLATE = {"ZLIB": lambda b: zlib.decompress(b), "GZIP": gzip.decompress}


def _compressed_infer(op):
    _strings(op, op.inputs[0], "bytes")
    return [(dt.string, op.inputs[0].shape)]


def _compressed_compute(data, *, compression_type):
    out = np.empty(data.shape, object)
    inflate = _INFLATE.get(compression_type)
    for i, item in np.ndenumerate(data):
        try:
            out[i] = _bytes(item) if inflate is None else inflate(_bytes(item))
        except (zlib.error, OSError, EOFError) as exc:
            raise InvalidArgumentError(None, None, f"DecodeCompressed ({compression_type}) "
                                       f"of element {list(i)}: {exc}") from None
    return out


defop("DecodeCompressed", _compressed_infer, _compressed_compute, NON_DIFFERENTIABLE,
      family="parsing")


def decode_compressed(bytes, compression_type: str = "", name: Optional[str] = None):  # noqa: A002
    """TF1 `tf.io.decode_compressed`: each string inflated, compression_type '' (as it
    is), 'ZLIB' or 'GZIP'."""
    if compression_type not in ("", "ZLIB", "GZIP"):
        raise ValueError(f"compression_type must be '', 'ZLIB' or 'GZIP', got "
                         f"{compression_type!r}")
    return apply("DecodeCompressed", (convert_to_tensor(bytes, dtype=dt.string,
                                                        name="bytes"),),
                 {"compression_type": compression_type}, name=name or "DecodeCompressed")


# ------------------------------------------------------------------ WAV
def _decode_wav_infer(op):
    _strings(op, op.inputs[0], "contents", 0)
    channels, samples = op.attrs["desired_channels"], op.attrs["desired_samples"]
    return [(dt.float32, TensorShape([samples if samples > 0 else None,
                                      channels if channels > 0 else None])),
            (dt.int32, TensorShape([]))]


def _decode_wav_compute(contents, *, desired_channels, desired_samples):
    try:
        audio, rate = media.decode_wav(_bytes(contents[()]))
    except (ValueError, IndexError) as exc:
        raise InvalidArgumentError(None, None, f"DecodeWav: {exc}") from None
    if desired_channels > 0 and audio.shape[1] != desired_channels:
        # TF: a missing channel repeats the file's last one; extra channels are dropped
        take = np.minimum(np.arange(desired_channels), audio.shape[1] - 1)
        audio = audio[:, take]
    if desired_samples > 0:
        padded = np.zeros((desired_samples, audio.shape[1]), np.float32)
        n = min(desired_samples, audio.shape[0])
        padded[:n] = audio[:n]
        audio = padded
    return np.ascontiguousarray(audio, np.float32), np.array(rate, np.int32)


def _encode_wav_infer(op):
    audio, rate = op.inputs
    check_dtype(op, audio, (dt.float32,), "audio")
    check_dtype(op, rate, (dt.int32,), "sample_rate")
    if audio.shape.ndims not in (None, 2):
        raise ValueError(f"audio '{audio.name}' must be 2-D [samples, channels], got "
                         f"shape {audio.shape}")
    if rate.shape.ndims not in (None, 0):
        raise ValueError(f"sample_rate '{rate.name}' must be a scalar, got {rate.shape}")
    return [(dt.string, TensorShape([]))]


def _encode_wav_compute(audio, sample_rate):
    if audio.ndim != 2:
        raise InvalidArgumentError(None, None, f"audio must be 2-dimensional, got shape "
                                   f"{list(audio.shape)}")
    return _scalar_string(media.encode_wav(audio, int(sample_rate)))


defop("DecodeWav", _decode_wav_infer, _decode_wav_compute, NON_DIFFERENTIABLE,
      family="parsing")
defop("EncodeWav", _encode_wav_infer, _encode_wav_compute, NON_DIFFERENTIABLE,
      family="parsing")


def decode_wav(contents, desired_channels: int = -1, desired_samples: int = -1,
               name: Optional[str] = None):
    """TF1 `tf.audio.decode_wav`: (audio float32 [samples, channels] in [-1, 1),
    sample_rate int32) of a 16-bit PCM WAV file's bytes, as TF's namedtuple
    DecodeWav(audio, sample_rate)."""
    audio, rate = apply("DecodeWav", (convert_to_tensor(contents, dtype=dt.string,
                                                        name="contents"),),
                        {"desired_channels": int(desired_channels),
                         "desired_samples": int(desired_samples)}, name=name or "DecodeWav")
    return DecodeWav(audio, rate)


DecodeWav = collections.namedtuple("DecodeWav", ["audio", "sample_rate"])


def encode_wav(audio, sample_rate, name: Optional[str] = None):
    """TF1 `tf.audio.encode_wav`: float32 [samples, channels] (clamped to [-1, 1)) as
    a 16-bit PCM WAV file's bytes."""
    return apply("EncodeWav", (convert_to_tensor(audio, dtype=dt.float32, name="audio"),
                               convert_to_tensor(sample_rate, dtype=dt.int32,
                                                 name="sample_rate")),
                 name=name or "EncodeWav")
