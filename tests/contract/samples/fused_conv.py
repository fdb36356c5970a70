"""Contract samples for the fused convolutions (normally made by passes/fuse_conv.py from
frozen models, built here by hand): explicit padding, bias, residual add, activations."""
import numpy as np

from graphc.ir.ops import core_ops
from graphc.ir.ops._base import apply
from graphc.ir.ops.fused_conv_ops import fused_attrs

ph = core_ops.placeholder
R = np.random.RandomState(0)


def _fused(kind, x_shape, w_shape, strides, padding, fused_ops, pads=None, dtype="float32"):
    x = ph(dtype, list(x_shape))
    w = core_ops.constant(R.randn(*w_shape).astype(dtype))
    depth = w_shape[3] if kind == "_FusedConv2D" else w_shape[2] * w_shape[3]
    attrs = fused_attrs({"strides": [1, *strides, 1], "padding": padding}, fused_ops, pads)
    args, feed = [], {x: R.randn(*x_shape).astype(dtype)}
    y = None
    for op in fused_ops:
        if op == "BiasAdd":
            args.append(core_ops.constant(R.randn(depth).astype(dtype)))
        elif op == "Add":
            y = y if y is not None else apply(kind, [x, w] + args, dict(
                attrs, fused_ops=[o for o in fused_ops if o == "BiasAdd"]))
            addend = ph(dtype, y.shape.as_list())
            feed[addend] = R.randn(*y.shape.as_list()).astype(dtype)
            args.append(addend)
    return apply(kind, [x, w] + args, attrs), feed


SAMPLES = {
    "_FusedConv2D": [
        lambda: _fused("_FusedConv2D", (2, 7, 6, 5), (3, 3, 5, 9), (2, 2), "VALID",
                       ["BiasAdd", "Relu6"], pads=((1, 1), (0, 1))),
        lambda: _fused("_FusedConv2D", (1, 5, 5, 2), (3, 3, 2, 4), (1, 1), "SAME",
                       ["BiasAdd", "Add", "Relu"], dtype="float64"),
        lambda: _fused("_FusedConv2D", (2, 6, 6, 12), (1, 1, 12, 10), (1, 1), "SAME",
                       ["BiasAdd"]),
    ],
    "_FusedDepthwiseConv2dNative": [
        lambda: _fused("_FusedDepthwiseConv2dNative", (2, 9, 8, 11), (3, 3, 11, 1), (2, 2),
                       "VALID", ["BiasAdd", "Relu6"], pads=((0, 1), (0, 1))),
        lambda: _fused("_FusedDepthwiseConv2dNative", (1, 5, 6, 3), (3, 3, 3, 2), (1, 1),
                       "SAME", ["Relu"], dtype="float64"),
    ],
}
