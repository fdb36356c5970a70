"""TF1's `tf.sets`: set_size, set_intersection, set_union, set_difference (and their
short names size, intersection, union, difference) over the last dimension of dense
tensors and SparseTensors (ir/ops/set_ops.py holds the ops and their semantics).

Results are SparseTensors. As in TF1, a SparseTensor with a dense tensor after it is
flipped for the commutative operations and for set_difference (which then subtracts the
other way); both operands have one dtype among int8, int16, int32, int64, uint8 and
string.
"""
from __future__ import annotations

from .ir.ops.set_ops import SET_DTYPES, set_operation_op, set_size_op
from .sparse_tensor import SparseTensor, as_sparse, convert_to_tensor_or_sparse_tensor

__all__ = ["set_size", "set_intersection", "set_union", "set_difference", "SETS"]


def set_size(a, validate_indices=True):
    """TF1 `tf.sets.set_size`: the number of distinct values in each set of the
    SparseTensor `a` (int32, shaped as a's dims but the last)."""
    if not isinstance(a, SparseTensor):
        a = as_sparse(a, "a") if hasattr(a, "indices") else None
    if a is None:
        raise TypeError("Expected `SparseTensor`, got a dense value (tf.sets.set_size "
                        "counts the values of a SparseTensor's sets)")
    if a.values.dtype not in SET_DTYPES:
        raise TypeError(f"Invalid dtype {a.values.dtype.name}.")
    return set_size_op(a.indices, a.values, a.dense_shape, validate_indices)


def _operands(a, b):
    a = convert_to_tensor_or_sparse_tensor(a, name="a")
    if a.dtype not in SET_DTYPES:
        raise TypeError(f"'a' invalid dtype {a.dtype.name}.")
    b = convert_to_tensor_or_sparse_tensor(b, name="b")
    if b.dtype is not a.dtype:
        raise TypeError(f"Types don't match, {a.dtype.name} vs {b.dtype.name}.")
    if isinstance(a, SparseTensor) and not isinstance(b, SparseTensor):
        return b, a, True
    return a, b, False


def _operation(a, b, operation: str, validate_indices: bool) -> SparseTensor:
    triple = [tuple(x) if isinstance(x, SparseTensor) else x for x in (a, b)]
    indices, values, shape = set_operation_op(triple[0], triple[1], operation,
                                              validate_indices)
    return SparseTensor(indices, values, shape)


def set_intersection(a, b, validate_indices=True):
    """TF1 `tf.sets.set_intersection`: the values in both a's and b's sets."""
    a, b, _ = _operands(a, b)
    return _operation(a, b, "intersection", validate_indices)


def set_union(a, b, validate_indices=True):
    """TF1 `tf.sets.set_union`: the values in a's or b's sets."""
    a, b, _ = _operands(a, b)
    return _operation(a, b, "union", validate_indices)


def set_difference(a, b, aminusb=True, validate_indices=True):
    """TF1 `tf.sets.set_difference`: a's values not in b's sets (b's not in a's when
    `aminusb` is False)."""
    a, b, flipped = _operands(a, b)
    if flipped:
        aminusb = not aminusb
    return _operation(a, b, "a-b" if aminusb else "b-a", validate_indices)


SETS = {"set_size": set_size, "size": set_size, "set_intersection": set_intersection,
        "intersection": set_intersection, "set_union": set_union, "union": set_union,
        "set_difference": set_difference, "difference": set_difference}
