"""Stage 3 of the llvm backend, emission of the direct convolution kernels (NHWC), in the
calling convention of `loops`, over conv_kernels' geometry and zero-padded input
(emit_pad): register-blocked loops where a block of up to 4 vectors of output channels
for a block of neighbouring pixels (up to ACCUMULATORS vector registers) accumulates
over the window. Used for narrow patches (1 to 4 input channels) and, on AVX-512 hosts,
for wide ones too (conv_lowering._direct), where they outrun BLAS's AVX2 kernels: the
forward convolution, the stride-1 input gradient as the forward convolution of the
padded dy with the turned filter (input_gradient_shape), and the filter gradient over
tiles of output rows kept in L1 (emit_conv_filter_tiled).
"""
from __future__ import annotations

from llvmlite import ir

from graphc.ir.symbolic import hint_of
from . import irutil as U
from .conv_kernels import (ConvShape, Epilogue, channel_chunks, emit_partial_sum, padded_pixel,
                           padded_shape, smin, thread_sum, vector_ops, zero_range)
from .loops import Kernel, new_kernel
from .parallel import chunk_size

_c = U.i64


GROUP = 4  # neighbouring output pixels a direct convolution handles together


def _group_window(b, g: ConvShape, n, oh, ow0, count, body):
    """for each window element and input channel of `count` pixels from (oh, ow0):
    body(b, [padded input offsets of the pixels' elements], row of the filter)."""
    with U.for_range(b, g.kh, name="i") as i:
        with U.for_range(b, g.kw, name="j") as j:
            pix = [padded_pixel(b, g, n, oh, b.add(ow0, _c(p)), i, j) for p in range(count)]
            frow = b.mul(b.add(b.mul(i, _c(g.kw)), j), _c(g.c))
            with U.for_range(b, g.c, name="ch") as ch:
                body(b, [b.add(at, ch) for at in pix], b.add(frow, ch))


def _pixel_groups(b, g: ConvShape, lo, hi, body, row_done=None, per: int = GROUP):
    """for output rows [lo, hi): body(b, row, n, oh, ow0, count) over groups of `per`
    pixels, then the rest of the row as one group (count static); then row_done(b, row)."""
    with U.for_range(b, hi, lo, name="row") as row:
        n, oh = b.sdiv(row, _c(g.oh)), b.srem(row, _c(g.oh))
        full = g.ow // per
        if full:
            with U.for_range(b, full, name="grp") as grp:
                body(b, row, n, oh, b.mul(grp, _c(per)), per)
        if g.ow % per:
            body(b, row, n, oh, _c(full * per), g.ow % per)
        if row_done is not None:
            row_done(b, row)


ACCUMULATORS = 24  # vector registers a direct kernel's block of outputs keeps (of 32:
#                   AVX-512's; a host with 16 gets half as many, see conv_lowering)


def vector_blocks(m: int, lanes: int, most: int = 4) -> list:
    """[(first channel, [vector widths])]: `m` output channels in blocks of up to `most`
    vectors of `lanes` (the last vector of a block narrower when m is not a multiple)."""
    blocks = []
    for c0 in range(0, m, most * lanes):
        span = min(most * lanes, m - c0)
        blocks.append((c0, [min(lanes, span - v) for v in range(0, span, lanes)]))
    return blocks


def pixel_block(ow: int, vectors: int, accumulators: int = ACCUMULATORS) -> int:
    """Neighbouring output pixels per block: as many as keep vectors x pixels accumulators
    within `accumulators`, balanced over the row (14 pixels as 5, 5, 4, not 6, 6, 2)."""
    most = max(1, accumulators // vectors)
    groups = -(-ow // most)
    return -(-ow // groups)


def register_blocks(b, ft, m: int, lanes: int, extent: int, accumulators: int):
    """A register-blocked kernel's accumulators: (vector_blocks of the m channels, the
    block of `extent` (pixels, or input channels) each holds (pixel_block), zeroed, ops)
    where zeroed(c0, widths, count) zeroes and returns [(channel, width, count accumulator
    slots)] of the block from c0 and ops[width] is vector_ops'."""
    blocks = vector_blocks(m, lanes)
    most = max(len(ws) for _, ws in blocks)
    per = pixel_block(extent, most, accumulators)
    widths = sorted({w for _, ws in blocks for w in ws})
    accs = {w: [[b.alloca(ir.VectorType(ft, w)) for _ in range(per)] for _ in range(most)]
            for w in widths}

    def zeroed(c0, ws, count):
        sets = [(c0 + v * lanes, w, accs[w][v][:count]) for v, w in enumerate(ws)]
        for _, w, acc in sets:
            for a in acc:
                b.store(ir.Constant(ir.VectorType(ft, w), [0.0] * w), a)
        return sets
    return blocks, per, zeroed, {w: vector_ops(b, ft, w) for w in widths}


def outer_products(b, ops, sets, vectors: list, scalars: list) -> None:
    """acc += scalar * vector for every accumulator of `sets` (register_blocks' zeroed:
    [(channel, width, accumulator per scalar)]), `vectors` one per set: scalar by scalar,
    one broadcast at a time against all the vectors, so the registers hold the
    accumulators, the vectors and one broadcast (vector by vector, every broadcast stays
    live across the sets: 24 accumulators of 2 vectors spilled 6 registers an iteration)."""
    for q, xv in enumerate(scalars):
        splats = {}
        for (_, w, acc), v in zip(sets, vectors):
            if q >= len(acc):
                continue
            _, splat, _, fma = ops[w]
            if w not in splats:
                splats[w] = splat(xv)
            b.store(fma(splats[w], v, b.load(acc[q])), acc[q])


def emit_conv_direct(module, name, dtype, g: ConvShape, m: int, lanes: int,
                     operands, epilogue: Epilogue | None = None,
                     accumulators: int = ACCUMULATORS) -> Kernel:
    """out = conv(x, f) read from the zero-padded input (emit_pad), register-blocked:
    for a block of up to 4 vectors of output channels and a block of neighbouring pixels
    of one output row (together up to ACCUMULATORS vector registers), every window
    element and input channel loads the filter's vectors once and adds x * f to each
    pixel's. Operands (xp, f, out), then an `epilogue`'s, which runs on each output row.
    """
    b, ptrs, lo, hi = new_kernel(module, name, 3 + (epilogue.extra if epilogue else 0))
    x, f, out = ptrs[:3]
    ft = U.value_type(dtype)
    blocks, per, zeroed, ops = register_blocks(b, ft, m, lanes, g.ow, accumulators)

    def group(b, row, n, oh, ow0, count):
        for c0, ws in blocks:
            sets = zeroed(c0, ws, count)

            def element(b, pix, frow, sets=sets):
                xs = None
                for ch0, w, acc in sets:
                    _, splat, vptr, fma = ops[w]
                    fv = b.load(vptr(f, b.add(b.mul(frow, _c(m)), _c(ch0))), align=4)
                    if xs is None:
                        xs = [U.load(b, x, dtype, at) for at in pix]
                    for a, xv in zip(acc, xs):
                        b.store(fma(splat(xv), fv, b.load(a)), a)
            _group_window(b, g, n, oh, ow0, count, element)
            for ch0, w, acc in sets:
                vptr = ops[w][2]
                for p, a in enumerate(acc):
                    at = b.mul(b.add(b.mul(row, _c(g.ow)), b.add(ow0, _c(p))), _c(m))
                    b.store(b.load(a), vptr(out, b.add(at, _c(ch0))), align=4)

    def row_done(b, row):
        if epilogue is not None:
            p0 = b.mul(row, _c(g.ow))
            epilogue.emit(b, out, ptrs[3:], p0, b.add(p0, _c(g.ow)), m, dtype)
    _pixel_groups(b, g, lo, hi, group, row_done, per)
    U.return_status(b)
    return Kernel(name, list(operands), g.rows, 2 * g.rows * g.ow * g.k * m)


def _filter_kernels(module, name, dtype, g: ConvShape, m: int, threads: int,
                    operands) -> list:
    """A filter-gradient kernel split `threads` ways over output rows, and the kernel
    adding the other threads' partial sums into the first's (operands (.., df, partials))."""
    main = Kernel(name, list(operands), g.rows, 2 * g.rows * g.ow * g.k * m,
                  splittable=threads > 1, threads=threads)
    if threads == 1:
        return [main]
    return [main, emit_partial_sum(module, name + "_sum", dtype, g.k * m, threads - 1,
                                   [operands[2], operands[3]])]


FILTER_TILE_ROWS = 4  # output rows whose dy (and input rows) a filter-gradient tile keeps in L1


def emit_conv_filter_tiled(module, name, dtype, g: ConvShape, m: int, lanes: int,
                           threads: int, operands, accumulators: int = ACCUMULATORS) -> list:
    """df = conv's filter gradient from the zero-padded input, register-blocked: over
    tiles of FILTER_TILE_ROWS output rows (their dy and input rows in L1), for each window
    element, block of input channels and block of up to 4 vectors of output channels (up
    to `accumulators` registers together), the sum over the tile's pixels of x * dy is
    kept in registers and added to the thread's filter sum once per tile; the per-thread
    sums are then added up. Operands (xp, dy, df, partials): partials holds threads-1
    filters."""
    b, (x, dy, df, partials), lo, hi = new_kernel(module, name, 4)
    ft = U.value_type(dtype)
    size = 4 if dtype.name == "float32" else 8
    _, hp, wp, _ = padded_shape(g)
    threads = max(1, min(threads, hint_of(g.rows)))
    _, target = thread_sum(b, lo, chunk_size(b, g.rows, threads), df, partials, size,
                           g.k * m)
    zero_range(b, target, dtype, _c(0), _c(g.k * m))
    blocks, per, zeroed, ops = register_blocks(b, ft, m, lanes, g.c, accumulators)
    tile = FILTER_TILE_ROWS
    tiles = b.sdiv(b.add(b.sub(hi, lo), _c(tile - 1)), _c(tile))

    def channels(b, t0, t1, e, i, j, ch0, count):
        for c0, ws in blocks:
            sets = zeroed(c0, ws, count)
            with U.for_range(b, t1, t0, name="trow") as row:
                n, oh = b.sdiv(row, _c(g.oh)), b.srem(row, _c(g.oh))
                r = b.add(b.mul(oh, _c(g.sh)), b.mul(i, _c(g.dh)))
                xrow = b.add(b.mul(b.add(b.mul(b.add(b.mul(n, _c(hp)), r), _c(wp)),
                                         b.mul(j, _c(g.dw))), _c(g.c)), ch0)
                drow = b.mul(row, _c(g.ow * m))
                with U.for_range(b, g.ow, name="tow") as ow:
                    xat = b.add(xrow, b.mul(ow, _c(g.sw * g.c)))
                    xs = [U.load(b, x, dtype, b.add(xat, _c(k))) for k in range(count)]
                    dat = b.add(drow, b.mul(ow, _c(m)))
                    for ch, w, acc in sets:
                        _, splat, vptr, fma = ops[w]
                        dv = b.load(vptr(dy, b.add(dat, _c(ch))), align=4)
                        for a, xv in zip(acc, xs):
                            b.store(fma(splat(xv), dv, b.load(a)), a)
            for ch, w, acc in sets:
                vptr = ops[w][2]
                for k, a in enumerate(acc):
                    at = b.add(b.mul(b.add(b.add(b.mul(e, _c(g.c)), ch0), _c(k)), _c(m)),
                               _c(ch))
                    ptr = vptr(target, at)
                    b.store(b.fadd(b.load(ptr, align=4), b.load(a)), ptr, align=4)

    with U.for_range(b, tiles, name="tile") as t:
        t0 = b.add(lo, b.mul(t, _c(tile)))
        t1 = smin(b, b.add(t0, _c(tile)), hi)
        with U.for_range(b, g.kh * g.kw, name="we") as e:
            i, j = b.sdiv(e, _c(g.kw)), b.srem(e, _c(g.kw))
            full = g.c // per
            if full:
                with U.for_range(b, full, name="cblk") as cb:
                    channels(b, t0, t1, e, i, j, b.mul(cb, _c(per)), per)
            if g.c % per:
                channels(b, t0, t1, e, i, j, _c(full * per), g.c % per)
    U.return_status(b)
    return _filter_kernels(module, name, dtype, g, m, threads, operands)


def input_gradient_shape(g: ConvShape, m: int) -> ConvShape | None:
    """The input gradient of a stride-1 convolution as a forward one: dx = conv(dy padded,
    the filter turned half round with its channel axes swapped; emit_flip_filter), on
    the output [N, OH, OW, M] padded by the window's reach less the forward padding, to
    [N, H, W, C]; None for strides (or explicit padding beyond the window's reach)."""
    top, left = (g.kh - 1) * g.dh - g.top, (g.kw - 1) * g.dw - g.left
    if g.sh != 1 or g.sw != 1 or top < 0 or left < 0:
        return None
    return ConvShape((g.n, g.oh, g.ow, m), g.kh, g.kw, 1, 1, g.dh, g.dw, top, left, g.h, g.w)


def emit_flip_filter(module, name, dtype, g: ConvShape, m: int, operands) -> Kernel:
    """fr[i, j, m, c] = f[KH-1-i, KW-1-j, c, m] (input_gradient_shape's filter), one
    window element per unit. Operands (f, fr)."""
    b, (f, fr), lo, hi = new_kernel(module, name, 2)
    with U.for_range(b, hi, lo, name="e") as e:
        src = b.mul(b.sub(_c(g.kh * g.kw - 1), e), _c(g.c * m))
        dst = b.mul(e, _c(g.c * m))
        with U.for_range(b, m, name="oc") as oc:
            with U.for_range(b, g.c, name="ic") as ic:
                U.store(b, fr, dtype, b.add(dst, b.add(b.mul(oc, _c(g.c)), ic)),
                        U.load(b, f, dtype, b.add(src, b.add(b.mul(ic, _c(m)), oc))))
    U.return_status(b)
    return Kernel(name, list(operands), g.kh * g.kw, 2 * g.k * m)


def emit_conv_filter_direct(module, name, dtype, g: ConvShape, m: int, lanes: int,
                            threads: int, operands) -> list:
    """df = conv's filter gradient for narrow patches, reading the zero-padded input:
    for each group of 4 neighbouring output pixels, their dy vectors of output channels
    (in registers) times the window elements, added into the thread's filter sum (a few
    KB, in L1) once per group; the per-thread sums are then added up.
    Operands (xp, dy, df, partials): partials holds threads-1 filters."""
    b, (x, dy, df, partials), lo, hi = new_kernel(module, name, 4)
    ft = U.value_type(dtype)
    size = 4 if dtype.name == "float32" else 8
    threads = max(1, min(threads, hint_of(g.rows)))
    _, target = thread_sum(b, lo, chunk_size(b, g.rows, threads), df, partials, size,
                           g.k * m)
    zero_range(b, target, dtype, _c(0), _c(g.k * m))

    def group(b, row, n, oh, ow0, count):
        for c0, width in channel_chunks(m, lanes):
            vt, splat, vptr, fma = vector_ops(b, ft, width)
            dys = [b.load(vptr(dy, b.add(b.mul(b.add(b.mul(row, _c(g.ow)),
                                                     b.add(ow0, _c(p))), _c(m)), _c(c0))),
                          align=4) for p in range(count)]

            def element(b, pix, frow, dys=dys, vptr=vptr, fma=fma, splat=splat, c0=c0):
                ptr = vptr(target, b.add(b.mul(frow, _c(m)), _c(c0)))
                acc = b.load(ptr, align=4)
                for dv, at in zip(dys, pix):
                    acc = fma(splat(U.load(b, x, dtype, at)), dv, acc)
                b.store(acc, ptr, align=4)
            _group_window(b, g, n, oh, ow0, count, element)

    _pixel_groups(b, g, lo, hi, group)
    U.return_status(b)
    return _filter_kernels(module, name, dtype, g, m, threads, operands)
