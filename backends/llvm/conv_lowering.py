"""Stage 2 of the llvm backend, its convolution rules: Conv2D and its two gradients,
depthwise convolutions and their gradients, and pooling, lowered to the kernels of
direct_conv_kernels (register-blocked direct loops for few input channels, and with
AVX-512 for filters whose blocks stay in L2), winograd_kernels (with AVX-512, stride-1 5x5
windows of 16 or more channels), conv_kernels (else im2col blocks around BLAS calls) and
pool_kernels;
and `fold_epilogue`, which folds the fused bias add and activation after a forward
convolution into its kernel. Like lowering_rules, each rule receives the Lowering and the
op and appends the op's native step (True) or leaves the op to its numpy kernel (False);
the sizes of per-thread scratch buffers are decided here (parallel.planned_threads).
"""
from __future__ import annotations

import numpy as np

from graphc.ir.ops.conv_geometry import Geometry, spatial
from graphc.ir.ops.fused_conv_ops import explicit_pads
from graphc.ir.symbolic import hint_of, is_symbolic
from . import conv_kernels as CK
from . import depthwise_kernels as DK
from . import direct_conv_kernels as DC
from . import fused_conv_kernels as FK
from . import loops as L
from . import pool_kernels as P
from . import winograd_kernels as WK
from .buffers import Buffer, shape_of
from .parallel import planned_threads
from .target import host


def _conv_shape(op, x_shape, k_hw) -> CK.ConvShape:
    a = op.attrs
    stride = spatial(a["strides"], "strides", op.name, 2)
    dilation = spatial(a.get("dilations", [1, 1, 1, 1]), "dilations", op.name, 2)
    if a["padding"] == "EXPLICIT":  # (fused convolutions: the pads of a Pad before them)
        (top, bottom), (left, right) = explicit_pads(a)
        padded = (x_shape[1] + top + bottom, x_shape[2] + left + right)
        g = Geometry(padded, k_hw, stride, dilation, "VALID")
        return CK.ConvShape(x_shape, k_hw[0], k_hw[1], stride[0], stride[1], dilation[0],
                            dilation[1], top, left, *g.out)
    g = Geometry(x_shape[1:3], k_hw, stride, dilation, a["padding"])
    return CK.ConvShape(x_shape, k_hw[0], k_hw[1], stride[0], stride[1], dilation[0],
                        dilation[1], g.pads[0][0], g.pads[1][0], *g.out)


CONV_BLOCK_BYTES = 1048576
DIRECT_CONV_CHANNELS = 4  # input channels up to which a convolution runs as direct loops
FOLD_DEPTHWISE = True  # a pointwise convolution reads the depthwise one's rows in cache
POINTWISE_DIRECT = 4096  # filter elements (C*M) up to which a pointwise one runs as direct loops


def _wide() -> bool:
    """The host has AVX-512: 32 vector registers of 64 bytes."""
    return "+avx512f" in host().features.split(",")


def _lanes(dtype) -> int:
    """Elements per vector register on this host (its widest enabled vector unit)."""
    return (64 if _wide() else 32) // np.dtype(dtype.np).itemsize


def _accumulators() -> int:
    """Vector registers a direct kernel's block of outputs may keep (conv_kernels)."""
    return DC.ACCUMULATORS if _wide() else DC.ACCUMULATORS // 2


DIRECT_FILTER_BYTES = 1 << 19  # a direct kernel's filter block (window x 4 vectors) up to this


def _direct(g, m: int, dtype) -> bool:
    """Direct loops rather than im2col + BLAS: for a few input channels always; with
    AVX-512 (where the register-blocked loops outrun BLAS's AVX2 kernels) whenever the
    filter's block of 4 vectors of output channels stays in L2 (its rows are read once
    per block of pixels)."""
    if g.c <= DIRECT_CONV_CHANNELS:
        return True
    block = min(m, 4 * _lanes(dtype)) * np.dtype(dtype.np).itemsize
    return _wide() and g.k * block <= DIRECT_FILTER_BYTES


def _padded_input(lw, x, g, dtype) -> tuple:
    """(xp, pad): the zero-padded copy of x for geometry g (conv_kernels.emit_pad), and
    whether this step must write it (False: an earlier step's copy, which the forward
    convolution made and its filter gradient reads again: the same x, the same padding;
    the copy then lives until this step). Not for a variable's buffer, which an
    assignment may change in between."""
    key = (x, CK.padded_shape(g), g.top, g.left)
    xp = lw.padded.get(key)
    if xp is not None:
        return xp, False
    xp = Buffer("arena", dtype, CK.padded_shape(g))
    if lw.buffer_plan.buffers[x].kind != "var":
        lw.padded[key] = xp
    return xp, True


def _pad_steps(mod, n, dtype, g, x, xp, pad: bool) -> list:
    return [CK.emit_pad(mod, n + "_pad", dtype, g, [x, xp])] if pad else []


WINOGRAD = True  # stride-1 5x5 convolutions by F(2x2, 5x5) (winograd_kernels), on AVX-512
WINOGRAD_CHANNELS = 16  # input and output channels from which the transforms pay


def _winograd(g, m: int) -> bool:
    """Winograd rather than direct loops: a stride-1 undilated 5x5 window on an AVX-512
    host with enough channels that the fewer products outweigh the transforms (on the
    convnet's 14x14x32->64 layer, one thread on Zen 4: forward 2.1x, input gradient 1.8x,
    filter gradient 1.45x faster than the direct loops)."""
    return WINOGRAD and _wide() and WK.winograd_applies(g) and \
        min(g.c, m) >= WINOGRAD_CHANNELS


def _winograd_steps(lw, g, m: int, dtype, x, f, out, epilogue, flip=None):
    """(emit, scratch) of a Winograd convolution of x with f (or with the turned filter
    of `flip` = (forward geometry, its filter): an input gradient), `epilogue()` giving
    (Epilogue or None, its extra operands): the filter's transform, the input padded to
    whole tiles (_padded_input), the tiles."""
    gp = WK.winograd_padding(g)
    xp, pad = _padded_input(lw, x, gp, dtype)
    u = Buffer("arena", dtype, (WK.POSITIONS, g.c, m))
    threads = planned_threads(2 * g.rows * g.ow * g.k * m, g.n * WK.tiles(g)[0])
    work = Buffer("arena", dtype, (max(threads, 1) * WK.scratch_size(g.c, m),))
    turned = Buffer("arena", dtype, (g.kh, g.kw, g.c, m)) if flip else None

    def emit(mod, n):
        epi, extra = epilogue()
        steps = []
        if flip:
            steps.append(DC.emit_flip_filter(mod, n + "_flip", dtype, flip[0], g.c,
                                             [flip[1], turned]))
        return steps + [
            WK.emit_winograd_filter(mod, n + "_wf", dtype, g.c, m, [turned if flip else f, u])
        ] + _pad_steps(mod, n, dtype, gp, x, xp, pad) + [
            WK.emit_conv_winograd(mod, n, dtype, g, m, _lanes(dtype), threads,
                                  [xp, u, out, work] + extra, epi, _accumulators())]
    return emit, [xp, u, work] + ([turned] if flip else [])


def lower_conv(lw, op) -> bool:
    """Convolutions as direct loops (see _direct), or as im2col (or col2im) kernels around
    BLAS matmuls (see conv_kernels)."""
    if host().blas is None or op.outputs[0].dtype.name not in ("float32", "float64"):
        return False
    dtype = op.outputs[0].dtype
    if op.type == "Conv2D":
        x, f = op.inputs
        x_shape, f_shape = shape_of(x), shape_of(f)
    elif op.type == "Conv2DBackpropInput":
        _, f, dy = op.inputs
        x_shape, f_shape = shape_of(op.outputs[0]), shape_of(f)
    else:
        x, _, dy = op.inputs
        x_shape, f_shape = shape_of(x), shape_of(op.outputs[0])
    if x_shape[3] != f_shape[2]:
        return False  # the numpy kernel reports the mismatch
    g = _conv_shape(op, x_shape, f_shape[:2])
    rows, m = g.rows * g.ow, f_shape[3]
    if rows == 0 or g.k == 0 or m == 0:
        return False
    out = op.outputs[0]
    if op.type == "Conv2D":
        return _forward_conv(lw, op, g, m, [x, f], lambda: lw.epilogues.get(out, (None, [])))
    if shape_of(dy) != (g.n, g.oh, g.ow, m):
        return False  # the numpy kernel reports the mismatch; native code never sees it
    if op.type == "Conv2DBackpropInput":
        gi = DC.input_gradient_shape(g, m)
        if gi is not None and _winograd(gi, g.c):
            emit, scratch = _winograd_steps(lw, gi, g.c, dtype, dy, None, out,
                                            lambda: (None, []), flip=(g, f))
            return lw.native(op, emit, [f, dy], op.outputs, scratch=scratch)
        if gi is not None and g.c > DIRECT_CONV_CHANNELS and _direct(gi, g.c, dtype):
            return _input_gradient_direct(lw, op, g, gi, m, f, dy)
    if op.type == "Conv2DBackpropFilter" and _winograd(g, m):
        return _filter_gradient_winograd(lw, op, g, m, x, dy)
    if op.type == "Conv2DBackpropFilter" and _direct(g, m, dtype):
        xp, pad = _padded_input(lw, x, g, dtype)
        threads = planned_threads(2 * rows * g.k * m, g.rows)
        parts = Buffer("arena", dtype, (max(threads - 1, 1) * g.k * m,))
        tiled = g.c > DIRECT_CONV_CHANNELS

        def emit_filter(mod, n):
            operands = [xp, dy, out, parts]
            kernels = DC.emit_conv_filter_tiled(
                mod, n, dtype, g, m, _lanes(dtype), threads, operands, _accumulators()) \
                if tiled else DC.emit_conv_filter_direct(mod, n, dtype, g, m, _lanes(dtype),
                                                         threads, operands)
            return _pad_steps(mod, n, dtype, g, x, xp, pad) + kernels
        return lw.native(op, emit_filter, [x, dy], op.outputs, scratch=[xp, parts])
    kind = {"Conv2DBackpropFilter": "filter"}.get(op.type, "input")
    plan, cols = _blocked_plan(lw, g, m, kind, dtype)
    scratch = [cols]
    inputs = [x, dy] if kind == "filter" else [dy, f]
    operands = inputs + [out, cols]
    if kind == "filter":
        parts = Buffer("arena", dtype, (max(plan.threads - 1, 1) * g.k * m,))
        scratch.append(parts)
        operands.append(parts)
    return lw.native(op, lambda mod, n: CK.emit_conv_blocked(mod, n, dtype, g, m, plan, kind,
                                                            operands), inputs, op.outputs,
                     scratch=scratch)


def _filter_gradient_winograd(lw, op, g, m: int, x, dy) -> bool:
    """A 5x5 stride-1 filter gradient by F(5, 2) along the window's rows
    (winograd_kernels.emit_conv_filter_winograd): per-thread sums of the transformed
    products, then one kernel adding them up through the output transform."""
    dtype, out = op.outputs[0].dtype, op.outputs[0]
    xp, pad = _padded_input(lw, x, WK.winograd_padding(g), dtype)
    threads = planned_threads(2 * g.rows * g.ow * g.k * m, g.rows)
    sums = Buffer("arena", dtype, (max(threads, 1) * WK.ROW_TAPS * g.c * m,))
    work = Buffer("arena", dtype, (max(threads, 1) * WK.filter_scratch_size(g, m),))

    def emit(mod, n):
        return _pad_steps(mod, n, dtype, WK.winograd_padding(g), x, xp, pad) + \
            WK.emit_conv_filter_winograd(mod, n, dtype, g, m, _lanes(dtype), threads,
                                         [xp, dy, out, sums, work], _accumulators())
    return lw.native(op, emit, [x, dy], op.outputs, scratch=[xp, sums, work])


def _input_gradient_direct(lw, op, g, gi, m: int, f, dy) -> bool:
    """A stride-1 input gradient as the direct forward convolution of the padded output
    gradient with the turned filter (conv_kernels.input_gradient_shape): no col2im."""
    dtype, out = op.outputs[0].dtype, op.outputs[0]
    dyp = Buffer("arena", dtype, CK.padded_shape(gi))
    turned = Buffer("arena", dtype, (g.kh, g.kw, m, g.c))

    def emit(mod, n):
        return [DC.emit_flip_filter(mod, n + "_flip", dtype, g, m, [f, turned]),
                CK.emit_pad(mod, n + "_pad", dtype, gi, [dy, dyp]),
                DC.emit_conv_direct(mod, n, dtype, gi, g.c, _lanes(dtype), [dyp, turned, out],
                                    accumulators=_accumulators())]
    return lw.native(op, emit, [f, dy], op.outputs, scratch=[dyp, turned])


def _blocked_plan(lw, g, m: int, kind: str, dtype):
    """(ConvPlan, patch scratch) of an im2col convolution: blocks of output rows whose
    patches fit in about 1 MB stay in cache between the im2col and the matmul (see
    conv_kernels.emit_conv_blocked); a pointwise forward one needs no patches."""
    size = np.dtype(dtype.np).itemsize
    block = max(1, min(g.oh if is_symbolic(g.rows) else g.rows,
                       CONV_BLOCK_BYTES // max(g.ow * g.k * size, 1)))
    plan = CK.ConvPlan(g, kind, block, 1)
    plan = CK.ConvPlan(g, kind, block, planned_threads(2 * g.rows * g.ow * g.k * m,
                                                       plan.extent, blas=True))
    lw.blas_single = True  # BLAS on one thread per pool thread (target.BlasThreads)
    pointwise = kind == "forward" and g.pointwise()
    cols = Buffer("arena", dtype, (1,) if pointwise else (plan.threads * block * g.ow, g.k))
    return plan, cols


def _forward_conv(lw, op, g, m: int, inputs, epilogue) -> bool:
    """A forward convolution of `inputs` (x, f, then the epilogue's args) with the
    epilogue `epilogue()` gives at emission ((Epilogue or None, its extra operands)):
    direct loops on a padded copy for a few input channels, else im2col + BLAS."""
    x, f = inputs[:2]
    out = op.outputs[0]
    dtype = out.dtype
    if g.pointwise() and g.c * m <= POINTWISE_DIRECT:
        def emit_pointwise(mod, n):
            epi, extra = epilogue()
            return DC.emit_conv_direct(mod, n, dtype, g, m, _lanes(dtype),
                                       [x, f, out] + extra, epi, _accumulators())
        lw.native(op, emit_pointwise, inputs, op.outputs)
    elif _winograd(g, m):
        emit, scratch = _winograd_steps(lw, g, m, dtype, x, f, out, epilogue)
        lw.native(op, emit, inputs, op.outputs, scratch=scratch)
    elif _direct(g, m, dtype):
        xp, pad = _padded_input(lw, x, g, dtype)

        def emit_direct(mod, n):
            epi, extra = epilogue()
            return _pad_steps(mod, n, dtype, g, x, xp, pad) + [
                    DC.emit_conv_direct(mod, n, dtype, g, m, _lanes(dtype),
                                        [xp, f, out] + extra, epi, _accumulators())]
        lw.native(op, emit_direct, inputs, op.outputs, scratch=[xp])
    else:
        plan, cols = _blocked_plan(lw, g, m, "forward", dtype)

        def emit(mod, n):
            epi, extra = epilogue()
            return CK.emit_conv_blocked(mod, n, dtype, g, m, plan, "forward",
                                        [x, f, out, cols] + extra, epi)
        lw.native(op, emit, inputs, op.outputs, scratch=[cols])
    if op.type == "Conv2D":
        lw.conv_outputs[out] = (len(lw.steps) - 1, lw.index)
    return True


def lower_fused_conv(lw, op) -> bool:
    """_FusedConv2D and _FusedDepthwiseConv2dNative: the convolution's kernel with its
    padding read in place and its bias add, residual add and activation as the epilogue
    (fused_conv_kernels.ChannelEpilogue)."""
    out = op.outputs[0]
    dtype = out.dtype
    if dtype.name not in ("float32", "float64"):
        return False
    x, f, *args = op.inputs
    x_shape, f_shape = shape_of(x), shape_of(f)
    if x_shape[3] != f_shape[2]:
        return False  # the numpy kernel reports the mismatch
    g = _conv_shape(op, x_shape, f_shape[:2])
    depthwise = op.type == "_FusedDepthwiseConv2dNative"
    m = f_shape[2] * f_shape[3] if depthwise else f_shape[3]
    epi = FK.ChannelEpilogue(op.attrs["fused_ops"])
    if g.rows * g.ow == 0 or g.k * m == 0 or any(
            shape_of(a) != ((m,) if kind == "BiasAdd" else shape_of(out))
            for kind, a in zip(epi.takes, args)):
        return False  # the numpy kernel reports the mismatch; native code never sees it
    if not depthwise:
        if g.pointwise() and g.c * m <= POINTWISE_DIRECT and FOLD_DEPTHWISE and \
                _after_depthwise(lw, op, m, epi, args):
            return True
        if host().blas is None and not _direct(g, m, dtype):
            return False
        return _forward_conv(lw, op, g, m, list(op.inputs), lambda: (epi, list(args)))
    return lw.native(op, lambda mod, n: FK.emit_depthwise_fused(
        mod, n, dtype, g, f_shape[3], _lanes(dtype), epi, [x, f, out] + list(args)),
        op.inputs, op.outputs)


def lower_depthwise(lw, op) -> bool:
    """Depthwise convolutions as direct loops over channels (see conv_kernels)."""
    dtype = op.outputs[0].dtype
    if dtype.name not in ("float32", "float64"):
        return False
    out = op.outputs[0]
    if op.type == "DepthwiseConv2dNative":
        x, f = op.inputs
        x_shape, f_shape = shape_of(x), shape_of(f)
    elif op.type == "DepthwiseConv2dNativeBackpropInput":
        _, f, dy = op.inputs
        x_shape, f_shape = shape_of(out), shape_of(f)
    else:
        x, _, dy = op.inputs
        x_shape, f_shape = shape_of(x), shape_of(out)
    if x_shape[3] != f_shape[2]:
        return False  # the numpy kernel reports the mismatch
    g = _conv_shape(op, x_shape, f_shape[:2])
    mult = f_shape[3]
    if g.rows * g.ow == 0 or g.k * mult == 0:
        return False
    if op.type != "DepthwiseConv2dNative" and shape_of(dy) != (g.n, g.oh, g.ow, g.c * mult):
        return False  # the numpy kernel reports the mismatch; native code never sees it
    if op.type == "DepthwiseConv2dNativeBackpropInput":
        return lw.native(op, lambda mod, n: DK.emit_depthwise_input(
            mod, n, dtype, g, mult, [f, dy, out]), [f, dy], op.outputs)
    xp = Buffer("arena", dtype, CK.padded_shape(g))
    if op.type == "DepthwiseConv2dNative":
        def emit_forward(mod, n):
            return [CK.emit_pad(mod, n + "_pad", dtype, g, [x, xp]),
                    DK.emit_depthwise(mod, n, dtype, g, mult, [xp, f, out])]
        return lw.native(op, emit_forward, [x, f], op.outputs, scratch=[xp])
    threads = planned_threads(2 * g.rows * g.ow * g.k * mult, g.rows)
    parts = Buffer("arena", dtype, (max(threads - 1, 1) * g.k * mult,))

    def emit_filter(mod, n):
        return [CK.emit_pad(mod, n + "_pad", dtype, g, [x, xp])] + \
            DK.emit_depthwise_filter(mod, n, dtype, g, mult, threads, [xp, dy, out, parts])
    return lw.native(op, emit_filter, [x, dy], op.outputs, scratch=[xp, parts])


def lower_pool(lw, op) -> bool:
    x = op.inputs[0] if op.type != "AvgPoolGrad" else op.outputs[0]
    x_shape = shape_of(x)
    k = spatial(op.attrs["ksize"], "ksize", op.name, 2)
    g = _conv_shape(op, x_shape, k)
    if g.n * g.oh * g.ow * g.c == 0 or op.outputs[0].dtype.name not in ("float32", "float64"):
        return False
    pooled = (g.n, g.oh, g.ow, g.c)
    if op.type in ("MaxPoolGrad", "AvgPoolGrad") and shape_of(op.inputs[-1]) != pooled:
        return False  # the numpy kernel reports the mismatch; native code never sees it
    if op.type == "AvgPoolGrad":
        dy = op.inputs[1]
        return lw.native(op, lambda m, n: P.emit_avg_pool_grad(
            m, n, dy.dtype, g, [dy, op.outputs[0]]), [dy], op.outputs)
    if op.type == "MaxPoolGrad":
        dy, out = op.inputs[2], op.outputs[0]

        def emit_grad(m, n):  # (an exact tiling's may carry a folded relu gradient)
            epi, extra = lw.epilogues.get(out, (None, []))
            return P.emit_max_pool_grad(m, n, x.dtype, g, [x, dy, out] + extra, epi,
                                        _lanes(x.dtype))
        lw.native(op, emit_grad, [x, dy], op.outputs)
        if g.tiles_exactly():
            lw.conv_outputs[out] = (len(lw.steps) - 1, lw.index)
        return True
    kind = "max" if op.type == "MaxPool" else "avg"
    return lw.native(op, lambda m, n: P.emit_pool(m, n, x.dtype, g, kind, [x, op.outputs[0]],
                                                   _lanes(x.dtype)), [x], op.outputs)


def fold_epilogue(lw, op, members, params, outs, domain) -> bool:
    """Fold a fused elementwise node into the convolution (or 2-D matmul, or max-pool
    gradient of exactly tiling windows) computing one of its inputs (a bias add and
    activation after a conv or a dense layer, the relu gradient after a pool's), applied to
    each block of the output while it is in cache and written over it: when the node is
    the output's only reader, has one output of its shape, reads its other inputs along
    the channel (or not at all; a matmul's: with any static 2-D strides), and nothing
    writes those between the conv and here."""
    rank = len(domain)
    if rank not in (2, 4) or any(shape_of(o) != tuple(domain) or
                                 o.dtype != op.outputs[0].dtype for o in op.outputs):
        return False
    conv = next((i for i, t in enumerate(op.inputs) if t in lw.conv_outputs), None)
    if conv is None:
        return False
    t = op.inputs[conv]
    step_index, position = lw.conv_outputs[t]
    buf = lw.buffer_plan.buffers[t]
    if lw.buffer_plan.last_use.get(t) != lw.index or shape_of(t) != tuple(domain) or \
            t.dtype != op.outputs[0].dtype or buf.kind != "arena" or \
            not lw.buffer_plan.only_tensor_of(buf):
        return False
    accesses, sets = L.body_accesses(members, params, domain)
    m = domain[-1]
    strides = []
    for (pi, _), st in zip(accesses, sets):
        if rank == 2:  # a matmul's [rows, columns]: rows play the pixels
            if not all(isinstance(v, int) for v in st):
                return False
            pixel = st[0]
        else:
            n, oh, ow, _ = domain
            pixel = st[2]
            if st[:3] != [pixel * oh * ow, pixel * ow, pixel] and n * oh * ow > 1:
                return False
        if pi == conv and (pixel, st[-1]) != (m, 1):
            return False
        strides.append((pixel, st[-1]))
    later = lw.steps[step_index + 1:]
    if any(t in s.inputs for s in later):  # (a step after the kernel still reads its output:
        return False                       # Adam's m and v updates both read a gradient)
    others = [u for i, u in enumerate(op.inputs) if i != conv]
    for u in others:
        ub = lw.buffer_plan.buffers[u]
        made = lw.producer.get(u)
        if made is not None and made > step_index:
            return False
        if ub.var is not None and any(position < w < lw.index
                                      for w in lw.buffer_plan.writes.get(ub.var, ())):
            return False
        if any(not s.native or any(lw.buffer_plan.buffers.get(v) is ub for v in s.outputs)
               for s in later):
            return False
    epi = CK.Epilogue(members, params, conv, domain, accesses, strides, outs)
    lw.buffer_plan.buffers[op.outputs[0]] = buf  # the first output overwrites the conv's
    for o in op.outputs[1:]:
        lw.buffer_plan.define(o)
    lw.epilogues[t] = (epi, others + list(op.outputs[1:]))
    step = lw.steps[step_index]
    step.inputs += others
    step.outputs += list(op.outputs)
    for u in others:
        lw.buffer_plan.buffers[u].native_used = True
    for o in op.outputs:
        lw.producer[o] = step_index
    return True


def _after_depthwise(lw, op, m: int, epi, args) -> bool:
    """Fold a pointwise convolution into the fused depthwise one just before it that only
    it reads (MobileNet's depthwise-separable pairs): one kernel computes each depthwise
    output row into a per-thread row (in cache; the rows live in the depthwise output's
    own buffer) and the pointwise convolution of that row (fused_conv_kernels)."""
    x = op.inputs[0]
    index = lw.producer.get(x)
    if index is None or index != len(lw.steps) - 1 or lw.buffer_plan.last_use.get(x) != lw.index:
        return False
    dw = lw.steps[index].op
    buf = lw.buffer_plan.buffers[x]
    if dw.type != "_FusedDepthwiseConv2dNative" or shape_of(dw.inputs[1])[3] != 1 or \
            "Add" in dw.attrs["fused_ops"] or buf.kind != "arena" or \
            not lw.buffer_plan.only_tensor_of(buf):
        return False
    xd, fd, *args_d = dw.inputs
    gd = _conv_shape(dw, shape_of(xd), shape_of(fd)[:2])
    threads = planned_threads(2 * gd.rows * gd.ow * gd.c * (gd.kh * gd.kw + m), gd.rows)
    if threads > min(hint_of(gd.rows), gd.oh):
        return False
    lw.steps.pop()
    del lw.producer[x]
    dtype = op.outputs[0].dtype
    epi_d = FK.ChannelEpilogue(dw.attrs["fused_ops"])
    operands = [xd, fd] + list(args_d) + [op.inputs[1]] + list(args) + [op.outputs[0], buf]
    return lw.native(op, lambda mod, n: FK.emit_depthwise_pointwise(
        mod, n, dtype, gd, m, _lanes(dtype), epi_d, epi, threads, operands),
        [xd, fd] + list(args_d) + [op.inputs[1]] + list(args), op.outputs, scratch=[buf])
