"""Contract samples for the modified Bessel functions (ir/ops/bessel_ops.py): each region
of the evaluation (series, quadrature, asymptotic), negative x, and the special values."""
import numpy as np

from graphc.ir.ops import bessel_ops as b, core_ops

ph = core_ops.placeholder
REGIONS = [0.3, 1.99, 2.5, 17.0, 31.0, 250.0]
# the unscaled I grows as exp(x): the gradient test's central differences of a summed loss
# need values of one magnitude (the asymptotic region is covered by the scaled forms)
REGIONS_UNSCALED_I = [0.3, 1.99, 2.5, 5.0, 7.5, 12.0]
SPECIAL = [0.0, -0.0, -3.0, np.inf, -np.inf, np.nan]


def _samples(builder):
    def regions():
        x = ph("float64", [None, 3])
        points = REGIONS_UNSCALED_I if builder in (b.bessel_i0, b.bessel_i1) else REGIONS
        return builder(x), {x: np.float64(points).reshape(2, 3)}

    def special():
        x = ph("float32", None)
        return builder(x), {x: np.float32(SPECIAL)}
    regions.__name__ = f"{builder.__name__}_regions"
    special.__name__ = f"{builder.__name__}_special_values"
    return [regions, special]


SAMPLES = {op: _samples(f) for op, f in (
    ("BesselI0", b.bessel_i0), ("BesselI0e", b.bessel_i0e), ("BesselI1", b.bessel_i1),
    ("BesselI1e", b.bessel_i1e), ("BesselK0", b.bessel_k0), ("BesselK0e", b.bessel_k0e),
    ("BesselK1", b.bessel_k1), ("BesselK1e", b.bessel_k1e))}
