"""tf.sets (graphc/sets.py, ir/ops/set_ops.py) against TensorFlow's results
(tests/fixtures/tf/sets_metrics.json, made by make_sets_metrics_fixtures.py from the
cases of sets_metrics_cases.py), and TF1's refusals."""
from __future__ import annotations

import json
import os

import numpy as np
import pytest

import graphc as tf

from . import sets_metrics_cases as cases

FIXTURE = os.path.join(os.path.dirname(__file__), os.pardir, "fixtures", "tf",
                       "sets_metrics.json")
with open(FIXTURE) as _f:
    DATA = json.load(_f)


@pytest.mark.parametrize("case", DATA["sets"], ids=[c["name"] for c in DATA["sets"]])
def test_sets_match_tensorflow(case):
    assert cases.run_set(tf, case) == case["result"]


def test_short_names_are_the_long_ones():
    assert tf.sets.size is tf.sets.set_size and tf.sets.union is tf.sets.set_union
    assert tf.sets.intersection is tf.sets.set_intersection
    assert tf.sets.difference is tf.sets.set_difference


def test_set_operation_static_shapes():
    with tf.Graph().as_default():
        a = tf.placeholder(tf.int32, [None, 3, 4])
        out = tf.sets.set_union(a, a)
        assert out.indices.shape.as_list() == [None, 3]
        assert out.values.shape.as_list() == [None]
        assert out.dense_shape.shape.as_list() == [3]


def test_sets_refuse_what_tf1_refuses():
    with tf.Graph().as_default():
        a = tf.constant([[1, 2]], tf.int64)
        with pytest.raises(TypeError, match="Types don't match"):
            tf.sets.set_union(a, tf.constant([[1, 2]], tf.int32))
        with pytest.raises(TypeError, match="invalid dtype float32"):
            tf.sets.set_union(tf.constant([[1.0]]), tf.constant([[1.0]]))
        with pytest.raises(TypeError, match="SparseTensor"):
            tf.sets.set_size(a)
        with pytest.raises(ValueError, match="at least rank 2"):
            tf.sets.set_intersection(tf.constant([1, 2]), tf.constant([1, 2]))
        with tf.Session() as sess:
            with pytest.raises(tf.errors.InvalidArgumentError, match="must match"):
                sess.run(tf.sets.set_union(a, tf.constant([[1], [2]], tf.int64)).values)
            unordered = tf.SparseTensor(np.int64([[0, 1], [0, 0]]), tf.constant([1, 2]),
                                        np.int64([1, 2]))
            with pytest.raises(tf.errors.InvalidArgumentError, match="row-major order"):
                sess.run(tf.sets.set_size(unordered))
            assert sess.run(tf.sets.set_size(unordered, validate_indices=False)).tolist() == [2]
            outside = tf.SparseTensor(np.int64([[0, 5]]), tf.constant([1]), np.int64([1, 2]))
            with pytest.raises(tf.errors.InvalidArgumentError, match="out of bounds"):
                sess.run(tf.sets.set_size(outside, validate_indices=False))


def test_set_ops_are_not_differentiable():
    with tf.Graph().as_default():
        a = tf.placeholder(tf.int64, [2, 3])
        size = tf.sets.set_size(tf.sets.set_union(a, a))
        assert tf.gradients(tf.cast(size, tf.float32), a) == [None]
