"""Contract samples for the inverse trigonometric and hyperbolic functions (trig_ops),
CumulativeLogsumexp (math_compositions) and the partition/permutation ops
(partition_ops)."""
import numpy as np

from graphc.ir.ops import core_ops, math_compositions as c, partition_ops as p, trig_ops as t

ph = core_ops.placeholder
R = np.random.RandomState(13)


def _unary(builder, low, high, special):
    def f64():
        x = ph("float64", [None, 2])
        return builder(x), {x: R.uniform(low, high, (3, 2))}

    def f32():
        x = ph("float32", None)
        return builder(x), {x: np.float32(special)}
    f64.__name__ = f"{builder.__name__}_float64"
    f32.__name__ = f"{builder.__name__}_float32_special_values"
    return [f64, f32]


def _atan2():
    y = ph("float64", [None, 3])
    x = ph("float64", [3])
    return t.atan2(y, x), {y: R.randn(2, 3), x: np.float64([0.5, -1.5, 2.0])}


def _atan2_signs():
    y = ph("float32", [6])
    return t.atan2(y, np.float32([0, -0.0, 1, -1, np.inf, -1])), {
        y: np.float32([0, 0, -0.0, 1, 1, np.nan])}


def _cumulative_logsumexp():
    x = ph("float64", [None, 3])
    return c.cumulative_logsumexp(x, axis=1), {x: R.randn(2, 3) * 3}


def _cumulative_logsumexp_reverse():
    x = ph("float64", [4])
    return c.cumulative_logsumexp(x, reverse=True), {x: np.float64([-50.0, 0.5, 2.0, -1.0])}


def _cumulative_logsumexp_exclusive():
    x = ph("float32", [2, 3])  # (the exclusive first entry is -inf: no central differences)
    return c.cumulative_logsumexp(x, axis=-1, exclusive=True, reverse=True), {
        x: np.float32([[-50.0, 0.5, 2.0], [1.0, np.inf, -np.inf]])}


def _invert():
    x = ph("int32", [None])
    return p.invert_permutation(x), {x: np.int32([3, 0, 2, 1])}


def _invert64():
    x = ph("int64", [2])
    return p.invert_permutation(x), {x: np.int64([1, 0])}


def _concat_offset():
    a = ph("int32", [3])
    return p.concat_offset(1, [a, np.int32([2, 4, 5]), np.int32([2, 1, 5])]), {
        a: np.int32([2, 3, 5])}


def _concat_offset_negative_axis_unknown_length():
    a, b = ph("int32", [None]), ph("int32", [None])
    return p.concat_offset(-1, [a, b]), {a: np.int32([4, 2]), b: np.int32([4, 7])}


def _list_diff():
    x = ph("int32", [None])
    return list(p.setdiff1d(x, np.int32([2, 4]))), {x: np.int32([1, 2, 3, 4, 2, 5])}


def _list_diff_float():
    x = ph("float64", [3])
    return list(p.setdiff1d(x, np.float64([9.0]), index_dtype="int64")), {
        x: np.float64([9, 1.5, 9])}


def _partition():
    d = ph("float64", [None, 2])
    parts = ph("int32", [None])
    return p.dynamic_partition(d, parts, 3), {d: R.randn(5, 2),
                                              parts: np.int32([2, 0, 2, 1, 0])}


def _partition_matrix_ids():
    d = ph("float64", [2, 2])
    return p.dynamic_partition(d, np.int32([[1, 0], [0, 1]]), 2), {d: R.randn(2, 2)}


def _stitch():
    a = ph("float64", [2, 2])
    b = ph("float64", [None, 2])
    return p.dynamic_stitch([np.int32([0, 3]), np.int32([1, 2])], [a, b]), {
        a: R.randn(2, 2), b: R.randn(2, 2)}


def _stitch_overlap():
    a = ph("int32", [3])
    return p.dynamic_stitch([np.int32([0, 1, 2]), np.int32([1])], [a, np.int32([9])]), {
        a: np.int32([4, 5, 6])}


def _broadcast_args():
    x = ph("int32", [None])
    return p.broadcast_dynamic_shape(x, np.int32([4, 1])), {x: np.int32([2, 1, 1])}


def _broadcast_args_64():
    x = ph("int64", [2])
    return p.broadcast_dynamic_shape(x, np.int64([3])), {x: np.int64([5, 1])}


SAMPLES = {
    "Asin": _unary(t.asin, -0.9, 0.9, [1.0, -1.0, 2.0, 0.0]),
    "Acos": _unary(t.acos, -0.9, 0.9, [1.0, -1.0, 2.0, 0.0]),
    "Atan": _unary(t.atan, -3.0, 3.0, [np.inf, -np.inf, 0.0, 1e30]),
    "Asinh": _unary(t.asinh, -3.0, 3.0, [np.inf, -1e30, 0.0, 1e-30]),
    "Acosh": _unary(t.acosh, 1.2, 4.0, [1.0, 0.5, np.inf, 1e30]),
    "Atanh": _unary(t.atanh, -0.9, 0.9, [1.0, -1.0, 2.0, 0.0]),
    "Sinh": _unary(t.sinh, -3.0, 3.0, [100.0, -100.0, 0.0, 1e-20]),
    "Cosh": _unary(t.cosh, -3.0, 3.0, [100.0, -100.0, 0.0, np.nan]),
    "Atan2": [_atan2, _atan2_signs],
    "CumulativeLogsumexp": [_cumulative_logsumexp, _cumulative_logsumexp_reverse,
                            _cumulative_logsumexp_exclusive],
    "InvertPermutation": [_invert, _invert64],
    "ConcatOffset": [_concat_offset, _concat_offset_negative_axis_unknown_length],
    "ListDiff": [_list_diff, _list_diff_float],
    "DynamicPartition": [_partition, _partition_matrix_ids],
    "DynamicStitch": [_stitch, _stitch_overlap],
    "BroadcastArgs": [_broadcast_args, _broadcast_args_64],
}
