"""Gradient clipping (TF1 `tf.clip_by_norm`, `tf.global_norm`, `tf.clip_by_global_norm`)."""
from __future__ import annotations

from typing import Optional

import numpy as np

from .ir import context as _context
from .ir.graph import TensorLike
from .ir.ops import math_ops as M
from .ir.ops.array_grads import is_gather_gradient
from .ir.ops import reduce_ops as R
from .ir.ops import generator_ops as G
from .ir.ops import matmul_ops as MM
from .ir.ops._base import convert_to_tensor


def clip_by_norm(t, clip_norm, axes=None, name: Optional[str] = None):
    """t * clip_norm / max(l2norm(t, axes), clip_norm)."""
    graph = _context.get_default_graph()
    with graph.name_scope(name or "clip_by_norm"):
        t = convert_to_tensor(t)
        clip = convert_to_tensor(clip_norm, dtype=t.dtype)
        l2sum = R.reduce_sum(M.square(t), axes, keepdims=True)
        positive = M.greater(l2sum, np.zeros((), t.dtype.np))
        safe = M.where_v2(positive, l2sum, G.ones_like(l2sum))
        norm = M.where_v2(positive, M.sqrt(safe), l2sum)
        return M.truediv(M.multiply(t, clip), M.maximum(norm, clip))


def global_norm(t_list, name: Optional[str] = None):
    """sqrt(sum of squared l2 norms of all non-None tensors), in float32 or their dtype.
    A lookup's gradient counts as TF1's IndexedSlices: the norm of its values, a
    repeated id's rows each (not their sum), and a sum of lookups' gradients as the
    concatenation of their values."""
    tensors = [convert_to_tensor(t) for t in t_list if t is not None]
    if not tensors:
        raise ValueError("global_norm needs at least one tensor")
    graph = _context.get_default_graph()
    with graph.name_scope(name or "global_norm"):
        sums = []
        for t in tensors:
            parts = list(t.op.inputs) if t.op.type == "AddN" else [t]
            if all(is_gather_gradient(p) for p in parts):
                sums.extend(R.reduce_sum(M.square(p.op.inputs[0])) for p in parts)
            else:
                sums.append(R.reduce_sum(M.square(t)))
        return M.sqrt(MM.add_n(sums) if len(sums) > 1 else sums[0], name="global_norm")


def clip_by_global_norm(t_list, clip_norm, use_norm=None, name: Optional[str] = None):
    """Scale every tensor by clip_norm / max(global_norm, clip_norm) (TF1); returns
    (clipped list with None kept, the global norm)."""
    if isinstance(t_list, TensorLike) or not isinstance(t_list, (list, tuple)):
        raise TypeError("t_list should be a sequence")
    t_list = list(t_list)
    graph = _context.get_default_graph()
    with graph.name_scope(name or "clip_by_global_norm"):
        norm = global_norm(t_list) if use_norm is None else convert_to_tensor(use_norm)
        clip = convert_to_tensor(clip_norm, dtype=norm.dtype)
        scale = M.truediv(clip, M.maximum(norm, clip))
        clipped = []
        for t in t_list:
            if t is None:
                clipped.append(None)
                continue
            t = convert_to_tensor(t)
            s = scale if scale.dtype is t.dtype else M.cast(scale, t.dtype)
            clipped.append(M.multiply(t, s))
        return clipped, norm


def clip_by_average_norm(t, clip_norm, name: Optional[str] = None):
    t = convert_to_tensor(t)
    from .ir.ops.array_ops import size
    n = M.cast(size(t), t.dtype)
    return clip_by_norm(t, M.multiply(convert_to_tensor(clip_norm, dtype=t.dtype), n),
                        name=name or "clip_by_average_norm")
