"""`tf.losses`: TF1's loss functions with weights and reductions, and the LOSSES collection."""
from __future__ import annotations

from typing import Optional

import numpy as np

from .ir import context as _context
from .ir.ops import math_ops as M
from .ir.ops import matmul_ops as MM
from .ir.ops import reduce_ops as R
from .ir.ops import generator_ops as G
from .ir.ops import nn_ops
from .ir.ops._base import convert_to_tensor, deprecated_argument
from .variables import GraphKeys


class Reduction:
    NONE = "none"
    SUM = "weighted_sum"
    MEAN = "weighted_mean"
    SUM_OVER_BATCH_SIZE = "weighted_sum_over_batch_size"
    SUM_BY_NONZERO_WEIGHTS = "weighted_sum_by_nonzero_weights"
    SUM_OVER_NONZERO_WEIGHTS = SUM_BY_NONZERO_WEIGHTS

    @classmethod
    def all(cls):
        return (cls.NONE, cls.SUM, cls.MEAN, cls.SUM_OVER_BATCH_SIZE,
                cls.SUM_BY_NONZERO_WEIGHTS)


def _reduce(losses, weights, reduction, loss_collection):
    """Weighted loss with TF1's reductions; added to `loss_collection`."""
    from .ir.ops.array_ops import size
    from .ir.ops.tile_pad_ops import broadcast_to
    from .ir.ops.array_ops import shape as shape_of
    losses = convert_to_tensor(losses)
    w = convert_to_tensor(weights, dtype=losses.dtype)
    weighted = M.multiply(losses, w)
    if reduction == Reduction.NONE:
        loss = weighted
    else:
        total = R.reduce_sum(weighted)
        if reduction == Reduction.SUM:
            loss = total
        elif reduction == Reduction.MEAN:
            loss = _safe_div(total, R.reduce_sum(M.multiply(G.ones_like(losses), w)))
        elif reduction == Reduction.SUM_OVER_BATCH_SIZE:
            loss = _safe_div(total, M.cast(size(losses), losses.dtype))
        elif reduction == Reduction.SUM_BY_NONZERO_WEIGHTS:
            full = broadcast_to(w, shape_of(losses))
            nonzero = R.reduce_sum(M.cast(M.not_equal(full, np.zeros((), w.dtype.np)),
                                          losses.dtype))
            loss = _safe_div(total, nonzero)
        else:
            raise ValueError(f"Invalid Reduction Key {reduction!r}. Valid keys: "
                             f"{Reduction.all()}")
    if loss_collection is not None:
        _context.get_default_graph().add_to_collection(loss_collection, loss)
    return loss


def _safe_div(num, den, name=None):
    """num / den where den > 0, else 0 (TF1's `_safe_div` of losses and metrics)."""
    zero = np.zeros((), num.dtype.np)
    positive = M.greater(den, zero)
    return M.where_v2(positive, M.truediv(num, M.where_v2(positive, den, G.ones_like(den))),
                      G.zeros_like(num), name=name)


def _pair(labels, predictions):
    """Predictions as a tensor and labels converted to its dtype."""
    p = convert_to_tensor(predictions)
    return convert_to_tensor(labels, dtype=p.dtype), p


def _scope(name, default):
    return _context.get_default_graph().name_scope(name or default)


def compute_weighted_loss(losses, weights=1.0, scope=None, loss_collection=GraphKeys.LOSSES,
                          reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    with _scope(scope, "weighted_loss"):
        return _reduce(losses, weights, reduction, loss_collection)


def mean_squared_error(labels, predictions, weights=1.0, scope=None,
                       loss_collection=GraphKeys.LOSSES,
                       reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    with _scope(scope, "mean_squared_error"):
        y, p = _pair(labels, predictions)
        return _reduce(M.squared_difference(p, y), weights, reduction, loss_collection)


def absolute_difference(labels, predictions, weights=1.0, scope=None,
                        loss_collection=GraphKeys.LOSSES,
                        reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    with _scope(scope, "absolute_difference"):
        y, p = _pair(labels, predictions)
        return _reduce(M.abs(M.subtract(p, y)), weights, reduction, loss_collection)


def huber_loss(labels, predictions, weights=1.0, delta=1.0, scope=None,
               loss_collection=GraphKeys.LOSSES, reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    with _scope(scope, "huber_loss"):
        y, p = _pair(labels, predictions)
        err = M.abs(M.subtract(p, y))
        d = np.asarray(delta, p.dtype.np)
        quad = M.minimum(err, d)
        lin = M.subtract(err, quad)
        losses = M.add(M.multiply(np.asarray(0.5, p.dtype.np), M.square(quad)),
                       M.multiply(d, lin))
        return _reduce(losses, weights, reduction, loss_collection)


def log_loss(labels, predictions, weights=1.0, epsilon=1e-7, scope=None,
             loss_collection=GraphKeys.LOSSES, reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    with _scope(scope, "log_loss"):
        y, p = _pair(labels, predictions)
        one = np.ones((), p.dtype.np)
        eps = np.asarray(epsilon, p.dtype.np)
        losses = M.subtract(M.negative(M.multiply(y, M.log(M.add(p, eps)))),
                            M.multiply(M.subtract(one, y), M.log(M.add(M.subtract(one, p),
                                                                       eps))))
        return _reduce(losses, weights, reduction, loss_collection)


def softmax_cross_entropy(onehot_labels, logits, weights=1.0, label_smoothing=0, scope=None,
                          loss_collection=GraphKeys.LOSSES,
                          reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    with _scope(scope, "softmax_cross_entropy_loss"):
        logits = convert_to_tensor(logits)
        labels = convert_to_tensor(onehot_labels, dtype=logits.dtype)
        if label_smoothing:
            k = logits.shape[-1].value
            if k is None:
                raise ValueError("label_smoothing needs a static number of classes")
            s = float(label_smoothing)
            labels = M.add(M.multiply(labels, np.asarray(1 - s, logits.dtype.np)),
                           np.asarray(s / k, logits.dtype.np))
        losses = nn_ops.softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits)
        return _reduce(losses, weights, reduction, loss_collection)


def sparse_softmax_cross_entropy(labels, logits, weights=1.0, scope=None,
                                 loss_collection=GraphKeys.LOSSES,
                                 reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    with _scope(scope, "sparse_softmax_cross_entropy_loss"):
        losses = nn_ops.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
        return _reduce(losses, weights, reduction, loss_collection)


def sigmoid_cross_entropy(multi_class_labels, logits, weights=1.0, label_smoothing=0,
                          scope=None, loss_collection=GraphKeys.LOSSES,
                          reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    with _scope(scope, "sigmoid_cross_entropy_loss"):
        logits = convert_to_tensor(logits)
        labels = convert_to_tensor(multi_class_labels, dtype=logits.dtype)
        if label_smoothing:
            s = float(label_smoothing)
            labels = M.add(M.multiply(labels, np.asarray(1 - s, logits.dtype.np)),
                           np.asarray(0.5 * s, logits.dtype.np))
        losses = nn_ops.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits)
        return _reduce(losses, weights, reduction, loss_collection)


def cosine_distance(labels, predictions, axis=None, weights=1.0, scope=None,
                    loss_collection=GraphKeys.LOSSES,
                    reduction=Reduction.SUM_BY_NONZERO_WEIGHTS, dim=None):
    """1 - sum(labels * predictions, axis) for unit-normalised inputs (`dim` is TF1's
    deprecated name of `axis`)."""
    axis = deprecated_argument("axis", axis, "dim", dim)
    if axis is None:
        raise ValueError("You must specify 'axis'.")
    with _scope(scope, "cosine_distance_loss"):
        y, p = _pair(labels, predictions)
        radial = R.reduce_sum(M.multiply(p, y), axis=[axis], keepdims=True)
        return _reduce(M.subtract(np.ones((), p.dtype.np), radial), weights, reduction,
                       loss_collection)


def hinge_loss(labels, logits, weights=1.0, scope=None, loss_collection=GraphKeys.LOSSES,
               reduction=Reduction.SUM_BY_NONZERO_WEIGHTS):
    """max(0, 1 - (2 * labels - 1) * logits), labels in {0, 1}."""
    with _scope(scope, "hinge_loss"):
        y, x = _pair(labels, logits)
        one = np.ones((), x.dtype.np)
        signs = M.subtract(M.multiply(np.asarray(2.0, x.dtype.np), y), one)
        return _reduce(nn_ops.relu(M.subtract(one, M.multiply(signs, x))), weights, reduction,
                       loss_collection)


def mean_pairwise_squared_error(labels, predictions, weights=1.0, scope=None,
                                loss_collection=GraphKeys.LOSSES):
    """For each sample, the mean over pairs (i, j) of its elements of
    ((p_i - p_j) - (l_i - l_j))^2, scaled by the sample's weight and summed over the batch
    (TF1: 2*S/(n-1) - 2*T^2/(n(n-1)) per sample, S the sum of squared differences,
    T their sum, n the elements with nonzero weight)."""
    with _scope(scope, "mean_pairwise_squared_error"):
        y, p = _pair(labels, predictions)
        diffs = M.subtract(p, y)
        rank = diffs.shape.ndims
        if rank is None or rank < 2:
            raise ValueError("mean_pairwise_squared_error needs predictions of known rank "
                             f">= 2 ([batch_size, d0, ...]), got shape {diffs.shape}")
        axes = list(range(1, rank))
        w = convert_to_tensor(weights, dtype=p.dtype)
        if w.shape.ndims == 1 and rank > 1:
            from .ir.ops.array_ops import reshape
            w = reshape(w, [-1] + [1] * (rank - 1))
        zero, one, two = (np.asarray(v, p.dtype.np) for v in (0.0, 1.0, 2.0))
        present = M.multiply(G.ones_like(diffs), M.cast(M.not_equal(w, zero), p.dtype))
        n = R.reduce_sum(present, axis=axes, keepdims=True)
        term1 = M.multiply(two, _safe_div(R.reduce_sum(M.square(diffs), axis=axes,
                                                         keepdims=True),
                                            M.maximum(M.subtract(n, one), zero)))
        term2 = M.multiply(two, _safe_div(M.square(R.reduce_sum(diffs, axis=axes,
                                                                  keepdims=True)),
                                            M.maximum(M.multiply(n, M.subtract(n, one)), zero)))
        loss = R.reduce_sum(M.multiply(M.subtract(term1, term2), w))
        loss = M.where_v2(M.greater(R.reduce_sum(n), zero), loss, G.zeros_like(loss),
                          name="value")
        add_loss(loss, loss_collection)
        return loss


def add_loss(loss, loss_collection=GraphKeys.LOSSES) -> None:
    if loss_collection is not None:
        _context.get_default_graph().add_to_collection(loss_collection, loss)


def get_losses(scope: Optional[str] = None, loss_collection=GraphKeys.LOSSES) -> list:
    return _context.get_default_graph().get_collection(loss_collection, scope)


def get_regularization_losses(scope: Optional[str] = None) -> list:
    return _context.get_default_graph().get_collection(GraphKeys.REGULARIZATION_LOSSES, scope)


def get_regularization_loss(scope: Optional[str] = None, name: str = "total_regularization_loss"):
    losses = get_regularization_losses(scope)
    if not losses:
        return convert_to_tensor(np.float32(0.0), name=name)
    return MM.add_n(losses, name=name)


def get_total_loss(add_regularization_losses: bool = True, name: str = "total_loss",
                   scope: Optional[str] = None):
    losses = get_losses(scope)
    if add_regularization_losses:
        losses = losses + get_regularization_losses(scope)
    if not losses:
        raise ValueError("No losses to add")
    return MM.add_n(losses, name=name)
