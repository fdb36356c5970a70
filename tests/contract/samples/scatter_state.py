"""Contract samples for the scatters into variables and count_up_to
(ir/ops/scatter_state_ops.py), and tensor_scatter_nd_max/min (ir/ops/scatter_ops.py)."""
import numpy as np

from graphc.ir.ops import core_ops, scatter_ops, scatter_state_ops as s, state_ops

ph = core_ops.placeholder
R = np.random.RandomState(11)


def _var(value):
    v = state_ops.variable_op(value.shape, value.dtype.name)
    return v, state_ops.assign(v, core_ops.constant(value))


def _rows(builder, dtype="float64"):
    def rows():
        v, init = _var(R.randn(4, 3).astype(dtype) + 3)
        u = ph(dtype, [None, 3])
        return [builder(v, np.int32([2, 0, 2]), u)], {u: R.randn(3, 3).astype(dtype) + 3}, \
            [init]

    def scalar_update():
        v, init = _var(np.arange(1, 7, dtype=np.int64).reshape(3, 2))
        return [builder(v, np.int64([[1], [2]]), np.int64(3))], {}, [init]
    for f in (rows, scalar_update):
        f.__name__ = f"{builder.__name__}_{f.__name__}"
    return [rows, scalar_update]


def _nd(builder):
    def elements():
        v, init = _var(R.randn(3, 2))
        u = ph("float64", [None])
        return [builder(v, np.int64([[0, 1], [2, 0], [0, 1]]), u)], {u: R.randn(3)}, [init]

    def rows_int():
        v, init = _var(np.int32([1, 2, 3, 4, 5]))
        return [builder(v, np.int32([[4], [1]]), np.int32([7, -3]))], {}, [init]
    for f in (elements, rows_int):
        f.__name__ = f"{builder.__name__}_{f.__name__}"
    return [elements, rows_int]


def _count():
    v, init = _var(np.int32(4))
    return [s.count_up_to(v, 9)], {}, [init]


def _count_int64():
    v, init = _var(np.int64(0))
    return [s.count_up_to(v, 2)], {}, [init]


def _tensor_min_max(builder):
    def elements():
        t = ph("float64", [3, 2])
        return builder(t, np.int32([[0, 1], [2, 0], [0, 1]]), np.float64([0.5, -2, 3])), {
            t: R.randn(3, 2)}

    def rows_int():
        t = ph("int32", [None, 2])
        return builder(t, np.int64([[1], [1]]), np.int32([[5, -5], [0, 9]])), {
            t: np.int32([[1, 2], [3, 4], [5, 6]])}
    for f in (elements, rows_int):
        f.__name__ = f"{builder.__name__}_{f.__name__}"
    return [elements, rows_int]


SAMPLES = {
    "ScatterUpdate": _rows(s.scatter_update),
    "ScatterAdd": _rows(s.scatter_add),
    "ScatterSub": _rows(s.scatter_sub),
    "ScatterMul": _rows(s.scatter_mul),
    "ScatterDiv": _rows(s.scatter_div),
    "ScatterMin": _rows(s.scatter_min),
    "ScatterMax": _rows(s.scatter_max),
    "ScatterNdUpdate": _nd(s.scatter_nd_update),
    "ScatterNdAdd": _nd(s.scatter_nd_add),
    "ScatterNdSub": _nd(s.scatter_nd_sub),
    "CountUpTo": [_count, _count_int64],
    "TensorScatterMax": _tensor_min_max(scatter_ops.tensor_scatter_nd_max),
    "TensorScatterMin": _tensor_min_max(scatter_ops.tensor_scatter_nd_min),
}
