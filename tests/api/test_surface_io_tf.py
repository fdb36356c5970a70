"""Issue 20's data-shaped ops against TensorFlow: the cases of surface_io_cases.py run in
graphc on both backends and match TensorFlow's outputs and gradients stored in
tests/fixtures/tf/surface_io.npz (made by tests/fixtures/tf/make_surface_io_fixtures.py):
integers and strings exactly, floats within a few ulps of the largest value."""
from __future__ import annotations

import os

import numpy as np
import pytest

import graphc as tf

from . import surface_io_cases
from .tf_case_runner import load_fixture, run_cases

FIXTURE = os.path.join(os.path.dirname(__file__), "..", "fixtures", "tf", "surface_io.npz")


@pytest.fixture(scope="module")
def expected():
    return load_fixture(FIXTURE, "tests/fixtures/tf/make_surface_io_fixtures.py")


@pytest.fixture(scope="module", params=["numpy", "llvm"])
def got(request):
    return run_cases(tf, surface_io_cases, backend=request.param)


def test_every_case_is_in_the_fixture(expected, got):
    assert sorted(got[1]) == sorted(expected)


def test_values_and_gradients_match_tensorflow(expected, got):
    tensors, values = got
    failures = []
    for name, want in sorted(expected.items()):
        have = np.asarray(values[name])
        if want.dtype.kind in "SU":
            have = have.astype(want.dtype)
        if have.shape != want.shape or have.dtype != want.dtype:
            failures.append(f"{name}: {have.dtype}{have.shape} vs TF {want.dtype}{want.shape}")
            continue
        if not tensors[name].shape.is_compatible_with(want.shape):
            failures.append(f"{name}: static shape {tensors[name].shape} vs {want.shape}")
        if want.dtype.kind != "f":
            if not np.array_equal(have, want):
                failures.append(f"{name}: {have.tolist()} vs TF {want.tolist()}")
            continue
        big = float(np.max(np.abs(want), initial=1.0))
        err = float(np.max(np.abs(have - want), initial=0.0))
        if err > 8 * np.finfo(want.dtype).eps * big:
            failures.append(f"{name}: max error {err:.3g} (largest value {big:.3g})")
    assert not failures, "\n".join(failures)
