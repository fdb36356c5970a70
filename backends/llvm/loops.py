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
broadcast_to, tile, assign), and reductions (alone, or at the end of a fused body),
which split across the pool by kept rows, by bands of kept columns, or in blocks of
partials combined in block order (ReduceLayout).
The other kernels are in kernels.py and conv_kernels.py.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from llvmlite import ir

from graphc.ir.ops.fused_ops import input_layout
from graphc.ir.symbolic import is_symbolic, product
from . import irutil as U
from . import streaming
from .parallel import chunk_size
from .scalar_ops import SCALAR
from .threadpool import MIN_WORK


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

# How a large reduction splits across the pool (ReduceLayout.split says which way).
# Measured by kernel cycles, one thread against the pool's split, 7 rounds (AMD EPYC,
# 2 cores, load 1-1.5, 2026-12-03; `python benchmarks/pool_threshold.py --kinds
# row-sum,col-sum,mean`, and column sums of 1M float32, [1M / n, n] over axis 0): row
# sums and full means split to 0.51-0.53 of one thread from 128K elements; bands of
# columns lost up to 1024 columns (n = 64: 3.5x one thread, 256: 3.0x, 1024: 0.86-1.5x;
# each chunk reads a short piece of every row) and won at 4096 and 16384 (0.56-0.71);
# blocks of rows with partials won at 64 and 256 columns (0.55, 0.58), where one
# thread, its column loop's bounds static, also keeps the sums in registers (115K
# cycles against bands' 212K at n = 64). With the other core busy (another job's
# process: no idle time in /proc/stat) every split lost 1.0-1.6x: the pool's back-off
# is for that.
BAND = 16  # kept columns a band holds: 64 bytes of float32, so two chunks of bands never
#            write one cache line of the output (in a buffer starting on one: the arena's do)
BAND_MIN_COLS = 4096  # narrower kept inner dims do not split in bands (above)
BLOCKS = 32  # most blocks a reduction to a few outputs is cut into: 4 of the pool's chunks
#              on each of 8 threads (pool_ir.CHUNKS_PER_THREAD), 16 on each of 2
BLOCK_MIN = MIN_WORK // 2  # fewest input elements a block reduces: the smallest chunk the
#                            pool cuts a kernel into, so one block never costs a dispatch
PARTIALS_MAX = 256  # most outputs blocks keep partials of (their scratch: BLOCKS x these);
#                     more split in bands when the kept inner dim is wide (above)


@dataclass
class ReduceLayout:
    """A reduction's collapsed loop nest and how it splits (`split`):

    - "rows": the collapsed dim 0 is kept; a chunk of its rows initialises, reduces and
      finishes only its own outputs (row sums and maxima, a loss per example);
    - "blocks": dim 0 is reduced, the outputs few (at most PARTIALS_MAX, static): dim 0 is
      cut into blocks of `rows_per_block` rows, each folded into partials of its own in a
      scratch buffer, which a second kernel combines in block order (a loss's mean,
      L2Loss of a big weight, a bias gradient's sum over the batch of [batch, n <= 256]);
    - "bands": dim 0 is reduced, the outputs more, the last (kept) dim at least
      BAND_MIN_COLS wide; a chunk owns a band of whole BANDs of columns of every output
      row and reduces all the rows for it (the bias gradient of a wide layer);
    - "": one call (small, or many outputs and a narrow inner dim: neither way pays).

    Rows and bands keep every output's order of additions as in one call: the results
    are those of one thread, on any count. Blocks depend on the shape alone, never on
    the thread count or on which thread ran a block: rows_per_block is
    max(ceil(rows / BLOCKS), ceil(BLOCK_MIN / elements per row)), computed at run time
    when dim 0 is symbolic and at compile time otherwise (the same formula), so a
    result is bit-identical from run to run and on 1 or 8 threads; it differs from one
    call's only by float reassociation (a sum of blocks' sums). A reduction of one
    block (BLOCK_MIN elements or fewer) is one call's."""
    shape: list          # the input's dims, collapsed
    ins: list            # each loaded operand's element strides over them
    outs: list           # the output's (0 on a reduced dim)
    accesses: dict       # a fused body's loads (body_accesses)
    n_out: object        # outputs
    count: object        # input elements per output (Mean divides by it)
    total: object        # input elements
    split: str = ""
    rows_per_block: object = None  # (blocks) an int, or None when dim 0 is symbolic
    min_rows: int = 0    # (blocks) ceil(BLOCK_MIN / elements per row)
    blocks: int = 0      # (blocks) the blocks kernel's extent
    scratch: int = 0     # (blocks) elements of partials: blocks x n_out

    @property
    def inner_reduced(self) -> bool:
        """The innermost collapsed dim is a reduced one (a row folds into one output)."""
        return U.is_zero(self.outs[-1]) and (is_symbolic(self.shape[-1]) or
                                              self.shape[-1] > 1)

    @property
    def extent(self):
        """The trip count of the kernel's splittable loop."""
        if self.split == "rows":
            return self.shape[0]
        if self.split == "bands":
            return -(-self.shape[-1] // BAND)
        return self.blocks if self.split == "blocks" else 1


def reduce_layout(in_shape, axes, body=None) -> ReduceLayout:
    """The loop nest of a reduction of `in_shape` over `axes` (with a fused `body`, its
    operands' strides) and its split; the lowering sizes the blocks' scratch from it."""
    in_shape = tuple(in_shape) or (1,)
    axes = set(axes) if in_shape != (1,) or axes else set()
    out_dims = [n for d, n in enumerate(in_shape) if d not in axes]
    kept = iter(contiguous_strides(out_dims))
    out_strides = [0 if d in axes else next(kept) for d in range(len(in_shape))]
    if body is None:
        accesses, sets = {}, [contiguous_strides(in_shape)]
    else:
        accesses, sets = body_accesses(*body, in_shape)
    shape, collapsed = collapse(in_shape, sets + [out_strides])
    lay = ReduceLayout(shape, collapsed[:-1], collapsed[-1], accesses, product(out_dims),
                       product(in_shape[d] for d in axes), product(in_shape))
    row = product(shape[1:])
    if not U.is_zero(lay.outs[0]):
        lay.split = "rows"
    elif not is_symbolic(lay.n_out) and lay.n_out <= PARTIALS_MAX and \
            not is_symbolic(row) and row > 0:
        lay.min_rows = -(-BLOCK_MIN // row)
        if is_symbolic(shape[0]):
            lay.split, lay.blocks = "blocks", BLOCKS
        else:
            per = max(-(-shape[0] // BLOCKS), lay.min_rows)
            if shape[0] > per:
                lay.split, lay.rows_per_block = "blocks", per
                lay.blocks = -(-shape[0] // per)
        lay.scratch = lay.blocks * lay.n_out
    elif len(shape) > 1 and not U.is_zero(lay.outs[-1]) and not is_symbolic(shape[-1]) \
            and shape[-1] >= BAND_MIN_COLS:
        lay.split = "bands"
    return lay


def emit_reduce(module, name, op, kind, in_shape, axes, operands, body=None):
    """out[kept] = reduce over `axes` of in; Mean divides, L2Loss squares and halves.

    With `body` = (members, params), the reduced values are computed on the fly by a
    fused elementwise chain (the last member's value) from `params`, never stored.
    `operands`: the input (or the params), the output, and, when the layout splits in
    blocks (ReduceLayout), the partials' scratch of `reduce_layout(...).scratch`
    elements. Returns the kernel, or for blocks [the blocks' kernel, their combine]."""
    dtype = op.inputs[0].dtype
    lay = reduce_layout(in_shape, axes, body)
    shape, ins, outs = lay.shape, lay.ins, lay.outs
    members, params = body if body is not None else ((), ())
    n_params = len(params) if body is not None else 1
    fast = ("reassoc", "contract") if U.is_float(dtype) else ()
    blocks = lay.split == "blocks"
    b, ptrs, lo, hi = new_kernel(module, name, n_params + 1 + blocks)
    dst, zero = ptrs[n_params], U.i64(0)
    ident = _identity(op, kind, dtype)
    acc = b.alloca(U.value_type(dtype), name="acc")  # promoted to a register by mem2reg
    nan_seen = b.alloca(U.I1, name="nan")
    minmax = kind in ("Max", "Min") and U.is_float(dtype)

    def element(b, offs):
        if body is not None:
            return eval_members(b, members, params, lay.accesses, ptrs, offs, in_shape)
        x = U.load(b, ptrs[0], dtype, offs[0])
        return b.fmul(x, x) if kind == "L2Loss" else x

    def fill(buf, start, stop):
        with U.for_range(b, stop, start, name="init") as i:
            U.store(b, buf, dtype, i, ident)

    def finish(buf, start, stop):
        if kind in ("Mean", "L2Loss"):
            with U.for_range(b, stop, start, name="fin") as i:
                U.store(b, buf, dtype, i, _finish(b, kind, dtype, lay.count,
                                                  U.load(b, buf, dtype, i)))

    def row(buf, offs, start, stop):
        """Fold the reduced innermost dim's [start, stop) into the output at offs[-1]."""
        b.store(ident, acc)
        if minmax:
            b.store(ir.Constant(U.I1, 0), nan_seen)
        with U.for_range(b, stop, start, name="r") as j:
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
        old = U.load(b, buf, dtype, offs[-1])
        U.store(b, buf, dtype, offs[-1], _combine(kind, b, op, old, total, fast))

    def point(buf, offs):
        old = U.load(b, buf, dtype, offs[-1])
        U.store(b, buf, dtype, offs[-1], _combine(kind, b, op, old, element(b, offs), fast))

    def accumulate(buf, r0, r1, base=zero, cols=None):
        """Fold rows [r0, r1) of the collapsed dim 0 (of the kept last dim, only the
        columns [cols) when given) into buf's initialised outputs, `base` past theirs."""
        bases = [zero] * len(ins) + [base]
        if lay.inner_reduced and len(shape) == 1:
            row(buf, bases, r0, r1)
        elif lay.inner_reduced:
            loop_nest(b, shape[:-1], [st[:-1] for st in ins] + [outs[:-1]], r0, r1,
                      lambda b, offs: row(buf, offs, zero, U.dim(b, shape[-1])), bases)
        else:
            def band(b, start, stop, offs, steps):
                with U.for_range(b, cols[1], cols[0], name="col") as j:
                    point(buf, [o if U.is_zero(s) else b.add(o, b.mul(j, U.dim(b, s)))
                                for o, s in zip(offs, steps)])
            loop_nest(b, shape, ins + [outs], r0, r1, lambda b, offs: point(buf, offs),
                      bases, innermost=band if cols is not None else None)

    if lay.split == "rows":  # this chunk's rows own outputs [lo, hi) * outs[0]
        start, stop = b.mul(lo, U.dim(b, outs[0])), b.mul(hi, U.dim(b, outs[0]))
        fill(dst, start, stop)
        accumulate(dst, lo, hi)
        finish(dst, start, stop)
    elif lay.split == "bands":  # columns [lo, hi) * BAND of every output row
        n_cols = shape[-1]
        cols = (b.mul(lo, U.i64(BAND)), _smin(b, b.mul(hi, U.i64(BAND)), U.i64(n_cols)))

        def each_row(f):
            with U.for_range(b, lay.n_out // n_cols, name="orow") as r:
                at = b.mul(r, U.i64(n_cols))
                f(dst, b.add(at, cols[0]), b.add(at, cols[1]))
        each_row(fill)
        accumulate(dst, zero, U.dim(b, shape[0]), cols=cols)
        each_row(finish)
    elif blocks:  # block i's partials at scratch[i * n_out:]
        part, rows, per = ptrs[-1], U.dim(b, shape[0]), _rows_per_block(b, lay)
        with U.for_range(b, hi, lo, name="blk") as i:
            r0 = b.mul(i, per)
            with b.if_then(b.icmp_signed("<", r0, rows)):
                base = b.mul(i, U.i64(lay.n_out))
                fill(part, base, b.add(base, U.i64(lay.n_out)))
                accumulate(part, r0, _smin(b, b.add(r0, per), rows), base)
    else:
        fill(dst, zero, U.dim(b, lay.n_out))
        accumulate(dst, zero, U.dim(b, shape[0]))
        finish(dst, zero, U.dim(b, lay.n_out))
    fails = U.return_status(b)
    kernel = Kernel(name, list(operands), lay.extent, lay.total * n_params,
                    splittable=bool(lay.split) and not fails, can_fail=fails)
    if not blocks:
        return kernel
    return [kernel, _emit_combine(module, name + "_combine", op, kind, dtype, lay, fast,
                                  [operands[-1], operands[n_params]])]


def _emit_combine(module, name, op, kind, dtype, lay, fast, operands) -> Kernel:
    """out[i] = the blocks' partials of output i folded in block order, then finished
    (Mean's division, L2Loss's halving): the same order on any number of threads."""
    b, (part, dst), _, _ = new_kernel(module, name, 2)
    ident = _identity(op, kind, dtype)
    acc = b.alloca(U.value_type(dtype), name="acc")
    per = _rows_per_block(b, lay)
    used = b.sdiv(b.add(U.dim(b, lay.shape[0]), b.sub(per, U.i64(1))), per)  # (rows 0: none)
    with U.for_range(b, lay.n_out, name="out") as i:
        b.store(ident, acc)
        with U.for_range(b, used, name="blk") as blk:
            x = U.load(b, part, dtype, b.add(b.mul(blk, U.i64(lay.n_out)), i))
            b.store(_combine(kind, b, op, b.load(acc), x, fast), acc)
        U.store(b, dst, dtype, i, _finish(b, kind, dtype, lay.count, b.load(acc)))
    U.return_status(b)
    return Kernel(name, list(operands), 1, lay.scratch, splittable=False)


def _rows_per_block(b, lay):
    """Rows of dim 0 a block reduces (ReduceLayout: by the shape alone)."""
    if lay.rows_per_block is not None:
        return U.i64(lay.rows_per_block)
    per = chunk_size(b, lay.shape[0], BLOCKS)
    least = U.i64(lay.min_rows)
    return b.select(b.icmp_signed("<", per, least), least, per)


def _smin(b, x, y):
    return b.select(b.icmp_signed("<", x, y), x, y)


def _finish(b, kind, dtype, count, v):
    """A reduced value as the op returns it: Mean's divided by the count (0 / 0: NaN, as
    numpy's mean), L2Loss's halved, the others' as they are."""
    if kind == "Mean" and is_symbolic(count):
        return b.fdiv(v, b.sitofp(U.dim(b, count), U.value_type(dtype)))
    if kind == "Mean":
        return b.fdiv(v, U.const(dtype, count)) if count else \
            b.fmul(v, U.const(dtype, float("nan")))
    if kind == "L2Loss":
        return b.fmul(v, U.const(dtype, 0.5))
    return v


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
