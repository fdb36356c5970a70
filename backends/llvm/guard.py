"""Bound checks of the llvm backend's buffers (GRAPHC_ARENA_CHECK=1), for tests and for
chasing memory corruption: a kernel that writes past the end of a buffer is named
instead of corrupting the heap (a `free(): invalid next size` much later).

With the check on, `plan_arena` gives every arena buffer a lifetime of the whole run (no
two buffers share bytes) and GUARD bytes of its own after its end (GUARD per unit of the
batch for a buffer sized by a symbolic dim, ir/symbolic.py); each fetched result gets
GUARD bytes after it too. Before a run the runtime fills those guards (and the unused
bytes of a symbolic plan's dims) with PATTERN, and after every native segment and numpy
kernel `check` finds them intact, and a symbolic plan's dims unchanged, or raises
InternalError naming the buffer overrun, its op and the steps that had just run.
Layout and results are those of an ordinary run otherwise (the kernels are the same but
for the arena offsets), so the whole suite runs under the check.
"""
from __future__ import annotations

import os

import numpy as np

from graphc.ir.errors import InternalError
from graphc.ir.symbolic import evaluate

ENABLED = os.environ.get("GRAPHC_ARENA_CHECK") == "1"
GUARD = 64       # bytes after each buffer (per unit of a symbolic size's monomial)
PATTERN = 0xA5


class Guards:
    """The guard regions of one executable: arena buffers (`buffers`), the dims' unused
    bytes, and per run the fetched results' tails."""

    def __init__(self, buffers: list, n_symbols: int, dims_bytes: int) -> None:
        self.buffers = buffers            # arena Buffers, laid out with guards
        self.n_symbols = n_symbols
        self.dims_bytes = dims_bytes if n_symbols else 0

    def regions(self, env) -> list:
        """(start, end, buffer) of each guard in the arena for the sizes `env`."""
        out = []
        env = env or {}
        for b in self.buffers:
            at = evaluate(b.offset, env)
            out.append((at + evaluate(b.nbytes, env), at + evaluate(b.size_aligned, env), b))
        if self.dims_bytes:
            out.append((8 * self.n_symbols, self.dims_bytes, None))
        return out

    @staticmethod
    def new_output(shape, dtype) -> tuple:
        """(an array of `shape` and `dtype` followed by GUARD bytes of PATTERN, its base)."""
        dtype = np.dtype(dtype)
        nbytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
        base = np.empty(nbytes + GUARD, np.uint8)
        base[nbytes:] = PATTERN
        return base[:nbytes].view(dtype).reshape(shape), base

    def arm(self, ws) -> None:
        """Fill the guards of workspace `ws` for its current sizes."""
        regions = self.regions(ws.env)
        for start, end, _ in regions:
            ws.arena[start:end] = PATTERN
        ws.guard_regions = regions
        ws.guard_outputs = []
        ws.guard_dims = ws.arena[:8 * self.n_symbols].copy()

    def check(self, ws, after) -> None:
        """Raise InternalError when a guard of `ws` changed; `after()` describes the
        steps that just ran."""
        arena = ws.arena
        if self.n_symbols and not np.array_equal(arena[:8 * self.n_symbols], ws.guard_dims):
            raise InternalError(None, None, "native code overwrote the run's symbolic dims "
                                f"(the arena's first bytes) {after()}")
        for start, end, buf in ws.guard_regions:
            seg = arena[start:end]
            if seg.size and not (seg == PATTERN).all():
                first = start + int(np.argmax(seg != PATTERN))
                what = "the symbolic dims' spare bytes" if buf is None else \
                    f"an arena buffer of shape {buf.shape} ({buf.dtype.name})"
                op = None if buf is None or buf.op is None else buf.op
                name = f" of {op.type} op '{op.name}'" if op is not None else ""
                raise InternalError(None, op.user_op() if op is not None else None,
                                    f"native code wrote past the end of {what}{name}: "
                                    f"byte {first - start} after its end {after()}")
        for base, nbytes, buf in ws.guard_outputs:
            if not (base[nbytes:] == PATTERN).all():
                op = buf.op
                name = f" of {op.type} op '{op.name}'" if op is not None else ""
                raise InternalError(None, op.user_op() if op is not None else None,
                                    f"native code wrote past the end of the result of shape "
                                    f"{buf.shape} ({buf.dtype.name}){name} {after()}")
