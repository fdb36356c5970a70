"""Permutations, set differences, partitions and stitches; shape helpers (TF1 semantics).

`dynamic_partition` splits `data` by a partition id per leading slice; `dynamic_stitch`
merges slices back by index (a later index list wins where two name the same row); their
gradients are TF1's (a stitch of the gradients by the original positions, and a gather
per input). `invert_permutation` and `setdiff1d` (ListDiff) are not differentiable.
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from .. import dtypes as dt
from ..errors import InvalidArgumentError
from ..shapes import TensorShape, broadcast_shapes
from ._base import (NON_DIFFERENTIABLE, apply, check_dtype, convert_to_tensor,
                    defop, graph_of, known_ints)
from .array_ops import INDEX_DTYPES, reshape, shape
from .core_ops import identity
from .slicing_ops import gather
from .reduce_ops import reduce_prod
from .generator_ops import range as range_, zeros_like

__all__ = ["invert_permutation", "concat_offset", "setdiff1d", "dynamic_partition", "dynamic_stitch",
           "parallel_dynamic_stitch", "shape_n", "identity_n", "broadcast_dynamic_shape",
           "broadcast_static_shape"]


# ------------------------------------------------------------------ InvertPermutation
def _invert_infer(op):
    x = op.inputs[0]
    check_dtype(op, x, INDEX_DTYPES, "x")
    if x.shape.ndims not in (None, 1):
        raise ValueError(f"invert_permutation expects a vector, '{x.name}' has shape {x.shape}")
    return [(x.dtype, x.shape if x.shape.ndims == 1 else TensorShape([None]))]


def _invert_compute(x):
    if x.ndim != 1 or not np.array_equal(np.sort(x), np.arange(x.size)):
        raise InvalidArgumentError(None, None, f"{x.tolist()} is not a permutation of "
                                   f"0..{x.size - 1}")
    out = np.empty_like(x)
    out[x] = np.arange(x.size, dtype=x.dtype)
    return out


defop("InvertPermutation", _invert_infer, _invert_compute, NON_DIFFERENTIABLE, family="array")


def invert_permutation(x, name: Optional[str] = None):
    """TF1 `tf.invert_permutation`: y with y[x[i]] = i."""
    return apply("InvertPermutation", (convert_to_tensor(x, name="x"),),
                 name=name or "InvertPermutation")


# ------------------------------------------------------------------ ConcatOffset
def _concat_offset_infer(op):
    dim, shapes = op.inputs[0], op.inputs[1:]
    check_dtype(op, dim, (dt.int32,), "concat_dim")
    if len(shapes) < 2:
        raise ValueError(f"ConcatOffset takes at least 2 shapes, got {len(shapes)}")
    n = None
    for s in shapes:
        check_dtype(op, s, (dt.int32,), "shape")
        if s.shape.ndims not in (None, 1):
            raise ValueError(f"ConcatOffset's shapes must be vectors, '{s.name}' has shape "
                             f"{s.shape}")
        if s.shape.ndims == 1 and s.shape.as_tuple()[0] is not None:
            if n is not None and n != s.shape.as_tuple()[0]:
                raise ValueError(f"ConcatOffset's shapes have different lengths, {n} and "
                                 f"{s.shape.as_tuple()[0]} ('{s.name}')")
            n = s.shape.as_tuple()[0]
    return [(dt.int32, TensorShape([n]))] * len(shapes)


def _concat_offset_compute(concat_dim, *shapes):
    rank = shapes[0].size
    axis = int(concat_dim) + (rank if int(concat_dim) < 0 else 0)
    if not 0 <= axis < max(rank, 1):
        raise InvalidArgumentError(None, None, f"Concat dim is out of range: {int(concat_dim)}"
                                   f" vs. {rank}")
    out, offset = [], 0
    for i, s in enumerate(shapes):
        if s.ndim != 1 or s.size != rank:
            raise InvalidArgumentError(None, None, f"input {i} should contain {rank} "
                                       f"elements, but got {s.size}")
        other = [j for j in range(rank) if j != axis and s[j] != shapes[0][j]]
        if other:
            raise InvalidArgumentError(None, None, f"input[{i},{other[0]}] mismatch: "
                                       f"{s[other[0]]} vs. {shapes[0][other[0]]}")
        o = np.zeros(rank, np.int32)
        o[axis] = offset
        offset += int(s[axis])
        out.append(o)
    return tuple(out)


defop("ConcatOffset", _concat_offset_infer, _concat_offset_compute, NON_DIFFERENTIABLE,
      family="array", numpy_by_design="shape arithmetic on a few ints (ConcatV2's gradient "
      "in TF1 graphs; it folds where the shapes are known)",
      doc="The offset of each input of a concat along concat_dim.")


def concat_offset(concat_dim, shapes, name: Optional[str] = None):
    """TF1's `ConcatOffset`: for each shape, its start along `concat_dim` in the concat of
    tensors of `shapes` (zeros elsewhere); the rest of the shapes must agree."""
    return list(apply("ConcatOffset", [convert_to_tensor(concat_dim, dt.int32, "concat_dim")]
                      + [convert_to_tensor(s, dt.int32, "shape") for s in shapes],
                      name=name or "ConcatOffset"))


# ------------------------------------------------------------------ ListDiff
def _list_diff_infer(op):
    x, y = op.inputs
    if x.dtype is not y.dtype:
        raise TypeError(f"setdiff1d: x is {x.dtype.name}, y {y.dtype.name}")
    for t in (x, y):
        if t.shape.ndims not in (None, 1):
            raise ValueError(f"setdiff1d expects vectors, '{t.name}' has shape {t.shape}")
    return [(x.dtype, TensorShape([None])), (op.attrs["out_idx"], TensorShape([None]))]


def _list_diff_compute(x, y, *, out_idx):
    if x.ndim != 1 or y.ndim != 1:
        raise InvalidArgumentError(None, None, "x and y must be 1-D")
    keep = ~np.isin(x, y)
    return x[keep], np.flatnonzero(keep).astype(out_idx.np)


defop("ListDiff", _list_diff_infer, _list_diff_compute, NON_DIFFERENTIABLE, family="array")


def setdiff1d(x, y, index_dtype=dt.int32, name: Optional[str] = None):
    """TF1 `tf.setdiff1d`: (out, idx), the values of x not in y (in x's order, repeats
    kept) and their positions in x."""
    x = convert_to_tensor(x, name="x")
    y = convert_to_tensor(y, name="y", dtype=x.dtype)
    out, idx = apply("ListDiff", (x, y), {"out_idx": dt.as_dtype(index_dtype)},
                     name=name or "ListDiff")
    return out, idx


# ------------------------------------------------------------------ DynamicPartition/Stitch
def _partition_infer(op):
    data, parts = op.inputs
    check_dtype(op, parts, (dt.int32,), "partitions")
    n = op.attrs["num_partitions"]
    d, k = data.shape.as_tuple(), parts.shape.ndims
    if d is not None and k is not None:
        if k > len(d) or not data.shape[:k].is_compatible_with(parts.shape):
            raise ValueError(f"partitions '{parts.name}' of shape {parts.shape} must be a "
                             f"prefix of data '{data.name}''s shape {data.shape}")
        return [(data.dtype, TensorShape((None,) + d[k:]))] * n
    return [(data.dtype, TensorShape(None))] * n


def _partition_compute(data, parts, *, num_partitions):
    if data.shape[:parts.ndim] != parts.shape:
        raise InvalidArgumentError(None, None, f"data.shape must start with partitions."
                                   f"shape, got data.shape = {list(data.shape)}, "
                                   f"partitions.shape = {list(parts.shape)}")
    flat = parts.reshape(-1)
    bad = np.flatnonzero((flat < 0) | (flat >= num_partitions))
    if bad.size:
        i = int(bad[0])
        raise InvalidArgumentError(None, None, f"partitions[{i}] = {int(flat[i])} is not in "
                                   f"[0, {num_partitions})")
    rows = data.reshape((flat.size,) + data.shape[parts.ndim:])
    return tuple(np.ascontiguousarray(rows[flat == p]) for p in range(num_partitions))


def _partition_vjp(op, grads):
    data, parts = op.inputs
    prefix = shape(parts)
    positions = reshape(range_(reduce_prod(prefix)), prefix)
    pieces = dynamic_partition(positions, parts, op.attrs["num_partitions"])
    grads = [g if g is not None else zeros_like(t) for g, t in zip(grads, op.outputs)]
    return [reshape(dynamic_stitch(pieces, grads), shape(data)), None]


defop("DynamicPartition", _partition_infer, _partition_compute, _partition_vjp,
      family="array")


def dynamic_partition(data, partitions, num_partitions, name: Optional[str] = None):
    """TF1 `tf.dynamic_partition`: `num_partitions` tensors, the i-th holding the slices of
    `data` whose partition id is i (in order)."""
    d = convert_to_tensor(data, name="data")
    p = convert_to_tensor(partitions, name="partitions", dtype=dt.int32)
    n = int(num_partitions)
    if n < 1:
        raise ValueError(f"num_partitions must be at least 1, got {n}")
    out = apply("DynamicPartition", (d, p), {"num_partitions": n},
                name=name or "DynamicPartition")
    return list(out) if isinstance(out, tuple) else [out]


def _stitch_infer(op):
    n = len(op.inputs) // 2
    indices, data = op.inputs[:n], op.inputs[n:]
    dtype = data[0].dtype
    inner = None
    for i, d in zip(indices, data):
        check_dtype(op, i, (dt.int32,), "indices")
        if d.dtype is not dtype:
            raise TypeError(f"DynamicStitch: data '{d.name}' is {d.dtype.name}, expected "
                            f"{dtype.name}")
        if i.shape.ndims is not None and d.shape.ndims is not None:
            if not d.shape[:i.shape.ndims].is_compatible_with(i.shape):
                raise ValueError(f"DynamicStitch: data '{d.name}' {d.shape} must start with "
                                 f"indices '{i.name}''s shape {i.shape}")
            rest = d.shape[i.shape.ndims:]
            inner = rest if inner is None else inner.merge_with(rest)
    values = [known_ints(i) for i in indices]
    rows = None if any(v is None for v in values) else \
        max([int(v.max()) + 1 for v in values if v.size] + [0])
    return [(dtype, TensorShape(None) if inner is None else
             TensorShape([rows]).concatenate(inner))]


def _stitch_compute(*arrays):
    n = len(arrays) // 2
    indices, data = arrays[:n], arrays[n:]
    rows = max([int(i.max()) + 1 for i in indices if i.size] + [0])
    inner = data[0].shape[indices[0].ndim:]
    out = np.zeros((rows,) + inner, dtype=data[0].dtype)
    for i, d in zip(indices, data):
        if d.shape[:i.ndim] != i.shape or d.shape[i.ndim:] != inner:
            raise InvalidArgumentError(None, None, f"data shape {list(d.shape)} does not "
                                       f"match indices shape {list(i.shape)} + "
                                       f"{list(inner)}")
        if i.size and i.min() < 0:
            raise InvalidArgumentError(None, None, f"indices must be >= 0, got "
                                       f"{int(i.min())}")
        out[i.reshape(-1)] = d.reshape((i.size,) + inner)
    return out


def _stitch_vjp(op, grads):
    n = len(op.inputs) // 2
    return [None] * n + [gather(grads[0], i) for i in op.inputs[:n]]


defop("DynamicStitch", _stitch_infer, _stitch_compute, _stitch_vjp, family="array")


def dynamic_stitch(indices, data, name: Optional[str] = None):
    """TF1 `tf.dynamic_stitch`: merged[indices[m][i]] = data[m][i]; rows named twice take
    the later list's value."""
    if len(indices) != len(data) or not indices:
        raise ValueError("dynamic_stitch needs as many index tensors as data tensors (>= 1)")
    idx = [convert_to_tensor(i, name="indices", dtype=dt.int32) for i in indices]
    first = convert_to_tensor(data[0], name="data")
    vals = [first] + [convert_to_tensor(d, name="data", dtype=first.dtype) for d in data[1:]]
    return apply("DynamicStitch", idx + vals, name=name or "DynamicStitch")


def parallel_dynamic_stitch(indices, data, name: Optional[str] = None):
    """TF1's parallel_dynamic_stitch: dynamic_stitch (one order: the later list wins)."""
    return dynamic_stitch(indices, data, name=name or "ParallelDynamicStitch")


# ------------------------------------------------------------------ shape helpers
def shape_n(input, out_type=dt.int32, name: Optional[str] = None):  # noqa: A002
    """TF1 `tf.shape_n`: the shape of each tensor of `input`."""
    g = graph_of(input)
    with g.as_default(), g.name_scope(name or "ShapeN"):
        return [shape(convert_to_tensor(x), out_type=out_type) for x in input]


def identity_n(input, name: Optional[str] = None):  # noqa: A002
    """TF1 `tf.identity_n`: an identity of each tensor of `input`."""
    g = graph_of(input)
    with g.as_default(), g.name_scope(name or "IdentityN"):
        return [identity(convert_to_tensor(x)) for x in input]


def _broadcast_args_infer(op):
    a, b = op.inputs
    for t in (a, b):
        check_dtype(op, t, INDEX_DTYPES, "shape")
    if b.dtype is not a.dtype:
        raise TypeError("broadcast_dynamic_shape: both shapes must have one dtype")
    n = [t.shape[0].value if t.shape.ndims == 1 else None for t in (a, b)]
    return [(a.dtype, TensorShape([None if None in n else max(n)]))]


def _broadcast_args_compute(a, b):
    try:
        return np.asarray(np.broadcast_shapes(tuple(a.tolist()), tuple(b.tolist())),
                          dtype=a.dtype).reshape(-1)
    except ValueError:
        raise InvalidArgumentError(None, None, f"Incompatible shapes: {a.tolist()} vs. "
                                   f"{b.tolist()}") from None


defop("BroadcastArgs", _broadcast_args_infer, _broadcast_args_compute, NON_DIFFERENTIABLE,
      family="array")


def broadcast_dynamic_shape(shape_x, shape_y):
    """TF1 `tf.broadcast_dynamic_shape`: the broadcast of two shape vectors."""
    x = convert_to_tensor(shape_x, name="shape_x", dtype_hint=dt.int32)
    y = convert_to_tensor(shape_y, name="shape_y", dtype=x.dtype)
    return apply("BroadcastArgs", (x, y), name="BroadcastArgs")


def broadcast_static_shape(shape_x, shape_y) -> TensorShape:
    """TF1 `tf.broadcast_static_shape`: the broadcast of two TensorShapes."""
    out = broadcast_shapes(TensorShape(shape_x), TensorShape(shape_y))
    if out is None:
        raise ValueError(f"Incompatible shapes for broadcasting: {TensorShape(shape_x)} and "
                         f"{TensorShape(shape_y)}")
    return out


from ..naming import name_builders  # noqa: E402

name_builders(globals())
