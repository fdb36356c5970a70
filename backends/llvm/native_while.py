"""Stage 7 of the llvm backend: While, lowered by the backend itself, and the native
while-loop driver. The lowering (lowering.py's TABLE) gives a While node this module's
kernel (`while_kernel`), which runs the loop ir states (ir/ops/control_flow_ops.py's
WhileLoop: its graphs, argument positions, stacks, and one iteration as a single step
graph, the body then the condition) and runs the step natively where it can: the rest
of the loop, iteration by iteration from Python (`WhileRun.iterate`), where it cannot.

The step is compiled like any plan, by the GraphRunner the plan was compiled with
(NodeContext.functions). When that plan is a single native segment, with no numpy
kernels and no state, `run_loop` runs the loop with one generic driver function
(`graphc_while`, compiled once per process): per iteration it points the table at this
iteration's buffers, calls the segment, moves the results where the next iteration reads
them, and tests the condition. Python sees the loop again only when it ends, when a stack
buffer must grow, or when something fails. In an observed run (tracing, numerics checks)
the runner hands out no executable and every iteration runs from Python, so its ops are
seen.

The driver is data-driven: a control block (int64 words, layout below) describes where
each loop variable, sequence slice and stack lives. Loop variables are double-buffered
(A holds the value an iteration reads, B the one it writes; the table slots swap after each
iteration), so no value is copied when the body's kernels write the new value straight
into B, which they do unless the value is an alias (a parameter returned unchanged, a
constant, a variable): those are copied. Stacked values are written straight into their
slot of the stack buffer the same way.

Failures are not reported natively. A kernel that fails, or an index out of a sliced
sequence, stops the driver before the iteration's results are committed, and the loop
goes on from Python from that iteration, which raises the error with the op and the
user's line (one definition of every message).
"""
from __future__ import annotations

import ctypes
import threading
from typing import Optional

import numpy as np
from llvmlite import ir

from graphc.ir.ops.control_flow_ops import WhileLoop, WhileRun
from graphc.ir.ops.fused_ops import updates
from graphc.ir.symbolic import evaluate, evaluate_shape
from . import irutil as U
from .cache import jit_module

# Control block: header words, then one record per loop variable, slice and stack.
SEGMENT, TABLE, ARENA, COUNT, LIMIT, N_VARS, N_SLICES, N_STACKS, COUNTER, OFFSET, \
    COND_KIND, COND_SRC, STATUS = range(13)
HEADER = 13
# loop variable: table slot of its parameter (-1 unused), A, B, source kind, source,
# table slot to point at B before the step (-1: none, copy from source), bytes
VAR_WORDS = 7
# slice: table slot of its parameter, base address, bytes per element, length
SLICE_WORDS = 4
# stack: base address, bytes per element, capacity, source kind, source, direct slot
STACK_WORDS = 6
SRC_TABLE, SRC_ARENA, SRC_ADDRESS = 0, 1, 2  # source: table[i], arena + i, address i

ENDED, FAILED, FULL, OUT_OF_RANGE, PAUSED = range(5)
CHUNK = 1 << 16  # iterations per native call (Python then checks for signals)
MAX_COUNT = 2**31 - 1

ENABLED = True  # False: every loop is driven from Python (for comparisons)
STATS = {"loops": 0, "iterations": 0}  # loops run natively, and their iterations

_DRIVER: list = []
_LOCK = threading.Lock()


def while_kernel(op, ctx):
    """The llvm backend's kernel of the While node `op` (lowering.py's Rule.driver), its
    graphs run by `ctx.functions`."""
    loop = WhileLoop.of(op)
    return lambda *args: run_while(loop, ctx, args)


def run_while(loop: WhileLoop, ctx, args) -> tuple:
    """`loop` run on `args`: natively from the first iteration where its step lowers to
    one native segment, from Python for the iterations that remain."""
    run = loop.start(ctx.runner(), args, ctx.read_variable_named)
    if run.go and loop.step is not None and ENABLED:
        _run_natively(loop, run)
    while run.go:
        run.iterate()
    return run.results()


def _run_natively(loop: WhileLoop, run: WhileRun) -> None:
    step = loop.step
    args = run.args(loop.step_positions)
    compiled = run.runner.compiled(step[0], step[1], step[2], args)
    if compiled is None or compiled[0].backend != "llvm":  # (observed; or generic numpy)
        return
    exe, positions = compiled
    ended = exe.run_loop(args, positions, loop, run)
    if ended:
        run.go = False


def _emit_driver() -> ir.Module:
    i64 = U.I64
    i64p = i64.as_pointer()
    module = ir.Module(name="graphc_while")
    fn = ir.Function(module, ir.FunctionType(U.I32, [i64p]), name="graphc_while")
    memmove = U.intrinsic(module, "memmove", U.PTR, [U.PTR, U.PTR, i64])
    seg_t = ir.FunctionType(U.I32, [U.PTR.as_pointer(), U.PTR]).as_pointer()
    ctl = fn.args[0]
    b = ir.IRBuilder(fn.append_basic_block("entry"))

    def c(v):
        return ir.Constant(i64, v)

    def word(i):
        return b.gep(ctl, [i if isinstance(i, ir.Value) else c(i)], inbounds=True)

    def get(i):
        return b.load(word(i))

    def as_ptr(v):
        return b.inttoptr(v, U.PTR)

    def record(base, n_words, index, field):
        return b.add(b.add(base, b.mul(index, c(n_words))), c(field))

    table = b.inttoptr(get(TABLE), i64p)
    arena = get(ARENA)
    segment = b.inttoptr(get(SEGMENT), seg_t)
    n_vars, n_slices, n_stacks = get(N_VARS), get(N_SLICES), get(N_STACKS)
    limit, counter, offset = get(LIMIT), get(COUNTER), get(OFFSET)
    slices0 = b.add(c(HEADER), b.mul(n_vars, c(VAR_WORDS)))
    stacks0 = b.add(slices0, b.mul(n_slices, c(SLICE_WORDS)))

    def slot(i):
        return b.gep(table, [i], inbounds=True)

    def source(kind, index):
        """The address a source names (table slot, arena offset, or absolute)."""
        from_table = b.load(slot(b.select(b.icmp_signed("==", kind, c(SRC_TABLE)), index,
                                          c(0))))
        return b.select(b.icmp_signed("==", kind, c(SRC_TABLE)), from_table,
                        b.select(b.icmp_signed("==", kind, c(SRC_ARENA)),
                                 b.add(arena, index), index))

    def leave(status, count):
        b.store(count, word(COUNT))
        b.ret(ir.Constant(U.I32, status))

    start = get(COUNT)
    top = fn.append_basic_block("iteration")
    entry = b.block
    b.branch(top)
    b.position_at_end(top)
    count = b.phi(i64, name="count")
    count.add_incoming(start, entry)

    with b.if_then(b.icmp_signed(">=", count, limit), likely=False):
        leave(PAUSED, count)
    # stacks: this iteration's slot, written directly by the step where it can be
    with U.for_range(b, n_stacks, name="s") as s:
        r = record(stacks0, STACK_WORDS, s, 0)
        with b.if_then(b.icmp_signed(">=", count, get(b.add(r, c(2)))), likely=False):
            leave(FULL, count)
        direct = get(b.add(r, c(5)))
        with b.if_then(b.icmp_signed(">=", direct, c(0))):
            b.store(b.add(get(r), b.mul(count, get(b.add(r, c(1))))), slot(direct))
    # loop variables: the step writes the new value into B where it can
    with U.for_range(b, n_vars, name="v") as v:
        r = record(c(HEADER), VAR_WORDS, v, 0)
        direct = get(b.add(r, c(5)))
        with b.if_then(b.icmp_signed(">=", direct, c(0))):
            b.store(get(b.add(r, c(2))), slot(direct))
    # slices of sequences, at the loop counter's value plus the offset
    with b.if_then(b.icmp_signed(">", n_slices, c(0))):
        a_counter = get(record(c(HEADER), VAR_WORDS, counter, 1))
        index = b.add(b.sext(b.load(b.inttoptr(a_counter, U.I32.as_pointer())), i64), offset)
        with U.for_range(b, n_slices, name="x") as x:
            r = record(slices0, SLICE_WORDS, x, 0)
            bad = b.or_(b.icmp_signed("<", index, c(0)),
                        b.icmp_signed(">=", index, get(b.add(r, c(3)))))
            with b.if_then(bad, likely=False):
                leave(OUT_OF_RANGE, count)
            b.store(b.add(get(b.add(r, c(1))), b.mul(index, get(b.add(r, c(2))))),
                    slot(get(r)))
    status = b.call(segment, [b.bitcast(table, U.PTR.as_pointer()), as_ptr(arena)])
    with b.if_then(b.icmp_signed("!=", status, ir.Constant(U.I32, 0)), likely=False):
        b.store(b.sext(status, i64), word(STATUS))
        leave(FAILED, count)
    # commit: stacked values first (they may read this iteration's inputs A), then the
    # new loop values into B, then swap A and B
    with U.for_range(b, n_stacks, name="s2") as s:
        r = record(stacks0, STACK_WORDS, s, 0)
        dst = b.add(get(r), b.mul(count, get(b.add(r, c(1)))))
        src = source(get(b.add(r, c(3))), get(b.add(r, c(4))))
        with b.if_then(b.icmp_signed("!=", src, dst)):
            b.call(memmove, [as_ptr(dst), as_ptr(src), get(b.add(r, c(1)))])
    with U.for_range(b, n_vars, name="v2") as v:
        r = record(c(HEADER), VAR_WORDS, v, 0)
        dst = get(b.add(r, c(2)))
        src = source(get(b.add(r, c(3))), get(b.add(r, c(4))))
        with b.if_then(b.icmp_signed("!=", src, dst)):
            b.call(memmove, [as_ptr(dst), as_ptr(src), get(b.add(r, c(6)))])
    with U.for_range(b, n_vars, name="v3") as v:
        r = record(c(HEADER), VAR_WORDS, v, 0)
        a, new = get(b.add(r, c(1))), get(b.add(r, c(2)))
        b.store(new, word(b.add(r, c(1))))
        b.store(a, word(b.add(r, c(2))))
        param = get(r)
        with b.if_then(b.icmp_signed(">=", param, c(0))):
            b.store(new, slot(param))
    go = b.load(as_ptr(source(get(COND_KIND), get(COND_SRC))))
    nxt = b.add(count, c(1))
    with b.if_then(b.icmp_unsigned("==", go, ir.Constant(U.I8, 0))):
        leave(ENDED, nxt)
    count.add_incoming(nxt, b.block)
    b.branch(top)
    return module


def driver():
    """The process's `graphc_while(int64 *ctl) -> int32`, compiled on first use."""
    with _LOCK:
        if not _DRIVER:
            engine, (address,) = jit_module(_emit_driver(), ["graphc_while"])
            _DRIVER.append((engine, ctypes.CFUNCTYPE(ctypes.c_int32, ctypes.c_void_p)(address)))
    return _DRIVER[0][1]


class LoopSpec:
    """What the driver needs to know of one step plan, worked out once per plan: for each
    fetch, where its value is (kind, index) and which table slot the driver may point at
    its destination; the feeds of the loop variables and slices."""

    __slots__ = ("var_feeds", "var_src", "var_direct", "var_bytes", "slice_feeds",
                 "stack_src", "stack_direct", "stack_elem", "cond_src")


def loop_spec(exe, loop: WhileLoop, out_positions: list) -> Optional[LoopSpec]:
    """The LoopSpec of `exe` run as `loop`'s step, or None when the step does not lower
    to one native segment of stateless kernels (Python then drives the loop)."""
    if len(exe._schedule) != 1 or exe._schedule[0][0] != "native" or exe._py_feeds:
        return None
    positions, n, sliced = loop.step_positions, loop.n, loop.sliced
    for op in exe.plan.nodes:
        if not op.opdef.pure and op.type != "VariableV2" or updates(op):
            return None
    buffers = exe._lowering.buffer_plan.buffers
    feeds = exe.plan.feeds
    fetch = exe._fetch
    if any(b.kind not in ("out", "feed", "var", "const") for b in fetch):
        return None
    spec = LoopSpec()
    directed: set = set()

    def where(b, direct: bool = True):
        if b.kind == "const":
            return SRC_ADDRESS, b.value.ctypes.data, -1
        if direct and b.kind == "out" and id(b) not in directed:
            directed.add(id(b))
            return SRC_TABLE, b.slot, b.slot
        return SRC_TABLE, b.slot, -1

    spec.var_feeds, spec.var_src, spec.var_direct, spec.var_bytes = [], [], [], []
    for i in range(n):
        js = [j for j, p in enumerate(positions) if p == i]
        out = fetch[out_positions[i]]
        if js:
            fb = buffers[feeds[js[0]]]
            if fb.kind != "feed" or fb.shape != exe._fetch_shapes[out_positions[i]] or \
                    fb.dtype is not out.dtype:
                return None  # the loop variable changes shape (a shape invariant)
            spec.var_feeds.append(fb.slot)
        else:
            spec.var_feeds.append(-1)
        kind, src, direct = where(out)
        spec.var_src.append((kind, src))
        spec.var_direct.append(direct)
        spec.var_bytes.append(out.nbytes)
    spec.slice_feeds = {}
    for j, p in enumerate(positions):
        if p in sliced:
            fb = buffers[feeds[j]]
            if fb.kind != "feed":
                return None
            spec.slice_feeds[j] = fb
    if spec.slice_feeds and (loop.counter >= n or
                             fetch[out_positions[loop.counter]].dtype.np != np.int32):
        return None  # the driver reads the slice index as an int32 loop variable
    spec.stack_src, spec.stack_direct, spec.stack_elem = [], [], []
    for k in range(len(loop.stacked)):
        out = fetch[out_positions[n + k]]
        kind, src, direct = where(out)
        spec.stack_src.append((kind, src))
        spec.stack_direct.append(direct)
        shape = exe._fetch_shapes[out_positions[n + k]]  # (an alias's buffer may have
        if shape is None:                                  # its source's shape)
            return None
        spec.stack_elem.append((shape, out.dtype.np))
    cond = fetch[out_positions[-1]]
    if cond.shape != () or cond.dtype.np != np.bool_:
        return None
    spec.cond_src = where(cond, direct=False)[:2]
    return spec


def run_loop(exe, spec: LoopSpec, ws, loop: WhileLoop, run: WhileRun) -> bool:
    """Run `run` natively from `run.count` on the bound workspace `ws`; True when the
    condition ended it, False when an iteration failed (values and count are those
    before it, for the caller to run it again and raise)."""
    n = loop.n
    values = run.values
    positions = loop.step_positions
    env = ws.env or {}  # a symbolic plan's sizes this run (ir/symbolic.py)
    var_arrays = []
    for i in range(n):
        shape_bytes = evaluate(spec.var_bytes[i], env)
        a = np.array(values[i], order="C", copy=True)
        if a.nbytes != shape_bytes:
            return False
        var_arrays.append([a, np.empty_like(a)])
    full = {j: np.ascontiguousarray(values[positions[j]]) for j in spec.slice_feeds}
    stacks = run.stacks
    ctl = np.zeros(HEADER + n * VAR_WORDS + len(full) * SLICE_WORDS +
                   len(stacks) * STACK_WORDS, np.int64)
    ctl[[SEGMENT, TABLE, ARENA]] = (ctypes.cast(exe._schedule[0][1], ctypes.c_void_p).value,
                                    ws.table_address, ws.arena_address)
    ctl[[N_VARS, N_SLICES, N_STACKS]] = n, len(full), len(stacks)
    ctl[COUNTER], ctl[OFFSET] = loop.counter, loop.offset
    ctl[COND_KIND], ctl[COND_SRC] = spec.cond_src
    for i, (a, b) in enumerate(var_arrays):
        r = HEADER + i * VAR_WORDS
        ctl[r:r + VAR_WORDS] = (spec.var_feeds[i], a.ctypes.data, b.ctypes.data,
                                spec.var_src[i][0], spec.var_src[i][1], spec.var_direct[i],
                                a.nbytes)
        if spec.var_feeds[i] >= 0:
            ws.table[spec.var_feeds[i]] = a.ctypes.data
    r0 = HEADER + n * VAR_WORDS
    for x, (j, fb) in enumerate(spec.slice_feeds.items()):
        arr = full[j]
        if arr.shape[1:] != evaluate_shape(fb.shape, env) or arr.dtype != fb.dtype.np:
            return False
        r = r0 + x * SLICE_WORDS
        ctl[r:r + SLICE_WORDS] = (fb.slot, arr.ctypes.data, arr.strides[0] if arr.ndim and
                                  arr.shape[0] else 0, arr.shape[0])
    s0 = r0 + len(full) * SLICE_WORDS

    def place(k: int) -> None:
        elem, dtype = spec.stack_elem[k]
        buf = stacks[k].ensure(run.count, evaluate_shape(elem, env), dtype)
        r = s0 + k * STACK_WORDS
        ctl[r:r + STACK_WORDS] = (buf.ctypes.data, buf.strides[0], buf.shape[0],
                                  spec.stack_src[k][0], spec.stack_src[k][1],
                                  spec.stack_direct[k])

    for k in range(len(stacks)):
        place(k)
    call = driver()
    address = ctl.ctypes.data
    ctl[COUNT] = start = run.count
    while True:
        ctl[LIMIT] = min(int(ctl[COUNT]) + CHUNK, MAX_COUNT)
        status = call(address)
        run.count = int(ctl[COUNT])
        if status == FULL:
            for k in range(len(stacks)):
                if run.count >= ctl[s0 + k * STACK_WORDS + 2]:
                    place(k)
            continue
        if status == PAUSED and run.count < MAX_COUNT:
            continue
        break
    STATS["loops"] += 1
    STATS["iterations"] += run.count - start
    for i in range(n):  # the values the next iteration would read (the A buffers)
        values[i] = _array_at(var_arrays[i], int(ctl[HEADER + i * VAR_WORDS + 1]))
    return status == ENDED


def _array_at(pair: list, address: int) -> np.ndarray:
    return pair[0] if pair[0].ctypes.data == address else pair[1]
