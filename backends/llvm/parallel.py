"""The llvm backend's thread pool: how many threads a kernel runs on, and the native code
that splits its outermost loop across them.

Used by two stages. Lowering asks `planned_threads` for kernels whose scratch depends on
the thread count (per-thread patch buffers and partial sums of convolutions, matmuls
split by graphc); module emission calls `emit_call`, which splits any other large,
splittable kernel (`Kernel.splittable`) into one chunk per core: the extra chunks on
pthreads started from native code, the first on the calling thread. There is no pool
object to start or stop: threads live for one kernel call, which costs ~40-80 us each, so
only kernels of at least PARALLEL_WORK work units are split. BLAS's own threads and
graphc's never run at once (target.BlasThreads).
"""
from __future__ import annotations

from llvmlite import ir

from graphc.ir.symbolic import hint_of, is_symbolic
from . import irutil as U
from .target import host

PARALLEL_WORK = 1 << 22  # work units: below this, starting a thread (~40-80 us) costs more


def planned_threads(work: int, extent: int, blas: bool = False) -> int:
    """Threads for a kernel the lowering splits itself (it sizes scratch by the count); one
    that calls BLAS splits only where BLAS's own threads can be turned off meanwhile."""
    cores = host().cores
    if blas and not host().blas_threads.available:
        return 1
    return cores if cores > 1 and hint_of(work) >= PARALLEL_WORK and hint_of(extent) >= 2 \
        else 1


def call_threads(k) -> int:
    """Threads `emit_call` splits kernel `k` across."""
    n = host().cores
    if k.threads:  # decided by the lowering; the kernel's scratch depends on it
        return k.threads if n > 1 else 1
    # (a symbolic work or extent is judged at the size the plan was compiled for)
    if n <= 1 or not k.splittable or hint_of(k.work) < PARALLEL_WORK or \
            hint_of(k.extent) < 2 * n:
        return 1
    return n


def _trampoline(module: ir.Module) -> ir.Function:
    """void *graphc_task(void *task): run kernel(args, lo, hi) for a pthread."""
    fn = module.globals.get("graphc_task")
    if fn is not None:
        return fn
    kty = ir.FunctionType(U.I32, [U.PTR.as_pointer(), U.I64, U.I64]).as_pointer()
    task = ir.LiteralStructType([kty, U.PTR.as_pointer(), U.I64, U.I64])
    fn = ir.Function(module, ir.FunctionType(U.PTR, [U.PTR]), name="graphc_task")
    fn.linkage = "internal"
    b = ir.IRBuilder(fn.append_basic_block("entry"))
    t = b.bitcast(fn.args[0], task.as_pointer())
    field = [b.load(b.gep(t, [ir.Constant(U.I32, 0), ir.Constant(U.I32, i)]))
             for i in range(4)]
    b.call(field[0], field[1:])
    b.ret(ir.Constant(U.PTR, None))
    fn.task_type = task
    return fn


def emit_call(b: ir.IRBuilder, kfn: ir.Function, args, k) -> ir.Value:
    """Call kernel `k` over its whole extent, split across the cores when it is large:
    one chunk per extra core on a pthread, the first chunk on the calling thread. A
    thread that cannot be started runs its chunk inline (same result, less parallel).
    Returns the kernel's status (split kernels cannot fail: see Kernel.splittable)."""
    n = call_threads(k)
    if n == 1:
        return b.call(kfn, [args, ir.Constant(U.I64, 0), U.dim(b, k.extent)])
    module = b.module
    tramp = _trampoline(module)
    task_t = tramp.task_type
    create = U.intrinsic(module, "pthread_create", U.I32,
                         [U.I64.as_pointer(), U.PTR, tramp.type, U.PTR])
    join = U.intrinsic(module, "pthread_join", U.I32, [U.I64, U.PTR.as_pointer()])
    bounds = _chunks(b, k.extent, n)
    started = []
    for lo, hi in bounds[1:]:
        task = b.alloca(task_t)
        for i, v in enumerate((kfn, args, lo, hi)):
            b.store(v, b.gep(task, [ir.Constant(U.I32, 0), ir.Constant(U.I32, i)]))
        tid = b.alloca(U.I64)
        rc = b.call(create, [tid, ir.Constant(U.PTR, None), tramp, b.bitcast(task, U.PTR)])
        failed = b.icmp_signed("!=", rc, ir.Constant(U.I32, 0))
        with b.if_then(failed):
            b.call(kfn, [args, lo, hi])
        started.append((tid, failed))
    b.call(kfn, [args, bounds[0][0], bounds[0][1]])
    for tid, failed in started:
        with b.if_then(b.not_(failed)):
            b.call(join, [b.load(tid), ir.Constant(U.PTR.as_pointer(), None)])
    return ir.Constant(U.I32, 0)


def chunk_size(b: ir.IRBuilder, extent, n: int) -> ir.Value:
    """ceil(extent / n): the iterations per chunk when `emit_call` splits `extent` in `n`
    (a value computed at run time when the extent is symbolic: ir/symbolic.py). Kernels
    that own per-chunk scratch find theirs as lo // chunk_size."""
    if not is_symbolic(extent):
        return ir.Constant(U.I64, -(-extent // n))
    return b.sdiv(b.add(U.dim(b, extent), ir.Constant(U.I64, n - 1)), ir.Constant(U.I64, n))


def _chunks(b: ir.IRBuilder, extent, n: int) -> list:
    """[lo, hi) of the `n` chunks of [0, extent) as i64 values: lo = i * chunk (past the
    end for an empty chunk, which still has its own index), hi clamped to the extent."""
    if not is_symbolic(extent):
        chunk = -(-extent // n)
        return [(ir.Constant(U.I64, i * chunk), ir.Constant(U.I64, min((i + 1) * chunk, extent)))
                for i in range(n)]
    total, chunk = U.dim(b, extent), chunk_size(b, extent, n)
    bounds = []
    for i in range(n):
        end = b.mul(chunk, ir.Constant(U.I64, i + 1))
        bounds.append((b.mul(chunk, ir.Constant(U.I64, i)),
                       b.select(b.icmp_signed("<", end, total), end, total)))
    return bounds
