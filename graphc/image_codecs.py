"""TF1's image file functions, in `tf.image` and `tf.io`: decode_jpeg, encode_jpeg,
decode_and_crop_jpeg, extract_jpeg_shape, is_jpeg, decode_png, encode_png, decode_gif,
decode_bmp and decode_image (the ops: ir/ops/image_codec_ops.py, ir/ops/png_ops.py)."""
from __future__ import annotations

from typing import Optional

from .image_color import convert_image_dtype
from .ir import dtypes as dt
from .ir.ops._base import convert_to_tensor
from .ir.ops.image_codec_ops import (decode_and_crop_jpeg, decode_bmp, decode_gif,
                                     decode_image_uint8, decode_jpeg, encode_jpeg,
                                     extract_jpeg_shape)
from .ir.ops.math_ops import equal
from .ir.ops.png_ops import decode_png, encode_png
from .ir.ops.string_ops import substr


def is_jpeg(contents, name: Optional[str] = None):
    """TF1 `tf.image.is_jpeg`: whether a string starts with JPEG's magic bytes."""
    contents = convert_to_tensor(contents, dtype=dt.string, name="contents")
    return equal(substr(contents, 0, 3), b"\xff\xd8\xff", name=name or "is_jpeg")


def decode_image(contents, channels=None, dtype=dt.uint8, name: Optional[str] = None,
                 expand_animations: bool = True):
    """TF1 `tf.image.decode_image`: a PNG, JPEG, GIF or BMP by its first bytes; GIFs are
    [frames, height, width, 3] (the first frame only without `expand_animations`);
    `dtype` other than uint8 goes through convert_image_dtype (TF's scaling)."""
    image = decode_image_uint8(contents, 0 if channels is None else channels,
                               expand_animations, name)
    target = dt.as_dtype(dtype)
    if target is dt.uint8:
        return image
    if target not in (dt.float16, dt.float32, dt.float64):
        raise ValueError(f"decode_image: dtype must be uint8 or a float type, got "
                         f"{target.name}")
    return convert_image_dtype(image, target)


CODECS = {f.__name__: f for f in (
    decode_jpeg, encode_jpeg, decode_and_crop_jpeg, extract_jpeg_shape, is_jpeg, decode_png,
    encode_png, decode_gif, decode_bmp, decode_image)}
