"""tf.strings' ragged functions and tf.ragged against TensorFlow: the cases of
ragged_strings_cases.py run in graphc on both backends and match TensorFlow's outputs
stored in tests/fixtures/tf/ragged_strings.npz (made by
tests/fixtures/tf/make_ragged_strings_fixtures.py): integers and strings exactly, floats
within a few ulps."""
from __future__ import annotations

import os

import pytest

import graphc as tf

from . import ragged_strings_cases
from .tf_case_runner import load_fixture, mismatches, run_cases

FIXTURE = os.path.join(os.path.dirname(__file__), "..", "fixtures", "tf", "ragged_strings.npz")


@pytest.fixture(scope="module")
def expected():
    return load_fixture(FIXTURE, "tests/fixtures/tf/make_ragged_strings_fixtures.py")


@pytest.fixture(scope="module", params=["numpy", "llvm"])
def got(request):
    return run_cases(tf, ragged_strings_cases, backend=request.param)


def test_every_case_is_in_the_fixture(expected, got):
    assert sorted(got[1]) == sorted(expected)


def test_values_match_tensorflow(expected, got):
    failures = mismatches(expected, *got)
    assert not failures, "\n".join(failures)
