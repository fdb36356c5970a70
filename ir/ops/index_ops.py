"""Flat indices, shape assertions and the clock (TF1's UnravelIndex, EnsureShape,
Timestamp).

UnravelIndex  (indices: int scalar or vector, dims: int vector) -> the coordinates of
              each flat index in an array of shape `dims` (row-major): [len(dims)] for a
              scalar, [len(dims), n] for a vector; an index outside [0, prod(dims)) is an
              InvalidArgumentError. Not differentiable (integers).
EnsureShape   (x; attr shape, a partial shape) -> x, with the static shape refined by
              `shape`; at run time a shape the attr does not admit is an
              InvalidArgumentError naming both. Its gradient passes through.
Timestamp     () -> the float64 seconds since the epoch when it runs (impure).
"""
from __future__ import annotations

import time
from typing import Optional

import numpy as np

from .. import dtypes as dt
from ..errors import InvalidArgumentError
from ..registry import NON_DIFFERENTIABLE
from ..shapes import TensorShape, as_shape
from ._base import apply, check_dtype, convert_to_tensor, defop

INTS = (dt.int32, dt.int64)


# ---------------------------------------------------------------- UnravelIndex
def _unravel_infer(op):
    indices, dims = op.inputs
    check_dtype(op, indices, INTS, "indices")
    if dims.dtype is not indices.dtype:
        raise TypeError(f"dims '{dims.name}' is {dims.dtype.name}, indices '{indices.name}' "
                        f"are {indices.dtype.name}")
    rank = indices.shape.ndims
    if rank is not None and rank > 1:
        raise ValueError(f"indices '{indices.name}' must be a scalar or a vector, got shape "
                         f"{indices.shape}")
    if dims.shape.ndims not in (None, 1):
        raise ValueError(f"dims '{dims.name}' must be a vector, got shape {dims.shape}")
    n = dims.shape.as_tuple()[0] if dims.shape.ndims == 1 else None
    if rank == 0:
        return [(indices.dtype, TensorShape([n]))]
    if rank == 1:
        return [(indices.dtype, TensorShape([n, indices.shape.as_tuple()[0]]))]
    return [(indices.dtype, TensorShape(None))]


def _unravel(indices, dims):
    dims = np.asarray(dims).reshape(-1)
    if np.any(dims <= 0):
        raise InvalidArgumentError(None, None, f"dims must all be positive, got {list(dims)}")
    total = int(np.prod(dims.astype(np.int64)))
    flat = np.asarray(indices).reshape(-1)
    if flat.size and (flat.min() < 0 or flat.max() >= total):
        bad = flat[(flat < 0) | (flat >= total)][0]
        raise InvalidArgumentError(None, None, f"index {int(bad)} is out of bounds for dims "
                                   f"{list(dims)} (size {total})")
    coords = np.stack(np.unravel_index(flat, tuple(int(d) for d in dims))) if dims.size \
        else np.zeros((0, flat.size), np.int64)
    coords = coords.astype(np.asarray(indices).dtype)
    return coords[:, 0] if np.ndim(indices) == 0 else coords


defop("UnravelIndex", _unravel_infer, _unravel, NON_DIFFERENTIABLE, family="array")


def unravel_index(indices, dims, name: Optional[str] = None):
    """TF1 `tf.unravel_index`: the coordinates of flat `indices` in an array of `dims`."""
    i = convert_to_tensor(indices, name="indices")
    return apply("UnravelIndex", (i, convert_to_tensor(dims, dtype=i.dtype, name="dims")),
                 name=name or "UnravelIndex")


# ---------------------------------------------------------------- EnsureShape
def _ensure_shape_infer(op):
    x = op.inputs[0]
    want = as_shape(op.attrs["shape"])
    if not x.shape.is_compatible_with(want):
        raise ValueError(f"Shape of tensor {x.name} {x.shape} is not compatible with "
                         f"expected shape {want}.")
    return [(x.dtype, x.shape.merge_with(want))]


def _ensure_shape(x, *, shape):
    want = as_shape(shape)
    if not want.is_compatible_with(TensorShape(list(np.shape(x)))):
        raise InvalidArgumentError(None, None, f"Shape of tensor x {list(np.shape(x))} is "
                                   f"not compatible with expected shape {want}.")
    return x


defop("EnsureShape", _ensure_shape_infer, _ensure_shape, lambda op, grads: [grads[0]],
      family="array")


def ensure_shape(x, shape, name: Optional[str] = None):
    """TF1 `tf.ensure_shape`: x, checked at run time against a (partial) shape."""
    t = convert_to_tensor(x, name="x")
    want = as_shape(shape)
    return apply("EnsureShape", (t,), {"shape": want.as_list() if want.ndims is not None
                                       else None}, name=name or "EnsureShape")


# ---------------------------------------------------------------- Timestamp
defop("Timestamp", lambda op: [(dt.float64, TensorShape([]))],
      lambda: np.asarray(time.time(), np.float64), NON_DIFFERENTIABLE, pure=False,
      family="debug",
      numpy_by_design="the host's clock, read in Python")


def timestamp(name: Optional[str] = None):
    """TF1 `tf.timestamp`: the time in seconds since the epoch (float64) when it runs."""
    return apply("Timestamp", (), name=name or "Timestamp")
