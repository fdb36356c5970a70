"""Stage 6 of the llvm backend: the runtime. It receives the lowered plan (its buffers and
steps), the JIT-compiled segment functions and the arena size, and runs them: an
`LLVMExecutable`, complete at construction, whose `run` takes a per-run workspace from a
pool (the arena and the table of buffer addresses), fills the table (feeds and fresh
result arrays each run; variables when the store replaced one; constants once), makes one
native call per segment with the GIL released (ctypes), and runs the numpy kernels of
unlowered ops in between (and the backend's own While kernel, native_while.py). A native
kernel that reports bad data is explained by running its op's numpy kernel on the same
inputs (one definition of every error message). `run_loop` runs a While loop whose step
is this plan with the native driver (native_while.py) on a workspace of its own.
"""
from __future__ import annotations

import contextlib
import ctypes
import functools
import threading
from typing import Optional, Sequence

import numpy as np

from graphc.ir.errors import FailedPreconditionError, InvalidArgumentError, OpError
from graphc.ir.ops.fused_ops import body_inputs, members as fused_members, replay
from graphc.ir.runtime import MEMORY_LIMIT, NodeContext, RuntimeState, exclusive_variables, \
    too_large_error, uninitialized_error
from graphc.ir.symbolic import evaluate, evaluate_shape, is_symbolic
from . import native_while, tracing
from .buffers import ALIGN, Buffer
from .irutil import DIMS_BYTES
from .lowering import Step, segments
from .target import host

SMALL_FEED = 256  # bytes: feeds up to this size are copied, larger ones passed by address
SEGMENT = ctypes.CFUNCTYPE(ctypes.c_int32, ctypes.c_void_p, ctypes.c_void_p)


def _address(a: np.ndarray) -> int:
    # Not __array_interface__: numpy 2.4 keeps every dict it builds (about 48 bytes a call).
    return a.ctypes.data


class Profile:
    """Cycles spent per kernel (GRAPHC_PROFILE=1): `report()` lists the hottest first."""

    def __init__(self, kernels: list, slot: int) -> None:
        self.kernels = kernels
        self.slot = slot  # the table slot holding the address of `counts`
        self.counts = np.zeros(max(len(kernels), 1), np.int64)

    def rows(self) -> list:
        """(op, kernel name, work, cycles) per kernel, in run order: the public view of
        the counters (graphc.profiler's Session.profile reads it)."""
        return [(step.op, k.name, k.work, int(c))
                for (step, k), c in zip(self.kernels, self.counts)]

    def reset(self) -> None:
        self.counts[:] = 0

    def report(self, top: int = 20) -> str:
        total = int(self.counts.sum()) or 1
        order = np.argsort(-self.counts)[:top]
        lines = [f"{'cycles %':>8s}  {'kernel':6s} op"]
        for i in order:
            step, k = self.kernels[i]
            lines.append(f"{100 * self.counts[i] / total:8.1f}  {k.name:6s} {step.op.type} "
                         f"'{step.op.name}' work={k.work}")
        return "\n".join(lines)


# ---------------------------------------------------------------- the executable
class _Sizes:
    """A symbolic plan's sizes for one set of its symbols' values (LLVMExecutable._sized)."""

    __slots__ = ("env", "arena", "outs", "fetches")

    def __init__(self, env: dict, arena: int, outs: dict, fetches: list) -> None:
        self.env, self.arena, self.outs, self.fetches = env, arena, outs, fetches


class _Workspace:
    env = None    # a symbolic plan's sizes of its symbols in this workspace's current run
    sized = None  # ... and what they size (_Sizes)

    def __init__(self, size: int, n_slots: int, const_slots, small_feeds=()) -> None:
        self.arena = np.zeros(size + ALIGN, np.uint8)
        base = _address(self.arena)
        start = (-base) % ALIGN
        self.arena = self.arena[start:start + size] if size else self.arena[:0]
        self.arena_address = base + start
        self.table = np.zeros(max(n_slots, 1), np.uint64)
        self.table_address = _address(self.table)
        for slot, array in const_slots:
            self.table[slot] = _address(array)
        self.var_version = -1
        self.views: dict = {}
        # Feeds of a few bytes are copied into buffers of the workspace (cheaper than
        # taking the address of the fed array every run).
        self.small = []
        for spec in small_feeds:
            if spec is None:
                self.small.append(None)
                continue
            slot, shape, dtype = spec
            arr = np.zeros(shape, dtype)
            self.table[slot] = _address(arr)
            self.small.append(arr)

    def view(self, buf: Buffer) -> np.ndarray:
        v = self.views.get(id(buf))
        if v is None:
            if self.env is None:
                offset, nbytes, shape = buf.offset, buf.nbytes, buf.shape
            else:  # (views are dropped when the sizes change: `LLVMExecutable._sized`)
                offset, nbytes = evaluate(buf.offset, self.env), evaluate(buf.nbytes, self.env)
                shape = evaluate_shape(buf.shape, self.env)
            v = self.arena[offset:offset + nbytes].view(buf.dtype.np).reshape(shape)
            self.views[id(buf)] = v
        return v


class LLVMExecutable:
    """A compiled plan for the llvm backend. Thread-safe: each run takes a workspace.

    `schedule` lists ("native", segment function) and ("fallback", step) in run order;
    `error_sites[status - 1]` is the step whose kernel returned a failing status; with
    `profile` (GRAPHC_PROFILE=1) the kernels count their cycles into `profile.counts`."""

    backend = "llvm"

    def __init__(self, plan, state: RuntimeState, lowering, schedule: list, engine,
                 arena_size: int, error_sites: list, module_text: str,
                 profile: Optional["Profile"] = None, validate: bool = False,
                 symbols: tuple = (), guards=None, functions=None) -> None:
        self.plan = plan
        self._state = state
        self._functions = functions  # the GraphRunner of If, While and dataset nodes
        self._store = state.variables
        self._lowering = lowering
        self._engine = engine  # keeps the machine code alive
        self._schedule = schedule
        self._arena_size = arena_size
        self._error_sites = error_sites
        self.module_text = module_text
        self.profile = profile
        self._validate = validate
        self._guards = guards  # bound checks (guard.py, GRAPHC_ARENA_CHECK=1), or None
        buffer_plan = lowering.buffer_plan
        buffers = buffer_plan.buffers
        self._n_slots = buffer_plan.n_slots
        self._feed_slots = [buffers[t].slot for t in plan.feeds]
        self._py_feeds = [i for i, t in enumerate(plan.feeds) if buffers[t].kind == "py"]
        self._small_feeds = [(buffers[t].slot, buffers[t].shape, buffers[t].dtype.np)
                             if buffers[t].kind == "feed" and not is_symbolic(
                                 buffers[t].nbytes) and buffers[t].nbytes <= SMALL_FEED
                             and not any(is_symbolic(d) for d in buffers[t].shape)
                             else None for t in plan.feeds]  # ([b0, 0]: no bytes, no shape)
        # Symbolic dims (ir/symbolic.py): where each symbol's size is read from the feeds.
        self._symbols = symbols
        sources = [[(i, a) for i, t in enumerate(plan.feeds)
                    for a, d in enumerate(t.shape.as_tuple())
                    if is_symbolic(d) and d.terms == {(name,): 1}] for name in symbols]
        self._dim_first = [s[0] for s in sources]  # where each symbol's size is read
        self._dim_checks = [s[0] + other for s in sources for other in s[1:]]
        self._sizes: dict = {}  # symbols' sizes -> _Sizes
        every = buffer_plan.all_buffers()
        self._const_slots = [(b.slot, b.value) for b in every if b.kind == "const"]
        if profile is not None:
            self._const_slots.append((profile.slot, profile.counts))
        self._out_buffers = [b for b in every if b.kind == "out"]
        self._var_buffers = [b for b in every if b.kind == "var" and b.native_used]
        self._var_ops = lowering.var_ops
        self._assign_first = lowering.assign_first
        self._fetch = buffer_plan.fetch_buffers
        self._fetch_shapes = [tuple(t.shape.as_tuple()) if t.shape.is_fully_defined() else None
                              for t in plan.fetches]
        seen: set = set()
        self._fetch_shared = []  # a fetch whose buffer an earlier fetch returns already
        for b in self._fetch:
            self._fetch_shared.append(id(b) in seen)
            seen.add(id(b))
        self._pool: list = []
        self._lock = threading.Lock()
        self._natives = [item for kind, item in schedule if kind == "native"]
        self._walk = self._run_natives if guards is None and \
            len(self._natives) == len(schedule) else self._run_schedule
        # BLAS single-threaded during runs whose kernels split BLAS calls themselves
        self._blas_threads = host().blas_threads if lowering.blas_single else None
        self._contexts: dict = {}
        self._loop_specs: dict = {}  # loop structure -> native_while.LoopSpec, or None
        # TF1's use_locking=True. Native kernels update variables in place, inside one
        # call per run, so a plan with such an update holds those variables' locks for
        # its runs: coarser than TF1's lock per update op, and no concurrent update is lost.
        names = exclusive_variables(plan)
        if names:
            self.run = self._store.holding(names, self.run)
            self.run_loop = self._store.holding(names, self.run_loop)
            self.run_observed = self._store.holding(names, self.run_observed)

    # ------------------------------------------------------------ run
    def run(self, feed_values: Sequence[np.ndarray], outs=None, walk=None) -> list:
        """The fetched values. `outs` may give, per fetch, an array to write it into (used
        if it is a C-contiguous array of the fetch's dtype and size, else ignored);
        `walk` runs the schedule instead of `_run_schedule` (tracing.py's)."""
        ws = self._workspace() if not self._symbols else self._sized(feed_values)
        try:
            return self._run_in(ws, feed_values, self._given_outputs(ws, outs) if outs
                                else {}, walk or self._walk)
        except BaseException:
            ws.var_version = -1  # addresses of arrays allocated for this run are gone
            raise
        finally:
            self._pool.append(ws)

    def _workspace(self) -> _Workspace:
        """A free workspace (returned to `_pool` by the caller after its run)."""
        try:
            return self._pool.pop()  # list.pop and append are atomic: no lock needed
        except IndexError:
            pass
        try:
            return _Workspace(self._arena_size if not self._symbols else DIMS_BYTES,
                              self._n_slots, self._const_slots, self._small_feeds)
        except MemoryError:  # (the plan fits in memory, but not in what is free now)
            arena = [b for b in self._lowering.buffer_plan.buffers.values() if b.kind == "arena"]
            op = max(arena, key=lambda b: b.nbytes).op if arena else self.plan.nodes[0]
            raise too_large_error(op, "the intermediate buffers of one run",
                                  self._arena_size, free=True) from None

    def _sized(self, feed_values) -> _Workspace:
        """A workspace for a run of a symbolic plan: the symbols' sizes read from the
        feeds (checked equal where one symbol sizes several feeds), an arena that holds
        this run's buffers, and those sizes in its first bytes for the kernels."""
        key = tuple(feed_values[i].shape[a] for i, a in self._dim_first)
        for i, a, j, c in self._dim_checks:
            if feed_values[i].shape[a] != feed_values[j].shape[c]:
                raise InvalidArgumentError(
                    None, self.plan.feeds[j].op.user_op(), "the fed values disagree on "
                    f"a size this plan needs equal: dim {a} of '{self.plan.feeds[i].name}'"
                    f" is {feed_values[i].shape[a]}, dim {c} of "
                    f"'{self.plan.feeds[j].name}' is {feed_values[j].shape[c]}")
        sized = self._sizes.get(key)
        if sized is None:
            sized = self._sizes_for(key)
        ws = self._workspace()
        if len(ws.arena) < sized.arena:  # (a larger batch than this workspace has seen)
            ws = _Workspace(sized.arena, self._n_slots, self._const_slots, self._small_feeds)
        if ws.sized is not sized:
            ws.sized, ws.env, ws.views = sized, sized.env, {}
            ws.arena[:8 * len(key)].view(np.int64)[:] = key
        return ws

    def _sizes_for(self, key: tuple) -> "_Sizes":
        """The run-time sizes of the symbols' values `key`: arena, results, fetches."""
        env = dict(zip(self._symbols, key))
        arena = evaluate(self._arena_size, env)
        if arena > MEMORY_LIMIT:
            bufs = [b for b in self._lowering.buffer_plan.buffers.values() if b.kind == "arena"]
            raise too_large_error(bufs[0].op if bufs else self.plan.nodes[0],
                                  "the intermediate buffers of one run", arena)
        sized = _Sizes(env, arena,
                       {id(b): evaluate_shape(b.shape, env) for b in self._out_buffers},
                       [None if s is None else evaluate_shape(s, env)
                        for s in self._fetch_shapes])
        if len(self._sizes) >= 64:
            self._sizes.clear()
        self._sizes[key] = sized
        return sized

    def _given_outputs(self, ws, outs) -> dict:
        given = {}
        for i, arr in enumerate(outs):
            b = self._fetch[i] if i < len(self._fetch) else None
            if arr is None or b is None or b.kind != "out" or self._fetch_shared[i]:
                continue
            if isinstance(arr, np.ndarray) and arr.dtype == b.dtype.np and \
                    arr.nbytes == (b.nbytes if ws.env is None else
                                   evaluate(b.nbytes, ws.env)) and \
                    arr.flags.c_contiguous and arr.flags.writeable:
                given[id(b)] = arr
        return given

    def run_observed(self, feed_values: Sequence[np.ndarray], observer) -> list:
        """`run`, reporting every step to `observer` as it finishes (tracing.py; the plan
        must be compiled with `observed=True`)."""
        # (the class's run: self.run may hold the variables' locks, as this one does)
        return LLVMExecutable.run(self, feed_values, None,
                                  functools.partial(tracing.walk, self, observer))

    def _run_in(self, ws: _Workspace, feed_values, given: dict, walk) -> list:
        feeds, outs, pending, py = self._bind(ws, feed_values, given)
        if self._blas_threads is None:
            walk(ws, feeds, outs, py, pending)
        else:
            with self._blas_threads:
                walk(ws, feeds, outs, py, pending)
        if self._guards is not None:
            self._guards.check(ws, lambda: "(after the run)")
        for name, arr in pending.items():
            self._store.set(name, arr)
        if pending:
            ws.var_version = -1
        return [self._result(ws, i, b, feeds, outs, py) for i, b in enumerate(self._fetch)]

    def _bind(self, ws: _Workspace, feed_values, given: dict) -> tuple:
        """Fill the table for one run: feeds, fresh (or given) output arrays, variables."""
        if self._guards is not None:
            self._guards.arm(ws)
        table = ws.table
        feeds = list(feed_values)
        small = ws.small
        for i, slot in enumerate(self._feed_slots):
            if slot < 0:
                continue
            value = feeds[i]
            buf = small[i]
            if buf is not None:  # a few bytes: copied into the workspace's own buffer
                buf[()] = value
                continue
            if not value.flags.c_contiguous:
                feeds[i] = value = np.ascontiguousarray(value)
            table[slot] = _address(value)
        outs = {}
        for b in self._out_buffers:
            arr = given.get(id(b))
            if arr is None:
                try:
                    shape = b.shape if ws.env is None else ws.sized.outs[id(b)]
                    if self._guards is None:
                        arr = np.empty(shape, b.dtype.np)
                    else:
                        arr, base = self._guards.new_output(shape, b.dtype.np)
                        ws.guard_outputs.append((base, arr.nbytes, b))
                except MemoryError:
                    raise too_large_error(b.op, f"its result of shape {b.shape}", b.nbytes,
                                          free=True) from None
            outs[id(b)] = arr
            table[b.slot] = _address(arr)
        pending = self._bind_variables(ws) if self._store.version != ws.var_version else {}
        py: dict = {}
        if self._py_feeds:  # (by buffer too: a Fused body's parameters share it)
            buffers = self._lowering.buffer_plan.buffers
            for i in self._py_feeds:
                t = self.plan.feeds[i]
                py[t] = py[id(buffers[t])] = feeds[i]
        return feeds, outs, pending, py

    # ------------------------------------------------------------ loops
    def run_loop(self, feed_values, out_positions: list, loop, run) -> Optional[bool]:
        """Run `run` (a WhileRun of `loop`, whose step is this plan) natively from
        `run.count` (backends/llvm/native_while.py): True when it ended, False when the
        caller must go on from `run.count` (an iteration failed), None when this plan
        cannot run as a native loop."""
        key = (loop.n, loop.step_positions, loop.sliced, loop.counter, tuple(out_positions),
               len(loop.stacked))
        spec = self._loop_specs.get(key, self)
        if spec is self:
            spec = self._loop_specs[key] = native_while.loop_spec(self, loop, out_positions)
        if spec is None:
            return None
        # (a symbolic plan's sizes, read from the first iteration's arguments, hold for
        # every iteration: loop_spec refuses loop variables that change shape)
        ws = self._workspace() if not self._symbols else self._sized(feed_values)
        try:
            # The bound arrays (fresh outputs, contiguous copies of feeds) must outlive
            # the loop: the table points into them while the driver runs.
            bound = self._bind(ws, feed_values, {})
            with self._blas_threads or contextlib.nullcontext():
                ended = native_while.run_loop(self, spec, ws, loop, run)
            if self._guards is not None:
                self._guards.check(ws, lambda: "(after a native while loop)")
            del bound
            return ended
        except BaseException:
            ws.var_version = -1
            raise
        finally:
            for arr, spec_small in zip(ws.small, self._small_feeds):
                if arr is not None:  # the driver pointed these slots elsewhere
                    ws.table[spec_small[0]] = _address(arr)
            self._pool.append(ws)

    def _run_natives(self, ws: _Workspace, feeds, outs, py, pending: dict) -> None:
        """`_run_schedule` for a schedule of native segments only, without guards."""
        table, arena = ws.table_address, ws.arena_address
        for fn in self._natives:
            status = fn(table, arena)
            if status:
                self._explain_failure(ws, self._error_sites[status - 1], feeds, outs, py)

    def _run_schedule(self, ws: _Workspace, feeds, outs, py, pending: dict) -> None:
        for i, (kind, item) in enumerate(self._schedule):
            if kind == "native":
                status = item(ws.table_address, ws.arena_address)
                if self._guards is not None:
                    self._guards.check(ws, functools.partial(self._steps_of, i))
                if status:
                    self._explain_failure(ws, self._error_sites[status - 1], feeds, outs, py)
            else:
                self._fallback(ws, item, feeds, outs, py)
                if self._guards is not None:
                    self._guards.check(ws, functools.partial(self._steps_of, i))
                if self._store.version != ws.var_version:
                    self._bind_variables(ws, pending)

    def _steps_of(self, i: int) -> str:
        """The ops of schedule entry `i` (for guard.py's reports)."""
        kind, item = self._schedule[i]
        if kind != "native":
            return f"(after the numpy kernel of {item.op.type} op '{item.op.name}')"
        k = sum(1 for kd, _ in self._schedule[:i] if kd == "native")
        native, _ = segments(self._lowering.steps)
        steps = native[k] if k < len(native) else []
        return "(after the native segment of " + ", ".join(
            f"{s.op.type} '{s.op.name}'" for s in steps) + ")"

    def _explain_failure(self, ws, step: Step, feeds, outs, py) -> None:
        """A native kernel met bad data: run its op's numpy kernel on the same inputs,
        which raises TF1's error with the op and the user's line (one definition of the
        message). Fused bodies are replayed op by op; a stateful op (a variable scatter,
        whose kernel fails before it writes) runs its kernel with its context."""
        op = step.op
        if op.opdef.needs_context:
            _kernel_call(op, self._kernel(step), self._arguments(ws, op, feeds, outs, py))
        else:
            self._replay(ws, op, feeds, outs, py)
        raise InvalidArgumentError(None, op.user_op(), f"{op.type} op '{op.name}' failed in "
                                   "native code on data its numpy kernel accepts")

    def _replay(self, ws, op, feeds, outs, py) -> None:
        """Run the numpy kernel of pure `op` (of each op of a Fused body, in order) on its
        inputs' values: a failure raises TF1's error naming the op."""
        buffers = self._lowering.buffer_plan.buffers
        values = {t: self._array(ws, buffers[t], feeds, outs, py, t) for t in op.inputs}
        ops = [op]
        if op.type == "Fused":
            for p, t in zip(body_inputs(op), op.inputs):
                values[p] = values[t]
            ops = fused_members(op)
        for m in ops:
            try:
                with np.errstate(all="ignore"):
                    r = replay(m, [values.get(t) for t in m.inputs], self._store.get) \
                        if m is not op else m.opdef.compute(*[values[t] for t in m.inputs],
                                                            **m.attrs)
            except OpError as exc:
                raise type(exc)(exc.node_def, m.user_op(), exc.message) from None
            for t, v in zip(m.outputs, (r,) if len(m.outputs) == 1 else r):
                values[t] = v

    def _bind_variables(self, ws: _Workspace, pending: Optional[dict] = None) -> dict:
        """Write the variables' addresses into the table (after any replacement); returns
        arrays made for variables this run initializes, stored once it succeeds. Binding
        again within a run (a fallback step changed the store) passes the run's `pending`:
        an array a native step already initialized is kept, not replaced by zeros."""
        store = self._store
        pending = {} if pending is None else pending
        missing = [self._var_ops[b.var] for b in self._var_buffers
                   if b.var not in store and not self._assign_first.get(b.var)]
        if missing:
            raise uninitialized_error(missing)
        for b in self._var_buffers:
            arr = store.get(b.var)
            if arr is None:
                arr = pending.get(b.var)
                if arr is None:
                    arr = pending[b.var] = np.zeros(b.shape, b.dtype.np)
            elif not (arr.flags.c_contiguous and arr.flags.writeable and
                      arr.dtype == b.dtype.np and arr.shape == b.shape):
                if arr.shape != b.shape:
                    op = self._var_ops[b.var]
                    raise InvalidArgumentError(
                        None, op.user_op(), f"variable {b.var} holds a value of shape "
                        f"{arr.shape}, but this plan was compiled for {b.shape}")
                arr = np.array(arr, dtype=b.dtype.np, order="C", copy=True)
                store.set(b.var, arr)
            ws.table[b.slot] = _address(arr)
        ws.var_version = store.version
        return pending

    def _array(self, ws, buf: Buffer, feeds, outs, py, t):
        kind = buf.kind
        if kind == "arena":
            return ws.view(buf)
        if kind == "out":
            return outs[id(buf)]
        if kind == "feed":
            return feeds[self._feed_slots.index(buf.slot)]
        if kind == "const":
            return buf.value
        if kind == "py" and t in py:
            return py[t]
        if kind == "py" and id(buf) in py:  # a tensor sharing another's buffer (expand_fused)
            return py[id(buf)]
        if kind == "var" or buf.var is not None:
            value = self._store.get(buf.var)
            if value is None:
                raise FailedPreconditionError(None, None,
                                              f"Attempting to use uninitialized value {buf.var}")
            return value
        return buf.value

    def _fallback(self, ws, step: Step, feeds, outs, py) -> None:
        """Run `step`'s op through its numpy kernel. A split op's start leaves its pending
        value in the run's `py` (keyed by the op); its finish takes it from there."""
        op = step.op
        opdef = op.opdef
        if step.phase == "finish":
            result = _kernel_call(op, opdef.finish, [py.pop(op)])
        else:
            result = _kernel_call(op, self._kernel(step),
                                  self._arguments(ws, op, feeds, outs, py))
            if step.phase == "start":
                py[op] = result
                return
        buffers = self._lowering.buffer_plan.buffers
        values = (result,) if len(op.outputs) == 1 else tuple(result or ())
        for t, v in zip(op.outputs, values):
            buf = buffers[t]
            if buf.kind == "py":
                if isinstance(v, np.ndarray) and v.base is not None:
                    v = v.copy()
                py[t] = py[id(buf)] = v
            elif buf.kind == "var":
                continue  # an assignment's result is the variable itself
            else:
                dst = self._array(ws, buf, feeds, outs, py, t)
                np.copyto(dst, np.asarray(v).reshape(dst.shape), casting="unsafe")

    def _kernel(self, step: Step):
        """The kernel of `step`'s op over its inputs' values: the backend's own (a While
        loop: the lowering's Rule.driver), else its numpy kernel (a split op's start half
        in its start step)."""
        op = step.op
        fn = self._contexts.get(op)
        if fn is None:
            opdef = op.opdef
            compute = opdef.start if step.phase == "start" else opdef.compute
            if step.driver is not None:
                fn = step.driver(op, NodeContext(op, self._state, None, self._functions))
            elif opdef.needs_context:
                var = op.inputs[0].op.name if opdef.ref_inputs else None
                ctx = NodeContext(op, self._state, var, self._functions)
                fn = (lambda c, f, a: lambda *xs: f(c, *xs, **a))(ctx, compute, op.attrs)
            else:
                fn = (lambda f, a: lambda *xs: f(*xs, **a))(compute, op.attrs)
            self._contexts[op] = fn
        return fn

    def _arguments(self, ws, op, feeds, outs, py) -> list:
        buffers = self._lowering.buffer_plan.buffers
        args = []
        for i, t in enumerate(op.inputs):
            if i in op.opdef.ref_inputs:
                args.append(None)
            else:
                arr = self._array(ws, buffers[t], feeds, outs, py, t)
                shape = t.shape.as_tuple() if t.shape.is_fully_defined() else None
                if shape is not None and ws.env is not None:
                    shape = evaluate_shape(shape, ws.env)
                args.append(arr.reshape(shape) if shape is not None and arr.shape != shape
                            else arr)
        return args

    def _result(self, ws, i, buf: Buffer, feeds, outs, py):
        t = self.plan.fetches[i]
        shape = self._fetch_shapes[i] if ws.env is None else ws.sized.fetches[i]
        if buf.kind == "py":
            v = self._array(ws, buf, feeds, outs, py, t)
            fed = any(v is f for f in feeds)
            return v.copy() if isinstance(v, np.ndarray) and (fed or self._store.is_persistent(
                v)) else v
        arr = self._array(ws, buf, feeds, outs, py, t)
        if buf.kind == "out" and not self._fetch_shared[i]:
            return arr.reshape(shape)
        return np.array(arr).reshape(shape)


def _kernel_call(op, fn, args):
    """fn(*args), a kernel's failure re-raised as TF1's error naming `op` and its line."""
    try:
        with np.errstate(all="ignore"):
            return fn(*args)
    except OpError as exc:
        if exc.op is not None:
            raise
        raise type(exc)(exc.node_def, op.user_op(), exc.message) from None
    except (ValueError, TypeError, IndexError, ArithmeticError, MemoryError) as exc:
        raise InvalidArgumentError(
            None, op.user_op(), f"{type(exc).__name__} while executing {op.type} op "
            f"'{op.name}': {exc}") from exc
