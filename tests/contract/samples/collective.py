"""Contract samples for the collective ops (graphc.distributed): in one process (no MPI
job) each is its one-process meaning: allreduce and broadcast the identity, allgather the
identity along dim 0; their VJPs are collectives too and are checked numerically."""
import numpy as np

from graphc.ir.ops import collective_ops as C
from graphc.ir.ops import core_ops

ph = core_ops.placeholder
R = np.random.RandomState(19)


def _allreduce_fused():
    a, b = ph("float64", [2, 3]), ph("float64", [None])
    ra, rb = C.allreduce([a, b], "average")
    return [ra, rb], {a: R.randn(2, 3), b: R.randn(4)}


def _allreduce_sum_fp16():
    a = ph("float32", [3])
    return C.allreduce([a], "sum", "fp16"), {a: R.randn(3).astype(np.float32)}


def _allreduce_int():
    a = ph("int32", [2, 2])
    return C.allreduce([a], "sum"), {a: np.arange(4, dtype=np.int32).reshape(2, 2)}


def _allgather():
    a = ph("float64", [None, 2])
    return [C.allgather(a)], {a: R.randn(3, 2)}


def _allgather_3d_int():
    a = ph("int64", [2, None, 2])
    return [C.allgather(a)], {a: np.arange(12, dtype=np.int64).reshape(2, 3, 2)}


def _broadcast_int():
    a = ph("int32", [None])
    return [C.broadcast(a, 0)], {a: np.arange(5, dtype=np.int32)}


def _allgather_grad_float32():
    g, x = ph("float32", [2, 3]), ph("float32", [2, 3])
    return [C.allgather_grad(g, x, "g")], {g: R.randn(2, 3).astype(np.float32),
                                          x: R.randn(2, 3).astype(np.float32)}


def _broadcast_grad_matrix():
    g = ph("float64", [2, None])
    return [C.broadcast_grad(g, 0, "g")], {g: R.randn(2, 3)}


def _broadcast():
    a = ph("float64", [2, 2])
    return [C.broadcast(a, 0)], {a: R.randn(2, 2)}


def _allgather_grad():
    g, x = ph("float64", [None, 2]), ph("float64", [None, 2])
    return [C.allgather_grad(g, x, "g")], {g: R.randn(3, 2), x: R.randn(3, 2)}


def _broadcast_grad():
    g = ph("float64", [3])
    return [C.broadcast_grad(g, 0, "g")], {g: R.randn(3)}


SAMPLES = {
    "HorovodAllreduce": [_allreduce_fused, _allreduce_sum_fp16, _allreduce_int],
    "HorovodAllgather": [_allgather, _allgather_3d_int],
    "HorovodBroadcast": [_broadcast, _broadcast_int],
    "HorovodAllgatherGrad": [_allgather_grad, _allgather_grad_float32],
    "HorovodBroadcastGrad": [_broadcast_grad, _broadcast_grad_matrix],
}
