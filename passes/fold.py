"""Constant folding through the ops' own numpy semantics (the one definition).

A pure op whose inputs are all known becomes a Const; so do Shape/Size/Rank of tensors
whose static shape the specialised plan knows (not the Shape/Size of a tensor with a
symbolic dim: that value exists only at run time). Impure ops (variables, assignments,
random numbers, placeholders) and ops needing run-time context never fold. A result
larger than MAX_FOLD_BYTES and than its inputs together stays an op, so folding never
bloats the graph (a tf.zeros([4096, 4096]) stays a Fill); a kernel that raises leaves the
op in place, so the run reports the error with the node and the user's line. A cond whose
predicate is known becomes the taken branch's ops.
"""
from __future__ import annotations

import numpy as np

from graphc.ir.ops._base import const_value
from graphc.ir.ops.control_flow_ops import ELSE, THEN
from graphc.ir.symbolic import has_symbolic
from .inline import inline_function
from .plan import Plan, exact_or_unique, rebuild

MAX_FOLD_BYTES = 1 << 16


def _foldable(op) -> bool:
    d = op.opdef
    return (d.pure and not d.needs_context and d.compute is not None and op.outputs
            and not op.subgraphs and op.type not in ("Const", "Placeholder",
                                                     "PlaceholderWithDefault"))


def fold_constants(plan: Plan) -> Plan:
    def visit(op, inputs, controls, graph):
        if op.type == "If" and not controls and const_value(inputs[0]) is not None:
            return _taken_branch(op, inputs, graph)
        if not _foldable(op) or controls:
            return None
        values = [const_value(t) for t in inputs]
        if any(v is None for v in values):
            if op.type in ("Shape", "Size", "Rank") and inputs[0].shape.is_fully_defined() \
                    and (op.type == "Rank" or not has_symbolic(inputs[0].shape.as_tuple())):
                return _shape_const(op, inputs[0].shape, graph)
            return None
        try:
            with np.errstate(all="ignore"):
                result = op.opdef.compute(*values, **op.attrs)
        except Exception:  # noqa: BLE001 - the run will report it properly
            return None
        results = result if len(op.outputs) > 1 else (result,)
        in_bytes = sum(np.asarray(v).nbytes for v in values)
        out = []
        for t, value in zip(op.outputs, results):
            value = np.asarray(value, dtype=t.dtype.np)
            if value.nbytes > max(MAX_FOLD_BYTES, in_bytes):
                return None
            out.append(value)
        return [_const(graph, op, i, v) for i, v in enumerate(out)]

    return rebuild(plan, visit)


def _taken_branch(op, inputs, graph) -> list:
    """A cond on a constant predicate is its branch, inlined (the other one never runs)."""
    key = THEN if bool(const_value(inputs[0])) else ELSE
    return inline_function(graph, op, key, [inputs[i] for i in op.attrs[key + "_inputs"]])


def _const(graph, op, index: int, value: np.ndarray):
    from graphc.ir import dtypes as dt
    return graph.create_op("Const", (), {"value": value, "dtype": dt.from_numpy(value)},
                           name=exact_or_unique(graph, op.name if index == 0 else
                                                f"{op.name}/output_{index}"),
                           site=op.site, original=(op,)).outputs[0]


def _shape_const(op, shape, graph):
    dims = shape.as_list()
    dtype = op.outputs[0].dtype.np
    if op.type == "Shape":
        value = np.asarray(dims, dtype)
    elif op.type == "Size":
        value = np.asarray(int(np.prod(dims)), dtype)
    else:
        value = np.asarray(len(dims), dtype)
    return [_const(graph, op, 0, value)]
