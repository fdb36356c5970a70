"""GIF and BMP decoding in numpy, with TensorFlow's semantics (tf.io.decode_gif,
tf.io.decode_bmp).

decode_gif(data)            uint8 [frames, height, width, 3] over the logical screen: frame
                            k starts as frame k - 1 (frame 0 as zeros) and its image is
                            drawn at its position through its (or the global) colour table,
                            transparent pixels keeping what was there; interlaced images
                            are de-interlaced; LZW decoded here.
decode_bmp(data, channels)  uint8 [height, width, channels] of an uncompressed (BI_RGB)
                            8-bit (grey), 24-bit (BGR) or 32-bit (BGRA) bitmap, bottom-up
                            or top-down; `channels` 0 keeps the file's, else must match it.
"""
from __future__ import annotations

import struct

import numpy as np


# ---------------------------------------------------------------- GIF
def _lzw(data: bytes, min_size: int, count: int) -> np.ndarray:
    """The first `count` colour indices of an image's LZW stream."""
    if not 2 <= min_size <= 11:
        raise ValueError(f"bad LZW minimum code size {min_size}")
    clear, end = 1 << min_size, (1 << min_size) + 1
    out = bytearray()
    table: list = []
    size = min_size + 1
    prev = None
    acc = nacc = i = 0
    while len(out) < count:
        while nacc < size and i < len(data):  # (codes are packed from the low bits up)
            acc |= data[i] << nacc
            nacc += 8
            i += 1
        if nacc < size:
            break
        code = acc & ((1 << size) - 1)
        acc >>= size
        nacc -= size
        if code == clear:
            table = [bytes([i]) for i in range(clear)] + [b"", b""]
            size, prev = min_size + 1, None
            continue
        if code == end:
            break
        if not table:
            table = [bytes([i]) for i in range(clear)] + [b"", b""]
        if prev is None:
            if code >= len(table):
                raise ValueError("corrupt GIF: bad LZW code")
            entry = table[code]
        elif code < len(table):
            entry = table[code]
            table.append(prev + entry[:1])
        elif code == len(table):
            entry = prev + prev[:1]
            table.append(entry)
        else:
            raise ValueError("corrupt GIF: bad LZW code")
        out += entry
        prev = entry
        if len(table) == (1 << size) and size < 12:
            size += 1
    if len(out) < count:
        raise ValueError("corrupt GIF: the image data ends early")
    return np.frombuffer(bytes(out[:count]), np.uint8)


def _sub_blocks(data: bytes, pos: int) -> tuple:
    chunks = []
    while True:
        if pos >= len(data):
            raise ValueError("corrupt GIF: truncated data sub-blocks")
        n = data[pos]
        pos += 1
        if n == 0:
            return b"".join(chunks), pos
        chunks.append(data[pos:pos + n])
        pos += n


def _colour_table(data: bytes, pos: int, flags: int) -> tuple:
    if not flags & 0x80:
        return None, pos
    n = 2 << (flags & 7)
    raw = data[pos:pos + 3 * n]
    if len(raw) < 3 * n:
        raise ValueError("corrupt GIF: truncated colour table")
    return np.frombuffer(raw, np.uint8).reshape(n, 3), pos + 3 * n


def _deinterlace(rows: np.ndarray) -> np.ndarray:
    h = rows.shape[0]
    order = list(range(0, h, 8)) + list(range(4, h, 8)) + list(range(2, h, 4)) + \
        list(range(1, h, 2))
    out = np.empty_like(rows)
    out[order] = rows
    return out


def decode_gif(data: bytes) -> np.ndarray:
    data = bytes(data)
    if data[:6] not in (b"GIF87a", b"GIF89a") or len(data) < 13:
        raise ValueError("not a GIF file")
    width, height, flags = struct.unpack("<HHB", data[6:11])
    palette, pos = _colour_table(data, 13, flags)
    frames: list = []
    transparent = None
    while pos < len(data):
        block = data[pos]
        pos += 1
        if block == 0x3B:  # trailer
            break
        if block == 0x21:  # extension
            label = data[pos]
            body, pos = _sub_blocks(data, pos + 1)
            if label == 0xF9 and len(body) >= 4:
                transparent = body[3] if body[0] & 1 else None
            continue
        if block != 0x2C:
            raise ValueError(f"corrupt GIF: unknown block 0x{block:02x}")
        left, top, w, h, iflags = struct.unpack("<HHHHB", data[pos:pos + 9])
        local, pos = _colour_table(data, pos + 9, iflags)
        table = local if local is not None else palette
        if table is None:
            raise ValueError("corrupt GIF: an image has no colour table")
        min_size = data[pos]
        stream, pos = _sub_blocks(data, pos + 1)
        indices = _lzw(stream, min_size, w * h).reshape(h, w)
        if iflags & 0x40:
            indices = _deinterlace(indices)
        canvas = frames[-1].copy() if frames else np.zeros((height, width, 3), np.uint8)
        bottom, right = min(top + h, height), min(left + w, width)
        region = indices[:bottom - top, :right - left]
        if region.size and int(region.max()) >= len(table):
            raise ValueError(f"Found color index {int(region.max())} outside of color map "
                             f"range {len(table)}")
        keep = region != transparent if transparent is not None else np.ones_like(region, bool)
        view = canvas[top:bottom, left:right]
        view[keep] = table[region[keep]]
        frames.append(canvas)
        transparent = None
    if not frames:
        raise ValueError("corrupt GIF: no image")
    return np.stack(frames)


# ---------------------------------------------------------------- BMP
def decode_bmp(data: bytes, channels: int = 0) -> np.ndarray:
    data = bytes(data)
    if data[:2] != b"BM" or len(data) < 54:
        raise ValueError("not a BMP file")
    offset = struct.unpack("<I", data[10:14])[0]
    header = struct.unpack("<I", data[14:18])[0]
    width, height, _, bpp, compression = struct.unpack("<iiHHI", data[18:34])
    if header < 40:
        raise ValueError("BMP with an OS/2 header is not supported")
    if compression not in (0, 3) or bpp not in (8, 24, 32):
        raise ValueError(f"only uncompressed 8-, 24- and 32-bit BMPs are supported, got "
                         f"{bpp} bits, compression {compression}")
    have = bpp // 8
    if channels not in (0, have):
        raise ValueError(f"channels attribute {channels} does not match bits per pixel from "
                         f"file {bpp}")
    if width <= 0 or height == 0:
        raise ValueError(f"bad BMP size {width}x{height}")
    rows = abs(height)
    stride = (width * have + 3) // 4 * 4
    raw = data[offset:offset + stride * rows]
    if len(raw) < stride * rows:
        raise ValueError("corrupt BMP: the pixel data ends early")
    pixels = np.frombuffer(raw, np.uint8).reshape(rows, stride)[:, :width * have]
    pixels = pixels.reshape(rows, width, have)
    if height > 0:  # (bottom-up rows)
        pixels = pixels[::-1]
    if have >= 3:  # BGR(A) -> RGB(A)
        pixels = pixels[..., [2, 1, 0, 3][:have]]
    return np.ascontiguousarray(pixels)
