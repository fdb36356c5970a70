"""Contract samples for the categorical, gamma, Poisson and stateless random ops
(ir/ops/random_dist_ops.py); the stateful ones are checked for dtype and shape only."""
import numpy as np

from graphc.ir.ops import array_ops, core_ops, random_dist_ops as r

ph = core_ops.placeholder


def _logits():
    x = ph("float32", [None, 4])
    return x, {x: np.log(np.float32([[0.1, 0.2, 0.3, 0.4], [1, 0, 0, 0]]) + 1e-12)}


def _multinomial():
    x, feed = _logits()
    return r.multinomial(x, 6, seed=3), feed


def _categorical_int32():
    return r.categorical(np.float64([[0.0, 1.0, -np.inf]]), 4, dtype="int32", seed=4), {}


def _gamma():
    a = ph("float32", [2])
    return r.random_gamma([3], a, seed=5), {a: np.float32([0.5, 4.0])}


def _gamma_beta():
    return r.random_gamma([2, 2], np.float64([[1.0], [2.0]]), beta=np.float64([1.0, 3.0]),
                          dtype="float64", seed=6).op.inputs[0], {}


def _poisson():
    lam = ph("float32", [None])
    return r.random_poisson(lam, [4], seed=7), {lam: np.float32([0.5, 30.0])}


def _poisson_int():
    return r.random_poisson(np.float64([[2.0, 3.0]]), [2], dtype="int64", seed=8), {}


def _stateless(fn, inner=True, **kw):
    def fixed():
        out = fn([2, 3], [1, 2], **kw)
        return (out.op.inputs[0].op.inputs[0] if inner else out), {}

    def fed_seed():
        s = ph("int64", [2])
        x = ph("float32", [None, 2])
        out = fn(array_ops.shape(x), s, **kw)
        return (out.op.inputs[0].op.inputs[0] if inner else out), {
            s: np.int64([7, -3]), x: np.zeros((4, 2), np.float32)}
    fixed.__name__ = fed_seed.__name__ = fn.__name__
    return [fixed, fed_seed]


def _stateless_categorical():
    x, feed = _logits()
    return r.stateless_categorical(x, 5, [3, 9]), feed


def _stateless_multinomial():
    s = ph("int32", [2])
    return r.stateless_multinomial(np.float32([[1.0, 2.0]]), 3, s, output_dtype="int32"), {
        s: np.int32([1, 1])}


SAMPLES = {
    "Multinomial": [_multinomial, _categorical_int32],
    "RandomGamma": [_gamma, _gamma_beta],
    "RandomPoissonV2": [_poisson, _poisson_int],
    "StatelessRandomUniform": _stateless(r.stateless_random_uniform),
    "StatelessRandomNormal": _stateless(r.stateless_random_normal),
    "StatelessTruncatedNormal": _stateless(r.stateless_truncated_normal),
    "StatelessRandomUniformInt": _stateless(r.stateless_random_uniform, inner=False,
                                            minval=-5, maxval=5, dtype="int32"),
    "StatelessMultinomial": [_stateless_categorical, _stateless_multinomial],
}
