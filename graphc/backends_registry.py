"""Which backends exist and how a Session picks one (GRAPHC_BACKEND=numpy|llvm)."""
from __future__ import annotations

import os
from typing import Optional

AVAILABLE = ("numpy",)


def resolve(name: Optional[str]) -> str:
    name = name or os.environ.get("GRAPHC_BACKEND") or "numpy"
    name = name.lower()
    if name not in AVAILABLE:
        raise ValueError(f"Unknown graphc backend {name!r}; available: {', '.join(AVAILABLE)}"
                         " (set GRAPHC_BACKEND or Session(backend=...)).")
    return name


def compile(backend: str, program, state, validate: bool = False):
    if backend == "numpy":
        from .backends.numpy import compile_program
        return compile_program(program, state, validate=validate)
    raise ValueError(f"Unknown backend {backend!r}")
