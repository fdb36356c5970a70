"""Parsing ops: tf.train.Example protocol buffers into tensors (ParseExample) and raw bytes
into numbers (DecodeRaw), with TF1's rules and errors.

ParseExample(serialized) {dense_keys, dense_types, dense_shapes, dense_defaults,
                          dense_sequence, sparse_keys, sparse_types}
    `serialized`: a string scalar (parse_single_example: no batch dimension) or vector.
    Outputs: one dense tensor per dense key ([batch] + shape; a FixedLenSequenceFeature,
    `dense_sequence`, has a leading unknown dim padded with its default), then for each
    sparse key its (indices int64 [n, rank], values [n], dense_shape int64 [rank]).
    Example's wire format is decoded here (ir/proto.py), with packed and unpacked
    repeated fields alike: feature.proto's BytesList = 1, FloatList = 2, Int64List = 3.
ParseSequenceExample(serialized) {context_*, sequence_*}
    One SequenceExample: context dense and sparse features as in ParseExample (no batch),
    then per feature list a dense [steps] + shape tensor (FixedLenSequenceFeature) or a
    sparse (indices [n, 2], values, dense_shape [steps, longest]) for a VarLenFeature.
DecodeRaw(bytes) {out_type, little_endian}
    Each string reinterpreted as out_type numbers: shape = bytes' shape + [n].
"""
from __future__ import annotations

import base64
import binascii
import json
from typing import Optional

import numpy as np

from .. import dtypes as dt
from .. import proto
from ..errors import InvalidArgumentError
from ..shapes import TensorShape
from ._base import apply, check_dtype, convert_to_tensor, defop, NON_DIFFERENTIABLE

_KINDS = {dt.string: 1, dt.float32: 2, dt.int64: 3}
_KIND_NAMES = {1: "string", 2: "float", 3: "int64"}


# ------------------------------------------------------------------ wire decoding
def _varints(data: bytes) -> list:
    out, i = [], 0
    while i < len(data):
        v, i = proto.read_varint(data, i)
        out.append(v - (1 << 64) if v >= 1 << 63 else v)
    return out


def _values(kind: int, raw: list):
    """The values of one BytesList/FloatList/Int64List (its field 1, packed or not)."""
    if kind == 1:
        return [bytes(v) for v in raw]
    if kind == 2:
        out = []
        for v in raw:
            if isinstance(v, (bytes, memoryview)):
                out.extend(np.frombuffer(bytes(v), "<f4").tolist())
            else:
                out.append(v)
        return out
    out = []
    for v in raw:
        if isinstance(v, (bytes, memoryview)):
            out.extend(_varints(bytes(v)))
        else:
            out.append(v - (1 << 64) if v >= 1 << 63 else v)
    return out


def decode_features(data: bytes) -> dict:
    """{key: (kind, values)} of a serialized Features message."""
    out = {}
    for entry in proto.decode(data).get(1, []):
        e = proto.decode(entry)
        key = bytes(e.get(1, [b""])[0]).decode()
        feature = proto.decode(e.get(2, [b""])[0])
        kind, values = 0, []
        for k in (1, 2, 3):
            if k in feature:
                kind = k
                values = _values(k, proto.decode(feature[k][-1]).get(1, []))
        out[key] = (kind, values)
    return out


def decode_example(data: bytes) -> dict:
    """{key: (kind, values)} of a serialized Example."""
    try:
        return decode_features(proto.decode(data).get(1, [b""])[-1])
    except ValueError as exc:
        raise InvalidArgumentError(None, None, f"Could not parse example input, value: "
                                   f"'{data[:40]!r}' ({exc})") from None


# ------------------------------------------------------------------ ParseExample
def _check_kind(key: str, found: int, dtype, index: int) -> None:
    want = _KINDS[dtype]
    if found and found != want:
        raise InvalidArgumentError(
            None, None, f"Name: <unknown>, Key: {key}, Index: {index}.  Data types don't "
            f"match. Data type: {_KIND_NAMES[found]} but expected type: {dtype.name}")


def _fixed_row(key: str, index: int, values, shape, dtype, size: int, noun: str):
    """One feature's values as an array of the fixed `shape` (TF1's error on a wrong count;
    `noun` is "Values" in Example parsing and "values" in SequenceExample's, as in TF)."""
    if len(values) != size:
        raise InvalidArgumentError(
            None, None, f"Name: <unknown>, Key: {key}, Index: {index}.  Number of "
            f"{_KIND_NAMES[_KINDS[dtype]]} values != expected.  {noun} size: "
            f"{len(values)} but output shape: {list(shape)}")
    return np.asarray(values, dtype=_np(dtype)).reshape(shape)


def _parse_infer(op):
    s = op.inputs[0]
    check_dtype(op, s, (dt.string,), "serialized")
    a = op.attrs
    if s.shape.ndims not in (None, 0, 1):
        raise ValueError(f"serialized must be a scalar or a vector, got shape {s.shape}")
    single = s.shape.ndims == 0
    batch = [] if single else [s.shape[0].value if s.shape.ndims else None]
    outs = []
    for dtype, shape, seq in zip(a["dense_types"], a["dense_shapes"], a["dense_sequence"]):
        outs.append((dtype, TensorShape(batch + ([None] if seq else []) + list(shape))))
    rank = 1 if single else 2
    for dtype in a["sparse_types"]:
        outs += [(dt.int64, TensorShape([None, rank])), (dtype, TensorShape([None])),
                 (dt.int64, TensorShape([rank]))]
    return outs


def _dense(key, dtype, shape, default, seq, parsed, single):
    size = int(np.prod(shape)) if shape else 1
    rows = []
    for i, features in enumerate(parsed):
        kind, values = features.get(key, (0, []))
        _check_kind(key, kind, dtype, i)
        if key not in features or (seq and not values and kind == 0):
            if seq:
                rows.append(np.zeros([0] + list(shape), dtype=_np(dtype)))
                continue
            if default is None:
                raise InvalidArgumentError(
                    None, None, f"Name: <unknown>, Feature: {key} (data type: "
                    f"{dtype.name}) is required but could not be found.")
            rows.append(np.broadcast_to(np.asarray(default, dtype=_np(dtype)),
                                        shape).copy())
            continue
        if seq:
            if len(values) % size:
                raise InvalidArgumentError(
                    None, None, f"Name: <unknown>, Key: {key}, Index: {i}.  Number of "
                    f"values is not a multiple of stride length. Saw {len(values)} values "
                    f"but output shape is: {list(shape)}")
            rows.append(np.asarray(values, dtype=_np(dtype)).reshape([-1] + list(shape)))
        else:
            rows.append(_fixed_row(key, i, values, shape, dtype, size, "Values"))
    if seq:
        longest = max((r.shape[0] for r in rows), default=0)
        fill = 0 if default is None else default
        padded = np.full([len(rows), longest] + list(shape),
                         fill if dtype is not dt.string else (default or b""),
                         dtype=_np(dtype))
        for i, r in enumerate(rows):
            padded[i, :r.shape[0]] = r
        rows = padded
    else:
        rows = np.stack(rows) if rows else np.zeros([0] + list(shape), _np(dtype))
    return rows[0, ...] if single else rows


def _sparse(key, dtype, parsed, single):
    indices, values, longest = [], [], 0
    for i, features in enumerate(parsed):
        kind, vals = features.get(key, (0, []))
        _check_kind(key, kind, dtype, i)
        longest = max(longest, len(vals))
        for j, v in enumerate(vals):
            indices.append([j] if single else [i, j])
            values.append(v)
    rank = 1 if single else 2
    shape = [longest] if single else [len(parsed), longest]
    return (np.asarray(indices, dtype=np.int64).reshape(-1, rank),
            np.asarray(values, dtype=_np(dtype)).reshape(-1), np.asarray(shape, np.int64))


def _np(dtype):
    return object if dtype is dt.string else dtype.np


def _parse_compute(serialized, *, dense_keys, dense_types, dense_shapes, dense_defaults,
                   dense_sequence, sparse_keys, sparse_types):
    single = serialized.ndim == 0
    items = [serialized.item()] if single else list(serialized.reshape(-1))
    parsed = [decode_example(s if isinstance(s, bytes) else bytes(s)) for s in items]
    outs = [_dense(k, d, s, df, q, parsed, single) for k, d, s, df, q in
            zip(dense_keys, dense_types, dense_shapes, dense_defaults, dense_sequence)]
    for k, d in zip(sparse_keys, sparse_types):
        outs.extend(_sparse(k, d, parsed, single))
    return outs[0] if len(outs) == 1 else tuple(outs)


defop("ParseExample", _parse_infer, _parse_compute, NON_DIFFERENTIABLE, family="parsing",
      default_name="ParseExample")


def parse_example_op(serialized, dense: list, sparse: list, name: Optional[str] = None):
    """dense: (key, dtype, shape, default array or None, is_sequence); sparse: (key,
    dtype). Returns the list of output tensors (see the module doc)."""
    out = apply("ParseExample", [serialized], {
        "dense_keys": tuple(d[0] for d in dense), "dense_types": tuple(d[1] for d in dense),
        "dense_shapes": tuple(tuple(d[2]) for d in dense),
        "dense_defaults": tuple(d[3] for d in dense),
        "dense_sequence": tuple(bool(d[4]) for d in dense),
        "sparse_keys": tuple(s[0] for s in sparse),
        "sparse_types": tuple(s[1] for s in sparse)}, name=name or "ParseExample")
    return [out] if not isinstance(out, tuple) else list(out)


# ------------------------------------------------------------------ ParseSequenceExample
def _feature(raw: bytes) -> tuple:
    feature = proto.decode(raw)
    for k in (1, 2, 3):
        if k in feature:
            return k, _values(k, proto.decode(feature[k][-1]).get(1, []))
    return 0, []


def decode_sequence_example(data: bytes) -> tuple:
    """({key: (kind, values)} of the context, {key: [(kind, values) per step]})."""
    try:
        fields = proto.decode(data)
        context = decode_features(fields.get(1, [b""])[-1])
        lists = {}
        for entry in proto.decode(fields.get(2, [b""])[-1]).get(1, []):
            e = proto.decode(entry)
            key = bytes(e.get(1, [b""])[0]).decode()
            steps = proto.decode(e.get(2, [b""])[0]).get(1, [])
            lists[key] = [_feature(bytes(f)) for f in steps]
        return context, lists
    except ValueError as exc:
        raise InvalidArgumentError(None, None, f"Could not parse SequenceExample input "
                                   f"({exc})") from None


def _sequence_infer(op):
    s = op.inputs[0]
    check_dtype(op, s, (dt.string,), "serialized")
    if s.shape.ndims not in (None, 0):
        raise ValueError(f"serialized must be a scalar, got shape {s.shape}")
    a = op.attrs
    outs = [(d, TensorShape(list(sh))) for d, sh in zip(a["context_dense_types"],
                                                         a["context_dense_shapes"])]
    for d in a["context_sparse_types"]:
        outs += [(dt.int64, TensorShape([None, 1])), (d, TensorShape([None])),
                 (dt.int64, TensorShape([1]))]
    outs += [(d, TensorShape([None] + list(sh))) for d, sh in zip(a["sequence_dense_types"],
                                                                   a["sequence_dense_shapes"])]
    for d in a["sequence_sparse_types"]:
        outs += [(dt.int64, TensorShape([None, 2])), (d, TensorShape([None])),
                 (dt.int64, TensorShape([2]))]
    return outs


def _steps(key, dtype, shape, steps, required: bool):
    if steps is None and required:
        raise InvalidArgumentError(None, None, f"Name: <unknown>, Feature list '{key}' is "
                                   "required but could not be found.  Did you mean to "
                                   "include it in feature_list_dense_missing_assumed_empty "
                                   "or feature_list_dense_defaults?")
    size = int(np.prod(shape)) if shape else 1
    rows = []
    for t, (kind, values) in enumerate(steps or []):
        _check_kind(key, kind, dtype, t)
        rows.append(_fixed_row(key, t, values, shape, dtype, size, "values"))
    return np.stack(rows) if rows else np.zeros([0] + list(shape), _np(dtype))


def _sequence_compute(serialized, *, context_dense_keys, context_dense_types,
                      context_dense_shapes, context_dense_defaults, context_sparse_keys,
                      context_sparse_types, sequence_dense_keys, sequence_dense_types,
                      sequence_dense_shapes, sequence_dense_allow_missing,
                      sequence_sparse_keys, sequence_sparse_types):
    item = serialized.item() if isinstance(serialized, np.ndarray) else serialized
    context, lists = decode_sequence_example(bytes(item))
    outs = [_dense(k, d, s, df, False, [context], True) for k, d, s, df in
            zip(context_dense_keys, context_dense_types, context_dense_shapes,
                context_dense_defaults)]
    for k, d in zip(context_sparse_keys, context_sparse_types):
        outs.extend(_sparse(k, d, [context], True))
    for k, d, s, allow in zip(sequence_dense_keys, sequence_dense_types,
                              sequence_dense_shapes, sequence_dense_allow_missing):
        outs.append(_steps(k, d, s, lists.get(k, [] if allow else None), not allow))
    for k, d in zip(sequence_sparse_keys, sequence_sparse_types):
        steps = [dict([(k, step)]) for step in lists.get(k, [])]
        indices, values, shape = _sparse(k, d, steps, False)
        outs.extend((indices, values, np.array([len(steps), shape[1]], np.int64)))
    return outs[0] if len(outs) == 1 else tuple(outs)


defop("ParseSequenceExample", _sequence_infer, _sequence_compute, NON_DIFFERENTIABLE,
      family="parsing", default_name="ParseSingleSequenceExample")


def parse_sequence_example_op(serialized, context_dense: list, context_sparse: list,
                              sequence_dense: list, sequence_sparse: list,
                              name: Optional[str] = None, batched: bool = False) -> list:
    """context_dense: (key, dtype, shape, default); sequence_dense: (key, dtype, shape,
    allow_missing); *_sparse: (key, dtype). The output tensors, in that order (batched:
    ParseSequenceExampleV2 of a vector, then the dense lists' lengths)."""
    kind = "ParseSequenceExampleV2" if batched else "ParseSequenceExample"
    out = apply(kind, [serialized], {
        "context_dense_keys": tuple(c[0] for c in context_dense),
        "context_dense_types": tuple(c[1] for c in context_dense),
        "context_dense_shapes": tuple(tuple(c[2]) for c in context_dense),
        "context_dense_defaults": tuple(c[3] for c in context_dense),
        "context_sparse_keys": tuple(c[0] for c in context_sparse),
        "context_sparse_types": tuple(c[1] for c in context_sparse),
        "sequence_dense_keys": tuple(c[0] for c in sequence_dense),
        "sequence_dense_types": tuple(c[1] for c in sequence_dense),
        "sequence_dense_shapes": tuple(tuple(c[2]) for c in sequence_dense),
        "sequence_dense_allow_missing": tuple(bool(c[3]) for c in sequence_dense),
        "sequence_sparse_keys": tuple(c[0] for c in sequence_sparse),
        "sequence_sparse_types": tuple(c[1] for c in sequence_sparse)},
        name=name or ("ParseSequenceExample" if batched else "ParseSingleSequenceExample"))
    return [out] if not isinstance(out, tuple) else list(out)


# ------------------------------------------------------------------ DecodeJSONExample
_JSON_LISTS = {"bytesList": 1, "bytes_list": 1, "floatList": 2, "float_list": 2,
               "int64List": 3, "int64_list": 3}


def _json_values(kind: int, values: list) -> bytes:
    """One BytesList/FloatList/Int64List message, each value a field of its own, as
    TF's JSON conversion writes them (not packed)."""
    if kind == 1:
        try:
            return proto.message(*[(1, "bytes", base64.b64decode(
                v.replace("-", "+").replace("_", "/") + "=" * (-len(v) % 4), validate=True))
                for v in values])
        except (binascii.Error, AttributeError, TypeError) as exc:
            raise ValueError(f"bytes values must be base64 strings ({exc})") from None
    if kind == 2:  # ("NaN", "Infinity" and "-Infinity" too)
        return proto.message(*[(1, "float", float(v)) for v in values])
    return proto.message(*[(1, "varint", int(v)) for v in values])


def json_example(text: bytes) -> bytes:
    """The binary Example of an Example in protobuf's JSON mapping (camelCase or
    snake_case field names), the features in the JSON's order, as TF writes it."""
    doc = json.loads(text)
    if not isinstance(doc, dict) or set(doc) - {"features"}:
        raise ValueError("an Example has only the field 'features'")
    features = doc.get("features") or {}
    if not isinstance(features, dict) or set(features) - {"feature"}:
        raise ValueError("Features has only the field 'feature'")
    entries = []
    for key, feature in (features.get("feature") or {}).items():
        if not isinstance(feature, dict) or len(feature) > 1 or \
                set(feature) - set(_JSON_LISTS):
            raise ValueError(f"feature {key!r} must hold one bytesList, floatList or "
                             f"int64List")
        body = b""
        for name, holder in feature.items():
            if not isinstance(holder, dict) or set(holder) - {"value"}:
                raise ValueError(f"feature {key!r}: a list has only the field 'value'")
            body = proto.field(_JSON_LISTS[name], "bytes",
                               _json_values(_JSON_LISTS[name], holder.get("value", [])))
        entries.append(proto.field(1, "bytes", proto.message((1, "bytes", key),
                                                             (2, "bytes", body))))
    return proto.field(1, "bytes", b"".join(entries)) if doc.get("features") is not None \
        else b""


def _json_infer(op):
    check_dtype(op, op.inputs[0], (dt.string,), "json_examples")
    return [(dt.string, op.inputs[0].shape)]


def _json_compute(json_examples):
    out = np.empty(json_examples.shape, object)
    for i, text in np.ndenumerate(json_examples):
        try:
            out[i] = json_example(bytes(text))
        except (ValueError, TypeError) as exc:
            raise InvalidArgumentError(None, None, f"Error while parsing JSON: {exc}") \
                from None
    return out


defop("DecodeJSONExample", _json_infer, _json_compute, NON_DIFFERENTIABLE, family="parsing")


def decode_json_example(json_examples, name: Optional[str] = None):
    """TF1 `tf.io.decode_json_example`: Examples in protobuf's JSON mapping as binary
    Examples (strings of the same shape)."""
    return apply("DecodeJSONExample", (convert_to_tensor(json_examples, dtype=dt.string,
                                                         name="json_examples"),),
                 name=name or "DecodeJSONExample")


# ------------------------------------------------------------------ ParseSequenceExampleV2
def _batch_infer(op):
    """A batch of SequenceExamples: each output of ParseSequenceExample with the batch
    first (sparse indices gain the row), then one int64 [batch] length per dense list."""
    s = op.inputs[0]
    check_dtype(op, s, (dt.string,), "serialized")
    if s.shape.ndims not in (None, 1):
        raise ValueError(f"serialized must be a vector, got shape {s.shape}")
    a = op.attrs
    batch = s.shape[0].value if s.shape.ndims == 1 else None
    outs = [(d, TensorShape([batch] + list(sh))) for d, sh in zip(a["context_dense_types"],
                                                                   a["context_dense_shapes"])]
    for d in a["context_sparse_types"]:
        outs += [(dt.int64, TensorShape([None, 2])), (d, TensorShape([None])),
                 (dt.int64, TensorShape([2]))]
    outs += [(d, TensorShape([batch, None] + list(sh)))
             for d, sh in zip(a["sequence_dense_types"], a["sequence_dense_shapes"])]
    for d in a["sequence_sparse_types"]:
        outs += [(dt.int64, TensorShape([None, 3])), (d, TensorShape([None])),
                 (dt.int64, TensorShape([3]))]
    outs += [(dt.int64, TensorShape([batch])) for _ in a["sequence_dense_types"]]
    return outs


def _batched_sparse(parts: list, dtype) -> tuple:
    """One SparseTensor of the rows' (indices, values, shape), the row index first."""
    width = len(parts[0][2]) + 1 if parts else 1
    indices = [np.concatenate([np.full((len(i), 1), b, np.int64), i], 1)
               for b, (i, _, _) in enumerate(parts)]
    shape = np.max(np.stack([p[2] for p in parts]), 0) if parts else np.zeros(width - 1)
    return (np.concatenate(indices) if indices else np.zeros((0, width), np.int64),
            np.concatenate([p[1] for p in parts]) if parts else np.zeros(0, _np(dtype)),
            np.concatenate([[len(parts)], shape]).astype(np.int64))


def _batch_compute(serialized, **attrs):
    rows = [_sequence_compute(item, **attrs) for item in np.asarray(serialized).reshape(-1)]
    rows = [r if isinstance(r, tuple) else (r,) for r in rows]
    a = attrs
    n_dense, n_sparse = len(a["context_dense_keys"]), len(a["context_sparse_keys"])
    n_lists = len(a["sequence_dense_keys"])
    outs, i = [], 0
    for k in range(n_dense):
        outs.append(np.stack([r[i] for r in rows]) if rows else np.zeros(
            [0] + list(a["context_dense_shapes"][k]), _np(a["context_dense_types"][k])))
        i += 1
    for k in range(n_sparse):
        outs.extend(_batched_sparse([r[i:i + 3] for r in rows], a["context_sparse_types"][k]))
        i += 3
    lengths = []
    for k in range(n_lists):
        steps = [r[i] for r in rows]
        longest = max((len(x) for x in steps), default=0)
        shape = list(a["sequence_dense_shapes"][k])
        padded = np.zeros([len(rows), longest] + shape, _np(a["sequence_dense_types"][k]))
        if a["sequence_dense_types"][k] is dt.string:
            padded[...] = b""
        for b, x in enumerate(steps):
            padded[b, :len(x)] = x
        outs.append(padded)
        lengths.append(np.array([len(x) for x in steps], np.int64))
        i += 1
    for k in range(len(a["sequence_sparse_keys"])):
        outs.extend(_batched_sparse([r[i:i + 3] for r in rows],
                                    a["sequence_sparse_types"][k]))
        i += 3
    outs += lengths
    return outs[0] if len(outs) == 1 else tuple(outs)


defop("ParseSequenceExampleV2", _batch_infer, _batch_compute, NON_DIFFERENTIABLE,
      family="parsing", default_name="ParseSequenceExample")


# ------------------------------------------------------------------ DecodeRaw
_RAW_TYPES = (dt.float16, dt.float32, dt.float64, dt.int8, dt.int16, dt.int32, dt.int64,
              dt.uint8, dt.bool_)


def _decode_raw_infer(op):
    check_dtype(op, op.inputs[0], (dt.string,), "bytes")
    out = op.attrs["out_type"]
    if out not in _RAW_TYPES:
        raise TypeError(f"decode_raw: out_type {out.name} is not supported")
    shape = op.inputs[0].shape
    return [(out, TensorShape(None) if shape.ndims is None else shape.concatenate([None]))]


def _decode_raw_compute(data, *, out_type, little_endian):
    arr = np.asarray(data, dtype=object)
    width = np.dtype(out_type.np).itemsize
    order = "<" if little_endian else ">"
    flat = [bytes(s) for s in arr.reshape(-1)]
    if flat and any(len(s) != len(flat[0]) for s in flat):
        raise InvalidArgumentError(None, None, "DecodeRaw requires input strings to all be "
                                   f"the same size, but element 0 has size {len(flat[0])}")
    if flat and len(flat[0]) % width:
        raise InvalidArgumentError(None, None, f"Input to DecodeRaw has length "
                                   f"{len(flat[0])} that is not a multiple of {width}, the "
                                   f"size of {out_type.name}")
    n = len(flat[0]) // width if flat else 0
    dtype = np.dtype(out_type.np).newbyteorder(order) if width > 1 else np.dtype(out_type.np)
    values = np.frombuffer(b"".join(flat), dtype=dtype).astype(out_type.np)
    return values.reshape(arr.shape + (n,))


defop("DecodeRaw", _decode_raw_infer, _decode_raw_compute, NON_DIFFERENTIABLE,
      family="parsing", default_name="DecodeRaw")


def decode_raw(input_bytes=None, out_type=None, little_endian: bool = True,
               name: Optional[str] = None, bytes=None):  # noqa: A002 - TF1's name
    """TF1 `tf.decode_raw` (`bytes` is TF1's deprecated name for `input_bytes`)."""
    if (input_bytes is None) == (bytes is None):
        raise ValueError("decode_raw takes input_bytes (or its deprecated alias bytes), "
                         "exactly one of them")
    if out_type is None:
        raise TypeError("decode_raw() missing required argument: 'out_type'")
    input_bytes = input_bytes if bytes is None else bytes
    return apply("DecodeRaw", [convert_to_tensor(input_bytes, dtype=dt.string)],
                 {"out_type": dt.as_dtype(out_type), "little_endian": bool(little_endian)},
                 name=name or "DecodeRaw")


__all__ = ["parse_example_op", "parse_sequence_example_op", "decode_raw",
           "decode_example", "decode_sequence_example"]
