"""`tf.sysconfig` and the version facts (`tf.VERSION`, `tf.COMPILER_VERSION`, ...), with
graphc's own values.

graphc compiles its kernels at run time with llvmlite, so its "compiler" is the LLVM that
llvmlite carries; it has no C++ headers or shared library for custom ops: `get_include`
and `get_lib` name graphc's package directory, and the compile and link flags are empty.
"""
from __future__ import annotations

import os

_PACKAGE = os.path.dirname(os.path.abspath(__file__))


def get_include() -> str:
    """graphc's package directory (graphc has no C++ headers)."""
    return _PACKAGE


def get_lib() -> str:
    """graphc's package directory (graphc has no shared library of its own)."""
    return _PACKAGE


def get_compile_flags() -> list:
    """No flags: graphc takes no compiled custom ops."""
    return []


def get_link_flags() -> list:
    """No flags: graphc takes no compiled custom ops."""
    return []


def get_build_info() -> dict:
    """What graphc was built with: no CUDA or ROCm, kernels JIT-compiled by LLVM."""
    return {"is_cuda_build": False, "is_rocm_build": False, "is_tensorrt_build": False,
            "compiler": compiler_version()}


def compiler_version() -> str:
    """The code generator graphc compiles kernels with: llvmlite and its LLVM."""
    try:
        import llvmlite
        from llvmlite import binding
        llvm = ".".join(str(v) for v in binding.llvm_version_info)
        return f"llvmlite {llvmlite.__version__} (LLVM {llvm})"
    except Exception:  # noqa: BLE001  (llvmlite missing: numpy backend only)
        return "none (numpy backend only; llvmlite is not installed)"

