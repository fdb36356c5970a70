"""Algebraic simplification: rewrite rules as data, applied to a fixed point.

A rule is (op type, function). The function sees the op being copied and its inputs
already rewritten in the new graph, and returns replacement tensors or None. A rule only
fires when dtype and static shape stay exactly the same (x * 1 where 1 broadcasts x to a
larger shape is kept). Identities on values read from variables or other impure ops are
kept: they mark where a read happens (read-before-assign).
"""
from __future__ import annotations

import numpy as np

from graphc.ir.ops._base import const_value
from .lower import Lowered, exact_or_unique, rebuild


def _same_type(a, b) -> bool:
    """Same dtype and the same fully known shape."""
    return a.dtype is b.dtype and a.shape.is_fully_defined() and a.shape == b.shape


def _is(t, value) -> bool:
    v = const_value(t)
    return v is not None and v.size > 0 and bool(np.all(v == value))


def _neutral(op, inputs, graph, neutral, sides=(0, 1)):
    out = op.outputs[0]
    for side in sides:
        other = inputs[1 - side]
        if _is(inputs[side], neutral) and _same_type(other, out):
            return [other]
    return None


def _pure_source(t) -> bool:
    return t.op.opdef.pure and t.op.type not in ("Placeholder",)


def _identity(op, inputs, graph):
    x = inputs[0]
    if op.control_inputs or not _pure_source(x):
        return None
    return [x]


def _cast(op, inputs, graph):
    x = inputs[0]
    if x.dtype is op.attrs["DstT"]:
        return [x]
    inner = x.op
    if inner.type == "Cast" and inner.inputs[0].dtype is op.attrs["DstT"] and \
            x.dtype.is_integer and inner.inputs[0].dtype.is_integer and \
            x.dtype.size >= inner.inputs[0].dtype.size:  # int32 -> int64 -> int32
        return [inner.inputs[0]]
    return None


def _perm(op):
    perm = op.attrs["perm"]
    if perm is None:  # TF1's default: reverse the dims
        rank = op.inputs[0].shape.ndims
        return None if rank is None else list(range(rank))[::-1]
    return list(perm)


def _transpose(op, inputs, graph):
    x = inputs[0]
    perm = _perm(op)
    if perm is None:
        return None
    if perm == sorted(perm):
        return [x]
    if x.op.type == "Transpose" and _perm(x.op) is not None:
        inner = _perm(x.op)
        composed = [inner[p] for p in perm]
        if composed == sorted(composed):
            return [x.op.inputs[0]]
        return list(graph.create_op("Transpose", (x.op.inputs[0],), {"perm": tuple(composed),
                                                                     "conjugate": False},
                                    name=exact_or_unique(graph, op.name), site=op.site,
                                    original=(op, x.op)).outputs)
    return None


def _reshape(op, inputs, graph):
    x, shape = inputs
    out = op.outputs[0]
    if _same_type(x, out):
        return [x]
    if x.op.type == "Reshape":
        return list(graph.create_op("Reshape", (x.op.inputs[0], shape), dict(op.attrs),
                                    name=exact_or_unique(graph, op.name), site=op.site,
                                    original=(op, x.op)).outputs)
    return None


def _sum_to_shape(op, inputs, graph):
    """A broadcast gradient summed to the shape it already has (the batch was unknown when
    the VJP rule ran, the graph knows it): the gradient itself."""
    return [inputs[0]] if _same_type(inputs[0], op.outputs[0]) else None


def _new(graph, op, op_type, inputs, attrs=None, *originals):
    """A replacement node named after `op`, keeping its site and recording provenance."""
    return graph.create_op(op_type, inputs, attrs or {}, name=exact_or_unique(graph, op.name),
                           site=op.site, original=(op,) + originals).outputs


def _log(op, inputs, graph):
    """log(softmax(x)) -> log_softmax(x); log(sigmoid(x)) -> -softplus(-x);
    log(1 - sigmoid(x)) -> -softplus(x): the forms that do not overflow or hit log(0)."""
    x = inputs[0]
    if x.op.type == "Softmax":
        return list(_new(graph, op, "LogSoftmax", (x.op.inputs[0],), dict(x.op.attrs), x.op))
    if x.op.type == "Sigmoid":
        inner = graph.create_op("Neg", (x.op.inputs[0],), site=op.site,
                                original=(op,)).outputs[0]
        sp = graph.create_op("Softplus", (inner,), site=op.site, original=(op,)).outputs[0]
        return list(_new(graph, op, "Neg", (sp,), None, x.op))
    if x.op.type == "Sub" and _is(x.op.inputs[0], 1) and x.op.inputs[1].op.type == "Sigmoid" \
            and _same_type(x.op.inputs[1], x):
        z = x.op.inputs[1].op.inputs[0]
        sp = graph.create_op("Softplus", (z,), site=op.site, original=(op,)).outputs[0]
        return list(_new(graph, op, "Neg", (sp,), None, x.op))
    return None


def _neg(op, inputs, graph):
    """-sum(labels * log_softmax(logits), last axis) -> the fused softmax cross-entropy."""
    x = inputs[0]
    if x.op.type == "Neg":
        return [x.op.inputs[0]]
    s = x.op
    if s.type != "Sum" or s.attrs["keep_dims"] or s.inputs[0].op.type != "Mul":
        return None
    m = s.inputs[0].op
    for labels, ls in (m.inputs, m.inputs[::-1]):
        if ls.op.type != "LogSoftmax" or ls.shape.ndims != 2 or \
                ls.op.attrs["axis"] != 1 or s.attrs["axis"] != (1,):
            continue
        logits = ls.op.inputs[0]
        if labels.dtype is logits.dtype and labels.shape.is_fully_defined() and \
                labels.shape == logits.shape:
            return [_new(graph, op, "SoftmaxCrossEntropyWithLogits", (logits, labels), None,
                         s, m, ls.op)[0]]
    return None


def _scalar_of(t):
    """The scalar a tensor is a broadcast of (fill, broadcast_to, uniform constant)."""
    op = t.op
    if op.type == "Fill" and op.inputs[1].shape.ndims == 0:
        return op.inputs[1]
    if op.type == "BroadcastTo" and op.inputs[0].shape.ndims == 0:
        return op.inputs[0]
    return None


def _scalar_broadcast(op, inputs, graph):
    """x + fill(shape(x), c) -> x + c: the scalar broadcasts itself, nothing materialised."""
    out = op.outputs[0]
    for side in (0, 1):
        scalar = _scalar_of(inputs[side])
        other = inputs[1 - side]
        if scalar is not None and _same_type(other, out) and scalar.dtype is out.dtype:
            args = (scalar, other) if side == 0 else (other, scalar)
            return list(_new(graph, op, op.type, args, dict(op.attrs), inputs[side].op))
    return None


def _conv_times_constant(op, inputs, graph):
    """conv(x, W) * c -> conv(x, W * c) for a constant filter and a constant per output
    channel (batch normalisation at inference: frozen models carry it after every
    convolution), when nothing else reads the unscaled convolution."""
    out = op.outputs[0]
    for side in (0, 1):
        conv, c = inputs[side], const_value(inputs[1 - side])
        if conv.op.type not in ("Conv2D", "DepthwiseConv2dNative") or c is None or \
                not _same_type(conv, out) or len(op.inputs[side].consumers()) != 1:
            continue
        w = const_value(conv.op.inputs[1])
        channels = out.shape.as_tuple()[-1]
        if w is None or w.ndim != 4 or c.dtype != w.dtype or c.size != channels or \
                c.ndim > 4 or any(d != 1 for d in c.shape[:-1]):
            continue
        scale = c.reshape(w.shape[2], w.shape[3]) if conv.op.type != "Conv2D" else \
            c.reshape(-1)
        folded = graph.create_op("Const", (), {"value": w * scale, "dtype": conv.dtype},
                                 name=exact_or_unique(graph, conv.op.name + "/folded_filter"),
                                 site=op.site, original=(op,)).outputs[0]
        return list(_new(graph, op, conv.op.type, (conv.op.inputs[0], folded),
                         dict(conv.op.attrs), conv.op))
    return None


RULES = {
    "Mul": [lambda op, i, g: _neutral(op, i, g, 1), _scalar_broadcast, _conv_times_constant],
    "Add": [lambda op, i, g: _neutral(op, i, g, 0), _scalar_broadcast],
    "Sub": [lambda op, i, g: _neutral(op, i, g, 0, sides=(1,)), _scalar_broadcast],
    "RealDiv": [lambda op, i, g: _neutral(op, i, g, 1, sides=(1,)), _scalar_broadcast],
    "Maximum": [_scalar_broadcast],
    "Minimum": [_scalar_broadcast],
    "Neg": [_neg],
    "Identity": [_identity],
    "StopGradient": [_identity],
    "Cast": [_cast],
    "Transpose": [_transpose],
    "Reshape": [_reshape],
    "Log": [_log],
    "SumToShape": [_sum_to_shape],
}


def simplify(lowered: Lowered, max_iterations: int = 8) -> Lowered:
    """Apply RULES in sweeps until a sweep changes nothing (or max_iterations)."""
    for _ in range(max_iterations):
        changed = []

        def visit(op, inputs, controls, graph):
            if controls:  # an op others wait for keeps its place
                return None
            for rule in RULES.get(op.type, ()):
                out = rule(op, inputs, graph)
                if out is not None:
                    changed.append(op)
                    return out
            return None

        lowered = rebuild(lowered, visit)
        if not changed:
            break
    return lowered
