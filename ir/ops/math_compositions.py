"""TF1's math functions that TF1 itself builds from other ops, and CumulativeLogsumexp.

sort/argsort (top_k of the values or their negatives, the sorted axis moved last),
confusion_matrix (a scatter_nd of the weights), zero_fraction, reduce_variance/std,
log_sigmoid, reciprocal_no_nan, is_non_decreasing/is_strictly_increasing, polyval and
lbeta follow TF1's python definitions, so their gradients are those of the ops used.
CumulativeLogsumexp is an op of its own (a running logaddexp keeps small terms that one
shared max would lose), with TF1's gradient.
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from .. import dtypes as dt
from ..errors import InvalidArgumentError
from ._base import (apply, check_dtype, convert_to_tensor, defop, graph_of, normalize_axis)
from .array_ops import reshape, shape, stack, _static_axis, transpose
from .math_ops import (add, cast, equal, exp, greater, less, less_equal, log, maximum, multiply,
                       negative, sqrt, subtract, where_v2)
from .matmul_ops import scan_infer
from .reduce_ops import reduce_all, reduce_max, reduce_mean, reduce_sum
from .sort_ops import top_k
from .slicing_ops import strided_slice
from .special_ops import div_no_nan, lgamma
from .nn_ops import softplus
from .generator_ops import ones_like, zeros_like
from .array_grads import scatter_nd

__all__ = ["sort", "argsort", "confusion_matrix", "zero_fraction", "reduce_variance",
           "reduce_std", "log_sigmoid", "reciprocal_no_nan", "is_non_decreasing",
           "is_strictly_increasing", "polyval", "lbeta", "cumulative_logsumexp"]


def _scope(values, name, default):
    g = graph_of(values)
    return g, g.name_scope(name or default)


# ------------------------------------------------------------------ sort, argsort
def _sort(values, axis, direction, want_indices: bool):
    if direction not in ("ASCENDING", "DESCENDING"):
        raise ValueError(f'Unknown direction: "{direction}" (use "ASCENDING" or '
                         f'"DESCENDING")')
    x = convert_to_tensor(values, name="values")
    rank = x.shape.ndims
    if rank is None:
        raise ValueError("sort needs the rank of its input known when the graph is built")
    if not isinstance(axis, (int, np.integer)):
        raise ValueError(f"axis must be a constant scalar, got {axis!r}")
    a = normalize_axis(int(axis), rank, "sort")
    perm = list(range(rank))
    perm[a], perm[-1] = perm[-1], perm[a]
    moved = x if a == rank - 1 else transpose(x, perm)

    def flip(t):  # an order-reversing map that is its own inverse (no integer overflow)
        if x.dtype.is_floating:
            return negative(t)
        top = x.dtype.max if x.dtype.is_unsigned else -1
        return subtract(np.asarray(top, x.dtype.np), t)
    key = moved if direction == "DESCENDING" else flip(moved)
    vals, idx = top_k(key, shape(moved)[-1])
    out = idx if want_indices else (vals if direction == "DESCENDING" else flip(vals))
    return out if a == rank - 1 else transpose(out, perm)


def sort(values, axis=-1, direction: str = "ASCENDING", name: Optional[str] = None):
    """TF1 `tf.sort`: the values sorted along `axis`."""
    g, scope = _scope((values,), name, "sort")
    with g.as_default(), scope:
        return _sort(values, axis, direction, False)


def argsort(values, axis=-1, direction: str = "ASCENDING", stable: bool = False,
            name: Optional[str] = None):
    """TF1 `tf.argsort`: the indices that sort `values` along `axis` (equal values keep
    their order, so `stable` holds either way)."""
    g, scope = _scope((values,), name, "argsort")
    with g.as_default(), scope:
        return _sort(values, axis, direction, True)


# ------------------------------------------------------------------ statistics
def confusion_matrix(labels, predictions, num_classes=None, dtype=dt.int32,
                     name: Optional[str] = None, weights=None):
    """TF1 `tf.math.confusion_matrix`: counts (or summed weights) of (label, prediction)
    pairs, labels as rows; num_classes defaults to the largest value + 1."""
    g, scope = _scope((labels, predictions), name, "confusion_matrix")
    with g.as_default(), scope:
        lab = cast(convert_to_tensor(labels, name="labels"), dt.int64)
        pred = cast(convert_to_tensor(predictions, name="predictions"), dt.int64)
        if num_classes is None:
            n = add(maximum(reduce_max(lab), reduce_max(pred)), np.int64(1))
        else:
            n = cast(convert_to_tensor(num_classes, name="num_classes"), dt.int64)
        dtype = dt.as_dtype(dtype)
        if weights is None:
            w = ones_like(pred, dtype=dtype)
        else:
            w = cast(convert_to_tensor(weights, name="weights"), dtype)
        return scatter_nd(stack([lab, pred], axis=1), w, stack([n, n]))


def zero_fraction(value, name: Optional[str] = None):
    """TF1 `tf.math.zero_fraction` (`tf.nn.zero_fraction`): the fraction of zeros."""
    g, scope = _scope((value,), name, "zero_fraction")
    with g.as_default(), scope:
        v = convert_to_tensor(value, name="value")
        zero = np.zeros((), v.dtype.np) if not v.dtype.is_bool else False
        return reduce_mean(cast(equal(v, zero), dt.float32))


def reduce_variance(input_tensor, axis=None, keepdims: bool = False, name: Optional[str] = None):
    """TF1 `tf.math.reduce_variance`: the mean squared deviation from the mean."""
    g, scope = _scope((input_tensor,), name, "reduce_variance")
    with g.as_default(), scope:
        x = convert_to_tensor(input_tensor, name="input_tensor")
        if not x.dtype.is_floating:
            raise TypeError("Input must be either real or complex")
        means = reduce_mean(x, axis=axis, keepdims=True)
        diff = subtract(x, means)
        return reduce_mean(multiply(diff, diff), axis=axis, keepdims=keepdims)


def reduce_std(input_tensor, axis=None, keepdims: bool = False, name: Optional[str] = None):
    """TF1 `tf.math.reduce_std`: the square root of reduce_variance."""
    g, scope = _scope((input_tensor,), name, "reduce_std")
    with g.as_default(), scope:
        return sqrt(reduce_variance(input_tensor, axis=axis, keepdims=keepdims))


# ------------------------------------------------------------------ elementwise compositions
def log_sigmoid(x, name: Optional[str] = None):
    """TF1 `tf.math.log_sigmoid`: -softplus(-x), stable for large |x|."""
    g, scope = _scope((x,), name, "LogSigmoid")
    with g.as_default(), scope as s:
        x = convert_to_tensor(x, name="x")
        return negative(softplus(negative(x)), name=s)


def reciprocal_no_nan(x, name: Optional[str] = None):
    """TF1 `tf.math.reciprocal_no_nan`: 1 / x, and 0 where x is 0."""
    g, scope = _scope((x,), name, "reciprocal_no_nan")
    with g.as_default(), scope:
        x = convert_to_tensor(x, name="x")
        return div_no_nan(np.ones((), x.dtype.np), x)


def polyval(coeffs, x, name: Optional[str] = None):
    """TF1 `tf.math.polyval`: coeffs[0] * x^(n-1) + ... + coeffs[n-1] (Horner's rule)."""
    if not isinstance(coeffs, (list, tuple)):
        raise ValueError(f"Argument coeffs must be list type found {type(coeffs)}.")
    g, scope = _scope((x,), name, "polyval")
    with g.as_default(), scope:
        x = convert_to_tensor(x, name="x")
        if not coeffs:
            return zeros_like(x)
        p = convert_to_tensor(coeffs[0], dtype=x.dtype)
        for c in coeffs[1:]:
            p = add(convert_to_tensor(c, dtype=x.dtype), multiply(p, x))
        return p


def lbeta(x, name: Optional[str] = None):
    """TF1 `tf.math.lbeta`: log(|Beta(x)|) over the last axis: sum(lgamma(x)) -
    lgamma(sum(x))."""
    g, scope = _scope((x,), name, "lbeta")
    with g.as_default(), scope:
        x = convert_to_tensor(x, name="x")
        return subtract(reduce_sum(lgamma(x), axis=[-1]), lgamma(reduce_sum(x, axis=[-1])))


def _monotonic(x, strict: bool):
    v = reshape(convert_to_tensor(x, name="x"), [-1])
    if not (v.dtype.is_floating or v.dtype.is_integer):
        raise TypeError(f"Expected x to be numeric, got {v.dtype.name}")
    n = shape(v)[0]
    diff = subtract(strided_slice(v, [1], [n]), strided_slice(v, [0], [n - 1]))
    zero = np.zeros((), v.dtype.np)
    return reduce_all(less(zero, diff) if strict else less_equal(zero, diff))


def is_non_decreasing(x, name: Optional[str] = None):
    """TF1 `tf.math.is_non_decreasing`: whether x[i] <= x[i+1] over the flattened x."""
    g, scope = _scope((x,), name, "is_non_decreasing")
    with g.as_default(), scope:
        return _monotonic(x, False)


def is_strictly_increasing(x, name: Optional[str] = None):
    """TF1 `tf.math.is_strictly_increasing`: whether x[i] < x[i+1] over the flattened x."""
    g, scope = _scope((x,), name, "is_strictly_increasing")
    with g.as_default(), scope:
        return _monotonic(x, True)


# ------------------------------------------------------------------ CumulativeLogsumexp
def _cumulative_logsumexp_compute(x, *, axis, exclusive, reverse):
    if x.ndim == 0 or not -x.ndim <= axis < x.ndim:
        raise InvalidArgumentError(None, None, f"axis {axis} is out of range for a tensor "
                                   f"of rank {x.ndim}")
    a = axis % x.ndim
    y = np.flip(x, a) if reverse else x
    with np.errstate(invalid="ignore"):
        out = np.logaddexp.accumulate(y, axis=a, dtype=x.dtype)
    if exclusive:
        lowest = np.full_like(np.take(out, [0], axis=a), -np.inf)
        out = np.concatenate([lowest, np.take(out, np.arange(out.shape[a] - 1), axis=a)], a)
    if reverse:
        out = np.flip(out, a)
    return np.ascontiguousarray(out, dtype=x.dtype)


def _cumulative_logsumexp_vjp(op, grads):
    """TF1's rule: the gradient split by sign, each part through logs (stable)."""
    x, out, g = op.inputs[0], op.outputs[0], grads[0]
    a = op.attrs
    lowest = np.asarray(np.finfo(x.dtype.np).min, x.dtype.np)
    zero = np.zeros((), x.dtype.np)
    safe_pos = where_v2(greater(g, zero), g, np.ones((), x.dtype.np))
    safe_neg = where_v2(less(g, zero), negative(g), np.ones((), x.dtype.np))
    log_pos = where_v2(greater(g, zero), log(safe_pos), lowest)
    log_neg = where_v2(less(g, zero), log(safe_neg), lowest)
    attrs = {**a, "reverse": not a["reverse"]}

    def part(log_g):
        return exp(add(apply("CumulativeLogsumexp", (subtract(log_g, out),), attrs), x))
    return [subtract(part(log_pos), part(log_neg))]


def _cumulative_logsumexp_infer(op):
    check_dtype(op, op.inputs[0], dt.FLOATS, "x")
    return scan_infer(op)


defop("CumulativeLogsumexp", _cumulative_logsumexp_infer, _cumulative_logsumexp_compute,
      _cumulative_logsumexp_vjp, family="scan")


def cumulative_logsumexp(x, axis=0, exclusive: bool = False, reverse: bool = False,
                         name: Optional[str] = None):
    """TF1 `tf.math.cumulative_logsumexp`: log(cumsum(exp(x))) along `axis`, computed as a
    running logaddexp; exclusive starts with -inf."""
    x = convert_to_tensor(x, name="x")
    return apply("CumulativeLogsumexp", (x,), {"axis": _static_axis(axis),
                                               "exclusive": bool(exclusive),
                                               "reverse": bool(reverse)},
                 name=name or "CumulativeLogsumexp")


from ..naming import name_builders  # noqa: E402

name_builders(globals())
