"""TF1's sparse functions (`tf.sparse.*` and the top-level `tf.sparse_*` names) over the
sparse ops of graphc.ir.ops.sparse_ops and sparse_combine_ops; compositions (retain,
transpose, from_dense, expand_dims, eye, merge, to_indicator, reset_shape) are built from
ordinary ops as in TF1's sparse_ops.py.
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from .ir import dtypes as dt
from .ir.context import get_default_graph
from .ir.graph import TensorLike
from .ir.ops import sparse_combine_ops as C, sparse_ops as S
from .ir.ops._base import const_value, convert_to_tensor, static_int_list
from .ir.ops.array_ops import (concat, expand_dims, reshape, shape as shape_of,
                               size as size_of, stack)
from .ir.ops.generator_ops import fill, ones, range as range_, zeros
from .ir.ops.math_ops import add, cast, floordiv, minimum, not_equal
from .ir.ops.matmul_ops import matmul
from .ir.ops.reduce_ops import reduce_max
from .ir.ops.segment_ops import sparse_segment_mean, sparse_segment_sqrt_n, sparse_segment_sum
from .ir.ops.slicing_ops import gather, gather_nd
from .ir.ops.math_ops import where as _where
from .sparse_tensor import (SparseTensor, SparseTensorValue, as_sparse,
                            convert_to_tensor_or_sparse_tensor, sparse_placeholder)

__all__ = ["sparse_tensor_to_dense", "sparse_to_dense", "sparse_reorder", "sparse_reshape",
           "sparse_add", "sparse_concat", "sparse_reduce_sum", "sparse_reduce_sum_sparse",
           "sparse_reduce_max", "sparse_reduce_max_sparse", "sparse_tensor_dense_matmul",
           "sparse_retain", "sparse_slice", "sparse_transpose", "sparse_fill_empty_rows",
           "sparse_split", "sparse_maximum", "sparse_minimum", "sparse_softmax", "from_dense",
           "sparse_to_indicator", "sparse_merge", "sparse_expand_dims", "sparse_eye",
           "sparse_reset_shape", "sparse_matmul", "sparse_placeholder", "SparseTensor",
           "SparseTensorValue", "convert_to_tensor_or_sparse_tensor"]


def _scope(name, default):
    return get_default_graph().name_scope(name or default)


def _parts(sp):
    sp = as_sparse(sp)
    return sp.indices, sp.values, sp.dense_shape


def _zero(values):
    return np.array(b"" if values.dtype.is_string else 0, dtype=values.dtype.np)


# ------------------------------------------------------------------ to and from dense
def sparse_tensor_to_dense(sp_input, default_value=None, validate_indices: bool = True,
                           name: Optional[str] = None):
    """TF1 `tf.sparse.to_dense`: the dense tensor, `default_value` (0) where no entry is;
    indices must be in canonical order and unique unless validate_indices=False."""
    indices, values, dense_shape = _parts(sp_input)
    default = _zero(values) if default_value is None else default_value
    default = convert_to_tensor(default, dtype=values.dtype, name="default_value")
    return S.sparse_to_dense_op(indices, dense_shape, values, default, validate_indices,
                                name=name or "SparseToDense")


def sparse_to_dense(sparse_indices, output_shape, sparse_values, default_value=0,
                    validate_indices: bool = True, name: Optional[str] = None):
    """TF1 `tf.sparse_to_dense`: indices a scalar, vector or [N, rank] matrix; values a
    scalar (every entry) or [N]."""
    indices = convert_to_tensor(sparse_indices, name="sparse_indices")
    if indices.shape.ndims == 0:
        indices = reshape(indices, [1, 1])
    elif indices.shape.ndims == 1:
        indices = expand_dims(indices, 1)
    values = convert_to_tensor(sparse_values, name="sparse_values")
    out_shape = convert_to_tensor(output_shape, dtype_hint=indices.dtype, name="output_shape")
    if out_shape.shape.ndims == 0:
        out_shape = reshape(out_shape, [1])
    default = convert_to_tensor(default_value, dtype=values.dtype, name="default_value")
    return S.sparse_to_dense_op(indices, out_shape, values, default, validate_indices,
                                name=name or "SparseToDense")


def from_dense(tensor, name: Optional[str] = None) -> SparseTensor:
    """TF1 `tf.sparse.from_dense`: the entries of `tensor` that are not zero ('')."""
    with _scope(name, "dense_to_sparse"):
        t = convert_to_tensor(tensor)
        indices = _where(not_equal(t, _zero(t)))
        return SparseTensor(indices, gather_nd(t, indices), shape_of(t, out_type=dt.int64))


# ------------------------------------------------------------------ one sparse tensor
def sparse_reorder(sp_input, name: Optional[str] = None) -> SparseTensor:
    """TF1 `tf.sparse.reorder`: the entries in canonical (row-major) order."""
    indices, values, dense_shape = _parts(sp_input)
    new_indices, new_values = S.sparse_reorder_op(indices, values, dense_shape, name=name)
    return SparseTensor(new_indices, new_values, dense_shape)


def sparse_reshape(sp_input, shape, name: Optional[str] = None) -> SparseTensor:
    """TF1 `tf.sparse.reshape`: the same entries in a dense shape of the same size (one
    dim may be -1)."""
    indices, values, dense_shape = _parts(sp_input)
    new_shape = convert_to_tensor(shape, dtype=dt.int64, name="shape")
    new_indices, out_shape = S.sparse_reshape_op(indices, dense_shape, new_shape, name=name)
    return SparseTensor(new_indices, values, out_shape)


def _reduce(kind, sp_input, axis, keepdims, reduction_axes, keep_dims, sparse_output):
    if axis is None:
        axis = reduction_axes
    keep = bool(keepdims) if keepdims is not None else bool(keep_dims)
    axes = static_int_list(axis, "the reduction axes")
    indices, values, dense_shape = _parts(sp_input)
    out = S.sparse_reduce_op(kind, indices, values, dense_shape, axes, keep, sparse_output)
    return SparseTensor(*out) if sparse_output else out


def sparse_reduce_sum(sp_input, axis=None, keepdims=None, reduction_axes=None,
                      keep_dims=None):
    """TF1 `tf.sparse.reduce_sum`: a dense sum over `axis` (all axes when None)."""
    return _reduce("sum", sp_input, axis, keepdims, reduction_axes, keep_dims, False)


def sparse_reduce_sum_sparse(sp_input, axis=None, keepdims=None, reduction_axes=None,
                             keep_dims=None) -> SparseTensor:
    """TF1 `tf.sparse.reduce_sum_sparse`: the sum as a SparseTensor of the groups that have
    entries."""
    return _reduce("sum", sp_input, axis, keepdims, reduction_axes, keep_dims, True)


def sparse_reduce_max(sp_input, axis=None, keepdims=None, reduction_axes=None,
                      keep_dims=None):
    """TF1 `tf.sparse.reduce_max`: the max of the entries (implicit zeros do not take
    part; a group without entries is 0)."""
    return _reduce("max", sp_input, axis, keepdims, reduction_axes, keep_dims, False)


def sparse_reduce_max_sparse(sp_input, axis=None, keepdims=None, reduction_axes=None,
                             keep_dims=None) -> SparseTensor:
    """TF1 `tf.sparse.reduce_max_sparse`: reduce_max as a SparseTensor."""
    return _reduce("max", sp_input, axis, keepdims, reduction_axes, keep_dims, True)


def sparse_tensor_dense_matmul(sp_a, b, adjoint_a: bool = False, adjoint_b: bool = False,
                               name: Optional[str] = None):
    """TF1 `tf.sparse.sparse_dense_matmul` (`tf.sparse.matmul`): sparse [M, K] (adjoint:
    [K, M]) times dense [K, N]; repeated indices add."""
    indices, values, dense_shape = _parts(sp_a)
    b = convert_to_tensor(b, dtype=values.dtype, name="b")
    return S.sparse_dense_matmul_op(indices, values, dense_shape, b, adjoint_a, adjoint_b,
                                    name=name)


def sparse_matmul(a, b, transpose_a: bool = False, transpose_b: bool = False,
                  a_is_sparse: bool = False, b_is_sparse: bool = False,
                  name: Optional[str] = None):
    """TF1 `tf.sparse_matmul`: a dense matmul (the sparsity flags are hints TF1's kernel
    used; graphc's matmul is the same product)."""
    return matmul(a, b, transpose_a=transpose_a, transpose_b=transpose_b,
                  name=name or "SparseMatMul")


def sparse_retain(sp_input, to_retain) -> SparseTensor:
    """TF1 `tf.sparse.retain`: the entries where the bool vector `to_retain` is True."""
    indices, values, dense_shape = _parts(sp_input)
    keep = convert_to_tensor(to_retain, dtype=dt.bool_, name="to_retain")
    if keep.shape.ndims not in (None, 1):
        raise ValueError(f"to_retain must be a vector, got shape {keep.shape}")
    if keep.shape.ndims == 1 and values.shape.ndims == 1 and \
            not keep.shape[0].is_compatible_with(values.shape[0]):
        raise ValueError(f"to_retain (shape {keep.shape}) must have one entry per value of "
                         f"sp_input (shape {values.shape})")
    where_true = reshape(_where(keep), [-1])
    return SparseTensor(gather(indices, where_true), gather(values, where_true), dense_shape)


def sparse_slice(sp_input, start, size, name: Optional[str] = None) -> SparseTensor:
    """TF1 `tf.sparse.slice`: the entries in [start, start + size), shifted to start at 0;
    the dense shape is cut at the input's."""
    indices, values, dense_shape = _parts(sp_input)
    start = convert_to_tensor(start, dtype=dt.int64, name="start")
    size = convert_to_tensor(size, dtype=dt.int64, name="size")
    return SparseTensor(*C.sparse_slice_op(indices, values, dense_shape, start, size, name))


def _rank(sp: SparseTensor, what: str) -> int:
    r = S.static_rank(sp.indices, sp.dense_shape)
    if r is None:
        raise ValueError(f"{what} needs the SparseTensor's rank to be known when the graph "
                         "is built")
    return r


def sparse_transpose(sp_input, perm=None, name: Optional[str] = None) -> SparseTensor:
    """TF1 `tf.sparse.transpose`: the dims permuted by `perm` (reversed when None), in
    canonical order."""
    sp = as_sparse(sp_input)
    with _scope(name, "SparseTranspose"):
        if perm is None:
            r = _rank(sp, "sparse_transpose(perm=None)")
            perm = np.arange(r - 1, -1, -1, dtype=np.int64)
        p = convert_to_tensor(perm, dtype_hint=dt.int64, name="perm")
        indices = gather(sp.indices, p, axis=1)
        shape = gather(sp.dense_shape, p)
        return sparse_reorder(SparseTensor(indices, sp.values, shape))


def sparse_fill_empty_rows(sp_input, default_value, name: Optional[str] = None):
    """TF1 `tf.sparse.fill_empty_rows`: (the SparseTensor with [row, 0, ...] =
    default_value added to each row without entries, the bool vector of those rows)."""
    indices, values, dense_shape = _parts(sp_input)
    default = convert_to_tensor(default_value, dtype=values.dtype, name="default_value")
    out_idx, out_val, empty, _ = C.sparse_fill_empty_rows_op(indices, values, dense_shape,
                                                             default, name)
    return SparseTensor(out_idx, out_val, dense_shape), empty


class KeywordRequired:
    """TF1's marker that sparse_split's parameters are passed by keyword."""

    def __repr__(self) -> str:
        return "KeywordRequired()"


_KEYWORD_REQUIRED = KeywordRequired()


def sparse_split(keyword_required=_KEYWORD_REQUIRED, sp_input=None, num_split=None,
                 axis=None, name: Optional[str] = None, split_dim=None) -> list:
    """TF1 `tf.sparse.split`: `num_split` SparseTensors cut along `axis` (the first
    size % num_split pieces one longer)."""
    if not isinstance(keyword_required, KeywordRequired):
        raise ValueError("Keyword arguments are required for this function.")
    if sp_input is None:
        raise ValueError("sp_input is required")
    if num_split is None:
        raise ValueError("num_split is required")
    if axis is None:
        axis = split_dim
    if axis is None:
        raise ValueError("axis is required")
    indices, values, dense_shape = _parts(sp_input)
    dim = convert_to_tensor(axis, dtype=dt.int64, name="split_dim")
    return [SparseTensor(*t) for t in C.sparse_split_op(dim, indices, values, dense_shape,
                                                        int(num_split), name)]


def sparse_softmax(sp_input, name: Optional[str] = None) -> SparseTensor:
    """TF1 `tf.sparse.softmax`: softmax over the entries of each innermost row (implicit
    zeros take no part)."""
    indices, values, dense_shape = _parts(sp_input)
    return SparseTensor(indices, S.sparse_softmax_op(indices, values, dense_shape, name),
                        dense_shape)


# ------------------------------------------------------------------ two sparse tensors
def sparse_add(a, b, threshold=None, thresh=None):
    """TF1 `tf.sparse.add`: sparse + sparse is a SparseTensor (a sum below `threshold` in
    magnitude takes no space); sparse + dense is a dense tensor."""
    if threshold is None:
        threshold = 0 if thresh is None else thresh
    sparse_a = isinstance(a, (SparseTensor, SparseTensorValue))
    sparse_b = isinstance(b, (SparseTensor, SparseTensorValue))
    if not sparse_a and not sparse_b:
        raise TypeError("At least one input should be SparseTensor; do you mean to use "
                        "tf.add()?")
    if sparse_a and sparse_b:
        a, b = as_sparse(a, "a"), as_sparse(b, "b")
        real = dt.as_dtype(a.values.dtype)
        t = convert_to_tensor(threshold, dtype=real, name="threshold")
        out = C.sparse_add_op(_parts(a), _parts(b), t)
        return SparseTensor(*out)
    sp, dense = (as_sparse(a, "a"), b) if sparse_a else (as_sparse(b, "b"), a)
    dense = convert_to_tensor(dense, dtype=sp.values.dtype, name="b")
    return S.sparse_dense_add_op(sp.indices, sp.values, sp.dense_shape, dense)


def sparse_maximum(sp_a, sp_b, name: Optional[str] = None) -> SparseTensor:
    """TF1 `tf.sparse.maximum`: elementwise maximum of two sparse tensors of one shape
    (absent entries count as 0)."""
    a = as_sparse(sp_a, "sp_a")
    idx, val = C.sparse_sparse_op("Maximum", _parts(a), _parts(sp_b), name)
    return SparseTensor(idx, val, a.dense_shape)


def sparse_minimum(sp_a, sp_b, name: Optional[str] = None) -> SparseTensor:
    """TF1 `tf.sparse.minimum`: elementwise minimum (absent entries count as 0)."""
    a = as_sparse(sp_a, "sp_a")
    idx, val = C.sparse_sparse_op("Minimum", _parts(a), _parts(sp_b), name)
    return SparseTensor(idx, val, a.dense_shape)


def sparse_concat(axis, sp_inputs, name: Optional[str] = None,
                  expand_nonconcat_dim: bool = False, concat_dim=None,
                  expand_nonconcat_dims=None) -> SparseTensor:
    """TF1 `tf.sparse.concat`: the inputs joined along `axis`, in canonical order; with
    expand_nonconcat_dim the other dims are the inputs' largest."""
    if concat_dim is not None:
        axis = concat_dim
    if expand_nonconcat_dims is not None:
        expand_nonconcat_dim = expand_nonconcat_dims
    if not isinstance(sp_inputs, (list, tuple)) or not sp_inputs:
        raise TypeError("sp_inputs must be a non-empty list of SparseTensors")
    dim = static_int_list(axis, "sparse_concat's axis")
    if dim is None or len(dim) != 1:
        raise ValueError(f"sparse_concat's axis must be one integer, got {axis!r}")
    out = C.sparse_concat_op(dim[0], [_parts(s) for s in sp_inputs], expand_nonconcat_dim,
                             name)
    return SparseTensor(*out)


# ------------------------------------------------------------------ compositions
def sparse_merge(sp_ids, sp_values, vocab_size, name: Optional[str] = None,
                 already_sorted: bool = False) -> SparseTensor:
    """TF1 `tf.sparse.merge`: ids become the last index (of size vocab_size), values the
    values: [..., k] ids of a row give entries [..., id]."""
    ids_t, vals = as_sparse(sp_ids, "sp_ids"), as_sparse(sp_values, "sp_values")
    with _scope(name, "SparseMerge"):
        r = _rank(ids_t, "sparse_merge")
        ids = cast(ids_t.values, dt.int64)
        keep = gather(ids_t.indices, np.arange(r - 1, dtype=np.int64), axis=1)
        new_indices = concat([keep, expand_dims(ids, 1)], 1)
        vocab = convert_to_tensor(vocab_size, dtype=dt.int64, name="vocab_size")
        new_shape = concat([gather(ids_t.dense_shape, np.arange(r - 1, dtype=np.int64)),
                            reshape(vocab, [1])], 0)
        result = SparseTensor(new_indices, vals.values, new_shape)
        return result if already_sorted else sparse_reorder(result)


def sparse_to_indicator(sp_input, vocab_size, name: Optional[str] = None):
    """TF1 `tf.sparse.to_indicator`: a dense bool tensor [..., vocab_size], True at each
    id the last dim's entries hold."""
    sp = as_sparse(sp_input)
    with _scope(name, "SparseToIndicator"):
        n = shape_of(sp.indices)[0]
        flags = fill(expand_dims(n, 0), True)
        merged = sparse_merge(sp, SparseTensor(sp.indices, flags, sp.dense_shape), vocab_size)
        return sparse_tensor_to_dense(merged, default_value=False, validate_indices=False)


def sparse_expand_dims(sp_input, axis=None, name: Optional[str] = None) -> SparseTensor:
    """TF1 `tf.sparse.expand_dims`: a dim of size 1 inserted at `axis` (-1: last)."""
    sp = as_sparse(sp_input)
    r = _rank(sp, "sparse_expand_dims")
    a = -1 if axis is None else axis
    if isinstance(a, TensorLike):
        v = const_value(a._as_tensor())
        if v is None:
            raise ValueError("sparse_expand_dims needs axis known when the graph is built")
        a = int(v)
    if not -r - 1 <= a <= r:
        raise ValueError(f"axis must be in range [{-r - 1}, {r}], got {a}")
    a = a if a >= 0 else a + r + 1
    with _scope(name, "expand_dims"):
        n = shape_of(sp.indices)[0]
        column = zeros(stack([n, 1]), dt.int64)
        before = gather(sp.indices, np.arange(a, dtype=np.int64), axis=1)
        after = gather(sp.indices, np.arange(a, r, dtype=np.int64), axis=1)
        indices = concat([before, column, after], 1)
        shape = concat([gather(sp.dense_shape, np.arange(a, dtype=np.int64)),
                        np.ones(1, np.int64),
                        gather(sp.dense_shape, np.arange(a, r, dtype=np.int64))], 0)
        return SparseTensor(indices, sp.values, shape)


def sparse_eye(num_rows, num_columns=None, dtype=dt.float32, name: Optional[str] = None):
    """TF1 `tf.sparse.eye`: the identity [num_rows, num_columns] as a SparseTensor."""
    with _scope(name, "eye"):
        rows = convert_to_tensor(num_rows, dtype=dt.int64, name="num_rows")
        cols = rows if num_columns is None else convert_to_tensor(num_columns, dtype=dt.int64,
                                                                  name="num_columns")
        n = minimum(rows, cols)
        diag = range_(n, dtype=dt.int64)
        return SparseTensor(stack([diag, diag], axis=1), ones(reshape(n, [1]), dtype),
                            stack([rows, cols]))


def sparse_reset_shape(sp_input, new_shape=None) -> SparseTensor:
    """TF1 `tf.sparse.reset_shape`: the tightest dense shape holding the entries (max
    index + 1), or `new_shape`, which may not be smaller than the current one."""
    sp = as_sparse(sp_input)
    if new_shape is None:
        return SparseTensor(sp.indices, sp.values,
                            add(reduce_max(sp.indices, axis=0), np.int64(1)))
    shape = convert_to_tensor(new_shape, dtype=dt.int64, name="new_shape")
    old, new = const_value(sp.dense_shape), const_value(shape)
    if old is not None and new is not None and (old.shape != new.shape or np.any(new < old)):
        raise ValueError(f"new_shape {new.tolist()} must have the rank of sp_input's dense "
                         f"shape {old.tolist()} and no smaller dims")
    return SparseTensor(sp.indices, sp.values, shape)


def _sparse_or_dense(x, what: str):
    """A SparseTensor (from a SparseTensorValue too) or a dense tensor."""
    t = convert_to_tensor_or_sparse_tensor(x)
    return t if isinstance(t, SparseTensor) else (
        t._as_tensor() if isinstance(t, TensorLike) else convert_to_tensor(t, name=what))


def sparse_bincount(values, weights=None, axis=0, minlength=None, maxlength=None,
                    binary_output: bool = False, name: Optional[str] = None) -> SparseTensor:
    """TF1 `tf.sparse.bincount`: a SparseTensor of the counts of each value (weights'
    sums; 1 with binary_output) over all values (axis 0) or per row of a 2-D input
    (axis -1); `maxlength` bins (values beyond are dropped), else max(largest + 1,
    minlength)."""
    from .ir.ops.sparse_feature_ops import count_sparse_output
    if axis is None:
        axis = 0
    if axis not in (0, -1):
        raise ValueError(f"Unsupported axis value {axis}. Only 0 and -1 are currently "
                         f"supported.")
    v = _sparse_or_dense(values, "values")
    w = None if weights is None else _sparse_or_dense(weights, "weights")
    if isinstance(v, SparseTensor) != (w is None or isinstance(w, SparseTensor)) and \
            w is not None:
        raise ValueError("Argument `weights` must be a SparseTensor if `values` is a "
                         "SparseTensor (and dense if it is dense)")
    by_row = axis == -1
    with _scope(name, "count"):
        if isinstance(v, SparseTensor):
            flat, rows = v.values, gather(v.indices, 0, axis=1) if by_row else None
            num_rows = gather(v.dense_shape, 0) if by_row else None
            wv = None if w is None else w.values
        else:
            if by_row and v.shape.ndims is None:
                raise ValueError("bincount with axis=-1 needs an input of known rank")
            if by_row and v.shape.ndims != 2:  # (TF: a vector counts as a whole)
                if v.shape.ndims != 1:
                    raise ValueError(f"bincount with axis=-1 needs a 1-D or 2-D input, got "
                                     f"shape {v.shape}")
                by_row = False
            flat = reshape(v, [-1])
            wv = None if w is None else reshape(w, [-1])
            rows = num_rows = None
            if by_row:
                n = shape_of(v, out_type=dt.int64)
                num_rows, width = gather(n, 0), gather(n, 1)
                rows = floordiv(range_(size_of(v, out_type=dt.int64)), width)
        indices, counts, shape = count_sparse_output(
            flat, rows, wv, num_rows, -1 if minlength is None else minlength,
            -1 if maxlength is None else maxlength, binary_output, by_row)
        return SparseTensor(indices, counts, shape)


def _cross_inputs(inputs, fn: str) -> tuple:
    if not isinstance(inputs, (list, tuple)):
        raise TypeError(f"{fn}: inputs must be a list")
    converted = [_sparse_or_dense(x, "inputs") for x in inputs]
    sparse = [(x.indices, x.values, x.dense_shape) for x in converted
              if isinstance(x, SparseTensor)]
    dense = [x for x in converted if not isinstance(x, SparseTensor)]
    return sparse, dense  # (TF: the sparse inputs first, then the dense ones)


def sparse_cross(inputs, name: Optional[str] = None, separator=None) -> SparseTensor:
    """TF1 `tf.sparse.cross`: per batch row the crossing of the inputs' features (2-D
    SparseTensors first, then dense [batch, k] tensors) as strings joined by
    `separator` ('_X_')."""
    from .ir.ops.sparse_feature_ops import sparse_cross_op
    sparse, dense = _cross_inputs(inputs, "sparse.cross")
    return SparseTensor(*sparse_cross_op(sparse, dense, False,
                                         separator="_X_" if separator is None else separator,
                                         name=name))


def sparse_cross_hashed(inputs, num_buckets: int = 0, hash_key=None,
                        name: Optional[str] = None) -> SparseTensor:
    """TF1 `tf.sparse.cross_hashed`: as cross, each crossing hashed (FarmHash
    Fingerprint64 of each feature, combined from hash_key) into num_buckets (0: any
    int64)."""
    from .ir.ops.sparse_feature_ops import DEFAULT_HASH_KEY, sparse_cross_op
    sparse, dense = _cross_inputs(inputs, "sparse.cross_hashed")
    return SparseTensor(*sparse_cross_op(
        sparse, dense, True, num_buckets, DEFAULT_HASH_KEY if hash_key is None else hash_key,
        name=name))


SPARSE = {
    "SparseTensor": SparseTensor, "SparseTensorValue": SparseTensorValue,
    "to_dense": sparse_tensor_to_dense, "from_dense": from_dense, "reorder": sparse_reorder,
    "reshape": sparse_reshape, "add": sparse_add, "concat": sparse_concat,
    "reduce_sum": sparse_reduce_sum, "reduce_sum_sparse": sparse_reduce_sum_sparse,
    "reduce_max": sparse_reduce_max, "reduce_max_sparse": sparse_reduce_max_sparse,
    "matmul": sparse_tensor_dense_matmul, "sparse_dense_matmul": sparse_tensor_dense_matmul,
    "retain": sparse_retain, "slice": sparse_slice, "transpose": sparse_transpose,
    "fill_empty_rows": sparse_fill_empty_rows, "split": sparse_split,
    "maximum": sparse_maximum, "minimum": sparse_minimum, "softmax": sparse_softmax,
    "to_indicator": sparse_to_indicator, "merge": sparse_merge,
    "expand_dims": sparse_expand_dims, "eye": sparse_eye, "reset_shape": sparse_reset_shape,
    "placeholder": sparse_placeholder, "segment_sum": sparse_segment_sum,
    "segment_mean": sparse_segment_mean, "segment_sqrt_n": sparse_segment_sqrt_n,
    "bincount": sparse_bincount, "cross": sparse_cross, "cross_hashed": sparse_cross_hashed,
}
