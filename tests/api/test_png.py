"""tf.image.decode_png / encode_png: round trips, PNGs written here with every row filter,
palette, transparency and sub-byte grey images (the filters computed independently of the
decoder), a real file of the repo, and bad data as TF1's InvalidArgumentError."""
import os
import struct
import zlib

import numpy as np
import pytest

import graphc as tf
from tests.helpers import run_both

R = np.random.RandomState(51)


def _chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(
        ">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def _png(ihdr, rows: bytes, extra=b""):
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", *ihdr)) + extra +
            _chunk(b"IDAT", zlib.compress(rows)) + _chunk(b"IEND", b""))


def _filtered(img: np.ndarray) -> bytes:
    """Rows of an 8-bit image, row y filtered with type y % 5 (PNG's forward filters)."""
    h, w, c = img.shape
    data = img.reshape(h, w * c).astype(np.int32)
    out = bytearray()
    for y in range(h):
        kind = y % 5
        cur = data[y]
        up = data[y - 1] if y else np.zeros_like(cur)
        left = np.concatenate([np.zeros(c, np.int32), cur[:-c]])
        ul = np.concatenate([np.zeros(c, np.int32), up[:-c]])
        if kind == 0:
            pred = np.zeros_like(cur)
        elif kind == 1:
            pred = left
        elif kind == 2:
            pred = up
        elif kind == 3:
            pred = (left + up) // 2
        else:
            p = left + up - ul
            pa, pb, pc = abs(p - left), abs(p - up), abs(p - ul)
            pred = np.where((pa <= pb) & (pa <= pc), left, np.where(pb <= pc, up, ul))
        out += bytes([kind]) + ((cur - pred) & 0xFF).astype(np.uint8).tobytes()
    return bytes(out)


def _decode(data: bytes, channels=0):
    s = tf.placeholder(tf.string, [])
    out = run_both(tf.image.decode_png(s, channels=channels), {s: data})
    np.testing.assert_array_equal(out[0], out[1])
    return out[0]


@pytest.mark.parametrize("channels", [1, 2, 3, 4])
def test_round_trip(channels):
    img = R.randint(0, 256, (5, 7, channels)).astype(np.uint8)
    x = tf.placeholder(tf.uint8, img.shape)
    encoded = tf.image.encode_png(x, compression=9)
    assert encoded.dtype == tf.string and encoded.shape.as_list() == []
    data = run_both(encoded, {x: img})[0]
    assert data.startswith(b"\x89PNG")
    decoded = tf.image.decode_png(tf.constant(data), channels=channels)
    assert decoded.shape.as_list() == [None, None, channels]
    np.testing.assert_array_equal(_decode(data), img)


def test_every_filter_and_colour_type():
    for colour, c in ((2, 3), (6, 4), (0, 1), (4, 2)):
        img = R.randint(0, 256, (11, 6, c)).astype(np.uint8)
        data = _png((6, 11, 8, colour, 0, 0, 0), _filtered(img))
        np.testing.assert_array_equal(_decode(data), img)
    rgb = R.randint(0, 256, (4, 3, 3)).astype(np.uint8)
    data = _png((3, 4, 8, 2, 0, 0, 0), _filtered(rgb))
    np.testing.assert_array_equal(_decode(data, 4)[..., 3], 255)
    grey = _decode(data, 1)[..., 0]
    np.testing.assert_allclose(grey, rgb @ [0.2126, 0.7152, 0.0722], atol=0.51)


def test_palette_transparency_and_sub_byte_grey():
    palette = np.uint8([[255, 0, 0], [0, 255, 0], [0, 0, 255]])
    index = np.uint8([[0, 1, 2, 1], [2, 2, 0, 1]])
    rows = b"".join(b"\x00" + bytes(r) for r in index)
    extra = _chunk(b"PLTE", palette.tobytes()) + _chunk(b"tRNS", bytes([128]))
    got = _decode(_png((4, 2, 8, 3, 0, 0, 0), rows, extra))
    np.testing.assert_array_equal(got[..., :3], palette[index])
    np.testing.assert_array_equal(got[..., 3], np.where(index == 0, 128, 255))
    bits = np.uint8([[1, 0, 1, 1, 0, 0, 0, 1, 1, 1], [0, 1, 0, 0, 1, 1, 1, 0, 0, 0]])
    rows = b"".join(b"\x00" + np.packbits(r).tobytes() for r in bits)
    np.testing.assert_array_equal(_decode(_png((10, 2, 1, 0, 0, 0, 0), rows))[..., 0],
                                  bits * 255)


def test_a_real_file_decodes_and_re_encodes():
    path = os.path.join(os.path.dirname(__file__), os.pardir, os.pardir, "docs", "viewer.png")
    with open(path, "rb") as f:
        data = f.read()
    width, height = struct.unpack(">II", data[16:24])
    img = _decode(data)
    assert img.shape[:2] == (height, width) and img.std() > 0
    again = run_both(tf.image.encode_png(tf.constant(img)))[0]
    np.testing.assert_array_equal(_decode(again), img)


def test_bad_data_is_an_invalid_argument_error():
    s = tf.placeholder(tf.string, [])
    dec = tf.image.decode_png(s)
    good = _png((2, 1, 8, 0, 0, 0, 0), b"\x00\x01\x02")
    with tf.Session() as sess:
        for bad, match in ((b"GIF89a", "signature"), (good[:-20], "truncated|IEND"),
                           (good[:30] + b"\xff" + good[31:], "CRC")):
            with pytest.raises(tf.errors.InvalidArgumentError, match=match):
                sess.run(dec, {s: bad})
    with pytest.raises(NotImplementedError):
        tf.image.decode_png(s, dtype=tf.float32)


def test_non_max_suppression_is_tf1s_greedy_rule():
    boxes = np.float32([[0, 0, 1, 1], [0, 0.1, 1, 1.1], [0, -0.1, 1, 0.9], [0, 10, 1, 11],
                        [1, 10.1, 0, 11.1], [0, 100, 1, 101]])   # (TF1's documented example)
    scores = np.float32([0.9, 0.75, 0.6, 0.95, 0.5, 0.3])
    b, s = tf.placeholder(tf.float32, [6, 4]), tf.placeholder(tf.float32, [6])
    keep = tf.image.non_max_suppression(b, s, 3, iou_threshold=0.5)
    above = tf.image.non_max_suppression(b, s, 6, 0.5, score_threshold=0.4)
    got, got2 = run_both([keep, above], {b: boxes, s: scores})[0]
    np.testing.assert_array_equal(got, [3, 0, 5])
    np.testing.assert_array_equal(got2, [3, 0])
    with pytest.raises(ValueError, match="iou_threshold"):
        tf.image.non_max_suppression(b, s, 3, iou_threshold=1.5)
