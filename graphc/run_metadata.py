"""Instrumented runs: what `Session.run(..., options=, run_metadata=)` fills in, and the
numerics checks (GRAPHC_CHECK_NUMERICS=1, `ConfigProto(check_numerics=True)`).

An ordinary run calls the plan's executable and nothing here. A traced or checked run
calls `run_observed` of an executable that reports every op as it finishes: the numpy
interpreter's own, or for llvm a second compile of the same Plan with one
native segment per step (backends/llvm/tracing.py), made on the first such run and kept
with the plan.

Step stats follow TF1's: one DeviceStepStats for the CPU holding a NodeExecStats per op
of the plan (a Fused kernel is one op, labelled with the ops it holds; ops that run no
code of their own, such as constants, variables, fed placeholders and views, start and
end at the run's start), and a second DeviceStepStats, `<cpu>/fused`, with the member ops
of the fused kernels over their kernel's span (on numpy each member's own time).
The ops of loop and cond bodies (While, If) are listed with the plan's ops, one
NodeExecStats per execution (an op of a loop body once per iteration, as TF1's frames
list it), within the span of the While or If op that ran them; the numerics checks look
at each of them as it finishes.
`RunMetadata.partition_graphs` gets the run's Plan (its optimized nodes) as a GraphDef.
"""
from __future__ import annotations

import threading
import time

import numpy as np

from . import protos
from .compile import compile_variant
from .ir.ops.fused_ops import body_inputs, members as _members
from .numerics_check import NumericsCheck, check_feeds
from .protos.run_metadata import NodeExecStats, RunOptions, StepStats

DEVICE = "/job:localhost/replica:0/task:0/device:CPU:0"
FUSED_DEVICE = DEVICE + "/fused"
_COMPILE_LOCK = threading.Lock()


def run(session, plan, feed_tensors, feed_values, options, run_metadata) -> list:
    """The results of one run of `plan` (session.py's _CompiledPlan) with `feed_values` in the
    plan's feed order, tracing into `run_metadata` and checking numerics as asked.
    `options` may also be graphc.profiler's KernelProfiling (Session.profile)."""
    run_plan = getattr(options, "run_plan", None)
    if run_plan is not None:
        return run_plan(session, plan, feed_values)
    trace = run_metadata is not None and options is not None and options.trace_level > 0
    check = session._check_numerics
    if check:
        check_feeds(feed_tensors, feed_values)
    if not (trace or check):
        results = plan.executable.run(feed_values)
    else:
        exe = observed_executable(session, plan)
        tracer = StepTrace() if trace else None
        checker = NumericsCheck() if check else None
        observer = tracer if not check else checker if not trace else _Both(tracer, checker)
        with session._functions.observing(observer):  # loop and cond bodies too
            results = exe.run_observed(feed_values, observer)
        if trace:
            run_metadata.step_stats.CopyFrom(tracer.step_stats(exe.plan))
    if run_metadata is not None and options is not None and (
            options.output_partition_graphs or options.trace_level == RunOptions.FULL_TRACE):
        del run_metadata.partition_graphs[:]
        run_metadata.partition_graphs.add().CopyFrom(plan_graph_def(
            plan.executable.plan))
    return results


def observed_executable(session, plan):
    """The plan's executable that can `run_observed` (compiled once, kept with it)."""
    exe = plan.executable
    if exe.backend == "numpy":
        return exe
    observed = plan.variants.get("observed")
    if observed is None:
        with _COMPILE_LOCK:
            observed = plan.variants.get("observed")
            if observed is None:
                observed = plan.variants["observed"] = compile_variant(
                    exe, session._state, session._functions, session._validate,
                    observed=True)
    return observed


class _Both:
    """Two observers of one run (a traced and checked run)."""

    def __init__(self, *observers) -> None:
        self._observers = observers
        self.wants_inputs = any(getattr(o, "wants_inputs", False) for o in observers)

    def __call__(self, *args) -> None:
        for o in self._observers:
            o(*args)

    def inner(self, *args) -> None:
        for o in self._observers:
            o.inner(*args)


# ---------------------------------------------------------------- step stats
class StepTrace:
    """An observer recording (op, start_ns, end_ns, outputs, fused) per op that ran."""

    wants_inputs = False

    def __init__(self) -> None:
        self.records: list = []

    def __call__(self, op, start: int, end: int, inputs, outputs, fused) -> None:
        self.records.append((op, start, end, [_describe(v) for v in outputs], fused))

    inner = __call__  # an op of a loop or cond body: one record per execution

    def step_stats(self, plan) -> StepStats:
        """TF1's StepStats of the run: the plan's ops on the CPU device, the members of
        fused kernels on `<cpu>/fused`."""
        offset = time.time_ns() - time.perf_counter_ns()  # perf_counter -> epoch
        ops, members, seen, spans = [], [], set(), []
        for op, start, end, outs, fused in self.records:
            if fused is not None:  # numpy runs a fused body op by op: its own time
                members.append(_node_stats(op, start, end, outs, offset, fused))
                if spans and spans[-1][0] is fused:  # (one execution's members in a row)
                    spans[-1][2] = end
                else:
                    spans.append([fused, start, end])
                continue
            ops.append(_node_stats(op, start, end, outs, offset))
            seen.add(op)
            if op.type == "Fused":  # one kernel: its members share its span
                members.extend(_node_stats(m, start, end, None, offset, op)
                               for m in _members(op))
        for fused, start, end in spans:
            ops.append(_node_stats(fused, start, end, None, offset))
            seen.add(fused)
        begin = min((r[1] for r in self.records), default=time.perf_counter_ns())
        ops.extend(_node_stats(op, begin, begin, None, offset) for op in plan.nodes
                   if op not in seen)
        stats = StepStats()
        for device, entries in ((DEVICE, ops), (FUSED_DEVICE, members)):
            if entries or device == DEVICE:
                dev = stats.dev_stats.add(device=device)
                dev.node_stats.extend(sorted(entries, key=lambda s: s.all_start_nanos))
        return stats


def _describe(value):
    """(DataType number, shape, bytes) of a result, or None for what is no array."""
    if not isinstance(value, np.ndarray):
        return None
    from .ir import dtypes
    try:
        code = protos.DATATYPES.get(dtypes.as_dtype(value.dtype).name, 0)
    except (TypeError, ValueError):
        code = 0
    return code, value.shape, int(value.nbytes)


def _static(t):
    """(DataType number, shape, bytes) of a plan tensor from its inferred type."""
    dims = t.shape.as_tuple()
    if dims is None or not all(isinstance(d, int) for d in dims):
        return None  # (unknown, or a run-time batch dim of a symbolic plan)
    n = int(np.prod(dims, dtype=np.int64))
    size = np.dtype(t.dtype.np).itemsize if not t.dtype.is_string else 8
    return protos.DATATYPES.get(t.dtype.name, 0), dims, n * size




def label(op, fused=None) -> str:
    """TF1's timeline label, `name = Type(input, ...)`; a Fused kernel's type lists the
    ops it holds (`Fused[Mul+Add+Tanh]`), a member names its kernel's inputs."""
    names = {}
    if fused is not None:
        names = {p: t.name for p, t in zip(body_inputs(fused), fused.inputs)}
    inputs = ", ".join(names.get(t, t.name) for t in op.inputs)
    kind = op.type
    if op.type == "Fused":
        types = [m.type for m in _members(op)]
        kind = "Fused[" + "+".join(types[:8]) + ("+..." if len(types) > 8 else "") + "]"
    return f"{op.name} = {kind}({inputs})"


def _node_stats(op, start: int, end: int, outs, offset: int, fused=None) -> NodeExecStats:
    if outs is None:
        outs = [_static(t) for t in op.outputs]
    s = NodeExecStats(node_name=op.name, timeline_label=label(op, fused), thread_id=0)
    s.all_start_nanos = start + offset
    s.all_start_micros = s.all_start_nanos // 1000
    s.scheduled_micros, s.scheduled_nanos = s.all_start_micros, s.all_start_nanos
    s.op_end_rel_nanos = s.all_end_rel_nanos = end - start
    s.op_end_rel_micros = s.all_end_rel_micros = (end - start) // 1000
    total = 0
    for slot, desc in enumerate(outs):
        if desc is None:
            continue
        code, shape, nbytes = desc
        out = s.output.add(slot=slot)
        d = out.tensor_description
        d.dtype = code
        d.shape.CopyFrom(protos.shape_to_proto(shape))
        a = d.allocation_description
        a.requested_bytes = a.allocated_bytes = nbytes
        a.allocator_name = "cpu"
        total += nbytes
    if total:
        s.memory.add(allocator_name="cpu", total_bytes=total, peak_bytes=total)
    return s


def plan_graph_def(plan) -> protos.GraphDef:
    """A run's Plan as a GraphDef (TensorBoard's partition graph): its ops with
    their output shapes, fused kernels as ops of type Fused. (graphdef's exporter writes
    ops TensorFlow can run and refuses plan-only ones such as Fused; this graph is for
    looking at, so it writes every op as summary.node_def does.)"""
    from .summary import node_def
    gd = protos.GraphDef()
    for op in plan.nodes:
        node = gd.node.add()
        node.CopyFrom(node_def(op))
        shapes = node.attr["_output_shapes"].list.shape
        for t in op.outputs:
            dims = t.shape.as_tuple()
            shapes.add().CopyFrom(protos.TensorShapeProto(unknown_rank=True) if dims is None
                                  else protos.TensorShapeProto(dim=[  # run-time dims: -1
                                      protos.TensorShapeProto.Dim(
                                          size=d if isinstance(d, int) else -1)
                                      for d in dims]))
    gd.versions.producer = 27
    return gd
