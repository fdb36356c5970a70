"""Baseline JPEG encoding in numpy, computing what libjpeg(-turbo) computes with
TensorFlow's settings (tf.image.encode_jpeg): libjpeg's integer RGB -> YCbCr (jccolor.c),
2x2 box downsampling of chroma (jcsample.c), the accurate integer forward DCT (jfdctint.c),
the Annex K quantization tables scaled by `quality` as jcparam.c does, and the Annex K
Huffman tables. The decoder and the shared tables are in ir/jpeg.py. The bitstream differs
from libjpeg's only in the padding blocks beyond the image's right and bottom edges
(libjpeg codes flat "dummy" blocks there, this codes replicated edge pixels), which no
decoder shows.
"""
from __future__ import annotations

import struct

import numpy as np

from .jpeg import (F0298, F0390, F0541, F0765, F0899, F1175, F1501, F1847, F1961, F2053,
                   F2562, F3072, ZIGZAG, _AC_CHROMA, _AC_LUMA, _CB, _CHROMA_Q, _DC_CHROMA,
                   _DC_LUMA, _LUMA_Q, _ONE_HALF, _P1, _descale)


def _fdct_pass(x: np.ndarray, first: bool) -> np.ndarray:
    d = [x[..., k] for k in range(8)]
    t0, t7, t1, t6 = d[0] + d[7], d[0] - d[7], d[1] + d[6], d[1] - d[6]
    t2, t5, t3, t4 = d[2] + d[5], d[2] - d[5], d[3] + d[4], d[3] - d[4]
    t10, t13, t11, t12 = t0 + t3, t0 - t3, t1 + t2, t1 - t2
    shift = _CB - _P1 if first else _CB + _P1
    out = [None] * 8
    if first:
        out[0], out[4] = (t10 + t11) << _P1, (t10 - t11) << _P1
    else:
        out[0], out[4] = _descale(t10 + t11, _P1), _descale(t10 - t11, _P1)
    z1 = (t12 + t13) * F0541
    out[2] = _descale(z1 + t13 * F0765, shift)
    out[6] = _descale(z1 + t12 * -F1847, shift)
    z1, z2, z3, z4 = t4 + t7, t5 + t6, t4 + t6, t5 + t7
    z5 = (z3 + z4) * F1175
    t4, t5, t6, t7 = t4 * F0298, t5 * F2053, t6 * F3072, t7 * F1501
    z1, z2, z3, z4 = z1 * -F0899, z2 * -F2562, z3 * -F1961 + z5, z4 * -F0390 + z5
    out[7], out[5] = _descale(t4 + z1 + z3, shift), _descale(t5 + z2 + z4, shift)
    out[3], out[1] = _descale(t6 + z2 + z3, shift), _descale(t7 + z1 + z4, shift)
    return np.stack(out, -1)


def fdct_islow(samples: np.ndarray) -> np.ndarray:
    """Sample blocks (n, 8, 8) 0..255 -> DCT coefficients scaled by 8 (jfdctint)."""
    x = samples.astype(np.int64) - 128
    rows = _fdct_pass(x, True)
    return np.swapaxes(_fdct_pass(np.swapaxes(rows, 1, 2), False), 1, 2)


def rgb_to_ycc(rgb: np.ndarray) -> tuple:
    r, g, b = (rgb[..., i].astype(np.int64) for i in range(3))
    offset = 128 << 16
    y = (19595 * r + 38470 * g + 7471 * b + _ONE_HALF) >> 16
    cb = (-11059 * r - 21709 * g + 32768 * b + offset + _ONE_HALF - 1) >> 16
    cr = (32768 * r - 27439 * g - 5329 * b + offset + _ONE_HALF - 1) >> 16
    return y, cb, cr


# ---------------------------------------------------------------- encoding
def quality_tables(quality: int) -> tuple:
    """jcparam.c: the Annex K tables scaled by `quality` (1..100), baseline (<= 255)."""
    q = min(max(int(quality), 1), 100)
    scale = 5000 // q if q < 50 else 200 - 2 * q
    return tuple(np.clip((t * scale + 50) // 100, 1, 255) for t in (_LUMA_Q, _CHROMA_Q))


def _code_table(spec) -> dict:
    counts, symbols = spec
    codes, code, k = {}, 0, 0
    for length in range(1, 17):
        for _ in range(counts[length - 1]):
            codes[symbols[k]] = (code, length)
            code += 1
            k += 1
        code <<= 1
    return codes


_CODES = {name: _code_table(spec) for name, spec in (
    ("dc0", _DC_LUMA), ("ac0", _AC_LUMA), ("dc1", _DC_CHROMA), ("ac1", _AC_CHROMA))}


class _BitWriter:
    def __init__(self) -> None:
        self.out = bytearray()
        self.acc = 0
        self.n = 0

    def put(self, value: int, length: int) -> None:
        self.acc = (self.acc << length) | value
        self.n += length
        while self.n >= 8:
            self.n -= 8
            byte = (self.acc >> self.n) & 0xFF
            self.out.append(byte)
            if byte == 0xFF:
                self.out.append(0)
        self.acc &= (1 << self.n) - 1

    def flush(self) -> bytes:
        if self.n:
            self.put((1 << (8 - self.n)) - 1, 8 - self.n)
        return bytes(self.out)


def _quantize(coefs: np.ndarray, table: np.ndarray) -> np.ndarray:
    """jcdctmgr.c: round(coef / (8 q)) half away from zero, in integers."""
    d = (table * 8)[None]
    a = np.abs(coefs)
    q = (a + (d >> 1)) // d
    return np.where(coefs < 0, -q, q)


def _blocks(plane: np.ndarray, rows: int, cols: int) -> np.ndarray:
    return plane.reshape(rows, 8, cols, 8).transpose(0, 2, 1, 3).reshape(-1, 8, 8)


def _expand(plane: np.ndarray, height: int, width: int) -> np.ndarray:
    """Edge samples replicated out to height x width (jcprepct/jcsample)."""
    return np.pad(plane, [(0, height - plane.shape[0]), (0, width - plane.shape[1])],
                  mode="edge")


def _downsample_2x2(plane: np.ndarray) -> np.ndarray:
    """jcsample.c h2v2_downsample: the 2x2 sums + 1, 2, 1, 2, ... across, >> 2."""
    s = plane[0::2, 0::2] + plane[0::2, 1::2] + plane[1::2, 0::2] + plane[1::2, 1::2]
    bias = np.tile([1, 2], s.shape[1] // 2 + 1)[:s.shape[1]]
    return (s + bias[None]) >> 2


def encode_jpeg(image: np.ndarray, quality: int = 95, chroma_downsampling: bool = True,
                density: tuple = (1, 300, 300), xmp: bytes = b"") -> bytes:
    """uint8 [height, width, 1 or 3] -> a baseline JFIF file (libjpeg's computation), with
    `xmp` metadata in an APP1 segment when given (as TensorFlow writes it)."""
    img = np.asarray(image)
    if img.dtype != np.uint8 or img.ndim != 3 or img.shape[2] not in (1, 3):
        raise ValueError(f"encode_jpeg needs uint8 [height, width, 1 or 3], got {img.dtype} "
                         f"{list(img.shape)}")
    height, width, n = img.shape
    if height == 0 or width == 0 or height > 65535 or width > 65535:
        raise ValueError(f"encode_jpeg: image size {height}x{width} is out of JPEG's range")
    luma_q, chroma_q = quality_tables(quality)
    if n == 1:
        comps = [(img[..., 0].astype(np.int64), 1, 1, 0)]
    else:
        y, cb, cr = rgb_to_ycc(img)
        f = 2 if chroma_downsampling else 1
        comps = [(y, f, f, 0), (cb, 1, 1, 1), (cr, 1, 1, 1)]
    hmax = max(c[1] for c in comps)
    mcu = 8 * hmax
    mcux, mcuy = -(-width // mcu), -(-height // mcu)
    coded = []
    for plane, h, v, t in comps:
        if h < hmax:  # a subsampled chroma plane: libjpeg pads the image to whole MCUs
            # across but only to an even height (jcprepct), takes the 2x2 boxes, then
            # replicates the last chroma row down to whole MCUs (jcprepct's iMCU padding)
            full = _expand(plane, height + height % 2, mcux * mcu)
            small = _expand(_downsample_2x2(full), mcuy * 8, mcux * 8)
        else:
            small = _expand(plane, mcuy * 8 * v, mcux * 8 * h)
        rows, cols = small.shape[0] // 8, small.shape[1] // 8
        q = _quantize(fdct_islow(_blocks(small, rows, cols)).reshape(-1, 64),
                      luma_q if t == 0 else chroma_q)
        coded.append((q.reshape(rows, cols, 64)[..., ZIGZAG], h, v, t))
    out = bytearray(b"\xff\xd8")
    unit, xd, yd = density
    out += b"\xff\xe0" + struct.pack(">H5sBBBHHBB", 16, b"JFIF\0", 1, 1, unit, xd, yd, 0, 0)
    if xmp:
        body = b"http://ns.adobe.com/xap/1.0/\0" + bytes(xmp)
        if len(body) > 65533:
            raise ValueError(f"xmp_metadata of {len(xmp)} bytes does not fit a JPEG segment")
        out += b"\xff\xe1" + struct.pack(">H", len(body) + 2) + body
    for t, table in enumerate((luma_q, chroma_q)[:1 if n == 1 else 2]):
        out += b"\xff\xdb" + struct.pack(">HB", 67, t) + bytes(table[ZIGZAG].tolist())
    out += b"\xff\xc0" + struct.pack(">HBHHB", 8 + 3 * len(comps), 8, height, width,
                                     len(comps))
    for k, (_, h, v, t) in enumerate(coded):
        out += bytes([k + 1, (h << 4) | v, t])
    for name, spec, tc_th in (("dc0", _DC_LUMA, 0x00), ("ac0", _AC_LUMA, 0x10),
                              ("dc1", _DC_CHROMA, 0x01), ("ac1", _AC_CHROMA, 0x11)):
        if n == 1 and name.endswith("1"):
            continue
        body = bytes([tc_th]) + bytes(spec[0]) + bytes(spec[1])
        out += b"\xff\xc4" + struct.pack(">H", 2 + len(body)) + body
    out += b"\xff\xda" + struct.pack(">HB", 6 + 2 * len(coded), len(coded))
    for k, (_, _, _, t) in enumerate(coded):
        out += bytes([k + 1, (t << 4) | t])
    out += b"\x00\x3f\x00"
    out += _entropy_code(coded, mcux, mcuy)
    out += b"\xff\xd9"
    return bytes(out)


def _entropy_code(coded: list, mcux: int, mcuy: int) -> bytes:
    w = _BitWriter()
    put = w.put
    preds = [0] * len(coded)
    tables = [(_CODES[f"dc{t}"], _CODES[f"ac{t}"]) for _, _, _, t in coded]
    zrl = [ac[0xF0] for _, ac in tables]
    eob = [ac[0x00] for _, ac in tables]
    for my in range(mcuy):
        for mx in range(mcux):
            for k, (q, h, v, _) in enumerate(coded):
                dc_codes, ac_codes = tables[k]
                for dv in range(v):
                    for dh in range(h):
                        block = q[my * v + dv, mx * h + dh]
                        dc = int(block[0])
                        diff = dc - preds[k]
                        preds[k] = dc
                        s = abs(diff).bit_length()
                        put(*dc_codes[s])
                        if s:
                            put(diff if diff > 0 else diff + (1 << s) - 1, s)
                        last = 0
                        for i in np.flatnonzero(block[1:]).tolist():
                            run = i - last
                            while run > 15:
                                put(*zrl[k])
                                run -= 16
                            value = int(block[i + 1])
                            s = abs(value).bit_length()
                            put(*ac_codes[(run << 4) | s])
                            put(value if value > 0 else value + (1 << s) - 1, s)
                            last = i + 1
                        if last < 63:
                            put(*eob[k])
    return w.flush()
