"""Set ops over the last dimension (TF1's `tf.sets` kernels): SetSize and the
intersection, union and differences of DenseToDense-, DenseToSparse- and
SparseToSparseSetOperation.

A rank-r input holds one set per position of its first r - 1 dims (its "group"): a dense
input's set is every value of its last-dim row, a sparse input's the values whose indices
share that prefix (duplicates count once). An operation returns a SparseTensor (indices,
values, dense_shape) over the same groups, each group's result sorted ascending in the
last dim, the last dim as long as the largest result. Both operands' group shapes must
be equal; with `validate_indices`, sparse indices must be inside dense_shape and in
row-major order, as TF1 checks. Sizes depend on the data, so the llvm backend runs these
numpy kernels (family "sparse", no FallbackWarning); none is differentiable (TF1).
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from .. import dtypes as dt
from ..errors import InvalidArgumentError
from ..shapes import TensorShape
from ._base import NON_DIFFERENTIABLE, apply, check_dtype, defop
from .sparse_ops import FAMILY, check_bounds, check_sparse, row_order, static_rank, tensors

__all__ = ["set_size_op", "set_operation_op", "SET_DTYPES"]

SET_DTYPES = (dt.int8, dt.int16, dt.int32, dt.int64, dt.uint8, dt.string)
OPERATIONS = ("a-b", "b-a", "intersection", "union")


# ------------------------------------------------------------------ groups
def _dense_groups(x: np.ndarray):
    if x.ndim < 2:
        raise InvalidArgumentError(None, None, f"Invalid rank {x.ndim} for a dense set: "
                                   "need rank >= 2")
    rows = x.reshape(-1, x.shape[-1])
    return tuple(x.shape[:-1]), [set(r.tolist()) for r in rows]


def _sparse_groups(indices, values, shape, validate: bool):
    shape = np.asarray(shape, np.int64)
    if shape.size < 2:
        raise InvalidArgumentError(None, None, f"Invalid rank {shape.size} for a sparse "
                                   "set: need rank >= 2")
    if validate:
        check_bounds(indices, shape)
        if indices.shape[0] and not np.array_equal(row_order(indices),
                                                   np.arange(indices.shape[0])):
            raise InvalidArgumentError(None, None, "indices are not in row-major order: "
                                       "reorder them (tf.sparse.reorder) or pass "
                                       "validate_indices=False")
    group_shape = tuple(int(d) for d in shape[:-1])
    sets = [set() for _ in range(int(np.prod(group_shape, dtype=np.int64)))]
    if indices.shape[0]:
        if not validate:
            check_bounds(indices, shape)  # the kernel reads them either way
        flat = np.ravel_multi_index(tuple(indices[:, :-1].T), group_shape)
        for g, v in zip(flat.tolist(), values.tolist()):
            sets[g].add(v)
    return group_shape, sets


def _check_groups(a_shape, b_shape) -> None:
    if a_shape != b_shape:
        raise InvalidArgumentError(None, None, f"Shapes {list(a_shape)} and {list(b_shape)} "
                                   "of the two sets' groups (all dims but the last) must "
                                   "match")


def _combine(group_shape, a_sets, b_sets, operation: str, dtype):
    """The result of `operation` per group as a sparse tensor's three arrays."""
    fn = {"a-b": lambda a, b: a - b, "b-a": lambda a, b: b - a,
          "intersection": lambda a, b: a & b, "union": lambda a, b: a | b}[operation]
    results = [sorted(fn(a, b)) for a, b in zip(a_sets, b_sets)]
    width = max((len(r) for r in results), default=0)
    rows, vals = [], []
    for g, r in enumerate(results):
        if not r:
            continue
        prefix = list(np.unravel_index(g, group_shape)) if group_shape else []
        rows.extend(prefix + [j] for j in range(len(r)))
        vals.extend(r)
    rank = len(group_shape) + 1
    indices = np.asarray(rows, np.int64).reshape(-1, rank)
    values = np.asarray(vals, dtype=dtype.np).reshape(-1) if vals else np.zeros(0, dtype.np)
    return indices, values, np.asarray(list(group_shape) + [width], np.int64)


# ------------------------------------------------------------------ SetSize
def _set_size_infer(op):
    check_sparse(op, 0, "set")
    check_dtype(op, op.inputs[1], SET_DTYPES, "set_values")
    r = static_rank(op.inputs[0], op.inputs[2])
    if r is not None and r < 2:
        raise ValueError(f"Invalid rank {r} for a set: need rank >= 2")
    return [(dt.int32, TensorShape(None if r is None else [None] * (r - 1)))]


def _set_size_compute(indices, values, shape, *, validate_indices):
    group_shape, sets = _sparse_groups(indices, values, shape, validate_indices)
    return np.asarray([len(s) for s in sets], np.int32).reshape(group_shape)


defop("SetSize", _set_size_infer, _set_size_compute, NON_DIFFERENTIABLE, family=FAMILY)


def set_size_op(indices, values, dense_shape, validate_indices: bool = True,
                name: Optional[str] = None):
    """The number of distinct values in each set of a sparse tensor (int32)."""
    return apply("SetSize", tensors(indices, values, dense_shape, int64=(0, 2)),
                 {"validate_indices": bool(validate_indices)}, name=name or "SetSize")


# ------------------------------------------------------------------ set operations
def _operation_infer(kinds: str):
    def infer(op):
        pos, ranks, dtypes = 0, [], []
        for kind, label in zip(kinds, ("set1", "set2")):
            if kind == "d":
                x = op.inputs[pos]
                if x.shape.ndims is not None and x.shape.ndims < 2:
                    raise ValueError(f"{label} '{x.name}' must be at least rank 2, got shape "
                                     f"{x.shape}")
                ranks.append(x.shape.ndims)
                dtypes.append(x)
                pos += 1
            else:
                check_sparse(op, pos, label)
                ranks.append(static_rank(op.inputs[pos], op.inputs[pos + 2]))
                dtypes.append(op.inputs[pos + 1])
                pos += 3
        a, b = dtypes
        check_dtype(op, a, SET_DTYPES, "set1")
        if a.dtype is not b.dtype:
            raise TypeError(f"Types don't match, {a.dtype.name} vs {b.dtype.name} ('{a.name}'"
                            f" and '{b.name}')")
        if op.attrs["set_operation"] not in OPERATIONS:
            raise ValueError(f"Invalid set_operation {op.attrs['set_operation']!r}; expected "
                             f"one of {', '.join(OPERATIONS)}")
        known = [r for r in ranks if r is not None]
        if len(known) == 2 and known[0] != known[1]:
            raise ValueError(f"set1 and set2 must have the same rank, got {known[0]} and "
                             f"{known[1]}")
        r = known[0] if known else None
        return [(dt.int64, TensorShape([None, r])), (a.dtype, TensorShape([None])),
                (dt.int64, TensorShape([r]))]
    return infer


def _operation_compute(kinds: str):
    def compute(*arrays, set_operation, validate_indices):
        groups, pos = [], 0
        for kind in kinds:
            if kind == "d":
                groups.append(_dense_groups(arrays[pos]))
                dtype_array = arrays[pos]
                pos += 1
            else:
                groups.append(_sparse_groups(*arrays[pos:pos + 3], validate_indices))
                dtype_array = arrays[pos + 1]
                pos += 3
        (a_shape, a_sets), (b_shape, b_sets) = groups
        _check_groups(a_shape, b_shape)
        dtype = dt.string if dtype_array.dtype.kind in "OSU" else dt.as_dtype(
            dtype_array.dtype)
        return _combine(a_shape, a_sets, b_sets, set_operation, dtype)
    return compute


_OPS = {"dd": "DenseToDenseSetOperation", "ds": "DenseToSparseSetOperation",
        "ss": "SparseToSparseSetOperation"}
for _kinds, _name in _OPS.items():
    defop(_name, _operation_infer(_kinds), _operation_compute(_kinds), NON_DIFFERENTIABLE,
          family=FAMILY)


def set_operation_op(a, b, set_operation: str, validate_indices: bool = True,
                     name: Optional[str] = None):
    """`set_operation` ("a-b", "b-a", "intersection", "union") of `a` and `b`, each a
    dense tensor or an (indices, values, dense_shape) triple; a dense `b` after a sparse
    `a` is refused, as TF1's. Returns the result's (indices, values, dense_shape)."""
    kinds = "".join("s" if isinstance(x, tuple) else "d" for x in (a, b))
    if kinds == "sd":
        raise ValueError("Sparse,Dense is not supported, but Dense,Sparse is. Please flip "
                         "the order of your inputs.")
    inputs = []
    for x in (a, b):
        inputs.extend(tensors(*x, int64=(0, 2)) if isinstance(x, tuple) else tensors(x))
    return apply(_OPS[kinds], tuple(inputs), {"set_operation": set_operation,
                                              "validate_indices": bool(validate_indices)},
                 name=name or _OPS[kinds])
