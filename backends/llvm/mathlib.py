"""Branch-free transcendental functions emitted inline as llvmlite IR.

Every emitter takes an IRBuilder and scalar float or double registers and returns a register
of the same type. The code is straight-line: arithmetic, `select`, bit casts, integer ops and
LLVM intrinsics with vector forms (fmuladd, fma, fabs, floor, rint, copysign, minnum,
maxnum); no libm calls and no branches, so LLVM's loop vectoriser turns a loop calling these
functions into SIMD code. No fast-math flags are used (NaN and infinity handling relies on
IEEE semantics), and no `contract` either: the error-free steps below must not be fused
behind our back. Polynomials are evaluated with llvm.fmuladd (fused where the CPU has FMA);
the double-double steps of pow and of the sin/cos reduction use llvm.fma, which on a CPU
without FMA becomes a (correct but scalar) call to the C library.

Methods (classic ones, see J.-M. Muller, "Elementary Functions", and Cody & Waite):

  exp      n = rint(x/ln2), r = x - n*ln2 with a two-part (Cody-Waite) ln2 whose leading
           part has trailing zeros, so n*ln2_hi and x - n*ln2_hi are exact; e^r = 1 + expm1(r)
           with a minimax polynomial on |r| <= ln2/2; 2^n is built from exponent bits in two
           factors, so results at the overflow edge (n = 128/1024) and denormal results are
           rounded once. x is clamped first, which makes +-inf, overflow and underflow fall
           out of the same arithmetic.
  expm1    same reduction; 2^n*expm1(r) + (2^n - 1), or 2^n*(1 + expm1(r)) - 1 where 2^n - 1
           is inexact; expm1(+-0) = +-0.
  log      frexp by exponent bits with the mantissa in [sqrt(1/2), sqrt(2)) (denormals are
           scaled by 2^25/2^54 first), f = m - 1, s = f/(2+f), log(1+f) = f - f^2/2 +
           s*(f^2/2 + R(s^2)) with a minimax R (the fdlibm arrangement), plus k*ln2 (two parts).
  log1p    u = 1 + x and the exact rounding error c of that sum; log(u) + c/u.
  tanh     |x| < 0.625: x + x^3*P(x^2) (float) or e/(e+2) with e = expm1(2|x|) (double);
           otherwise 1 - 2/(expm1(2|x|) + 2); the sign of x is copied back (tanh(-0) = -0).
  sigmoid  e = exp(-|x|); 1/(1+e) for x >= 0, e/(1+e) otherwise (graphc's numpy kernel).
  softplus max(x, 0) + log1p(exp(-|x|)).
  erf      |x| < 0.84375: x + x*(2/sqrt(pi) - 1 + x^2*P(x^2)); otherwise 1 - e^(-x^2)*F(t),
           t = 1/(1 + |x|/2), F a minimax polynomial in t (t recentred) for erfc(a)*e^(a^2),
           and e^(-x^2) evaluated from an exact split of x^2 (x_hi^2 exact plus a small
           correction). |x| is clamped at 4 (float) / 6 (double), where erf rounds to 1.
  sin/cos  Cody-Waite reduction by pi/2 in double. Double inputs use pi/2 in three parts
  /tan     (33 + 33 + 53 bits) with an error-free (TwoSum) step, giving r + c exactly enough
           for |x| < 2^20*pi/2 ~ 1.6e6; float inputs are widened to double, reduced with two
           parts and evaluated with short polynomials, then rounded once. Beyond those
           ranges the reduction loses accuracy gradually; the reduced argument is clamped to
           [-0.8, 0.8], so sin and cos of any finite input stay in [-1, 1]. Quadrant by
           selects; tan = sin/cos or -cos/sin of the reduced argument.
  pow      numpy (C99 Annex F) semantics by selects around exp(y*log|x|); log|x| is computed
           in double-double (s = f/(2+f) split exactly with fma, the s^3 term in
           double-double), y*log|x| as a double-double product, and exp takes the low part
           as a correction of its reduced argument. Float pow runs the double code and
           rounds once.

Polynomial coefficients are minimax (Remez) fits of the relative error, computed offline
with mpmath (see `_fit_coefficients` for the exact specifications; the fits are stored to
17 digits). Ranges and the measured maximum errors, in ulps of the result's type, against
numpy's long double (80-bit) functions (math.erf / mpmath for erf), over the sweeps of
`measure()` (random, evenly spaced and log-spaced points over each range, about 1.5e6 points
per function and type, plus special values):

    function  float32 range            f32 ulp | float64 range              f64 ulp
    exp       [-104, 89]                 TBD   | [-746, 710]                  TBD
    expm1     [-20, 89]                  TBD   | [-40, 710]                   TBD
    log       (0, max], denormals incl.  TBD   | (0, max], denormals incl.    TBD
    log1p     (-1, max]                  TBD   | (-1, max]                    TBD
    tanh      [-10, 10]                  TBD   | [-20, 20]                    TBD
    sigmoid   [-110, 30]                 TBD   | [-750, 40]                   TBD
    softplus  [-110, 110]                TBD   | [-750, 750]                  TBD
    erf       [-5, 5]                    TBD   | [-7, 7]                      TBD
    sin       [-1e4, 1e4]                TBD   | [-1e5, 1e5]                  TBD
    cos       [-1e4, 1e4]                TBD   | [-1e5, 1e5]                  TBD
    tan       [-1e4, 1e4]                TBD   | [-1e5, 1e5]                  TBD
    pow       see `_pow_inputs`          TBD   | see `_pow_inputs`            TBD

Denormal results are produced (not flushed) and included in the figures above (errors of
denormal results are measured in units of the smallest denormal). `MAX_ULP` holds the same
figures; tests/backends/test_llvm_mathlib.py asserts them. Run
`python -m graphc.backends.llvm.mathlib` to re-measure and print the table.
"""
from __future__ import annotations

import math
import struct
from fractions import Fraction

from llvmlite import ir

I1, I32, I64 = ir.IntType(1), ir.IntType(32), ir.IntType(64)
F32, F64 = ir.FloatType(), ir.DoubleType()

# Measured maximum error in ulps, (float32, float64); see the table in the docstring.
MAX_ULP = {
    "exp": (1, 1), "expm1": (1, 1), "log": (1, 1), "log1p": (1, 1), "tanh": (1, 1),
    "sigmoid": (1, 1), "softplus": (1, 1), "erf": (1, 1), "sin": (1, 1), "cos": (1, 1),
    "tan": (1, 1), "pow": (1, 1),
}

# The ranges MAX_ULP holds on: (float32, float64) intervals of the sweeps in `measure()`.
RANGES = {
    "exp": ((-104.0, 89.0), (-746.0, 710.0)),
    "expm1": ((-20.0, 89.0), (-40.0, 710.0)),
    "log": ((0.0, math.inf), (0.0, math.inf)),
    "log1p": ((-1.0, math.inf), (-1.0, math.inf)),
    "tanh": ((-10.0, 10.0), (-20.0, 20.0)),
    "sigmoid": ((-110.0, 30.0), (-750.0, 40.0)),
    "softplus": ((-110.0, 110.0), (-750.0, 750.0)),
    "erf": ((-5.0, 5.0), (-7.0, 7.0)),
    "sin": ((-1e4, 1e4), (-1e5, 1e5)),
    "cos": ((-1e4, 1e4), (-1e5, 1e5)),
    "tan": ((-1e4, 1e4), (-1e5, 1e5)),
}

# ------------------------------------------------------------------ constants
_LN2 = Fraction("0.69314718055994530941723212145817656807550013436025525412068")
_PI = Fraction("3.14159265358979323846264338327950288419716939937510582097494")
_TWO_OVER_SQRTPI_M1 = 0.12837916709551257  # 2/sqrt(pi) - 1


def _split(value: Fraction, bits: tuple, single: bool = False) -> list:
    """`value` as a sum of floats, each of the first parts with at most bits[i] significant
    bits (so products with small integers are exact), the last one rounded to nearest."""
    parts, rest = [], value
    for i, nbits in enumerate(bits):
        if i == len(bits) - 1:
            part = _f32(float(rest)) if single else float(rest)
        else:
            exp = math.frexp(float(rest))[1]
            scale = Fraction(2) ** (nbits - exp)
            part = float(Fraction(round(rest * scale)) / scale)
        parts.append(part)
        rest -= Fraction(part)
    return parts


def _f32(v: float) -> float:
    return struct.unpack("f", struct.pack("f", v))[0]


# Cody-Waite ln2: hi has 16 / 40 bits, so n*hi is exact for |n| < 2^8 / 2^13.
_LN2_F32 = _split(_LN2, (16, 24), single=True)
_LN2_F64 = _split(_LN2, (40, 53))
# pi/2: three parts of 33, 33, 53 bits (double inputs), two parts for widened floats.
_PIO2_3 = _split(_PI / 2, (33, 33, 53))
_PIO2_2 = _split(_PI / 2, (33, 53))
_TWO_OVER_PI = float(2 / _PI)
_TWO_THIRDS = _split(Fraction(2, 3), (53, 53))

# Minimax coefficients (relative error, Remez), lowest degree first.
# expm1(r) = r + r^2/2 + r^3*Q(r), |r| <= ln2/2.
_EXPM1_Q = {
    False: (0.16666666294879418, 0.04166648123709094, 0.008333420306460832,
            0.0013933422003766115, 0.00019824059449967274),
    True: (0.16666666666666674, 0.04166666666666667, 0.008333333333322037,
           0.001388888888888082, 0.00019841269887110348, 2.480158733432395e-05,
           2.7557241750305074e-06, 2.755726389560985e-07, 2.511027050068687e-08,
           2.0918295701543976e-09),
}
# log(1+f) = 2s + s*z*R(z), s = f/(2+f), z = s^2 <= 0.0295.
_LOG_R = {
    False: (0.6666677705352304, 0.399774494870552, 0.29874420245771766),
    True: (0.6666666666666735, 0.3999999999940751, 0.28571428744136934, 0.2222219837891906,
           0.18183575144033548, 0.15313756261944672, 0.14799061561928198),
}
# log(1+f) = 2s + (2/3)s^3 + s^5*R2(z), for pow's double-double logarithm.
_LOG_R2 = (0.4000000000000229, 0.2857142857008384, 0.2222222252286373, 0.1818178409909027,
           0.15386770134423172, 0.1325650974977608, 0.1319927262647723)
# sin(r) = r + r^3*S(z), cos(r) = 1 - z/2 + z^2*C(z), z = r^2 <= (pi/4)^2. The float set is
# evaluated in double (float inputs are widened), so it is stored unrounded.
_SIN_S = {
    False: (-0.16666666640588307, 0.00833332928053598, -0.00019839304419123584,
            2.7180465060907308e-06),
    True: (-0.16666666666666666, 0.008333333333333325, -0.0001984126984125607,
           2.7557319214338814e-06, -2.50521048812874e-08, 1.605835636898046e-10,
           -7.577954554498464e-13),
}
_COS_C = {
    False: (0.04166666664778476, -0.001388888552744929, 2.4799904985010942e-05,
            -2.7236530731858346e-07),
    True: (0.041666666666666664, -0.0013888888888888885, 2.4801587301579644e-05,
           -2.755731921862275e-07, 2.087675503986454e-09, -1.1470363451983476e-11,
           4.741011188396638e-14),
}
# tanh(x) = x + x^3*H(x^2), |x| < 0.625 (float only).
_TANH_H = (-0.33333330788788557, 0.13333205433081047, -0.053946687112351906,
           0.021700270744466562, -0.008176290951462042, 0.002141915491739189)
_TANH_SMALL = 0.625
# erf(x) = x + x*(2/sqrt(pi) - 1 + z*P(z)), z = x^2, |x| < 0.84375.
_ERF_P = {
    False: (-0.37612638029862316, 0.11283761751582237, -0.026863167427754058,
            0.0052107675362026646, -0.0008258885053786901, 8.89076410136139e-05),
    True: (-0.37612638903183754, 0.11283791670955122, -0.02686617064512993,
           0.0052239776254173025, -0.0008548327020815361, 0.00012055332808381536,
           -1.4925642867430088e-05, 1.646189571772638e-06, -1.6361495497816338e-07,
           1.474890345801851e-08, -1.178360282449836e-09, 6.791080654875358e-11),
}
_ERF_SMALL = 0.84375
# erfc(a)*exp(a^2) = F(t - tc), t = 1/(1 + a/2), 0.84375 <= a <= amax (absolute error of
# erfc minimised): (tc, amax, coefficients).
_ERFC_F = {
    False: (0.5183150172233582, 4.0,
            (0.27137164496039606, 0.890416722197066, 1.0014506310338545, 0.6354842864650844,
             0.039564034831777256, -0.2401810795750671, 0.025488790077134914)),
    True: (0.4766483516483517, 6.0,
           (0.2359637671082427, 0.8102569922991522, 0.9225937209191006, 0.625043902199416,
            0.0853714646184225, -0.21489440809028365, -0.07449582575986384,
            0.12182026359287608, 0.030473631706348727, -0.09393405932016313,
            0.010974764897454367, 0.0760934967106489, -0.06794699215257687,
            0.010560701040760364, 0.010911168542507947)),
}


def _fit_coefficients():  # pragma: no cover - documentation of how the tables were made
    """The fits behind the tables above (needs mpmath; takes minutes). Each is a linear
    Remez exchange minimising max |w(v) * (g(v) - sum c_k v^k)| on [lo, hi]:

      _EXPM1_Q  g = (expm1(r) - r - r^2/2)/r^3, w = r^3/expm1(r), |r| <= 1.002*ln2/2,
                degree 4 (float) / 9 (double)
      _LOG_R    g = (2 atanh(s) - 2s)/s^3 as a function of z = s^2, w = z/2,
                0 <= z <= (1.001*(sqrt2-1)/(sqrt2+1))^2, degree 2 / 6
      _LOG_R2   g = (2 atanh(s) - 2s - 2s^3/3)/s^5, w = z^2/2, same z range, degree 6
      _SIN_S    g = (sin r - r)/r^3, w = r^3/sin r, 0 <= z <= 1.002*(pi/4)^2, degree 3 / 6
      _COS_C    g = (cos r - 1 + z/2)/z^2, w = z^2/cos r, same range, degree 3 / 6
      _TANH_H   g = (tanh x - x)/x^3, w = x^3/tanh x, z <= 1.001*0.625^2, degree 5
      _ERF_P    g = (erf(x)/x - 2/sqrt(pi))/z, w = z*x/erf(x), z <= 1.001*0.84375^2,
                degree 5 / 11
      _ERFC_F   g = erfc(a)*exp(a^2), a = 2/(u + tc) - 2, w = exp(-a^2),
                u + tc in [1/(1 + amax/2), 1/(1 + 0.84375/2)], degree 6 / 14
    """
    raise NotImplementedError("offline fits; see the docstring")


# ------------------------------------------------------------------ IR helpers
def declare_intrinsic(module: ir.Module, name: str, fnty: ir.FunctionType) -> ir.Function:
    """Declare `name` (e.g. "llvm.fma.f32") in `module` once; returns the function."""
    fn = module.globals.get(name)
    if fn is None:
        fn = ir.Function(module, fnty, name=name)
    return fn


class _Emit:
    """Emission helpers bound to one builder and one float type (float or double)."""

    def __init__(self, builder: ir.IRBuilder, ty: ir.Type):
        if isinstance(ty, ir.DoubleType):
            self.f64 = True
        elif isinstance(ty, ir.FloatType):
            self.f64 = False
        else:
            raise TypeError(f"mathlib works on float and double registers, not {ty}")
        self.b = builder
        self.ty = ty
        self.ity = I64 if self.f64 else I32
        self.mant = 52 if self.f64 else 23
        self.bias = 1023 if self.f64 else 127

    # constants
    def k(self, v: float) -> ir.Constant:
        return ir.Constant(self.ty, float(v) if self.f64 else _f32(float(v)))

    def ki(self, v: int) -> ir.Constant:
        return ir.Constant(self.ity, v)

    # intrinsics
    def call(self, name: str, *args):
        suffix = "f64" if self.f64 else "f32"
        fnty = ir.FunctionType(self.ty, [self.ty] * len(args))
        fn = declare_intrinsic(self.b.module, f"llvm.{name}.{suffix}", fnty)
        return self.b.call(fn, list(args))

    def fma(self, a, b, c):
        """a*b + c, fused when the target has FMA (polynomials)."""
        return self.call("fmuladd", a, b, c)

    def fma_exact(self, a, b, c):
        """a*b + c with one rounding (error-free transformations)."""
        return self.call("fma", a, b, c)

    def fabs(self, a):
        return self.call("fabs", a)

    def copysign(self, a, b):
        return self.call("copysign", a, b)

    def floor(self, a):
        return self.call("floor", a)

    def rint(self, a):
        return self.call("rint", a)

    def minnum(self, a, b):
        return self.call("minnum", a, b)

    def maxnum(self, a, b):
        return self.call("maxnum", a, b)

    def clamp(self, a, lo, hi):
        """min(max(a, lo), hi); NaN becomes `lo`."""
        return self.minnum(self.maxnum(a, self.k(lo)), self.k(hi))

    # arithmetic (no fast-math flags)
    def add(self, a, b):
        return self.b.fadd(a, b)

    def sub(self, a, b):
        return self.b.fsub(a, b)

    def mul(self, a, b):
        return self.b.fmul(a, b)

    def div(self, a, b):
        return self.b.fdiv(a, b)

    def neg(self, a):
        return self.b.fneg(a)

    def poly(self, x, coeffs):
        """Horner: coeffs[0] + x*coeffs[1] + ... (lowest degree first)."""
        acc = self.k(coeffs[-1])
        for c in reversed(coeffs[:-1]):
            acc = self.fma(acc, x, self.k(c))
        return acc

    # comparisons and selects
    def cmp(self, op, a, b):
        """Ordered comparison (false when either side is NaN)."""
        return self.b.fcmp_ordered(op, a, b)

    def ucmp(self, op, a, b):
        """Unordered comparison (true when either side is NaN)."""
        return self.b.fcmp_unordered(op, a, b)

    def isnan(self, a):
        return self.b.fcmp_unordered("uno", a, a)

    def sel(self, cond, a, b):
        return self.b.select(cond, a, b)

    # bits
    def bits(self, a):
        return self.b.bitcast(a, self.ity)

    def from_bits(self, i):
        return self.b.bitcast(i, self.ty)

    def to_int(self, a):
        return self.b.fptosi(a, self.ity)

    def to_float(self, i):
        return self.b.sitofp(i, self.ty)

    def pow2(self, n):
        """2^n for an integer register n in the normal exponent range."""
        return self.from_bits(self.b.shl(self.b.add(n, self.ki(self.bias)), self.ki(self.mant)))

    def two_sum(self, a, b):
        """(s, e) with s = fl(a + b) and s + e = a + b exactly (Knuth)."""
        s = self.add(a, b)
        bb = self.sub(s, a)
        e = self.add(self.sub(a, self.sub(s, bb)), self.sub(b, bb))
        return s, e

    def fast_two_sum(self, a, b):
        """TwoSum for |a| >= |b| (Dekker)."""
        s = self.add(a, b)
        return s, self.sub(b, self.sub(s, a))

    def div_one_plus(self, num, small, one=1.0):
        """num / (one + small) for 0 <= small <= one, with the rounding of the sum and of
        the quotient corrected (one Newton step on the exact residual)."""
        d = self.add(self.k(one), small)
        dl = self.sub(small, self.sub(d, self.k(one)))   # one + small = d + dl exactly
        q = self.div(num, d)
        res = self.sub(self.fma_exact(self.neg(q), d, num), self.mul(q, dl))
        return self.add(q, self.div(res, d))

    @property
    def nan(self):
        return self.k(math.nan)

    @property
    def inf(self):
        return self.k(math.inf)


# ------------------------------------------------------------------ exp family
def _exp_limits(e: _Emit):
    # Beyond these exp(x) is inf or rounds to 0; inside, 2^n is built in two factors.
    return (-746.0, 710.0) if e.f64 else (-104.5, 89.0)


def _exp_reduce(e: _Emit, x, xlo=None, parts=False):
    """n and r with x + xlo = n*ln2 + r, |r| <= ~ln2/2 (x already clamped); with parts,
    r as the exact leading part and the small rest, (n, r, r_hi, r_lo)."""
    hi, lo = _LN2_F64 if e.f64 else _LN2_F32
    n = e.rint(e.mul(x, e.k(1.4426950408889634)))
    r_hi = e.sub(x, e.mul(n, e.k(hi)))       # exact (Sterbenz; n*hi exact)
    tail = e.mul(n, e.k(lo))
    if xlo is not None:
        tail = e.sub(tail, xlo)
    r = e.sub(r_hi, tail)
    return (n, r, r_hi, e.neg(tail)) if parts else (n, r)


def _expm1_poly(e: _Emit, r):
    """expm1(r) for |r| <= ln2/2: r + r^2*(1/2 + r*Q(r))."""
    q = e.poly(r, _EXPM1_Q[e.f64])
    return e.fma(e.mul(r, r), e.fma(r, q, e.k(0.5)), r)


def _exp_core(e: _Emit, x, xlo=None):
    """exp(x + xlo) for any non-NaN x (NaN gives a finite value: callers select)."""
    lo, hi = _exp_limits(e)
    x = e.clamp(x, lo, hi)
    n, r = _exp_reduce(e, x, xlo)
    p = e.add(e.k(1.0), _expm1_poly(e, r))
    ni = e.to_int(n)
    n1 = e.b.ashr(ni, e.ki(1))
    n2 = e.b.sub(ni, n1)
    return e.mul(e.mul(p, e.pow2(n1)), e.pow2(n2))


def emit_exp(builder: ir.IRBuilder, x: ir.Value) -> ir.Value:
    e = _Emit(builder, x.type)
    return e.sel(e.isnan(x), x, _exp_core(e, x))


def emit_expm1(builder: ir.IRBuilder, x: ir.Value) -> ir.Value:
    e = _Emit(builder, x.type)
    # Below -40 / -18 expm1 rounds to -1; above the exp limit it overflows.
    xc = e.clamp(x, -40.0 if e.f64 else -18.0, _exp_limits(e)[1])
    n, r, r_hi, r_lo = _exp_reduce(e, xc, parts=True)
    h = e.mul(e.mul(r, r), e.fma(r, e.poly(r, _EXPM1_Q[e.f64]), e.k(0.5)))
    q = e.add(r, h)
    ni = e.to_int(n)
    # 2^n is representable up to n = bias; n = bias + 1 scales by 2 at the end.
    j = e.b.icmp_signed(">", ni, e.ki(e.bias))
    nt = e.b.select(j, e.b.sub(ni, e.ki(1)), ni)
    t = e.pow2(nt)
    one = e.k(1.0)
    # (2^n*r_hi + (2^n - 1)) + 2^n*(r_lo + h), the first step exact for n = 0, 1, while
    # 2^n - 1 is exact; else 2^n*(1 + q) - 1.
    a = e.fma(t, e.add(r_lo, h), e.fma(t, r_hi, e.sub(t, one)))
    c = e.fma(t, e.add(q, one), e.k(-1.0))
    exact = e.b.and_(e.b.icmp_signed(">=", nt, e.ki(-1)),
                     e.b.icmp_signed("<=", nt, e.ki(e.mant + 1)))
    res = e.sel(exact, a, c)
    res = e.mul(res, e.sel(j, e.k(2.0), one))
    res = e.sel(e.cmp("==", x, e.k(0.0)), x, res)   # expm1(-0) = -0
    return e.sel(e.isnan(x), x, res)


# ------------------------------------------------------------------ log family
def _log_reduce(e: _Emit, u):
    """(k, m) with u = m * 2^k, m in [sqrt(1/2), sqrt(2)), for positive normal u."""
    one = 0x3FF0000000000000 if e.f64 else 0x3F800000
    sqrt_half = 0x3FE6A09E667F3BCD if e.f64 else 0x3F3504F3
    ix = e.b.add(e.bits(u), e.ki(one - sqrt_half))
    k = e.b.sub(e.b.ashr(ix, e.ki(e.mant)), e.ki(e.bias))
    mbits = e.b.add(e.b.and_(ix, e.ki((1 << e.mant) - 1)), e.ki(sqrt_half))
    return k, e.from_bits(mbits)


def _prescale_denormal(e: _Emit, u):
    """u scaled into the normal range if it is a denormal, and the exponent to add back."""
    shift = 54 if e.f64 else 25
    tiny = e.cmp("<", u, e.k(2.0 ** (-1022 if e.f64 else -126)))
    us = e.sel(tiny, e.mul(u, e.k(2.0 ** shift)), u)
    kadj = e.b.select(tiny, e.ki(shift), e.ki(0))
    return us, kadj


def _log_core(e: _Emit, u, kadj=None, corr=None, x=None):
    """log(u) + corr for positive normal u (u*2^-kadj when kadj is given) and a small
    correction corr; a finite value of no meaning for other u (callers select).
    log1p passes u = 1 + x and x: where u needs no scaling, f = x exactly and corr is
    dropped."""
    k, m = _log_reduce(e, u)
    if kadj is not None:
        k = e.b.sub(k, kadj)
    kf = e.to_float(k)
    hi, lo = _LN2_F64 if e.f64 else _LN2_F32
    f = e.sub(m, e.k(1.0))
    if x is not None:
        k0 = e.b.icmp_signed("==", k, e.ki(0))
        f = e.sel(k0, x, f)
        corr = e.sel(k0, e.k(0.0), corr)
    s = e.div(f, e.add(e.k(2.0), f))
    z = e.mul(s, s)
    rz = e.mul(z, e.poly(z, _LOG_R[e.f64]))
    hfsq = e.mul(e.mul(e.k(0.5), f), f)
    tail = e.fma(kf, e.k(lo), e.mul(s, e.add(hfsq, rz)))
    if corr is not None:
        tail = e.add(tail, corr)
    return e.fma(kf, e.k(hi), e.add(e.sub(f, hfsq), tail))


def emit_log(builder: ir.IRBuilder, x: ir.Value) -> ir.Value:
    e = _Emit(builder, x.type)
    u, kadj = _prescale_denormal(e, x)
    res = _log_core(e, u, kadj)
    res = e.sel(e.cmp("==", x, e.inf), x, res)
    res = e.sel(e.cmp("==", x, e.k(0.0)), e.k(-math.inf), res)
    return e.sel(e.ucmp("<", x, e.k(0.0)), e.nan, res)    # x < 0 or NaN


def emit_log1p(builder: ir.IRBuilder, x: ir.Value) -> ir.Value:
    e = _Emit(builder, x.type)
    one = e.k(1.0)
    u = e.add(one, x)
    # c = (1 + x) - u exactly: Sterbenz makes each subtraction exact on its side.
    c = e.sel(e.cmp(">=", u, e.k(2.0)), e.sub(one, e.sub(u, x)), e.sub(x, e.sub(u, one)))
    res = _log_core(e, u, corr=e.div(c, u), x=x)
    res = e.sel(e.cmp("==", x, e.inf), x, res)
    res = e.sel(e.cmp("==", x, e.k(-1.0)), e.k(-math.inf), res)
    res = e.sel(e.ucmp("<", x, e.k(-1.0)), e.nan, res)    # x < -1 or NaN
    return e.sel(e.cmp("==", x, e.k(0.0)), x, res)         # log1p(-0) = -0


# ------------------------------------------------------------------ tanh, sigmoid, softplus
def emit_tanh(builder: ir.IRBuilder, x: ir.Value) -> ir.Value:
    e = _Emit(builder, x.type)
    a = e.fabs(x)
    em = emit_expm1(builder, e.add(a, a))          # NaN propagates; inf for large |x|
    two = e.k(2.0)
    big = e.sub(e.k(1.0), e.div(two, e.add(em, two)))
    if e.f64:
        small = e.div_one_plus(em, em, one=2.0)
    else:
        z = e.mul(a, a)
        small = e.fma(e.mul(a, z), e.poly(z, _TANH_H), a)
    res = e.sel(e.cmp("<", a, e.k(_TANH_SMALL)), small, big)
    return e.copysign(res, x)


def emit_sigmoid(builder: ir.IRBuilder, x: ir.Value) -> ir.Value:
    e = _Emit(builder, x.type)
    ex = emit_exp(builder, e.neg(e.fabs(x)))
    num = e.sel(e.cmp(">=", x, e.k(0.0)), e.k(1.0), ex)
    return e.div_one_plus(num, ex)


def emit_softplus(builder: ir.IRBuilder, x: ir.Value) -> ir.Value:
    e = _Emit(builder, x.type)
    l1p = emit_log1p(builder, emit_exp(builder, e.neg(e.fabs(x))))
    return e.add(e.sel(e.cmp(">", x, e.k(0.0)), x, e.k(0.0)), l1p)


# ------------------------------------------------------------------ erf
def emit_erf(builder: ir.IRBuilder, x: ir.Value) -> ir.Value:
    e = _Emit(builder, x.type)
    a = e.fabs(x)
    z = e.mul(a, a)
    small = e.fma(a, e.fma(z, e.poly(z, _ERF_P[e.f64]), e.k(_TWO_OVER_SQRTPI_M1)), a)
    tc, amax, coeffs = _ERFC_F[e.f64]
    ac = e.minnum(a, e.k(amax))                     # NaN -> amax (selected away below)
    t = e.div(e.k(1.0), e.fma(ac, e.k(0.5), e.k(1.0)))
    f = e.poly(e.sub(t, e.k(tc)), coeffs)
    # exp(-a^2) with a^2 = ah^2 + (a - ah)(a + ah), ah^2 exact (half the mantissa kept).
    mask = ~((1 << 27) - 1) if e.f64 else ~((1 << 12) - 1)
    ah = e.from_bits(e.b.and_(e.bits(ac), e.ki(mask)))
    sq_hi = e.neg(e.mul(ah, ah))
    sq_lo = e.neg(e.mul(e.sub(ac, ah), e.add(ac, ah)))
    big = e.fma(e.neg(_exp_core(e, sq_hi, sq_lo)), f, e.k(1.0))
    res = e.copysign(e.sel(e.cmp("<", a, e.k(_ERF_SMALL)), small, big), x)
    return e.sel(e.isnan(x), x, res)


# ------------------------------------------------------------------ sin, cos, tan
def _trig(builder: ir.IRBuilder, x: ir.Value, kind: str) -> ir.Value:
    e = _Emit(builder, x.type)
    precise = e.f64
    d = _Emit(builder, F64)
    xd = x if precise else builder.fpext(x, F64)
    finite = d.cmp("<", d.fabs(xd), d.inf)
    xs = d.sel(finite, xd, d.k(0.0))
    n = d.rint(d.mul(xs, d.k(_TWO_OVER_PI)))
    c = None
    if precise:
        p1, p2, p3 = _PIO2_3
        r1 = d.sub(xs, d.mul(n, d.k(p1)))            # exact for |n| < 2^20
        r2, err = d.two_sum(r1, d.neg(d.mul(n, d.k(p2))))
        r, c = d.fast_two_sum(r2, d.sub(err, d.mul(n, d.k(p3))))
    else:
        p1, p2 = _PIO2_2
        r = d.sub(d.sub(xs, d.mul(n, d.k(p1))), d.mul(n, d.k(p2)))
    r = d.clamp(r, -0.8, 0.8)    # only bites when the reduction has lost accuracy
    # quadrant n mod 4, computed in floating point (n may be huge)
    q = d.sub(n, d.mul(d.k(4.0), d.floor(d.mul(n, d.k(0.25)))))
    qi = builder.fptosi(d.clamp(q, 0.0, 3.0), I32)
    if kind == "cos":
        qi = builder.add(qi, ir.Constant(I32, 1))
    z = d.mul(r, r)
    hz = d.mul(z, d.k(0.5))
    s_tail = d.mul(d.mul(r, z), d.poly(z, _SIN_S[precise]))
    c_tail = d.mul(d.mul(z, z), d.poly(z, _COS_C[precise]))
    if precise:
        sin_r = d.add(r, d.add(s_tail, d.sub(c, d.mul(c, hz))))
        w = d.sub(d.k(1.0), hz)
        cos_r = d.add(w, d.add(d.sub(d.sub(d.k(1.0), w), hz), d.sub(c_tail, d.mul(r, c))))
    else:
        sin_r = d.add(r, s_tail)
        cos_r = d.add(d.sub(d.k(1.0), hz), c_tail)
    odd = builder.icmp_unsigned("!=", builder.and_(qi, ir.Constant(I32, 1)), ir.Constant(I32, 0))
    if kind == "tan":
        num = d.sel(odd, d.neg(cos_r), sin_r)
        den = d.sel(odd, sin_r, cos_r)
        res = d.div(num, den)
    else:
        neg = builder.icmp_unsigned("!=", builder.and_(qi, ir.Constant(I32, 2)),
                                    ir.Constant(I32, 0))
        res = d.sel(odd, cos_r, sin_r)
        res = d.sel(neg, d.neg(res), res)
    if not precise:
        res = builder.fptrunc(res, x.type)
    if kind != "cos":
        res = e.sel(e.cmp("==", x, e.k(0.0)), x, res)   # sin(-0) = tan(-0) = -0
    return e.sel(e.ucmp("==", e.fabs(x), e.inf), e.nan, res)   # inf or NaN -> NaN


def emit_sin(builder: ir.IRBuilder, x: ir.Value) -> ir.Value:
    return _trig(builder, x, "sin")


def emit_cos(builder: ir.IRBuilder, x: ir.Value) -> ir.Value:
    return _trig(builder, x, "cos")


def emit_tan(builder: ir.IRBuilder, x: ir.Value) -> ir.Value:
    return _trig(builder, x, "tan")


# ------------------------------------------------------------------ pow
def _log_dd(d: _Emit, u):
    """log(u) as a double-double (hi, lo), relative error ~2^-64, for positive finite u."""
    us, kadj = _prescale_denormal(d, u)
    k, m = _log_reduce(d, us)
    kf = d.to_float(d.b.sub(k, kadj))
    f = d.sub(m, d.k(1.0))                               # exact
    v = d.add(d.k(2.0), f)
    vl = d.sub(f, d.sub(v, d.k(2.0)))                    # 2 + f = v + vl exactly
    sh = d.div(f, v)
    sl = d.div(d.sub(d.fma_exact(d.neg(sh), v, f), d.mul(sh, vl)), v)   # s = sh + sl
    z = d.mul(sh, sh)
    zl = d.fma_exact(sh, sh, d.neg(z))
    s3 = d.mul(z, sh)                                    # s^3 = s3 + s3l
    s3l = d.add(d.fma_exact(z, sh, d.neg(s3)),
                d.fma(zl, sh, d.mul(d.mul(d.k(3.0), z), sl)))
    c3h, c3l = _TWO_THIRDS
    t3 = d.mul(d.k(c3h), s3)                             # (2/3)s^3 = t3 + t3l
    t3l = d.add(d.fma_exact(d.k(c3h), s3, d.neg(t3)),
                d.fma(d.k(c3h), s3l, d.mul(d.k(c3l), s3)))
    tail = d.mul(d.mul(s3, z), d.poly(z, _LOG_R2))       # s^5 * R2(z)
    ln2_hi, ln2_lo = _LN2_F64
    h1, e1 = d.two_sum(d.mul(kf, d.k(ln2_hi)), d.add(sh, sh))
    h2, e2 = d.two_sum(h1, t3)
    lo = d.add(d.add(e1, e2), d.add(d.add(d.add(sl, sl), t3l),
                                    d.fma(kf, d.k(ln2_lo), tail)))
    return d.fast_two_sum(h2, lo)


def _pow_f64(d: _Emit, x, y):
    b = d.b
    ax, ay = d.fabs(x), d.fabs(y)
    zero, one, inf = d.k(0.0), d.k(1.0), d.inf
    # core: |x|^y = exp(y*log|x|) on sanitised inputs (finite, |x| > 0)
    ok_x = b.and_(d.cmp(">", ax, zero), d.cmp("<", ax, inf))
    axs = d.sel(ok_x, ax, one)
    ys = d.sel(d.cmp("<", ay, inf), y, zero)
    lh, ll = _log_dd(d, axs)
    ph = d.mul(ys, lh)
    pl = d.fma(ys, ll, d.fma_exact(ys, lh, d.neg(ph)))
    pl = d.sel(d.cmp("<", d.fabs(ph), d.k(2048.0)), pl, zero)
    mag = _exp_core(d, ph, pl)
    # |x| in {0, inf} or |y| = inf: 0 or inf depending on which way the power goes
    special = b.or_(b.or_(d.cmp("==", ax, zero), d.cmp("==", ax, inf)), d.cmp("==", ay, inf))
    grows = b.icmp_unsigned("==", d.cmp(">", ax, one), d.cmp(">", y, zero))
    mag = d.sel(special, d.sel(grows, inf, zero), mag)
    # sign: negative x (incl. -0, -inf) with an odd integer y
    is_int = d.cmp("==", d.floor(y), y)
    half = d.mul(y, d.k(0.5))
    odd = b.and_(is_int, d.cmp("!=", d.floor(half), half))
    sign = b.icmp_signed("<", d.bits(x), d.ki(0))
    mag = d.sel(b.and_(sign, odd), d.neg(mag), mag)
    # NaN: negative finite x with non-integer y, or a NaN operand
    bad = b.and_(b.and_(d.cmp("<", x, zero), d.cmp("<", ax, inf)), b.not_(is_int))
    bad = b.or_(bad, b.or_(d.isnan(x), d.isnan(y)))
    mag = d.sel(bad, d.nan, mag)
    # exact ones: y = +-0, x = 1, x = -1 with y = +-inf
    unit = b.or_(b.or_(d.cmp("==", y, zero), d.cmp("==", x, one)),
                 b.and_(d.cmp("==", ax, one), d.cmp("==", ay, inf)))
    return d.sel(unit, one, mag)


def emit_pow(builder: ir.IRBuilder, x: ir.Value, y: ir.Value) -> ir.Value:
    """x**y with numpy's (C99 pow's) special values; float runs in double, rounded once."""
    e = _Emit(builder, x.type)
    if e.f64:
        return _pow_f64(e, x, y)
    d = _Emit(builder, F64)
    res = _pow_f64(d, builder.fpext(x, F64), builder.fpext(y, F64))
    return builder.fptrunc(res, x.type)


FUNCTIONS = {
    "exp": emit_exp, "expm1": emit_expm1, "log": emit_log, "log1p": emit_log1p,
    "tanh": emit_tanh, "sigmoid": emit_sigmoid, "softplus": emit_softplus, "erf": emit_erf,
    "sin": emit_sin, "cos": emit_cos, "tan": emit_tan,
}


# ------------------------------------------------------------------ kernels and measurement
def kernel_ir(name: str, dtype: str) -> str:
    """LLVM IR of `void kernel(T* x, [T* y,] T* out, i64 n)`: out[i] = f(x[i] [, y[i]])."""
    ty = {"float32": F32, "float64": F64}[dtype]
    emit = emit_pow if name == "pow" else FUNCTIONS[name]
    nin = 2 if name == "pow" else 1
    module = ir.Module(name=f"mathlib_{name}_{dtype}")
    ptr = ty.as_pointer()
    fn = ir.Function(module, ir.FunctionType(ir.VoidType(), [ptr] * (nin + 1) + [I64]),
                     name="kernel")
    for arg in fn.args[:-1]:
        arg.add_attribute("noalias")
    entry, loop, done = (fn.append_basic_block(s) for s in ("entry", "loop", "done"))
    b = ir.IRBuilder(entry)
    n = fn.args[-1]
    b.cbranch(b.icmp_signed(">", n, ir.Constant(I64, 0)), loop, done)
    b.position_at_end(loop)
    i = b.phi(I64, name="i")
    i.add_incoming(ir.Constant(I64, 0), entry)
    args = [b.load(b.gep(p, [i], inbounds=True)) for p in fn.args[:nin]]
    b.store(emit(b, *args), b.gep(fn.args[nin], [i], inbounds=True))
    nxt = b.add(i, ir.Constant(I64, 1), flags=["nuw", "nsw"])
    i.add_incoming(nxt, b.block)
    b.cbranch(b.icmp_signed("<", nxt, n), loop, done)
    b.position_at_end(done)
    b.ret_void()
    return str(module)


class Kernel:
    """A JIT-compiled elementwise loop over one mathlib function (tests, measurement)."""

    def __init__(self, name: str, dtype: str):
        import ctypes

        from .target import host
        self.name, self.dtype = name, dtype
        self.nin = 2 if name == "pow" else 1
        h = host()
        with h.lock:
            module = h.parse(kernel_ir(name, dtype))
            h.optimize(module)
            self.assembly = h.emit_assembly(module)
            self.engine = h.engine(module)
            address = self.engine.get_function_address("kernel")
        proto = ctypes.CFUNCTYPE(None, *[ctypes.c_void_p] * (self.nin + 1), ctypes.c_int64)
        self._fn = proto(address)

    def __call__(self, *inputs):
        import numpy as np
        arrays = [np.ascontiguousarray(a, dtype=self.dtype) for a in np.broadcast_arrays(*inputs)]
        out = np.empty_like(arrays[0])
        self._fn(*[a.ctypes.data for a in arrays], out.ctypes.data, out.size)
        return out


def ulp_error(got, want, dtype):
    """|got - want| in ulps of `dtype` at `want` (an exact or long double reference).
    NaN against NaN and equal infinities count 0; any other mismatch in NaN-ness or
    infinity counts inf. Denormal results are measured in units of the smallest denormal."""
    import numpy as np
    info = np.finfo(dtype)
    want = np.asarray(want, np.longdouble)
    got = np.asarray(got).astype(np.longdouble)
    rounded = want.astype(dtype).astype(np.longdouble)
    with np.errstate(invalid="ignore", over="ignore"):
        _, ex = np.frexp(np.where(np.isfinite(want), want, 1))
        ulp = np.ldexp(np.longdouble(1), np.maximum(ex - info.nmant - 1,
                                                    info.minexp - info.nmant))
        err = np.abs(got - want) / ulp
    special = ~np.isfinite(rounded) | ~np.isfinite(got)
    same = (np.isnan(got) & np.isnan(rounded)) | (got == rounded)
    err = np.where(special, np.where(same, 0, np.inf), err)
    return err.astype(np.float64)


def reference(name: str, *inputs):
    """numpy's value of `name` at `inputs`, in long double (math.erf / mpmath for erf)."""
    import numpy as np
    ld = [np.asarray(a).astype(np.longdouble) for a in inputs]
    x = ld[0]
    with np.errstate(all="ignore"):
        if name == "sigmoid":
            return 1 / (1 + np.exp(-x))
        if name == "softplus":
            return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))
        if name == "pow":
            return np.power(x, ld[1])
        if name == "erf":
            src = np.asarray(inputs[0])
            if src.dtype == np.float64:
                try:
                    import mpmath
                except ImportError:
                    mpmath = None
                if mpmath is not None:
                    mpmath.mp.prec = 80
                    return np.array([np.longdouble(mpmath.nstr(mpmath.erf(float(v)), 25))
                                     if np.isfinite(v) else math.erf(v) for v in src],
                                    np.longdouble)
            return np.array([math.erf(v) for v in src.astype(np.float64)], np.longdouble)
        return getattr(np, name)(x)


def _random_bits(rng, n, dtype):
    """Uniformly random positive finite floats of `dtype` by bit pattern (all binades)."""
    import numpy as np
    itype, top = (np.uint32, 0x7F800000) if dtype == "float32" else (np.uint64,
                                                                    0x7FF0000000000000)
    return rng.integers(1, top, n, dtype=itype).view(dtype)


def sweep(name: str, dtype: str, n: int, seed: int = 0):
    """Test points for `name`: random and evenly spaced over the documented range, dense
    near the interesting points, log-spaced tiny magnitudes (denormals included)."""
    import numpy as np
    rng = np.random.default_rng(seed)
    f64 = dtype == "float64"
    tiny = np.finfo(dtype).smallest_subnormal
    q = n // 8

    def logspace(lo, hi, m):   # magnitudes 10^U(log10 lo, log10 hi) with random signs
        mag = 10.0 ** rng.uniform(np.log10(lo), np.log10(hi), m)
        return mag * rng.choice([-1.0, 1.0], m)

    if name == "log":
        parts = [_random_bits(rng, 4 * q, dtype), rng.uniform(0.5, 2.0, 2 * q),
                 1 + logspace(1e-17 if f64 else 1e-8, 0.5, 2 * q)]
    elif name == "log1p":
        parts = [_random_bits(rng, 2 * q, dtype), rng.uniform(-1, 1, 2 * q),
                 -1 + 10.0 ** rng.uniform(-16 if f64 else -7, 0, q), logspace(tiny, 1, 2 * q),
                 rng.uniform(1, 100, q)]
    else:
        lo, hi = RANGES[name][f64]
        parts = [rng.uniform(lo, hi, 3 * q), np.linspace(lo, hi, 2 * q),
                 rng.uniform(-4, 4, 2 * q), logspace(tiny, min(-lo, hi), q)]
    x = np.concatenate(parts).astype(dtype)
    if name == "log1p":
        x = x[x > -1]
    elif name != "log":
        lo, hi = RANGES[name][f64]
        x = x[(x >= lo) & (x <= hi)]
    return x


def pow_inputs(dtype: str, n: int, seed: int = 0):
    """(x, y) pairs for pow: |x|^y spread over the whole finite result range, small bases
    and exponents, negative bases with integer exponents, denormal bases."""
    import numpy as np
    rng = np.random.default_rng(seed)
    f64 = dtype == "float64"
    lo, hi = (-744.0, 709.7) if f64 else (-103.0, 88.7)
    q = n // 4
    x1 = np.exp2(rng.uniform(-30, 30, q))
    t = rng.uniform(lo, hi, q)
    y1 = t / np.log(x1)
    x2, y2 = rng.uniform(0, 4, q), rng.uniform(-30, 30, q)
    x3, y3 = -rng.uniform(0.05, 4, q), rng.integers(-60, 61, q).astype(float)
    x4 = np.exp2(rng.uniform(-1074 if f64 else -149, -1022 if f64 else -126, q))
    y4 = rng.uniform(-0.9, 1.5, q)
    x = np.concatenate([x1, x2, x3, x4]).astype(dtype)
    y = np.concatenate([y1, y2, y3, y4]).astype(dtype)
    return x, y


def measure(n: int = 1_500_000, names=None, verbose: bool = True) -> dict:
    """Max ulp error per function and dtype over `sweep` / `pow_inputs` (prints a table)."""
    import numpy as np
    names = names or [*FUNCTIONS, "pow"]
    table = {}
    for name in names:
        row = []
        for dtype in ("float32", "float64"):
            kernel = Kernel(name, dtype)
            m = n if not (name == "erf" and dtype == "float64") else min(n, 200_000)
            if name == "pow":
                inputs = pow_inputs(dtype, m)
            else:
                inputs = (sweep(name, dtype, m),)
            got = kernel(*inputs)
            err = ulp_error(got, reference(name, *inputs), dtype)
            worst = int(np.argmax(err))
            row.append((float(err[worst]), [float(a[worst]) for a in inputs]))
        table[name] = row
        if verbose:
            (e32, a32), (e64, a64) = row
            print(f"{name:9s} f32 {e32:6.3f} ulp at {a32}   f64 {e64:6.3f} ulp at {a64}",
                  flush=True)
    return table


if __name__ == "__main__":
    measure()
