"""The one tolerance table for equivalence tests (numpy vs llvm, optimized vs not, graphc
vs TF), per op family, in units in the last place of the result's dtype.

Exact families (data movement, integer and boolean math, +,-,*,/ and comparisons of
floats) agree bit for bit. Transcendentals use graphc's own vectorised approximations
(max error measured in backends/llvm/vmath.py). Reductions and matmul sum in another
order than numpy (vector partial sums, BLAS blocking; convolutions also as direct loops), so
their error is bounded relative to the largest magnitude in the result rather than element
by element (NORMWISE). `tolerance(family, dtype)` turns a family's ulps into rtol/atol;
`assert_close` is the comparison every equivalence test makes (integers and booleans exactly).
"""
from __future__ import annotations

import numpy as np

ULPS = {
    "exact": 0,
    "unary": 8,          # exp, log, tanh, sigmoid, sin, ...: vmath's bound, with margin
    "binary": 8,         # pow goes through exp/log
    "nn": 16,            # activations and cross-entropies combine several transcendentals
    "reduce": 64,
    "grad": 64,
    "matmul": 256,
    "conv": 256,         # sums of products, as matmul (blocked BLAS, direct loops)
    "fused": 16,
    "select": 0,
    "array": 0,
    "array_grad": 64,
    "generator": 0,
    "core": 0,
    "state": 64,
    "random": 0,
    "scan": 64,
    "tensor_array": 64,  # moves values whose loop bodies computed them (transcendentals)
    "spectral": 64,      # FFTs: sums of N products each, in another order than TF's
}
# Relative to the largest magnitude of the expected result, not element-wise.
NORMWISE = frozenset({"reduce", "grad", "matmul", "conv", "array_grad", "scan", "state",
                      "nn", "tensor_array", "spectral"})


def tolerance(family: str, dtype) -> tuple[float, float]:
    """(rtol, atol_scale): compare with |a - b| <= rtol*|b| + atol_scale*max|b|."""
    dtype = np.dtype(dtype)
    if dtype.kind not in "fc":  # (complex: the ulps of its parts' float type)
        return 0.0, 0.0
    eps = float(np.finfo(dtype).eps)
    ulps = ULPS.get(family, 16)
    return ulps * eps, (ulps * eps if family in NORMWISE else 0.0)


def assert_close(actual, expected, family: str, err_msg: str = "") -> None:
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.shape == expected.shape, f"{err_msg}: shape {actual.shape} vs {expected.shape}"
    assert actual.dtype == expected.dtype, f"{err_msg}: dtype {actual.dtype} vs {expected.dtype}"
    if expected.dtype.kind not in "fc":
        np.testing.assert_array_equal(actual, expected, err_msg=err_msg)
        return
    rtol, scale = tolerance(family, expected.dtype)
    finite = np.isfinite(expected)
    big = float(np.max(np.abs(expected[finite]), initial=0.0))
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=scale * big + 1e-37,
                               equal_nan=True, err_msg=err_msg)
