"""VJP rules of the array family, and the ops they need (scatters and folds).

Kept beside the ops in a module of its own because the array modules are already near
the size one reads in a sitting; each rule is attached to its op's OpDef with `set_vjp`.
Every gradient op defined here is a complete op itself (inference, numpy semantics and a
VJP, so gradients of gradients work): StridedSliceGrad, SliceGrad, UnsortedSegmentSum
(GatherV2's gradient), ScatterNd (GatherNd's), TileGrad, MirrorPadGrad, BooleanMaskGrad.
"""
from __future__ import annotations

import builtins

import numpy as np

from ..errors import InvalidArgumentError
from ..registry import set_vjp
from ..shapes import TensorShape
from ._base import (apply, const_value, const_value_as_shape, convert_to_tensor, defop,
                    dim_from_scalar, only_default)
from ._slice_spec import ss_masks, strided_slice_index, strided_slice_plan
from . import array_ops as A
from . import generator_ops as G
from . import slicing_ops as S
from . import tile_pad_ops as T
from .grad_ops import reduce_to_operand
from .reduce_ops import reduce_sum
from .split_ops import split
from .math_ops import add, cast

__all__ = ["scatter_nd", "unsorted_segment_sum"]


def _shape_of(x):
    """x's shape as a constant list when static, else a Shape op."""
    if x.shape.is_fully_defined():
        return convert_to_tensor(np.asarray(x.shape.as_list(), np.int32))
    return A.shape(x)


def _shape_value_infer(t, dtype):
    """Output shape read from a shape-valued input `t`."""
    return [(dtype, const_value_as_shape(t))]


# ------------------------------------------------------------------ simple rules
def _reshape_vjp(op, grads):
    x = op.inputs[0]
    return [A.reshape(grads[0], _shape_of(x)), None]


def _transpose_vjp(op, grads):
    perm = op.attrs["perm"]
    if perm is None:  # TF1's default reverses the dims, its own inverse (any rank)
        return [A.transpose(grads[0])]
    inverse = [0] * len(perm)
    for i, p in enumerate(perm):
        inverse[p] = i
    return [A.transpose(grads[0], inverse)]


def _reshape_back(op, grads):
    return [A.reshape(grads[0], _shape_of(op.inputs[0]))]


def _concat_vjp(op, grads):
    g = grads[0]
    axis = op.attrs["axis"]
    sizes = [x.shape[axis].value for x in op.inputs]
    if all(s is not None for s in sizes):
        if len(sizes) == 1:
            return [g]
        return list(split(g, sizes, axis=axis))
    out, offset = [], None
    rank = op.outputs[0].shape.ndims
    if axis < 0 and rank is not None:
        axis += rank
    where = np.int32([[axis]]) if axis >= 0 else A.reshape(
        add(A.rank(op.inputs[0]), np.int32(axis)), [1, 1])
    for x in op.inputs:
        shape_x = A.shape(x)
        if offset is None:
            begin = G.zeros_like(shape_x)
        else:  # offset at `axis`, zeros elsewhere, also when the rank is known only at run time
            begin = scatter_nd(where, A.reshape(offset, [1]),
                               A.reshape(A.rank(x), [1]))
        out.append(S.slice(g, begin, shape_x))
        step = shape_x[axis]
        offset = step if offset is None else add(offset, step)
    return out


def _pack_vjp(op, grads):
    return list(A.unstack(grads[0], num=len(op.inputs), axis=op.attrs["axis"]))


def _unpack_vjp(op, grads):
    return [A.stack(list(grads), axis=op.attrs["axis"])]


def _split_vjp(op, grads):
    return [A.concat(list(grads), axis=op.attrs["axis"])]


def _reverse_vjp(op, grads):
    return [T.reverse(grads[0], list(op.attrs["axis"]))]


def _broadcast_to_vjp(op, grads):
    return [reduce_to_operand(grads[0], op.inputs[0]), None]


def _fill_vjp(op, grads):
    return [None, reduce_sum(grads[0])]


def _pad_vjp(op, grads):
    x = op.inputs[0]
    begin = np.asarray([p[0] for p in op.attrs["paddings"]], np.int32)
    return [S.slice(grads[0], begin, _shape_of(x))]


for _name, _rule in (("Reshape", _reshape_vjp), ("Transpose", _transpose_vjp),
                     ("ExpandDims", _reshape_back), ("Squeeze", _reshape_back),
                     ("ConcatV2", _concat_vjp), ("Pack", _pack_vjp), ("Unpack", _unpack_vjp),
                     ("Split", _split_vjp), ("SplitV", _split_vjp),
                     ("ReverseV2", _reverse_vjp), ("BroadcastTo", _broadcast_to_vjp),
                     ("Fill", _fill_vjp), ("Pad", _pad_vjp)):
    set_vjp(_name, _rule)


# ------------------------------------------------------------------ StridedSliceGrad
def _ssg_infer(op):
    shape, begin, end, strides, g = op.inputs
    return _shape_value_infer(shape, g.dtype)


def _ssg_compute(shape, begin, end, strides, g, **masks):
    out = np.zeros([int(d) for d in shape], dtype=g.dtype)
    final, plan = strided_slice_plan(list(out.shape), [int(v) for v in begin],
                                     [int(v) for v in end], [int(v) for v in strides],
                                     *ss_masks(masks))
    index = strided_slice_index(plan)
    out[index] = g.reshape(out[index].shape)
    return out


def _ssg_vjp(op, grads):
    shape, begin, end, strides, g = op.inputs
    return [None, None, None, None,
            apply("StridedSlice", (grads[0], begin, end, strides), dict(op.attrs))]


defop("StridedSliceGrad", _ssg_infer, _ssg_compute, _ssg_vjp, family="array_grad")


def _strided_slice_vjp(op, grads):
    x, begin, end, strides = op.inputs
    return [apply("StridedSliceGrad", (_shape_of(x), begin, end, strides, grads[0]),
                  dict(op.attrs)), None, None, None]


set_vjp("StridedSlice", _strided_slice_vjp)


# ------------------------------------------------------------------ SliceGrad
def _slice_grad_infer(op):
    shape, begin, g = op.inputs
    return _shape_value_infer(shape, g.dtype)


def _slice_grad_compute(shape, begin, g):
    out = np.zeros([int(d) for d in shape], dtype=g.dtype)
    index = tuple(builtins.slice(int(b), int(b) + n) for b, n in zip(begin, g.shape))
    out[index] = g
    return out


def _slice_grad_vjp(op, grads):
    shape, begin, g = op.inputs
    return [None, None, S.slice(grads[0], begin, _shape_of(g))]


defop("SliceGrad", _slice_grad_infer, _slice_grad_compute, _slice_grad_vjp,
      family="array_grad")


def _slice_vjp(op, grads):
    x, begin, size = op.inputs
    return [apply("SliceGrad", (_shape_of(x), begin, grads[0])), None, None]


set_vjp("Slice", _slice_vjp)


# ------------------------------------------------------------------ gathers and scatters
def _segment_sum_infer(op):
    data, ids, num = op.inputs
    axis = op.attrs["axis"]
    dims = data.shape.as_tuple()
    k = ids.shape.ndims
    if dims is None or k is None:
        return [(data.dtype, TensorShape(None))]
    n = const_value(num)  # (or a plan's run-time dim: the size of a batch)
    n = dim_from_scalar(num) if n is None else int(n)
    return [(data.dtype, TensorShape(dims[:axis] + (n,) + dims[axis + k:]))]


def _segment_sum_compute(data, ids, num, *, axis):
    n = int(num)
    flat_ids = ids.reshape(-1)
    if flat_ids.size and (flat_ids.min() < 0 or flat_ids.max() >= n):
        bad = int(flat_ids[(flat_ids < 0) | (flat_ids >= n)][0])
        raise InvalidArgumentError(None, None, f"segment id {bad} is out of range [0, {n})")
    lead, k = data.shape[:axis], ids.ndim
    rest = data.shape[axis + k:]
    flat = data.reshape(lead + (flat_ids.size,) + rest)
    out = np.zeros(lead + (n,) + rest, dtype=data.dtype)
    moved = np.moveaxis(out, axis, 0)
    np.add.at(moved, flat_ids, np.moveaxis(flat, axis, 0))
    return out


def _segment_sum_vjp(op, grads):
    data, ids, num = op.inputs
    return [S.gather(grads[0], ids, axis=op.attrs["axis"]), None, None]


defop("UnsortedSegmentSum", _segment_sum_infer, _segment_sum_compute, _segment_sum_vjp,
      family="array_grad")


def unsorted_segment_sum(data, segment_ids, num_segments, name=None, axis: int = 0):
    """Sum slices of `data` into `num_segments` rows by id (ids index `axis`)."""
    data = convert_to_tensor(data)
    ids = convert_to_tensor(segment_ids)
    num = convert_to_tensor(num_segments, dtype=ids.dtype if ids.dtype.is_integer else None)
    return apply("UnsortedSegmentSum", (data, ids, num), {"axis": int(axis)},
                 name=name or "UnsortedSegmentSum")


def _gather_vjp(op, grads):
    params, indices = op.inputs
    axis = op.attrs["axis"]
    n = params.shape[axis].value
    if n is not None:
        num = np.asarray(n, indices.dtype.np)
    else:
        num = cast(A.shape(params)[axis], indices.dtype)
    return [unsorted_segment_sum(grads[0], indices, num, axis=axis), None]


set_vjp("GatherV2", _gather_vjp)


def is_gather_gradient(t) -> bool:
    """Whether `t` is a GatherV2's gradient along axis 0, TF1's IndexedSlices: its values
    are the UnsortedSegmentSum's data (input 0), its indices the ids (input 1)."""
    op = t.op
    return op.type == "UnsortedSegmentSum" and op.attrs.get("axis") == 0 and \
        bool(op.original) and op.original[0].type == "GatherV2"


def _scatter_nd_infer(op):
    indices, updates, shape = op.inputs
    return _shape_value_infer(shape, updates.dtype)


def _scatter_nd_compute(indices, updates, shape):
    out = np.zeros([int(d) for d in shape], dtype=updates.dtype)
    depth = indices.shape[-1]
    idx = indices.reshape(-1, depth)
    for i in range(depth):
        if idx.size and (idx[:, i].min() < 0 or idx[:, i].max() >= out.shape[i]):
            raise InvalidArgumentError(None, None, f"indices[{i}] is out of range for shape "
                                       f"{list(out.shape)}")
    upd = updates.reshape((idx.shape[0],) + out.shape[depth:])
    np.add.at(out, tuple(idx.T), upd)
    return out


def _scatter_nd_vjp(op, grads):
    indices, updates, shape = op.inputs
    return [None, S.gather_nd(grads[0], indices), None]


defop("ScatterNd", _scatter_nd_infer, _scatter_nd_compute, _scatter_nd_vjp,
      family="array_grad")


def scatter_nd(indices, updates, shape, bad_indices_policy="", name=None):
    """TF1 `tf.scatter_nd`: zeros of `shape` with `updates` added at `indices`."""
    only_default("scatter_nd", bad_indices_policy=(bad_indices_policy, ""))
    indices = convert_to_tensor(indices)
    updates = convert_to_tensor(updates)
    shape = convert_to_tensor(shape, dtype=indices.dtype)
    return apply("ScatterNd", (indices, updates, shape), name=name or "ScatterNd")


def _gather_nd_vjp(op, grads):
    params, indices = op.inputs
    return [scatter_nd(indices, grads[0], _shape_of(params)), None]


set_vjp("GatherNd", _gather_nd_vjp)


# ------------------------------------------------------------------ Tile, MirrorPad: folds
def _fold(g: np.ndarray, sources, out_shape) -> np.ndarray:
    """Sum g's entries into out_shape, axis by axis, by a source index per position."""
    out = g
    for axis, src in enumerate(sources):
        acc = np.zeros(out.shape[:axis] + (out_shape[axis],) + out.shape[axis + 1:],
                       dtype=g.dtype)
        np.add.at(np.moveaxis(acc, axis, 0), src, np.moveaxis(out, axis, 0))
        out = acc
    return out


def _tile_grad_infer(op):
    g, multiples, shape = op.inputs
    return _shape_value_infer(shape, g.dtype)


def _tile_grad_compute(g, multiples, shape):
    dims = [int(d) for d in shape]
    sources = [np.tile(np.arange(d), int(m)) for d, m in zip(dims, multiples)]
    return _fold(g, sources, dims)


def _tile_grad_vjp(op, grads):
    g, multiples, shape = op.inputs
    return [T.tile(grads[0], multiples), None, None]


defop("TileGrad", _tile_grad_infer, _tile_grad_compute, _tile_grad_vjp, family="array_grad")


def _tile_vjp(op, grads):
    x, multiples = op.inputs
    return [apply("TileGrad", (grads[0], multiples, _shape_of(x))), None]


set_vjp("Tile", _tile_vjp)


def _mirror_grad_infer(op):
    g = op.inputs[0]
    dims = g.shape.as_tuple()
    if dims is None:
        return [(g.dtype, TensorShape(None))]
    return [(g.dtype, TensorShape([None if d is None else d - b - a
                                   for d, (b, a) in zip(dims, op.attrs["paddings"])]))]


def _mirror_grad_compute(g, *, paddings, mode):
    dims = [d - b - a for d, (b, a) in zip(g.shape, paddings)]
    sources = [np.pad(np.arange(d), (b, a), mode=mode.lower())
               for d, (b, a) in zip(dims, paddings)]
    return _fold(g, sources, dims)


def _mirror_grad_vjp(op, grads):
    return [apply("MirrorPad", (grads[0],), dict(op.attrs))]


defop("MirrorPadGrad", _mirror_grad_infer, _mirror_grad_compute, _mirror_grad_vjp,
      family="array_grad")
set_vjp("MirrorPad", lambda op, grads: [apply("MirrorPadGrad", (grads[0],), dict(op.attrs))])


# ------------------------------------------------------------------ BooleanMask
def _bm_grad_infer(op):
    g, mask, shape = op.inputs
    return _shape_value_infer(shape, g.dtype)


def _bm_grad_compute(g, mask, shape, *, axis):
    dims = [int(d) for d in shape]
    k = mask.ndim
    flat_shape = dims[:axis] + [mask.size] + dims[axis + k:]
    out = np.zeros(flat_shape, dtype=g.dtype)
    positions = np.flatnonzero(mask.reshape(-1))
    np.moveaxis(out, axis, 0)[positions] = np.moveaxis(g, axis, 0)
    return out.reshape(dims)


def _bm_grad_vjp(op, grads):
    g, mask, shape = op.inputs
    return [S.boolean_mask(grads[0], mask, axis=op.attrs["axis"]), None, None]


defop("BooleanMaskGrad", _bm_grad_infer, _bm_grad_compute, _bm_grad_vjp,
      family="array_grad")
set_vjp("BooleanMask", lambda op, grads: [
    apply("BooleanMaskGrad", (grads[0], op.inputs[1], _shape_of(op.inputs[0])),
          {"axis": op.attrs["axis"]}), None])
