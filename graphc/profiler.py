"""`tf.profiler` (TF1's tfprof over a graph and a run's step stats) and graphc's kernel
profile (`Session.profile`, the per-kernel cycle counts GRAPHC_PROFILE=1 collects).

    run_meta = tf.RunMetadata()
    sess.run(train_op, options=tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE),
             run_metadata=run_meta)
    tf.profiler.profile(sess.graph, run_meta=run_meta, cmd="op",
                        options=tf.profiler.ProfileOptionBuilder.time_and_memory())
    tf.profiler.profile(sess.graph, cmd="scope",
                        options=tf.profiler.ProfileOptionBuilder
                        .trainable_variables_parameter())   # .total_parameters

`profile` prints a table (options["output"]: "stdout", "none", "file:outfile=PATH") and
returns TF1's message: a GraphNodeProto tree for cmd "scope" and "graph" (name scopes),
a MultiGraphNodeProto for "op" (op types) and "code" (the user's lines). Times come
from the step stats' CPU device: a fused kernel counts once, under its own name and type
(Fused), never again through its members. Float-op counts are not modelled (0).
"""
from __future__ import annotations

import copy
import re
import sys
import time
from typing import Optional

import numpy as np

from .compile import compile_variant
from .ir import context as _context
from .ir.ops.fused_ops import members as _members
from .protos.run_metadata import AdviceProto, GraphNodeProto, MultiGraphNodeProto
from .run_metadata import DEVICE, observed_executable

_DEFAULTS = {"max_depth": 100, "min_bytes": 0, "min_peak_bytes": 0, "min_residual_bytes": 0,
             "min_output_bytes": 0, "min_micros": 0, "min_accelerator_micros": 0,
             "min_cpu_micros": 0, "min_params": 0, "min_float_ops": 0, "min_occurrence": 0,
             "order_by": "name", "account_type_regexes": [".*"],
             "start_name_regexes": [".*"], "trim_name_regexes": [],
             "show_name_regexes": [".*"], "hide_name_regexes": [],
             "account_displayed_op_only": True, "select": ["micros"], "step": -1,
             "output": "stdout"}


class ProfileOptionBuilder:
    """TF1 `tf.profiler.ProfileOptionBuilder`: options are plain dicts."""

    def __init__(self, options: Optional[dict] = None) -> None:
        self._options = copy.deepcopy(options) if options is not None else \
            copy.deepcopy(_DEFAULTS)

    @staticmethod
    def trainable_variables_parameter() -> dict:
        return dict(copy.deepcopy(_DEFAULTS), max_depth=10000, order_by="name",
                    account_type_regexes=["_trainable_variables"], select=["params"])

    @staticmethod
    def float_operation() -> dict:
        return dict(copy.deepcopy(_DEFAULTS), max_depth=10000, min_float_ops=1,
                    order_by="float_ops", select=["float_ops"])

    @staticmethod
    def time_and_memory(min_micros: int = 1, min_bytes: int = 1,
                        min_accelerator_micros: int = 0, min_cpu_micros: int = 0,
                        min_peak_bytes: int = 0, min_residual_bytes: int = 0,
                        min_output_bytes: int = 0) -> dict:
        return dict(copy.deepcopy(_DEFAULTS), max_depth=10000, min_micros=min_micros,
                    min_bytes=min_bytes, min_accelerator_micros=min_accelerator_micros,
                    min_cpu_micros=min_cpu_micros, min_peak_bytes=min_peak_bytes,
                    min_residual_bytes=min_residual_bytes, min_output_bytes=min_output_bytes,
                    order_by="micros", select=["micros", "bytes"])

    def _set(self, **kw) -> "ProfileOptionBuilder":
        self._options.update(kw)
        return self

    def with_max_depth(self, max_depth: int):
        return self._set(max_depth=max_depth)

    def with_min_memory(self, min_bytes=0, min_peak_bytes=0, min_residual_bytes=0,
                        min_output_bytes=0):
        return self._set(min_bytes=min_bytes, min_peak_bytes=min_peak_bytes,
                         min_residual_bytes=min_residual_bytes,
                         min_output_bytes=min_output_bytes)

    def with_min_execution_time(self, min_micros=0, min_accelerator_micros=0,
                                min_cpu_micros=0):
        return self._set(min_micros=min_micros, min_accelerator_micros=min_accelerator_micros,
                         min_cpu_micros=min_cpu_micros)

    def with_min_parameters(self, min_params: int):
        return self._set(min_params=min_params)

    def with_min_occurrence(self, min_occurrence: int):
        return self._set(min_occurrence=min_occurrence)

    def with_min_float_operations(self, min_float_ops: int):
        return self._set(min_float_ops=min_float_ops)

    def with_accounted_types(self, account_type_regexes):
        return self._set(account_type_regexes=list(account_type_regexes))

    def with_node_names(self, start_name_regexes=None, show_name_regexes=None,
                        hide_name_regexes=None, trim_name_regexes=None):
        for key, value in (("start_name_regexes", start_name_regexes),
                           ("show_name_regexes", show_name_regexes),
                           ("hide_name_regexes", hide_name_regexes),
                           ("trim_name_regexes", trim_name_regexes)):
            if value is not None:
                self._options[key] = list(value)
        return self

    def account_displayed_op_only(self, is_true: bool):
        return self._set(account_displayed_op_only=bool(is_true))

    def with_empty_output(self):
        return self._set(output="none")

    def with_stdout_output(self):
        return self._set(output="stdout")

    def with_file_output(self, outfile: str):
        return self._set(output=f"file:outfile={outfile}")

    def order_by(self, attribute: str):
        return self._set(order_by=attribute)

    def select(self, attributes):
        return self._set(select=list(attributes))

    def with_step(self, step: int):
        return self._set(step=step)

    def build(self) -> dict:
        return copy.deepcopy(self._options)


# ---------------------------------------------------------------- tf.profiler.profile
class _Stat:
    __slots__ = ("name", "type", "micros", "bytes", "params", "runs", "shapes", "site")

    def __init__(self, name: str, type_: str) -> None:
        self.name, self.type = name, type_
        self.micros = self.bytes = self.params = self.runs = 0
        self.shapes: list = []
        self.site = None


def _stats(graph, run_metas: list, options: dict, steps: int = 1) -> dict:
    """name -> _Stat for the graph's ops and the ops the step stats of `run_metas` name
    (time and bytes per step: summed over them, divided by `steps`)."""
    stats: dict = {}
    trainable = {v.op.name for v in graph.get_collection("trainable_variables")} \
        if graph is not None else set()
    for op in graph.get_operations() if graph is not None else ():
        s = stats[op.name] = _Stat(op.name, op.type)
        s.site = op.site
        s.shapes = [t.shape for t in op.outputs]
        if op.name in trainable and op.outputs and op.outputs[0].shape.is_fully_defined():
            s.params = int(np.prod(op.outputs[0].shape.as_tuple(), dtype=np.int64))
    for run_meta in run_metas:
        for dev in run_meta.step_stats.dev_stats:
            if dev.device != DEVICE:
                continue  # fused kernels' members: their time is the kernel's
            for ns in dev.node_stats:
                s = stats.get(ns.node_name)
                if s is None:
                    kind = ns.timeline_label.split(" = ", 1)[-1].split("(", 1)[0] \
                        if " = " in ns.timeline_label else ns.node_name
                    s = stats[ns.node_name] = _Stat(ns.node_name, kind.split("[")[0])
                s.runs += 1
                s.micros += ns.all_end_rel_nanos // 1000 if ns.all_end_rel_nanos else \
                    ns.all_end_rel_micros
                s.bytes += sum(m.total_bytes for m in ns.memory)
    if steps > 1:
        for s in stats.values():
            s.micros, s.bytes = s.micros // steps, s.bytes // steps
    accounted = [re.compile(r) for r in options.get("account_type_regexes", [".*"])]
    hidden = [re.compile(r) for r in options.get("hide_name_regexes", [])]
    shown = [re.compile(r) for r in options.get("show_name_regexes", [".*"])]

    def keep(s: _Stat) -> bool:
        kinds = [s.type] + (["_trainable_variables"] if s.name in trainable else [])
        return any(r.fullmatch(k) for r in accounted for k in kinds) and \
            any(r.fullmatch(s.name) for r in shown) and \
            not any(r.fullmatch(s.name) for r in hidden)

    return {k: s for k, s in stats.items() if keep(s)}


def _passes(node, options: dict) -> bool:
    return node.total_exec_micros >= options.get("min_micros", 0) and \
        node.total_requested_bytes >= options.get("min_bytes", 0) and \
        node.total_parameters >= options.get("min_params", 0)


def _fill(node, s: _Stat) -> None:
    node.exec_micros = node.cpu_exec_micros = s.micros
    node.requested_bytes = node.output_bytes = s.bytes
    node.parameters = s.params


def _add_totals(node, other) -> None:
    node.total_exec_micros += other.total_exec_micros
    node.total_cpu_exec_micros += other.total_cpu_exec_micros
    node.total_requested_bytes += other.total_requested_bytes
    node.total_output_bytes += other.total_output_bytes
    node.total_parameters += other.total_parameters


def _self_totals(node) -> None:
    node.total_exec_micros, node.total_cpu_exec_micros = node.exec_micros, node.cpu_exec_micros
    node.total_requested_bytes = node.requested_bytes
    node.total_output_bytes = node.output_bytes
    node.total_parameters = node.parameters


def _scope_tree(stats: dict, options: dict) -> GraphNodeProto:
    """The name-scope tree: a node per scope and op, totals over its descendants."""
    root = GraphNodeProto(name="_TFProfRoot")
    index = {"": root}
    for name in sorted(stats):
        parts = name.split("/")
        for depth in range(1, len(parts) + 1):
            key = "/".join(parts[:depth])
            if key not in index:
                index[key] = GraphNodeProto(name=key)
    for key, node in index.items():
        if key in stats:
            _fill(node, stats[key])
            node.run_count = node.total_run_count = stats[key].runs
            node.total_definition_count = 1
    # totals bottom-up: the deepest names first
    children: dict = {}
    for key in sorted(index, key=lambda k: -k.count("/") if k else 1):
        if not key:
            continue
        parent = key.rsplit("/", 1)[0] if "/" in key else ""
        children.setdefault(parent, []).append(key)
    max_depth = options.get("max_depth", 100)

    def build(key: str, depth: int) -> GraphNodeProto:
        node = index[key]
        _self_totals(node)
        for child in sorted(children.get(key, ()), key=_order(options, index)):
            built = build(child, depth + 1)
            _add_totals(node, built)
            if depth < max_depth and _passes(built, options):
                node.children.add().CopyFrom(built)
        return node

    return build("", 0)


def _order(options: dict, index: dict):
    attr = options.get("order_by", "name")
    if attr == "name":
        return lambda k: k
    field = {"micros": "total_exec_micros", "bytes": "total_requested_bytes",
             "params": "total_parameters"}.get(attr, "total_exec_micros")
    return lambda k: -getattr(index[k], field, 0)


def _grouped(stats: dict, options: dict, key) -> MultiGraphNodeProto:
    """Ops grouped by `key(stat)` (their type, or the user's line)."""
    root = MultiGraphNodeProto(name="_TFProfRoot")
    groups: dict = {}
    for s in stats.values():
        groups.setdefault(key(s), []).append(s)
    nodes = []
    for name, members in groups.items():
        m = MultiGraphNodeProto(name=name)
        for s in members:
            g = m.graph_nodes.add(name=s.name)
            _fill(g, s)
            _self_totals(g)
            g.run_count = g.total_run_count = s.runs
            m.exec_micros += s.micros
            m.cpu_exec_micros += s.micros
            m.requested_bytes += s.bytes
            m.output_bytes += s.bytes
            m.parameters += s.params
        _self_totals(m)
        _add_totals(root, m)
        nodes.append(m)
    field = {"micros": "total_exec_micros", "bytes": "total_requested_bytes",
             "params": "total_parameters"}.get(options.get("order_by"), None)
    nodes.sort(key=(lambda n: -getattr(n, field)) if field else (lambda n: n.name))
    root.children.extend(n for n in nodes if _passes(n, options))
    return root


_DEFAULT_PROFILE_OPTIONS = 0  # TF1's sentinel: profile the trainable parameters


def profile(graph=None, run_meta=None, op_log=None, cmd: str = "scope",
            options=_DEFAULT_PROFILE_OPTIONS):
    """TF1 `tf.profiler.profile`: print the profile of `graph` (and `run_meta`'s step
    stats) in view `cmd` and return it as TF1's message (by default, TF1's: the
    trainable parameters by name scope)."""
    if options is _DEFAULT_PROFILE_OPTIONS or options is None:
        options = ProfileOptionBuilder.trainable_variables_parameter()
    if graph is None:
        graph = _context.get_default_graph()
    return _profile(_stats(graph, [] if run_meta is None else [run_meta], options), cmd,
                    options)


def _profile(stats: dict, cmd: str, options: dict):
    if cmd in ("scope", "graph"):
        result = _scope_tree(stats, options)
        rows = _tree_rows(result)
    elif cmd == "op":
        result = _grouped(stats, options, lambda s: s.type)
        rows = [(n.name, n) for n in result.children]
    elif cmd == "code":
        result = _grouped(stats, options, lambda s: s.site.describe() if s.site else "<none>")
        rows = [(n.name, n) for n in result.children]
    else:
        raise ValueError(f"tf.profiler.profile: unknown cmd {cmd!r}; expected 'scope', "
                         "'graph', 'op' or 'code'")
    _output(_table(rows, result, options, cmd), options.get("output", "stdout"))
    return result


def _tree_rows(root) -> list:
    rows = []

    def visit(node, depth: int) -> None:
        for child in node.children:
            rows.append(("  " * depth + child.name, child))
            visit(child, depth + 1)

    visit(root, 0)
    return rows


def _table(rows: list, root, options: dict, cmd: str) -> str:
    select = options.get("select", ["micros"])
    columns = []
    if "params" in select:
        columns.append(("# parameters", lambda n: f"{n.total_parameters:,}"))
    if "bytes" in select:
        columns.append(("requested bytes", lambda n: _bytes(n.total_requested_bytes)))
    if "micros" in select:
        columns.append(("total execution time", lambda n: _micros(n.total_exec_micros)))
        columns.append(("cpu execution time", lambda n: _micros(n.total_cpu_exec_micros)))
    if cmd in ("op", "code"):
        columns.append(("op occurrence", lambda n: str(
            len(n.graph_nodes) or sum(len(c.graph_nodes) for c in n.children))))
    width = max([len(r[0]) for r in rows] + [9])
    lines = [f"Profile ({cmd} view):",
             " | ".join([f"{'node name':{width}s}"] + [c[0] for c in columns])]
    for name, node in rows:
        lines.append(" | ".join([f"{name:{width}s}"] + [f"{c[1](node):>{len(c[0])}s}"
                                                        for c in columns]))
    lines.append(" | ".join([f"{'total':{width}s}"] + [f"{c[1](root):>{len(c[0])}s}"
                                                       for c in columns]))
    return "\n".join(lines) + "\n"


def _bytes(n: int) -> str:
    for unit, size in (("MB", 1 << 20), ("KB", 1 << 10)):
        if n >= size:
            return f"{n / size:.2f}{unit}"
    return f"{n}B"


def _micros(us: int) -> str:
    return f"{us / 1000:.2f}ms" if us >= 1000 else f"{us}us"


def _output(text: str, where: str) -> None:
    if where == "none":
        return
    if where.startswith("file:outfile="):
        with open(where[len("file:outfile="):], "w") as f:
            f.write(text)
        return
    sys.stdout.write(text)


# ---------------------------------------------------------------- Session.profile
# ---------------------------------------------------------------- multi-step profiler
class Profiler:
    """TF1 `tf.profiler.Profiler(graph)`: step stats added per step (`add_step`), then
    profiled by view. A view's options' `step` (`with_step`) picks one step's run
    metadata; -1 (the default) averages over every step added."""

    def __init__(self, graph=None, op_log=None) -> None:
        self._graph = graph if graph is not None else _context.get_default_graph()
        self._steps: dict = {}  # step -> [RunMetadata, ...]

    def add_step(self, step: int, run_meta) -> None:
        """Add a run's statistics under `step` (several runs may share a step)."""
        if not hasattr(run_meta, "step_stats"):
            raise TypeError(f"add_step expects a tf.RunMetadata, got {type(run_meta).__name__}")
        copy = type(run_meta)()
        copy.CopyFrom(run_meta)
        self._steps.setdefault(int(step), []).append(copy)

    def _view(self, cmd: str, options):
        options = ProfileOptionBuilder.time_and_memory() if options is None else options
        step = options.get("step", -1)
        if step == -1:
            metas = [m for ms in self._steps.values() for m in ms]
            stats = _stats(self._graph, metas, options, max(len(self._steps), 1))
        else:
            if step not in self._steps:
                raise ValueError(f"Profiler: no step {step} was added (steps: "
                                 f"{sorted(self._steps)})")
            stats = _stats(self._graph, self._steps[step], options)
        return _profile(stats, cmd, options)

    def profile_name_scope(self, options):
        return self._view("scope", options)

    def profile_graph(self, options):
        return self._view("graph", options)

    def profile_operations(self, options):
        return self._view("op", options)

    def profile_python(self, options):
        return self._view("code", options)

    def advise(self, options=None):
        return _advise(self._graph, [m for ms in self._steps.values() for m in ms],
                       max(len(self._steps), 1), options)


ALL_ADVICE = {"ExpensiveOperationChecker": {}, "AcceleratorUtilizationChecker": {},
              "JobChecker": {}, "OperationChecker": {}}
_TOP = 3


def advise(graph=None, run_meta=None, options=_DEFAULT_PROFILE_OPTIONS):
    """TF1 `tf.profiler.advise`: an AdviceProto with a report list per checker, printed.
    ExpensiveOperationChecker names the most expensive op types, ops and user lines of
    the run (with `run_meta` from a traced run); AcceleratorUtilizationChecker says that
    everything ran on the CPU; OperationChecker (TF's looks for GPU data-format and MKL
    issues, neither of which a CPU-only graphc has) and JobChecker (not in TF's public
    build either) report nothing."""
    graph = graph if graph is not None else _context.get_default_graph()
    return _advise(graph, [] if run_meta is None else [run_meta], 1, options)


def _advise(graph, run_metas: list, steps: int, options):
    options = ALL_ADVICE if options is None or options is _DEFAULT_PROFILE_OPTIONS else \
        options  # (TF1's sentinel 0: every checker)
    unknown = sorted(set(options) - set(ALL_ADVICE))
    if unknown:
        raise ValueError(f"advise: unknown checker(s) {unknown}; known: "
                         f"{sorted(ALL_ADVICE)}")
    stats = _stats(graph, run_metas, copy.deepcopy(_DEFAULTS), steps)
    advice = AdviceProto()
    for name in options:
        reports = advice.checkers[name].reports
        if name == "ExpensiveOperationChecker":
            reports.extend(_expensive(stats))
        elif name == "AcceleratorUtilizationChecker":
            reports.append("No accelerator was used: graphc runs every op on the CPU "
                           f"({DEVICE})")
    lines = []
    for name, checker in advice.checkers.items():
        lines.append(f"{name}:")
        lines.extend(f"  {r}" for r in checker.reports)
    _output("\n".join(lines) + "\n", "stdout")
    return advice


def _expensive(stats: dict) -> list:
    timed = [s for s in stats.values() if s.runs]
    total = sum(s.micros for s in timed)
    if not timed or total == 0:
        return ["No run metadata with step stats: trace a run with "
                "RunOptions(trace_level=FULL_TRACE) and pass its RunMetadata"]
    reports = []
    for what, key in (("operation type", lambda s: s.type), ("graph node", lambda s: s.name),
                      ("code", lambda s: s.site.describe() if s.site else "<none>")):
        groups: dict = {}
        for s in timed:
            groups[key(s)] = groups.get(key(s), 0) + s.micros
        top = sorted(groups.items(), key=lambda kv: (-kv[1], kv[0]))[:_TOP]
        for i, (name, us) in enumerate(top):
            reports.append(f"top {i + 1} {what}: {name}, cpu: {_micros(us)}, accelerator: "
                           f"0us, total: {_micros(us)} ({100 * us / total:.2f}%)")
    return reports


class KernelRow:
    """One kernel of a profiled plan: the op it computes (a Fused kernel's `members`),
    its share of the run and its time; `cycles` from the CPU's cycle counter (llvm;
    None on numpy, which times each interpreted op)."""

    __slots__ = ("op", "type", "kernel", "members", "cycles", "seconds", "share", "line")

    def __init__(self, op, kernel: str, cycles, seconds: float) -> None:
        self.op, self.type, self.kernel = op.name, op.type, kernel
        self.members = [m.type for m in _members(op)] if op.type == "Fused" else []
        self.cycles, self.seconds, self.share = cycles, seconds, 0.0
        site = op.user_op().site
        self.line = site.describe() if site is not None else ""

    def __repr__(self) -> str:
        return f"KernelRow({self.kernel} {self.type} '{self.op}' {100 * self.share:.1f}%)"


class KernelProfile:
    """What `Session.profile` returns: `rows` hottest first, `str()` a table."""

    def __init__(self, rows: list, runs: int, wall_seconds: float, backend: str) -> None:
        total = sum((r.cycles if r.cycles is not None else r.seconds) for r in rows) or 1
        for r in rows:
            r.share = (r.cycles if r.cycles is not None else r.seconds) / total
        self.rows = sorted(rows, key=lambda r: -r.share)
        self.runs, self.wall_seconds, self.backend = runs, wall_seconds, backend

    def __str__(self) -> str:
        unit = "cycles/run" if self.backend == "llvm" else "us/run"
        lines = [f"{self.backend} kernels, {self.runs} run(s), "
                 f"{1e6 * self.wall_seconds / self.runs:.1f} us/run wall",
                 f"{'share %':>8s} {unit:>12s}  {'kernel':8s} op"]
        for r in self.rows:
            amount = r.cycles // self.runs if r.cycles is not None else \
                round(1e6 * r.seconds / self.runs, 1)
            held = f" [{'+'.join(r.members)}]" if r.members else ""
            lines.append(f"{100 * r.share:8.1f} {amount:>12} {r.kernel:8s} {r.type} "
                         f"'{r.op}'{held}")
        return "\n".join(lines)


class KernelProfiling:
    """A Session.run option (graphc's own, not a RunOptions): profile the plan's kernels
    over `runs` runs instead of running it once. run_metadata.run dispatches on it."""

    def __init__(self, runs: int) -> None:
        self.runs = max(int(runs), 1)
        self.result: Optional[KernelProfile] = None

    def run_plan(self, session, plan, feed_values) -> list:
        exe = plan.executable
        if exe.backend == "llvm":
            return self._llvm(session, plan, feed_values)
        times: dict = {}

        def observe(op, start, end, inputs, outputs, fused) -> None:
            times[op] = times.get(op, 0) + (end - start)

        exe = observed_executable(session, plan)
        start = time.perf_counter()
        for _ in range(self.runs):
            results = exe.run_observed(feed_values, observe)
        wall = time.perf_counter() - start
        rows = [KernelRow(op, "numpy", None, ns / 1e9) for op, ns in times.items()]
        self.result = KernelProfile(rows, self.runs, wall, "numpy")
        return results

    def _llvm(self, session, plan, feed_values) -> list:
        exe = plan.variants.get("profiled")
        if exe is None:
            exe = plan.variants["profiled"] = compile_variant(
                plan.executable, session._state, session._functions, session._validate,
                profile=True)
        exe.profile.reset()
        start = time.perf_counter()
        for _ in range(self.runs):
            results = exe.run(feed_values)
        wall = time.perf_counter() - start
        rows = [KernelRow(op, name, cycles, 0.0) for op, name, _, cycles in exe.profile.rows()]
        self.result = KernelProfile(rows, self.runs, wall, "llvm")
        return results


