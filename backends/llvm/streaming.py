"""Streaming stores: an elementwise kernel with a large output writes it past the caches.

A plain store to a line that is not in the cache first reads the line (the core must own
it before it writes part of it: the read-for-ownership), so a loop that writes n bytes
moves 2n over the memory bus, and its lines then push the inputs out of the caches. A
nontemporal store of a whole, aligned line skips the read and the cache; the line goes to
memory through a write-combining buffer. Where the output is far larger than a core's
caches (nothing would read it from there anyway) that is up to a third less traffic;
where it fits, it is slower (its reader must fetch it from memory).

LLVM's loop vectoriser keeps a `!nontemporal` mark only on stores it can prove aligned
to the vector, which a scalar loop's stores never are; so the innermost loop of a large
kernel runs in tiles: each tile's elements are computed by the ordinary (vectorised)
body into a small aligned scratch that stays in L1, and copied from there to the output
with explicit whole-line vector stores marked nontemporal. The elements before the
output's first line boundary (and the last, partial tile) take the plain loop.
Measured on `machine: Intel Xeon (family 6 model 167), 2 cores, LLVM CPU rocketlake,
AVX-512`: a multiply-add over 16 MiB, 2.7 ms against 4.1 with plain stores, and 1.4
against 1.8 at 8 MiB; at 4 MiB it wins alone (0.58 against 0.67 ms) and loses 5-10%
once a second pass reads the output, at 2 MiB and below it loses (0.32 against 0.25 ms
at 2 MiB): hence STREAM_MIN_BYTES.
"""
from __future__ import annotations

from llvmlite import ir

from graphc.ir.symbolic import is_symbolic
from . import irutil as U

STREAM_MIN_BYTES = 8 << 20  # a kernel's output bytes (all outputs) from which it streams
LINE = 64                   # bytes of a cache line, the unit of a streaming store
TILE_BYTES = 512            # scratch per output and tile (the widest output's bytes)
_LINE_TYPE = ir.VectorType(U.I32, LINE // 4)


def itemsize(dtype) -> int:
    return 1 if dtype.name == "bool" else dtype.np.itemsize


def may_stream(out_bytes) -> bool:
    """Whether a kernel writing `out_bytes` (an int or a Sym) gets the streaming loop:
    when that is large, or known only at run time (the loop then tests it)."""
    return is_symbolic(out_bytes) or out_bytes >= STREAM_MIN_BYTES


def finish(b: ir.IRBuilder, streamed) -> None:
    """Order the kernel's streaming stores before whatever the caller does next (another
    thread may read the output after the pool's join; streaming stores are weakly
    ordered): a full fence, when `streamed` (i1) holds."""
    with b.if_then(streamed):
        b.fence("seq_cst")


class TiledRows:
    """The innermost loop of an elementwise nest (loops.loop_nest's `innermost`), in
    tiles streamed to the outputs when `big` (i1) holds.

    compute(b, offsets) -> {tensor: register} computes the body at one point;
    outputs: (tensor, i8* pointer, dtype) of the values written, the output's offsets
    being the last stride set's."""

    def __init__(self, b: ir.IRBuilder, compute, outputs, big) -> None:
        self.compute, self.outputs, self.big = compute, outputs, big
        widest = max(itemsize(dt) for _, _, dt in outputs)
        self.tile = max(LINE, TILE_BYTES // widest)  # elements (a whole line of each output)
        entry = b.function.entry_basic_block
        with b.goto_block(entry):
            b.position_at_start(entry)
            self.scratch = []
            for _, _, dtype in outputs:
                a = b.alloca(ir.ArrayType(U.storage_type(dtype), self.tile), name="tile")
                a.align = LINE
                self.scratch.append(b.bitcast(a, U.PTR))

    def __call__(self, b: ir.IRBuilder, start, stop, offs, steps) -> None:
        def at(i):
            return [o if U.is_zero(st) else b.add(o, b.mul(i, U.dim(b, st)))
                    for o, st in zip(offs, steps)]

        first_ptr, first_dtype = self.outputs[0][1], self.outputs[0][2]
        size = itemsize(first_dtype)
        tile = ir.Constant(U.I64, self.tile)
        pre = b.block
        cond = b.append_basic_block("seg.cond")
        body = b.append_basic_block("seg.body")
        tiled = b.append_basic_block("seg.tile")
        plain = b.append_basic_block("seg.plain")
        nxt = b.append_basic_block("seg.next")
        end = b.append_basic_block("seg.end")
        b.branch(cond)
        b.position_at_end(cond)
        i = b.phi(U.I64, name="seg")
        i.add_incoming(start, pre)
        b.cbranch(b.icmp_signed("<", i, stop), body, end)

        b.position_at_end(body)
        rest = b.sub(stop, i)
        # (an address is read only to test its alignment: every access is a GEP)
        addr = b.add(b.ptrtoint(first_ptr, U.I64), b.mul(at(i)[-1], U.i64(size)))
        mis = b.and_(addr, U.i64(LINE - 1))
        to_line = b.udiv(b.and_(b.sub(U.i64(LINE), mis), U.i64(LINE - 1)), U.i64(size))
        aligned = b.icmp_unsigned("==", mis, U.i64(0))
        # an output not aligned to its elements never reaches a line boundary
        reachable = b.icmp_unsigned("==", b.and_(addr, U.i64(size - 1)), U.i64(0))
        big = b.and_(self.big, reachable)
        b.cbranch(b.and_(b.and_(big, aligned), b.icmp_signed(">=", rest, tile)),
                  tiled, plain)

        b.position_at_end(tiled)
        with U.for_range(b, tile, name="t") as k:
            values = self.compute(b, at(b.add(i, k)))
            for (t, _, dtype), scratch in zip(self.outputs, self.scratch):
                U.store(b, scratch, dtype, k, values[t])
        base = at(i)[-1]
        for j, ((_, ptr, dtype), scratch) in enumerate(zip(self.outputs, self.scratch)):
            self._copy_out(b, scratch, ptr, dtype, base, aligned=j == 0)
        tiled_end = b.block
        b.branch(nxt)

        b.position_at_end(plain)
        head = b.and_(big, b.icmp_unsigned("!=", mis, U.i64(0)))
        smaller = b.select(b.icmp_signed("<", to_line, rest), to_line, rest)
        n = b.select(head, smaller, rest)
        with U.for_range(b, b.add(i, n), i, name="p") as j:
            values = self.compute(b, at(j))
            for t, ptr, dtype in self.outputs:
                U.store(b, ptr, dtype, at(j)[-1], values[t])
        plain_end = b.block
        b.branch(nxt)

        b.position_at_end(nxt)
        count = b.phi(U.I64, name="seg.n")
        count.add_incoming(tile, tiled_end)
        count.add_incoming(n, plain_end)
        i.add_incoming(b.add(i, count), nxt)
        b.branch(cond)
        b.position_at_end(end)

    def _copy_out(self, b, scratch, ptr, dtype, base, aligned: bool) -> None:
        """The tile's values of one output to it at element `base`: whole lines marked
        nontemporal when its address there is line-aligned (`aligned`: known to be, as
        the first output's is), else an ordinary copy."""
        size = itemsize(dtype)
        dst = b.gep(ptr, [b.mul(base, U.i64(size))], inbounds=True)

        def stream():
            src = b.bitcast(scratch, _LINE_TYPE.as_pointer())
            out = b.bitcast(dst, _LINE_TYPE.as_pointer())
            marker = b.module.add_metadata([ir.Constant(U.I32, 1)])
            with U.for_range(b, self.tile * size // LINE, name="line") as q:
                v = b.load(b.gep(src, [q], inbounds=True), align=LINE)
                store = b.store(v, b.gep(out, [q], inbounds=True), align=LINE)
                store.set_metadata("nontemporal", marker)
        if aligned:
            stream()
            return
        on_line = b.icmp_unsigned("==", b.and_(b.ptrtoint(dst, U.I64), U.i64(LINE - 1)),
                                  U.i64(0))
        with b.if_else(on_line) as (streamed, ordinary):
            with streamed:
                stream()
            with ordinary:
                with U.for_range(b, self.tile, name="c") as k:
                    U.store(b, dst, dtype, k, U.load(b, scratch, dtype, k))
