"""Stage 3 of the llvm backend, the kernels of fused convolutions (_FusedConv2D,
_FusedDepthwiseConv2dNative; passes/fuse_conv.py makes them from frozen models):

- `ChannelEpilogue`: the bias add, residual add and Relu/Relu6 a fused convolution ends
  in, applied to vectors of output channels while they are still in registers (direct
  kernels) or to each block of the output while it is in cache (im2col + BLAS kernels);
- `emit_depthwise_fused`: a depthwise convolution reading the unpadded input,
  vectorised across channels (a channel multiplier makes it scalar), one output pixel's
  channels accumulated in registers over the window and then the epilogue: the padding
  costs no copy, interior pixels no bounds test (pixels near the border select zero for
  taps outside).
"""
from __future__ import annotations

from llvmlite import ir

from graphc.ir.ops.fused_conv_ops import split_fused_ops
from . import irutil as U
from .conv_kernels import ConvShape, vector_ops, channel_chunks
from .loops import Kernel, new_kernel
from .parallel import chunk_size


_c = U.i64


def _vmax(b, x, y):
    """np.maximum on vectors: x where x >= y or x is NaN (NaN propagates)."""
    take = b.or_(b.fcmp_ordered(">=", x, y), b.fcmp_unordered("uno", x, x))
    return b.select(take, x, y)


def _vmin(b, x, y):
    take = b.or_(b.fcmp_ordered("<=", x, y), b.fcmp_unordered("uno", x, x))
    return b.select(take, x, y)


def _splat_const(vt, value: float):
    return ir.Constant(vt, [value] * vt.count)


class ChannelEpilogue:
    """A fused convolution's ops after the sum: `takes` ("BiasAdd": a [M] vector, "Add": a
    tensor of the output's [pixels, M] layout), one kernel operand each after the
    convolution's own, then the activation (None, "Relu", "Relu6")."""

    def __init__(self, fused_ops) -> None:
        self.takes, self.act = split_fused_ops(fused_ops)

    @property
    def extra(self) -> int:
        return len(self.takes)

    def apply(self, b, v, ptrs, at, ch, vt):
        """The ops on vector `v` of output channels [ch, ch + width) at output element
        offset `at` (ptrs: the args' pointers)."""
        typed = lambda p, off: b.bitcast(b.gep(b.bitcast(p, vt.element.as_pointer()),  # noqa
                                               [off], inbounds=True), vt.as_pointer())
        for kind, ptr in zip(self.takes, ptrs):
            v = b.fadd(v, b.load(typed(ptr, ch if kind == "BiasAdd" else at), align=4))
        if self.act is not None:
            v = _vmax(b, v, _splat_const(vt, 0.0))
        if self.act == "Relu6":
            v = _vmin(b, v, _splat_const(vt, 6.0))
        return v

    def emit(self, b, out, extra_ptrs, p0, p1, m: int, dtype) -> None:
        """Apply the ops in place to output pixels [p0, p1) of M channels."""
        ft = U.value_type(dtype)
        lanes = 8 if ft == U.F32 else 4
        with U.for_range(b, p1, p0, name="epi") as p:
            base = b.mul(p, _c(m))
            for start, stop, width in _channel_runs(m, lanes):
                vt = ir.VectorType(ft, width)
                with U.for_range(b, _c(stop // width), _c(start // width), name="epc") as k:
                    ch = b.mul(k, _c(width))
                    at = b.add(base, ch)
                    ptr = b.bitcast(b.gep(b.bitcast(out, ft.as_pointer()), [at], inbounds=True),
                                    vt.as_pointer())
                    b.store(self.apply(b, b.load(ptr, align=4), extra_ptrs, at, ch, vt), ptr,
                            align=4)


def _channel_runs(m: int, lanes: int) -> list:
    """(first, stop, width): whole vectors of `lanes` channels, then single channels."""
    whole = m // lanes * lanes
    runs = [(0, whole, lanes)] if whole else []
    return runs + ([(whole, m, 1)] if whole < m else [])


def _interior(pad: int, stride: int, dilation: int, k: int, size: int, out: int) -> tuple:
    """[first, stop) of the outputs whose every window tap lies inside the input."""
    first = min(-(-pad // stride), out)
    stop = min(out, (size - 1 + pad - (k - 1) * dilation) // stride + 1)
    return first, max(stop, first)


def emit_depthwise_fused(module, name, dtype, g: ConvShape, mult: int, lanes: int,
                         epilogue: ChannelEpilogue, operands) -> Kernel:
    """out[p, c*mult + k] = epilogue(sum over window taps (i, j) of x[tap, c] *
    f[i, j, c, k]) with zeros outside the input, split over output rows.
    Operands (x, f, out, args...)."""
    b, ptrs, lo, hi = new_kernel(module, name, 3 + epilogue.extra)
    x, f, out = ptrs[:3]
    with U.for_range(b, hi, lo, name="row") as row:
        _depthwise_row(b, dtype, g, mult, lanes, epilogue, x, f, ptrs[3:], row, out,
                       b.mul(row, _c(g.ow * g.c * mult)))
    U.return_status(b)
    return Kernel(name, list(operands), g.rows, 2 * g.rows * g.ow * g.kh * g.kw * g.c * mult)


def _depthwise_row(b, dtype, g: ConvShape, mult: int, lanes: int, epilogue, x, f, args, row,
                   dst, dst_base) -> None:
    """Output row `row` (n*OH + oh) of a depthwise convolution into dst[dst_base + ow*depth
    + channel]; the epilogue's residual (if any) is read at the same offsets."""
    ft = U.value_type(dtype)
    depth = g.c * mult
    oh_lo, oh_hi = _interior(g.top, g.sh, g.dh, g.kh, g.h, g.oh)
    ow_lo, ow_hi = _interior(g.left, g.sw, g.dw, g.kw, g.w, g.ow)
    runs = _channel_runs(depth, lanes if mult == 1 else 1)

    def inside(b, v, size):
        return b.and_(b.icmp_signed(">=", v, _c(0)), b.icmp_signed("<", v, _c(size)))

    n, oh = b.sdiv(row, _c(g.oh)), b.srem(row, _c(g.oh))
    rs = [b.sub(b.add(b.mul(oh, _c(g.sh)), _c(i * g.dh)), _c(g.top)) for i in range(g.kh)]
    row_ok = [inside(b, r, g.h) for r in rs]
    image = b.mul(n, _c(g.h))

    def pixel(b, ow, checked: bool):
        qs = [b.sub(b.add(b.mul(ow, _c(g.sw)), _c(j * g.dw)), _c(g.left)) for j in range(g.kw)]
        taps = []
        for i in range(g.kh):
            for j in range(g.kw):
                ok = b.and_(row_ok[i], inside(b, qs[j], g.w)) if checked else None
                r, q = rs[i], qs[j]
                if checked:
                    r, q = b.select(ok, r, _c(0)), b.select(ok, q, _c(0))
                at = b.mul(b.add(b.mul(b.add(image, r), _c(g.w)), q), _c(g.c))
                taps.append((at, ok, (i * g.kw + j) * depth))
        base = b.add(dst_base, b.mul(ow, _c(depth)))
        for start, stop, width in runs:
            vt, _, vptr, fma = vector_ops(b, ft, width)
            zero = _splat_const(vt, 0.0)
            with U.for_range(b, _c(stop // width), _c(start // width), name="cv") as k:
                ch = b.mul(k, _c(width))
                xch = ch if mult == 1 else b.sdiv(ch, _c(mult))
                acc = zero
                for at, ok, frow in taps:
                    xv = b.load(vptr(x, b.add(at, xch)), align=4)
                    if ok is not None:
                        xv = b.select(ok, xv, zero)
                    fv = b.load(vptr(f, b.add(_c(frow), ch)), align=4)
                    acc = fma(xv, fv, acc)
                o = b.add(base, ch)
                b.store(epilogue.apply(b, acc, args, o, ch, vt), vptr(dst, o), align=4)

    def columns(b, first, stop, checked):
        if stop > first:
            with U.for_range(b, _c(stop), _c(first), name="ow") as ow:
                pixel(b, ow, checked)

    row_in = b.and_(b.icmp_signed(">=", oh, _c(oh_lo)), b.icmp_signed("<", oh, _c(oh_hi)))
    with b.if_else(row_in) as (middle, border):
        with middle:
            columns(b, 0, ow_lo, True)
            columns(b, ow_lo, ow_hi, False)
            columns(b, ow_hi, g.ow, True)
        with border:
            columns(b, 0, g.ow, True)


PIXELS = 4  # neighbouring pixels a pointwise row keeps in registers together


def _accumulators(b, dtype, m: int, lanes: int) -> dict:
    """Vector width -> PIXELS allocas (made in the kernel's entry block, before any loop,
    so LLVM keeps them in registers)."""
    ft = U.value_type(dtype)
    return {w: [b.alloca(ir.VectorType(ft, w)) for _ in range(PIXELS)]
            for w in {w for _, w in channel_chunks(m, lanes)}}


def _pointwise_row(b, dtype, width: int, c: int, m: int, lanes: int, epilogue, src, src_base,
                   f, args, out, out_base, accumulators) -> None:
    """out[out_base + p*m + ch] = epilogue(sum over k of src[src_base + p*c + k] *
    f[k*m + ch]) for the `width` pixels of a row: groups of 4 pixels keep two vectors of
    output channels each in registers over the C input channels."""
    ft = U.value_type(dtype)

    def group(b, p0, count):
        for c0, w in channel_chunks(m, lanes):
            vt, splat, vptr, fma = vector_ops(b, ft, w)
            accs = accumulators[w][:count]
            for a in accs:
                b.store(_splat_const(vt, 0.0), a)
            with U.for_range(b, _c(c), name="k") as k:
                fv = b.load(vptr(f, b.add(b.mul(k, _c(m)), _c(c0))), align=4)
                for p, a in enumerate(accs):
                    at = b.add(src_base, b.add(b.mul(b.add(p0, _c(p)), _c(c)), k))
                    b.store(fma(splat(U.load(b, src, dtype, at)), fv, b.load(a)), a)
            for p, a in enumerate(accs):
                o = b.add(out_base, b.add(b.mul(b.add(p0, _c(p)), _c(m)), _c(c0)))
                b.store(epilogue.apply(b, b.load(a), args, o, _c(c0), vt), vptr(out, o),
                        align=4)
    full = width // PIXELS
    if full:
        with U.for_range(b, _c(full), name="pg") as grp:
            group(b, b.mul(grp, _c(PIXELS)), PIXELS)
    for p in range(full * PIXELS, width):
        group(b, _c(p), 1)


def emit_depthwise_pointwise(module, name, dtype, gd: ConvShape, m: int, lanes: int,
                             epi_d: ChannelEpilogue, epi_p: ChannelEpilogue, threads: int,
                             operands) -> Kernel:
    """A depthwise convolution (multiplier 1) and the pointwise one reading it, row by row:
    each output row of the depthwise goes to this thread's row of `rows` (in cache) and
    the pointwise convolution of that row to `out`, so the depthwise output never goes
    to memory. Operands (x, fd, fd's args..., fp, fp's args..., out, rows)."""
    nd, np_ = epi_d.extra, epi_p.extra
    b, ptrs, lo, hi = new_kernel(module, name, 5 + nd + np_)
    x, fd = ptrs[:2]
    args_d = ptrs[2:2 + nd]
    fp = ptrs[2 + nd]
    args_p = ptrs[3 + nd:3 + nd + np_]
    out, rows = ptrs[3 + nd + np_:]
    span = gd.ow * gd.c
    accumulators = _accumulators(b, dtype, m, lanes)
    slot = b.sdiv(lo, chunk_size(b, gd.rows, threads))
    scratch = b.gep(b.bitcast(rows, U.value_type(dtype).as_pointer()),
                    [b.mul(slot, _c(span))], inbounds=True)
    with U.for_range(b, hi, lo, name="row") as row:
        _depthwise_row(b, dtype, gd, 1, lanes, epi_d, x, fd, args_d, row, scratch, _c(0))
        _pointwise_row(b, dtype, gd.ow, gd.c, m, lanes, epi_p, scratch, _c(0), fp, args_p,
                       out, b.mul(row, _c(gd.ow * m)), accumulators)
    U.return_status(b)
    work = 2 * gd.rows * gd.ow * gd.c * (gd.kh * gd.kw + m)
    return Kernel(name, list(operands), gd.rows, work, splittable=threads > 1,
                  threads=threads)
