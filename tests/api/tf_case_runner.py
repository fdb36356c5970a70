"""Running a module of TensorFlow comparison cases (signal_cases.py, surface_io_cases.py:
INPUTS, placeholders(tf), cases(tf, p) -> {name: tensor}) in graphc or in TensorFlow's
compat.v1, the fixture files the TensorFlow side writes (tests/fixtures/tf/*.npz), and
the tests comparing the two (`comparison_tests`, one harness for every such module)."""
from __future__ import annotations

import os
import warnings

import numpy as np
import pytest

from graphc.ir.numerics import tolerance


def run_cases(tf, module, **session_kwargs):
    """(the outputs' tensors, their values) of module.cases, fed module.INPUTS."""
    with tf.Graph().as_default():
        p = module.placeholders(tf)
        outs = module.cases(tf, p)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with tf.Session(**session_kwargs) as sess:
                return outs, sess.run(outs, {p[k]: v for k, v in module.INPUTS.items()})


def load_fixture(path: str, script: str) -> dict:
    """The arrays of a fixture file; the test skips when it is missing."""
    if not os.path.exists(path):
        pytest.skip(f"{os.path.relpath(path)} is missing ({script})")
    with np.load(path, allow_pickle=False) as data:
        return dict(data)


def write_fixture(tf, module, path: str) -> None:
    """Run module's cases in TensorFlow (graph mode) and store the outputs at `path`."""
    tf1 = tf.compat.v1
    tf1.disable_v2_behavior()
    _, values = run_cases(tf1, module)
    arrays = {k: np.asarray(v) for k, v in values.items()}  # strings as bytes, no pickles
    np.savez_compressed(path, **{k: v.astype(bytes) if v.dtype == object else v
                                 for k, v in arrays.items()})
    print(f"wrote {path}: {len(values)} outputs (TensorFlow {tf.__version__})")


def ulps_of_largest(ulps: int = 8):
    """A float bound: `ulps` of the largest value (at least 1)."""
    return lambda want: ulps * np.finfo(want.dtype).eps * float(np.max(np.abs(want),
                                                                         initial=1.0))


def family_bound(family: str):
    """A float bound from the tolerance table's `family`, scaled by the largest value."""
    def bound(want):
        rtol, scale = tolerance(family, want.dtype)
        return 4 * (rtol + scale) * float(np.max(np.abs(want), initial=0.0)) + 1e-30
    return bound


def mismatches(expected: dict, tensors: dict, values: dict, bound=ulps_of_largest()) -> list:
    """What differs between graphc's run and TensorFlow's fixture: dtypes and shapes
    always, integers and strings exactly, floats and complex numbers by more than
    `bound(want)` (inf and nan where TF has them)."""
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
        if want.dtype.kind not in "fc":
            if not np.array_equal(have, want):
                failures.append(f"{name}: {have.tolist()} vs TF {want.tolist()}")
            continue
        finite = np.isfinite(want)
        if not np.array_equal(have[~finite], want[~finite], equal_nan=True):
            failures.append(f"{name}: {have[~finite].tolist()} where TF has "
                            f"{want[~finite].tolist()}")
            continue
        have, want = have[finite], want[finite]
        err = float(np.max(np.abs(have - want), initial=0.0))
        if err > bound(want):
            failures.append(f"{name}: max error {err:.3g} (largest value "
                            f"{float(np.max(np.abs(want), initial=0.0)):.3g})")
    return failures


def comparison_tests(tf, module, fixture: str, bound=ulps_of_largest()) -> dict:
    """The pytest fixtures and tests of one comparison module, for a test file's
    globals: module's cases run in graphc (`tf`) on both backends against
    tests/fixtures/tf/<fixture>.npz (made by make_<fixture>_fixtures.py there), every
    case present and each output within `bound`."""
    path = os.path.join(os.path.dirname(__file__), "..", "fixtures", "tf", f"{fixture}.npz")

    @pytest.fixture(scope="module")
    def expected():
        return load_fixture(path, f"tests/fixtures/tf/make_{fixture}_fixtures.py")

    @pytest.fixture(scope="module", params=["numpy", "llvm"])
    def got(request):
        return run_cases(tf, module, backend=request.param)

    def test_every_case_is_in_the_fixture(expected, got):
        assert sorted(got[1]) == sorted(expected)

    def test_values_match_tensorflow(expected, got):
        failures = mismatches(expected, *got, bound=bound)
        assert not failures, "\n".join(failures)

    return {f.__name__: f for f in (expected, got, test_every_case_is_in_the_fixture,
                                    test_values_match_tensorflow)}
