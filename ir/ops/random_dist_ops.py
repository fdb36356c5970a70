"""More of TF1's random ops: Multinomial (tf.random.categorical / tf.multinomial),
RandomGamma, RandomPoissonV2, and the stateless ops, whose numbers depend only on a
[2] seed tensor (StatelessRandomUniform/Normal, StatelessTruncatedNormal,
StatelessRandomUniformInt, StatelessMultinomial).

Stateful ones follow random_ops' rules (graph and op seeds, a new draw per run, the
same numbers on both backends). Multinomial samples by inverse CDF of softmax(logits)
from Philox uniforms; gamma and Poisson use numpy's exact samplers driven by a generator
seeded from Philox words, so numbers differ from TF's but are reproducible. Stateless
ops draw from Philox with the seed tensor as key (a call index of their own, so they
never repeat a stateful op's stream) and are pure: equal seeds give equal numbers in
every run, and constant folding may evaluate them. None is differentiable (TF1's
reparameterised gamma gradient is not implemented).
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from .. import dtypes as dt
from .. import philox
from ..context import get_default_graph
from ..errors import InvalidArgumentError
from ..shapes import TensorShape, unknown_shape
from ._base import (NON_DIFFERENTIABLE, apply, check_dtype, const_value, const_value_as_shape,
                    convert_to_tensor, defop)
from .generator_ops import ones_like
from .math_ops import add, multiply, subtract, truediv
from .random_ops import checked_dims, _shape_tensor, get_seed

__all__ = ["multinomial", "categorical", "random_gamma", "random_poisson",
           "stateless_random_uniform", "stateless_random_normal", "stateless_truncated_normal",
           "stateless_multinomial", "stateless_categorical"]

STATELESS_CALL = 1 << 62  # the stateless ops' Philox stream (stateful runs count from 0)


# ------------------------------------------------------------------ Multinomial
def _multinomial_infer(op):
    logits, num = op.inputs[:2]
    check_dtype(op, logits, dt.FLOATS, "logits")
    check_dtype(op, num, (dt.int32, dt.int64), "num_samples")
    if logits.shape.ndims not in (None, 2):
        raise ValueError(f"logits '{logits.name}' must be a matrix [batch, classes], got "
                         f"shape {logits.shape}")
    v = const_value(num)
    batch = logits.shape[0] if logits.shape.ndims == 2 else None
    return [(dt.as_dtype(op.attrs["output_dtype"]),
             TensorShape([batch, None if v is None else int(v)]))]


def _sample_classes(logits, num, uniforms, out_dtype):
    if logits.ndim != 2 or logits.shape[1] == 0:
        raise InvalidArgumentError(None, None, f"logits should be a matrix with at least "
                                   f"one class, got shape {list(logits.shape)}")
    if num < 0:
        raise InvalidArgumentError(None, None, f"num_samples should be nonnegative, got {num}")
    z = logits.astype(np.float64)
    top = np.max(np.where(np.isfinite(z), z, -np.inf), axis=1, keepdims=True)
    p = np.exp(z - np.where(np.isfinite(top), top, 0.0))
    cdf = np.cumsum(p, axis=1)
    cdf /= np.where(cdf[:, -1:] > 0, cdf[:, -1:], 1.0)
    u = uniforms.reshape(logits.shape[0], num)
    out = np.empty((logits.shape[0], num), np.int64)
    for i in range(logits.shape[0]):
        out[i] = np.minimum(np.searchsorted(cdf[i], u[i], side="right"), logits.shape[1] - 1)
    return out.astype(out_dtype)


def _multinomial_compute(ctx, logits, num, *, seed, seed2, output_dtype):
    n = int(num)
    u = philox.uniform(logits.shape[0] * max(n, 0) if logits.ndim == 2 else 0, np.float64,
                       seed, seed2, ctx.next_random_call())
    return _sample_classes(logits, n, u, dt.as_dtype(output_dtype).np)


defop("Multinomial", _multinomial_infer, _multinomial_compute, NON_DIFFERENTIABLE,
      pure=False, needs_context=True, family="random")


def _out_dtype(dtype, what: str) -> dt.DType:
    d = dt.as_dtype(dtype or dt.int64)
    if d not in (dt.int32, dt.int64):
        raise TypeError(f"{what} must be int32 or int64, got {d.name}")
    return d


def multinomial(logits, num_samples, seed=None, name: Optional[str] = None,
                output_dtype=None):
    """TF1 `tf.multinomial` (`tf.random.multinomial`): num_samples class indices per row,
    drawn with probabilities softmax(logits[row])."""
    return categorical(logits, num_samples, dtype=output_dtype, seed=seed,
                       name=name or "multinomial")


def categorical(logits, num_samples, dtype=None, seed=None, name: Optional[str] = None):
    """TF1 `tf.random.categorical`: as multinomial, the output dtype called `dtype`."""
    d = _out_dtype(dtype, "dtype")
    x = convert_to_tensor(logits, name="logits")
    num = convert_to_tensor(num_samples, dtype=dt.int32, name="num_samples")
    s1, s2 = get_seed(seed)
    return apply("Multinomial", (x, num), {"seed": s1, "seed2": s2, "output_dtype": d.name},
                 name=name or "categorical")


# ------------------------------------------------------------------ gamma, Poisson
def _generator(seed, seed2, call) -> np.random.Generator:
    words = philox.random_words(8, seed, seed2, call).astype(np.uint64)
    return np.random.Generator(np.random.PCG64([int(w) for w in words]))


def _param_infer(op):
    shape, param = op.inputs
    check_dtype(op, shape, (dt.int32, dt.int64), "shape")
    check_dtype(op, param, dt.FLOATS + (dt.int32, dt.int64), "parameter")
    lead = const_value_as_shape(shape)
    dtype = dt.as_dtype(op.attrs["dtype"]) if "dtype" in op.attrs else param.dtype
    if lead.ndims is None or param.shape.ndims is None:
        return [(dtype, unknown_shape())]
    return [(dtype, lead.concatenate(param.shape))]


def _gamma_compute(ctx, shape, alpha, *, seed, seed2):
    dims = checked_dims(shape)
    rng = _generator(seed, seed2, ctx.next_random_call())
    a = np.broadcast_to(alpha.astype(np.float64), dims + alpha.shape)
    out = np.where(a > 0, rng.gamma(np.where(a > 0, a, 1.0)), np.nan)
    return out.astype(alpha.dtype)


defop("RandomGamma", _param_infer, _gamma_compute, NON_DIFFERENTIABLE, pure=False,
      needs_context=True, family="random")


def _poisson_compute(ctx, shape, rate, *, seed, seed2, dtype):
    dims = checked_dims(shape)
    rng = _generator(seed, seed2, ctx.next_random_call())
    lam = np.broadcast_to(rate.astype(np.float64), dims + rate.shape)
    out = rng.poisson(np.where(lam > 0, lam, 0.0))
    out = np.where(lam >= 0, out, np.nan) if dt.as_dtype(dtype).is_floating else out
    return out.astype(dt.as_dtype(dtype).np)


defop("RandomPoissonV2", _param_infer, _poisson_compute, NON_DIFFERENTIABLE, pure=False,
      needs_context=True, family="random")


def random_gamma(shape, alpha, beta=None, dtype=dt.float32, seed=None,
                 name: Optional[str] = None):
    """TF1 `tf.random.gamma`: samples of shape `shape + alpha.shape` (alpha and beta
    broadcast), Gamma(alpha) / beta."""
    d = dt.as_dtype(dtype)
    if not d.is_floating:
        raise TypeError(f"dtype must be a float type, got {d.name}")
    with get_default_graph().name_scope(name or "random_gamma"):
        a = convert_to_tensor(alpha, dtype=d, name="alpha")
        if beta is not None:
            b = convert_to_tensor(beta, dtype=d, name="beta")
            a = multiply(a, ones_like(b))  # the broadcast shape of alpha and beta
        s1, s2 = get_seed(seed)
        sample = apply("RandomGamma", (_shape_tensor(shape), a), {"seed": s1, "seed2": s2})
        return sample if beta is None else truediv(sample, b)


def random_poisson(lam, shape, dtype=dt.float32, seed=None, name: Optional[str] = None):
    """TF1 `tf.random.poisson`: samples of shape `shape + lam.shape` in dtype."""
    d = dt.as_dtype(dtype)
    rate = convert_to_tensor(lam, name="lam")
    s1, s2 = get_seed(seed)
    return apply("RandomPoissonV2", (_shape_tensor(shape), rate),
                 {"seed": s1, "seed2": s2, "dtype": d.name}, name=name or "random_poisson")


# ------------------------------------------------------------------ stateless
def _seed_pair(seed: np.ndarray) -> tuple:
    if seed.shape != (2,):
        raise InvalidArgumentError(None, None, f"seed must have shape [2], not "
                                   f"{list(seed.shape)}")
    return int(seed[0]) & 0xFFFFFFFF, int(seed[1]) & 0xFFFFFFFF


def _stateless_infer(op):
    shape, seed = op.inputs[:2]
    check_dtype(op, shape, (dt.int32, dt.int64), "shape")
    check_dtype(op, seed, (dt.int32, dt.int64), "seed")
    return [(dt.as_dtype(op.attrs["dtype"]), const_value_as_shape(shape))]


def _stateless_float(generate):
    def compute(shape, seed, *, dtype):
        dims = checked_dims(shape)
        s1, s2 = _seed_pair(seed)
        n = int(np.prod(dims)) if dims else 1
        return generate(n, dt.as_dtype(dtype).np, s1, s2, STATELESS_CALL).reshape(dims)
    return compute


for _name, _gen in (("StatelessRandomUniform", philox.uniform),
                    ("StatelessRandomNormal", philox.normal),
                    ("StatelessTruncatedNormal", philox.truncated_normal)):
    defop(_name, _stateless_infer, _stateless_float(_gen), NON_DIFFERENTIABLE,
          family="random")


def _stateless_int_compute(shape, seed, lo, hi, *, dtype):
    lo_v, hi_v = int(lo), int(hi)
    if lo_v >= hi_v:
        raise InvalidArgumentError(None, None, f"Need minval < maxval: {lo_v} >= {hi_v}")
    dims = checked_dims(shape)
    s1, s2 = _seed_pair(seed)
    n = int(np.prod(dims)) if dims else 1
    return philox.integers(n, lo_v, hi_v, dt.as_dtype(dtype).np, s1, s2,
                           STATELESS_CALL).reshape(dims)


defop("StatelessRandomUniformInt", _stateless_infer, _stateless_int_compute,
      NON_DIFFERENTIABLE, family="random")


def _stateless_multinomial_infer(op):
    logits, num, seed = op.inputs
    check_dtype(op, seed, (dt.int32, dt.int64), "seed")
    return _multinomial_infer(op)


def _stateless_multinomial_compute(logits, num, seed, *, output_dtype):
    s1, s2 = _seed_pair(seed)
    n = int(num)
    u = philox.uniform(logits.shape[0] * max(n, 0) if logits.ndim == 2 else 0, np.float64,
                       s1, s2, STATELESS_CALL)
    return _sample_classes(logits, n, u, dt.as_dtype(output_dtype).np)


defop("StatelessMultinomial", _stateless_multinomial_infer, _stateless_multinomial_compute,
      NON_DIFFERENTIABLE, family="random")


def _seed_tensor(seed):
    s = convert_to_tensor(seed, dtype_hint=dt.int64, name="seed")
    if s.shape.ndims is not None and s.shape.as_list() not in ([2], [None]):
        raise ValueError(f"seed must have shape [2], not {s.shape}")
    return s


def stateless_random_uniform(shape, seed, minval=0, maxval=None, dtype=dt.float32,
                             name: Optional[str] = None, alg="auto_select"):
    """TF1 `tf.random.stateless_uniform`: uniform in [minval, maxval), a function of
    `seed` ([2] ints) alone; ints need maxval."""
    d = dt.as_dtype(dtype)
    with get_default_graph().name_scope(name or "stateless_random_uniform") as scope:
        shape_t, seed_t = _shape_tensor(shape), _seed_tensor(seed)
        if d.is_integer:
            if maxval is None:
                raise ValueError(f"Must specify maxval for integer dtype {d.name}")
            lo = convert_to_tensor(minval, dtype=d, name="min")
            hi = convert_to_tensor(maxval, dtype=d, name="max")
            return apply("StatelessRandomUniformInt", (shape_t, seed_t, lo, hi),
                         {"dtype": d.name}, name=scope[:-1] + "/")
        lo = convert_to_tensor(minval, dtype=d, name="min")
        hi = convert_to_tensor(1 if maxval is None else maxval, dtype=d, name="max")
        rnd = apply("StatelessRandomUniform", (shape_t, seed_t), {"dtype": d.name})
        return add(multiply(rnd, subtract(hi, lo)), lo, name=scope[:-1] + "/")


def _stateless_scaled(op_type, default, shape, seed, mean, stddev, dtype, name):
    d = dt.as_dtype(dtype)
    if not d.is_floating:
        raise ValueError(f"Invalid dtype {d.name}: a float dtype is required")
    with get_default_graph().name_scope(name or default) as scope:
        rnd = apply(op_type, (_shape_tensor(shape), _seed_tensor(seed)), {"dtype": d.name})
        return add(multiply(rnd, convert_to_tensor(stddev, dtype=d, name="stddev")),
                   convert_to_tensor(mean, dtype=d, name="mean"), name=scope[:-1] + "/")


def stateless_random_normal(shape, seed, mean=0.0, stddev=1.0, dtype=dt.float32,
                            name: Optional[str] = None, alg="auto_select"):
    """TF1 `tf.random.stateless_normal`: normal values, a function of `seed` alone."""
    return _stateless_scaled("StatelessRandomNormal", "stateless_random_normal", shape, seed,
                             mean, stddev, dtype, name)


def stateless_truncated_normal(shape, seed, mean=0.0, stddev=1.0, dtype=dt.float32,
                               name: Optional[str] = None, alg="auto_select"):
    """TF1 `tf.random.stateless_truncated_normal`: within two standard deviations."""
    return _stateless_scaled("StatelessTruncatedNormal", "stateless_truncated_normal",
                             shape, seed, mean, stddev, dtype, name)


def stateless_categorical(logits, num_samples, seed, dtype=dt.int64,
                          name: Optional[str] = None):
    """TF1 `tf.random.stateless_categorical`: categorical draws, a function of `seed`."""
    d = _out_dtype(dtype, "dtype")
    x = convert_to_tensor(logits, name="logits")
    num = convert_to_tensor(num_samples, dtype=dt.int32, name="num_samples")
    return apply("StatelessMultinomial", (x, num, _seed_tensor(seed)),
                 {"output_dtype": d.name}, name=name or "stateless_categorical")


def stateless_multinomial(logits, num_samples, seed, output_dtype=dt.int64,
                          name: Optional[str] = None):
    """TF1 `tf.random.stateless_multinomial`: stateless_categorical with `output_dtype`."""
    return stateless_categorical(logits, num_samples, seed, dtype=output_dtype,
                                 name=name or "stateless_multinomial")
