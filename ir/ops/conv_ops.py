"""Convolution and pooling ops (NHWC, TF1's SAME/VALID padding, strides, dilations).

Conv2D                      out = patches(input) @ filter              [N,OH,OW,M]
Conv2DBackpropInput         the gradient for the input (tf.nn.conv2d_transpose)
Conv2DBackpropFilter        the gradient for the filter
DepthwiseConv2dNative       per-channel filters, channel multiplier M  [N,OH,OW,C*M]
  ...BackpropInput/Filter   their gradients
MaxPool, AvgPool            windows; AvgPool averages the in-bounds elements only (TF1)
MaxPoolGrad, AvgPoolGrad    their gradients

The window geometry, im2col, the shape inference and the numpy semantics of the plain
convolutions and of pooling are conv_geometry's, written once for any number of spatial
dims (conv3d_ops registers the same for 3-D); the depthwise convolutions, 2-D only, are
here. VJP rules follow TF1's; the backprop ops have VJPs of their own (they are
convolutions again), so second derivatives of convolutions work.
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from .. import dtypes as dt
from ..errors import InvalidArgumentError
from ..registry import NON_DIFFERENTIABLE
from ._base import apply, convert_to_tensor, defop, static_int_list
from .conv_geometry import (avg_pool_grad, avg_pool_grad_infer, backprop_filter_infer,
                            backprop_input_infer, check_out, col2im, conv_attrs,
                            conv_backprop_filter, conv_backprop_input, conv_compute,
                            conv_infer, filter_arg, geometry, max_pool_grad,
                            max_pool_grad_infer, patches, pool_attrs, pool_infer,
                            pool_vjp_rules, required, sizes, vjp_rules)
from .conv_geometry import avg_pool as _avg_pool
from .conv_geometry import max_pool as _max_pool

RANK = 2  # spatial dims (height, width) of NHWC


# ---------------------------------------------------------------- Conv2D family
_VJPS = vjp_rules("Conv2D", "Conv2DBackpropInput", "Conv2DBackpropFilter")
defop("Conv2D", conv_infer(RANK), conv_compute, _VJPS[0], family="conv")
defop("Conv2DBackpropInput", backprop_input_infer(RANK), conv_backprop_input, _VJPS[1],
      family="conv")
defop("Conv2DBackpropFilter", backprop_filter_infer(RANK), conv_backprop_filter, _VJPS[2],
      family="conv")


def conv2d(input, filter=None, strides=None, padding=None, use_cudnn_on_gpu=True,
           data_format="NHWC", dilations=(1, 1, 1, 1), name: Optional[str] = None,
           filters=None):  # noqa: A002 - TF1's names
    """TF1 `tf.nn.conv2d` (`use_cudnn_on_gpu` is a GPU hint, ignored)."""
    filter = filter_arg("conv2d", filter, filters)
    required("conv2d", strides=strides, padding=padding)
    x = convert_to_tensor(input)
    f = convert_to_tensor(filter, dtype=x.dtype)
    return apply("Conv2D", (x, f), conv_attrs(strides, padding, dilations, data_format, RANK),
                 name=name or "Conv2D")


def conv2d_backprop_input(input_sizes, filter=None, out_backprop=None, strides=None,
                          padding=None, use_cudnn_on_gpu=True, data_format="NHWC",
                          dilations=(1, 1, 1, 1), name=None, filters=None):  # noqa: A002
    filter = filter_arg("conv2d_backprop_input", filter, filters)
    required("conv2d_backprop_input", out_backprop=out_backprop, strides=strides,
             padding=padding)
    sizes_t = convert_to_tensor(input_sizes, dtype=dt.int32)
    f = convert_to_tensor(filter)
    dy = convert_to_tensor(out_backprop, dtype=f.dtype)
    return apply("Conv2DBackpropInput", (sizes_t, f, dy),
                 conv_attrs(strides, padding, dilations, data_format, RANK),
                 name=name or "Conv2DBackpropInput")


def conv2d_backprop_filter(input, filter_sizes, out_backprop, strides, padding,
                           use_cudnn_on_gpu=True, data_format="NHWC", dilations=(1, 1, 1, 1),
                           name=None):  # noqa: A002
    x = convert_to_tensor(input)
    sizes_t = convert_to_tensor(filter_sizes, dtype=dt.int32)
    dy = convert_to_tensor(out_backprop, dtype=x.dtype)
    return apply("Conv2DBackpropFilter", (x, sizes_t, dy),
                 conv_attrs(strides, padding, dilations, data_format, RANK),
                 name=name or "Conv2DBackpropFilter")


def conv2d_transpose(value=None, filter=None, output_shape=None, strides=None, padding="SAME",
                     data_format="NHWC", name=None, input=None, filters=None,
                     dilations=None):  # noqa: A002
    """TF1 `tf.nn.conv2d_transpose`: the gradient of conv2d with respect to its input
    (`input` and `filters` are TF2's spellings of `value` and `filter`)."""
    if (value is None) == (input is None):
        raise ValueError("conv2d_transpose takes value (or its alias input), exactly one")
    required("conv2d_transpose", output_shape=output_shape, strides=strides)
    return conv2d_backprop_input(output_shape, filter_arg("conv2d_transpose", filter, filters),
                                 value if input is None else input, strides, padding,
                                 data_format=data_format, dilations=dilations,
                                 name=name or "conv2d_transpose")


# ---------------------------------------------------------------- depthwise
def depthwise_compute(x, f, **attrs):
    """DepthwiseConv2dNative's numpy semantics (also _FusedDepthwiseConv2dNative's
    convolution, fused_conv_ops)."""
    if x.shape[3] != f.shape[2]:
        raise InvalidArgumentError(None, None, f"input depth {x.shape[3]} does not match the "
                                   f"filter's in_channels {f.shape[2]}")
    g = geometry(attrs, x.shape[1:3], f.shape[:2])
    p = patches(x, g)                                  # [N, OH, OW, KH, KW, C]
    out = np.einsum("nhwijc,ijcm->nhwcm", p, f)
    return out.reshape(x.shape[0], *g.out, -1).astype(x.dtype, copy=False)


def _depthwise_backprop_input(sizes_v, f, dy, **attrs):
    shape = sizes(sizes_v, "input_sizes", RANK)
    g = geometry(attrs, shape[1:3], f.shape[:2])
    check_out(dy.shape, shape[0], g, f.shape[2] * f.shape[3])
    d = dy.reshape(shape[0], *g.out, f.shape[2], f.shape[3])
    cols = np.einsum("nhwcm,ijcm->nhwijc", d, f)
    return col2im(cols, shape, g).astype(f.dtype, copy=False)


def _depthwise_backprop_filter(x, sizes_v, dy, **attrs):
    shape = sizes(sizes_v, "filter_sizes", RANK)
    g = geometry(attrs, x.shape[1:3], shape[:2])
    check_out(dy.shape, x.shape[0], g, shape[2] * shape[3])
    d = dy.reshape(x.shape[0], *g.out, shape[2], shape[3])
    return np.einsum("nhwijc,nhwcm->ijcm", patches(x, g), d).astype(x.dtype, copy=False)


_DW_VJPS = vjp_rules("DepthwiseConv2dNative", "DepthwiseConv2dNativeBackpropInput",
                     "DepthwiseConv2dNativeBackpropFilter")
defop("DepthwiseConv2dNative", conv_infer(RANK, depthwise=True), depthwise_compute,
      _DW_VJPS[0], family="conv")
defop("DepthwiseConv2dNativeBackpropInput", backprop_input_infer(RANK),
      _depthwise_backprop_input, _DW_VJPS[1], family="conv")
defop("DepthwiseConv2dNativeBackpropFilter", backprop_filter_infer(RANK),
      _depthwise_backprop_filter, _DW_VJPS[2], family="conv")


def depthwise_conv2d(input, filter, strides, padding, rate=None, name=None,
                     data_format=None, dilations=None):  # noqa: A002 - TF1's names
    """TF1 `tf.nn.depthwise_conv2d` (rate = dilation)."""
    x = convert_to_tensor(input)
    f = convert_to_tensor(filter, dtype=x.dtype)
    if rate is not None and dilations is None:
        r = static_int_list(rate, "rate")
        dilations = [1, r[0], r[1], 1] if len(r) == 2 else [1, r[0], r[0], 1]
    return apply("DepthwiseConv2dNative", (x, f),
                 conv_attrs(strides, padding, dilations, data_format, RANK),
                 name=name or "depthwise")


# ---------------------------------------------------------------- pooling
_POOL_VJPS = pool_vjp_rules("MaxPool", "MaxPoolGrad", "AvgPool", "AvgPoolGrad")
defop("MaxPool", pool_infer(RANK), _max_pool, _POOL_VJPS[0], family="conv")
defop("AvgPool", pool_infer(RANK), _avg_pool, _POOL_VJPS[1], family="conv")
defop("MaxPoolGrad", max_pool_grad_infer, max_pool_grad, NON_DIFFERENTIABLE, family="conv")
defop("AvgPoolGrad", avg_pool_grad_infer(RANK), avg_pool_grad, _POOL_VJPS[2], family="conv")


def max_pool(value, ksize, strides, padding, data_format="NHWC", name=None, input=None):  # noqa: A002
    x = convert_to_tensor(value if value is not None else input)
    return apply("MaxPool", (x,), pool_attrs(ksize, strides, padding, data_format, RANK),
                 name=name or "MaxPool")


def avg_pool(value, ksize, strides, padding, data_format="NHWC", name=None, input=None):  # noqa: A002
    x = convert_to_tensor(value if value is not None else input)
    return apply("AvgPool", (x,), pool_attrs(ksize, strides, padding, data_format, RANK),
                 name=name or "AvgPool")
