"""Fast Fourier transforms (TF1's spectral ops): FFT, IFFT, FFT2D/3D, IFFT2D/3D over the
innermost 1, 2 or 3 axes of a complex tensor, and RFFT, IRFFT (and their 2-D/3-D forms)
between real signals and their half spectra, with TF1's `fft_length` input.

Semantics are numpy's `fft` (pocketfft), which computes what TensorFlow's kernels do:
unnormalized forward transforms, inverse transforms divided by the number of points.
RFFT crops or zero-pads each transformed axis of the input to `fft_length` and keeps the
`fft_length[-1] // 2 + 1` non-negative frequencies of the last; IRFFT reads the first
`fft_length[-1] // 2 + 1` entries of the input's last axis (cropping or zero-padding, the
imaginary parts of the zero and Nyquist frequencies ignored) and `fft_length[i]` of the
others. Results are computed in double precision and rounded once to the output's dtype.

Gradients, under TF1's convention for complex values (ir/ops/complex_ops.py): FFT's is
N * IFFT(g), IFFT's FFT(g) / N (N the number of points). RFFT is a real-linear map from
the signal to the half spectrum; its VJP is its transpose, Re(N * IFFT(g padded with zeros
to fft_length)) fitted back to the input's shape (RFFTAdjoint); IRFFT's is RFFT(g) times
1/N on the frequencies the half spectrum holds once, 2/N on those it stands for twice
(their conjugates), fitted to the input's shape (IRFFTAdjoint). The two adjoint ops are
real-linear too, each the other's transpose up to the forward op: RFFTAdjoint's VJP is
RFFT and IRFFTAdjoint's is IRFFT, so second-order gradients hold.

All of them run as numpy kernels on both backends (complex tensors have no native storage).
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from .. import dtypes as dt
from ..errors import InvalidArgumentError
from ..shapes import TensorShape
from ._base import apply, check_dtype, const_value, const_value_as_shape, convert_to_tensor, \
    defop
from .array_ops import concat, shape as shape_of
from .math_ops import cast, multiply, reciprocal, subtract
from .reduce_ops import reduce_prod
from .slicing_ops import strided_slice

__all__ = ["fft", "ifft", "fft2d", "ifft2d", "fft3d", "ifft3d", "rfft", "irfft", "rfft2d",
           "irfft2d", "rfft3d", "irfft3d"]

_SUFFIX = {1: "", 2: "2D", 3: "3D"}

# (the llvm backend runs these ops as host steps: ir/registry.py's numpy_by_design)
_BY_DESIGN = "complex numbers, which native code does not store"


def _check_rank(op, x, rank: int) -> None:
    if x.shape.ndims is not None and x.shape.ndims < rank:
        raise ValueError(f"{op.type} op '{op.name}': input '{x.name}' must have rank at least "
                         f"{rank}, got shape {x.shape}")


def _run_check_rank(op_type: str, x: np.ndarray, rank: int) -> None:
    if x.ndim < rank:
        raise InvalidArgumentError(None, None, f"{op_type}: input must be at least rank "
                                   f"{rank}, got shape {list(x.shape)}")


def _axes(rank: int) -> tuple:
    return tuple(range(-rank, 0))


# ------------------------------------------------------------------ complex to complex
def _points(t, rank: int):
    """The number of points of a transform over `t`'s last `rank` axes, as `t`'s dtype."""
    dims = t.shape.as_tuple()
    if dims is not None and all(d is not None for d in dims[-rank:]):
        return np.asarray(np.prod(dims[-rank:], dtype=np.int64), t.dtype.np)
    inner = strided_slice(shape_of(t), [-rank], [0], end_mask=1)
    return cast(reduce_prod(inner), t.dtype)


def _fft_family(rank: int):
    forward, inverse = f"FFT{_SUFFIX[rank]}", f"IFFT{_SUFFIX[rank]}"

    def infer(op):
        x = op.inputs[0]
        check_dtype(op, x, dt.COMPLEX, "input")
        _check_rank(op, x, rank)
        return [(x.dtype, x.shape)]

    def kernel(np_fn, op_type):
        def compute(x):
            _run_check_rank(op_type, x, rank)
            if x.size == 0:
                return np.zeros(x.shape, x.dtype)
            return np.asarray(np_fn(x, axes=_axes(rank)), x.dtype)
        return compute

    def fft_vjp(op, grads):
        g = grads[0]
        return [multiply(apply(inverse, (g,)), _points(g, rank))]

    def ifft_vjp(op, grads):
        g = grads[0]
        return [multiply(apply(forward, (g,)), reciprocal(_points(g, rank)))]

    defop(forward, infer, kernel(np.fft.fftn, forward), fft_vjp, family="spectral",
          numpy_by_design=_BY_DESIGN)
    defop(inverse, infer, kernel(np.fft.ifftn, inverse), ifft_vjp, family="spectral",
          numpy_by_design=_BY_DESIGN)

    def fwd(input, name: Optional[str] = None):  # noqa: A002 (TF1's argument name)
        return apply(forward, (convert_to_tensor(input, name="input"),), name=name or forward)

    def inv(input, name: Optional[str] = None):  # noqa: A002
        return apply(inverse, (convert_to_tensor(input, name="input"),), name=name or inverse)
    fwd.__doc__ = (f"TF1 `tf.signal.fft{_SUFFIX[rank].lower()}`: the discrete Fourier "
                   f"transform over the innermost {rank} axes of a complex tensor.")
    inv.__doc__ = (f"TF1 `tf.signal.ifft{_SUFFIX[rank].lower()}`: the inverse transform "
                   f"(divided by the number of points) over the innermost {rank} axes.")
    return fwd, inv


fft, ifft = _fft_family(1)
fft2d, ifft2d = _fft_family(2)
fft3d, ifft3d = _fft_family(3)


# ------------------------------------------------------------------ real <-> half spectrum
def _lengths(op, rank: int) -> Optional[list]:
    """`fft_length` when known at build time, checked."""
    t = op.inputs[1]
    check_dtype(op, t, (dt.int32,), "fft_length")
    if t.shape.ndims not in (None, 1) or t.shape.ndims == 1 and t.shape[0].value not in (
            None, rank):
        raise ValueError(f"{op.type} op '{op.name}': fft_length must be a vector of {rank} "
                         f"ints, got shape {t.shape}")
    value = const_value(t)
    if value is None:
        return None
    value = [int(v) for v in np.asarray(value).reshape(-1)]
    if any(v < 0 for v in value):
        raise ValueError(f"{op.type} op '{op.name}': fft_length must be non-negative, got "
                         f"{value}")
    return value


def _run_lengths(op_type: str, fft_length, rank: int) -> list:
    n = [int(v) for v in np.asarray(fft_length).reshape(-1)]
    if len(n) != rank or any(v < 0 for v in n):
        raise InvalidArgumentError(None, None, f"{op_type}: fft_length must be {rank} "
                                   f"non-negative ints, got {n}")
    return n


def _fit(x: np.ndarray, dims) -> np.ndarray:
    """`x` cropped or zero-padded at the end of its last len(dims) axes to `dims`."""
    lead = x.ndim - len(dims)
    x = x[(Ellipsis,) + tuple(slice(0, d) for d in dims)]
    pad = [(0, 0)] * lead + [(0, d - s) for d, s in zip(dims, x.shape[lead:])]
    return np.pad(x, pad) if any(p for _, p in pad) else x


def _spectrum_dims(n: list) -> list:
    return n[:-1] + [n[-1] // 2 + 1]


def _real_family(rank: int):
    forward, inverse = f"RFFT{_SUFFIX[rank]}", f"IRFFT{_SUFFIX[rank]}"
    forward_adj, inverse_adj = f"RFFTAdjoint{_SUFFIX[rank]}", f"IRFFTAdjoint{_SUFFIX[rank]}"

    def inner_shape(x, dims: Optional[list]):
        if x.shape.ndims is None:
            return TensorShape(None)
        outer = x.shape.as_list()[:-rank]
        return TensorShape(outer + (dims if dims is not None else [None] * rank))

    def rfft_infer(op):
        x = op.inputs[0]
        check_dtype(op, x, (dt.float32, dt.float64), "input")
        _check_rank(op, x, rank)
        n = _lengths(op, rank)
        return [(dt.COMPLEX_OF[x.dtype], inner_shape(x, None if n is None else
                                                     _spectrum_dims(n)))]

    def irfft_infer(op):
        x = op.inputs[0]
        check_dtype(op, x, dt.COMPLEX, "input")
        _check_rank(op, x, rank)
        return [(x.dtype.real_dtype, inner_shape(x, _lengths(op, rank)))]

    def rfft_compute(x, fft_length, *, Tcomplex):
        _run_check_rank(forward, x, rank)
        n = _run_lengths(forward, fft_length, rank)
        x = _fit(x, n)
        if x.size == 0:
            return np.zeros(x.shape[:-rank] + tuple(_spectrum_dims(n)), Tcomplex.np)
        return np.asarray(np.fft.rfftn(x, axes=_axes(rank)), Tcomplex.np)

    def irfft_compute(y, fft_length, *, Treal):
        _run_check_rank(inverse, y, rank)
        n = _run_lengths(inverse, fft_length, rank)
        y = _fit(y, _spectrum_dims(n))
        if y.size == 0 or 0 in n:
            return np.zeros(y.shape[:-rank] + tuple(n), Treal.np)
        return np.asarray(np.fft.irfftn(y, s=n, axes=_axes(rank)), Treal.np)

    def adjoint_infer(out_dtype):
        def infer(op):
            g, _, shape = op.inputs
            check_dtype(op, shape, (dt.int32,), "input_shape")
            return [(out_dtype(g.dtype), const_value_as_shape(shape))]
        return infer

    def rfft_adjoint(g, fft_length, input_shape):
        # Re(N * ifftn(g padded with zeros to the full spectrum)), fitted to the input
        n = _run_lengths(forward_adj, fft_length, rank)
        dims = [int(d) for d in np.asarray(input_shape)[-rank:]]
        real = g.real.dtype
        if g.size == 0 or 0 in n:
            return np.zeros(tuple(int(d) for d in input_shape), real)
        full = _fit(g, n)  # (the missing negative frequencies are zeros)
        x = np.fft.ifftn(full, axes=_axes(rank)).real * float(np.prod(n))
        return np.asarray(_fit(x, dims), real)

    def irfft_adjoint(g, fft_length, input_shape):
        # rfftn(g) / N, doubled where the half spectrum stands for a conjugate pair too
        n = _run_lengths(inverse_adj, fft_length, rank)
        dims = [int(d) for d in np.asarray(input_shape)[-rank:]]
        cdtype = dt.COMPLEX_OF[dt.as_dtype(g.dtype)].np
        if g.size == 0 or 0 in n:
            return np.zeros(tuple(int(d) for d in input_shape), cdtype)
        half = np.fft.rfftn(g, axes=_axes(rank))
        last = n[-1]
        mask = np.full(last // 2 + 1, 2.0)
        mask[0] = 1.0
        if last % 2 == 0:
            mask[-1] = 1.0
        return np.asarray(_fit(half * (mask / float(np.prod(n))), dims), cdtype)

    def rfft_vjp(op, grads):
        x, fft_length = op.inputs
        return [apply(forward_adj, (grads[0], fft_length, shape_of(x))), None]

    def irfft_vjp(op, grads):
        y, fft_length = op.inputs
        return [apply(inverse_adj, (grads[0], fft_length, shape_of(y))), None]

    def rfft_adjoint_vjp(op, grads):
        real = op.outputs[0].dtype
        return [apply(forward, (grads[0], op.inputs[1]), {"Tcomplex": dt.COMPLEX_OF[real]}),
                None, None]

    def irfft_adjoint_vjp(op, grads):
        return [apply(inverse, (grads[0], op.inputs[1]),
                      {"Treal": op.outputs[0].dtype.real_dtype}), None, None]

    defop(forward, rfft_infer, rfft_compute, rfft_vjp, family="spectral",
          numpy_by_design=_BY_DESIGN)
    defop(inverse, irfft_infer, irfft_compute, irfft_vjp, family="spectral",
          numpy_by_design=_BY_DESIGN)
    defop(forward_adj, adjoint_infer(lambda c: c.real_dtype), rfft_adjoint, rfft_adjoint_vjp,
          family="spectral", numpy_by_design=_BY_DESIGN)
    defop(inverse_adj, adjoint_infer(lambda r: dt.COMPLEX_OF[r]), irfft_adjoint,
          irfft_adjoint_vjp, family="spectral", numpy_by_design=_BY_DESIGN)

    def lengths_of(x, fft_length, default_last):
        if fft_length is None:
            dims = x.shape.as_tuple()
            if dims is not None and all(d is not None for d in dims[-rank:]):
                n = list(dims[-rank:])
                n[-1] = default_last(n[-1])
                return convert_to_tensor(np.asarray(n, np.int32), name="fft_length")
            inner = strided_slice(shape_of(x), [-rank], [0], end_mask=1)
            if default_last(4) == 4:
                return inner
            last = strided_slice(inner, [rank - 1], [rank])
            tail = multiply(subtract(last, 1), 2)  # 2 * (n - 1): IRFFT's default
            return tail if rank == 1 else concat([strided_slice(inner, [0], [rank - 1]),
                                                  tail], 0)
        if hasattr(fft_length, "_as_tensor"):
            return cast(fft_length, dt.int32) if fft_length.dtype is not dt.int32 \
                else fft_length._as_tensor()
        return convert_to_tensor(np.asarray(fft_length, np.int32).reshape(-1),
                                 name="fft_length")

    def rfft_builder(input_tensor, fft_length=None, name: Optional[str] = None):
        x = convert_to_tensor(input_tensor, name="input_tensor")
        if x.dtype.is_integer:  # (TF1 converts Python values to float32)
            x = cast(x, dt.float32)
        if x.dtype not in dt.COMPLEX_OF:
            raise TypeError(f"{forward}: input_tensor must be float32 or float64, got "
                            f"{x.dtype.name} ('{x.name}')")
        n = lengths_of(x, fft_length, lambda d: d)
        return apply(forward, (x, n), {"Tcomplex": dt.COMPLEX_OF[x.dtype]},
                     name=name or forward)

    def irfft_builder(input_tensor, fft_length=None, name: Optional[str] = None):
        y = convert_to_tensor(input_tensor, name="input_tensor")
        if not y.dtype.is_complex:
            raise TypeError(f"{inverse}: input_tensor must be complex64 or complex128, got "
                            f"{y.dtype.name} ('{y.name}')")
        n = lengths_of(y, fft_length, lambda d: 2 * (d - 1))
        return apply(inverse, (y, n), {"Treal": y.dtype.real_dtype}, name=name or inverse)

    rfft_builder.__doc__ = (f"TF1 `tf.signal.rfft{_SUFFIX[rank].lower()}`: the transform of "
                            f"a real signal over its innermost {rank} axes, the last one's "
                            "non-negative frequencies (fft_length: the points per axis, "
                            "default the input's dims).")
    irfft_builder.__doc__ = (f"TF1 `tf.signal.irfft{_SUFFIX[rank].lower()}`: the real "
                             f"signal of a half spectrum over its innermost {rank} axes "
                             "(fft_length default: 2 * (last dim - 1) for the last axis).")
    return rfft_builder, irfft_builder


rfft, irfft = _real_family(1)
rfft2d, irfft2d = _real_family(2)
rfft3d, irfft3d = _real_family(3)


from ..naming import name_builders  # noqa: E402

name_builders(globals())
