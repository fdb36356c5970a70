"""TF's remaining stateless random ops, functions of a [2] seed tensor alone:
stateless_gamma, stateless_poisson, stateless_binomial,
stateless_parameterized_truncated_normal, full-range integers (StatelessRandomUniformFullInt,
under tf.random.fold_in, tf.random.split and Generator.uniform_full_int).

As random_dist_ops' stateless ops: pure (equal seeds give equal numbers in every run and
on both backends; constant folding may evaluate them), drawn from Philox keyed by the
seed. Gamma, Poisson and binomial use numpy's exact samplers driven by a generator seeded
from Philox words of the seed (reproducible, not TF's bits); full-range integers are the
Philox words themselves (int64: two words, hi << 32 | lo); the truncated normal is the
inverse CDF of Philox uniforms (float64, ndtri of Phi(a) + u (Phi(b) - Phi(a)), sampled
in the lower tail and negated where both bounds are above the mean, so far tails keep
their accuracy). Output shapes are `shape`; the parameters broadcast to it (TF's rule).
None is differentiable (graphc has no reparameterised gamma gradient).
"""
from __future__ import annotations

import math
from typing import Optional

import numpy as np

from .. import dtypes as dt
from .. import philox
from ..context import get_default_graph
from ..errors import InvalidArgumentError
from ._base import NON_DIFFERENTIABLE, apply, check_dtype, const_value_as_shape, \
    convert_to_tensor, defop
from .array_ops import stack
from .math_ops import truediv
from .random_dist_ops import STATELESS_CALL, _seed_pair, _seed_tensor
from .random_ops import checked_dims, _shape_tensor
from .special_inverse_ops import _erfc, _ndtri_np

__all__ = ["stateless_gamma", "stateless_poisson", "stateless_binomial",
           "stateless_parameterized_truncated_normal", "stateless_random_uniform_full_int",
           "fold_in", "split"]

_SAMPLER_CALL = STATELESS_CALL + 1   # the words that seed numpy's samplers


def _infer(op):
    shape, seed = op.inputs[:2]
    check_dtype(op, shape, (dt.int32, dt.int64), "shape")
    check_dtype(op, seed, (dt.int32, dt.int64), "seed")
    for t in op.inputs[2:]:
        check_dtype(op, t, dt.FLOATS, "a parameter")
    out = const_value_as_shape(shape)
    for t in op.inputs[2:]:
        if out.ndims is not None and t.shape.ndims is not None and t.shape.ndims > out.ndims:
            raise ValueError(f"{op.type}: the parameter '{t.name}' of shape {t.shape} has "
                             f"more dims than the output shape {out}")
    dtype = dt.as_dtype(op.attrs["dtype"]) if "dtype" in op.attrs else op.inputs[2].dtype
    return [(dtype, out)]


def _params(dims, params, op_name: str):
    try:
        return [np.broadcast_to(np.asarray(p, np.float64), dims) for p in params]
    except ValueError:
        raise InvalidArgumentError(None, None, f"{op_name}: parameters of shapes "
                                   f"{[list(np.shape(p)) for p in params]} do not broadcast "
                                   f"to the shape {list(dims)}") from None


def _sampler(seed) -> np.random.Generator:
    s1, s2 = _seed_pair(seed)
    words = philox.random_words(8, s1, s2, _SAMPLER_CALL).astype(np.uint64)
    return np.random.Generator(np.random.PCG64([int(w) for w in words]))


def _gamma_compute(shape, seed, alpha):
    dims = checked_dims(shape)
    (a,) = _params(dims, [alpha], "StatelessRandomGammaV2")
    out = np.where(a > 0, _sampler(seed).gamma(np.where(a > 0, a, 1.0)), np.nan)
    return out.astype(alpha.dtype)


def _poisson_compute(shape, seed, lam, *, dtype):
    dims = checked_dims(shape)
    (rate,) = _params(dims, [lam], "StatelessRandomPoisson")
    out = _sampler(seed).poisson(np.where(rate > 0, rate, 0.0))
    target = dt.as_dtype(dtype)
    if target.is_floating:
        out = np.where(rate >= 0, out, np.nan)
    return out.astype(target.np)


def _binomial_compute(shape, seed, counts, probs, *, dtype):
    dims = checked_dims(shape)
    n, p = _params(dims, [counts, probs], "StatelessRandomBinomial")
    if np.any(n < 0) or np.any((p < 0) | (p > 1) | np.isnan(p)):
        raise InvalidArgumentError(None, None, "StatelessRandomBinomial: counts must be >= 0 "
                                   "and probs in [0, 1]")
    out = _sampler(seed).binomial(np.floor(n).astype(np.int64), p)
    return out.astype(dt.as_dtype(dtype).np)


def _truncated_normal_compute(shape, seed, means, stddevs, minvals, maxvals):
    dims = checked_dims(shape)
    mu, sigma, lo, hi = _params(dims, [means, stddevs, minvals, maxvals],
                                "StatelessParameterizedTruncatedNormal")
    if np.any(sigma <= 0) or np.any(lo >= hi):
        raise InvalidArgumentError(None, None, "StatelessParameterizedTruncatedNormal: "
                                   "Invalid parameters (stddevs must be > 0 and minvals < "
                                   "maxvals)")
    s1, s2 = _seed_pair(seed)
    u = philox.uniform(int(np.prod(dims)) if dims else 1, np.float64, s1, s2,
                       STATELESS_CALL).reshape(dims)
    with np.errstate(all="ignore"):
        a, b = (lo - mu) / sigma, (hi - mu) / sigma
        upper = a > 0                               # both bounds above: sample -x in [-b, -a]
        a, b = np.where(upper, -b, a), np.where(upper, -a, b)
        pa, pb = 0.5 * _erfc(-a / math.sqrt(2)), 0.5 * _erfc(-b / math.sqrt(2))
        z = _ndtri_np((pa + u * (pb - pa)).reshape(-1)).reshape(dims)
        z = np.clip(np.where(np.isfinite(z), z, np.where(z > 0, b, a)), a, b)
    z = np.where(upper, -z, z)
    out = np.clip(mu + sigma * z, lo, hi)
    return out.astype(means.dtype)


def _full_int_compute(shape, seed, *, dtype):
    dims = checked_dims(shape)
    s1, s2 = _seed_pair(seed)
    n = int(np.prod(dims)) if dims else 1
    target = dt.as_dtype(dtype).np
    if np.dtype(target).itemsize == 8:
        w = philox.random_words(2 * n, s1, s2, STATELESS_CALL).astype(np.uint64)
        out = (w[0::2] << np.uint64(32)) | w[1::2]
    else:
        out = philox.random_words(n, s1, s2, STATELESS_CALL)
    return out.view(np.int64 if out.dtype == np.uint64 else np.int32).astype(
        target).reshape(dims)


def _full_int_infer(op):
    shape, seed = op.inputs
    check_dtype(op, shape, (dt.int32, dt.int64), "shape")
    check_dtype(op, seed, (dt.int32, dt.int64), "seed")
    return [(dt.as_dtype(op.attrs["dtype"]), const_value_as_shape(shape))]


defop("StatelessRandomGammaV2", _infer, _gamma_compute, NON_DIFFERENTIABLE, family="random")
defop("StatelessRandomPoisson", _infer, _poisson_compute, NON_DIFFERENTIABLE,
      family="random")
defop("StatelessRandomBinomial", _infer, _binomial_compute, NON_DIFFERENTIABLE,
      family="random")
defop("StatelessParameterizedTruncatedNormal", _infer, _truncated_normal_compute,
      NON_DIFFERENTIABLE, family="random")
defop("StatelessRandomUniformFullInt", _full_int_infer, _full_int_compute, NON_DIFFERENTIABLE,
      family="random")


def _float_dtype(dtype, what: str) -> dt.DType:
    d = dt.as_dtype(dtype)
    if not d.is_floating:
        raise TypeError(f"{what}: dtype must be a float type, got {d.name}")
    return d


def stateless_gamma(shape, seed, alpha, beta=None, dtype=dt.float32,
                    name: Optional[str] = None):
    """TF `tf.random.stateless_gamma`: Gamma(alpha) / beta samples of shape `shape` (alpha
    and beta broadcast to it), a function of `seed` ([2] ints) alone."""
    d = _float_dtype(dtype, "stateless_gamma")
    with get_default_graph().name_scope(name or "stateless_random_gamma") as scope:
        a = convert_to_tensor(alpha, dtype=d, name="alpha")
        sample = apply("StatelessRandomGammaV2", (_shape_tensor(shape), _seed_tensor(seed), a),
                       name="StatelessRandomGammaV2" if beta is not None else scope[:-1] + "/")
        if beta is None:
            return sample
        return truediv(sample, convert_to_tensor(beta, dtype=d, name="beta"),
                       name=scope[:-1] + "/")


def stateless_poisson(shape, seed, lam, dtype=dt.int32, name: Optional[str] = None):
    """TF `tf.random.stateless_poisson`: Poisson(lam) samples of shape `shape` in `dtype`
    (ints or floats; lam broadcast to the shape)."""
    rate = convert_to_tensor(lam, name="lam", dtype_hint=dt.float32)
    return apply("StatelessRandomPoisson", (_shape_tensor(shape), _seed_tensor(seed), rate),
                 {"dtype": dt.as_dtype(dtype).name}, name=name or "stateless_random_poisson")


def stateless_binomial(shape, seed, counts, probs, output_dtype=dt.int32,
                       name: Optional[str] = None):
    """TF `tf.random.stateless_binomial`: Binomial(counts, probs) samples of shape `shape`
    (counts and probs floats of one dtype, broadcast to it)."""
    p = convert_to_tensor(probs, name="probs", dtype_hint=dt.float32)
    n = convert_to_tensor(counts, name="counts", dtype=p.dtype)
    return apply("StatelessRandomBinomial", (_shape_tensor(shape), _seed_tensor(seed), n, p),
                 {"dtype": dt.as_dtype(output_dtype).name},
                 name=name or "stateless_random_binomial")


def stateless_parameterized_truncated_normal(shape, seed, means=0.0, stddevs=1.0,
                                             minvals=-2.0, maxvals=2.0,
                                             name: Optional[str] = None):
    """TF `tf.random.stateless_parameterized_truncated_normal`: normal(means, stddevs)
    truncated to [minvals, maxvals], elementwise parameters broadcast to `shape`."""
    m = convert_to_tensor(means, name="means", dtype_hint=dt.float32)
    params = [m] + [convert_to_tensor(v, name=n, dtype=m.dtype) for v, n in (
        (stddevs, "stddevs"), (minvals, "minvals"), (maxvals, "maxvals"))]
    return apply("StatelessParameterizedTruncatedNormal",
                 (_shape_tensor(shape), _seed_tensor(seed), *params),
                 name=name or "stateless_parameterized_truncated_normal")


def stateless_random_uniform_full_int(shape, seed, dtype=dt.int64, name: Optional[str] = None):
    """Integers over the whole range of `dtype` (int32 or int64), a function of `seed`."""
    d = dt.as_dtype(dtype)
    if d not in (dt.int32, dt.int64):
        raise TypeError(f"full-range integers are int32 or int64, got {d.name}")
    return apply("StatelessRandomUniformFullInt", (_shape_tensor(shape), _seed_tensor(seed)),
                 {"dtype": d.name}, name=name or "stateless_random_uniform_full_int")


def _check_alg(alg) -> None:
    name = getattr(alg, "name", alg)
    if isinstance(name, str):
        name = name.lower()
    if name not in ("auto_select", "philox", 1, 3, None):
        raise ValueError(f"graphc's random numbers are Philox's: alg {alg!r} is not "
                         f"supported (use 'philox' or 'auto_select')")


def fold_in(seed, data, alg="auto_select"):
    """TF `tf.random.fold_in(seed, data)`: a new [2] seed from `seed` and the integer
    `data` (TF's construction: [full-range int of `seed`, data])."""
    _check_alg(alg)
    d = convert_to_tensor(data, name="data", dtype_hint=dt.int32)
    s = _seed_tensor(seed)
    first = stateless_random_uniform_full_int([], s, dtype=d.dtype)
    return stack([first, d], name="fold_in")


def split(seed, num=2, alg="auto_select"):
    """TF `tf.random.split(seed, num)`: `num` new [2] seeds from `seed` (a [num, 2]
    tensor of full-range ints of the seed's dtype)."""
    _check_alg(alg)
    s = _seed_tensor(seed)
    return stateless_random_uniform_full_int([num, 2], s, dtype=s.dtype, name="split")
