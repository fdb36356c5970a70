"""CRC-32C (ir/crc32c.py): the standard check values, the table loop and the vectorised
path agree with a bit-by-bit reference at every length around their boundaries, a CRC
continues across pieces, and TensorFlow's mask round-trips."""
from __future__ import annotations

import numpy as np
import pytest

from graphc.ir import crc32c as C


def _bitwise(data: bytes, crc: int = 0) -> int:
    crc ^= 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (C.POLY if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def test_check_values():
    assert C.crc32c(b"") == 0
    assert C.crc32c(b"123456789") == 0xE3069283      # the CRC-32C check value
    assert C.crc32c(bytes(32)) == 0x8A9136AA           # RFC 3720 B.4 test vectors
    assert C.crc32c(b"\xff" * 32) == 0x62A8AB43
    assert C.crc32c(bytes(range(32))) == 0x46DD794E


@pytest.mark.parametrize("n", [1, 3, 4, 5, 63, 64, 65, C.SHORT, C.SHORT + 1, 1000, 4096,
                               4097, 3 * C.BLOCK * 7 + 5, C.SLAB * C.BLOCK + 3])
def test_both_paths_match_the_bitwise_reference(n):
    data = np.random.RandomState(n).randint(0, 256, n).astype(np.uint8).tobytes()
    want = _bitwise(data) if n < 100_000 else None
    got = C.crc32c(data)
    if want is not None:
        assert got == want
    for cut in (0, 1, n // 3, n - 1):
        assert C.crc32c(data[cut:], C.crc32c(data[:cut])) == got
    assert C.crc32c(memoryview(data)) == C.crc32c(bytearray(data)) == got


def test_mask_round_trips_and_matches_tfrecord():
    for value in (0, 1, 0xE3069283, 0xFFFFFFFF):
        assert C.unmask(C.mask(value)) == value
    from graphc.ir import proto
    assert proto.masked_crc32c(b"123456789") == C.mask(0xE3069283)
