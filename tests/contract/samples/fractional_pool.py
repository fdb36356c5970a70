"""Contract samples for fractional pooling (ir/ops/fractional_pool_ops.py): both kinds,
random and pseudo-random regions, overlapping or not, and the gradient ops over the
forward op's own sequences."""
import numpy as np

from graphc.ir.ops import core_ops, fractional_pool_ops as F
from graphc.ir.ops._base import apply
from graphc.ir.ops.array_ops import shape

R = np.random.RandomState(53)
ph = core_ops.placeholder


def _pool(fn, dtype, ratio, **kw):
    def build():
        x = ph(dtype, [2, 9, 7, 3])
        return list(fn(x, ratio, deterministic=True, seed=2, seed2=3, **kw)), {
            x: (R.randn(2, 9, 7, 3) * 5).astype(dtype)}
    build.__name__ = f"{fn.__name__}_{dtype}_{'_'.join(kw) or 'plain'}"
    return build


def _grad(kind, overlapping):
    def build():
        x = ph("float64", [2, 9, 7, 3])
        fn = F.fractional_max_pool if kind == "max" else F.fractional_avg_pool
        y, rows, cols = fn(x, [1.0, 1.6, 1.3, 1.0], overlapping=overlapping,
                           deterministic=True, seed=4, seed2=1)
        dy = ph("float64", [2, 5, 5, 3])
        feed = {x: R.randn(2, 9, 7, 3), dy: R.randn(2, 5, 5, 3)}
        attrs = {"overlapping": overlapping}
        if kind == "max":
            return apply("FractionalMaxPoolGrad", (x, y, dy, rows, cols), attrs), feed
        return apply("FractionalAvgPoolGrad", (shape(x, out_type="int64"), dy, rows, cols),
                     attrs), feed
    build.__name__ = f"{kind}_grad_{'overlapping' if overlapping else 'disjoint'}"
    return build


SAMPLES = {
    "FractionalMaxPool": [_pool(F.fractional_max_pool, "float64", [1.0, 1.5, 1.4, 1.0]),
                          _pool(F.fractional_max_pool, "int32", [1.0, 2.0, 1.2, 1.0],
                                pseudo_random=True, overlapping=True)],
    "FractionalAvgPool": [_pool(F.fractional_avg_pool, "float32", [1.0, 1.5, 1.4, 1.0],
                                overlapping=True),
                          _pool(F.fractional_avg_pool, "int64", [1.0, 1.1, 2.5, 1.0],
                                pseudo_random=True)],
    "FractionalMaxPoolGrad": [_grad("max", False), _grad("max", True)],
    "FractionalAvgPoolGrad": [_grad("avg", False), _grad("avg", True)],
}
