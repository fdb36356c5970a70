"""PNG and WAV, as TensorBoard's image and audio summaries hold them, with the standard
library only (zlib for PNG's deflate and CRC-32).

encode_png(pixels)        uint8 [height, width, channels], channels 1 (grey), 3 (RGB) or
                          4 (RGBA); 8 bits per sample, one IDAT chunk, filter 0 per row
decode_png(data)          back to uint8 [height, width, channels]; reads any 8-bit
                          grey/RGB/grey+alpha/RGBA PNG without interlacing (all five row
                          filters), checking every chunk's CRC
encode_wav(samples, rate) float [frames, channels] in [-1, 1] as 16-bit PCM (TF's
                          rounding: round(x * 32768) clamped to int16)
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


def encode_png(pixels: np.ndarray) -> bytes:
    image = np.asarray(pixels)
    if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] not in _COLOR_TYPE:
        raise ValueError(f"encode_png needs uint8 [height, width, 1|2|3|4], got "
                         f"{image.dtype} {list(image.shape)}")
    height, width, channels = image.shape
    rows = np.zeros((height, 1 + width * channels), np.uint8)  # filter byte 0: none
    rows[:, 1:] = image.reshape(height, width * channels)
    header = struct.pack(">IIBBBBB", width, height, 8, _COLOR_TYPE[channels], 0, 0, 0)
    return _SIGNATURE + _chunk(b"IHDR", header) + \
        _chunk(b"IDAT", zlib.compress(rows.tobytes(), 6)) + _chunk(b"IEND", b"")


def decode_png(data: bytes) -> np.ndarray:
    if not data.startswith(_SIGNATURE):
        raise ValueError("not a PNG file (bad signature)")
    i, header, idat = len(_SIGNATURE), None, []
    while i + 8 <= len(data):
        (length,) = struct.unpack(">I", data[i:i + 4])
        kind, body = data[i + 4:i + 8], data[i + 8:i + 8 + length]
        if len(body) != length or i + 12 + length > len(data):
            raise ValueError(f"truncated PNG chunk {kind!r}")
        (crc,) = struct.unpack(">I", data[i + 8 + length:i + 12 + length])
        if crc != zlib.crc32(kind + body) & 0xFFFFFFFF:
            raise ValueError(f"bad CRC in PNG chunk {kind!r}")
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
        i += 12 + length
    if header is None:
        raise ValueError("PNG without an IHDR chunk")
    width, height, depth, color, _, _, interlace = header
    if depth != 8 or color not in _CHANNELS or interlace:
        raise ValueError(f"unsupported PNG: bit depth {depth}, colour type {color}, "
                         f"interlace {interlace}")
    channels = _CHANNELS[color]
    stride = width * channels
    raw = np.frombuffer(zlib.decompress(b"".join(idat)), np.uint8)
    if raw.size != height * (stride + 1):
        raise ValueError(f"PNG data holds {raw.size} bytes, expected {height * (stride + 1)}")
    raw = raw.reshape(height, stride + 1)
    out = np.zeros((height, stride), np.int32)
    prev = np.zeros(stride, np.int32)
    for y in range(height):
        kind, line = raw[y, 0], raw[y, 1:].astype(np.int32)
        if kind == 0:
            cur = line
        elif kind == 2:  # up
            cur = (line + prev) & 0xFF
        elif kind in (1, 3, 4):  # sub, average, paeth: each byte needs its left neighbour
            cur = np.zeros(stride, np.int32)
            for x in range(stride):
                left = cur[x - channels] if x >= channels else 0
                up, corner = prev[x], prev[x - channels] if x >= channels else 0
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
    return out.astype(np.uint8).reshape(height, width, channels)


def encode_wav(samples: np.ndarray, sample_rate: int) -> bytes:
    audio = np.asarray(samples, np.float32)
    if audio.ndim != 2:
        raise ValueError(f"encode_wav needs [frames, channels], got {list(audio.shape)}")
    frames, channels = audio.shape
    pcm = np.clip(np.round(audio * 32768.0), -32768, 32767).astype("<i2").tobytes()
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
