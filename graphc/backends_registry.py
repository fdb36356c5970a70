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


def compile(backend: str, program, state, validate: bool = False, observed: bool = False,
            profile: bool = False):
    """`program` compiled for `backend`. `observed`: an executable whose `run_observed`
    reports every op (the numpy interpreter's always can); `profile`: llvm kernels count
    their cycles (`executable.profile`)."""
    if backend == "numpy":
        from .backends.numpy import compile_program
        return compile_program(program, state, validate=validate)
    if backend == "llvm":
        from .backends.llvm import compile_program
        return compile_program(program, state, validate=validate, observed=observed,
                               profile=profile)
    raise ValueError(f"Unknown backend {backend!r}")
