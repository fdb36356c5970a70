"""Common-subexpression elimination: pure ops with equal type, inputs, attrs and control
inputs are computed once. Impure ops (variables, assignments, random numbers) never merge;
equal constants merge by dtype, shape and bytes."""
from __future__ import annotations

import numpy as np

from graphc.ir.dtypes import DType
from graphc.ir.shapes import TensorShape
from .lower import Lowered, exact_or_unique, rebuild


def attr_key(value):
    """A hashable, exact key of an attr value (arrays by dtype, shape and bytes)."""
    if isinstance(value, np.ndarray):
        return ("ndarray", value.dtype.str, value.shape,
                value.tobytes() if value.dtype.kind != "O" else tuple(value.reshape(-1)))
    if isinstance(value, DType):
        return ("dtype", value.name)
    if isinstance(value, TensorShape):
        return ("shape", value.as_tuple())
    if isinstance(value, (list, tuple)):
        return tuple(attr_key(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, attr_key(v)) for k, v in value.items()))
    if isinstance(value, float) and value != value:
        return ("nan",)
    return (type(value).__name__, value)


def cse(lowered: Lowered) -> Lowered:
    seen: dict = {}

    def visit(op, inputs, controls, graph):
        if not op.opdef.pure or op.opdef.needs_context or op.subgraphs or \
                op.type in ("Placeholder", "PlaceholderWithDefault") or not op.outputs:
            return None
        key = (op.type, tuple(id(t) for t in inputs), attr_key(op.attrs),
               tuple(id(c) for c in controls))
        found = seen.get(key)
        if found is not None:
            return found
        new = graph.create_op(op.type, inputs, op.attrs, name=exact_or_unique(graph, op.name),
                              control_inputs=controls, site=op.site,
                              original=(op,))
        seen[key] = list(new.outputs)
        return list(new.outputs)

    return rebuild(lowered, visit)
