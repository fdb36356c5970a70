"""PNG and WAV, as TensorBoard's image and audio summaries hold them, with the standard
library only (zlib for PNG's deflate and CRC-32).

encode_png(pixels)        uint8 [height, width, channels], channels 1 (grey), 3 (RGB) or
                          4 (RGBA); 8 bits per sample, one IDAT chunk, filter 0 per row
decode_png(data)          back to uint8 [height, width, channels]; reads any PNG without
                          interlacing: grey, grey+alpha, RGB, RGBA and palette (with
                          tRNS: RGBA) at bit depths 1 to 16 (16: the high byte), all five
                          row filters, checking every chunk's CRC
encode_wav(samples, rate) float [frames, channels] in [-1, 1] as 16-bit PCM (TF's
                          rounding: roundf(x * 32768), halves away
                          from zero, clamped to int16)
decode_wav(data)          back to (float32 [frames, channels] = int16 / 32768, rate)
"""
from __future__ import annotations

import struct
import zlib

import numpy as np

_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_COLOR_TYPE = {1: 0, 2: 4, 3: 2, 4: 6}         # channels -> PNG colour type
_CHANNELS = {v: k for k, v in _COLOR_TYPE.items()}


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + \
        struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def encode_png(pixels: np.ndarray, level: int = 6) -> bytes:
    image = np.asarray(pixels)
    if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] not in _COLOR_TYPE:
        raise ValueError(f"encode_png needs uint8 [height, width, 1|2|3|4], got "
                         f"{image.dtype} {list(image.shape)}")
    height, width, channels = image.shape
    rows = np.zeros((height, 1 + width * channels), np.uint8)  # filter byte 0: none
    rows[:, 1:] = image.reshape(height, width * channels)
    header = struct.pack(">IIBBBBB", width, height, 8, _COLOR_TYPE[channels], 0, 0, 0)
    return _SIGNATURE + _chunk(b"IHDR", header) + \
        _chunk(b"IDAT", zlib.compress(rows.tobytes(), level)) + _chunk(b"IEND", b"")


def _chunks(data: bytes):
    """(kind, body) of each chunk up to IEND, every CRC checked."""
    if not data.startswith(_SIGNATURE):
        raise ValueError("not a PNG file (bad signature)")
    pos = len(_SIGNATURE)
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        crc = data[pos + 8 + length:pos + 12 + length]
        if len(body) != length or len(crc) != 4:
            raise ValueError(f"truncated PNG chunk {kind!r}")
        if struct.unpack(">I", crc)[0] != zlib.crc32(kind + body) & 0xFFFFFFFF:
            raise ValueError(f"bad CRC in PNG chunk {kind!r}")
        yield kind, body
        if kind == b"IEND":
            return
        pos += 12 + length
    raise ValueError("PNG without an IEND chunk (truncated)")


def _unfilter(raw: bytes, height: int, row_bytes: int, bpp: int) -> np.ndarray:
    """Undo the five row filters (bpp: bytes per complete pixel, at least 1)."""
    need = height * (row_bytes + 1)
    if len(raw) < need:
        raise ValueError(f"PNG data holds {len(raw)} bytes, expected {need}")
    rows = np.frombuffer(raw[:need], np.uint8).reshape(height, row_bytes + 1)
    out = np.zeros((height, row_bytes), np.int32)
    prev = np.zeros(row_bytes, np.int32)
    for y in range(height):
        kind, line = rows[y, 0], rows[y, 1:].astype(np.int32)
        if kind == 0:
            cur = line
        elif kind == 2:  # up
            cur = (line + prev) & 0xFF
        elif kind in (1, 3, 4):  # sub, average, paeth: each byte needs its left neighbour
            cur = np.zeros(row_bytes, np.int32)
            for x in range(row_bytes):
                left = cur[x - bpp] if x >= bpp else 0
                up, corner = prev[x], prev[x - bpp] if x >= bpp else 0
                if kind == 1:
                    pred = left
                elif kind == 3:
                    pred = (left + up) // 2
                else:
                    p = left + up - corner
                    pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                    pred = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                cur[x] = (line[x] + pred) & 0xFF
        else:
            raise ValueError(f"bad PNG row filter {kind}")
        out[y] = prev = cur
    return out.astype(np.uint8)


def _samples(rows: np.ndarray, width: int, depth: int, per_pixel: int) -> np.ndarray:
    """[height, width, per_pixel] samples as bytes (16 bits: the high byte; 1, 2 and 4
    bits: the unpacked values, palette indices or grey levels not yet scaled)."""
    h = rows.shape[0]
    if depth == 8:
        return rows[:, :width * per_pixel].reshape(h, width, per_pixel)
    if depth == 16:
        return rows[:, :width * per_pixel * 2].reshape(h, width, per_pixel, 2)[..., 0]
    bits = np.unpackbits(rows, axis=1)[:, :width * depth].reshape(h, width, depth)
    values = (bits * (1 << np.arange(depth - 1, -1, -1))).sum(-1)
    return values.reshape(h, width, 1).astype(np.uint8)


def decode_png(data: bytes) -> np.ndarray:
    header, palette, alpha, idat = None, None, None, []
    for kind, body in _chunks(data):
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"PLTE":
            palette = np.frombuffer(body, np.uint8).reshape(-1, 3)
        elif kind == b"tRNS":
            alpha = np.frombuffer(body, np.uint8)
        elif kind == b"IDAT":
            idat.append(body)
    if header is None:
        raise ValueError("PNG without an IHDR chunk")
    width, height, depth, color, _, _, interlace = header
    per_pixel = _CHANNELS.get(color, 1 if color == 3 else None)
    if per_pixel is None or depth not in (1, 2, 4, 8, 16) or interlace:
        raise ValueError(f"unsupported PNG: bit depth {depth}, colour type {color}, "
                         f"interlace {interlace}")
    try:
        raw = zlib.decompress(b"".join(idat))
    except zlib.error as exc:
        raise ValueError(f"PNG image data does not inflate ({exc})") from None
    rows = _unfilter(raw, height, (width * per_pixel * depth + 7) // 8,
                     max(1, per_pixel * depth // 8))
    image = _samples(rows, width, depth, per_pixel)
    if color == 3:   # palette: RGB, or RGBA with a tRNS chunk
        if palette is None:
            raise ValueError("palette PNG without a PLTE chunk")
        index = image[..., 0]
        if index.size and index.max() >= len(palette):
            raise ValueError("PNG palette index out of range")
        rgb = palette[index]
        if alpha is not None:
            table = np.full(len(palette), 255, np.uint8)
            table[:len(alpha)] = alpha[:len(palette)]
            rgb = np.concatenate([rgb, table[index][..., None]], -1)
        return rgb
    if depth < 8:
        image = (image.astype(np.int32) * 255 // ((1 << depth) - 1)).astype(np.uint8)
    return np.ascontiguousarray(image)


def encode_wav(samples: np.ndarray, sample_rate: int) -> bytes:
    audio = np.asarray(samples, np.float32)
    if audio.ndim != 2:
        raise ValueError(f"encode_wav needs [frames, channels], got {list(audio.shape)}")
    frames, channels = audio.shape
    scaled = (audio * np.float32(32768.0)).astype(np.float64)
    rounded = np.sign(scaled) * np.floor(np.abs(scaled) + 0.5)  # C's roundf: halves away
    pcm = np.clip(rounded, -32768, 32767).astype("<i2").tobytes()
    fmt = struct.pack("<HHIIHH", 1, channels, int(sample_rate),
                      int(sample_rate) * channels * 2, channels * 2, 16)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + \
        b"data" + struct.pack("<I", len(pcm)) + pcm
    return b"RIFF" + struct.pack("<I", len(body)) + body


def decode_wav(data: bytes) -> tuple:
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise ValueError("not a WAV file (no RIFF/WAVE header)")
    i, fmt, pcm = 12, None, None
    while i + 8 <= len(data):
        kind, (length,) = data[i:i + 4], struct.unpack("<I", data[i + 4:i + 8])
        body = data[i + 8:i + 8 + length]
        if len(body) != length:
            raise ValueError(f"truncated WAV chunk {kind!r}")
        if kind == b"fmt ":
            fmt = struct.unpack("<HHIIHH", body[:16])
        elif kind == b"data":
            pcm = body
        i += 8 + length + (length & 1)
    if fmt is None or pcm is None:
        raise ValueError("WAV file without fmt and data chunks")
    audio_format, channels, rate, _, _, bits = fmt
    if audio_format != 1 or bits != 16:
        raise ValueError(f"unsupported WAV: format {audio_format}, {bits} bits per sample")
    samples = np.frombuffer(pcm, "<i2").astype(np.float32) / 32768.0
    return samples.reshape(-1, channels), rate
