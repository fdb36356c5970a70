"""Stage 3 of the llvm backend, the depthwise convolution kernels (NHWC): the forward
convolution and its two gradients as direct loops over channels on the zero-padded input
(conv_kernels.emit_pad), the gradients split across threads (the filter gradient into
per-thread sums added up after, the input gradient where windows do not overlap). The
fused forward one of frozen models, reading the unpadded input, is in
fused_conv_kernels.py.
"""
from __future__ import annotations

from graphc.ir.symbolic import hint_of
from . import irutil as U
from .conv_kernels import (ConvShape, each_window_element, emit_partial_sum, emit_zero,
                           padded_pixel, thread_sum, zero_range)
from .loops import Kernel, new_kernel
from .parallel import chunk_size

_c = U.i64


def _depth_loop(b, g: ConvShape, mult: int, body):
    """for input channel c and multiplier k: body(b, c, k, c*mult + k) (one flat loop over
    the C*mult output channels when mult is 1, so it vectorises across channels)."""
    if mult == 1:
        with U.for_range(b, g.c, name="c") as ch:
            body(b, ch, _c(0), ch)
        return
    with U.for_range(b, g.c, name="c") as ch:
        with U.for_range(b, mult, name="k") as k:
            body(b, ch, k, b.add(b.mul(ch, _c(mult)), k))


def _depthwise_windows(b, g: ConvShape, mult: int, lo, hi, pixel, body):
    """for output rows [lo, hi) and their pixels: pixel(b, offset of the pixel's output
    channels); then for each window element (the zero-padded input) and output channel
    e = c*mult + k: body(b, pixel offset, padded input offset, filter row offset, c, e)."""
    depth = g.c * mult
    with U.for_range(b, hi, lo, name="row") as row:
        n, oh = b.sdiv(row, _c(g.oh)), b.srem(row, _c(g.oh))
        with U.for_range(b, g.ow, name="ow") as ow:
            base = b.mul(b.add(b.mul(row, _c(g.ow)), ow), _c(depth))
            pixel(b, base)
            with U.for_range(b, g.kh, name="i") as i:
                with U.for_range(b, g.kw, name="j") as j:
                    at = padded_pixel(b, g, n, oh, ow, i, j)
                    frow = b.mul(b.add(b.mul(i, _c(g.kw)), j), _c(depth))
                    _depth_loop(b, g, mult, lambda b, ch, k, e, at=at, frow=frow:
                                body(b, base, at, frow, ch, e))


def emit_depthwise(module, name, dtype, g: ConvShape, mult: int, operands) -> Kernel:
    """out[p, c*mult + k] = sum over window elements of xp[element, c] * f[i, j, c, k],
    reading the zero-padded input (emit_pad). Operands (xp, f, out)."""
    b, (x, f, out), lo, hi = new_kernel(module, name, 3)
    depth = g.c * mult

    def pixel(b, base):
        zero_range(b, out, dtype, base, b.add(base, _c(depth)))

    def body(b, base, at, frow, ch, e):
        v = b.fmul(U.load(b, x, dtype, b.add(at, ch)), U.load(b, f, dtype, b.add(frow, e)))
        o = b.add(base, e)
        U.store(b, out, dtype, o, b.fadd(U.load(b, out, dtype, o), v))
    _depthwise_windows(b, g, mult, lo, hi, pixel, body)
    U.return_status(b)
    return Kernel(name, list(operands), g.rows, 2 * g.rows * g.ow * g.kh * g.kw * depth)


def emit_depthwise_input(module, name, dtype, g: ConvShape, mult: int, operands) -> list:
    """dx = 0; each output pixel's dy, times the filter, summed over the multiplier, is
    added to the in-bounds elements of its window. Split across threads when windows do
    not overlap. Operands (f, dy, dx)."""
    zero = emit_zero(module, name + "_zero", dtype, g.n * g.h * g.w * g.c, [operands[2]])
    b, (f, dy, dx), lo, hi = new_kernel(module, name, 3)
    depth = g.c * mult
    with U.for_range(b, hi, lo, name="row") as row:
        n, oh = b.sdiv(row, _c(g.oh)), b.srem(row, _c(g.oh))
        with U.for_range(b, g.ow, name="ow") as ow:
            base = b.mul(b.add(b.mul(row, _c(g.ow)), ow), _c(depth))

            def element(b, i, j, pixel):
                frow = b.mul(b.add(b.mul(i, _c(g.kw)), j), _c(depth))

                def body(b, ch, k, e):
                    at = b.add(pixel, ch)
                    v = b.fmul(U.load(b, dy, dtype, b.add(base, e)),
                               U.load(b, f, dtype, b.add(frow, e)))
                    U.store(b, dx, dtype, at, b.fadd(U.load(b, dx, dtype, at), v))
                _depth_loop(b, g, mult, body)
            each_window_element(b, g, n, oh, ow, element)
    U.return_status(b)
    return [zero, Kernel(name, list(operands), g.rows, 2 * g.rows * g.ow * g.kh * g.kw * depth,
                         splittable=g.disjoint())]


def emit_depthwise_filter(module, name, dtype, g: ConvShape, mult: int, threads: int,
                          operands) -> list:
    """df[i, j, c, k] = sum over output pixels of xp[element (i, j), c] * dy[p, c*mult + k],
    each thread into its own sum (added up after), reading the zero-padded input.
    Operands (xp, dy, df, partials): partials holds threads-1 filters."""
    b, (x, dy, df, partials), lo, hi = new_kernel(module, name, 4)
    size = 4 if dtype.name == "float32" else 8
    depth = g.c * mult
    elements = g.kh * g.kw * depth
    threads = max(1, min(threads, hint_of(g.rows)))
    _, target = thread_sum(b, lo, chunk_size(b, g.rows, threads), df, partials, size,
                            elements)
    zero_range(b, target, dtype, _c(0), _c(elements))

    def body(b, base, at, frow, ch, e):
        v = b.fmul(U.load(b, x, dtype, b.add(at, ch)), U.load(b, dy, dtype, b.add(base, e)))
        o = b.add(frow, e)
        U.store(b, target, dtype, o, b.fadd(U.load(b, target, dtype, o), v))
    _depthwise_windows(b, g, mult, lo, hi, lambda b, base: None, body)
    U.return_status(b)
    main = Kernel(name, list(operands), g.rows, 2 * g.rows * g.ow * elements,
                  splittable=threads > 1, threads=threads)
    if threads == 1:
        return [main]
    return [main, emit_partial_sum(module, name + "_sum", dtype, elements, threads - 1,
                                   [operands[2], operands[3]])]
