"""Inlining a graph a node holds into the graph around it (a cond whose predicate is a
constant becomes its branch)."""
from __future__ import annotations

from graphc.ir.graph import Graph, Operation
from graphc.ir.ops.control_flow_ops import fn_outputs, fn_params
from .plan import exact_or_unique


def inline_function(graph: Graph, op: Operation, key: str, args: list) -> list:
    """Copy `op.subgraphs[key]` into `graph`, its parameters bound to `args` (tensors of
    `graph`); returns the tensors standing for the function's outputs."""
    tensors = dict(zip(fn_params(op, key), args))
    ops: dict = {}
    for inner in op.subgraphs[key].get_operations():
        if inner.type == "Placeholder":
            continue
        if inner.type == "VariableV2":  # the same variable: one node per name in a graph
            existing = graph._by_name.get(inner.name)
            new = existing if existing is not None and existing.type == "VariableV2" else \
                graph.create_op("VariableV2", (), inner.attrs, name=inner.name + "/",
                                site=inner.site, original=(inner,))
        else:
            new = graph.create_op(inner.type, [tensors[t] for t in inner.inputs], inner.attrs,
                                  name=exact_or_unique(graph, inner.name),
                                  control_inputs=[ops[c] for c in inner.control_inputs
                                                  if c in ops],
                                  subgraphs=inner.subgraphs, site=inner.site,
                                  original=(inner,))
        ops[inner] = new
        tensors.update(zip(inner.outputs, new.outputs))
    return [tensors[t] for t in fn_outputs(op, key)]
