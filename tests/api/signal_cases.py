"""The tf.signal cases compared with TensorFlow: each builds its outputs from `tf` (graphc
or TensorFlow's compat.v1, the same code for both) and placeholders fed INPUTS.

tests/fixtures/tf/make_signal_fixtures.py runs them in TensorFlow and stores the outputs
(tests/fixtures/tf/signal.npz); tests/api/test_signal_tf.py runs them in graphc. Gradients
are TF's: `tf.gradients` of sum(real(out) w + imag(out) v), so TF1's convention for complex
values is compared too.
"""
from __future__ import annotations

import numpy as np

_R = np.random.RandomState(2024)
INPUTS = {
    "x": _R.randn(2, 40).astype(np.float32),
    "x64": _R.randn(3, 6).astype(np.float64),
    "cube": _R.randn(2, 4, 6, 5).astype(np.float64),
    "z": (_R.randn(2, 4, 6) + 1j * _R.randn(2, 4, 6)).astype(np.complex64),
    "z128": (_R.randn(3, 5) + 1j * _R.randn(3, 5)).astype(np.complex128),
    "half": (_R.randn(2, 4, 4) + 1j * _R.randn(2, 4, 4)).astype(np.complex128),
    "mel": np.abs(_R.randn(3, 7, 12)).astype(np.float32) + 0.1,
}
_DTYPES = {"x": "float32", "x64": "float64", "cube": "float64", "z": "complex64",
           "z128": "complex128", "half": "complex128", "mel": "float32"}


def placeholders(tf) -> dict:
    return {k: tf.placeholder(getattr(tf, _DTYPES[k]), v.shape, name=k)
            for k, v in INPUTS.items()}


def _weights(t, seed: int):
    shape = [int(d) for d in t.shape]
    rng = np.random.RandomState(seed)
    return rng.uniform(0.5, 1.5, shape), rng.uniform(0.5, 1.5, shape)


def _grad(tf, out, wrt, seed=0):
    """TF's gradient of sum(real(out) * a + imag(out) * b) with respect to `wrt`."""
    a, b = _weights(out, seed)
    real_dtype = tf.float64 if out.dtype in (tf.float64, tf.complex128) else tf.float32
    loss = tf.reduce_sum(tf.real(out) * tf.constant(a, real_dtype))
    if out.dtype.is_complex:
        loss = loss + tf.reduce_sum(tf.imag(out) * tf.constant(b, real_dtype))
    return tf.gradients(loss, [wrt])[0]


def cases(tf, p: dict) -> dict:
    """name -> output tensor."""
    s = tf.signal
    out = {}
    for name, fn, arg in (("fft", s.fft, "z"), ("ifft", s.ifft, "z"), ("fft2d", s.fft2d, "z"),
                          ("ifft2d", s.ifft2d, "z"), ("fft3d", s.fft3d, "z"),
                          ("ifft3d", s.ifft3d, "z"), ("fft128", s.fft, "z128"),
                          ("ifft2d128", s.ifft2d, "z128")):
        out[name] = fn(p[arg])
        if arg != "z":
            out[name + "_grad"] = _grad(tf, out[name], p[arg])
    out["rfft"] = s.rfft(p["x"])
    out["rfft_crop"] = s.rfft(p["x"], [31])
    out["rfft_pad"] = s.rfft(p["x"], [50])
    out["irfft"] = s.irfft(out["rfft"])
    out["irfft_odd"] = s.irfft(out["rfft_crop"], [31])
    out["rfft64_grad"] = _grad(tf, s.rfft(p["x64"]), p["x64"])
    out["rfft64_pad_grad"] = _grad(tf, s.rfft(p["x64"], [9]), p["x64"], 2)
    out["irfft128_grad"] = _grad(tf, s.irfft(p["z128"]), p["z128"], 3)
    out["irfft128_odd_grad"] = _grad(tf, s.irfft(p["z128"], [9]), p["z128"], 4)
    out["rfft2d"] = s.rfft2d(p["cube"])
    out["rfft2d_grad"] = _grad(tf, s.rfft2d(p["cube"]), p["cube"], 6)
    out["irfft2d"] = s.irfft2d(p["half"])
    out["irfft2d_grad"] = _grad(tf, s.irfft2d(p["half"], [4, 7]), p["half"], 7)
    out["rfft3d"] = s.rfft3d(p["cube"])
    out["irfft3d"] = s.irfft3d(p["half"])
    for periodic in (True, False):
        out[f"hann_{periodic}"] = s.hann_window(9, periodic=periodic)
        out[f"hamming_{periodic}"] = s.hamming_window(10, periodic=periodic, dtype=tf.float64)
    out["hann_1"] = s.hann_window(1)
    out["vorbis"] = s.vorbis_window(12)
    out["kaiser"] = s.kaiser_window(11, beta=6.0)
    out["kbd"] = s.kaiser_bessel_derived_window(12, beta=5.0)
    out["frame"] = s.frame(p["x"], 8, 5)
    out["frame_pad"] = s.frame(p["x"], 8, 5, pad_end=True, pad_value=0.5)
    out["frame_axis0"] = s.frame(p["x64"], 2, 1, axis=0)
    out["frame_grad"] = _grad(tf, s.frame(p["x64"], 4, 1), p["x64"], 10)
    out["overlap_add"] = s.overlap_and_add(out["frame"], 5)
    out["overlap_add_grad"] = _grad(tf, s.overlap_and_add(tf.reshape(p["cube"], [2, 4, 30]),
                                                          7), p["cube"], 11)
    out["stft"] = s.stft(p["x"], 16, 4)
    out["stft_pad"] = s.stft(p["x"], 12, 5, fft_length=20, pad_end=True,
                             window_fn=s.hamming_window)
    out["stft_grad"] = _grad(tf, s.stft(p["x64"], 4, 2, window_fn=s.hann_window), p["x64"],
                             12)
    out["inverse_stft"] = s.inverse_stft(out["stft"], 16, 4)
    out["inverse_stft_window"] = s.inverse_stft(
        out["stft"], 16, 4, window_fn=s.inverse_stft_window_fn(4))
    out["inverse_stft_grad"] = _grad(tf, s.inverse_stft(p["half"], 6, 2, fft_length=6),
                                     p["half"], 13)
    out["mel"] = s.linear_to_mel_weight_matrix()
    out["mel_custom"] = s.linear_to_mel_weight_matrix(12, 33, 16000, 60.0, 7600.0, tf.float64)
    out["mfccs"] = s.mfccs_from_log_mel_spectrograms(tf.log(p["mel"]))
    out["mfccs_grad"] = _grad(tf, s.mfccs_from_log_mel_spectrograms(p["mel"]), p["mel"], 14)
    for kind in (1, 2, 3, 4):
        out[f"dct{kind}"] = s.dct(p["x"], type=kind)
        out[f"idct{kind}"] = s.idct(p["x64"], type=kind)
        if kind != 1:
            out[f"dct{kind}_ortho"] = s.dct(p["x64"], type=kind, norm="ortho")
            out[f"idct{kind}_ortho"] = s.idct(p["x"], type=kind, norm="ortho")
    out["dct_crop"] = s.dct(p["x"], n=30)
    out["dct_pad"] = s.dct(p["x64"], n=9, norm="ortho")
    out["dct_grad"] = _grad(tf, s.dct(p["x64"], type=3), p["x64"], 15)
    out["fftshift"] = s.fftshift(p["x64"])
    out["ifftshift"] = s.ifftshift(p["cube"], axes=[1, 3])
    out["fftshift_axis"] = s.fftshift(p["z"], axes=-1)
    return out
