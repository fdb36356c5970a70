"""tf.signal's fftnd, ifftnd, rfftnd, irfftnd (and TF1's top-level raw ops) against numpy's
fftn family (TF runs FFTND on GPUs only), their gradients against central differences,
and mdct / inverse_mdct against TensorFlow (tests/fixtures/tf/mdct.npz, made by
make_mdct_fixture.py)."""
from __future__ import annotations

import os

import numpy as np
import pytest

import graphc as tf

from ..helpers import central_difference

R = np.random.RandomState(3)
X = R.randn(2, 3, 4)
XC = X + 1j * R.randn(2, 3, 4)
MDCT = np.load(os.path.join(os.path.dirname(__file__), os.pardir, "fixtures", "tf",
                            "mdct.npz"))
OPTIONS = [{}, {"axes": [0, 2]}, {"axes": [-1, 0]}, {"fft_length": [5, 2], "axes": [0, 2]},
           {"fft_length": [2, 6]}, {"norm": "ortho"}, {"norm": "forward", "axes": [1]}]
NUMPY = {"fftnd": np.fft.fftn, "ifftnd": np.fft.ifftn, "rfftnd": np.fft.rfftn,
         "irfftnd": np.fft.irfftn}


@pytest.mark.parametrize("name", list(NUMPY))
@pytest.mark.parametrize("kwargs", OPTIONS, ids=[str(o) for o in OPTIONS])
def test_nd_transforms_match_numpy(name, kwargs):
    x = X if name == "rfftnd" else XC
    want = NUMPY[name](x, s=kwargs.get("fft_length"), axes=kwargs.get("axes"),
                       norm=kwargs.get("norm"))
    with tf.Graph().as_default(), tf.Session() as sess:
        y = getattr(tf.signal, name)(x, **kwargs)
        assert y.shape.as_list() == list(want.shape)
        got = sess.run(y)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_raw_ops_and_refusals():
    with tf.Graph().as_default(), tf.Session() as sess:
        got = sess.run(tf.fftnd(XC, [3, 4], [1, 2]))
        back = sess.run(tf.irfftnd(tf.rfftnd(X, [3, 4], [1, 2], Tcomplex=tf.complex128),
                                   [3, 4], [1, 2], Treal=tf.float64))
        single = tf.rfftnd(X, [3, 4], [1, 2])          # TF1's default Tcomplex: complex64
        assert single.dtype == tf.complex64
        assert tf.irfftnd(single, [3, 4], [1, 2]).dtype == tf.float32
        with pytest.raises(TypeError, match="complex64 or complex128"):
            tf.signal.fftnd(X)
        with pytest.raises(ValueError, match="repeat"):
            tf.signal.fftnd(XC, axes=[0, 0])
        with pytest.raises(ValueError, match="differ in length"):
            tf.signal.fftnd(XC, fft_length=[2], axes=[0, 1])
        with pytest.raises(ValueError, match="norm"):
            tf.signal.fftnd(XC, norm="half")
    np.testing.assert_allclose(got, np.fft.fftn(XC, s=[3, 4], axes=[1, 2]), rtol=1e-12)
    np.testing.assert_allclose(back, X, rtol=1e-12, atol=1e-14)


def test_rfftnd_gradient():
    w = R.randn(2, 3, 3)
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float64, [2, 3, 4])
        y = tf.signal.rfftnd(x, axes=[0, 2])
        loss = tf.reduce_sum(tf.real(y) * w) + tf.reduce_sum(tf.imag(y) * w[::-1])
        grad = tf.gradients(loss, x)[0]
        with tf.Session() as sess:
            got = sess.run(grad, {x: X})
            want = central_difference(lambda v: float(sess.run(loss, {x: v})), X)
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("case", ["default", "no_window", "ortho", "pad_end"])
def test_mdct_matches_tensorflow(case):
    kwargs = {"default": {}, "no_window": {"window_fn": None}, "ortho": {"norm": "ortho"},
              "pad_end": {"pad_end": True}}[case]
    inverse = {k: v for k, v in kwargs.items() if k != "pad_end"}
    with tf.Graph().as_default(), tf.Session() as sess:
        m = tf.signal.mdct(MDCT["signals"], 8, **kwargs)
        got, back = sess.run([m, tf.signal.inverse_mdct(m, **inverse)])
    np.testing.assert_allclose(got, MDCT[f"mdct_{case}"], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(back, MDCT[f"inverse_{case}"], rtol=1e-10, atol=1e-12)
    if case in ("default", "ortho"):   # the Princen-Bradley window reconstructs inside
        np.testing.assert_allclose(back[..., 4:32], MDCT["signals"][..., 4:32], atol=1e-12)


def test_mdct_refusals():
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="multiple of 4"):
            tf.signal.mdct(np.zeros((2, 16)), 6)
        with pytest.raises(ValueError, match="float32 or float64"):
            tf.signal.mdct(np.zeros((2, 16), np.int32), 8)
