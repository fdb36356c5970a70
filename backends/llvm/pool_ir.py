"""The thread pool's native half (threadpool.py has the design and the Python side): the
LLVM IR of the pool's state, its workers, its dispatch `graphc_parallel_for` and the
back-off that learns which kernel sizes a split pays for."""
from __future__ import annotations

from llvmlite import ir

I1, I32, I64 = ir.IntType(1), ir.IntType(32), ir.IntType(64)
PTR = ir.PointerType(ir.IntType(8))
VOID = ir.VoidType()
KERNEL = ir.FunctionType(I32, [PTR.as_pointer(), I64, I64]).as_pointer()
DISPATCH = "graphc_parallel_for"
DISPATCH_TYPE = ir.FunctionType(VOID, [KERNEL, PTR.as_pointer(), I64, I64, I64])
CHUNKS_PER_THREAD = 4  # a slow (descheduled) thread holds up at most a quarter of its share
SYNC_BYTES = 256  # room for a pthread_mutex_t / pthread_cond_t on any platform
# Whether splits pay, learnt per size class (kernels of work in [2^k, 2^(k+1))): a split's
# gain is the iterations the workers ran, timed at the caller's fastest chunk, less what
# the split cost the caller (publishing and waking, then waiting at the join). A class's
# credit is a decaying sum of its gains (each split first takes 2^-CREDIT_DECAY of it
# away: a memory of ~2^CREDIT_DECAY splits); when it goes below zero (a worker the OS
# descheduled while it held a chunk costs the join a time slice, milliseconds), the
# class runs inline for a back-off that starts at BACKOFF_FIRST and doubles, up to
# BACKOFF_MAX, while the probes after it lose too; a probe starts with PROBE_CREDIT, and
# a class whose credit is above CREDIT_HEALTHY forgets its back-off. Times are
# nanoseconds (CLOCK_MONOTONIC).
CREDIT_DECAY = 8
CREDIT_HEALTHY = 2_000_000
PROBE_CREDIT = 500_000
BACKOFF_FIRST = 5_000_000
BACKOFF_MAX = 2_000_000_000
CLASSES = 64


def _int(value: int, ty=I32) -> ir.Constant:
    return ir.Constant(ty, value)


class Emitter:
    """The pool's module: its state (globals) and its functions."""

    def __init__(self, triple: str, faults: tuple = ()) -> None:
        self.faults = faults  # signals a worker must not block (a fault has to be reported)
        m = self.module = ir.Module(name="graphc_pool")
        m.triple = triple
        self.g = {}
        for name, ty in (("gen", I32), ("ticket", I64), ("remaining", I32),
                         ("sleepers", I32), ("main_waiting", I32), ("busy", I32),
                         ("workers", I32), ("threads", I32), ("spin", I32),
                         ("min_work", I64), ("sig_block", I32), ("task_fn", KERNEL),
                         ("task_args", PTR.as_pointer()), ("task_extent", I64),
                         ("task_chunk", I64), ("hold", I32), ("adaptive", I32),
                         ("clock_id", I32), ("splits", I64), ("split_chunks", I64),
                         ("caller_chunks", I64), ("backoffs", I64), ("skipped", I64),
                         ("gained", I64), ("lost", I64),
                         ("credit", ir.ArrayType(I64, CLASSES)),
                         ("until", ir.ArrayType(I64, CLASSES)),
                         ("penalty", ir.ArrayType(I64, CLASSES)),
                         ("mutex", ir.ArrayType(I64, SYNC_BYTES // 8)),
                         ("cv_work", ir.ArrayType(I64, SYNC_BYTES // 8)),
                         ("cv_done", ir.ArrayType(I64, SYNC_BYTES // 8))):
            gv = ir.GlobalVariable(m, ty, name="graphc_pool_" + name)
            gv.initializer = ir.Constant(ty, [PROBE_CREDIT] * CLASSES if name == "credit"
                                         else None)
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
                ("pthread_sigmask", I32, [I32, PTR, PTR]), ("usleep", I32, [I32]),
                ("clock_gettime", I32, [I32, PTR])):
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

    def now(self, b, ts):
        """CLOCK_MONOTONIC in nanoseconds (`ts`: an alloca of two i64, a timespec)."""
        self.call_c(b, "clock_gettime", self.load(b, "clock_id", "monotonic"),
                    b.bitcast(ts, PTR))
        sec = b.load(b.gep(ts, [_int(0), _int(0)]))
        nsec = b.load(b.gep(ts, [_int(0), _int(1)]))
        return b.add(b.mul(sec, _int(1_000_000_000, I64)), nsec)

    def slot(self, b, name, index):
        """A pointer to element `index` of the array global `name`."""
        return b.gep(self.g[name], [_int(0), index])

    def count(self, b, name, value):
        b.atomic_rmw("add", self.g[name], value, "monotonic")

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
        """i64 run_chunks(i32 gen, i64 *timing): claim and run chunks of generation `gen`
        until none is left (or a newer generation has replaced it); returns how many it
        ran. The caller passes `timing` (workers null): [0] and [1] get the time and the
        iterations of its fastest chunk per iteration, [2] the iterations it ran; [3]
        holds the clock when it calls, and the clock at the end of its last chunk after
        (one reading per chunk: a chunk's time runs from the end of the one before)."""
        fn = ir.Function(self.module, ir.FunctionType(I64, [I32, I64.as_pointer()]),
                         name="graphc_pool_chunks")
        fn.linkage = "internal"
        gen, timing = fn.args
        b = ir.IRBuilder(fn.append_basic_block("entry"))
        ran = b.alloca(I64)
        b.store(_int(0, I64), ran)
        ts = b.alloca(ir.ArrayType(I64, 2))
        timed = b.icmp_unsigned("!=", timing, ir.Constant(timing.type, None))
        loop = fn.append_basic_block("claim")
        run = fn.append_basic_block("run")
        out = fn.append_basic_block("out")
        tag = b.shl(b.zext(gen, I64), _int(32, I64))
        half = _int(0xFFFF, I64)
        b.branch(loop)
        b.position_at_end(loop)
        # The ticket: the generation's tag, then the next chunk from the front and the end
        # of those left (16 bits each). The caller claims from the front, workers from
        # the back: each thread keeps about the same chunks from one run to the next
        # (the same band of a variable, its optimizer slots, its gradient), so what it
        # wrote last run is still in its own core's cache.
        ticket = self.load(b, "ticket")
        front = b.and_(b.lshr(ticket, _int(16, I64)), half)
        back = b.and_(ticket, half)
        mine = b.and_(b.icmp_unsigned("==", b.and_(ticket, _int(~0xFFFFFFFF, I64)), tag),
                      b.icmp_unsigned("<", front, back))
        claim = b.append_basic_block("cas")
        b.cbranch(mine, claim, out)
        b.position_at_end(claim)
        index = b.select(timed, front, b.sub(back, _int(1, I64)))
        step = b.select(timed, _int(1 << 16, I64), _int(-1, I64))
        won = b.extract_value(b.cmpxchg(self.g["ticket"], ticket, b.add(ticket, step),
                                        "seq_cst", "seq_cst"), 1)
        b.cbranch(won, run, loop)
        b.position_at_end(run)
        chunk = b.load(self.g["task_chunk"])
        lo = b.mul(index, chunk)
        hi = b.add(lo, chunk)
        extent = b.load(self.g["task_extent"])
        hi = b.select(b.icmp_signed("<", hi, extent), hi, extent)
        with b.if_else(timed) as (then, otherwise):
            with then:
                b.call(b.load(self.g["task_fn"]), [b.load(self.g["task_args"]), lo, hi])
                slot = [b.gep(timing, [_int(i)]) for i in range(4)]
                end = self.now(b, ts)
                took = b.sub(end, b.load(slot[3]))
                b.store(end, slot[3])
                n = b.sub(hi, lo)
                with b.if_then(b.icmp_signed(">", n, _int(0, I64))):
                    b.store(b.add(b.load(slot[2]), n), slot[2])
                    best_t, best_n = b.load(slot[0]), b.load(slot[1])
                    # took / n < best_t / best_n, or no chunk timed yet (best_n 0)
                    f64 = ir.DoubleType()
                    faster = b.or_(b.icmp_signed("==", best_n, _int(0, I64)), b.fcmp_ordered(
                        "<", b.fmul(b.sitofp(took, f64), b.sitofp(best_n, f64)),
                        b.fmul(b.sitofp(best_t, f64), b.sitofp(n, f64))))
                    with b.if_then(faster):
                        b.store(took, slot[0])
                        b.store(n, slot[1])
            with otherwise:
                b.call(b.load(self.g["task_fn"]), [b.load(self.g["task_args"]), lo, hi])
        b.store(b.add(b.load(ran), _int(1, I64)), ran)
        left = b.atomic_rmw("sub", self.g["remaining"], _int(1), "seq_cst")
        with b.if_then(b.icmp_signed("==", left, _int(1))):
            self.wake(b, "main_waiting", "cv_done", broadcast=False)
        b.branch(loop)
        b.position_at_end(out)
        b.ret(b.load(ran))
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
        # (a test's `hold` keeps the workers from claiming: it plays a descheduled worker)
        held = fn.append_basic_block("held")
        go = fn.append_basic_block("go")
        b.cbranch(b.icmp_signed("!=", self.load(b, "hold"), _int(0)), held, go)
        b.position_at_end(held)
        self.call_c(b, "usleep", _int(100))
        b.cbranch(b.icmp_signed("!=", self.load(b, "hold"), _int(0)), held, go)
        b.position_at_end(go)
        b.call(self.run_chunks, [gen, ir.Constant(I64.as_pointer(), None)])
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
        one, zero = _int(1, I64), _int(0, I64)
        ts = b.alloca(ir.ArrayType(I64, 2))
        timing = b.alloca(ir.ArrayType(I64, 4))
        threads = b.zext(self.load(b, "threads", "monotonic"), I64)
        min_work = self.load(b, "min_work", "monotonic")
        dynamic = b.icmp_signed("<=", fixed, zero)
        small = b.or_(b.icmp_signed("<", work, min_work), b.icmp_signed("<=", threads, one))
        with b.if_then(b.and_(dynamic, small)):
            b.call(kfn, [args, zero, extent])
            b.ret_void()
        # chunks: fixed, or up to CHUNKS_PER_THREAD per thread (at least min_work/2 each)
        half = b.lshr(min_work, one)
        by_work = b.sdiv(work, b.select(b.icmp_signed("<", half, one), one, half))
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
        alone = b.or_(alone, b.icmp_signed(">", chunks, _int(0xFFFF, I64)))  # (the ticket's 16 bits)
        inline = fn.append_basic_block("inline")
        learnt = fn.append_basic_block("learnt")
        backing = fn.append_basic_block("backing")
        skip = fn.append_basic_block("skip")
        claim = fn.append_basic_block("claim")
        pooled = fn.append_basic_block("pooled")
        b.cbranch(alone, inline, learnt)
        # the size class's back-off: inline until it ends
        b.position_at_end(learnt)
        size_class = b.sub(_int(63, I64), b.ctlz(b.select(b.icmp_signed("<", work, one), one,
                                                          work), ir.Constant(I1, 1)))
        until = self.slot(b, "until", size_class)
        ends = b.load_atomic(until, "monotonic", 8)
        adaptive = b.icmp_signed("!=", self.load(b, "adaptive", "monotonic"), _int(0))
        b.cbranch(b.and_(adaptive, b.icmp_signed("!=", ends, zero)), backing, claim)
        b.position_at_end(backing)
        b.cbranch(b.icmp_signed("<", self.now(b, ts), ends), skip, claim)
        b.position_at_end(skip)
        self.count(b, "skipped", one)
        b.branch(inline)
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
        credit = self.slot(b, "credit", size_class)
        with b.if_then(b.icmp_signed("!=", b.load_atomic(until, "monotonic", 8), zero)):
            # a back-off ended: probe
            b.store_atomic(zero, until, "monotonic", 8)
            b.store(_int(PROBE_CREDIT, I64), credit)
        t0 = self.now(b, ts)
        b.store(kfn, self.g["task_fn"])
        b.store(args, self.g["task_args"])
        b.store(extent, self.g["task_extent"])
        b.store(chunk, self.g["task_chunk"])
        self.store(b, "remaining", b.trunc(chunks, I32))
        gen = b.add(self.load(b, "gen"), _int(1))
        tag = b.shl(b.zext(gen, I64), _int(32, I64))
        self.store(b, "ticket", b.or_(tag, chunks))
        self.store(b, "gen", gen)
        self.wake(b, "sleepers", "cv_work", broadcast=True)
        for i in range(3):
            b.store(zero, b.gep(timing, [_int(0), _int(i)]))
        t1 = self.now(b, ts)
        b.store(t1, b.gep(timing, [_int(0), _int(3)]))
        own = b.call(self.run_chunks, [gen, b.gep(timing, [_int(0), _int(0)])])
        t2 = b.load(b.gep(timing, [_int(0), _int(3)]))
        self.wait_until(b, lambda b: b.icmp_signed("==", self.load(b, "remaining"), _int(0)),
                        "cv_done", "main_waiting", "done")
        t3 = self.now(b, ts)
        self.count(b, "splits", one)
        self.count(b, "split_chunks", chunks)
        self.count(b, "caller_chunks", own)
        # The split's gain: the iterations the workers ran, at the caller's best rate, less
        # the time it cost the caller (publishing, waking, waiting at the join). (A
        # caller descheduled during its own chunks would have been inline too: not
        # counted. No data when the caller timed no chunk.)
        best_t, best_n, mine = [b.load(b.gep(timing, [_int(0), _int(i)])) for i in range(3)]
        with b.if_then(b.icmp_signed(">", best_n, zero)):
            f64 = ir.DoubleType()
            saved = b.fdiv(b.fmul(b.sitofp(b.sub(extent, mine), f64), b.sitofp(best_t, f64)),
                           b.sitofp(best_n, f64))
            gain = b.sub(b.fptosi(saved, I64), b.add(b.sub(t1, t0), b.sub(t3, t2)))
            positive = b.icmp_signed(">", gain, zero)
            self.count(b, "gained", b.select(positive, gain, zero))
            self.count(b, "lost", b.select(positive, zero, b.neg(gain)))
            old = b.load(credit)
            total = b.add(b.sub(old, b.ashr(old, _int(CREDIT_DECAY, I64))), gain)
            b.store(total, credit)
            penalty = self.slot(b, "penalty", size_class)
            with b.if_then(b.icmp_signed(">", total, _int(CREDIT_HEALTHY, I64))):
                b.store(zero, penalty)
            with b.if_then(b.icmp_signed("<", total, zero)):
                last = b.load(penalty)
                longer = b.shl(last, one)
                longer = b.select(b.icmp_signed(">", longer, _int(BACKOFF_MAX, I64)),
                                  _int(BACKOFF_MAX, I64), longer)
                length = b.select(b.icmp_signed("==", last, zero),
                                  _int(BACKOFF_FIRST, I64), longer)
                b.store(length, penalty)
                b.store_atomic(b.add(t3, length), until, "monotonic", 8)
                self.count(b, "backoffs", one)
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
