"""Special values through float floor division, float -> int casts and integer division
of empty tensors, on both backends, against TF1's semantics written out per element in
Python (issue 15 items 3, 4 and 14): single ops, and random elementwise chains that
fusion turns into one loop nest on llvm (derandomized, bounded examples).

TF1's float FloorDiv is floor(x / y) and its FloorMod is fmod(x, y) moved into the
divisor's sign (Eigen's google_floor_div_real and google_floor_fmod); float -> int casts
are x86's (numpy's and TensorFlow's there): truncation in range, INT_MIN of int32/int64
for NaN, +-inf and out-of-range values, narrower widths through int32 keeping the low bits.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

import graphc as tf

BACKENDS = ["numpy", "llvm"]
FLOATS = [np.float32, np.float64]
INTS = [np.int8, np.int16, np.int32, np.int64, np.uint8]
NAN, INF = float("nan"), float("inf")
SPECIAL = [NAN, INF, -INF, 0.0, -0.0, 1.0, -1.0, 0.5, -2.5, 7.0, -7.0, 0.1, 300.7, -300.7,
           -129.5, 255.9, 65541.0, 40000.0, 2147483520.0, -2147483648.0, 3e9, -3e9, 9.3e18,
           -9.3e18, 2.0 ** 63, 1e20, -1e20, 3e38, 1e-30, -1e-30, 1e-45, 1e-300]


# ---------------------------------------------------------------- TF1, one element at a time
def ref_floordiv(x: float, y: float, ftype) -> float:
    """floor(x / y) with IEEE's division (Python's raises for y == 0)."""
    if y == 0:
        q = NAN if x == 0 or math.isnan(x) else math.copysign(INF, x) * math.copysign(1, y)
    else:
        q = float(ftype(x / y))  # rounded once to float64, then to ftype: exact for /
    return q if math.isnan(q) or math.isinf(q) else float(np.floor(ftype(q)))


def ref_floormod(x: float, y: float, ftype) -> float:
    """C's fmod(x, y), moved into the divisor's sign when non-zero and of the other sign."""
    if math.isnan(x) or math.isnan(y) or math.isinf(x) or y == 0:
        return NAN
    m = math.fmod(x, y)  # exact
    if m != 0 and (y < 0) != (m < 0):
        m = float(ftype(m + y))
    return m


def ref_cast(v: float, itype) -> int:
    """x86's cvttss2si/cvttsd2si into int32 (int64 for 64-bit targets), then the low bits."""
    info = np.iinfo(itype)
    wide = 64 if info.bits == 64 else 32
    if math.isnan(v) or not -2.0 ** (wide - 1) <= v < 2.0 ** (wide - 1):
        r = -(2 ** (wide - 1))
    else:
        r = math.trunc(v)
    r &= (1 << info.bits) - 1
    return r - (1 << info.bits) if info.min < 0 and r > info.max else r


def _elementwise(fn, *arrays, dtype):
    out = np.frompyfunc(fn, len(arrays), 1)(*[a.astype(np.float64) for a in arrays])
    return np.asarray(out, dtype=np.float64).astype(dtype) if dtype is not bool else \
        np.asarray(out, dtype=bool)


def _same(got, want, what):
    """Equal bit for bit as values: NaN where NaN, the sign of every zero."""
    assert got.dtype == want.dtype and got.shape == want.shape, (what, got.dtype, got.shape)
    if got.dtype.kind == "f":
        nan = np.isnan(got) & np.isnan(want)  # (a NaN's sign is no value's)
        same = nan | ((got == want) & (np.signbit(got) == np.signbit(want)))
    else:
        same = got == want
    bad = np.flatnonzero(~same)
    assert not bad.size, (f"{what}: {bad.size} wrong, first at {bad[0]}: got {got.flat[bad[0]]!r}"
                          f", want {want.flat[bad[0]]!r}")


def _run(backend, fetches, feed):
    with tf.Session(backend=backend) as sess:
        return sess.run(fetches, feed)


# ---------------------------------------------------------------- single ops
@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("ftype", FLOATS)
def test_float_floordiv_and_floormod_special_values_are_tf1s(backend, ftype):
    # the case: llvm gave [0, 0, -1] (NaN vanished), numpy [nan, nan, -1]
    x = tf.placeholder(ftype, [None])
    y = tf.placeholder(ftype, [None])
    got = _run(backend, [tf.floordiv(x, y), tf.floormod(x, y)],
               {x: ftype([NAN, INF, -5]), y: ftype([1, 0.5, INF])})
    _same(got[0], ftype([NAN, INF, -0.0]), "floordiv")
    _same(got[1], ftype([NAN, NAN, INF]), "floormod")
    table = [  # x, y, x // y, x % y (TF1)
        (5, INF, 0.0, 5), (5, -INF, -0.0, -INF), (-5, -INF, 0.0, -5), (-INF, 2, -INF, NAN),
        (1, 0, INF, NAN), (-1, 0, -INF, NAN), (0, 0, NAN, NAN), (1, -0.0, -INF, NAN),
        (0.0, 5, 0.0, 0.0), (-0.0, 5, -0.0, -0.0), (0.0, -5, -0.0, 0.0), (-4, 2, -2, -0.0),
        (4, -2, -2, 0.0), (-7, 2, -4, 1), (7, -2, -4, -1), (3, NAN, NAN, NAN),
        (1, 0.1, 10, float(np.fmod(ftype(1), ftype(0.1)))),
        (INF, INF, NAN, NAN)]
    xs, ys, q, m = (ftype([row[i] for row in table]) for i in range(4))
    got = _run(backend, [tf.floordiv(x, y), tf.floormod(x, y), x // y, x % y], {x: xs, y: ys})
    for i, want in enumerate([q, m, q, m]):
        _same(got[i], want, f"output {i}")


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("ftype", FLOATS)
def test_float_floor_ops_match_the_reference_on_every_pair_of_special_values(backend, ftype):
    xs, ys = (a.ravel() for a in np.meshgrid(ftype(SPECIAL), ftype(SPECIAL)))
    x = tf.placeholder(ftype, [None])
    y = tf.placeholder(ftype, [None])
    q, m = _run(backend, [tf.floordiv(x, y), tf.floormod(x, y)], {x: xs, y: ys})
    _same(q, _elementwise(lambda a, b: ref_floordiv(a, b, ftype), xs, ys, dtype=ftype), "//")
    _same(m, _elementwise(lambda a, b: ref_floormod(a, b, ftype), xs, ys, dtype=ftype), "%")


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.uint8])
def test_integer_division_of_an_empty_tensor_by_zero_is_empty(backend, dtype):
    # issue 15 item 14: numpy raised "Integer division by zero" (no element divides)
    x = tf.placeholder(dtype, [None])
    ops = [tf.floordiv, tf.floormod, tf.truncatediv, tf.truncatemod, tf.mod,
           lambda a, b: a // b, lambda a, b: a % b, tf.div]
    zero = np.zeros([], dtype)
    got = _run(backend, [op(x, zero) for op in ops] + [tf.pow(x, -np.ones([], dtype))
                                                       if dtype != np.uint8 else x],
               {x: np.zeros([0], dtype)})
    for i, g in enumerate(got):
        assert g.shape == (0,) and g.dtype == dtype, (i, g.shape, g.dtype)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Integer division by zero"):
        _run(backend, tf.floordiv(x, zero), {x: np.ones([1], dtype)})
