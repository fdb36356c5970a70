"""Contract samples for the image file ops (ir/ops/image_codec_ops.py): strings, numpy
kernels on both backends."""
import struct

import numpy as np

from graphc.ir import jpeg_encode, media
from graphc.ir.ops import core_ops, image_codec_ops as C

ph = core_ops.placeholder
R = np.random.RandomState(23)


def _image(shape):
    return R.randint(0, 256, shape).astype(np.uint8)


def _bmp(shape):
    h, w, c = shape
    stride = (w * c + 3) // 4 * 4
    rows = np.zeros((h, stride), np.uint8)
    rows[:, :w * c] = _image(shape).reshape(h, w * c)
    pixels = rows.tobytes()
    header = struct.pack("<IiiHHIIiiII", 40, w, h, 1, 8 * c, 0, len(pixels), 0, 0, 0, 0)
    return b"BM" + struct.pack("<IHHI", 54 + len(pixels), 0, 0, 54) + header + pixels


def _gif():
    # one 2x2 frame, LZW codes as literals after clear codes (see make_image_codec_fixtures)
    codes = [4, 0, 1, 4, 2, 3, 5]
    acc = n = 0
    out = bytearray()
    for c in codes:
        acc |= c << n
        n += 3
        while n >= 8:
            out.append(acc & 255)
            acc >>= 8
            n -= 8
    out.append(acc & 255)
    palette = bytes([0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255])
    return (b"GIF89a\x02\x00\x02\x00\x81\x00\x00" + palette + b"\x2c\x00\x00\x00\x00\x02\x00"
            b"\x02\x00\x00\x02" + bytes([len(out)]) + bytes(out) + b"\x00\x3b")


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
    "ExtractJpegShape": [_file_sample(C.extract_jpeg_shape, _RGB, "rgb"),
                         _file_sample(C.extract_jpeg_shape, _GREY, "grey_int64",
                                      output_type="int64")],
    "DecodeAndCropJpeg": [_crop([0, 0, 9, 13]), _crop([2, 3, 4, 5])],
    "DecodeGif": [_file_sample(C.decode_gif, _gif(), "one_frame"),
                  _file_sample(C.decode_gif, _gif(), "again")],
    "DecodeBmp": [_file_sample(C.decode_bmp, _bmp((3, 5, 3)), "bgr"),
                  _file_sample(C.decode_bmp, _bmp((2, 3, 4)), "bgra", channels=4)],
    "DecodeImage": [_file_sample(C.decode_image_uint8, _RGB, "jpeg", 0, True, None),
                    _file_sample(C.decode_image_uint8, media.encode_png(_image((2, 3, 4))),
                                 "png", 3, False, None),
                    _file_sample(C.decode_image_uint8, _gif(), "gif", 0, True, None),
                    _file_sample(C.decode_image_uint8, _bmp((2, 2, 3)), "bmp", 0, False,
                                 None)],
}
