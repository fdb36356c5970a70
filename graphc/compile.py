"""From the user's graph to an executable: the one compile path of every run.

The Session compiles a run's fetches this way (graphc/session.py), and the function
runner compiles the graphs of If and While nodes the same way (graphc/functions.py), so a
loop body is optimised and lowered exactly as a top-level run is. Both call down into
this module; it calls down into passes and the backends, and nothing here knows who asked.
"""
from __future__ import annotations

from . import backends_registry
from .ir.compiler_thread import on_compiler_thread
from .ir.symbolic import compiling
from .passes import build_program
from .passes.lower import lower


def compile_plan(fetches, targets, feeds, specs, pass_manager, backend, state, functions,
                 validate):
    """Prune to what `fetches` and `targets` need, lower that into a graph of its own
    specialised to the feed shapes and dtypes `specs`, run the pass pipeline, which
    freezes the result into the run's Plan (ir/plan.py), and compile the Plan with
    `backend` (the executable keeps it as `executable.plan`) over `state`, its nodes'
    graphs run by `functions` (the Session's FunctionRunner). On a compiler thread
    (ir/compiler_thread.py: the caller's stack may be too small for LLVM's)."""
    return on_compiler_thread(_compile_plan, fetches, targets, feeds, specs, pass_manager,
                              backend, state, functions, validate)


def _compile_plan(fetches, targets, feeds, specs, pass_manager, backend, state, functions,
                  validate):
    program = build_program(fetches, targets, feeds)
    with compiling():  # (inference refuses to guess symbolic dims' values: ir/symbolic)
        plan = pass_manager.plan(lower(program, specs))
    return backends_registry.compile(backend, plan, state, functions, validate=validate)


def compile_variant(executable, state, functions, validate: bool, observed: bool = False,
                    profile: bool = False):
    """`executable`'s plan compiled again by its backend: `observed`, to report every
    op it runs (traced and checked runs, graphc/run_metadata.py); `profile`, to count
    its native kernels' cycles (graphc/profiler.py)."""
    return on_compiler_thread(backends_registry.compile, executable.backend, executable.plan,
                              state, functions, validate=validate, observed=observed,
                              profile=profile)
