"""Contract samples for the special functions and safe divisions (ir/ops/special_ops.py).

float64 samples stay away from poles, roots and x == 0 of xlogy/xdivy (where TF1's
gradient is 0 by definition, not the limit); the float32 samples hit those points."""
import numpy as np

from graphc.ir.ops import core_ops, special_ops as s

ph = core_ops.placeholder
R = np.random.RandomState(7)


def _unary(builder, data64, data32):
    def f64():
        x = ph("float64", [None, 3])
        return builder(x), {x: np.asarray(data64, np.float64).reshape(-1, 3)}

    def f32():
        x = ph("float32", None)
        return builder(x), {x: np.asarray(data32, np.float32)}
    f64.__name__ = f"{builder.__name__}_float64"
    f32.__name__ = f"{builder.__name__}_float32_special_values"
    return [f64, f32]


def _binary(builder, x64, y64, x32, y32):
    def broadcast():
        x = ph("float64", [None, 3])
        y = ph("float64", [3])
        return builder(x, y), {x: np.asarray(x64, np.float64).reshape(-1, 3),
                               y: np.asarray(y64, np.float64)}

    def f32():
        x = ph("float32", [None])
        y = ph("float32", None)
        return builder(x, y), {x: np.asarray(x32, np.float32), y: np.asarray(y32, np.float32)}

    def scalar():
        x = ph("float64", [2, 2])
        return builder(x, 1.5), {x: np.asarray(x64, np.float64).reshape(-1)[:4].reshape(2, 2)}
    broadcast.__name__ = f"{builder.__name__}_broadcast"
    f32.__name__ = f"{builder.__name__}_float32_special_values"
    scalar.__name__ = f"{builder.__name__}_python_scalar"
    return [broadcast, f32, scalar]


def _polygamma_orders():
    x = ph("float64", [4])
    return s.polygamma(np.float64([0, 1, 2, 3]), x), {x: np.float64([0.6, 1.7, 3.2, 12.5])}


def _polygamma_neg():
    x = ph("float32", [3])
    return s.polygamma(np.float32(1), x), {x: np.float32([-1.5, 0.0, 7.25])}


def _zeta_q():
    q = ph("float64", [None])
    return s.zeta(np.float64(3.0), q), {q: np.float64([0.5, 1.0, 2.5, 11.0])}


def _zeta_x():
    x = ph("float32", [3])
    return s.zeta(x, np.float32(2.0)), {x: np.float32([1.0, 0.5, 4.0])}


_POS = [0.3, 0.9, 1.9, 2.5, 4.2, 7.75]
SAMPLES = {
    "Erfc": _unary(s.erfc, [-2.0, -0.4, 0.1, 0.7, 1.8, 3.1], [0.0, -np.inf, 9.5, np.nan]),
    "Lgamma": _unary(s.lgamma, [0.3, 0.6, 2.5, 3.4, 7.9, -0.5],
                     [0.0, -2.0, 1.0, np.inf, -3.5, 1e-30]),
    "Digamma": _unary(s.digamma, [0.3, 0.8, 2.5, 3.7, 11.0, -0.3],
                      [0.0, -1.0, 1e-8, -2.5, 30.5, np.inf]),
    "Polygamma": [_polygamma_orders, _polygamma_neg],
    "Zeta": [_zeta_q, _zeta_x],
    "Xlogy": _binary(s.xlogy, [0.5, -1.5, 2.0, 1.2, 3.0, -0.7], [0.4, 1.3, 2.2],
                     [0.0, 0.0, 1.0, 2.0, -1.0], [0.0, np.nan, 0.0, 4.0, 0.5]),
    "Xdivy": _binary(s.xdivy, [0.5, -1.5, 2.0, 1.2, 3.0, -0.7], [0.4, -1.3, 2.2],
                     [0.0, 0.0, 1.0, 2.0, -1.0], [0.0, np.nan, 0.0, 4.0, 0.5]),
    "Xlog1py": _binary(s.xlog1py, [0.5, -1.5, 2.0, 1.2, 3.0, -0.7], [0.4, 1.3, 2.2],
                       [0.0, 0.0, 1.0, 2.0, -1.0], [-1.0, np.nan, -1.0, 4.0, 0.5]),
    "MulNoNan": _binary(s.multiply_no_nan, [0.5, -1.5, 2.0, 1.2, 3.0, -0.7], [0.4, -1.3, 2.2],
                        [np.inf, np.nan, 1.0, 2.0, -1.0], [0.0, 0.0, 0.0, 4.0, 0.5]),
    "DivNoNan": _binary(s.div_no_nan, [0.5, -1.5, 2.0, 1.2, 3.0, -0.7], [0.4, -1.3, 2.2],
                        [0.0, np.nan, 1.0, 2.0, -1.0], [0.0, 0.0, 0.0, 4.0, 0.5]),
}
