"""The Fused op: one node holding a subgraph of elementwise ops (the fusion pass makes them).

What a Fused node is, stated once (the fusion pass builds groups by these rules and the
backends ask them, instead of each keeping a copy):
- its body, as the fusion pass builds it, is a derived Graph: one Placeholder per input
  of the node (in input order), then its `members`, the ops copied with their sites and
  provenance, in order; `attrs["outputs"]` names the body tensors the node returns, as
  (op name, index) pairs. Frozen into a Plan (ir/plan.py; `freeze_body`, the OpDef's
  freeze_graphs), the body is a Plan of its own: `feeds` the parameters, `nodes` the
  members, `fetches` the results. `body_inputs`, `members` and `body_outputs` answer for
  either form, and the backends read only the frozen one;
- its members are elementwise ops, or BROADCAST_OPS (elementwise after broadcasting),
  whose inputs line up with their output as `input_layout` says;
- it may end in one of the TRAILING_REDUCTIONS (`trailing_reduction`), which then is its
  only output; its domain, the index space its loop nest runs over, is that reduction's
  input shape, else its outputs' shape;
- or it may hold UPDATES (an optimizer's `m = ...; v = ...; var -= ...`): Assign,
  AssignAdd and AssignSub of variables of the domain's shape, whose targets are
  VariableV2 copies inside the body (`updates`, `variables_written`). Such a node writes
  state: it runs where the first of them would (writers after readers), and each
  update's output is the variable's new value, as TF1's.
Backends run the body: the numpy interpreter inlines it into its schedule, the llvm
backend emits one loop nest for it. Fusion runs on plans, after autodiff, so the node has
no gradient.
"""
from __future__ import annotations

from typing import Optional

from ..graph import Graph, Operation, Tensor
from ..plan import Plan
from ..registry import NON_DIFFERENTIABLE
from ._base import defop

BODY = "body"

# Ops that are elementwise after broadcasting although their OpDef is not flagged so.
BROADCAST_OPS = frozenset({"BiasAdd"})
# Reductions that may end a group: the values they reduce are computed on the fly.
TRAILING_REDUCTIONS = frozenset({"Sum", "Mean", "Max", "Min", "Prod"})
# Writes of a variable that may end a group's chains: elementwise once the target is read.
UPDATES = frozenset({"Assign", "AssignAdd", "AssignSub"})


def _body(op) -> tuple:
    """(parameters, members, results) of a Fused node's body, in either form."""
    body = op.subgraphs[BODY]
    if isinstance(body, Plan):
        return body.feeds, body.nodes, body.fetches
    ops = body.get_operations()
    return (tuple([o.outputs[0] for o in ops if o.type == "Placeholder"]),
            tuple([o for o in ops if o.type != "Placeholder"]),
            tuple([body.get_operation_by_name(name).outputs[i]
                   for name, i in op.attrs["outputs"]]))


def body_inputs(op) -> tuple:
    """The body's parameters, one per input of the Fused node."""
    return _body(op)[0]


def members(op) -> tuple:
    """The ops a Fused node computes, in order (its body without the parameters)."""
    return _body(op)[1]


def body_outputs(op) -> tuple:
    """The body values the Fused node returns, one per output."""
    return _body(op)[2]


def freeze_body(op: Operation) -> dict:
    """The Fused node's held graphs as its frozen Plan node holds them: {BODY: the body's
    Plan} (OpDef.freeze_graphs)."""
    params, ops, results = _body(op)
    return {BODY: Plan.freeze(ops, params, results, ())}


def trailing_reduction(op) -> Optional[Operation]:
    """The reduction a Fused node ends in (computing its reduced values on the fly), or None."""
    last = members(op)[-1]
    return last if last.type in TRAILING_REDUCTIONS else None


def updates(op) -> tuple:
    """The variable writes a Fused node's body holds (UPDATES), in order; () for others."""
    if op.type != "Fused":
        return ()
    return tuple(m for m in members(op) if m.type in UPDATES)


def variables_written(op) -> tuple:
    """Names of the variables `op` writes: its ref inputs' (an Assign's, a scatter's), or
    those its Fused body's updates write."""
    if op.type == "Fused":
        return tuple(m.inputs[0].op.name for m in updates(op))
    if not op.opdef.writes_state:
        return ()
    return tuple(op.inputs[i].op.name for i in op.opdef.ref_inputs)


def replay(member, args: list, read_variable):
    """`member`'s value on `args` by its numpy kernel, or, for a body's VariableV2 and
    updates, the value they stand for without touching state (`read_variable(name)`
    gives a variable's value): what error reports and numerics checks replay."""
    if member.type == "VariableV2":
        return read_variable(member.name)
    if member.type in UPDATES:
        ref, value = args
        return value if member.type == "Assign" else \
            ref + value if member.type == "AssignAdd" else ref - value
    return member.opdef.compute(*args, **member.attrs)


def input_layout(member: Operation, index: int, rank: int) -> tuple:
    """How input `index` of a body op lines up with its output of rank `rank`: its shape,
    broadcast numpy's way, except BiasAdd's NC* bias (the channel axis is 1) and Select's
    vector condition (one value per row)."""
    shape = tuple(member.inputs[index].shape.as_tuple())
    if member.type == "BiasAdd" and index == 1 and \
            member.attrs.get("data_format", "NHWC")[:2] == "NC":
        return (1, shape[0]) + (1,) * (rank - 2)
    if member.type == "Select" and index == 0 and len(shape) == 1 and rank > 1:
        return shape + (1,) * (rank - 1)
    return shape


def _infer(op: Operation):
    if BODY not in op.subgraphs:
        raise ValueError("a Fused op needs a 'body' subgraph")
    params = body_inputs(op)
    if len(params) != len(op.inputs):
        raise ValueError(f"the body has {len(params)} inputs, the node {len(op.inputs)}")
    for p, t in zip(params, op.inputs):
        if p.dtype is not t.dtype or not p.shape.is_compatible_with(t.shape):
            raise TypeError(f"body input {p.op.name} is {p.dtype.name}{p.shape}, but the node's "
                            f"input {t.name} is {t.dtype.name}{t.shape}")
    return [(t.dtype, t.shape) for t in body_outputs(op)]


defop("Fused", _infer, compute=None, vjp=NON_DIFFERENTIABLE, family="fused",
      freeze_graphs=freeze_body, doc="A fused group of elementwise ops; see the fusion pass.")


def make_fused(graph: Graph, name: str, inputs: list, body: Graph, outputs: list[Tensor],
               site=None, original: tuple = (), control_inputs=()) -> Operation:
    """Append a Fused node running `body` on `inputs`, returning the body tensors `outputs`
    (after `control_inputs`)."""
    return graph.create_op(
        "Fused", inputs, {"outputs": tuple((t.op.name, t.value_index) for t in outputs)},
        name=name, subgraphs={BODY: body}, site=site, original=original,
        control_inputs=control_inputs)
