"""Issue 20's data-shaped ops against TensorFlow: the cases of surface_io_cases.py run in
graphc on both backends and match TensorFlow's outputs and gradients stored in
tests/fixtures/tf/surface_io.npz (made by tests/fixtures/tf/make_surface_io_fixtures.py):
integers and strings exactly, floats within a few ulps of the largest value."""
from __future__ import annotations

import graphc as tf

from . import surface_io_cases
from .tf_case_runner import comparison_tests

globals().update(comparison_tests(tf, surface_io_cases, "surface_io"))
