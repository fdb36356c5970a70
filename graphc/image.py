"""`tf.image`: resizing, flips, rotations, crops and pads, and (from image_color.py) the
pixel-value functions.

Most functions are TF1's own compositions of ordinary ops (flips are reverses, crops are
slices, pads are pads), so they fuse and lower natively; the resizes are kernels of their
own (graphc.ir.ops.image_ops). Images are 3-D [height, width, channels] or 4-D
[batch, height, width, channels], as in TF1.
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from .image_color import (adjust_brightness, adjust_contrast, adjust_gamma,  # noqa: F401
                          adjust_hue, adjust_saturation, convert_image_dtype,
                          grayscale_to_rgb, hsv_to_rgb, per_image_standardization,
                          random_brightness, random_contrast, random_hue, random_saturation,
                          rgb_to_grayscale, rgb_to_hsv, rgb_to_yiq, rgb_to_yuv, yiq_to_rgb,
                          yuv_to_rgb)
from .ir import dtypes as dt
from .ir.context import get_default_graph
from .ir.graph import TensorLike
from .ir.ops import image_ops as I, math_ops as M
from .ir.ops import reduce_ops as R
from .ir.ops._base import const_value, convert_to_tensor
from .ir.ops.array_ops import expand_dims, shape as shape_of, squeeze, stack
from .ir.ops.array_ops import transpose as _transpose
from .image_metrics import sobel_edges, ssim  # noqa: F401
from .ir.ops.nms_ops import non_max_suppression  # noqa: F401
from .ir.ops.png_ops import decode_png, encode_png  # noqa: F401
from .image_codecs import (decode_and_crop_jpeg, decode_bmp, decode_gif,  # noqa: F401
                           decode_image, decode_jpeg, encode_jpeg, extract_jpeg_shape,
                           is_jpeg)
from .ir.ops.space_ops import extract_image_patches, extract_patches  # noqa: F401
from .ir.ops.tile_pad_ops import pad, reverse


class ResizeMethod:
    """TF1 `tf.image.ResizeMethod`."""
    BILINEAR = 0
    NEAREST_NEIGHBOR = 1
    BICUBIC = 2
    AREA = 3


_KINDS = {ResizeMethod.BILINEAR: "ResizeBilinear", ResizeMethod.NEAREST_NEIGHBOR:
          "ResizeNearestNeighbor", ResizeMethod.BICUBIC: "ResizeBicubic",
          ResizeMethod.AREA: "ResizeArea",
          "bilinear": "ResizeBilinear", "nearest": "ResizeNearestNeighbor",
          "bicubic": "ResizeBicubic", "area": "ResizeArea"}


def _scope(name: Optional[str], default: str):
    return get_default_graph().name_scope(name or default)


def _image(image, fn: str):
    """(the image as a 4-D tensor, whether it was 3-D) with TF1's rank check."""
    x = convert_to_tensor(image, name="image")
    rank = x.shape.ndims
    if rank is None:
        raise ValueError(f"{fn}: '{x.name}' must have a known rank (3 or 4)")
    if rank not in (3, 4):
        raise ValueError(f"'image' (shape {x.shape}) must have either 3 or 4 dimensions.")
    return (x if rank == 4 else expand_dims(x, 0)), rank == 3


def _back(x, was_3d: bool):
    return squeeze(x, [0]) if was_3d else x


def _dim(x, i: int):
    """Dim i of x: an int when static, else a scalar int32 tensor."""
    d = x.shape.as_tuple()[i]
    return d if d is not None else shape_of(x)[i]


# ---------------------------------------------------------------- resizing
def resize_bilinear(images, size, align_corners: bool = False, name: Optional[str] = None,
                    half_pixel_centers: bool = False):
    """TF1 `tf.image.resize_bilinear` (float32 output)."""
    return I.resize("ResizeBilinear", images, size, align_corners, half_pixel_centers, name)


def resize_nearest_neighbor(images, size, align_corners: bool = False,
                            name: Optional[str] = None, half_pixel_centers: bool = False):
    """TF1 `tf.image.resize_nearest_neighbor` (the input's dtype)."""
    return I.resize("ResizeNearestNeighbor", images, size, align_corners, half_pixel_centers,
                    name)


def resize_bicubic(images, size, align_corners: bool = False, name: Optional[str] = None,
                   half_pixel_centers: bool = False):
    """TF1 `tf.image.resize_bicubic` (float32 output)."""
    return I.resize("ResizeBicubic", images, size, align_corners, half_pixel_centers, name)


def resize_area(images, size, align_corners: bool = False, name: Optional[str] = None):
    """TF1 `tf.image.resize_area` (float32 output; no gradient, as TF1)."""
    return I.resize("ResizeArea", images, size, align_corners, False, name)


def _aspect_size(x, size):
    """TF1's preserve_aspect_ratio: the largest size within `size` keeping H:W."""
    h, w = x.shape.as_tuple()[1:3]
    target = const_value(convert_to_tensor(size, dtype=dt.int32))
    if h is None or w is None or target is None:
        raise ValueError("resize_images(preserve_aspect_ratio=True) needs the image's height "
                         "and width and the size known when the graph is built")
    scale = min(float(target[0]) / h, float(target[1]) / w)
    return [int(round(h * scale)), int(round(w * scale))]


def resize_images(images, size, method=ResizeMethod.BILINEAR, align_corners: bool = False,
                  preserve_aspect_ratio: bool = False, name: Optional[str] = None):
    """TF1 `tf.image.resize_images` (also `tf.image.resize`): 3-D or 4-D images; an image
    already of `size` is returned unchanged, as TF1."""
    kind = _KINDS.get(method)
    if kind is None:
        raise ValueError(f"Resize method is not implemented: {method!r}")
    with _scope(name, "resize"):
        x, was_3d = _image(images, "resize_images")
        if preserve_aspect_ratio:
            size = _aspect_size(x, size)
        target = const_value(convert_to_tensor(size, dtype=dt.int32, name="size"))
        if target is not None and list(np.asarray(target).reshape(-1)) == \
                list(x.shape.as_tuple()[1:3]):
            return _back(x, was_3d)
        return _back(I.resize(kind, x, size, align_corners), was_3d)


resize = resize_images


# ---------------------------------------------------------------- flips and rotations
def _flip(image, axis: int, name: str):
    with _scope(None, name):
        x, was_3d = _image(image, name)
        return _back(reverse(x, [axis]), was_3d)


def flip_left_right(image):
    """TF1: reverse the width axis."""
    return _flip(image, 2, "flip_left_right")


def flip_up_down(image):
    """TF1: reverse the height axis."""
    return _flip(image, 1, "flip_up_down")


def _random_flip(image, axis: int, seed, name: str):
    """TF1: a 3-D image flipped with probability 1/2; each image of a batch independently
    (flips = round(uniform) per image)."""
    from .ir.ops.random_ops import random_uniform
    with _scope(None, name):
        image = convert_to_tensor(image, name="image")
        x, was_3d = _image(image, name)
        if was_3d:
            coin = M.less(random_uniform([], 0, 1.0, seed=seed), 0.5)
            return M.where_v2(coin, reverse(image, [axis - 1]), image)
        batch = _dim(x, 0)
        u = random_uniform(stack([batch]) if isinstance(batch, TensorLike) else [batch], 0,
                           1.0, seed=seed)
        from .ir.ops.array_ops import reshape
        flips = M.cast(M.round(reshape(u, [-1, 1, 1, 1])), x.dtype)
        one = np.asarray(1, x.dtype.np)
        return M.add(M.multiply(flips, reverse(x, [axis])),
                     M.multiply(M.subtract(one, flips), x))


def random_flip_left_right(image, seed=None):
    """TF1 `tf.image.random_flip_left_right`."""
    return _random_flip(image, 2, seed, "random_flip_left_right")


def random_flip_up_down(image, seed=None):
    """TF1 `tf.image.random_flip_up_down`."""
    return _random_flip(image, 1, seed, "random_flip_up_down")


def transpose_image(image, name: Optional[str] = None):
    """TF1: swap height and width."""
    with _scope(name, "transpose"):
        x, was_3d = _image(image, "transpose_image")
        return _back(_transpose(x, [0, 2, 1, 3]), was_3d)


transpose = transpose_image


def rot90(image, k=1, name: Optional[str] = None):
    """TF1: rotate counter-clockwise by k * 90 degrees (k an int or a scalar tensor)."""
    with _scope(name, "rot90"):
        x, was_3d = _image(image, "rot90")
        kv = const_value(k) if isinstance(k, TensorLike) else np.asarray(k)
        turns = [lambda: x, lambda: _transpose(reverse(x, [2]), [0, 2, 1, 3]),
                 lambda: reverse(x, [1, 2]), lambda: reverse(_transpose(x, [0, 2, 1, 3]), [2])]
        if kv is not None:
            return _back(turns[int(kv) % 4](), was_3d)
        from .control_flow import case
        kt = M.floormod(convert_to_tensor(k, dtype=dt.int32), 4)
        out = case([(M.equal(kt, i), fn) for i, fn in enumerate(turns[1:], 1)],
                   default=turns[0], exclusive=True)
        return _back(out, was_3d)


# ---------------------------------------------------------------- crops and pads
def _static(value):
    """An int when known at build time, else the tensor."""
    if isinstance(value, TensorLike):
        v = const_value(value._as_tensor())
        return int(v) if v is not None else value
    return int(value)


def _check(cond, message: str) -> None:
    if cond is False:
        raise ValueError(message)


def _known(*values) -> bool:
    return all(isinstance(v, int) for v in values)


def crop_to_bounding_box(image, offset_height, offset_width, target_height, target_width):
    """TF1: the [target_height, target_width] window at (offset_height, offset_width)."""
    with _scope(None, "crop_to_bounding_box"):
        x, was_3d = _image(image, "crop_to_bounding_box")
        oh, ow, th, tw = (_static(v) for v in (offset_height, offset_width, target_height,
                                                target_width))
        h, w = _static(_dim(x, 1)), _static(_dim(x, 2))
        _check(not _known(ow) or ow >= 0, "offset_width must be >= 0.")
        _check(not _known(oh) or oh >= 0, "offset_height must be >= 0.")
        _check(not _known(tw) or tw > 0, "target_width must be > 0.")
        _check(not _known(th) or th > 0, "target_height must be > 0.")
        _check(not _known(w, tw, ow) or w >= tw + ow, "width must be >= target + offset.")
        _check(not _known(h, th, oh) or h >= th + oh, "height must be >= target + offset.")
        from .ir.ops.slicing_ops import slice as slice_
        out = slice_(x, stack([0, oh, ow, 0]), stack([-1, th, tw, -1]))
        return _back(out, was_3d)


def pad_to_bounding_box(image, offset_height, offset_width, target_height, target_width):
    """TF1: zeros around the image, which starts at (offset_height, offset_width) of a
    [target_height, target_width] canvas."""
    with _scope(None, "pad_to_bounding_box"):
        x, was_3d = _image(image, "pad_to_bounding_box")
        oh, ow, th, tw = (_static(v) for v in (offset_height, offset_width, target_height,
                                                target_width))
        h, w = _static(_dim(x, 1)), _static(_dim(x, 2))
        after_w = tw - ow - w if _known(tw, ow, w) else M.subtract(M.subtract(tw, ow), w)
        after_h = th - oh - h if _known(th, oh, h) else M.subtract(M.subtract(th, oh), h)
        _check(not _known(oh) or oh >= 0, "offset_height must be >= 0")
        _check(not _known(ow) or ow >= 0, "offset_width must be >= 0")
        _check(not _known(after_w) or after_w >= 0, "width must be <= target - offset")
        _check(not _known(after_h) or after_h >= 0, "height must be <= target - offset")
        if _known(oh, ow, after_h, after_w):
            return _back(pad(x, [[0, 0], [oh, after_h], [ow, after_w], [0, 0]]), was_3d)
        return _back(_pad_dynamic(x, oh, after_h, ow, after_w), was_3d)


def _pad_dynamic(x, top, bottom, left, right):
    """Zeros around x when the amounts are known only at run time (graphc's Pad takes
    static paddings): concatenations with zero blocks of run-time shape."""
    from .ir.ops.array_ops import concat
    from .ir.ops.generator_ops import zeros

    def block(rows, cols, src):
        n, h, w, c = (_dim(src, i) for i in range(4))
        return zeros(stack([n, h if rows is None else rows, w if cols is None else cols, c]),
                     dtype=x.dtype)
    x = concat([block(top, None, x), x, block(bottom, None, x)], 1)
    return concat([block(None, left, x), x, block(None, right, x)], 2)


def _max(a, b):
    return max(a, b) if _known(a, b) else M.maximum(a, b)


def _min(a, b):
    return min(a, b) if _known(a, b) else M.minimum(a, b)


def _sub(a, b):
    return a - b if _known(a, b) else M.subtract(a, b)


def _half(a):
    return a // 2 if _known(a) else M.floordiv(a, 2)


def _neg(a):
    return -a if _known(a) else M.negative(a)


def resize_image_with_crop_or_pad(image, target_height, target_width):
    """TF1: crop the centre or pad with zeros evenly to [target_height, target_width]."""
    with _scope(None, "resize_image_with_crop_or_pad"):
        x, was_3d = _image(image, "resize_image_with_crop_or_pad")
        th, tw = _static(target_height), _static(target_width)
        _check(not _known(tw) or tw > 0, "target_width must be > 0.")
        _check(not _known(th) or th > 0, "target_height must be > 0.")
        h, w = _static(_dim(x, 1)), _static(_dim(x, 2))
        width_diff, height_diff = _sub(tw, w), _sub(th, h)
        cropped = crop_to_bounding_box(x, _max(_half(_neg(height_diff)), 0),
                                       _max(_half(_neg(width_diff)), 0), _min(th, h),
                                       _min(tw, w))
        out = pad_to_bounding_box(cropped, _max(_half(height_diff), 0),
                                  _max(_half(width_diff), 0), th, tw)
        if _known(th, tw):
            out.set_shape([x.shape.as_tuple()[0], th, tw, x.shape.as_tuple()[3]])
        return _back(out, was_3d)


resize_with_crop_or_pad = resize_image_with_crop_or_pad


def central_crop(image, central_fraction):
    """TF1: the central `central_fraction` of height and width; the offset on each side
    is int((size - size * fraction) / 2)."""
    if central_fraction <= 0.0 or central_fraction > 1.0:
        raise ValueError("central_fraction must be within (0, 1]")
    image = convert_to_tensor(image, name="image")
    if central_fraction == 1.0:
        return image
    with _scope(None, "central_crop"):
        x, was_3d = _image(image, "central_crop")
        starts = []
        for i in (1, 2):
            d = _static(_dim(x, i))
            starts.append(int((d - d * central_fraction) / 2) if _known(d) else M.cast(
                M.divide(M.subtract(M.cast(d, dt.float64), M.multiply(M.cast(d, dt.float64),
                                                                      central_fraction)),
                         2.0), dt.int32))
        sizes = [_sub(_static(_dim(x, i)), s * 2 if _known(s) else M.multiply(s, 2))
                 for i, s in zip((1, 2), starts)]
        from .ir.ops.slicing_ops import slice as slice_
        out = slice_(x, stack([0, starts[0], starts[1], 0]), stack([-1, sizes[0], sizes[1], -1]))
        return _back(out, was_3d)


def random_crop(value, size, seed=None, name: Optional[str] = None):
    """TF1 `tf.random_crop` (also `tf.image.random_crop`): a `size` slice at an offset
    uniform over the valid positions (random ints mod shape - size + 1, as TF1)."""
    from .ir.ops.random_ops import random_uniform
    from .ir.ops.slicing_ops import slice as slice_
    with _scope(name, "random_crop"):
        value = convert_to_tensor(value, name="value")
        size = convert_to_tensor(size, dtype=dt.int32, name="size")
        shape = shape_of(value)
        sv, xv = const_value(size), value.shape.as_tuple()
        if sv is not None and xv is not None:
            if len(sv) != len(xv) or any(d is not None and s > d for s, d in zip(sv, xv)):
                raise ValueError(f"random_crop: size {list(sv)} does not fit in the shape "
                                 f"{value.shape} of '{value.name}'")
        limit = M.add(M.subtract(shape, size), 1)
        offset = M.floormod(random_uniform(shape_of(shape), 0, dt.int32.max, dtype=dt.int32,
                                           seed=seed), limit)
        out = slice_(value, offset, size)
        if sv is not None:
            out.set_shape([int(s) for s in sv])
        return out


# ---------------------------------------------------------------- measures
def total_variation(images, name: Optional[str] = None):
    """TF1: the sum of absolute differences of neighbouring pixels (per image for 4-D)."""
    with _scope(name, "total_variation"):
        x = convert_to_tensor(images, name="images")
        rank = x.shape.ndims
        if rank not in (3, 4):
            raise ValueError("'images' must be either 3 or 4-dimensional.")
        lead = [slice(None)] * (rank - 3)
        dh = M.subtract(x[tuple(lead + [slice(1, None)])], x[tuple(lead + [slice(None, -1)])])
        dw = M.subtract(x[tuple(lead + [slice(None), slice(1, None)])],
                        x[tuple(lead + [slice(None), slice(None, -1)])])
        axes = [-3, -2, -1]
        return M.add(R.reduce_sum(M.abs(dh), axes), R.reduce_sum(M.abs(dw), axes))


def image_gradients(image):
    """TF1: (dy, dx), forward differences with a zero last row / column."""
    x = convert_to_tensor(image, name="image")
    if x.shape.ndims != 4:
        raise ValueError(f"image_gradients expects a 4D tensor [batch_size, h, w, d], not "
                         f"{x.shape}.")
    dy = M.subtract(x[:, 1:], x[:, :-1])
    dx = M.subtract(x[:, :, 1:], x[:, :, :-1])
    return pad(dy, [[0, 0], [0, 1], [0, 0], [0, 0]]), pad(dx, [[0, 0], [0, 0], [0, 1], [0, 0]])


def psnr(a, b, max_val, name: Optional[str] = None):
    """TF1: 10 log10(max_val^2 / mse) over each image's last three axes, in float32."""
    with _scope(name, "PSNR"):
        a, b = M.cast(convert_to_tensor(a), dt.float32), M.cast(convert_to_tensor(b), dt.float32)
        mv = M.cast(convert_to_tensor(max_val), dt.float32)
        mse = R.reduce_mean(M.squared_difference(a, b), [-3, -2, -1])
        return M.subtract(M.multiply(20.0 / np.log(10.0), M.log(mv)),
                          M.multiply(10.0 / np.log(10.0), M.log(mse)))
