"""PNG files as tensors: DecodePng (a string -> uint8 [height, width, channels]) and
EncodePng (the reverse), over the codec of ir/media.py (the standard library's zlib).

Decoding takes every non-interlaced PNG: grey, grey+alpha, RGB, RGBA and palette images of
bit depths 1 to 8, and 16 (kept to its high byte, as uint8 output needs); `channels` 0
keeps the file's channels (a palette gives RGB, or RGBA with a tRNS chunk), 1, 3 or 4
converts (grey from RGB by libpng's Rec. 709 weights, a missing alpha is 255). Encoding
writes 8-bit grey, grey+alpha, RGB or RGBA with filter 0 at zlib `compression` (-1: the
default). Both are non-differentiable and run as numpy kernels on both backends (strings).
"""
from __future__ import annotations

import numpy as np

from .. import dtypes as dt
from .. import media
from ..errors import InvalidArgumentError
from ..registry import BY_DESIGN, NON_DIFFERENTIABLE
from ..shapes import TensorShape
from ._base import apply, check_dtype, convert_to_tensor, defop


def _convert(img: np.ndarray, channels: int) -> np.ndarray:
    """The decoded image with `channels` channels (0: as it is)."""
    have = img.shape[-1]
    if channels in (0, have):
        return np.ascontiguousarray(img)
    colour = img[..., :3] if have >= 3 else np.repeat(img[..., :1], 3, -1)
    alpha = img[..., -1:] if have in (2, 4) else np.full(img.shape[:2] + (1,), 255, np.uint8)
    if channels == 3:
        return np.ascontiguousarray(colour)
    if channels == 4:
        return np.concatenate([colour, alpha], -1)
    grey = img[..., :1] if have <= 2 else np.round(
        colour.astype(np.float64) @ [0.2126, 0.7152, 0.0722]).astype(np.uint8)[..., None]
    return np.ascontiguousarray(grey if channels == 1 else np.concatenate([grey, alpha], -1))


def _decode_infer(op):
    check_dtype(op, op.inputs[0], (dt.string,), "contents")
    if op.inputs[0].shape.ndims not in (None, 0):
        raise ValueError(f"DecodePng op '{op.name}': contents must be a scalar string, got "
                         f"shape {op.inputs[0].shape}")
    c = op.attrs["channels"]
    return [(dt.uint8, TensorShape([None, None, c or None]))]


def _decode(contents, *, channels, dtype):
    data = contents.item() if isinstance(contents, np.ndarray) else contents
    try:
        image = media.decode_png(data if isinstance(data, bytes) else str(data).encode())
    except ValueError as exc:
        raise InvalidArgumentError(None, None, f"Invalid PNG data: {exc}") from None
    return _convert(image, channels)


def _encode_infer(op):
    check_dtype(op, op.inputs[0], (dt.uint8,), "image")
    dims = op.inputs[0].shape.as_tuple()
    if dims is not None and (len(dims) != 3 or dims[-1] not in (None, 1, 2, 3, 4)):
        raise ValueError(f"EncodePng op '{op.name}': image must be [height, width, 1 to 4 "
                         f"channels], got shape {op.inputs[0].shape}")
    return [(dt.string, TensorShape([]))]


def _encode(image, *, compression):
    if image.ndim != 3 or image.shape[-1] not in (1, 2, 3, 4):
        raise InvalidArgumentError(None, None, f"image must be 3-D [height, width, channels] "
                                   f"with 1 to 4 channels, got shape {list(image.shape)}")
    return np.array(media.encode_png(image, int(compression)), dtype=object)


defop("DecodePng", _decode_infer, _decode, NON_DIFFERENTIABLE, family="image",
      numpy_by_design=BY_DESIGN["string"])
defop("EncodePng", _encode_infer, _encode, NON_DIFFERENTIABLE, family="image",
      numpy_by_design=BY_DESIGN["string"])


def decode_png(contents, channels=0, dtype=dt.uint8, name=None):
    """TF1 `tf.image.decode_png` (uint8 output; dtype=uint16 is not supported)."""
    if dt.as_dtype(dtype) is not dt.uint8:
        raise NotImplementedError("decode_png(dtype=...) supports uint8 only in graphc")
    if channels not in (0, 1, 2, 3, 4):
        raise ValueError(f"decode_png: channels must be 0, 1, 2, 3 or 4, got {channels}")
    return apply("DecodePng", (convert_to_tensor(contents, dtype=dt.string),),
                 {"channels": int(channels), "dtype": dt.uint8}, name=name or "DecodePng")


def encode_png(image, compression=-1, name=None):
    """TF1 `tf.image.encode_png`: uint8 [height, width, channels] -> a PNG string."""
    if not -1 <= int(compression) <= 9:
        raise ValueError(f"encode_png: compression must be in [-1, 9], got {compression}")
    return apply("EncodePng", (convert_to_tensor(image, dtype=dt.uint8),),
                 {"compression": int(compression)}, name=name or "EncodePng")
