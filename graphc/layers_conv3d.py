"""TF1's volumetric and separable class layers: Conv3D, Conv3DTranspose, SeparableConv1D,
SeparableConv2D, MaxPooling3D, AveragePooling3D (channels_last: NDHWC and NHWC), and
their functional forms (re-exported by graphc/layers.py).

Conv3D runs tf.nn.conv3d; the separable layers hold TF1's `depthwise_kernel`
[k..., in, depth_multiplier] and `pointwise_kernel` [1..., in * depth_multiplier, filters]
and run tf.nn.separable_conv2d (the 1-D form on a height-1 image, as TF1).
"""
from __future__ import annotations

from typing import Optional

from . import init_ops
from .ir.ops import conv3d_ops
from .ir.ops.array_ops import expand_dims, reshape, squeeze
from .layers_base import InputSpec
from .layers_conv import (_channels_last, _Conv, _padding, _pooling_class, _Transposed, _tuple,
                          transposed_init)
from .nn_conv import separable_conv2d as _separable_conv2d

__all__ = ["Conv3D", "Conv3DTranspose", "SeparableConv1D", "SeparableConv2D", "MaxPooling3D",
           "AveragePooling3D", "conv3d", "conv3d_transpose", "separable_conv1d",
           "separable_conv2d", "max_pooling3d", "average_pooling3d"]


class Conv3D(_Conv):
    """3-D convolution over NDHWC volumes (kernel [kd, kh, kw, in, filters])."""

    def __init__(self, filters, kernel_size, strides=(1, 1, 1), padding="valid",
                 data_format="channels_last", dilation_rate=(1, 1, 1), activation=None,
                 use_bias=True, kernel_initializer=None, bias_initializer=None,
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, trainable=True, name=None,
                 **kwargs) -> None:
        _channels_last(data_format, 3)
        super().__init__(3, filters, kernel_size, strides, padding, "channels_last",
                         dilation_rate, activation, use_bias, kernel_initializer,
                         bias_initializer, kernel_regularizer, bias_regularizer,
                         activity_regularizer, kernel_constraint, bias_constraint, trainable,
                         name, **kwargs)
        self.data_format = data_format

    def _convolve(self, inputs):
        return conv3d_ops.conv3d(inputs, self.kernel, [1, *self.strides, 1], self.padding,
                                 dilations=[1, *self.dilation_rate, 1])


class Conv3DTranspose(_Transposed, Conv3D):
    """The transpose of Conv3D (kernel [kd, kh, kw, filters, in]); each output side is
    `in * stride` ('same') or `in * stride + max(kernel - stride, 0)` ('valid')."""

    _transpose = staticmethod(conv3d_ops.conv3d_transpose)
    __init__ = transposed_init(3, Conv3D)
    __init__.__qualname__ = "Conv3DTranspose.__init__"


class _SeparableConv(_Conv):
    """A depthwise convolution (depth_multiplier per channel), then a pointwise one."""

    def __init__(self, rank, filters, kernel_size, strides, padding, data_format,
                 dilation_rate, depth_multiplier, activation, use_bias, depthwise_initializer,
                 pointwise_initializer, bias_initializer, depthwise_regularizer,
                 pointwise_regularizer, bias_regularizer, activity_regularizer,
                 depthwise_constraint, pointwise_constraint, bias_constraint, trainable, name,
                 **kwargs) -> None:
        super().__init__(rank, filters, kernel_size, strides, padding, data_format,
                         dilation_rate, activation, use_bias, None, bias_initializer, None,
                         bias_regularizer, activity_regularizer, None, bias_constraint,
                         trainable, name, **kwargs)
        self.depth_multiplier = int(depth_multiplier)
        self.depthwise_initializer, self.pointwise_initializer = (depthwise_initializer,
                                                                  pointwise_initializer)
        self.depthwise_regularizer, self.pointwise_regularizer = (depthwise_regularizer,
                                                                  pointwise_regularizer)
        self.depthwise_constraint, self.pointwise_constraint = (depthwise_constraint,
                                                                pointwise_constraint)

    def build(self, input_shape):
        channels = input_shape.as_tuple()[-1]
        if channels is None:
            raise ValueError("The channel dimension of the inputs should be defined. Found "
                             f"`None` (input shape {input_shape}).")
        glorot = init_ops.glorot_uniform_initializer()
        self.depthwise_kernel = self.add_weight(
            "depthwise_kernel", list(self.kernel_size) + [channels, self.depth_multiplier],
            initializer=self.depthwise_initializer or glorot,
            regularizer=self.depthwise_regularizer, constraint=self.depthwise_constraint)
        self.pointwise_kernel = self.add_weight(
            "pointwise_kernel", [1] * self.rank + [channels * self.depth_multiplier,
                                                   self.filters],
            initializer=self.pointwise_initializer or glorot,
            regularizer=self.pointwise_regularizer, constraint=self.pointwise_constraint)
        self.bias = self.add_weight(
            "bias", [self.filters], initializer=self.bias_initializer or
            init_ops.zeros_initializer(), regularizer=self.bias_regularizer,
            constraint=self.bias_constraint) if self.use_bias else None
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={-1: channels})
        self.built = True

    def _convolve(self, inputs):
        if self.rank == 2:
            return _separable_conv2d(inputs, self.depthwise_kernel, self.pointwise_kernel,
                                     [1, *self.strides, 1], self.padding,
                                     rate=list(self.dilation_rate))
        dw, pw = self.depthwise_kernel, self.pointwise_kernel
        out = _separable_conv2d(expand_dims(inputs, 1), reshape(dw, [1] + dw.shape.as_list()),
                                reshape(pw, [1] + pw.shape.as_list()),
                                [1, 1, self.strides[0], 1], self.padding,
                                rate=[1, self.dilation_rate[0]])
        return squeeze(out, [1])


def _separable_init(rank):
    one = 1 if rank == 1 else (1,) * rank  # (TF1's defaults: 1 for 1-D, tuples for 2-D)

    def __init__(self, filters, kernel_size, strides=one, padding="valid",
                 data_format="channels_last", dilation_rate=one, depth_multiplier=1,
                 activation=None, use_bias=True, depthwise_initializer=None,
                 pointwise_initializer=None, bias_initializer=None,
                 depthwise_regularizer=None, pointwise_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, depthwise_constraint=None,
                 pointwise_constraint=None, bias_constraint=None, trainable=True, name=None,
                 **kwargs) -> None:
        _SeparableConv.__init__(self, rank, filters, kernel_size, strides, padding,
                                data_format, dilation_rate, depth_multiplier, activation,
                                use_bias, depthwise_initializer, pointwise_initializer,
                                bias_initializer, depthwise_regularizer, pointwise_regularizer,
                                bias_regularizer, activity_regularizer, depthwise_constraint,
                                pointwise_constraint, bias_constraint, trainable, name,
                                **kwargs)
    return __init__


class SeparableConv1D(_SeparableConv):
    """Depthwise-separable 1-D convolution over [batch, width, channels]."""

    __init__ = _separable_init(1)
    __init__.__qualname__ = "SeparableConv1D.__init__"


class SeparableConv2D(_SeparableConv):
    """Depthwise-separable 2-D convolution over NHWC images."""

    __init__ = _separable_init(2)
    __init__.__qualname__ = "SeparableConv2D.__init__"


MaxPooling3D = _pooling_class("MaxPooling3D", 3, conv3d_ops.max_pool3d,
                              "Max pooling over NDHWC volumes.", __name__)
AveragePooling3D = _pooling_class("AveragePooling3D", 3, conv3d_ops.avg_pool3d,
                                  "Average pooling over NDHWC volumes.", __name__)


# ------------------------------------------------------------------ functional forms
def conv3d(inputs, filters: int, kernel_size, strides=(1, 1, 1), padding: str = "valid",
           data_format: str = "channels_last", dilation_rate=(1, 1, 1), activation=None,
           use_bias: bool = True, kernel_initializer=None, bias_initializer=None,
           kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
           kernel_constraint=None, bias_constraint=None, trainable: bool = True,
           name: Optional[str] = None, reuse=None):
    """TF1 `tf.layers.conv3d` (NDHWC)."""
    return Conv3D(filters, kernel_size, strides, padding, data_format, dilation_rate,
                  activation, use_bias, kernel_initializer, bias_initializer,
                  kernel_regularizer, bias_regularizer, activity_regularizer,
                  kernel_constraint, bias_constraint, trainable, name, _scope=name,
                  _reuse=reuse)(inputs)


def conv3d_transpose(inputs, filters: int, kernel_size, strides=(1, 1, 1),
                     padding: str = "valid", data_format: str = "channels_last",
                     activation=None, use_bias: bool = True, kernel_initializer=None,
                     bias_initializer=None, kernel_regularizer=None, bias_regularizer=None,
                     activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                     trainable: bool = True, name: Optional[str] = None, reuse=None):
    """TF1 `tf.layers.conv3d_transpose` (NDHWC; kernel [kd, kh, kw, filters, in])."""
    return Conv3DTranspose(filters, kernel_size, strides, padding, data_format, activation,
                           use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
                           bias_regularizer, activity_regularizer, kernel_constraint,
                           bias_constraint, trainable, name, _scope=name,
                           _reuse=reuse)(inputs)


def _separable(cls, args: dict):
    """Build the separable layer `cls` from a functional form's arguments and call it."""
    args = dict(args)
    inputs, reuse = args.pop("inputs"), args.pop("reuse")
    return cls(**args, _scope=args["name"], _reuse=reuse)(inputs)


def separable_conv1d(inputs, filters: int, kernel_size, strides=1, padding: str = "valid",
                     data_format: str = "channels_last", dilation_rate=1,
                     depth_multiplier: int = 1, activation=None, use_bias: bool = True,
                     depthwise_initializer=None, pointwise_initializer=None,
                     bias_initializer=None, depthwise_regularizer=None,
                     pointwise_regularizer=None, bias_regularizer=None,
                     activity_regularizer=None, depthwise_constraint=None,
                     pointwise_constraint=None, bias_constraint=None, trainable: bool = True,
                     name: Optional[str] = None, reuse=None):
    """TF1 `tf.layers.separable_conv1d` over [batch, width, channels]."""
    return _separable(SeparableConv1D, locals())


def separable_conv2d(inputs, filters: int, kernel_size, strides=(1, 1), padding: str = "valid",
                     data_format: str = "channels_last", dilation_rate=(1, 1),
                     depth_multiplier: int = 1, activation=None, use_bias: bool = True,
                     depthwise_initializer=None, pointwise_initializer=None,
                     bias_initializer=None, depthwise_regularizer=None,
                     pointwise_regularizer=None, bias_regularizer=None,
                     activity_regularizer=None, depthwise_constraint=None,
                     pointwise_constraint=None, bias_constraint=None, trainable: bool = True,
                     name: Optional[str] = None, reuse=None):
    """TF1 `tf.layers.separable_conv2d` (NHWC)."""
    return _separable(SeparableConv2D, locals())


def max_pooling3d(inputs, pool_size, strides, padding: str = "valid",
                  data_format: str = "channels_last", name: Optional[str] = None):
    """TF1 `tf.layers.max_pooling3d` (NDHWC)."""
    return MaxPooling3D(pool_size, strides, padding, data_format, name)(inputs)


def average_pooling3d(inputs, pool_size, strides, padding: str = "valid",
                      data_format: str = "channels_last", name: Optional[str] = None):
    """TF1 `tf.layers.average_pooling3d` (NDHWC)."""
    return AveragePooling3D(pool_size, strides, padding, data_format, name)(inputs)

