"""Contract samples for ops that gradient rules use."""
import numpy as np

from graphc.ir.ops import array_ops, core_ops, grad_ops

ph = core_ops.placeholder
R = np.random.RandomState(3)


def _sum_to_static():
    g = ph("float64", [None, 3])
    return grad_ops.sum_to_shape(g, [1, 3]), {g: R.randn(4, 3)}


def _sum_to_runtime():
    g = ph("float64", [2, 3])
    x = ph("float64", [None])
    return grad_ops.sum_to_shape(g, array_ops.shape(x)), {g: R.randn(2, 3), x: R.randn(3)}


def _sum_to_scalar():
    g = ph("float32", [2, 2])
    return grad_ops.sum_to_shape(g, []), {g: R.randn(2, 2).astype(np.float32)}


SAMPLES = {"SumToShape": [_sum_to_static, _sum_to_runtime, _sum_to_scalar]}
