"""Issue 20's serialization, compression, audio and sparse leftovers against TensorFlow:
the cases of sparseio_cases.py run in graphc on both backends and match TensorFlow's
outputs stored in tests/fixtures/tf/sparseio.npz (made by
tests/fixtures/tf/make_sparseio_fixtures.py): bytes (through base64), integers and
strings exactly, floats within a few ulps of the largest value."""
from __future__ import annotations

import graphc as tf

from . import sparseio_cases
from .tf_case_runner import comparison_tests

globals().update(comparison_tests(tf, sparseio_cases, "sparseio"))
