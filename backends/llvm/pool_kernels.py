"""Stage 3 of the llvm backend, emission of pooling kernels (NHWC), in the calling
convention of `loops`, over the window geometry of conv_kernels: max and average
pooling and their gradients. The channels stay innermost, so each window element updates
a whole run of channels in one vectorised loop.
"""
from __future__ import annotations

from llvmlite import ir

from . import irutil as U
from .conv_kernels import (ConvShape, each_window_element, emit_zero, in_pieces, smin,
                           vector_ops, window_at)
from .loops import Kernel, new_kernel


_c = U.i64


EXACT_WINDOW = 16  # window elements up to which an exactly tiling pool is unrolled


def _exact(g: ConvShape, lanes: int) -> bool:
    """Windows that tile the input exactly (2x2/2 on even sizes) and are small enough to
    keep every element's vector in registers: the pool kernels' vector path."""
    return lanes > 1 and g.tiles_exactly() and g.kh * g.kw <= EXACT_WINDOW


def _exact_windows(b, g: ConvShape, lo, hi, lanes: int, body, row_done=None) -> None:
    """For output rows [lo, hi) of an exactly tiling pool, each output pixel and piece of
    channels (whole vectors of `lanes`, then the narrower rest): body(b, output offset,
    [input offset of each window element], width) with the offsets at the piece's first
    channel; then row_done(b, n, oh)."""
    with U.for_range(b, hi, lo, name="row") as row:
        n, oh = b.sdiv(row, _c(g.oh)), b.srem(row, _c(g.oh))
        r0 = b.add(b.mul(n, _c(g.h)), b.mul(oh, _c(g.kh)))
        with U.for_range(b, g.ow, name="ow") as ow:
            out_at = b.mul(b.add(b.mul(row, _c(g.ow)), ow), _c(g.c))
            q0 = b.mul(ow, _c(g.kw))
            pixels = [b.mul(b.add(b.mul(b.add(r0, _c(i)), _c(g.w)), b.add(q0, _c(j))), _c(g.c))
                      for i in range(g.kh) for j in range(g.kw)]

            def piece(b, c0, width):
                body(b, b.add(out_at, c0), [b.add(p, c0) for p in pixels], width)
            in_pieces(b, g.c, lanes, piece)
        if row_done is not None:
            row_done(b, n, oh)


def _first_max(b, vs):
    """(maximum, index of its first element) across the vectors `vs`, lane by lane; a NaN
    counts as the maximum (numpy's argmax), the first NaN where several."""
    best, where = vs[0], ir.Constant(ir.VectorType(U.I32, vs[0].type.count),
                                     [0] * vs[0].type.count)
    for e, v in enumerate(vs[1:], 1):
        take = b.or_(b.fcmp_ordered(">", v, best),
                     b.and_(b.fcmp_unordered("uno", v, v), b.fcmp_ordered("ord", best, best)))
        best = b.select(take, v, best)
        where = b.select(take, ir.Constant(where.type, [e] * where.type.count), where)
    return best, where


def _emit_exact_pool(module, name, dtype, g: ConvShape, kind: str, lanes: int,
                     operands) -> Kernel:
    """emit_pool for exactly tiling windows: per output pixel and vector of channels, the
    window's vectors are loaded once and reduced in registers (the same operations, in
    the same order, as the general loop's)."""
    b, (x, out), lo, hi = new_kernel(module, name, 2)
    ft = U.value_type(dtype)

    def body(b, out_at, pixels, width):
        vt, _, vptr, _ = vector_ops(b, ft, width)
        vs = [b.load(vptr(x, at), align=4) for at in pixels]
        if kind == "max":
            acc = ir.Constant(vt, [float("-inf")] * width)
            for v in vs:
                acc = b.select(b.or_(b.fcmp_ordered(">", v, acc), b.fcmp_unordered("uno", v, v)),
                               v, acc)
        else:
            acc = ir.Constant(vt, [0.0] * width)
            for v in vs:
                acc = b.fadd(acc, v)
            acc = b.fdiv(acc, ir.Constant(vt, [float(len(vs))] * width))
        b.store(acc, vptr(out, out_at), align=4)
    _exact_windows(b, g, lo, hi, lanes, body)
    U.return_status(b)
    return Kernel(name, list(operands), g.rows, 2 * g.rows * g.ow * g.c * g.kh * g.kw)


def emit_pool(module, name, dtype, g: ConvShape, kind: str, operands,
              lanes: int = 1) -> Kernel:
    """Max (or average over in-bounds elements) of each window, per channel: the output
    pixel's channels start at the identity and each in-bounds window element updates them
    all in one loop (vectorised across channels). Exactly tiling windows take the vector
    path (_emit_exact_pool) given the host's `lanes`."""
    if _exact(g, lanes):
        return _emit_exact_pool(module, name, dtype, g, kind, lanes, operands)
    b, (x, out), lo, hi = new_kernel(module, name, 2)
    count = b.alloca(U.I64)
    with U.for_range(b, hi, lo, name="row") as row:
        n, oh = b.sdiv(row, _c(g.oh)), b.srem(row, _c(g.oh))
        with U.for_range(b, g.ow, name="ow") as ow:
            base = b.mul(b.add(b.mul(row, _c(g.ow)), ow), _c(g.c))
            with U.for_range(b, g.c, name="init") as ch:
                U.store(b, out, dtype, b.add(base, ch),
                        U.const(dtype, float("-inf") if kind == "max" else 0.0))
            b.store(_c(0), count)

            def element(b, i, j, pixel):
                b.store(b.add(b.load(count), _c(1)), count)
                with U.for_range(b, g.c, name="ch") as ch:
                    v = U.load(b, x, dtype, b.add(pixel, ch))
                    old = U.load(b, out, dtype, b.add(base, ch))
                    if kind == "max":
                        take = b.or_(b.fcmp_ordered(">", v, old), b.fcmp_unordered("uno", v, v))
                        new = b.select(take, v, old)
                    else:
                        new = b.fadd(old, v)
                    U.store(b, out, dtype, b.add(base, ch), new)
            each_window_element(b, g, n, oh, ow, element)
            if kind == "avg":
                k = b.sitofp(b.load(count), U.value_type(dtype))
                with U.for_range(b, g.c, name="avg") as ch:
                    at = b.add(base, ch)
                    U.store(b, out, dtype, at, b.fdiv(U.load(b, out, dtype, at), k))
    U.return_status(b)
    return Kernel(name, list(operands), g.rows, 2 * g.rows * g.ow * g.c * g.kh * g.kw)


POOL_TILE = 256  # channels whose running maxima live on the stack at once


def _emit_exact_max_pool_grad(module, name, dtype, g: ConvShape, lanes: int, operands,
                              epilogue=None) -> Kernel:
    """emit_max_pool_grad for exactly tiling windows: per output pixel and vector of
    channels, the window's vectors in registers, their first maximum (_first_max), then
    each element's dx = (dy where it is that maximum, else 0) + 0 (numpy's +0.0 for a
    -0.0 gradient); every dx element written once. The epilogue as emit_max_pool_grad's."""
    b, ptrs, lo, hi = new_kernel(module, name, 3 + (epilogue.extra if epilogue else 0))
    x, dy, dx = ptrs[:3]
    ft = U.value_type(dtype)

    def body(b, out_at, pixels, width):
        vt, _, vptr, _ = vector_ops(b, ft, width)
        _, where = _first_max(b, [b.load(vptr(x, at), align=4) for at in pixels])
        grad = b.load(vptr(dy, out_at), align=4)
        zero = ir.Constant(vt, [0.0] * width)
        for e, at in enumerate(pixels):
            hit = b.icmp_signed("==", where, ir.Constant(where.type, [e] * width))
            b.store(b.fadd(zero, b.select(hit, grad, zero)), vptr(dx, at), align=4)

    def row_done(b, n, oh):
        if epilogue is not None:
            p0 = b.mul(b.add(b.mul(n, _c(g.h)), b.mul(oh, _c(g.kh))), _c(g.w))
            epilogue.emit(b, dx, ptrs[3:], p0, b.add(p0, _c(g.kh * g.w)), g.c, dtype)
    _exact_windows(b, g, lo, hi, lanes, body, row_done)
    U.return_status(b)
    return Kernel(name, list(operands), g.rows, 3 * g.rows * g.ow * g.c * g.kh * g.kw)


def emit_max_pool_grad(module, name, dtype, g: ConvShape, operands, epilogue=None,
                       lanes: int = 1) -> list:
    """Each window's gradient goes to its first maximum (a NaN counts as the maximum, as
    numpy's argmax). Per output pixel and tile of channels: one pass over the window finds
    each channel's maximum (its window element index kept on the stack), a second adds
    dy where the index matches, both vectorised across channels. When the windows tile the
    input exactly (2x2/2 on even sizes) every dx element is written once, with no zeroing;
    otherwise dx is zeroed first. Split across threads when windows do not overlap.
    With exact tiling an `epilogue` (conv_kernels.Epilogue over dx: the relu gradient
    after it) runs on the KH input rows of each output row once they are written; its
    operands follow dx. Small exactly tiling windows take the vector path given the
    host's `lanes` (_emit_exact_max_pool_grad)."""
    if _exact(g, lanes):
        return [_emit_exact_max_pool_grad(module, name, dtype, g, lanes, operands, epilogue)]
    exact = g.tiles_exactly()
    kernels = [] if exact else [emit_zero(module, name + "_zero", dtype,
                                          g.n * g.h * g.w * g.c, [operands[2]])]
    b, ptrs, lo, hi = new_kernel(module, name, 3 + (epilogue.extra if epilogue else 0))
    x, dy, dx = ptrs[:3]
    ft = U.value_type(dtype)
    tile = min(g.c, POOL_TILE)
    best = b.bitcast(b.alloca(ir.ArrayType(ft, tile)), ft.as_pointer())
    where = b.bitcast(b.alloca(ir.ArrayType(U.I32, tile)), U.I32.as_pointer())
    i32 = lambda v: ir.Constant(U.I32, v)  # noqa: E731
    with U.for_range(b, hi, lo, name="row") as row:
        n, oh = b.sdiv(row, _c(g.oh)), b.srem(row, _c(g.oh))
        with U.for_range(b, g.ow, name="ow") as ow:
            out_at = b.mul(b.add(b.mul(row, _c(g.ow)), ow), _c(g.c))
            with U.for_range(b, -(-g.c // tile), name="tile") as ct:
                c0 = b.mul(ct, _c(tile))
                width = smin(b, _c(tile), b.sub(_c(g.c), c0))
                with U.for_range(b, width, name="t0") as t:
                    b.store(ir.Constant(ft, float("-inf")), b.gep(best, [t]))
                    b.store(i32(-1), b.gep(where, [t]))

                def find(b, i, j, pixel):
                    e = b.trunc(b.add(b.mul(i, _c(g.kw)), j), U.I32)
                    src = b.add(pixel, c0)
                    with U.for_range(b, width, name="t1") as t:
                        v = U.load(b, x, dtype, b.add(src, t))
                        bp, wp = b.gep(best, [t]), b.gep(where, [t])
                        old, w = b.load(bp), b.load(wp)
                        take = b.or_(b.or_(b.icmp_signed("<", w, i32(0)),
                                           b.fcmp_ordered(">", v, old)),
                                     b.and_(b.fcmp_unordered("uno", v, v),
                                            b.fcmp_ordered("ord", old, old)))
                        b.store(b.select(take, v, old), bp)
                        b.store(b.select(take, e, w), wp)

                def scatter(b, i, j, pixel):
                    e = b.trunc(b.add(b.mul(i, _c(g.kw)), j), U.I32)
                    dst, src = b.add(pixel, c0), b.add(out_at, c0)
                    zero = ir.Constant(ft, 0.0)
                    with U.for_range(b, width, name="t2") as t:
                        hit = b.icmp_signed("==", b.load(b.gep(where, [t])), e)
                        v = b.select(hit, U.load(b, dy, dtype, b.add(src, t)), zero)
                        at = b.add(dst, t)
                        # exact: 0 + v (not v) keeps numpy's +0.0 for a -0.0 gradient
                        old = zero if exact else U.load(b, dx, dtype, at)
                        U.store(b, dx, dtype, at, b.fadd(old, v))
                each_window_element(b, g, n, oh, ow, find)
                each_window_element(b, g, n, oh, ow, scatter)
        if epilogue is not None:  # (exact: this row's windows cover input rows oh*KH...)
            p0 = b.mul(b.add(b.mul(n, _c(g.h)), b.mul(oh, _c(g.kh))), _c(g.w))
            epilogue.emit(b, dx, ptrs[3:], p0, b.add(p0, _c(g.kh * g.w)), g.c, dtype)
    U.return_status(b)
    return kernels + [Kernel(name, list(operands), g.rows,
                             3 * g.rows * g.ow * g.c * g.kh * g.kw, splittable=g.disjoint())]


def emit_avg_pool_grad(module, name, dtype, g: ConvShape, operands) -> list:
    """dx = 0; each window's gradient is shared equally by its in-bounds elements (TF1's
    AvgPool counts only those), channels innermost. Split across threads when windows do
    not overlap."""
    zero = emit_zero(module, name + "_zero", dtype, g.n * g.h * g.w * g.c, [operands[1]])
    b, (dy, dx), lo, hi = new_kernel(module, name, 2)
    count = b.alloca(U.I64)
    with U.for_range(b, hi, lo, name="row") as row:
        n, oh = b.sdiv(row, _c(g.oh)), b.srem(row, _c(g.oh))
        with U.for_range(b, g.ow, name="ow") as ow:
            b.store(_c(0), count)
            with U.for_range(b, g.kh, name="i") as i:
                with U.for_range(b, g.kw, name="j") as j:
                    _, _, inside = window_at(b, g, oh, ow, i, j)
                    b.store(b.add(b.load(count), b.zext(inside, U.I64)), count)
            k = b.sitofp(b.load(count), U.value_type(dtype))
            out_at = b.mul(b.add(b.mul(row, _c(g.ow)), ow), _c(g.c))

            def element(b, i, j, pixel):
                with U.for_range(b, g.c, name="ch") as ch:
                    share = b.fdiv(U.load(b, dy, dtype, b.add(out_at, ch)), k)
                    at = b.add(pixel, ch)
                    U.store(b, dx, dtype, at, b.fadd(U.load(b, dx, dtype, at), share))
            each_window_element(b, g, n, oh, ow, element)
    U.return_status(b)
    return [zero, Kernel(name, list(operands), g.rows, 2 * g.rows * g.ow * g.c * g.kh * g.kw,
                         splittable=g.disjoint())]
