"""Contract samples for the image file ops (ir/ops/image_codec_ops.py): strings, numpy
kernels on both backends."""
import numpy as np

from graphc.ir import jpeg_encode, media
from graphc.ir.ops import core_ops, image_codec_ops as C
from tests.api.image_codec_cases import bmp_bytes, small_gif_bytes

ph = core_ops.placeholder
R = np.random.RandomState(23)


def _image(shape):
    return R.randint(0, 256, shape).astype(np.uint8)


def _bmp(shape):
    return bmp_bytes(_image(shape), 8 * shape[2], density=0)


def _file_sample(builder, data, label, *args, **kwargs):
    def build():
        s = ph("string", [])
        return builder(s, *args, **kwargs), {s: data}
    build.__name__ = label
    return build


_RGB = jpeg_encode.encode_jpeg(_image((9, 13, 3)), 80)
_GREY = jpeg_encode.encode_jpeg(_image((8, 8, 1)), 95)


def _encode(shape, **kwargs):
    def build():
        x = ph("uint8", list(shape))
        return C.encode_jpeg(x, **kwargs), {x: _image(shape)}
    build.__name__ = f"encode_{'x'.join(map(str, shape))}"
    return build


def _variable_quality(shape, quality):
    def build():
        x, q = ph("uint8", list(shape)), ph("int32", [])
        return C.encode_jpeg_variable_quality(x, q), {x: _image(shape), q: np.int32(quality)}
    build.__name__ = f"variable_quality_{quality}_{'x'.join(map(str, shape))}"
    return build


def _crop(window):
    def build():
        s, w = ph("string", []), ph("int32", [4])
        return C.decode_and_crop_jpeg(s, w), {s: _RGB, w: np.int32(window)}
    build.__name__ = f"crop_{'_'.join(map(str, window))}"
    return build


SAMPLES = {
    "DecodeJpeg": [_file_sample(C.decode_jpeg, _RGB, "rgb_default"),
                   _file_sample(C.decode_jpeg, _RGB, "rgb_accurate_grey", channels=1,
                                dct_method="INTEGER_ACCURATE"),
                   _file_sample(C.decode_jpeg, _GREY, "grey_as_rgb_plain", channels=3,
                                fancy_upscaling=False)],
    "EncodeJpeg": [_encode((9, 13, 3)), _encode((5, 4, 1), quality=30),
                   _encode((3, 17, 3), chroma_downsampling=False, xmp_metadata="<x/>")],
    "EncodeJpegVariableQuality": [_variable_quality((9, 13, 3), 80),
                                  _variable_quality((5, 4, 1), 3)],
    "ExtractJpegShape": [_file_sample(C.extract_jpeg_shape, _RGB, "rgb"),
                         _file_sample(C.extract_jpeg_shape, _GREY, "grey_int64",
                                      output_type="int64")],
    "DecodeAndCropJpeg": [_crop([0, 0, 9, 13]), _crop([2, 3, 4, 5])],
    "DecodeGif": [_file_sample(C.decode_gif, small_gif_bytes(), "one_frame"),
                  _file_sample(C.decode_gif, small_gif_bytes(), "again")],
    "DecodeBmp": [_file_sample(C.decode_bmp, _bmp((3, 5, 3)), "bgr"),
                  _file_sample(C.decode_bmp, _bmp((2, 3, 4)), "bgra", channels=4)],
    "DecodeImage": [_file_sample(C.decode_image_uint8, _RGB, "jpeg", 0, True, None),
                    _file_sample(C.decode_image_uint8, media.encode_png(_image((2, 3, 4))),
                                 "png", 3, False, None),
                    _file_sample(C.decode_image_uint8, small_gif_bytes(), "gif", 0, True, None),
                    _file_sample(C.decode_image_uint8, _bmp((2, 2, 3)), "bmp", 0, False,
                                 None)],
}
