"""tf.image's remaining TF1 functions: sample_distorted_bounding_box and extract_glimpse
(the ops: ir/ops/distorted_box_ops.py, glimpse_ops.py), adjust_jpeg_quality and
random_jpeg_quality (a round trip through the JPEG codec of ir/ops/image_codec_ops.py, as
TF1), ssim_multiscale (graphc/image_metrics.py)."""
from __future__ import annotations

from typing import Optional

from .image_color import convert_image_dtype
from .image_metrics import ssim_multiscale
from .ir import dtypes as dt
from .ir.context import get_default_graph
from .ir.graph import TensorLike
from .ir.ops._base import convert_to_tensor
from .ir.ops.distorted_box_ops import sample_distorted_bounding_box
from .ir.ops.glimpse_ops import extract_glimpse
from .ir.ops.image_codec_ops import decode_jpeg, encode_jpeg_variable_quality
from .ir.ops.random_ops import random_uniform


def adjust_jpeg_quality(image, jpeg_quality, dct_method="", name: Optional[str] = None):
    """TF1 `tf.image.adjust_jpeg_quality`: the image (one [height, width, 1 or 3]) encoded
    as a JPEG of quality `jpeg_quality` (an int or an int32 scalar tensor) and decoded
    again, in its own dtype (through uint8, saturating, as TF1)."""
    with get_default_graph().name_scope(name or "adjust_jpeg_quality"):
        image = convert_to_tensor(image, name="image")
        channels = image.shape.as_tuple()[-1] if image.shape.ndims else None
        if channels is None:
            raise ValueError(f"adjust_jpeg_quality: the number of channels of "
                             f"'{image.name}' must be known, got shape {image.shape}")
        orig = image.dtype
        pixels = convert_image_dtype(image, dt.uint8, saturate=True)
        if not isinstance(jpeg_quality, TensorLike):
            jpeg_quality = convert_to_tensor(jpeg_quality, dtype=dt.int32)
        data = encode_jpeg_variable_quality(pixels, jpeg_quality)
        decoded = decode_jpeg(data, channels=channels, dct_method=dct_method)
        return convert_image_dtype(decoded, orig, saturate=True)


def random_jpeg_quality(image, min_jpeg_quality, max_jpeg_quality, seed=None):
    """TF1 `tf.image.random_jpeg_quality`: adjust_jpeg_quality with a quality drawn
    uniformly from [min_jpeg_quality, max_jpeg_quality)."""
    if not (0 <= min_jpeg_quality <= 100 and 0 <= max_jpeg_quality <= 100):
        raise ValueError("jpeg encoding range must be between 0 and 100.")
    if min_jpeg_quality >= max_jpeg_quality:
        raise ValueError("`min_jpeg_quality` must be less than `max_jpeg_quality`.")
    quality = random_uniform([], min_jpeg_quality, max_jpeg_quality, seed=seed,
                             dtype=dt.int32)
    return adjust_jpeg_quality(image, quality)


IMAGE_EXTRA = {f.__name__: f for f in (sample_distorted_bounding_box, adjust_jpeg_quality,
                                       random_jpeg_quality, ssim_multiscale,
                                       extract_glimpse)}
