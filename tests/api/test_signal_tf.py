"""tf.signal against TensorFlow: the cases of signal_cases.py run in graphc on both backends
and match TensorFlow's outputs and gradients stored in tests/fixtures/tf/signal.npz (made by
tests/fixtures/tf/make_signal_fixtures.py), within the tolerance table's spectral family."""
from __future__ import annotations

import graphc as tf

from . import signal_cases
from .tf_case_runner import comparison_tests, family_bound

globals().update(comparison_tests(tf, signal_cases, "signal", family_bound("spectral")))
