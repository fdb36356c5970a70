"""Issue 20's nn / image / quantization leftovers against TensorFlow: the cases of
nn_image_cases.py run in graphc on both backends and match TensorFlow's outputs and
gradients stored in tests/fixtures/tf/nn_image.npz (made by
tests/fixtures/tf/make_nn_image_fixtures.py): integers and strings exactly, floats within
a few ulps of the largest value."""
from __future__ import annotations

import os

import numpy as np
import pytest

import graphc as tf
from graphc.ir.numerics import ULPS

from . import nn_image_cases
from .nn_image_cases import (BACKPROP_V2, DRAWS, GLIMPSE_OUTSIDE, INPUTS, STATISTICAL,
                             V1_REFERENCE, backprop_v2_dy, random_crops)
from .tf_case_runner import load_fixture, mismatches, run_cases, ulps_of_largest

FIXTURE = os.path.join(os.path.dirname(__file__), "..", "fixtures", "tf", "nn_image.npz")


@pytest.fixture(scope="module")
def expected():
    return load_fixture(FIXTURE, "tests/fixtures/tf/make_nn_image_fixtures.py")


@pytest.fixture(scope="module", params=["numpy", "llvm"])
def got(request):
    return run_cases(tf, nn_image_cases, backend=request.param)


def _exact(expected) -> dict:
    return {k: v for k, v in expected.items() if not k.startswith(STATISTICAL)
            and not k.startswith(GLIMPSE_OUTSIDE)}


def test_every_case_is_in_the_fixture(expected, got):
    assert sorted(got[1]) == sorted(k for k in expected if not k.startswith(STATISTICAL))


# (window rows, window cols, image rows, image cols) of the glimpses partly in image 0
_GLIMPSE_IN_IMAGE = {"corner": (slice(4, 8), slice(4, 9), slice(0, 4), slice(0, 5)),
                     "far": (slice(0, 6), slice(0, 6), slice(14, 20), slice(11, 17))}


@pytest.mark.parametrize("name", sorted(_GLIMPSE_IN_IMAGE))
def test_glimpses_outside_the_image_are_its_pixels_and_uniform_noise(expected, got, name):
    """The pixels inside the image are TF's; the rest (image 1's window is all outside)
    is noise in [min, max] of the image, for uniform_noise=False too (TF1's op keeps
    noise='uniform'), as TF's is."""
    image = INPUTS["photo"][:, :20, :17]
    images = [image[0], image[0, ::-1] * np.float32(0.5)]
    have, want = got[1][GLIMPSE_OUTSIDE + name], expected[GLIMPSE_OUTSIDE + name]
    assert have.shape == want.shape == (2, 8, 9, 3) and have.dtype == want.dtype
    wr, wc, ir, ic = _GLIMPSE_IN_IMAGE[name]
    for values in (have, want):
        np.testing.assert_array_equal(values[0, wr, wc], images[0][ir, ic])
        noise = [np.delete(values[0].reshape(-1, 3), np.flatnonzero(
            np.pad(np.ones((wr.stop - wr.start, wc.stop - wc.start)), [
                (wr.start, 8 - wr.stop), (wc.start, 9 - wc.stop)]).reshape(-1)), axis=0),
            values[1]]
        for n, img in zip(noise, images):
            assert img.min() <= n.min() and n.max() <= img.max() and n.std() > 0


def test_values_and_gradients_match_tensorflow(expected, got):
    """Values within 16 ulps (the tolerance table's nn family), gradients and MS-SSIM (a
    product of means over the images) within the grad and reduce families' 64 (CTC's
    gradients come from a float64 recursion, TF's from float32)."""
    exact = _exact(expected)
    wide = {k: v for k, v in exact.items() if "_grad" in k or k.startswith("ms_ssim")}
    values = {k: v for k, v in exact.items() if k not in wide}
    failures = (mismatches(values, *got, bound=ulps_of_largest(ULPS["nn"])) +
                mismatches(wide, *got, bound=ulps_of_largest(ULPS["grad"])))
    assert not failures, "\n".join(failures)


@pytest.fixture(scope="module", params=["numpy", "llvm"])
def draws(request):
    """graphc's DRAWS runs of one op per random case (each run draws anew)."""
    with tf.Graph().as_default():
        crops = random_crops(tf, seed=1)
        with tf.Session(backend=request.param) as sess:
            runs = [sess.run(crops) for _ in range(DRAWS)]
    return {k: np.stack([r[k] for r in runs]) for k in crops}


@pytest.mark.parametrize("name", ["sdbb_sizes", "sdbb_no_box_sizes"])
def test_random_crops_follow_tensorflows_distribution(expected, draws, name):
    """graphc's Philox stream is not TF's, so the crops of 400 seeds are compared by their
    distribution: mean height, width, area and aspect ratio within 4 standard errors, and
    their ranges within 10% of the TF draws' span of TF's."""
    want, have = expected[STATISTICAL + name], draws[name]
    assert have.shape == want.shape and have.dtype == want.dtype
    assert np.all(have[:, 2] == -1)
    for stat in (lambda s: s[:, 0], lambda s: s[:, 1], lambda s: s[:, 0] * s[:, 1],
                 lambda s: s[:, 1] / s[:, 0]):
        a, b = stat(want).astype(float), stat(have).astype(float)
        se = np.sqrt(a.var() / len(a) + b.var() / len(b))
        assert abs(a.mean() - b.mean()) < 4 * se, (a.mean(), b.mean(), se)
        slack = 0.1 * (a.max() - a.min())
        assert a.min() - slack <= b.min() and b.max() <= a.max() + slack, (
            a.min(), a.max(), b.min(), b.max())


@pytest.mark.parametrize("backend", ["numpy", "llvm"])
def test_conv2d_backprop_v2_ops_match_tensorflows_v1_backprops(expected, backend):
    """TF has no CPU kernels for Conv2DBackprop*V2: graphc's V2 ops against TF's V1 ops
    of the same convolutions (EXPLICIT: the V1 op on the padded input, sliced)."""
    with tf.Graph().as_default():
        img, kern = tf.constant(INPUTS["img"]), tf.constant(INPUTS["kern"])
        outs = {}
        for name, pad, ex in BACKPROP_V2:
            dy = backprop_v2_dy(tf, name)
            outs[V1_REFERENCE + f"backprop_input_{name}"] = tf.conv2d_backprop_input_v2(
                img, kern, dy, [1, 2, 1, 1], pad, explicit_paddings=ex)
            outs[V1_REFERENCE + f"backprop_filter_{name}"] = tf.conv2d_backprop_filter_v2(
                img, kern, dy, [1, 2, 1, 1], pad, explicit_paddings=ex)
        with tf.Session(backend=backend) as sess:
            values = sess.run(outs)
    failures = mismatches({k: expected[k] for k in outs}, outs, values,
                          bound=ulps_of_largest(ULPS["conv"]))
    assert not failures, "\n".join(failures)
