"""Stage 3 of the llvm backend, the math library: vectorisable transcendental functions,
emitted inline as LLVM IR into the loop nests (called by scalar_ops and kernels).

Every function here is branch-free (arithmetic, selects, bit casts and intrinsics that
have vector forms), so a loop calling them stays vectorisable by LLVM's loop vectoriser.
Each works on float and double registers; special values follow numpy (NaN propagates,
exp overflows to inf and underflows through the denormals to 0, log(0) = -inf,
log(x<0) = NaN, tanh(+-inf) = +-1, signs of zeros kept).

Methods (classic, see Muller, "Elementary Functions"):
  exp     n = rint(x/ln2), r = x - n*ln2 (two-part constant), e^r = 1 + r + r^2 Q(r) on
          |r| <= ln2/2, scaled by 2^n in two steps (so denormal results and n = 128 work);
          of x <= 0 (sigmoid, softplus): n from one fused multiply-add whose bits are the
          scale, x floored where e^x rounds to 0, one scaling that rounds once
  expm1   the same reduction, e^x - 1 = 2^n * expm1(r) + (2^n - 1), exact for small x,
          expm1(r) = r + r^2 Q(r)
  log     x = m * 2^e with m in [sqrt(1/2), sqrt(2)), s = (m-1)/(m+1),
          log m = 2s + 2s^3/3 + 2s^5/5 + ...; denormal inputs are rescaled first
  log1p   log(1 + x) corrected by the rounding of 1 + x
  tanh    expm1(2|x|) / (expm1(2|x|) + 2) with the sign of x (|x| capped where tanh is 1)
  sigmoid e = exp(-|x|); 1/(1+e) for x >= 0, e/(1+e) otherwise (as graphc's numpy kernel)
  softplus max(x, 0) + log1p(exp(-|x|)); float32 through double (one rounding)
  sin/cos reduction by pi/2 (float inputs reduce in double; double inputs use a 3-part
          Cody-Waite constant), Taylor polynomials on |r| <= pi/4, quadrant by selects
  tan     sin/cos of the same reduction
Polynomial coefficients are computed at import time: Taylor coefficients, exact, for
double; for float, Q is the degree-4 interpolant at Chebyshev nodes (near-minimax:
3 fewer terms than Taylor's for the same error, which is far below float rounding).

Measured maximum error in ulps against numpy, on the sweeps of tests/backends/
test_llvm_vmath.py: see MAX_ULP (the test asserts each bound).
"""
from __future__ import annotations

import ctypes
import math
from fractions import Fraction

import numpy as np
from llvmlite import ir

from .irutil import F32, F64, I32, I64, call_intrinsic, for_range, intrinsic
from .target import host

# Measured bounds (tests/backends/test_llvm_vmath.py asserts them): (float32, float64).
# float32 softplus, every float32 in [-20, 20] against float64: at most 0.500 ulp;
# float32 tanh, every float32 in [-10, 10] (beyond, exactly +-1): at most 2.46 ulp.
MAX_ULP = {
    "exp": (1, 1), "expm1": (2, 2), "log": (2, 1), "log1p": (3, 1), "tanh": (3, 3),
    "sigmoid": (3, 2), "softplus": (1, 3), "sin": (1, 2), "cos": (1, 2), "tan": (1, 3),
}
# Sweeps the bounds hold on: uniform and evenly spaced points over these ranges plus
# [-2, 2]; sin/cos/tan of float32 reduce in double and stay within 1 ulp up to 2**30.
RANGES = {
    "exp": (-104, 89), "expm1": (-20, 20), "log": (1e-30, 1e30), "log1p": (-0.999, 1e6),
    "tanh": (-10, 10), "sigmoid": (-30, 30), "softplus": (-30, 30), "sin": (-1e4, 1e4),
    "cos": (-1e4, 1e4), "tan": (-1e3, 1e3),
}

_PI = Fraction("3.14159265358979323846264338327950288419716939937510582097494459230781"
               "64062862089986280348253421170679")


def _fit_q(degree: int) -> list:
    """Power-basis coefficients of the polynomial interpolating Q(r) = (e^r - 1 - r) / r^2
    at the Chebyshev nodes of |r| <= 0.35 (near-minimax: a few times the best error).
    Q's values come from its Taylor series summed in double, exact to double rounding."""
    k = np.arange(degree + 1)
    r = 0.35 * np.cos((2 * k + 1) * np.pi / (2 * degree + 2))
    q = sum(r ** j / math.factorial(j + 2) for j in range(20))
    return [float(c) for c in np.polynomial.polynomial.polyfit(r, q, degree)]


# Q(r) = (e^r - 1 - r) / r^2 on the reduced range: e^r = 1 + r + r^2 Q(r) and
# expm1(r) = r + r^2 Q(r). float32: degree 4 of the interpolant (its error, ~1e-9, is
# far below float32's rounding); float64: the Taylor series to 1/14!.
_Q32 = _fit_q(4)
_Q64 = [1.0 / math.factorial(k) for k in range(2, 15)]


def _q(x) -> list:
    return _Q64 if _is64(x) else _Q32


def _exp_poly(x) -> list:
    """e^r = 1 + r + r^2 Q(r) as one polynomial (float64: Taylor to 1/13!)."""
    return [1.0, 1.0] + (_Q64[:-1] if _is64(x) else _Q32)


def _c(x, v) -> ir.Constant:
    return ir.Constant(x.type, float(v))


def _is64(x) -> bool:
    return x.type == F64


def _horner(b, x, coeffs):
    """c0 + x*(c1 + x*(c2 + ...)) with fused multiply-adds."""
    acc = _c(x, coeffs[-1])
    for c in reversed(coeffs[:-1]):
        acc = call_intrinsic(b, "fma", acc, x, _c(x, c))
    return acc


def _bits(x):
    return (I64, 52, 1023, 0x000FFFFFFFFFFFFF) if _is64(x) else (I32, 23, 127, 0x007FFFFF)


def _pow2(b, n, like):
    """2.0**n as a float of like's type, for n (int of the matching width) in normal range."""
    it, mbits, bias, _ = _bits(like)
    e = b.shl(b.add(n, ir.Constant(it, bias)), ir.Constant(it, mbits))
    return b.bitcast(e, like.type)


def _clamp(b, x, lo, hi):
    """min(max(x, lo), hi), keeping NaN (selects on ordered compares)."""
    x = b.select(b.fcmp_ordered("<", x, _c(x, lo)), _c(x, lo), x)
    return b.select(b.fcmp_ordered(">", x, _c(x, hi)), _c(x, hi), x)


_LN2 = math.log(2.0)


def _ln2_parts(x):
    """ln 2 split so that n * hi is exact for the n that occur."""
    hi = float.fromhex("0x1.62e42fee00000p-1") if _is64(x) else float.fromhex("0x1.62e4p-1")
    lo = float(Fraction(_ln2_exact()) - Fraction(hi))
    return hi, lo


def _ln2_exact() -> Fraction:
    # ln 2 to 60 digits
    return Fraction("0.693147180559945309417232121458176568075500134360255254120680")


def _reduce_exp(b, x):
    """(n as int, r) with x = n*ln2 + r, |r| <= ln2/2 (x already clamped to a finite range)."""
    it = _bits(x)[0]
    nf = call_intrinsic(b, "rint", b.fmul(x, _c(x, 1.0 / _LN2)))
    hi, lo = _ln2_parts(x)
    r = call_intrinsic(b, "fma", b.fneg(nf), _c(x, hi), x)
    r = call_intrinsic(b, "fma", b.fneg(nf), _c(x, lo), r)
    return b.fptosi(nf, it), r


def _exp_split(b, x, extra: int = 0, one_constant: bool = False):
    """(nf, r, scale): x = nf*ln2 + r, |r| <= ln2/2, nf an integer-valued float, and
    scale = 2^(nf + extra), for x with nf + extra in the normal exponent range. One fused
    multiply-add rounds x/ln2 to an integer: added to 1.5 * 2^m (m the mantissa width)
    plus the exponent bias and `extra`, the sum's low mantissa bits are nf + bias + extra,
    which shifted into the exponent field are the scale. r = x - nf*ln2 takes ln2 in two
    parts (exact to ~2^-48 for any nf), or with `one_constant` as ln2 rounded to x's type
    in one fused multiply-add: r is then off by nf * |ln2 - fl(ln2)| (float32: nf * 1.9e-9),
    for callers whose nf is small or whose result damps that error."""
    it, mbits, bias, _ = _bits(x)
    magic = 1.5 * 2.0 ** mbits + bias + extra
    t = call_intrinsic(b, "fma", x, _c(x, 1.0 / _LN2), _c(x, magic))
    nf = b.fsub(t, _c(x, magic))
    if one_constant:
        ln2 = float(np.float64(_LN2).astype(np.float32 if x.type == F32 else np.float64))
        r = call_intrinsic(b, "fma", b.fneg(nf), _c(x, ln2), x)
    else:
        hi, lo = _ln2_parts(x)
        r = call_intrinsic(b, "fma", b.fneg(nf), _c(x, hi), x)
        r = call_intrinsic(b, "fma", b.fneg(nf), _c(x, lo), r)
    scale = b.bitcast(b.shl(b.bitcast(t, it), ir.Constant(it, mbits)), x.type)
    return nf, r, scale


def _expm1_small(b, r):
    """expm1(r) for |r| <= ln2/2: r + r^2 Q(r) (the correction well below r; r^2 is
    computed beside Q, off the dependency chain)."""
    return call_intrinsic(b, "fma", b.fmul(r, r), _horner(b, r, _q(r)), r)


def _exp_limits(x):
    return (709.782712893384, -745.1332191019412) if _is64(x) else (88.72283935546875,
                                                                      -103.97208404541016)


def emit_exp(b, x, nonpositive: bool = False):
    """e^x; `nonpositive`: the caller knows x <= 0 or NaN (no overflow to handle)."""
    if nonpositive:
        return _exp_nonpositive(b, x)
    hi, lo = _exp_limits(x)
    xc = _clamp(b, x, lo, hi)
    n, r = _reduce_exp(b, xc)
    p = _horner(b, r, _exp_poly(x))
    it = n.type
    n1 = b.ashr(n, ir.Constant(it, 1))
    n2 = b.sub(n, n1)
    y = b.fmul(b.fmul(p, _pow2(b, n1, x)), _pow2(b, n2, x))
    y = b.select(b.fcmp_ordered(">", x, _c(x, hi)), _c(x, math.inf), y)
    return b.select(b.fcmp_ordered("<", x, _c(x, lo)), _c(x, 0.0), y)


def _exp_nonpositive(b, x):
    """e^x for x <= 0 or NaN. x is first raised to a floor whose e^x rounds to 0 (below
    half the smallest denormal: -inf and the large negatives give 0, NaN passes); then
    (2^-64 e^r) * 2^(n + 64) rounds once, into the denormals too (2^(n + 64) is normal
    for every n from the floor to 0)."""
    floor = -746.0 if _is64(x) else -104.0
    xc = b.select(b.fcmp_ordered("<", x, _c(x, floor)), _c(x, floor), x)
    _, r, scale = _exp_split(b, xc, 64)
    # (the 2^-64 folded into the coefficients: every Horner step is scaled exactly)
    return b.fmul(_horner(b, r, [c * 2.0 ** -64 for c in _exp_poly(x)]), scale)


def _expm1_reduced(b, x):
    """(n, expm1(r)) for x = n*ln2 + r (x already clamped to a finite range)."""
    n, r = _reduce_exp(b, x)
    return n, _expm1_small(b, r)


def _expm1_moderate(b, n, em, x, n_limit=None):
    """2^n * expm1(r) + (2^n - 1), with 2^n capped at 2^n_limit when given."""
    t = _pow2(b, n if n_limit is None else b.select(
        b.icmp_signed(">", n, n_limit), n_limit, n), x)
    return call_intrinsic(b, "fma", t, em, b.fsub(t, _c(x, 1.0)))


def emit_expm1(b, x):
    hi, lo = _exp_limits(x)
    lo = -40.0 if _is64(x) else -20.0  # below: expm1(x) rounds to -1
    xc = _clamp(b, x, lo, hi)
    n, em = _expm1_reduced(b, xc)
    # e^x - 1 = 2^n * expm1(r) + (2^n - 1); once 2^n dwarfs the 1, scale (em + 1) by 2^n
    # in two steps as exp does, so large x overflows to inf exactly like exp.
    it = n.type
    limit = ir.Constant(it, 60)
    big = b.icmp_signed(">", n, limit)
    y = _expm1_moderate(b, n, em, x, limit)
    n1 = b.ashr(n, ir.Constant(it, 1))
    grown = b.fmul(b.fmul(b.fadd(em, _c(x, 1.0)), _pow2(b, n1, x)), _pow2(b, b.sub(n, n1), x))
    y = b.select(big, grown, y)
    y = b.select(b.fcmp_ordered(">", x, _c(x, hi)), _c(x, math.inf), y)
    y = b.select(b.fcmp_ordered("<", x, _c(x, lo)), _c(x, -1.0), y)
    y = b.select(b.icmp_signed("==", n, ir.Constant(n.type, 0)), em, y)
    return _keep_zero(b, x, y)


def _keep_zero(b, x, y):
    """f(+-0) = +-0 for the odd functions (the reductions lose the sign of zero)."""
    return b.select(b.fcmp_ordered("==", x, _c(x, 0.0)), x, y)


def emit_log(b, x):
    it, mbits, bias, mmask = _bits(x)
    tiny = 2.2250738585072014e-308 if _is64(x) else 1.1754943508222875e-38
    scale_bits = 54 if _is64(x) else 25
    small = b.fcmp_ordered("<", x, _c(x, tiny))
    xs = b.select(small, b.fmul(x, _c(x, 2.0 ** scale_bits)), x)
    bits = b.bitcast(xs, it)
    e = b.sub(b.lshr(bits, ir.Constant(it, mbits)), ir.Constant(it, bias))
    e = b.sub(e, b.select(small, ir.Constant(it, scale_bits), ir.Constant(it, 0)))
    one_bits = bias << mbits
    m = b.bitcast(b.or_(b.and_(bits, ir.Constant(it, mmask)), ir.Constant(it, one_bits)),
                  x.type)
    over = b.fcmp_ordered(">", m, _c(x, math.sqrt(2.0)))
    m = b.select(over, b.fmul(m, _c(x, 0.5)), m)
    e = b.add(e, b.select(over, ir.Constant(it, 1), ir.Constant(it, 0)))
    f = b.fsub(m, _c(x, 1.0))
    s = b.fdiv(f, b.fadd(m, _c(x, 1.0)))
    z = b.fmul(s, s)
    k = 11 if _is64(x) else 5
    # log m = 2s + s * z * (2/3 + 2z/5 + 2z^2/7 + ...)
    R = b.fmul(z, _horner(b, z, [2.0 / (2 * j + 3) for j in range(k)]))
    logm = call_intrinsic(b, "fma", s, R, b.fadd(s, s))
    ef = b.sitofp(e, x.type)
    hi, lo = _ln2_parts(x)
    y = call_intrinsic(b, "fma", ef, _c(x, hi), call_intrinsic(b, "fma", ef, _c(x, lo), logm))
    y = b.select(b.fcmp_ordered("==", x, _c(x, 0.0)), _c(x, -math.inf), y)
    y = b.select(b.fcmp_ordered("<", x, _c(x, 0.0)), _c(x, math.nan), y)
    y = b.select(b.fcmp_ordered("==", x, _c(x, math.inf)), x, y)
    return b.select(b.fcmp_unordered("uno", x, x), x, y)


def emit_log1p(b, x):
    u = b.fadd(x, _c(x, 1.0))
    exact = b.fcmp_ordered("==", u, _c(x, 1.0))
    finite = b.fcmp_ordered("<", call_intrinsic(b, "fabs", u), _c(x, math.inf))
    corr = b.fdiv(b.fsub(b.fsub(u, _c(x, 1.0)), x), u)
    corr = b.select(b.and_(finite, b.fcmp_ordered(">", u, _c(x, 0.0))), corr, _c(x, 0.0))
    y = b.fsub(emit_log(b, u), corr)
    return b.select(exact, x, y)


def emit_tanh(b, x):
    big = 20.0 if _is64(x) else 10.0
    a = call_intrinsic(b, "fabs", x)
    a = b.select(b.fcmp_ordered(">", a, _c(x, big)), _c(x, big), a)
    # e = expm1(2a) = 2^n * expm1(r) + (2^n - 1) on [0, 2*big]: 2^n stays below 2^60, so
    # none of emit_expm1's clamps and large-n path are needed (n = 0 gives expm1(r)).
    # float32 takes ln2 in one constant: its error moves r by n*d (d = 1.9e-9, n <= 29),
    # so E = e^2a by that relative amount, and tanh = (E-1)/(E+1) by 2E/(E^2-1) times it
    # (at most 2.8, at n = 1; ~2/E beyond): under 0.05 ulp, one multiply-add less. (fl(ln2)
    # is that close by luck: in double its error would be 0.3 ulp at n = 1.)
    _, r, scale = _exp_split(b, b.fadd(a, a), one_constant=not _is64(x))
    e = call_intrinsic(b, "fma", scale, _expm1_small(b, r), b.fsub(scale, _c(x, 1.0)))
    return _with_sign_of(b, b.fdiv(e, b.fadd(e, _c(x, 2.0))), x)


def _with_sign_of(b, t, x):
    """copysign(t, x) for t with its sign bit clear (one bitwise or)."""
    it = _bits(x)[0]
    sign = b.and_(b.bitcast(x, it), ir.Constant(it, 1 << (it.width - 1)))
    return b.bitcast(b.or_(b.bitcast(t, it), sign), x.type)


def emit_sigmoid(b, x):
    e = emit_exp(b, b.fneg(call_intrinsic(b, "fabs", x)), nonpositive=True)
    num = b.select(b.fcmp_ordered(">=", x, _c(x, 0.0)), _c(x, 1.0), e)
    return b.fdiv(num, b.fadd(_c(x, 1.0), e))


def emit_log1p_exp_neg_abs(b, x):
    """log(1 + e^-|x|), softplus' correction to max(x, 0) (NaN passes). float32 is
    computed in double and rounded once: in float32 the errors of exp and log1p add up
    to 3.3 ulp near x = -1."""
    if x.type == F32:
        return b.fptrunc(emit_log1p_exp_neg_abs(b, b.fpext(x, F64)), F32)
    return emit_log1p(b, emit_exp(b, b.fneg(call_intrinsic(b, "fabs", x)), nonpositive=True))


def emit_softplus(b, x):
    """max(x, 0) + log(1 + e^-|x|); float32 in double (one rounding of the sum)."""
    if x.type == F32:
        return b.fptrunc(emit_softplus(b, b.fpext(x, F64)), F32)
    pos = b.select(b.fcmp_ordered(">", x, _c(x, 0.0)), x, _c(x, 0.0))
    pos = b.select(b.fcmp_unordered("uno", x, x), x, pos)
    return b.fadd(emit_log1p_exp_neg_abs(b, x), pos)


# ---------------------------------------------------------------- trigonometry
def _pio2_parts(bits: int, count: int) -> list:
    """pi/2 as `count` doubles of `bits` significant bits each (the last one rounded)."""
    rest = _PI / 2
    parts = []
    for i in range(count):
        if i == count - 1:
            parts.append(float(rest))
            break
        e = math.frexp(float(rest))[1]
        q = Fraction(math.floor(rest * 2 ** (bits - e)), 2 ** (bits - e))
        parts.append(float(q))
        rest -= q
    return parts


_PIO2_F64 = _pio2_parts(33, 3)
_PIO2_F32_IN_F64 = _pio2_parts(53, 2)
_SIN = [(-1) ** k / math.factorial(2 * k + 1) for k in range(10)]
_COS = [(-1) ** k / math.factorial(2 * k) for k in range(11)]


def _sincos_reduced(b, x):
    """(sin r, cos r, quadrant) in double for x (double), |x| < 2**30."""
    nf = call_intrinsic(b, "rint", b.fmul(x, _c(x, 2.0 / math.pi)))
    r = x
    for part in (_PIO2_F64 if x.type == F64 else _PIO2_F32_IN_F64):
        r = call_intrinsic(b, "fma", b.fneg(nf), _c(x, part), r)
    z = b.fmul(r, r)
    s = b.fmul(r, _horner(b, z, _SIN))
    c = _horner(b, z, _COS)
    q = b.and_(b.fptosi(nf, I64), ir.Constant(I64, 3))
    return s, c, q


def _trig(b, x, which):
    wide = x.type == F32
    limit = 2.0 ** 30
    finite = b.fcmp_ordered("<", call_intrinsic(b, "fabs", x), _c(x, limit))
    xs = b.select(finite, x, _c(x, 0.0))
    xd = b.fpext(xs, F64) if wide else xs
    s, c, q = _sincos_reduced(b, xd)
    q1 = b.icmp_unsigned("==", b.and_(q, ir.Constant(I64, 1)), ir.Constant(I64, 1))
    q2 = b.icmp_unsigned("==", b.and_(q, ir.Constant(I64, 2)), ir.Constant(I64, 2))
    if which == "tan":
        y = b.select(q1, b.fneg(b.fdiv(c, s)), b.fdiv(s, c))
    else:
        if which == "cos":
            q2 = b.xor(q2, q1)
        base = b.select(q1, c, s) if which == "sin" else b.select(q1, s, c)
        y = b.select(q2, b.fneg(base), base)
    if wide:
        y = b.fptrunc(y, F32)
    # Beyond 2**30 the reduction loses the quadrant: answer NaN for inf/NaN, and stay
    # within [-1, 1] for huge finite arguments (documented as inaccurate there).
    huge = b.fcmp_ordered("<", call_intrinsic(b, "fabs", x), _c(x, math.inf))
    y = b.select(finite, y, b.select(huge, _c(x, 0.0), _c(x, math.nan)))
    return b.select(b.fcmp_unordered("uno", x, x), x, y)


def emit_sin(b, x):
    return _keep_zero(b, x, _trig(b, x, "sin"))


def emit_cos(b, x):
    return _trig(b, x, "cos")


def emit_tan(b, x):
    return _keep_zero(b, x, _trig(b, x, "tan"))


# ---------------------------------------------------------------- through libm
def emit_erf(b, x):
    """erf through the C library (not vectorised; Erf is rare in models)."""
    return _libm(b, "erf" if _is64(x) else "erff", x)


def emit_pow(b, x, y):
    """numpy's float power through the C library's pow, exactly its special cases."""
    return call_intrinsic(b, "pow", x, y)


def _libm(b, name, *args):
    fn = intrinsic(b.module, name, args[0].type, [a.type for a in args])
    return b.call(fn, list(args))


FUNCTIONS = {"exp": emit_exp, "expm1": emit_expm1, "log": emit_log, "log1p": emit_log1p,
             "tanh": emit_tanh, "sigmoid": emit_sigmoid, "softplus": emit_softplus,
             "sin": emit_sin, "cos": emit_cos, "tan": emit_tan, "erf": emit_erf}


# ---------------------------------------------------------------- measurement
def build_kernel(name: str, dtype: str):
    """A JIT-compiled `out[i] = f(x[i])` over float32/float64 arrays (tests, measure())."""
    t = F32 if dtype == "float32" else F64
    module = ir.Module(name=f"vmath_{name}")
    fn = ir.Function(module, ir.FunctionType(ir.VoidType(), [t.as_pointer(), t.as_pointer(),
                                                             I64]), name="kernel")
    src, dst, n = fn.args
    b = ir.IRBuilder(fn.append_basic_block("entry"))
    with for_range(b, n) as i:
        v = b.load(b.gep(src, [i], inbounds=True))
        b.store(FUNCTIONS[name](b, v), b.gep(dst, [i], inbounds=True))
    b.ret_void()
    h = host()
    with h.lock:
        ref = h.parse(str(module))
        h.optimize(ref)
        engine = h.engine(ref)
        asm = h.emit_assembly(ref)
        address = engine.get_function_address("kernel")
    cfn = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64)(address)

    def run(x):
        x = np.ascontiguousarray(x, dtype=dtype)
        out = np.empty_like(x)
        cfn(x.ctypes.data, out.ctypes.data, x.size)
        return out
    run.engine, run.assembly = engine, asm
    return run


def ulp_error(got, want_exact, dtype):
    """|got - exact| in units of the last place of the exact value rounded to dtype."""
    with np.errstate(over="ignore", invalid="ignore"):
        want = want_exact.astype(dtype)
    finite = np.isfinite(want) & np.isfinite(got)
    spacing = np.spacing(np.abs(want[finite]).astype(dtype)).astype(np.float64)
    err = np.zeros(got.shape)
    err[finite] = np.abs(got[finite].astype(np.float64) - want_exact[finite].astype(
        np.float64)) / spacing
    return err
