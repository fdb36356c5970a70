"""Which backends exist and how a Session picks one (GRAPHC_BACKEND=numpy|llvm)."""
from __future__ import annotations

import os
from typing import Optional

AVAILABLE = ("numpy", "llvm")


def default() -> str:
    """llvm where llvmlite can target this CPU, else the numpy interpreter."""
    from .backends.llvm import available
    return "llvm" if available() else "numpy"


def resolve(name: Optional[str]) -> str:
    name = name or os.environ.get("GRAPHC_BACKEND") or default()
    name = name.lower()
    if name not in AVAILABLE:
        raise ValueError(f"Unknown graphc backend {name!r}; available: {', '.join(AVAILABLE)}"
                         " (set GRAPHC_BACKEND or Session(backend=...)).")
    if name == "llvm":
        from .backends.llvm import available
        if not available():
            raise ValueError("the llvm backend needs llvmlite with a native target; use "
                             "backend='numpy' (GRAPHC_BACKEND=numpy)")
    return name


def configure_threads(backend: str, config) -> None:
    """A Session's ConfigProto: intra_op_parallelism_threads sizes the llvm backend's
    thread pool (the first Session to set it before the pool starts; see
    backends/llvm/threadpool.py). inter_op_parallelism_threads is accepted: one run is one
    native call, there are no independent ops to schedule across threads."""
    if backend != "llvm":
        return
    from .backends.llvm.threadpool import threads_from_env
    threads_from_env()  # a malformed GRAPHC_THREADS is an error here, naming it
    intra = getattr(config, "intra_op_parallelism_threads", 0) or 0
    if intra:
        from .backends.llvm.target import host
        host().pool.configure(int(intra))


def compile(backend: str, plan, state, functions=None, validate: bool = False,
            observed: bool = False, profile: bool = False):
    """`plan` (an ir.plan.Plan) compiled for `backend` over `state`, the graphs its nodes
    hold run by `functions` (an ir.runtime.GraphRunner: the Session's FunctionRunner).
    `observed`: an executable whose `run_observed` reports every op (the numpy
    interpreter's always can); `profile`: llvm kernels count their cycles
    (`executable.profile`)."""
    if backend == "numpy":
        from .backends.numpy import compile_plan
        return compile_plan(plan, state, validate=validate, functions=functions)
    if backend == "llvm":
        from .backends.llvm import compile_plan
        return compile_plan(plan, state, validate=validate, observed=observed,
                            profile=profile, functions=functions)
    raise ValueError(f"Unknown backend {backend!r}")
