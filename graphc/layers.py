"""`tf.layers`: TF1's class layers and their functional forms.

Each functional form builds its class layer (graphc/layers_core.py, graphc/layers_conv.py,
base class in graphc/layers_base.py) and calls it once, as TF1's do: it opens a variable
scope named after the layer (`dense`, `dense_1`, ... or `name`), creates ordinary variables
with `get_variable` (`kernel`, `bias`; glorot-uniform kernels as TF1), and returns the
output tensor. `reuse=True` (or an AUTO_REUSE scope) shares the variables.

`dropout` and `batch_normalization` take `training` as a Python bool or a boolean tensor;
with a tensor they branch with `tf.cond` (TF1's smart_cond), so a fed `False` runs the
inference path only. batch_normalization's moving-average updates go to the UPDATE_OPS
collection, as in TF1: run them with the train op (`tf.control_dependencies`).
"""
from __future__ import annotations

from typing import Optional

from .layers_base import InputSpec, Layer
from .layers_conv import (AveragePooling1D, AveragePooling2D, Conv1D, Conv2D,
                          Conv2DTranspose, MaxPooling1D, MaxPooling2D)
from .layers_core import BatchNormalization, Dense, Dropout, Flatten
from .layers_conv3d import (AveragePooling3D, Conv3D, Conv3DTranspose, MaxPooling3D,  # noqa: F401
                            SeparableConv1D, SeparableConv2D, average_pooling3d, conv3d,
                            conv3d_transpose, max_pooling3d, separable_conv1d,
                            separable_conv2d)

__all__ = ["InputSpec", "Layer", "AveragePooling1D", "AveragePooling2D", "Conv1D", "Conv2D",
           "Conv2DTranspose", "MaxPooling1D", "MaxPooling2D", "BatchNormalization", "Dense",
           "Dropout", "Flatten", "average_pooling1d", "average_pooling2d",
           "batch_normalization", "conv1d", "conv2d", "conv2d_transpose", "dense", "dropout",
           "flatten", "max_pooling1d", "max_pooling2d", "AveragePooling3D", "Conv3D",
           "Conv3DTranspose", "MaxPooling3D", "SeparableConv1D", "SeparableConv2D",
           "average_pooling3d", "conv3d", "conv3d_transpose", "max_pooling3d",
           "separable_conv1d", "separable_conv2d"]


def dense(inputs, units: int, activation=None, use_bias: bool = True,
          kernel_initializer=None, bias_initializer=None, kernel_regularizer=None,
          bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
          bias_constraint=None, trainable: bool = True, name: Optional[str] = None,
          reuse=None):
    """TF1 `tf.layers.dense`: activation(inputs @ kernel + bias) over the last axis."""
    return Dense(units, activation, use_bias, kernel_initializer, bias_initializer,
                 kernel_regularizer, bias_regularizer, activity_regularizer,
                 kernel_constraint, bias_constraint, trainable, name, _scope=name,
                 _reuse=reuse)(inputs)


def conv1d(inputs, filters: int, kernel_size, strides=1, padding: str = "valid",
           data_format: str = "channels_last", dilation_rate=1, activation=None,
           use_bias: bool = True, kernel_initializer=None, bias_initializer=None,
           kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
           kernel_constraint=None, bias_constraint=None, trainable: bool = True,
           name: Optional[str] = None, reuse=None):
    """TF1 `tf.layers.conv1d` over [batch, width, channels]."""
    return Conv1D(filters, kernel_size, strides, padding, data_format, dilation_rate,
                  activation, use_bias, kernel_initializer, bias_initializer,
                  kernel_regularizer, bias_regularizer, activity_regularizer,
                  kernel_constraint, bias_constraint, trainable, name, _scope=name,
                  _reuse=reuse)(inputs)


def conv2d(inputs, filters: int, kernel_size, strides=(1, 1), padding: str = "valid",
           data_format: str = "channels_last", dilation_rate=(1, 1), activation=None,
           use_bias: bool = True, kernel_initializer=None, bias_initializer=None,
           kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
           kernel_constraint=None, bias_constraint=None, trainable: bool = True,
           name: Optional[str] = None, reuse=None):
    """TF1 `tf.layers.conv2d` (NHWC)."""
    return Conv2D(filters, kernel_size, strides, padding, data_format, dilation_rate,
                  activation, use_bias, kernel_initializer, bias_initializer,
                  kernel_regularizer, bias_regularizer, activity_regularizer,
                  kernel_constraint, bias_constraint, trainable, name, _scope=name,
                  _reuse=reuse)(inputs)


def conv2d_transpose(inputs, filters: int, kernel_size, strides=(1, 1), padding: str = "valid",
                     data_format: str = "channels_last", activation=None, use_bias: bool = True,
                     kernel_initializer=None, bias_initializer=None, kernel_regularizer=None,
                     bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                     bias_constraint=None, trainable: bool = True, name: Optional[str] = None,
                     reuse=None):
    """TF1 `tf.layers.conv2d_transpose` (NHWC): tf.nn.conv2d_transpose with a kernel of
    shape [kh, kw, filters, in_channels]."""
    return Conv2DTranspose(filters, kernel_size, strides, padding, data_format, activation,
                           use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
                           bias_regularizer, activity_regularizer, kernel_constraint,
                           bias_constraint, trainable, name, _scope=name,
                           _reuse=reuse)(inputs)


def max_pooling1d(inputs, pool_size, strides, padding: str = "valid",
                  data_format: str = "channels_last", name: Optional[str] = None):
    return MaxPooling1D(pool_size, strides, padding, data_format, name)(inputs)


def max_pooling2d(inputs, pool_size, strides, padding: str = "valid",
                  data_format: str = "channels_last", name: Optional[str] = None):
    return MaxPooling2D(pool_size, strides, padding, data_format, name)(inputs)


def average_pooling1d(inputs, pool_size, strides, padding: str = "valid",
                      data_format: str = "channels_last", name: Optional[str] = None):
    return AveragePooling1D(pool_size, strides, padding, data_format, name)(inputs)


def average_pooling2d(inputs, pool_size, strides, padding: str = "valid",
                      data_format: str = "channels_last", name: Optional[str] = None):
    return AveragePooling2D(pool_size, strides, padding, data_format, name)(inputs)


def flatten(inputs, name: Optional[str] = None, data_format: str = "channels_last"):
    """[batch, d1, d2, ...] -> [batch, d1 * d2 * ...]."""
    return Flatten(data_format=data_format, name=name)(inputs)


def dropout(inputs, rate: float = 0.5, noise_shape=None, seed=None, training=False,
            name: Optional[str] = None):
    """TF1 `tf.layers.dropout`: drops `rate` of the inputs while `training` (a bool or a
    boolean tensor), scaling the rest by 1 / (1 - rate)."""
    return Dropout(rate, noise_shape, seed, name)(inputs, training=training)


def batch_normalization(inputs, axis: int = -1, momentum: float = 0.99,
                        epsilon: float = 1e-3, center: bool = True, scale: bool = True,
                        beta_initializer=None, gamma_initializer=None,
                        moving_mean_initializer=None, moving_variance_initializer=None,
                        beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                        gamma_constraint=None, training=False, trainable: bool = True,
                        name: Optional[str] = None, reuse=None, renorm: bool = False,
                        renorm_clipping=None, renorm_momentum: float = 0.99, fused=None,
                        virtual_batch_size=None, adjustment=None):
    """TF1 `tf.layers.batch_normalization` over `axis` (see BatchNormalization)."""
    layer = BatchNormalization(axis, momentum, epsilon, center, scale, beta_initializer,
                               gamma_initializer, moving_mean_initializer,
                               moving_variance_initializer, beta_regularizer,
                               gamma_regularizer, beta_constraint, gamma_constraint, renorm,
                               renorm_clipping, renorm_momentum, fused, trainable,
                               virtual_batch_size, adjustment, name, _scope=name, _reuse=reuse)
    return layer(inputs, training=training)
