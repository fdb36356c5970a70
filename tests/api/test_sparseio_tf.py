"""Issue 20's serialization, compression, audio and sparse leftovers against TensorFlow:
the cases of sparseio_cases.py run in graphc on both backends and match TensorFlow's
outputs stored in tests/fixtures/tf/sparseio.npz (made by
tests/fixtures/tf/make_sparseio_fixtures.py): bytes (through base64), integers and
strings exactly, floats within a few ulps of the largest value."""
from __future__ import annotations

import os

import pytest

import graphc as tf

from . import sparseio_cases
from .tf_case_runner import load_fixture, mismatches, run_cases

FIXTURE = os.path.join(os.path.dirname(__file__), "..", "fixtures", "tf", "sparseio.npz")


@pytest.fixture(scope="module")
def expected():
    return load_fixture(FIXTURE, "tests/fixtures/tf/make_sparseio_fixtures.py")


@pytest.fixture(scope="module", params=["numpy", "llvm"])
def got(request):
    return run_cases(tf, sparseio_cases, backend=request.param)


def test_every_case_is_in_the_fixture(expected, got):
    assert sorted(got[1]) == sorted(expected)


def test_values_and_gradients_match_tensorflow(expected, got):
    failures = mismatches(expected, *got)
    assert not failures, "\n".join(failures)
