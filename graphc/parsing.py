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

__all__ = ["FixedLenFeature", "VarLenFeature", "FixedLenSequenceFeature", "parse_example",
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
    return result


def parse_example(serialized, features: dict, name: Optional[str] = None,
                  example_names=None) -> dict:
    """A batch (vector) of serialized Examples into {key: Tensor or SparseTensor}."""
    return _parse(serialized, features, name or "ParseExample", True)


def parse_single_example(serialized, features: dict, name: Optional[str] = None,
                         example_names=None) -> dict:
    """One serialized Example (a scalar) into {key: Tensor or SparseTensor}."""
    return _parse(serialized, features, name or "ParseSingleExample", False)


def parse_single_sequence_example(serialized, context_features=None,
                                  sequence_features=None, example_name=None,
                                  name: Optional[str] = None) -> tuple:
    """One serialized SequenceExample into (context dict, feature-list dict): context as
    parse_single_example; a FixedLenSequenceFeature list is [steps] + shape, a
    VarLenFeature list a SparseTensor of dense_shape [steps, longest]."""
    context_features, sequence_features = context_features or {}, sequence_features or {}
    if not context_features and not sequence_features:
        raise ValueError(f"Missing features: context_features and sequence_features are "
                         f"both empty{where()}")
    s = convert_to_tensor(serialized, dtype=dt.string)
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
    outs = parse_sequence_example_op(s, c_dense, c_sparse, s_dense, s_sparse, name=name)

    def take(dense, sparse, outs):
        result = {k[0]: t for k, t in zip(dense, outs)}
        rest = outs[len(dense):]
        for i, (key, _) in enumerate(sparse):
            result[key] = SparseTensor(*rest[3 * i:3 * i + 3])
        return result, rest[3 * len(sparse):]

    context, outs = take(c_dense, c_sparse, outs)
    sequence, _ = take(s_dense, s_sparse, outs)
    return context, sequence


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
        parse_single_sequence_example=parse_single_sequence_example, decode_raw=decode_raw)


io = _io_namespace()
