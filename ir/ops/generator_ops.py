"""Ops that generate values: Fill (zeros, ones), ZerosLike, OnesLike, OneHot, Range,
SequenceMask, and the builders built on them (meshgrid), with TF1's dtype rules.
"""
from __future__ import annotations

import builtins
import math
from typing import Optional

import numpy as np

from .. import dtypes as dt
from ..errors import InvalidArgumentError
from ..graph import TensorLike
from ..shapes import TensorShape, unknown_shape
from ..symbolic import is_symbolic
from ._base import (NON_DIFFERENTIABLE, _infer_python_dtype, apply, check_dtype,
                    const_value, const_value_as_shape, convert_to_tensor, defop,
                    dim_from_scalar, np_value, only_default)
from .array_ops import (_check_vector, dim_list, INDEX_DTYPES, reshape, shape as shape_of,
                        _shape_arg, _shape_str, size, stack, _static_axis)
from .tile_pad_ops import broadcast_to
from .math_ops import cast

__all__ = ["fill", "zeros", "ones", "zeros_like", "ones_like", "one_hot", "range",
           "sequence_mask", "meshgrid"]

# Below this many elements zeros/ones become a Const (TF1's `_constant_if_small`).
_SMALL_CONSTANT = 1000


# ------------------------------------------------------------------ Fill
def _fill_infer(op):
    dims, value = op.inputs
    _check_vector(op, dims, "dims")
    if value.shape.ndims not in (None, 0):
        raise ValueError(f"value '{value.name}' must be a scalar, but has shape "
                         f"{value.shape}")
    shape = const_value_as_shape(dims)
    for d in shape.as_tuple() or ():
        if d is not None and d < 0:
            raise ValueError(f"Fill dims must be nonnegative, got {shape}")
    return [(value.dtype, shape)]


def _fill_compute(dims, value):
    if dims.ndim != 1:
        raise InvalidArgumentError(None, None, f"dims must be a vector, got shape "
                                   f"{_shape_str(dims.shape)}")
    if value.ndim != 0:
        raise InvalidArgumentError(None, None, f"value must be a scalar, got shape "
                                   f"{_shape_str(value.shape)}")
    for i, d in enumerate(dims):
        if d < 0:
            raise InvalidArgumentError(None, None, f"dims[{i}] = {d} must be nonnegative.")
    return np.full([int(d) for d in dims], value, dtype=value.dtype)


defop("Fill", _fill_infer, _fill_compute, family="generator")


def fill(dims, value, name: Optional[str] = None, layout=None):
    """TF1 `tf.fill`: a tensor of shape `dims` (may be a run-time tensor) full of `value`."""
    only_default("fill", layout=(layout, None))
    v = convert_to_tensor(value)
    return apply("Fill", (_shape_arg(dims, "dims"), v), name=name or "Fill")


def _filled(shape, scalar, dtype, name: str):
    """TF1 zeros/ones: a Const when small and static, else Fill(shape, scalar)."""
    dtype = dt.as_dtype(dtype)
    if isinstance(shape, TensorShape):
        shape = shape.as_list()
    static = None
    if isinstance(shape, (list, tuple)) and not any(isinstance(d, TensorLike) for d in shape):
        static = [int(d) for d in shape]
    elif isinstance(shape, (int, np.integer)) or isinstance(shape, np.ndarray):
        static = [int(d) for d in np.asarray(shape).reshape(-1)]
    if static is not None and int(np.prod(static, dtype=np.int64)) < _SMALL_CONSTANT:
        value = np.full(static, scalar, dtype=dtype.np) if not dtype.is_string else \
            np.full(static, b"", dtype=object)
        return convert_to_tensor(value, name=name)
    dims = _shape_arg(shape, "shape")
    if dims.shape.ndims == 0:
        dims = reshape(dims, [-1])
    value = convert_to_tensor(np.asarray(scalar, dtype=dtype.np) if not dtype.is_string
                              else np.asarray(b"", dtype=object), name="Const")
    return apply("Fill", (dims, value), name=name)


def zeros(shape, dtype=dt.float32, name: Optional[str] = None, layout=None):
    """TF1 `tf.zeros`; `shape` may mix ints and scalar tensors, or be a tensor."""
    only_default("zeros", layout=(layout, None))
    return _filled(shape, 0, dtype, name or "zeros")


def ones(shape, dtype=dt.float32, name: Optional[str] = None, layout=None):
    """TF1 `tf.ones`; `shape` may mix ints and scalar tensors, or be a tensor."""
    only_default("ones", layout=(layout, None))
    return _filled(shape, 1, dtype, name or "ones")


# ------------------------------------------------------------------ ZerosLike, OnesLike
def _like_infer(op):
    x = op.inputs[0]
    if x.dtype.is_string and op.type == "OnesLike":
        raise TypeError(f"OnesLike does not accept string input '{x.name}'")
    return [(x.dtype, x.shape)]


def _zeros_like_compute(x):
    return np.zeros_like(x) if x.dtype != object else np.full(x.shape, b"", dtype=object)


defop("ZerosLike", _like_infer, _zeros_like_compute, NON_DIFFERENTIABLE, elementwise=True,
      family="generator")
defop("OnesLike", _like_infer, lambda x: np.ones_like(x), NON_DIFFERENTIABLE,
      elementwise=True, family="generator")


def zeros_like(tensor, dtype=None, name: Optional[str] = None, optimize: bool = True):
    """TF1 `tf.zeros_like`: a Const when the shape is static (optimize), else ZerosLike."""
    return _like(tensor, dtype, name or "zeros_like", optimize, "ZerosLike", zeros)


def ones_like(tensor, dtype=None, name: Optional[str] = None, optimize: bool = True):
    """TF1 `tf.ones_like`: a Const when the shape is static (optimize), else OnesLike."""
    return _like(tensor, dtype, name or "ones_like", optimize, "OnesLike", ones)


def _like(tensor, dtype, name: str, optimize: bool, op_type: str, maker):
    x = convert_to_tensor(tensor)
    dtype = x.dtype if dtype is None else dt.as_dtype(dtype)
    if optimize and x.shape.is_fully_defined():
        return maker(x.shape.as_list(), dtype, name=name)
    if dtype is x.dtype:
        return apply(op_type, (x,), name=name)
    out = maker(shape_of(x), dtype, name=name)
    out.set_shape(x.shape)
    return out


# ------------------------------------------------------------------ OneHot
def _one_hot_infer(op):
    indices = op.inputs[0]
    check_dtype(op, indices, (dt.uint8,) + INDEX_DTYPES, "indices")
    depth, axis = op.attrs["depth"], op.attrs["axis"]
    if depth < 0:
        raise ValueError(f"depth must be non-negative, got: {depth}")
    dims = dim_list(indices.shape)
    if dims is None:
        return [(op.attrs["dtype"], unknown_shape())]
    r = len(dims)
    if not -1 <= axis <= r:
        raise ValueError(f"Expected axis to be -1 or between [0, {r}].  But received: "
                         f"{axis}")
    a = r if axis == -1 else axis
    return [(op.attrs["dtype"], TensorShape(dims[:a] + [depth] + dims[a:]))]


def _one_hot_compute(indices, *, depth, on_value, off_value, axis, dtype):
    hot = indices[..., None] == np.arange(depth, dtype=np.int64)
    out = np.where(hot, np.asarray(on_value, dtype.np), np.asarray(off_value, dtype.np))
    out = out.astype(dtype.np, copy=False)
    return np.moveaxis(out, -1, axis) if axis != -1 else out


defop("OneHot", _one_hot_infer, _one_hot_compute, NON_DIFFERENTIABLE, family="generator")


def _scalar_dtype(value, hint: Optional[dt.DType]) -> Optional[dt.DType]:
    """The dtype on/off values convert to (TF1.15: with `dtype` as the hint)."""
    if value is None:
        return None
    if isinstance(value, TensorLike):
        return value._as_tensor().dtype
    if hint is not None and not isinstance(value, (np.ndarray, np.generic)):
        try:
            np_value(value, hint)
            return hint
        except (TypeError, ValueError):
            pass
    return _infer_python_dtype(value)


def _static_scalar(value, dtype: dt.DType, what: str):
    if isinstance(value, TensorLike):
        v = const_value(value._as_tensor())
        if v is None:
            raise ValueError(f"graphc needs one_hot's {what} to be known when the graph is "
                             f"built, but {value._as_tensor().name} is computed at run time")
        value = v
    arr = np_value(value, dtype)
    if arr.ndim != 0:
        raise ValueError(f"{what} must be a scalar, got {value!r}")
    return arr.item()


def one_hot(indices, depth, on_value=None, off_value=None, axis=None, dtype=None,
            name: Optional[str] = None):
    """TF1 `tf.one_hot`: dtype from on/off values, else float32; bad indices give off rows."""
    dtype = None if dtype is None else dt.as_dtype(dtype)
    on_dtype, off_dtype = _scalar_dtype(on_value, dtype), _scalar_dtype(off_value, dtype)
    if on_dtype is not None or off_dtype is not None:
        if dtype is not None:
            if on_dtype is not None and on_dtype is not dtype:
                raise TypeError(f"dtype {on_dtype} of on_value does not match dtype "
                                f"parameter {dtype}")
            if off_dtype is not None and off_dtype is not dtype:
                raise TypeError(f"dtype {off_dtype} of off_value does not match dtype "
                                f"parameter {dtype}")
        else:
            dtype = on_dtype if on_dtype is not None else off_dtype
    elif dtype is None:
        dtype = dt.float32
    if on_dtype is not None and off_dtype is not None and on_dtype is not off_dtype:
        raise TypeError(f"dtype {on_dtype} of on_value does not match dtype {off_dtype} of "
                        f"off_value")
    on = _static_scalar(1 if on_value is None else on_value, dtype, "on_value")
    off = _static_scalar(0 if off_value is None else off_value, dtype, "off_value")
    x = convert_to_tensor(indices, dtype_hint=dt.int32)
    attrs = {"depth": _static_axis(depth, "depth"), "on_value": on, "off_value": off,
             "axis": -1 if axis is None else _static_axis(axis), "dtype": dtype}
    return apply("OneHot", (x,), attrs, name=name or "one_hot")


# ------------------------------------------------------------------ Range
_RANGE_DTYPES = (dt.int32, dt.int64, dt.float32, dt.float64)


def _range_size(start, limit, delta, error):
    if delta == 0:
        raise error(f"Requires delta != 0: {delta}")
    if delta > 0 and start > limit:
        raise error(f"Requires start <= limit when delta > 0: {start}/{limit}")
    if delta < 0 and start < limit:
        raise error(f"Requires start >= limit when delta < 0: {start}/{limit}")
    if isinstance(start, (int, np.integer)) and isinstance(delta, (int, np.integer)):
        return (abs(int(limit) - int(start)) + abs(int(delta)) - 1) // abs(int(delta))
    return int(math.ceil(abs((limit - start) / delta)))


def _range_infer(op):
    for t, what in zip(op.inputs, ("start", "limit", "delta")):
        check_dtype(op, t, _RANGE_DTYPES, what)
        if t.shape.ndims not in (None, 0):
            raise ValueError(f"{what} '{t.name}' must be a scalar, not shape {t.shape}")
    dtype = op.inputs[0].dtype
    for t in op.inputs[1:]:
        if t.dtype is not dtype:
            raise TypeError(f"start, limit and delta of Range must have the same dtype, got "
                            f"{', '.join(i.dtype.name for i in op.inputs)}")
    values = [const_value(t) for t in op.inputs]
    if any(v is None for v in values):
        return [(dtype, TensorShape([_run_time_range_size(op, values)]))]
    start, limit, delta = (np.asarray(v).item() for v in values)
    return [(dtype, TensorShape([_range_size(start, limit, delta, ValueError)]))]


def _run_time_range_size(op, values) -> Optional[object]:
    """The length of an integer range with a step of 1 or -1 whose bounds are a plan's
    run-time dims (ir/symbolic.py), as `tf.range(tf.shape(x)[0])` is: that dim, so the
    ops after it keep a symbolic shape (None when the length depends on values)."""
    if not op.inputs[0].dtype.is_integer or values[2] is None or \
            int(np.asarray(values[2]).item()) not in (1, -1):
        return None
    bounds = [int(np.asarray(v).item()) if v is not None else dim_from_scalar(t)
              for t, v in zip(op.inputs[:2], values[:2])]
    if any(b is None for b in bounds) or not any(is_symbolic(b) for b in bounds):
        return None
    start, limit = bounds
    return limit - start if int(np.asarray(values[2]).item()) == 1 else start - limit


def _range_compute(start, limit, delta):
    s, lim, d = start.item(), limit.item(), delta.item()

    def error(msg):
        return InvalidArgumentError(None, None, msg)

    n = _range_size(s, lim, d, error)
    if start.dtype.kind in "iu":
        return (s + np.arange(n, dtype=np.int64) * d).astype(start.dtype)
    return (start + np.arange(n, dtype=start.dtype) * delta).astype(start.dtype)


defop("Range", _range_infer, _range_compute, NON_DIFFERENTIABLE, family="generator")

_RANGE_ORDER = {dt.int32: 0, dt.int64: 1, dt.float32: 2, dt.float64: 3}


def range(start, limit=None, delta=1, dtype=None, name: str = "range"):
    """TF1 `tf.range`: int32 for Python ints, float32 if any is a float (unless dtype)."""
    if limit is None:
        start, limit = 0, start
    args = [start, limit, delta]
    if dtype is not None:
        dtype = dt.as_dtype(dtype)
    else:
        kinds = []
        for a in args:
            k = a._as_tensor().dtype if isinstance(a, TensorLike) else \
                dt.as_dtype(np.asarray(a).dtype) if isinstance(a, (np.ndarray, np.generic)) \
                else _infer_python_dtype(a)
            if k not in _RANGE_ORDER:
                raise TypeError(f"range does not accept {k.name} arguments")
            kinds.append(k)
        dtype = builtins.max(kinds, key=_RANGE_ORDER.get)
    tensors = []
    for a, what in zip(args, ("start", "limit", "delta")):
        if isinstance(a, TensorLike):
            t = a._as_tensor()
            if t.dtype is not dtype:
                t = cast(t, dtype)
        else:
            t = convert_to_tensor(np.asarray(a).astype(dtype.np), name=what)
        tensors.append(t)
    return apply("Range", tensors, name=name or "range")


# ------------------------------------------------------------------ SequenceMask
def _sequence_mask_infer(op):
    lengths = op.inputs[0]
    check_dtype(op, lengths, INDEX_DTYPES, "lengths")
    maxlen = None
    if len(op.inputs) == 2:
        m = op.inputs[1]
        check_dtype(op, m, INDEX_DTYPES, "maxlen")
        if m.shape.ndims not in (None, 0):
            raise ValueError("maxlen must be scalar for sequence_mask")
        v = const_value(m)
        maxlen = None if v is None else builtins.max(int(v), 0)
    else:
        v = const_value(lengths)
        if v is not None:
            maxlen = builtins.max(int(v.max()), 0) if v.size else 0
    if lengths.shape.ndims is None:
        return [(op.attrs["dtype"], unknown_shape())]
    return [(op.attrs["dtype"], lengths.shape.concatenate([maxlen]))]


def _sequence_mask_compute(lengths, *maxlen, dtype):
    if maxlen:
        n = int(maxlen[0])
    else:
        n = int(lengths.max()) if lengths.size else 0
    n = builtins.max(n, 0)
    mask = np.arange(n, dtype=np.int64) < lengths[..., None].astype(np.int64)
    return mask.astype(dtype.np)


defop("SequenceMask", _sequence_mask_infer, _sequence_mask_compute, NON_DIFFERENTIABLE,
      family="generator")


def sequence_mask(lengths, maxlen=None, dtype=dt.bool_, name: Optional[str] = None):
    """TF1 `tf.sequence_mask`: mask[..., j] = j < lengths[...]; maxlen defaults to max."""
    x = convert_to_tensor(lengths, dtype_hint=dt.int32)
    inputs = [x]
    if maxlen is not None:
        inputs.append(convert_to_tensor(maxlen, dtype=None if isinstance(maxlen, TensorLike)
                                        else x.dtype))
    return apply("SequenceMask", inputs, {"dtype": dt.as_dtype(dtype)},
                 name=name or "SequenceMask")


# ------------------------------------------------------------------ meshgrid
def meshgrid(*args, **kwargs):
    """TF1 `tf.meshgrid(*args, indexing='xy', name=None)`, built from Reshape/BroadcastTo."""
    indexing = kwargs.pop("indexing", "xy")
    name = kwargs.pop("name", None)
    if kwargs:
        raise TypeError(f"'{next(iter(kwargs))}' is an invalid keyword argument for this "
                        f"function")
    if indexing not in ("xy", "ij"):
        raise ValueError("indexing parameter must be either 'xy' or 'ij'")
    xs = [reshape(convert_to_tensor(a), [-1]) for a in args]
    n = len(xs)
    sizes = [size(x) for x in xs]
    out_sizes = list(sizes)
    if indexing == "xy" and n > 1:
        out_sizes[0], out_sizes[1] = out_sizes[1], out_sizes[0]
    target = stack(out_sizes)
    outputs = []
    for i, x in enumerate(xs):
        pos = i
        if indexing == "xy" and n > 1 and i < 2:
            pos = 1 - i
        shape = [1] * n
        shape[pos] = -1
        outputs.append(broadcast_to(reshape(x, shape), target,
                                    name=None if name is None else f"{name}_{i}"))
    return outputs
