"""A plan: the pruned subgraph of one Session.run, lowered into its own Graph.

`lower` copies the nodes a Program needs into a fresh Graph (the user's graph is never
touched), turning every fed tensor into a Placeholder of the fed shape and dtype, so
re-running inference on the copies specialises every shape (a While node's loop
variables too, where its body keeps their shapes: loop_shapes.py). Copies keep their names
(the Session's variable store is keyed by variable name), attrs, creation sites, and
record the user's node as their origin. `rebuild` is the one sweep every pass uses.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

from graphc.ir.errors import InvalidArgumentError
from graphc.ir.graph import Graph, Operation, Tensor
from graphc.ir.shapes import TensorShape
from .loop_shapes import refined_var_shapes


@dataclass(frozen=True)
class Plan:
    graph: Graph
    feeds: tuple      # Placeholders of `graph`, one per fed value, in feed order
    fetches: tuple    # Tensors of `graph`, one per fetched tensor
    targets: tuple    # Operations of `graph` run for their effects


def exact_or_unique(graph: Graph, name: str) -> str:
    """`name` itself when free in `graph` (as create_op's exact form), else a unique one."""
    return name + "/" if name not in graph._by_name else name


def _copy(graph: Graph, op: Operation, inputs, controls, attrs=None) -> Operation:
    name = op.name + "/" if op.type == "VariableV2" else exact_or_unique(graph, op.name)
    try:
        return graph.create_op(op.type, inputs, op.attrs if attrs is None else attrs,
                               name=name, control_inputs=controls,
                               subgraphs=op.subgraphs, site=op.site, original=(op,))
    except (ValueError, TypeError) as exc:
        # Inference on the fed shapes failed: a run-time error, found before any kernel
        # runs. The message already names the op; the error adds the user's line once.
        message = str(exc).split("\n  File ")[0]
        raise InvalidArgumentError(None, op.user_op(), message) from None


def lower(program, feed_specs) -> Plan:
    """Copy `program` (over the user's graph) into a new Graph specialised to the feeds."""
    graph = Graph()
    graph.is_plan = True
    tensors: dict = {}
    ops: dict = {}
    feeds = []
    for t, (shape, dtype) in zip(program.feeds, feed_specs):
        name = t.op.name if t.op.type == "Placeholder" else f"{t.op.name}/fed_{t.value_index}"
        p = graph.create_op("Placeholder", (), {"dtype": dtype, "shape": TensorShape(shape)},
                            name=name + "/", site=t.op.site, original=(t.op,))
        tensors[t] = p.outputs[0]
        feeds.append(p.outputs[0])

    def var_ref(t: Tensor) -> Tensor:
        """A ref input's variable, copied on first use (pruning skips ref edges)."""
        if t not in tensors:
            ops[t.op] = new = _copy(graph, t.op, (), ())
            tensors[t] = new.outputs[0]
        return tensors[t]

    for op in program.nodes:
        refs = op.opdef.ref_inputs
        inputs = [var_ref(t) if i in refs else tensors[t] for i, t in enumerate(op.inputs)]
        controls = [ops[c] for c in op.control_inputs if c in ops]
        if op.type == "VariableV2" and op.outputs[0] in tensors:
            ops[op] = tensors[op.outputs[0]].op
            continue
        attrs = None
        if op.type == "While":  # results as specific as the fed shapes allow
            shapes = refined_var_shapes(op, inputs)
            attrs = None if shapes is None else dict(op.attrs, var_shapes=shapes)
        new = _copy(graph, op, inputs, controls, attrs)
        ops[op] = new
        for t, nt in zip(op.outputs, new.outputs):
            tensors.setdefault(t, nt)
    return Plan(graph, tuple(feeds), tuple(tensors[t] for t in program.fetches),
                tuple(ops[o] for o in program.targets))


Visit = Callable[[Operation, list, list, Graph], Optional[list]]


def rebuild(plan: Plan, visit: Optional[Visit] = None, keep: Optional[set] = None) -> Plan:
    """One topological sweep into a new Graph. `visit(op, inputs, controls, graph)` may
    return replacement tensors for op's outputs (already in the new graph), or None to
    copy op; `keep` restricts the copy to those ops (pruning)."""
    graph = Graph()
    graph.is_plan = True
    tensors: dict = {}
    ops: dict = {}
    for op in plan.graph.get_operations():
        if keep is not None and op not in keep:
            continue
        inputs = [tensors[t] for t in op.inputs]
        controls = [ops[c] for c in op.control_inputs if c in ops]
        replaced = visit(op, inputs, controls, graph) if visit is not None else None
        if replaced is not None:
            for t, nt in zip(op.outputs, replaced):
                tensors[t] = nt
            ops[op] = replaced[0].op if replaced else None
            continue
        new = _copy(graph, op, inputs, controls)
        ops[op] = new
        tensors.update(zip(op.outputs, new.outputs))
    return Plan(graph, tuple(tensors[t] for t in plan.feeds),
                tuple(tensors[t] for t in plan.fetches),
                tuple(ops[o] for o in plan.targets))
