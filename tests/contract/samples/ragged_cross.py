"""Contract samples for RaggedCross (tf.ragged.cross and cross_hashed)."""
import numpy as np

import graphc as tf
from graphc.ir.ops import core_ops
from graphc.ir.ops.ragged_cross_ops import ragged_cross_op

ph = core_ops.placeholder


def _cross_strings():
    a, b = ph("string", [None]), ph("int64", [None])
    values, splits = ragged_cross_op([a, b], [tf.constant([0, 2, 3], tf.int64),
                                               tf.constant([0, 1, 3], tf.int64)])
    return [values, splits], {a: np.array([b"p", b"q", b"r"], object),
                              b: np.int64([4, 5, 6])}


def _cross_hashed():
    a = ph("string", [None])
    values, splits = ragged_cross_op([a, a], [tf.constant([0, 1, 3], tf.int64)] * 2,
                                     hashed=True, num_buckets=100)
    return [values, splits], {a: np.array([b"x", b"y", b"z"], object)}


SAMPLES = {"RaggedCross": [_cross_strings, _cross_hashed]}
