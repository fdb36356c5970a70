"""tf.metrics: local variables, (value, update_op) pairs streaming over batches, values
against numpy references of TF1's definitions."""
import numpy as np
import pytest

import graphc as tf
import graphc.metrics  # noqa: F401  (tf.metrics)

RNG = np.random.RandomState(7)
BATCHES = [(RNG.randint(0, 2, 12).astype(bool), RNG.rand(12).astype(np.float32))
           for _ in range(3)]


def _stream(build, batches, feeds_of):
    """Runs update_op over every batch; returns (value after all, last update result)."""
    g = tf.Graph()
    with g.as_default():
        phs, (value, update_op) = build()
        with tf.Session() as sess:
            sess.run(tf.local_variables_initializer())
            for batch in batches:
                last = sess.run(update_op, dict(zip(phs, feeds_of(batch))))
            return sess.run(value), last


def _binary(build_metric, threshold=0.5):
    def build():
        y = tf.placeholder(tf.bool, [None])
        p = tf.placeholder(tf.float32, [None])
        return (y, p), build_metric(y, p)
    return _stream(build, BATCHES, lambda b: b)


def test_metric_variables_are_local_and_reset_by_local_variables_initializer():
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None])
        value, update_op = tf.metrics.mean(x)
        assert [v.op.name for v in tf.local_variables()] == ["mean/total", "mean/count"]
        assert tf.get_collection(tf.GraphKeys.METRIC_VARIABLES) == tf.local_variables()
        assert tf.trainable_variables() == [] and tf.global_variables() == []
        _, acc = tf.metrics.accuracy([1, 2], [1, 3], name="acc")
        assert "acc/total" in [v.op.name for v in tf.local_variables()]
        with tf.Session() as sess:
            sess.run(tf.local_variables_initializer())
            assert sess.run(value) == 0.0           # nothing seen: 0, not NaN
            assert sess.run(update_op, {x: [1.0, 2.0]}) == pytest.approx(1.5)
            assert sess.run(update_op, {x: [6.0]}) == pytest.approx(3.0)
            assert sess.run(value) == pytest.approx(3.0)
            assert sess.run(acc) == pytest.approx(0.5)
            sess.run(tf.local_variables_initializer())
            assert sess.run(value) == 0.0


def test_collections_receive_value_and_update():
    with tf.Graph().as_default():
        v, u = tf.metrics.mean([1.0], metrics_collections=["m"], updates_collections=["u"])
        assert tf.get_collection("m") == [v] and tf.get_collection("u") == [u]


def test_weighted_mean_accuracy_and_errors():
    labels = [np.array([1.0, 2.0, 3.0]), np.array([0.0, 5.0, 1.0])]
    preds = [np.array([1.5, 2.0, 2.0]), np.array([1.0, 4.0, 1.0])]
    weights = [np.array([1.0, 0.0, 2.0]), np.array([0.5, 1.0, 1.0])]
    y_all, p_all, w_all = (np.concatenate(v) for v in (labels, preds, weights))

    def build(fn):
        def b():
            y, p, w = (tf.placeholder(tf.float64, [3]) for _ in range(3))
            return (y, p, w), fn(y, p, w)
        return b
    batches = list(zip(labels, preds, weights))
    cases = {
        tf.metrics.mean_absolute_error: np.sum(np.abs(p_all - y_all) * w_all) / w_all.sum(),
        tf.metrics.mean_squared_error: np.sum((p_all - y_all) ** 2 * w_all) / w_all.sum(),
        tf.metrics.root_mean_squared_error: np.sqrt(np.sum((p_all - y_all) ** 2 * w_all)
                                                    / w_all.sum()),
        tf.metrics.accuracy: np.sum((p_all == y_all) * w_all) / w_all.sum(),
    }
    for fn, want in cases.items():
        value, last = _stream(build(lambda y, p, w, fn=fn: fn(y, p, weights=w)), batches,
                              lambda b: b)
        assert value == pytest.approx(want) and last == pytest.approx(want), fn.__name__
    value, _ = _stream(build(lambda y, p, w: tf.metrics.mean(p, weights=w)), batches,
                       lambda b: b)
    assert value == pytest.approx(np.sum(p_all * w_all) / w_all.sum())


def test_confusion_counts_precision_and_recall():
    y = np.concatenate([b[0] for b in BATCHES])
    p = np.concatenate([b[1] for b in BATCHES]) > 0.5
    tp, fp = np.sum(y & p), np.sum(~y & p)
    fn, tn = np.sum(y & ~p), np.sum(~y & ~p)
    wants = {tf.metrics.true_positives: tp, tf.metrics.false_positives: fp,
             tf.metrics.false_negatives: fn, tf.metrics.true_negatives: tn,
             tf.metrics.precision: tp / (tp + fp), tf.metrics.recall: tp / (tp + fn)}
    for fn_, want in wants.items():
        value, last = _binary(lambda yt, pt, f=fn_: f(yt, tf.greater(pt, 0.5)))
        assert value == pytest.approx(want) and last == pytest.approx(want), fn_.__name__


def _confusion_at(thresholds):
    y = np.concatenate([b[0] for b in BATCHES])
    p = np.concatenate([b[1] for b in BATCHES])
    pos = p[None, :] > np.asarray(thresholds)[:, None]
    return {"tp": (pos & y).sum(1), "fp": (pos & ~y).sum(1), "fn": (~pos & y).sum(1),
            "tn": (~pos & ~y).sum(1)}


def test_counts_precision_recall_at_thresholds():
    thr = [0.1, 0.5, 0.9]
    c = _confusion_at(thr)
    pairs = {tf.metrics.true_positives_at_thresholds: c["tp"],
             tf.metrics.false_positives_at_thresholds: c["fp"],
             tf.metrics.true_negatives_at_thresholds: c["tn"],
             tf.metrics.false_negatives_at_thresholds: c["fn"],
             tf.metrics.precision_at_thresholds: c["tp"] / (1e-7 + c["tp"] + c["fp"]),
             tf.metrics.recall_at_thresholds: c["tp"] / (1e-7 + c["tp"] + c["fn"])}
    for fn, want in pairs.items():
        value, last = _binary(lambda y, p, f=fn: f(y, p, thr))
        np.testing.assert_allclose(value, want, rtol=1e-6, err_msg=fn.__name__)
        np.testing.assert_allclose(last, want, rtol=1e-6, err_msg=fn.__name__)


def _auc_reference(num_thresholds, curve, method):
    thr = [-1e-7] + [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)] + \
        [1 + 1e-7]
    c = {k: v.astype(np.float64) for k, v in _confusion_at(np.float32(thr)).items()}
    eps = 1e-6
    rec = (c["tp"] + eps) / (c["tp"] + c["fn"] + eps)
    if curve == "ROC":
        x, y = c["fp"] / (c["fp"] + c["tn"] + eps), rec
    else:
        x, y = rec, (c["tp"] + eps) / (c["tp"] + c["fp"] + eps)
    h = {"trapezoidal": (y[:-1] + y[1:]) / 2, "minoring": np.minimum(y[:-1], y[1:]),
         "majoring": np.maximum(y[:-1], y[1:])}[method]
    return np.sum((x[:-1] - x[1:]) * h)


@pytest.mark.parametrize("curve,method", [("ROC", "trapezoidal"), ("ROC", "minoring"),
                                          ("PR", "trapezoidal"), ("PR", "majoring")])
def test_auc(curve, method):
    value, last = _binary(lambda y, p: tf.metrics.auc(y, p, num_thresholds=50, curve=curve,
                                                      summation_method=method))
    want = _auc_reference(50, curve, method)
    assert value == pytest.approx(want, rel=1e-5) and last == pytest.approx(want, rel=1e-5)


def test_auc_of_a_perfect_ranking_is_one_and_explicit_thresholds():
    g = tf.Graph()
    with g.as_default():
        value, update = tf.metrics.auc([0, 0, 1, 1], [0.1, 0.4, 0.6, 0.9], num_thresholds=11)
        v2, u2 = tf.metrics.auc([0, 1], [0.3, 0.7], thresholds=[0.5])
        with tf.Session() as sess:
            sess.run(tf.local_variables_initializer())
            assert sess.run(update) == pytest.approx(1.0, abs=1e-5)
            assert sess.run(u2) == pytest.approx(1.0, abs=1e-5)


def test_careful_interpolation_pr_auc_is_close_to_average_precision():
    # A ranking with ties broken by distinct scores: careful interpolation approaches the
    # area under the step-interpolated PR curve.
    y = np.array([1, 0, 1, 1, 0, 0, 1, 0], bool)
    p = np.array([0.95, 0.85, 0.75, 0.65, 0.55, 0.45, 0.35, 0.25], np.float32)
    g = tf.Graph()
    with g.as_default():
        _, update = tf.metrics.auc(y, p, curve="PR", num_thresholds=1000,
                                   summation_method="careful_interpolation")
        with tf.Session() as sess:
            sess.run(tf.local_variables_initializer())
            got = sess.run(update)
    order = np.argsort(-p)
    hits = np.cumsum(y[order])
    ap = np.sum((hits / np.arange(1, 9))[y[order]]) / y.sum()
    assert abs(got - ap) < 0.06 and 0 < got < 1


def test_sensitivity_at_specificity_and_back():
    thr = [-1e-7] + [(i + 1) / 9 for i in range(8)] + [1 + 1e-7]
    c = {k: v.astype(np.float64) for k, v in _confusion_at(np.float32(thr)).items()}
    sens = c["tp"] / (c["tp"] + c["fn"] + 1e-7)
    spec = c["tn"] / (c["tn"] + c["fp"] + 1e-7)
    value, _ = _binary(lambda y, p: tf.metrics.sensitivity_at_specificity(
        y, p, 0.6, num_thresholds=10))
    assert value == pytest.approx(sens[np.argmin(np.abs(spec - 0.6))], rel=1e-6)
    value, _ = _binary(lambda y, p: tf.metrics.specificity_at_sensitivity(
        y, p, 0.6, num_thresholds=10))
    assert value == pytest.approx(spec[np.argmin(np.abs(sens - 0.6))], rel=1e-6)


def test_mean_iou_and_mean_per_class_accuracy():
    labels = [np.array([0, 1, 2, 2]), np.array([1, 1, 0, 3])]
    preds = [np.array([0, 2, 2, 1]), np.array([1, 1, 1, 3])]
    y, p = np.concatenate(labels), np.concatenate(preds)
    cm = np.zeros((4, 4))
    np.add.at(cm, (y, p), 1)
    denom = cm.sum(0) + cm.sum(1) - np.diag(cm)
    iou = np.mean(np.diag(cm)[denom > 0] / denom[denom > 0])
    per_class = np.array([np.mean(p[y == k] == k) for k in range(4)])

    def build(fn):
        def b():
            yt, pt = tf.placeholder(tf.int32, [4]), tf.placeholder(tf.int32, [4])
            return (yt, pt), fn(yt, pt, 4)
        return b
    value, last = _stream(build(tf.metrics.mean_iou), list(zip(labels, preds)), lambda b: b)
    assert value == pytest.approx(iou) and last == pytest.approx(iou)
    value, last = _stream(build(tf.metrics.mean_per_class_accuracy), list(zip(labels, preds)),
                          lambda b: b)
    assert value == pytest.approx(per_class.mean())


def test_mean_tensor_percentage_below_relative_error_cosine_distance():
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [2])
        mt, mt_up = tf.metrics.mean_tensor(x)
        pb, pb_up = tf.metrics.percentage_below(x, 2.0)
        re, re_up = tf.metrics.mean_relative_error(x, x * 2.0, normalizer=[2.0, 0.0])
        cd, cd_up = tf.metrics.mean_cosine_distance(tf.reshape(x, [1, 2]) * 0 + [[0.6, 0.8]],
                                                    [[0.8, 0.6]], dim=1)
        with tf.Session() as sess:
            sess.run(tf.local_variables_initializer())
            for v in ([1.0, 3.0], [2.0, 5.0]):
                sess.run([mt_up, pb_up, re_up, cd_up], {x: v})
            np.testing.assert_allclose(sess.run(mt), [1.5, 4.0])
            assert sess.run(pb) == pytest.approx(0.25)
            assert sess.run(re) == pytest.approx((0.5 + 1.0 + 0 + 0) / 4)
            assert sess.run(cd) == pytest.approx(1 - 0.96)


def test_bad_arguments_are_refused():
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="curve must be either ROC or PR"):
            tf.metrics.auc([1], [0.5], curve="XY")
        with pytest.raises(ValueError, match="labels shape .* must be the same"):
            tf.metrics.accuracy([1, 2], [1, 2, 3])
