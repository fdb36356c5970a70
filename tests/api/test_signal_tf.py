"""tf.signal against TensorFlow: the cases of signal_cases.py run in graphc on both backends
and match TensorFlow's outputs and gradients stored in tests/fixtures/tf/signal.npz (made by
tests/fixtures/tf/make_signal_fixtures.py), within the tolerance table's spectral family."""
from __future__ import annotations

import os

import numpy as np
import pytest

import graphc as tf
from graphc.ir.numerics import tolerance

from . import signal_cases
from .tf_case_runner import load_fixture, run_cases

FIXTURE = os.path.join(os.path.dirname(__file__), "..", "fixtures", "tf", "signal.npz")


@pytest.fixture(scope="module")
def expected():
    return load_fixture(FIXTURE, "tests/fixtures/tf/make_signal_fixtures.py")


@pytest.fixture(scope="module", params=["numpy", "llvm"])
def got(request):
    return run_cases(tf, signal_cases, backend=request.param)


def test_every_case_is_in_the_fixture(expected, got):
    assert sorted(got[1]) == sorted(expected)


def test_values_and_gradients_match_tensorflow(expected, got):
    tensors, values = got
    failures = []
    for name, want in sorted(expected.items()):
        have = values[name]
        if have.shape != want.shape or have.dtype != want.dtype:
            failures.append(f"{name}: {have.dtype}{have.shape} vs TF {want.dtype}{want.shape}")
            continue
        assert tensors[name].shape.is_compatible_with(want.shape), name
        rtol, scale = tolerance("spectral", want.dtype)
        big = float(np.max(np.abs(want), initial=0.0))
        err = float(np.max(np.abs(have - want), initial=0.0))
        if err > 4 * (rtol * big + scale * big) + 1e-30:
            failures.append(f"{name}: max error {err:.3g} (largest value {big:.3g})")
    assert not failures, "\n".join(failures)
