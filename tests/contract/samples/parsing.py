"""Contract samples for the parsing ops (ParseExample, DecodeRaw)."""
import struct

import numpy as np

import graphc as tf
from graphc.ir import proto
from graphc.ir.ops import core_ops

ph = core_ops.placeholder


def _example(floats, ints, strings) -> bytes:
    def entry(key, kind, inner):
        return proto.field(1, "bytes", proto.message(
            (1, "bytes", key), (2, "bytes", proto.message((kind, "bytes", inner)))))
    f = proto.field(1, "bytes", struct.pack(f"<{len(floats)}f", *floats))
    i = proto.field(1, "bytes", b"".join(proto.varint(v) for v in ints))
    s = b"".join(proto.field(1, "bytes", v) for v in strings)
    return proto.message((1, "bytes", entry("f", 2, f) + entry("i", 3, i) + entry("s", 1, s)))


def _parse_batch():
    s = ph("string", [None])
    out = tf.parse_example(s, {"f": tf.FixedLenFeature([2], tf.float32),
                               "i": tf.VarLenFeature(tf.int64),
                               "s": tf.FixedLenSequenceFeature([], tf.string,
                                                               allow_missing=True)})
    return [out["f"], out["i"].indices, out["i"].values, out["i"].dense_shape, out["s"]], {
        s: [_example([1, 2], [3], [b"a"]), _example([4, 5], [6, -7], [b"b", b"c"])]}


def _parse_single():
    s = ph("string", [])
    out = tf.parse_single_example(s, {"f": tf.FixedLenFeature([1, 2], tf.float32),
                                      "i": tf.FixedLenFeature([1], tf.int64),
                                      "missing": tf.FixedLenFeature([], tf.int64,
                                                                    default_value=9)})
    return [out["f"] * 2.0, out["i"], out["missing"]], {s: _example([1, 2], [3], [])}


def _sequence_example(steps) -> bytes:
    def feature_list(key, values):
        feats = b"".join(proto.field(1, "bytes", proto.message((2, "bytes", proto.field(
            1, "bytes", struct.pack(f"<{len(v)}f", *v))))) for v in values)
        return proto.field(1, "bytes", proto.message((1, "bytes", key), (2, "bytes", feats)))
    context = proto.decode(_example([0.5, 1.5], [7], [b"c"]))[1][0]  # its Features
    return proto.message((1, "bytes", context), (2, "bytes", feature_list("seq", steps)))


def _parse_sequence_dense():
    s = ph("string", [])
    context, seq = tf.parse_single_sequence_example(
        s, context_features={"f": tf.FixedLenFeature([2], tf.float32)},
        sequence_features={"seq": tf.FixedLenSequenceFeature([2], tf.float32)})
    return [context["f"], seq["seq"] * 1.0], {s: _sequence_example([[1, 2], [3, 4], [5, 6]])}


def _parse_sequence_sparse():
    s = ph("string", [])
    context, seq = tf.parse_single_sequence_example(
        s, context_features={"i": tf.VarLenFeature(tf.int64)},
        sequence_features={"seq": tf.VarLenFeature(tf.float32)})
    return [context["i"].values, seq["seq"].indices, seq["seq"].values,
            seq["seq"].dense_shape], {s: _sequence_example([[1], [2, 3]])}


def _parse_sequence_batch():
    s = ph("string", [None])
    context, seq, lengths = tf.io.parse_sequence_example(
        s, context_features={"f": tf.FixedLenFeature([2], tf.float32)},
        sequence_features={"seq": tf.FixedLenSequenceFeature([2], tf.float32)})
    return [context["f"], seq["seq"], lengths["seq"]], {
        s: [_sequence_example([[1, 2], [3, 4]]), _sequence_example([[5, 6]])]}


def _parse_sequence_batch_sparse():
    s = ph("string", [2])
    context, seq, _ = tf.io.parse_sequence_example(
        s, context_features={"i": tf.VarLenFeature(tf.int64)},
        sequence_features={"seq": tf.VarLenFeature(tf.float32)})
    return [context["i"].indices, context["i"].dense_shape, seq["seq"].indices,
            seq["seq"].values, seq["seq"].dense_shape], {
        s: [_sequence_example([[1], [2, 3]]), _sequence_example([[4, 5, 6]])]}


def _json_examples():
    j = ph("string", [None])
    return tf.io.decode_json_example(j), {j: [
        b'{"features": {"feature": {"a": {"floatList": {"value": [0.5]}},'
        b' "b": {"bytes_list": {"value": ["eA=="]}}}}}', b'{}']}


def _json_example_scalar():
    j = ph("string", [])
    return tf.io.decode_json_example(j), {
        j: b'{"features": {"feature": {"n": {"int64List": {"value": ["12", -1]}}}}}'}


def _decode_uint8():
    b = ph("string", [None])
    return tf.decode_raw(b, tf.uint8), {b: [b"\x00\xff\x07", b"abc"]}


def _decode_float64_big_endian():
    b = ph("string", [])
    return tf.decode_raw(b, tf.float64, little_endian=False) * 1.0, {
        b: np.array([1.5, -3.25], ">f8").tobytes()}


SAMPLES = {
    "ParseExample": [_parse_batch, _parse_single],
    "DecodeRaw": [_decode_uint8, _decode_float64_big_endian],
    "ParseSequenceExample": [_parse_sequence_dense, _parse_sequence_sparse],
    "ParseSequenceExampleV2": [_parse_sequence_batch, _parse_sequence_batch_sparse],
    "DecodeJSONExample": [_json_examples, _json_example_scalar],
}
