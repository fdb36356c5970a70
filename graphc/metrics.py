"""`tf.metrics`: streaming metrics over local variables, TF1's (value, update_op) pairs.

Each metric keeps its running state in zero-initialised local variables (collections
LOCAL_VARIABLES and METRIC_VARIABLES, so `tf.local_variables_initializer()` resets them)
under a variable scope named after the metric (`accuracy/total`, `accuracy/count`). Running
`update_op` adds one batch and returns the metric over everything seen so far; `value`
reads it without updating. Divisions by an empty count give 0, as TF1's `_safe_div`.
The threshold-based metrics (auc, *_at_thresholds, mean_iou, ...) are in
graphc/metrics_thresholds.py.
"""
from __future__ import annotations

import numpy as np

from .ir import dtypes as _dt
from .ir.ops import core_ops, math_ops as M, state_ops
from .ir.ops import generator_ops as G
from .ir.ops import reduce_ops as R
from .ir.ops._base import convert_to_tensor
from .losses import _safe_div
from .metric_variables import cast as _cast, collect as _collect
from .metric_variables import metric_variable as _metric_variable
from .metrics_thresholds import (auc, false_negatives_at_thresholds,  # noqa: F401
                                 false_positives_at_thresholds, mean_iou,
                                 mean_per_class_accuracy, precision_at_thresholds,
                                 recall_at_thresholds, sensitivity_at_specificity,
                                 specificity_at_sensitivity, true_negatives_at_thresholds,
                                 true_positives_at_thresholds)
from .variable_scope import variable_scope


def _float(x):
    x = convert_to_tensor(x)
    return x if x.dtype.is_floating else M.cast(x, _dt.float32)


def _weights_like(values, weights):
    """Weights broadcast to `values` (ones when None), in values' dtype."""
    ones = G.ones_like(values)
    if weights is None:
        return ones
    return M.multiply(ones, _cast(weights, values.dtype))


def _check_same_shape(labels, predictions, what: str) -> None:
    if not labels.shape.is_compatible_with(predictions.shape):
        raise ValueError(f"{what}: labels shape {labels.shape} and predictions shape "
                         f"{predictions.shape} must be the same")


def _mean_state(values, weights):
    """A weighted streaming mean's variables and updates: (total, count, update_total,
    update_count)."""
    w = _weights_like(values, weights)
    total = _metric_variable([], values.dtype, name="total")
    count = _metric_variable([], values.dtype, name="count")
    update_total = state_ops.assign_add(total, R.reduce_sum(M.multiply(values, w)))
    update_count = state_ops.assign_add(count, R.reduce_sum(w))
    return total, count, update_total, update_count


def mean(values, weights=None, metrics_collections=None, updates_collections=None,
         name=None):
    """The weighted mean of every value seen: (mean, update_op)."""
    with variable_scope(name, "mean", (values, weights)):
        return _mean_here(_float(values), weights, metrics_collections, updates_collections)


def mean_tensor(values, weights=None, metrics_collections=None, updates_collections=None,
                name=None):
    """The elementwise weighted mean of tensors of one fixed shape: (mean, update_op)."""
    with variable_scope(name, "mean", (values, weights)):
        values = _float(values)
        if not values.shape.is_fully_defined():
            raise ValueError(f"mean_tensor needs values of a fully defined shape, got "
                             f"{values.shape}")
        shape = values.shape.as_list()
        w = _weights_like(values, weights)
        total = _metric_variable(shape, values.dtype, name="total_tensor")
        count = _metric_variable(shape, values.dtype, name="count_tensor")
        up_total = state_ops.assign_add(total, M.multiply(values, w))
        up_count = state_ops.assign_add(count, w)
        value = _safe_div(total._as_tensor(), count._as_tensor(), name="value")
        update_op = _safe_div(up_total, up_count, name="update_op")
        _collect(metrics_collections, updates_collections, value, update_op)
        return value, update_op


def accuracy(labels, predictions, weights=None, metrics_collections=None,
             updates_collections=None, name=None):
    """How often predictions equal labels: (accuracy, update_op)."""
    with variable_scope(name, "accuracy", (predictions, labels, weights)):
        predictions = convert_to_tensor(predictions)
        labels = convert_to_tensor(labels)
        if labels.dtype is not predictions.dtype:
            labels = M.cast(labels, predictions.dtype)
        _check_same_shape(labels, predictions, "accuracy")
        correct = M.cast(M.equal(predictions, labels), _dt.float32)
        return _mean_here(correct, weights, metrics_collections, updates_collections)


def _mean_here(values, weights, metrics_collections, updates_collections):
    """`mean` inside the caller's scope (its variables are `<metric>/total`, `/count`)."""
    total, count, up_total, up_count = _mean_state(values, weights)
    value = _safe_div(total._as_tensor(), count._as_tensor(), name="value")
    update_op = _safe_div(up_total, up_count, name="update_op")
    _collect(metrics_collections, updates_collections, value, update_op)
    return value, update_op


def _pair(labels, predictions):
    predictions = _float(predictions)
    labels = convert_to_tensor(labels)
    if labels.dtype is not predictions.dtype:
        labels = M.cast(labels, predictions.dtype)
    return labels, predictions


def mean_absolute_error(labels, predictions, weights=None, metrics_collections=None,
                        updates_collections=None, name=None):
    """The streaming mean of |predictions - labels|."""
    with variable_scope(name, "mean_absolute_error", (predictions, labels, weights)):
        labels, predictions = _pair(labels, predictions)
        _check_same_shape(labels, predictions, "mean_absolute_error")
        return _mean_here(M.abs(M.subtract(predictions, labels)), weights,
                          metrics_collections, updates_collections)


def mean_squared_error(labels, predictions, weights=None, metrics_collections=None,
                       updates_collections=None, name=None):
    """The streaming mean of (predictions - labels)^2."""
    with variable_scope(name, "mean_squared_error", (predictions, labels, weights)):
        labels, predictions = _pair(labels, predictions)
        _check_same_shape(labels, predictions, "mean_squared_error")
        return _mean_here(M.squared_difference(predictions, labels), weights,
                          metrics_collections, updates_collections)


def root_mean_squared_error(labels, predictions, weights=None, metrics_collections=None,
                            updates_collections=None, name=None):
    """sqrt of the streaming mean squared error."""
    with variable_scope(name, "root_mean_squared_error", (predictions, labels, weights)):
        labels, predictions = _pair(labels, predictions)
        _check_same_shape(labels, predictions, "root_mean_squared_error")
        mse, update_mse = _mean_here(M.squared_difference(predictions, labels), weights,
                                     None, None)
        value, update_op = M.sqrt(mse), M.sqrt(update_mse)
        _collect(metrics_collections, updates_collections, value, update_op)
        return value, update_op


def mean_relative_error(labels, predictions, normalizer, weights=None,
                        metrics_collections=None, updates_collections=None, name=None):
    """The streaming mean of |labels - predictions| / normalizer (0 where it is 0)."""
    with variable_scope(name, "mean_relative_error", (predictions, labels, weights)):
        labels, predictions = _pair(labels, predictions)
        normalizer = _cast(normalizer, predictions.dtype)
        errors = M.where_v2(M.equal(normalizer, np.zeros((), predictions.dtype.np)),
                            G.zeros_like(labels),
                            M.truediv(M.abs(M.subtract(labels, predictions)), normalizer))
        return _mean_here(errors, weights, metrics_collections, updates_collections)


def mean_cosine_distance(labels, predictions, dim, weights=None, metrics_collections=None,
                         updates_collections=None, name=None):
    """1 - the streaming mean of sum(labels * predictions, dim) (unit-normalised inputs)."""
    with variable_scope(name, "mean_cosine_distance", (predictions, labels, weights)):
        labels, predictions = _pair(labels, predictions)
        radial = R.reduce_sum(M.multiply(predictions, labels), axis=[dim], keepdims=True)
        value, update_op = _mean_here(radial, weights, None, None)
        one = np.ones((), value.dtype.np)
        value, update_op = M.subtract(one, value), M.subtract(one, update_op)
        _collect(metrics_collections, updates_collections, value, update_op)
        return value, update_op


def percentage_below(values, threshold, weights=None, metrics_collections=None,
                     updates_collections=None, name=None):
    """The streaming fraction of values below `threshold`."""
    with variable_scope(name, "percentage_below_threshold", (values, threshold, weights)):
        values = convert_to_tensor(values)
        below = M.cast(M.less(values, convert_to_tensor(threshold, dtype=values.dtype)),
                       _dt.float32)
        return _mean_here(below, weights, metrics_collections, updates_collections)


# ---------------------------------------------------------------- confusion counts
def _bool(x):
    x = convert_to_tensor(x)
    return x if x.dtype is _dt.bool_ else M.cast(x, _dt.bool_)


def _count(condition, weights, name_var="count"):
    """(value, update_op) of the weighted number of true elements of `condition`."""
    values = M.cast(condition, _dt.float32)
    if weights is not None:
        values = M.multiply(values, _cast(weights, _dt.float32))
    var = _metric_variable([], _dt.float32, name=name_var)
    return core_ops.identity(var._as_tensor()), state_ops.assign_add(var, R.reduce_sum(values))


def _confusion_metric(default_name, make_condition):
    def metric(labels, predictions, weights=None, metrics_collections=None,
               updates_collections=None, name=None):
        with variable_scope(name, default_name, (predictions, labels, weights)):
            labels, predictions = _bool(labels), _bool(predictions)
            _check_same_shape(labels, predictions, default_name)
            value, update_op = _count(make_condition(labels, predictions), weights)
            _collect(metrics_collections, updates_collections, value, update_op)
            return value, update_op
    metric.__name__ = metric.__qualname__ = default_name
    metric.__doc__ = f"The weighted count of {default_name.replace('_', ' ')}: (value, update_op)."
    return metric


true_positives = _confusion_metric("true_positives", M.logical_and)
false_positives = _confusion_metric(
    "false_positives", lambda y, p: M.logical_and(M.logical_not(y), p))
false_negatives = _confusion_metric(
    "false_negatives", lambda y, p: M.logical_and(y, M.logical_not(p)))
true_negatives = _confusion_metric(
    "true_negatives", lambda y, p: M.logical_and(M.logical_not(y), M.logical_not(p)))


def _ratio_metric(default_name, other):
    """precision (tp / (tp + fp)) or recall (tp / (tp + fn)), 0 while nothing is counted."""
    def metric(labels, predictions, weights=None, metrics_collections=None,
               updates_collections=None, name=None):
        with variable_scope(name, default_name, (predictions, labels, weights)):
            labels, predictions = _bool(labels), _bool(predictions)
            _check_same_shape(labels, predictions, default_name)
            with variable_scope(None, "true_positives"):
                tp, up_tp = _count(M.logical_and(labels, predictions), weights)
            with variable_scope(None, other[0]):
                xx, up_xx = _count(other[1](labels, predictions), weights)
            value = _safe_div(tp, M.add(tp, xx), name="value")
            update_op = _safe_div(up_tp, M.add(up_tp, up_xx), name="update_op")
            _collect(metrics_collections, updates_collections, value, update_op)
            return value, update_op
    metric.__name__ = metric.__qualname__ = default_name
    return metric


precision = _ratio_metric("precision", ("false_positives",
                                        lambda y, p: M.logical_and(M.logical_not(y), p)))
precision.__doc__ = "tp / (tp + fp) over everything seen: (precision, update_op)."
recall = _ratio_metric("recall", ("false_negatives",
                                  lambda y, p: M.logical_and(y, M.logical_not(p))))
recall.__doc__ = "tp / (tp + fn) over everything seen: (recall, update_op)."
