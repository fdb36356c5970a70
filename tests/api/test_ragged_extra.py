"""tf.ragged.stack, boolean_mask, placeholder, stack_dynamic_partitions and the raw ops
ragged_fill_empty_rows(_grad) against TensorFlow: the cases of ragged_extra_cases.py
run in graphc on both backends and match TensorFlow's outputs stored in
tests/fixtures/tf/ragged_extra.npz (made by
tests/fixtures/tf/make_ragged_extra_fixtures.py); then the placeholder and the errors."""
from __future__ import annotations


import numpy as np
import pytest

import graphc as tf

from . import ragged_extra_cases
from .tf_case_runner import comparison_tests

globals().update(comparison_tests(tf, ragged_extra_cases, "ragged_extra"))


@pytest.mark.parametrize("backend", ["numpy", "llvm"])
def test_ragged_placeholder_is_fed_through_its_components(backend):
    rt = tf.ragged.placeholder(tf.float32, 1, [2], name="rp")
    assert rt.flat_values.shape.as_list() == [None, 2] and rt.ragged_rank == 1
    assert rt.row_splits.name == "rp/row_splits:0"
    total = tf.reduce_sum(rt.flat_values, 1)
    nested = tf.ragged.placeholder(tf.int32, 2)
    assert nested.ragged_rank == 2 and nested.flat_values.shape.as_list() == [None]
    with tf.Session(backend=backend) as sess:
        got = sess.run(rt.with_flat_values(total), {
            rt.values: np.arange(6, dtype=np.float32).reshape(3, 2),
            rt.row_splits: np.array([0, 2, 3], np.int64)})
    assert got.to_list() == [[1.0, 5.0], [9.0]]


def test_errors_name_what_is_not_supported():
    deep = tf.ragged.constant([[[1], [2, 3]], [[4]]])
    with pytest.raises(NotImplementedError, match="ragged_rank 1"):
        tf.ragged.stack([deep, deep])
    with pytest.raises(NotImplementedError, match="axis 0 or 1"):
        tf.ragged.stack([tf.ragged.constant([[1]])], axis=2)
    with pytest.raises(ValueError, match="must not be empty"):
        tf.ragged.stack([])
    with pytest.raises(ValueError, match="ragged_rank must be >= 1"):
        tf.ragged.placeholder(tf.float32, 0)
