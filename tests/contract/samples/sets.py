"""Contract samples for the set ops (ir/ops/set_ops.py): dense and sparse operands, int
and string sets, groups of rank 1 and 2, an empty result."""
import numpy as np

from graphc.ir.ops import core_ops, set_ops as s

ph = core_ops.placeholder


def _sparse(rank=3):
    indices = ph("int64", [None, rank])
    values = ph("int64", [None])
    shape = ph("int64", [rank])
    feed = {indices: np.int64([[0, 0, 0], [0, 0, 2], [0, 1, 1], [1, 1, 0]]),
            values: np.int64([3, 1, 5, 3]), shape: np.int64([2, 2, 4])}
    return (indices, values, shape), feed


def _size_rank3():
    (i, v, sh), feed = _sparse()
    return s.set_size_op(i, v, sh), feed


def _size_duplicates_unvalidated():
    i = ph("int64", [None, 2])
    v = ph("string", [None])
    return (s.set_size_op(i, v, np.int64([3, 2]), validate_indices=False),
            {i: np.int64([[2, 0], [0, 1], [0, 0]]), v: np.array([b"a", b"b", b"b"], object)})


def _dense_pair(operation, dtype="int32"):
    def build():
        a = ph(dtype, [None, 3])
        b = ph(dtype, [2, None])
        return (list(s.set_operation_op(a, b, operation)),
                {a: np.array([[1, 2, 2], [4, 5, 6]], dtype), b: np.array([[2, 3], [7, 8]], dtype)})
    build.__name__ = f"dense_{operation}_{dtype}"
    return build


def _dense_strings():
    a = ph("string", [2, 2])
    return (list(s.set_operation_op(a, np.array([[b"x", b"y"], [b"z", b"z"]], object),
                                    "union")),
            {a: np.array([[b"y", b"a"], [b"b", b"b"]], object)})


def _dense_sparse(operation):
    def build():
        (i, v, sh), feed = _sparse()
        a = ph("int64", [2, 2, 3])
        feed[a] = np.int64([[[1, 3, 3], [0, 0, 0]], [[9, 8, 7], [3, 3, 4]]])
        return list(s.set_operation_op(a, (i, v, sh), operation)), feed
    build.__name__ = f"dense_sparse_{operation}"
    return build


def _sparse_sparse(operation):
    def build():
        (i, v, sh), feed = _sparse()
        return list(s.set_operation_op((i, v, sh), (np.int64([[1, 0, 0]]), np.int64([3]),
                                                    np.int64([2, 2, 1])), operation)), feed
    build.__name__ = f"sparse_sparse_{operation}"
    return build


SAMPLES = {
    "SetSize": [_size_rank3, _size_duplicates_unvalidated],
    "DenseToDenseSetOperation": [_dense_pair("intersection"), _dense_pair("b-a", "int64"),
                                 _dense_strings],
    "DenseToSparseSetOperation": [_dense_sparse("a-b"), _dense_sparse("union")],
    "SparseToSparseSetOperation": [_sparse_sparse("intersection"), _sparse_sparse("b-a")],
}
