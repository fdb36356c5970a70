"""Stage 3 of the llvm backend, emission of convolution kernels (NHWC), in the calling
convention of `loops`, with the window geometry (ConvShape) pooling shares
(pool_kernels.py). Convolutions come in two shapes:

- wide patches (KH*KW*C in the hundreds): im2col blocks of output rows around one BLAS
  call each, the blocks split across graphc's threads (each thread its own patch scratch
  and, for the filter gradient, its own partial sum, added up by a second kernel); BLAS
  then runs single-threaded (see target.BlasThreads);
- direct loops on a zero-padded copy of the input (emit_pad here; the loops in
  direct_conv_kernels.py), for narrow patches (a first layer on 1 to 4 input channels,
  where a matmul of inner dimension 25 wastes BLAS) and, on AVX-512 hosts, wide ones.

A forward convolution may carry an `Epilogue` (the bias add and activation after it),
applied to each block of its output while in cache. Depthwise convolutions are in
depthwise_kernels.py.
"""
from __future__ import annotations

from llvmlite import ir

from graphc.ir.symbolic import hint_of, is_symbolic
from . import irutil as U
from .kernels import NO_TRANS, ROW_MAJOR, TRANS, gemm_function
from .loops import Kernel, eval_members, new_kernel
from .parallel import chunk_size


_c = U.i64


class ConvShape:
    """The static geometry of one conv/pool: input [N,H,W,C], window, output [N,OH,OW]."""

    def __init__(self, x_shape, kh, kw, sh, sw, dh, dw, pad_top, pad_left, oh, ow) -> None:
        self.n, self.h, self.w, self.c = x_shape
        self.kh, self.kw, self.sh, self.sw, self.dh, self.dw = kh, kw, sh, sw, dh, dw
        self.top, self.left, self.oh, self.ow = pad_top, pad_left, oh, ow

    @property
    def k(self) -> int:
        return self.kh * self.kw * self.c

    @property
    def rows(self) -> int:
        """Output rows (n, oh): the unit the kernels split over."""
        return self.n * self.oh

    def tiles_exactly(self) -> bool:
        """Every input element lies in exactly one window (a 2x2/2 pool on even sizes)."""
        return (self.sh == self.kh and self.sw == self.kw and self.dh == self.dw == 1 and
                self.top == self.left == 0 and self.oh * self.kh == self.h and
                self.ow * self.kw == self.w)

    def disjoint(self) -> bool:
        return self.sh >= self.kh and self.sw >= self.kw

    def pointwise(self) -> bool:
        """A 1x1 window at stride 1 with no padding: the input is the patch matrix."""
        return (self.kh == self.kw == self.sh == self.sw == 1 and self.top == self.left == 0
                and self.oh == self.h and self.ow == self.w)


def window_at(b, g: ConvShape, oh, ow, i, j):
    """(row, col, in bounds) of window element (i, j) of output (oh, ow)."""
    r = b.sub(b.add(b.mul(oh, _c(g.sh)), b.mul(i, _c(g.dh))), _c(g.top))
    q = b.sub(b.add(b.mul(ow, _c(g.sw)), b.mul(j, _c(g.dw))), _c(g.left))
    inside = b.and_(b.and_(b.icmp_signed(">=", r, _c(0)), b.icmp_signed("<", r, _c(g.h))),
                    b.and_(b.icmp_signed(">=", q, _c(0)), b.icmp_signed("<", q, _c(g.w))))
    return r, q, inside


def pixel_offset(b, g: ConvShape, n, r, q):
    """Element offset of x[n, r, q, 0]."""
    return b.mul(b.add(b.mul(b.add(b.mul(n, _c(g.h)), r), _c(g.w)), q), _c(g.c))


def each_window_element(b, g: ConvShape, n, oh, ow, body):
    """for the window of output (n, oh, ow): body(b, i, j, pixel offset) where in bounds."""
    with U.for_range(b, g.kh, name="i") as i:
        with U.for_range(b, g.kw, name="j") as j:
            r, q, inside = window_at(b, g, oh, ow, i, j)
            with b.if_then(inside):
                body(b, i, j, pixel_offset(b, g, n, r, q))


def smin(b, x, y):
    return b.select(b.icmp_signed("<", x, y), x, y)


def ptr_at(b, ptr, offset, size: int):
    return b.gep(ptr, [b.mul(offset, _c(size))], inbounds=True)


def zero_range(b, ptr, dtype, start, stop) -> None:
    with U.for_range(b, stop, start, name="z") as z:
        U.store(b, ptr, dtype, z, U.const(dtype, 0))


def emit_zero(module, name, dtype, size: int, operands) -> Kernel:
    """buf[lo:hi] = 0 (split across threads when large)."""
    b, (buf,), lo, hi = new_kernel(module, name, 1)
    zero_range(b, buf, dtype, lo, hi)
    U.return_status(b)
    return Kernel(name, list(operands), size, size)


# ---------------------------------------------------------------- im2col convolutions
def _patch_rows(b, g: ConvShape, lo, hi, run, element):
    """Walk the patches of output rows (n*OH + oh) in [lo, hi), by window row: where a
    window row lies wholly inside the input (dilation 1 across), its KW*C patch entries
    are one contiguous run of the input, `run(b, patch offset, input offset, KW*C)`;
    elsewhere `element(b, patch offset, input offset, inside)` per window element (C
    channels; the input offset is clamped to 0 outside). Patch offsets count from lo."""
    span = g.kw * g.c
    with U.for_range(b, hi, lo, name="row") as row:
        n, oh = b.sdiv(row, _c(g.oh)), b.srem(row, _c(g.oh))
        with U.for_range(b, g.ow, name="ow") as ow:
            patch = b.mul(b.add(b.mul(b.sub(row, lo), _c(g.ow)), ow), _c(g.k))
            q0 = b.sub(b.mul(ow, _c(g.sw)), _c(g.left))
            across = b.and_(b.icmp_signed(">=", q0, _c(0)),
                            b.icmp_signed("<", b.add(q0, _c(g.kw - 1)), _c(g.w)))
            if g.dw != 1:
                across = ir.Constant(U.I1, 0)
            with U.for_range(b, g.kh, name="i") as i:
                r = b.sub(b.add(b.mul(oh, _c(g.sh)), b.mul(i, _c(g.dh))), _c(g.top))
                down = b.and_(b.icmp_signed(">=", r, _c(0)), b.icmp_signed("<", r, _c(g.h)))
                at = b.add(patch, b.mul(i, _c(span)))
                with b.if_else(b.and_(down, across)) as (whole, part):
                    with whole:
                        run(b, at, pixel_offset(b, g, n, r, q0), span)
                    with part:
                        with U.for_range(b, g.kw, name="j") as j:
                            q = b.add(q0, b.mul(j, _c(g.dw)))
                            inside = b.and_(down, b.and_(b.icmp_signed(">=", q, _c(0)),
                                                         b.icmp_signed("<", q, _c(g.w))))
                            src = pixel_offset(b, g, n, b.select(inside, r, _c(0)),
                                         b.select(inside, q, _c(0)))
                            element(b, b.add(at, b.mul(j, _c(g.c))), src, inside)


def _im2col_rows(b, x, cols, dtype, g: ConvShape, lo, hi):
    """cols rows for output rows (n*OH + oh) in [lo, hi), numbered from lo."""
    zero = U.const(dtype, 0)

    def run(b, dst, src, count):
        with U.for_range(b, count, name="t") as t:
            U.store(b, cols, dtype, b.add(dst, t), U.load(b, x, dtype, b.add(src, t)))

    def element(b, dst, src, inside):
        with U.for_range(b, g.c, name="ch") as ch:
            v = b.select(inside, U.load(b, x, dtype, b.add(src, ch)), zero)
            U.store(b, cols, dtype, b.add(dst, ch), v)
    _patch_rows(b, g, lo, hi, run, element)


def _col2im_rows(b, cols, dx, dtype, g: ConvShape, lo, hi):
    """dx[window element] += cols rows for output rows [lo, hi), numbered from lo."""
    def run(b, src, dst, count):
        with U.for_range(b, count, name="t") as t:
            at = b.add(dst, t)
            U.store(b, dx, dtype, at, b.fadd(U.load(b, dx, dtype, at),
                                              U.load(b, cols, dtype, b.add(src, t))))

    def element(b, src, dst, inside):
        with b.if_then(inside):
            run(b, src, dst, g.c)
    _patch_rows(b, g, lo, hi, run, element)


class Epilogue:
    """An elementwise body applied to a convolution's output while it is in cache (a bias
    add and activation): `members` over `params`, where param `conv` is the output itself
    and the others are read with 2-D strides (pixel, channel) over the [pixels, M] output.
    The body's first output overwrites the convolution's; the others go to buffers of
    their own. Extra kernel operands, after the convolution's own: the other params, then
    the other outputs."""

    def __init__(self, members, params, conv: int, domain, accesses: dict, strides: list,
                 outputs: list) -> None:
        self.members, self.params, self.conv, self.domain = members, params, conv, domain
        self.accesses, self.strides, self.outputs = accesses, strides, outputs

    @property
    def extra(self) -> int:
        return len(self.params) - 1 + len(self.outputs) - 1

    def emit(self, b, out, extra_ptrs, p0, p1, m: int, dtype, c0=None, c1=None) -> None:
        """Apply the body to output pixels [p0, p1) (channels [c0, c1) when given: a
        matmul's band of columns)."""
        ptrs = list(extra_ptrs[:len(self.params) - 1])
        ptrs.insert(self.conv, out)
        dests = [out] + list(extra_ptrs[len(self.params) - 1:])
        with U.for_range(b, p1, p0, name="epi") as p:
            with U.for_range(b, m if c1 is None else c1, c0, name="epc") as ch:
                offs = [b.add(b.mul(p, _c(sp)), b.mul(ch, _c(sc))) if sp or sc else _c(0)
                        for sp, sc in self.strides]
                values: dict = {}
                eval_members(b, self.members, self.params, self.accesses, ptrs, offs,
                              self.domain, values)
                at = b.add(b.mul(p, _c(m)), ch)
                for dst, t in zip(dests, self.outputs):
                    U.store(b, dst, dtype, at, values[t])


class ConvPlan:
    """How a blocked convolution is cut: `block` output rows per BLAS call, `unit` rows per
    unit of the split loop (the input gradient's units are whole images, so threads write
    disjoint parts of dx), `threads` chunks of units (each with its own scratch)."""

    def __init__(self, g: ConvShape, kind: str, block: int, threads: int) -> None:
        self.block = block
        if is_symbolic(g.n):  # (the batch known at run time: one image per unit)
            self.block = min(block, g.oh)
            self.unit = g.oh
        elif kind == "input":
            self.unit = max(1, block // g.oh) * g.oh if block >= g.oh else g.oh
        else:
            self.unit = block
        self.extent = -(-g.rows // self.unit) if not is_symbolic(g.n) else g.n
        self.threads = max(1, min(threads, hint_of(self.extent)))


def emit_conv_blocked(module, name, dtype, g: ConvShape, m: int, plan: ConvPlan, kind: str,
                      operands, epilogue: Epilogue | None = None) -> list:
    """A convolution (kind "forward"), its filter gradient ("filter") or its input
    gradient ("input"), `plan.block` output rows at a time around one BLAS call per block,
    so each block's patch matrix (in the thread's scratch) is used while still in cache.

    forward: cols = im2col(x[block]); out[block] = cols @ f   (x[block] @ f when pointwise)
    filter:  cols = im2col(x[block]); df_t (+)= cols^T @ dy[block]   (then df = sum df_t)
    input:   dx[unit's images] = 0; cols = dy[block] @ f^T; dx += col2im(cols)
    Operands: forward (x, f, out, cols); filter (x, dy, df, cols, partials);
    input (dy, f, dx, cols). cols holds plan.threads blocks; partials threads-1 filters.
    A forward `epilogue` runs on each block after its matmul (its operands follow).
    """
    gemm = gemm_function(module, dtype)
    extra = epilogue.extra if epilogue is not None else 0
    b, ptrs, lo, hi = new_kernel(module, name, (5 if kind == "filter" else 4) + extra)
    a_ptr, b_ptr, out, cols = ptrs[:4]
    i32 = lambda v: ir.Constant(U.I32, v)  # noqa: E731
    size = 4 if dtype.name == "float32" else 8
    one, zero = U.const(dtype, 1.0), U.const(dtype, 0.0)
    # which thread's chunk this call runs: its patch scratch and (filter) partial sum
    chunk = chunk_size(b, plan.extent, plan.threads)
    slot, target = b.sdiv(lo, chunk), out
    if kind == "filter":
        slot, target = thread_sum(b, lo, chunk, out, ptrs[4], size, g.k * m)
    cols = ptr_at(b, cols, b.mul(slot, _c(plan.block * g.ow * g.k)), size)
    if kind == "filter":
        with b.if_then(b.icmp_signed(">=", lo, hi)):  # an empty chunk still owns its sum
            zero_range(b, target, dtype, _c(0), _c(g.k * m))
    rows = g.rows

    def units():
        with U.for_range(b, hi, lo, name="unit") as u:
            r0 = b.mul(u, _c(plan.unit))
            r1 = smin(b, b.add(r0, _c(plan.unit)), U.dim(b, rows))
            if kind == "input":
                image = g.h * g.w * g.c
                img0, img1 = b.sdiv(r0, _c(g.oh)), b.sdiv(r1, _c(g.oh))
                zero_range(b, out, dtype, b.mul(img0, _c(image)), b.mul(img1, _c(image)))
            for sub in range(-(-plan.unit // plan.block)):
                start = b.add(r0, _c(sub * plan.block))
                with b.if_then(b.icmp_signed("<", start, r1)):
                    stop = smin(b, b.add(start, _c(plan.block)), r1)
                    pixels = b.mul(b.sub(stop, start), _c(g.ow))

                    def rows_of(ptr, width, start=start):
                        return ptr_at(b, ptr, b.mul(start, _c(g.ow * width)), size)
                    if kind == "forward":
                        _im2col_rows(b, a_ptr, cols, dtype, g, start, stop)
                        b.call(gemm, [i32(ROW_MAJOR), i32(NO_TRANS), i32(NO_TRANS), pixels, _c(m),
                                      _c(g.k), one, cols, _c(g.k), b_ptr, _c(m), zero,
                                      rows_of(out, m), _c(m)])
                        if epilogue is not None:
                            epilogue.emit(b, out, ptrs[4:], b.mul(start, _c(g.ow)),
                                          b.mul(stop, _c(g.ow)), m, dtype)
                    elif kind == "filter":
                        _im2col_rows(b, a_ptr, cols, dtype, g, start, stop)
                        first = b.and_(b.icmp_signed("==", u, lo), ir.Constant(U.I1, sub == 0))
                        beta = b.select(first, zero, one)
                        b.call(gemm, [i32(ROW_MAJOR), i32(TRANS), i32(NO_TRANS), _c(g.k), _c(m),
                                      pixels, one, cols, _c(g.k), rows_of(b_ptr, m), _c(m), beta,
                                      target, _c(m)])
                    else:
                        b.call(gemm, [i32(ROW_MAJOR), i32(NO_TRANS), i32(TRANS), pixels, _c(g.k),
                                      _c(m), one, rows_of(a_ptr, m), _c(m), b_ptr, _c(m), zero,
                                      cols, _c(g.k)])
                        _col2im_rows(b, cols, out, dtype, g, start, stop)
    if kind == "forward" and g.pointwise():  # (the input is the patch matrix, images and all)
        _pointwise_blocks(b, gemm, dtype, g, m, plan, ptrs, lo, hi, epilogue)
    else:
        units()
    U.return_status(b)
    main = Kernel(name, list(operands), plan.extent,
                  2 * rows * g.ow * g.k * m, splittable=plan.threads > 1,
                  threads=plan.threads, blas=True)
    if kind != "filter" or plan.threads == 1:
        return [main]
    return [main, emit_partial_sum(module, name + "_sum", dtype, g.k * m, plan.threads - 1,
                                   [operands[2], operands[4]])]


POINTWISE_BLOCK_BYTES = 1 << 20


def _pointwise_blocks(b, gemm, dtype, g: ConvShape, m: int, plan: ConvPlan, ptrs, lo, hi,
                      epilogue) -> None:
    """A pointwise convolution's units [lo, hi) as one run of pixels, in blocks whose input
    and output rows fill about 1 MB, across image boundaries: one BLAS call per block
    (the filter is read once a block, not once an image), then the block's epilogue."""
    x, f, out = ptrs[:3]
    size = 4 if dtype.name == "float32" else 8
    block = max(16, POINTWISE_BLOCK_BYTES // ((g.c + m) * size))
    i32 = lambda v: ir.Constant(U.I32, v)  # noqa: E731
    p0 = b.mul(b.mul(lo, _c(plan.unit)), _c(g.ow))
    p1 = b.mul(smin(b, b.mul(hi, _c(plan.unit)), U.dim(b, g.rows)), _c(g.ow))
    count = b.sdiv(b.add(b.sub(p1, p0), _c(block - 1)), _c(block))
    with U.for_range(b, count, name="pblk") as k:
        start = b.add(p0, b.mul(k, _c(block)))
        stop = smin(b, b.add(start, _c(block)), p1)
        b.call(gemm, [i32(ROW_MAJOR), i32(NO_TRANS), i32(NO_TRANS), b.sub(stop, start), _c(m),
                      _c(g.c), U.const(dtype, 1.0), ptr_at(b, x, b.mul(start, _c(g.c)), size),
                      _c(g.c), f, _c(m), U.const(dtype, 0.0),
                      ptr_at(b, out, b.mul(start, _c(m)), size), _c(m)])
        if epilogue is not None:
            epilogue.emit(b, out, ptrs[4:], start, stop, m, dtype)


def emit_partial_sum(module, name, dtype, size: int, parts: int, operands) -> Kernel:
    """out[i] += partials[0][i] + ... + partials[parts-1][i] (per-thread partial sums)."""
    b, (out, partials), lo, hi = new_kernel(module, name, 2)
    with U.for_range(b, hi, lo, name="i") as i:
        total = U.load(b, out, dtype, i)
        for p in range(parts):
            total = b.fadd(total, U.load(b, partials, dtype, b.add(i, _c(p * size))))
        U.store(b, out, dtype, i, total)
    U.return_status(b)
    return Kernel(name, list(operands), size, size * (parts + 1))


# ---------------------------------------------------------------- direct convolutions
def vector_ops(b, ft, width: int):
    """(vector type, splat(x), load(ptr element offset), fmuladd(a, b, c)) for `width`
    lanes: whole vectors of output channels held in registers."""
    vt = ir.VectorType(ft, width)
    zeros = ir.Constant(ir.VectorType(U.I32, width), [0] * width)
    suffix = f"v{width}{'f32' if ft == U.F32 else 'f64'}"
    fma = U.intrinsic(b.module, f"llvm.fmuladd.{suffix}", vt, [vt, vt, vt])

    def splat(x):
        one = b.insert_element(ir.Constant(vt, ir.Undefined), x, ir.Constant(U.I32, 0))
        return b.shuffle_vector(one, ir.Constant(vt, ir.Undefined), zeros)

    def vptr(ptr, offset):
        typed = b.bitcast(ptr, ft.as_pointer())
        return b.bitcast(b.gep(typed, [offset], inbounds=True), vt.as_pointer())

    return vt, splat, vptr, (lambda x, y, z: b.call(fma, [x, y, z]))


def in_pieces(b, count: int, piece: int, body) -> None:
    """body(b, first (a value), width) over `count` channels: a loop over whole pieces of
    `piece` (vectors, register blocks), then the narrower rest."""
    full = count // piece
    if full:
        with U.for_range(b, full, name="piece") as k:
            body(b, b.mul(k, _c(piece)), piece)
    if count % piece:
        body(b, _c(full * piece), count % piece)


def channel_chunks(m: int, lanes: int) -> list:
    """(first, width) pieces of `m` output channels, two vector registers each."""
    step = 2 * lanes
    return [(c0, min(step, m - c0)) for c0 in range(0, m, step)]


def padded_shape(g: ConvShape) -> tuple:
    """[N, HP, WP, C]: the input with its padding made explicit, just large enough for
    every window (rows and columns no window reaches are left out)."""
    hp = (g.oh - 1) * g.sh + (g.kh - 1) * g.dh + 1
    wp = (g.ow - 1) * g.sw + (g.kw - 1) * g.dw + 1
    return g.n, hp, wp, g.c


def emit_pad(module, name, dtype, g: ConvShape, operands) -> Kernel:
    """xp[n, r, q] = x[n, r - top, q - left] where in bounds, else 0 (whole pixels of C
    channels): per padded row, zeros before, one contiguous run of the input row, zeros
    after (a row outside the input is all zeros). Operands (x, xp)."""
    b, (x, xp), lo, hi = new_kernel(module, name, 2)
    _, hp, wp, _ = padded_shape(g)
    span = wp * g.c
    first = min(g.left, wp) * g.c                     # zeros before the input's columns
    run = max(0, min(g.w, wp - g.left)) * g.c         # the input row's elements copied
    with U.for_range(b, hi, lo, name="row") as row:
        n, rp = b.sdiv(row, _c(hp)), b.srem(row, _c(hp))
        r = b.sub(rp, _c(g.top))
        row_in = b.and_(b.icmp_signed(">=", r, _c(0)), b.icmp_signed("<", r, _c(g.h)))
        dst = b.mul(row, _c(span))
        with b.if_else(row_in) as (inside, outside):
            with inside:
                zero_range(b, xp, dtype, dst, b.add(dst, _c(first)))
                src = pixel_offset(b, g, n, r, _c(0))
                at = b.add(dst, _c(first))
                with U.for_range(b, _c(run), name="t") as t:
                    U.store(b, xp, dtype, b.add(at, t), U.load(b, x, dtype, b.add(src, t)))
                zero_range(b, xp, dtype, b.add(at, _c(run)), b.add(dst, _c(span)))
            with outside:
                zero_range(b, xp, dtype, dst, b.add(dst, _c(span)))
    U.return_status(b)
    return Kernel(name, list(operands), g.n * hp, 2 * g.n * hp * wp * g.c)


def padded_pixel(b, g: ConvShape, n, oh, ow, i, j):
    """Element offset in the padded input of window element (i, j) of output (oh, ow)."""
    _, hp, wp, _ = padded_shape(g)
    r = b.add(b.mul(oh, _c(g.sh)), b.mul(i, _c(g.dh)))
    q = b.add(b.mul(ow, _c(g.sw)), b.mul(j, _c(g.dw)))
    return b.mul(b.add(b.mul(b.add(b.mul(n, _c(hp)), r), _c(wp)), q), _c(g.c))


def thread_sum(b, lo, chunk, out, partials, size: int, elements: int):
    """Where this call (chunk lo // chunk of the split, `chunk` a value) accumulates:
    `out` for the first chunk, its slot of `partials` for the others."""
    slot = b.sdiv(lo, chunk)
    partial = ptr_at(b, partials, b.mul(b.sub(slot, _c(1)), _c(elements)), size)
    return slot, b.select(b.icmp_signed("==", slot, _c(0)), out, partial)
