"""FFT ops and tf.signal compositions beyond the TensorFlow fixture: central-difference
gradients of complex outputs (TF1's convention), second-order gradients, run-time lengths,
numpy's semantics and the errors."""
from __future__ import annotations

import numpy as np
import pytest

import graphc as tf
from graphc.ir.ops._base import apply

R = np.random.RandomState(8)


def _numeric_check(build, shapes, complex_input: bool, seed=0):
    """Gradient of sum(real(out) a + imag(out) b) w.r.t. float64 inputs (their complex
    combination when `complex_input`) against central differences."""
    xs = [tf.placeholder(tf.float64, s) for s in shapes]
    inputs = [tf.complex(xs[0], xs[1])] if complex_input else xs
    out = build(*inputs)
    rng = np.random.RandomState(seed)
    shape = out.shape.as_list()
    a, b = rng.uniform(0.5, 1.5, shape), rng.uniform(0.5, 1.5, shape)
    loss = tf.reduce_sum(tf.real(out) * a)
    if out.dtype.is_complex:
        loss = loss + tf.reduce_sum(tf.imag(out) * b)
    grads = tf.gradients(loss, xs)
    feeds = {x: rng.randn(*s) for x, s in zip(xs, shapes)}
    with tf.Session(backend="numpy") as sess:
        analytic = sess.run(grads, feeds)
        for x, got in zip(xs, analytic):
            num = np.zeros(feeds[x].shape)
            for i in np.ndindex(num.shape):
                e = np.zeros(num.shape)
                e[i] = 1e-6
                num[i] = (sess.run(loss, {**feeds, x: feeds[x] + e}) -
                          sess.run(loss, {**feeds, x: feeds[x] - e})) / 2e-6
            np.testing.assert_allclose(got, num, rtol=1e-5, atol=1e-6)
    return loss, xs, feeds


S = tf.signal
COMPLEX_CASES = {
    "fft": (S.fft, [3, 4]), "ifft": (S.ifft, [2, 5]), "fft2d": (S.fft2d, [3, 4]),
    "ifft2d": (S.ifft2d, [2, 3, 2]), "fft3d": (S.fft3d, [2, 2, 3]),
    "ifft3d": (S.ifft3d, [2, 2, 3]),
    "irfft": (S.irfft, [2, 4]), "irfft_odd": (lambda z: S.irfft(z, [7]), [2, 4]),
    "irfft_crop": (lambda z: S.irfft(z, [4]), [2, 5]),
    "irfft_pad": (lambda z: S.irfft(z, [12]), [2, 3]),
    "irfft2d": (lambda z: S.irfft2d(z, [3, 5]), [2, 3, 3]),
    "irfft3d": (lambda z: S.irfft3d(z, [2, 2, 4]), [2, 2, 3]),
}
REAL_CASES = {
    "rfft": (S.rfft, [2, 6]), "rfft_odd": (S.rfft, [2, 5]),
    "rfft_crop": (lambda x: S.rfft(x, [4]), [2, 6]),
    "rfft_pad": (lambda x: S.rfft(x, [9]), [2, 6]),
    "rfft2d": (lambda x: S.rfft2d(x, [2, 5]), [3, 4]),
    "rfft3d": (lambda x: S.rfft3d(x, [2, 3, 3]), [2, 2, 4]),
    "stft_pad_end": (lambda x: S.stft(x, 5, 3, pad_end=True), [2, 11]),
    "frame_axis": (lambda x: S.frame(x, 2, 2, axis=0, pad_end=True), [5, 2]),
    "dct1": (lambda x: S.dct(x, type=1), [2, 5]),
    "idct4_ortho": (lambda x: S.idct(x, type=4, norm="ortho"), [2, 5]),
}


@pytest.mark.parametrize("case", sorted(COMPLEX_CASES))
def test_gradient_of_complex_input_ops(case):
    build, shape = COMPLEX_CASES[case]
    _numeric_check(build, [shape, shape], True)


@pytest.mark.parametrize("case", sorted(REAL_CASES))
def test_gradient_of_real_input_ops(case):
    build, shape = REAL_CASES[case]
    _numeric_check(build, [shape], False)


def test_second_order_gradients():
    """d/dx of (dL/dx . v) through RFFT's rule (RFFTAdjoint, whose rule is RFFT)."""
    x = tf.placeholder(tf.float64, [6])
    spec = S.rfft(x)
    loss = tf.reduce_sum(tf.square(tf.abs(spec)))   # = |x|^2 * 6 weighted by multiplicity
    g, = tf.gradients(loss, [x])
    v = tf.constant(R.randn(6))
    hv, = tf.gradients(tf.reduce_sum(g * v), [x])
    xv = R.randn(6)
    with tf.Session(backend="numpy") as sess:
        got_g, got_hv = sess.run([g, hv], {x: xv})
        hessian = np.zeros((6, 6))
        for i in range(6):
            e = np.eye(6)[i] * 1e-5
            hessian[:, i] = (sess.run(g, {x: xv + e}) - sess.run(g, {x: xv - e})) / 2e-5
    np.testing.assert_allclose(got_hv, hessian @ sess_v(v), rtol=1e-6, atol=1e-8)
    assert got_g.shape == (6,)


def sess_v(v):
    with tf.Session() as sess:
        return sess.run(v)


def test_numpy_semantics_and_shapes():
    x = tf.placeholder(tf.float32, [3, 10])
    z = tf.placeholder(tf.complex64, [2, 3, 4])
    xv = R.randn(3, 10).astype(np.float32)
    zv = (R.randn(2, 3, 4) + 1j * R.randn(2, 3, 4)).astype(np.complex64)
    outs = {"rfft": S.rfft(x, [16]), "irfft": S.irfft(S.rfft(x)), "fft2d": tf.fft2d(z),
            "spectral": tf.spectral.ifft3d(z), "rfft3d": S.rfft3d(tf.real(z), [2, 2, 3])}
    assert outs["rfft"].shape.as_list() == [3, 9]
    assert outs["rfft3d"].shape.as_list() == [2, 2, 2] and outs["rfft3d"].dtype is tf.complex64
    with tf.Session() as sess:
        got = sess.run(outs, {x: xv, z: zv})
    np.testing.assert_allclose(got["rfft"], np.fft.rfft(xv, 16), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(got["irfft"], xv, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(got["fft2d"], np.fft.fft2(zv), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(got["spectral"], np.fft.ifftn(zv), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got["rfft3d"], np.fft.rfftn(zv.real, [2, 2, 3]), rtol=1e-5,
                               atol=1e-5)
    assert got["rfft"].dtype == np.complex64 and got["irfft"].dtype == np.float32


@pytest.mark.parametrize("backend", ["numpy", "llvm"])
def test_lengths_known_only_at_run_time(backend):
    """Unknown dims: rfft/irfft take their default lengths, frame (with pad_end) and
    overlap_and_add their frame counts, from the run-time shape."""
    x = tf.placeholder(tf.float32, [None, None])
    spec = S.rfft(x)
    back = S.irfft(spec)
    frames = S.frame(x, 4, 3, pad_end=True, pad_value=-1.0)
    plain = S.frame(x, 4, 3)
    added = S.overlap_and_add(plain, 3)
    assert spec.shape.as_list() == [None, None]
    for n in (7, 10):
        xv = R.randn(2, n).astype(np.float32)
        with tf.Session(backend=backend) as sess:
            got = sess.run([spec, back, frames, plain, added], {x: xv})
        np.testing.assert_allclose(got[0], np.fft.rfft(xv), rtol=1e-5, atol=1e-5)
        want_back = np.fft.irfft(np.fft.rfft(xv), 2 * (n // 2))
        np.testing.assert_allclose(got[1], want_back, rtol=1e-5, atol=1e-5)
        count = -(-n // 3)
        padded = np.concatenate([xv, -np.ones((2, (count - 1) * 3 + 4 - n), np.float32)], 1)
        want = np.stack([padded[:, 3 * i:3 * i + 4] for i in range(count)], 1)
        np.testing.assert_array_equal(got[2], want)
        m = 1 + (n - 4) // 3
        np.testing.assert_array_equal(got[3], want[:, :m])
        total = np.zeros((2, (m - 1) * 3 + 4), np.float32)
        for i in range(m):
            total[:, 3 * i:3 * i + 4] += xv[:, 3 * i:3 * i + 4]
        np.testing.assert_allclose(got[4], total, rtol=1e-6)


def test_fftshift_on_unknown_dims():
    x = tf.placeholder(tf.float64, [None, 5])
    y, w = S.fftshift(x), S.ifftshift(x, axes=0)
    xv = R.randn(4, 5)
    with tf.Session() as sess:
        a, b = sess.run([y, w], {x: xv})
    np.testing.assert_array_equal(a, np.fft.fftshift(xv))
    np.testing.assert_array_equal(b, np.fft.ifftshift(xv, axes=0))


def test_errors():
    with pytest.raises(TypeError, match="complex64 or complex128"):
        S.irfft(tf.constant([1.0, 2.0]))
    with pytest.raises(TypeError, match="does not accept float32"):
        S.fft(tf.constant([1.0, 2.0]))
    with pytest.raises(ValueError, match="rank at least 2"):
        S.fft2d(tf.constant(np.complex64([1, 2])))
    with pytest.raises(ValueError, match="fft_length must be a vector of 1"):
        apply("RFFT", (tf.constant([1.0, 2.0]), tf.constant([2, 2])),
              {"Tcomplex": tf.complex64})
    with pytest.raises(NotImplementedError, match="axis must be -1"):
        S.dct(tf.constant([[1.0, 2.0]]), axis=0)
    with pytest.raises(ValueError, match="Type-I DCT"):
        S.dct(tf.constant([1.0, 2.0]), type=1, norm="ortho")
    with pytest.raises(NotImplementedError, match="known when the graph is built"):
        S.hann_window(tf.placeholder(tf.int32, []))
    with pytest.raises(ValueError, match="Nyquist"):
        S.linear_to_mel_weight_matrix(upper_edge_hertz=5000.0)
    n = tf.placeholder(tf.int32, [1])
    spec = S.rfft(tf.constant([1.0, 2.0, 3.0]), n)
    assert spec.shape.as_list() == [None]
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="non-negative"):
            sess.run(spec, {n: [-1]})
