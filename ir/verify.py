"""The verifier: re-derive every node's facts and check the graph's invariants.

Run between passes in tests and debug mode (torch.fx `Graph.lint`, autodidax
`typecheck_jaxpr`). Checks: unique names, inputs and control inputs from the same graph
and defined before use (so no cycles), ref inputs naming variables, and every node's
outputs agreeing with what its OpDef infers now (dtype equal, shape compatible).
"""
from __future__ import annotations

from .graph import Graph


class VerificationError(AssertionError):
    """The graph breaks an IR invariant; the message lists every problem found."""


def verify(graph: Graph, raise_on_error: bool = True) -> list[str]:
    problems: list[str] = []
    seen_names: set = set()
    position = {}
    for i, op in enumerate(graph.get_operations()):
        position[op] = i
    for op in graph.get_operations():
        where = f"{op.type} op '{op.name}'"
        if op.name in seen_names:
            problems.append(f"{where}: duplicate name")
        seen_names.add(op.name)
        if op.graph is not graph:
            problems.append(f"{where}: belongs to another graph")
        for i, t in enumerate(op.inputs):
            if t.op not in position:
                problems.append(f"{where}: input {i} '{t.name}' is not in this graph")
            elif position[t.op] >= position[op]:
                problems.append(f"{where}: input {i} '{t.name}' is defined after its use")
            if t.value_index >= len(t.op.outputs) or t.op.outputs[t.value_index] is not t:
                problems.append(f"{where}: input {i} '{t.name}' is not an output of its op")
        for c in op.control_inputs:
            if c not in position:
                problems.append(f"{where}: control input '{c.name}' is not in this graph")
            elif position[c] >= position[op]:
                problems.append(f"{where}: control input '{c.name}' is defined after its use")
        for i in op.opdef.ref_inputs:
            if i < len(op.inputs) and op.inputs[i].op.type != "VariableV2":
                problems.append(f"{where}: ref input {i} is not a variable")
        try:
            inferred = op.opdef.infer(op)
        except (TypeError, ValueError) as exc:
            problems.append(f"{where}: inference fails on the graph as it is: {exc}")
            continue
        if len(inferred) != len(op.outputs):
            problems.append(f"{where}: has {len(op.outputs)} outputs, inference gives "
                            f"{len(inferred)}")
            continue
        for t, (dtype, shape) in zip(op.outputs, inferred):
            if t.dtype is not dtype:
                problems.append(f"{where}: output {t.name} is {t.dtype.name}, inference gives "
                                f"{dtype.name}")
            if not t.shape.is_compatible_with(shape):
                problems.append(f"{where}: output {t.name} has shape {t.shape}, inference "
                                f"gives {shape}")
        for name, sub in op.subgraphs.items():
            problems.extend(f"{where} / {name}: {p}" for p in verify(sub, False))
    if problems and raise_on_error:
        raise VerificationError("graph verification failed:\n  " + "\n  ".join(problems))
    return problems


def to_networkx(graph: Graph):
    """A networkx DiGraph of ops (data edges and control edges), for analysis and export."""
    import networkx as nx
    g = nx.DiGraph()
    for op in graph.get_operations():
        g.add_node(op.name, type=op.type)
        for t in op.inputs:
            g.add_edge(t.op.name, op.name, kind="data", tensor=t.name)
        for c in op.control_inputs:
            g.add_edge(c.name, op.name, kind="control")
    return g
