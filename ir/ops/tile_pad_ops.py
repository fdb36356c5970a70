"""Ops that repeat, pad, reverse or broadcast a tensor: Tile, Pad, MirrorPad, ReverseV2,
BroadcastTo, and their TF1 builders.

Tile's multiples and broadcast_to's shape are int tensor inputs (TF1 code computes them
at run time); pad's paddings are static, as graphc needs the output rank and sizes.
"""
from __future__ import annotations

import builtins
from typing import Optional

import numpy as np

from ..errors import InvalidArgumentError
from ..graph import TensorLike
from ..shapes import TensorShape, unknown_shape
from ..symbolic import is_symbolic
from ._base import (apply, const_value, const_value_as_shape, convert_to_tensor, defop,
                    static_int_list)
from .array_ops import _check_vector, dim_list, _shape_arg, _shape_entries, _shape_str

__all__ = ["tile", "pad", "reverse", "broadcast_to"]


# ------------------------------------------------------------------ Tile
def _tile_infer(op):
    x, multiples = op.inputs
    _check_vector(op, multiples, "multiples")
    dims = dim_list(x.shape)
    n = multiples.shape[0].value if multiples.shape.ndims == 1 else None
    if dims is not None and n is not None and n != len(dims):
        raise ValueError(f"Shape must be rank {len(dims)} but is rank {n}: multiples "
                         f"'{multiples.name}' has {n} entries but '{x.name}' has shape "
                         f"{x.shape}")
    reps = _shape_entries(multiples)
    if reps is not None:
        for i, m in enumerate(reps):
            if m is not None and m < 0:
                raise ValueError(f"Expected multiples[{i}] >= 0, but got {m}")
    rank_ = len(dims) if dims is not None else (len(reps) if reps is not None else n)
    if rank_ is None:
        return [(x.dtype, unknown_shape())]
    dims = dims or [None] * rank_
    reps = reps or [None] * rank_
    out = [0 if (d == 0 or m == 0) else None if d is None or m is None else d * m
           for d, m in zip(dims, reps)]
    return [(x.dtype, TensorShape(out))]


def _tile_compute(x, multiples):
    if multiples.ndim != 1 or multiples.shape[0] != x.ndim:
        raise InvalidArgumentError(None, None, f"Expected multiples argument to be a vector "
                                   f"of length {x.ndim} but got length "
                                   f"{multiples.shape[0] if multiples.ndim else 0}")
    for i, m in enumerate(multiples):
        if m < 0:
            raise InvalidArgumentError(None, None, f"Expected multiples[{i}] >= 0, but got "
                                       f"{m}")
    return np.tile(x, [int(m) for m in multiples]) if x.ndim else x.copy()


defop("Tile", _tile_infer, _tile_compute, family="array")


def tile(input, multiples, name: Optional[str] = None):
    """TF1 `tf.tile`: repeat along each dim (`multiples` may be a run-time tensor)."""
    x = convert_to_tensor(input)
    return apply("Tile", (x, _shape_arg(multiples, "multiples")), name=name or "Tile")


# ------------------------------------------------------------------ Pad, MirrorPad
def _check_paddings(op, x, paddings, mirror: Optional[str]):
    dims = dim_list(x.shape)
    if dims is not None and len(paddings) != len(dims):
        raise ValueError(f"The first dimension of paddings must be the rank of inputs "
                         f"{len(dims)}, got paddings of shape [{len(paddings)},2] for "
                         f"'{x.name}' (shape {x.shape})")
    for i, (before, after) in enumerate(paddings):
        if before < 0 or after < 0:
            raise ValueError(f"Paddings must be non-negative: {before} {after}")
        if mirror and dims is not None and dims[i] is not None:
            limit = dims[i] if mirror == "SYMMETRIC" else dims[i] - 1
            if before > limit or after > limit:
                raise ValueError(f"paddings must be no greater than the dimension size: "
                                 f"{before}, {after} greater than {limit} (dimension {i} of "
                                 f"'{x.name}', shape {x.shape}, mode {mirror})")
    if dims is None:
        return [(x.dtype, unknown_shape(len(paddings)))]
    return [(x.dtype, TensorShape([None if d is None else d + b + a
                                   for d, (b, a) in zip(dims, paddings)]))]


def _pad_infer(op):
    return _check_paddings(op, op.inputs[0], op.attrs["paddings"], None)


def _mirror_pad_infer(op):
    return _check_paddings(op, op.inputs[0], op.attrs["paddings"], op.attrs["mode"])


def _runtime_paddings(x, paddings, mirror: Optional[str]):
    if len(paddings) != x.ndim:
        raise InvalidArgumentError(None, None, f"The first dimension of paddings must be the "
                                   f"rank of inputs{len(paddings)} {_shape_str(x.shape)}")
    if mirror:
        for i, (b, a) in enumerate(paddings):
            limit = x.shape[i] if mirror == "SYMMETRIC" else x.shape[i] - 1
            if b > limit or a > limit:
                raise InvalidArgumentError(
                    None, None, f"paddings must be no greater than the dimension size: {b}, "
                    f"{a} greater than {limit}")


def _pad_compute(x, *, paddings, constant_values):
    _runtime_paddings(x, paddings, None)
    return np.pad(x, paddings, mode="constant",
                  constant_values=np.asarray(constant_values, dtype=x.dtype))


def _mirror_pad_compute(x, *, paddings, mode):
    _runtime_paddings(x, paddings, mode)
    return np.pad(x, paddings, mode=mode.lower())


defop("Pad", _pad_infer, _pad_compute, family="array")
defop("MirrorPad", _mirror_pad_infer, _mirror_pad_compute, family="array")


def pad(tensor, paddings, mode: str = "CONSTANT", name: Optional[str] = None,
        constant_values=0):
    """TF1 `tf.pad`: CONSTANT ("Pad"), REFLECT or SYMMETRIC ("MirrorPad"); static paddings."""
    x = convert_to_tensor(tensor)
    flat = static_int_list(paddings, "paddings")
    if len(flat) % 2:
        raise ValueError(f"paddings must have shape [rank, 2], got {paddings!r}")
    pads = tuple((flat[i], flat[i + 1]) for i in builtins.range(0, len(flat), 2))
    mode = mode.upper()
    if mode == "CONSTANT":
        if isinstance(constant_values, TensorLike):
            v = const_value(constant_values._as_tensor())
            if v is None:
                raise ValueError("graphc needs pad's constant_values to be known when the "
                                 "graph is built")
            constant_values = v
        value = np.asarray(constant_values)
        if value.ndim != 0:
            raise ValueError(f"constant_values must be a scalar, got {constant_values!r}")
        value = value.astype(x.dtype.np).item() if not x.dtype.is_string else value.item()
        return apply("Pad", (x,), {"paddings": pads, "constant_values": value},
                     name=name or "Pad")
    if mode not in ("REFLECT", "SYMMETRIC"):
        raise ValueError(f"Unknown padding mode: {mode}")
    return apply("MirrorPad", (x,), {"paddings": pads, "mode": mode},
                 name=name or "MirrorPad")


# ------------------------------------------------------------------ ReverseV2
def _reverse_infer(op):
    x = op.inputs[0]
    axes = op.attrs["axis"]
    r = x.shape.ndims
    seen = set()
    for a in axes:
        if r is not None:
            if not -r <= a < r:
                raise ValueError(f"'axis'[{axes.index(a)}] = {a} is out of valid range "
                                 f"[{-r}, {r - 1}] for '{x.name}' (shape {x.shape})")
            a %= r
        if a in seen:
            raise ValueError(f"axis {a} specified more than once")
        seen.add(a)
    return [(x.dtype, x.shape)]


def _reverse_compute(x, *, axis):
    for a in axis:
        if not -x.ndim <= a < x.ndim:
            raise InvalidArgumentError(None, None, f"'axis'[{axis.index(a)}] = {a} is out of "
                                       f"valid range [{-x.ndim}, {x.ndim - 1}]")
    return np.flip(x, axis=tuple(a % x.ndim for a in axis)) if axis else x


defop("ReverseV2", _reverse_infer, _reverse_compute, family="array")


def reverse(tensor, axis, name: Optional[str] = None):
    """TF1 `tf.reverse` (ReverseV2): reverse along the listed axes (static)."""
    x = convert_to_tensor(tensor)
    axes = tuple(static_int_list(axis, "axis"))
    return apply("ReverseV2", (x,), {"axis": axes}, name=name or "ReverseV2")


# ------------------------------------------------------------------ BroadcastTo
def _broadcast_to_infer(op):
    x, shape_t = op.inputs
    _check_vector(op, shape_t, "the shape argument")
    target = const_value_as_shape(shape_t)
    dims, out = dim_list(x.shape), dim_list(target)
    if out is None:
        return [(x.dtype, unknown_shape())]
    if dims is None:
        return [(x.dtype, target)]
    if len(dims) > len(out):
        raise ValueError(f"Rank of input ({len(dims)}) must be no greater than rank of "
                         f"output shape ({len(out)}): cannot broadcast '{x.name}' of shape "
                         f"{x.shape} to {target}")
    offset = len(out) - len(dims)
    for i, d in enumerate(dims):
        o = out[offset + i]
        if is_symbolic(d) and is_symbolic(o) and o == d:
            out[offset + i] = d  # (a plan's run-time dim onto itself: ir/symbolic.py)
            continue
        if d is None or d == 1:
            continue
        if o is None:
            out[offset + i] = d  # the only size a non-1 dim broadcasts to
        elif o != d:
            raise ValueError(f"Incompatible shapes: cannot broadcast '{x.name}' of shape "
                             f"{x.shape} to {target} (dimension {i} is {d}, target "
                             f"{o})")
    return [(x.dtype, TensorShape(out))]


def _broadcast_to_compute(x, shape):
    target = tuple(int(d) for d in shape)
    try:
        return np.array(np.broadcast_to(x, target))
    except ValueError:
        raise InvalidArgumentError(None, None, f"Incompatible shapes: {_shape_str(x.shape)} "
                                   f"vs. {_shape_str(target)}") from None


defop("BroadcastTo", _broadcast_to_infer, _broadcast_to_compute, family="array")


def broadcast_to(input, shape, name: Optional[str] = None):
    """TF `tf.broadcast_to`: numpy broadcasting to `shape` (may be a run-time tensor)."""
    x = convert_to_tensor(input)
    return apply("BroadcastTo", (x, _shape_arg(shape)), name=name or "BroadcastTo")
