"""Inference fusion of convolutions: the explicit padding before a convolution, and the bias
add, residual add and activation after it, become one _FusedConv2D or
_FusedDepthwiseConv2dNative (ir/ops/fused_conv_ops.py), whose kernels apply them to the
output while it is in registers or cache instead of passing over memory once per op.

Only convolutions with a constant filter fuse: a frozen model's (after simplify folded
its batch normalisations into the filters). A training graph's convolutions read
variables and their intermediate values feed the gradient, so they are left to the
generic fusion pass. Each rewrite needs the value it swallows to have no other reader
(and not to be fetched):

  Pad(x, constant 0, spatial only) -> conv(., VALID | SAME)   conv(x, EXPLICIT pads)
  conv + bias   (BiasAdd, or Add of a [M] / [1,1,1,M] constant, either side)
  conv + y      (Add of a tensor of the output's shape: a residual, after the bias)
  Relu(conv), Relu6(conv)                                       (the last fused op)
"""
from __future__ import annotations

import numpy as np

from graphc.ir.ops._base import const_value
from graphc.ir.ops.conv_geometry import out_size
from graphc.ir.ops.fused_conv_ops import ACTIVATIONS, fused_attrs, split_fused_ops
from .lower import Lowered, exact_or_unique, rebuild

PLAIN = {"Conv2D": "_FusedConv2D", "DepthwiseConv2dNative": "_FusedDepthwiseConv2dNative"}
FUSED = frozenset(PLAIN.values())


def _readers(lowered: Lowered) -> dict:
    """tensor -> how many ops read it, plus one when it is fetched."""
    count: dict = {}
    for op in lowered.graph.get_operations():
        for t in op.inputs:
            count[t] = count.get(t, 0) + 1
    for t in lowered.fetches:
        count[t] = count.get(t, 0) + 1
    return count


def _pad_of(x, pad_op):
    """((top, bottom), (left, right)) of a Pad that adds zeros along H and W only."""
    if pad_op.type != "Pad" or pad_op.control_inputs:
        return None
    pads = [tuple(int(v) for v in p) for p in pad_op.attrs["paddings"]]
    value = np.asarray(pad_op.attrs.get("constant_values", 0))
    if len(pads) != 4 or pads[0] != (0, 0) or pads[3] != (0, 0) or np.any(value != 0):
        return None
    return pads[1], pads[2]


def _combined_pads(attrs, x_shape, f_shape, extra):
    """The explicit pads of conv(pad(x)): the Pad's plus what SAME adds on the padded input
    (which needs its spatial size), or None."""
    if attrs["padding"] == "VALID":
        return extra
    if attrs["padding"] != "SAME" or x_shape is None or None in x_shape[1:3]:
        return None
    dil = list(attrs.get("dilations") or [1, 1, 1, 1])
    out = []
    for axis, (before, after) in enumerate(extra):
        size = x_shape[1 + axis] + before + after
        _, (b, a) = out_size(size, f_shape[axis], attrs["strides"][1 + axis],
                             dil[1 + axis], "SAME")
        out.append((before + b, after + a))
    return tuple(out)


def _new(graph, op, op_type, inputs, attrs, *originals):
    return graph.create_op(op_type, inputs, attrs, name=exact_or_unique(graph, op.name),
                           site=op.site, original=(op,) + originals).outputs


def fuse_conv(lowered: Lowered) -> Lowered:
    """One sweep: each rewrite sees its input already rewritten, so a Pad, convolution,
    bias add, residual add and Relu6 chain ends as one fused op (the dead intermediate
    nodes are pruned after)."""
    readers = _readers(lowered)

    def sole(t) -> bool:
        return readers.get(t, 0) == 1 and not t.op.control_inputs

    def conv_input(op, new_inputs, side):
        """The (fused) convolution feeding input `side` that may take one more fused op."""
        t = new_inputs[side]
        kind = t.op.type
        if not sole(op.inputs[side]) or t.dtype is not op.outputs[0].dtype or \
                t.shape != op.outputs[0].shape:
            return None
        if kind in PLAIN and const_value(t.op.inputs[1]) is not None:
            return t.op
        if kind in FUSED and not set(t.op.attrs["fused_ops"][-1:]) & set(ACTIVATIONS):
            return t.op
        return None

    def extended(op, conv, fused_op, arg, graph):
        if conv.type in PLAIN:
            attrs = fused_attrs(conv.attrs, [fused_op])
            kind, args = PLAIN[conv.type], []
        else:
            attrs = dict(conv.attrs, fused_ops=list(conv.attrs["fused_ops"]) + [fused_op])
            kind, args = conv.type, list(conv.inputs[2:])
        try:
            split_fused_ops(attrs["fused_ops"])
        except ValueError:
            return None  # (a second bias, an add after the activation: not TF's order)
        args += [arg] if arg is not None else []
        return _new(graph, op, kind, [conv.inputs[0], conv.inputs[1]] + args, attrs, conv)

    def visit(op, inputs, controls, graph):
        if controls:
            return None
        if op.type in PLAIN and const_value(inputs[1]) is not None and \
                op.inputs[0].op.type == "Pad":
            pads = _pad_of(op.inputs[0], op.inputs[0].op)
            x = inputs[0].op.inputs[0] if inputs[0].op.type == "Pad" else None
            f_shape = op.inputs[1].shape.as_tuple()
            pads = pads and x is not None and _combined_pads(
                op.attrs, x.shape.as_tuple(), f_shape, pads)
            if pads:
                return _new(graph, op, PLAIN[op.type], [x, inputs[1]],
                            fused_attrs(op.attrs, [], pads), op.inputs[0].op)
            return None
        if op.type in ACTIVATIONS:
            conv = conv_input(op, inputs, 0)
            return None if conv is None else extended(op, conv, op.type, None, graph)
        if op.type not in ("Add", "BiasAdd"):
            return None
        for side in ((0,) if op.type == "BiasAdd" else (0, 1)):
            conv = conv_input(op, inputs, side)
            if conv is None:
                continue
            other = inputs[1 - side]
            value = const_value(other)
            depth = op.outputs[0].shape.as_tuple()[-1]
            if value is not None and value.size == depth and \
                    (value.ndim == 1 or value.ndim == 4 and value.shape[:3] == (1, 1, 1)):
                bias = other if value.ndim == 1 else graph.create_op(
                    "Const", (), {"value": value.reshape(-1), "dtype": other.dtype},
                    name=exact_or_unique(graph, other.op.name + "/bias"), site=op.site,
                    original=(op,)).outputs[0]
                return extended(op, conv, "BiasAdd", bias, graph)
            if op.type != "BiasAdd" and other.shape == op.outputs[0].shape and \
                    other.dtype is op.outputs[0].dtype and other.shape.is_fully_defined():
                return extended(op, conv, "Add", other, graph)
        return None

    return rebuild(lowered, visit)
