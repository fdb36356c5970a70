"""TF1's partitioned variables: the partitioners, PartitionedVariable, the slicing
get_variable(partitioner=...) does (graphc/variable_scope.py), and embedding lookups
over a list of shards.

A partitioner maps (shape, dtype) to the number of parts along each axis (one axis at
most is split). get_variable then makes one Variable per part, named `<name>/part_<i>`,
the first `dim % n` parts one row longer (TF1's `_iter_slices`), each initialized by the
initializer called with its own shape and a `partition_info` (the whole shape and its
offset, so scaling initializers scale by the whole variable) and each carrying its
`_save_slice_info`. The PartitionedVariable converts to the concatenation of the parts
(`matmul(x, w)` works) and iterates over them; the Saver writes one checkpoint entry for
the whole variable (graphc/train/saver.py), as TF1's Saver writes one for its slices.

`embedding_lookup` over several shards (a PartitionedVariable or a list) follows TF1:
ids are assigned to shards by `partition_strategy` — "mod" (TF1's default: id % n, row
id // n; note that this is not how get_variable lays the rows out, as in TF1) or "div"
(contiguous blocks, the first `total % n` one longer: the layout of get_variable's
parts) — looked up in each shard and stitched back in the ids' order.
"""
from __future__ import annotations

import math
from typing import Optional

import numpy as np

from .ir import dtypes as _dt
from .ir.ops import array_ops as A, math_ops as M
from .ir.ops._base import convert_to_tensor, register_tensor_conversion_function
from .ir.ops.generator_ops import range as range_
from .ir.ops.partition_ops import dynamic_partition, dynamic_stitch
from .ir.ops.slicing_ops import gather
from .ir.shapes import TensorShape, as_shape

__all__ = ["fixed_size_partitioner", "variable_axis_size_partitioner",
           "min_max_variable_partitioner", "PartitionedVariable"]


def fixed_size_partitioner(num_shards: int, axis: int = 0):
    """TF1: `num_shards` parts along `axis` (fewer if the axis is shorter)."""
    def partitioner(shape, **unused):
        parts = [1] * len(shape)
        parts[axis] = min(num_shards, as_shape(shape)[axis].value)
        return parts
    return partitioner


def _element_size(dtype, bytes_per_string_element: int) -> int:
    dtype = _dt.as_dtype(dtype)
    return bytes_per_string_element if dtype.is_string else dtype.np.itemsize


def variable_axis_size_partitioner(max_shard_bytes: int, axis: int = 0,
                                   bytes_per_string_element: int = 16, max_shards=None):
    """TF1: as many parts along `axis` as keep each under `max_shard_bytes` (at least
    one slice of the axis a part, at most `max_shards` parts)."""
    if max_shard_bytes < 1 or bytes_per_string_element < 1:
        raise ValueError("Both max_shard_bytes and bytes_per_string_element must be "
                         f"positive. Currently, max_shard_bytes is {max_shard_bytes} and "
                         f"bytes_per_string_element is {bytes_per_string_element}")
    if max_shards and max_shards < 1:
        raise ValueError("max_shards must be positive.")

    def partitioner(shape, dtype):
        if not isinstance(shape, TensorShape):
            raise ValueError(f"shape is not a TensorShape: {shape}")
        if not shape.is_fully_defined():
            raise ValueError(f"shape is not fully defined: {shape}")
        parts = [1] * shape.ndims
        size = _element_size(dtype, bytes_per_string_element)
        bytes_per_slice = 1.0 * (shape.num_elements() / shape[axis].value) * size
        per_shard = max(1, math.floor(max_shard_bytes / bytes_per_slice))
        shards = int(math.ceil(1.0 * shape[axis].value / per_shard))
        parts[axis] = min(max_shards, shards) if max_shards else shards
        return parts
    return partitioner


def min_max_variable_partitioner(max_partitions: int = 1, axis: int = 0,
                                 min_slice_size: int = 256 << 10,
                                 bytes_per_string_element: int = 16):
    """TF1: parts of at least `min_slice_size` bytes, at most `max_partitions` of them."""
    def partitioner(shape, dtype):
        shape = as_shape(shape)
        if axis >= shape.ndims:
            raise ValueError(f"Can not partition variable along axis {axis} when shape is "
                             f"only {shape}")
        total = shape.num_elements() * _element_size(dtype, bytes_per_string_element)
        parts = [1] * shape.ndims
        parts[axis] = max(1, min(shape[axis].value, max_partitions,
                                 int(math.ceil(total / min_slice_size))))
        return parts
    return partitioner


class PartitionInfo:
    """What an initializer is told about the part it initializes (TF1 _PartitionInfo)."""

    def __init__(self, full_shape, var_offset) -> None:
        self.full_shape, self.var_offset = list(full_shape), list(var_offset)

    def single_offset(self, shape) -> int:
        dim = self.single_slice_dim(shape)
        return 0 if dim is None else self.var_offset[dim]

    def single_slice_dim(self, shape) -> Optional[int]:
        for i, (full, part) in enumerate(zip(self.full_shape, shape)):
            if full != part:
                return i
        return None


class SaveSliceInfo:
    """TF1's Variable.SaveSliceInfo: where a part lies in its whole variable."""

    def __init__(self, full_name: str, full_shape, var_offset, var_shape) -> None:
        self.full_name = full_name
        self.full_shape, self.var_offset, self.var_shape = (list(full_shape),
                                                            list(var_offset), list(var_shape))

    @property
    def spec(self) -> str:
        """TF1's slice spec: "full shape offset,length:offset,length..."."""
        return " ".join(str(d) for d in self.full_shape) + " " + ":".join(
            f"{o},{s}" for o, s in zip(self.var_offset, self.var_shape))


def slice_partitions(full_shape: list, partitions) -> list:
    """[(offset, shape)] of each part (TF1's _iter_slices), checking `partitions`."""
    partitions = [int(p) for p in partitions]
    if len(partitions) != len(full_shape):
        raise ValueError(f"Partitioner returned a partition list {partitions} that does not "
                         f"match the variable's rank {len(full_shape)}")
    if any(p < 1 for p in partitions):
        raise ValueError(f"Partitioner returned zero partitions for some axes: {partitions}")
    split = [i for i, p in enumerate(partitions) if p > 1]
    if len(split) > 1:
        raise ValueError(f"Can only slice a variable along one dimension: shape: "
                         f"{full_shape}, partitioning: {partitions}")
    axis = split[0] if split else 0
    count = partitions[axis]
    if full_shape[axis] < count:
        raise ValueError(f"Cannot create {count} slices for size {full_shape[axis]}. shape: "
                         f"{full_shape}, partitioner: {partitions}")
    excess, base = full_shape[axis] % count, full_shape[axis] // count
    out, offset = [], [0] * len(full_shape)
    for i in range(count):
        shape = list(full_shape)
        shape[axis] = base + (i < excess)
        out.append((list(offset), shape))
        offset[axis] += shape[axis]
    return out


class PartitionedVariable:
    """TF1's PartitionedVariable: one variable made of parts along one axis."""

    def __init__(self, name: str, shape, dtype, variable_list: list, partitions) -> None:
        self._name, self._shape = name, as_shape(shape)
        self._dtype, self._variable_list = _dt.as_dtype(dtype), list(variable_list)
        self._partitions = list(partitions)
        self._concat = None

    def __iter__(self):
        return iter(self._variable_list)

    def __len__(self) -> int:
        return len(self._variable_list)

    def _get_variable_list(self) -> list:
        return list(self._variable_list)

    def _get_partitions(self) -> list:
        return list(self._partitions)

    @property
    def name(self) -> str:
        return self._name

    @property
    def dtype(self):
        return self._dtype

    @property
    def shape(self) -> TensorShape:
        return self._shape

    def get_shape(self) -> TensorShape:
        return self._shape

    @property
    def graph(self):
        return self._variable_list[0].graph

    def _axis(self) -> int:
        split = [i for i, p in enumerate(self._partitions) if p > 1]
        return split[0] if split else 0

    def as_tensor(self):
        """The whole variable: its parts concatenated (made once)."""
        if self._concat is None:
            g = self.graph
            with g.as_default(), g.name_scope(None), g.name_scope(self._name + "/"), \
                    g.name_scope("ConcatPartitions"):
                parts = [v._as_tensor() for v in self._variable_list]
                self._concat = parts[0] if len(parts) == 1 else A.concat(parts, self._axis())
        return self._concat

    def __repr__(self) -> str:
        return (f"<tf.PartitionedVariable '{self._name}' shape={self._shape} dtype="
                f"{self._dtype.name} parts={len(self)}>")


def _convert(value: PartitionedVariable, dtype=None, name=None, as_ref=False):
    return value.as_tensor()


register_tensor_conversion_function(PartitionedVariable, _convert)


def sharded_lookup(params: list, ids, partition_strategy: str, name: Optional[str]):
    """TF1's embedding_lookup over several shards (see the module doc)."""
    n = len(params)
    ids = convert_to_tensor(ids, name="ids")
    graph = ids.graph
    with graph.as_default(), graph.name_scope(name or "embedding_lookup"):
        flat = A.reshape(ids, [-1])
        positions = range_(0, A.size(flat), 1)
        if partition_strategy == "mod":
            shard = M.floormod(flat, np.asarray(n, flat.dtype.np))
            rows = M.floordiv(flat, np.asarray(n, flat.dtype.np))
        elif partition_strategy == "div":
            sizes = [p.shape[0].value for p in params]
            if any(s is None for s in sizes):
                raise ValueError("embedding_lookup(partition_strategy='div') needs shards "
                                 "whose first dims are known")
            per, extras = sum(sizes) // n, sum(sizes) % n
            c = {k: np.asarray(v, flat.dtype.np) for k, v in
                 (("per1", per + 1), ("per", max(per, 1)), ("extras", extras))}
            shard = M.maximum(M.floordiv(flat, c["per1"]),
                              M.floordiv(M.subtract(flat, c["extras"]), c["per"]))
            rows = M.where_v2(M.less(shard, c["extras"]), M.floormod(flat, c["per1"]),
                              M.floormod(M.subtract(flat, c["extras"]), c["per"]))
        else:
            raise ValueError(f"Unrecognized partition strategy: {partition_strategy}. Must "
                             "be one of either `mod` or `div`.")
        shard = M.cast(shard, _dt.int32)
        shard_rows = dynamic_partition(rows, shard, n)
        shard_positions = dynamic_partition(positions, shard, n)
        found = [gather(p, r) for p, r in zip(params, shard_rows)]
        out = dynamic_stitch(shard_positions, found)
        element = params[0].shape[1:]
        out = A.reshape(out, A.concat([A.shape(ids), A.shape(out)[1:]], 0))
        out.set_shape(ids.shape.concatenate(element))
        return out
