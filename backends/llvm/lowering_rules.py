"""Stage 2 of the llvm backend, its rules: how each op type other than a convolution
lowers to native kernels. `lowering.TABLE` maps op types to these functions; each
receives the Lowering (its buffer plan and steps so far) and the op, and either appends
the op's native step (`lw.native`, with a function that emits its kernels once the plan
is complete) and returns True, or returns False for shapes and dtypes it does not
handle, and the op runs through its numpy kernel. A rule never sees a tensor whose shape
is unknown: the walk checks that first.
"""
from __future__ import annotations

import numpy as np

from graphc.ir.ops._base import const_value, const_value_as_shape, partial_value
from graphc.ir.symbolic import Sym, has_symbolic, is_symbolic, product
from . import gemm as G
from . import irutil as U
from . import kernels as K
from . import loops as L
from . import symbolic_movement as SM
from .buffers import Buffer, shape_of
from .gemm import handles as gemm_handles
from .parallel import pool_threads
from .target import host

# Pure data movement whose numpy kernel, run once on an array of element numbers,
# gives the index each output element reads: lowered to a strided copy when that
# pattern is affine, else to a gather through the precomputed table.
MOVEMENT_OPS = ("StridedSlice", "ReverseV2", "MirrorPad", "Pad", "Split", "SplitV", "Unpack")
# Movement ops whose padded positions are zeros (ir/ops/space_ops.py and image_ops.py).
ZERO_FILL_MOVEMENT_OPS = ("SpaceToBatchND", "ExtractImagePatches")
SPACE_MOVEMENT_OPS = ("SpaceToDepth", "DepthToSpace", "BatchToSpaceND") + ZERO_FILL_MOVEMENT_OPS
VIEW_OPS = ("Identity", "StopGradient", "Snapshot", "GuaranteeConst", "Reshape", "Squeeze",
            "ExpandDims", "PlaceholderWithDefault")
REDUCTIONS = ("Sum", "Mean", "Max", "Min", "Prod", "Any", "All")


def lower_elementwise(lw, op) -> bool:
    """One op's loop nest (a Fused node's whole body lowers in Lowering.lower_fused)."""
    if not lw.pointwise_ok(op):
        return False
    return lw.native(op, lambda m, n: L.emit_elementwise(
        m, n, [op], list(op.inputs), [op.outputs[0]], shape_of(op.outputs[0])),
        op.inputs, op.outputs)


def lower_view(lw, op) -> bool:
    """The output shares its input's buffer (or a snapshot of a variable written later)."""
    lw.view(op)
    return True


def lower_identity_n(lw, op) -> bool:
    """IdentityN (tf.custom_gradient's pass-through): each output shares its input."""
    lw.views(op)
    return True


def reduce_axes(op, shape) -> list:
    axis = op.attrs["axis"]
    if not shape:
        return []
    return sorted({a % len(shape) for a in (range(len(shape)) if axis is None else axis)})


def lower_reduce(lw, op) -> bool:
    x = op.inputs[0]
    if op.type == "Mean" and not U.is_float(x.dtype):
        return False
    shape = shape_of(x)
    axes = reduce_axes(op, shape)
    count = product(shape[a] for a in axes)
    if op.type in ("Max", "Min") and count == 0:
        return False
    if op.type in ("Sum", "Prod", "Mean", "Max", "Min") and x.dtype.name == "bool":
        return False
    return native_reduce(lw, op, op, op.type, shape, axes, [x], [x, op.outputs[0]])


def native_reduce(lw, op, red, kind, shape, axes, inputs, operands, body=None) -> bool:
    """`op`'s native step reducing `red`'s input (L.emit_reduce), with the arena scratch
    of its blocks' partials when its layout splits in blocks (L.ReduceLayout)."""
    size = L.reduce_layout(shape, axes, body).scratch
    scratch = [Buffer("arena", red.inputs[0].dtype, (size,))] if size else []
    return lw.native(op, lambda m, n: L.emit_reduce(m, n, red, kind, shape, axes,
                                                    list(operands) + scratch, body),
                     inputs, op.outputs, scratch=scratch)


def lower_l2loss(lw, op) -> bool:
    x = op.inputs[0]
    shape = shape_of(x)
    return native_reduce(lw, op, op, "L2Loss", shape, list(range(len(shape))), [x],
                         [x, op.outputs[0]])


def lower_sum_to_shape(lw, op) -> bool:
    g = op.inputs[0]
    shape, target = shape_of(g), shape_of(op.outputs[0])
    if not U.is_float(g.dtype) and g.dtype.name == "bool":
        return False
    pad = len(shape) - len(target)
    if pad < 0 or any(t != 1 and t != shape[pad + i] for i, t in enumerate(target)):
        return False  # g does not broadcast from the target: the numpy kernel reports it
    axes = [d for d in range(len(shape))
            if d < pad or (target[d - pad] == 1 and shape[d] != 1)]
    if not axes and shape == target:  # the gradient of an operand of the result's shape
        return lower_view(lw, op)
    return native_reduce(lw, op, _AsSum(op), "Sum", shape, axes, [g], [g, op.outputs[0]])


class _AsSum:
    """SumToShape reduces like Sum; the reduce emitter only needs inputs and type."""

    def __init__(self, op) -> None:
        self.inputs, self.outputs, self.type, self.attrs = op.inputs, op.outputs, "Sum", {}


def lower_softmax(lw, op) -> bool:
    x = op.inputs[0]
    shape = shape_of(x)
    if not U.is_float(x.dtype) or not shape or op.attrs["axis"] not in (-1, len(shape) - 1):
        return False
    cols = shape[-1]
    rows = product(shape[:-1]) if len(shape) > 1 else 1
    if cols == 0 or rows == 0:
        return False
    return lw.native(op, lambda m, n: K.emit_softmax(m, n, op, rows, cols, [x, op.outputs[0]],
                                                     op.type == "LogSoftmax"), [x], op.outputs)


def lower_matmul(lw, op) -> bool:
    a, b = op.inputs
    if a.dtype.name not in ("float32", "float64"):
        return False
    sa, sb, sc = shape_of(a), shape_of(b), shape_of(op.outputs[0])
    if op.type == "MatMul":
        ta, tb = op.attrs["transpose_a"], op.attrs["transpose_b"]
    else:
        ta, tb = op.attrs.get("adj_x", False), op.attrs.get("adj_y", False)
    m, n = sc[-2], sc[-1]
    k = sa[-2] if ta else sa[-1]
    jit = gemm_handles(host(), a.dtype, ta, tb, m, n, k)  # graphc's GEMM, else the BLAS's
    if not jit and host().blas is None:
        return False
    jit_rows = G.run_time_rows(host(), tb, m, n) if jit else None
    batch = sc[:-2]
    strides = []
    for s, mat in ((sa, sa[-2] * sa[-1]), (sb, sb[-2] * sb[-1]), (sc, m * n)):
        bs = L.broadcast_strides(s[:-2] or (1,), batch) if batch else []
        strides.append([st * mat for st in bs])
    if m == 0 or n == 0:
        return False
    # BLAS runs on one thread per pool thread (target.BlasThreads); graphc splits the
    # matmul across its pool (parallel.emit_call decides by size at run time).
    blas = jit_rows != 0
    split = (not blas or host().blas_threads.available) and pool_threads() > 1
    lw.blas_single = lw.blas_single or (blas and host().blas_threads.available)
    threads = 2 if split else 1
    scratch = []
    if jit:  # (the JIT GEMM's packed panels, one per chunk)
        _, extent = K.matmul_split(m, n, tb, jit, threads)
        floats = K.gemm_scratch_slots(extent) * G.scratch_floats(tb, m, n, k)
        scratch = [Buffer("arena", a.dtype, (max(floats, 1),))]

    out = op.outputs[0]

    def emit(mod, name):  # (conv_lowering.fold_epilogue may fold a bias add and activation)
        epi, extra = lw.epilogues.get(out, (None, []))
        return K.emit_matmul(mod, name, a.dtype, m, n, k, ta, tb, batch, strides,
                             [a, b, out] + scratch + extra, threads, epi, jit_rows)
    lw.native(op, emit, [a, b], op.outputs, scratch=scratch)
    if not batch:
        lw.conv_outputs[out] = (len(lw.steps) - 1, lw.index)
    return True


def lower_transpose(lw, op) -> bool:
    x = op.inputs[0]
    shape = shape_of(x)
    perm = op.attrs.get("perm")
    if perm is None:  # tf.transpose(x) reverses the dims
        perm = const_value(op.inputs[1]) if len(op.inputs) > 1 else range(len(shape))[::-1]
    if perm is None:
        return False
    perm = [int(p) for p in perm]
    out = shape_of(op.outputs[0])
    cs = L.contiguous_strides(shape)
    src = [cs[p] for p in perm]
    dst = L.contiguous_strides(out)
    return lw.native(op, lambda m, n: L.emit_copy(m, n, x.dtype, out, src, dst,
                                                  operands=[x, op.outputs[0]]), [x], op.outputs)


def lower_broadcast(lw, op) -> bool:
    x = op.inputs[0]
    shape, out = shape_of(x), shape_of(op.outputs[0])
    if op.type == "BroadcastTo":
        target = const_value_as_shape(op.inputs[1])
        if target.ndims is None or any(d is None for d in target.as_list()):
            # Part of the target is a run-time value: inference took those dims from the
            # input, which only the kernel's check of the value proves (a native copy to the
            # inferred shape would ignore the value). Constant and symbolic dims are bound.
            return False
        src = L.broadcast_strides(shape, out)
        return lw.native(op, lambda m, n: L.emit_copy(
            m, n, x.dtype, out, src, L.contiguous_strides(out), operands=[x, op.outputs[0]]),
            [x], op.outputs)
    if any(s == 0 for s in shape) or len(shape) != len(out):
        return False
    # out viewed as [m0, d0, m1, d1, ...]: the input repeats along every m axis.
    it, src, dst = [], [], []
    cs, co = L.contiguous_strides(shape), L.contiguous_strides(out)
    for d, (s, o) in enumerate(zip(shape, out)):
        it += [o // s, s]
        src += [0, cs[d]]
        dst += [s * co[d], co[d]]
    return lw.native(op, lambda m, n: L.emit_copy(m, n, x.dtype, it, src, dst,
                                                  operands=[x, op.outputs[0]]), [x], op.outputs)


def lower_concat(lw, op) -> bool:
    pieces = list(op.inputs)  # both take the axis as an attribute
    out_t = op.outputs[0]
    out = shape_of(out_t)
    axis = op.attrs["axis"] % len(out)
    co = L.contiguous_strides(out)
    offset, copies = 0, []
    for t in pieces:
        s = shape_of(t)
        if op.type == "Pack":
            s = s[:axis] + (1,) + s[axis:]
        copies.append((t, s, offset * co[axis]))
        offset += s[axis]

    def emit(m, n):
        fn_kernels = []
        for i, (t, s, off) in enumerate(copies):
            fn_kernels.append(L.emit_copy(m, f"{n}_{i}", t.dtype, s, L.contiguous_strides(s),
                                          co, dst_offset=off, operands=[t, out_t]))
        return fn_kernels
    return lw.native(op, emit, pieces, op.outputs)


def lower_slice(lw, op) -> bool:
    x = op.inputs[0]
    begin = const_value(op.inputs[1])
    if begin is None:
        return False
    out = shape_of(op.outputs[0])
    cs = L.contiguous_strides(shape_of(x))
    start = sum((int(b) * s for b, s in zip(begin, cs)), 0)  # (a Sym when a stride is)
    return lw.native(op, lambda m, n: L.emit_copy(m, n, x.dtype, out, cs,
                                                  L.contiguous_strides(out), src_offset=start,
                                                  operands=[x, op.outputs[0]]), [x], op.outputs)


def lower_fill(lw, op) -> bool:
    value = op.inputs[1]
    out = shape_of(op.outputs[0])
    return lw.native(op, lambda m, n: L.emit_copy(
        m, n, value.dtype, out, [0] * len(out), L.contiguous_strides(out),
        operands=[value, op.outputs[0]]), [value], op.outputs)


def lower_range(lw, op) -> bool:
    """A range whose length the plan knows (an int, or a run-time dim as
    `tf.range(tf.shape(x)[0])` has): one loop from its start and delta. A length that
    could be negative (`tf.range(1, tf.shape(x)[0])` on an empty batch) is left to numpy,
    which reports it; a length that depends on fed values leaves the shape unknown, and
    the walk runs the op through numpy before it reaches here."""
    start, _, delta = op.inputs
    (n,) = shape_of(op.outputs[0])
    if is_symbolic(n) and n.smallest() is None or op.outputs[0].dtype.name not in (
            "int32", "int64", "float32", "float64"):
        return False
    return lw.native(op, lambda m, name: K.emit_range(
        m, name, op.outputs[0].dtype, n, [start, delta, op.outputs[0]]),
        [start, delta], op.outputs)


def _around(shape, axis) -> tuple:
    """(product of dims before axis, dim at axis, product of dims after)."""
    a = axis % len(shape)
    return product(shape[:a]), shape[a], product(shape[a + 1:])


def lower_along_axis(lw, op) -> bool:
    x = op.inputs[0]
    shape = shape_of(x)
    if not shape or x.dtype.name == "bool":
        return False
    outer, n, inner = _around(shape, op.attrs["axis"])
    operands = [x, op.outputs[0]]
    if op.type == "Cumsum":
        def emit(m, name):
            return K.emit_cumsum(m, name, x.dtype, outer, n, inner, op.attrs["exclusive"],
                                 op.attrs["reverse"], operands)
    elif n == 0 or outer * inner == 0:
        return False  # argmax of nothing: numpy reports it
    else:
        def emit(m, name):
            return K.emit_argminmax(m, name, op, outer, n, inner, operands)
    return lw.native(op, emit, [x], op.outputs)


def lower_xent(lw, op) -> bool:
    logits, labels = op.inputs
    shape = shape_of(logits)
    sparse = op.type.startswith("Sparse")
    if len(shape) != 2 or not U.is_float(logits.dtype) or 0 in shape:
        return False
    if not sparse and shape_of(labels) != shape:
        return False
    rows, cols = shape
    operands = [logits, labels] + list(op.outputs)
    return lw.native(op, lambda m, n: K.emit_xent(m, n, op, rows, cols, operands, sparse),
                     [logits, labels], op.outputs)


def lower_gather(lw, op) -> bool:
    params, indices = op.inputs[:2]
    if op.attrs.get("batch_dims", 0):
        return False
    shape = shape_of(params)
    axis = op.attrs["axis"] % len(shape)
    outer, _, inner = _around(shape, axis)
    n_idx = product(shape_of(indices)) if shape_of(indices) else 1
    if outer * n_idx * inner == 0:
        return False
    return lw.native(op, lambda m, n: K.emit_gather(
        m, n, params.dtype, indices.dtype, outer, shape[axis], n_idx, inner,
        [params, indices, op.outputs[0]]), [params, indices], op.outputs)


def lower_ensure_shape(lw, op) -> bool:
    """EnsureShape whose check holds on the static shape: a view. A dim known only at
    run time, or a mismatch, runs the numpy kernel, which checks and names it."""
    want = op.attrs["shape"]
    have = shape_of(op.inputs[0])
    if want is not None and (len(want) != len(have) or any(
            w is not None and (not isinstance(h, int) or w != h) for w, h in zip(want, have))):
        return False
    lw.view(op)
    return True


def lower_movement(lw, op) -> bool:
    x = op.inputs[0]
    shape = shape_of(x)
    others = [const_value(t) for t in op.inputs[1:]]
    if any(v is None for v in others):
        return False
    if has_symbolic(shape) or any(has_symbolic(shape_of(o)) for o in op.outputs):
        return _lower_symbolic_movement(lw, op, x, shape, others)
    size = product(shape) if shape else 1
    if size >= 1 << 31:
        return False
    attrs = dict(op.attrs)
    fill = None
    numbers = np.arange(size, dtype=np.int64).reshape(shape)
    if op.type == "Pad":  # padded positions read -1: the kernel writes the constant there
        fill = np.asarray(attrs["constant_values"]).astype(x.dtype.np)[()].item()
        attrs["constant_values"] = 0
        numbers = numbers + 1
    elif op.type in ZERO_FILL_MOVEMENT_OPS:  # as Pad's, with the constant zero
        fill = np.zeros((), x.dtype.np).item()
        numbers = numbers + 1
    try:
        tables = op.opdef.compute(numbers, *others, **attrs)
    except Exception:  # noqa: BLE001 - bad static arguments: let numpy report them
        return False
    tables = tables if isinstance(tables, tuple) else (tables,)
    if fill is not None:
        tables = tuple(t - 1 for t in tables)
    kernels = []
    for out, table in zip(op.outputs, tables):
        table = np.asarray(table, np.int64)
        if table.shape != shape_of(out):
            return False
        kernels.append((out, table))

    def emit(m, n):
        made = []
        for i, (out, table) in enumerate(kernels):
            name = f"{n}_{i}"
            strides = SM.affine(table)
            if strides is not None and (fill is None or table.min(initial=0) >= 0):
                offset, src = strides
                made.append(L.emit_copy(m, name, x.dtype, table.shape, src,
                                        L.contiguous_strides(table.shape), src_offset=offset,
                                        operands=[x, out]))
            else:
                tbl = lw.buffer_plan.const_buffer(table.reshape(-1))
                made.append(K.emit_table_gather(m, name, x.dtype, table.size,
                                                [x, tbl, out], fill=fill))
        return made
    return lw.native(op, emit, [x], op.outputs)


def _lower_symbolic_movement(lw, op, x, shape, others) -> bool:
    """A movement op on a tensor with symbolic dims (symbolic_movement.py): affine copies
    found at probe sizes, or, for a constant Pad, a fill and a copy into the interior;
    else its numpy kernel (the plan stays symbolic)."""
    if op.type in ZERO_FILL_MOVEMENT_OPS or op.type == "MirrorPad":
        return False
    outs = [(t, shape_of(t)) for t in op.outputs]
    if op.type == "Pad":
        fill = np.asarray(op.attrs["constant_values"]).astype(x.dtype.np).reshape(1)
        offset, co = SM.pad_copy(op, shape)
        return _fill_and_place(lw, op, fill, x, shape, co, offset)
    copies = SM.affine_copies(op, shape, others, dict(op.attrs))
    if copies is None:
        return False

    def emit(m, n):
        return [L.emit_copy(m, f"{n}_{i}", x.dtype, out_shape, src,
                            L.contiguous_strides(out_shape), src_offset=offset,
                            operands=[x, out])
                for i, ((out, out_shape), (offset, src)) in enumerate(zip(outs, copies))]
    return lw.native(op, emit, [x], op.outputs)


def lower_slice_grad(lw, op) -> bool:
    """The adjoint of a slice is a gather from g with zeros elsewhere: run the numpy kernel
    once on g's element numbers (1-based) to learn which g element lands where. With
    symbolic dims: zeros, then g copied into the slice's positions (SM.slice_grad_copy)."""
    g = op.inputs[-1]
    gshape = shape_of(g)
    if has_symbolic(gshape) or has_symbolic(shape_of(op.outputs[0])):
        return _lower_symbolic_slice_grad(lw, op, g, gshape)
    others = [const_value(t) for t in op.inputs[:-1]]
    n = product(gshape) if gshape else 1
    if any(v is None for v in others) or has_symbolic(gshape) or n >= 1 << 31:
        return False
    try:
        table = op.opdef.compute(*others, np.arange(1, n + 1, dtype=np.int64).reshape(gshape),
                                 **op.attrs) - 1
    except Exception:  # noqa: BLE001 - bad static arguments: numpy reports them
        return False
    out = op.outputs[0]
    if table.shape != shape_of(out):
        return False
    zero = 0.0 if U.is_float(g.dtype) else 0

    def emit(m, name):
        tbl = lw.buffer_plan.const_buffer(np.asarray(table, np.int64).reshape(-1))
        return K.emit_table_gather(m, name, g.dtype, table.size, [g, tbl, out], fill=zero)
    return lw.native(op, emit, [g], op.outputs)


def _lower_symbolic_slice_grad(lw, op, g, gshape) -> bool:
    found = SM.slice_grad_copy(op, shape_of(op.outputs[0]),
                               [const_value(t) for t in op.inputs[1:-1]])
    if found is None:
        return False
    offset, dst = found
    return _fill_and_place(lw, op, np.zeros(1, g.dtype.np), g, gshape, dst, offset)


def _fill_and_place(lw, op, fill: np.ndarray, x, shape, dst, offset) -> bool:
    """op's one output filled with the value `fill`, then `x` (of `shape`) copied into
    it at `offset` + idx . `dst` (a constant Pad's interior, a slice gradient's slice)."""
    out = op.outputs[0]
    out_shape = shape_of(out)
    value = lw.buffer_plan.const_buffer(fill)
    co = L.contiguous_strides(out_shape)

    def emit(m, n):
        return [L.emit_copy(m, n + "_fill", x.dtype, out_shape, [0] * len(co), co,
                            operands=[value, out]),
                L.emit_copy(m, n, x.dtype, shape, L.contiguous_strides(shape), dst,
                            dst_offset=offset, operands=[x, out])]
    return lw.native(op, emit, [x], op.outputs)


def lower_tile_grad(lw, op) -> bool:
    """Sum g viewed as [m0, d0, m1, d1, ...] over the m axes."""
    g = op.inputs[0]
    shape, out = shape_of(g), shape_of(op.outputs[0])
    if len(shape) != len(out) or any(d == 0 for d in out) or g.dtype.name == "bool":
        return False
    view, axes = [], []
    for s, o in zip(shape, out):
        axes.append(len(view))
        view += [s // o, o]
    return native_reduce(lw, op, _AsSum(op), "Sum", view, axes, [g], [g, op.outputs[0]])


def lower_known_values(lw, op) -> bool:
    """An int vector whose every entry the plan knows, as ints and run-time dims, written
    like Shape: DynamicStitch of constant indices, which TF's reduction gradients
    (Mean_grad, Sum_grad) make of the input's shape and ones,
    stitch([range(rank), axes], [shape(x), ones]), x's shape with 1 at the reduced axes
    (partial_value in ir/ops/_base.py folds it; with a symbolic batch nothing else does)."""
    out = op.outputs[0]
    if out.dtype.name not in ("int32", "int64") or len(shape_of(out)) != 1:
        return False
    values = partial_value(out, symbolic=True)
    if values is None or values.ndim != 1 or not all(
            isinstance(v, (int, Sym)) and not isinstance(v, bool) for v in values):
        return False
    return lw.native(op, lambda m, n: K.emit_values(m, n, out.dtype, list(values), [out]),
                     [], op.outputs)


def lower_shape(lw, op) -> bool:
    """Shape/Size written by native code (they fold, unless a dim is symbolic)."""
    out = op.outputs[0]
    if out.dtype.name not in ("int32", "int64"):
        return False
    dims = shape_of(op.inputs[0])
    values = list(dims) if op.type == "Shape" else [product(dims)]
    return lw.native(op, lambda m, n: K.emit_values(m, n, out.dtype, values, [out]), [],
                     op.outputs)
