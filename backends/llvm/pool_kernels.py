"""Stage 3 of the llvm backend, emission of pooling kernels (NHWC), in the calling
convention of `loops`, over the window geometry of conv_kernels: max and average
pooling and their gradients. The channels stay innermost, so each window element updates
a whole run of channels in one vectorised loop.
"""
from __future__ import annotations

from llvmlite import ir

from . import irutil as U
from .conv_kernels import ConvShape, each_window_element, emit_zero, smin, window_at
from .loops import Kernel, new_kernel


_c = U.i64


def emit_pool(module, name, dtype, g: ConvShape, kind: str, operands) -> Kernel:
    """Max (or average over in-bounds elements) of each window, per channel: the output
    pixel's channels start at the identity and each in-bounds window element updates them
    all in one loop (vectorised across channels)."""
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


def emit_max_pool_grad(module, name, dtype, g: ConvShape, operands, epilogue=None) -> list:
    """Each window's gradient goes to its first maximum (a NaN counts as the maximum, as
    numpy's argmax). Per output pixel and tile of channels: one pass over the window finds
    each channel's maximum (its window element index kept on the stack), a second adds
    dy where the index matches, both vectorised across channels. When the windows tile the
    input exactly (2x2/2 on even sizes) every dx element is written once, with no zeroing;
    otherwise dx is zeroed first. Split across threads when windows do not overlap.
    With exact tiling an `epilogue` (conv_kernels.Epilogue over dx: the relu gradient
    after it) runs on the KH input rows of each output row once they are written; its
    operands follow dx."""
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
