"""TensorFlow's training ops on import: the gradient kernels TensorFlow's own gradient code
writes into a graph (`ReluGrad`, `TanhGrad`, `BiasAddGrad`, `BroadcastGradientArgs`, ...)
and the optimizers' update kernels (`ApplyGradientDescent`, `ApplyMomentum`, `ApplyAdam`,
`ApplyRMSProp`, `ApplyAdagrad`, ...), so a `.meta` of a TF1 training graph imports and its
train op trains in graphc.

Each becomes a composition of graphc ops computing what TensorFlow's CPU kernel computes
(the formulas are in the functions below, in the kernel's order of operations). An update
kernel assigns its slots first (`Assign`: the new value is the assign's output, TF1's ref
semantics) and the variable last, under the node's own name, so control inputs on the node
wait for the whole update; its output is the variable's new value, as TensorFlow's `out`.
The resource forms (`ResourceApply*`) take a variable handle where the reference forms take
the variable: `resources.py` imports a handle as the variable it names, so both share these
functions.
"""
from __future__ import annotations

import weakref

import numpy as np

from ..ir import dtypes as dt
from ..ir.graph import Tensor
from ..ir.ops import array_ops as Arr
from ..ir.ops import math_ops as M
from ..ir.ops._base import apply, const_value
from ..ir.ops.generator_ops import fill, zeros, zeros_like
from ..ir.ops.reduce_ops import reduce_mean, reduce_sum
from ..ir.ops import grad_ops  # noqa: F401  (registers SumToShape)
from ..ir.ops.slicing_ops import gather
from . import attrs as A
from .importer import IMPORTERS, GraphDefImportError, NodeContext, import_spec
from .specs import BY_TF


def _c(t, value):
    return np.asarray(value, t.dtype.np)


def _scoped(ctx: NodeContext):
    return ctx.graph.name_scope(ctx.name + "/")


# ---------------------------------------------------------------- gradient kernels
def _masked(cond):
    """gradients where `cond(features)`, else 0 (ReluGrad, Relu6Grad)."""
    def rule(ctx: NodeContext):
        g, f = ctx.inputs[:2]
        with _scoped(ctx):
            mask = cond(f)
            zero = zeros_like(g)
        return ctx.op("SelectV2", [mask, g, zero])
    return rule


def _tanh_grad(ctx: NodeContext):
    y, dy = ctx.inputs[:2]  # dy * (1 - y^2)
    with _scoped(ctx):
        one_minus = M.subtract(_c(y, 1), M.multiply(y, y))
    return ctx.op("Mul", [dy, one_minus])


def _sigmoid_grad(ctx: NodeContext):
    y, dy = ctx.inputs[:2]  # dy * y * (1 - y)
    with _scoped(ctx):
        scaled = M.multiply(dy, y)
        one_minus = M.subtract(_c(y, 1), y)
    return ctx.op("Mul", [scaled, one_minus])


def _rsqrt_grad(ctx: NodeContext):
    y, dy = ctx.inputs[:2]  # dy * -0.5 * y^3
    with _scoped(ctx):
        cube = M.multiply(M.multiply(y, y), y)
        scaled = M.multiply(dy, _c(y, -0.5))
    return ctx.op("Mul", [scaled, cube])


def _sqrt_grad(ctx: NodeContext):
    y, dy = ctx.inputs[:2]  # dy * 0.5 / y
    with _scoped(ctx):
        half = M.multiply(dy, _c(y, 0.5))
    return ctx.op("RealDiv", [half, y])


def _reciprocal_grad(ctx: NodeContext):
    y, dy = ctx.inputs[:2]  # -dy * y^2
    with _scoped(ctx):
        square = M.multiply(y, y)
        neg = M.negative(dy)
    return ctx.op("Mul", [neg, square])


def _softplus_grad(ctx: NodeContext):
    g, f = ctx.inputs[:2]  # g * sigmoid(f)
    with _scoped(ctx):
        s = M.sigmoid(f)
    return ctx.op("Mul", [g, s])


def _elu_grad(ctx: NodeContext):
    g, y = ctx.inputs[:2]  # y > 0: g, else g * (y + 1)
    with _scoped(ctx):
        neg = M.multiply(g, M.add(y, _c(y, 1)))
        mask = M.greater(y, _c(y, 0))
    return ctx.op("SelectV2", [mask, g, neg])


def _leaky_relu_grad(ctx: NodeContext):
    g, f = ctx.inputs[:2]
    alpha = ctx.attr("alpha", A.FLOAT, 0.2)
    with _scoped(ctx):
        neg = M.multiply(g, _c(g, alpha))
        mask = M.greater(f, _c(f, 0))
    return ctx.op("SelectV2", [mask, g, neg])


def _bias_add_grad(ctx: NodeContext):
    """The gradient summed over every axis but the channels (the last in NHWC)."""
    g = ctx.inputs[0]
    fmt = ctx.attr("data_format", A.STR, "NHWC")
    if fmt.startswith("NC"):
        raise GraphDefImportError(f"{ctx.label}: data_format {fmt!r} is not supported "
                                  "(graphc runs NHWC, as TensorFlow 1 on the CPU)")
    rank = g.shape.ndims
    if rank is not None:
        return ctx.op("Sum", [g], {"axis": tuple(range(rank - 1)), "keep_dims": False})
    with _scoped(ctx):
        channels = Arr.shape(g)[-1]
        flat = Arr.reshape(g, Arr.stack([np.int32(-1), channels]))
    return ctx.op("Sum", [flat], {"axis": (0,), "keep_dims": False})


def _shape_n(ctx: NodeContext):
    out_type = ctx.attr("out_type", A.DTYPE, dt.int32)
    return [ctx.op("Shape", [t], {"out_type": out_type}, suffix=f"output_{i}" if i else "")
            for i, t in enumerate(ctx.inputs)]


def _reduction_axes(shape, padded_rank):
    """The axes of the broadcast result (rank `padded_rank`) where `shape` is 1 or
    absent: what BroadcastGradientArgs returns for that operand."""
    ones = fill(Arr.reshape(M.subtract(padded_rank, Arr.size(shape, out_type=shape.dtype)),
                                [1]), np.asarray(1, shape.dtype.np))
    padded = Arr.concat([ones, shape], 0)
    where = M.where_v2(M.equal(padded, np.asarray(1, shape.dtype.np)))
    return M.cast(Arr.reshape(where, [-1]), shape.dtype)


# a BroadcastGradientArgs output -> the shape it was computed for (a Sum over it, below)
_REDUCING: "weakref.WeakKeyDictionary[Tensor, Tensor]" = weakref.WeakKeyDictionary()


def _broadcast_gradient_args(ctx: NodeContext):
    """TensorFlow's reduction axes of two broadcast operands: for each, the axes of the
    (left-padded) result where its shape is 1. A Sum over them then a Reshape to the shape,
    as TensorFlow's gradient code writes it, is graphc's SumToShape."""
    s0, s1 = ctx.inputs[:2]
    with _scoped(ctx):
        rank = M.maximum(Arr.size(s0, out_type=s0.dtype), Arr.size(s1, out_type=s0.dtype))
        r0 = _reduction_axes(s0, rank)
        r1 = _reduction_axes(s1, rank)
    out = [ctx.op("Identity", [r0]), ctx.op("Identity", [r1], suffix="r1")]
    _REDUCING[out[0]], _REDUCING[out[1]] = s0, s1
    return out


def _sum(ctx: NodeContext):
    """Sum: constant axes as graphc's attribute; axes from BroadcastGradientArgs (known only
    at run time) as SumToShape to that operand's shape, reshaped to what Sum leaves: the
    shape's size-1 axes dropped, or (keep_dims) the shape padded with 1s to the gradient's
    rank. (TensorFlow's Reshape to the operand's shape follows.)"""
    g, axes = ctx.inputs[:2]
    shape = _REDUCING.get(axes) if const_value(axes) is None else None
    if shape is None:  # (axes from elsewhere: the table's error names where they come from)
        return import_spec(BY_TF["Sum"], ctx)
    one = np.asarray(1, shape.dtype.np)
    with _scoped(ctx):
        total = apply("SumToShape", (g, shape), name="to_shape")
        if ctx.attr("keep_dims", A.BOOL, False):
            rank = Arr.size(Arr.shape(g, out_type=shape.dtype), out_type=shape.dtype)
            lead = Arr.reshape(M.subtract(rank, Arr.size(shape, out_type=shape.dtype)), [1])
            dims = Arr.concat([fill(lead, one), shape], 0)
        else:
            dims = gather(shape, Arr.reshape(M.where_v2(M.not_equal(shape, one)), [-1]))
    return ctx.op("Reshape", [total, dims])


def _fused_batch_norm_grad(ctx: NodeContext):
    """FusedBatchNormGrad{,V2,V3} (NHWC) over x as [-1, channels]: in training, with the
    batch's mean and (biased) variance, recomputed from x as the forward op took them:
    x_hat = (x - mean) * rsqrt(var + eps); offset_backprop = sum(dy); scale_backprop =
    sum(dy * x_hat); x_backprop = scale * rsqrt(var + eps) * (dy - offset_backprop / n -
    x_hat * scale_backprop / n). In inference, with the population statistics the forward
    op was given (reserve_space_1, _2): x_backprop = dy * scale * rsqrt(var + eps). The
    last two outputs are TensorFlow's empty reserve spaces."""
    dy, x, scale, mean_in, var_in = ctx.inputs[:5]
    fmt = ctx.attr("data_format", A.STR, "NHWC")
    if fmt != "NHWC":
        raise GraphDefImportError(f"{ctx.label}: data_format {fmt!r} is not supported "
                                  "(graphc runs NHWC, as TensorFlow 1 on the CPU)")
    eps = _c(x, ctx.attr("epsilon", A.FLOAT, 1e-4))
    with _scoped(ctx):
        channels = Arr.shape(scale)
        rows = Arr.concat([np.int32([-1]), channels], 0)
        x2, dy2 = Arr.reshape(x, rows), Arr.reshape(dy, rows)
        if ctx.attr("is_training", A.BOOL, True):
            mean = reduce_mean(x2, axis=0)
            var = reduce_mean(M.square(M.subtract(x2, mean)), axis=0)
        else:
            mean, var = mean_in, var_in
        inv = M.rsqrt(M.add(var, eps))
        x_hat = M.multiply(M.subtract(x2, mean), inv)
        offset_grad = reduce_sum(dy2, axis=0)
        scale_grad = reduce_sum(M.multiply(dy2, x_hat), axis=0)
        if ctx.attr("is_training", A.BOOL, True):
            centered = M.subtract(M.subtract(dy2, reduce_mean(dy2, axis=0)),
                                  M.multiply(x_hat, reduce_mean(M.multiply(dy2, x_hat),
                                                                axis=0)))
            dx2 = M.multiply(M.multiply(scale, inv), centered)
        else:
            dx2 = M.multiply(dy2, M.multiply(scale, inv))
        empty = zeros([0], scale.dtype)
    dx = ctx.op("Reshape", [dx2, Arr.shape(x, name=ctx.name + "/x_shape/")])
    return [dx, ctx.op("Identity", [scale_grad], suffix="scale_backprop"),
            ctx.op("Identity", [offset_grad], suffix="offset_backprop"), empty, empty]


def _dynamic_stitch(ctx: NodeContext):
    return ctx.op("DynamicStitch", ctx.inputs)


# ---------------------------------------------------------------- optimizer updates
def _locking(ctx: NodeContext) -> dict:
    return {"use_locking": ctx.attr("use_locking", A.BOOL, False)}


def _assign(ctx: NodeContext, op_type: str, ref, value, suffix: str = ""):
    """Assign/AssignAdd/AssignSub of `ref`; the node's own name when `suffix` is empty."""
    attrs = _locking(ctx)
    if op_type == "Assign":
        attrs["validate_shape"] = True
    return ctx.op(op_type, [ref, value], attrs, suffix=suffix)


def _apply_gradient_descent(ctx: NodeContext):
    var, alpha, delta = ctx.inputs[:3]  # var -= delta * alpha
    with _scoped(ctx):
        step = M.multiply(delta, alpha)
    return _assign(ctx, "AssignSub", var, step)


def _apply_momentum(ctx: NodeContext):
    """accum = accum * momentum + grad; var -= accum * lr (Nesterov: var -= grad * lr +
    accum * momentum * lr)."""
    var, accum, lr, grad, momentum = ctx.inputs[:5]
    with _scoped(ctx):
        accum_t = _assign(ctx, "Assign", accum, M.add(M.multiply(accum, momentum), grad),
                          "accum")
        if ctx.attr("use_nesterov", A.BOOL, False):
            step = M.add(M.multiply(grad, lr), M.multiply(M.multiply(accum_t, momentum), lr))
        else:
            step = M.multiply(accum_t, lr)
    return _assign(ctx, "AssignSub", var, step)


def _apply_adam(ctx: NodeContext):
    """alpha = lr * sqrt(1 - beta2^t) / (1 - beta1^t); m += (grad - m) * (1 - beta1);
    v += (grad^2 - v) * (1 - beta2); var -= m * alpha / (sqrt(v) + epsilon) (Nesterov:
    (grad * (1 - beta1) + beta1 * m) in place of m)."""
    var, m, v, b1p, b2p, lr, b1, b2, eps, grad = ctx.inputs[:10]
    one = _c(var, 1)
    with _scoped(ctx):
        alpha = M.truediv(M.multiply(lr, M.sqrt(M.subtract(one, b2p))), M.subtract(one, b1p))
        m_t = _assign(ctx, "Assign", m, M.add(m, M.multiply(M.subtract(grad, m),
                                                          M.subtract(one, b1))), "m")
        v_t = _assign(ctx, "Assign", v, M.add(v, M.multiply(M.subtract(M.square(grad), v),
                                                          M.subtract(one, b2))), "v")
        if ctx.attr("use_nesterov", A.BOOL, False):
            m_t = M.add(M.multiply(grad, M.subtract(one, b1)), M.multiply(b1, m_t))
        step = M.truediv(M.multiply(m_t, alpha), M.add(M.sqrt(v_t), eps))
    return _assign(ctx, "AssignSub", var, step)


def _apply_rmsprop(ctx: NodeContext):
    """ms += (grad^2 - ms) * (1 - rho); mom = mom * momentum + grad * lr / sqrt(ms + eps);
    var -= mom."""
    var, ms, mom, lr, rho, momentum, eps, grad = ctx.inputs[:8]
    one = _c(var, 1)
    with _scoped(ctx):
        ms_t = _assign(ctx, "Assign", ms, M.add(ms, M.multiply(M.subtract(M.square(grad), ms),
                                                             M.subtract(one, rho))), "ms")
        mom_t = _assign(ctx, "Assign", mom, M.add(
            M.multiply(mom, momentum),
            M.truediv(M.multiply(grad, lr), M.sqrt(M.add(ms_t, eps)))), "mom")
    return _assign(ctx, "AssignSub", var, mom_t)


def _apply_centered_rmsprop(ctx: NodeContext):
    """RMSProp with mg += (grad - mg) * (1 - rho) and ms - mg^2 + eps under the root."""
    var, mg, ms, mom, lr, rho, momentum, eps, grad = ctx.inputs[:9]
    one = _c(var, 1)
    with _scoped(ctx):
        ms_t = _assign(ctx, "Assign", ms, M.add(ms, M.multiply(M.subtract(M.square(grad), ms),
                                                             M.subtract(one, rho))), "ms")
        mg_t = _assign(ctx, "Assign", mg, M.add(mg, M.multiply(M.subtract(grad, mg),
                                                             M.subtract(one, rho))), "mg")
        denom = M.add(M.subtract(ms_t, M.square(mg_t)), eps)
        mom_t = _assign(ctx, "Assign", mom, M.add(
            M.multiply(mom, momentum), M.truediv(M.multiply(grad, lr), M.sqrt(denom))), "mom")
    return _assign(ctx, "AssignSub", var, mom_t)


def _apply_adagrad(ctx: NodeContext):
    """accum += grad^2 (with update_slots); var -= grad * lr * rsqrt(accum)."""
    var, accum, lr, grad = ctx.inputs[:4]
    with _scoped(ctx):
        accum_t = _assign(ctx, "AssignAdd", accum, M.square(grad), "accum") if ctx.attr(
            "update_slots", A.BOOL, True) else accum
        step = M.multiply(M.multiply(grad, lr), M.rsqrt(accum_t))
    return _assign(ctx, "AssignSub", var, step)


def _apply_adadelta(ctx: NodeContext):
    """accum = accum * rho + grad^2 * (1 - rho); update = sqrt(accum_update + eps) *
    rsqrt(accum + eps) * grad; accum_update = accum_update * rho + update^2 * (1 - rho);
    var -= update * lr."""
    var, accum, accum_update, lr, rho, eps, grad = ctx.inputs[:7]
    one = _c(var, 1)
    with _scoped(ctx):
        accum_t = _assign(ctx, "Assign", accum, M.add(
            M.multiply(accum, rho), M.multiply(M.square(grad), M.subtract(one, rho))), "accum")
        update = M.multiply(M.multiply(M.sqrt(M.add(accum_update, eps)),
                                       M.rsqrt(M.add(accum_t, eps))), grad)
        new_update = M.add(M.multiply(accum_update, rho),
                           M.multiply(M.square(update), M.subtract(one, rho)))
        step = M.multiply(update, lr)
        done = _assign(ctx, "Assign", accum_update, new_update, "accum_update")
    with ctx.graph.control_dependencies([done.op]):
        return _assign(ctx, "AssignSub", var, step)


UPDATES = {
    "ApplyGradientDescent": _apply_gradient_descent, "ApplyMomentum": _apply_momentum,
    "ApplyAdam": _apply_adam, "ApplyRMSProp": _apply_rmsprop,
    "ApplyCenteredRMSProp": _apply_centered_rmsprop, "ApplyAdagrad": _apply_adagrad,
    "ApplyAdadelta": _apply_adadelta,
}

IMPORTERS.update(UPDATES)
IMPORTERS.update({
    "ReluGrad": _masked(lambda f: M.greater(f, _c(f, 0))),
    "Relu6Grad": _masked(lambda f: M.logical_and(M.greater(f, _c(f, 0)),
                                                 M.less(f, _c(f, 6)))),
    "TanhGrad": _tanh_grad, "SigmoidGrad": _sigmoid_grad, "RsqrtGrad": _rsqrt_grad,
    "SqrtGrad": _sqrt_grad, "ReciprocalGrad": _reciprocal_grad, "InvGrad": _reciprocal_grad,
    "SoftplusGrad": _softplus_grad, "EluGrad": _elu_grad, "LeakyReluGrad": _leaky_relu_grad,
    "BiasAddGrad": _bias_add_grad, "ShapeN": _shape_n,
    "FusedBatchNormGrad": _fused_batch_norm_grad, "FusedBatchNormGradV2": _fused_batch_norm_grad,
    "FusedBatchNormGradV3": _fused_batch_norm_grad,
    "DynamicStitch": _dynamic_stitch, "ParallelDynamicStitch": _dynamic_stitch,
    "BroadcastGradientArgs": _broadcast_gradient_args, "Sum": _sum,
})
