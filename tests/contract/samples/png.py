"""Contract samples for PNG decoding and encoding (strings: numpy kernels on both
backends)."""
import numpy as np

from graphc.ir import media
from graphc.ir.ops import core_ops, png_ops as P

R = np.random.RandomState(17)


def _image(shape):
    return R.randint(0, 256, shape).astype(np.uint8)


def _encode(shape, level):
    def build():
        x = core_ops.placeholder("uint8", list(shape))
        return P.encode_png(x, compression=level), {x: _image(shape)}
    build.__name__ = f"encode_{'x'.join(map(str, shape))}_level{level}"
    return build


def _decode(shape, channels):
    def build():
        s = core_ops.placeholder("string", [])
        return P.decode_png(s, channels=channels), {s: media.encode_png(_image(shape))}
    build.__name__ = f"decode_{'x'.join(map(str, shape))}_as{channels}"
    return build


SAMPLES = {
    "EncodePng": [_encode((3, 4, 3), -1), _encode((2, 5, 1), 9), _encode((1, 1, 4), 0)],
    "DecodePng": [_decode((3, 4, 3), 0), _decode((2, 5, 4), 3), _decode((4, 2, 1), 4)],
}


def _nms(n, threshold):
    from graphc.ir.ops import nms_ops
    rng = np.random.RandomState(n)

    def build():
        corners = rng.rand(n, 2, 2).astype(np.float32)
        boxes = np.concatenate([corners[:, 0], corners[:, 0] + corners[:, 1] * 0.5], 1)
        b, s = core_ops.placeholder("float32", [n, 4]), core_ops.placeholder("float32", [n])
        return nms_ops.non_max_suppression(b, s, 4, threshold, 0.1), {
            b: boxes, s: rng.rand(n).astype(np.float32)}
    build.__name__ = f"nms_{n}_{threshold}"
    return build


SAMPLES["NonMaxSuppressionV3"] = [_nms(6, 0.5), _nms(9, 0.2)]
