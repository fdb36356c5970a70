"""Normalization builders made of existing ops (so their gradients come for free):
moments, batch_normalization, fused_batch_norm and local_response_normalization."""
from __future__ import annotations

from typing import Optional

from .. import dtypes as dt
from ..context import get_default_graph
from . import math_ops as M
from . import reduce_ops as R
from ._base import convert_to_tensor, deprecated_argument, only_default, static_int_list
from .tile_pad_ops import pad
from .slicing_ops import slice as slice_
from .array_ops import shape as shape_of, squeeze
from .core_ops import stop_gradient


def moments(x, axes, shift=None, name: Optional[str] = None, keep_dims: Optional[bool] = None,
            keepdims: Optional[bool] = None):
    """TF1 `tf.nn.moments`: (mean, variance) over `axes` (variance about the mean, with
    the mean's gradient stopped there, as TF1)."""
    keep = bool(deprecated_argument("keepdims", keepdims, "keep_dims", keep_dims))
    x = convert_to_tensor(x)
    axes = static_int_list(axes, "axes")
    with get_default_graph().name_scope(name or "moments"):
        y = M.cast(x, dt.float32) if x.dtype == dt.float16 else x
        mean = R.reduce_mean(y, axis=axes, keepdims=True, name="mean")
        variance = R.reduce_mean(M.squared_difference(y, stop_gradient(mean)), axis=axes,
                                 keepdims=True, name="variance")
        if not keep:
            mean = squeeze(mean, axes)
            variance = squeeze(variance, axes)
        return mean, variance


def batch_normalization(x, mean, variance, offset, scale, variance_epsilon,
                        name: Optional[str] = None):
    """TF1 `tf.nn.batch_normalization`: scale * (x - mean) / sqrt(variance + eps) + offset."""
    x = convert_to_tensor(x)
    with get_default_graph().name_scope(name or "batchnorm"):
        inv = M.rsqrt(M.add(convert_to_tensor(variance, dtype=x.dtype), variance_epsilon))
        if scale is not None:
            inv = M.multiply(inv, convert_to_tensor(scale, dtype=x.dtype))
        shift = M.negative(M.multiply(convert_to_tensor(mean, dtype=x.dtype), inv))
        if offset is not None:
            shift = M.add(shift, convert_to_tensor(offset, dtype=x.dtype))
        return M.add(M.multiply(x, inv), shift)


def fused_batch_norm(x, scale, offset, mean=None, variance=None, epsilon: float = 0.001,
                     data_format: str = "NHWC", is_training: bool = True,
                     name: Optional[str] = None, exponential_avg_factor: float = 1.0):
    """TF1 `tf.nn.fused_batch_norm` (NHWC): (y, batch mean, batch variance). In training
    the returned variance has Bessel's correction (for moving averages) while y uses the
    biased one, as TF1's kernel."""
    if data_format != "NHWC":
        raise ValueError("fused_batch_norm supports data_format='NHWC' only")
    only_default("fused_batch_norm", exponential_avg_factor=(exponential_avg_factor, 1.0))
    x = convert_to_tensor(x)
    with get_default_graph().name_scope(name or "FusedBatchNorm"):
        if is_training:
            if mean is not None or variance is not None:
                raise ValueError("fused_batch_norm(is_training=True) computes the batch "
                                 "statistics: pass mean=None and variance=None")
            m, v = moments(x, [0, 1, 2])
            y = batch_normalization(x, m, v, offset, scale, epsilon)
            shape = x.shape.as_tuple()
            n = None if shape is None or None in shape[:3] else shape[0] * shape[1] * shape[2]
            if n is None:
                count = M.cast(R.reduce_prod(shape_of(x)[:3]), x.dtype)
                corrected = M.multiply(v, M.truediv(count, M.subtract(count, 1.0)))
            else:
                corrected = M.multiply(v, float(n) / max(n - 1, 1))
            return y, m, corrected
        if mean is None or variance is None:
            raise ValueError("fused_batch_norm(is_training=False) needs mean and variance")
        y = batch_normalization(x, mean, variance, offset, scale, epsilon)
        return y, convert_to_tensor(mean), convert_to_tensor(variance)


def local_response_normalization(input, depth_radius: int = 5, bias: float = 1.0,  # noqa: A002
                                 alpha: float = 1.0, beta: float = 0.5,
                                 name: Optional[str] = None):
    """TF1 `tf.nn.lrn`: x / (bias + alpha * sum of x^2 over depth_radius neighbours
    along the channels) ** beta."""
    x = convert_to_tensor(input)
    dims = x.shape.as_tuple()
    if dims is None or len(dims) != 4 or dims[3] is None:
        raise ValueError(f"local_response_normalization needs a 4-D input with a known "
                         f"channel count, got '{x.name}' of shape {x.shape}")
    c, r = dims[3], int(depth_radius)
    with get_default_graph().name_scope(name or "LRN"):
        sq = pad(M.square(x), [[0, 0], [0, 0], [0, 0], [r, r]])
        total = None
        for i in range(2 * r + 1):
            part = slice_(sq, [0, 0, 0, i], [-1, -1, -1, c])
            total = part if total is None else M.add(total, part)
        denom = M.add(M.multiply(total, alpha), bias)
        return M.multiply(x, M.exp(M.multiply(M.log(denom), -float(beta))))
