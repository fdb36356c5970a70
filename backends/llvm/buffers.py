"""Stage 1 of the llvm backend: the buffer plan. It receives the Plan; lowering (stage 2)
fills it while it walks the ops, and once every step is known `plan_arena` lays out the
workspace arena. It hands on, to emission and the runtime, a Buffer for every tensor:

  feed   the fed array (table slot, written per run)
  const  a Const's array (table slot, fixed)
  var    a variable's array in the Session's store (table slot, refreshed when replaced)
  out    a fetched result, a fresh array per run (table slot, written per run)
  arena  an intermediate: an offset into the workspace arena, shared by tensors whose
         lifetimes do not overlap (liveness: first to last step touching it)
  py     a value only Python handles (strings, shapes known only at run time)

Views (Identity, Reshape, ...) share their input's Buffer. Variables are updated in place,
so a value that aliases a variable and is read after a later write to that variable must
be copied where the numpy interpreter would have read it: `needs_snapshot` says when,
from the positions of each tensor's last reader and of each variable's writers.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np

from graphc.ir import dtypes as dt
from graphc.ir.ops.fused_ops import updates
from graphc.ir.runtime import MEMORY_LIMIT, too_large_error
from graphc.ir.symbolic import Sym, SymbolicDimError, is_symbolic, symbols_of
from . import irutil as U

ALIGN = 64  # bytes: every arena buffer starts on a cache line (and an AVX-512 vector)


@dataclass(eq=False)
class Buffer:
    kind: str                 # feed | const | var | out | arena | py
    dtype: object
    shape: Optional[tuple]
    slot: int = -1            # table slot (feed, const, var, out)
    offset: int = -1          # arena offset
    var: Optional[str] = None
    value: object = None      # const array
    first: int = 0            # lifetime in steps (arena)
    last: int = 0
    size_aligned: int = 0
    native_used: bool = False  # a native kernel reads or writes it (variables)
    op: object = None         # the op it holds an output (or scratch) of, for errors

    @property
    def nbytes(self) -> int:
        n = 1
        for d in self.shape:
            n *= d
        return n * np.dtype(self.dtype.np).itemsize


def static(t) -> bool:
    """A tensor native code can hold: a fully known shape and a dtype it stores."""
    return t.shape.is_fully_defined() and t.dtype.name in U.LOWERABLE_DTYPES


def shape_of(t) -> tuple:
    return tuple(t.shape.as_tuple())


class BufferPlan:
    """Tensor -> Buffer for one Plan, with the table slots and the liveness facts."""

    def __init__(self, plan) -> None:
        self.buffers: dict = {}        # tensor -> Buffer
        self.n_slots = 0
        self.extra_buffers: list = []  # constants made by lowering (index tables)
        self.fetch_buffers: list = []  # per fetch, its Buffer (set when lowering ends)
        self.last_use: dict = {}  # tensor -> position of its last reader (inf if fetched)
        self.writes: dict = {}    # variable name -> positions of the ops writing it
        for i, op in enumerate(plan.nodes):
            for j, t in enumerate(op.inputs):
                if j in op.opdef.ref_inputs:
                    self.writes.setdefault(t.op.name, []).append(i)
                else:
                    self.last_use[t] = i
            for u in updates(op):  # a Fused node's updates write where it runs
                self.writes.setdefault(u.inputs[0].op.name, []).append(i)
        for t in plan.fetches:
            self.last_use[t] = float("inf")

    def new_slot(self) -> int:
        self.n_slots += 1
        return self.n_slots - 1

    def buffer(self, t) -> Buffer:
        return self.buffers[t]

    def define(self, t, kind: str = "arena") -> Buffer:
        """A new Buffer for `t` (a "py" one when native code cannot hold it)."""
        if not static(t):
            kind = "py"
        buf = Buffer(kind, t.dtype, shape_of(t) if kind != "py" else None, op=t.op)
        if kind in ("feed", "out", "const", "var"):
            buf.slot = self.new_slot()
        self.buffers[t] = buf
        return buf

    def const_buffer(self, value: np.ndarray) -> Buffer:
        """A constant no tensor names (an index table a kernel reads)."""
        buf = Buffer("const", dt.as_dtype(value.dtype), value.shape, slot=self.new_slot(),
                     value=np.ascontiguousarray(value))
        self.extra_buffers.append(buf)
        return buf

    def native_inputs(self, op) -> bool:
        return all(t in self.buffers and self.buffers[t].kind != "py" for t in op.inputs)

    def only_tensor_of(self, buf: Buffer) -> bool:
        """No other tensor shares `buf` (no view or alias of it)."""
        return sum(b is buf for b in self.buffers.values()) == 1

    def needs_snapshot(self, var: str, t, index: int) -> bool:
        """Would a write to `var` land between `t`'s definition (at op `index`) and its
        last reader?"""
        last = self.last_use.get(t, index)
        return any(index < w < last for w in self.writes.get(var, ()))

    def all_buffers(self) -> list:
        """Every distinct Buffer of the plan."""
        uniq: dict = {}
        for b in list(self.buffers.values()) + self.fetch_buffers + self.extra_buffers:
            uniq[id(b)] = b
        return list(uniq.values())


def plan_arena(steps: list, buffers: dict, base: int = 0, guard: int = 0):
    """Give each arena buffer an offset; buffers live from first to last step touching them.
    Greedy by size (largest first), lowest offset that overlaps no live neighbour.
    Returns the arena's size in bytes, after checking that it and the run's fresh results
    fit in memory (lowering checked each output on its own: ir.runtime.check_output_sizes).

    Sizes with symbolic dims (ir/symbolic.py) are polynomials: the static buffers are laid
    out from `base` (past the dims a symbolic plan keeps first), then each group of
    buffers whose size is c * the same monomial m (the batch, say) is laid out the same
    way on the c's, rounded up to ALIGN, at offsets that are multiples of m after the
    groups before it. The size returned is then a polynomial, checked per run.

    `guard` (guard.py, GRAPHC_ARENA_CHECK=1): every buffer lives for the whole run and
    has `guard` bytes (per unit of its monomial) of its own after its end."""
    live: dict = {}
    for i, step in enumerate(steps):
        for t in list(step.inputs) + list(step.outputs) + list(step.scratch):
            b = t if isinstance(t, Buffer) else buffers.get(t)
            if b is not None and b.kind == "arena":
                first, last = live.get(id(b), (i, i))[0], i
                live[id(b)] = (min(first, i), last)
                b.first, b.last = live[id(b)]
    arena = {id(b): b for b in arena_buffers(steps, buffers)}
    if guard:
        for b in arena.values():
            b.first, b.last = 0, len(steps)
    groups: dict = {(): []}  # monomial -> its buffers (() : the static ones)
    for b in arena.values():
        groups.setdefault(_monomial(b.nbytes), []).append(b)
    top = base + _greedy(groups.pop(()), lambda b: b.nbytes + guard, base)
    for mono, bufs in sorted(groups.items()):
        coefs = {id(b): b.nbytes.terms[mono] for b in bufs}
        start = top
        extent = _greedy(bufs, lambda b: coefs[id(b)] + guard, 0)
        unit = Sym({mono: 1}, 1)
        for b in bufs:
            b.offset = start + b.offset * unit
            b.size_aligned = b.size_aligned * unit
        top = start + extent * unit
    outs = [b for b in {id(b): b for b in buffers.values()}.values() if b.kind == "out"]
    if is_symbolic(top) or any(is_symbolic(b.nbytes) for b in outs):
        return top  # (runtime.py checks each run's sizes)
    total = top + sum(b.nbytes for b in outs)
    if total > MEMORY_LIMIT:
        biggest = max((b for b in list(arena.values()) + outs if b.op is not None),
                      key=lambda b: b.nbytes)
        raise too_large_error(biggest.op, "the buffers of one run (its own output: "
                              f"{biggest.nbytes} bytes)", total)
    return top


def arena_buffers(steps: list, buffers: dict) -> list:
    """Every distinct arena Buffer: tensors' and the steps' scratch."""
    arena = {id(b): b for b in buffers.values() if b.kind == "arena"}
    for step in steps:
        arena.update((id(b), b) for b in step.scratch)
    return list(arena.values())


def _monomial(nbytes) -> tuple:
    """() for a static size; m for a size c * m (one term); else the plan compiles per
    shape (SymbolicDimError)."""
    if not is_symbolic(nbytes):
        return ()
    if len(nbytes.terms) != 1:
        raise SymbolicDimError(f"an arena buffer of {nbytes} bytes",
                               symbols=symbols_of(nbytes))
    return next(iter(nbytes.terms))


def _greedy(bufs: list, size_of, base: int) -> int:
    """Offsets (from 0) for `bufs` of sizes `size_of(b)`, largest first, each at the lowest
    offset no buffer live at the same time overlaps; returns the extent used."""
    placed: list = []
    top = 0
    for b in sorted(bufs, key=lambda b: (-size_of(b), b.first)):
        size = (size_of(b) + ALIGN - 1) // ALIGN * ALIGN or ALIGN
        clashes = sorted((p.offset, p.offset + p.size_aligned) for p in placed
                         if not (p.last < b.first or b.last < p.first))
        offset = 0
        for lo, hi in clashes:
            if offset + size <= lo:
                break
            offset = max(offset, hi)
        b.offset = offset
        b.size_aligned = size
        placed.append(b)
        top = max(top, offset + size)
    for b in bufs:
        b.offset += base
    return top
