"""tf.metrics' *_at_k (graphc/metrics_at_k.py) against TensorFlow's values and variable
names (tests/fixtures/tf/sets_metrics.json, made by make_sets_metrics_fixtures.py from the
cases of sets_metrics_cases.py): each case runs its update op twice on one batch, then
reads the value."""
from __future__ import annotations

import numpy as np
import pytest

import graphc as tf

from .sets_metrics_cases import run_metric
from .test_sets import DATA


def _close(got, want):
    if want is None:
        assert np.isnan(got), f"expected NaN, got {got}"
    else:
        np.testing.assert_allclose(got, want, rtol=1e-12)


@pytest.mark.parametrize("case", DATA["metrics"], ids=[c["name"] for c in DATA["metrics"]])
def test_metrics_at_k_match_tensorflow(case):
    def inspect(value):
        assert value.dtype == tf.float64
        assert all(v in tf.get_collection(tf.GraphKeys.METRIC_VARIABLES)
                   for v in tf.local_variables())

    got, want = run_metric(tf, case, inspect), case["result"]
    for g, w in zip(got["updates"], want["updates"]):
        _close(g, w)
    _close(got["value"], want["value"])
    assert got["variables"] == want["variables"]


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
