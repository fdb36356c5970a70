"""Contract samples for the sparse ops (ir/ops/sparse_ops.py, sparse_combine_ops.py).

Indices and dense shapes are constants (so ranks stay known when placeholders are
relaxed); values are float64 placeholders where the op is differentiable."""
import numpy as np

import graphc
from graphc.ir.ops import core_ops, sparse_combine_ops as C, sparse_ops as S
from graphc.ir.ops._base import apply

ph = core_ops.placeholder
R = np.random.RandomState(7)
I64 = np.int64

# a 3x4 sparse matrix in canonical order, and one out of order
IDX = I64([[0, 1], [0, 3], [1, 0], [2, 2], [2, 3]])
SHAPE = I64([3, 4])
SHUFFLED = I64([[2, 2], [0, 3], [1, 0], [0, 1], [2, 3]])
IDX3 = I64([[0, 0, 1], [0, 1, 0], [1, 0, 2], [1, 1, 1]])
SHAPE3 = I64([2, 2, 3])


def _values(n=5, dtype="float64"):
    v = ph(dtype, [n])
    return v, R.uniform(0.5, 2.0, n).astype(dtype)


def _to_dense():
    v, fv = _values()
    d = ph("float64", [])
    return S.sparse_to_dense_op(IDX, SHAPE, v, d), {v: fv, d: np.float64(-0.5)}


def _to_dense_scalar_value():
    v = ph("float64", [])
    return S.sparse_to_dense_op(I64([[1], [3]]), I64([5]), v, np.float64(0)), {v: 2.5}


def _to_dense_ints():
    return S.sparse_to_dense_op(np.int32([[0, 0], [1, 2]]), np.int32([2, 3]),
                                np.int32([7, -3]), np.int32(1)), {}


def _reorder():
    v, fv = _values()
    return list(S.sparse_reorder_op(SHUFFLED, v, SHAPE)), {v: fv}


def _reorder_3d():
    v, fv = _values(4)
    return list(S.sparse_reorder_op(IDX3[::-1].copy(), v, SHAPE3)), {v: fv}


def _reshape():
    return list(S.sparse_reshape_op(IDX, SHAPE, I64([2, -1, 3]))), {}


def _reshape_flat():
    return list(S.sparse_reshape_op(IDX3, SHAPE3, I64([12]))), {}


def _matmul():
    v, fv = _values()
    b = ph("float64", [4, 2])
    return S.sparse_dense_matmul_op(IDX, v, SHAPE, b), {v: fv, b: R.randn(4, 2)}


def _matmul_adjoint():
    v, fv = _values()
    b = ph("float64", [2, 3])
    return S.sparse_dense_matmul_op(IDX, v, SHAPE, b, adjoint_a=True, adjoint_b=True), {
        v: fv, b: R.randn(2, 3)}


def _dense_add():
    v, fv = _values()
    b = ph("float64", [3, 4])
    return S.sparse_dense_add_op(IDX, v, SHAPE, b), {v: fv, b: R.randn(3, 4)}


def _dense_add_ints():
    return S.sparse_dense_add_op(I64([[1]]), np.int32([5]), I64([3]), np.int32([1, 2, 3])), {}


def _reduce(kind, sparse_output):
    def rows():
        v, fv = _values()
        return S.sparse_reduce_op(kind, IDX, v, SHAPE, [1], False, sparse_output), {v: fv}

    def keep_dims_3d():
        v, fv = _values(4)
        return S.sparse_reduce_op(kind, IDX3, v, SHAPE3, [0, -1], True, sparse_output), {
            v: fv}

    def all_axes():
        v = ph("float64", [5])
        return S.sparse_reduce_op(kind, IDX, v, SHAPE, None, False, sparse_output), {
            v: -R.uniform(0.5, 2.0, 5)}
    return [rows, keep_dims_3d, all_axes]


def _reduce_outs(samples):
    """Sparse outputs: fetch the triple."""
    def wrap(f):
        def g():
            out, feeds = f()
            return list(out), feeds
        g.__name__ = f.__name__
        return g
    return [wrap(f) for f in samples]


def _softmax():
    v, fv = _values()
    return S.sparse_softmax_op(IDX, v, SHAPE), {v: fv}


def _softmax_3d():
    v, fv = _values(4)
    return S.sparse_softmax_op(IDX3, v, SHAPE3), {v: fv}


def _cwise(kind):
    def same_shape():
        v, fv = _values()
        d = ph("float64", [3, 4])
        return S.sparse_dense_cwise_op(kind, IDX, v, SHAPE, d), {
            v: fv, d: R.uniform(0.5, 2.0, (3, 4))}

    def broadcast():
        v, fv = _values(4)
        d = ph("float64", [2, 1])
        return S.sparse_dense_cwise_op(kind, IDX3, v, SHAPE3, d), {
            v: fv, d: R.uniform(0.5, 2.0, (2, 1))}
    return [same_shape, broadcast]


B_IDX = I64([[0, 1], [1, 1], [2, 3]])


def _add():
    a, fa = _values()
    b, fb = _values(3)
    return list(C.sparse_add_op((IDX, a, SHAPE), (B_IDX, b, SHAPE), np.float64(0))), {
        a: fa, b: fb}


def _add_thresh():
    a = ph("float64", [5])
    b = ph("float64", [3])
    return list(C.sparse_add_op((IDX, a, SHAPE), (B_IDX, b, SHAPE), np.float64(0.1))), {
        a: np.float64([1.0, 2, 3, 4, 5]), b: np.float64([-1.05, 7, -4.5])}


def _add_grad():
    g = ph("float64", [7])
    sum_idx = I64([[0, 1], [0, 3], [1, 0], [1, 1], [2, 2], [2, 3], [2, 4]])
    return list(apply("SparseAddGrad", (g, core_ops.constant(IDX), core_ops.constant(B_IDX),
                                        core_ops.constant(sum_idx)))), {g: R.randn(7)}


def _add_grad_via_gradients():
    a, fa = _values()
    b, fb = _values(3)
    _, vals, _ = C.sparse_add_op((IDX, a, SHAPE), (B_IDX, b, SHAPE), np.float64(0))
    return graphc.gradients(vals, [a, b], grad_ys=[core_ops.constant(np.arange(6.0))]), {
        a: fa, b: fb}


def _maximum(kind):
    def floats():
        a = ph("float64", [5])
        b = ph("float64", [3])
        return list(C.sparse_sparse_op(kind, (IDX, a, SHAPE), (B_IDX, b, SHAPE))), {
            a: R.randn(5), b: R.randn(3)}

    def ints():
        return list(C.sparse_sparse_op(kind, (I64([[0], [2]]), np.int32([-3, 4]), I64([4])),
                                       (I64([[2], [3]]), np.int32([5, -1]), I64([4])))), {}
    return [floats, ints]


def _concat():
    a, fa = _values()
    b, fb = _values(3)
    return list(C.sparse_concat_op(1, [(IDX, a, SHAPE), (B_IDX, b, SHAPE)])), {a: fa, b: fb}


def _concat_expand():
    a, fa = _values()
    b, fb = _values(2)
    return list(C.sparse_concat_op(0, [(IDX, a, SHAPE), (I64([[0, 0], [1, 5]]), b,
                                                         I64([2, 6]))], True)), {a: fa, b: fb}


def _slice():
    v, fv = _values()
    return list(C.sparse_slice_op(IDX, v, SHAPE, I64([0, 1]), I64([2, 3]))), {v: fv}


def _slice_past_end():
    v, fv = _values(4)
    return list(C.sparse_slice_op(IDX3, v, SHAPE3, I64([1, 0, 1]), I64([5, 5, 5]))), {v: fv}


def _split():
    v, fv = _values()
    parts = C.sparse_split_op(core_ops.constant(I64(1)), IDX, v, SHAPE, 3)
    return [t for p in parts for t in p], {v: fv}


def _split_rows():
    v, fv = _values(4)
    parts = C.sparse_split_op(core_ops.constant(I64(0)), IDX3, v, SHAPE3, 2)
    return [t for p in parts for t in p], {v: fv}


def _fill():
    v, fv = _values(3)
    d = ph("float64", [])
    return list(C.sparse_fill_empty_rows_op(I64([[1, 0], [1, 2], [3, 1]]), v, I64([5, 3]),
                                            d)), {v: fv, d: np.float64(-1.0)}


def _fill_none_empty():
    v, fv = _values()
    return list(C.sparse_fill_empty_rows_op(IDX, v, SHAPE, np.float64(9))), {v: fv}


SAMPLES = {
    "SparseToDense": [_to_dense, _to_dense_scalar_value, _to_dense_ints],
    "SparseReorder": [_reorder, _reorder_3d],
    "SparseReshape": [_reshape, _reshape_flat],
    "SparseTensorDenseMatMul": [_matmul, _matmul_adjoint],
    "SparseTensorDenseAdd": [_dense_add, _dense_add_ints],
    "SparseReduceSum": _reduce("sum", False),
    "SparseReduceMax": _reduce("max", False),
    "SparseReduceSumSparse": _reduce_outs(_reduce("sum", True)),
    "SparseReduceMaxSparse": _reduce_outs(_reduce("max", True)),
    "SparseSoftmax": [_softmax, _softmax_3d],
    "SparseDenseCwiseAdd": _cwise("Add"),
    "SparseDenseCwiseMul": _cwise("Mul"),
    "SparseDenseCwiseDiv": _cwise("Div"),
    "SparseAdd": [_add, _add_thresh],
    "SparseAddGrad": [_add_grad, _add_grad_via_gradients],
    "SparseSparseMaximum": _maximum("Maximum"),
    "SparseSparseMinimum": _maximum("Minimum"),
    "SparseConcat": [_concat, _concat_expand],
    "SparseSlice": [_slice, _slice_past_end],
    "SparseSplit": [_split, _split_rows],
    "SparseFillEmptyRows": [_fill, _fill_none_empty],
}
