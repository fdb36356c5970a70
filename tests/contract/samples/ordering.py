"""Contract samples for top_k, in_top_k, searchsorted, histogram_fixed_width (sort_ops)
and cumprod, lin_space, roll, bitcast (sequence_ops)."""
import numpy as np

from graphc.ir.ops import core_ops, sequence_ops as q, sort_ops as s

ph = core_ops.placeholder
R = np.random.RandomState(5)


def _top_k_tensor_k():
    x = ph("float64", [None, 5])
    k = ph("int32", [])
    return list(s.top_k(x, k)), {x: R.randn(3, 5), k: np.int32(3)}


def _top_k_rank3():
    x = ph("float64", [2, 2, 4])
    return list(s.top_k(x, 2)), {x: R.randn(2, 2, 4)}


def _top_k_ties_int():
    x = ph("int32", [None])
    return list(s.top_k(x, 4, index_type="int64")), {x: np.int32([3, 1, 3, -2, 3, 7])}


def _in_top_k():
    p = ph("float32", [None, 4])
    t = ph("int32", [None])
    return s.in_top_k(p, t, 2), {p: np.float32([[0.1, 0.5, 0.5, 0.2], [1, 2, 3, np.nan],
                                                [0, 0, 0, 0]]), t: np.int32([2, 0, 5])}


def _in_top_k_int64():
    p = ph("float32", [2, 3])
    return s.in_top_k(p, np.int64([0, 1]), np.int64(1)), {
        p: np.float32([[np.inf, 1, 2], [3, 3, 1]])}


def _bound(side):
    def rows():
        seq = ph("float64", [2, None])
        v = ph("float64", [2, 3])
        return s.searchsorted(seq, v, side=side), {
            seq: np.float64([[0, 1, 1, 3], [-2, 0, 0, 9]]), v: np.float64([[1, 4, -1],
                                                                           [0, 9, 5]])}

    def vector_int64():
        seq = ph("int32", [None])
        return s.searchsorted(seq, np.int32([2, 5, 0]), side=side, out_type="int64"), {
            seq: np.int32([1, 2, 2, 5])}
    rows.__name__ = f"searchsorted_{side}_rows"
    vector_int64.__name__ = f"searchsorted_{side}_vector"
    return [rows, vector_int64]


def _histogram():
    v = ph("float32", [None])
    return s.histogram_fixed_width(v, [0.0, 1.0], nbins=4), {
        v: np.float32([-1, 0, 0.25, 0.3, 0.99, 1, 7])}


def _histogram_int():
    v = ph("int64", [2, 3])
    return s.histogram_fixed_width(v, np.int64([0, 10]), nbins=3, dtype="int64"), {
        v: np.int64([[0, 3, 4], [9, 10, -5]])}


def _cumprod():
    x = ph("float64", [None, 3])
    return q.cumprod(x, axis=1), {x: R.uniform(0.5, 1.5, (2, 3)) * R.choice([-1, 1], (2, 3))}


def _cumprod_exclusive_reverse():
    x = ph("float64", [4])
    return q.cumprod(x, exclusive=True, reverse=True), {x: np.float64([1.5, -0.5, 2.0, 0.8])}


def _cumprod_int():
    x = ph("int32", [2, 3])
    return q.cumprod(x, axis=-1, reverse=True), {x: np.int32([[1, 2, 3], [0, 4, -1]])}


def _lin_space():
    a = ph("float32", [])
    return q.lin_space(a, 3.0, 7), {a: np.float32(-1.5)}


def _lin_space_one():
    n = ph("int64", [])
    return q.linspace(np.float64(2.0), np.float64(5.0), n), {n: np.int64(1)}


def _roll():
    x = ph("float64", [None, 3])
    return q.roll(x, [1, -4], [0, 1]), {x: R.randn(4, 3)}


def _roll_repeated_axis():
    x = ph("int32", [5])
    sh = ph("int32", [2])
    return q.roll(x, sh, [0, 0]), {x: np.int32([1, 2, 3, 4, 5]), sh: np.int32([2, 4])}


def _bitcast_split():
    x = ph("float32", [None])
    return q.bitcast(x, "uint8"), {x: np.float32([1.0, -2.5])}


def _bitcast_join():
    x = ph("int16", [3, 2])
    return q.bitcast(x, "int32"), {x: np.int16([[1, 0], [-1, -1], [0, 1]])}


def _bitcast_same():
    x = ph("int64", [2])
    return q.bitcast(x, "float64"), {x: np.int64([4607182418800017408, 0])}


SAMPLES = {
    "TopKV2": [_top_k_tensor_k, _top_k_rank3, _top_k_ties_int],
    "InTopKV2": [_in_top_k, _in_top_k_int64],
    "LowerBound": _bound("left"),
    "UpperBound": _bound("right"),
    "HistogramFixedWidth": [_histogram, _histogram_int],
    "Cumprod": [_cumprod, _cumprod_exclusive_reverse, _cumprod_int],
    "LinSpace": [_lin_space, _lin_space_one],
    "Roll": [_roll, _roll_repeated_axis],
    "Bitcast": [_bitcast_split, _bitcast_join, _bitcast_same],
}
