"""3-D convolution and pooling (NDHWC, TF1's SAME/VALID padding, strides, dilations).

Conv3D                    [N, D, H, W, C] * [KD, KH, KW, C, M] -> [N, OD, OH, OW, M]
Conv3DBackpropInputV2     its gradient for the input (tf.nn.conv3d_transpose)
Conv3DBackpropFilterV2    its gradient for the filter
MaxPool3D, AvgPool3D      windows; AvgPool3D averages the in-bounds elements only (TF1)
MaxPool3DGrad, AvgPool3DGrad  their gradients

The geometry, shape inference, numpy semantics (im2col: the padded windows as a
[N*OD*OH*OW, KD*KH*KW*C] matrix, one matmul) and VJP rules are conv_geometry's, the same
code the 2-D ops register (the backprop ops are convolutions again, so second derivatives
work).
The llvm backend runs these through their numpy kernels (listed in the README).
"""
from __future__ import annotations

from typing import Optional

from .. import dtypes as dt
from ..registry import NON_DIFFERENTIABLE
from ._base import apply, convert_to_tensor, defop
from .conv_geometry import (avg_pool, avg_pool_grad, avg_pool_grad_infer,
                            backprop_filter_infer, backprop_input_infer, conv_attrs,
                            conv_backprop_filter, conv_backprop_input, conv_compute,
                            conv_infer, filter_arg, max_pool, max_pool_grad,
                            max_pool_grad_infer, pool_attrs, pool_infer, pool_vjp_rules,
                            required, vjp_rules)

RANK = 3  # spatial dims (depth, height, width) of NDHWC


# ---------------------------------------------------------------- Conv3D family
_VJPS = vjp_rules("Conv3D", "Conv3DBackpropInputV2", "Conv3DBackpropFilterV2")
defop("Conv3D", conv_infer(RANK), conv_compute, _VJPS[0], family="conv")
defop("Conv3DBackpropInputV2", backprop_input_infer(RANK), conv_backprop_input, _VJPS[1],
      family="conv")
defop("Conv3DBackpropFilterV2", backprop_filter_infer(RANK), conv_backprop_filter,
      _VJPS[2], family="conv")


def _attrs(strides, padding, dilations, data_format) -> dict:
    return conv_attrs(strides, padding, dilations, data_format, RANK)


def conv3d(input, filter=None, strides=None, padding=None, data_format="NDHWC",
           dilations=(1, 1, 1, 1, 1), name: Optional[str] = None,
           filters=None):  # noqa: A002 - TF1's names
    """TF1 `tf.nn.conv3d`."""
    filter = filter_arg("conv3d", filter, filters)
    required("conv3d", strides=strides, padding=padding)
    x = convert_to_tensor(input)
    f = convert_to_tensor(filter, dtype=x.dtype)
    return apply("Conv3D", (x, f), _attrs(strides, padding, dilations, data_format),
                 name=name or "Conv3D")


def conv3d_backprop_filter(input, filter_sizes, out_backprop, strides, padding,
                           data_format="NDHWC", dilations=(1, 1, 1, 1, 1),
                           name: Optional[str] = None):  # noqa: A002 - TF1's names
    """TF1 `tf.nn.conv3d_backprop_filter` (also `..._v2`)."""
    x = convert_to_tensor(input)
    sizes = convert_to_tensor(filter_sizes, dtype=dt.int32)
    dy = convert_to_tensor(out_backprop, dtype=x.dtype)
    return apply("Conv3DBackpropFilterV2", (x, sizes, dy),
                 _attrs(strides, padding, dilations, data_format),
                 name=name or "Conv3DBackpropFilterV2")


def conv3d_backprop_filter_v2(input, filter_sizes, out_backprop, strides, padding,
                              data_format="NDHWC", dilations=(1, 1, 1, 1, 1),
                              name: Optional[str] = None):  # noqa: A002 - TF1's names
    """TF1 `tf.nn.conv3d_backprop_filter_v2`."""
    return conv3d_backprop_filter(input, filter_sizes, out_backprop, strides, padding,
                                  data_format, dilations, name)


def conv3d_transpose(value, filter=None, output_shape=None, strides=None, padding="SAME",
                     data_format="NDHWC", name=None, input=None, filters=None,
                     dilations=None):  # noqa: A002 - TF1's names
    """TF1 `tf.nn.conv3d_transpose`: the gradient of conv3d for its input."""
    if (value is None) == (input is None):
        raise ValueError("conv3d_transpose takes value (or its alias input), exactly one")
    required("conv3d_transpose", output_shape=output_shape, strides=strides)
    f = convert_to_tensor(filter_arg("conv3d_transpose", filter, filters))
    dy = convert_to_tensor(value if input is None else input, dtype=f.dtype)
    sizes = convert_to_tensor(output_shape, dtype=dt.int32)
    return apply("Conv3DBackpropInputV2", (sizes, f, dy),
                 _attrs(strides, padding, dilations, data_format),
                 name=name or "conv3d_transpose")


# ---------------------------------------------------------------- 3-D pooling
_POOL_VJPS = pool_vjp_rules("MaxPool3D", "MaxPool3DGrad", "AvgPool3D", "AvgPool3DGrad")
defop("MaxPool3D", pool_infer(RANK), max_pool, _POOL_VJPS[0], family="conv")
defop("AvgPool3D", pool_infer(RANK), avg_pool, _POOL_VJPS[1], family="conv")
defop("MaxPool3DGrad", max_pool_grad_infer, max_pool_grad, NON_DIFFERENTIABLE,
      family="conv")
defop("AvgPool3DGrad", avg_pool_grad_infer(RANK), avg_pool_grad, _POOL_VJPS[2],
      family="conv")


def _pool(op_type: str, input, ksize, strides, padding, data_format, name):  # noqa: A002
    attrs = pool_attrs(ksize, strides, padding, data_format, RANK)
    return apply(op_type, (convert_to_tensor(input),), attrs, name=name or op_type)


def max_pool3d(input, ksize, strides, padding, data_format="NDHWC",
               name: Optional[str] = None):  # noqa: A002 - TF1's names
    """TF1 `tf.nn.max_pool3d`."""
    return _pool("MaxPool3D", input, ksize, strides, padding, data_format, name)


def avg_pool3d(input, ksize, strides, padding, data_format="NDHWC",
               name: Optional[str] = None):  # noqa: A002 - TF1's names
    """TF1 `tf.nn.avg_pool3d`."""
    return _pool("AvgPool3D", input, ksize, strides, padding, data_format, name)
