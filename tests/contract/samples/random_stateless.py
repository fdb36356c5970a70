"""Contract samples for the stateless gamma, Poisson, binomial, parameterized truncated
normal and full-range integer ops (ir/ops/random_stateless_ops.py)."""
import numpy as np

from graphc.ir.ops import core_ops, random_stateless_ops as r

ph = core_ops.placeholder


def _gamma():
    a = ph("float32", [2])
    return r.stateless_gamma([3, 2], [1, 2], a), {a: np.float32([0.5, 4.0])}


def _gamma_beta():
    return r.stateless_gamma([2, 2], np.int64([3, 4]), np.float64([[1.0], [2.0]]),
                             beta=np.float64([1.0, 3.0]), dtype="float64").op.inputs[0], {}


def _poisson():
    lam = ph("float32", [None])
    return r.stateless_poisson([4, 2], [5, 6], lam), {lam: np.float32([0.5, 30.0])}


def _poisson_float():
    seed = ph("int32", [2])
    return r.stateless_poisson([3], seed, np.float64(2.0), dtype="float64"), \
        {seed: np.int32([7, 8])}


def _binomial():
    p = ph("float32", [3])
    return r.stateless_binomial([2, 3], [1, 1], 10.0, p), {p: np.float32([0.0, 0.5, 1.0])}


def _binomial_int64():
    return r.stateless_binomial([4], [2, 3], np.float64([1, 5, 20, 0]), np.float64(0.25),
                                output_dtype="int64"), {}


def _ptn():
    lo = ph("float32", [None])
    return r.stateless_parameterized_truncated_normal([2, 3], [9, 9], 0.0, 1.0, lo, 4.0), \
        {lo: np.float32([-1.0, 3.5, -np.inf])}


def _ptn_tails():
    return r.stateless_parameterized_truncated_normal(
        [3], [1, 2], np.float64(1.0), np.float64([0.5, 2.0, 1.0]),
        np.float64([5.0, -30.0, -np.inf]), np.float64([6.0, -25.0, np.inf])), {}


def _full_int():
    return r.stateless_random_uniform_full_int([2, 2], [3, 4]), {}


def _full_int32():
    seed = ph("int64", [2])
    return r.stateless_random_uniform_full_int([5], seed, "int32"), {seed: np.int64([1, 2])}


SAMPLES = {"StatelessRandomGammaV2": [_gamma, _gamma_beta],
           "StatelessRandomPoisson": [_poisson, _poisson_float],
           "StatelessRandomBinomial": [_binomial, _binomial_int64],
           "StatelessParameterizedTruncatedNormal": [_ptn, _ptn_tails],
           "StatelessRandomUniformFullInt": [_full_int, _full_int32]}
