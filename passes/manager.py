"""The pass manager: a plain, named list of Lowered -> Lowered passes, then the freeze.

Each pass can be disabled by name (constructor, or GRAPHC_DISABLE_PASSES=cse,simplify), is
timed (`timings`: name, seconds, nodes before, nodes after), can dump the graph after it
(`dump` or GRAPHC_DUMP_PASSES=all|name,...), and is followed by the verifier when
`verify` is on (or GRAPHC_DEBUG is set). A pass that raises is reported with its name and
the passes that ran before it. `plan` ends the pipeline: it freezes the optimized graph,
in run order, into the Plan a backend compiles (ir/plan.py), once.
"""
from __future__ import annotations

import os
import sys
import threading
import time
import warnings
from typing import Callable, Iterable, Optional

from graphc.ir.errors import OpError
from graphc.ir.plan import Plan
from graphc.ir.printer import format_graph
from graphc.ir.verify import verify as verify_graph
from .cse import cse
from .fold import fold_constants
from .fuse import fuse
from .fuse_conv import fuse_conv
from .lower import Lowered, rebuild
from .prune import build_program
from .simplify import simplify
from .sink_controls import sink_controls


def prune(lowered: Lowered) -> Lowered:
    """Keep only what the fetches and targets need (data, control and state edges); a
    graph that needs every op it has (as lowering leaves it) is returned as it is, not
    copied whole."""
    program = build_program(lowered.fetches, lowered.targets, lowered.feeds)
    keep = set(program.nodes) | {t.op for t in lowered.feeds}
    for op in program.nodes:  # variables named by assignments (ref inputs)
        for i in op.opdef.ref_inputs:
            keep.add(op.inputs[i].op)
    return lowered if len(keep) == len(lowered.graph) else rebuild(lowered, keep=keep)


def freeze(lowered: Lowered) -> Plan:
    """The optimized graph's nodes, in the order they run, frozen into a Plan."""
    program = build_program(lowered.fetches, lowered.targets, lowered.feeds)
    return Plan.freeze(program.nodes, program.feeds, program.fetches, program.targets)


DEFAULT_PIPELINE: tuple = (
    ("prune", prune),
    ("sink_controls", sink_controls),
    ("fold_constants", fold_constants),
    ("simplify", simplify),
    ("cse", cse),
    ("fuse_conv", fuse_conv),
    ("prune_after", prune),
    ("fuse", fuse),
)


class PassError(RuntimeError):
    """A pass failed; names it and the passes that ran before it."""


class UnknownPassWarning(UserWarning):
    """An environment variable names a pass the pipeline does not have."""


# (variable, name) pairs already warned about: each unknown name is reported once per
# process, not once per Session.run compile.
_warned: set = set()
_warned_lock = threading.Lock()


def _names(env: str, valid: tuple) -> set:
    """The pass names listed in environment variable `env`; a name that is not in
    `valid` is warned about (once) and kept, so it simply matches no pass."""
    names = {n.strip() for n in os.environ.get(env, "").split(",") if n.strip()}
    for name in sorted(names - set(valid)):
        with _warned_lock:
            if (env, name) in _warned:
                continue
            _warned.add((env, name))
        warnings.warn(f"{env} names an unknown pass {name!r}; it is ignored. Valid names: "
                      f"{', '.join(valid)}", UnknownPassWarning, stacklevel=3)
    return names


class PassManager:
    def __init__(self, pipeline: Iterable = DEFAULT_PIPELINE, disabled: Iterable[str] = (),
                 verify: Optional[bool] = None, dump=None,
                 dump_to: Optional[Callable[[str], None]] = None) -> None:
        self.pipeline = tuple(pipeline)
        known = {name for name, _ in self.pipeline}
        unknown = {n for n in disabled if n not in known}
        order = tuple(name for name, _ in self.pipeline)
        self.disabled = set(disabled) | _names("GRAPHC_DISABLE_PASSES", order)
        if unknown:
            raise ValueError(f"unknown pass name(s) {sorted(unknown)}; the pipeline is "
                             f"{[n for n, _ in self.pipeline]}")
        self.verify = bool(os.environ.get("GRAPHC_DEBUG")) if verify is None else verify
        env_dump = _names("GRAPHC_DUMP_PASSES", order + ("all",))
        self.dump = set(dump or ()) | env_dump if not isinstance(dump, str) else {dump}
        self.dump_to = dump_to or (lambda text: print(text, file=sys.stderr))
        self.timings: list = []

    def run(self, lowered: Lowered, until: Optional[str] = None) -> Lowered:
        ran: list[str] = []
        for name, fn in self.pipeline:
            if name in self.disabled:
                continue
            before = len(lowered.graph)
            start = time.perf_counter()
            try:
                lowered = fn(lowered)
                if self.verify:
                    verify_graph(lowered.graph)
            except OpError:
                raise  # a user's error (it names their node and line), not a pass bug
            except Exception as exc:
                raise PassError(f"pass '{name}' failed (after: {', '.join(ran) or 'none'}): "
                                f"{type(exc).__name__}: {exc}") from exc
            self.timings.append((name, time.perf_counter() - start, before, len(lowered.graph)))
            ran.append(name)
            if "all" in self.dump or name in self.dump:
                self.dump_to(format_graph(lowered.graph, title=f"after {name}"))
            if name == until:
                break
        return lowered

    def plan(self, lowered: Lowered) -> Plan:
        """The pipeline run over `lowered`, frozen: the Plan a backend compiles."""
        return freeze(self.run(lowered))
