"""Contract samples for the inverse error functions, incomplete gamma and beta functions
(ir/ops/special_inverse_ops.py) and the integral-defined special functions
(ir/ops/special_integral_ops.py): float64 samples over each region of the evaluation, away
from the points where the gradient is infinite; float32 samples on the special values."""
import numpy as np

from graphc.ir.ops import core_ops, special_integral_ops as si, special_inverse_ops as sv

ph = core_ops.placeholder


def _unary(builder, regions, special):
    def f64():
        x = ph("float64", [None, 2])
        return builder(x), {x: np.float64(regions).reshape(-1, 2)}

    def f32():
        x = ph("float32", None)
        return builder(x), {x: np.float32(special)}
    f64.__name__ = f"{builder.__name__}_regions"
    f32.__name__ = f"{builder.__name__}_float32_special_values"
    return [f64, f32]


NONFINITE = [np.inf, -np.inf, np.nan]
BESSEL = [0.3, 1.7, 4.0, 11.5, 24.0, 31.0]


def _gamma(builder):
    def grid():
        # (IgammaGradA's own gradient has no part in a, as TF's: there a is a constant)
        x = ph("float64", [4])
        a_values = np.float64([[0.7], [3.0], [12.0]])
        if builder is sv.igamma_grad_a:
            return builder(a_values, x), {x: np.float64([0.2, 2.5, 9.0, 20.0])}
        a = ph("float64", [None, 1])
        return builder(a, x), {a: a_values, x: np.float64([0.2, 2.5, 9.0, 20.0])}

    def special():
        a = ph("float32", [None])
        x = ph("float32", [None])
        return builder(a, x), {a: np.float32([0.0, -1.0, 2.0, 2.0, 1.0, np.nan, 3.0]),
                               x: np.float32([1.0, 1.0, -1.0, np.inf, 0.0, 1.0, 3.0])}
    grid.__name__ = f"{builder.__name__}_grid"
    special.__name__ = f"{builder.__name__}_float32_special_values"
    return [grid, special]


def _betainc_grid():
    # a and b constants: TF defines no gradient for them (tf.gradients gives None)
    x = ph("float64", [None])
    return sv.betainc(np.float64([[0.6], [1.0], [7.0]]), np.float64(2.5), x), \
        {x: np.float64([0.05, 0.4, 0.85])}


def _betainc_special():
    a = ph("float32", [None])
    b = ph("float32", [None])
    x = ph("float32", [None])
    return sv.betainc(a, b, x), {a: np.float32([0.0, 1.0, 2.0, 2.0, 2.0, 2.0, 30.0]),
                                 b: np.float32([1.0, -1.0, 3.0, 3.0, 3.0, 3.0, 0.5]),
                                 x: np.float32([0.5, 0.5, -0.1, 1.1, 0.0, 1.0, 0.97])}


def _nextafter():
    x1 = ph("float64", [None])
    x2 = ph("float64", None)
    return sv.nextafter(x1, x2), {x1: np.float64([1.0, 0.0, -3.0, np.inf, np.nan]),
                                  x2: np.float64(0.5)}


def _nextafter32():
    x1 = ph("float32", [4])
    return sv.nextafter(x1, np.float32(np.inf)), {x1: np.float32([1.0, 0.0, -1e-45, 3e38])}


SAMPLES = {
    "Erfinv": _unary(sv.erfinv, [-0.97, -0.3, 1e-8, 0.45, 0.55, 0.999],
                     [-1.0, 1.0, 1.5, 0.0, 1e-30, 0.9999999] + NONFINITE),
    "Ndtri": _unary(sv.ndtri, [1e-3, 0.01, 0.3, 0.5, 0.74, 0.999],
                    [0.0, 1.0, -0.5, 2.0, 1e-40, 0.5] + NONFINITE),
    "Igamma": _gamma(sv.igamma),
    "Igammac": _gamma(sv.igammac),
    "IgammaGradA": _gamma(sv.igamma_grad_a),
    "Betainc": [_betainc_grid, _betainc_special],
    "NextAfter": [_nextafter, _nextafter32],
    "BesselJ0": _unary(si.bessel_j0, BESSEL, [0.0, -3.0, 1e-30, 60.0] + NONFINITE),
    "BesselJ1": _unary(si.bessel_j1, BESSEL, [0.0, -3.0, 1e-30, 60.0] + NONFINITE),
    "BesselY0": _unary(si.bessel_y0, BESSEL, [0.0, -3.0, 1e-30, 60.0] + NONFINITE),
    "BesselY1": _unary(si.bessel_y1, BESSEL, [0.0, -3.0, 1e-30, 60.0] + NONFINITE),
    "Dawsn": _unary(si.dawsn, [0.05, -0.15, 0.9, 3.0, 55.0, -70.0],
                    [0.0, -0.0, 1e10] + NONFINITE),
    "Expint": _unary(si.expint, [0.01, 0.6, 2.0, 5.0, 9.0, 12.0],      # (moderate sizes:
                     [0.0, -1.0, 39.5, 41.0, 80.0, 1e-30] + NONFINITE),  # central differences)
    "FresnelCos": _unary(si.fresnel_cos, [0.2, -0.9, 1.4, 1.6, 2.7, -4.1],
                         [0.0, -0.0, 1e4] + NONFINITE),
    "FresnelSin": _unary(si.fresnel_sin, [0.2, -0.9, 1.4, 1.6, 2.7, -4.1],
                         [0.0, -0.0, 1e4] + NONFINITE),
    "Spence": _unary(si.spence, [0.05, 0.3, 0.8, 1.3, 2.6, 40.0],
                     [0.0, 1.0, -1.0, 1e10] + NONFINITE),
}
