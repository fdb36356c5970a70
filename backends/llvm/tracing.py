"""Observed runs of the llvm backend: a plan compiled with one native segment per step
(`step_segments`), so that after each native call the step's results are whole in their
buffers and Python can look at them before a later step reuses the arena (`walk`).

This is what run tracing (RunOptions(trace_level=FULL_TRACE)) and the numerics checks
(GRAPHC_CHECK_NUMERICS=1) run; the plan of an ordinary run keeps its maximal segments and
pays nothing for either.
"""
from __future__ import annotations

import time

import numpy as np


def step_segments(native: list, schedule: list) -> tuple:
    """`(segments, schedule)` of lowering.segments with every segment split into one
    segment per step, in the same order."""
    found, split = [], []
    for kind, item in schedule:
        if kind != "native":
            split.append((kind, item))
            continue
        for step in native[item]:
            found.append([step])
            split.append(("native", len(found) - 1))
    return found, split


def walk(exe, observer, ws, feeds, outs, py, pending: dict) -> None:
    """Run `exe`'s schedule, calling `observer(op, start_ns, end_ns, inputs, outputs,
    None)` after every step. `inputs` are the step's operands as it saw them (copied
    first where the step writes over them) when `observer.wants_inputs`, else None."""
    buffers = exe._lowering.buffer_plan.buffers
    steps = iter([s for s in exe._lowering.steps if s.native and s.emit is not None])
    clock = time.perf_counter_ns
    wants_inputs = getattr(observer, "wants_inputs", False)

    def value(t):
        buf = buffers.get(t)
        if buf is None or buf.kind == "var" and buf.var not in exe._store:
            return None  # not held, or a variable this run initializes (set at its end)
        return exe._array(ws, buf, feeds, outs, py, t)

    def values(tensors) -> list:
        return [value(t) for t in tensors]

    started: dict = {}  # a split op -> its inputs, from its start to its finish step
    for kind, item in exe._schedule:
        if kind == "native":
            step = next(steps)
            op = step.op
            inputs = _inputs_before(op, values) if wants_inputs else None
            start = clock()
            status = item(ws.table_address, ws.arena_address)
            end = clock()
            if status:
                exe._explain_failure(ws, exe._error_sites[status - 1], feeds, outs, py)
        else:
            op = item.op
            if item.phase == "start":  # (its finish reports the op, with these inputs)
                started[op] = _inputs_before(op, values) if wants_inputs else None
                exe._fallback(ws, item, feeds, outs, py)
                continue
            inputs = started.pop(op) if item.phase == "finish" else \
                _inputs_before(op, values) if wants_inputs else None
            start = clock()
            exe._fallback(ws, item, feeds, outs, py)
            end = clock()
            if exe._store.version != ws.var_version:
                pending.update(exe._bind_variables(ws))
        observer(op, start, end, inputs, values(op.outputs), None)


def _inputs_before(op, values) -> list:
    """The op's input values before it runs: a copy of any that shares memory with an
    output of the op (an in-place kernel writes over it)."""
    written = [v for v in values(op.outputs) if isinstance(v, np.ndarray)]
    result = []
    for v in values(op.inputs):
        if isinstance(v, np.ndarray) and any(np.may_share_memory(v, w) for w in written):
            v = v.copy()
        result.append(v)
    return result
