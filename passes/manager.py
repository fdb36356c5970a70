"""The pass manager: a plain, named list of Plan -> Plan passes.

Each pass can be disabled by name (constructor, or GRAPHC_DISABLE_PASSES=cse,simplify), is
timed (`timings`: name, seconds, nodes before, nodes after), can dump the graph after it
(`dump` or GRAPHC_DUMP_PASSES=all|name,...), and is followed by the verifier when
`verify` is on (or GRAPHC_DEBUG is set). A pass that raises is reported with its name and
the passes that ran before it.
"""
from __future__ import annotations

import os
import sys
import threading
import time
import warnings
from typing import Callable, Iterable, Optional

from graphc.ir.errors import OpError
from graphc.ir.printer import format_graph
from graphc.ir.verify import verify as verify_graph
from .cse import cse
from .fold import fold_constants
from .fuse import fuse
from .fuse_conv import fuse_conv
from .plan import Plan, rebuild
from .prune import build_program
from .simplify import simplify


def prune(plan: Plan) -> Plan:
    """Keep only what the fetches and targets need (data, control and state edges)."""
    program = build_program(plan.fetches, plan.targets, plan.feeds)
    keep = set(program.nodes) | {t.op for t in plan.feeds}
    for op in program.nodes:  # variables named by assignments (ref inputs)
        for i in op.opdef.ref_inputs:
            keep.add(op.inputs[i].op)
    return rebuild(plan, keep=keep)


DEFAULT_PIPELINE: tuple = (
    ("prune", prune),
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

    def run(self, plan: Plan, until: Optional[str] = None) -> Plan:
        ran: list[str] = []
        for name, fn in self.pipeline:
            if name in self.disabled:
                continue
            before = len(plan.graph)
            start = time.perf_counter()
            try:
                plan = fn(plan)
                if self.verify:
                    verify_graph(plan.graph)
            except OpError:
                raise  # a user's error (it names their node and line), not a pass bug
            except Exception as exc:
                raise PassError(f"pass '{name}' failed (after: {', '.join(ran) or 'none'}): "
                                f"{type(exc).__name__}: {exc}") from exc
            self.timings.append((name, time.perf_counter() - start, before, len(plan.graph)))
            ran.append(name)
            if "all" in self.dump or name in self.dump:
                self.dump_to(format_graph(plan.graph, title=f"after {name}"))
            if name == until:
                break
        return plan
