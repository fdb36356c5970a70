"""Stage 3 of the llvm backend: a JIT-compiled float32 GEMM for hosts with AVX-512, which
matmul kernels (kernels.emit_matmul) call in place of the BLAS numpy ships.

Why not always the BLAS: OpenBLAS picks its kernels by CPU at load time (DYNAMIC_ARCH),
and may pick 256-bit ones on a 512-bit machine (a CPU newer than the library, or
OPENBLAS_CORETYPE set for the whole machine: numpy's choice, which graphc leaves alone).
On such a host this kernel does the MLP's matmuls (M ~ 100, N ~ 256, K <= 784) 2-3x
faster than OpenBLAS's Haswell kernels, and within ~10% of its SkylakeX ones.

`C[M, N] = op(A) @ op(B)` (beta 0: C is only written), row-major, any leading dims:
C is covered by blocks of MR rows x NR = 2 vectors of columns, each a register tile
(MR * 2 accumulators, 16 for MR = 8) that runs the whole K loop: per k, two vector loads
of B's row and MR broadcasts of A's column, MR * 2 FMAs. Row tails take tiles of 4, 2
and 1 rows; the last column block masks its loads and stores (N need not be a multiple
of 16). op(A) = A^T is the same tile with A's strides swapped. op(B) = B^T (its rows
are strided) is first packed, a column block at a time, into a [K, 32] buffer on the
stack by gathers: so K is bounded (MAX_PACKED_K, `handles`), and M bounded below
(MIN_PACKED_M); past them the BLAS does it.

Accumulation is in k order per element (one FMA per k), as the BLAS's microkernels do:
results match numpy's float32 matmul to its rounding, not bit for bit.
"""
from __future__ import annotations

from llvmlite import ir

from graphc.ir.symbolic import hint_of
from . import irutil as U

LANES = 16                 # float32 lanes of a 512-bit register
NV = 2                     # vectors of columns per tile
NR = NV * LANES            # columns per tile
ROW_TILES = (8, 4, 2, 1)   # rows per tile: the main one, then the tails
VEC = ir.VectorType(U.F32, LANES)
MASK = ir.VectorType(U.I1, LANES)
FPTR = U.F32.as_pointer()
VPTR = VEC.as_pointer()


MAX_PACKED_K = 1024        # op(B) = B^T packs K * NR floats on the stack (128 KiB)
# ... and only for M from MIN_PACKED_M rows: the packing (~0.4 ns an element of B, by
# gathers or by scalar stores alike) is paid once per call, and the BLAS's B^T beats it
# on fewer rows (an LSTM's [16, 128] @ [40, 128]^T: 27K cycles here, 5.6K by OpenBLAS)
MIN_PACKED_M = 64


def handles(host, dtype, trans_b: bool, k, m) -> bool:
    """Whether a matmul of `dtype` (op(B) = B^T when `trans_b`; inner dim `k`, rows `m`:
    ints or Syms, a Sym judged at its hint) uses this GEMM on `host` (target.Host)."""
    if dtype.name != "float32" or "+avx512f" not in host.features.split(","):
        return False
    return not trans_b or (isinstance(k, int) and k <= MAX_PACKED_K and
                           hint_of(m) >= MIN_PACKED_M)


# (M, N, K, A, lda, B, ldb, C, ldc): pointers are i8*, as kernels pass them to the BLAS
GEMM_TYPE = ir.FunctionType(U.VOID, [U.I64, U.I64, U.I64, U.PTR, U.I64, U.PTR, U.I64,
                                     U.PTR, U.I64])


def gemm_function(module: ir.Module, trans_a: bool, trans_b: bool) -> ir.Function:
    """`void graphc_sgemm_{n,t}{n,t}(M, N, K, A, lda, B, ldb, C, ldc)` in `module` (emitted
    once per module)."""
    name = f"graphc_sgemm_{'t' if trans_a else 'n'}{'t' if trans_b else 'n'}"
    fn = module.globals.get(name)
    if fn is not None:
        return fn
    tiles = {(mr, kind): _tile_function(module, mr, kind)
             for mr in ROW_TILES for kind in ("full", "mask2", "mask1")}
    fn = ir.Function(module, GEMM_TYPE, name=name)
    fn.linkage = "internal"
    m, n, k, a, lda, bm, ldb, c, ldc = fn.args
    b = ir.IRBuilder(fn.append_basic_block("entry"))
    one = ir.Constant(U.I64, 1)
    a_rs, a_ks = (one, lda) if trans_a else (lda, one)  # strides of op(A)'s rows, k
    a, bm, c = (b.bitcast(p, FPTR) for p in (a, bm, c))
    packed = b.alloca(U.F32, size=b.mul(k, ir.Constant(U.I64, NR)), name="packed") \
        if trans_b else None
    with U.for_range(b, b.sdiv(b.add(n, ir.Constant(U.I64, NR - 1)),
                               ir.Constant(U.I64, NR)), name="jb") as jb:
        j0 = b.mul(jb, ir.Constant(U.I64, NR))
        rem = b.sub(n, j0)
        if trans_b:
            _pack(b, module, bm, ldb, j0, rem, k, packed)
            b_at, ldb_at = packed, ir.Constant(U.I64, NR)
        else:
            b_at, ldb_at = b.gep(bm, [j0], inbounds=True), ldb
        c_at = b.gep(c, [j0], inbounds=True)
        # lanes of the last vector: rem - 16 (two vectors) or rem (one), at most 16
        last = b.select(b.icmp_signed(">", rem, ir.Constant(U.I64, LANES)),
                        b.sub(rem, ir.Constant(U.I64, LANES)), rem)
        last = b.select(b.icmp_signed(">", last, ir.Constant(U.I64, LANES)),
                        ir.Constant(U.I64, LANES), last)
        mask = b.trunc(b.sub(b.shl(one, last), one), ir.IntType(LANES))
        full = b.icmp_signed(">=", rem, ir.Constant(U.I64, NR))
        two = b.icmp_signed(">", rem, ir.Constant(U.I64, LANES))
        with b.if_else(full) as (then, otherwise):
            with then:
                _rows(b, tiles, "full", m, k, a, a_rs, a_ks, b_at, ldb_at, c_at, ldc, mask)
            with otherwise:
                with b.if_else(two) as (then2, otherwise2):
                    with then2:
                        _rows(b, tiles, "mask2", m, k, a, a_rs, a_ks, b_at, ldb_at,
                              c_at, ldc, mask)
                    with otherwise2:
                        _rows(b, tiles, "mask1", m, k, a, a_rs, a_ks, b_at, ldb_at,
                              c_at, ldc, mask)
    b.ret_void()
    return fn


def _splat(b, x, vtype):
    return b.shuffle_vector(b.insert_element(ir.Constant(vtype, ir.Undefined), x,
                                             ir.Constant(U.I32, 0)),
                            ir.Constant(vtype, ir.Undefined),
                            ir.Constant(ir.VectorType(U.I32, LANES), [0] * LANES))


def _pack(b, module, bm, ldb, j0, rem, k, packed) -> None:
    """packed[k, jj] = B[j0 + jj, k] for jj < min(rem, 32): B^T's column block as the
    tile reads B (rows of 32), by two masked gathers per k (lanes past `rem` untouched)."""
    vi64 = ir.VectorType(U.I64, LANES)
    pvec = ir.VectorType(FPTR, LANES)
    gather = U.intrinsic(module, "llvm.masked.gather.v16f32.v16p0", VEC,
                         [pvec, U.I32, MASK, VEC])
    iota = ir.Constant(vi64, list(range(LANES)))
    base = b.ptrtoint(bm, U.I64)
    rows, masks = [], []
    for v in range(NV):
        first = b.add(j0, ir.Constant(U.I64, v * LANES))
        rows.append(b.add(_splat(b, base, vi64), b.mul(
            b.add(_splat(b, first, vi64), iota), _splat(b, b.mul(ldb, ir.Constant(
                U.I64, 4)), vi64))))
        masks.append(b.icmp_signed("<", b.add(_splat(b, first, vi64), iota),
                                   _splat(b, b.add(j0, rem), vi64)))
    with U.for_range(b, k, name="pk") as kk:
        step = _splat(b, b.mul(kk, ir.Constant(U.I64, 4)), vi64)
        out = b.gep(packed, [b.mul(kk, ir.Constant(U.I64, NR))], inbounds=True)
        for v in range(NV):
            x = b.call(gather, [b.inttoptr(b.add(rows[v], step), pvec),
                                ir.Constant(U.I32, 4), masks[v], ir.Constant(VEC, None)])
            b.store(x, b.bitcast(b.gep(out, [ir.Constant(U.I64, v * LANES)],
                                       inbounds=True), VPTR), align=4)


def _rows(b, tiles, kind, m, k, a, a_rs, a_ks, b_at, ldb, c_at, ldc, mask) -> None:
    """Every row of one column block: tiles of 8 rows, then one each of 4, 2, 1 as the
    remainder needs."""
    top = ROW_TILES[0]
    i_p = b.alloca(U.I64, name="i")
    b.store(ir.Constant(U.I64, 0), i_p)
    n_main = b.mul(b.sdiv(m, ir.Constant(U.I64, top)), ir.Constant(U.I64, top))
    with U.for_range(b, b.sdiv(m, ir.Constant(U.I64, top)), name="ib") as ib:
        i = b.mul(ib, ir.Constant(U.I64, top))
        _call_tile(b, tiles[top, kind], i, k, a, a_rs, b_at, ldb, c_at, ldc, mask, a_ks)
    b.store(n_main, i_p)
    for mr in ROW_TILES[1:]:
        i = b.load(i_p)
        with b.if_then(b.icmp_signed(">=", b.sub(m, i), ir.Constant(U.I64, mr))):
            _call_tile(b, tiles[mr, kind], i, k, a, a_rs, b_at, ldb, c_at, ldc, mask, a_ks)
            b.store(b.add(i, ir.Constant(U.I64, mr)), i_p)


def _call_tile(b, tile, i, k, a, a_rs, b_at, ldb, c_at, ldc, mask, a_ks) -> None:
    b.call(tile, [k, b.gep(a, [b.mul(i, a_rs)], inbounds=True), a_rs, a_ks, b_at, ldb,
                  b.gep(c_at, [b.mul(i, ldc)], inbounds=True), ldc, mask])


def _tile_function(module, mr: int, kind: str) -> ir.Function:
    """`void tile(K, a, a_rs, a_ks, b, ldb, c, ldc, i16 mask)`: c[r, :w] = sum over k of
    a[r*a_rs + k*a_ks] * b[k*ldb, :w] for r < mr, w = 32 ("full"), 16 + the mask's lanes
    ("mask2") or the mask's lanes ("mask1")."""
    name = f"graphc_sgemm_tile{mr}_{kind}"
    if name in module.globals:  # (shared by both layouts of A)
        return module.globals[name]
    ty = ir.FunctionType(U.VOID, [U.I64, FPTR, U.I64, U.I64, FPTR, U.I64, FPTR, U.I64,
                                  ir.IntType(LANES)])
    fn = ir.Function(module, ty, name=name)
    fn.linkage = "internal"
    k, a, a_rs, a_ks, bm, ldb, c, ldc, bits = fn.args
    for p in (a, bm, c):
        p.add_attribute("noalias")
    nv = 1 if kind == "mask1" else NV
    masked = kind != "full"
    b = ir.IRBuilder(fn.append_basic_block("entry"))
    mask = b.bitcast(bits, MASK)
    fma = U.intrinsic(module, "llvm.fma.v16f32", VEC, [VEC, VEC, VEC])
    mload = U.intrinsic(module, "llvm.masked.load.v16f32.p0", VEC,
                        [VPTR, U.I32, MASK, VEC])
    mstore = U.intrinsic(module, "llvm.masked.store.v16f32.p0", U.VOID,
                         [VEC, VPTR, U.I32, MASK])
    zero = ir.Constant(VEC, None)
    rows = [b.gep(a, [b.mul(ir.Constant(U.I64, r), a_rs)], inbounds=True)
            for r in range(mr)]
    pre = b.block
    loop = b.append_basic_block("k")
    body = b.append_basic_block("k.body")
    done = b.append_basic_block("k.end")
    b.branch(loop)
    b.position_at_end(loop)
    kk = b.phi(U.I64, name="kk")
    kk.add_incoming(ir.Constant(U.I64, 0), pre)
    acc = [[b.phi(VEC) for _ in range(nv)] for _ in range(mr)]
    for row in acc:
        for p in row:
            p.add_incoming(zero, pre)
    b.cbranch(b.icmp_signed("<", kk, k), body, done)
    b.position_at_end(body)
    brow = b.gep(bm, [b.mul(kk, ldb)], inbounds=True)
    bv = []
    for v in range(nv):
        ptr = b.bitcast(b.gep(brow, [ir.Constant(U.I64, v * LANES)], inbounds=True), VPTR)
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
    kk.add_incoming(b.add(kk, ir.Constant(U.I64, 1), flags=["nsw", "nuw"]), body)
    b.branch(loop)
    b.position_at_end(done)
    for r in range(mr):
        crow = b.gep(c, [b.mul(ir.Constant(U.I64, r), ldc)], inbounds=True)
        for v in range(nv):
            ptr = b.bitcast(b.gep(crow, [ir.Constant(U.I64, v * LANES)], inbounds=True),
                            VPTR)
            if masked and v == nv - 1:
                b.call(mstore, [acc[r][v], ptr, ir.Constant(U.I32, 4), mask])
            else:
                b.store(acc[r][v], ptr, align=4)
    b.ret_void()
    return fn
