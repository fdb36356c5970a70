"""The image files graphc's codec tests read, in one place: the synthetic images and JPEG
settings tests/fixtures/tf/make_image_codec_fixtures.py hands to TensorFlow, and the GIF
and BMP writers both it and the contract samples (tests/contract/samples/image_codecs.py)
use. No TensorFlow here: the samples import it too.
"""
from __future__ import annotations

import struct

import numpy as np

SETTINGS = {"q95": {}, "q75_444": {"quality": 75, "chroma_downsampling": False},
            "q20": {"quality": 20}, "q100_cm": {"quality": 100, "density_unit": "cm",
                                                "x_density": 72, "y_density": 96}}
PALETTE = np.array([[0, 0, 0], [255, 0, 0], [0, 255, 0], [0, 0, 255]], np.uint8)


def images() -> dict:
    """The fixture's two images: 37x53 RGB (waves plus noise) and 16x16 grey noise."""
    rng = np.random.RandomState(3)
    yy, xx = np.mgrid[0:37, 0:53]
    rgb = np.stack([128 + 100 * np.sin(xx / 7 + yy / 11), 128 + 90 * np.cos(xx / 5),
                    128 + 60 * np.sin(yy / 3)], -1) + rng.randn(37, 53, 3) * 25
    grey = rng.randint(0, 256, (16, 16, 1))
    return {"rgb": np.clip(rgb, 0, 255).astype(np.uint8), "grey": grey.astype(np.uint8)}


def lzw_literals(indices) -> bytes:
    """One GIF image's data (minimum code size 2, the 4-colour PALETTE) whose LZW codes are
    all literals: a clear code before every second index keeps the table from growing past
    eight entries, so every code stays 3 bits wide."""
    codes = []
    for k, v in enumerate(indices):
        if k % 2 == 0:
            codes.append(4)  # clear
        codes.append(int(v))
    codes.append(5)  # end of information
    acc = n = 0
    out = bytearray()
    for c in codes:
        acc |= c << n
        n += 3
        while n >= 8:
            out.append(acc & 255)
            acc >>= 8
            n -= 8
    if n:
        out.append(acc & 255)
    return bytes([2]) + bytes([len(out)]) + bytes(out) + b"\0"


def _gif_header(width: int, height: int) -> bytes:
    return b"GIF89a" + struct.pack("<HHBBB", width, height, 0x81, 0, 0) + PALETTE.tobytes()


def _gif_frame(left: int, top: int, indices: np.ndarray, interlaced: bool = False) -> bytes:
    h, w = indices.shape
    rows = indices[[*range(0, h, 8), *range(4, h, 8), *range(2, h, 4), *range(1, h, 2)]] \
        if interlaced else indices
    return (b"\x2c" + struct.pack("<HHHHB", left, top, w, h, 0x40 if interlaced else 0)
            + lzw_literals(rows.reshape(-1)))


def gif_bytes() -> bytes:
    """The fixture's 6x5 two-frame GIF89a: frame 2 is a 3x4 interlaced image at (2, 1)
    whose index 0 is transparent."""
    second = np.array([[1, 0, 2], [3, 3, 0], [0, 1, 1], [2, 2, 2]])
    return (_gif_header(6, 5) + _gif_frame(0, 0, (np.arange(30) % 4).reshape(5, 6))
            + b"\x21\xf9\x04\x01\x00\x00\x00\x00"  # graphic control: transparent index 0
            + _gif_frame(2, 1, second, interlaced=True) + b"\x3b")


def small_gif_bytes() -> bytes:
    """A 2x2 one-frame GIF89a (the contract samples')."""
    return _gif_header(2, 2) + _gif_frame(0, 0, np.array([[0, 1], [2, 3]])) + b"\x3b"


def bmp_bytes(image: np.ndarray, bpp: int, density: int = 2835) -> bytes:
    """A bottom-up BMP of an [h, w, 3 or 4] uint8 image, 24 or 32 bits a pixel."""
    h, w, c = image.shape
    stride = (w * c + 3) // 4 * 4
    rows = np.zeros((h, stride), np.uint8)
    rows[:, :w * c] = image[::-1][..., [2, 1, 0, 3][:c]].reshape(h, w * c)
    pixels = rows.tobytes()
    header = struct.pack("<IiiHHIIiiII", 40, w, h, 1, bpp, 0, len(pixels), density,
                         density, 0, 0)
    return b"BM" + struct.pack("<IHHI", 54 + len(pixels), 0, 0, 54) + header + pixels
