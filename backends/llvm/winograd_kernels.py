"""Stage 3 of the llvm backend, Winograd convolutions (NHWC) for stride-1, undilated 5x5
windows, in the calling convention of `loops`; fewer FLOPs than the direct loops
(direct_conv_kernels), which already run at the FMA pipes' rate:

- the forward convolution (and the input gradient, a forward convolution of the padded
  dy with the turned filter) by F(2x2, 5x5): 36 multiplies per channel pair and 2x2 tile
  of outputs where the direct loops do 100. Toom-Cook's transforms at the points 0, 1,
  -1, 2, -2 and infinity (Lavin & Gray, "Fast Algorithms for Convolutional Neural
  Networks"): for a 6x6 patch d of the zero-padded input (conv_kernels.emit_pad) and a
  5x5 filter g, the outputs are A^T [(G g G^T) * (B^T d B)] A. The filter's transform is
  its own kernel (emit_winograd_filter); the main one (emit_conv_winograd) works through
  blocks of WINOGRAD_TILES tiles: their input transforms, then per position the product
  V[pos] (tiles x C) times U[pos] (C x M), register-blocked as the direct loops (U[pos] a
  few KB, in L1), then the output transforms and the epilogue;
- the filter gradient by F(5, 2) along each window row (emit_conv_filter_winograd): 30
  outer products per output row and pair of columns where the direct loops do 50, summed
  per thread, the output transform applied once to the sum.

Float32 error (tests/backends/test_llvm_winograd.py, against float64): F(2x2, 5x5) ~10x
the direct loops', F(5, 2)'s rows the same as theirs, both well within the "conv"
tolerance (ir/numerics.py).
"""
from __future__ import annotations

from llvmlite import ir

from graphc.ir.symbolic import hint_of
from . import irutil as U
from .conv_kernels import ConvShape, Epilogue, in_pieces, padded_shape, smin, vector_ops
from .direct_conv_kernels import outer_products, register_blocks
from .loops import Kernel, new_kernel
from .parallel import chunk_size

_c = U.i64

# B^T (6x6), G (6x5), A^T (2x6) of F(2, 5) at 0, 1, -1, 2, -2, infinity
B_T = ((4, 0, -5, 0, 1, 0), (0, -4, -4, 1, 1, 0), (0, 4, -4, -1, 1, 0),
       (0, -2, -1, 2, 1, 0), (0, 2, -1, -2, 1, 0), (0, 4, 0, -5, 0, 1))
G = ((1 / 4, 0, 0, 0, 0), (-1 / 6, -1 / 6, -1 / 6, -1 / 6, -1 / 6),
     (-1 / 6, 1 / 6, -1 / 6, 1 / 6, -1 / 6), (1 / 24, 1 / 12, 1 / 6, 1 / 3, 2 / 3),
     (1 / 24, -1 / 12, 1 / 6, -1 / 3, 2 / 3), (0, 0, 0, 0, 1))
A_T = ((1, 1, 1, 1, 1, 0), (0, 1, -1, 2, -2, 1))
TILE, WINDOW, OUT = 6, 5, 2   # input patch, filter, output tile (per spatial axis)
POSITIONS = TILE * TILE

WINOGRAD_TILES = 12  # tiles a block transforms and multiplies together (its V and M in L2)


def winograd_applies(g: ConvShape) -> bool:
    """A stride-1, undilated 5x5 window (any padding)."""
    return (g.kh, g.kw, g.sh, g.sw, g.dh, g.dw) == (WINDOW, WINDOW, 1, 1, 1, 1)


def tiles(g: ConvShape) -> tuple:
    """(tile rows, tiles per row) covering the output."""
    return -(-g.oh // OUT), -(-g.ow // OUT)


def winograd_padding(g: ConvShape) -> ConvShape:
    """g with its output rounded up to whole tiles: the geometry whose padded input
    (conv_kernels.padded_shape, emit_pad) every tile's 6x6 patch lies in."""
    th, tw = tiles(g)
    return ConvShape((g.n, g.h, g.w, g.c), g.kh, g.kw, 1, 1, 1, 1, g.top, g.left,
                     OUT * th, OUT * tw)


def scratch_size(c: int, m: int) -> int:
    """Elements of one thread's scratch: a block's input transforms and products."""
    return POSITIONS * WINOGRAD_TILES * (c + m)


def _input_rows(b, d, vt, fma):
    """B^T d for one line of 6 values, with B_T's common terms shared (12 operations)."""
    k = lambda v: ir.Constant(vt, [float(v)] * vt.count)  # noqa: E731
    t1, t2 = fma(k(-4), d[2], d[4]), fma(k(-4), d[1], d[3])
    t3, t4 = b.fsub(d[4], d[2]), b.fmul(b.fsub(d[3], d[1]), k(2))
    return [fma(k(4), d[0], fma(k(-5), d[2], d[4])), b.fadd(t1, t2), b.fsub(t1, t2),
            b.fadd(t3, t4), b.fsub(t3, t4), fma(k(4), d[1], fma(k(-5), d[3], d[5]))]


def _output_rows(b, m, vt, fma):
    """A^T m for one line of 6 values (8 operations)."""
    s12, d12 = b.fadd(m[1], m[2]), b.fsub(m[1], m[2])
    s34, d34 = b.fadd(m[3], m[4]), b.fsub(m[3], m[4])
    two = ir.Constant(vt, [2.0] * vt.count)
    return [b.fadd(b.fadd(m[0], s12), s34), b.fadd(fma(two, d34, d12), m[5])]


def _transform(rows, block):
    """M . block . M^T for a square `block` (lists of values), `rows` computing M . line."""
    half = [rows(line) for line in block]                      # block . M^T, by lines
    cols = [rows([half[i][j] for i in range(len(block))]) for j in range(len(half[0]))]
    return [[cols[j][i] for j in range(len(cols))] for i in range(len(cols[0]))]


def _dot(b, coeffs, values):
    """sum(k * v) over the non-zero coefficients (+-1 as additions and subtractions), for
    scalars or vectors."""
    ty = values[0].type
    total = None
    for k, v in zip(coeffs, values):
        if k == 0:
            continue
        if abs(k) != 1:
            v = b.fmul(v, ir.Constant(ty, [float(abs(k))] * ty.count)
                       if isinstance(ty, ir.VectorType) else ir.Constant(ty, float(abs(k))))
        if total is None:
            total = v if k > 0 else b.fneg(v)
        else:
            total = b.fadd(total, v) if k > 0 else b.fsub(total, v)
    return total


def _outer_products(b, ops, sets, count, scalars, vector_at, vectors) -> None:
    """The register-blocked products: for t < count, every accumulator of `sets`
    (register_blocks' zeroed) += its scalar of scalars(b, t) times the vector of its
    channels at element vector_at(b, t, channel) of `vectors`."""
    with U.for_range(b, count, name="kt") as t:
        vs = [b.load(ops[w][2](vectors, vector_at(b, t, ch)), align=4) for ch, w, _ in sets]
        outer_products(b, ops, sets, vs, scalars(b, t))


def emit_winograd_filter(module, name, dtype, c: int, m: int, operands) -> Kernel:
    """u[a, b, ch, oc] = (G f[:, :, ch, oc] G^T)[a, b], one (ch, oc) per unit (a loop
    over contiguous elements LLVM vectorises). Operands (f [5, 5, C, M], u [36, C, M])."""
    b, (f, u), lo, hi = new_kernel(module, name, 2)
    size = c * m
    with U.for_range(b, hi, lo, name="e") as e:
        taps = [[U.load(b, f, dtype, b.add(e, _c((i * WINDOW + j) * size)))
                 for j in range(WINDOW)] for i in range(WINDOW)]

        half = [[_dot(b, grow, [taps[i][j] for i in range(WINDOW)]) for j in range(WINDOW)]
                for grow in G]                                           # G f: [a][j]
        for a in range(TILE):
            for k, grow in enumerate(G):
                U.store(b, u, dtype, b.add(e, _c((a * TILE + k) * size)), _dot(b, grow, half[a]))
    U.return_status(b)
    return Kernel(name, list(operands), size, size * POSITIONS)


def emit_conv_winograd(module, name, dtype, g: ConvShape, m: int, lanes: int, threads: int,
                       operands, epilogue: Epilogue | None = None,
                       accumulators: int = 24) -> Kernel:
    """out = conv(x, f) by F(2x2, 5x5) from the input padded to whole tiles
    (winograd_padding) and the filter's transform (emit_winograd_filter), split over rows
    of tiles. Operands (xp, u, out, scratch), then the epilogue's (run on each tile's
    output pixels once written); scratch holds `threads` scratch_size blocks."""
    b, ptrs, lo, hi = new_kernel(module, name, 4 + (epilogue.extra if epilogue else 0))
    x, u, out, scratch = ptrs[:4]
    ft = U.value_type(dtype)
    size = 4 if dtype.name == "float32" else 8
    c, tb = g.c, WINOGRAD_TILES
    th, tw = tiles(g)
    _, hp, wp, _ = padded_shape(winograd_padding(g))
    extent = g.n * th
    threads = max(1, min(threads, hint_of(extent)))
    slot = b.sdiv(lo, chunk_size(b, extent, threads))
    vbuf = b.gep(scratch, [b.mul(slot, _c(scratch_size(c, m) * size))], inbounds=True)
    mbuf = b.gep(vbuf, [_c(POSITIONS * tb * c * size)], inbounds=True)
    blocks, per, zeroed, ops = register_blocks(b, ft, m, lanes, tb, accumulators)

    def tile_at(b, tile):
        """(n, ty, tx) of a tile's flat index."""
        row, tx = b.sdiv(tile, _c(tw)), b.srem(tile, _c(tw))
        return b.sdiv(row, _c(th)), b.srem(row, _c(th)), tx

    def input_transforms(b, s, count):
        with U.for_range(b, count, name="vt") as t:
            n, ty, tx = tile_at(b, b.add(s, t))
            base = b.mul(b.add(b.mul(b.add(b.mul(n, _c(hp)), b.mul(ty, _c(OUT))), _c(wp)),
                               b.mul(tx, _c(OUT))), _c(c))

            def chunk(b, c0, width):
                vt, _, vptr, fma = vector_ops(b, ft, width)
                patch = [[b.load(vptr(x, b.add(base, b.add(c0, _c((i * wp + j) * c)))),
                                 align=4) for j in range(TILE)] for i in range(TILE)]
                v = _transform(lambda line: _input_rows(b, line, vt, fma), patch)
                for p in range(POSITIONS):
                    at = b.add(b.add(_c(p * tb * c), b.mul(t, _c(c))), c0)
                    b.store(v[p // TILE][p % TILE], vptr(vbuf, at), align=4)
            in_pieces(b, c, lanes, chunk)

    def products(b, count):
        def group(b, t0, k):
            for c0, ws in blocks:
                sets = zeroed(c0, ws, k)
                _outer_products(b, ops, sets, c, lambda b, ch, t0=t0, k=k: [
                    U.load(b, vp, dtype, b.add(b.mul(b.add(t0, _c(q)), _c(c)), ch))
                    for q in range(k)], lambda b, ch, ch0: b.add(b.mul(ch, _c(m)), _c(ch0)),
                    up)
                for ch0, w, acc in sets:
                    for q, a in enumerate(acc):
                        at = b.add(b.mul(b.add(t0, _c(q)), _c(m)), _c(ch0))
                        b.store(b.load(a), ops[w][2](mp, at), align=4)
        with U.for_range(b, POSITIONS, name="pos") as p:
            vp = b.gep(vbuf, [b.mul(p, _c(tb * c * size))], inbounds=True)
            up = b.gep(u, [b.mul(p, _c(c * m * size))], inbounds=True)
            mp = b.gep(mbuf, [b.mul(p, _c(tb * m * size))], inbounds=True)
            full = b.sdiv(count, _c(per))
            with U.for_range(b, full, name="grp") as k:
                group(b, b.mul(k, _c(per)), per)
            with U.for_range(b, count, b.mul(full, _c(per)), name="one") as t:
                group(b, t, 1)

    def output_transforms(b, s, count):
        with U.for_range(b, count, name="ot") as t:
            n, ty, tx = tile_at(b, b.add(s, t))
            oy, ox = b.mul(ty, _c(OUT)), b.mul(tx, _c(OUT))
            pixel0 = b.add(b.mul(b.add(b.mul(n, _c(g.oh)), oy), _c(g.ow)), ox)

            def chunk(b, c0, width):
                vt, _, vptr, fma = vector_ops(b, ft, width)
                mv = [[b.load(vptr(mbuf, b.add(b.add(_c((i * TILE + j) * tb * m),
                                                     b.mul(t, _c(m))), c0)), align=4)
                       for j in range(TILE)] for i in range(TILE)]
                y = _transform(lambda line: _output_rows(b, line, vt, fma), mv)
                for k in range(OUT):
                    for q in range(OUT):
                        at = b.add(b.mul(b.add(pixel0, _c(k * g.ow + q)), _c(m)), c0)
                        inside = _inside(b, oy, ox, k, q)
                        if inside is None:
                            b.store(y[k][q], vptr(out, at), align=4)
                        else:
                            with b.if_then(inside):
                                b.store(y[k][q], vptr(out, at), align=4)
            in_pieces(b, m, lanes, chunk)
            if epilogue is not None:
                width = smin(b, _c(OUT), b.sub(_c(g.ow), ox))
                for k in range(OUT):
                    p0 = b.add(pixel0, _c(k * g.ow))
                    row_in = _inside(b, oy, ox, k, 0)
                    if row_in is None:
                        epilogue.emit(b, out, ptrs[4:], p0, b.add(p0, width), m, dtype)
                    else:
                        with b.if_then(row_in):
                            epilogue.emit(b, out, ptrs[4:], p0, b.add(p0, width), m, dtype)

    def _inside(b, oy, ox, k, q):
        """Output (oy + k, ox + q) lies in the output (None: statically always)."""
        tests = []
        if g.oh % OUT and k:
            tests.append(b.icmp_signed("<", b.add(oy, _c(k)), _c(g.oh)))
        if g.ow % OUT and q:
            tests.append(b.icmp_signed("<", b.add(ox, _c(q)), _c(g.ow)))
        if not tests:
            return None
        return tests[0] if len(tests) == 1 else b.and_(*tests)

    t_lo, t_hi = b.mul(lo, _c(tw)), b.mul(hi, _c(tw))
    nblocks = b.sdiv(b.add(b.sub(t_hi, t_lo), _c(tb - 1)), _c(tb))
    with U.for_range(b, nblocks, name="blk") as blk:
        s = b.add(t_lo, b.mul(blk, _c(tb)))
        count = smin(b, _c(tb), b.sub(t_hi, s))
        input_transforms(b, s, count)
        products(b, count)
        output_transforms(b, s, count)
    U.return_status(b)
    return Kernel(name, list(operands), extent, 2 * g.rows * g.ow * g.k * m,
                  splittable=threads > 1, threads=threads)


# ------------------------------------------------ the filter gradient, by rows: F(5, 2)
# B^T (6x6), G (6x2), A^T (5x6) of F(5, 2) at 0, 1, -1, 1/2, -2, infinity: of the point
# sets tried the most accurate (the 2-D F(5x5, 2x2) was 5x the direct loops' error at a
# batch of 128; these rows' is the direct loops')
ROW_B_T = ((1, -1.5, -2, 1.5, 1, 0), (0, -1, 0.5, 2.5, 1, 0), (0, 1, -2.5, 0.5, 1, 0),
           (0, -2, -1, 2, 1, 0), (0, 0.5, -1, -0.5, 1, 0), (0, 1, -1.5, -2, 1.5, 1))
ROW_G = ((1, 0), (1 / 3, 1 / 3), (-1 / 3, 1 / 3), (-16 / 15, -8 / 15), (1 / 15, -2 / 15),
         (0, 1))
ROW_A_T = ((1, 1, 1, 1, 1, 0), (0, 1, -1, 0.5, -2, 0), (0, 1, 1, 0.25, 4, 0),
           (0, 1, -1, 0.125, -8, 0), (0, 1, 1, 0.0625, 16, 1))
ROW_TAPS = WINDOW * TILE     # (window row, position) pairs a filter gradient sums

FILTER_ROWS = 4  # output rows whose transforms a filter-gradient block keeps (in L2)


def filter_scratch_size(g: ConvShape, m: int) -> int:
    """Elements of one thread's work space for the filter gradient: a block's transformed
    input rows and output gradients."""
    block = FILTER_ROWS * tiles(g)[1]
    return ROW_TAPS * block * g.c + TILE * block * m


def emit_conv_filter_winograd(module, name, dtype, g: ConvShape, m: int, lanes: int,
                              threads: int, operands, accumulators: int = 24) -> list:
    """df = conv's filter gradient by F(5, 2) along each window row: for output rows
    (n, p) and pairs of output columns (a tile), s[i, b] += (B^T x[n, p + i, 2 tx : 2 tx + 6])
    [b] (x) (G dy[n, p, 2 tx : 2 tx + 2])[b], 30 outer products of C x M where the direct
    loops do 50; then df[i, j] = sum_b A^T[j, b] s[i, b] over every thread's s. Split over
    output rows, in blocks of FILTER_ROWS rows whose transforms sit in the thread's work
    space, the products register-blocked as the direct loops'. Operands (xp padded to
    whole tiles (winograd_padding), dy, df, sums (threads x 30 x C x M), work (threads x
    filter_scratch_size)); the main kernel takes them but df, the output kernel (df, sums)."""
    b, (x, dy, sums, work), lo, hi = new_kernel(module, name, 4)
    ft = U.value_type(dtype)
    size = 4 if dtype.name == "float32" else 8
    c, cm = g.c, g.c * m
    _, tw = tiles(g)
    _, hp, wp, _ = padded_shape(winograd_padding(g))
    kb = FILTER_ROWS * tw   # tiles of a full block
    threads = max(1, min(threads, hint_of(g.rows)))
    slot = b.sdiv(lo, chunk_size(b, g.rows, threads))
    mine = b.gep(sums, [b.mul(slot, _c(ROW_TAPS * cm * size))], inbounds=True)
    vbuf = b.gep(work, [b.mul(slot, _c(filter_scratch_size(g, m) * size))], inbounds=True)
    wbuf = b.gep(vbuf, [_c(ROW_TAPS * kb * c * size)], inbounds=True)
    with U.for_range(b, _c(ROW_TAPS * cm), name="z") as z:
        U.store(b, mine, dtype, z, U.const(dtype, 0))
    blocks, per, zeroed, ops = register_blocks(b, ft, m, lanes, c, accumulators)

    def transforms(b, r0, count):
        with U.for_range(b, count, name="tt") as k:
            row, tx = b.add(r0, b.sdiv(k, _c(tw))), b.srem(k, _c(tw))
            n, p = b.sdiv(row, _c(g.oh)), b.srem(row, _c(g.oh))
            q0 = b.mul(tx, _c(OUT))
            for i in range(WINDOW):
                base = b.mul(b.add(b.mul(b.add(b.mul(n, _c(hp)), b.add(p, _c(i))), _c(wp)), q0),
                             _c(c))

                def ichunk(b, c0, width, i=i, base=base):
                    vptr = vector_ops(b, ft, width)[2]
                    d = [b.load(vptr(x, b.add(base, b.add(c0, _c(j * c)))), align=4)
                         for j in range(TILE)]
                    for t, row_b in enumerate(ROW_B_T):
                        at = b.add(b.add(_c((i * TILE + t) * kb * c), b.mul(k, _c(c))), c0)
                        b.store(_dot(b, row_b, d), vptr(vbuf, at), align=4)
                in_pieces(b, c, lanes, ichunk)
            pix = b.add(b.mul(row, _c(g.ow)), q0)

            def wchunk(b, c0, width):
                vt, _, vptr, _ = vector_ops(b, ft, width)
                w0 = b.load(vptr(dy, b.add(b.mul(pix, _c(m)), c0)), align=4)
                if g.ow % OUT:  # (the last tile's second column lies outside)
                    w1 = b.alloca(vt)
                    b.store(ir.Constant(vt, [0.0] * width), w1)
                    with b.if_then(b.icmp_signed("<", b.add(q0, _c(1)), _c(g.ow))):
                        b.store(b.load(vptr(dy, b.add(b.mul(b.add(pix, _c(1)), _c(m)), c0)),
                                       align=4), w1)
                    w1 = b.load(w1)
                else:
                    w1 = b.load(vptr(dy, b.add(b.mul(b.add(pix, _c(1)), _c(m)), c0)), align=4)
                for t, row_g in enumerate(ROW_G):
                    at = b.add(b.add(_c(t * kb * m), b.mul(k, _c(m))), c0)
                    b.store(_dot(b, row_g, [w0, w1]), vptr(wbuf, at), align=4)
            in_pieces(b, m, lanes, wchunk)

    def products(b, count):
        with U.for_range(b, ROW_TAPS, name="tap") as tap:
            vp = b.gep(vbuf, [b.mul(tap, _c(kb * c * size))], inbounds=True)
            wp_ = b.gep(wbuf, [b.mul(b.srem(tap, _c(TILE)), _c(kb * m * size))], inbounds=True)
            sp = b.gep(mine, [b.mul(tap, _c(cm * size))], inbounds=True)

            def group(b, ch0, k):
                for m0, ws in blocks:
                    sets = zeroed(m0, ws, k)
                    _outer_products(b, ops, sets, count, lambda b, t, ch0=ch0, k=k: [
                        U.load(b, vp, dtype, b.add(b.mul(t, _c(c)), b.add(ch0, _c(q))))
                        for q in range(k)], lambda b, t, mc: b.add(b.mul(t, _c(m)), _c(mc)),
                        wp_)
                    for mc, w, acc in sets:
                        for q, a in enumerate(acc):
                            ptr = ops[w][2](sp, b.add(b.mul(b.add(ch0, _c(q)), _c(m)), _c(mc)))
                            b.store(b.fadd(b.load(ptr, align=4), b.load(a)), ptr, align=4)
            in_pieces(b, c, per, group)

    nblocks = b.sdiv(b.add(b.sub(hi, lo), _c(FILTER_ROWS - 1)), _c(FILTER_ROWS))
    with U.for_range(b, nblocks, name="fblk") as blk:
        r0 = b.add(lo, b.mul(blk, _c(FILTER_ROWS)))
        count = b.mul(b.sub(smin(b, b.add(r0, _c(FILTER_ROWS)), hi), r0), _c(tw))
        transforms(b, r0, count)
        products(b, count)
    U.return_status(b)
    xp, dyt, df, sums_t, work_t = operands
    main = Kernel(name, [xp, dyt, sums_t, work_t], g.rows, 2 * g.rows * g.ow * g.k * m,
                  splittable=threads > 1, threads=threads)
    return [main, _emit_filter_output(module, name + "_out", dtype, cm, threads,
                                      [df, sums_t])]


def _emit_filter_output(module, name, dtype, cm: int, threads: int, operands) -> Kernel:
    """df[i, j, e] = sum_b A^T[j, b] (sum over threads of s[i, b, e]), one (C, M) element e
    per unit. Operands (df, sums)."""
    b, (df, sums), lo, hi = new_kernel(module, name, 2)
    with U.for_range(b, hi, lo, name="e") as e:
        for i in range(WINDOW):
            s = []
            for t in range(TILE):
                at = b.add(e, _c((i * TILE + t) * cm))
                total = U.load(b, sums, dtype, at)
                for k in range(1, threads):
                    total = b.fadd(total, U.load(b, sums, dtype, b.add(at, _c(k * ROW_TAPS * cm))))
                s.append(total)
            for j, row_a in enumerate(ROW_A_T):
                U.store(b, df, dtype, b.add(e, _c((i * WINDOW + j) * cm)), _dot(b, row_a, s))
    U.return_status(b)
    return Kernel(name, list(operands), cm, cm * ROW_TAPS * threads)
