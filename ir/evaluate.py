"""The one constant evaluator: an op's outputs on constant inputs, computed with the op's
own numpy semantics (its OpDef's `compute`), under one size policy.

Values known when the graph is built (`ops._base.const_value`, TF1's `constant_value`)
and the plan's constant folding (`passes.fold`) both call `evaluate`; `shape_value` is
the value of a Shape, Size or Rank op that a static shape already knows.

The size policy: an output may hold as many elements as MAX_CONSTANT_ELEMENTS or as its
inputs together, whichever is more, so evaluating never bloats a graph (a
`tf.zeros([4096, 4096])` stays a Fill) while a slice, a reshape or a cast of any constant
is still known (counted in elements, not bytes: a frozen model's float16 filter cast to
float32 folds, and with it the batch norm and the fusion after it).

A kernel that raises leaves the op to the run, which reports the error naming the node and
the user's line.
"""
from __future__ import annotations

from typing import Optional, Sequence

import numpy as np

from .dtypes import DType
from .shapes import TensorShape
from .symbolic import has_symbolic, is_symbolic

MAX_CONSTANT_ELEMENTS = 1 << 16

SHAPE_OPS = frozenset({"Shape", "Size", "Rank"})


def evaluable(op) -> bool:
    """Whether `op` may be evaluated on constants: pure, needing no run-time context, with
    numpy semantics and outputs, holding no graphs, and not itself a source of values."""
    d = op.opdef
    return (d is not None and d.pure and not d.needs_context and d.compute is not None
            and bool(op.outputs) and not op.subgraphs
            and op.type not in ("Const", "Placeholder", "PlaceholderWithDefault"))


def evaluate(op, values: Sequence[np.ndarray]) -> Optional[list[np.ndarray]]:
    """The outputs of `op` (one array per output, in its output dtypes) on the constant
    inputs `values`, or None when the op is not evaluable, an output would break the size
    policy, or the kernel raises."""
    if not evaluable(op):
        return None
    limit = max(MAX_CONSTANT_ELEMENTS, sum(np.size(v) for v in values))
    for t in op.outputs:  # refuse before computing what the static shape says is too big
        n = t.shape.num_elements()
        if n is not None and not is_symbolic(n) and n > limit:
            return None
    try:
        with np.errstate(all="ignore"):
            result = op.opdef.compute(*values, **op.attrs)
    except Exception:  # noqa: BLE001 - the run reports the error, naming the node
        return None
    results = result if len(op.outputs) > 1 else (result,)
    out = []
    for t, value in zip(op.outputs, results):
        value = np.asarray(value, dtype=t.dtype.np)
        if value.size > limit:
            return None
        out.append(value)
    return out


def shape_value(op_type: str, shape: TensorShape, dtype: DType) -> Optional[np.ndarray]:
    """The value of a Shape, Size or Rank op of a tensor with static shape `shape`, or None
    when the shape does not fix it (an unknown dim, or a plan's symbolic run-time dim)."""
    if op_type == "Rank":
        return None if shape.ndims is None else np.array(shape.ndims, dtype=dtype.np)
    if not shape.is_fully_defined() or has_symbolic(shape.as_tuple()):
        return None
    dims = shape.as_list()
    if op_type == "Shape":
        return np.array(dims, dtype=dtype.np)
    return np.array(int(np.prod(dims)), dtype=dtype.np)
