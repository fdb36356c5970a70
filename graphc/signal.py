"""TF1's `tf.signal` (and the older `tf.spectral`): FFTs, framing, short-time Fourier
transforms, windows, mel filterbanks, MFCCs and DCTs, with TF1's semantics.

The FFT family is ops of their own (ir/ops/spectral_ops.py); everything else is built from
graphc's ops, so gradients come from their rules: `frame` is a gather of overlapping
windows, `overlap_and_add` a segment sum back onto the samples, `stft` a windowed RFFT of
frames, `dct`/`idct` a product with the cosine matrix of their type (types 1 to 4,
`norm=None` or "ortho", TF's scaling), `mfccs_from_log_mel_spectrograms` TF's scaled
DCT-II. Windows and the mel matrix are constants computed in float64 and rounded once;
their lengths (and frame lengths and steps) must be known when the graph is built: a
Python int or a constant tensor.
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from .ir import dtypes as dt
from .ir.graph import TensorLike
from .ir.ops import spectral_ops as _S
from .ir.ops._base import const_value, convert_to_tensor
from .ir.ops.array_ops import concat, expand_dims, reshape, shape as shape_of, transpose
from .ir.ops.generator_ops import fill, range as range_
from .ir.ops.math_ops import add, cast, floordiv, maximum, multiply, rsqrt, subtract
from .ir.ops.matmul_ops import matmul
from .ir.ops.segment_ops import unsorted_segment_sum
from .ir.ops.sequence_ops import roll
from .ir.ops.slicing_ops import gather, strided_slice
from .ir.ops.tile_pad_ops import pad
from .api import name_scope

fft, ifft, fft2d, ifft2d, fft3d, ifft3d = (_S.fft, _S.ifft, _S.fft2d, _S.ifft2d, _S.fft3d,
                                           _S.ifft3d)
rfft, irfft, rfft2d, irfft2d, rfft3d, irfft3d = (_S.rfft, _S.irfft, _S.rfft2d, _S.irfft2d,
                                                 _S.rfft3d, _S.irfft3d)


def _static_int(value, what: str, fn: str) -> int:
    """A Python int from an int, a numpy scalar or a tensor whose value is known."""
    if isinstance(value, TensorLike):
        known = const_value(value._as_tensor())
        if known is None:
            raise NotImplementedError(f"tf.signal.{fn}: graphc needs {what} known when the "
                                      f"graph is built (a Python int or a constant), got "
                                      f"{value._as_tensor().name}")
        value = known
    arr = np.asarray(value)
    if arr.ndim != 0 or arr.dtype.kind not in "iu":
        raise ValueError(f"tf.signal.{fn}: {what} must be a scalar integer, got {value!r}")
    return int(arr)


def _float_dtype(dtype, fn: str) -> dt.DType:
    d = dt.as_dtype(dtype)
    if not d.is_floating:
        raise ValueError(f"tf.signal.{fn}: dtype must be a floating point type, got {d.name}")
    return d


def _constant(value: np.ndarray, dtype: dt.DType, name: str):
    return convert_to_tensor(np.asarray(value, np.float64).astype(dtype.np), name=name)


# ------------------------------------------------------------------ windows
def _raised_cosine(fn: str, window_length, periodic, dtype, a: float, b: float, name):
    n = _static_int(window_length, "window_length", fn)
    d = _float_dtype(dtype, fn)
    if n == 1:
        return _constant(np.ones(1), d, name or fn)
    even = 1 - n % 2
    denominator = n + int(bool(periodic)) * even - 1
    w = a - b * np.cos(2 * np.pi * np.arange(n) / max(denominator, 1))
    return _constant(w, d, name or fn)


def hann_window(window_length, periodic: bool = True, dtype=dt.float32,
                name: Optional[str] = None):
    """TF1 `tf.signal.hann_window`: 0.5 - 0.5 cos(2 pi n / N), N = length (periodic) or
    length - 1 (symmetric)."""
    return _raised_cosine("hann_window", window_length, periodic, dtype, 0.5, 0.5, name)


def hamming_window(window_length, periodic: bool = True, dtype=dt.float32,
                   name: Optional[str] = None):
    """TF1 `tf.signal.hamming_window`: 0.54 - 0.46 cos(2 pi n / N)."""
    return _raised_cosine("hamming_window", window_length, periodic, dtype, 0.54, 0.46, name)


def vorbis_window(window_length, dtype=dt.float32, name: Optional[str] = None):
    """TF `tf.signal.vorbis_window`: sin(pi/2 sin^2(pi (n + 1/2) / N))."""
    n = _static_int(window_length, "window_length", "vorbis_window")
    d = _float_dtype(dtype, "vorbis_window")
    w = np.sin(np.pi / 2 * np.sin(np.pi * (np.arange(n) + 0.5) / n) ** 2)
    return _constant(w, d, name or "vorbis_window")


def kaiser_window(window_length, beta=12.0, dtype=dt.float32, name: Optional[str] = None):
    """TF `tf.signal.kaiser_window`: I0(beta sqrt(1 - (2n/(N-1) - 1)^2)) / I0(beta)."""
    n = _static_int(window_length, "window_length", "kaiser_window")
    d = _float_dtype(dtype, "kaiser_window")
    return _constant(_kaiser(n, float(beta)), d, name or "kaiser_window")


def _kaiser(n: int, beta: float) -> np.ndarray:
    if n == 1:
        return np.ones(1)
    half = (n - 1) / 2.0
    x = (np.arange(n) - half) / half
    return np.i0(beta * np.sqrt(np.clip(1 - x * x, 0, None))) / np.i0(beta)


def kaiser_bessel_derived_window(window_length, beta=12.0, dtype=dt.float32,
                                 name: Optional[str] = None):
    """TF `tf.signal.kaiser_bessel_derived_window`: the normalized cumulative sums of a
    Kaiser window of length N/2 + 1, square-rooted and mirrored."""
    n = _static_int(window_length, "window_length", "kaiser_bessel_derived_window")
    d = _float_dtype(dtype, "kaiser_bessel_derived_window")
    csum = np.cumsum(_kaiser(n // 2 + 1, float(beta)))
    half = np.sqrt(csum[:-1] / csum[-1])
    return _constant(np.concatenate([half, half[::-1]]), d,
                     name or "kaiser_bessel_derived_window")


# ------------------------------------------------------------------ framing
def _axis_of(x, axis: int, fn: str) -> int:
    rank = x.shape.ndims
    if rank is None:
        raise ValueError(f"tf.signal.{fn}: the rank of '{x.name}' must be known")
    if not -rank <= axis < rank:
        raise ValueError(f"tf.signal.{fn}: axis {axis} is out of range for rank {rank}")
    return axis % rank


def frame(signal, frame_length, frame_step, pad_end: bool = False, pad_value=0, axis=-1,
          name: Optional[str] = None):
    """TF1 `tf.signal.frame`: the frames of `frame_length` samples every `frame_step`
    along `axis`, which becomes [frames, frame_length]; `pad_end` pads the end with
    `pad_value` so that every sample is in a frame (ceil(samples / step) frames)."""
    with name_scope(name or "frame"):
        x = convert_to_tensor(signal, name="signal")
        length = _static_int(frame_length, "frame_length", "frame")
        step = _static_int(frame_step, "frame_step", "frame")
        ax = _axis_of(x, _static_int(axis, "axis", "frame"), "frame")
        if length < 1 or step < 1:
            raise ValueError(f"tf.signal.frame: frame_length and frame_step must be positive, "
                             f"got {length} and {step}")
        samples = x.shape.as_list()[ax]
        samples_t = samples if samples is not None else strided_slice(
            shape_of(x), [ax], [ax + 1], shrink_axis_mask=1)
        if pad_end:
            frames = _ceil_div(samples_t, step)
            needed = add(multiply(subtract(frames, 1), step), length) if not isinstance(
                frames, int) else (frames - 1) * step + length
            extra = maximum(subtract(needed, samples_t), 0) if not isinstance(
                needed, int) else max(needed - samples, 0)
            value = np.asarray(pad_value, x.dtype.np)
            if isinstance(extra, int):
                x = pad(x, [[0, extra] if i == ax else [0, 0] for i in range(x.shape.ndims)],
                        constant_values=value)
            else:  # (a length known at run time: a block of pad_value joined on)
                dims_t = shape_of(x)
                block = concat([strided_slice(dims_t, [0], [ax]), reshape(extra, [1]),
                                strided_slice(dims_t, [ax + 1], [0], end_mask=1)], 0)
                x = concat([x, fill(block, value)], ax)
        else:
            frames = (max(0, 1 + (samples - length) // step) if samples is not None else
                      maximum(add(floordiv(subtract(samples_t, length), step), 1), 0))
        if isinstance(frames, int):
            starts = np.arange(frames, dtype=np.int32)[:, None] * step
            indices = starts + np.arange(length, dtype=np.int32)[None, :]
        else:
            starts = expand_dims(multiply(range_(frames), step), 1)
            indices = add(starts, np.arange(length, dtype=np.int32)[None, :])
        return gather(x, indices, axis=ax)


def _ceil_div(n, d: int):
    if isinstance(n, int):
        return -(-n // d)
    return floordiv(add(n, d - 1), d)


def overlap_and_add(signal, frame_step, name: Optional[str] = None):
    """TF1 `tf.signal.overlap_and_add`: frames [..., frames, frame_length] summed back
    onto [..., (frames - 1) * frame_step + frame_length] samples."""
    with name_scope(name or "overlap_and_add"):
        x = convert_to_tensor(signal, name="signal")
        step = _static_int(frame_step, "frame_step", "overlap_and_add")
        if x.shape.ndims is not None and x.shape.ndims < 2:
            raise ValueError(f"tf.signal.overlap_and_add: signal must have rank at least 2, "
                             f"got shape {x.shape}")
        dims = x.shape.as_list() if x.shape.ndims is not None else None
        if dims is None or dims[-1] is None:
            raise ValueError("tf.signal.overlap_and_add: the frame length (the last dim of "
                             f"'{x.name}') must be known, got shape {x.shape}")
        length = dims[-1]
        frames = dims[-2] if dims[-2] is not None else strided_slice(
            shape_of(x), [-2], [-1], shrink_axis_mask=1)
        if isinstance(frames, int):
            out_len = (frames - 1) * step + length if frames else 0
            ids = (np.arange(frames, dtype=np.int32)[:, None] * step +
                   np.arange(length, dtype=np.int32)).reshape(-1)
        else:
            out_len = maximum(add(multiply(subtract(frames, 1), step), length), 0)
            ids = reshape(add(expand_dims(multiply(range_(frames), step), 1),
                              np.arange(length, dtype=np.int32)[None, :]), [-1])
        outer = strided_slice(shape_of(x), [0], [-2])
        flat = transpose(reshape(x, [-1, _product(frames, length)]))  # [frames*length, B]
        summed = unsorted_segment_sum(flat, ids, out_len)             # [out_len, B]
        out_shape = concat([outer, reshape(out_len, [1]) if not isinstance(out_len, int)
                            else np.asarray([out_len], np.int32)], 0)
        result = reshape(transpose(summed), out_shape)
        if all(d is not None for d in dims[:-2]) and isinstance(out_len, int):
            result.set_shape(dims[:-2] + [out_len])
        return result


def _product(frames, length: int):
    return frames * length if isinstance(frames, int) else multiply(frames, length)


# ------------------------------------------------------------------ STFT
def _enclosing_power_of_two(n: int) -> int:
    return 1 << max(0, (n - 1).bit_length())


def stft(signals, frame_length, frame_step, fft_length=None, window_fn=hann_window,
         pad_end: bool = False, name: Optional[str] = None):
    """TF1 `tf.signal.stft`: rfft(frame(signals) * window) over frames of the last axis;
    fft_length defaults to the smallest power of 2 enclosing frame_length."""
    with name_scope(name or "stft"):
        x = convert_to_tensor(signals, name="signals")
        if x.dtype.is_integer:
            x = cast(x, dt.float32)
        length = _static_int(frame_length, "frame_length", "stft")
        n = _enclosing_power_of_two(length) if fft_length is None else _static_int(
            fft_length, "fft_length", "stft")
        framed = frame(x, length, frame_step, pad_end=pad_end)
        if window_fn is not None:
            framed = multiply(framed, window_fn(length, dtype=framed.dtype))
        return rfft(framed, [n])


def inverse_stft(stfts, frame_length, frame_step, fft_length=None, window_fn=hann_window,
                 name: Optional[str] = None):
    """TF1 `tf.signal.inverse_stft`: overlap_and_add(irfft(stfts)[..., :frame_length] *
    window); with `inverse_stft_window_fn` it inverts `stft`."""
    with name_scope(name or "inverse_stft"):
        y = convert_to_tensor(stfts, name="stfts")
        length = _static_int(frame_length, "frame_length", "inverse_stft")
        n = _enclosing_power_of_two(length) if fft_length is None else _static_int(
            fft_length, "fft_length", "inverse_stft")
        frames = irfft(y, [n])
        rank = frames.shape.ndims
        if rank is None:
            raise ValueError("tf.signal.inverse_stft: the rank of stfts must be known")
        frames = strided_slice(frames, [0] * rank, [0] * (rank - 1) + [length],
                               begin_mask=(1 << rank) - 1, end_mask=(1 << (rank - 1)) - 1)
        if length > n:  # (TF pads frames shorter than frame_length with zeros)
            frames = pad(frames, [[0, 0]] * (rank - 1) + [[0, length - n]])
        if window_fn is not None:
            frames = multiply(frames, window_fn(length, dtype=frames.dtype))
        return overlap_and_add(frames, frame_step)


def inverse_stft_window_fn(frame_step, forward_window_fn=hann_window,
                           name: Optional[str] = None):
    """TF1 `tf.signal.inverse_stft_window_fn`: a window_fn for inverse_stft that undoes
    `forward_window_fn`'s overlapped squares (perfect reconstruction)."""
    step = _static_int(frame_step, "frame_step", "inverse_stft_window_fn")

    def window_fn(frame_length, dtype):
        length = _static_int(frame_length, "frame_length", "inverse_stft_window_fn")
        forward = forward_window_fn(length, dtype=dtype)
        w = np.asarray(const_value(forward), np.float64)
        overlaps = -(-length // step)
        denom = np.pad(w * w, (0, overlaps * step - length)).reshape(overlaps, step)
        denom = np.tile(denom.sum(0, keepdims=True), (overlaps, 1)).reshape(-1)[:length]
        return _constant(w / denom, dt.as_dtype(dtype), name or "inverse_stft_window")
    return window_fn


# ------------------------------------------------------------------ mel and MFCC
_MEL_BREAK_HZ, _MEL_HIGH_Q = 700.0, 1127.0


def _hertz_to_mel(hz):
    return _MEL_HIGH_Q * np.log1p(np.asarray(hz, np.float64) / _MEL_BREAK_HZ)


def linear_to_mel_weight_matrix(num_mel_bins=20, num_spectrogram_bins=129, sample_rate=8000,
                                lower_edge_hertz=125.0, upper_edge_hertz=3800.0,
                                dtype=dt.float32, name: Optional[str] = None):
    """TF1 `tf.signal.linear_to_mel_weight_matrix`: [num_spectrogram_bins, num_mel_bins]
    triangular filters, even on the mel scale (HTK's), over [0, sample_rate / 2]; the DC
    bin's row is zero."""
    fn = "linear_to_mel_weight_matrix"
    mels = _static_int(num_mel_bins, "num_mel_bins", fn)
    bins = _static_int(num_spectrogram_bins, "num_spectrogram_bins", fn)
    rate = float(const_value(sample_rate._as_tensor())) if isinstance(
        sample_rate, TensorLike) else float(sample_rate)
    lower, upper = float(lower_edge_hertz), float(upper_edge_hertz)
    d = _float_dtype(dtype, fn)
    if mels <= 0 or bins <= 0 or rate <= 0:
        raise ValueError(f"{fn}: num_mel_bins, num_spectrogram_bins and sample_rate must be "
                         f"positive, got {mels}, {bins} and {rate}")
    if lower < 0 or lower >= upper:
        raise ValueError(f"{fn}: need 0 <= lower_edge_hertz < upper_edge_hertz, got "
                         f"{lower} and {upper}")
    if upper > rate / 2:
        raise ValueError(f"{fn}: upper_edge_hertz must not be larger than the Nyquist "
                         f"frequency (sample_rate / 2). Got {upper} for sample_rate: {rate}")
    spectrum_mel = _hertz_to_mel(np.linspace(0.0, rate / 2, bins)[1:])[:, None]
    edges = np.linspace(_hertz_to_mel(lower), _hertz_to_mel(upper), mels + 2)
    low, centre, high = edges[:-2][None], edges[1:-1][None], edges[2:][None]
    rising = (spectrum_mel - low) / (centre - low)
    falling = (high - spectrum_mel) / (high - centre)
    weights = np.maximum(0.0, np.minimum(rising, falling))
    return _constant(np.pad(weights, [[1, 0], [0, 0]]), d, name or fn)


def _dct_matrix(kind: int, n: int, norm) -> np.ndarray:
    """M with dct(x) = x @ M for length-n signals (TF's unnormalized scaling)."""
    i = np.arange(n)[:, None]   # input index
    k = np.arange(n)[None, :]   # output index
    if kind == 1:
        m = 2 * np.cos(np.pi * i * k / (n - 1))
        m[0], m[-1] = 1.0, np.cos(np.pi * k[0])
        return m
    if kind == 2:
        m = 2 * np.cos(np.pi * k * (2 * i + 1) / (2 * n))
        if norm == "ortho":
            m *= np.where(k == 0, np.sqrt(1 / (4 * n)), np.sqrt(1 / (2 * n)))
        return m
    if kind == 3:
        m = 2 * np.cos(np.pi * i * (2 * k + 1) / (2 * n))
        m[0] = 1.0
        if norm == "ortho":
            m *= np.sqrt(1 / (2 * n))
            m[0] = 1 / np.sqrt(n)
        return m
    m = 2 * np.cos(np.pi * (2 * i + 1) * (2 * k + 1) / (4 * n))
    return m * np.sqrt(1 / (2 * n)) if norm == "ortho" else m


def dct(input, type=2, n=None, axis=-1, norm=None, name: Optional[str] = None):  # noqa: A002
    """TF1 `tf.signal.dct`: the DCT of `type` 1 to 4 over the last axis (`axis` must be
    -1, as in TF), unnormalized or `norm="ortho"`; `n` crops or zero-pads the signal."""
    with name_scope(name or "dct"):
        x = convert_to_tensor(input, name="input")
        if not x.dtype.is_floating:
            raise ValueError(f"tf.signal.dct: input must be float32 or float64, got "
                             f"{x.dtype.name}")
        if axis != -1:
            raise NotImplementedError(f"axis must be -1. Got: {axis}")
        if type not in (1, 2, 3, 4):
            raise ValueError(f"Types I, II, III and IV (I)DCT are supported. Got: {type}")
        if norm not in (None, "ortho"):
            raise ValueError(f"Unknown normalization. Expected None or 'ortho', got: {norm}")
        if type == 1 and norm == "ortho":
            raise ValueError("Normalization is not supported for the Type-I DCT.")
        dims = x.shape.as_list() if x.shape.ndims is not None else None
        if dims is None or not dims or dims[-1] is None:
            raise ValueError(f"tf.signal.dct: the last dim of '{x.name}' must be known, got "
                             f"shape {x.shape}")
        size = dims[-1]
        if n is not None:
            n = _static_int(n, "n", "dct")
            if n < 1:
                raise ValueError(f"Invalid value for n: {n}")
            rank = len(dims)
            if n < size:
                x = strided_slice(x, [0] * rank, [0] * (rank - 1) + [n],
                                  begin_mask=(1 << rank) - 1, end_mask=(1 << (rank - 1)) - 1)
            elif n > size:
                x = pad(x, [[0, 0]] * (rank - 1) + [[0, n - size]])
            size = n
        if type == 1 and size < 2:
            raise ValueError("Type-I DCT requires the dimension to be greater than one.")
        m = convert_to_tensor(_dct_matrix(type, size, norm).astype(x.dtype.np), name="basis")
        if len(dims) == 1:
            return reshape(matmul(expand_dims(x, 0), m), [size])
        return matmul(x, m)


def idct(input, type=2, n=None, axis=-1, norm=None, name: Optional[str] = None):  # noqa: A002
    """TF1 `tf.signal.idct`: the DCT of the inverse type (I: I, II: III, III: II, IV: IV);
    unnormalized, idct(dct(x)) is 2N x (N - 1 for type I), with "ortho" it is x."""
    inverse = {1: 1, 2: 3, 3: 2, 4: 4}.get(type)
    if inverse is None:
        raise ValueError(f"Types I, II, III and IV (I)DCT are supported. Got: {type}")
    return dct(input, type=inverse, n=n, axis=axis, norm=norm, name=name or "idct")


def mfccs_from_log_mel_spectrograms(log_mel_spectrograms, name: Optional[str] = None):
    """TF1 `tf.signal.mfccs_from_log_mel_spectrograms`: the DCT-II of log mel spectrograms
    scaled by 1 / sqrt(2 num_mel_bins) (HTK's MFCCs, the zeroth kept)."""
    with name_scope(name or "mfccs_from_log_mel_spectrograms"):
        x = convert_to_tensor(log_mel_spectrograms, name="log_mel_spectrograms")
        bins = x.shape.as_list()[-1] if x.shape.ndims else None
        if bins is None:
            raise ValueError("tf.signal.mfccs_from_log_mel_spectrograms: the number of mel "
                             f"bins (last dim) must be known, got shape {x.shape}")
        return multiply(dct(x, type=2), rsqrt(np.asarray(2.0 * bins, x.dtype.np)))


# ------------------------------------------------------------------ shifts
def _shifts(x, axes, sign: int, fn: str):
    x = convert_to_tensor(x, name="x")
    rank = x.shape.ndims
    if axes is None:
        if rank is None:
            raise ValueError(f"tf.signal.{fn}: the rank of '{x.name}' must be known")
        axes = list(range(rank))
    elif isinstance(axes, int):
        axes = [axes]
    axes = [int(a) for a in axes]
    dims = x.shape.as_list() if rank is not None else [None] * (max(axes) + 1)
    shifts = []
    for a in axes:
        d = dims[a]
        if d is None:
            d = strided_slice(shape_of(x), [a], [a + 1], shrink_axis_mask=1)
            shifts.append(multiply(floordiv(d, 2), sign))
        else:
            shifts.append(np.int32(sign * (d // 2)))
    if all(isinstance(s, np.integer) for s in shifts):
        shift = np.asarray(shifts, np.int32)
    else:
        shift = concat([reshape(s, [1]) if isinstance(s, TensorLike) else
                        np.asarray([s], np.int32) for s in shifts], 0)
    return roll(x, shift, axes)


def fftshift(x, axes=None, name: Optional[str] = None):
    """TF `tf.signal.fftshift`: the zero frequency moved to the centre of `axes`."""
    with name_scope(name or "fftshift"):
        return _shifts(x, axes, 1, "fftshift")


def ifftshift(x, axes=None, name: Optional[str] = None):
    """TF `tf.signal.ifftshift`: the inverse of fftshift."""
    with name_scope(name or "ifftshift"):
        return _shifts(x, axes, -1, "ifftshift")


SIGNAL = {f.__name__: f for f in (
    fft, ifft, fft2d, ifft2d, fft3d, ifft3d, rfft, irfft, rfft2d, irfft2d, rfft3d, irfft3d,
    hann_window, hamming_window, vorbis_window, kaiser_window, kaiser_bessel_derived_window,
    frame, overlap_and_add, stft, inverse_stft, inverse_stft_window_fn,
    linear_to_mel_weight_matrix, mfccs_from_log_mel_spectrograms, dct, idct, fftshift,
    ifftshift)}
# TF1's tf.spectral: the transforms and the DCTs.
SPECTRAL = {n: SIGNAL[n] for n in (
    "fft", "ifft", "fft2d", "ifft2d", "fft3d", "ifft3d", "rfft", "irfft", "rfft2d", "irfft2d",
    "rfft3d", "irfft3d", "dct", "idct")}
