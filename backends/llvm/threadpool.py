"""The process's one thread pool: native workers that split graphc's kernels (and, with the
BLAS set to one thread, its matmuls) across the cores.

The pool is LLVM IR of its own, JIT-compiled once per process when the host target is made
(target.py), before any plan: plans call `graphc_parallel_for(kernel, args, extent, work,
chunks)` by name (llvm.add_symbol), as they call the C library. Nothing starts until the
first kernel large enough to split: that call starts `threads - 1` detached pthreads, and
the calling thread is the pool's last member. A call

- runs the kernel inline when it is small (work below `min_work`), when the pool has one
  thread, or when another thread's call holds the pool (several Python threads running
  sessions at once each go on alone: never more busy threads than the pool has);
- else publishes the task (a new generation number), wakes sleeping workers, and takes
  chunks itself. Chunks are claimed from a ticket that carries the generation, so a
  worker that wakes late for a finished call never runs a chunk of the next one, and a
  worker the OS descheduled before claiming anything costs nothing: the others take its
  chunks. The caller returns when every chunk has run.

Waiting is bounded spinning (`spin` iterations of the CPU's pause, ~50 us), then a
condition variable: a worker between kernels sleeps in pthread_cond_wait, not on a core.
The machine code is never freed (the engine is detached), so a worker asleep at
interpreter exit cannot wake into unmapped memory; the threads end with the process.

A forked child has no workers: `os.register_at_fork` resets the pool's state in the child
(whatever lock a parent thread held at the fork included), and the child's first large
kernel starts a pool of its own.

Thread count: `tf.config.threading.set_intra_op_parallelism_threads(n)` (any time before
the workers start; after, a change is TF's RuntimeError), else
`ConfigProto(intra_op_parallelism_threads=n)` of the first Session that sets it before the
pool starts (TF1: the process's intra-op pool is made once, and a later session's setting
is ignored), else GRAPHC_THREADS, else one per core (0 in any of them means automatic);
never more than the cores this process may use. `requested` is the count asked for (0:
automatic), which `get_intra_op_parallelism_threads` returns, as TF's does.
"""
from __future__ import annotations

import ctypes
import os
import signal
import threading
import time

import llvmlite.binding as llvm
from llvmlite import ir

I1, I32, I64 = ir.IntType(1), ir.IntType(32), ir.IntType(64)
PTR = ir.PointerType(ir.IntType(8))
VOID = ir.VoidType()
KERNEL = ir.FunctionType(I32, [PTR.as_pointer(), I64, I64]).as_pointer()
DISPATCH = "graphc_parallel_for"
DISPATCH_TYPE = ir.FunctionType(VOID, [KERNEL, PTR.as_pointer(), I64, I64, I64])

# Kernel work units (elements loaded and stored) below which a kernel runs inline. The
# value is where a split's gain (half the kernel's time, on two threads) first clearly
# exceeds what a dispatch costs: to spinning workers ~0.5 us on a quiet machine (a loop of
# 16 elements, 0.01 us inline, 0.53 us through the pool), against ~9 us for 32K elements
# of a simple loop. benchmarks/pool_threshold.py measures the trade-off per kernel kind
# (inline against split at the threshold, interleaved, the cycle counter around the
# call). On a 2-core machine at load average 11-13 (other jobs' test suites) it found no
# size that argues for a lower value: the best split call costs ~250 cycles more than
# inline for 1K-8K elements (2-3 thousand work units), and in the median a split below
# ~200K work units waits ~20 us for the other thread (a woken worker's first chunk, 10-60x
# a small kernel); from ~200K (muladd, tanh chain, row sums) split and inline are within
# 5% in the median and splitting wins up to 40% in the best case; a memory-bound add
# never wins there. A loaded machine thus favours a higher threshold, a quiet one a lower:
# the value stays until a quiet machine's run of that script says otherwise.
MIN_WORK = 1 << 15
CHUNKS_PER_THREAD = 4  # a slow (descheduled) thread holds up at most a quarter of its share
SPIN_SECONDS = 50e-6  # spin this long before sleeping (a worker between kernels, the caller)
SYNC_BYTES = 256  # room for a pthread_mutex_t / pthread_cond_t on any platform


def _int(value: int, ty=I32) -> ir.Constant:
    return ir.Constant(ty, value)


class _Emitter:
    """The pool's module: its state (globals) and its functions."""

    def __init__(self, triple: str, faults: tuple = ()) -> None:
        self.faults = faults  # signals a worker must not block (a fault has to be reported)
        m = self.module = ir.Module(name="graphc_pool")
        m.triple = triple
        self.g = {}
        for name, ty in (("gen", I32), ("ticket", I64), ("limit", I64), ("remaining", I32),
                         ("sleepers", I32), ("main_waiting", I32), ("busy", I32),
                         ("workers", I32), ("threads", I32), ("spin", I32),
                         ("min_work", I64), ("sig_block", I32), ("task_fn", KERNEL),
                         ("task_args", PTR.as_pointer()), ("task_extent", I64),
                         ("task_chunk", I64), ("mutex", ir.ArrayType(I64, SYNC_BYTES // 8)),
                         ("cv_work", ir.ArrayType(I64, SYNC_BYTES // 8)),
                         ("cv_done", ir.ArrayType(I64, SYNC_BYTES // 8))):
            gv = ir.GlobalVariable(m, ty, name="graphc_pool_" + name)
            gv.initializer = ir.Constant(ty, None)
            gv.align = 64  # one cache line each: workers poll some, the caller writes others
            self.g[name] = gv
        # The CPU's spin-wait hint (no inline asm: the JIT has no asm parser)
        arch = triple.split("-")[0]
        if arch in ("x86_64", "i386", "i686"):
            self.pause = (ir.Function(m, ir.FunctionType(VOID, []), "llvm.x86.sse2.pause"), [])
        elif arch.startswith("aarch64"):
            self.pause = (ir.Function(m, ir.FunctionType(VOID, [I32]), "llvm.aarch64.hint"),
                          [_int(1)])  # YIELD
        else:
            self.pause = None
        self.c = {}
        for name, ret, args in (
                ("pthread_mutex_init", I32, [PTR, PTR]), ("pthread_cond_init", I32, [PTR, PTR]),
                ("pthread_mutex_lock", I32, [PTR]), ("pthread_mutex_unlock", I32, [PTR]),
                ("pthread_cond_wait", I32, [PTR, PTR]), ("pthread_cond_signal", I32, [PTR]),
                ("pthread_cond_broadcast", I32, [PTR]), ("pthread_detach", I32, [I64]),
                ("sigfillset", I32, [PTR]), ("sigdelset", I32, [PTR, I32]),
                ("pthread_sigmask", I32, [I32, PTR, PTR])):
            self.c[name] = ir.Function(m, ir.FunctionType(ret, args), name=name)
        self.run_chunks = self._emit_run_chunks()
        self.worker = self._emit_worker()
        self.start = self._emit_start()
        self._emit_dispatch()
        self._emit_spin()

    # ------------------------------------------------------------ helpers
    def emit_pause(self, b) -> None:
        if self.pause is not None:
            b.call(*self.pause)

    def sync(self, b, name):
        return b.bitcast(self.g[name], PTR)

    def call_c(self, b, name, *args):
        return b.call(self.c[name], list(args))

    def load(self, b, name, order="seq_cst"):
        gv = self.g[name]
        return b.load_atomic(gv, order, gv.type.pointee.width // 8)

    def store(self, b, name, value, order="seq_cst"):
        gv = self.g[name]
        b.store_atomic(value, gv, order, gv.type.pointee.width // 8)

    def spin_until(self, b, ready, label):
        """Spin up to `spin` pauses while `ready(b)` (an i1) is false; leaves `b` after the
        loop and returns whether it became ready."""
        fn = b.function
        head = fn.append_basic_block(label + ".spin")
        body = fn.append_basic_block(label + ".pause")
        done = fn.append_basic_block(label + ".spun")
        limit = self.load(b, "spin", "monotonic")
        pre = b.block
        b.branch(head)
        b.position_at_end(head)
        i = b.phi(I32)
        i.add_incoming(_int(0), pre)
        ok = ready(b)
        more = b.and_(b.not_(ok), b.icmp_signed("<", i, limit))
        b.cbranch(more, body, done)
        b.position_at_end(body)
        self.emit_pause(b)
        i.add_incoming(b.add(i, _int(1)), body)
        b.branch(head)
        b.position_at_end(done)
        result = b.phi(I1)
        result.add_incoming(ok, head)
        return result

    def wait_until(self, b, ready, cv, counter, label):
        """Spin, then sleep on `cv` (under the pool's mutex, with the global `counter`
        raised while asleep so the waker knows to signal) until `ready(b)` holds."""
        spun = self.spin_until(b, ready, label)
        fn = b.function
        sleep = fn.append_basic_block(label + ".sleep")
        check = fn.append_basic_block(label + ".check")
        wait = fn.append_basic_block(label + ".wait")
        woke = fn.append_basic_block(label + ".woke")
        done = fn.append_basic_block(label + ".ready")
        b.cbranch(spun, done, sleep)
        b.position_at_end(sleep)
        self.call_c(b, "pthread_mutex_lock", self.sync(b, "mutex"))
        b.atomic_rmw("add", self.g[counter], _int(1), "seq_cst")
        b.branch(check)
        b.position_at_end(check)
        b.cbranch(ready(b), woke, wait)
        b.position_at_end(wait)
        self.call_c(b, "pthread_cond_wait", self.sync(b, cv), self.sync(b, "mutex"))
        b.branch(check)
        b.position_at_end(woke)
        b.atomic_rmw("sub", self.g[counter], _int(1), "seq_cst")
        self.call_c(b, "pthread_mutex_unlock", self.sync(b, "mutex"))
        b.branch(done)
        b.position_at_end(done)

    def wake(self, b, counter, cv, broadcast):
        """Signal `cv` if anyone counts as asleep on it (seq_cst: pairs with wait_until)."""
        with b.if_then(b.icmp_signed(">", self.load(b, counter), _int(0))):
            self.call_c(b, "pthread_mutex_lock", self.sync(b, "mutex"))
            self.call_c(b, "pthread_cond_broadcast" if broadcast else "pthread_cond_signal",
                        self.sync(b, cv))
            self.call_c(b, "pthread_mutex_unlock", self.sync(b, "mutex"))

    # ------------------------------------------------------------ functions
    def _emit_run_chunks(self) -> ir.Function:
        """void run_chunks(i32 gen): claim and run chunks of generation `gen` until none
        is left (or a newer generation has replaced it)."""
        fn = ir.Function(self.module, ir.FunctionType(VOID, [I32]), name="graphc_pool_chunks")
        fn.linkage = "internal"
        gen, = fn.args
        b = ir.IRBuilder(fn.append_basic_block("entry"))
        loop = fn.append_basic_block("claim")
        run = fn.append_basic_block("run")
        out = fn.append_basic_block("out")
        tag = b.shl(b.zext(gen, I64), _int(32, I64))
        mask = _int(0xFFFFFFFF, I64)
        limit = self.load(b, "limit")
        b.cbranch(b.icmp_unsigned("==", b.and_(limit, _int(~0xFFFFFFFF, I64)), tag), loop, out)
        b.position_at_end(loop)
        ticket = self.load(b, "ticket")
        mine = b.and_(b.icmp_unsigned("==", b.and_(ticket, _int(~0xFFFFFFFF, I64)), tag),
                      b.icmp_unsigned("<", b.and_(ticket, mask), b.and_(limit, mask)))
        claim = b.append_basic_block("cas")
        b.cbranch(mine, claim, out)
        b.position_at_end(claim)
        won = b.extract_value(b.cmpxchg(self.g["ticket"], ticket, b.add(ticket, _int(1, I64)),
                                        "seq_cst", "seq_cst"), 1)
        b.cbranch(won, run, loop)
        b.position_at_end(run)
        chunk = b.load(self.g["task_chunk"])
        lo = b.mul(b.and_(ticket, mask), chunk)
        hi = b.add(lo, chunk)
        extent = b.load(self.g["task_extent"])
        hi = b.select(b.icmp_signed("<", hi, extent), hi, extent)
        b.call(b.load(self.g["task_fn"]), [b.load(self.g["task_args"]), lo, hi])
        left = b.atomic_rmw("sub", self.g["remaining"], _int(1), "seq_cst")
        with b.if_then(b.icmp_signed("==", left, _int(1))):
            self.wake(b, "main_waiting", "cv_done", broadcast=False)
        b.branch(loop)
        b.position_at_end(out)
        b.ret_void()
        return fn

    def _emit_worker(self) -> ir.Function:
        """void *worker(void *gen0): block the signals (they belong to Python's threads;
        not the faults: a crash must still be reported), then forever: wait for a newer
        generation, run its chunks."""
        fn = ir.Function(self.module, ir.FunctionType(PTR, [PTR]), name="graphc_pool_worker")
        fn.linkage = "internal"
        b = ir.IRBuilder(fn.append_basic_block("entry"))
        sigset = b.alloca(ir.ArrayType(I64, 32))
        raw = b.bitcast(sigset, PTR)
        self.call_c(b, "sigfillset", raw)
        for sig in self.faults:
            self.call_c(b, "sigdelset", raw, _int(sig))
        self.call_c(b, "pthread_sigmask", self.load(b, "sig_block", "monotonic"), raw,
                    ir.Constant(PTR, None))
        seen0 = b.trunc(b.ptrtoint(fn.args[0], I64), I32)
        entry = b.block
        loop = fn.append_basic_block("loop")
        b.branch(loop)
        b.position_at_end(loop)
        seen = b.phi(I32)
        seen.add_incoming(seen0, entry)
        self.wait_until(b, lambda b: b.icmp_unsigned("!=", self.load(b, "gen"), seen),
                        "cv_work", "sleepers", "work")
        gen = self.load(b, "gen", "acquire")
        b.call(self.run_chunks, [gen])
        seen.add_incoming(gen, b.block)
        b.branch(loop)
        return fn

    def _emit_start(self) -> ir.Function:
        """i32 start(): the mutex and condition variables, then threads - 1 workers;
        returns how many started (the caller holds the pool)."""
        m = self.module
        create = ir.Function(m, ir.FunctionType(I32, [I64.as_pointer(), PTR,
                                                      self.worker.type, PTR]),
                             name="pthread_create")
        fn = ir.Function(m, ir.FunctionType(I32, []), name="graphc_pool_start")
        fn.linkage = "internal"
        b = ir.IRBuilder(fn.append_basic_block("entry"))
        null = ir.Constant(PTR, None)
        self.call_c(b, "pthread_mutex_init", self.sync(b, "mutex"), null)
        self.call_c(b, "pthread_cond_init", self.sync(b, "cv_work"), null)
        self.call_c(b, "pthread_cond_init", self.sync(b, "cv_done"), null)
        gen0 = b.inttoptr(b.zext(self.load(b, "gen"), I64), PTR)
        tid = b.alloca(I64)
        started = b.alloca(I32)
        b.store(_int(0), started)
        wanted = b.sub(self.load(b, "threads"), _int(1))
        with _counted(b, wanted):
            rc = b.call(create, [tid, null, self.worker, gen0])
            with b.if_then(b.icmp_signed("==", rc, _int(0))):
                self.call_c(b, "pthread_detach", b.load(tid))
                b.store(b.add(b.load(started), _int(1)), started)
        n = b.load(started)
        self.store(b, "workers", n)
        with b.if_then(b.icmp_signed("==", n, _int(0))):
            self.store(b, "threads", _int(1))  # no thread would start: stop asking
        b.ret(n)
        return fn

    def _emit_dispatch(self) -> None:
        """void graphc_parallel_for(kernel, args, extent, work, chunks): run
        kernel(args, lo, hi) over [0, extent). `chunks` > 0 fixes the split (the kernel's
        scratch is per chunk); 0 lets the pool choose."""
        fn = ir.Function(self.module, DISPATCH_TYPE, name=DISPATCH)
        kfn, args, extent, work, fixed = fn.args
        b = ir.IRBuilder(fn.append_basic_block("entry"))
        one = _int(1, I64)
        threads = b.zext(self.load(b, "threads", "monotonic"), I64)
        dynamic = b.icmp_signed("<=", fixed, _int(0, I64))
        small = b.or_(b.icmp_signed("<", work, self.load(b, "min_work", "monotonic")),
                      b.icmp_signed("<=", threads, one))
        with b.if_then(b.and_(dynamic, small)):
            b.call(kfn, [args, _int(0, I64), extent])
            b.ret_void()
        # chunks: fixed, or up to CHUNKS_PER_THREAD per thread (at least MIN_WORK/2 each)
        by_work = b.sdiv(work, b.lshr(self.load(b, "min_work", "monotonic"), one))
        want = b.mul(threads, _int(CHUNKS_PER_THREAD, I64))
        want = b.select(b.icmp_signed("<", by_work, want), by_work, want)
        want = b.select(b.icmp_signed("<", extent, want), extent, want)
        want = b.select(b.icmp_signed("<", want, one), one, want)
        chunks = b.select(dynamic, want, fixed)
        chunk = b.sdiv(b.add(extent, b.sub(chunks, one)), chunks)
        # A fixed split runs every chunk index, empty ones too (lo = i * chunk, as
        # parallel.chunk_size: a chunk owning scratch, a partial sum, still clears it);
        # a chosen one only as many chunks of at least one iteration as cover the extent.
        dyn_chunk = b.select(b.icmp_signed("<", chunk, one), one, chunk)
        dyn_chunks = b.sdiv(b.add(extent, b.sub(dyn_chunk, one)), dyn_chunk)
        dyn_chunks = b.select(b.icmp_signed("<", dyn_chunks, one), one, dyn_chunks)
        chunk = b.select(dynamic, dyn_chunk, chunk)
        chunks = b.select(dynamic, dyn_chunks, chunks)
        alone = b.or_(b.icmp_signed("<=", chunks, one), b.icmp_signed("<=", threads, one))
        inline = fn.append_basic_block("inline")
        claim = fn.append_basic_block("claim")
        pooled = fn.append_basic_block("pooled")
        b.cbranch(alone, inline, claim)
        b.position_at_end(claim)
        got = b.extract_value(b.cmpxchg(self.g["busy"], _int(0), _int(1), "acquire",
                                        "monotonic"), 1)
        b.cbranch(got, pooled, inline)
        b.position_at_end(inline)  # every chunk on this thread, in order
        with _counted(b, chunks, I64) as c:
            lo = b.mul(c, chunk)
            hi = b.add(lo, chunk)
            b.call(kfn, [args, lo, b.select(b.icmp_signed("<", hi, extent), hi, extent)])
        b.ret_void()
        b.position_at_end(pooled)
        with b.if_then(b.icmp_signed("==", self.load(b, "workers"), _int(0))):
            b.call(self.start, [])
        with b.if_then(b.icmp_signed("==", self.load(b, "workers"), _int(0))):
            self.store(b, "busy", _int(0), "release")
            b.branch(inline)
        b.store(kfn, self.g["task_fn"])
        b.store(args, self.g["task_args"])
        b.store(extent, self.g["task_extent"])
        b.store(chunk, self.g["task_chunk"])
        self.store(b, "remaining", b.trunc(chunks, I32))
        gen = b.add(self.load(b, "gen"), _int(1))
        tag = b.shl(b.zext(gen, I64), _int(32, I64))
        self.store(b, "limit", b.or_(tag, chunks))
        self.store(b, "ticket", tag)
        self.store(b, "gen", gen)
        self.wake(b, "sleepers", "cv_work", broadcast=True)
        b.call(self.run_chunks, [gen])
        self.wait_until(b, lambda b: b.icmp_signed("==", self.load(b, "remaining"), _int(0)),
                        "cv_done", "main_waiting", "done")
        self.store(b, "busy", _int(0), "release")
        b.ret_void()

    def _emit_spin(self) -> None:
        """void graphc_pool_pause(i32 n): n pauses (for calibrating `spin`)."""
        fn = ir.Function(self.module, ir.FunctionType(VOID, [I32]), name="graphc_pool_pause")
        b = ir.IRBuilder(fn.append_basic_block("entry"))
        with _counted(b, fn.args[0], I32):
            self.emit_pause(b)
        b.ret_void()


class _counted:
    """`for (i = 0; i < n; ++i)` over an i32/i64 count; yields i (as a context manager)."""

    def __init__(self, b: ir.IRBuilder, n, ty=I32) -> None:
        self.b, self.n, self.ty = b, n, ty

    def __enter__(self):
        b = self.b
        fn = b.function
        self.pre = b.block
        self.head = fn.append_basic_block("for")
        self.body = fn.append_basic_block("for.body")
        self.end = fn.append_basic_block("for.end")
        b.branch(self.head)
        b.position_at_end(self.head)
        self.i = b.phi(self.ty)
        self.i.add_incoming(ir.Constant(self.ty, 0), self.pre)
        b.cbranch(b.icmp_signed("<", self.i, self.n), self.body, self.end)
        b.position_at_end(self.body)
        return self.i

    def __exit__(self, *exc) -> None:
        b = self.b
        self.i.add_incoming(b.add(self.i, ir.Constant(self.ty, 1)), b.block)
        b.branch(self.head)
        b.position_at_end(self.end)


def _available_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else \
        (os.cpu_count() or 1)


def threads_from_env() -> int | None:
    """GRAPHC_THREADS as a thread count (None when unset; 0 means automatic)."""
    value = os.environ.get("GRAPHC_THREADS", "").strip()
    if not value:
        return None
    try:
        n = int(value)
    except ValueError:
        raise ValueError(f"GRAPHC_THREADS must be a whole number of threads (0 = one per "
                         f"core), got {value!r}") from None
    if n < 0:
        raise ValueError(f"GRAPHC_THREADS must be >= 0 (0 = one per core), got {n}")
    return n


class ThreadPool:
    """The pool's Python side: builds and JITs the module, registers the dispatch symbol,
    sets the thread count and the spin bound, and resets the state in forked children."""

    def __init__(self, host) -> None:
        self.cores = _available_cores()
        emitter = _Emitter(host.triple, tuple(int(getattr(signal, s)) for s in (
            "SIGSEGV", "SIGBUS", "SIGFPE", "SIGILL", "SIGABRT") if hasattr(signal, s)))
        # (no IR optimisation: the code is loads, atomics and calls, and -O3 would double
        # the ~35 ms this costs once per process)
        engine = host.engine(host.parse(str(emitter.module)))
        self._addr = {name: engine.get_global_value_address("graphc_pool_" + name)
                      for name in emitter.g}
        dispatch = engine.get_function_address(DISPATCH)
        pause = ctypes.CFUNCTYPE(None, ctypes.c_int32)(
            engine.get_function_address("graphc_pool_pause"))
        engine.detach()  # never freed: workers live (asleep) until the process ends
        llvm.add_symbol(DISPATCH, dispatch)
        self._lock = threading.Lock()
        self._configured = False  # a Session's intra_op_parallelism_threads set the count
        try:
            env = threads_from_env()
        except ValueError:  # reported by the Session (a target must not fail to build)
            env = None
        self.requested = env or 0
        self._set("threads", self._clamp(self.requested))
        self._set("min_work", MIN_WORK, ctypes.c_int64)
        self._set("sig_block", signal.SIG_BLOCK)
        self._set("spin", _calibrate(pause))
        os.register_at_fork(after_in_child=self._after_fork)

    def _set(self, name: str, value: int, ctype=ctypes.c_int32) -> None:
        ctype.from_address(self._addr[name]).value = value

    def _get(self, name: str, ctype=ctypes.c_int32) -> int:
        return ctype.from_address(self._addr[name]).value

    def _clamp(self, n: int) -> int:
        return self.cores if n <= 0 else min(n, self.cores)

    @property
    def threads(self) -> int:
        """Threads kernels split across (the caller included)."""
        return self._get("threads")

    @property
    def started(self) -> int:
        """Worker threads running now (0 before the first split kernel, and in a fork)."""
        return self._get("workers")

    def configure(self, intra_op: int) -> int:
        """A Session's `intra_op_parallelism_threads` (0: automatic, negative: the caller's
        thread only). The first nonzero one before the pool starts decides; later ones
        are ignored (TF1: the process's pool is made once). Returns the count in effect."""
        with self._lock:
            if intra_op and not self._configured and not self.started:
                self._configured = True
                self.requested = intra_op
                self._set("threads", 1 if intra_op < 0 else self._clamp(intra_op))
            return self.threads

    def set_threads(self, n: int) -> None:
        """tf.config.threading.set_intra_op_parallelism_threads(n): decides over the
        environment and any Session's ConfigProto; once the workers run, a different count
        is TF's RuntimeError (TF's context is initialised once, as this pool starts once)."""
        with self._lock:
            if self.started and n != self.requested:
                raise RuntimeError("Intra op parallelism cannot be modified after "
                                   "initialization.")
            self._configured = True
            self.requested = n
            self._set("threads", 1 if n < 0 else self._clamp(n))

    def _after_fork(self) -> None:
        # Only this thread survives a fork: no workers, nobody holds the pool or sleeps.
        for name in ("workers", "busy", "sleepers", "main_waiting", "remaining"):
            self._set(name, 0)
        self._lock = threading.Lock()


def _calibrate(pause) -> int:
    """Pauses in SPIN_SECONDS (a pause takes ~10-150 cycles, by CPU)."""
    n = 20000
    t0 = time.perf_counter()
    pause(n)
    per = max((time.perf_counter() - t0) / n, 1e-10)
    return max(64, min(int(SPIN_SECONDS / per), 1 << 20))
