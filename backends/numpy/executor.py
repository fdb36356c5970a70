"""Compile a Plan (ir/plan.py) into a flat schedule of (kernel, input slots, output slots).

Built once per plan, run many times: a run copies the slot template (constants already
in place), writes the feeds, and walks the step list. No recursion, no dict lookups by
name, no per-run inspection of the graph.

Variables are read where each consumer runs (a read step placed right before it), so a
consumer ordered after an assignment by a control dependency sees the new value, and
everything else sees the value from before any write (writes replace, never mutate).

An op whose kernel runs in two halves (OpDef.start/finish: an allreduce) is two steps: the
start where the op stands, which leaves its pending value in a slot, and the finish right
before the first step that reads one of its results (or at the end), so the steps between
run while its transfer is under way.
"""
from __future__ import annotations

import functools
import time
from typing import Optional, Sequence

import numpy as np

from graphc.ir.errors import InvalidArgumentError, OpError
from graphc.ir.ops.fused_ops import body_inputs, body_outputs, members as fused_members, \
    variables_written
from graphc.ir.runtime import GraphRunner, NodeContext, RuntimeState, check_output_sizes, \
    uninitialized_error

_NO_OUT, _ONE_OUT, _MANY_OUT, _START = 0, 1, 2, 3   # _START: a split op's first half


class NumpyExecutable:
    """A compiled plan for the numpy backend. Thread-safe: runs share nothing mutable."""

    backend = "numpy"

    def __init__(self, steps, template, feed_slots, fetch_slots, const_ids, state,
                 read_only_vars, plan, validate: bool, fused_of=None) -> None:
        self._steps = steps
        self._template = template
        self._feed_slots = feed_slots
        self._fetch_slots = fetch_slots
        self._const_ids = const_ids
        self._store = state.variables
        self._read_only_vars = read_only_vars
        self.plan = plan
        self._validate = validate
        self._fused_of = fused_of or {}  # an op of a Fused body -> its Fused node

    def run(self, feed_values: Sequence[np.ndarray], outs=None) -> list:
        """The fetched values (`outs`, arrays to write fetches into, is a hint the
        interpreter does not take: its kernels return arrays of their own)."""
        slots = self._start(feed_values)
        node = None
        try:
            with np.errstate(all="ignore"):
                for fn, ins, outs, kind, node in self._steps:
                    r = fn(*[slots[i] for i in ins])
                    if kind == _ONE_OUT:
                        slots[outs] = r
                    elif kind == _MANY_OUT:
                        for o, v in zip(outs, r):
                            slots[o] = v
                    elif kind == _START:
                        slots[outs] = r
                        continue
                    if self._validate:
                        _validate_outputs(node, r, kind)
        except (OpError, ValueError, TypeError, IndexError, ArithmeticError,
                MemoryError) as exc:
            _reraise(exc, node)
        return [self._fresh(slots[s], feed_values) for s in self._fetch_slots]

    def run_observed(self, feed_values: Sequence[np.ndarray], observer) -> list:
        """`run`, calling `observer(op, start_ns, end_ns, inputs, outputs, fused)` after
        every interpreted op (`fused`: the Fused node it belongs to, or None): what
        tracing and the numerics checks of graphc/run_metadata.py watch."""
        slots = self._start(feed_values)
        node = None
        clock = time.perf_counter_ns
        try:
            with np.errstate(all="ignore"):
                for fn, ins, outs, kind, node in self._steps:
                    args = [slots[i] for i in ins]
                    start = clock()
                    r = fn(*args)
                    end = clock()
                    if kind == _START:  # (the finish step reports the op)
                        slots[outs] = r
                        continue
                    if self._validate:
                        _validate_outputs(node, r, kind)
                    values = [r] if kind == _ONE_OUT else list(r) if kind == _MANY_OUT else []
                    for o, v in zip([outs] if kind == _ONE_OUT else outs or (), values):
                        slots[o] = v
                    observer(node, start, end, args, values, self._fused_of.get(node))
        except (OpError, ValueError, TypeError, IndexError, ArithmeticError,
                MemoryError) as exc:
            _reraise(exc, node)
        return [self._fresh(slots[s], feed_values) for s in self._fetch_slots]

    def _start(self, feed_values) -> list:
        """A run's slots: the template with the feeds written in."""
        if self._read_only_vars:
            self._check_initialized()
        slots = self._template[:]
        for s, v in zip(self._feed_slots, feed_values):
            slots[s] = v
        return slots

    def _fresh(self, value, feed_values):
        """Results are the user's own arrays: copy anything that aliases graph state."""
        if not isinstance(value, np.ndarray):
            return value
        root = value
        while isinstance(root.base, np.ndarray):
            root = root.base
        rid = id(root)
        if rid in self._const_ids or self._store.is_persistent(root) or any(
                rid == id(f) for f in feed_values):
            value = value.copy()
        return value

    def _check_initialized(self) -> None:
        store = self._store
        missing = [op for op in self._read_only_vars if op.name not in store]
        if missing:
            raise uninitialized_error(missing)


def _reraise(exc: Exception, node) -> None:
    """Raise `exc`, a kernel's error, as TF1's error naming `node` and the user's line."""
    if node is None or isinstance(exc, OpError) and exc.op is not None:
        raise exc
    if isinstance(exc, OpError):
        raise type(exc)(exc.node_def, node.user_op(), exc.message) from None
    raise InvalidArgumentError(
        None, node.user_op(), f"{type(exc).__name__} while executing {node.type} op "
        f"'{node.name}': {exc}") from exc


def _validate_outputs(node, result, kind) -> None:
    values = (result,) if kind == _ONE_OUT else tuple(result) if kind == _MANY_OUT else ()
    for t, v in zip(node.outputs, values):
        if not isinstance(v, np.ndarray):
            raise AssertionError(f"{node.type} kernel returned {type(v).__name__}, not an "
                                 f"ndarray, for {t.name}")
        expect = t.dtype.np
        if v.dtype != expect and not (t.dtype.is_string and v.dtype.kind in "OSU"):
            raise AssertionError(f"{node.type} kernel returned dtype {v.dtype} for {t.name}, "
                                 f"inferred {t.dtype.name}")
        if not t.shape.is_compatible_with(v.shape):
            raise AssertionError(f"{node.type} kernel returned shape {v.shape} for {t.name}, "
                                 f"inferred {t.shape}")


def compile_plan(plan, state: RuntimeState, validate: bool = False,
                 functions: Optional[GraphRunner] = None) -> NumpyExecutable:
    """`plan` as a schedule over `state`; `functions` runs the graphs its If, While and
    dataset nodes hold (their kernels get it through their NodeContext)."""
    slot_of: dict = {}
    template: list = []

    def new_slot(value=None) -> int:
        template.append(value)
        return len(template) - 1

    feed_slots = []
    for t in plan.feeds:
        s = new_slot()
        slot_of[t] = s
        feed_slots.append(s)

    steps = []
    const_ids = set()
    var_ctx: dict = {}  # VariableV2 output tensor -> bound read kernel
    fused_of: dict = {}
    written_vars = set()
    read_vars: dict = {}

    for op in plan.nodes:
        written_vars.update(variables_written(op))

    def read_step(t) -> int:
        """A fresh slot holding the variable's value at this point of the run."""
        s = new_slot()
        steps.append((var_ctx[t], (), s, _ONE_OUT, t.op))
        return s

    def value_slot(t) -> int:
        return read_step(t) if t in var_ctx and t not in slot_of else slot_of[t]

    pending: dict = {}  # a split op started and not yet finished -> (handle slot, outs)

    def finish(split) -> None:
        handle, outs = pending.pop(split)
        kind = _NO_OUT if not outs else _ONE_OUT if len(outs) == 1 else _MANY_OUT
        steps.append((split.opdef.finish, (handle,), outs[0] if kind == _ONE_OUT else
                      tuple(outs) or None, kind, split))

    def finish_read_by(op) -> None:
        """Finish the split ops whose results (or completion) `op` waits for."""
        waits = {t.op for t in op.inputs}.union(op.control_inputs)
        for split in [s for s in pending if s in waits]:
            finish(split)

    def emit(op) -> None:
        opdef = op.opdef
        if pending:
            finish_read_by(op)
        if op.type == "Const" and op.outputs[0] not in slot_of:
            value = op.attrs["value"]
            slot_of[op.outputs[0]] = new_slot(value)
            const_ids.add(id(value))
            return
        if op.type == "VariableV2":
            ctx = NodeContext(op, state, variable=op.name)
            var_ctx[op.outputs[0]] = functools.partial(opdef.compute, ctx, **op.attrs)
            if op.name not in written_vars:
                read_vars[op] = None
            return
        if op.type == "Fused":  # inline the body: its ops run as ordinary steps
            for p, t in zip(body_inputs(op), op.inputs):
                slot_of[p] = value_slot(t)
            for inner in fused_members(op):
                fused_of[inner] = op
                emit(inner)
            for t, inner in zip(op.outputs, body_outputs(op)):
                slot_of[t] = slot_of[inner]
            return
        ins = []
        for i, t in enumerate(op.inputs):
            if i in opdef.ref_inputs:
                ins.append(new_slot())  # the target is named by the context, not read
            else:
                ins.append(value_slot(t))
        if opdef.compute is None:
            raise NotImplementedError(f"{op.type} has no numpy semantics")
        check_output_sizes(op)  # refuse outputs larger than memory before running any
        kwargs = dict(op.attrs)
        if opdef.needs_context:
            variable = op.inputs[0].op.name if opdef.ref_inputs else None
            fn = functools.partial(opdef.compute, NodeContext(op, state, variable, functions),
                                   **kwargs)
        else:
            fn = functools.partial(opdef.compute, **kwargs) if kwargs else opdef.compute
        outs = []
        for t in op.outputs:
            if t in slot_of:  # fed: the kernel's value for it is discarded
                outs.append(new_slot())
            else:
                slot_of[t] = new_slot()
                outs.append(slot_of[t])
        if opdef.start is not None:
            handle = new_slot()
            start = functools.partial(opdef.start, **kwargs) if kwargs else opdef.start
            steps.append((start, tuple(ins), handle, _START, op))
            pending[op] = (handle, outs)
        elif not outs:
            steps.append((fn, tuple(ins), None, _NO_OUT, op))
        elif len(outs) == 1:
            steps.append((fn, tuple(ins), outs[0], _ONE_OUT, op))
        else:
            steps.append((fn, tuple(ins), tuple(outs), _MANY_OUT, op))

    for op in plan.nodes:
        emit(op)
    for split in list(pending):
        finish(split)

    fetch_slots = []
    early_reads = []
    for t in plan.fetches:
        if t not in slot_of and t in var_ctx:
            s = new_slot()
            early_reads.append((var_ctx[t], (), s, _ONE_OUT, t.op))
            slot_of[t] = s
        fetch_slots.append(slot_of[t])
    steps = early_reads + steps
    return NumpyExecutable(tuple(steps), template, tuple(feed_slots), tuple(fetch_slots),
                           frozenset(const_ids), state, tuple(read_vars), plan, validate,
                           fused_of)
