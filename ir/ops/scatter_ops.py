"""Scatters into a tensor and gathers with batch dims (TF1's names and semantics).

`tensor_scatter_nd_update/add/sub` write `updates` into a copy of `tensor` at `indices`
(the last axis of indices indexes the leading dims of tensor; an index out of range is
an error, duplicates add up for add/sub). `gather(batch_dims=)`, `gather_nd(batch_dims=)`
and `batch_gather` are compositions over GatherNd: each batch's indices get their batch
coordinate prepended, so every index is checked against its own dim (never silently
read from another batch). Gradients are TF1's: the gathered gradient for the updates,
the gradient with the updated positions cleared (update) or passed (add, sub).
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from .. import dtypes as dt
from ..errors import InvalidArgumentError
from ._base import apply, check_dtype, convert_to_tensor, defop, graph_of, only_default
from .array_ops import INDEX_DTYPES, concat, reshape, shape, stack, transpose
from .math_ops import cast, negative
from .slicing_ops import gather_nd, index_rows
from .tile_pad_ops import broadcast_to

__all__ = ["tensor_scatter_nd_update", "tensor_scatter_nd_add", "tensor_scatter_nd_sub",
           "tensor_scatter_update", "tensor_scatter_add", "tensor_scatter_sub",
           "batch_gather", "gather_with_batch_dims", "gather_nd_with_batch_dims"]


def _scatter_infer(op):
    tensor, indices, updates = op.inputs
    check_dtype(op, indices, INDEX_DTYPES, "indices")
    if updates.dtype is not tensor.dtype:
        raise TypeError(f"{op.type} op '{op.name}': updates '{updates.name}' are "
                        f"{updates.dtype.name} but tensor '{tensor.name}' is "
                        f"{tensor.dtype.name}")
    t, i, u = tensor.shape.as_tuple(), indices.shape.as_tuple(), updates.shape.as_tuple()
    if i is not None and not i:
        raise ValueError(f"indices '{indices.name}' must be at least a vector")
    if t is not None and i is not None and u is not None and i[-1] is not None:
        if i[-1] > len(t):
            raise ValueError(f"indices.shape[-1] = {i[-1]} must be <= the rank of tensor "
                             f"'{tensor.name}' ({tensor.shape})")
        want = indices.shape[:-1].concatenate(tensor.shape[i[-1]:])
        if not want.is_compatible_with(updates.shape):
            raise ValueError(f"{op.type} op '{op.name}': updates '{updates.name}' must have "
                             f"shape {want} (indices.shape[:-1] + tensor.shape[indices."
                             f"shape[-1]:]), got {updates.shape}")
    return [(tensor.dtype, tensor.shape)]


def _scatter_compute(kind):
    def compute(tensor, indices, updates):
        depth = indices.shape[-1] if indices.ndim else 0
        if indices.ndim == 0 or depth > tensor.ndim or \
                updates.shape != indices.shape[:-1] + tensor.shape[depth:]:
            raise InvalidArgumentError(None, None, f"updates must have shape indices.shape"
                                       f"[:-1] + tensor.shape[indices.shape[-1]:], got "
                                       f"tensor {list(tensor.shape)}, indices "
                                       f"{list(indices.shape)}, updates {list(updates.shape)}")
        rows = index_rows(indices, tensor.shape, "shape")
        out = np.array(tensor, copy=True)
        where = tuple(rows.T)
        values = updates.reshape((rows.shape[0],) + tensor.shape[depth:])
        if kind == "update":
            out[where] = values
        elif kind == "add":
            np.add.at(out, where, values)
        else:
            np.subtract.at(out, where, values)
        return out
    return compute


def _update_vjp(op, grads):
    g = grads[0]
    _, indices, updates = op.inputs
    from .generator_ops import zeros_like
    return [apply("TensorScatterUpdate", (g, indices, zeros_like(updates))), None,
            gather_nd(g, indices)]


defop("TensorScatterUpdate", _scatter_infer, _scatter_compute("update"), _update_vjp,
      family="array")
defop("TensorScatterAdd", _scatter_infer, _scatter_compute("add"),
      lambda op, grads: [grads[0], None, gather_nd(grads[0], op.inputs[1])], family="array")
defop("TensorScatterSub", _scatter_infer, _scatter_compute("sub"),
      lambda op, grads: [grads[0], None, negative(gather_nd(grads[0], op.inputs[1]))],
      family="array")


def _scatter(op_type, tensor, indices, updates, name):
    t = convert_to_tensor(tensor, name="tensor")
    i = convert_to_tensor(indices, name="indices")
    u = convert_to_tensor(updates, name="updates", dtype=t.dtype)
    return apply(op_type, (t, i, u), name=name or op_type)


def tensor_scatter_nd_update(tensor, indices, updates, name: Optional[str] = None):
    """TF1 `tf.tensor_scatter_nd_update`: a copy of `tensor` with the slices at `indices`
    replaced by `updates`."""
    return _scatter("TensorScatterUpdate", tensor, indices, updates, name)


def tensor_scatter_nd_add(tensor, indices, updates, bad_indices_policy: str = "",
                          name: Optional[str] = None):
    """TF1 `tf.tensor_scatter_nd_add`: a copy of `tensor` with `updates` added at
    `indices` (repeated indices add up)."""
    only_default("tensor_scatter_nd_add", bad_indices_policy=(bad_indices_policy, ""))
    return _scatter("TensorScatterAdd", tensor, indices, updates, name)


def tensor_scatter_nd_sub(tensor, indices, updates, bad_indices_policy: str = "",
                          name: Optional[str] = None):
    """TF1 `tf.tensor_scatter_nd_sub`: a copy of `tensor` with `updates` subtracted at
    `indices`."""
    only_default("tensor_scatter_nd_sub", bad_indices_policy=(bad_indices_policy, ""))
    return _scatter("TensorScatterSub", tensor, indices, updates, name)


tensor_scatter_update = tensor_scatter_nd_update
tensor_scatter_add = tensor_scatter_nd_add
tensor_scatter_sub = tensor_scatter_nd_sub


# ------------------------------------------------------------------ batched gathers
def _prepend_batch_coordinate(flat_indices, batch, depth_last: bool):
    """indices [B, i..., (C)] -> [B, i..., 1 + C]: each row's batch number in front."""
    rank = flat_indices.shape.ndims
    from .generator_ops import range as range_
    ids = cast(range_(cast(batch, dt.int32)), flat_indices.dtype)
    lead = rank - 1 if depth_last else rank
    ids = reshape(ids, [-1] + [1] * lead)
    s = shape(flat_indices, out_type=flat_indices.dtype)
    target = concat([s[:-1], np.ones(1, flat_indices.dtype.np)], 0) if depth_last else \
        concat([s, np.ones(1, flat_indices.dtype.np)], 0)
    coords = flat_indices if depth_last else reshape(flat_indices, target)
    return concat([broadcast_to(ids, target), coords], -1)


def _flatten_batches(p, i, b: int):
    """(shape of p, shape of i, the batch size, p and i with their first b dims as one)."""
    from .reduce_ops import reduce_prod
    ps, ix = shape(p, out_type=i.dtype), shape(i, out_type=i.dtype)
    size = reduce_prod(ps[:b])
    return (ps, ix, size, reshape(p, concat([stack([size]), ps[b:]], 0)),
            reshape(i, concat([stack([size]), ix[b:]], 0)))


def _known_rank(t, fn: str) -> int:
    if t.shape.ndims is None:
        raise ValueError(f"{fn} with batch_dims needs the rank of '{t.name}' known when the "
                         "graph is built")
    return t.shape.ndims


def gather_nd_with_batch_dims(params, indices, batch_dims: int, name=None):
    """TF1 `tf.gather_nd(params, indices, batch_dims=b)`: gather_nd within each of the
    first b (batch) dims, which params and indices share."""
    g = graph_of((params, indices))
    with g.as_default(), g.name_scope(name or "GatherNd") as scope:
        p = convert_to_tensor(params, name="params")
        i = convert_to_tensor(indices, name="indices", dtype_hint=dt.int32)
        rank_i, rank_p = _known_rank(i, "gather_nd"), _known_rank(p, "gather_nd")
        b = batch_dims + rank_i if batch_dims < 0 else batch_dims
        if not 0 <= b < min(rank_i, rank_p + 1):
            raise ValueError(f"gather_nd: batch_dims {batch_dims} must be less than the rank "
                             f"of indices ({rank_i}) and at most the rank of params")
        ps, ix, size, flat_p, flat_i = _flatten_batches(p, i, b)
        out = gather_nd(flat_p, _prepend_batch_coordinate(flat_i, size, True))
        rest = shape(out, out_type=i.dtype)[1:]
        return reshape(out, concat([ps[:b], rest], 0), name=scope)


def gather_with_batch_dims(params, indices, batch_dims: int, axis=None, name=None):
    """TF1 `tf.gather(params, indices, axis=a, batch_dims=b)`: gather along `axis` within
    each of the first b (batch) dims (axis >= b; default b)."""
    g = graph_of((params, indices))
    with g.as_default(), g.name_scope(name or "GatherV2") as scope:
        p = convert_to_tensor(params, name="params")
        i = convert_to_tensor(indices, name="indices", dtype_hint=dt.int32)
        rank_i, rank_p = _known_rank(i, "gather"), _known_rank(p, "gather")
        b = batch_dims + rank_i if batch_dims < 0 else batch_dims
        a = b if axis is None else int(axis)
        a = a + rank_p if a < 0 else a
        if not 0 <= b <= rank_i or not b <= a < rank_p:
            raise ValueError(f"gather: batch_dims ({batch_dims}) must be in [0, rank(indices)"
                             f" = {rank_i}] and axis ({axis}) in [batch_dims, rank(params) = "
                             f"{rank_p})")
        if a != b:  # move `axis` to just after the batch dims, and the result's dims back
            perm = list(range(b)) + [a] + list(range(b, a)) + list(range(a + 1, rank_p))
            out = gather_with_batch_dims(transpose(p, perm), i, b)
            start = rank_i + a - b
            back = list(range(b)) + list(range(rank_i, start)) + list(range(b, rank_i)) + \
                list(range(start, rank_i + rank_p - 1 - b))
            return transpose(out, back, name=scope)
        ps, ix, size, flat_p, flat_i = _flatten_batches(p, i, b)
        out = gather_nd(flat_p, _prepend_batch_coordinate(flat_i, size, False))
        return reshape(out, concat([ix, ps[b + 1:]], 0), name=scope)


def batch_gather(params, indices, name: Optional[str] = None):
    """TF1 `tf.batch_gather` (deprecated there): gather with batch_dims = rank(indices) - 1."""
    i = convert_to_tensor(indices, name="indices", dtype_hint=dt.int32)
    return gather_with_batch_dims(params, i, _known_rank(i, "batch_gather") - 1,
                                  name=name or "batch_gather")


from ..naming import name_builders  # noqa: E402

name_builders(globals())
