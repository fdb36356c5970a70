"""The llvm backend's stages, run in order for one Plan: `compile_plan` lowers it
(lowering.py, filling the buffer plan of buffers.py), lays out the arena, emits one LLVM
module with a function per native segment (segments.py, over the kernel emitters),
JIT-compiles it or loads its object code from the cache (cache.py, target.py), and hands
the result to the runtime as a complete LLVMExecutable (runtime.py).
"""
from __future__ import annotations

import os
import time

from typing import Optional

from graphc.ir.runtime import GraphRunner, RuntimeState
from graphc.ir.symbolic import SymbolicDimError, is_symbolic
from . import guard
from .buffers import arena_buffers, plan_arena
from .irutil import DIMS_BYTES
from .cache import jit_module
from .lowering import Lowering, segments
from .runtime import SEGMENT, LLVMExecutable, Profile
from .segments import emit_segments
from .tracing import step_segments

LAST_COMPILE = {"lower": 0.0, "jit": 0.0}  # seconds, of the most recent compile_plan


def compile_plan(plan, state: RuntimeState, validate: bool = False,
                 profile: bool = False, observed: bool = False,
                 functions: Optional[GraphRunner] = None) -> LLVMExecutable:
    """`profile`: count every kernel's cycles (as GRAPHC_PROFILE=1); `observed`: one
    native segment per step, so `run_observed` sees every step's results (tracing.py);
    `functions`: what runs the graphs the plan's If, While and dataset nodes hold."""
    start = time.perf_counter()
    lowering = Lowering(plan)
    symbols = plan_symbols(plan)
    arena_size = plan_arena(lowering.steps, lowering.buffer_plan.buffers,
                            DIMS_BYTES if symbols else 0, guard.GUARD if guard.ENABLED else 0)
    guards = guard.Guards(arena_buffers(lowering.steps, lowering.buffer_plan.buffers),
                          len(symbols), DIMS_BYTES) if guard.ENABLED else None
    native, schedule = segments(lowering.steps)
    if observed:
        native, schedule = step_segments(native, schedule)
    profile = profile or bool(os.environ.get("GRAPHC_PROFILE"))
    profile_slot = lowering.buffer_plan.new_slot() if profile else -1
    emitted = emit_segments(native, lowering.buffer_plan.buffers, profile_slot, symbols)
    text = str(emitted.module)  # rendered once: the cache's key, the JIT's input, module_text
    jit_start = time.perf_counter()
    engine, addresses = jit_module(emitted.module, emitted.names, text)
    LAST_COMPILE["lower"] = jit_start - start
    LAST_COMPILE["jit"] = time.perf_counter() - jit_start
    calls = [SEGMENT(a) for a in addresses]
    schedule = [("native", calls[i]) if kind == "native" else (kind, i)
                for kind, i in schedule]
    profile = Profile(emitted.profiled, profile_slot) if profile_slot >= 0 else None
    return LLVMExecutable(plan, state, lowering, schedule, engine, arena_size,
                          emitted.error_sites, text, profile, validate,
                          symbols, guards, functions)


def plan_symbols(plan) -> tuple:
    """The names of the plan's symbolic dims (its feeds' shapes hold them), in the order
    of the run's dims array; () for a plan of static shapes."""
    names = set()
    for t in plan.feeds:
        for d in t.shape.as_tuple() or ():
            if is_symbolic(d):
                names |= d.symbols
    if len(names) * 8 > DIMS_BYTES:
        raise SymbolicDimError(f"{len(names)} symbolic dims in one plan")
    return tuple(sorted(names))
