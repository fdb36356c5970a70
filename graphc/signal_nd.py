"""tf.signal's N-d transforms over chosen axes (fftnd, ifftnd, rfftnd, irfftnd, also TF1's
top-level raw ops of those names) and the modified DCT (mdct, inverse_mdct).

The N-d transforms are composed of the 1-D FFT ops (ir/ops/spectral_ops.py) along each
axis in turn (a transpose brings it innermost and back), with the signal cropped or
zero-padded to `fft_length` first, so their values are numpy's fftn/rfftn/irfftn (TF
runs FFTND on GPUs only: numpy is the reference) and their gradients the 1-D ops'.
`norm` is numpy's: "backward" (None), "ortho" or "forward". The ranks and, where
fft_length is given, the transformed dims must be known when the graph is built.
mdct and inverse_mdct are TF's compositions: frames of frame_length with 50% overlap,
windowed (vorbis by default), folded into half length and transformed by the DCT-IV;
the inverse unfolds, windows and overlap-adds (perfect reconstruction away from the ends
with a Princen-Bradley window).
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from .api import name_scope
from .ir import dtypes as dt
from .ir.ops import spectral_ops as _S
from .ir.ops._base import convert_to_tensor
from .ir.ops.array_ops import concat, transpose
from .ir.ops.math_ops import cast, multiply, negative, subtract
from .ir.ops.slicing_ops import strided_slice
from .ir.ops.split_ops import split
from .ir.ops.tile_pad_ops import pad, reverse
from .signal import dct, frame, overlap_and_add, vorbis_window

__all__ = ["fftnd", "ifftnd", "rfftnd", "irfftnd", "mdct", "inverse_mdct"]


def _plan(x, fft_length, axes, fn: str, last_default=None):
    """The normalized axes and their lengths (ints; None where the input decides)."""
    rank = x.shape.ndims
    if rank is None:
        raise ValueError(f"tf.signal.{fn}: the rank of '{x.name}' must be known")
    if fft_length is not None:
        fft_length = [int(n) for n in np.asarray(fft_length).reshape(-1)]
    if axes is None:
        count = rank if fft_length is None else len(fft_length)
        axes = list(range(rank - count, rank))
    axes = [int(a) for a in np.asarray(axes).reshape(-1)]
    if any(not -rank <= a < rank for a in axes):
        raise ValueError(f"tf.signal.{fn}: axes {axes} out of range for rank {rank}")
    axes = [a % rank for a in axes]
    if len(set(axes)) != len(axes):
        raise ValueError(f"tf.signal.{fn}: axes {axes} repeat an axis")
    if fft_length is not None and len(fft_length) != len(axes):
        raise ValueError(f"tf.signal.{fn}: fft_length {fft_length} and axes {axes} differ "
                         "in length")
    dims = x.shape.as_list()
    lengths = list(fft_length) if fft_length is not None else [dims[a] for a in axes]
    if fft_length is None and last_default is not None and lengths and lengths[-1]:
        lengths[-1] = last_default(lengths[-1])
    return axes, lengths


def _fit(x, axis: int, n):
    """x cropped or zero-padded to n along axis (n None: unchanged)."""
    size = x.shape.as_list()[axis]
    if n is None or size == n:
        return x
    if size is None:
        raise ValueError(f"tf.signal: a transformed dim of '{x.name}' must be known to fit "
                         f"it to fft_length {n}")
    rank = x.shape.ndims
    if n < size:
        end = [0] * rank
        end[axis] = n
        return strided_slice(x, [0] * rank, end, begin_mask=(1 << rank) - 1,
                             end_mask=((1 << rank) - 1) & ~(1 << axis))
    paddings = [[0, 0]] * rank
    paddings[axis] = [0, n - size]
    return pad(x, paddings)


def _along(x, axis: int, transform):
    rank = x.shape.ndims
    if axis == rank - 1:
        return transform(x)
    perm = [a for a in range(rank) if a != axis] + [axis]
    back = list(np.argsort(perm))
    return transpose(transform(transpose(x, perm)), back)


def _scaled(y, lengths, norm, inverse: bool, fn: str):
    if norm in (None, "backward"):
        return y
    if norm not in ("ortho", "forward"):
        raise ValueError(f"tf.signal.{fn}: norm must be 'backward', 'ortho' or 'forward', "
                         f"got {norm!r}")
    count = float(np.prod(lengths))
    factor = count ** -0.5 if norm == "ortho" else 1 / count
    if inverse:
        factor = count ** 0.5 if norm == "ortho" else count
    return multiply(y, np.asarray(factor, y.dtype.real_dtype.np).astype(y.dtype.np))


def _complex_nd(inverse: bool):
    fn = "ifftnd" if inverse else "fftnd"
    one_d = _S.ifft if inverse else _S.fft

    def transform(input_tensor, fft_length=None, axes=None, norm=None,
                  name: Optional[str] = None):
        with name_scope(name or fn):
            x = convert_to_tensor(input_tensor, name="input_tensor")
            if not x.dtype.is_complex:
                raise TypeError(f"tf.signal.{fn}: input_tensor must be complex64 or "
                                f"complex128, got {x.dtype.name}")
            axes_, lengths = _plan(x, fft_length, axes, fn)
            for axis, n in zip(axes_, lengths):
                x = _along(_fit(x, axis, n), axis, one_d)
            lengths = [x.shape.as_list()[a] for a in axes_]
            return _scaled(x, lengths, norm, inverse, fn)
    transform.__name__ = transform.__qualname__ = fn
    transform.__doc__ = (f"TF `tf.signal.{fn}`: the {'inverse ' if inverse else ''}DFT over "
                         "`axes` (default all, or the last len(fft_length)), numpy's "
                         f"{'i' if inverse else ''}fftn (see the module comment).")
    return transform


fftnd = _complex_nd(False)
ifftnd = _complex_nd(True)


def rfftnd(input_tensor, fft_length=None, axes=None, norm=None, name: Optional[str] = None):
    """TF `tf.signal.rfftnd`: the DFT of a real signal over `axes`, the last axis' half
    spectrum (numpy's rfftn)."""
    with name_scope(name or "rfftnd"):
        x = convert_to_tensor(input_tensor, name="input_tensor")
        if x.dtype.is_integer:
            x = cast(x, dt.float32)
        axes_, lengths = _plan(x, fft_length, axes, "rfftnd")
        last, n_last = axes_[-1], lengths[-1]
        x = _along(_fit(x, last, n_last), last, _S.rfft)
        for axis, n in zip(axes_[:-1], lengths[:-1]):
            x = _along(_fit(x, axis, n), axis, _S.fft)
        full = [x.shape.as_list()[a] for a in axes_[:-1]] + [n_last]
        return _scaled(x, full, norm, False, "rfftnd")


def irfftnd(input_tensor, fft_length=None, axes=None, norm=None, name: Optional[str] = None):
    """TF `tf.signal.irfftnd`: the real signal of a half spectrum over `axes` (numpy's
    irfftn; the last axis' default length 2 * (dim - 1))."""
    with name_scope(name or "irfftnd"):
        y = convert_to_tensor(input_tensor, name="input_tensor")
        if not y.dtype.is_complex:
            raise TypeError(f"tf.signal.irfftnd: input_tensor must be complex64 or "
                            f"complex128, got {y.dtype.name}")
        axes_, lengths = _plan(y, fft_length, axes, "irfftnd", lambda d: 2 * (d - 1))
        for axis, n in zip(axes_[:-1], lengths[:-1]):
            y = _along(_fit(y, axis, n), axis, _S.ifft)
        last, n_last = axes_[-1], lengths[-1]
        if n_last is None:
            raise ValueError("tf.signal.irfftnd: the last axis' length must be known")
        half = n_last // 2 + 1
        x = _along(_fit(y, last, half), last,
                   lambda t: _S.irfft(t, np.asarray([n_last], np.int32)))
        full = [x.shape.as_list()[a] for a in axes_[:-1]] + [n_last]
        return _scaled(x, full, norm, True, "irfftnd")


def _raw_complex(fn, name: str):
    def op(input, fft_length, axes, name=None):  # noqa: A002  (TF1's raw-op names)
        return fn(input, fft_length=fft_length, axes=axes, name=name or default)
    default = name.upper()
    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"TF1 `tf.{name}`: the raw op, tf.signal.{name} with numpy's backward norm."
    return op


def raw_rfftnd(input, fft_length, axes, Tcomplex=dt.complex64, name=None):  # noqa: A002,N803
    """TF1 `tf.rfftnd`: the raw op, tf.signal.rfftnd of the input in Tcomplex's precision."""
    x = cast(convert_to_tensor(input, name="input"), dt.as_dtype(Tcomplex).real_dtype)
    return rfftnd(x, fft_length=fft_length, axes=axes, name=name or "RFFTND")


def raw_irfftnd(input, fft_length, axes, Treal=dt.float32, name=None):  # noqa: A002,N803
    """TF1 `tf.irfftnd`: the raw op, tf.signal.irfftnd; the result in Treal."""
    y = irfftnd(input, fft_length=fft_length, axes=axes, name=name or "IRFFTND")
    treal = dt.as_dtype(Treal)
    return y if y.dtype is treal else cast(y, treal)


raw_rfftnd.__name__ = raw_rfftnd.__qualname__ = "rfftnd"
raw_irfftnd.__name__ = raw_irfftnd.__qualname__ = "irfftnd"
RAW = {"fftnd": _raw_complex(fftnd, "fftnd"), "ifftnd": _raw_complex(ifftnd, "ifftnd"),
       "rfftnd": raw_rfftnd, "irfftnd": raw_irfftnd}


# ------------------------------------------------------------------ modified DCT
def mdct(signals, frame_length, window_fn=vorbis_window, pad_end: bool = False, norm=None,
         name: Optional[str] = None):
    """TF `tf.signal.mdct`: the MDCT of frames of `frame_length` (a multiple of 4) with
    50% overlap: [..., frames, frame_length / 2]."""
    with name_scope(name or "mdct"):
        x = convert_to_tensor(signals, name="signals")
        if not x.dtype.is_floating:
            raise ValueError(f"tf.signal.mdct: signals must be float32 or float64, got "
                             f"{x.dtype.name}")
        frame_length = int(frame_length)
        if frame_length % 4:
            raise ValueError(f"The frame length must be a multiple of 4, got {frame_length}")
        frames = frame(x, frame_length, frame_length // 2, pad_end=pad_end)
        if window_fn is not None:
            frames = multiply(frames, window_fn(frame_length, dtype=x.dtype))
        else:
            frames = multiply(frames, np.asarray(2 ** -0.5, x.dtype.np))
        a, b, c, d = split(frames, 4, axis=-1)
        first = subtract(negative(reverse(c, [-1])), d)
        second = subtract(a, reverse(b, [-1]))
        return dct(concat([first, second], -1), type=4, norm=norm)


def inverse_mdct(mdcts, window_fn=vorbis_window, norm=None, name: Optional[str] = None):
    """TF `tf.signal.inverse_mdct`: the signal of MDCT frames [..., frames, N] (frames of
    2N overlap-added by N)."""
    with name_scope(name or "inverse_mdct"):
        y = convert_to_tensor(mdcts, name="mdcts")
        if not y.dtype.is_floating:
            raise ValueError(f"tf.signal.inverse_mdct: mdcts must be float32 or float64, "
                             f"got {y.dtype.name}")
        half = y.shape.as_list()[-1] if y.shape.ndims else None
        if half is None:
            raise ValueError("tf.signal.inverse_mdct: the last dim of mdcts must be known")
        if norm is None:
            z = multiply(dct(y, type=4), np.asarray(0.5 / half, y.dtype.np))
        elif norm == "ortho":
            z = dct(y, type=4, norm="ortho")
        else:
            raise ValueError(f"Unknown normalization. Expected None or 'ortho', got: {norm}")
        p, q = split(z, 2, axis=-1)
        frames = concat([q, negative(reverse(q, [-1])), negative(reverse(p, [-1])),
                         negative(p)], -1)
        if window_fn is not None:
            frames = multiply(frames, window_fn(2 * half, dtype=y.dtype))
        else:
            frames = multiply(frames, np.asarray(2 ** -0.5, y.dtype.np))
        return overlap_and_add(frames, half)
