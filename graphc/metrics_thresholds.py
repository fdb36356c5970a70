"""`tf.metrics` over thresholds and classes: the confusion counts at thresholds, precision
and recall at thresholds, auc (ROC and PR, TF1's summation methods), sensitivity at
specificity and back, mean_iou and mean_per_class_accuracy. Same conventions as
graphc/metrics.py: local variables, (value, update_op) pairs.

At a threshold t a prediction counts as positive when it is strictly greater than t (TF1).
"""
from __future__ import annotations

import numpy as np

from .ir import dtypes as _dt
from .ir.ops import array_ops as A, core_ops, math_ops as M, state_ops
from .ir.ops import reduce_ops as R
from .ir.ops import generator_ops as G
from .ir.ops import slicing_ops as S
from .ir.ops._base import convert_to_tensor
from .ir.ops.array_grads import unsorted_segment_sum
from .losses import _safe_div
from .metric_variables import cast as _cast, collect as _collect
from .metric_variables import metric_variable as _metric_variable
from .variable_scope import variable_scope

_KINDS = ("tp", "fn", "tn", "fp")


def _confusion_at_thresholds(labels, predictions, thresholds, weights, includes=_KINDS):
    """{kind: (variable value, update)} for the weighted confusion counts at each threshold
    (float32 vectors of len(thresholds)); TF1's variable names."""
    predictions = convert_to_tensor(predictions)
    if predictions.dtype is not _dt.float32:
        predictions = M.cast(predictions, _dt.float32)
    labels = convert_to_tensor(labels)
    labels = labels if labels.dtype is _dt.bool_ else M.cast(labels, _dt.bool_)
    n = len(thresholds)
    flat_p = A.reshape(predictions, [1, -1])                         # [1, N]
    flat_y = A.reshape(labels, [1, -1])
    thr = A.reshape(convert_to_tensor(np.asarray(thresholds, np.float32)), [n, 1])
    pred_pos = M.greater(flat_p, thr)                                # [T, N]
    label_pos = flat_y                                               # broadcasts to [T, N]
    w = None
    if weights is not None:
        w = A.reshape(M.multiply(G.ones_like(predictions),
                                 _cast(weights, _dt.float32)), [1, -1])
    conditions = {
        "tp": lambda: M.logical_and(label_pos, pred_pos),
        "fn": lambda: M.logical_and(label_pos, M.logical_not(pred_pos)),
        "tn": lambda: M.logical_and(M.logical_not(label_pos), M.logical_not(pred_pos)),
        "fp": lambda: M.logical_and(M.logical_not(label_pos), pred_pos),
    }
    names = {"tp": "true_positives", "fn": "false_negatives", "tn": "true_negatives",
             "fp": "false_positives"}
    out = {}
    for kind in includes:
        counts = M.cast(conditions[kind](), _dt.float32)
        if w is not None:
            counts = M.multiply(counts, w)
        var = _metric_variable([n], _dt.float32, name=names[kind])
        out[kind] = (var._as_tensor(), state_ops.assign_add(var, R.reduce_sum(counts, 1)))
    return out


def _at_thresholds_count(kind, default_name):
    def metric(labels, predictions, thresholds, weights=None, metrics_collections=None,
               updates_collections=None, name=None):
        with variable_scope(name, default_name, (predictions, labels, weights)):
            value, update_op = _confusion_at_thresholds(labels, predictions, thresholds,
                                                        weights, (kind,))[kind]
            _collect(metrics_collections, updates_collections, value, update_op)
            return value, update_op
    metric.__name__ = metric.__qualname__ = default_name
    metric.__doc__ = (f"The weighted {default_name.replace('_', ' ')} (a prediction above "
                      "each threshold is positive): (values, update_op).")
    return metric


true_positives_at_thresholds = _at_thresholds_count("tp", "true_positives_at_thresholds")
false_positives_at_thresholds = _at_thresholds_count("fp", "false_positives_at_thresholds")
true_negatives_at_thresholds = _at_thresholds_count("tn", "true_negatives_at_thresholds")
false_negatives_at_thresholds = _at_thresholds_count("fn", "false_negatives_at_thresholds")

_EPSILON = np.float32(1e-7)


def _ratio_at_thresholds(other, default_name):
    """precision (tp / (tp + fp + 1e-7)) or recall (fn) at each threshold, as TF1."""
    def metric(labels, predictions, thresholds, weights=None, metrics_collections=None,
               updates_collections=None, name=None):
        with variable_scope(name, default_name, (predictions, labels, weights)):
            c = _confusion_at_thresholds(labels, predictions, thresholds, weights,
                                         ("tp", other))

            def ratio(tp, x, name):
                return M.truediv(tp, M.add(M.add(_EPSILON, tp), x), name=name)
            value = ratio(c["tp"][0], c[other][0], "value")
            update_op = ratio(c["tp"][1], c[other][1], "update_op")
            _collect(metrics_collections, updates_collections, value, update_op)
            return value, update_op
    metric.__name__ = metric.__qualname__ = default_name
    return metric


precision_at_thresholds = _ratio_at_thresholds("fp", "precision_at_thresholds")
precision_at_thresholds.__doc__ = "tp / (tp + fp) at each threshold: (values, update_op)."
recall_at_thresholds = _ratio_at_thresholds("fn", "recall_at_thresholds")
recall_at_thresholds.__doc__ = "tp / (tp + fn) at each threshold: (values, update_op)."


def _auc_thresholds(num_thresholds, thresholds):
    eps = 1e-7
    if thresholds is not None:
        return [0.0 - eps] + [float(t) for t in thresholds] + [1.0 + eps]
    if num_thresholds < 2:
        raise ValueError("`num_thresholds` must be > 1.")
    inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
    return [0.0 - eps] + inner + [1.0 + eps]


def _pairs(x):
    """(x[:-1], x[1:]) of a vector."""
    return x[:-1], x[1:]


def _interpolated_pr_auc(tp, fp, fn):
    """TF1's 'careful_interpolation' PR-AUC (Davis & Goadrich): precision interpolated
    along each segment between thresholds."""
    tp0, tp1 = _pairs(tp)
    p = M.add(tp, fp)
    p0, p1 = _pairs(p)
    zero = np.float32(0)
    dtp = M.subtract(tp0, tp1)
    slope = _safe_div(dtp, M.maximum(M.subtract(p0, p1), zero))
    intercept = M.subtract(tp1, M.multiply(slope, p1))
    both = M.logical_and(M.greater(p0, zero), M.greater(p1, zero))
    safe_ratio = M.where_v2(both, _safe_div(p0, M.maximum(p1, zero)), G.ones_like(p1))
    fn1 = fn[1:]
    return R.reduce_sum(_safe_div(
        M.multiply(slope, M.add(dtp, M.multiply(intercept, M.log(safe_ratio)))),
        M.maximum(M.add(tp1, fn1), zero)))


def _auc_value(c, curve, summation_method):
    tp, fn, tn, fp = c
    if curve == "PR" and summation_method == "careful_interpolation":
        return _interpolated_pr_auc(tp, fp, fn)
    eps = np.float32(1e-6)
    rec = M.truediv(M.add(tp, eps), M.add(M.add(tp, fn), eps))
    if curve == "ROC":
        x, y = M.truediv(fp, M.add(M.add(fp, tn), eps)), rec
    else:
        x, y = rec, M.truediv(M.add(tp, eps), M.add(M.add(tp, fp), eps))
    x0, x1 = _pairs(x)
    y0, y1 = _pairs(y)
    if summation_method in ("trapezoidal", "careful_interpolation"):
        heights = M.multiply(M.add(y0, y1), np.float32(0.5))
    elif summation_method == "minoring":
        heights = M.minimum(y0, y1)
    else:
        heights = M.maximum(y0, y1)
    return R.reduce_sum(M.multiply(M.subtract(x0, x1), heights))


def auc(labels, predictions, weights=None, num_thresholds=200, metrics_collections=None,
        updates_collections=None, curve="ROC", name=None, summation_method="trapezoidal",
        thresholds=None):
    """The area under the ROC or PR curve, by a Riemann sum over `num_thresholds`
    thresholds spread evenly over [0, 1] (or `thresholds`): (auc, update_op)."""
    if curve not in ("ROC", "PR"):
        raise ValueError(f"curve must be either ROC or PR, {curve} unknown")
    if summation_method not in ("trapezoidal", "careful_interpolation", "minoring",
                                "majoring"):
        raise ValueError(f"Invalid summation_method: {summation_method}")
    with variable_scope(name, "auc", (labels, predictions, weights)):
        c = _confusion_at_thresholds(labels, predictions,
                                     _auc_thresholds(num_thresholds, thresholds), weights)
        value = _auc_value([c[k][0] for k in _KINDS], curve, summation_method)
        update_op = _auc_value([c[k][1] for k in _KINDS], curve, summation_method)
        value, update_op = core_ops.identity(value, name="value"), core_ops.identity(update_op,
                                                                       name="update_op")
        _collect(metrics_collections, updates_collections, value, update_op)
        return value, update_op


def _rate_at_other_rate(which, labels, predictions, target, weights, num_thresholds,
                        metrics_collections, updates_collections, name):
    """The sensitivity (or specificity) at the threshold whose other rate is closest to
    `target` (TF1: the argmin of |rate - target| over the thresholds)."""
    target_name = "specificity" if which == "sensitivity" else "sensitivity"
    if target < 0 or target > 1:
        raise ValueError(f"`{target_name}` must be in the range [0, 1].")

    def compute(tp, fn, tn, fp):
        sens = M.truediv(tp, M.add(M.add(tp, fn), _EPSILON))
        spec = M.truediv(tn, M.add(M.add(tn, fp), _EPSILON))
        given, wanted = (spec, sens) if which == "sensitivity" else (sens, spec)
        index = R.argmin(M.abs(M.subtract(given, np.float32(target))), 0)
        return A.reshape(S.gather(wanted, A.reshape(index, [1])), [])

    with variable_scope(name, f"{which}_at_{target_name}", (predictions, labels, weights)):
        thresholds = _auc_thresholds(num_thresholds, None)
        c = _confusion_at_thresholds(labels, predictions, thresholds, weights)
        value = compute(*[c[k][0] for k in _KINDS])
        update_op = compute(*[c[k][1] for k in _KINDS])
        _collect(metrics_collections, updates_collections, value, update_op)
        return value, update_op


def sensitivity_at_specificity(labels, predictions, specificity, weights=None,
                               num_thresholds=200, metrics_collections=None,
                               updates_collections=None, name=None):
    """The sensitivity where the specificity is closest to `specificity`."""
    return _rate_at_other_rate("sensitivity", labels, predictions, specificity, weights,
                               num_thresholds, metrics_collections, updates_collections, name)


def specificity_at_sensitivity(labels, predictions, sensitivity, weights=None,
                               num_thresholds=200, metrics_collections=None,
                               updates_collections=None, name=None):
    """The specificity where the sensitivity is closest to `sensitivity`."""
    return _rate_at_other_rate("specificity", labels, predictions, sensitivity, weights,
                               num_thresholds, metrics_collections, updates_collections, name)


# ---------------------------------------------------------------- per class
def _flat_int(x):
    x = convert_to_tensor(x)
    x = x if x.dtype is _dt.int64 else M.cast(x, _dt.int64)
    return A.reshape(x, [-1])


def _flat_weights(weights, like):
    ones = M.cast(G.ones_like(like), _dt.float64)
    if weights is None:
        return ones
    return M.multiply(ones, A.reshape(M.cast(convert_to_tensor(weights), _dt.float64), [-1]))


def mean_iou(labels, predictions, num_classes, weights=None, metrics_collections=None,
             updates_collections=None, name=None):
    """The mean over classes (that occur) of intersection / union, from a streaming
    confusion matrix (`total_confusion_matrix`, float64): (mean_iou, update_op)."""
    with variable_scope(name, "mean_iou", (predictions, labels, weights)):
        y, p = _flat_int(labels), _flat_int(predictions)
        total_cm = _metric_variable([num_classes, num_classes], _dt.float64,
                                   name="total_confusion_matrix")
        cells = M.add(M.multiply(y, np.int64(num_classes)), p)
        batch_cm = A.reshape(unsorted_segment_sum(_flat_weights(weights, y), cells,
                                                  np.int64(num_classes * num_classes)),
                             [num_classes, num_classes])
        update_cm = state_ops.assign_add(total_cm, batch_cm)

        def compute(cm, name):
            rows = M.cast(R.reduce_sum(cm, 0), _dt.float32)
            cols = M.cast(R.reduce_sum(cm, 1), _dt.float32)
            diag = M.cast(R.reduce_sum(M.multiply(cm, np.eye(num_classes)), 1), _dt.float32)
            denominator = M.subtract(M.add(rows, cols), diag)
            zero = np.float32(0)
            valid = R.reduce_sum(M.cast(M.not_equal(denominator, zero), _dt.float32))
            denominator = M.where_v2(M.greater(denominator, zero), denominator,
                                     G.ones_like(denominator))
            iou = M.truediv(diag, denominator)
            return M.where_v2(M.greater(valid, zero),
                              M.truediv(R.reduce_sum(iou), M.where_v2(
                                  M.greater(valid, zero), valid, np.float32(1))),
                              np.float32(0), name=name)
        value = compute(total_cm._as_tensor(), "mean_iou")
        update_op = compute(update_cm, "update_op")
        _collect(metrics_collections, updates_collections, value, update_op)
        return value, update_op


def mean_per_class_accuracy(labels, predictions, num_classes, weights=None,
                            metrics_collections=None, updates_collections=None, name=None):
    """The mean over all classes of each class's streaming accuracy (0 for a class not
    seen yet): (mean_accuracy, update_op)."""
    with variable_scope(name, "mean_accuracy", (predictions, labels, weights)):
        y, p = _flat_int(labels), _flat_int(predictions)
        total = _metric_variable([num_classes], _dt.float32, name="total")
        count = _metric_variable([num_classes], _dt.float32, name="count")
        ones = M.cast(_flat_weights(weights, y), _dt.float32)
        correct = M.multiply(M.cast(M.equal(p, y), _dt.float32), ones)
        n = np.int64(num_classes)
        up_total = state_ops.assign_add(total, unsorted_segment_sum(ones, y, n))
        up_count = state_ops.assign_add(count, unsorted_segment_sum(correct, y, n))
        value = R.reduce_mean(_safe_div(count._as_tensor(), total._as_tensor()),
                              name="mean_accuracy")
        update_op = R.reduce_mean(_safe_div(up_count, up_total), name="update_op")
        _collect(metrics_collections, updates_collections, value, update_op)
        return value, update_op
