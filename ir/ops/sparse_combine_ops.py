"""Sparse ops that combine or cut sparse tensors: SparseAdd (and its gradient op),
SparseSparseMaximum/Minimum, SparseConcat, SparseSlice, SparseSplit, SparseFillEmptyRows.

Inputs are (indices, values, dense_shape) triples as in sparse_ops.py; outputs come in
canonical row-major order (TF1's). Their sizes depend on the data, so the llvm backend
runs the numpy kernels (family "sparse"). VJPs are TF1's: SparseAdd's values get their
gradient through SparseAddGrad; a slice's and fill_empty_rows' values through a gather
or scatter of the positions they keep; maximum, minimum, concat and split are
non-differentiable, as in TF1.
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from .. import dtypes as dt
from ..errors import InvalidArgumentError
from ..shapes import TensorShape
from ._base import NON_DIFFERENTIABLE, apply, check_dtype, defop
from .array_ops import shape as shape_of
from .math_ops import greater_equal, less, logical_and
from .reduce_ops import reduce_all, reduce_sum
from .slicing_ops import gather
from .array_grads import scatter_nd
from .sparse_ops import (FAMILY, check_bounds, check_default, check_operands, check_sparse,
                         row_order,
                         static_rank, tensors)

__all__ = ["sparse_add_op", "sparse_sparse_op", "sparse_concat_op", "sparse_slice_op",
           "sparse_split_op", "sparse_fill_empty_rows_op"]


def _keys(rows: np.ndarray) -> np.ndarray:
    """Each index row as one comparable item (equal rows give equal keys)."""
    rows = np.ascontiguousarray(rows, dtype=np.int64)
    return rows.view(np.dtype((np.void, rows.dtype.itemsize * max(rows.shape[1], 1)))) \
        .reshape(-1) if rows.shape[1] else np.zeros(rows.shape[0], np.int64)


def positions(rows: np.ndarray, table: np.ndarray) -> np.ndarray:
    """For each row, its position among the rows of `table`, or -1 when absent."""
    if not table.shape[0]:
        return np.full(rows.shape[0], -1, np.int64)
    keys, table_keys = _keys(rows), _keys(table)
    order = np.argsort(table_keys, kind="stable")
    found = np.searchsorted(table_keys[order], keys)
    found = np.minimum(found, table.shape[0] - 1)
    hit = table_keys[order][found] == keys
    return np.where(hit, order[found], -1).astype(np.int64)


def _union(a_idx, b_idx, shape):
    """Sorted union of two index sets: (rows, position of each a row, of each b row)."""
    both = np.concatenate([a_idx, b_idx]).reshape(-1, shape.size)
    if not both.shape[0]:
        return both, np.zeros(0, np.int64), np.zeros(0, np.int64)
    uniq, inverse = np.unique(both, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    return uniq.astype(np.int64), inverse[:a_idx.shape[0]], inverse[a_idx.shape[0]:]


def _pair_infer(op, outputs):
    check_sparse(op, 0, "a")
    check_sparse(op, 3, "b")
    check_operands(op, 1, 4, "a's values", "b's values")
    a_values = op.inputs[1]
    r = static_rank(op.inputs[0], op.inputs[2])
    if r is None:
        r = static_rank(op.inputs[3], op.inputs[5])
    out = [(dt.int64, TensorShape([None, r])), (a_values.dtype, TensorShape([None]))]
    return out + [(dt.int64, TensorShape([r]))] if outputs == 3 else out


def _check_pair(a_idx, a_shape, b_idx, b_shape):
    if a_shape.tolist() != b_shape.tolist():
        raise InvalidArgumentError(None, None, f"Operands do not have the same ranks or "
                                   f"shapes: a has dense_shape {a_shape.tolist()}, b "
                                   f"{b_shape.tolist()}")
    check_bounds(a_idx, a_shape, "a_indices")
    check_bounds(b_idx, b_shape, "b_indices")


# ------------------------------------------------------------------ SparseAdd
def _add_infer(op):
    thresh = op.inputs[6]
    if thresh.shape.ndims not in (None, 0):
        raise ValueError(f"thresh '{thresh.name}' must be a scalar, got shape {thresh.shape}")
    return _pair_infer(op, 3)


def _add_compute(a_idx, a_val, a_shape, b_idx, b_val, b_shape, thresh):
    """TF1: the sum at the union of the indices; where both have an entry, a sum whose
    magnitude is below thresh takes no space."""
    _check_pair(a_idx, a_shape, b_idx, b_shape)
    rows, pa, pb = _union(a_idx, b_idx, a_shape)
    total = np.zeros(rows.shape[0], a_val.dtype)
    np.add.at(total, pa, a_val)
    np.add.at(total, pb, b_val)
    counts = np.bincount(np.concatenate([pa, pb]), minlength=rows.shape[0])
    keep = (counts < 2) | (np.abs(total) >= thresh)
    return rows[keep], total[keep], a_shape.copy()


def _add_vjp(op, grads):
    a_grad, b_grad = apply("SparseAddGrad", (grads[1], op.inputs[0], op.inputs[3],
                                             op.outputs[0]))
    return [None, a_grad, None, None, b_grad, None, None]


defop("SparseAdd", _add_infer, _add_compute, _add_vjp, family=FAMILY)


def _add_grad_infer(op):
    g, a_idx, b_idx, _ = op.inputs
    n_a = a_idx.shape[0] if a_idx.shape.ndims == 2 else None
    n_b = b_idx.shape[0] if b_idx.shape.ndims == 2 else None
    return [(g.dtype, TensorShape([n_a])), (g.dtype, TensorShape([n_b]))]


def _add_grad_compute(g, a_idx, b_idx, sum_idx):
    out = []
    for idx in (a_idx, b_idx):
        pos = positions(idx, sum_idx)
        out.append(np.where(pos >= 0, g[np.maximum(pos, 0)] if g.size else 0, 0)
                   .astype(g.dtype))
    return tuple(out)


defop("SparseAddGrad", _add_grad_infer, _add_grad_compute, NON_DIFFERENTIABLE, family=FAMILY)


def sparse_add_op(a, b, thresh, name: Optional[str] = None):
    """a, b: (indices, values, dense_shape) triples; thresh a scalar of the values' type."""
    return apply("SparseAdd", tensors(*a, *b, thresh, int64=(0, 2, 3, 5)),
                 name=name or "SparseAdd")


# ------------------------------------------------------------------ maximum / minimum
def _sparse_sparse_compute(fn):
    def compute(a_idx, a_val, a_shape, b_idx, b_val, b_shape):
        _check_pair(a_idx, a_shape, b_idx, b_shape)
        rows, pa, pb = _union(a_idx, b_idx, a_shape)
        x = np.zeros(rows.shape[0], a_val.dtype)  # absent entries are implicit zeros
        y = np.zeros(rows.shape[0], a_val.dtype)
        x[pa], y[pb] = a_val, b_val
        return rows, fn(x, y)
    return compute


for _name, _fn in (("Maximum", np.maximum), ("Minimum", np.minimum)):
    defop(f"SparseSparse{_name}", lambda op: _pair_infer(op, 2), _sparse_sparse_compute(_fn),
          NON_DIFFERENTIABLE, family=FAMILY)


def sparse_sparse_op(kind: str, a, b, name: Optional[str] = None):
    """The elementwise maximum or minimum (kind) of two sparse tensors of one shape."""
    return apply(f"SparseSparse{kind}", tensors(*a, *b, int64=(0, 2, 3, 5)),
                 name=name or f"Sparse{kind}")


# ------------------------------------------------------------------ SparseConcat
def _concat_infer(op):
    n = op.attrs["N"]
    values = op.inputs[n:2 * n]
    for i in range(n):
        for t, what in ((op.inputs[i], "indices"), (op.inputs[2 * n + i], "shapes")):
            check_dtype(op, t, (dt.int64,), what)
    if any(v.dtype is not values[0].dtype for v in values):
        raise TypeError("all sp_inputs must have values of one dtype, got "
                        + ", ".join(v.dtype.name for v in values))
    r = next((static_rank(op.inputs[i], op.inputs[2 * n + i]) for i in range(n)
              if static_rank(op.inputs[i], op.inputs[2 * n + i]) is not None), None)
    return [(dt.int64, TensorShape([None, r])), (values[0].dtype, TensorShape([None])),
            (dt.int64, TensorShape([r]))]


def _concat_compute(*arrays, N, concat_dim, expand_nonconcat_dim):
    n = N
    idx, vals, shapes = arrays[:n], arrays[n:2 * n], arrays[2 * n:]
    r = shapes[0].size
    if any(s.size != r for s in shapes):
        raise InvalidArgumentError(None, None, "Ranks of all input tensors must match: "
                                   + str([s.tolist() for s in shapes]))
    axis = concat_dim % r if -r <= concat_dim < r else None
    if axis is None:
        raise InvalidArgumentError(None, None, f"Concat dimension must be in range [{-r}, "
                                   f"{r}), got {concat_dim}")
    out_shape = shapes[0].copy()
    if expand_nonconcat_dim:
        out_shape = np.max(np.stack(shapes), axis=0)
    else:
        for s in shapes[1:]:
            other = [d for d in range(r) if d != axis and s[d] != shapes[0][d]]
            if other:
                raise InvalidArgumentError(None, None, f"All dimensions except {axis} must "
                                           f"match. Input 0 has shape {shapes[0].tolist()} "
                                           f"and an input has shape {s.tolist()}")
    parts, offset = [], 0
    for i, s in zip(idx, shapes):
        check_bounds(i, s)
        shifted = i.copy()
        shifted[:, axis] += offset
        parts.append(shifted)
        offset += int(s[axis])
    out_shape[axis] = offset
    rows = np.concatenate(parts).reshape(-1, r)
    values = np.concatenate(vals)
    order = row_order(rows)
    return rows[order], values[order], out_shape.astype(np.int64)


defop("SparseConcat", _concat_infer, _concat_compute, NON_DIFFERENTIABLE, family=FAMILY)


def sparse_concat_op(axis: int, inputs, expand_nonconcat_dim=False, name: Optional[str] = None):
    """inputs: a list of (indices, values, dense_shape) triples."""
    n = len(inputs)
    flat = [t[0] for t in inputs] + [t[1] for t in inputs] + [t[2] for t in inputs]
    inputs = tensors(*flat, int64=tuple(range(n)) + tuple(range(2 * n, 3 * n)))
    return apply("SparseConcat", inputs, {"N": n, "concat_dim": int(axis),
                                          "expand_nonconcat_dim": bool(expand_nonconcat_dim)},
                 name=name or "SparseConcat")


# ------------------------------------------------------------------ SparseSlice
def _slice_infer(op):
    check_sparse(op, 0)
    for t, what in ((op.inputs[3], "start"), (op.inputs[4], "size")):
        check_dtype(op, t, (dt.int64,), what)
    r = static_rank(op.inputs[0], op.inputs[2])
    return [(dt.int64, TensorShape([None, r])), (op.inputs[1].dtype, TensorShape([None])),
            (dt.int64, TensorShape([r]))]


def _slice_mask(indices, start, size):
    return np.all((indices >= start) & (indices < start + size), axis=1)


def _slice_compute(indices, values, shape, start, size):
    check_bounds(indices, shape)
    if start.size != shape.size or size.size != shape.size:
        raise InvalidArgumentError(None, None, f"Expected start and size to have "
                                   f"{shape.size} entries, got {start.tolist()} and "
                                   f"{size.tolist()}")
    keep = _slice_mask(indices, start, size)
    out_shape = np.maximum(np.minimum(start + size, shape) - start, 0)
    return (indices[keep] - start).astype(np.int64), values[keep], out_shape.astype(np.int64)


def _slice_vjp(op, grads):
    """The kept entries keep their order: scatter the values' gradient back to them."""
    indices, values, _, start, size = op.inputs
    keep = reduce_all(logical_and(greater_equal(indices, start), less(indices, start + size)),
                      axis=1)
    kept = apply("Where", (keep,))
    n = shape_of(values, out_type=dt.int64)
    return [None, scatter_nd(kept, grads[1], n), None, None, None]


defop("SparseSlice", _slice_infer, _slice_compute, _slice_vjp, family=FAMILY)


def sparse_slice_op(indices, values, dense_shape, start, size, name: Optional[str] = None):
    return apply("SparseSlice", tensors(indices, values, dense_shape, start, size,
                                        int64=(0, 2, 3, 4)),
                 name=name or "SparseSlice")


# ------------------------------------------------------------------ SparseSplit
def _split_infer(op):
    check_dtype(op, op.inputs[0], (dt.int64,), "split_dim")
    check_sparse(op, 1)
    k = op.attrs["num_split"]
    r = static_rank(op.inputs[1], op.inputs[3])
    return [(dt.int64, TensorShape([None, r]))] * k + \
        [(op.inputs[2].dtype, TensorShape([None]))] * k + [(dt.int64, TensorShape([r]))] * k


def _split_compute(split_dim, indices, values, shape, *, num_split):
    check_bounds(indices, shape)
    r = shape.size
    axis = int(split_dim)
    if not -r <= axis < r:
        raise InvalidArgumentError(None, None, f"split_dim must be in range [{-r}, {r}), got "
                                   f"{axis}")
    axis %= r
    size = int(shape[axis])
    if num_split < 1 or num_split > max(size, 1):
        raise InvalidArgumentError(None, None, f"num_split must be in the interval [1, "
                                   f"{size}], got {num_split}")
    base, extra = divmod(size, num_split)
    sizes = [base + 1 if i < extra else base for i in range(num_split)]
    bounds = np.cumsum([0] + sizes)
    out_idx, out_val, out_shape = [], [], []
    for i in range(num_split):
        keep = (indices[:, axis] >= bounds[i]) & (indices[:, axis] < bounds[i + 1])
        part = indices[keep].copy()
        part[:, axis] -= bounds[i]
        s = shape.copy()
        s[axis] = sizes[i]
        out_idx.append(part.astype(np.int64))
        out_val.append(values[keep])
        out_shape.append(s.astype(np.int64))
    return tuple(out_idx + out_val + out_shape)


defop("SparseSplit", _split_infer, _split_compute, NON_DIFFERENTIABLE, family=FAMILY)


def sparse_split_op(split_dim, indices, values, dense_shape, num_split: int,
                    name: Optional[str] = None):
    """A list of num_split (indices, values, dense_shape) triples."""
    outs = apply("SparseSplit", tensors(split_dim, indices, values, dense_shape,
                                        int64=(0, 1, 3)),
                 {"num_split": int(num_split)}, name=name or "SparseSplit")
    outs = list(outs) if isinstance(outs, (list, tuple)) else [outs]
    k = int(num_split)
    return [(outs[i], outs[k + i], outs[2 * k + i]) for i in range(k)]


# ------------------------------------------------------------------ SparseFillEmptyRows
def _fill_infer(op):
    check_sparse(op, 0)
    values = op.inputs[1]
    check_default(op, values, op.inputs[3])
    r = static_rank(op.inputs[0], op.inputs[2])
    n = op.inputs[0].shape[0] if op.inputs[0].shape.ndims == 2 else None
    return [(dt.int64, TensorShape([None, r])), (values.dtype, TensorShape([None])),
            (dt.bool_, TensorShape([None])), (dt.int64, TensorShape([n]))]


def _fill_compute(indices, values, shape, default):
    if shape.size < 1:
        raise InvalidArgumentError(None, None, "dense_shape must be a vector of at least "
                                   "one entry")
    check_bounds(indices, shape)
    rows = int(shape[0])
    counts = np.bincount(indices[:, 0], minlength=rows) if indices.shape[0] else \
        np.zeros(rows, np.int64)
    empty = counts == 0
    filler = np.zeros((int(empty.sum()), shape.size), np.int64)
    filler[:, 0] = np.flatnonzero(empty)
    all_idx = np.concatenate([indices, filler])
    all_val = np.concatenate([values, np.full(filler.shape[0], default, values.dtype)])
    order = np.argsort(all_idx[:, 0], kind="stable")  # by row; a row keeps its order
    reverse = np.empty(all_idx.shape[0], np.int64)
    reverse[order] = np.arange(all_idx.shape[0])
    return all_idx[order], all_val[order], empty, reverse[:indices.shape[0]]


def _fill_vjp(op, grads):
    """TF1: the values' gradient is read back through reverse_index_map, the default's is
    what is left."""
    g = grads[1]
    d_values = gather(g, op.outputs[3])
    return [None, d_values, None, reduce_sum(g) - reduce_sum(d_values)]


defop("SparseFillEmptyRows", _fill_infer, _fill_compute, _fill_vjp, family=FAMILY)


def sparse_fill_empty_rows_op(indices, values, dense_shape, default_value,
                              name: Optional[str] = None):
    return apply("SparseFillEmptyRows", tensors(indices, values, dense_shape, default_value,
                                                int64=(0, 2)),
                 name=name or "SparseFillEmptyRows")
