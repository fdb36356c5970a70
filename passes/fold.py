"""Constant folding through the ops' own numpy semantics (the one definition).

A pure op whose inputs are all known becomes a Const; so do Shape/Size/Rank of tensors
whose static shape the lowered graph knows (not the Shape/Size of a tensor with a
symbolic dim: that value exists only at run time). What may be evaluated, how, and how
large a result may be is the one constant evaluator's (`ir.evaluate`): impure ops
(variables, assignments, random numbers, placeholders) and ops needing run-time context
never fold, a result larger than its size policy stays an op (a tf.zeros([4096, 4096])
stays a Fill), and a kernel that raises leaves the op in place, so the run reports the
error with the node and the user's line. A cond whose predicate is known becomes the
taken branch's ops.
"""
from __future__ import annotations

import numpy as np

from graphc.ir import dtypes as dt
from graphc.ir.evaluate import SHAPE_OPS, evaluable, evaluate, shape_value
from graphc.ir.ops._base import const_value
from graphc.ir.ops.control_flow_ops import ELSE, THEN
from .inline import inline_function
from .lower import Lowered, exact_or_unique, rebuild


def fold_constants(lowered: Lowered) -> Lowered:
    def visit(op, inputs, controls, graph):
        if op.type == "If" and not controls and const_value(inputs[0]) is not None:
            return _taken_branch(op, inputs, graph)
        if controls or not evaluable(op):
            return None
        if op.type in SHAPE_OPS:
            value = shape_value(op.type, inputs[0].shape, op.outputs[0].dtype)
            if value is not None:
                return [_const(graph, op, 0, value)]
        values = [const_value(t) for t in inputs]
        if any(v is None for v in values):
            return None
        out = evaluate(op, values)
        return None if out is None else [_const(graph, op, i, v) for i, v in enumerate(out)]

    return rebuild(lowered, visit)


def _taken_branch(op, inputs, graph) -> list:
    """A cond on a constant predicate is its branch, inlined (the other one never runs)."""
    key = THEN if bool(const_value(inputs[0])) else ELSE
    return inline_function(graph, op, key, [inputs[i] for i in op.attrs[key + "_inputs"]])


def _const(graph, op, index: int, value: np.ndarray):
    return graph.create_op("Const", (), {"value": value, "dtype": dt.from_numpy(value)},
                           name=exact_or_unique(graph, op.name if index == 0 else
                                                f"{op.name}/output_{index}"),
                           site=op.site, original=(op,)).outputs[0]
