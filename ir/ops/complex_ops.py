"""Complex numbers: Complex, Real, Imag, Conj, Angle and ComplexAbs, and TF1's convention
for gradients through complex values.

TF1's gradient of a real loss L with respect to a complex z = x + iy is dL/dx + i dL/dy.
Under it an op's VJP is `g * conj(f'(z))` for a holomorphic f, where the real rule is
`g * f'(x)`: so for the holomorphic ops below (elementwise math, matmul) whose real rules
are linear in `g` and built of holomorphic ops, the complex rule is the real one applied
to conj(g) and conjugated, `conj(rule(conj(g)))` -- what TF1 writes per op with `conj`.
The wrap is attached here, once, with `registry.set_vjp`; real inputs take the real rule.

Complex tensors run through their numpy kernels on both backends: the llvm backend stores
no complex dtype (its buffers hold only what `backends/llvm/irutil` types), so native
code never sees one; ops reading or writing one run between native segments.
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from .. import dtypes as dt
from ..registry import get_opdef, set_vjp
from ..shapes import broadcast_shapes
from ._base import apply, check_dtype, convert_pair, convert_to_tensor, defop
from .generator_ops import zeros_like
from .grad_ops import reduce_to_operand
from .math_ops import add, cast, greater, less, multiply, negative, truediv, where_v2

__all__ = ["complex", "real", "imag", "conj", "angle", "to_complex64", "to_complex128"]


# ------------------------------------------------------------------ Complex(real, imag)
def _complex_infer(op):
    x, y = op.inputs
    check_dtype(op, x, (dt.float32, dt.float64), "real")
    if x.dtype is not y.dtype:
        raise TypeError(f"Complex op '{op.name}': real '{x.name}' is {x.dtype.name} but "
                        f"imag '{y.name}' is {y.dtype.name}; both must be float32 or both "
                        "float64")
    shape = broadcast_shapes(x.shape, y.shape)
    if shape is None:
        raise ValueError(f"Complex op '{op.name}': shapes {x.shape} and {y.shape} are not "
                         "broadcast-compatible")
    return [(dt.COMPLEX_OF[x.dtype], shape)]

# (the llvm backend runs these ops as host steps: ir/registry.py's numpy_by_design)
_BY_DESIGN = "complex numbers, which native code does not store"


def _complex_compute(x, y, *, Tout):
    shape = np.broadcast_shapes(x.shape, y.shape)
    out = np.empty(shape, Tout.np)
    out.real, out.imag = x, y
    return out


def _complex_vjp(op, grads):
    x, y = op.inputs
    g = grads[0]
    return [reduce_to_operand(real(g), x), reduce_to_operand(imag(g), y)]


defop("Complex", _complex_infer, _complex_compute, _complex_vjp, elementwise=True,
      family="binary", numpy_by_design=_BY_DESIGN)


# ------------------------------------------------------------------ complex -> real
def _to_real_infer(op):
    x = op.inputs[0]
    check_dtype(op, x, dt.COMPLEX, "input")
    return [(x.dtype.real_dtype, x.shape)]


def _complex_like(g, like):
    """A real gradient `g` as the complex dtype of `like`'s (imaginary part 0)."""
    return apply("Complex", (g, zeros_like(g)), {"Tout": like.dtype})


def _angle_vjp(op, grads):
    # d angle / dx = -y / |z|^2, d angle / dy = x / |z|^2 (0 at z = 0, as TF1's 1/0 is not)
    z, g = op.inputs[0], grads[0]
    x, y = real(z), imag(z)
    m2 = add(multiply(x, x), multiply(y, y))
    safe = where_v2(greater(m2, np.zeros((), m2.dtype.np)), m2, np.ones((), m2.dtype.np))
    scale = truediv(g, safe)
    return [apply("Complex", (negative(multiply(y, scale)), multiply(x, scale)),
                  {"Tout": z.dtype})]


def _abs_vjp(op, grads):
    # d|z|/dx = x / |z|, d|z|/dy = y / |z|; 0 at z = 0 (TF1's div_no_nan)
    z, r, g = op.inputs[0], op.outputs[0], grads[0]
    safe = where_v2(greater(r, np.zeros((), r.dtype.np)), r, np.ones((), r.dtype.np))
    scale = truediv(g, safe)
    return [apply("Complex", (multiply(real(z), scale), multiply(imag(z), scale)),
                  {"Tout": z.dtype})]


def _part(np_fn):
    def compute(x, *, Tout):
        return np.asarray(np_fn(x), Tout.np)
    return compute


defop("Real", _to_real_infer, _part(np.real),
      lambda op, grads: [_complex_like(grads[0], op.inputs[0])], elementwise=True,
      family="unary", numpy_by_design=_BY_DESIGN)
defop("Imag", _to_real_infer, _part(np.imag),
      lambda op, grads: [apply("Complex", (zeros_like(grads[0]), grads[0]),
                               {"Tout": op.inputs[0].dtype})], elementwise=True,
      family="unary", numpy_by_design=_BY_DESIGN)
defop("Angle", _to_real_infer, _part(np.angle), _angle_vjp, elementwise=True, family="unary",
      numpy_by_design=_BY_DESIGN)
defop("ComplexAbs", _to_real_infer, _part(np.abs), _abs_vjp, elementwise=True,
      family="unary", numpy_by_design=_BY_DESIGN)


def _conj_infer(op):
    x = op.inputs[0]
    check_dtype(op, x, dt.COMPLEX, "input")
    return [(x.dtype, x.shape)]


defop("Conj", _conj_infer, lambda x: np.asarray(np.conj(x)),
      lambda op, grads: [conj(grads[0])], elementwise=True, family="unary",
      numpy_by_design=_BY_DESIGN)


# ------------------------------------------------------------------ builders
def complex(real, imag, name: Optional[str] = None):  # noqa: A001 (TF1's name)
    """TF1 `tf.complex(real, imag)`: float32 parts make complex64, float64 complex128;
    the parts broadcast."""
    x, y = convert_pair(real, imag, "real", "imag")
    if x.dtype not in dt.COMPLEX_OF:
        raise TypeError(f"tf.complex: real and imag must be float32 or float64, got "
                        f"{x.dtype.name} ('{x.name}')")
    return apply("Complex", (x, y), {"Tout": dt.COMPLEX_OF[x.dtype]}, name=name or "Complex")


def _complex_input(x, what: str):
    x = convert_to_tensor(x, name="input")
    if x.dtype.is_string or x.dtype is dt.resource:
        raise TypeError(f"tf.{what} expects a numeric tensor, got {x.dtype.name} "
                        f"('{x.name}')")
    return x


def real(input, name: Optional[str] = None):  # noqa: A002 (TF1's argument name)
    """TF1 `tf.real`: the real part of a complex tensor; a real tensor is returned as is."""
    x = _complex_input(input, "real")
    if not x.dtype.is_complex:
        return x
    return apply("Real", (x,), {"Tout": x.dtype.real_dtype}, name=name or "Real")


def imag(input, name: Optional[str] = None):  # noqa: A002
    """TF1 `tf.imag`: the imaginary part of a complex tensor; zeros for a real one."""
    x = _complex_input(input, "imag")
    if not x.dtype.is_complex:
        return zeros_like(x, name=name or "Imag")
    return apply("Imag", (x,), {"Tout": x.dtype.real_dtype}, name=name or "Imag")


def angle(input, name: Optional[str] = None):  # noqa: A002
    """TF1 `tf.angle`: the argument of a complex tensor, in [-pi, pi]; for a real tensor
    pi where it is negative, else 0."""
    x = _complex_input(input, "angle")
    if x.dtype.is_complex:
        return apply("Angle", (x,), {"Tout": x.dtype.real_dtype}, name=name or "Angle")
    zero = np.zeros((), x.dtype.np)
    return where_v2(less(x, zero), np.full((), np.pi, x.dtype.np), zeros_like(x),
                    name=name or "Angle")


def conj(x, name: Optional[str] = None):
    """TF1 `tf.conj`: the complex conjugate; a real numeric tensor is returned as is."""
    x = convert_to_tensor(x, name="x")
    if x.dtype.is_complex:
        return apply("Conj", (x,), name=name or "Conj")
    if x.dtype.is_numeric or x.dtype.is_bool:
        return x
    raise TypeError(f"Expected numeric or variant tensor, got dtype {x.dtype.name} "
                    f"('{x.name}')")


def to_complex64(x, name: str = "ToComplex64"):
    """TF1 `tf.to_complex64`: cast to complex64 (imaginary part 0)."""
    return cast(x, dt.complex64, name=name)


def to_complex128(x, name: str = "ToComplex128"):
    """TF1 `tf.to_complex128`: cast to complex128 (imaginary part 0)."""
    return cast(x, dt.complex128, name=name)


# ------------------------------------------------------------------ complex VJPs (TF1)
# Ops whose real VJP rule is linear in g and built of holomorphic ops (see the opening
# comment): their complex rule is conj(rule(conj(g))).
HOLOMORPHIC = ("Mul", "RealDiv", "Square", "Sqrt", "Rsqrt", "Reciprocal", "Exp", "Expm1",
               "Log", "Log1p", "Sin", "Cos", "Tan", "Tanh", "MatMul", "BatchMatMulV2")


def _conjugated(rule):
    def vjp(op, grads):
        if not any(t.dtype.is_complex for t in op.inputs):
            return rule(op, grads)
        out = rule(op, [None if g is None else conj(g) for g in grads])
        return [r if r is None or not r.dtype.is_complex else conj(r) for r in out]
    vjp.real_rule = rule
    return vjp


for _name in HOLOMORPHIC:
    set_vjp(_name, _conjugated(get_opdef(_name).vjp))
del _name


from ..naming import name_builders  # noqa: E402

name_builders(globals())
