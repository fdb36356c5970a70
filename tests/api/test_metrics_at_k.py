"""tf.metrics' *_at_k (graphc/metrics_at_k.py) against TensorFlow's values and variable
names (tests/fixtures/tf/sets_metrics.json, made by make_sets_metrics_fixtures.py): each
case runs its update op twice on one batch, then reads the value."""
from __future__ import annotations

import numpy as np
import pytest

import graphc as tf

from .test_sets import DATA, operand


def _run(case):
    with tf.Graph().as_default():
        labels = operand(case["labels"])
        fn = getattr(tf.metrics, case["fn"])
        kwargs = dict(case["kwargs"])
        if "weights" in kwargs:
            kwargs["weights"] = tf.constant(kwargs["weights"], tf.float64)
        if "predictions_idx" in case:
            value, update = fn(labels, tf.constant(case["predictions_idx"], tf.int64),
                               **kwargs)
        else:
            value, update = fn(labels, tf.constant(case["predictions"], tf.float32),
                               case["k"], **kwargs)
        names = sorted(v.op.name for v in tf.local_variables())
        assert all(v in tf.get_collection(tf.GraphKeys.METRIC_VARIABLES)
                   for v in tf.local_variables())
        with tf.Session() as sess:
            sess.run(tf.local_variables_initializer())
            updates = [sess.run(update), sess.run(update)]
            return updates, sess.run(value), names, value.dtype


def _close(got, want):
    if want is None:
        assert np.isnan(got), f"expected NaN, got {got}"
    else:
        np.testing.assert_allclose(got, want, rtol=1e-12)


@pytest.mark.parametrize("case", DATA["metrics"], ids=[c["name"] for c in DATA["metrics"]])
def test_metrics_at_k_match_tensorflow(case):
    updates, value, names, dtype = _run(case)
    want = case["result"]
    assert dtype == tf.float64
    for got, w in zip(updates, want["updates"]):
        _close(got, w)
    _close(value, want["value"])
    assert names == want["variables"]


def test_metrics_at_k_collections_and_k_checks():
    with tf.Graph().as_default():
        labels = tf.constant([[1]], tf.int64)
        predictions = tf.constant([[0.2, 0.8]])
        value, update = tf.metrics.recall_at_k(labels, predictions, 1,
                                               metrics_collections=["m"],
                                               updates_collections=["u"])
        assert tf.get_collection("m") == [value] and tf.get_collection("u") == [update]
        with pytest.raises(ValueError, match="Invalid k=0"):
            tf.metrics.average_precision_at_k(labels, predictions, 0)
        with pytest.raises(ValueError, match="Unexpected labels shape"):
            tf.metrics.precision_at_k(tf.constant([[[1]]], tf.int64), predictions, 1)
