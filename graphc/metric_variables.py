"""The state and plumbing every `tf.metrics` function shares (graphc/metrics.py,
graphc/metrics_thresholds.py): its local variables, the optional collections of its value
and update op, and TF1's casts of weights and labels."""
from __future__ import annotations

import numpy as np

from .ir import context as _context
from .ir import dtypes as _dt
from .ir.ops import math_ops as M
from .ir.ops._base import convert_to_tensor
from .variables import GraphKeys, Variable


def metric_variable(shape, dtype, validate_shape=True, name=None) -> Variable:
    """A zero-initialised local variable in LOCAL_VARIABLES and METRIC_VARIABLES."""
    dtype = _dt.as_dtype(dtype)
    return Variable(np.zeros(shape, dtype.np), trainable=False, name=name,
                    collections=[GraphKeys.LOCAL_VARIABLES, GraphKeys.METRIC_VARIABLES],
                    validate_shape=validate_shape)


def collect(metrics_collections, updates_collections, value, update_op) -> None:
    graph = _context.get_default_graph()
    if metrics_collections:
        graph.add_to_collections(metrics_collections, value)
    if updates_collections:
        graph.add_to_collections(updates_collections, update_op)


def cast(x, dtype):
    """`x` as a tensor of `dtype` (TF1's metrics cast weights and labels)."""
    x = convert_to_tensor(x, dtype_hint=dtype)
    return x if x.dtype is dtype else M.cast(x, dtype)
