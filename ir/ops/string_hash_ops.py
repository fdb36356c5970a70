"""Hashing strings into buckets, with TensorFlow's hash functions, so ids agree with TF's:

  StringToHashBucketFast    FarmHash's Fingerprint64 (farmhashna::Hash64) % num_buckets
  StringToHashBucketStrong  SipHash-2-4 keyed by two uint64 words % num_buckets
  StringToHashBucket        TF's legacy Hash64 (MurmurHash64A, seed 0xDECAFCAFFE)

The hash functions are written here in Python over 64-bit words (tested against the
published vectors of each algorithm and TF's documented buckets). Non-differentiable.
"""
from __future__ import annotations

import struct
from typing import Optional

import numpy as np

from .. import dtypes as dt
from ..errors import InvalidArgumentError
from ..shapes import TensorShape
from ._base import NON_DIFFERENTIABLE, apply, check_dtype, convert_to_tensor, defop
from .string_ops import FAMILY, elementwise, strings_in

__all__ = ["fingerprint64", "siphash24", "murmur_hash64", "hash_bucket_op", "fingerprint"]

M64 = (1 << 64) - 1
K0, K1, K2 = 0xc3a5c85c97cb3127, 0xb492b66fbe98f273, 0x9ae16a3b2f90404f


def _u64(s: bytes, i: int) -> int:
    return struct.unpack_from("<Q", s, i)[0]


def _u32(s: bytes, i: int) -> int:
    return struct.unpack_from("<I", s, i)[0]


def _rot(v: int, r: int) -> int:
    return v if r == 0 else ((v >> r) | (v << (64 - r))) & M64


def _mix(v: int) -> int:
    return v ^ (v >> 47)


def _len16(u: int, v: int, mul: int) -> int:
    a = ((u ^ v) * mul) & M64
    a ^= a >> 47
    b = ((v ^ a) * mul) & M64
    b ^= b >> 47
    return (b * mul) & M64


def _short(s: bytes) -> int:
    n = len(s)
    if n >= 8:
        mul = K2 + n * 2
        a = (_u64(s, 0) + K2) & M64
        b = _u64(s, n - 8)
        c = (_rot(b, 37) * mul + a) & M64
        d = ((_rot(a, 25) + b) * mul) & M64
        return _len16(c, d, mul)
    if n >= 4:
        mul = K2 + n * 2
        return _len16((n + (_u32(s, 0) << 3)) & M64, _u32(s, n - 4), mul)
    if n:
        y = s[0] + (s[n >> 1] << 8)
        z = n + (s[n - 1] << 2)
        return (_mix(((y * K2) ^ (z * K0)) & M64) * K2) & M64
    return K2


def _len17to32(s: bytes) -> int:
    n = len(s)
    mul = K2 + n * 2
    a = (_u64(s, 0) * K1) & M64
    b = _u64(s, 8)
    c = (_u64(s, n - 8) * mul) & M64
    d = (_u64(s, n - 16) * K2) & M64
    return _len16((_rot((a + b) & M64, 43) + _rot(c, 30) + d) & M64,
                  (a + _rot((b + K2) & M64, 18) + c) & M64, mul)


def _len33to64(s: bytes) -> int:
    n = len(s)
    mul = K2 + n * 2
    a = (_u64(s, 0) * K2) & M64
    b = _u64(s, 8)
    c = (_u64(s, n - 8) * mul) & M64
    d = (_u64(s, n - 16) * K2) & M64
    y = (_rot((a + b) & M64, 43) + _rot(c, 30) + d) & M64
    z = _len16(y, (a + _rot((b + K2) & M64, 18) + c) & M64, mul)
    e = (_u64(s, 16) * mul) & M64
    f = _u64(s, 24)
    g = ((y + _u64(s, n - 32)) * mul) & M64
    h = ((z + _u64(s, n - 24)) * mul) & M64
    return _len16((_rot((e + f) & M64, 43) + _rot(g, 30) + h) & M64,
                  (e + _rot((f + a) & M64, 18) + g) & M64, mul)


def _weak32(s: bytes, i: int, a: int, b: int) -> tuple:
    w, x, y, z = (_u64(s, i + 8 * k) for k in range(4))
    a = (a + w) & M64
    b = _rot((b + a + z) & M64, 21)
    c = a
    a = (a + x + y) & M64
    b = (b + _rot(a, 44)) & M64
    return (a + z) & M64, (b + c) & M64


def fingerprint64(s: bytes) -> int:
    """FarmHash Fingerprint64 (farmhashna::Hash64) of a byte string, as an unsigned int."""
    n = len(s)
    if n <= 16:
        return _short(s)
    if n <= 32:
        return _len17to32(s)
    if n <= 64:
        return _len33to64(s)
    x, y = 81, (81 * K1 + 113) & M64
    z = (_mix((y * K2 + 113) & M64) * K2) & M64
    v, w = (0, 0), (0, 0)
    x = (x * K2 + _u64(s, 0)) & M64
    end = ((n - 1) // 64) * 64
    i = 0
    while True:
        x = (_rot((x + y + v[0] + _u64(s, i + 8)) & M64, 37) * K1) & M64
        y = (_rot((y + v[1] + _u64(s, i + 48)) & M64, 42) * K1) & M64
        x ^= w[1]
        y = (y + v[0] + _u64(s, i + 40)) & M64
        z = (_rot((z + w[0]) & M64, 33) * K1) & M64
        v = _weak32(s, i, (v[1] * K1) & M64, (x + w[0]) & M64)
        w = _weak32(s, i + 32, (z + w[1]) & M64, (y + _u64(s, i + 16)) & M64)
        z, x = x, z
        i += 64
        if i == end:
            break
    mul = K1 + ((z & 0xff) << 1)
    i = n - 64
    w = ((w[0] + ((n - 1) & 63)) & M64, w[1])
    v = ((v[0] + w[0]) & M64, v[1])
    w = ((w[0] + v[0]) & M64, w[1])
    x = (_rot((x + y + v[0] + _u64(s, i + 8)) & M64, 37) * mul) & M64
    y = (_rot((y + v[1] + _u64(s, i + 48)) & M64, 42) * mul) & M64
    x ^= (w[1] * 9) & M64
    y = (y + v[0] * 9 + _u64(s, i + 40)) & M64
    z = (_rot((z + w[0]) & M64, 33) * mul) & M64
    v = _weak32(s, i, (v[1] * mul) & M64, (x + w[0]) & M64)
    w = _weak32(s, i + 32, (z + w[1]) & M64, (y + _u64(s, i + 16)) & M64)
    z, x = x, z
    return _len16((_len16(v[0], w[0], mul) + _mix(y) * K0 + z) & M64,
                  (_len16(v[1], w[1], mul) + x) & M64, mul)


def siphash24(key: tuple, s: bytes) -> int:
    """SipHash-2-4 of `s` keyed by two uint64 words (k0, k1)."""
    k0, k1 = key[0] & M64, key[1] & M64
    v = [k0 ^ 0x736f6d6570736575, k1 ^ 0x646f72616e646f6d, k0 ^ 0x6c7967656e657261,
         k1 ^ 0x7465646279746573]

    def rounds(count):
        for _ in range(count):
            v[0] = (v[0] + v[1]) & M64
            v[1] = _rot(v[1], 64 - 13) ^ v[0]
            v[0] = _rot(v[0], 64 - 32)
            v[2] = (v[2] + v[3]) & M64
            v[3] = _rot(v[3], 64 - 16) ^ v[2]
            v[0] = (v[0] + v[3]) & M64
            v[3] = _rot(v[3], 64 - 21) ^ v[0]
            v[2] = (v[2] + v[1]) & M64
            v[1] = _rot(v[1], 64 - 17) ^ v[2]
            v[2] = _rot(v[2], 64 - 32)

    n = len(s)
    tail = s[n - n % 8:] + bytes(7 - n % 8) + bytes([n & 0xff])
    for m in [_u64(s, i) for i in range(0, n - n % 8, 8)] + [_u64(tail, 0)]:
        v[3] ^= m
        rounds(2)
        v[0] ^= m
    v[2] ^= 0xff
    rounds(4)
    return v[0] ^ v[1] ^ v[2] ^ v[3]


def murmur_hash64(s: bytes, seed: int = 0xDECAFCAFFE) -> int:
    """TF's legacy Hash64 (MurmurHash64A)."""
    m, n = 0xc6a4a7935bd1e995, len(s)
    h = (seed ^ (n * m)) & M64
    for i in range(0, n - n % 8, 8):
        k = (_u64(s, i) * m) & M64
        k = ((k ^ (k >> 47)) * m) & M64
        h = ((h ^ k) * m) & M64
    rest = s[n - n % 8:]
    if rest:
        for j in range(len(rest) - 1, -1, -1):
            h ^= rest[j] << (8 * j)
        h = (h * m) & M64
    h = ((h ^ (h >> 47)) * m) & M64
    return h ^ (h >> 47)


def _bucket_infer(op):
    check_dtype(op, op.inputs[0], (dt.string,), "input")
    return [(dt.int64, op.inputs[0].shape)]


def _bucket_compute(kind):
    def compute(x, *, num_buckets, key=None):
        if kind == "fast":
            fn = fingerprint64
        elif kind == "strong":
            k = tuple(key)
            fn = lambda s: siphash24(k, s)  # noqa: E731
        else:
            fn = murmur_hash64
        return elementwise(lambda s: fn(s) % num_buckets, x, np.int64)
    return compute


for _kind, _name in (("fast", "StringToHashBucketFast"), ("strong", "StringToHashBucketStrong"),
                     ("legacy", "StringToHashBucket")):
    defop(_name, _bucket_infer, _bucket_compute(_kind), NON_DIFFERENTIABLE, family=FAMILY)


def hash_bucket_op(kind: str, input, num_buckets: int, key=None, name: Optional[str] = None):
    """Hash each string into [0, num_buckets) with kind "fast", "strong" (key: two ints)
    or "legacy"."""
    if int(num_buckets) < 1:
        raise ValueError(f"num_buckets must be >= 1, got {num_buckets}")
    op_type = {"fast": "StringToHashBucketFast", "strong": "StringToHashBucketStrong",
               "legacy": "StringToHashBucket"}[kind]
    attrs = {"num_buckets": int(num_buckets)}
    if kind == "strong":
        if key is None or len(key) != 2:
            raise ValueError(f"key must be a list of two ints, got {key!r}")
        attrs["key"] = [int(k) & M64 for k in key]
    return apply(op_type, (strings_in(input, "input"),), attrs, name=name or op_type)


# ---------------------------------------------------------------- Fingerprint
def _fingerprint(data, method):
    """TF's Fingerprint: per row of data (its first dim) the little-endian bytes of
    Fingerprint64 of the row's bytes; for strings, of the row's strings' fingerprints
    (each string's own when a row holds one)."""
    method = np.asarray(method).item()
    if method not in (b"farmhash64", "farmhash64"):
        raise InvalidArgumentError(None, None, f"Unsupported fingerprint method: {method!r}")
    rows = data.reshape(data.shape[0] if data.ndim else 1, -1)
    out = np.zeros((rows.shape[0], 8), np.uint8)
    for i, row in enumerate(rows):
        if data.dtype == object:
            prints = [fingerprint64(s) for s in row]
            blob = row[0] if len(prints) == 1 else b"".join(struct.pack("<Q", p) for p in prints)
            value = fingerprint64(blob) if len(prints) != 1 else prints[0]
        else:
            value = fingerprint64(np.ascontiguousarray(row).tobytes())
        out[i] = np.frombuffer(struct.pack("<Q", value), np.uint8)
    return out


def _fingerprint_infer(op):
    data, method = op.inputs
    check_dtype(op, method, (dt.string,), "method")
    if data.shape.ndims == 0:
        raise ValueError(f"data '{data.name}' must have rank >= 1")
    n = data.shape.as_tuple()[0] if data.shape.ndims else None
    return [(dt.uint8, TensorShape([n, 8]))]


defop("Fingerprint", _fingerprint_infer, _fingerprint, NON_DIFFERENTIABLE, family=FAMILY)


def fingerprint(data, method="farmhash64", name: Optional[str] = None):
    """TF1 `tf.fingerprint`: an 8-byte (uint8) fingerprint of each row of `data`."""
    if method != "farmhash64":
        raise ValueError(f"Unsupported fingerprint method: {method!r}")
    return apply("Fingerprint", (convert_to_tensor(data, name="data"),
                                 convert_to_tensor(method, dtype=dt.string, name="method")),
                 name=name or "Fingerprint")
