"""The llvm backend: fused, vectorised CPU kernels JIT-compiled with llvmlite."""
from __future__ import annotations


def available() -> bool:
    """True when llvmlite imports and can target this CPU."""
    try:
        from .target import host
        host()
    except Exception:  # noqa: BLE001 - any failure means "use numpy"
        return False
    return True


def compile_program(program, state, validate: bool = False):
    from .executable import compile_program as _compile
    return _compile(program, state, validate=validate)
