"""Philox4x32-10, the counter-based generator TF uses, vectorised in numpy.

Every random op draws its numbers from `philox(counter, key)`, a pure function, so the
same seeds give the same numbers on every backend and no generator state is shared
between threads. The mapping, which a native backend reproduces bit for bit:

  key      = (seed mod 2^32, seed2 mod 2^32)
  counter  = (block mod 2^32, block >> 32, call mod 2^32, call >> 32), one block per
             4 output words; `call` counts the op's runs in the Session (0, 1, 2, ...),
             `block` counts 4-word blocks of the op's output (extra rounds of truncated
             normal resampling use call index `call + (round << 40)`)
  words    = the 4 uint32 outputs of each block, concatenated in block order
  uniform float32 in [0, 1): float32 with bits 0x3f800000 | (word >> 9), minus 1.0
  uniform float64 in [0, 1): two words (hi, lo): float64 with bits
             0x3ff0000000000000 | ((hi << 32 | lo) >> 12), minus 1.0
  uniform float16: float32 value rounded to float16 (then 1.0 is clamped below 1)
  normal (Box-Muller, TF's): u1 = max(uniform(w0), 1e-7), v = 2*pi*uniform(w1);
             r = sqrt(-2 ln u1); outputs r*sin(v), r*cos(v) (float64: words in pairs)
  integers in [lo, hi): lo + word mod (hi - lo) (int64: two words, hi << 32 | lo)
"""
from __future__ import annotations

import numpy as np

M0 = np.uint64(0xD2511F53)
M1 = np.uint64(0xCD9E8D57)
W0 = np.uint32(0x9E3779B9)
W1 = np.uint32(0xBB67AE85)
_MASK32 = np.uint64(0xFFFFFFFF)
_SHIFT32 = np.uint64(32)


def philox(counter: np.ndarray, key: tuple) -> np.ndarray:
    """Philox4x32-10 of a [n, 4] uint32 counter array with a 2-word key -> [n, 4] uint32."""
    c = [counter[:, i].astype(np.uint64) for i in range(4)]
    k0, k1 = np.uint32(key[0]), np.uint32(key[1])
    for r in range(10):
        if r:
            k0 = np.uint32((int(k0) + int(W0)) & 0xFFFFFFFF)
            k1 = np.uint32((int(k1) + int(W1)) & 0xFFFFFFFF)
        p0 = M0 * c[0]
        p1 = M1 * c[2]
        hi0, lo0 = p0 >> _SHIFT32, p0 & _MASK32
        hi1, lo1 = p1 >> _SHIFT32, p1 & _MASK32
        c = [hi1 ^ c[1] ^ np.uint64(k0), lo1, hi0 ^ c[3] ^ np.uint64(k1), lo0]
    return np.stack([x.astype(np.uint32) for x in c], axis=1)


def random_words(n: int, seed: int, seed2: int, call: int) -> np.ndarray:
    """n uint32 words for one run (`call`) of an op with seeds (seed, seed2)."""
    blocks = (n + 3) // 4
    idx = np.arange(blocks, dtype=np.uint64)
    counter = np.empty((blocks, 4), dtype=np.uint32)
    counter[:, 0] = (idx & _MASK32).astype(np.uint32)
    counter[:, 1] = (idx >> _SHIFT32).astype(np.uint32)
    counter[:, 2] = np.uint32(call & 0xFFFFFFFF)
    counter[:, 3] = np.uint32((call >> 32) & 0xFFFFFFFF)
    key = (seed & 0xFFFFFFFF, seed2 & 0xFFFFFFFF)
    return philox(counter, key).reshape(-1)[:n]


def _uniform01_f32(words: np.ndarray) -> np.ndarray:
    bits = (words >> np.uint32(9)) | np.uint32(0x3F800000)
    return bits.view(np.float32) - np.float32(1.0)


def _uniform01_f64(hi: np.ndarray, lo: np.ndarray) -> np.ndarray:
    wide = (hi.astype(np.uint64) << _SHIFT32) | lo.astype(np.uint64)
    bits = (wide >> np.uint64(12)) | np.uint64(0x3FF0000000000000)
    return bits.view(np.float64) - 1.0


def uniform(n: int, dtype: np.dtype, seed: int, seed2: int, call: int) -> np.ndarray:
    """n values uniform in [0, 1) of a float dtype."""
    dtype = np.dtype(dtype)
    if dtype == np.float64:
        w = random_words(2 * n, seed, seed2, call)
        return _uniform01_f64(w[0::2], w[1::2])
    out = _uniform01_f32(random_words(n, seed, seed2, call))
    if dtype == np.float16:
        return np.minimum(out.astype(np.float16), np.float16(0.99951))
    return out


def normal(n: int, dtype: np.dtype, seed: int, seed2: int, call: int) -> np.ndarray:
    """n standard normal values (Box-Muller), in dtype."""
    dtype = np.dtype(dtype)
    pairs = (n + 1) // 2
    if dtype == np.float64:
        w = random_words(4 * pairs, seed, seed2, call)
        u1 = np.maximum(_uniform01_f64(w[0::4], w[1::4]), 1e-7)
        v = 2 * np.pi * _uniform01_f64(w[2::4], w[3::4])
        r = np.sqrt(-2.0 * np.log(u1))
    else:
        w = random_words(2 * pairs, seed, seed2, call)
        u1 = np.maximum(_uniform01_f32(w[0::2]), np.float32(1e-7))
        v = np.float32(2 * np.pi) * _uniform01_f32(w[1::2])
        r = np.sqrt(np.float32(-2.0) * np.log(u1))
    out = np.empty(2 * pairs, dtype=r.dtype)
    out[0::2] = r * np.sin(v)
    out[1::2] = r * np.cos(v)
    return out[:n].astype(dtype)


def truncated_normal(n: int, dtype: np.dtype, seed: int, seed2: int, call: int) -> np.ndarray:
    """Standard normal values resampled until |x| < 2 (as TF's TruncatedNormal)."""
    out = normal(n, dtype, seed, seed2, call)
    bad = np.flatnonzero(np.abs(out) >= 2.0)
    rnd = 1
    while bad.size:
        fresh = normal(n, dtype, seed, seed2, call + (rnd << 40))
        out[bad] = fresh[bad]
        bad = bad[np.abs(out[bad]) >= 2.0]
        rnd += 1
    return out


def integers(n: int, lo: int, hi: int, dtype: np.dtype, seed: int, seed2: int,
             call: int) -> np.ndarray:
    """n integers uniform in [lo, hi) (modulo reduction, as TF)."""
    dtype = np.dtype(dtype)
    span = hi - lo
    if dtype.itemsize == 8:
        w = random_words(2 * n, seed, seed2, call)
        wide = (w[0::2].astype(np.uint64) << _SHIFT32) | w[1::2].astype(np.uint64)
        return (np.int64(lo) + (wide % np.uint64(span)).astype(np.int64)).astype(dtype)
    w = random_words(n, seed, seed2, call)
    return (np.int64(lo) + (w.astype(np.uint64) % np.uint64(span)).astype(np.int64)
            ).astype(dtype)
