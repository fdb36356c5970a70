"""Stage 3 of the llvm backend: a JIT-compiled float32 GEMM for hosts with AVX-512, which
matmul kernels (kernels.emit_matmul) call in place of the BLAS numpy ships where
`handles` says it measures faster (benchmarks/gemm_shapes.py: the numbers by `handles`).

`C[M, N] = op(A) @ op(B)` (beta 0: C is only written), row-major, any leading dims.
C's columns go in blocks of NC, K in blocks of KC; per (column block, K block), C is
covered by panels of NR = 2 vectors of columns, and each panel by register tiles of MR
rows (MR * 2 accumulators, 16 for MR = 8) that run the block's k: per k, two vector
loads of B's row and MR broadcasts of A's column, MR * 2 FMAs; the first K block writes
C, later ones add to it. Row tails take tiles of 4, 2 and 1 rows; the last panel masks
its loads and stores (N need not be a multiple of 16). op(A) = A^T is the same tile with
A's strides swapped.

B's block [KC, NC] is first packed into NC / NR contiguous [KC, NR] panels in `scratch`
(SCRATCH_FLOATS, which the caller owns: a workspace buffer per chunk of the pool,
kernels.emit_matmul; never the stack, which a Python thread may have small), reused by
every row tile: B^T always (by 16 x 16 transposes of vectors along its rows), B from
PACK_MIN_M rows of C (decided at run time; below, tiles read B's rows in place).
Without K blocks a tile's k walked a whole column of B: K = 3136 rows of the convnet's
dense [3136, 1024], each in another 4 KiB page, at ~60% of the FMA rate.

Accumulation is in k order per element (one FMA per k), as the BLAS's microkernels do:
results match numpy's float32 matmul to its rounding, not bit for bit.
"""
from __future__ import annotations

from llvmlite import ir

from . import irutil as U

LANES = 16                 # float32 lanes of a 512-bit register
NV = 2                     # vectors of columns per tile
NR = NV * LANES            # columns per tile
ROW_TILES = (8, 4, 2, 1)   # rows per tile: the main one, then the tails
KC = 256                   # k per block: a packed panel is KC * NR floats (32 KiB)
NC = 256                   # columns per block packed at once (NC / NR panels)
SCRATCH_FLOATS = KC * NC   # the most scratch one call needs (256 KiB): scratch_floats
# B (not B^T) is packed for C of PACK_MIN_M rows and more: with K in blocks, a tile reads
# B's rows in place at ~the packed panels' rate (the MLP's [100, 784] @ [784, 256]: 116
# GFLOP/s in place, 108 packed; the convnet's dense [128, 3136] @ [3136, 1024]: 83 and
# 78-83), and packing costs a pass over B per call that only many rows amortise
# ([3136, 128]^T @ [128, 1024]: 87 in place, 91 packed)
PACK_MIN_M = 256
VEC = ir.VectorType(U.F32, LANES)
MASK = ir.VectorType(U.I1, LANES)
FPTR = U.F32.as_pointer()
VPTR = VEC.as_pointer()

# Where the BLAS wins (benchmarks/gemm_shapes.py on a Zen 4 whose OpenBLAS runs its
# SkylakeX kernels, GFLOP/s on one thread, this GEMM / OpenBLAS; elsewhere this GEMM is
# 1.1-1.5x: the MLP's matmuls at ~115 against ~100, B^T forms ~110 against ~85):
# - B^T on few rows: packing B^T is paid once per call, and OpenBLAS's B^T kernels are
#   quick on under 8 rows, or under 32 rows of fewer than 64 columns (M x N x K: 4 x 256 x
#   256: 53 / 106; 16 x 40 x 128, an LSTM step: 78 / 98; 8 x 40 x 128: 66 / 98), where
#   from 8 rows of 64 columns it is slow (8 x 256 x 256: 75 / 25; 16 x 128 x 128: 90 / 41;
#   32 x 40 x 128: 82 / 46). So B^T takes this GEMM from min_packed_rows(N) rows of C:
#   a static M at compile time, a symbolic one at run time (run_time_rows);
# - A^T with N <= 16: one vector of lanes per row, partly masked, where OpenBLAS's
#   kernel runs along M (the MLP's last dW, [100, 256]^T @ [100, 10]: 72 / 88).
def min_packed_rows(n) -> int:
    """From how many rows of C a B^T matmul of `n` columns (an int or a Sym) takes this
    GEMM where the BLAS is there."""
    return 8 if isinstance(n, int) and n >= 64 else 32


def handles(host, dtype, trans_a: bool, trans_b: bool, m, n, k) -> bool:
    """Whether a matmul of `dtype` (op(A) = A^T when `trans_a`, op(B) = B^T when
    `trans_b`; C [m, n], inner dim `k`: ints or Syms) may use this GEMM on `host`
    (target.Host); run_time_rows says from how many rows."""
    if dtype.name != "float32" or "+avx512f" not in host.features.split(","):
        return False
    if trans_a and isinstance(n, int) and n <= LANES and host.blas is not None:
        return False
    return not trans_b or not isinstance(m, int) or m >= min_packed_rows(n) or \
        host.blas is None


def run_time_rows(host, trans_b: bool, m, n) -> int:
    """For a matmul `handles` gives this GEMM: from how many rows of C (of the band a
    chunk computes) a run calls it, the BLAS's below; 0: always."""
    if trans_b and host.blas is not None and not isinstance(m, int):
        return min_packed_rows(n)
    return 0


def scratch_floats(trans_b: bool, m, n, k) -> int:
    """The scratch floats a call for C [m, n] (or a band of it) with inner dim k needs
    (ints or Syms): none where B is never packed, else a block's panels (k_step rows
    rounded up to 16, at most NC columns in panels of NR)."""
    if not trans_b and isinstance(m, int) and m < PACK_MIN_M:
        return 0
    rows = _round_up(min(k, KC), LANES) if isinstance(k, int) else KC
    cols = _round_up(min(n, NC), NR) if isinstance(n, int) else NC
    return max(rows, LANES) * max(cols, NR)


def _round_up(x: int, d: int) -> int:
    return -(-x // d) * d


# (M, N, K, A, lda, B, ldb, C, ldc, scratch): pointers are i8*, as kernels pass them to
# the BLAS; scratch holds scratch_floats(...) floats
GEMM_TYPE = ir.FunctionType(U.VOID, [U.I64, U.I64, U.I64, U.PTR, U.I64, U.PTR, U.I64,
                                     U.PTR, U.I64, U.PTR])


def _c(v: int) -> ir.Constant:
    return ir.Constant(U.I64, v)


def _smin(b, x, y):
    return b.select(b.icmp_signed("<", x, y), x, y)


def _lanes_mask(b, lanes):
    """The i16 mask of the first `lanes` lanes, 0 <= lanes <= 16."""
    return b.trunc(b.sub(b.shl(_c(1), lanes), _c(1)), ir.IntType(LANES))


def gemm_function(module: ir.Module, trans_a: bool, trans_b: bool) -> ir.Function:
    """`void graphc_sgemm_{n,t}{n,t}(M, N, K, A, lda, B, ldb, C, ldc, scratch)` in
    `module` (emitted once per module)."""
    name = f"graphc_sgemm_{'t' if trans_a else 'n'}{'t' if trans_b else 'n'}"
    fn = module.globals.get(name)
    if fn is not None:
        return fn
    tiles = {(mr, kind): _tile_function(module, mr, kind)
             for mr in ROW_TILES for kind in ("full", "mask2", "mask1")}
    fn = ir.Function(module, GEMM_TYPE, name=name)
    fn.linkage = "internal"
    m, n, k, a, lda, bm, ldb, c, ldc, scratch = fn.args
    b = ir.IRBuilder(fn.append_basic_block("entry"))
    a_rs, a_ks = (_c(1), lda) if trans_a else (lda, _c(1))  # strides of op(A)'s rows, k
    a, bm, c, packed = (b.bitcast(p, FPTR) for p in (a, bm, c, scratch))
    pack = ir.Constant(U.I1, 1) if trans_b else b.icmp_signed(">=", m, _c(PACK_MIN_M))
    # (K = 0: one block of none, which writes C's zeros); blocks of even size (K = 784:
    # four of 196, not three of 256 and one of 16)
    k_blocks = b.select(b.icmp_signed(">", k, _c(0)), _ceil_div(b, k, KC), _c(1))
    k_step = b.sdiv(b.add(k, b.sub(k_blocks, _c(1))), k_blocks)
    # panels of k_step rows rounded up to 16 (the transposing pack writes 16 at a time)
    stride = b.mul(_ceil_div(b, k_step, LANES), _c(LANES * NR))
    with U.for_range(b, _ceil_div(b, n, NC), name="jc") as jc:
        j_c = b.mul(jc, _c(NC))
        nc = _smin(b, _c(NC), b.sub(n, j_c))
        panels = _ceil_div(b, nc, NR)
        with U.for_range(b, k_blocks, name="kb") as kb:
            k0 = b.mul(kb, k_step)
            kc = _smin(b, k_step, b.sub(k, k0))
            if trans_b:
                _pack_transposed(b, module, b.gep(bm, [b.add(b.mul(j_c, ldb), k0)],
                                                  inbounds=True), ldb, nc, kc, packed,
                                 stride)
            else:
                direct = b.gep(bm, [b.add(b.mul(k0, ldb), j_c)], inbounds=True)
                last = b.icmp_signed("==", kb, b.sub(k_blocks, _c(1)))
                ahead = b.select(last, _c(0), b.mul(k_step, ldb))
                with b.if_then(pack):
                    _pack(b, module, direct, ldb, nc, kc, packed, stride, ahead)
            add = b.icmp_signed(">", kb, _c(0))  # (later blocks add to C)
            a_k = b.gep(a, [b.mul(k0, a_ks)], inbounds=True)
            with U.for_range(b, panels, name="jb") as jb:
                j0 = b.mul(jb, _c(NR))
                rem = b.sub(nc, j0)
                panel = b.gep(packed, [b.mul(jb, stride)], inbounds=True)
                if trans_b:
                    b_at, ldb_at = panel, _c(NR)
                else:
                    b_at = b.select(pack, panel, b.gep(direct, [j0], inbounds=True))
                    ldb_at = b.select(pack, _c(NR), ldb)
                c_at = b.gep(c, [b.add(j_c, j0)], inbounds=True)
                # the last vector's lanes: rem - 16 (two vectors) or rem (one)
                two = b.icmp_signed(">", rem, _c(LANES))
                mask = _lanes_mask(b, b.select(two, b.sub(rem, _c(LANES)), rem))
                args = (m, kc, a_k, a_rs, a_ks, b_at, ldb_at, c_at, ldc, mask, add)
                with b.if_else(b.icmp_signed(">=", rem, _c(NR))) as (then, otherwise):
                    with then:
                        _rows(b, tiles, "full", *args)
                    with otherwise:
                        with b.if_else(two) as (then2, otherwise2):
                            with then2:
                                _rows(b, tiles, "mask2", *args)
                            with otherwise2:
                                _rows(b, tiles, "mask1", *args)
    b.ret_void()
    return fn


def _ceil_div(b, x, d: int):
    return b.sdiv(b.add(x, _c(d - 1)), _c(d))


def _splat(b, x, vtype):
    return b.shuffle_vector(b.insert_element(ir.Constant(vtype, ir.Undefined), x,
                                             ir.Constant(U.I32, 0)),
                            ir.Constant(vtype, ir.Undefined),
                            ir.Constant(ir.VectorType(U.I32, LANES), [0] * LANES))


def _masked_load(module):
    return U.intrinsic(module, "llvm.masked.load.v16f32.p0", VEC, [VPTR, U.I32, MASK, VEC])


def _vec_at(b, p, offset):
    return b.bitcast(b.gep(p, [offset], inbounds=True), VPTR)


def _pack(b, module, src, ldb, nc, kc, packed, stride, ahead) -> None:
    """Panel p of `packed` (from p * stride floats) [k, jj] = src[k * ldb +
    p * 32 + jj] for k < kc, p * 32 + jj < nc, zero past nc: B's block [kc, nc] as
    column panels, read a row at a time (contiguous runs of B); each row `ahead` floats
    on (the next K block's) is prefetched meanwhile."""
    mload = _masked_load(module)
    prefetch = U.intrinsic(module, "llvm.prefetch.p0", U.VOID, [U.PTR, U.I32, U.I32, U.I32])
    zero = ir.Constant(VEC, None)
    vectors = _ceil_div(b, nc, LANES)
    with U.for_range(b, kc, name="pk") as kk:
        row = b.gep(src, [b.mul(kk, ldb)], inbounds=True)
        out = b.gep(packed, [b.mul(kk, _c(NR))], inbounds=True)
        with U.for_range(b, vectors, name="pv") as v:
            j = b.mul(v, _c(LANES))
            mask = b.bitcast(_lanes_mask(b, _smin(b, _c(LANES), b.sub(nc, j))), MASK)
            x = b.call(mload, [_vec_at(b, row, j), ir.Constant(U.I32, 4), mask, zero])
            # (into L2: read, locality 2, data; [dW = x^T @ g of the convnet's dense
            # layer, 3136 x 1024 x 128: 93 GFLOP/s with it, 77-89 without])
            b.call(prefetch, [b.bitcast(b.gep(row, [b.add(j, ahead)]), U.PTR),
                              ir.Constant(U.I32, 0), ir.Constant(U.I32, 2),
                              ir.Constant(U.I32, 1)])
            # (vector v lands in panel v // 2, half v % 2)
            at = b.add(b.mul(b.sdiv(v, _c(NV)), stride), b.mul(b.srem(v, _c(NV)), _c(LANES)))
            b.store(x, _vec_at(b, out, at), align=4)


def _transpose16(b, rows: list) -> list:
    """The 16 x 16 transpose of 16 vectors: four butterfly stages, each swapping one bit
    of the row index with the same bit of the lane index (two-input shuffles)."""
    rows = list(rows)
    for bit in range(4):
        d = 1 << bit
        lo = [c if not c & d else LANES + c - d for c in range(LANES)]
        hi = [c + d if not c & d else LANES + c for c in range(LANES)]
        lo_m, hi_m = (ir.Constant(ir.VectorType(U.I32, LANES), x) for x in (lo, hi))
        out = list(rows)
        for i in range(LANES):
            if not i & d:
                out[i] = b.shuffle_vector(rows[i], rows[i + d], lo_m)
                out[i + d] = b.shuffle_vector(rows[i], rows[i + d], hi_m)
        rows = out
    return rows


def _pack_transposed(b, module, src, ldb, nc, kc, packed, stride) -> None:
    """Panel p of `packed` (from p * stride floats) [k, jj] = src[(p * 32 + jj) * ldb + k] for k < kc, p * 32 + jj
    < nc (zero past nc): B^T's block as column panels of B, by 16 x 16 transposes of
    vectors loaded along B^T's rows."""
    mload = _masked_load(module)
    zero = ir.Constant(VEC, None)
    with U.for_range(b, _ceil_div(b, nc, LANES), name="pv") as v:
        j = b.mul(v, _c(LANES))
        panel = b.gep(packed, [b.add(b.mul(b.sdiv(v, _c(NV)), stride),
                                     b.mul(b.srem(v, _c(NV)), _c(LANES)))], inbounds=True)
        valid = b.sub(nc, j)  # rows of this group inside B^T
        with U.for_range(b, _ceil_div(b, kc, LANES), name="pg") as g:
            k = b.mul(g, _c(LANES))
            kmask = _lanes_mask(b, _smin(b, _c(LANES), b.sub(kc, k)))
            rows = []
            for r in range(LANES):
                live = b.icmp_signed(">", valid, _c(r))
                mask = b.bitcast(b.select(live, kmask, ir.Constant(kmask.type, 0)), MASK)
                at = b.add(b.mul(b.add(j, _c(r)), ldb), k)
                rows.append(b.call(mload, [_vec_at(b, src, at), ir.Constant(U.I32, 4), mask,
                                           zero]))
            for t, x in enumerate(_transpose16(b, rows)):
                b.store(x, _vec_at(b, panel, b.mul(b.add(k, _c(t)), _c(NR))), align=4)


def _rows(b, tiles, kind, m, k, a, a_rs, a_ks, b_at, ldb, c_at, ldc, mask, add) -> None:
    """Every row of one column block: tiles of 8 rows, then one each of 4, 2, 1 as the
    remainder needs."""
    top = ROW_TILES[0]
    with U.for_range(b, b.sdiv(m, _c(top)), name="ib") as ib:
        _call_tile(b, tiles[top, kind], b.mul(ib, _c(top)), k, a, a_rs, a_ks, b_at, ldb,
                   c_at, ldc, mask, add)
    i = b.mul(b.sdiv(m, _c(top)), _c(top))
    for mr in ROW_TILES[1:]:
        fits = b.icmp_signed(">=", b.sub(m, i), _c(mr))
        with b.if_then(fits):
            _call_tile(b, tiles[mr, kind], i, k, a, a_rs, a_ks, b_at, ldb, c_at, ldc, mask,
                       add)
        i = b.select(fits, b.add(i, _c(mr)), i)


def _call_tile(b, tile, i, k, a, a_rs, a_ks, b_at, ldb, c_at, ldc, mask, add) -> None:
    b.call(tile, [k, b.gep(a, [b.mul(i, a_rs)], inbounds=True), a_rs, a_ks, b_at, ldb,
                  b.gep(c_at, [b.mul(i, ldc)], inbounds=True), ldc, mask, add])


def _tile_function(module, mr: int, kind: str) -> ir.Function:
    """`void tile(K, a, a_rs, a_ks, b, ldb, c, ldc, i16 mask, i1 add)`: c[r, :w] = (c[r, :w]
    when `add`) + sum over k of a[r*a_rs + k*a_ks] * b[k*ldb, :w] for r < mr, w = 32
    ("full"), 16 + the mask's lanes ("mask2") or the mask's lanes ("mask1")."""
    name = f"graphc_sgemm_tile{mr}_{kind}"
    if name in module.globals:  # (shared by both layouts of A)
        return module.globals[name]
    ty = ir.FunctionType(U.VOID, [U.I64, FPTR, U.I64, U.I64, FPTR, U.I64, FPTR, U.I64,
                                  ir.IntType(LANES), U.I1])
    fn = ir.Function(module, ty, name=name)
    fn.linkage = "internal"
    k, a, a_rs, a_ks, bm, ldb, c, ldc, bits, add = fn.args
    for p in (a, bm, c):
        p.add_attribute("noalias")
    nv = 1 if kind == "mask1" else NV
    masked = kind != "full"
    b = ir.IRBuilder(fn.append_basic_block("entry"))
    mask = b.bitcast(bits, MASK)
    fma = U.intrinsic(module, "llvm.fma.v16f32", VEC, [VEC, VEC, VEC])
    mload = _masked_load(module)
    mstore = U.intrinsic(module, "llvm.masked.store.v16f32.p0", U.VOID,
                         [VEC, VPTR, U.I32, MASK])
    zero = ir.Constant(VEC, None)
    rows = [b.gep(a, [b.mul(_c(r), a_rs)], inbounds=True) for r in range(mr)]
    c_vecs = []
    for r in range(mr):
        crow = b.gep(c, [b.mul(_c(r), ldc)], inbounds=True)
        c_vecs.append([b.bitcast(b.gep(crow, [_c(v * LANES)], inbounds=True), VPTR)
                       for v in range(nv)])
    # the accumulators start at zero, or at C (a later K block)
    start = []
    with b.if_else(add) as (then, otherwise):
        with then:
            loaded = [[b.call(mload, [p, ir.Constant(U.I32, 4), mask, zero])
                       if masked and v == nv - 1 else b.load(p, align=4)
                       for v, p in enumerate(row)] for row in c_vecs]
            from_c = b.block
        with otherwise:
            from_zero = b.block
    for row in loaded:
        start.append([])
        for x in row:
            phi = b.phi(VEC)
            phi.add_incoming(x, from_c)
            phi.add_incoming(zero, from_zero)
            start[-1].append(phi)
    pre = b.block
    loop = b.append_basic_block("k")
    body = b.append_basic_block("k.body")
    done = b.append_basic_block("k.end")
    b.branch(loop)
    b.position_at_end(loop)
    kk = b.phi(U.I64, name="kk")
    kk.add_incoming(_c(0), pre)
    acc = [[b.phi(VEC) for _ in range(nv)] for _ in range(mr)]
    for row, first in zip(acc, start):
        for p, x in zip(row, first):
            p.add_incoming(x, pre)
    b.cbranch(b.icmp_signed("<", kk, k), body, done)
    b.position_at_end(body)
    brow = b.gep(bm, [b.mul(kk, ldb)], inbounds=True)
    bv = []
    for v in range(nv):
        ptr = b.bitcast(b.gep(brow, [_c(v * LANES)], inbounds=True), VPTR)
        if masked and v == nv - 1:
            bv.append(b.call(mload, [ptr, ir.Constant(U.I32, 4), mask, zero]))
        else:
            bv.append(b.load(ptr, align=4))
    koff = b.mul(kk, a_ks)
    for r in range(mr):
        x = b.load(b.gep(rows[r], [koff], inbounds=True))
        splat = _splat(b, x, VEC)
        for v in range(nv):
            acc[r][v].add_incoming(b.call(fma, [splat, bv[v], acc[r][v]]), body)
    kk.add_incoming(b.add(kk, _c(1), flags=["nsw", "nuw"]), body)
    b.branch(loop)
    b.position_at_end(done)
    for r in range(mr):
        for v in range(nv):
            ptr = c_vecs[r][v]
            if masked and v == nv - 1:
                b.call(mstore, [acc[r][v], ptr, ir.Constant(U.I32, 4), mask])
            else:
                b.store(acc[r][v], ptr, align=4)
    b.ret_void()
    return fn
