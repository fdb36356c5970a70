"""TF1's `tensorflow.python.client.timeline`: a run's step stats as a Chrome trace.

    run_metadata = tf.RunMetadata()
    sess.run(train_op, options=tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE),
             run_metadata=run_metadata)
    trace = timeline.Timeline(run_metadata.step_stats)
    open("timeline.json", "w").write(trace.generate_chrome_trace_format())

The file is the Trace Event Format's JSON object ({"traceEvents": [...]}), which
chrome://tracing and Perfetto (ui.perfetto.dev) open: a process per device of the step
stats ("<device> Compute"), a complete event ('X') per op with its name, type and inputs,
flow arrows from each op to the ops reading its outputs (`show_dataflow`), and a counter
of the bytes each op's outputs take (`show_memory`).
"""
from __future__ import annotations

import json
import re

_LABEL = re.compile(r"(.*) = (.*)\((.*)\)")


class Timeline:
    """TF1 `timeline.Timeline(step_stats, graph=None)`."""

    def __init__(self, step_stats, graph=None) -> None:
        self._step_stats = step_stats
        self._graph = graph

    def generate_chrome_trace_format(self, show_dataflow: bool = True,
                                     show_memory: bool = False,
                                     op_time: str = "schedule") -> str:
        """The step stats as Chrome trace JSON (a string)."""
        events: list = []
        produced: dict = {}   # (pid, node name) -> (tid, start) of the node producing it
        ops: list = []
        for pid, dev in enumerate(self._step_stats.dev_stats):
            events.append({"name": "process_name", "ph": "M", "pid": pid,
                           "args": {"name": f"{dev.device} Compute"}})
            events.append({"name": "process_sort_index", "ph": "M", "pid": pid,
                           "args": {"sort_index": pid}})
            tids = set()
            for ns in dev.node_stats:
                name, kind, inputs = _parse(ns)
                start, dur = _times(ns)
                tid = int(ns.thread_id)
                tids.add(tid)
                args = {"name": ns.node_name, "op": kind}
                for i, x in enumerate(inputs):
                    args[f"input{i}"] = x
                events.append({"name": kind, "cat": "Op", "ph": "X", "pid": pid,
                               "tid": tid, "ts": start, "dur": dur, "args": args})
                produced.setdefault((pid, ns.node_name), (tid, start))
                ops.append((pid, tid, start, ns, inputs))
            for tid in sorted(tids):
                events.append({"name": "thread_name", "ph": "M", "pid": pid, "tid": tid,
                               "args": {"name": f"thread {tid}"}})
        if show_dataflow:
            events.extend(_flows(ops, produced))
        if show_memory:
            events.extend(_memory(ops, len(self._step_stats.dev_stats)))
        return json.dumps({"traceEvents": events}, separators=(",", ":"))


def _parse(ns) -> tuple:
    """(node name, op type, input names) from TF1's label `name = Type(a, b)`."""
    m = _LABEL.match(ns.timeline_label or "")
    if m is None:
        return ns.node_name, ns.node_name, []
    inputs = [x.strip() for x in m.group(3).split(",") if x.strip()]
    return m.group(1), m.group(2), inputs


def _times(ns) -> tuple:
    """(start, duration) in microseconds (floats: the nanosecond fields where set)."""
    if ns.all_start_nanos:
        return ns.all_start_nanos / 1000.0, max(ns.all_end_rel_nanos, 0) / 1000.0
    return float(ns.all_start_micros), float(max(ns.all_end_rel_micros, 0))


def _flows(ops: list, produced: dict) -> list:
    events, flow = [], 0
    for pid, tid, start, _, inputs in ops:
        for x in inputs:
            source = produced.get((pid, x.lstrip("^").split(":")[0]))
            if source is None:
                continue
            flow += 1
            src_tid, src_start = source
            events.append({"name": x, "cat": "DataFlow", "ph": "s", "id": flow, "pid": pid,
                           "tid": src_tid, "ts": src_start})
            events.append({"name": x, "cat": "DataFlow", "ph": "t", "id": flow, "pid": pid,
                           "tid": tid, "ts": start, "bp": "e"})
    return events


def _memory(ops: list, pid: int) -> list:
    """A counter per allocator of the bytes the ops' outputs took, op by op."""
    events = [{"name": "process_name", "ph": "M", "pid": pid,
               "args": {"name": "Allocators"}}]
    total: dict = {}
    for _, _, start, ns, _ in sorted(ops, key=lambda o: o[2]):
        for m in ns.memory:
            name = m.allocator_name or "cpu"
            total[name] = total.get(name, 0) + int(m.total_bytes)
            events.append({"name": name, "ph": "C", "pid": pid, "ts": start,
                           "args": {"output bytes": total[name]}})
    return events
