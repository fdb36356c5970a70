"""How graphc's kernels split across the process's thread pool (threadpool.py).

Used by two stages. Lowering asks `planned_threads` for kernels whose scratch depends on
the number of chunks (per-chunk patch buffers and partial sums of convolutions); module
emission calls `emit_call`, which hands every splittable kernel (`Kernel.splittable`) to
the pool's `graphc_parallel_for` with its extent and work: the pool runs a small one
inline (a test and a call), and splits a larger one into chunks its threads claim. A
dispatch to the pool's waiting threads costs a few microseconds, so kernels split from
threadpool.MIN_WORK work units on. Matmuls split here too, with the BLAS on one thread
per pool thread meanwhile (target.BlasThreads): never more busy threads than the pool's.
"""
from __future__ import annotations

from llvmlite import ir

from graphc.ir.symbolic import hint_of, is_symbolic
from . import irutil as U
from .pool_ir import DISPATCH, DISPATCH_TYPE
from .target import host
from .threadpool import MIN_WORK


def pool_threads() -> int:
    """Threads of the process's pool (GRAPHC_THREADS, intra_op_parallelism_threads)."""
    return host().pool.threads


def planned_threads(work: int, extent: int, blas: bool = False) -> int:
    """Chunks for a kernel whose scratch is per chunk (the lowering sizes it): one per
    pool thread when the kernel is large. One that calls BLAS splits only where BLAS's
    own threads can be turned off meanwhile."""
    if blas and not host().blas_threads.available:
        return 1
    n = pool_threads()
    # (a symbolic work or extent is judged at the size the plan was compiled for)
    if n <= 1 or hint_of(work) < MIN_WORK or hint_of(extent) < 2:
        return 1
    return n if is_symbolic(extent) else min(n, extent)


def emit_call(b: ir.IRBuilder, kfn: ir.Function, args, k) -> ir.Value:
    """Call kernel `k` over its whole extent: directly when it cannot split or is small
    for certain, else through the pool (which decides at run time). Returns the kernel's
    status (split kernels cannot fail: see Kernel.splittable)."""
    extent = U.dim(b, k.extent)  # (symbolic extents and work: values of the run's dims)
    static = not is_symbolic(k.work) and not is_symbolic(k.extent) and \
        not isinstance(k.work, ir.Value) and not isinstance(k.extent, ir.Value)
    small = static and (k.work < MIN_WORK and not k.threads or k.extent < 2)
    if not k.splittable or small or k.threads == 1:
        return b.call(kfn, [args, ir.Constant(U.I64, 0), extent])
    dispatch = b.module.globals.get(DISPATCH)
    if dispatch is None:
        dispatch = ir.Function(b.module, DISPATCH_TYPE, name=DISPATCH)
    b.call(dispatch, [b.bitcast(kfn, DISPATCH_TYPE.args[0]), args, extent, U.dim(b, k.work),
                      ir.Constant(U.I64, k.threads if k.threads > 1 else 0)])
    return ir.Constant(U.I32, 0)


def chunk_size(b: ir.IRBuilder, extent, n: int) -> ir.Value:
    """ceil(extent / n): the iterations per chunk when `emit_call` splits `extent` in `n`
    (a value computed at run time when the extent is symbolic: ir/symbolic.py). Kernels
    that own per-chunk scratch find theirs as lo // chunk_size."""
    if not is_symbolic(extent):
        return ir.Constant(U.I64, -(-extent // n))
    return b.sdiv(b.add(U.dim(b, extent), ir.Constant(U.I64, n - 1)), ir.Constant(U.I64, n))

