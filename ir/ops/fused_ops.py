"""The Fused op: one node holding a subgraph of elementwise ops (the fusion pass makes them).

The body is an ordinary plan Graph: one Placeholder per input of the Fused node (in input
order), the member ops copied with their sites and provenance, and `attrs["outputs"]`
naming the body tensors the node returns, as (op name, output index) pairs. Backends run
the body: the numpy interpreter inlines it into its schedule, the llvm backend emits one
loop nest for it. Fusion runs on plans, after autodiff, so the node has no gradient.
"""
from __future__ import annotations

from graphc.ir.graph import Graph, Operation, Tensor
from graphc.ir.registry import NON_DIFFERENTIABLE
from ._base import defop

BODY = "body"


def body_inputs(op: Operation) -> list:
    """The body's Placeholder tensors, one per input of the Fused node."""
    return [o.outputs[0] for o in op.subgraphs[BODY].get_operations()
            if o.type == "Placeholder"]


def body_outputs(op: Operation) -> list:
    body = op.subgraphs[BODY]
    return [body.get_operation_by_name(name).outputs[i] for name, i in op.attrs["outputs"]]


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
      doc="A fused group of elementwise ops; see the fusion pass.")


def make_fused(graph: Graph, name: str, inputs: list, body: Graph, outputs: list[Tensor],
               site=None, original: tuple = ()) -> Operation:
    """Append a Fused node running `body` on `inputs`, returning the body tensors `outputs`."""
    return graph.create_op(
        "Fused", inputs, {"outputs": tuple((t.op.name, t.value_index) for t in outputs)},
        name=name, subgraphs={BODY: body}, site=site, original=original)
