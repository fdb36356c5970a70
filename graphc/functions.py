"""Running the graphs held by nodes (If, While, a dataset's functions) with the Session's
pipeline and backend.

The Session makes one `FunctionRunner` and passes it down with every plan it compiles
(graphc/compile.py hands it to the backend, the backend to the nodes' contexts: it is
ir/runtime.py's GraphRunner); the runner passes itself down with the plans it compiles,
so nested loops and conds find it the same way. An If or While node's kernel asks it to
run one of its graphs on argument arrays. The runner treats the graph as an ordinary
program, its parameters fed and its results fetched, and compiles it exactly as the
Session compiles a run: pruned, lowered into a graph specialised to the argument shapes,
optimised by the pass pipeline (constant folding, CSE, fusion inside the body) and
frozen into a Plan, compiled by the backend (native code on llvm). Compiled plans are
cached by graph and argument shapes, so a loop compiles its body once and then runs it
every iteration; `compiled` hands the executable itself to a backend that runs a loop's
step its own way (the llvm backend's native loop, backends/llvm/native_while.py).

On llvm the dims the graph's parameters leave unknown (the batch of a `dynamic_rnn`'s
state) stay symbolic, as in the Session's plans (ir/symbolic.py): one plan serves every
batch size; a graph some op of which cannot take a run-time extent is compiled per shape.
A function whose argument shapes keep changing (a loop variable growing under a shape
invariant) is compiled once more, generically, for the numpy backend after
`MAX_SPECIALISATIONS` shapes, instead of once per iteration.

Inside a traced or checked run (graphc/run_metadata.py), `observing(observer)` makes the
graphs this thread runs report their ops too: each plan's observed variant runs (for
llvm a second compile with a native segment per step, made once and kept with the plan),
and `compiled` hands out no executable, so loops are driven iteration by iteration from
Python instead of by the native loop driver and every iteration's ops are seen. Ordinary
runs never look at it but for one thread-local read per function call.
"""
from __future__ import annotations

import threading

import numpy as np

from . import symbolic_plans
from .compile import compile_plan, compile_variant
from .passes.manager import PassManager

MAX_SPECIALISATIONS = 8
_MAX_PLANS = 4096  # argument signatures remembered (beyond: found through their symbols)


class FunctionRunner:
    def __init__(self, backend: str, state, disabled_passes: tuple, validate: bool) -> None:
        self._backend = backend
        self._state = state
        self._disabled = disabled_passes
        self._validate = validate
        self._plans: dict = {}       # (function key, argument signature) -> (graph, exe)
        self._shapes_seen: dict = {}  # function key -> number of specialisations
        self._lock = threading.RLock()
        self._local = _ThreadObserver()  # .observer: the observed run of this thread
        self._observed: dict = {}  # id(plan's executable) -> (it, its observed variant)

    def observing(self, observer) -> "_Observing":
        """A context within which graphs run by this thread report every op they run to
        `observer.inner(op, start_ns, end_ns, inputs, outputs, fused)` (see the module
        doc); nested loops and conds report theirs alike."""
        return _Observing(self._local, observer)

    def run_graph(self, graph, params: tuple, outputs: tuple, args: list, outs=None) -> list:
        """Run `graph` with its Placeholders named `params` fed `args`; the values of its
        `outputs` ((op name, index) pairs). `outs`: arrays the backend may write into."""
        exe, positions = self._plan(graph, params, outputs, args)
        observer = self._local.observer
        if observer is not None:
            results = self._observed_variant(exe).run_observed(args, observer)
            return [results[i] for i in positions]
        if outs is not None:
            per_fetch = [None] * (max(positions) + 1 if positions else 0)
            for i, arr in zip(positions, outs):
                if per_fetch[i] is None:
                    per_fetch[i] = arr
            results = exe.run(args, per_fetch)
        else:
            results = exe.run(args)
        return [results[i] for i in positions]

    def compiled(self, graph, params: tuple, outputs: tuple, args: list):
        """(the executable `run_graph` runs `graph` with for `args`, the position of each
        output among its fetches); None within an observed run (each op must be seen)."""
        if self._local.observer is not None:
            return None
        return self._plan(graph, params, outputs, args)

    def _observed_variant(self, exe):
        """`exe`, or its variant compiled to report every op (llvm), made once."""
        if exe.backend == "numpy":
            return exe
        hit = self._observed.get(id(exe))
        if hit is None:
            with self._lock:
                hit = self._observed.get(id(exe))
                if hit is None:
                    hit = self._observed[id(exe)] = (exe, compile_variant(
                        exe, self._state, self, self._validate, observed=True))
        return hit[1]

    def _plan(self, graph, params: tuple, outputs: tuple, args: list) -> tuple:
        """(compiled plan, position of each output among its fetches)."""
        fid = (id(graph), params, outputs)
        sig = tuple([(a.shape, a.dtype) for a in args])
        hit = self._plans.get((fid, sig)) or self._plans.get((fid, None))
        if hit is None:
            hit = self._compile(graph, params, outputs, fid, sig, args)
        return hit[1], hit[2]

    def _compile(self, graph, param_names, output_refs, fid, sig, args):
        with self._lock:
            hit = self._plans.get((fid, sig)) or self._plans.get((fid, None))
            if hit is not None:
                return hit
            params = [graph.get_operation_by_name(n).outputs[0] for n in param_names]
            outputs = [graph.get_operation_by_name(n).outputs[i] for n, i in output_refs]
            fetches = list(dict.fromkeys(outputs))
            positions = [fetches.index(t) for t in outputs]

            def compiled(specs, backend):
                exe = compile_plan(fetches, [], params, specs,
                                   PassManager(disabled=self._disabled), backend,
                                   self._state, self, self._validate)
                return (graph, exe, positions)  # (the graph is kept so its id stays unique)

            # Dims the graph's parameters leave unknown (a loop's batch) stay symbolic, as
            # in the Session's plans: one plan (one native module) for every batch size.
            if self._backend == "llvm" and symbolic_plans.enabled():
                hit = symbolic_plans.symbolic_plan(
                    lambda shapes: compiled([(s, p.dtype) for s, p in zip(shapes, params)],
                                            self._backend),
                    params, args, (fid,), self._plans, self._plans.__setitem__)
                if hit is not None:
                    if len(self._plans) < _MAX_PLANS:  # (a growing loop variable: a size
                        self._plans[(fid, sig)] = hit  # per iteration)
                    return hit
            seen = self._shapes_seen.get(fid, 0)
            if seen >= MAX_SPECIALISATIONS:
                backend, cache_sig = "numpy", None
                specs = [(p.shape.as_tuple(), p.dtype) for p in params]
            else:
                backend, cache_sig = self._backend, sig
                specs = [(np.shape(a), p.dtype) for a, p in zip(args, params)]
                self._shapes_seen[fid] = seen + 1
            hit = compiled(specs, backend)
            self._plans[(fid, cache_sig)] = hit
            return hit


class _ThreadObserver(threading.local):
    """Each thread's observer, None until a traced or checked run sets it (set in every
    thread from the start: reading a missing thread-local attribute costs ten times
    more than reading a set one)."""

    def __init__(self) -> None:
        self.observer = None


class _Inner:
    """What a body's plan reports to: the run's observer's `inner`."""

    __slots__ = ("_report", "wants_inputs")

    def __init__(self, observer) -> None:
        self._report = observer.inner
        self.wants_inputs = getattr(observer, "wants_inputs", False)

    def __call__(self, *args) -> None:
        self._report(*args)


class _Observing:
    __slots__ = ("_local", "_observer", "_outer")

    def __init__(self, local, observer) -> None:
        self._local, self._observer = local, _Inner(observer)

    def __enter__(self):
        self._outer = self._local.observer
        self._local.observer = self._observer
        return self

    def __exit__(self, *exc) -> None:
        self._local.observer = self._outer
