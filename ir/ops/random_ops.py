"""Random ops on the Philox generator, with TF1's graph-level/op-level seed rules.

Each op is impure: every run draws new numbers (its call index in the Session counts
0, 1, 2, ...), a new Session starts the sequence again, and equal seeds give equal
numbers on every backend (see `ir.philox` for the exact bit mapping).
"""
from __future__ import annotations

import secrets
from typing import Optional

import numpy as np

from .. import dtypes as dt
from .. import philox
from ..context import get_default_graph
from ..errors import InvalidArgumentError
from ._base import (NON_DIFFERENTIABLE, apply, check_dtype, const_value_as_shape,
                    convert_to_tensor, defop)
from .math_ops import add, multiply, subtract
from .array_ops import stack

__all__ = ["random_normal", "random_uniform", "truncated_normal", "set_random_seed",
           "random_shuffle"]

DEFAULT_GRAPH_SEED = 87654321
_MAXINT32 = 2**31 - 1


def set_random_seed(seed: Optional[int]) -> None:
    """Set the graph-level seed of the default graph (TF1 `tf.set_random_seed`)."""
    get_default_graph().seed = None if seed is None else int(seed)


def get_seed(op_seed: Optional[int]) -> tuple:
    """TF1's rule: (graph seed, op seed), filling in whichever is missing."""
    graph = get_default_graph()
    global_seed = graph.seed
    if global_seed is not None:
        if op_seed is None:
            op_seed = len(graph.operations)
        seeds = (int(global_seed), int(op_seed))
    elif op_seed is not None:
        seeds = (DEFAULT_GRAPH_SEED, int(op_seed))
    else:
        seeds = (secrets.randbelow(_MAXINT32), secrets.randbelow(_MAXINT32))
    if seeds == (0, 0):
        return (0, _MAXINT32)
    return seeds


def _shape_tensor(shape):
    if hasattr(shape, "_as_tensor"):
        t = shape._as_tensor()
        return t
    if isinstance(shape, (list, tuple)) and any(hasattr(s, "_as_tensor") for s in shape):
        return stack([s if hasattr(s, "_as_tensor") else np.int32(s) for s in shape])
    return convert_to_tensor(np.asarray(shape, dtype=np.int32).reshape(-1), dtype=dt.int32)


def _random_infer(op):
    shape = op.inputs[0]
    check_dtype(op, shape, (dt.int32, dt.int64), "shape")
    return [(op.attrs["dtype"], const_value_as_shape(shape))]


def checked_dims(shape: np.ndarray) -> tuple:
    """A run-time shape argument's dims as ints; a negative one is an InvalidArgumentError."""
    dims = tuple(int(d) for d in np.asarray(shape).reshape(-1))
    if any(d < 0 for d in dims):
        raise InvalidArgumentError(None, None, f"Shape {list(dims)} has negative dimensions")
    return dims


def _float_kernel(generate):
    def compute(ctx, shape, *, dtype, seed, seed2):
        dims = checked_dims(shape)
        n = int(np.prod(dims)) if dims else 1
        call = ctx.next_random_call()
        return generate(n, dtype.np, seed, seed2, call).reshape(dims)
    return compute


for _name, _gen in (("RandomStandardNormal", philox.normal),
                    ("RandomUniform", philox.uniform),
                    ("TruncatedNormal", philox.truncated_normal)):
    defop(_name, _random_infer, _float_kernel(_gen), NON_DIFFERENTIABLE, pure=False,
          needs_context=True, family="random")


def _uniform_int_infer(op):
    shape, lo, hi = op.inputs
    check_dtype(op, shape, (dt.int32, dt.int64), "shape")
    check_dtype(op, lo, (dt.int32, dt.int64), "minval")
    if lo.dtype is not hi.dtype:
        raise TypeError(f"minval '{lo.name}' and maxval '{hi.name}' must have the same dtype")
    return [(lo.dtype, const_value_as_shape(shape))]


def _uniform_int_compute(ctx, shape, lo, hi, *, seed, seed2):
    out_dtype = lo.dtype
    lo, hi = int(lo), int(hi)
    if lo >= hi:
        raise InvalidArgumentError(None, None, f"Need minval < maxval: {lo} >= {hi}")
    dims = checked_dims(shape)
    n = int(np.prod(dims)) if dims else 1
    call = ctx.next_random_call()
    return philox.integers(n, lo, hi, out_dtype, seed, seed2, call).reshape(dims)


defop("RandomUniformInt", _uniform_int_infer, _uniform_int_compute, NON_DIFFERENTIABLE,
      pure=False, needs_context=True, family="random")


def _random_op(op_type: str, shape, dtype, seed, name: str):
    dtype = dt.as_dtype(dtype)
    if not dtype.is_floating:
        raise ValueError(f"Invalid dtype {dtype.name} for {op_type}: a float dtype is "
                         "required")
    s1, s2 = get_seed(seed)
    return apply(op_type, (_shape_tensor(shape),), {"dtype": dtype, "seed": s1, "seed2": s2},
                 name=name)


def _scaled(op_type: str, default_name: str, shape, mean, stddev, dtype, seed, name):
    """mean + stddev * (standard draw), under TF1's name scope layout."""
    graph = get_default_graph()
    with graph.name_scope(name or default_name) as scope:
        dtype = dt.as_dtype(dtype)
        mean_t = convert_to_tensor(mean, dtype=dtype, name="mean")
        std_t = convert_to_tensor(stddev, dtype=dtype, name="stddev")
        rnd = _random_op(op_type, shape, dtype, seed, op_type)
        return add(multiply(rnd, std_t), mean_t, name=scope[:-1] + "/")


def random_normal(shape, mean=0.0, stddev=1.0, dtype=dt.float32, seed=None,
                  name: Optional[str] = None):
    """TF1 `tf.random_normal`: mean + stddev * standard normal."""
    return _scaled("RandomStandardNormal", "random_normal", shape, mean, stddev, dtype, seed,
                   name)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=dt.float32, seed=None,
                     name: Optional[str] = None):
    """TF1 `tf.truncated_normal`: values beyond two standard deviations are redrawn."""
    return _scaled("TruncatedNormal", "truncated_normal", shape, mean, stddev, dtype, seed,
                   name)


def random_uniform(shape, minval=0, maxval=None, dtype=dt.float32, seed=None,
                   name: Optional[str] = None):
    """TF1 `tf.random_uniform`: floats in [minval, maxval) (maxval 1 by default); ints
    need maxval."""
    dtype = dt.as_dtype(dtype)
    graph = get_default_graph()
    with graph.name_scope(name or "random_uniform") as scope:
        if dtype.is_integer:
            if maxval is None:
                raise ValueError(f"Must specify maxval for integer dtype {dtype.name}")
            if dtype not in (dt.int32, dt.int64):
                raise ValueError(f"Invalid dtype {dtype.name}: int32 or int64 expected")
            lo = convert_to_tensor(minval, dtype=dtype, name="min")
            hi = convert_to_tensor(maxval, dtype=dtype, name="max")
            s1, s2 = get_seed(seed)
            return apply("RandomUniformInt", (_shape_tensor(shape), lo, hi),
                         {"seed": s1, "seed2": s2}, name=scope[:-1] + "/")
        if maxval is None:
            maxval = 1
        lo = convert_to_tensor(minval, dtype=dtype, name="min")
        hi = convert_to_tensor(maxval, dtype=dtype, name="max")
        rnd = _random_op("RandomUniform", shape, dtype, seed, "RandomUniform")
        return add(multiply(rnd, subtract(hi, lo)), lo, name=scope[:-1] + "/")


def _shuffle_compute(ctx, x, *, seed, seed2):
    call = ctx.next_random_call()
    n = x.shape[0] if x.ndim else 1
    if n <= 1:
        return x.copy()
    keys = philox.random_words(n, seed, seed2, call)
    return x[np.argsort(keys, kind="stable")]


defop("RandomShuffle", lambda op: [(op.inputs[0].dtype, op.inputs[0].shape)],
      _shuffle_compute, NON_DIFFERENTIABLE, pure=False, needs_context=True, family="random")


def random_shuffle(value, seed=None, name: Optional[str] = None):
    """Shuffle along the first dimension."""
    x = convert_to_tensor(value)
    s1, s2 = get_seed(seed)
    return apply("RandomShuffle", (x,), {"seed": s1, "seed2": s2},
                 name=name or "RandomShuffle")
