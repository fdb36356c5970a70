"""TF1's ExtractGlimpse: windows of a batch of images around given centres (attention).

ExtractGlimpse  (input [N, H, W, C] float32, size [2] = [height, width] int32, offsets
        [N, 2] float32 (y, x) centres) -> [N, height, width, C] float32. As Eigen's
        GlimpseExtractionOp: offsets normalized (times the image size) and/or centered
        (relative to the image centre, and halved: Eigen's version 1), minus
        half the window, truncated to whole pixels; the part of the window outside the
        image is noise: uniform in [min, max] of the image, gaussian with each channel's
        mean and standard deviation, or zero (`noise`; when "" uniform_noise picks
        uniform or gaussian, as TF's kernel: TF1's op keeps noise="uniform", so
        uniform_noise=False still fills with uniform noise, as TF1 does).

The noise comes from graphc's Philox stream (TF's kernel takes no seed: graphc's are the
graph's, as get_seed(None) gives them, and every run draws anew), so the windows' pixels
are TF's exactly and their noise TF's distribution. Not
differentiable (TF registers no gradient); numpy kernel on both backends (random).
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from .. import dtypes as dt
from .. import philox
from ..errors import InvalidArgumentError
from ..shapes import TensorShape
from ._base import NON_DIFFERENTIABLE, apply, check_dtype, const_value, convert_to_tensor, \
    defop
from .random_ops import get_seed

F32 = np.float32
NOISES = ("", "uniform", "gaussian", "zero")


def _noise_mode(uniform_noise: bool, noise: str) -> str:
    if noise not in NOISES:
        raise ValueError(f"noise must be one of 'uniform', 'gaussian', 'zero' or '', got "
                         f"{noise!r}")
    if uniform_noise and noise not in ("", "uniform"):
        raise ValueError("The uniform_noise and noise should not be specified at the same "
                         "time")
    return noise or ("uniform" if uniform_noise else "gaussian")


def _corner(offset: float, size: int, window: int, normalized: bool, centered: bool) -> int:
    """The window's first row or column: Eigen's version-1 arithmetic (ExtractGlimpse;
    the V2 op differs), in float32, cast to an index toward zero."""
    v = F32(offset)
    if normalized:
        v = F32(v * size)
    if centered:   # (halved even when not normalized)
        v = F32(F32(v / 2) + F32(size / 2))
    return int(F32(v - F32(window / 2)))


def _span(corner: int, window: int, size: int):
    """(first input index, first window index, length) of the copied part."""
    start, base = max(corner, 0), max(-corner, 0)
    length = max(0, min(corner + window, size) - start)
    return start, base, min(length, window - base)


def _glimpse(ctx, images, size, offsets, *, centered, normalized, uniform_noise, noise,
             seed, seed2):
    if images.ndim != 4:
        raise InvalidArgumentError(None, None, f"input must be a 4-D tensor [batch, height, "
                                   f"width, channels], got shape {list(images.shape)}")
    if size.shape != (2,):
        raise InvalidArgumentError(None, None, f"size must be a vector of 2 elements, got "
                                   f"shape {list(size.shape)}")
    n, height, width, channels = images.shape
    if offsets.shape != (n, 2):
        raise InvalidArgumentError(None, None, f"offsets must be [batch_size, 2] = [{n}, 2], "
                                   f"got shape {list(offsets.shape)}")
    wh, ww = int(size[0]), int(size[1])
    if wh <= 0 or ww <= 0:
        raise InvalidArgumentError(None, None, f"the glimpse size must be positive, got "
                                   f"{[wh, ww]}")
    mode = _noise_mode(uniform_noise, noise)
    call = ctx.next_random_call()
    per_image = wh * ww * channels
    out = np.zeros((n, wh, ww, channels), F32)
    for b in range(n):
        image = images[b]
        y0 = _corner(offsets[b, 0], height, wh, normalized, centered)
        x0 = _corner(offsets[b, 1], width, ww, normalized, centered)
        inside = 0 <= y0 and y0 + wh < height and 0 <= x0 and x0 + ww < width
        if not inside:   # (Eigen fills whenever the window touches the far edges too)
            words_call = call * n + b
            if mode == "uniform" and image.size:
                lo, hi = image.min(), image.max()
                u = philox.uniform(per_image, np.float32, seed, seed2, words_call)
                out[b] = (lo + u * F32(hi - lo)).reshape(wh, ww, channels)
            elif mode == "gaussian" and image.size:
                mean = image.mean(axis=(0, 1), dtype=np.float64)
                sigma = image.std(axis=(0, 1), dtype=np.float64)
                z = philox.normal(per_image, np.float32, seed, seed2, words_call)
                out[b] = (mean + z.reshape(wh, ww, channels) * sigma).astype(F32)
        ys, yb, yn = _span(y0, wh, height)
        xs, xb, xn = _span(x0, ww, width)
        if yn > 0 and xn > 0:
            out[b, yb:yb + yn, xb:xb + xn] = image[ys:ys + yn, xs:xs + xn]
    return out


def _glimpse_infer(op):
    images, size, offsets = op.inputs
    check_dtype(op, images, (dt.float32,), "input")
    check_dtype(op, size, (dt.int32,), "size")
    check_dtype(op, offsets, (dt.float32,), "offsets")
    _noise_mode(op.attrs["uniform_noise"], op.attrs["noise"])
    dims = images.shape.as_tuple()
    if dims is not None and len(dims) != 4:
        raise ValueError(f"input '{images.name}' must be 4-D [batch, height, width, "
                         f"channels], got shape {images.shape}")
    if not size.shape.is_compatible_with([2]):
        raise ValueError(f"size '{size.name}' must be [height, width], got shape {size.shape}")
    if not offsets.shape.is_compatible_with([None, 2]):
        raise ValueError(f"offsets '{offsets.name}' must be [batch_size, 2], got shape "
                         f"{offsets.shape}")
    dims = dims or (None,) * 4
    window = const_value(size)
    hw = [None, None] if window is None else [int(v) for v in window.reshape(-1)]
    return [(dt.float32, TensorShape([dims[0], *hw, dims[3]]))]


defop("ExtractGlimpse", _glimpse_infer, _glimpse, NON_DIFFERENTIABLE, pure=False,
      needs_context=True, family="random")


def extract_glimpse(input, size, offsets, centered=True, normalized=True,  # noqa: A002
                    uniform_noise=True, name: Optional[str] = None):
    """TF1 `tf.image.extract_glimpse`: [batch, size[0], size[1], channels] windows centred
    at `offsets` (y, x per image; normalized to [-1, 1] about the centre by default); the
    parts outside the image are noise (see the module doc for TF1's quirk)."""
    return apply("ExtractGlimpse", (convert_to_tensor(input, dtype_hint=dt.float32,
                                                      name="input"),
                                    convert_to_tensor(size, dtype=dt.int32, name="size"),
                                    convert_to_tensor(offsets, dtype_hint=dt.float32,
                                                      name="offsets")),
                 {"centered": bool(centered), "normalized": bool(normalized),
                  "uniform_noise": bool(uniform_noise), "noise": "uniform",
                  **dict(zip(("seed", "seed2"), get_seed(None)))},
                 name=name or "ExtractGlimpse")
