"""`tf.metrics`' ranking metrics at k: precision_at_k, recall_at_k (and their *_at_top_k
forms over given top-k indices), sparse_precision_at_k, average_precision_at_k and
sparse_average_precision_at_k, with TF1's semantics, built on `tf.sets` as TF1's are.

Labels are int64 class ids, dense [D1, ..., DN, num_labels] (or [D1, ..., DN], one label
per row) or a SparseTensor; a row's top-k predicted ids are compared with its label set.
  precision = tp / (tp + fp), recall = tp / (tp + fn), summed over every row seen in
  float64 local variables (`precision_at_2/true_positive_at_2`, `.../false_positive_at_2`);
  0/0 is NaN, as TF1's. With `class_id`, only that class counts on both sides.
  average precision of a row = sum over i <= k of precision@i * rel_i, divided by
  min(k, number of labels) (dense labels count those >= 0); the metric is the weighted
  mean over rows (`average_precision_at_2/total` over `.../max_1`), 0 before any row.
Weights multiply each row's counts.
"""
from __future__ import annotations

import numpy as np

from . import sets
from .ir import dtypes as _dt
from .ir.ops import array_ops as A, math_ops as M, state_ops
from .ir.ops import generator_ops as G
from .ir.ops import matmul_ops as MM
from .ir.ops import reduce_ops as R
from .ir.ops import tile_pad_ops as T
from .ir.ops._base import convert_to_tensor
from .ir.ops.special_ops import div_no_nan
from .ir.ops.sort_ops import top_k
from .metric_variables import collect as _collect, metric_variable as _metric_variable
from .sparse_functions import sparse_concat, sparse_reshape, sparse_retain
from .sparse_tensor import SparseTensor, convert_to_tensor_or_sparse_tensor
from .variable_scope import variable_scope

__all__ = ["precision_at_k", "precision_at_top_k", "recall_at_k", "recall_at_top_k",
           "sparse_precision_at_k", "average_precision_at_k", "sparse_average_precision_at_k",
           "AT_K"]


def _at_k_name(name: str, k=None, class_id=None) -> str:
    name = f"{name}_at_{k}" if k is not None else f"{name}_at_k"
    return f"{name}_class{class_id}" if class_id is not None else name


def _rank(x):
    if isinstance(x, SparseTensor):
        n = x.dense_shape.shape.as_tuple()
        return None if n is None or n[0] is None else int(n[0])
    return x.shape.ndims


def _expand_labels(labels, predictions):
    """TF1's `_maybe_expand_labels`: labels of rank predictions' - 1 get a last dim of 1."""
    labels = convert_to_tensor_or_sparse_tensor(labels)
    labels_rank, predictions_rank = _rank(labels), predictions.shape.ndims
    if labels_rank is None or predictions_rank is None:
        raise ValueError(f"graphc needs the ranks of labels and predictions when the graph "
                         f"is built (labels rank {labels_rank}, predictions rank "
                         f"{predictions_rank})")
    if predictions_rank == labels_rank:
        return labels
    if predictions_rank != labels_rank + 1:
        what = labels.dense_shape if isinstance(labels, SparseTensor) else labels.shape
        raise ValueError(f"Unexpected labels shape {what} for predictions shape "
                         f"{predictions.shape}.")
    if isinstance(labels, SparseTensor):
        return sparse_reshape(labels, A.concat([labels.dense_shape,
                                                np.asarray([1], np.int64)], 0))
    return A.expand_dims(labels, -1)


def _select_class_id(ids, selected_id):
    """TF1's `_select_class_id`: `ids` with every id but `selected_id` dropped (a
    SparseTensor of ids' shape)."""
    ids = convert_to_tensor_or_sparse_tensor(ids)
    if isinstance(ids, SparseTensor):
        return sparse_retain(ids, M.equal(ids.values, np.asarray(selected_id,
                                                                 ids.dtype.np)))
    ids_shape = A.shape(ids, out_type=_dt.int64)
    filled_shape = A.concat([ids_shape[:-1], np.asarray([1], np.int64)], 0)
    filled = G.fill(filled_shape, np.int64(selected_id))
    result = sets.set_intersection(filled, ids)
    return SparseTensor(result.indices, result.values, ids_shape)


def _counts(kind, labels, predictions_idx, class_id, weights):
    """Per-row float64 counts: "tp" |p & l|, "fp" |p - l|, "fn" |l - p|."""
    if class_id is not None:
        labels = _select_class_id(labels, class_id)
        predictions_idx = _select_class_id(predictions_idx, class_id)
    if kind == "tp":
        found = sets.set_intersection(predictions_idx, labels)
    else:
        found = sets.set_difference(predictions_idx, labels, aminusb=kind == "fp")
    counts = M.cast(sets.set_size(found), _dt.float64)
    if weights is not None:
        counts = M.multiply(counts, M.cast(convert_to_tensor(weights), _dt.float64))
    return counts


def _streaming_count(kind, labels, predictions_idx, k, class_id, weights):
    name = {"tp": "true_positive", "fp": "false_positive", "fn": "false_negative"}[kind]
    var = _metric_variable([], _dt.float64, name=_at_k_name(name, k, class_id))
    batch = R.reduce_sum(_counts(kind, labels, predictions_idx, class_id, weights))
    return var._as_tensor(), state_ops.assign_add(var, batch)


def _ratio_at_top_k(what: str, other: str, labels, predictions_idx, k, class_id, weights,
                    metrics_collections, updates_collections, name):
    predictions_idx = convert_to_tensor(predictions_idx, name="predictions_idx")
    with variable_scope(name, _at_k_name(what, k, class_id)):
        labels = _expand_labels(labels, predictions_idx)
        top = M.cast(predictions_idx, _dt.int64)
        tp, tp_update = _streaming_count("tp", labels, top, k, class_id, weights)
        xx, xx_update = _streaming_count(other, labels, top, k, class_id, weights)
        value = M.divide(tp, M.add(tp, xx), name="value")
        update = M.divide(tp_update, M.add(tp_update, xx_update), name="update")
        _collect(metrics_collections, updates_collections, value, update)
        return value, update


def precision_at_top_k(labels, predictions_idx, k=None, class_id=None, weights=None,
                       metrics_collections=None, updates_collections=None, name=None):
    """TF1 `tf.metrics.precision_at_top_k`: precision of the given top-k class ids
    ([D1, ..., DN, k]) against `labels`: (precision, update_op), float64."""
    return _ratio_at_top_k("precision", "fp", labels, predictions_idx, k, class_id, weights,
                           metrics_collections, updates_collections, name)


def recall_at_top_k(labels, predictions_idx, k=None, class_id=None, weights=None,
                    metrics_collections=None, updates_collections=None, name=None):
    """TF1 `tf.metrics.recall_at_top_k`: recall of the given top-k class ids against
    `labels`: (recall, update_op), float64."""
    return _ratio_at_top_k("recall", "fn", labels, predictions_idx, k, class_id, weights,
                           metrics_collections, updates_collections, name)


def _top_k_indices(predictions, k):
    predictions = convert_to_tensor(predictions, name="predictions")
    return top_k(predictions, k)[1]


def precision_at_k(labels, predictions, k, class_id=None, weights=None,
                   metrics_collections=None, updates_collections=None, name=None):
    """TF1 `tf.metrics.precision_at_k`: precision of each row's k highest-scoring
    classes against its labels: (precision, update_op), float64."""
    with variable_scope(name, _at_k_name("precision", k, class_id)) as scope:
        return precision_at_top_k(labels, _top_k_indices(predictions, k), k, class_id,
                                  weights, metrics_collections, updates_collections,
                                  name=scope)


def recall_at_k(labels, predictions, k, class_id=None, weights=None, metrics_collections=None,
                updates_collections=None, name=None):
    """TF1 `tf.metrics.recall_at_k`: recall of each row's k highest-scoring classes
    against its labels: (recall, update_op), float64."""
    with variable_scope(name, _at_k_name("recall", k, class_id)) as scope:
        return recall_at_top_k(labels, _top_k_indices(predictions, k), k, class_id, weights,
                               metrics_collections, updates_collections, name=scope)


def sparse_precision_at_k(labels, predictions, k, class_id=None, weights=None,
                          metrics_collections=None, updates_collections=None, name=None):
    """TF1 `tf.metrics.sparse_precision_at_k`: precision_at_k (TF1's older name)."""
    return precision_at_k(labels, predictions, k, class_id, weights, metrics_collections,
                          updates_collections, name)


def _expand_and_tile(labels, multiple: int):
    """TF1's `_expand_and_tile(labels, k, dim=-1)`: [..., n] -> [..., k, n]."""
    if isinstance(labels, SparseTensor):
        shape = labels.dense_shape
        expanded = sparse_reshape(labels, A.concat([shape[:-1], np.asarray([1], np.int64),
                                                    shape[-1:]], 0))
        return expanded if multiple == 1 else sparse_concat(-2, [expanded] * multiple)
    expanded = A.expand_dims(labels, -2)
    if multiple == 1:
        return expanded
    rank = labels.shape.ndims
    return T.tile(expanded, [1] * (rank - 1) + [multiple, 1])


def _num_relevant(labels, k: int):
    """min(k, a row's number of labels) (dense labels: those >= 0)."""
    if isinstance(labels, SparseTensor):
        return M.minimum(sets.set_size(labels), np.int32(k))
    count = R.reduce_sum(M.cast(M.greater_equal(labels, G.zeros_like(labels)), labels.dtype),
                         axis=-1)
    return M.minimum(count, np.asarray(k, labels.dtype.np))


def _average_precision_rows(labels, predictions_idx):
    """Each row's average precision at k (float64, [D1, ..., DN])."""
    predictions_idx = M.cast(predictions_idx, _dt.int64)
    if predictions_idx.shape.ndims == 0:
        raise ValueError("The rank of predictions_idx must be at least 1.")
    k = predictions_idx.shape.as_tuple()[-1]
    if k is None:
        raise ValueError("The last dimension of predictions_idx must be set.")
    labels = _expand_labels(labels, predictions_idx)
    relevant = _counts("tp", _expand_and_tile(labels, k), A.expand_dims(predictions_idx, -1),
                       None, None)                                      # [..., k]
    tp = MM.cumsum(relevant, axis=-1)
    retrieved = MM.cumsum(G.ones_like(relevant), axis=-1)
    precision_sum = R.reduce_sum(M.multiply(M.divide(tp, retrieved), relevant), axis=-1)
    return M.divide(precision_sum, M.cast(_num_relevant(labels, k), _dt.float64))


def average_precision_at_k(labels, predictions, k, weights=None, metrics_collections=None,
                           updates_collections=None, name=None):
    """TF1 `tf.metrics.average_precision_at_k`: the (weighted) mean over rows of each
    row's average precision of its top k classes: (mean, update_op), float64."""
    if k < 1:
        raise ValueError(f"Invalid k={k}.")
    with variable_scope(name, _at_k_name("average_precision", k)):
        rows = _average_precision_rows(labels, _top_k_indices(predictions, k))
        if weights is not None:
            weights = M.multiply(G.ones_like(rows), M.cast(convert_to_tensor(weights),
                                                           _dt.float64))
            rows = M.multiply(rows, weights)
        # TensorFlow's variable is `max_1`: an op of its graph already holds the name `max`
        max_var = _metric_variable([], _dt.float64, name="max_1")
        batch_max = M.cast(A.size(rows), _dt.float64) if weights is None else \
            R.reduce_sum(weights)
        max_update = state_ops.assign_add(max_var, batch_max)
        total_var = _metric_variable([], _dt.float64, name="total")
        total_update = state_ops.assign_add(total_var, R.reduce_sum(rows))
        value = div_no_nan(total_var._as_tensor(), max_var._as_tensor(), name="mean")
        update = div_no_nan(total_update, max_update, name="update")
        _collect(metrics_collections, updates_collections, value, update)
        return value, update


def sparse_average_precision_at_k(labels, predictions, k, weights=None,
                                  metrics_collections=None, updates_collections=None,
                                  name=None):
    """TF1 `tf.metrics.sparse_average_precision_at_k`: average_precision_at_k (TF1's
    older name)."""
    return average_precision_at_k(labels, predictions, k, weights, metrics_collections,
                                  updates_collections, name)


AT_K = {f.__name__: f for f in (precision_at_k, precision_at_top_k, recall_at_k,
                                recall_at_top_k, sparse_precision_at_k, average_precision_at_k,
                                sparse_average_precision_at_k)}
