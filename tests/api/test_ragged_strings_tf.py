"""tf.strings' ragged functions and tf.ragged against TensorFlow: the cases of
ragged_strings_cases.py run in graphc on both backends and match TensorFlow's outputs
stored in tests/fixtures/tf/ragged_strings.npz (made by
tests/fixtures/tf/make_ragged_strings_fixtures.py): integers and strings exactly, floats
within a few ulps."""
from __future__ import annotations

import graphc as tf

from . import ragged_strings_cases
from .tf_case_runner import comparison_tests

globals().update(comparison_tests(tf, ragged_strings_cases, "ragged_strings"))
