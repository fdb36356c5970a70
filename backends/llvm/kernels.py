"""Kernel emitters: each writes one LLVM function `void k(i8** operands, i64 lo, i64 hi)`.

A kernel reads its operand pointers from the array it is given (inputs first, then
outputs), all buffers C-contiguous with the static shapes the plan fixed, and runs the
outermost loop of its nest over [lo, hi), so a caller can split that loop across
threads when `Kernel.splittable` says the iterations are independent.

Emitters: elementwise loop nests (one op, or a Fused node's whole body, broadcasting by
strides), strided copies (transpose, slices, concat pieces, broadcast_to, tile, assign),
reductions, row softmax / log-softmax, and matmul through the BLAS numpy ships.
Convolution and pooling kernels live in `conv_kernels`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from llvmlite import ir

from . import irutil as U
from .scalar_ops import SCALAR


@dataclass
class Kernel:
    name: str
    operands: list          # tensors (or buffer keys) in pointer order
    extent: int             # trip count of the outermost (splittable) loop
    work: int               # elements touched, for the threading decision
    splittable: bool = True
    can_fail: bool = False  # returns a non-zero status on bad data (bounds, division by 0)
    ops: list = field(default_factory=list)  # plan ops this kernel computes (provenance)
    threads: int = 0        # when set, exactly this many chunks (the kernel relies on it)
    blas: bool = False      # calls BLAS (single-threaded when graphc splits it)


def _new_function(module: ir.Module, name: str, n_ptrs: int):
    """The kernel `i32 name(i8** operands, lo, hi)` and its body `name_body(p0, ..., lo, hi)`;
    returns (builder in the body, pointer params, lo, hi). The body takes the pointers as
    parameters so the caller can mark the ones no other operand aliases `noalias`, which
    lets LLVM hoist loop-invariant loads and vectorise without run-time checks."""
    body_ty = ir.FunctionType(U.I32, [U.PTR] * n_ptrs + [U.I64, U.I64])
    body = ir.Function(module, body_ty, name=name + "_body")
    body.linkage = "internal"
    fn = ir.Function(module, ir.FunctionType(U.I32, [U.PTR.as_pointer(), U.I64, U.I64]),
                     name=name)
    fn.linkage = "internal"
    w = ir.IRBuilder(fn.append_basic_block("entry"))
    args, lo, hi = fn.args
    ptrs = [w.load(w.gep(args, [ir.Constant(U.I64, i)], inbounds=True))
            for i in range(n_ptrs)]
    w.ret(w.call(body, ptrs + [lo, hi]))
    b = ir.IRBuilder(body.append_basic_block("entry"))
    U.start_error_flag(b)  # the kernel returns it as its status (see irutil.return_status)
    return b, list(body.args[:n_ptrs]), body.args[n_ptrs], body.args[n_ptrs + 1]



# ---------------------------------------------------------------- shapes and strides
def contiguous_strides(shape) -> list:
    strides, acc = [], 1
    for d in reversed(shape):
        strides.append(acc)
        acc *= d
    return strides[::-1]


def broadcast_strides(in_shape, out_shape) -> list:
    """Element strides of a right-aligned broadcast operand over the output's dims."""
    in_shape = tuple(in_shape)
    pad = len(out_shape) - len(in_shape)
    full = (1,) * pad + in_shape
    cs = contiguous_strides(full)
    return [0 if full[d] == 1 and out_shape[d] != 1 else cs[d] for d in range(len(out_shape))]


def collapse(shape, stride_sets):
    """Merge adjacent dims where every operand stays linear; drop size-1 dims."""
    dims = [(n, [s[d] for s in stride_sets]) for d, n in enumerate(shape) if n != 1]
    if not dims:
        return [1], [[0] for _ in stride_sets]
    out = [dims[0]]
    for n, st in dims[1:]:
        pn, pst = out[-1]
        if all(ps == s * n for ps, s in zip(pst, st)):
            out[-1] = (pn * n, st)
        else:
            out.append((n, st))
    return [n for n, _ in out], [[st[k] for _, st in out] for k in range(len(stride_sets))]


def _loop_nest(b, shape, stride_sets, lo, hi, inner, bases=None):
    """Nested loops over `shape` (outermost over [lo, hi)); calls inner(b, linear indices)."""
    bases = bases or [ir.Constant(U.I64, 0)] * len(stride_sets)

    def level(d, offs):
        if d == len(shape):
            inner(b, offs)
            return
        start, stop = (lo, hi) if d == 0 else (None, ir.Constant(U.I64, shape[d]))
        with U.for_range(b, stop, start, name=f"d{d}") as i:
            level(d + 1, [b.add(o, b.mul(i, ir.Constant(U.I64, st[d])))
                          if st[d] else o for o, st in zip(offs, stride_sets)])
    level(0, list(bases))


# ---------------------------------------------------------------- elementwise / fused
def virtual_shape(op, index, domain) -> tuple:
    """How input `index` of `op` lines up with the op's output (broadcast semantics)."""
    shape = tuple(op.inputs[index].shape.as_tuple())
    rank = len(domain)
    if op.type == "BiasAdd" and index == 1 and op.attrs.get("data_format", "NHWC")[:2] == "NC":
        return (1, shape[0]) + (1,) * (rank - 2)
    if op.type == "Select" and index == 0 and len(shape) == 1 and rank > 1:
        return shape + (1,) * (rank - 1)
    return shape


def _accesses(members, params, domain):
    """The distinct (param, virtual shape) loads of a fused body, and their strides."""
    accesses: dict = {}  # (param index, virtual shape) -> stride set index
    pindex = {t: i for i, t in enumerate(params)}
    for op in members:
        for i, t in enumerate(op.inputs):
            if t in pindex:
                accesses.setdefault((pindex[t], virtual_shape(op, i, domain)), len(accesses))
    sets = [broadcast_strides(vs or (1,), domain) if vs else [0] * len(domain)
            for (_, vs) in accesses]
    return accesses, sets


def _eval_members(b, members, params, accesses, ptrs, offs, domain, values=None):
    """Compute the body's ops at one point; returns the last member's value (and fills
    `values`, tensor -> register, when given)."""
    values = {} if values is None else values
    pindex = {t: i for i, t in enumerate(params)}
    loaded: dict = {}
    last = None
    for op in members:
        regs = []
        for i, t in enumerate(op.inputs):
            if t in values:
                regs.append(values[t])
                continue
            key = (pindex[t], virtual_shape(op, i, domain))
            if key not in loaded:
                loaded[key] = U.load(b, ptrs[key[0]], t.dtype, offs[accesses[key]])
            regs.append(loaded[key])
        last = values[op.outputs[0]] = SCALAR[op.type](b, op, regs)
    return last


def emit_elementwise(module, name, members, params, outputs, domain, inplace=None) -> Kernel:
    """One loop nest computing `members` (ops in order) over the output shape `domain`.

    params: tensors read from memory (operands 0..p-1); outputs: member tensors written
    (operands p..). Member inputs that are params load with broadcast strides.
    inplace: {output index: param index} for outputs written over a param of the domain's
    shape (an optimizer's update of its variable); those outputs take no operand, and the
    buffer, passed once, stays `noalias` (two pointers to it would block vectorisation).
    """
    domain = tuple(domain) or (1,)
    inplace = inplace or {}
    accesses, stride_sets = _accesses(members, params, domain)
    stride_sets.append(contiguous_strides(domain))
    shape, sets = collapse(domain, stride_sets)
    b, ptrs, lo, hi = _new_function(module, name, len(params) + len(outputs) - len(inplace))
    out_ptrs, nxt = [], len(params)
    for j in range(len(outputs)):
        if j in inplace:
            out_ptrs.append(ptrs[inplace[j]])
        else:
            out_ptrs.append(ptrs[nxt])
            nxt += 1

    def inner(b, offs):
        values: dict = {}
        _eval_members(b, members, params, accesses, ptrs, offs, domain, values)
        for j, t in enumerate(outputs):
            U.store(b, out_ptrs[j], t.dtype, offs[-1], values[t])

    _loop_nest(b, shape, sets, lo, hi, inner)
    fails = U.return_status(b)
    total = 1
    for d in domain:
        total *= d
    return Kernel(name, list(params) + list(outputs), shape[0], total * (len(params) + 1),
                  splittable=not fails, can_fail=fails)


# ---------------------------------------------------------------- strided copy
def emit_copy(module, name, dtype, shape, src_strides, dst_strides, src_offset=0,
              dst_offset=0, operands=()) -> Kernel:
    """dst[dst_offset + idx.dst_strides] = src[src_offset + idx.src_strides] over `shape`
    (element units). Transpose, slices, reverse, broadcast_to, tile and concat pieces."""
    shape = tuple(shape) or (1,)
    if not src_strides:
        src_strides, dst_strides = [0], [0]
    dims, (ss, ds) = collapse(shape, [list(src_strides), list(dst_strides)])
    b, (src, dst), lo, hi = _new_function(module, name, 2)

    def inner(b, offs):
        U.store(b, dst, dtype, offs[1], U.load(b, src, dtype, offs[0]))

    _loop_nest(b, dims, [ss, ds], lo, hi, inner,
               [ir.Constant(U.I64, src_offset), ir.Constant(U.I64, dst_offset)])
    U.return_status(b)
    total = 1
    for d in shape:
        total *= d
    return Kernel(name, list(operands), dims[0], 2 * total)


# ---------------------------------------------------------------- reductions
_IDENTITY = {"Sum": 0, "Mean": 0, "Prod": 1, "Any": False, "All": True, "L2Loss": 0}


def _combine(kind, b, op, acc, x, fast):
    if kind in ("Sum", "Mean", "L2Loss"):
        return b.fadd(acc, x, flags=fast) if U.is_float(op.inputs[0].dtype) else b.add(acc, x)
    if kind == "Prod":
        return b.fmul(acc, x, flags=fast) if U.is_float(op.inputs[0].dtype) else b.mul(acc, x)
    if kind == "Any":
        return b.or_(acc, x)
    if kind == "All":
        return b.and_(acc, x)
    return SCALAR["Maximum" if kind == "Max" else "Minimum"](b, op, [acc, x])


def emit_reduce(module, name, op, kind, in_shape, axes, operands, body=None) -> Kernel:
    """out[kept] = reduce over `axes` of in; Mean divides, L2Loss squares and halves.

    With `body` = (members, params), the reduced values are computed on the fly by a
    fused elementwise chain (the last member's value) from `params`, never stored."""
    dtype = op.inputs[0].dtype
    in_shape = tuple(in_shape) or (1,)
    axes = set(axes) if in_shape != (1,) or axes else set()
    out_dims = [n for d, n in enumerate(in_shape) if d not in axes]
    out_strides_kept = contiguous_strides(out_dims)
    out_strides, k = [], 0
    for d in range(len(in_shape)):
        if d in axes:
            out_strides.append(0)
        else:
            out_strides.append(out_strides_kept[k])
            k += 1
    if body is None:
        sets = [contiguous_strides(in_shape)]
        n_params = 1
    else:
        members, params = body
        accesses, sets = _accesses(members, params, in_shape)
        n_params = len(params)
    shape, collapsed = collapse(in_shape, sets + [out_strides])
    ins, outs = collapsed[:-1], collapsed[-1]
    n_out = 1
    for n in out_dims:
        n_out *= n
    count = 1
    for d in axes:
        count *= in_shape[d]
    fast = ("reassoc", "contract") if U.is_float(dtype) else ()
    b, ptrs, lo, hi = _new_function(module, name, n_params + 1)
    dst = ptrs[-1]
    ident = _identity(op, kind, dtype)
    acc = b.alloca(U.value_type(dtype), name="acc")  # promoted to a register by mem2reg
    nan_seen = b.alloca(U.I1, name="nan")
    with U.for_range(b, n_out, name="init") as i:
        U.store(b, dst, dtype, i, ident)
    inner_reduced = outs[-1] == 0 and shape[-1] > 1

    def element(b, offs):
        if body is not None:
            return _eval_members(b, members, params, accesses, ptrs, offs, in_shape)
        x = U.load(b, ptrs[0], dtype, offs[0])
        return b.fmul(x, x) if kind == "L2Loss" else x

    if inner_reduced:
        outer_shape = shape[:-1]
        n_inner = shape[-1]
        minmax = kind in ("Max", "Min") and U.is_float(dtype)

        def inner(b, offs):
            b.store(ident, acc)
            if minmax:
                b.store(ir.Constant(U.I1, 0), nan_seen)
            with U.for_range(b, n_inner, name="r") as j:
                x = element(b, [b.add(o, b.mul(j, ir.Constant(U.I64, st[-1]))) if st[-1]
                                else o for o, st in zip(offs, ins)])
                if minmax:
                    b.store(_fast_minmax(b, kind, b.load(acc), x), acc)
                    b.store(b.or_(b.load(nan_seen), b.fcmp_unordered("uno", x, x)), nan_seen)
                else:
                    b.store(_combine(kind, b, op, b.load(acc), x, fast), acc)
            total = b.load(acc)
            if minmax:
                total = b.select(b.load(nan_seen), U.const(dtype, float("nan")), total)
            old = U.load(b, dst, dtype, offs[-1])
            U.store(b, dst, dtype, offs[-1], _combine(kind, b, op, old, total, fast))

        if outer_shape:
            _loop_nest(b, outer_shape, [st[:-1] for st in ins] + [outs[:-1]],
                       ir.Constant(U.I64, 0), ir.Constant(U.I64, outer_shape[0]), inner)
        else:
            inner(b, [ir.Constant(U.I64, 0)] * (len(ins) + 1))
    else:
        def inner(b, offs):
            old = U.load(b, dst, dtype, offs[-1])
            U.store(b, dst, dtype, offs[-1], _combine(kind, b, op, old, element(b, offs),
                                                      fast))
        _loop_nest(b, shape, ins + [outs], ir.Constant(U.I64, 0),
                   ir.Constant(U.I64, shape[0]), inner)
    if kind in ("Mean", "L2Loss"):
        with U.for_range(b, n_out, name="fin") as i:
            v = U.load(b, dst, dtype, i)
            if kind == "Mean":
                v = b.fdiv(v, U.const(dtype, count)) if count else \
                    b.fmul(v, U.const(dtype, float("nan")))
            else:
                v = b.fmul(v, U.const(dtype, 0.5))
            U.store(b, dst, dtype, i, v)
    fails = U.return_status(b)
    total = 1
    for d in in_shape:
        total *= d
    return Kernel(name, list(operands), 1, total, splittable=False, can_fail=fails)


def _fast_minmax(b, kind, acc, x):
    """maxnum/minnum flagged no-NaN, which LLVM vectorises as a reduction; callers track
    NaN on the side (an OR of `x != x`) and select NaN at the end, as numpy returns."""
    t = acc.type
    name = f"llvm.{'maxnum' if kind == 'Max' else 'minnum'}.{'f32' if t == U.F32 else 'f64'}"
    fn = U.intrinsic(b.module, name, t, [t, t])
    return b.call(fn, [acc, x], fastmath=("nnan", "nsz"))


def _identity(op, kind, dtype):
    import numpy as np
    if kind in _IDENTITY:
        return U.const(dtype, _IDENTITY[kind])
    if U.is_float(dtype):
        return U.const(dtype, -np.inf if kind == "Max" else np.inf)
    info = np.iinfo(dtype.np)
    return U.const(dtype, info.min if kind == "Max" else info.max)


# ---------------------------------------------------------------- softmax
def _row_max(b, src, dtype, base, cols, acc, nan_seen):
    """max of src[base : base+cols]: a no-NaN maxnum reduction (vectorises) with NaN
    tracked on the side, so a NaN in the row gives NaN as numpy's max does."""
    b.store(U.const(dtype, float("-inf")), acc)
    b.store(ir.Constant(U.I1, 0), nan_seen)
    with U.for_range(b, cols, name="m") as j:
        x = U.load(b, src, dtype, b.add(base, j))
        b.store(_fast_minmax(b, "Max", b.load(acc), x), acc)
        b.store(b.or_(b.load(nan_seen), b.fcmp_unordered("uno", x, x)), nan_seen)
    return b.select(b.load(nan_seen), U.const(dtype, float("nan")), b.load(acc))


def emit_softmax(module, name, op, rows, cols, operands, log: bool) -> Kernel:
    """Row softmax (or log-softmax) of a [rows, cols] buffer, as numpy computes it."""
    from . import vmath
    dtype = op.inputs[0].dtype
    b, (src, dst), lo, hi = _new_function(module, name, 2)
    acc = b.alloca(U.value_type(dtype), name="acc")
    fast = ("reassoc", "contract")
    ncols = ir.Constant(U.I64, cols)
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


def _gemm_function(module, dtype):
    ft = U.value_type(dtype)
    name = "scipy_cblas_sgemm64_" if dtype.name == "float32" else "scipy_cblas_dgemm64_"
    return U.intrinsic(module, name, U.VOID, [U.I32, U.I32, U.I32, U.I64, U.I64, U.I64, ft,
                                              U.PTR, U.I64, U.PTR, U.I64, ft, U.PTR, U.I64])


MATMUL_SPLIT_UNIT = 16  # rows (or columns) per unit when graphc splits a matmul


def emit_matmul(module, name, dtype, m, n, k, trans_a, trans_b, batch_shape, batch_strides,
                operands, threads: int = 1) -> Kernel:
    """C[b] = op(A[b]) @ op(B[b]) with one BLAS call per batch entry; `batch_strides` are
    the element strides of A, B and C over the (broadcast) batch dims.

    With `threads` > 1 graphc splits the work itself (BLAS then runs single-threaded):
    each thread computes a band of C's rows, or of its columns when C is wider than tall,
    in units of MATMUL_SPLIT_UNIT."""
    gemm = _gemm_function(module, dtype)
    b, (a_ptr, b_ptr, c_ptr), lo, hi = _new_function(module, name, 3)
    size = 4 if dtype.name == "float32" else 8
    lda = m if trans_a else k
    ldb = k if trans_b else n
    i64 = lambda v: ir.Constant(U.I64, v)  # noqa: E731
    split = None if threads <= 1 else ("n" if n > m else "m")
    extent = 1 if split is None else -(-(n if split == "n" else m) // MATMUL_SPLIT_UNIT)
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

    def call(b, offs):
        pa, pb, pc = (b.gep(p, [b.mul(b.add(o, extra), ir.Constant(U.I64, size))],
                            inbounds=True)
                      for p, o, extra in zip((a_ptr, b_ptr, c_ptr), offs, (a_off, b_off, c_off)))
        b.call(gemm, [ir.Constant(U.I32, ROW_MAJOR),
                      ir.Constant(U.I32, TRANS if trans_a else NO_TRANS),
                      ir.Constant(U.I32, TRANS if trans_b else NO_TRANS),
                      rows, cols, i64(k), U.const(dtype, 1.0), pa, i64(lda), pb, i64(ldb),
                      U.const(dtype, 0.0), pc, i64(n)])

    with b.if_then(b.icmp_signed("<", band0, band1) if split else ir.Constant(U.I1, 1)):
        if batch_shape:
            shape, sets = collapse(batch_shape, batch_strides)
            _loop_nest(b, shape, sets, ir.Constant(U.I64, 0), ir.Constant(U.I64, shape[0]),
                       call)
        else:
            call(b, [ir.Constant(U.I64, 0)] * 3)
    U.return_status(b)
    batches = 1
    for d in batch_shape:
        batches *= d
    threads = max(1, min(threads, extent))
    return Kernel(name, list(operands), extent, 2 * m * n * k * batches,
                  splittable=threads > 1, threads=threads, blas=True)


# ---------------------------------------------------------------- arg max / min
def emit_argminmax(module, name, op, outer, n, inner, operands) -> Kernel:
    """out[o, i] = index along the middle axis of the first max (min) of x[o, :, i];
    NaN counts as the extreme, as np.argmax/np.argmin."""
    x_t, out_t = op.inputs[0], op.outputs[0]
    dtype, out_dtype = x_t.dtype, out_t.dtype
    b, (src, dst), lo, hi = _new_function(module, name, 2)
    is_max = op.type == "ArgMax"
    best_p = b.alloca(U.value_type(dtype))
    idx_p = b.alloca(U.I64)
    c = lambda v: ir.Constant(U.I64, v)  # noqa: E731
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
    return Kernel(name, list(operands), outer, outer * n * inner, splittable=outer > 1)


# ---------------------------------------------------------------- cross-entropy
def emit_xent(module, name, op, rows, cols, operands, sparse: bool) -> Kernel:
    """Softmax cross-entropy per row, as graphc's numpy kernel: log_p = z - log(sum e^z)
    with z = x - max(x); loss = -sum(labels * log_p); backprop = e^log_p - labels.
    Sparse labels out of [0, cols) fail the kernel (TF1's InvalidArgumentError)."""
    from . import vmath
    logits_t, labels_t = op.inputs
    dtype = logits_t.dtype
    b, (x_p, lab_p, loss_p, grad_p), lo, hi = _new_function(module, name, 4)
    acc = b.alloca(U.value_type(dtype))
    nan_seen = b.alloca(U.I1)
    fast = ("reassoc", "contract")
    c = lambda v: ir.Constant(U.I64, v)  # noqa: E731
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
    c = lambda v: ir.Constant(U.I64, v)  # noqa: E731
    idx = U.load(b, ptr, dtype, i)
    idx = b.sext(idx, U.I64) if idx.type != U.I64 else idx
    bad = b.or_(b.icmp_signed("<", idx, c(0)), b.icmp_signed(">=", idx, c(limit)))
    U.raise_error_if(b, bad)
    return b.select(bad, c(0), idx)


def emit_gather(module, name, dtype, index_dtype, outer, limit, n_indices, inner,
                operands) -> Kernel:
    """out[o, j, :] = params[o, indices[j], :]; an index outside [0, limit) fails."""
    b, (params, indices, dst), lo, hi = _new_function(module, name, 3)
    c = lambda v: ir.Constant(U.I64, v)  # noqa: E731
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
    b, (src, table, dst), lo, hi = _new_function(module, name, 3)
    from graphc.ir import dtypes as dt
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


# ---------------------------------------------------------------- one-hot
def emit_one_hot(module, name, op, n, depth, on, off, operands) -> Kernel:
    """out[i, d] = on if indices[i] == d else off (the last axis)."""
    out_dtype = op.outputs[0].dtype
    b, (indices, dst), lo, hi = _new_function(module, name, 2)
    c = lambda v: ir.Constant(U.I64, v)  # noqa: E731
    with U.for_range(b, hi, lo, name="i") as i:
        idx = U.load(b, indices, op.inputs[0].dtype, i)
        idx = b.sext(idx, U.I64) if idx.type != U.I64 else idx
        with U.for_range(b, depth, name="d") as d:
            v = b.select(b.icmp_signed("==", idx, d), U.const(out_dtype, on),
                         U.const(out_dtype, off))
            U.store(b, dst, out_dtype, b.add(b.mul(i, c(depth)), d), v)
    U.return_status(b)
    return Kernel(name, list(operands), n, n * depth)


# ---------------------------------------------------------------- segment sum, cumsum
def emit_segment_sum(module, name, dtype, ids_dtype, lead, n_ids, rest, n_segments,
                     operands) -> Kernel:
    """out[l, s, r] = sum of data[l, i, r] over i with ids[i] == s; an id outside
    [0, n_segments) fails the kernel."""
    b, (data, ids, dst), lo, hi = _new_function(module, name, 3)
    c = lambda v: ir.Constant(U.I64, v)  # noqa: E731
    zero = U.const(dtype, 0)
    with U.for_range(b, lead * n_segments * rest, name="z") as i:
        U.store(b, dst, dtype, i, zero)
    add = b.fadd if U.is_float(dtype) else b.add
    with U.for_range(b, lead, name="l") as l_:
        with U.for_range(b, n_ids, name="i") as i:
            s = _checked_index(b, ids, ids_dtype, i, n_segments)
            src = b.mul(b.add(b.mul(l_, c(n_ids)), i), c(rest))
            out = b.mul(b.add(b.mul(l_, c(n_segments)), s), c(rest))
            with U.for_range(b, rest, name="r") as r:
                o = b.add(out, r)
                U.store(b, dst, dtype, o, add(U.load(b, dst, dtype, o),
                                              U.load(b, data, dtype, b.add(src, r))))
    U.return_status(b)
    return Kernel(name, list(operands), 1, lead * n_ids * rest, splittable=False,
                  can_fail=True)


def emit_cumsum(module, name, dtype, outer, n, inner, exclusive, reverse, operands) -> Kernel:
    """Running sums along the middle axis of [outer, n, inner] (TF1's exclusive/reverse)."""
    b, (src, dst), lo, hi = _new_function(module, name, 2)
    c = lambda v: ir.Constant(U.I64, v)  # noqa: E731
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
