"""Split and SplitV: one tensor into pieces along an axis (equal parts, or given sizes
with at most one -1), and TF1's `tf.split`, which picks one of them. The inverse of
array_ops' ConcatV2."""
from __future__ import annotations

import builtins
from typing import Optional

import numpy as np

from ..errors import InvalidArgumentError
from ..graph import TensorLike
from ..shapes import TensorShape, unknown_shape
from ._base import apply, convert_to_tensor, defop, normalize_axis, static_int_list
from .array_ops import dim_list, _static_axis

__all__ = ["split"]


# ------------------------------------------------------------------ Split, SplitV
def _split_infer(op):
    x = op.inputs[0]
    num, axis = op.attrs["num_split"], op.attrs["axis"]
    dims = dim_list(x.shape)
    if dims is None:
        return [(x.dtype, unknown_shape())] * num
    a = normalize_axis(axis, len(dims), f"split of '{x.name}' (shape {x.shape})")
    d = dims[a]
    if d is not None and d % num:
        raise ValueError(f"Dimension size must be evenly divisible by {num} but is {d}: "
                         f"cannot split dimension {a} of '{x.name}' (shape {x.shape}) into "
                         f"{num} equal parts")
    part = dims[:a] + [None if d is None else d // num] + dims[a + 1:]
    return [(x.dtype, TensorShape(part))] * num


def _split_compute(x, *, num_split, axis):
    if not -x.ndim <= axis < x.ndim:
        raise InvalidArgumentError(None, None, f"-input rank(-{x.ndim}) <= split_dim < input "
                                   f"rank ({x.ndim}), but got {axis}")
    a = axis % x.ndim
    if x.shape[a] % num_split:
        raise InvalidArgumentError(
            None, None, f"Number of ways to split should evenly divide the split dimension, "
            f"but got split_dim {a} (size = {x.shape[a]}) and num_split {num_split}")
    parts = tuple(np.split(x, num_split, axis=a))
    return parts[0] if num_split == 1 else parts


defop("Split", _split_infer, _split_compute, family="array")


def _split_v_infer(op):
    x = op.inputs[0]
    sizes, axis = list(op.attrs["size_splits"]), op.attrs["axis"]
    n = len(sizes)
    dims = dim_list(x.shape)
    if dims is None:
        return [(x.dtype, TensorShape(None))] * n
    a = normalize_axis(axis, len(dims), f"split of '{x.name}' (shape {x.shape})")
    d = dims[a]
    fixed = builtins.sum(s for s in sizes if s != -1)
    if -1 in sizes:
        if d is not None:
            if fixed > d:
                raise ValueError(f"size_splits {sizes} need at least {fixed} elements, but "
                                 f"dimension {a} of '{x.name}' (shape {x.shape}) is {d}")
            sizes[sizes.index(-1)] = d - fixed
    elif d is not None and fixed != d:
        raise ValueError(f"Determined shape must either match input shape along split_dim "
                         f"exactly if fully specified, or be less than the size of input "
                         f"along split_dim if not fully specified. Got: {fixed}, but "
                         f"dimension {a} of '{x.name}' (shape {x.shape}) is {d}")
    return [(x.dtype, TensorShape(dims[:a] + [None if s == -1 else s] + dims[a + 1:]))
            for s in sizes]


def _split_v_compute(x, *, size_splits, axis):
    if not -x.ndim <= axis < x.ndim:
        raise InvalidArgumentError(None, None, f"-input rank(-{x.ndim}) <= split_dim < input "
                                   f"rank ({x.ndim}), but got {axis}")
    a = axis % x.ndim
    sizes = list(size_splits)
    d = x.shape[a]
    fixed = builtins.sum(s for s in sizes if s != -1)
    if -1 in sizes:
        sizes[sizes.index(-1)] = d - fixed
    if fixed > d or (-1 not in size_splits and fixed != d):
        raise InvalidArgumentError(
            None, None, f"Determined shape must either match input shape along split_dim "
            f"exactly if fully specified, or be less than the size of input along split_dim "
            f"if not fully specified.  Got: {fixed}")
    parts = tuple(np.split(x, np.cumsum(sizes)[:-1], axis=a))
    return parts[0] if len(parts) == 1 else parts


defop("SplitV", _split_v_infer, _split_v_compute, family="array")


def split(value, num_or_size_splits, axis=0, num: Optional[int] = None,
          name: str = "split"):
    """TF1 `tf.split`: an int splits evenly ("Split"), a list gives sizes ("SplitV")."""
    x = convert_to_tensor(value)
    axis = _static_axis(axis)
    if isinstance(num_or_size_splits, (int, np.integer)) or (
            isinstance(num_or_size_splits, np.ndarray) and num_or_size_splits.ndim == 0):
        n = int(num_or_size_splits)
        if n < 1:
            raise ValueError(f"num_or_size_splits must be a positive integer, got {n}")
        out = apply("Split", (x,), {"num_split": n, "axis": axis}, name=name or "split")
        return [out] if n == 1 else list(out)
    if isinstance(num_or_size_splits, TensorLike) and \
            num_or_size_splits._as_tensor().shape.ndims == 0:
        n = _static_axis(num_or_size_splits, "num_or_size_splits")
        return split(x, n, axis, name=name)
    sizes = static_int_list(num_or_size_splits, "num_or_size_splits")
    if num is not None and num != len(sizes):
        raise ValueError(f"num={num} does not match the {len(sizes)} entries of "
                         f"size_splits {sizes}")
    if sizes.count(-1) > 1:
        raise ValueError(f"size_splits {sizes} may contain at most one -1")
    if any(s < -1 for s in sizes):
        raise ValueError(f"size_splits {sizes} must be non-negative (or one -1)")
    out = apply("SplitV", (x,), {"size_splits": tuple(sizes), "axis": axis},
                name=name or "split")
    return [out] if len(sizes) == 1 else list(out)
