"""TF1's `tf.nn.embedding_lookup_sparse` and `tf.nn.safe_embedding_lookup_sparse`:
embeddings of the ids of a SparseTensor, combined per row (sum, mean or sqrtn, weighted
by a second SparseTensor), built from gathers and segment sums as in TF1's
embedding_ops.py, so their gradients reach `params` through the ordinary rules.
"""
from __future__ import annotations

from typing import Optional

from .ir import dtypes as dt
from .ir.context import get_default_graph
from .ir.ops.array_ops import concat, reshape, shape as shape_of
from .ir.ops.generator_ops import ones_like, zeros_like
from .ir.ops.math_ops import (cast, greater, greater_equal, logical_and, multiply, sqrt,
                              square, truediv, where)
from .ir.ops.reduce_ops import reduce_prod
from .ir.ops.segment_ops import (segment_sum, sparse_segment_mean, sparse_segment_sqrt_n,
                                 sparse_segment_sum, unique)
from .ir.ops.slicing_ops import gather
from .ir.ops.tile_pad_ops import tile
from .sparse_functions import sparse_fill_empty_rows, sparse_reshape, sparse_retain
from .sparse_tensor import SparseTensor, as_sparse

__all__ = ["embedding_lookup_sparse", "safe_embedding_lookup_sparse"]

_COMBINERS = ("sum", "mean", "sqrtn")


def _one_params(params, fn: str):
    if isinstance(params, (list, tuple)):
        if len(params) != 1:
            raise NotImplementedError(f"graphc's {fn} takes one params tensor (got a list of "
                                      f"{len(params)} shards)")
        params = params[0]
    return params


def embedding_lookup_sparse(params, sp_ids, sp_weights, partition_strategy: str = "mod",
                            name: Optional[str] = None, combiner=None, max_norm=None,
                            allow_fast_lookup: bool = False):
    """TF1 `tf.nn.embedding_lookup_sparse`: row i of the result combines params[id] for the
    ids of row i of sp_ids (rank 2), weighted by sp_weights (None: 1). Rows after the last
    row with an id are not in the result (TF1); combiner None is "mean"."""
    combiner = "mean" if combiner is None else combiner
    if combiner not in _COMBINERS:
        raise ValueError(f"combiner must be one of 'mean', 'sqrtn' or 'sum', got {combiner!r}")
    if max_norm is not None:
        raise NotImplementedError("embedding_lookup_sparse(max_norm=...) is not supported")
    params = _one_params(params, "embedding_lookup_sparse")
    ids_sp = as_sparse(sp_ids, "sp_ids")
    weights_sp = None if sp_weights is None else as_sparse(sp_weights, "sp_weights")
    with get_default_graph().name_scope(name or "embedding_lookup_sparse"):
        segment_ids = gather(ids_sp.indices, 0, axis=1)
        segment_ids = cast(segment_ids, dt.int32)
        ids, idx = unique(ids_sp.values)
        embeddings = gather(params, ids)
        if weights_sp is None:
            fn = {"sum": sparse_segment_sum, "mean": sparse_segment_mean,
                  "sqrtn": sparse_segment_sqrt_n}[combiner]
            return fn(embeddings, idx, segment_ids)
        weights = weights_sp.values
        if weights.dtype is not embeddings.dtype:
            weights = cast(weights, embeddings.dtype)
        embeddings = gather(embeddings, idx)
        rank = embeddings.shape.ndims
        if rank is None:
            raise ValueError("embedding_lookup_sparse needs the rank of params to be known")
        weights = reshape(weights, concat([shape_of(weights), [1] * (rank - 1)], 0))
        embeddings = multiply(embeddings, weights)
        total = segment_sum(embeddings, segment_ids)
        if combiner == "sum":
            return total
        if combiner == "mean":
            return truediv(total, segment_sum(weights, segment_ids))
        return truediv(total, sqrt(segment_sum(square(weights), segment_ids)))


def safe_embedding_lookup_sparse(embedding_weights, sparse_ids, sparse_weights=None,
                                 combiner: str = "mean", default_id=None,
                                 name: Optional[str] = None, partition_strategy: str = "div",
                                 max_norm=None, allow_fast_lookup: bool = False):
    """TF1 `tf.nn.safe_embedding_lookup_sparse`: embedding_lookup_sparse for ids of any
    rank >= 2, dropping negative ids (and, unless combiner is "sum", ids of weight <= 0);
    a row without ids gives params[default_id], or zeros when default_id is None. The
    result has the ids' leading dims and the embedding's trailing ones."""
    params = _one_params(embedding_weights, "safe_embedding_lookup_sparse")
    ids_sp = as_sparse(sparse_ids, "sparse_ids")
    weights_sp = None if sparse_weights is None else as_sparse(sparse_weights, "sparse_weights")
    with get_default_graph().name_scope(name or "embedding_lookup"):
        original_shape = ids_sp.dense_shape
        r = ids_sp.dense_shape.shape[0].value if ids_sp.dense_shape.shape.ndims == 1 else None
        if r is None:
            raise ValueError("safe_embedding_lookup_sparse needs the rank of sparse_ids known")
        leading = gather(original_shape, list(range(r - 1)))
        flat = sparse_reshape(ids_sp, concat([reshape(reduce_prod(leading), [1]),
                                              gather(original_shape, [r - 1])], 0))
        if weights_sp is not None:
            weights_sp = SparseTensor(flat.indices, weights_sp.values, flat.dense_shape)
        valid = greater_equal(flat.values, zeros_like(flat.values))
        if weights_sp is not None:
            valid = logical_and(valid, ones_like(weights_sp.values, dtype=dt.bool_))
        flat = sparse_retain(flat, valid)
        if weights_sp is not None:
            weights_sp = sparse_retain(weights_sp, valid)
        if combiner != "sum" and weights_sp is not None:
            positive = greater(weights_sp.values, zeros_like(weights_sp.values))
            flat = sparse_retain(flat, positive)
            weights_sp = sparse_retain(weights_sp, positive)
        flat, is_row_empty = sparse_fill_empty_rows(flat, default_id or 0)
        if weights_sp is not None:
            weights_sp, _ = sparse_fill_empty_rows(weights_sp, 1.0)
        result = embedding_lookup_sparse(params, flat, weights_sp, combiner=combiner,
                                         max_norm=max_norm)
        if default_id is None:
            empty = tile(reshape(is_row_empty, [-1, 1]),
                         concat([[1], gather(shape_of(result), [1])], 0))
            result = where(empty, zeros_like(result), result)
        out_shape = concat([cast(leading, dt.int32),
                            gather(shape_of(result), list(range(1, result.shape.ndims or 2)))],
                           0)
        return reshape(result, out_shape)
