"""Stage 3 of the llvm backend, emission of loop nests: each emitter receives a step's
static shapes and dtypes and writes one LLVM function `i32 k(i8** operands, i64 lo,
i64 hi)` (a `Kernel`), handed on to segments.py, which calls it.

A kernel reads its operand pointers from the array it is given (inputs first, then
outputs), all buffers C-contiguous with the static shapes the plan fixed, and runs the
outermost loop of its nest over [lo, hi), so a caller can split that loop across
threads when `Kernel.splittable` says the iterations are independent. It returns its
error flag (irutil) as its status.

This module holds the loop nests every other emitter builds on: elementwise loops (one
op, or a Fused node's whole body, broadcasting by strides, each point computed by the
scalar emitters of scalar_ops), strided copies (transpose, slices, concat pieces,
broadcast_to, tile, assign), and reductions (alone, or at the end of a fused body).
The other kernels are in kernels.py and conv_kernels.py.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from llvmlite import ir

from graphc.ir.ops.fused_ops import input_layout
from graphc.ir.symbolic import is_symbolic
from . import irutil as U
from . import streaming
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


def new_kernel(module: ir.Module, name: str, n_ptrs: int):
    """The kernel `i32 name(i8** operands, lo, hi)` and its body `name_body(p0, ..., lo, hi)`;
    returns (builder in the body, pointer params, lo, hi). The body takes the pointers as
    parameters so the caller can mark the ones no other operand aliases `noalias`, which
    lets LLVM hoist loop-invariant loads and vectorise without run-time checks."""
    symbols = getattr(module, "graphc_symbols", None)  # (segments.py: a symbolic plan)
    n_args = n_ptrs + (1 if symbols else 0)  # its kernels get the run's dims last
    body_ty = ir.FunctionType(U.I32, [U.PTR] * n_args + [U.I64, U.I64])
    body = ir.Function(module, body_ty, name=name + "_body")
    body.linkage = "internal"
    fn = ir.Function(module, ir.FunctionType(U.I32, [U.PTR.as_pointer(), U.I64, U.I64]),
                     name=name)
    fn.linkage = "internal"
    w = ir.IRBuilder(fn.append_basic_block("entry"))
    args, lo, hi = fn.args
    ptrs = [w.load(w.gep(args, [ir.Constant(U.I64, i)], inbounds=True))
            for i in range(n_args)]
    w.ret(w.call(body, ptrs + [lo, hi]))
    b = ir.IRBuilder(body.append_basic_block("entry"))
    U.start_error_flag(b)  # the kernel returns it as its status (see irutil.return_status)
    if symbols:
        body.args[n_ptrs].add_attribute("noalias")
        U.use_dims(b, body.args[n_ptrs], symbols)
    return b, list(body.args[:n_ptrs]), body.args[n_args], body.args[n_args + 1]



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


def loop_nest(b, shape, stride_sets, lo, hi, inner, bases=None, innermost=None):
    """Nested loops over `shape` (outermost over [lo, hi)); calls inner(b, linear indices).
    With `innermost`, the innermost loop is its own: innermost(b, start, stop, offsets,
    steps) runs it over [start, stop), the point i at offsets + i * steps."""
    bases = bases or [ir.Constant(U.I64, 0)] * len(stride_sets)

    def level(d, offs):
        if d == len(shape):
            inner(b, offs)
            return
        start, stop = (lo, hi) if d == 0 else (None, U.dim(b, shape[d]))
        if innermost is not None and d == len(shape) - 1:
            innermost(b, start or ir.Constant(U.I64, 0), stop, offs,
                      [st[d] for st in stride_sets])
            return
        with U.for_range(b, stop, start, name=f"d{d}") as i:
            level(d + 1, [b.add(o, b.mul(i, U.dim(b, st[d])))
                          if not U.is_zero(st[d]) else o for o, st in zip(offs, stride_sets)])
    level(0, list(bases))


# ---------------------------------------------------------------- elementwise / fused
def body_accesses(members, params, domain):
    """The distinct (param, virtual shape) loads of a fused body, and their strides."""
    accesses: dict = {}  # (param index, virtual shape) -> stride set index
    pindex = {t: i for i, t in enumerate(params)}
    for op in members:
        for i, t in enumerate(op.inputs):
            if t in pindex:
                accesses.setdefault((pindex[t], input_layout(op, i, len(domain))), len(accesses))
    sets = [broadcast_strides(vs or (1,), domain) if vs else [0] * len(domain)
            for (_, vs) in accesses]
    return accesses, sets


def eval_members(b, members, params, accesses, ptrs, offs, domain, values=None):
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
            key = (pindex[t], input_layout(op, i, len(domain)))
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
    accesses, stride_sets = body_accesses(members, params, domain)
    stride_sets.append(contiguous_strides(domain))
    shape, sets = collapse(domain, stride_sets)
    b, ptrs, lo, hi = new_kernel(module, name, len(params) + len(outputs) - len(inplace))
    out_ptrs, nxt = [], len(params)
    for j in range(len(outputs)):
        if j in inplace:
            out_ptrs.append(ptrs[inplace[j]])
        else:
            out_ptrs.append(ptrs[nxt])
            nxt += 1

    def compute(b, offs):
        values: dict = {}
        eval_members(b, members, params, accesses, ptrs, offs, domain, values)
        return values

    def inner(b, offs):
        values = compute(b, offs)
        for j, t in enumerate(outputs):
            U.store(b, out_ptrs[j], t.dtype, offs[-1], values[t])

    total = 1
    for d in domain:
        total *= d
    out_bytes = total * sum(streaming.itemsize(t.dtype) for t in outputs)
    if outputs and streaming.may_stream(out_bytes):
        big = b.icmp_signed(">=", U.dim(b, out_bytes), U.i64(streaming.STREAM_MIN_BYTES))
        rows = streaming.TiledRows(b, compute, [(t, out_ptrs[j], t.dtype)
                                                for j, t in enumerate(outputs)], big)
        loop_nest(b, shape, sets, lo, hi, inner, innermost=rows)
        streaming.finish(b, big)
    else:
        loop_nest(b, shape, sets, lo, hi, inner)
    fails = U.return_status(b)
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
    b, (src, dst), lo, hi = new_kernel(module, name, 2)

    def inner(b, offs):
        U.store(b, dst, dtype, offs[1], U.load(b, src, dtype, offs[0]))

    loop_nest(b, dims, [ss, ds], lo, hi, inner,
               [U.dim(b, src_offset), U.dim(b, dst_offset)])
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
        accesses, sets = body_accesses(members, params, in_shape)
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
    b, ptrs, lo, hi = new_kernel(module, name, n_params + 1)
    dst = ptrs[-1]
    ident = _identity(op, kind, dtype)
    acc = b.alloca(U.value_type(dtype), name="acc")  # promoted to a register by mem2reg
    nan_seen = b.alloca(U.I1, name="nan")
    with U.for_range(b, n_out, name="init") as i:
        U.store(b, dst, dtype, i, ident)
    inner_reduced = outs[-1] == 0 and (is_symbolic(shape[-1]) or shape[-1] > 1)

    def element(b, offs):
        if body is not None:
            return eval_members(b, members, params, accesses, ptrs, offs, in_shape)
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
                x = element(b, [b.add(o, b.mul(j, U.dim(b, st[-1])))
                                if not U.is_zero(st[-1]) else o for o, st in zip(offs, ins)])
                if minmax:
                    b.store(fast_minmax(b, kind, b.load(acc), x), acc)
                    b.store(b.or_(b.load(nan_seen), b.fcmp_unordered("uno", x, x)), nan_seen)
                else:
                    b.store(_combine(kind, b, op, b.load(acc), x, fast), acc)
            total = b.load(acc)
            if minmax:
                total = b.select(b.load(nan_seen), U.const(dtype, float("nan")), total)
            old = U.load(b, dst, dtype, offs[-1])
            U.store(b, dst, dtype, offs[-1], _combine(kind, b, op, old, total, fast))

        if outer_shape:
            loop_nest(b, outer_shape, [st[:-1] for st in ins] + [outs[:-1]],
                       ir.Constant(U.I64, 0), U.dim(b, outer_shape[0]), inner)
        else:
            inner(b, [ir.Constant(U.I64, 0)] * (len(ins) + 1))
    else:
        def inner(b, offs):
            old = U.load(b, dst, dtype, offs[-1])
            U.store(b, dst, dtype, offs[-1], _combine(kind, b, op, old, element(b, offs),
                                                      fast))
        loop_nest(b, shape, ins + [outs], ir.Constant(U.I64, 0), U.dim(b, shape[0]), inner)
    if kind in ("Mean", "L2Loss"):
        with U.for_range(b, n_out, name="fin") as i:
            v = U.load(b, dst, dtype, i)
            if kind == "Mean" and is_symbolic(count):  # (0 / 0: NaN, as numpy's mean)
                v = b.fdiv(v, b.sitofp(U.dim(b, count), U.value_type(dtype)))
            elif kind == "Mean":
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


def fast_minmax(b, kind, acc, x):
    """maxnum/minnum flagged no-NaN, which LLVM vectorises as a reduction; callers track
    NaN on the side (an OR of `x != x`) and select NaN at the end, as numpy returns."""
    t = acc.type
    name = f"llvm.{'maxnum' if kind == 'Max' else 'minnum'}.{'f32' if t == U.F32 else 'f64'}"
    fn = U.intrinsic(b.module, name, t, [t, t])
    return b.call(fn, [acc, x], fastmath=("nnan", "nsz"))


def _identity(op, kind, dtype):
    if kind in _IDENTITY:
        return U.const(dtype, _IDENTITY[kind])
    if U.is_float(dtype):
        return U.const(dtype, -np.inf if kind == "Max" else np.inf)
    info = np.iinfo(dtype.np)
    return U.const(dtype, info.min if kind == "Max" else info.max)
