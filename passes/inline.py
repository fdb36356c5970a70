"""Inlining a graph a node holds into the graph around it (a cond whose predicate is a
constant becomes its branch)."""
from __future__ import annotations

from graphc.ir.func_graph import copy_function
from graphc.ir.graph import Graph, Operation
from graphc.ir.ops.control_flow_ops import fn_outputs, fn_params


def inline_function(graph: Graph, op: Operation, key: str, args: list) -> list:
    """Copy `op.subgraphs[key]` into `graph`, its parameters bound to `args` (tensors of
    `graph`); returns the tensors standing for the function's outputs."""
    tensors = dict(zip(fn_params(op, key), args))
    copy_function(graph, op.subgraphs[key], tensors)
    return [tensors[t] for t in fn_outputs(op, key)]
