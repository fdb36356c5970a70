"""Contract samples for SerializeTensor/ParseTensor, SerializeSparse, SerializeManySparse,
DeserializeManySparse, DecodeCompressed, DecodeWav and EncodeWav
(ir/ops/serialization_ops.py); TensorFlow's bytes are checked in
tests/api/test_sparseio_tf.py."""
import gzip
import zlib

import numpy as np

from graphc.ir import media
from graphc.ir.ops import core_ops, serialization_ops as S
from graphc.ir.tensor_proto import encode

ph = core_ops.placeholder


class _Sparse:
    def __init__(self, indices, values, dense_shape):
        self.indices, self.values, self.dense_shape = indices, values, dense_shape


def _serialize():
    x = ph("float32", [2, None])
    return S.serialize_tensor(x), {x: np.float32([[1, -2, 3], [4, 5, 6.5]])}


def _serialize_strings():
    x = ph("string", [None])
    return S.serialize_tensor(x), {x: np.array([b"a", b"", b"xyz"], object)}


def _parse():
    s = ph("string", [])
    return S.parse_tensor(s, "int64"), {s: encode(np.int64([[7, -8]]), _dtype("int64"))}


def _parse_typed():
    s = ph("string", [])  # float_val 1.5 for a [3]: the value repeats
    return S.parse_tensor(s, "float32"), {s: b"\x08\x01\x12\x04\x12\x02\x08\x03*\x04\x00\x00\xc0?"}


def _dtype(name):
    from graphc.ir import dtypes
    return dtypes.as_dtype(name)


def _sparse_feeds():
    i, v, d = ph("int64", [None, 2]), ph("float32", [None]), ph("int64", [2])
    feed = {i: np.int64([[0, 1], [2, 0]]), v: np.float32([1.5, -2]), d: np.int64([3, 4])}
    return _Sparse(i, v, d), feed


def _serialize_sparse():
    sp, feed = _sparse_feeds()
    return S.serialize_sparse_op(sp, False), feed


def _serialize_many():
    sp, feed = _sparse_feeds()
    return S.serialize_sparse_op(sp, True), feed


def _deserialize_many():
    s = ph("string", [None, 3])
    rows = []
    for ind, val, shp in (([[1]], [2.5], [3]), ([], [], [2]), ([[0], [4]], [1, 2], [5])):
        rows.append([encode(np.int64(ind).reshape(-1, 1), _dtype("int64")),
                     encode(np.float32(val), _dtype("float32")),
                     encode(np.int64(shp), _dtype("int64"))])
    return list(S.deserialize_many_sparse_op(s, "float32", 2)), {s: np.array(rows, object)}


def _compressed():
    s = ph("string", [None])
    return S.decode_compressed(s, "ZLIB"), {s: np.array([zlib.compress(b"abc" * 9),
                                                         zlib.compress(b"")], object)}


def _compressed_gzip():
    s = ph("string", [1, 1])
    return S.decode_compressed(s, "GZIP"), {s: np.array([[gzip.compress(b"x", mtime=0)]],
                                                        object)}


def _encode_wav():
    a = ph("float32", [None, 2])
    return S.encode_wav(a, 22050), {a: np.float32([[0.5, -1.0], [0.25, 0.99], [2.0, 0.0]])}


def _decode_wav():
    c = ph("string", [])
    wav = b"RIFF$\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00\x80>\x00\x00\x00}" \
          b"\x00\x00\x02\x00\x10\x00data\x06\x00\x00\x00\x00@\x00\xc0\xff\x7f"
    return list(S.decode_wav(c, desired_channels=2, desired_samples=4)), {c: wav}


def _serialize_strings_sparse():
    i, v, d = ph("int64", [None, 1]), ph("string", [None]), ph("int64", [1])
    return S.serialize_sparse_op(_Sparse(i, v, d), False), {
        i: np.int64([[0], [3]]), v: np.array([b"ab", b""], object), d: np.int64([5])}


def _serialize_many_3d():
    i, v, d = ph("int64", [None, 3]), ph("int32", [None]), ph("int64", [3])
    return S.serialize_sparse_op(_Sparse(i, v, d), True), {
        i: np.int64([[1, 0, 2], [1, 1, 0], [3, 0, 0]]), v: np.int32([4, -5, 6]),
        d: np.int64([4, 2, 3])}


def _deserialize_strings():
    s = ph("string", [None, 3])
    rows = [[encode(np.int64([[0, 1]]), _dtype("int64")),
             encode(np.array([b"hi"], object), _dtype("string"), strings_as_content=True),
             encode(np.int64([1, 2]), _dtype("int64"))]]
    return list(S.deserialize_many_sparse_op(s, "string", None)), {s: np.array(rows, object)}


def _encode_wav_mono():
    a, rate = ph("float32", [4, 1]), ph("int32", [])
    return S.encode_wav(a, rate), {a: np.float32([[0.0], [-0.5], [1.0], [-1.0]]),
                                   rate: np.int32(8000)}


def _decode_wav_as_is():
    c = ph("string", [])
    wav = media.encode_wav(np.float32([[0.1, 0.2], [-0.3, 0.4], [0.5, -0.6]]), 44100)
    return list(S.decode_wav(c)), {c: wav}


SAMPLES = {
    "SerializeTensor": [_serialize, _serialize_strings],
    "ParseTensor": [_parse, _parse_typed],
    "SerializeSparse": [_serialize_sparse, _serialize_strings_sparse],
    "SerializeManySparse": [_serialize_many, _serialize_many_3d],
    "DeserializeManySparse": [_deserialize_many, _deserialize_strings],
    "DecodeCompressed": [_compressed, _compressed_gzip],
    "EncodeWav": [_encode_wav, _encode_wav_mono],
    "DecodeWav": [_decode_wav, _decode_wav_as_is],
}

