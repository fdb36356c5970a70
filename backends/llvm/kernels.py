"""Stage 3 of the llvm backend, emission of the kernels that are not plain loop nests
(in the calling convention of loops.py): row softmax / log-softmax and softmax
cross-entropy (with the math library, vmath), matmul through the BLAS numpy ships,
arg max / min, gathers (by index and through a precomputed table), scatters by index
rows, one-hot, segment sums, cumulative sums and ranges. Convolution and pooling kernels live in conv_kernels.
"""
from __future__ import annotations

import contextlib

import numpy as np
from llvmlite import ir

from graphc.ir import dtypes as dt
from graphc.ir.symbolic import hint_of, is_symbolic
from . import gemm as G
from . import irutil as U
from . import vmath
from .loops import Kernel, collapse, fast_minmax, loop_nest, new_kernel
from .pool_ir import CHUNKS_PER_THREAD
from .scalar_ops import SCALAR
from .target import host


# ---------------------------------------------------------------- softmax
def _row_max(b, src, dtype, base, cols, acc, nan_seen):
    """max of src[base : base+cols]: a no-NaN maxnum reduction (vectorises) with NaN
    tracked on the side, so a NaN in the row gives NaN as numpy's max does."""
    b.store(U.const(dtype, float("-inf")), acc)
    b.store(ir.Constant(U.I1, 0), nan_seen)
    with U.for_range(b, cols, name="m") as j:
        x = U.load(b, src, dtype, b.add(base, j))
        b.store(fast_minmax(b, "Max", b.load(acc), x), acc)
        b.store(b.or_(b.load(nan_seen), b.fcmp_unordered("uno", x, x)), nan_seen)
    return b.select(b.load(nan_seen), U.const(dtype, float("nan")), b.load(acc))


def emit_softmax(module, name, op, rows, cols, operands, log: bool) -> Kernel:
    """Row softmax (or log-softmax) of a [rows, cols] buffer, as numpy computes it."""
    dtype = op.inputs[0].dtype
    b, (src, dst), lo, hi = new_kernel(module, name, 2)
    acc = b.alloca(U.value_type(dtype), name="acc")
    fast = ("reassoc", "contract")
    ncols = U.dim(b, cols)
    nan_seen = b.alloca(U.I1, name="nan")
    with U.for_range(b, hi, lo, name="row") as r:
        base = b.mul(r, ncols)
        m = _row_max(b, src, dtype, base, cols, acc, nan_seen)
        b.store(U.const(dtype, 0), acc)
        with U.for_range(b, cols, name="e") as j:
            z = b.fsub(U.load(b, src, dtype, b.add(base, j)), m)
            e = vmath.emit_exp(b, z)
            if not log:
                U.store(b, dst, dtype, b.add(base, j), e)
            b.store(b.fadd(b.load(acc), e, flags=fast), acc)
        total = b.load(acc)
        if log:
            lse = vmath.emit_log(b, total)
        else:
            inv = b.fdiv(U.const(dtype, 1), total)  # one division per row, then products
        with U.for_range(b, cols, name="n") as j:
            if log:
                z = b.fsub(U.load(b, src, dtype, b.add(base, j)), m)
                U.store(b, dst, dtype, b.add(base, j), b.fsub(z, lse))
            else:
                e = U.load(b, dst, dtype, b.add(base, j))
                U.store(b, dst, dtype, b.add(base, j), b.fmul(e, inv))
    U.return_status(b)
    return Kernel(name, list(operands), rows, 3 * rows * cols)


# ---------------------------------------------------------------- matmul (BLAS)
ROW_MAJOR, NO_TRANS, TRANS = 101, 111, 112


def gemm_function(module, dtype):
    ft = U.value_type(dtype)
    name = "scipy_cblas_sgemm64_" if dtype.name == "float32" else "scipy_cblas_dgemm64_"
    return U.intrinsic(module, name, U.VOID, [U.I32, U.I32, U.I32, U.I64, U.I64, U.I64, ft,
                                              U.PTR, U.I64, U.PTR, U.I64, ft, U.PTR, U.I64])


MATMUL_SPLIT_UNIT = 16  # rows (or columns) per unit when graphc splits a matmul
MATMUL_FLOPS_PER_ELEMENT = 16  # a BLAS core does ~16 flops in the time a loop does an element


def matmul_split(m, n, trans_b: bool, jit: bool, threads: int):
    """(None, "m" or "n": how the pool splits C, the split's extent in MATMUL_SPLIT_UNITs).
    Bands of C's rows, or of its columns when C is wider than tall (or the JIT GEMM packs
    B^T: a band of rows would pack all of it again); always the static side."""
    split = None if threads <= 1 else (
        "n" if hint_of(n) > hint_of(m) or jit and trans_b and hint_of(n) > 1 else "m")
    if split and is_symbolic(n if split == "n" else m):
        split = None if is_symbolic(m if split == "n" else n) else \
            "m" if split == "n" else "n"
    extent = 1 if split is None else -(-(n if split == "n" else m) // MATMUL_SPLIT_UNIT)
    return split, extent


def gemm_scratch_slots(extent: int) -> int:
    """The JIT GEMM's scratch panels a split matmul needs: one per chunk the pool may cut
    its extent into (at most CHUNKS_PER_THREAD per thread, and threads <= cores), chunk i
    using panel lo // ceil(extent / slots), which is i as every chunk spans at least that."""
    return max(1, min(extent, host().pool.cores * CHUNKS_PER_THREAD))


def emit_matmul(module, name, dtype, m, n, k, trans_a, trans_b, batch_shape, batch_strides,
                operands, threads: int = 1, epilogue=None, jit_rows=None) -> Kernel:
    """C[b] = op(A[b]) @ op(B[b]) with one BLAS call per batch entry, or a call of gemm.py's
    JIT GEMM: for any rows when `jit_rows` is 0, for at least `jit_rows` rows of C (a
    band's, checked at run time) else the BLAS; never when None (gemm.run_time_rows).
    `batch_strides` are the element strides of A, B and C over the (broadcast) batch dims.
    With the JIT GEMM, the operand after C is its scratch (gemm_scratch_slots times
    gemm.scratch_floats).

    With `threads` > 1 the pool splits the work (BLAS then runs single-threaded): each
    chunk computes a band of C (matmul_split). `epilogue` (a conv_kernels.Epilogue over
    C's [m, n], for a matmul without batch dims): an elementwise body (bias add,
    activation) applied to each band right after its BLAS call, while it is in cache; its
    operands follow C's (and the scratch)."""
    jit = jit_rows is not None
    blas = jit_rows != 0
    gemm = G.gemm_function(module, trans_a, trans_b) if jit else None
    sgemm = gemm_function(module, dtype) if blas else None
    extra = epilogue.extra if epilogue is not None else 0
    fixed = 4 if jit else 3
    b, ptrs, lo, hi = new_kernel(module, name, fixed + extra)
    a_ptr, b_ptr, c_ptr = ptrs[:3]
    size = 4 if dtype.name == "float32" else 8
    lda = m if trans_a else k
    ldb = k if trans_b else n
    i64 = lambda v: U.dim(b, v)  # noqa: E731 (an int or a Sym)
    split, extent = matmul_split(m, n, trans_b, jit, threads)
    band0 = b.mul(lo, i64(MATMUL_SPLIT_UNIT))
    band1 = b.mul(hi, i64(MATMUL_SPLIT_UNIT))
    limit = i64(n if split == "n" else m)
    band1 = b.select(b.icmp_signed("<", band1, limit), band1, limit)
    rows, cols = i64(m), i64(n)
    a_off = b_off = c_off = i64(0)
    if split == "m":  # rows of op(A): rows of A, or its columns when transposed
        rows = b.sub(band1, band0)
        a_off = band0 if trans_a else b.mul(band0, i64(lda))
        c_off = b.mul(band0, i64(n))
    elif split == "n":  # columns of op(B): columns of B, or its rows when transposed
        cols = b.sub(band1, band0)
        b_off = b.mul(band0, i64(ldb)) if trans_b else band0
        c_off = band0
    if jit:  # this chunk's panel (see gemm_scratch_slots)
        slot = b.sdiv(lo, i64(-(-extent // gemm_scratch_slots(extent))))
        per_call = G.scratch_floats(trans_b, m, n, k)
        scratch = b.gep(ptrs[3], [b.mul(slot, i64(per_call * 4))], inbounds=True)

    def call(b, offs):
        pa, pb, pc = (b.gep(p, [b.mul(b.add(o, extra), ir.Constant(U.I64, size))],
                            inbounds=True)
                      for p, o, extra in zip((a_ptr, b_ptr, c_ptr), offs, (a_off, b_off, c_off)))

        def by_jit():
            b.call(gemm, [rows, cols, i64(k), pa, i64(lda), pb, i64(ldb), pc, i64(n),
                          scratch])

        def by_blas():
            b.call(sgemm, [ir.Constant(U.I32, ROW_MAJOR),
                           ir.Constant(U.I32, TRANS if trans_a else NO_TRANS),
                           ir.Constant(U.I32, TRANS if trans_b else NO_TRANS),
                           rows, cols, i64(k), U.const(dtype, 1.0), pa, i64(lda), pb,
                           i64(ldb), U.const(dtype, 0.0), pc, i64(n)])
        if not blas:
            by_jit()
        elif not jit:
            by_blas()
        else:
            with b.if_else(b.icmp_signed(">=", rows, i64(jit_rows))) as (then, otherwise):
                with then:
                    by_jit()
                with otherwise:
                    by_blas()

    with b.if_then(b.icmp_signed("<", band0, band1) if split else ir.Constant(U.I1, 1)):
        if batch_shape:
            shape, sets = collapse(batch_shape, batch_strides)
            loop_nest(b, shape, sets, ir.Constant(U.I64, 0), U.dim(b, shape[0]),
                       call)
        else:
            call(b, [ir.Constant(U.I64, 0)] * 3)
        if epilogue is not None:
            rows_of = (band0, band1) if split == "m" else (i64(0), i64(m))
            cols_of = (band0, band1) if split == "n" else (None, None)
            epilogue.emit(b, c_ptr, ptrs[fixed:], *rows_of, n, dtype, *cols_of)
    U.return_status(b)
    batches = 1
    for d in batch_shape:
        batches *= d
    # any number of chunks: the pool picks it at run time (threads=0)
    return Kernel(name, list(operands), extent, _matmul_work(m, n, k) * batches,
                  splittable=threads > 1 and extent > 1, blas=blas)


def _matmul_work(m, n, k):
    """2mnk flops in elements' worth (MATMUL_FLOPS_PER_ELEMENT flops take about as long as
    an element of a loop), scaling a static dim (a symbolic one divides inexactly)."""
    dims = [m, n, k]
    for i, d in enumerate(dims):
        if not is_symbolic(d):
            dims[i] = max(1, 2 * d // MATMUL_FLOPS_PER_ELEMENT)
            return dims[0] * dims[1] * dims[2]
    return 2 * m * n * k  # (every dim symbolic: counted in flops)


# ---------------------------------------------------------------- arg max / min
def emit_argminmax(module, name, op, outer, n, inner, operands) -> Kernel:
    """out[o, i] = index along the middle axis of the first max (min) of x[o, :, i];
    NaN counts as the extreme, as np.argmax/np.argmin."""
    x_t, out_t = op.inputs[0], op.outputs[0]
    dtype, out_dtype = x_t.dtype, out_t.dtype
    b, (src, dst), lo, hi = new_kernel(module, name, 2)
    is_max = op.type == "ArgMax"
    best_p = b.alloca(U.value_type(dtype))
    idx_p = b.alloca(U.I64)
    c = lambda v: U.dim(b, v)  # noqa: E731 (an int or a Sym)
    with U.for_range(b, hi, lo, name="o") as o:
        with U.for_range(b, inner, name="i") as i:
            base = b.add(b.mul(o, c(n * inner)), i)
            b.store(U.load(b, src, dtype, base), best_p)
            b.store(c(0), idx_p)
            with U.for_range(b, n, c(1), name="k") as k:
                v = U.load(b, src, dtype, b.add(base, b.mul(k, c(inner))))
                best = b.load(best_p)
                if U.is_float(dtype):
                    better = b.fcmp_ordered(">" if is_max else "<", v, best)
                    nan_first = b.and_(b.fcmp_unordered("uno", v, v),
                                       b.fcmp_ordered("ord", best, best))
                    better = b.or_(better, nan_first)
                elif U.is_signed(dtype):
                    better = b.icmp_signed(">" if is_max else "<", v, best)
                else:
                    better = b.icmp_unsigned(">" if is_max else "<", v, best)
                b.store(b.select(better, v, best), best_p)
                b.store(b.select(better, k, b.load(idx_p)), idx_p)
            index = b.load(idx_p)
            if out_dtype.name == "int32":
                index = b.trunc(index, U.I32)
            U.store(b, dst, out_dtype, b.add(b.mul(o, c(inner)), i), index)
    U.return_status(b)
    return Kernel(name, list(operands), outer, outer * n * inner,
                  splittable=is_symbolic(outer) or outer > 1)


# ---------------------------------------------------------------- cross-entropy
def emit_xent(module, name, op, rows, cols, operands, sparse: bool) -> Kernel:
    """Softmax cross-entropy per row, as graphc's numpy kernel: log_p = z - log(sum e^z)
    with z = x - max(x); loss = -sum(labels * log_p); backprop = e^log_p - labels.
    Sparse labels out of [0, cols) fail the kernel (TF1's InvalidArgumentError)."""
    logits_t, labels_t = op.inputs
    dtype = logits_t.dtype
    b, (x_p, lab_p, loss_p, grad_p), lo, hi = new_kernel(module, name, 4)
    acc = b.alloca(U.value_type(dtype))
    nan_seen = b.alloca(U.I1)
    fast = ("reassoc", "contract")
    c = lambda v: U.dim(b, v)  # noqa: E731 (an int or a Sym)
    with U.for_range(b, hi, lo, name="row") as r:
        base = b.mul(r, c(cols))
        m = _row_max(b, x_p, dtype, base, cols, acc, nan_seen)
        b.store(U.const(dtype, 0), acc)
        with U.for_range(b, cols, name="e") as j:
            z = b.fsub(U.load(b, x_p, dtype, b.add(base, j)), m)
            b.store(b.fadd(b.load(acc), vmath.emit_exp(b, z), flags=fast), acc)
        lse = vmath.emit_log(b, b.load(acc))
        if sparse:
            label = U.load(b, lab_p, labels_t.dtype, r)
            label = b.sext(label, U.I64) if label.type != U.I64 else label
            bad = b.or_(b.icmp_signed("<", label, c(0)), b.icmp_signed(">=", label, c(cols)))
            U.raise_error_if(b, bad)
        b.store(U.const(dtype, 0), acc)
        with U.for_range(b, cols, name="l") as j:
            logp = b.fsub(b.fsub(U.load(b, x_p, dtype, b.add(base, j)), m), lse)
            if sparse:
                hot = b.icmp_signed("==", j, label)
                y = b.select(hot, U.const(dtype, 1), U.const(dtype, 0))
            else:
                y = U.load(b, lab_p, dtype, b.add(base, j))
            b.store(b.fadd(b.load(acc), b.fmul(y, logp), flags=fast), acc)
            U.store(b, grad_p, dtype, b.add(base, j), b.fsub(vmath.emit_exp(b, logp), y))
        U.store(b, loss_p, dtype, r, b.fneg(b.load(acc)))
    fails = U.return_status(b)
    return Kernel(name, list(operands), rows, 4 * rows * cols, splittable=not fails,
                  can_fail=fails)


# ---------------------------------------------------------------- gather
def _checked_index(b, ptr, dtype, i, limit: int):
    """ptr[i] as i64 when in [0, limit); otherwise 0, with the kernel's error flag set."""
    c = lambda v: U.dim(b, v)  # noqa: E731 (an int or a Sym)
    idx = U.load(b, ptr, dtype, i)
    idx = b.sext(idx, U.I64) if idx.type != U.I64 else idx
    bad = b.or_(b.icmp_signed("<", idx, c(0)), b.icmp_signed(">=", idx, c(limit)))
    U.raise_error_if(b, bad)
    return b.select(bad, c(0), idx)


def emit_gather(module, name, dtype, index_dtype, outer, limit, n_indices, inner,
                operands) -> Kernel:
    """out[o, j, :] = params[o, indices[j], :]; an index outside [0, limit) fails."""
    b, (params, indices, dst), lo, hi = new_kernel(module, name, 3)
    c = lambda v: U.dim(b, v)  # noqa: E731 (an int or a Sym)
    with U.for_range(b, hi, lo, name="o") as o:
        with U.for_range(b, n_indices, name="j") as j:
            safe = _checked_index(b, indices, index_dtype, j, limit)
            src = b.mul(b.add(b.mul(o, c(limit)), safe), c(inner))
            out = b.mul(b.add(b.mul(o, c(n_indices)), j), c(inner))
            with U.for_range(b, inner, name="k") as k:
                U.store(b, dst, dtype, b.add(out, k), U.load(b, params, dtype, b.add(src, k)))
    U.return_status(b)
    return Kernel(name, list(operands), outer, outer * n_indices * inner, splittable=False,
                  can_fail=True)


def emit_table_gather(module, name, dtype, size, operands, fill=None) -> Kernel:
    """out[i] = src[table[i]] (table entries < 0 take `fill`): any data-movement op
    whose index pattern is not a strided one (mirror padding, odd strided slices)."""
    b, (src, table, dst), lo, hi = new_kernel(module, name, 3)
    with U.for_range(b, hi, lo, name="i") as i:
        t = U.load(b, table, dt.int64, i)
        if fill is None:
            v = U.load(b, src, dtype, t)
        else:
            neg = b.icmp_signed("<", t, ir.Constant(U.I64, 0))
            v = b.select(neg, U.const(dtype, fill),
                         U.load(b, src, dtype, b.select(neg, ir.Constant(U.I64, 0), t)))
        U.store(b, dst, dtype, i, v)
    U.return_status(b)
    return Kernel(name, list(operands), size, 3 * size)


# ---------------------------------------------------------------- scatters
def _combine(b, dtype, kind: str, old, new):
    """What a scatter of `kind` leaves where `new` meets `old` (numpy's ufuncs: NaN wins
    min and max; an integer division truncates, its divisor checked non-zero before)."""
    if kind == "update":
        return new
    if U.is_float(dtype):
        if kind in ("add", "sub", "mul", "div"):
            return {"add": b.fadd, "sub": b.fsub, "mul": b.fmul, "div": b.fdiv}[kind](old, new)
        keep = b.or_(b.fcmp_ordered(">=" if kind == "max" else "<=", old, new),
                     b.fcmp_unordered("uno", old, old))
        return b.select(keep, old, new)
    if kind in ("add", "sub", "mul"):
        return {"add": b.add, "sub": b.sub, "mul": b.mul}[kind](old, new)
    if kind == "div":
        if not U.is_signed(dtype):
            return b.udiv(old, new)
        # INT_MIN / -1 traps on x86: it wraps to INT_MIN, as numpy computes it
        lowest = U.const(dtype, int(np.iinfo(dtype.np).min))
        overflow = b.and_(b.icmp_signed("==", old, lowest),
                          b.icmp_signed("==", new, U.const(dtype, -1)))
        return b.select(overflow, old, b.sdiv(old, b.select(overflow, U.const(dtype, 1), new)))
    cmp = b.icmp_signed if U.is_signed(dtype) else b.icmp_unsigned
    return b.select(cmp(">=" if kind == "max" else "<=", old, new), old, new)


def emit_scatter_nd(module, name, dtype, index_dtype, kind: str, dims, n_rows, inner,
                    operands, start_from_zero: bool) -> Kernel:
    """out = tensor (zeros for ScatterNd), then for each of the `n_rows` index rows (of
    len(dims) components indexing the leading `dims`), in order: out[row, :inner] =
    combine(out[row, :], updates[r, :]); an index outside its dim fails the kernel (the
    runtime then lets the numpy kernel name it)."""
    n_ptrs = 3 if start_from_zero else 4
    b, ptrs, lo, hi = new_kernel(module, name, n_ptrs)
    tensor, (indices, updates, dst) = (None, ptrs) if start_from_zero else (ptrs[0], ptrs[1:])
    size = inner
    for d in dims:
        size *= d
    with U.for_range(b, size, name="z") as i:
        U.store(b, dst, dtype, i, U.const(dtype, 0) if start_from_zero else
                U.load(b, tensor, dtype, i))
    depth = len(dims)
    with U.for_range(b, n_rows, name="r") as r:
        at = U.i64(0)
        for k, d in enumerate(dims):
            idx = _checked_index(b, indices, index_dtype, b.add(b.mul(r, U.i64(depth)),
                                                                U.i64(k)), d)
            at = b.add(b.mul(at, U.i64(d)), idx)
        base, src = b.mul(at, U.i64(inner)), b.mul(r, U.i64(inner))
        with U.for_range(b, inner, name="k") as k:
            o = b.add(base, k)
            U.store(b, dst, dtype, o, _combine(b, dtype, kind, U.load(b, dst, dtype, o),
                                               U.load(b, updates, dtype, b.add(src, k))))
    U.return_status(b)
    return Kernel(name, list(operands), 1, size + 2 * n_rows * inner, splittable=False,
                  can_fail=True)


def emit_variable_scatter(module, name, dtype, index_dtype, kind: str, dims, n_rows, inner,
                          scalar_updates: bool, operands) -> Kernel:
    """The variable scatters (ScatterAdd, ScatterNdUpdate, ...), in place in the variable's
    buffer: for each of the `n_rows` index rows (of len(dims) components indexing the
    leading `dims`), in order, var[row, :inner] = combine(var[row, :], updates[r, :]) (the
    one value of scalar `updates` everywhere). Every index, and every divisor of an integer
    division, is checked first: a bad one fails the kernel before anything is written, so
    the variable is as it was when the runtime lets the numpy kernel name the error."""
    b, (var, indices, updates), lo, hi = new_kernel(module, name, 3)
    depth = len(dims)

    @contextlib.contextmanager
    def index_rows(label):
        """A loop over the index rows: (row r, its flat position in the leading dims),
        each index checked."""
        with U.for_range(b, n_rows, name=label) as r:
            at = U.i64(0)
            for k, d in enumerate(dims):
                idx = _checked_index(b, indices, index_dtype,
                                     b.add(b.mul(r, U.i64(depth)), U.i64(k)), d)
                at = b.add(b.mul(at, U.i64(d)), idx)
            yield r, at

    with index_rows("check"):
        pass
    if kind == "div" and not U.is_float(dtype):
        with U.for_range(b, 1 if scalar_updates else n_rows * inner, name="divisor") as i:
            U.raise_error_if(b, b.icmp_unsigned("==", U.load(b, updates, dtype, i),
                                                U.const(dtype, 0)))
    with b.if_then(b.load(b.error_flag), likely=False):
        b.ret(ir.Constant(U.I32, 1))
    # (checked again as written: in bounds even if another run rewrote the indices since)
    with index_rows("row") as (r, at):
        base, src = b.mul(at, U.i64(inner)), b.mul(r, U.i64(inner))
        with U.for_range(b, inner, name="k") as k:
            o = b.add(base, k)
            new = U.load(b, updates, dtype, U.i64(0) if scalar_updates else b.add(src, k))
            U.store(b, var, dtype, o, _combine(b, dtype, kind, U.load(b, var, dtype, o), new))
    U.return_status(b)
    return Kernel(name, list(operands), 1, 2 * n_rows * (depth + inner), splittable=False,
                  can_fail=True)


# ---------------------------------------------------------------- one-hot
def emit_one_hot(module, name, op, n, depth, on, off, operands) -> Kernel:
    """out[i, d] = on if indices[i] == d else off (the last axis)."""
    out_dtype = op.outputs[0].dtype
    b, (indices, dst), lo, hi = new_kernel(module, name, 2)
    c = lambda v: U.dim(b, v)  # noqa: E731 (an int or a Sym)
    with U.for_range(b, hi, lo, name="i") as i:
        idx = U.load(b, indices, op.inputs[0].dtype, i)
        idx = b.sext(idx, U.I64) if idx.type != U.I64 else idx
        with U.for_range(b, depth, name="d") as d:
            v = b.select(b.icmp_signed("==", idx, d), U.const(out_dtype, on),
                         U.const(out_dtype, off))
            U.store(b, dst, out_dtype, b.add(b.mul(i, c(depth)), d), v)
    U.return_status(b)
    return Kernel(name, list(operands), n, n * depth)


# ---------------------------------------------------------------- segment reductions, cumsum
def emit_segment_reduce(module, name, op, kind, lead, n_ids, rest, n_segments,
                        operands) -> Kernel:
    """out[l, s, r] = the `kind` ("sum", "max", "min" or "prod") of data[l, i, r] over i with
    ids[i] == s, rows no id names at the kind's identity (max: the dtype's lowest value,
    min: its highest, as TF1's unsorted segment ops). An id past n_segments fails the
    kernel; a negative one fails UnsortedSegmentSum (its builder drops those first) and is
    skipped by the others, as TF1's kernels skip it. Max and min propagate NaN, as numpy's
    ufuncs do."""
    data_t, ids_t = op.inputs[0], op.inputs[1]
    dtype = data_t.dtype
    b, (data, ids, dst), lo, hi = new_kernel(module, name, 3)
    c = lambda v: U.dim(b, v)  # noqa: E731 (an int or a Sym)
    if kind == "sum":
        start = 0
    elif kind == "prod":
        start = 1
    else:
        info = np.finfo(dtype.np) if U.is_float(dtype) else np.iinfo(dtype.np)
        start = info.min if kind == "max" else info.max
    first = U.const(dtype, start)
    with U.for_range(b, lead * n_segments * rest, name="z") as i:
        U.store(b, dst, dtype, i, first)
    float_ = U.is_float(dtype)
    combine = {"sum": b.fadd if float_ else b.add, "prod": b.fmul if float_ else b.mul,
               "max": lambda x, y: SCALAR["Maximum"](b, op, [x, y]),
               "min": lambda x, y: SCALAR["Minimum"](b, op, [x, y])}[kind]

    def reduce_row(l_, i, s):
        src = b.mul(b.add(b.mul(l_, c(n_ids)), i), c(rest))
        out = b.mul(b.add(b.mul(l_, c(n_segments)), s), c(rest))
        with U.for_range(b, rest, name="r") as r:
            o = b.add(out, r)
            U.store(b, dst, dtype, o, combine(U.load(b, dst, dtype, o),
                                              U.load(b, data, dtype, b.add(src, r))))

    with U.for_range(b, lead, name="l") as l_:
        with U.for_range(b, n_ids, name="i") as i:
            if kind == "sum":
                reduce_row(l_, i, _checked_index(b, ids, ids_t.dtype, i, n_segments))
            else:
                s = U.load(b, ids, ids_t.dtype, i)
                s = b.sext(s, U.I64) if s.type != U.I64 else s
                U.raise_error_if(b, b.icmp_signed(">=", s, c(n_segments)))
                with b.if_then(b.and_(b.icmp_signed(">=", s, c(0)),
                                      b.icmp_signed("<", s, c(n_segments)))):
                    reduce_row(l_, i, s)
    U.return_status(b)
    return Kernel(name, list(operands), 1, lead * n_ids * rest, splittable=False,
                  can_fail=True)


def emit_cumsum(module, name, dtype, outer, n, inner, exclusive, reverse, operands) -> Kernel:
    """Running sums along the middle axis of [outer, n, inner] (TF1's exclusive/reverse)."""
    b, (src, dst), lo, hi = new_kernel(module, name, 2)
    c = lambda v: U.dim(b, v)  # noqa: E731 (an int or a Sym)
    acc = b.alloca(U.value_type(dtype))
    add = b.fadd if U.is_float(dtype) else b.add
    with U.for_range(b, hi, lo, name="o") as o:
        with U.for_range(b, inner, name="i") as i:
            b.store(U.const(dtype, 0), acc)
            base = b.add(b.mul(o, c(n * inner)), i)
            with U.for_range(b, n, name="k") as k:
                kk = b.sub(c(n - 1), k) if reverse else k
                at = b.add(base, b.mul(kk, c(inner)))
                x = U.load(b, src, dtype, at)
                if exclusive:
                    U.store(b, dst, dtype, at, b.load(acc))
                    b.store(add(b.load(acc), x), acc)
                else:
                    b.store(add(b.load(acc), x), acc)
                    U.store(b, dst, dtype, at, b.load(acc))
    U.return_status(b)
    return Kernel(name, list(operands), outer, 2 * outer * n * inner)


# ---------------------------------------------------------------- range
def emit_range(module, name, dtype, n, operands) -> Kernel:
    """out[i] = start + i * delta over the n elements (start and delta read at run time;
    integers wrap in their own width as numpy's int64 values cast back do, floats round
    the product and then the sum, as numpy's start + arange(n) * delta)."""
    b, (start, delta, dst), lo, hi = new_kernel(module, name, 3)
    first = U.load(b, start, dtype, ir.Constant(U.I64, 0))
    step = U.load(b, delta, dtype, ir.Constant(U.I64, 0))
    t = U.value_type(dtype)
    with U.for_range(b, hi, lo, name="i") as i:
        if U.is_float(dtype):
            v = b.fadd(first, b.fmul(b.sitofp(i, t), step))
        else:
            v = b.add(first, b.mul(i if t == U.I64 else b.trunc(i, t), step))
        U.store(b, dst, dtype, i, v)
    U.return_status(b)
    return Kernel(name, list(operands), n, n)


# ---------------------------------------------------------------- shape values
def emit_values(module, name, dtype, values, operands) -> Kernel:
    """dst[i] = values[i]: ints, or a plan's symbolic sizes read at run time (Shape and
    Size of a tensor with a symbolic dim, which folding leaves to the run)."""
    b, (dst,), lo, hi = new_kernel(module, name, 1)
    for i, v in enumerate(values):
        x = U.dim(b, v)
        U.store(b, dst, dtype, ir.Constant(U.I64, i), x if dtype.name == "int64" else
                b.trunc(x, U.I32))
    U.return_status(b)
    return Kernel(name, list(operands), 1, len(values), splittable=False)
