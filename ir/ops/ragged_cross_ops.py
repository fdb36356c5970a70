"""RaggedCross: the feature crosses of tf.ragged.cross and tf.ragged.cross_hashed.

RaggedCross(values_0, ..., values_{n-1}, splits_0, ..., splits_{n-1}) {n, hashed,
num_buckets, hash_key} -> (values, row_splits). Every input is a ragged_rank-1 tensor of
int64 or string values with the same number of rows; row i of the result holds every
combination of one value of row i of each input, the last input varying fastest (as
TF's). A combination is its values joined by "_X_" (ints in decimal), or, hashed, TF's
fingerprint chain: h = hash_key, then h = FingerprintCat64(h, Fingerprint64(s)) for a
string s (the int64 itself for an int), and h % num_buckets (h % (2**63 - 1) with no
buckets), as an int64. Not differentiable (ints and strings); runs as a numpy kernel.
"""
from __future__ import annotations

import itertools
from typing import Optional

import numpy as np

from .. import dtypes as dt
from ..errors import InvalidArgumentError
from ..shapes import TensorShape
from ._base import NON_DIFFERENTIABLE, apply, check_dtype, defop
from .string_hash_ops import fingerprint64

__all__ = ["ragged_cross_op", "fingerprint_cat64", "DEFAULT_HASH_KEY"]

DEFAULT_HASH_KEY = 0xDECAFCAFFE
_MASK = (1 << 64) - 1
_MUL = 0xC6A4A7935BD1E995


def _shift_mix(v: int) -> int:
    return v ^ (v >> 47)


def fingerprint_cat64(fp1: int, fp2: int) -> int:
    """TF's FingerprintCat64: two 64-bit fingerprints combined (order matters)."""
    result = fp1 ^ _MUL
    result ^= (_shift_mix((fp2 * _MUL) & _MASK) * _MUL) & _MASK
    result = (result * _MUL) & _MASK
    result = (_shift_mix(result) * _MUL) & _MASK
    return _shift_mix(result)


def _infer(op):
    n = op.attrs["n"]
    if n < 1 or len(op.inputs) != 2 * n:
        raise ValueError(f"RaggedCross '{op.name}' needs at least one input, as (values, "
                         f"row_splits) pairs")
    for v in op.inputs[:n]:
        check_dtype(op, v, (dt.int64, dt.string), "the values to cross")
        if v.shape.ndims not in (None, 1):
            raise ValueError(f"RaggedCross '{op.name}': values must be vectors, got "
                             f"{v.shape} ({v.name})")
    for s in op.inputs[n:]:
        check_dtype(op, s, (dt.int64,), "the row splits")
    out = dt.int64 if op.attrs["hashed"] else dt.string
    return [(out, TensorShape([None])), (dt.int64, TensorShape([None]))]


def _key(value, hashed: bool):
    if isinstance(value, (bytes, str)):
        data = value.encode() if isinstance(value, str) else value
        return fingerprint64(data) if hashed else data
    return int(value) & _MASK if hashed else str(int(value)).encode()


def _compute(*arrays, n, hashed, num_buckets, hash_key):
    values, splits = arrays[:n], [np.asarray(s, np.int64) for s in arrays[n:]]
    rows = {len(s) - 1 for s in splits}
    if len(rows) != 1:
        raise InvalidArgumentError(None, None, f"RaggedCross: the inputs have different "
                                   f"numbers of rows {sorted(rows)}")
    out, lengths = [], []
    for i in range(rows.pop()):
        parts = [[_key(v, hashed) for v in vals[s[i]:s[i + 1]]]
                 for vals, s in zip(values, splits)]
        count = 0
        for combo in itertools.product(*parts):
            if hashed:
                h = hash_key & _MASK
                for c in combo:
                    h = fingerprint_cat64(h, c)
                out.append(h % num_buckets if num_buckets > 0 else h % (2 ** 63 - 1))
            else:
                out.append(b"_X_".join(combo))
            count += 1
        lengths.append(count)
    row_splits = np.concatenate([[0], np.cumsum(lengths, dtype=np.int64)]).astype(np.int64)
    if hashed:
        return np.array(out, np.uint64).astype(np.int64), row_splits
    return np.array(out, dtype=object).reshape(len(out)), row_splits


defop("RaggedCross", _infer, _compute, NON_DIFFERENTIABLE, family="string",
      default_name="RaggedCross")


def ragged_cross_op(values: list, splits: list, hashed: bool = False, num_buckets: int = 0,
                    hash_key: Optional[int] = None, name: Optional[str] = None):
    """(values, row_splits) of the crosses of the (values, splits) inputs."""
    return apply("RaggedCross", list(values) + list(splits),
                 {"n": len(values), "hashed": bool(hashed), "num_buckets": int(num_buckets),
                  "hash_key": DEFAULT_HASH_KEY if hash_key is None else int(hash_key)},
                 name=name)
