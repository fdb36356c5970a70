"""Image files as tensors, over the numpy codecs of ir/jpeg.py, ir/jpeg_encode.py and
ir/gif_bmp.py: DecodeJpeg, EncodeJpeg, ExtractJpegShape, DecodeAndCropJpeg, DecodeGif,
DecodeBmp, and DecodeImage (PNG, JPEG, GIF or BMP by their first bytes, as TensorFlow's
op). GIF and BMP decode as TensorFlow does (every frame over the previous one; 8-, 24-
and 32-bit uncompressed bitmaps).

Decoding equals TensorFlow's bit for bit: its default `dct_method` ("", like
"INTEGER_FAST") is libjpeg's fast integer IDCT, "INTEGER_ACCURATE" the accurate one;
`fancy_upscaling=False` replicates chroma samples (libjpeg's merged upsampler computes
the same). `ratio` other than 1 (scaled decoding) and progressive files are refused;
`try_recover_truncated` and `acceptable_fraction` are accepted (a truncated file is an
error). Encoding (EncodeJpeg; EncodeJpegVariableQuality, whose quality is a tensor)
writes the file libjpeg writes for TensorFlow's settings (quality,
chroma_downsampling, density, XMP metadata); `optimize_size` keeps the standard Huffman
tables (a larger file, the same pixels) and `progressive` is refused. All are
non-differentiable numpy kernels on both backends (strings).
"""
from __future__ import annotations

import numpy as np

from .. import dtypes as dt
from .. import gif_bmp, jpeg, jpeg_encode, media
from ..errors import InvalidArgumentError
from ..registry import BY_DESIGN, NON_DIFFERENTIABLE
from ..shapes import TensorShape
from ._base import apply, check_dtype, convert_to_tensor, defop
from .png_ops import _convert

_DCT = {"": True, "INTEGER_FAST": True, "INTEGER_ACCURATE": False}

_BY_DESIGN = BY_DESIGN["string"]


def _bytes(contents) -> bytes:
    data = contents.item() if isinstance(contents, np.ndarray) else contents
    return data if isinstance(data, bytes) else str(data).encode()


def _invalid(what: str, exc: Exception) -> InvalidArgumentError:
    return InvalidArgumentError(None, None, f"{what}: {exc}")


def _scalar_string(op, what: str = "contents") -> None:
    check_dtype(op, op.inputs[0], (dt.string,), what)
    if op.inputs[0].shape.ndims not in (None, 0):
        raise ValueError(f"{op.type} op '{op.name}': {what} must be a scalar string, got "
                         f"shape {op.inputs[0].shape}")


def _decode_jpeg(data: bytes, channels: int, fancy: bool, dct_method: str) -> np.ndarray:
    try:
        image = jpeg.decode_jpeg(data, 1 if channels == 1 else 0, fast_idct=_DCT[dct_method],
                                 fancy=fancy)
    except (ValueError, IndexError) as exc:
        raise _invalid("Invalid JPEG data or crop window", exc) from None
    return _convert(image, channels)


# ------------------------------------------------------------------ DecodeJpeg
def _decode_infer(op):
    _scalar_string(op)
    return [(dt.uint8, TensorShape([None, None, op.attrs["channels"] or None]))]


def _decode(contents, *, channels, fancy_upscaling, dct_method, **_):
    return _decode_jpeg(_bytes(contents), channels, fancy_upscaling, dct_method)


def _crop_infer(op):
    _scalar_string(op)
    check_dtype(op, op.inputs[1], (dt.int32,), "crop_window")
    return [(dt.uint8, TensorShape([None, None, op.attrs["channels"] or None]))]


def _crop(contents, window, *, channels, fancy_upscaling, dct_method, **_):
    image = _decode_jpeg(_bytes(contents), channels, fancy_upscaling, dct_method)
    w = np.asarray(window).reshape(-1)
    if w.size != 4:
        raise InvalidArgumentError(None, None, f"crop_window must be 4 ints [y, x, height, "
                                   f"width], got {w.tolist()}")
    y, x, h, wd = (int(v) for v in w)
    if y < 0 or x < 0 or h <= 0 or wd <= 0 or y + h > image.shape[0] or \
            x + wd > image.shape[1]:
        raise InvalidArgumentError(None, None, f"Invalid JPEG data or crop window, data "
                                   f"size {image.shape[:2]}, crop window {w.tolist()}")
    return np.ascontiguousarray(image[y:y + h, x:x + wd])


_DECODE_ATTRS = ("channels", "ratio", "fancy_upscaling", "try_recover_truncated",
                 "acceptable_fraction", "dct_method")
defop("DecodeJpeg", _decode_infer, _decode, NON_DIFFERENTIABLE, family="image",
      numpy_by_design=_BY_DESIGN)
defop("DecodeAndCropJpeg", _crop_infer, _crop, NON_DIFFERENTIABLE, family="image",
      numpy_by_design=_BY_DESIGN)


def _decode_attrs(fn: str, channels, ratio, fancy_upscaling, try_recover_truncated,
                  acceptable_fraction, dct_method) -> dict:
    if channels not in (0, 1, 3):
        raise ValueError(f"{fn}: channels must be 0, 1 or 3, got {channels}")
    if ratio != 1:
        if ratio in (2, 4, 8):
            raise NotImplementedError(f"{fn}(ratio={ratio}): scaled decoding is not "
                                      "supported by graphc (ratio=1 only)")
        raise ValueError(f"{fn}: ratio must be 1, 2, 4 or 8, got {ratio}")
    if dct_method not in _DCT:
        raise ValueError(f"{fn}: dct_method must be one of '', 'INTEGER_FAST' or "
                         f"'INTEGER_ACCURATE', got {dct_method!r}")
    return {"channels": int(channels), "ratio": 1, "fancy_upscaling": bool(fancy_upscaling),
            "try_recover_truncated": bool(try_recover_truncated),
            "acceptable_fraction": float(acceptable_fraction), "dct_method": dct_method}


def decode_jpeg(contents, channels=0, ratio=1, fancy_upscaling=True,
                try_recover_truncated=False, acceptable_fraction=1, dct_method="",
                name=None):
    """TF1 `tf.image.decode_jpeg`: a JPEG string -> uint8 [height, width, channels]."""
    attrs = _decode_attrs("decode_jpeg", channels, ratio, fancy_upscaling,
                          try_recover_truncated, acceptable_fraction, dct_method)
    return apply("DecodeJpeg", (convert_to_tensor(contents, dtype=dt.string),), attrs,
                 name=name or "DecodeJpeg")


def decode_and_crop_jpeg(contents, crop_window, channels=0, ratio=1, fancy_upscaling=True,
                         try_recover_truncated=False, acceptable_fraction=1, dct_method="",
                         name=None):
    """TF1 `tf.image.decode_and_crop_jpeg`: the [y, x, height, width] window of a JPEG."""
    attrs = _decode_attrs("decode_and_crop_jpeg", channels, ratio, fancy_upscaling,
                          try_recover_truncated, acceptable_fraction, dct_method)
    return apply("DecodeAndCropJpeg", (convert_to_tensor(contents, dtype=dt.string),
                                       convert_to_tensor(crop_window, dtype=dt.int32)),
                 attrs, name=name or "DecodeAndCropJpeg")


# ------------------------------------------------------------------ EncodeJpeg
def _encode_infer(op):
    check_dtype(op, op.inputs[0], (dt.uint8,), "image")
    dims = op.inputs[0].shape.as_tuple()
    fmt = op.attrs["format"]
    allowed = {"": (None, 1, 3), "grayscale": (None, 1), "rgb": (None, 3)}[fmt]
    if dims is not None and (len(dims) != 3 or dims[-1] not in allowed):
        raise ValueError(f"{op.type} op '{op.name}': image must be [height, width, "
                         f"{'1 or 3' if not fmt else allowed[1]}] for format {fmt!r}, got "
                         f"shape {op.inputs[0].shape}")
    return [(dt.string, TensorShape([]))]


def _encode(image, *, format, quality, chroma_downsampling, density_unit, x_density,
            y_density, xmp_metadata, **_):
    want = {"": (1, 3), "grayscale": (1,), "rgb": (3,)}[format]
    if image.ndim != 3 or image.shape[-1] not in want:
        raise InvalidArgumentError(None, None, f"image must be 3-dimensional with "
                                   f"{' or '.join(map(str, want))} channels for format "
                                   f"{format!r}, got shape {list(image.shape)}")
    try:
        data = jpeg_encode.encode_jpeg(image, quality, chroma_downsampling,
                                ({"in": 1, "cm": 2}[density_unit], x_density, y_density),
                                xmp_metadata)
    except ValueError as exc:
        raise _invalid("EncodeJpeg", exc) from None
    return np.array(data, dtype=object)


defop("EncodeJpeg", _encode_infer, _encode, NON_DIFFERENTIABLE, family="image",
      numpy_by_design=_BY_DESIGN)


def encode_jpeg(image, format="", quality=95, progressive=False, optimize_size=False,  # noqa: A002
                chroma_downsampling=True, density_unit="in", x_density=300, y_density=300,
                xmp_metadata="", name=None):
    """TF1 `tf.image.encode_jpeg`: uint8 [height, width, 1 or 3] -> a baseline JPEG."""
    if format not in ("", "grayscale", "rgb"):
        raise ValueError(f"encode_jpeg: format must be '', 'grayscale' or 'rgb', got "
                         f"{format!r}")
    if not 0 <= int(quality) <= 100:
        raise ValueError(f"encode_jpeg: quality must be in [0, 100], got {quality}")
    if progressive:
        raise NotImplementedError("encode_jpeg(progressive=True) is not supported by graphc "
                                  "(baseline JPEG only)")
    if density_unit not in ("in", "cm"):
        raise ValueError(f"encode_jpeg: density_unit must be 'in' or 'cm', got "
                         f"{density_unit!r}")
    xmp = xmp_metadata.encode() if isinstance(xmp_metadata, str) else bytes(xmp_metadata)
    attrs = {"format": format, "quality": int(quality), "progressive": False,
             "optimize_size": bool(optimize_size),
             "chroma_downsampling": bool(chroma_downsampling), "density_unit": density_unit,
             "x_density": int(x_density), "y_density": int(y_density), "xmp_metadata": xmp}
    return apply("EncodeJpeg", (convert_to_tensor(image, dtype=dt.uint8),), attrs,
                 name=name or "EncodeJpeg")


# ------------------------------------------------------------------ EncodeJpegVariableQuality
_DEFAULT_ENCODING = {"format": "", "chroma_downsampling": True, "density_unit": "in",
                     "x_density": 300, "y_density": 300, "xmp_metadata": b""}


def _variable_quality_infer(op):
    check_dtype(op, op.inputs[0], (dt.uint8,), "images")
    check_dtype(op, op.inputs[1], (dt.int32,), "quality")
    if op.inputs[1].shape.ndims not in (None, 0):
        raise ValueError(f"quality '{op.inputs[1].name}' must be a scalar, got shape "
                         f"{op.inputs[1].shape}")
    return _encode_infer(op)


def _variable_quality(image, quality, **attrs):
    if not 0 <= int(quality) <= 100:
        raise InvalidArgumentError(None, None, f"quality must be in [0,100], got "
                                   f"{int(quality)}")
    return _encode(image, quality=int(quality), **attrs)


defop("EncodeJpegVariableQuality", _variable_quality_infer, _variable_quality,
      NON_DIFFERENTIABLE, family="image", numpy_by_design=_BY_DESIGN)


def encode_jpeg_variable_quality(images, quality, name=None):
    """TF's EncodeJpegVariableQuality: encode_jpeg's defaults with an int32 scalar tensor
    `quality` (tf.image.adjust_jpeg_quality's encoder)."""
    return apply("EncodeJpegVariableQuality", (convert_to_tensor(images, dtype=dt.uint8),
                                               convert_to_tensor(quality, dtype=dt.int32)),
                 dict(_DEFAULT_ENCODING), name=name or "EncodeJpegVariableQuality")


# ------------------------------------------------------------------ ExtractJpegShape
def _shape_infer(op):
    _scalar_string(op)
    return [(op.attrs["output_type"], TensorShape([3]))]


def _shape(contents, *, output_type):
    try:
        shape = jpeg.jpeg_shape(_bytes(contents))
    except (ValueError, IndexError) as exc:
        raise _invalid("Invalid JPEG data", exc) from None
    return np.asarray(shape, output_type.np)


defop("ExtractJpegShape", _shape_infer, _shape, NON_DIFFERENTIABLE, family="image",
      numpy_by_design=_BY_DESIGN)


def extract_jpeg_shape(contents, output_type=dt.int32, name=None):
    """TF1 `tf.image.extract_jpeg_shape`: [height, width, channels] without decoding."""
    out = dt.as_dtype(output_type)
    if out not in (dt.int32, dt.int64):
        raise TypeError(f"extract_jpeg_shape: output_type must be int32 or int64, got "
                        f"{out.name}")
    return apply("ExtractJpegShape", (convert_to_tensor(contents, dtype=dt.string),),
                 {"output_type": out}, name=name or "ExtractJpegShape")


# ------------------------------------------------------------------ DecodeGif, DecodeBmp
def _gif_infer(op):
    _scalar_string(op)
    return [(dt.uint8, TensorShape([None, None, None, 3]))]


def _gif(contents):
    try:
        return gif_bmp.decode_gif(_bytes(contents))
    except (ValueError, IndexError) as exc:
        raise _invalid("Invalid GIF data", exc) from None


def _bmp_infer(op):
    _scalar_string(op)
    return [(dt.uint8, TensorShape([None, None, op.attrs["channels"] or None]))]


def _bmp(contents, *, channels):
    try:
        return gif_bmp.decode_bmp(_bytes(contents), channels)
    except (ValueError, IndexError) as exc:
        raise _invalid("Invalid BMP data", exc) from None


defop("DecodeGif", _gif_infer, _gif, NON_DIFFERENTIABLE, family="image", numpy_by_design=_BY_DESIGN)
defop("DecodeBmp", _bmp_infer, _bmp, NON_DIFFERENTIABLE, family="image", numpy_by_design=_BY_DESIGN)


def decode_gif(contents, name=None):
    """TF1 `tf.image.decode_gif`: uint8 [frames, height, width, 3]."""
    return apply("DecodeGif", (convert_to_tensor(contents, dtype=dt.string),),
                 name=name or "DecodeGif")


def decode_bmp(contents, channels=0, name=None):
    """TF1 `tf.image.decode_bmp`: uint8 [height, width, channels] (0: the file's)."""
    if channels not in (0, 1, 3, 4):
        raise ValueError(f"decode_bmp: channels must be 0, 1, 3 or 4, got {channels}")
    return apply("DecodeBmp", (convert_to_tensor(contents, dtype=dt.string),),
                 {"channels": int(channels)}, name=name or "DecodeBmp")


# ------------------------------------------------------------------ DecodeImage
def _kind(data: bytes) -> str:
    if data[:3] == b"\xff\xd8\xff":
        return "jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "png"
    if data[:3] == b"GIF":
        return "gif"
    if data[:2] == b"BM":
        return "bmp"
    return ""


def decode_any(data: bytes, channels: int, expand_animations: bool) -> np.ndarray:
    """The image of a PNG, JPEG, GIF or BMP file (TensorFlow's DecodeImage)."""
    kind = _kind(data)
    try:
        if kind == "jpeg":
            return _decode_jpeg(data, channels, True, "")
        if kind == "png":
            return _convert(media.decode_png(data), channels)
        if kind == "bmp":
            return gif_bmp.decode_bmp(data, channels)
        if kind == "gif":
            if channels not in (0, 3):
                raise ValueError(f"channels must be 0 or 3 for a GIF, got {channels}")
            frames = gif_bmp.decode_gif(data)
            return frames if expand_animations else np.ascontiguousarray(frames[0])
    except (ValueError, IndexError) as exc:
        raise _invalid(f"Invalid {kind.upper()} data", exc) from None
    raise InvalidArgumentError(None, None, "Unknown image file format. One of JPEG, PNG, "
                               "GIF, BMP required.")


def _image_infer(op):
    _scalar_string(op)
    c = op.attrs["channels"] or None
    shape = TensorShape(None) if op.attrs["expand_animations"] else \
        TensorShape([None, None, c])
    return [(dt.uint8, shape)]


def _image(contents, *, channels, expand_animations, dtype):
    return decode_any(_bytes(contents), channels, expand_animations)


defop("DecodeImage", _image_infer, _image, NON_DIFFERENTIABLE, family="image",
      numpy_by_design=_BY_DESIGN)


def decode_image_uint8(contents, channels, expand_animations: bool, name):
    if channels not in (0, 1, 3, 4):
        raise ValueError(f"decode_image: channels must be 0, 1, 3 or 4, got {channels}")
    return apply("DecodeImage", (convert_to_tensor(contents, dtype=dt.string),),
                 {"channels": int(channels), "expand_animations": bool(expand_animations),
                  "dtype": dt.uint8}, name=name or "decode_image")
