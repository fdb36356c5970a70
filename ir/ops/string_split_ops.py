"""Splitting strings into sparse tensors (TF1's StringSplit and StringSplitV2).

Both take a vector of strings and return a rank-2 sparse tensor's (indices, values,
dense_shape): row i holds the pieces of input i in order, dense_shape [n, most pieces].
StringSplit (tf.string_split) splits at every character of `delimiter` (each byte when it
is empty), dropping empty pieces unless skip_empty=False; StringSplitV2 (tf.strings.split)
is Python's bytes.split: at `sep` (at most maxsplit times), or at runs of whitespace when
sep is empty. Non-differentiable, numpy kernels on both backends.
"""
from __future__ import annotations

import re
from typing import Optional

import numpy as np

from .. import dtypes as dt
from ..errors import InvalidArgumentError
from ..shapes import TensorShape
from ._base import NON_DIFFERENTIABLE, apply, check_dtype, defop
from .string_ops import FAMILY, strings_in

__all__ = ["string_split_op", "string_split_v2_op"]


def _infer(op):
    x, sep = op.inputs
    check_dtype(op, x, (dt.string,), "input")
    check_dtype(op, sep, (dt.string,), "delimiter")
    if x.shape.ndims not in (None, 1):
        raise ValueError(f"input '{x.name}' must be a vector of strings, got shape {x.shape}")
    if sep.shape.ndims not in (None, 0):
        raise ValueError(f"delimiter '{sep.name}' must be a scalar, got shape {sep.shape}")
    return [(dt.int64, TensorShape([None, 2])), (dt.string, TensorShape([None])),
            (dt.int64, TensorShape([2]))]


def _sparse(pieces: list):
    """(indices, values, dense_shape) of a list of rows of pieces."""
    rows = [(i, j) for i, row in enumerate(pieces) for j in range(len(row))]
    indices = np.array(rows, np.int64).reshape(-1, 2)
    values = np.empty(len(rows), object)
    values[:] = [p for row in pieces for p in row]
    width = max((len(row) for row in pieces), default=0)
    return indices, values, np.array([len(pieces), width], np.int64)


def _check(x, sep):
    if x.ndim != 1 or sep.ndim != 0:
        raise InvalidArgumentError(None, None, f"input must be a vector and the delimiter a "
                                   f"scalar, got shapes {list(x.shape)} and "
                                   f"{list(sep.shape)}")


def _split_compute(x, delimiter, *, skip_empty):
    _check(x, delimiter)
    sep = delimiter[()]
    if not sep:
        pieces = [[bytes([b]) for b in s] for s in x]
    else:
        rx = re.compile(b"[" + re.escape(sep) + b"]")
        pieces = [rx.split(s) for s in x]
        if skip_empty:
            pieces = [[p for p in row if p] for row in pieces]
    return _sparse(pieces)


defop("StringSplit", _infer, _split_compute, NON_DIFFERENTIABLE, family=FAMILY)


def _split_v2_compute(x, sep, *, maxsplit):
    _check(x, sep)
    s = sep[()]
    pieces = [row.split(s or None, maxsplit) for row in x]
    return _sparse(pieces)


defop("StringSplitV2", _infer, _split_v2_compute, NON_DIFFERENTIABLE, family=FAMILY)


def string_split_op(source, delimiter, skip_empty: bool = True, name: Optional[str] = None):
    return apply("StringSplit", (strings_in(source, "source"), strings_in(delimiter,
                                                                          "delimiter")),
                 {"skip_empty": bool(skip_empty)}, name=name or "StringSplit")


def string_split_v2_op(source, sep, maxsplit: int = -1, name: Optional[str] = None):
    return apply("StringSplitV2", (strings_in(source, "input"), strings_in(sep, "sep")),
                 {"maxsplit": int(maxsplit)}, name=name or "StringSplitV2")
