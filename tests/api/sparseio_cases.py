"""Cases compared with TensorFlow for issue 20's serialization, compression, audio and
sparse leftovers (tf.serialize_tensor/parse_tensor, serialize_sparse & co.,
decode_compressed, tf.audio, tf.sparse.mask): each builds its outputs from `tf` (graphc,
or TensorFlow's compat.v1: the same code for both) and placeholders fed INPUTS.

tests/fixtures/tf/make_sparseio_fixtures.py runs them in TensorFlow and stores the
outputs (tests/fixtures/tf/sparseio.npz); tests/api/test_sparseio_tf.py runs them in
graphc on both backends. Serialized bytes are compared through base64 (a fixture's
bytes arrays would drop trailing NULs).
"""
from __future__ import annotations

import gzip
import math
import zlib

import numpy as np

_TEXT = b"graphc " * 40 + b"\x00\x01\xff"
_R = np.random.RandomState(20)
# TensorProtos as tensor_util.make_tensor_proto writes them (typed fields, packed or not,
# fewer values than the shape: the last repeats) and by hand.
_PROTOS = [
    b"\x08\x01\x12\x04\x12\x02\x08\x03*\x04\x00\x00\xc0?",                   # float [3] 1.5
    b"\x08\x02\x12\x002\x08\x00\x00\x00\x00\x00\x00\x04@",                  # float64 2.5
    b"\x08\n\x12\x04\x12\x02\x08\x03Z\x01\x01",                             # bool [3]
    b"\x08\x03\x12\x04\x12\x02\x08\x03:\x0b\xfd\xff\xff\xff\xff\xff\xff\xff\xff\x01\x07",
    b"\x08\t\x12\x04\x12\x02\x08\x02P\x05P\x06",                            # int64 unpacked
    b"\x08\x13\x12\x04\x12\x02\x08\x02h\x80x",                              # float16 [2]
    b"\x08\x07\x12\x04\x12\x02\x08\x03B\x01xB\x02yz",                       # string [3]
    b"\x08\x03\x12\x04\x12\x02\x08\x02",                                    # int32 zeros
]
_PROTO_TYPES = ["float32", "float64", "bool", "int32", "int64", "float16", "string", "int32"]
_T = np.arange(6000, dtype=np.float32)


def _examples() -> list:
    from graphc.protos import Example
    out = []
    for ix, iy, val in (([3, 1], [4, 0], [0.5, 2.0]), ([0], [2], [7.0]), ([], [], [])):
        ex = Example()
        ex.features.feature["ix"].int64_list.value.extend(ix)
        ex.features.feature["iy"].int64_list.value.extend(iy)
        ex.features.feature["val"].float_list.value.extend(val)
        out.append(ex.SerializeToString())
    return out


def _sequence_examples() -> list:
    from graphc.protos import SequenceExample
    out = []
    for n, (label, tags, frames, words) in enumerate([
            (3, [b"x", b"y"], [[1, 2], [3, 4], [5, 6]], [[1], [2, 3], []]),
            (7, [], [[0.5, -1]], [[4, 5, 6]]),
            (1, [b"z"], [], [])]):
        ex = SequenceExample()
        ex.context.feature["label"].int64_list.value.append(label)
        ex.context.feature["tags"].bytes_list.value.extend(tags)
        for f in frames:
            ex.feature_lists.feature_list["frames"].feature.add().float_list.value.extend(f)
        for w in words:
            ex.feature_lists.feature_list["words"].feature.add().int64_list.value.extend(w)
        if n == 2:
            ex.feature_lists.feature_list["words"].feature.add()
        out.append(ex.SerializeToString())
    return out
INPUTS = {
    "mat": _R.randn(3, 4).astype(np.float32),
    "ints": np.int32([[-3, 0, 7]]),
    "words": np.array([b"ab", b"", b"\x00z"], dtype=object),
    "flags": np.array([True, False, True]),
    "c64": np.complex64([1 + 2j, -0.5j]),
    "half": np.float16([1.5, -2.0, 65504.0]),
    "empty": np.zeros((0, 3), np.int64),
    "protos": np.array(_PROTOS, dtype=object),
    "zlib": np.array([zlib.compress(_TEXT), zlib.compress(b"")], dtype=object),
    "gzip": np.array([[gzip.compress(_TEXT, mtime=0)]], dtype=object),
    "plain": np.array([b"as it is"], dtype=object),
    "wave": np.stack([0.9 * np.sin(_T / 7.0), np.linspace(-1.2, 1.2, 6000)],
                     1).astype(np.float32)[:300],
    "mono": (np.cos(_T[:200] / 3.0) * 0.5).astype(np.float32)[:, None],
    "sp_indices": np.int64([[0, 0, 1], [0, 2, 0], [2, 1, 3], [2, 1, 4], [3, 0, 0]]),
    "sp_values": np.float32([1.0, -2.0, 3.5, 4.0, 5.0]),
    "sp_shape": np.int64([4, 3, 5]),
    "sl_values": _R.randn(5, 2).astype(np.float32),
    "sl_indices": np.int32([4, 1, 7, 1, 9]),
    "mask": np.int32([1, 9, 3]),
    "sequences": np.array(_sequence_examples(), dtype=object),
    "examples": np.array(_examples(), dtype=object),
    "counts": np.int32([[1, 2, 2, 0], [3, 0, 3, 6]]),
    "count_weights": np.float32([[0.5, 1, 2, 4], [1, 1, 3, 0.25]]),
    "cross_dense": np.array([[b"x", b"y"], [b"z", b"w"]], dtype=object),
    "json": np.array([b'{"features": {"feature": {"f": {"floatList": {"value": [1.5, "NaN"]}},'
                      b' "i": {"int64_list": {"value": ["-3", 4]}},'
                      b' "s": {"bytesList": {"value": ["aGk=", ""]}}}}}',
                      b'{"features": {"feature": {"i": {"int64List": {"value": [7]}}}}}',
                      b'{}'], dtype=object),
}
_DTYPES = {"mat": "float32", "ints": "int32", "words": "string", "flags": "bool",
           "c64": "complex64", "half": "float16", "empty": "int64", "protos": "string",
           "zlib": "string", "gzip": "string", "plain": "string", "wave": "float32",
           "mono": "float32", "sp_indices": "int64", "sp_values": "float32",
           "sp_shape": "int64", "sl_values": "float32", "sl_indices": "int32",
           "mask": "int32", "sequences": "string",
           "examples": "string",
           "counts": "int32", "count_weights": "float32", "cross_dense": "string",
           "json": "string"}
assert math.isfinite(float(INPUTS["wave"].sum()))


def placeholders(tf) -> dict:
    return {k: tf.placeholder(getattr(tf, _DTYPES[k]), v.shape, name=k)
            for k, v in INPUTS.items()}


def _b64(tf, t):
    return tf.io.encode_base64(t)


def _tensors(tf, p: dict, out: dict) -> None:
    for k in ("mat", "ints", "words", "flags", "c64", "half", "empty"):
        s = tf.io.serialize_tensor(p[k])
        out[f"serialize_{k}"] = _b64(tf, s)
        back = tf.io.parse_tensor(s, getattr(tf, _DTYPES[k]))
        out[f"parse_{k}"] = tf.reshape(back, INPUTS[k].shape)
    out["serialize_const"] = _b64(tf, tf.serialize_tensor(tf.constant([[1, 2]], tf.int64)))
    for i, kind in enumerate(_PROTO_TYPES):
        out[f"parse_proto_{i}"] = tf.parse_tensor(p["protos"][i], getattr(tf, kind))


def _compressed(tf, p: dict, out: dict) -> None:
    out["zlib"] = _b64(tf, tf.io.decode_compressed(p["zlib"], "ZLIB"))
    out["gzip"] = _b64(tf, tf.decode_compressed(p["gzip"], compression_type="GZIP"))
    out["uncompressed"] = tf.io.decode_compressed(p["plain"])


def _audio(tf, p: dict, out: dict) -> None:
    wav = tf.audio.encode_wav(p["wave"], 16000)
    out["wav_bytes"] = _b64(tf, wav)
    out["wav_mono_bytes"] = _b64(tf, tf.audio.encode_wav(p["mono"], tf.constant(8000)))
    for channels, samples in ((-1, -1), (1, -1), (3, 100), (-1, 350), (2, 7)):
        audio, rate = tf.audio.decode_wav(wav, desired_channels=channels,
                                          desired_samples=samples)
        out[f"wav_{channels}_{samples}"] = audio
        out[f"wav_{channels}_{samples}_rate"] = rate
    audio, _ = tf.audio.decode_wav(tf.audio.encode_wav(p["mono"], 8000), 2)
    out["wav_mono_as_stereo"] = audio


def _sparse(tf, p: dict, out: dict) -> None:
    sp = tf.SparseTensor(p["sp_indices"], p["sp_values"], p["sp_shape"])
    out["serialize_sparse"] = _b64(tf, tf.serialize_sparse(sp))
    many = tf.io.serialize_many_sparse(sp)
    out["serialize_many_sparse"] = _b64(tf, many)
    back = tf.io.deserialize_many_sparse(many, tf.float32, rank=3)
    out["deserialized_indices"], out["deserialized_values"], out["deserialized_shape"] = \
        back.indices, back.values, back.dense_shape
    part = tf.deserialize_many_sparse(tf.gather(many, [2, 0]), tf.float32)
    out["deserialized_part_indices"], out["deserialized_part_shape"] = \
        part.indices, part.dense_shape
    words = tf.SparseTensor(tf.constant([[0, 1], [1, 0]], tf.int64), tf.constant(["a", "bc"]),
                            tf.constant([2, 2], tf.int64))
    out["serialize_sparse_strings"] = _b64(tf, tf.io.serialize_many_sparse(words))
    slices = tf.IndexedSlices(p["sl_values"], p["sl_indices"], tf.constant([10, 2]))
    masked = tf.sparse.mask(slices, p["mask"])
    out["mask_values"], out["mask_indices"] = masked.values, masked.indices
    out["mask_top_level"] = tf.sparse_mask(slices, tf.constant([4, 7])).indices


def _sequences(tf, p: dict, out: dict) -> None:
    context, lists, lengths = tf.io.parse_sequence_example(
        p["sequences"],
        context_features={"label": tf.io.FixedLenFeature([], tf.int64),
                          "tags": tf.io.VarLenFeature(tf.string)},
        sequence_features={"frames": tf.io.FixedLenSequenceFeature([2], tf.float32,
                                                                   allow_missing=True),
                           "words": tf.io.VarLenFeature(tf.int64)})
    out["seq_label"], out["seq_frames"] = context["label"], lists["frames"]
    out["seq_frames_length"] = lengths["frames"]
    for key, sp in (("tags", context["tags"]), ("words", lists["words"])):
        out[f"seq_{key}_indices"], out[f"seq_{key}_shape"] = sp.indices, sp.dense_shape
        out[f"seq_{key}_values"] = sp.values


def _sparse_features(tf, p: dict, out: dict) -> None:
    parsed = tf.io.parse_example(p["examples"], {
        "one": tf.io.SparseFeature("ix", "val", tf.float32, 6),
        "two": tf.SparseFeature(["ix", "iy"], "val", tf.float32, [5, 6]),
        "ix": tf.io.VarLenFeature(tf.int64)})
    single = tf.parse_single_example(p["examples"][0], {
        "one": tf.io.SparseFeature("ix", "val", tf.float32, 6, already_sorted=False)})
    for key, sp in (("one", parsed["one"]), ("two", parsed["two"]), ("single", single["one"]),
                    ("ix", parsed["ix"])):
        out[f"sparse_feature_{key}_indices"] = sp.indices
        out[f"sparse_feature_{key}_values"] = sp.values
        out[f"sparse_feature_{key}_shape"] = sp.dense_shape
    ragged = tf.io.parse_example(p["examples"], {
        "r": tf.io.RaggedFeature(tf.float32, value_key="val", row_splits_dtype=tf.int64),
        "ix": tf.io.RaggedFeature(tf.int64, row_splits_dtype=tf.int64)})
    out["ragged_feature_values"] = ragged["r"].values
    out["ragged_feature_splits"] = ragged["r"].row_splits
    out["ragged_feature_ix_splits"] = ragged["ix"].row_splits
    out["ragged_feature_single"] = tf.io.parse_single_example(p["examples"][0], {
        "r": tf.io.RaggedFeature(tf.float32, value_key="val")})["r"]


def _columns(tf, p: dict, out: dict) -> None:
    def put(key, sp):
        out[f"{key}_indices"], out[f"{key}_values"] = sp.indices, sp.values
        out[f"{key}_shape"] = sp.dense_shape
    b = tf.sparse.bincount
    put("bincount_all", b(p["counts"]))
    put("bincount_rows", b(p["counts"], axis=-1))
    put("bincount_weighted", b(p["counts"], weights=p["count_weights"], axis=-1))
    put("bincount_binary", b(p["counts"], axis=-1, binary_output=True, maxlength=3))
    put("bincount_min", b(tf.reshape(p["counts"], [-1]), minlength=9))
    put("bincount_vector_rows", b(p["counts"][0], axis=-1))
    sp = tf.SparseTensor(tf.constant([[0, 0], [1, 0], [1, 1]], tf.int64),
                         tf.constant([1, 2, 2], tf.int64), tf.constant([2, 3], tf.int64))
    put("bincount_sparse", b(sp, axis=-1))
    put("bincount_sparse_weighted", b(sp, weights=tf.SparseTensor(
        sp.indices, tf.constant([0.5, 1.0, 2.0]), sp.dense_shape)))
    words = tf.SparseTensor(tf.constant([[0, 0], [0, 1], [1, 0]], tf.int64),
                            tf.constant(["a", "b", "c"]), tf.constant([2, 2], tf.int64))
    put("cross", tf.sparse.cross([words, p["cross_dense"], sp]))
    put("cross_separator", tf.sparse.cross([sp, words], separator="|"))
    put("cross_hashed", tf.sparse.cross_hashed([words, p["cross_dense"], sp]))
    put("cross_hashed_buckets", tf.sparse.cross_hashed([words, sp], num_buckets=100,
                                                       hash_key=7))
    put("cross_dense_only", tf.sparse.cross([p["cross_dense"], p["cross_dense"]]))


def _json(tf, p: dict, out: dict) -> None:
    binary = tf.io.decode_json_example(p["json"])
    out["json_single"], out["json_multi"] = _b64(tf, binary[1]), _b64(tf, binary[0])
    out["json_empty"] = _b64(tf, tf.decode_json_example(p["json"][2]))
    parsed = tf.io.parse_example(binary, {"f": tf.io.VarLenFeature(tf.float32),
                                          "i": tf.io.VarLenFeature(tf.int64),
                                          "s": tf.io.VarLenFeature(tf.string)})
    out["json_f"] = tf.where(tf.is_nan(parsed["f"].values), tf.fill(
        tf.shape(parsed["f"].values), -1.0), parsed["f"].values)
    out["json_i"], out["json_i_indices"] = parsed["i"].values, parsed["i"].indices
    out["json_s"] = parsed["s"].values


def cases(tf, p: dict) -> dict:
    """name -> output tensor."""
    out: dict = {}
    _tensors(tf, p, out)
    _compressed(tf, p, out)
    _audio(tf, p, out)
    _sparse(tf, p, out)
    _sequences(tf, p, out)
    _sparse_features(tf, p, out)
    _columns(tf, p, out)
    _json(tf, p, out)
    return out
