"""Sparse outputs of feature columns: CountSparseOutput (`tf.sparse.bincount`) and
SparseCross (`tf.sparse.cross`, `tf.sparse.cross_hashed`), with TensorFlow's semantics
and hashes.

CountSparseOutput(values, rows, weights, num_rows) {minlength, maxlength, binary_output}
    values: int32/int64 [n] (non-negative); rows: int64 [n], the row of each value, or
    empty when the counts are over all values; weights [n] or empty. Outputs: a
    SparseTensor of the (row,) bin counts (weights' sums; 1 with binary_output), bins
    sorted; its size is maxlength when > 0, else max(largest value + 1, minlength), and
    values >= maxlength are not counted (TF's DenseCountSparseOutput).
SparseCross(indices..., values..., shapes..., dense...) {num_sparse, hashed_output,
            num_buckets, hash_key, separator}
    One row per batch row of the inputs (2-D SparseTensors first, then dense [batch, k]),
    the Cartesian product of the rows' features, the last input changing fastest: the
    strings joined by `separator` (ints as decimal), or with hashed_output each
    feature's hash (a string's FarmHash Fingerprint64, an int64's own bits) combined by
    FingerprintCat64 from hash_key, modulo num_buckets (0: int64's max).
All are non-differentiable numpy kernels (outputs whose sizes depend on the data).
"""
from __future__ import annotations

import itertools
from typing import Optional

import numpy as np

from .. import dtypes as dt
from ..errors import InvalidArgumentError
from ..shapes import TensorShape
from ._base import NON_DIFFERENTIABLE, apply, check_dtype, convert_to_tensor, defop
from .string_hash_ops import fingerprint64

__all__ = ["count_sparse_output", "sparse_cross_op", "DEFAULT_HASH_KEY"]

FAMILY = "sparse"
DEFAULT_HASH_KEY = 0xDECAFCAFFE  # TF's sparse_cross_hashed default
_MASK = (1 << 64) - 1
_INT64_MAX = (1 << 63) - 1


# ------------------------------------------------------------------ bincount
def _count_infer(op):
    values, rows, weights, num_rows = op.inputs
    check_dtype(op, values, (dt.int32, dt.int64), "values")
    check_dtype(op, rows, (dt.int64,), "rows")
    check_dtype(op, weights, (dt.int32, dt.int64, dt.float32, dt.float64), "weights")
    out = weights.dtype if op.attrs["weighted"] else values.dtype
    rank = 2 if op.attrs["by_row"] else 1
    return [(dt.int64, TensorShape([None, rank])), (out, TensorShape([None])),
            (dt.int64, TensorShape([rank]))]


def _count_compute(values, rows, weights, num_rows, *, minlength, maxlength, binary_output,
                   weighted, by_row):
    out_dtype = weights.dtype if weighted else values.dtype
    values = values.reshape(-1).astype(np.int64)
    if values.size and values.min() < 0:
        raise InvalidArgumentError(None, None, "Input values must all be non-negative")
    size = maxlength if maxlength > 0 else max(int(values.max(initial=0)) + 1, minlength)
    keep = values < size
    ids = values[keep]
    row = rows.reshape(-1)[keep] if by_row else np.zeros(ids.size, np.int64)
    w = weights.reshape(-1)[keep] if weighted else np.ones(ids.size, out_dtype)
    n_rows = int(num_rows) if by_row else 1
    key = row * size + ids
    bins, where = np.unique(key, return_inverse=True)
    sums = np.zeros(bins.size, out_dtype)
    np.add.at(sums, where, w)
    if binary_output:
        sums = np.ones(bins.size, out_dtype)
    if by_row:
        indices = np.stack([bins // size, bins % size], 1).astype(np.int64)
        shape = np.array([n_rows, size], np.int64)
    else:
        indices = bins.reshape(-1, 1).astype(np.int64)
        shape = np.array([size], np.int64)
    return indices, sums, shape


defop("CountSparseOutput", _count_infer, _count_compute, NON_DIFFERENTIABLE, family=FAMILY)


def count_sparse_output(values, rows, weights, num_rows, minlength: int, maxlength: int,
                        binary_output: bool, by_row: bool, name: Optional[str] = None):
    """CountSparseOutput's (indices, values, dense_shape); rows/weights None: not used."""
    values = convert_to_tensor(values, name="values")
    weighted = weights is not None
    rows = convert_to_tensor(np.zeros(0, np.int64) if rows is None else rows,
                             dtype=dt.int64, name="rows")
    weights = convert_to_tensor(np.zeros(0, values.dtype.np) if weights is None else weights,
                                name="weights")
    num_rows = convert_to_tensor(-1 if num_rows is None else num_rows, dtype=dt.int64,
                                 name="num_rows")
    return apply("CountSparseOutput", (values, rows, weights, num_rows),
                 {"minlength": int(minlength), "maxlength": int(maxlength),
                  "binary_output": bool(binary_output), "weighted": weighted,
                  "by_row": bool(by_row)}, name=name or "CountSparseOutput")


# ------------------------------------------------------------------ cross
def _cross_infer(op):
    n = op.attrs["num_sparse"]
    sparse_indices, sparse_values = op.inputs[:n], op.inputs[n:2 * n]
    shapes, dense = op.inputs[2 * n:3 * n], op.inputs[3 * n:]
    kinds = (dt.int64, dt.string)
    for t in sparse_indices + shapes:
        check_dtype(op, t, (dt.int64,), "sparse indices and shapes")
    for t in sparse_values + dense:
        check_dtype(op, t, kinds, "inputs")
    for t in dense:
        if t.shape.ndims not in (None, 2):
            raise ValueError(f"Dense inputs should be a matrix [batch, features], got shape "
                             f"{t.shape} ('{t.name}')")
    out = dt.int64 if op.attrs["hashed_output"] else dt.string
    return [(dt.int64, TensorShape([None, 2])), (out, TensorShape([None])),
            (dt.int64, TensorShape([2]))]


def _text(v) -> bytes:
    return v if isinstance(v, bytes) else str(int(v)).encode()


def _shift_mix(v: int) -> int:
    return v ^ (v >> 47)


def fingerprint_cat64(fp1: int, fp2: int) -> int:
    """TF's FingerprintCat64 of two 64-bit fingerprints."""
    mul = 0xC6A4A7935BD1E995
    result = (fp1 ^ mul) & _MASK
    result ^= (_shift_mix((fp2 * mul) & _MASK) * mul) & _MASK
    result = (result * mul) & _MASK
    result = (_shift_mix(result) * mul) & _MASK
    return _shift_mix(result)


def _cross_compute(*arrays, num_sparse, hashed_output, num_buckets, hash_key, separator):
    n = num_sparse
    indices, values, shapes = arrays[:n], arrays[n:2 * n], arrays[2 * n:3 * n]
    dense = arrays[3 * n:]
    batches = {int(s[0]) for s in shapes} | {d.shape[0] for d in dense}
    if len(batches) > 1:
        raise InvalidArgumentError(None, None, f"Expected batch size of every input to be "
                                   f"the same, got {sorted(batches)}")
    batch = batches.pop() if batches else 0
    columns = []  # per input: per row, its features
    for ind, val, shp in zip(indices, values, shapes):
        if shp.size != 2:
            raise InvalidArgumentError(None, None, f"Sparse inputs must be 2-D, got dense "
                                       f"shape {shp.tolist()}")
        rows = [[] for _ in range(batch)]
        for (r, _), v in zip(ind.tolist(), val.reshape(-1)):
            rows[r].append(v)
        columns.append(rows)
    for d in dense:
        columns.append([list(d[r]) for r in range(batch)])
    out_indices, out_values = [], []
    for r in range(batch):
        for k, combo in enumerate(itertools.product(*[c[r] for c in columns])):
            if hashed_output:
                h = hash_key
                for v in combo:  # (TF: a string's Fingerprint64, an int64 as it is)
                    h = fingerprint_cat64(h, fingerprint64(v) if isinstance(v, bytes)
                                          else int(v) & _MASK)
                out_values.append(h % num_buckets if num_buckets > 0 else h % _INT64_MAX)
            else:
                out_values.append(separator.encode().join(_text(v) for v in combo))
            out_indices.append((r, k))
    widest = max((int(np.prod([len(c[r]) for c in columns])) for r in range(batch)),
                 default=0) if columns else 0
    out = np.empty(len(out_values), object)
    out[:] = out_values
    return (np.array(out_indices, np.int64).reshape(-1, 2),
            out.astype(np.int64) if hashed_output else out,
            np.array([batch, widest], np.int64))


defop("SparseCross", _cross_infer, _cross_compute, NON_DIFFERENTIABLE, family=FAMILY)


def sparse_cross_op(sparse: list, dense: list, hashed_output: bool, num_buckets: int = 0,
                    hash_key: int = DEFAULT_HASH_KEY, separator: str = "_X_",
                    name: Optional[str] = None):
    """SparseCross's (indices, values, dense_shape) of the sparse inputs' parts
    (indices, values, dense_shape) and the dense inputs."""
    inputs = [convert_to_tensor(s[0], dtype=dt.int64) for s in sparse] + \
        [convert_to_tensor(s[1]) for s in sparse] + \
        [convert_to_tensor(s[2], dtype=dt.int64) for s in sparse] + \
        [convert_to_tensor(d) for d in dense]
    if num_buckets < 0:
        raise ValueError(f"num_buckets must be >= 0, got {num_buckets}")
    return apply("SparseCross", inputs,
                 {"num_sparse": len(sparse), "hashed_output": bool(hashed_output),
                  "num_buckets": int(num_buckets), "hash_key": int(hash_key) & _MASK,
                  "separator": separator}, name=name or "SparseCross")
