"""Contract samples for tensor_scatter_nd_update/add/sub (ir/ops/scatter_ops.py)."""
import numpy as np

from graphc.ir.ops import core_ops, scatter_ops as s

ph = core_ops.placeholder
R = np.random.RandomState(9)


def _samples(builder):
    def rows():
        t = ph("float64", [None, 3])
        u = ph("float64", [2, 3])
        return builder(t, np.int32([[2], [0]]), u), {t: R.randn(4, 3), u: R.randn(2, 3)}

    def elements_repeated():
        t = ph("float64", [3, 2])
        u = ph("float64", [None])
        idx = np.int64([[0, 1], [2, 0], [0, 1]]) if builder is not s.tensor_scatter_nd_update \
            else np.int64([[0, 1], [2, 0], [1, 1]])
        return builder(t, idx, u), {t: R.randn(3, 2), u: R.randn(3)}

    def ints():
        t = ph("int32", [5])
        return builder(t, np.int32([[4], [1]]), np.int32([7, -3])), {
            t: np.int32([1, 2, 3, 4, 5])}
    for f in (rows, elements_repeated, ints):
        f.__name__ = f"{builder.__name__}_{f.__name__}"
    return [rows, elements_repeated, ints]


SAMPLES = {
    "TensorScatterUpdate": _samples(s.tensor_scatter_nd_update),
    "TensorScatterAdd": _samples(s.tensor_scatter_nd_add),
    "TensorScatterSub": _samples(s.tensor_scatter_nd_sub),
}
