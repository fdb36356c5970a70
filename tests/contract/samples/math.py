"""Contract samples for the math family (elementwise, compare, select, reduce, matmul)."""
import numpy as np

from graphc.ir.ops import core_ops, math_ops as m
from graphc.ir.ops import reduce_ops
from graphc.ir.ops import matmul_ops as MM

ph = core_ops.placeholder
R = np.random.RandomState(0)


def _data(shape, dtype, low=-2.0, high=2.0, positive=False, nonzero=False):
    if np.dtype(dtype).kind == "b":
        return R.rand(*shape) > 0.5
    if np.dtype(dtype).kind in "iu":
        lo = 1 if positive else int(low) - 1
        v = R.randint(lo, int(high) + 3, size=shape).astype(dtype)
        if nonzero:
            v[v == 0] = 1
        return v
    v = R.uniform(0.2 if positive else low, high, size=shape)
    if nonzero:
        v = np.where(np.abs(v) < 0.2, 0.5, v)
    return v.astype(dtype)


def binary(builder, dtype="float64", positive=False, nonzero_y=False, y_positive=None):
    def broadcast():
        x = ph(dtype, [None, 3])
        y = ph(dtype, [3])
        yp = positive if y_positive is None else y_positive
        return builder(x, y), {x: _data((2, 3), dtype, positive=positive),
                               y: _data((3,), dtype, positive=yp, nonzero=nonzero_y)}

    def same():
        x = ph(dtype, [2, 2])
        y = ph(dtype, None)
        yp = positive if y_positive is None else y_positive
        return builder(x, y), {x: _data((2, 2), dtype, positive=positive),
                               y: _data((2, 2), dtype, positive=yp, nonzero=nonzero_y)}

    def f32_scalar():
        x = ph("float32" if np.dtype(dtype).kind == "f" else dtype, [4])
        xd = _data((4,), x.dtype.np, positive=positive)
        return builder(x, xd.dtype.type(2)), {x: xd}

    broadcast.__name__ = f"{builder.__name__}_broadcast_{dtype}"
    same.__name__ = f"{builder.__name__}_unknown_rank_{dtype}"
    f32_scalar.__name__ = f"{builder.__name__}_python_scalar"
    return [broadcast, same, f32_scalar]


def unary(builder, dtype="float64", positive=False, low=-2.0, high=2.0):
    def partial():
        x = ph(dtype, [None, 3])
        return builder(x), {x: _data((2, 3), dtype, low, high, positive)}

    def f32():
        d = "float32" if np.dtype(dtype).kind == "f" else dtype
        x = ph(d, None)
        return builder(x), {x: _data((4,), d, low, high, positive)}

    partial.__name__ = f"{builder.__name__}_{dtype}"
    f32.__name__ = f"{builder.__name__}_unknown_rank"
    return [partial, f32]


def compare(builder, dtype="float32"):
    def a():
        x = ph(dtype, [None, 3])
        y = ph(dtype, [1, 3])
        return builder(x, y), {x: _data((2, 3), dtype), y: _data((1, 3), dtype)}

    def b():
        x = ph("int32", [4])
        return builder(x, np.int32(1)), {x: np.int32([0, 1, 2, 1])}
    return [a, b]


def logical(builder):
    def a():
        x = ph("bool", [None, 2])
        y = ph("bool", [2])
        return builder(x, y), {x: _data((3, 2), bool), y: _data((2,), bool)}

    def b():
        x = ph("bool", None)
        return builder(x, True), {x: _data((4,), bool)}
    return [a, b]


def _equal_strings():
    x = core_ops.constant(["a", "b"])
    return m.equal(x, core_ops.constant(["a", "c"])), {}


def _cast_f2i():
    x = ph("float64", [None])
    return m.cast(x, "int32"), {x: np.array([-1.7, 0.2, 2.9])}


def _cast_f64_f32():
    x = ph("float64", [2, 2])
    return m.cast(x, "float32"), {x: R.randn(2, 2)}


def _cast_f32_f64():
    x = ph("float32", [3])
    return m.cast(x, "float64"), {x: R.randn(3).astype(np.float32)}


def _cast_bool():
    x = ph("int32", [3])
    return [m.cast(x, "bool"), m.cast(m.cast(x, "bool"), "float32")], {x: np.int32([0, 2, -1])}


def _select_same():
    c = ph("bool", [2, 3])
    x = ph("float64", [2, 3])
    y = ph("float64", [2, 3])
    return m.where(c, x, y), {c: _data((2, 3), bool), x: R.randn(2, 3), y: R.randn(2, 3)}


def _select_rows():
    c = ph("bool", [None])
    x = ph("float64", [None, 2])
    y = ph("float64", [None, 2])
    return m.where(c, x, y), {c: np.array([True, False, True]), x: R.randn(3, 2),
                              y: R.randn(3, 2)}


def _select_v2():
    c = ph("bool", [3])
    x = ph("float64", [2, 3])
    y = ph("float64", [])
    return m.where_v2(c, x, y), {c: np.array([True, False, True]), x: R.randn(2, 3),
                                 y: np.float64(0.5)}


def _select_v2_b():
    c = ph("bool", [None, 1])
    x = ph("float64", [None, 2])
    return m.where_v2(c, x, -x), {c: np.array([[True], [False]]), x: R.randn(2, 2)}


def _where_coords():
    c = ph("bool", [None, 3])
    return m.where(c), {c: _data((3, 3), bool)}


def _where_coords_1d():
    x = ph("int32", [5])
    return m.where(m.greater(x, 2)), {x: np.int32([1, 5, 3, 0, 9])}


def reduce(builder, dtype="float64", bool_input=False):
    def axis1():
        d = "bool" if bool_input else dtype
        x = ph(d, [None, 3])
        return builder(x, axis=1), {x: _data((2, 3), d)}

    def keep():
        d = "bool" if bool_input else dtype
        x = ph(d, [2, 3, 2])
        return builder(x, axis=[0, -1], keepdims=True), {x: _data((2, 3, 2), d)}

    def all_axes_unknown_rank():
        d = "bool" if bool_input else ("float32" if dtype.startswith("float") else dtype)
        x = ph(d, None)
        return builder(x), {x: _data((3, 2), d)}

    def int_input():
        d = "bool" if bool_input else "int32"
        x = ph(d, [4])
        return builder(x, axis=0), {x: _data((4,), d)}
    axis1.__name__ = f"{builder.__name__}_axis1"
    keep.__name__ = f"{builder.__name__}_keepdims"
    all_axes_unknown_rank.__name__ = f"{builder.__name__}_all_unknown_rank"
    return [axis1, keep, all_axes_unknown_rank, int_input]


def _argmax(builder):
    def a():
        x = ph("float32", [None, 4])
        return builder(x, 1), {x: R.randn(3, 4).astype(np.float32)}

    def b():
        x = ph("int32", [3, 2])
        return builder(x, output_type="int32"), {x: np.int32([[1, 5], [7, 2], [3, 3]])}
    return [a, b]


def _matmul():
    a = ph("float64", [None, 3])
    b = ph("float64", [3, 2])
    return MM.matmul(a, b), {a: R.randn(2, 3), b: R.randn(3, 2)}


def _matmul_t():
    a = ph("float64", [3, 2])
    b = ph("float64", [4, 3])
    return MM.matmul(a, b, transpose_a=True, transpose_b=True), {a: R.randn(3, 2),
                                                                b: R.randn(4, 3)}


def _matmul_tb():
    a = ph("float32", [2, 3])
    b = ph("float32", [5, 3])
    return MM.matmul(a, b, transpose_b=True), {a: R.randn(2, 3).astype(np.float32),
                                              b: R.randn(5, 3).astype(np.float32)}


def _matmul_int():
    a = ph("int32", [2, 2])
    return MM.matmul(a, a), {a: np.int32([[1, 2], [3, 4]])}


def _bmm():
    a = ph("float64", [2, None, 3])
    b = ph("float64", [3, 2])
    return MM.matmul(a, core_ops.identity(b)[None]), {a: R.randn(2, 2, 3), b: R.randn(3, 2)}


def _bmm_adj():
    a = ph("float64", [2, 3, 2])
    b = ph("float64", [2, 4, 3])
    return MM.matmul(a, b, adjoint_a=True, adjoint_b=True), {a: R.randn(2, 3, 2),
                                                            b: R.randn(2, 4, 3)}


def _add_n():
    xs = [ph("float64", [None, 2]) for _ in range(3)]
    return MM.add_n(xs), {x: R.randn(2, 2) for x in xs}


def _add_n_int():
    x = ph("int32", [3])
    return MM.add_n([x, x]), {x: np.int32([1, 2, 3])}


def _cumsum():
    x = ph("float64", [None, 3])
    return MM.cumsum(x, axis=1), {x: R.randn(2, 3)}


def _cumsum_rev():
    x = ph("float64", [4])
    return MM.cumsum(x, exclusive=True, reverse=True), {x: R.randn(4)}


SAMPLES = {
    "Add": binary(m.add) + binary(m.add, "int32"),
    "Sub": binary(m.subtract),
    "Mul": binary(m.multiply) + binary(m.multiply, "int64"),
    "RealDiv": binary(m.truediv, nonzero_y=True) + binary(m.truediv, "int32", nonzero_y=True),
    "FloorDiv": binary(m.floordiv, nonzero_y=True) + binary(m.floordiv, "int32",
                                                            nonzero_y=True),
    "FloorMod": binary(m.floormod, positive=True) + binary(m.floormod, "int32",
                                                           nonzero_y=True),
    "TruncateDiv": binary(m.truncatediv, "int32", nonzero_y=True),
    "TruncateMod": binary(m.truncatemod, "int32", nonzero_y=True),
    "Pow": binary(m.pow, positive=True),
    "Maximum": binary(m.maximum) + binary(m.maximum, "int32"),
    "Minimum": binary(m.minimum),
    "SquaredDifference": binary(m.squared_difference),
    "Neg": unary(m.negative) + unary(m.negative, "int32"),
    "Abs": unary(m.abs),
    "Sign": unary(m.sign),
    "Square": unary(m.square),
    "Sqrt": unary(m.sqrt, positive=True),
    "Rsqrt": unary(m.rsqrt, positive=True),
    "Reciprocal": unary(m.reciprocal, positive=True),
    "Exp": unary(m.exp),
    "Expm1": unary(m.expm1),
    "Log": unary(m.log, positive=True),
    "Log1p": unary(m.log1p, positive=True),
    "Sin": unary(m.sin),
    "Cos": unary(m.cos),
    "Tan": unary(m.tan, low=-1.0, high=1.0),
    "Tanh": unary(m.tanh),
    "Sigmoid": unary(m.sigmoid),
    "Floor": unary(m.floor),
    "Ceil": unary(m.ceil),
    "Round": unary(m.round) + unary(m.round, "int32"),
    "Rint": unary(m.rint),
    "IsNan": unary(m.is_nan),
    "IsInf": unary(m.is_inf),
    "IsFinite": unary(m.is_finite),
    "Erf": unary(m.erf),
    "LogicalNot": [lambda: (lambda x: (m.logical_not(x), {x: _data((3,), bool)}))(
        ph("bool", [3])), lambda: (lambda x: (m.logical_not(x), {x: _data((2, 2), bool)}))(
        ph("bool", None))],
    "Cast": [_cast_f2i, _cast_f64_f32, _cast_f32_f64, _cast_bool],
    "Equal": compare(m.equal) + [_equal_strings],
    "NotEqual": compare(m.not_equal),
    "Less": compare(m.less),
    "LessEqual": compare(m.less_equal),
    "Greater": compare(m.greater),
    "GreaterEqual": compare(m.greater_equal),
    "LogicalAnd": logical(m.logical_and),
    "LogicalOr": logical(m.logical_or),
    "Select": [_select_same, _select_rows],
    "SelectV2": [_select_v2, _select_v2_b],
    "Where": [_where_coords, _where_coords_1d],
    "Sum": reduce(reduce_ops.reduce_sum),
    "Mean": reduce(reduce_ops.reduce_mean),
    "Max": reduce(reduce_ops.reduce_max),
    "Min": reduce(reduce_ops.reduce_min),
    "Prod": reduce(reduce_ops.reduce_prod),
    "Any": reduce(reduce_ops.reduce_any, bool_input=True),
    "All": reduce(reduce_ops.reduce_all, bool_input=True),
    "ArgMax": _argmax(reduce_ops.argmax),
    "ArgMin": _argmax(reduce_ops.argmin),
    "MatMul": [_matmul, _matmul_t, _matmul_tb, _matmul_int],
    "BatchMatMulV2": [_bmm, _bmm_adj],
    "AddN": [_add_n, _add_n_int],
    "Cumsum": [_cumsum, _cumsum_rev],
}
