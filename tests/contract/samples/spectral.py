"""Contract samples for the FFT ops (ir/ops/spectral_ops.py). Complex inputs are built with
Complex from float64 parts, so the samples feed float64; the gradients of complex outputs
are checked by tests/api/test_spectral.py."""
import numpy as np

from graphc.ir.ops import complex_ops as C, core_ops, spectral_ops as S
from graphc.ir.ops._base import apply

ph = core_ops.placeholder
R = np.random.RandomState(41)
_SUFFIX = {1: "", 2: "2D", 3: "3D"}


def _complex_input(shape):
    x, y = ph("float64", list(shape)), ph("float64", list(shape))
    return C.complex(x, y), {x: R.randn(*shape), y: R.randn(*shape)}


def _fft(builder, rank):
    def parts():
        z, feeds = _complex_input((2,) + (3,) * rank)
        return builder(z), feeds

    def fed64():
        z = ph("complex64", [None] * rank)
        return builder(z), {z: (R.randn(*(4,) * rank) + 1j * R.randn(*(4,) * rank)
                                ).astype(np.complex64)}
    parts.__name__, fed64.__name__ = f"{builder.__name__}_complex128", \
        f"{builder.__name__}_complex64_unknown_dims"
    return [parts, fed64]


def _rfft(builder, rank):
    shape = [3 - rank] + [3] * (rank - 1) + [4]  # (at most 64 elements: central differences)

    def f64():
        x = ph("float64", shape)
        return builder(x), {x: R.randn(*shape)}

    def f32_lengths():
        x = ph("float32", [None] * rank)
        return builder(x, [3] * (rank - 1) + [5]), {
            x: R.randn(*[4] * rank).astype(np.float32)}
    f64.__name__, f32_lengths.__name__ = f"{builder.__name__}_float64", \
        f"{builder.__name__}_float32_cropped_and_padded"
    return [f64, f32_lengths]


def _irfft(builder, rank):
    def parts():
        z, feeds = _complex_input([2] + [3] * rank)
        return builder(z), feeds

    def odd():
        z, feeds = _complex_input([3] * rank)
        return builder(z, [4] * (rank - 1) + [5]), feeds
    parts.__name__, odd.__name__ = f"{builder.__name__}_default_length", \
        f"{builder.__name__}_odd_length"
    return [parts, odd]


def _adjoint(op_type, rank, complex_in):
    lengths = np.asarray([3] * (rank - 1) + [4], np.int32)

    def build_with(in_shape, grad_shape):
        def build():
            if complex_in:
                g, feeds = _complex_input(grad_shape)
            else:
                g = ph("float64", list(grad_shape))
                feeds = {g: R.randn(*grad_shape)}
            return apply(op_type, (g, core_ops.constant(lengths),
                                   core_ops.constant(np.asarray(in_shape, np.int32)))), feeds
        build.__name__ = f"{op_type}_to_{'x'.join(map(str, in_shape))}"
        return build
    lead = 3 - rank  # (at most 64 elements: central differences)
    spectrum = [lead] + [3] * (rank - 1) + [3]
    signal = [lead] + [3] * (rank - 1) + [4]
    if complex_in:  # RFFTAdjoint: spectrum -> signal of the input's shape (fit: crop, pad)
        return [build_with(signal, spectrum), build_with([lead] + [2] * rank, spectrum)]
    return [build_with(spectrum, signal), build_with([lead] + [5] * rank, signal)]


SAMPLES = {}
for _rank in (1, 2, 3):
    _sfx = _SUFFIX[_rank]
    fwd, inv = {1: (S.fft, S.ifft), 2: (S.fft2d, S.ifft2d), 3: (S.fft3d, S.ifft3d)}[_rank]
    rf, irf = {1: (S.rfft, S.irfft), 2: (S.rfft2d, S.irfft2d), 3: (S.rfft3d, S.irfft3d)}[_rank]
    SAMPLES[f"FFT{_sfx}"] = _fft(fwd, _rank)
    SAMPLES[f"IFFT{_sfx}"] = _fft(inv, _rank)
    SAMPLES[f"RFFT{_sfx}"] = _rfft(rf, _rank)
    SAMPLES[f"IRFFT{_sfx}"] = _irfft(irf, _rank)
    SAMPLES[f"RFFTAdjoint{_sfx}"] = _adjoint(f"RFFTAdjoint{_sfx}", _rank, True)
    SAMPLES[f"IRFFTAdjoint{_sfx}"] = _adjoint(f"IRFFTAdjoint{_sfx}", _rank, False)
