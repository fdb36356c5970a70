"""The protobuf wire format, as much as TensorBoard's files need: an encoder for the
messages graphc writes (Event, Summary, HistogramProto, GraphDef) and a decoder used to
read them back. No protobuf dependency: a message is built from (field, kind, value)
triples and decoded into {field: [values]}. Also TFRecord framing (event files and
tf.data's TFRecord files are the same record format): `record` and `read_records`.

Kinds: "varint" (int, bool, enum), "double" (fixed 64-bit float), "float" (fixed 32-bit
float), "bytes" (bytes, str or an encoded sub-message), "packed_double".
"""
from __future__ import annotations

import struct

from .crc32c import crc32c, masked_crc32c  # noqa: F401  (TFRecord CRCs; shared code)


def varint(n: int) -> bytes:
    if n < 0:
        n += 1 << 64  # int64 negatives: ten bytes, two's complement
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def field(number: int, kind: str, value) -> bytes:
    if kind == "varint":
        return varint(number << 3) + varint(int(value))
    if kind == "double":
        return varint(number << 3 | 1) + struct.pack("<d", float(value))
    if kind == "float":
        return varint(number << 3 | 5) + struct.pack("<f", float(value))
    if kind == "bytes":
        data = value.encode("utf-8") if isinstance(value, str) else bytes(value)
        return varint(number << 3 | 2) + varint(len(data)) + data
    if kind == "packed_double":
        data = struct.pack(f"<{len(value)}d", *[float(v) for v in value])
        return varint(number << 3 | 2) + varint(len(data)) + data
    raise ValueError(f"unknown field kind {kind!r}")


def message(*fields: tuple) -> bytes:
    """Concatenate (number, kind, value) fields; None values are skipped."""
    return b"".join(field(n, k, v) for n, k, v in fields if v is not None)


# ---------------------------------------------------------------- decoding
def decode(data: bytes) -> dict:
    """{field number: [raw values]}: ints for varints, bytes for length-delimited,
    floats for fixed 32/64-bit fields (sub-messages are decoded by the caller)."""
    out: dict = {}
    i, n = 0, len(data)
    while i < n:
        key, i = _read_varint(data, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, i = _read_varint(data, i)
        elif wire == 1:
            if i + 8 > n:
                raise ValueError("truncated 64-bit field")
            value = struct.unpack_from("<d", data, i)[0]
            i += 8
        elif wire == 5:
            if i + 4 > n:
                raise ValueError("truncated 32-bit field")
            value = struct.unpack_from("<f", data, i)[0]
            i += 4
        elif wire == 2:
            length, i = _read_varint(data, i)
            if i + length > n:
                raise ValueError("truncated length-delimited field")
            value = data[i:i + length]
            i += length
        else:
            raise ValueError(f"unsupported wire type {wire}")
        out.setdefault(number, []).append(value)
    return out


def _read_varint(data: bytes, i: int) -> tuple[int, int]:
    shift = result = 0
    while True:
        if i >= len(data) or shift > 63:
            raise ValueError("truncated or overlong varint")
        byte = data[i]
        i += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, i
        shift += 7


read_varint = _read_varint  # (value, next index) of the varint at data[i]


def packed_doubles(data: bytes) -> list:
    return list(struct.unpack(f"<{len(data) // 8}d", data))


# ---------------------------------------------------------------- TFRecord framing
def record(data: bytes) -> bytes:
    """One TFRecord: length (uint64 LE), its masked CRC, the data, the data's masked CRC."""
    header = struct.pack("<Q", len(data))
    return header + struct.pack("<I", masked_crc32c(header)) + data + \
        struct.pack("<I", masked_crc32c(data))


class RecordError(ValueError):
    """A damaged TFRecord stream: where, and what is wrong."""


def read_records(read, check_crc: bool = True):
    """The records of a TFRecord stream; `read(n)` returns up to n bytes (b"" at the end).
    Raises RecordError naming the byte offset of a truncated or corrupted record."""
    offset = 0
    while True:
        header = read(12)
        if not header:
            return
        if len(header) < 12:
            raise RecordError(f"truncated record header at byte {offset}")
        (length,) = struct.unpack("<Q", header[:8])
        if check_crc and struct.unpack("<I", header[8:])[0] != masked_crc32c(header[:8]):
            raise RecordError(f"corrupted record at byte {offset}: bad length CRC")
        body = read(length + 4)
        if len(body) < length + 4:
            raise RecordError(f"truncated record at byte {offset}")
        data = body[:length]
        if check_crc and struct.unpack("<I", body[length:])[0] != masked_crc32c(data):
            raise RecordError(f"corrupted record at byte {offset}: bad data CRC")
        yield data
        offset += 16 + length
