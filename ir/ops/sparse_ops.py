"""Sparse tensors' ops (TF1's names and semantics), the ones that read one sparse tensor.

A sparse tensor is three tensors: int64 `indices` [N, rank], `values` [N] and int64
`dense_shape` [rank] (graphc/sparse_tensor.py holds them as TF1's SparseTensor). The ops
take and return those tensors; `canonical` (row-major) order is what SparseReorder makes
and what the ops that walk two tensors (sparse_combine_ops.py) expect. Outputs whose
length depends on the data have an unknown first dim, so the llvm backend runs them
through these numpy kernels (family "sparse", without a FallbackWarning). VJP rules are
TF1's (sparse_grad.py): to_dense, reorder, dense matmul and add, reduce_sum, softmax and
the sparse-dense elementwise ops are differentiable with respect to the values.
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from .. import dtypes as dt
from ..errors import InvalidArgumentError
from ..shapes import TensorShape, unknown_shape
from ._base import (NON_DIFFERENTIABLE, apply, check_dtype, const_value_as_shape,
                    convert_to_tensor, defop)
from .array_ops import concat, reshape, shape as shape_of, size, transpose
from .math_ops import cast, floordiv, multiply, negative, square, truediv
from .partition_ops import invert_permutation
from .reduce_ops import reduce_sum
from .slicing_ops import gather, gather_nd, slice as slice_
from .array_grads import scatter_nd
from .generator_ops import ones, range as range_
from .grad_ops import reduce_to_operand

__all__ = ["tensors", "sparse_to_dense_op", "sparse_reorder_op", "sparse_reshape_op",
           "sparse_dense_matmul_op", "sparse_dense_add_op", "sparse_reduce_op",
           "sparse_softmax_op", "sparse_dense_cwise_op", "check_bounds", "static_rank"]

FAMILY = "sparse"


# ------------------------------------------------------------------ shared checks
def tensors(*values, int64=()):
    """The builders' inputs as tensors; positions in `int64` take int64 (indices, shapes),
    the others keep their own dtype."""
    return tuple(convert_to_tensor(v, dtype=dt.int64 if i in int64 and not hasattr(
        v, "_as_tensor") else None) for i, v in enumerate(values))

def check_sparse(op, i: int, what: str = "") -> None:
    """inputs i, i+1, i+2 of `op` are a sparse tensor's indices, values and dense_shape."""
    indices, values, shape = op.inputs[i:i + 3]
    label = f"{what} " if what else ""
    check_dtype(op, indices, (dt.int64,), f"{label}indices")
    check_dtype(op, shape, (dt.int64,), f"{label}dense_shape")
    for t, rank, name in ((indices, 2, "indices"), (values, 1, "values"),
                          (shape, 1, "dense_shape")):
        if t.shape.ndims not in (None, rank):
            raise ValueError(f"{label}{name} '{t.name}' must be rank {rank}, got shape "
                             f"{t.shape}")
    n_i = indices.shape[0] if indices.shape.ndims == 2 else None
    if n_i is not None and values.shape.ndims == 1 and \
            not values.shape[0].is_compatible_with(n_i):
        raise ValueError(f"{label}values '{values.name}' (shape {values.shape}) must have one "
                         f"entry per row of indices '{indices.name}' (shape {indices.shape})")
    r_i = indices.shape[1] if indices.shape.ndims == 2 else None
    if r_i is not None and shape.shape.ndims == 1 and not shape.shape[0].is_compatible_with(r_i):
        raise ValueError(f"{label}dense_shape '{shape.name}' (shape {shape.shape}) must have "
                         f"one entry per column of indices '{indices.name}' (shape "
                         f"{indices.shape})")


def check_operands(op, i: int, j: int, first: str, second: str) -> None:
    """Inputs i and j of `op` share one numeric dtype (TF1 never promotes)."""
    x, y = op.inputs[i], op.inputs[j]
    if x.dtype is not y.dtype:
        raise TypeError(f"{first} '{x.name}' are {x.dtype.name} but {second} '{y.name}' is "
                        f"{y.dtype.name}")
    check_dtype(op, x, dt.NUMERIC, first)


def check_default(op, values, default) -> None:
    """A default_value: a scalar of the values' dtype."""
    if default.dtype is not values.dtype:
        raise TypeError(f"default_value '{default.name}' is {default.dtype.name} but the "
                        f"values '{values.name}' are {values.dtype.name}")
    if default.shape.ndims not in (None, 0):
        raise ValueError(f"default_value '{default.name}' must be a scalar, got shape "
                         f"{default.shape}")


def static_rank(indices, shape) -> Optional[int]:
    """A sparse tensor's rank when the graph knows it (indices' columns or shape's length)."""
    for d in (indices.shape[1] if indices.shape.ndims == 2 else None,
              shape.shape[0] if shape.shape.ndims == 1 else None):
        if d is not None and d.value is not None:
            return int(d.value)
    return None


def check_bounds(indices: np.ndarray, shape: np.ndarray, what: str = "indices") -> None:
    """Every row of indices inside dense_shape (TF1's message names the first bad row)."""
    if indices.ndim != 2 or indices.shape[1] != shape.size:
        raise InvalidArgumentError(None, None, f"{what} must be a matrix with one column per "
                                   f"dimension of dense_shape {shape.tolist()}, got shape "
                                   f"{list(indices.shape)}")
    bad = np.flatnonzero(np.any((indices < 0) | (indices >= shape), axis=1))
    if bad.size:
        i = int(bad[0])
        raise InvalidArgumentError(None, None, f"{what}[{i}] = {indices[i].tolist()} is out "
                                   f"of bounds: need 0 <= index < {shape.tolist()}")


def row_order(indices: np.ndarray) -> np.ndarray:
    """The stable permutation putting the rows of indices in row-major order."""
    if indices.shape[1] == 0:
        return np.arange(indices.shape[0])
    return np.lexsort(indices.T[::-1])


# ------------------------------------------------------------------ SparseToDense
def _to_dense_infer(op):
    indices, out_shape, values, default = op.inputs
    check_dtype(op, indices, (dt.int32, dt.int64), "sparse_indices")
    check_dtype(op, out_shape, (dt.int32, dt.int64), "output_shape")
    check_default(op, values, default)
    if indices.shape.ndims not in (None, 2):
        raise ValueError(f"sparse_indices '{indices.name}' must be a matrix, got shape "
                         f"{indices.shape}")
    return [(values.dtype, const_value_as_shape(out_shape))]


def _to_dense_compute(indices, out_shape, values, default, *, validate_indices):
    shape = np.asarray(out_shape, np.int64).reshape(-1)
    check_bounds(indices, shape, "sparse_indices")
    n = indices.shape[0]
    if values.ndim not in (0, 1) or values.ndim == 1 and values.shape[0] != n:
        raise InvalidArgumentError(None, None, f"sparse_values has incorrect shape "
                                   f"{list(values.shape)}, should be [] or [{n}]")
    if validate_indices and n > 1 and shape.size:
        flat = np.ravel_multi_index(tuple(indices.T), tuple(int(d) for d in shape))
        step = np.diff(flat)
        bad = np.flatnonzero(step <= 0)
        if bad.size:
            i = int(bad[0]) + 1
            kind = "repeated" if step[i - 1] == 0 else "out of order"
            raise InvalidArgumentError(None, None, f"indices[{i}] = {indices[i].tolist()} is "
                                       f"{kind}. Many sparse ops require sorted indices.\n"
                                       "    Use `tf.sparse.reorder` to create a correctly "
                                       "ordered copy.")
    out = np.full(tuple(int(d) for d in shape), default, dtype=values.dtype)
    out[tuple(indices.T)] = values
    return out


def _to_dense_vjp(op, grads):
    indices, _, values, _ = op.inputs
    g = grads[0]
    values_grad = gather_nd(g, indices)
    default_grad = reduce_sum(g) - reduce_sum(values_grad)
    return [None, None, reduce_to_operand(values_grad, values), default_grad]


defop("SparseToDense", _to_dense_infer, _to_dense_compute, _to_dense_vjp, family=FAMILY)


def sparse_to_dense_op(indices, output_shape, values, default_value, validate_indices=True,
                       name: Optional[str] = None):
    return apply("SparseToDense", tensors(indices, output_shape, values, default_value),
                 {"validate_indices": bool(validate_indices)}, name=name or "SparseToDense")


# ------------------------------------------------------------------ SparseReorder
def _reorder_infer(op):
    check_sparse(op, 0)
    indices, values, _ = op.inputs
    return [(dt.int64, indices.shape), (values.dtype, values.shape)]


def _reorder_compute(indices, values, shape):
    check_bounds(indices, shape)
    order = row_order(indices)
    return indices[order], values[order]


def _reorder_vjp(op, grads):
    indices, _, shape = op.inputs
    n = shape_of(indices, out_type=dt.int64)[0]
    _, entries = apply("SparseReorder", (indices, range_(n), shape))
    return [None, gather(grads[1], invert_permutation(entries)), None]


defop("SparseReorder", _reorder_infer, _reorder_compute, _reorder_vjp, family=FAMILY)


def sparse_reorder_op(indices, values, dense_shape, name: Optional[str] = None):
    return apply("SparseReorder", tensors(indices, values, dense_shape, int64=(0, 2)),
                 name=name or "SparseReorder")


# ------------------------------------------------------------------ SparseReshape
def _reshape_infer(op):
    indices, shape, new_shape = op.inputs
    check_dtype(op, indices, (dt.int64,), "input_indices")
    check_dtype(op, shape, (dt.int64,), "input_shape")
    check_dtype(op, new_shape, (dt.int64,), "new_shape")
    r = new_shape.shape[0].value if new_shape.shape.ndims == 1 else None
    n = indices.shape[0] if indices.shape.ndims == 2 else None
    return [(dt.int64, TensorShape([n, r])), (dt.int64, TensorShape([r]))]


def _reshape_compute(indices, shape, new_shape):
    check_bounds(indices, shape, "input_indices")
    total = int(np.prod(shape))
    target = new_shape.astype(np.int64).copy()
    unknown = np.flatnonzero(target == -1)
    if unknown.size > 1:
        raise InvalidArgumentError(None, None, f"only one output dimension may be -1, not "
                                   f"both {int(unknown[0])} and {int(unknown[1])}")
    known = int(np.prod(target[target != -1]))
    if unknown.size:
        if known == 0 or total % known:
            raise InvalidArgumentError(None, None, f"Input to reshape is a SparseTensor with "
                                       f"{total} dense values, but the requested shape "
                                       f"{new_shape.tolist()} cannot hold them")
        target[unknown[0]] = total // known
    elif known != total:
        raise InvalidArgumentError(None, None, f"Input to reshape is a tensor with {total} "
                                   f"dense values, but the requested shape has {known}")
    if not indices.shape[0]:
        return np.zeros((0, target.size), np.int64), target
    flat = np.ravel_multi_index(tuple(indices.T), tuple(int(d) for d in shape))
    out = np.stack(np.unravel_index(flat, tuple(int(d) for d in target)), axis=1)
    return out.astype(np.int64), target


defop("SparseReshape", _reshape_infer, _reshape_compute, NON_DIFFERENTIABLE, family=FAMILY)


def sparse_reshape_op(indices, dense_shape, new_shape, name: Optional[str] = None):
    return apply("SparseReshape", tensors(indices, dense_shape, new_shape, int64=(0, 1, 2)),
                 name=name or "SparseReshape")


# ------------------------------------------------------------------ SparseTensorDenseMatMul
def _matmul_infer(op):
    check_sparse(op, 0, "a")
    _, values, a_shape, b = op.inputs
    check_operands(op, 1, 3, "a's values", "b")
    if b.shape.ndims not in (None, 2):
        raise ValueError(f"b '{b.name}' must be a matrix, got shape {b.shape}")
    a_dims = const_value_as_shape(a_shape) if a_shape.shape.ndims == 1 else unknown_shape()
    if a_dims.ndims not in (None, 2):
        raise ValueError(f"a must be a sparse matrix, but its dense_shape has {a_dims.ndims} "
                         "entries")
    m = None if a_dims.ndims is None else a_dims[1 if op.attrs["adjoint_a"] else 0]
    n = None if b.shape.ndims is None else b.shape[0 if op.attrs["adjoint_b"] else 1]
    k_a = None if a_dims.ndims is None else a_dims[0 if op.attrs["adjoint_a"] else 1]
    k_b = None if b.shape.ndims is None else b.shape[1 if op.attrs["adjoint_b"] else 0]
    if k_a is not None and k_b is not None and not k_a.is_compatible_with(k_b):
        raise ValueError(f"Cannot multiply A and B because inner dimension does not match: "
                         f"{k_a} vs. {k_b}. Did you forget a transpose? Dimensions of A: "
                         f"{a_dims}. Dimensions of B: {b.shape}")
    return [(values.dtype, TensorShape([m, n]))]


def _matmul_compute(indices, values, a_shape, b, *, adjoint_a, adjoint_b):
    if a_shape.size != 2 or b.ndim != 2:
        raise InvalidArgumentError(None, None, f"Tensor 'a_shape' must have 2 elements and "
                                   f"b must be a matrix, got {a_shape.tolist()} and b of "
                                   f"shape {list(b.shape)}")
    check_bounds(indices, a_shape, "a_indices")
    rows, cols = (indices[:, 1], indices[:, 0]) if adjoint_a else (indices[:, 0], indices[:, 1])
    m, k = (int(a_shape[1]), int(a_shape[0])) if adjoint_a else (int(a_shape[0]),
                                                                 int(a_shape[1]))
    bb = b.T if adjoint_b else b
    if bb.shape[0] != k:
        raise InvalidArgumentError(None, None, f"Cannot multiply A and B because inner "
                                   f"dimension does not match: {k} vs. {bb.shape[0]}. Did "
                                   f"you forget a transpose? Dimensions of A: "
                                   f"{a_shape.tolist()}. Dimensions of B: {list(b.shape)}")
    out = np.zeros((m, bb.shape[1]), dtype=b.dtype)
    np.add.at(out, rows, values[:, None] * bb[cols])
    return out


def _matmul_vjp(op, grads):
    indices, values, a_shape, b = op.inputs
    adj_a, adj_b = op.attrs["adjoint_a"], op.attrs["adjoint_b"]
    g = grads[0]
    b_grad = sparse_dense_matmul_op(indices, values, a_shape, g, adjoint_a=not adj_a)
    if adj_b:
        b_grad = transpose(b_grad)
    rows, cols = gather(indices, 0, axis=1), gather(indices, 1, axis=1)
    parts_a = gather(g, cols if adj_a else rows)
    parts_b = gather(transpose(b) if adj_b else b, rows if adj_a else cols)
    return [None, reduce_sum(multiply(parts_a, parts_b), axis=1), None, b_grad]


defop("SparseTensorDenseMatMul", _matmul_infer, _matmul_compute, _matmul_vjp, family=FAMILY)


def sparse_dense_matmul_op(indices, values, dense_shape, b, adjoint_a=False, adjoint_b=False,
                           name: Optional[str] = None):
    return apply("SparseTensorDenseMatMul", tensors(indices, values, dense_shape, b,
                                                    int64=(0, 2)),
                 {"adjoint_a": bool(adjoint_a), "adjoint_b": bool(adjoint_b)},
                 name=name or "SparseTensorDenseMatMul")


# ------------------------------------------------------------------ SparseTensorDenseAdd
def _dense_add_infer(op):
    check_sparse(op, 0, "a")
    check_operands(op, 1, 3, "a's values", "b")
    return [(op.inputs[3].dtype, op.inputs[3].shape)]


def _dense_add_compute(indices, values, shape, b):
    if tuple(int(d) for d in shape) != b.shape:
        raise InvalidArgumentError(None, None, f"Dimensions must match: the sparse operand "
                                   f"has dense_shape {shape.tolist()}, the dense one "
                                   f"{list(b.shape)}")
    check_bounds(indices, shape)
    out = np.array(b, copy=True)
    np.add.at(out, tuple(indices.T), values)
    return out


def _dense_add_vjp(op, grads):
    return [None, gather_nd(grads[0], op.inputs[0]), None, grads[0]]


defop("SparseTensorDenseAdd", _dense_add_infer, _dense_add_compute, _dense_add_vjp,
      family=FAMILY)


def sparse_dense_add_op(indices, values, dense_shape, b, name: Optional[str] = None):
    return apply("SparseTensorDenseAdd", tensors(indices, values, dense_shape, b, int64=(0, 2)),
                 name=name or "SparseTensorDenseAdd")


# ------------------------------------------------------------------ reductions
def _axes(axes, rank: int) -> list:
    if axes is None:
        return list(range(rank))
    out = []
    for a in axes:
        if not -rank <= a < rank:
            raise InvalidArgumentError(None, None, f"Invalid reduction dimension {a}, for "
                                       f"input with {rank} dimensions.")
        out.append(a % rank)
    return sorted(set(out))


def _reduced_coords(indices, shape, axes, keep_dims):
    """(output coordinates of each entry, the dense output shape)."""
    keep = [d for d in range(shape.size) if d not in axes]
    if keep_dims:
        coords = indices.copy()
        coords[:, axes] = 0
        out_shape = shape.copy()
        out_shape[axes] = 1
        return coords, out_shape
    return indices[:, keep], shape[keep]


def _reduce_infer(op):
    check_sparse(op, 0)
    _, values, shape = op.inputs
    axes, keep = op.attrs["axes"], op.attrs["keep_dims"]
    kind = op.attrs["kind"]
    check_dtype(op, values, dt.FLOATS + dt.INTS if kind == "max" else dt.NUMERIC, "values")
    dims = const_value_as_shape(shape) if shape.shape.ndims == 1 else unknown_shape()
    r = dims.ndims if dims.ndims is not None else static_rank(op.inputs[0], shape)
    out_rank = None
    if r is not None:
        ax = list(range(r)) if axes is None else sorted({a % r for a in axes})
        out_rank = r if keep else r - len(ax)
        if dims.ndims is not None:
            out = [1 if d in ax else dims[d].value for d in range(r)] if keep else \
                [dims[d].value for d in range(r) if d not in ax]
            out_dense = TensorShape(out)
        else:
            out_dense = TensorShape([None] * out_rank)
    else:
        out_dense = unknown_shape()
    if not op.attrs["sparse_output"]:
        return [(values.dtype, out_dense)]
    return [(dt.int64, TensorShape([None, out_rank])), (values.dtype, TensorShape([None])),
            (dt.int64, TensorShape([out_rank]))]


def _reduce_compute(indices, values, shape, *, axes, keep_dims, kind, sparse_output):
    check_bounds(indices, shape)
    ax = _axes(axes, shape.size)
    coords, out_shape = _reduced_coords(indices, shape, ax, keep_dims)
    if sparse_output:
        if coords.shape[0] == 0:
            return coords.reshape(0, out_shape.size), values[:0], out_shape
        uniq, inverse = np.unique(coords, axis=0, return_inverse=True)
        inverse = inverse.reshape(-1)
        out = _group(kind, values, inverse, uniq.shape[0])
        return uniq.astype(np.int64), out, out_shape
    dims = tuple(int(d) for d in out_shape)
    flat = np.ravel_multi_index(tuple(coords.T), dims) if coords.shape[1] else \
        np.zeros(coords.shape[0], np.int64)
    out = _group(kind, values, flat, int(np.prod(dims)))
    return out.reshape(dims)


def _group(kind, values, ids, n):
    """Sum or max of values by group id (an empty group is 0, as in TF1)."""
    if kind == "sum":
        out = np.zeros(n, values.dtype)
        np.add.at(out, ids, values)
        return out
    low = np.finfo(values.dtype).min if values.dtype.kind == "f" else \
        np.iinfo(values.dtype).min
    out = np.full(n, low, values.dtype)
    np.maximum.at(out, ids, values)
    counts = np.bincount(ids, minlength=n)
    return np.where(counts > 0, out, 0).astype(values.dtype)


def _reduce_sum_vjp(op, grads):
    indices, _, shape = op.inputs
    r = static_rank(indices, shape)
    if r is None:
        raise ValueError(f"the gradient of SparseReduceSum '{op.name}' needs the sparse "
                         "tensor's rank to be known when the graph is built")
    ax = list(range(r)) if op.attrs["axes"] is None else sorted({a % r for a in
                                                                op.attrs["axes"]})
    mask = np.zeros(r, np.int64)
    mask[ax] = 1
    kept = multiply(shape, 1 - mask) + mask
    g = reshape(grads[0], kept)
    scale = floordiv(shape, kept)
    return [None, gather_nd(g, floordiv(indices, scale)), None]


for _kind, _sparse in (("sum", False), ("sum", True), ("max", False), ("max", True)):
    defop(f"SparseReduce{_kind.capitalize()}" + ("Sparse" if _sparse else ""), _reduce_infer,
          _reduce_compute, _reduce_sum_vjp if _kind == "sum" and not _sparse
          else NON_DIFFERENTIABLE, family=FAMILY)


def sparse_reduce_op(kind: str, indices, values, dense_shape, axes, keep_dims: bool,
                     sparse_output: bool, name: Optional[str] = None):
    op_type = f"SparseReduce{kind.capitalize()}" + ("Sparse" if sparse_output else "")
    return apply(op_type, tensors(indices, values, dense_shape, int64=(0, 2)),
                 {"axes": None if axes is None else [int(a) for a in axes],
                  "keep_dims": bool(keep_dims), "kind": kind, "sparse_output": sparse_output},
                 name=name or op_type)


# ------------------------------------------------------------------ SparseSoftmax
def _softmax_infer(op):
    check_sparse(op, 0, "sp")
    values = op.inputs[1]
    check_dtype(op, values, dt.FLOATS, "sp_values")
    if static_rank(op.inputs[0], op.inputs[2]) not in (None,) and \
            static_rank(op.inputs[0], op.inputs[2]) < 2:
        raise ValueError("sparse softmax needs a SparseTensor of rank 2 or more")
    return [(values.dtype, values.shape)]


def _softmax_compute(indices, values, shape):
    check_bounds(indices, shape, "sp_indices")
    if shape.size < 2:
        raise InvalidArgumentError(None, None, f"sp_shape must have rank >= 2, got "
                                   f"{shape.tolist()}")
    if not values.size:
        return values.copy()
    _, rows = np.unique(indices[:, :-1], axis=0, return_inverse=True)
    rows = rows.reshape(-1)
    n = int(rows.max()) + 1
    top = np.full(n, -np.inf, values.dtype)
    np.maximum.at(top, rows, values)
    e = np.exp(values - top[rows])
    total = np.zeros(n, values.dtype)
    np.add.at(total, rows, e)
    return (e / total[rows]).astype(values.dtype)


def _softmax_vjp(op, grads):
    indices, _, shape = op.inputs
    out, g = op.outputs[0], grads[0]
    total = negative(sparse_reduce_op("sum", indices, multiply(out, g), shape, [-1], True,
                                      False))
    shifted = sparse_dense_cwise_op("Add", indices, g, shape, total)
    return [None, multiply(shifted, out), None]


defop("SparseSoftmax", _softmax_infer, _softmax_compute, _softmax_vjp, family=FAMILY)


def sparse_softmax_op(indices, values, dense_shape, name: Optional[str] = None):
    return apply("SparseSoftmax", tensors(indices, values, dense_shape, int64=(0, 2)),
                 name=name or "SparseSoftmax")


# ------------------------------------------------------------------ sparse (op) dense
def _cwise_infer(op):
    check_sparse(op, 0, "sp")
    check_operands(op, 1, 3, "sp_values", "dense")
    return [(op.inputs[1].dtype, op.inputs[1].shape)]


_CWISE = {"Add": np.add, "Mul": np.multiply, "Div": np.divide}


def _cwise_compute(kind):
    def compute(indices, values, shape, dense):
        check_bounds(indices, shape, "sp_indices")
        dims = tuple(int(d) for d in shape)
        try:
            full = np.broadcast_to(dense, dims)
        except ValueError:
            raise InvalidArgumentError(None, None, f"SparseDenseBinaryOpShared broadcasts "
                                       f"dense to sparse only; got incompatible shapes: "
                                       f"[{', '.join(map(str, dims))}] vs. "
                                       f"{list(dense.shape)}") from None
        picked = full[tuple(indices.T)]
        if kind == "Div" and values.dtype.kind in "iu":
            return np.floor_divide(values, picked)
        return _CWISE[kind](values, picked).astype(values.dtype)
    return compute


def _cwise_vjp(kind):
    def vjp(op, grads):
        """TF1's: the dense operand's entries each sparse entry read, found by dividing its
        index by the broadcast's scale (shapes at run time)."""
        indices, values, shape, y = op.inputs
        y_shape = cast(shape_of(y), dt.int64)
        added = reshape(size(shape, out_type=dt.int64) - size(y_shape, out_type=dt.int64), [1])
        augmented = concat([ones(added, dt.int64), y_shape], 0)
        scaled = floordiv(indices, floordiv(shape, augmented))
        scaled = slice_(scaled, concat([np.zeros(1, np.int64), added], 0),
                        convert_to_tensor(np.array([-1, -1], np.int64)))
        g = grads[0]
        if kind == "Add":
            return [None, g, None, scatter_nd(scaled, g, y_shape)]
        dense = gather_nd(y, scaled)
        if kind == "Mul":
            return [None, multiply(g, dense), None, scatter_nd(scaled, multiply(g, values),
                                                               y_shape)]
        dy = multiply(g, truediv(negative(values), square(dense)))
        return [None, truediv(g, dense), None, scatter_nd(scaled, dy, y_shape)]
    return vjp


for _kind in _CWISE:
    defop(f"SparseDenseCwise{_kind}", _cwise_infer, _cwise_compute(_kind), _cwise_vjp(_kind),
          family=FAMILY)


def sparse_dense_cwise_op(kind: str, indices, values, dense_shape, dense,
                          name: Optional[str] = None):
    """values (kind: Add, Mul or Div) the dense tensor broadcast to the sparse one's shape,
    at the sparse entries."""
    return apply(f"SparseDenseCwise{kind}", tensors(indices, values, dense_shape, dense,
                                                    int64=(0, 2)),
                 name=name or f"SparseDenseCwise{kind}")

