"""Control inputs sink off pure ops to the ops that need the order.

`with tf.control_dependencies(update_ops): train = opt.minimize(loss)` (the batch-norm
idiom) gives every gradient and optimizer op built inside it a control input on the
moving-average updates. A pure op computes the same values whenever it runs, so its
control inputs matter only through the ops that use it: they move to its consumers
(data and control), down to the ops whose timing matters (the variable updates, the
reads of a variable). Folding, CSE, simplification and fusion then see the pure ops as
they are without the context, and the optimizer's updates fuse (passes/fuse.py: a Fused
node runs after its members' control inputs).

An op keeps its control inputs when its values could depend on when it runs (it reads
an impure op's output other than a Placeholder's: a variable, an update's ref, a random
draw), when the run fetches it or runs it as a target (a fetch makes its control inputs
run), or when nothing consumes it.
"""
from __future__ import annotations

from graphc.ir.graph import DerivedGraph

from .lower import Lowered, copy_op

_FED = ("Placeholder", "PlaceholderWithDefault")


def sink_controls(lowered: Lowered) -> Lowered:
    ops = lowered.graph.get_operations()
    kept = {t.op for t in lowered.fetches} | set(lowered.targets)
    consumers: dict = {op: [] for op in ops}
    for op in ops:
        for u in dict.fromkeys([t.op for t in op.inputs] + list(op.control_inputs)):
            consumers[u].append(op)
    sunk: dict = {}      # op -> control inputs handed down to it by its producers
    controls: dict = {}  # op -> its control inputs after sinking
    changed = False
    for op in ops:
        data = {t.op for t in op.inputs}
        mine = [c for c in dict.fromkeys(list(op.control_inputs) + sunk.pop(op, []))
                if c not in data]
        if mine and _may_sink(op, kept, consumers):
            for u in consumers[op]:
                sunk.setdefault(u, []).extend(mine)
            mine = []
        changed |= mine != list(op.control_inputs)
        controls[op] = mine
    if not changed:
        return lowered
    graph = DerivedGraph()
    tensors: dict = {}
    new_ops: dict = {}
    for op in ops:
        new = copy_op(graph, op, [tensors[t] for t in op.inputs],
                      [new_ops[c] for c in controls[op]])
        new_ops[op] = new
        tensors.update(zip(op.outputs, new.outputs))
    return Lowered(graph, tuple(tensors[t] for t in lowered.feeds),
                   tuple(tensors[t] for t in lowered.fetches),
                   tuple(new_ops[o] for o in lowered.targets))


def _may_sink(op, kept, consumers) -> bool:
    d = op.opdef
    return d.pure and not d.needs_context and not op.subgraphs and bool(op.outputs) and \
        op not in kept and bool(consumers[op]) and all(
            t.op.opdef.pure or t.op.type in _FED for t in op.inputs)
