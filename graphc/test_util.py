"""`tf.test`: TF1's TestCase (unittest-based) and `tf.test.main`.

`TestCase.setUp` gives each test a fresh default graph, as TF1's does; `session()` opens a
Session on it and makes it the default (so `tensor.eval()` works), `cached_session()` keeps
one per test, `evaluate` runs tensors in the default session. The asserts take tensors or
arrays and compare with numpy, as TF1's.
"""
from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import unittest

import numpy as np

from .ir import context as _context
from .ir.graph import TensorLike


def _value(x):
    """A tensor evaluated in the default session, anything else as a numpy array."""
    if isinstance(x, TensorLike):
        from .api import get_default_session
        sess = get_default_session()
        if sess is None:
            raise ValueError("Cannot evaluate a tensor without a default session: use "
                             "`with self.session():` or self.evaluate inside one")
        return sess.run(x)
    return x


class TestCase(unittest.TestCase):
    """TF1 `tf.test.TestCase`."""

    def __init__(self, methodName="runTest") -> None:
        super().__init__(methodName)
        self._cached_session = None
        self._tempdir = None

    def setUp(self) -> None:
        from .api import reset_default_graph
        reset_default_graph()
        self._cached_session = None

    def tearDown(self) -> None:
        if self._cached_session is not None:
            self._cached_session.close()
            self._cached_session = None

    def get_temp_dir(self) -> str:
        if self._tempdir is None:
            self._tempdir = tempfile.mkdtemp(prefix="graphc_test_")
        return self._tempdir

    # ------------------------------------------------------------------ sessions
    @contextlib.contextmanager
    def session(self, graph=None, config=None, use_gpu=False, force_gpu=False):
        """A new Session on `graph` (the default graph), the default session inside."""
        from .session import Session
        graph = graph or _context.get_default_graph()
        with Session(graph=graph, config=config) as sess, graph.as_default(), \
                sess.as_default():
            yield sess

    @contextlib.contextmanager
    def cached_session(self, graph=None, config=None, use_gpu=False, force_gpu=False):
        """One Session per test (made on first use), the default session inside."""
        from .session import Session
        graph = graph or _context.get_default_graph()
        if self._cached_session is None or self._cached_session.graph is not graph:
            if self._cached_session is not None:
                self._cached_session.close()
            self._cached_session = Session(graph=graph, config=config)
        with graph.as_default(), self._cached_session.as_default():
            yield self._cached_session

    def test_session(self, graph=None, config=None, use_gpu=False, force_gpu=False):
        """TF1's deprecated name of cached_session (a test method of this name is
        skipped, as TF1 does: the name is reserved)."""
        if self.id().endswith(".test_session"):
            self.skipTest("Tests that have the name \"test_session\" are automatically "
                          "skipped by TensorFlow test fixture, as the name is reserved for "
                          "creating sessions within tests. Please rename your test if you "
                          "have a test with this name.")
        return self.cached_session(graph, config, use_gpu, force_gpu)

    def evaluate(self, tensors):
        """The values of `tensors` (any nesting) in the default session (or a new one)."""
        from .api import get_default_session
        sess = get_default_session()
        if sess is not None:
            return sess.run(tensors)
        with self.cached_session() as sess:
            return sess.run(tensors)

    # ------------------------------------------------------------------ asserts
    def assertAllClose(self, a, b, rtol=1e-6, atol=1e-6, msg=None):  # noqa: N802
        a, b = _value(a), _value(b)
        if isinstance(a, dict) and isinstance(b, dict):
            self.assertEqual(set(a), set(b), msg)
            for k in a:
                self.assertAllClose(a[k], b[k], rtol, atol, msg)
            return
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=rtol, atol=atol,
                                   err_msg=msg or "", equal_nan=True)

    def assertAllCloseAccordingToType(self, a, b, rtol=1e-6, atol=1e-6,  # noqa: N802
                                      float_rtol=1e-6, float_atol=1e-6, half_rtol=1e-3,
                                      half_atol=1e-3, bfloat16_rtol=1e-2, bfloat16_atol=1e-2,
                                      msg=None):
        a, b = np.asarray(_value(a)), np.asarray(_value(b))
        if a.dtype == np.float32 or b.dtype == np.float32:
            rtol, atol = max(rtol, float_rtol), max(atol, float_atol)
        if a.dtype == np.float16 or b.dtype == np.float16:
            rtol, atol = max(rtol, half_rtol), max(atol, half_atol)
        self.assertAllClose(a, b, rtol, atol, msg)

    def assertNotAllClose(self, a, b, **kwargs):  # noqa: N802
        try:
            self.assertAllClose(a, b, **kwargs)
        except AssertionError:
            return
        raise AssertionError("The two values are close at all elements")

    def assertAllEqual(self, a, b, msg=None):  # noqa: N802
        a, b = np.asarray(_value(a)), np.asarray(_value(b))
        self.assertEqual(a.shape, b.shape, f"Shape mismatch: expected {a.shape}, got "
                         f"{b.shape}. {msg or ''}")
        np.testing.assert_array_equal(a, b, err_msg=msg or "")

    def assertNotAllEqual(self, a, b, msg=None):  # noqa: N802
        a, b = np.asarray(_value(a)), np.asarray(_value(b))
        if a.shape == b.shape and np.array_equal(a, b):
            raise AssertionError(msg or f"Expected unequal values, got {a} twice")

    def assertAllInRange(self, target, lower_bound, upper_bound,  # noqa: N802
                         open_lower_bound=False, open_upper_bound=False):
        t = np.asarray(_value(target))
        low = t > lower_bound if open_lower_bound else t >= lower_bound
        high = t < upper_bound if open_upper_bound else t <= upper_bound
        bad = ~(low & high)
        if bad.any():
            raise AssertionError(f"{int(bad.sum())} of the {t.size} elements are outside "
                                 f"{'(' if open_lower_bound else '['}{lower_bound}, "
                                 f"{upper_bound}{')' if open_upper_bound else ']'}: "
                                 f"{t[bad].tolist()}")

    def assertAllGreater(self, a, comparison_target):  # noqa: N802
        self.assertGreater(np.min(_value(a)), comparison_target)

    def assertAllLess(self, a, comparison_target):  # noqa: N802
        self.assertLess(np.max(_value(a)), comparison_target)

    def assertAllGreaterEqual(self, a, comparison_target):  # noqa: N802
        self.assertGreaterEqual(np.min(_value(a)), comparison_target)

    def assertAllLessEqual(self, a, comparison_target):  # noqa: N802
        self.assertLessEqual(np.max(_value(a)), comparison_target)

    def assertShapeEqual(self, np_array, tf_tensor, msg=None):  # noqa: N802
        """A numpy array's shape equals a tensor's static shape."""
        if not isinstance(np_array, (np.ndarray, np.generic)):
            raise TypeError("np_array must be a Numpy ndarray or Numpy scalar")
        if not isinstance(tf_tensor, TensorLike):
            raise TypeError("tf_tensor must be a Tensor")
        self.assertAllEqual(np_array.shape, tf_tensor.get_shape().as_list(), msg=msg)

    def assertArrayNear(self, farray1, farray2, err, msg=None):  # noqa: N802
        self.assertEqual(len(farray1), len(farray2), msg)
        for f1, f2 in zip(farray1, farray2):
            self.assertNear(float(f1), float(f2), err, msg)

    def assertNear(self, f1, f2, err, msg=None):  # noqa: N802
        self.assertTrue(f1 == f2 or abs(f1 - f2) <= err,
                        f"{f1!r} != {f2!r} +/- {err!r}{' (' + msg + ')' if msg else ''}")

    def assertDTypeEqual(self, target, expected_dtype):  # noqa: N802
        from .ir.dtypes import as_dtype
        self.assertEqual(as_dtype(np.asarray(_value(target)).dtype), as_dtype(expected_dtype))

    def assertDeviceEqual(self, device1, device2, msg=None):  # noqa: N802
        self.assertEqual(str(device1 or ""), str(device2 or ""), msg)


def main(argv=None):
    """Runs the tests of `__main__` (TF1 `tf.test.main`)."""
    return unittest.main(module="__main__", argv=argv or sys.argv)


def get_temp_dir() -> str:
    """A temporary directory for this process's tests."""
    path = os.path.join(tempfile.gettempdir(), f"graphc_test_{os.getpid()}")
    os.makedirs(path, exist_ok=True)
    return path


def is_gpu_available(cuda_only=False, min_cuda_compute_capability=None) -> bool:
    """graphc runs on the CPU: False."""
    return False


def gpu_device_name() -> str:
    return ""


def is_built_with_cuda() -> bool:
    return False


def is_built_with_gpu_support() -> bool:
    return False


def is_built_with_rocm() -> bool:
    return False

