"""Stage 5 of the llvm backend, the host target that cache.py compiles for: one LLVM
target machine with the CPU's own name and features, the new pass manager at -O3 with
loop and SLP vectorisation, and MCJIT engines.

Nothing about the CPU is hard-coded: the name and the feature string come from LLVM's
host detection, and both go into `Host.fingerprint`, which keys the code caches, so an
object compiled for AVX-512 is never loaded on an AVX2 machine.
"""
from __future__ import annotations

import ctypes.util
import functools
import os
import threading

import llvmlite
import llvmlite.binding as llvm

from graphc.ir.compiler_thread import on_compiler_thread


class Host:
    """The process-wide target: created once, shared by every compiled plan."""

    def __init__(self) -> None:
        llvm.initialize_native_target()
        llvm.initialize_native_asmprinter()
        self.triple = llvm.get_process_triple()
        self.cpu = llvm.get_host_cpu_name()
        self.features = llvm.get_host_cpu_features().flatten()
        if "+avx512f" in self.features.split(","):
            # Let the vectorisers use the full 512-bit registers (LLVM's Intel tuning
            # prefers 256 bits): about 1.5x on transcendental-heavy loops here.
            self.features += ",-prefer-256-bit"
        self.cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") \
            else (os.cpu_count() or 1)
        _load_libc()
        self.machine = self.new_machine()
        self.data_layout = str(self.machine.target_data)
        self.fingerprint = "|".join((
            "llvmlite " + llvmlite.__version__,
            "LLVM " + ".".join(map(str, llvm.llvm_version_info)),
            self.triple, self.cpu, self.features, f"{self.cores} cores"))
        self.lock = threading.Lock()  # LLVM's JIT objects are not thread-safe
        self.blas = _load_blas()
        self.blas_threads = BlasThreads(self.blas)
        from .threadpool import ThreadPool  # (its module needs this target to compile)
        self.pool = ThreadPool(self)

    def new_machine(self):
        """A target machine for this CPU. Each MCJIT engine takes ownership of (and frees)
        the machine it is given, so every engine gets its own."""
        target = llvm.Target.from_triple(self.triple)
        return target.create_target_machine(
            cpu=self.cpu, features=self.features, opt=3, reloc="default",
            codemodel="jitdefault")

    def optimize(self, module: "llvm.ModuleRef") -> None:
        """-O3 with the loop and SLP vectorisers, tuned for this machine."""
        pto = llvm.create_pipeline_tuning_options(speed_level=3)
        pto.loop_vectorization = True
        pto.slp_vectorization = True
        # No unrolling: vectorised loops interleave anyway, and it doubles compile time.
        pto.loop_unrolling = False
        pb = llvm.create_pass_builder(self.machine, pto)
        pm = pb.getModulePassManager()
        pm.run(module, pb)

    def parse(self, llvm_ir: str) -> "llvm.ModuleRef":
        module = llvm.parse_assembly(llvm_ir)
        module.triple = self.triple
        module.data_layout = self.data_layout
        module.verify()
        return module

    def engine(self, module: "llvm.ModuleRef", object_code: bytes | None = None):
        """An MCJIT engine holding `module` (or, when given, its cached object code)."""
        if object_code is not None:
            engine = llvm.create_mcjit_compiler(self.parse(_EMPTY_MODULE), self.new_machine())
            engine.add_object_file(llvm.ObjectFileRef.from_data(object_code))
        else:
            engine = llvm.create_mcjit_compiler(module, self.new_machine())
        engine.finalize_object()
        return engine

    def emit_object(self, module: "llvm.ModuleRef") -> bytes:
        return self.machine.emit_object(module)

    def emit_assembly(self, module: "llvm.ModuleRef") -> str:
        return self.machine.emit_assembly(module)


def _load_libc() -> None:
    """pthread_create/join and libm for JIT code: make the C library's symbols visible."""
    for name in ("c", "m"):
        path = ctypes.util.find_library(name)
        if path:
            llvm.load_library_permanently(path)


def _load_blas() -> str | None:
    """Make the OpenBLAS numpy ships (ILP64 `scipy_cblas_*64_` symbols) visible to JIT code.

    Returns its path, or None when this numpy has no such library (matmul then runs
    through numpy)."""
    import glob
    import os

    import numpy as np
    libs = os.path.join(os.path.dirname(os.path.dirname(np.__file__)), "numpy.libs")
    for path in sorted(glob.glob(os.path.join(libs, "libscipy_openblas64_*.so*"))):
        llvm.load_library_permanently(path)
        if llvm.address_of_symbol("scipy_cblas_sgemm64_"):
            return path
    return None


class BlasThreads:
    """One thread pool at a time: while a plan runs whose kernels call BLAS, OpenBLAS runs
    single-threaded and graphc's pool splits the calls (threadpool.py); else OpenBLAS's
    workers, spinning after each call, would compete with the pool's for the cores. The
    first such run saves OpenBLAS's thread count and sets 1; the last one to finish
    restores it (numpy's own matmuls between runs keep their threads). Runs on several
    Python threads nest through a counter."""

    def __init__(self, path: str | None) -> None:
        self.lock = threading.Lock()
        self.depth = 0
        self.saved = 1
        self._get = self._set = None
        if path is not None:
            lib = ctypes.CDLL(path)  # the library numpy already loaded: same state
            get = getattr(lib, "scipy_openblas_get_num_threads64_", None)
            set_ = getattr(lib, "scipy_openblas_set_num_threads64_", None)
            if get is not None and set_ is not None:
                get.restype, get.argtypes = ctypes.c_int, []
                set_.restype, set_.argtypes = None, [ctypes.c_int]
                self._get, self._set = get, set_

    @property
    def available(self) -> bool:
        return self._set is not None

    def __enter__(self) -> "BlasThreads":
        if self._set is not None:
            with self.lock:
                if self.depth == 0:
                    self.saved = self._get()
                    if self.saved != 1:
                        self._set(1)
                self.depth += 1
        return self

    def __exit__(self, *exc) -> None:
        if self._set is not None:
            with self.lock:
                self.depth -= 1
                if self.depth == 0 and self.saved != 1:
                    self._set(self.saved)


_EMPTY_MODULE = "; empty module holding cached object code\n"


@functools.lru_cache(maxsize=None)
def host() -> Host:
    # (made on a compiler thread: it JIT-compiles the thread pool's module, and LLVM's
    # passes want more stack than the caller's thread may have: ir/compiler_thread.py)
    return on_compiler_thread(Host)
