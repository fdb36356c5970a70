"""TF1's serialization and audio functions: `tf.serialize_tensor`/`parse_tensor`,
`serialize_sparse`, `serialize_many_sparse`, `deserialize_many_sparse`,
`decode_compressed`, `decode_json_example`, `tf.sparse.mask` (`tf.sparse_mask`, on IndexedSlices) and
`tf.audio`, over the ops of graphc/ir/ops/serialization_ops.py (their bytes are
TensorFlow's)."""
from __future__ import annotations

from typing import Optional

from .indexed_slices import IndexedSlices
from .ir import dtypes as dt
from .ir.context import get_default_graph
from .ir.ops import serialization_ops as _ops
from .ir.ops.parsing_ops import decode_json_example
from .ir.ops.partition_ops import setdiff1d
from .ir.ops.serialization_ops import decode_compressed, parse_tensor, serialize_tensor
from .ir.ops.slicing_ops import gather
from .sparse_tensor import SparseTensor, convert_to_tensor_or_sparse_tensor

__all__ = ["serialize_tensor", "parse_tensor", "decode_compressed", "decode_json_example",
           "serialize_sparse",
           "serialize_many_sparse", "deserialize_many_sparse", "sparse_mask"]


def _sparse(sp_input, fn: str) -> SparseTensor:
    sp = convert_to_tensor_or_sparse_tensor(sp_input)
    if not isinstance(sp, SparseTensor):
        raise TypeError(f"{fn} needs a SparseTensor, got {type(sp_input).__name__}")
    return sp


def _string_out(out_type, fn: str) -> None:
    if dt.as_dtype(out_type) is not dt.string:
        raise NotImplementedError(f"{fn}(out_type={dt.as_dtype(out_type).name}) is not "
                                  f"supported by graphc (only tf.string; variant tensors "
                                  f"are TF's own)")


def serialize_sparse(sp_input, name: Optional[str] = None, out_type=dt.string):
    """TF1 `tf.io.serialize_sparse`: string [3], the TensorProtos of the SparseTensor's
    indices, values and dense_shape."""
    _string_out(out_type, "serialize_sparse")
    return _ops.serialize_sparse_op(_sparse(sp_input, "serialize_sparse"), False, name)


def serialize_many_sparse(sp_input, name: Optional[str] = None, out_type=dt.string):
    """TF1 `tf.io.serialize_many_sparse`: string [N, 3], row b the serialized
    SparseTensor (rank - 1) of the entries whose first index is b (N = dense_shape[0])."""
    _string_out(out_type, "serialize_many_sparse")
    return _ops.serialize_sparse_op(_sparse(sp_input, "serialize_many_sparse"), True, name)


def deserialize_many_sparse(serialized_sparse, dtype, rank: Optional[int] = None,
                            name: Optional[str] = None) -> SparseTensor:
    """TF1 `tf.io.deserialize_many_sparse`: the rows of a [N, 3] serialized minibatch as
    one SparseTensor of `rank` (the rows' rank + 1): index 0 is the row, dense_shape
    [N] + the largest of the rows' shapes."""
    indices, values, shape = _ops.deserialize_many_sparse_op(serialized_sparse, dtype, rank,
                                                             name)
    return SparseTensor(indices, values, shape)


def sparse_mask(a, mask_indices, name: Optional[str] = None) -> IndexedSlices:
    """TF1 `tf.sparse.mask` (`tf.sparse_mask`): the slices of IndexedSlices `a` whose
    index is not in `mask_indices`, in a's order."""
    if not isinstance(a, IndexedSlices):
        raise TypeError(f"sparse_mask needs IndexedSlices, got {type(a).__name__}")
    with get_default_graph().name_scope(name or "sparse_mask"):
        indices, to_gather = setdiff1d(a.indices, mask_indices)
        return IndexedSlices(gather(a.values, to_gather, name="values"), indices,
                             a.dense_shape)


AUDIO = {"decode_wav": _ops.decode_wav, "encode_wav": _ops.encode_wav}
IO = {n: globals()[n] for n in __all__ if n != "sparse_mask"}
