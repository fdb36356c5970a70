"""Contract samples for CountSparseOutput and SparseCross (ir/ops/sparse_feature_ops.py);
TensorFlow's values are checked in tests/api/test_sparseio_tf.py."""
import numpy as np

from graphc.ir.ops import core_ops, sparse_feature_ops as F

ph = core_ops.placeholder


def _count_all():
    v = ph("int32", [None])
    return list(F.count_sparse_output(v, None, None, None, 5, -1, False, False)), {
        v: np.int32([3, 1, 3, 0])}


def _count_rows_weighted():
    v, w = ph("int64", [None]), ph("float32", [None])
    rows = np.int64([0, 0, 1, 1, 1])
    return list(F.count_sparse_output(v, rows, w, 2, -1, 3, False, True)), {
        v: np.int64([2, 2, 0, 1, 7]), w: np.float32([0.5, 1, 2, 3, 4])}


def _cross_strings():
    d = ph("string", [2, None])
    sparse = [(np.int64([[0, 0], [1, 0], [1, 1]]), np.array([b"a", b"b", b"c"], object),
               np.int64([2, 2]))]
    return list(F.sparse_cross_op(sparse, [d], False)), {
        d: np.array([[b"x"], [b"y"]], object)}


def _cross_hashed():
    d = ph("int64", [2, 2])
    return list(F.sparse_cross_op([], [d, np.array([[b"u"], [b"v"]], object)], True, 10)), {
        d: np.int64([[1, 2], [3, 4]])}


SAMPLES = {"CountSparseOutput": [_count_all, _count_rows_weighted],
           "SparseCross": [_cross_strings, _cross_hashed]}
