"""TensorFlow's sorted string table (`tensorflow/core/lib/io/table*`, LevelDB's format): the
`.index` file of a V2 checkpoint. Written and read here in full, with every offset, length
and CRC checked, so a damaged or hostile index is an error naming the file, never a crash.

A table is data blocks, an (empty) metaindex block, an index block and a 48-byte footer:

    block   := entry* restart_offset(fixed32)* num_restarts(fixed32)
    entry   := shared(varint) unshared(varint) value_len(varint) key_suffix value
    trailer := compression type (1 byte, 0 = none) + masked crc32c(block + type) (fixed32)
    footer  := metaindex handle, index handle (varint64 offset, size; zero-padded to 40
               bytes) + magic 0xdb4775248b80fb57 (fixed64)

Keys are sorted bytes; a key shares a prefix with the one before it except at restart
points (every RESTART_INTERVAL entries). The index block maps, for each data block, a key
at least its last key (graphc writes the last key itself) to the block's handle.
"""
from __future__ import annotations

import struct
from typing import Callable

from ..ir.crc32c import crc32c, mask, unmask
from ..ir.proto import _read_varint as _proto_varint, varint as _varint

MAGIC = 0xDB4775248B80FB57
FOOTER_BYTES = 48
BLOCK_BYTES = 256 << 10   # a data block is closed after this many bytes (TF's bundle default)
RESTART_INTERVAL = 16
Fail = Callable[[str], Exception]


# ---------------------------------------------------------------- varints
def _read_varint(data, i: int, end: int, fail: Fail, what: str) -> tuple[int, int]:
    try:
        value, j = _proto_varint(data, i)
    except ValueError:
        j = end + 1
    if j > end:
        raise fail(f"{what}: truncated or overlong varint")
    return value, j


# ---------------------------------------------------------------- writing
class _BlockBuilder:
    def __init__(self, restart_interval: int) -> None:
        self.interval = restart_interval
        self.buf = bytearray()
        self.restarts = [0]
        self.count = 0
        self.last = b""

    def add(self, key: bytes, value: bytes) -> None:
        shared = 0
        if self.count % self.interval:
            limit = min(len(key), len(self.last))
            while shared < limit and key[shared] == self.last[shared]:
                shared += 1
        elif self.count:
            self.restarts.append(len(self.buf))
        self.buf += _varint(shared) + _varint(len(key) - shared) + _varint(len(value))
        self.buf += key[shared:] + value
        self.count += 1
        self.last = key

    def finish(self) -> bytes:
        tail = b"".join(struct.pack("<I", r) for r in self.restarts)
        return bytes(self.buf) + tail + struct.pack("<I", len(self.restarts))


def _handle(offset: int, size: int) -> bytes:
    return _varint(offset) + _varint(size)


def build_table(items) -> bytes:
    """The table of (key, value) byte pairs, which must come sorted by key, unique."""
    out = bytearray()
    index = _BlockBuilder(1)

    def emit(block: bytes) -> bytes:
        offset = len(out)
        out.extend(block + b"\0" + struct.pack("<I", mask(crc32c(block + b"\0"))))
        return _handle(offset, len(block))

    block, previous = _BlockBuilder(RESTART_INTERVAL), None
    for key, value in items:
        if previous is not None and key <= previous:
            raise ValueError(f"table keys must be sorted and unique: {key!r} after "
                             f"{previous!r}")
        block.add(key, value)
        previous = key
        if len(block.buf) >= BLOCK_BYTES:
            index.add(block.last, emit(block.finish()))
            block = _BlockBuilder(RESTART_INTERVAL)
    if block.count:
        index.add(block.last, emit(block.finish()))
    meta_handle = emit(_BlockBuilder(1).finish())
    index_handle = emit(index.finish())
    footer = (meta_handle + index_handle).ljust(40, b"\0") + struct.pack("<Q", MAGIC)
    return bytes(out) + footer


# ---------------------------------------------------------------- reading
def has_footer(tail: bytes) -> bool:
    """Whether the last bytes of a file end with the table's magic number."""
    return len(tail) >= 8 and struct.unpack("<Q", tail[-8:])[0] == MAGIC


def _block(data: bytes, handle: tuple, fail: Fail, what: str) -> bytes:
    offset, size = handle
    if offset + size + 5 > len(data) - FOOTER_BYTES:
        raise fail(f"{what} at offset {offset} of {size} bytes lies beyond the table's "
                   f"{len(data)} bytes (the file is truncated or corrupted)")
    block = data[offset:offset + size]
    kind = data[offset + size]
    (stored,) = struct.unpack_from("<I", data, offset + size + 1)
    if unmask(stored) != crc32c(data[offset:offset + size + 1]):
        raise fail(f"{what} at offset {offset}: bad checksum (the file is corrupted)")
    if kind != 0:
        raise fail(f"{what} at offset {offset}: compression type {kind} (only uncompressed "
                   "blocks, which TensorFlow's checkpoints use, are read)")
    return block


def _entries(block: bytes, fail: Fail, what: str) -> list:
    if len(block) < 4:
        raise fail(f"{what}: {len(block)} bytes is too short for a block")
    (restarts,) = struct.unpack_from("<I", block, len(block) - 4)
    end = len(block) - 4 - 4 * restarts
    if restarts == 0 or end < 0:
        raise fail(f"{what}: bad restart count {restarts}")
    out, key, i = [], b"", 0
    while i < end:
        shared, i = _read_varint(block, i, end, fail, what)
        unshared, i = _read_varint(block, i, end, fail, what)
        length, i = _read_varint(block, i, end, fail, what)
        if shared > len(key) or i + unshared + length > end:
            raise fail(f"{what}: bad entry at byte {i}")
        key = key[:shared] + block[i:i + unshared]
        i += unshared
        out.append((key, block[i:i + length]))
        i += length
    return out


def _decode_handle(value: bytes, fail: Fail, what: str) -> tuple:
    offset, i = _read_varint(value, 0, len(value), fail, what)
    size, _ = _read_varint(value, i, len(value), fail, what)
    return offset, size


def read_table(data: bytes, fail: Fail) -> list:
    """Every (key, value) of the table `data`, in order; `fail(message)` makes the error."""
    if len(data) < FOOTER_BYTES or not has_footer(data):
        raise fail(f"not a TensorFlow table: {len(data)} bytes without the table's footer "
                   "(the file is truncated or corrupted)")
    footer = data[-FOOTER_BYTES:-8]
    _, i = _read_varint(footer, 0, 40, fail, "the footer")
    _, i = _read_varint(footer, i, 40, fail, "the footer")
    index_handle = _decode_handle(footer[i:], fail, "the footer")
    index = _entries(_block(data, index_handle, fail, "the index block"), fail,
                     "the index block")
    out, previous = [], None
    for n, (_, value) in enumerate(index):
        what = f"data block {n}"
        for key, val in _entries(_block(data, _decode_handle(value, fail, what), fail, what),
                                 fail, what):
            if previous is not None and key <= previous:
                raise fail(f"{what}: keys out of order ({key[:80]!r} after "
                           f"{previous[:80]!r})")
            out.append((key, val))
            previous = key
    return out
