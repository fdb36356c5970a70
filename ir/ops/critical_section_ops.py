"""CriticalSectionExecute: TF's `CriticalSection.execute`, a node holding one graph
(`body`, described by the body_params / body_inputs / body_outputs attrs of
ir/ops/control_flow_ops.py) that it runs holding its critical section's lock.

The lock is a Session resource named by the `section` attr, so runs of one Session
(threads calling Session.run at once) execute the bodies of one section one at a time;
the node's inputs are read before the lock is taken and its outputs are the body's
results. Not differentiable (TF's gradients through execute are not built here).
"""
from __future__ import annotations

import threading

from ..graph import Graph, Operation
from ._base import NON_DIFFERENTIABLE, defop
from .control_flow_ops import BODY, fn_attrs, fn_outputs, fn_params

__all__ = ["critical_section_node"]


def _infer(op: Operation):
    if BODY not in op.subgraphs:
        raise ValueError("a CriticalSectionExecute op needs a 'body' graph")
    for p, i in zip(fn_params(op, BODY), op.attrs[BODY + "_inputs"]):
        a = op.inputs[i]
        if p.dtype is not a.dtype:
            raise TypeError(f"the body's parameter {p.op.name} is {p.dtype.name}, but is "
                            f"passed {a.name} of dtype {a.dtype.name}")
    return [(t.dtype, t.shape) for t in fn_outputs(op, BODY)]


def _compute(ctx, *args, **attrs):
    lock = ctx.resource("critical_section:" + attrs["section"], threading.Lock)
    with lock:
        outs = ctx.run_function(BODY, [args[i] for i in attrs[BODY + "_inputs"]])
    if not outs:
        return None
    return outs[0] if len(outs) == 1 else tuple(outs)


defop("CriticalSectionExecute", _infer, _compute, NON_DIFFERENTIABLE, pure=False,
      needs_context=True, family="control",
      doc="Runs a graph holding a Session-wide lock (tf.CriticalSection.execute).")


def critical_section_node(graph: Graph, name: str, section: str, body) -> Operation:
    """Append a node running `body` (a FuncGraph of captures only, its `outputs` set)
    under the lock of critical section `section`."""
    if body.n_params:
        raise AssertionError("a critical section's body takes captures only")
    args = list(body.captured_values())
    attrs = {"section": section}
    attrs.update(fn_attrs(BODY, body, body.inputs, list(range(len(args))), body.outputs))
    return graph.create_op("CriticalSectionExecute", args, attrs, name=name,
                           subgraphs={BODY: body})
