"""Contract samples for segment reductions, unique and bincount (ir/ops/segment_ops.py)."""
import numpy as np

from graphc.ir.ops import core_ops, segment_ops as s

ph = core_ops.placeholder
R = np.random.RandomState(11)


def _sorted(builder):
    def rows():
        d = ph("float64", [None, 3])
        ids = ph("int32", [None])
        return builder(d, ids), {d: R.uniform(0.5, 2.0, (5, 3)) * R.choice([-1, 1], (5, 3)),
                                 ids: np.int32([0, 0, 1, 3, 3])}

    def vector_const_ids():
        d = ph("float64", [4])
        return builder(d, np.int64([0, 1, 1, 1])), {d: np.float64([1.5, -2.0, 0.7, 3.1])}

    def ints():
        d = ph("int32", [3, 2])
        return builder(d, np.int32([1, 1, 2])), {d: np.int32([[1, 2], [3, -4], [5, 6]])}
    for f in (rows, vector_const_ids, ints):
        f.__name__ = f"{builder.__name__}_{f.__name__}"
    return [rows, vector_const_ids, ints]


def _unsorted(builder):
    def rows():
        d = ph("float64", [None, 2])
        ids = ph("int32", [None])
        return builder(d, ids, 4), {d: R.uniform(0.5, 2.0, (5, 2)) * R.choice([-1, 1], (5, 2)),
                                    ids: np.int32([3, -1, 0, 2, 1])}

    def matrix_ids():
        d = ph("float64", [2, 2, 3])
        return builder(d, np.int64([[0, 2], [1, 0]]), np.int64(3)), {
            d: R.uniform(0.5, 2.0, (2, 2, 3))}

    def ints():
        d = ph("int32", [4])
        return builder(d, np.int32([0, 1, 0, 1]), 3), {d: np.int32([4, -2, 7, 1])}
    for f in (rows, matrix_ids, ints):
        f.__name__ = f"{builder.__name__}_{f.__name__}"
    return [rows, matrix_ids, ints]


def _unique():
    x = ph("int32", [None])
    return list(s.unique(x)), {x: np.int32([4, 1, 4, 2, 1, 1, 9])}


def _unique_float():
    x = ph("float32", [5])
    return list(s.unique(x, out_idx="int64")), {x: np.float32([0.5, -1, 0.5, 2, -1])}


def _unique_counts():
    x = ph("int64", [None])
    return list(s.unique_with_counts(x)), {x: np.int64([7, 7, 3, 7, 0])}


def _unique_counts_empty():
    x = ph("float64", [None])
    return list(s.unique_with_counts(x, out_idx="int64")), {x: np.zeros(0)}


def _bincount():
    x = ph("int32", [None])
    return s.bincount(x, minlength=6), {x: np.int32([1, 1, 3, 0, 3, 3])}


def _bincount_weights():
    x = ph("int32", [2, 3])
    w = ph("float64", [2, 3])
    return s.bincount(x, weights=w, maxlength=3), {x: np.int32([[0, 4, 2], [2, 1, 2]]),
                                                   w: R.randn(2, 3)}


SAMPLES = {
    "SegmentSum": _sorted(s.segment_sum),
    "SegmentMean": _sorted(s.segment_mean),
    "SegmentMax": _sorted(s.segment_max),
    "SegmentMin": _sorted(s.segment_min),
    "SegmentProd": _sorted(s.segment_prod),
    "UnsortedSegmentMax": _unsorted(s.unsorted_segment_max),
    "UnsortedSegmentMin": _unsorted(s.unsorted_segment_min),
    "UnsortedSegmentProd": _unsorted(s.unsorted_segment_prod),
    "UnsortedSegmentSum": _unsorted(s.unsorted_segment_sum),
    "Unique": [_unique, _unique_float],
    "UniqueWithCounts": [_unique_counts, _unique_counts_empty],
    "Bincount": [_bincount, _bincount_weights],
}
