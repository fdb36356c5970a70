"""Fused convolutions (TF's grappler names): a convolution with its explicit padding, bias
add, residual add and activation in one op, as the inference pass passes/fuse_conv.py
makes them from frozen models.

_FusedConv2D                 act(conv(pad(x), W) + bias + addend)     [N,OH,OW,M]
_FusedDepthwiseConv2dNative  the same around a depthwise convolution  [N,OH,OW,C*M]

Inputs (input, filter, args...): `args` holds what `fused_ops` (TF's attr) consumes in
order: "BiasAdd" a [M] vector, "Add" a tensor of the output's shape; "Relu" and
"Relu6" take nothing and must come last. `padding` is "SAME", "VALID" or "EXPLICIT"
with TF's `explicit_paddings` ([0, 0, top, bottom, left, right, 0, 0]). The numpy
semantics compose the ops' own (Pad, Conv2D/DepthwiseConv2dNative, Add, Relu, Relu6),
so the fused op computes exactly what the unfused graph does. Inference-only: the pass
fuses only constant filters (frozen models), after gradients are built, so the ops
are not differentiable.
"""
from __future__ import annotations

import numpy as np

from .. import dtypes as dt
from ..registry import NON_DIFFERENTIABLE, get_opdef
from ..shapes import TensorShape
from ._base import check_dtype, defop
from .conv_geometry import conv_compute, geometry
from .conv_ops import depthwise_compute

ACTIVATIONS = ("Relu", "Relu6")
CONVS = {"_FusedConv2D": "Conv2D", "_FusedDepthwiseConv2dNative": "DepthwiseConv2dNative"}


def explicit_pads(attrs) -> tuple:
    """((top, bottom), (left, right)) of an EXPLICIT padding."""
    p = [int(v) for v in attrs.get("explicit_paddings") or ()]
    if len(p) != 8 or p[0] or p[1] or p[6] or p[7] or min(p) < 0:
        raise ValueError(f"explicit_paddings must be [0, 0, top, bottom, left, right, 0, 0] "
                         f"of non-negative sizes, got {p}")
    return (p[2], p[3]), (p[4], p[5])


def split_fused_ops(fused_ops) -> tuple:
    """(ops taking an arg, the activation or None); refuses an order TF does not make."""
    ops = list(fused_ops)
    act = ops.pop() if ops and ops[-1] in ACTIVATIONS else None
    if ops not in ([], ["BiasAdd"], ["Add"], ["BiasAdd", "Add"]):
        raise ValueError(f"fused_ops must be [BiasAdd] [Add] [Relu|Relu6] in this order, "
                         f"got {list(fused_ops)}")
    return ops, act


def _conv_attrs_of(attrs) -> dict:
    """The plain convolution's attrs (EXPLICIT becomes VALID on the padded input)."""
    padding = attrs["padding"]
    return {"strides": list(attrs["strides"]), "dilations": list(attrs["dilations"]),
            "data_format": "NHWC", "padding": "VALID" if padding == "EXPLICIT" else padding}


def _infer(op):
    x, f, *args = op.inputs
    a = op.attrs
    check_dtype(op, x, dt.FLOATS)
    if a["padding"] not in ("SAME", "VALID", "EXPLICIT"):
        raise ValueError(f"padding must be SAME, VALID or EXPLICIT, got {a['padding']!r}")
    if a.get("data_format", "NHWC") != "NHWC":
        raise ValueError("only data_format='NHWC' is supported (as TF1 on the CPU)")
    takes, _ = split_fused_ops(a["fused_ops"])
    if len(args) != len(takes):
        raise ValueError(f"fused_ops {list(a['fused_ops'])} take {len(takes)} args, got "
                         f"{len(args)}")
    for t in [f] + args:
        if t.dtype is not x.dtype:
            raise TypeError(f"input is {x.dtype.name} but '{t.name}' is {t.dtype.name}")
    xd, fd = x.shape.as_tuple(), f.shape.as_tuple()
    if xd is None or len(xd) != 4 or fd is None or len(fd) != 4 or None in fd:
        raise ValueError(f"input must be rank 4 and the filter of known shape, got "
                         f"{x.shape} and {f.shape}")
    n, h, w, c = xd
    if c is not None and c != fd[2]:
        raise ValueError(f"input depth {c} does not match the filter's in_channels {fd[2]}")
    if a["padding"] == "EXPLICIT":
        (t, b), (left, r) = explicit_pads(a)
        h = None if h is None else h + t + b
        w = None if w is None else w + left + r
    g = geometry(_conv_attrs_of(a), (h, w), fd[:2], op.name)
    if 0 in g.out:
        raise ValueError(f"the filter ({fd[0]}x{fd[1]}) is larger than the padded input "
                         f"({h}x{w})")
    depth = fd[3] if op.type == "_FusedConv2D" else fd[2] * fd[3]
    out = TensorShape([n, *g.out, depth])
    for kind, t in zip(takes, args):
        want = TensorShape([depth]) if kind == "BiasAdd" else out
        if not t.shape.is_compatible_with(want):
            raise ValueError(f"the {kind} arg '{t.name}' must have shape {want}, got "
                             f"{t.shape}")
    return [(x.dtype, out)]


def _compute(conv):
    def compute(x, f, *args, **attrs):
        if attrs["padding"] == "EXPLICIT":
            (t, b), (left, r) = explicit_pads(attrs)
            x = get_opdef("Pad").compute(x, paddings=((0, 0), (t, b), (left, r), (0, 0)),
                                         constant_values=np.zeros((), x.dtype))
        y = conv(x, f, **_conv_attrs_of(attrs))
        takes, act = split_fused_ops(attrs["fused_ops"])
        add = get_opdef("Add").compute
        for arg in args:
            y = add(y, arg)
        return y if act is None else get_opdef(act).compute(y)
    return compute


def fused_attrs(conv_attrs, fused_ops, paddings=None) -> dict:
    """A fused op's attrs from its convolution's: `paddings` ((top, bottom), (left,
    right)) makes the padding EXPLICIT."""
    attrs = {"strides": list(conv_attrs["strides"]), "padding": conv_attrs["padding"],
             "dilations": list(conv_attrs.get("dilations") or [1, 1, 1, 1]),
             "data_format": "NHWC", "explicit_paddings": [], "fused_ops": list(fused_ops)}
    if paddings is not None:
        (t, b), (left, r) = paddings
        attrs.update(padding="EXPLICIT", explicit_paddings=[0, 0, t, b, left, r, 0, 0])
    return attrs


defop("_FusedConv2D", _infer, _compute(conv_compute), NON_DIFFERENTIABLE, family="conv")
defop("_FusedDepthwiseConv2dNative", _infer, _compute(depthwise_compute),
      NON_DIFFERENTIABLE, family="conv")
