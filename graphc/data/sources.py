"""Iterators as sources of a plan: the Session pulls each top-level IteratorGetNext's
next element before the plan runs and feeds its outputs.

So a plan reading from an iterator is specialised to the element's concrete shapes like
a plan fed through feed_dict (the llvm backend compiles it natively; a short last batch
gets a plan of its own), and the element's arrays, made by the pipeline (ahead of time on
a prefetch thread), are handed to the plan as feeds: no copy when they are contiguous
and of the right dtype. A get_next whose handle is computed in the run, which has
control inputs, or which is itself a fetched op, runs as an ordinary kernel instead.
"""
from __future__ import annotations

from ..ir.graph import Operation, Tensor
from ..ir.ops.dataset_ops import get_next_values
from ..ir.runtime import NodeContext
from ..passes import build_program


class Source:
    __slots__ = ("op", "feed_index", "handle", "ctx")

    def __init__(self, op, feed_index, handle, ctx) -> None:
        self.op = op
        self.feed_index = feed_index  # the fed handle's position among the feeds, or -1
        self.handle = handle          # the handle's value when it is a constant
        self.ctx = ctx


def find_sources(elements, feed_tensors, state, functions) -> tuple:
    """The IteratorGetNext ops a run of `elements` (fetches) needs, in run order (their
    contexts over `state`, a one-shot iterator's functions run by `functions`)."""
    fetches = [e for e in elements if isinstance(e, Tensor)]
    targets = [e for e in elements if isinstance(e, Operation)]
    program = build_program(fetches, targets, feed_tensors)
    fed = {t: i for i, t in enumerate(feed_tensors)}
    sources = []
    for op in program.nodes:
        if op.type != "IteratorGetNext" or op.control_inputs or op in targets:
            continue
        h = op.inputs[0]
        if h.op.type == "Const" and h not in fed:
            sources.append(Source(op, -1, h.op.attrs["value"],
                                  NodeContext(op, state, functions=functions)))
        elif h in fed:
            sources.append(Source(op, fed[h], None,
                                  NodeContext(op, state, functions=functions)))
    return tuple(sources)


def pull(sources: tuple, feed_tensors: list, feed_values: list) -> tuple:
    """Feeds extended by the next element of every source."""
    tensors, values = list(feed_tensors), list(feed_values)
    for s in sources:
        handle = s.handle if s.feed_index < 0 else feed_values[s.feed_index]
        element = get_next_values(s.ctx, s.op, handle)
        tensors.extend(s.op.outputs)
        values.extend((element,) if len(s.op.outputs) == 1 else element)
    return tensors, values
