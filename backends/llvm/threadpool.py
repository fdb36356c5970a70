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
- runs it inline, too, while the kernel's size class is backing off (below);
- else publishes the task (a new generation number), wakes sleeping workers, and takes
  chunks itself. Chunks are claimed from a ticket that carries the generation, so a
  worker that wakes late for a finished call never runs a chunk of the next one, and a
  worker the OS descheduled before claiming anything costs nothing: the others take its
  chunks. The caller claims from the front, workers from the back, so on two threads
  each keeps about the same half of a kernel from one run to the next, and what it wrote
  last run (a band of a variable, its optimizer slots, its gradient) is still in its own
  core's cache, not the other's (on a core whose data comes from the other core's L2 over
  a slow mesh, the MLP step's median 4-11% faster: README, "Performance"). The caller
  returns when every chunk has run.

A worker the OS deschedules while it holds a chunk is the one cost claiming cannot
avoid: the caller waits at the join until it runs again, a time slice of a busy machine
(milliseconds, against microseconds of kernel). So the pool learns, per size class of
kernel (work in [2^k, 2^(k+1))), whether its splits pay: each split's gain is the
iterations the workers ran, timed at the caller's fastest chunk, less what the split
cost the caller (publishing, waking, waiting at the join); a class whose recent gains sum
below zero runs inline for a back-off (5 ms, doubling while the probes after it lose,
up to 2 s), and forgets it once its splits pay again (pool_ir.py's constants). On a
quiet machine the classes that pay keep splitting; on a busy one the classes whose joins
keep waiting go inline, and `stats()` says how often. `adaptive = False` turns the
back-off off (benchmarks compare both in one process); `hold(True)` keeps the workers
from claiming (tests play a descheduled worker with it).

Waiting is bounded spinning (`spin` iterations of the CPU's pause, ~200 us), then a
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

import contextlib
import ctypes
import os
import signal
import threading
import time

import llvmlite.binding as llvm

from .pool_ir import BACKOFF_MAX, CLASSES, DISPATCH, PROBE_CREDIT, Emitter

# Kernel work units (elements loaded and stored) below which a kernel runs inline. The
# value is where a split's gain (half the kernel's time, on two threads) first clearly
# exceeds what a dispatch costs. `python benchmarks/pool_threshold.py` measures the
# trade-off per kernel kind (inline against split at the threshold, interleaved, the cycle
# counter around the call). On this session's machine (AMD EPYC Zen 4, 2 cores, 2026-12-02,
# 7 runs, 9 or 15 rounds, load average 6.6-10.9 from other jobs' test suites): a dispatch
# to a spinning worker costs ~0.45K cycles (the best split of 1K elements, 0.62-0.68K,
# against 0.18-0.23K inline); when the other core was free the best split won from 40,960
# work units for the tanh chain (0.65 and 0.71 of inline; at 20,480 never under 1.07),
# from 49,152-98,304 for the multiply-add with a square root (0.68-0.84) and from 196,608
# for a memory-bound add (one run in seven); in most runs the other core never came (best
# split = inline + 1-4%: the caller ran both chunks), and the median split cost 1.1-9x
# inline from 65K to 800K work units (the caller waiting for a descheduled worker; one
# run: ~33K cycles more per split call at every size). The quiet-machine break-even of
# the compute-bound kernels thus lies between 20K and 41K, where the value sits; the add's
# higher one showed once, too rarely for a threshold per kernel kind. A loaded machine
# favours a higher value (the pool's adaptive back-off covers that at run time); the
# previous machine (2 cores, load 11-13) gave the same picture.
MIN_WORK = 1 << 15
# Spin this long before sleeping (a worker between kernels, the caller at the join). A
# worker asleep when a split comes is woken through the kernel (on a KVM guest, an IPI to
# an idle vCPU) and claims late: on the Intel Xeon of README's "Performance" a 50 us spin
# let the worker fall asleep in the gap between two MLP steps (or forward passes), and
# 200 us brought the step's median 3-9% down (inference at batch 100: 19%) for 2-3% more
# CPU; a longer one (500 us) added nothing more.
SPIN_SECONDS = 200e-6


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
        emitter = Emitter(host.triple, tuple(int(getattr(signal, s)) for s in (
            "SIGSEGV", "SIGBUS", "SIGFPE", "SIGILL", "SIGABRT") if hasattr(signal, s)))
        # (no IR optimisation: the code is loads, atomics and calls, and -O3 would double
        # the ~35 ms this costs once per process)
        engine = host.engine(host.parse(str(emitter.module)))
        self._addr = {name: engine.get_global_value_address("graphc_pool_" + name)
                      for name in emitter.g}
        dispatch = self.dispatch_address = engine.get_function_address(DISPATCH)
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
        self._set("clock_id", time.CLOCK_MONOTONIC)
        self._set("adaptive", 1)
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

    STATS = ("splits", "split_chunks", "caller_chunks", "backoffs", "skipped", "gained",
             "lost")

    def stats(self) -> dict:
        """Counts since the process started: `splits` (kernels split across the pool),
        `split_chunks` (their chunks), `caller_chunks` (those the calling thread ran
        itself), `backoffs` (size classes sent inline because splitting them lost time)
        `skipped` (kernels run inline meanwhile), and the nanoseconds splits `gained` and
        `lost` (each split's gain as the back-off judges it: CREDIT_DECAY's comment)."""
        return {name: self._get(name, ctypes.c_int64) for name in self.STATS}

    @property
    def adaptive(self) -> bool:
        """Whether size classes whose splits lose time back off (run inline for a while)."""
        return bool(self._get("adaptive"))

    @adaptive.setter
    def adaptive(self, on: bool) -> None:
        self._set("adaptive", int(bool(on)))

    @property
    def min_work(self) -> int:
        """Work units from which a kernel may split (MIN_WORK; benchmarks move it)."""
        return self._get("min_work", ctypes.c_int64)

    @min_work.setter
    def min_work(self, value: int) -> None:
        self._set("min_work", value, ctypes.c_int64)

    @contextlib.contextmanager
    def threads_for_now(self, n: int):
        """Split across `n` threads (at most those started) inside the block: benchmarks
        compare thread counts in one process."""
        old = self.threads
        self._set("threads", max(1, min(self._clamp(n), self.started + 1 if self.started
                                         else old)))
        try:
            yield
        finally:
            self._set("threads", old)

    def hold(self, on: bool) -> None:
        """Keep the workers from claiming chunks (on) or let them (off): tests play a
        worker the OS has descheduled."""
        self._set("hold", int(bool(on)))

    def forget(self, backoff: float | None = None) -> None:
        """Forget what splits have cost: every size class splits again, on probe credit.
        With `backoff` (seconds, at most the longest back-off, BACKOFF_MAX's 2 s), a class's
        next losing split sends it inline for that long instead of the first back-off's
        5 ms (tests of the back-off on a loaded machine, where 5 ms can pass between two
        calls). (Only while no kernel runs: the calling thread owns this state during a
        split.)"""
        if backoff is not None and not 0 < backoff <= BACKOFF_MAX / 1e9:
            raise ValueError(f"forget: backoff must be in (0, {BACKOFF_MAX / 1e9:g}] seconds, "
                             f"got {backoff!r}")
        penalty = 0 if backoff is None else max(1, int(backoff * 1e9) // 2)  # a loss doubles it
        for name, value in (("credit", PROBE_CREDIT), ("until", 0), ("penalty", penalty)):
            (ctypes.c_int64 * CLASSES).from_address(self._addr[name])[:] = [value] * CLASSES

    def _after_fork(self) -> None:
        # Only this thread survives a fork: no workers, nobody holds the pool or sleeps.
        for name in ("workers", "busy", "sleepers", "main_waiting", "remaining", "hold"):
            self._set(name, 0)
        self.forget()
        self._lock = threading.Lock()


def _calibrate(pause) -> int:
    """Pauses in SPIN_SECONDS (a pause takes ~10-150 cycles, by CPU)."""
    n = 20000
    t0 = time.perf_counter()
    pause(n)
    per = max((time.perf_counter() - t0) / n, 1e-10)
    return max(64, min(int(SPIN_SECONDS / per), 1 << 20))
