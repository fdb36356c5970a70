"""TF1's Example parsing: FixedLenFeature, VarLenFeature, FixedLenSequenceFeature,
parse_example / parse_single_example (ir/ops/parsing_ops.py) and decode_raw; and
SparseTensor, the value a VarLenFeature parses into.
"""
from __future__ import annotations

import collections
from typing import Optional

import numpy as np

from .ir import dtypes as dt
from .ir.ops._base import convert_to_tensor
from .ir.ops.parsing_ops import decode_raw, parse_example_op, parse_sequence_example_op
from .ir.site import where
from .sparse_tensor import SparseTensor, SparseTensorValue

__all__ = ["FixedLenFeature", "VarLenFeature", "FixedLenSequenceFeature", "SparseFeature",
           "RaggedFeature",
           "parse_example",
           "parse_single_example", "parse_single_sequence_example", "decode_raw",
           "SparseTensor", "SparseTensorValue"]

_PARSE_TYPES = (dt.float32, dt.int64, dt.string)


class FixedLenFeature(collections.namedtuple("FixedLenFeature",
                                             ["shape", "dtype", "default_value"])):
    """A feature of fixed shape; missing, it takes `default_value` (else an error)."""

    def __new__(cls, shape, dtype, default_value=None):
        return super().__new__(cls, shape, dtype, default_value)


class VarLenFeature(collections.namedtuple("VarLenFeature", ["dtype"])):
    """A feature of any length, parsed into a SparseTensor."""


class FixedLenSequenceFeature(collections.namedtuple(
        "FixedLenSequenceFeature", ["shape", "dtype", "allow_missing", "default_value"])):
    """A sequence of fixed-shape items: [None] + shape per example, padded in a batch."""

    def __new__(cls, shape, dtype, allow_missing=False, default_value=None):
        return super().__new__(cls, shape, dtype, allow_missing, default_value)


class SparseFeature(collections.namedtuple(
        "SparseFeature", ["index_key", "value_key", "dtype", "size", "already_sorted"])):
    """TF1 `tf.io.SparseFeature`: a SparseTensor built from an index feature (or one per
    dimension, with a size each) and a value feature of the same Example: entry
    [..., index] = value, dense shape [..., size]."""

    def __new__(cls, index_key, value_key, dtype, size, already_sorted=False):
        return super().__new__(cls, index_key, value_key, dtype, size, already_sorted)


class RaggedFeature(collections.namedtuple(
        "RaggedFeature", ["dtype", "value_key", "partitions", "row_splits_dtype",
                          "validate"])):
    """TF1 `tf.io.RaggedFeature` without partitions: a feature of any length per
    Example, parsed into a RaggedTensor [batch, None] (one Example: a vector) of the
    feature `value_key` (default: the key). graphc's RaggedTensor keeps its row splits
    as int64, whatever row_splits_dtype says."""

    def __new__(cls, dtype, value_key=None, partitions=(), row_splits_dtype=dt.int32,
                validate=False):
        if partitions:
            raise NotImplementedError("RaggedFeature(partitions=...) is not supported by "
                                      "graphc (only one ragged dimension, the Example's)")
        return super().__new__(cls, dtype, value_key, tuple(partitions),
                               row_splits_dtype, validate)


def _ragged_feature(sp: SparseTensor, batched: bool):
    """The RaggedTensor (one Example: the values) of a VarLen feature's SparseTensor."""
    if not batched:
        return sp.values
    from .ir.ops.slicing_ops import gather
    from .ragged import RaggedTensor
    return RaggedTensor.from_value_rowids(sp.values, gather(sp.indices, 0, axis=1),
                                          nrows=gather(sp.dense_shape, 0))


def _sparse_feature(f: SparseFeature, parsed: dict, key: str):
    """The SparseTensor a SparseFeature names, from its features parsed as VarLen."""
    from .ir.ops.array_ops import concat, expand_dims
    from .ir.ops.math_ops import cast
    from .ir.ops.slicing_ops import gather
    from .sparse_functions import sparse_reorder
    keys = [f.index_key] if isinstance(f.index_key, str) else list(f.index_key)
    sizes = [f.size] if isinstance(f.index_key, str) else list(f.size)
    if len(sizes) != len(keys):
        raise ValueError(f"SparseFeature {key!r}: {len(keys)} index keys but {len(sizes)} "
                         f"sizes{where()}")
    values = parsed[f.value_key]
    ids = parsed[keys[0]]
    rank = ids.indices.shape[1].value
    outer = gather(ids.indices, np.arange(rank - 1, dtype=np.int64), axis=1)
    columns = [expand_dims(cast(parsed[k].values, dt.int64), 1) for k in keys]
    shape = concat([gather(ids.dense_shape, np.arange(rank - 1, dtype=np.int64)),
                    np.asarray(sizes, np.int64)], 0)
    result = SparseTensor(concat([outer] + columns, 1), values.values, shape)
    return result if f.already_sorted else sparse_reorder(result)


def _dtype(feature, key: str):
    d = dt.as_dtype(feature.dtype)
    if d not in _PARSE_TYPES:
        raise ValueError(f"Feature {key!r}: dtype {d.name} is not supported; use float32, "
                         f"int64 or string{where()}")
    return d


def _default(feature, d, shape, key: str):
    if feature.default_value is None:
        return None
    v = np.asarray(feature.default_value, dtype=object if d is dt.string else d.np)
    if d is dt.string:
        v = np.vectorize(lambda s: s.encode() if isinstance(s, str) else s,
                         otypes=[object])(v) if v.size else v
    if v.size != 1 and v.size != int(np.prod(shape)):
        raise ValueError(f"Feature {key!r}: default_value has {v.size} elements but the "
                         f"shape {list(shape)} needs {int(np.prod(shape))}{where()}")
    return v.reshape(()) if v.size == 1 and isinstance(feature, FixedLenSequenceFeature) \
        else (v if v.size == 1 else v.reshape(shape))


def _parse(serialized, features: dict, name, batched: bool) -> dict:
    if not features:
        raise ValueError(f"Missing: features was {features!r}{where()}")
    s = convert_to_tensor(serialized, dtype=dt.string)
    dense, sparse, order = [], [], []
    requested = set(features)
    ragged = {k: f for k, f in features.items() if isinstance(f, RaggedFeature)}
    combined = {k: f for k, f in features.items() if isinstance(f, SparseFeature)}
    features = {k: f for k, f in features.items() if k not in combined and k not in ragged}
    ragged_keys = {}
    for key, f in ragged.items():
        source = f.value_key or key
        if source in features and (not isinstance(features[source], VarLenFeature) or
                                   dt.as_dtype(features[source].dtype) is not
                                   dt.as_dtype(f.dtype)):
            raise ValueError(f"Feature {source!r} is both a RaggedFeature's values and "
                             f"{type(features[source]).__name__}{where()}")
        ragged_keys[key] = source
        features.setdefault(source, VarLenFeature(f.dtype))
    for f in combined.values():
        index_keys = [f.index_key] if isinstance(f.index_key, str) else list(f.index_key)
        for k, kind in [(k, dt.int64) for k in index_keys] + [(f.value_key, f.dtype)]:
            if k in features and not isinstance(features[k], VarLenFeature):
                raise ValueError(f"Feature {k!r} is both a SparseFeature's part and "
                                 f"{type(features[k]).__name__}{where()}")
            features[k] = VarLenFeature(kind)
    for key in sorted(features):
        f = features[key]
        if isinstance(f, VarLenFeature):
            sparse.append((key, _dtype(f, key)))
            continue
        if not isinstance(f, (FixedLenFeature, FixedLenSequenceFeature)):
            raise ValueError(f"Unsupported feature type for {key!r}: {type(f).__name__}"
                             f"{where()}")
        shape = [int(d) for d in (f.shape if f.shape is not None else [])]
        seq = isinstance(f, FixedLenSequenceFeature)
        if seq and batched and not f.allow_missing:
            raise ValueError("Unsupported: FixedLenSequenceFeature requires allow_missing "
                             f"to be True.{where()}")
        d = _dtype(f, key)
        dense.append((key, d, shape, _default(f, d, shape, key), seq))
        order.append(key)
    outs = parse_example_op(s, dense, sparse, name=name)
    result = dict(zip(order, outs[:len(dense)]))
    rest = outs[len(dense):]
    for i, (key, _) in enumerate(sparse):
        result[key] = SparseTensor(*rest[3 * i:3 * i + 3])
    parts = dict(result)
    for key, f in combined.items():
        result[key] = _sparse_feature(f, parts, key)
    for key, source in ragged_keys.items():
        result[key] = _ragged_feature(parts[source], batched)
    return {k: v for k, v in result.items() if k in requested}


def parse_example(serialized, features: dict, name: Optional[str] = None,
                  example_names=None) -> dict:
    """A batch (vector) of serialized Examples into {key: Tensor or SparseTensor}."""
    return _parse(serialized, features, name or "ParseExample", True)


def parse_single_example(serialized, features: dict, name: Optional[str] = None,
                         example_names=None) -> dict:
    """One serialized Example (a scalar) into {key: Tensor or SparseTensor}."""
    return _parse(serialized, features, name or "ParseSingleExample", False)


def _sequence_specs(context_features, sequence_features) -> tuple:
    """The ParseSequenceExample ops' (context dense, context sparse, list dense, list
    sparse) of TF1's feature dicts."""
    c_dense, c_sparse, s_dense, s_sparse = [], [], [], []
    for key in sorted(context_features):
        f = context_features[key]
        d = _dtype(f, key)
        if isinstance(f, VarLenFeature):
            c_sparse.append((key, d))
        elif isinstance(f, FixedLenFeature):
            shape = [int(x) for x in f.shape or []]
            c_dense.append((key, d, shape, _default(f, d, shape, key)))
        else:
            raise ValueError(f"Unsupported context feature type for {key!r}: "
                             f"{type(f).__name__}{where()}")
    for key in sorted(sequence_features):
        f = sequence_features[key]
        d = _dtype(f, key)
        if isinstance(f, VarLenFeature):
            s_sparse.append((key, d))
        elif isinstance(f, (FixedLenSequenceFeature, FixedLenFeature)):
            s_dense.append((key, d, [int(x) for x in f.shape or []],
                            getattr(f, "allow_missing", False)))
        else:
            raise ValueError(f"Unsupported sequence feature type for {key!r}: "
                             f"{type(f).__name__}{where()}")
    return c_dense, c_sparse, s_dense, s_sparse


def _sequence_outputs(specs: tuple, outs: list) -> tuple:
    """(context dict, feature-list dict, rest of outs) of the op's outputs."""
    c_dense, c_sparse, s_dense, s_sparse = specs

    def take(dense, sparse, outs):
        result = {k[0]: t for k, t in zip(dense, outs)}
        rest = outs[len(dense):]
        for i, (key, _) in enumerate(sparse):
            result[key] = SparseTensor(*rest[3 * i:3 * i + 3])
        return result, rest[3 * len(sparse):]

    context, outs = take(c_dense, c_sparse, outs)
    sequence, outs = take(s_dense, s_sparse, outs)
    return context, sequence, outs


def _check_features(context_features, sequence_features) -> tuple:
    context_features, sequence_features = context_features or {}, sequence_features or {}
    if not context_features and not sequence_features:
        raise ValueError(f"Missing features: context_features and sequence_features are "
                         f"both empty{where()}")
    return context_features, sequence_features


def parse_single_sequence_example(serialized, context_features=None,
                                  sequence_features=None, example_name=None,
                                  name: Optional[str] = None) -> tuple:
    """One serialized SequenceExample into (context dict, feature-list dict): context as
    parse_single_example; a FixedLenSequenceFeature list is [steps] + shape, a
    VarLenFeature list a SparseTensor of dense_shape [steps, longest]."""
    specs = _sequence_specs(*_check_features(context_features, sequence_features))
    s = convert_to_tensor(serialized, dtype=dt.string)
    context, sequence, _ = _sequence_outputs(specs, parse_sequence_example_op(s, *specs,
                                                                              name=name))
    return context, sequence


def parse_sequence_example(serialized, context_features=None, sequence_features=None,
                           example_names=None, name: Optional[str] = None) -> tuple:
    """TF1 `tf.io.parse_sequence_example`: a vector of serialized SequenceExamples into
    (context dict, feature-list dict, feature-list lengths dict): context as
    parse_example ([batch] + shape; VarLenFeature: SparseTensor [batch, longest]); a
    FixedLenSequenceFeature list [batch, longest list] + shape, zero-padded, with its
    lengths (int64 [batch]); a VarLenFeature list a SparseTensor [batch, steps,
    longest]."""
    specs = _sequence_specs(*_check_features(context_features, sequence_features))
    s = convert_to_tensor(serialized, dtype=dt.string)
    context, sequence, lengths = _sequence_outputs(
        specs, parse_sequence_example_op(s, *specs, name=name, batched=True))
    return context, sequence, {k[0]: t for k, t in zip(specs[2], lengths)}


def _io_namespace():
    """`tf.io`: TFRecord files and Example parsing under their TF 1.x `tf.io` names."""
    from types import SimpleNamespace

    from . import tfrecord
    return SimpleNamespace(
        TFRecordWriter=tfrecord.TFRecordWriter, TFRecordOptions=tfrecord.TFRecordOptions,
        TFRecordCompressionType=tfrecord.TFRecordCompressionType,
        tf_record_iterator=tfrecord.tf_record_iterator, FixedLenFeature=FixedLenFeature,
        VarLenFeature=VarLenFeature, FixedLenSequenceFeature=FixedLenSequenceFeature,
        parse_example=parse_example, parse_single_example=parse_single_example,
        parse_single_sequence_example=parse_single_sequence_example, decode_raw=decode_raw,
        parse_sequence_example=parse_sequence_example, SparseFeature=SparseFeature,
        RaggedFeature=RaggedFeature)


io = _io_namespace()
