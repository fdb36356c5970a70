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
import platform

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import graphc as tf
from graphc.ir.ops.fused_ops import members

BACKENDS = ["numpy", "llvm"]
X86 = platform.machine().lower() in ("x86_64", "amd64", "i386", "i686")
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
@pytest.mark.parametrize("ftype", FLOATS)
def test_float_to_int_casts_of_special_values_are_x86s(backend, ftype):
    # the case: llvm gave 0 for NaN and 2147483647 for inf and 3e9
    x = tf.placeholder(ftype, [None])
    got = _run(backend, tf.cast(x, tf.int32), {x: ftype([NAN, INF, 3e9, -INF, -2.5])})
    np.testing.assert_array_equal(got, np.int32([-2 ** 31] * 4 + [-2]))
    values = ftype(SPECIAL)
    got = _run(backend, [tf.cast(x, t) for t in INTS] + [tf.cast(x, tf.bool)], {x: values})
    for itype, g in zip(INTS, got):
        _same(g, _elementwise(lambda v: ref_cast(v, itype), values, dtype=itype),
              f"{ftype.__name__} -> {itype.__name__}")
    _same(got[-1], _elementwise(lambda v: v != 0, values, dtype=bool), "-> bool")


def test_the_cast_table_is_numpys_on_this_machine():
    # ref_cast is the x86 table; numpy's astype there is the project's reference
    if not X86:
        pytest.skip("numpy's float -> int conversion is x86's only on x86")
    for ftype in FLOATS:
        values = ftype(SPECIAL)
        for itype in INTS:
            with np.errstate(invalid="ignore"):
                _same(values.astype(itype), _elementwise(lambda v: ref_cast(v, itype), values,
                                                         dtype=itype), itype.__name__)


@pytest.mark.parametrize("ftype", [np.float16] + FLOATS)
def test_the_spelt_out_conversion_for_other_machines_is_the_table(ftype):
    # where numpy's astype is not x86's (ARM saturates), the Cast kernel computes this
    from graphc.ir.ops.math_ops import _float_to_int
    values = np.array(SPECIAL * 3, ftype)
    for itype in INTS:
        _same(_float_to_int(values, itype), _elementwise(lambda v: ref_cast(v, itype), values,
                                                         dtype=itype), itype.__name__)
        _same(_float_to_int(values[5], itype), np.asarray(ref_cast(float(values[5]), itype),
                                                          itype), "0-d")


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


# ---------------------------------------------------------------- fused chains, fuzzed
def _chain_ops(ftype):
    """(name, graph builder, reference on float64 copies) for each step of a chain."""
    f = ftype

    def cast_back(itype):
        return (lambda a, b: tf.cast(tf.cast(a, tf.as_dtype(itype)), tf.as_dtype(f)),
                lambda a, b: _elementwise(lambda v: ref_cast(v, itype), a, dtype=itype
                                          ).astype(f))
    steps = {
        "floordiv": (tf.floordiv, lambda a, b: _elementwise(
            lambda u, v: ref_floordiv(u, v, f), a, b, dtype=f)),
        "floormod": (tf.floormod, lambda a, b: _elementwise(
            lambda u, v: ref_floormod(u, v, f), a, b, dtype=f)),
        "scale": (lambda a, b: a * f(3.5) - b, lambda a, b: a * f(3.5) - b),
        "neg": (lambda a, b: -a, lambda a, b: -a),
        "bool": (lambda a, b: tf.cast(tf.cast(a, tf.bool), tf.as_dtype(f)) + b,
                 lambda a, b: (a != 0).astype(f) + b),
    }
    for itype in INTS:
        steps["cast_" + itype.__name__] = cast_back(itype)
    return steps


special_value = st.sampled_from(SPECIAL)


@settings(derandomize=True, max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.sampled_from(FLOATS), st.lists(st.tuples(st.integers(0, 100), st.integers(0, 100),
                                                   st.integers(0, 100)),
                                         min_size=1, max_size=8),
       st.lists(special_value, min_size=1, max_size=24), st.lists(special_value, min_size=1,
                                                                  max_size=24))
def test_random_fused_chains_of_floor_ops_and_casts_match_tf1(ftype, chain, xs, ys):
    steps = _chain_ops(ftype)
    names = sorted(steps)
    n = max(len(xs), len(ys))
    xv = ftype((xs * n)[:n])
    yv = ftype((ys * n)[:n])
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(ftype, [None])
        y = tf.placeholder(ftype, [None])
        pool, want = [x, y], [xv, yv]
        with np.errstate(all="ignore"):
            for s, a, b in chain:
                build, ref = steps[names[s % len(names)]]
                pool.append(build(pool[a % len(pool)], pool[b % len(pool)]))
                want.append(ref(want[a % len(want)], want[b % len(want)]))
        fetches = pool[2:]
        for backend in BACKENDS:
            with tf.Session(graph=g, backend=backend) as sess:
                got = sess.run(fetches, {x: xv, y: yv})
            for i, (u, w) in enumerate(zip(got, want[2:])):
                _same(u, w, f"{backend}: step {i} ({chain[i]}) of {len(chain)}")


@pytest.mark.parametrize("ftype", FLOATS)
def test_floor_ops_and_casts_fused_into_one_llvm_loop_keep_tf1s_special_values(ftype):
    x = tf.placeholder(ftype, [None])
    y = tf.placeholder(ftype, [None])
    q = tf.floordiv(x * ftype(2), y) + tf.floormod(x, y)
    out = tf.cast(q, tf.int32) + tf.cast(tf.cast(x, tf.int8), tf.int32) + tf.cast(
        tf.cast(x - y, tf.bool), tf.int32)
    xs, ys = (a.ravel() for a in np.meshgrid(ftype(SPECIAL), ftype(SPECIAL)))
    with tf.Session(backend="llvm") as sess:
        got = sess.run(out, {x: xs, y: ys})
        executable = next(reversed(sess._plans.values())).executable
        plan = executable.plan
        kinds = [k for k, _ in executable._schedule]
    assert kinds == ["native"], f"not one native call: {kinds}"
    fused = [op for op in plan.nodes if op.type == "Fused"]
    inner = [o for op in fused for o in members(op)]
    assert {"FloorDiv", "FloorMod", "Cast"} <= {o.type for o in inner}, inner
    with np.errstate(all="ignore"):
        qd = _elementwise(lambda a, b: ref_floordiv(a, b, ftype), xs * ftype(2), ys,
                          dtype=ftype)
        qm = _elementwise(lambda a, b: ref_floormod(a, b, ftype), xs, ys, dtype=ftype)
        qv = (qd + qm).astype(ftype)
        want = (_elementwise(lambda v: ref_cast(v, np.int32), qv, dtype=np.int32)
                + _elementwise(lambda v: ref_cast(v, np.int8), xs, dtype=np.int8
                               ).astype(np.int32)
                + ((xs - ys) != 0).astype(np.int32))
    _same(got, want, "fused chain")


@pytest.mark.parametrize("ftype", ["float32", "float64"])
def test_the_checked_float_to_int32_conversion_still_vectorises(ftype, monkeypatch):
    # the range checks are selects around fptosi, so a loop of them uses packed converts
    from graphc.backends.llvm import vmath
    from graphc.backends.llvm.irutil import F32, F64, I64
    from graphc.backends.llvm.scalar_ops import SCALAR
    cast = tf.cast(tf.placeholder(ftype, [None]), tf.int32).op
    if ftype == "float32":  # vmath's test kernels write floats: the int32 goes as its bits
        view = np.int32
        monkeypatch.setitem(vmath.FUNCTIONS, "to_int32", lambda b, v: b.bitcast(
            SCALAR["Cast"](b, cast, [v]), F32))
    else:
        view = np.int64
        monkeypatch.setitem(vmath.FUNCTIONS, "to_int32", lambda b, v: b.bitcast(
            b.sext(SCALAR["Cast"](b, cast, [v]), I64), F64))
    kernel = vmath.build_kernel("to_int32", ftype)
    packed = "cvttps2dq" if ftype == "float32" else "cvttpd2dq"
    assert packed in kernel.assembly or not X86, f"no packed conversion ({packed})"
    values = np.array(SPECIAL * 5, ftype)  # long enough for the vector body and its tail
    got = kernel(values).view(view).astype(np.int32)
    _same(got, _elementwise(lambda v: ref_cast(v, np.int32), values, dtype=np.int32), "loop")
