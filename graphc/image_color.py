"""`tf.image`'s pixel values: convert_image_dtype, colour spaces (grayscale, HSV, YIQ,
YUV) and the adjustments (brightness, contrast, saturation, hue, gamma) with their random
forms, and per_image_standardization.

All are compositions of elementwise ops and reductions: TF1's own for grayscale,
brightness, gamma, the linear colour spaces and standardization; for RGB<->HSV,
contrast, saturation and hue (kernels in TF1) the same formulas written with ops, so they
fuse into native loops and have gradients. Images are [..., height, width, channels].
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from .ir import dtypes as dt
from .ir.context import get_default_graph
from .ir.ops import math_ops as M
from .ir.ops import reduce_ops
from .ir.ops import generator_ops
from .ir.ops import matmul_ops as MM
from .ir.ops._base import convert_to_tensor
from .ir.ops.array_ops import concat, stack, unstack
from .ir.ops.random_ops import random_uniform


def _scope(name: Optional[str], default: str):
    return get_default_graph().name_scope(name or default)


def _c(x, v):
    return np.asarray(v, x.dtype.np)


def convert_image_dtype(image, dtype, saturate: bool = False, name: Optional[str] = None):
    """TF1 `tf.image.convert_image_dtype`: floats are in [0, 1], integers in [0, MAX];
    integer-to-integer conversions shift by the ratio of their ranges, float-to-integer
    multiplies by MAX + 0.5 and casts (saturating first when `saturate`)."""
    image = convert_to_tensor(image, name="image")
    dtype = dt.as_dtype(dtype)
    src = image.dtype
    if not (src.is_floating or src.is_integer) or not (dtype.is_floating or dtype.is_integer):
        raise AttributeError("Image conversion is only supported for floating point and "
                             "integer images")
    if src is dtype:
        from .ir.ops.core_ops import identity
        return identity(image, name=name)
    with _scope(name, "convert_image"):
        if src.is_integer and dtype.is_integer:
            if src.max > dtype.max:
                scaled = M.floordiv(image, _c(image, (src.max + 1) // (dtype.max + 1)))
                return M.saturate_cast(scaled, dtype) if saturate else M.cast(scaled, dtype)
            cast = M.saturate_cast(image, dtype) if saturate else M.cast(image, dtype)
            return M.multiply(cast, np.asarray((dtype.max + 1) // (src.max + 1), dtype.np))
        if src.is_floating and dtype.is_floating:
            return M.cast(image, dtype)
        if src.is_integer:
            return M.multiply(M.cast(image, dtype), np.asarray(1.0 / src.max, dtype.np))
        scaled = M.multiply(image, _c(image, dtype.max + 0.5))
        return M.saturate_cast(scaled, dtype) if saturate else M.cast(scaled, dtype)


def _float(image):
    """(the image as float32 unless it is a float already, its dtype)."""
    image = convert_to_tensor(image, name="image")
    orig = image.dtype
    return (image if orig.is_floating else convert_image_dtype(image, dt.float32)), orig


def _channels(images, fn: str):
    x = convert_to_tensor(images, name="images")
    dims = x.shape.as_tuple()
    if dims is not None and (not dims or dims[-1] not in (None, 3)):
        raise ValueError(f"{fn}: the last dimension of '{x.name}' must be 3 (RGB), got "
                         f"shape {x.shape}")
    return x


# ---------------------------------------------------------------- colour spaces
def rgb_to_grayscale(images, name: Optional[str] = None):
    """TF1: 0.2989 R + 0.5870 G + 0.1140 B, keeping a channel axis of 1 and the dtype."""
    with _scope(name, "rgb_to_grayscale"):
        flt, orig = _float(images)
        gray = reduce_ops.reduce_sum(M.multiply(flt, _c(flt, [0.2989, 0.5870, 0.1140])), -1,
                            keepdims=True)
        return convert_image_dtype(gray, orig)


def grayscale_to_rgb(images, name: Optional[str] = None):
    """TF1: the single channel repeated three times."""
    x = convert_to_tensor(images, name="images")
    dims = x.shape.as_tuple()
    if dims is not None and (len(dims) < 2 or dims[-1] not in (None, 1)):
        raise ValueError(f"grayscale_to_rgb: the last dimension of '{x.name}' must be 1, got "
                         f"shape {x.shape}")
    with _scope(name, "grayscale_to_rgb"):
        return concat([x, x, x], -1)


def rgb_to_hsv(images, name: Optional[str] = None):
    """TF1's RGBToHSV: value = max, saturation = range / value (0 where value is 0), hue
    in [0, 1) from the channel holding the maximum (red first, then green)."""
    x = _channels(images, "rgb_to_hsv")
    with _scope(name, "rgb_to_hsv"):
        r, g, b = unstack(x, axis=-1)
        value = M.maximum(M.maximum(r, g), b)
        spread = M.subtract(value, M.minimum(M.minimum(r, g), b))
        zero, one = _c(x, 0), _c(x, 1)
        saturation = M.where(M.greater(value, zero), M.divide(spread, M.where(
            M.greater(value, zero), value, generator_ops.ones_like(value))),
            generator_ops.zeros_like(value))
        safe = M.where(M.greater(spread, zero), spread, generator_ops.ones_like(spread))
        norm = M.divide(one, M.multiply(_c(x, 6), safe))
        hue = M.where(M.equal(r, value), M.multiply(norm, M.subtract(g, b)),
                      M.where(M.equal(g, value),
                              M.add(M.multiply(norm, M.subtract(b, r)), _c(x, 2 / 6)),
                              M.add(M.multiply(norm, M.subtract(r, g)), _c(x, 4 / 6))))
        hue = M.where(M.greater(spread, zero), hue, generator_ops.zeros_like(hue))
        hue = M.where(M.less(hue, zero), M.add(hue, one), hue)
        return stack([hue, saturation, value], axis=-1)


def hsv_to_rgb(images, name: Optional[str] = None):
    """TF1's HSVToRGB: chroma c = s * v, the sector floor(6 h) picks where c and
    x = c * (1 - |6h mod 2 - 1|) go, then each channel + (v - c); hues outside [0, 1)
    give v - c everywhere (TF1's default sector)."""
    x = _channels(images, "hsv_to_rgb")
    with _scope(name, "hsv_to_rgb"):
        h, s, v = unstack(x, axis=-1)
        c = M.multiply(s, v)
        m = M.subtract(v, c)
        dh = M.multiply(h, _c(x, 6))
        sector = M.floor(dh)
        two = _c(x, 2)   # (dh mod 2 as C's fmod where it matters: a hue < 0 gives zeros)
        fmodu = M.subtract(dh, M.multiply(M.floor(M.divide(dh, two)), two))
        xx = M.multiply(c, M.subtract(_c(x, 1), M.abs(M.subtract(fmodu, _c(x, 1)))))
        zero = generator_ops.zeros_like(c)
        table = [(c, xx, zero), (xx, c, zero), (zero, c, xx), (zero, xx, c), (xx, zero, c),
                 (c, zero, xx)]
        channels = []
        for k in range(3):
            out = zero
            for i, row in enumerate(table):
                out = M.where(M.equal(sector, _c(x, i)), row[k], out)
            channels.append(M.add(out, m))
        return stack(channels, axis=-1)


_YIQ = [[0.299, 0.59590059, 0.2115], [0.587, -0.27455667, -0.52273617],
        [0.114, -0.32134392, 0.31119955]]
_YUV = [[0.299, -0.14714119, 0.61497538], [0.587, -0.28886916, -0.51496512],
        [0.114, 0.43601035, -0.10001026]]


def _linear(images, kernel, name: str):
    x = _channels(images, name)
    with _scope(None, name):
        from .ir.ops.array_ops import reshape, shape as shape_of
        flat = reshape(x, [-1, 3])
        out = MM.matmul(flat, np.asarray(kernel, x.dtype.np))
        return reshape(out, shape_of(x))


def rgb_to_yiq(images):
    """TF1: the YIQ matrix applied to the last axis."""
    return _linear(images, _YIQ, "rgb_to_yiq")


def yiq_to_rgb(images):
    """TF1: the inverse of rgb_to_yiq's matrix."""
    return _linear(images, np.linalg.inv(_YIQ), "yiq_to_rgb")


def rgb_to_yuv(images):
    """TF1: the YUV matrix applied to the last axis."""
    return _linear(images, _YUV, "rgb_to_yuv")


def yuv_to_rgb(images):
    """TF1: the inverse of rgb_to_yuv's matrix."""
    return _linear(images, np.linalg.inv(_YUV), "yuv_to_rgb")


# ---------------------------------------------------------------- adjustments
def adjust_brightness(image, delta):
    """TF1: image + delta in float, converted back (saturating)."""
    with _scope(None, "adjust_brightness"):
        flt, orig = _float(image)
        adjusted = M.add(flt, M.cast(convert_to_tensor(delta, dtype_hint=flt.dtype), flt.dtype))
        return convert_image_dtype(adjusted, orig, saturate=True)


def adjust_contrast(images, contrast_factor):
    """TF1: each channel's (x - mean) * factor + mean, the mean over height and width."""
    with _scope(None, "adjust_contrast"):
        flt, orig = _float(images)
        factor = M.cast(convert_to_tensor(contrast_factor, dtype_hint=flt.dtype), flt.dtype)
        mean = reduce_ops.reduce_mean(flt, [-3, -2], keepdims=True)
        adjusted = M.add(M.multiply(M.subtract(flt, mean), factor), mean)
        return convert_image_dtype(adjusted, orig, saturate=True)


def adjust_gamma(image, gamma=1, gain=1):
    """TF1: gain * image ** gamma (integer images through float32, converted back)."""
    with _scope(None, "adjust_gamma"):
        image = convert_to_tensor(image, name="image")
        orig = image.dtype
        flt = image if orig in (dt.float16, dt.float32) else convert_image_dtype(image, dt.float32)
        from .ir.ops._base import const_value
        g = convert_to_tensor(gamma, dtype_hint=flt.dtype)
        known = const_value(g)
        if known is not None and np.any(np.asarray(known) < 0):
            raise ValueError("Gamma should be a non-negative real number.")
        adjusted = M.multiply(M.cast(convert_to_tensor(gain, dtype_hint=flt.dtype), flt.dtype),
                              M.pow(flt, M.cast(g, flt.dtype)))
        return convert_image_dtype(adjusted, orig, saturate=True)


def _in_hsv(image, change, name: str):
    with _scope(None, name):
        flt, orig = _float(image)
        h, s, v = unstack(rgb_to_hsv(flt), axis=-1)
        h, s, v = change(flt, h, s, v)
        return convert_image_dtype(hsv_to_rgb(stack([h, s, v], axis=-1)), orig)


def adjust_saturation(image, saturation_factor, name: Optional[str] = None):
    """TF1: the saturation times the factor, clipped to [0, 1], in HSV."""
    def change(flt, h, s, v):
        f = M.cast(convert_to_tensor(saturation_factor, dtype_hint=flt.dtype), flt.dtype)
        return h, M.clip_by_value(M.multiply(s, f), _c(flt, 0), _c(flt, 1)), v
    return _in_hsv(image, change, name or "adjust_saturation")


def adjust_hue(image, delta, name: Optional[str] = None):
    """TF1: the hue plus delta, wrapped into [0, 1), in HSV."""
    def change(flt, h, s, v):
        d = M.cast(convert_to_tensor(delta, dtype_hint=flt.dtype), flt.dtype)
        shifted = M.add(h, d)
        return M.subtract(shifted, M.floor(shifted)), s, v
    return _in_hsv(image, change, name or "adjust_hue")


def per_image_standardization(image):
    """TF1: (x - mean) / max(stddev, 1 / sqrt(pixels)) over each image's last 3 axes."""
    with _scope(None, "per_image_standardization"):
        x = convert_to_tensor(image, name="image")
        if x.shape.ndims is not None and x.shape.ndims < 3:
            raise ValueError(f"'image' must be at least three-dimensional, got shape "
                             f"{x.shape}")
        from .ir.ops.array_ops import shape as shape_of
        from .ir.ops.slicing_ops import strided_slice
        pixels = reduce_ops.reduce_prod(strided_slice(shape_of(x), [-3], [0], [1], end_mask=1))
        x = M.cast(x, dt.float32)
        mean = reduce_ops.reduce_mean(x, [-1, -2, -3], keepdims=True)
        variance = M.subtract(reduce_ops.reduce_mean(M.square(x), [-1, -2, -3], keepdims=True),
                              M.square(mean))
        from .ir.ops.nn_ops import relu
        stddev = M.sqrt(relu(variance))
        floor = M.rsqrt(M.cast(pixels, dt.float32))
        return M.divide(M.subtract(x, mean), M.maximum(stddev, floor))


# ---------------------------------------------------------------- random adjustments
def _uniform(lo, hi, seed):
    return random_uniform([], lo, hi, seed=seed)


def _range_check(lower, upper) -> None:
    if upper <= lower:
        raise ValueError("upper must be > lower.")
    if lower < 0:
        raise ValueError("lower must be non-negative.")


def random_brightness(image, max_delta, seed=None):
    """TF1: adjust_brightness by a delta uniform in [-max_delta, max_delta)."""
    if max_delta < 0:
        raise ValueError("max_delta must be non-negative.")
    return adjust_brightness(image, _uniform(-max_delta, max_delta, seed))


def random_contrast(image, lower, upper, seed=None):
    """TF1: adjust_contrast by a factor uniform in [lower, upper)."""
    _range_check(lower, upper)
    return adjust_contrast(image, _uniform(lower, upper, seed))


def random_saturation(image, lower, upper, seed=None):
    """TF1: adjust_saturation by a factor uniform in [lower, upper)."""
    _range_check(lower, upper)
    return adjust_saturation(image, _uniform(lower, upper, seed))


def random_hue(image, max_delta, seed=None):
    """TF1: adjust_hue by a delta uniform in [-max_delta, max_delta), max_delta <= 0.5."""
    if max_delta > 0.5:
        raise ValueError("max_delta must be <= 0.5.")
    if max_delta < 0:
        raise ValueError("max_delta must be non-negative.")
    return adjust_hue(image, _uniform(-max_delta, max_delta, seed))
