"""Pruning to what the fetches need, and the order a run's ops run in.

`build_program` walks back from the fetched tensors and target ops through data inputs
and control inputs, stopping at fed tensors, and returns the needed nodes in a
run order that respects every dependency and, among the rest, runs each reader of a
variable before any write to it (state writes, and Fused nodes holding updates, are
scheduled as late as dependencies allow). Ref inputs (the target of an Assign) name state and are not dependencies on the
variable's value.
"""
from __future__ import annotations

import heapq
from dataclasses import dataclass, field

from graphc.ir.errors import InvalidArgumentError
from graphc.ir.graph import Operation, Tensor
from graphc.ir.ops.fused_ops import updates


@dataclass(frozen=True)
class Program:
    """The ops a run needs, in the order they run, and its signature: what lowering
    copies (passes/lower.py) and what the Plan is frozen in (ir/plan.py)."""

    nodes: tuple            # Operations in run order
    feeds: tuple            # fed Tensors, in the order their values are passed
    fetches: tuple          # fetched Tensors
    targets: tuple          # Operations run for their effects
    info: dict = field(default_factory=dict, compare=False)


def build_program(fetches, targets, feeds) -> Program:
    fed = set(feeds)
    needed: dict[Operation, None] = {}
    stack: list[Operation] = []

    def need_tensor(t: Tensor) -> None:
        if t not in fed and t.op not in needed:
            needed[t.op] = None
            stack.append(t.op)

    for t in fetches:
        need_tensor(t)
    for op in targets:
        if op not in needed:
            needed[op] = None
            stack.append(op)
    while stack:
        op = stack.pop()
        refs = op.opdef.ref_inputs
        for i, t in enumerate(op.inputs):
            if i in refs:
                continue
            need_tensor(t)
        for c in op.control_inputs:
            if c not in needed:
                needed[c] = None
                stack.append(c)

    for op in needed:
        if op.type == "Placeholder" and not any(t in fed for t in op.outputs):
            raise _unfed_placeholder(op)

    return Program(tuple(_schedule(needed)), tuple(feeds), tuple(fetches), tuple(targets))


def _unfed_placeholder(op: Operation) -> InvalidArgumentError:
    shape = op.attrs["shape"]
    dims = "<unknown>" if shape.ndims is None else "[" + ",".join(
        "?" if d is None else str(d) for d in shape.as_tuple()) + "]"
    return InvalidArgumentError(
        None, op, f"You must feed a value for placeholder tensor '{op.name}' with dtype "
        f"{op.attrs['dtype'].name} and shape {dims}")


def _schedule(needed: dict) -> list[Operation]:
    """Kahn's algorithm; ready non-writers first, then writers, ties by creation order,
    except that an op whose kernel starts and finishes apart (OpDef.start: a gradient
    bucket's allreduce) runs as soon as it is ready, so that its transfer overlaps the
    ops that follow it."""
    users: dict[Operation, list[Operation]] = {op: [] for op in needed}
    indegree: dict[Operation, int] = {}
    for op in needed:
        deps = set()
        refs = op.opdef.ref_inputs
        for i, t in enumerate(op.inputs):
            if i not in refs and t.op in needed:
                deps.add(t.op)
        for c in op.control_inputs:
            if c in needed:
                deps.add(c)
        indegree[op] = len(deps)
        for d in deps:
            users[d].append(op)
    heap = [_priority(op) for op, n in indegree.items() if n == 0]
    heapq.heapify(heap)
    order = []
    while heap:
        op = heapq.heappop(heap)[-1]
        order.append(op)
        for u in users[op]:
            indegree[u] -= 1
            if indegree[u] == 0:
                heapq.heappush(heap, _priority(u))
    if len(order) != len(needed):
        raise ValueError("The graph has a cycle among the ops needed for this run")
    return order


def _priority(op: Operation) -> tuple:
    opdef = op.opdef
    writes = opdef.writes_state or op.type == "Fused" and bool(updates(op))
    return (opdef.start is None, writes, op.id, op)
