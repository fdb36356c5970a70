"""Contract samples for the array family's gradient ops (scatters and folds)."""
import numpy as np

from graphc.ir.ops import array_grads, array_ops, core_ops
from graphc.ir.ops._base import apply

ph = core_ops.placeholder
R = np.random.RandomState(5)


def _i32(v):
    return core_ops.constant(np.asarray(v, np.int32))


def _ssg_basic():
    g = ph("float64", [2, 2])
    return apply("StridedSliceGrad", (_i32([4, 3]), _i32([1, 0]), _i32([4, 3]), _i32([2, 2]),
                                      g), {"begin_mask": 0, "end_mask": 0, "ellipsis_mask": 0,
                                           "new_axis_mask": 0, "shrink_axis_mask": 0}), \
        {g: R.randn(2, 2)}


def _ssg_shrink():
    g = ph("float64", [3])
    return apply("StridedSliceGrad", (_i32([2, 3]), _i32([1, 0]), _i32([2, 0]), _i32([1, 1]),
                                      g), {"begin_mask": 0, "end_mask": 2, "ellipsis_mask": 0,
                                           "new_axis_mask": 0, "shrink_axis_mask": 1}), \
        {g: R.randn(3)}


def _slice_grad():
    g = ph("float64", [2, 2])
    return apply("SliceGrad", (_i32([3, 4]), _i32([1, 1]), g)), {g: R.randn(2, 2)}


def _slice_grad_runtime_shape():
    g = ph("float64", [None, 2])
    x = ph("float32", [None, 3])
    return apply("SliceGrad", (array_ops.shape(x), _i32([0, 1]), g)), {
        g: R.randn(2, 2), x: np.zeros((3, 3), np.float32)}


def _segment_sum():
    d = ph("float64", [4, 2])
    return array_grads.unsorted_segment_sum(d, np.int32([0, 2, 0, 1]), 3), {d: R.randn(4, 2)}


def _segment_sum_axis1():
    d = ph("float64", [2, 3])
    return array_grads.unsorted_segment_sum(d, np.int64([1, 1, 0]), np.int64(2), axis=1), {
        d: R.randn(2, 3)}


def _scatter_nd():
    u = ph("float64", [3])
    return array_grads.scatter_nd(np.int32([[0, 1], [2, 2], [0, 1]]), u, [3, 3]), {
        u: R.randn(3)}


def _scatter_nd_rows():
    u = ph("float64", [2, 3])
    return array_grads.scatter_nd(np.int32([[1], [3]]), u, [4, 3]), {u: R.randn(2, 3)}


def _tile_grad():
    g = ph("float64", [4, 3])
    return apply("TileGrad", (g, _i32([2, 1]), _i32([2, 3]))), {g: R.randn(4, 3)}


def _tile_grad_b():
    g = ph("float64", [2, 6])
    return apply("TileGrad", (g, _i32([1, 3]), _i32([2, 2]))), {g: R.randn(2, 6)}


def _mirror_grad(mode):
    def build():
        g = ph("float64", [5, 6])
        return apply("MirrorPadGrad", (g,), {"paddings": ((1, 1), (2, 1)), "mode": mode}), {
            g: R.randn(5, 6)}
    build.__name__ = f"mirror_grad_{mode.lower()}"
    return build


def _bm_grad():
    g = ph("float64", [None, 2])
    mask = core_ops.constant(np.array([True, False, True]))
    return apply("BooleanMaskGrad", (g, mask, _i32([3, 2])), {"axis": 0}), {g: R.randn(2, 2)}


def _bm_grad_axis1():
    g = ph("float64", [2, 1])
    mask = core_ops.constant(np.array([False, True]))
    return apply("BooleanMaskGrad", (g, mask, _i32([2, 2])), {"axis": 1}), {g: R.randn(2, 1)}


SAMPLES = {
    "StridedSliceGrad": [_ssg_basic, _ssg_shrink],
    "SliceGrad": [_slice_grad, _slice_grad_runtime_shape],
    "UnsortedSegmentSum": [_segment_sum, _segment_sum_axis1],
    "ScatterNd": [_scatter_nd, _scatter_nd_rows],
    "TileGrad": [_tile_grad, _tile_grad_b],
    "MirrorPadGrad": [_mirror_grad("REFLECT"), _mirror_grad("SYMMETRIC")],
    "BooleanMaskGrad": [_bm_grad, _bm_grad_axis1],
}
