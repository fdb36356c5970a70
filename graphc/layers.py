"""`tf.layers`: the functional layer builders TF1 programs use. Each opens a variable scope
named after the layer (`dense`, `dense_1`, ... or `name`), creates ordinary variables
with `get_variable` (`kernel`, `bias`; glorot-uniform kernels as TF1), and returns the
output tensor. `reuse=True` (or an AUTO_REUSE scope) shares the variables.

`dropout(training=...)` accepts a Python bool or a boolean tensor: with a tensor the keep
probability is `1 - rate * training`, so a fed `False` passes the input through (no
control flow needed).
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from . import init_ops
from .ir.ops import conv_ops, math_ops as M, nn_ops
from .ir.ops._base import convert_to_tensor
from .ir.ops.array_ops import reshape
from .variable_scope import get_variable, variable_scope


def _initializer(init, default):
    return default if init is None else init


def _pairs(value, what: str) -> tuple:
    if isinstance(value, int):
        return value, value
    v = tuple(int(x) for x in value)
    if len(v) != 2:
        raise ValueError(f"{what} must be an int or a pair, got {value}")
    return v


def _padding(padding: str) -> str:
    p = str(padding).upper()
    if p not in ("SAME", "VALID"):
        raise ValueError(f"padding must be 'same' or 'valid', got {padding!r}")
    return p


def _channels_last(data_format: str) -> None:
    if data_format not in ("channels_last", "NHWC"):
        raise ValueError("graphc's layers support data_format='channels_last' only")


def _regularize(regularizer, tensor) -> None:
    if regularizer is not None:
        from .ir.context import get_default_graph
        from .variables import GraphKeys
        loss = regularizer(tensor)
        if loss is not None:
            get_default_graph().add_to_collection(GraphKeys.REGULARIZATION_LOSSES, loss)


def _add_bias(out, units, dtype, initializer, regularizer, trainable):
    bias = get_variable("bias", [units], dtype=dtype,
                        initializer=_initializer(initializer, init_ops.zeros_initializer()),
                        trainable=trainable)
    _regularize(regularizer, bias)
    return nn_ops.bias_add(out, bias)


def dense(inputs, units: int, activation=None, use_bias: bool = True,
          kernel_initializer=None, bias_initializer=None, kernel_regularizer=None,
          bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
          bias_constraint=None, trainable: bool = True, name: Optional[str] = None,
          reuse=None):
    """TF1 `tf.layers.dense`: activation(inputs @ kernel + bias) over the last axis."""
    x = convert_to_tensor(inputs)
    dims = x.shape.as_tuple()
    if dims is None or dims[-1] is None:
        raise ValueError(f"The last dimension of the inputs to `Dense` should be defined; "
                         f"'{x.name}' has shape {x.shape}")
    with variable_scope(name, default_name="dense", reuse=reuse):
        kernel = get_variable("kernel", [dims[-1], units], dtype=x.dtype,
                              initializer=_initializer(kernel_initializer,
                                                       init_ops.glorot_uniform_initializer()),
                              trainable=trainable)
        _regularize(kernel_regularizer, kernel)
        flat = x if len(dims) == 2 else reshape(x, [-1, dims[-1]])
        out = M.matmul(flat, kernel)
        if use_bias:
            out = _add_bias(out, units, x.dtype, bias_initializer, bias_regularizer, trainable)
        if len(dims) != 2:
            from .ir.ops.array_ops import concat, shape as shape_of
            from .ir.ops.slicing_ops import strided_slice
            lead = strided_slice(shape_of(x), [0], [len(dims) - 1], [1])
            out = reshape(out, concat([lead, [units]], 0))
        out = activation(out) if activation is not None else out
        _regularize(activity_regularizer, out)
        return out


def conv2d(inputs, filters: int, kernel_size, strides=(1, 1), padding: str = "valid",
           data_format: str = "channels_last", dilation_rate=(1, 1), activation=None,
           use_bias: bool = True, kernel_initializer=None, bias_initializer=None,
           kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
           kernel_constraint=None, bias_constraint=None, trainable: bool = True,
           name: Optional[str] = None, reuse=None):
    """TF1 `tf.layers.conv2d` (NHWC)."""
    _channels_last(data_format)
    x = convert_to_tensor(inputs)
    dims = x.shape.as_tuple()
    if dims is None or len(dims) != 4 or dims[-1] is None:
        raise ValueError(f"conv2d needs a 4-D input with known channels; '{x.name}' has "
                         f"shape {x.shape}")
    kh, kw = _pairs(kernel_size, "kernel_size")
    sh, sw = _pairs(strides, "strides")
    dh, dw = _pairs(dilation_rate, "dilation_rate")
    with variable_scope(name, default_name="conv2d", reuse=reuse):
        kernel = get_variable("kernel", [kh, kw, dims[-1], filters], dtype=x.dtype,
                              initializer=_initializer(kernel_initializer,
                                                       init_ops.glorot_uniform_initializer()),
                              trainable=trainable)
        _regularize(kernel_regularizer, kernel)
        out = conv_ops.conv2d(x, kernel, [1, sh, sw, 1], _padding(padding),
                              dilations=[1, dh, dw, 1])
        if use_bias:
            out = _add_bias(out, filters, x.dtype, bias_initializer, bias_regularizer,
                            trainable)
        out = activation(out) if activation is not None else out
        _regularize(activity_regularizer, out)
        return out


def _pool(fn, default, inputs, pool_size, strides, padding, data_format, name):
    _channels_last(data_format)
    ph, pw = _pairs(pool_size, "pool_size")
    sh, sw = _pairs(strides, "strides")
    from .ir.context import get_default_graph
    with get_default_graph().name_scope(name or default):
        return fn(convert_to_tensor(inputs), [1, ph, pw, 1], [1, sh, sw, 1], _padding(padding))


def max_pooling2d(inputs, pool_size, strides, padding: str = "valid",
                  data_format: str = "channels_last", name: Optional[str] = None):
    return _pool(conv_ops.max_pool, "max_pooling2d", inputs, pool_size, strides, padding,
                 data_format, name)


def average_pooling2d(inputs, pool_size, strides, padding: str = "valid",
                      data_format: str = "channels_last", name: Optional[str] = None):
    return _pool(conv_ops.avg_pool, "average_pooling2d", inputs, pool_size, strides, padding,
                 data_format, name)


def flatten(inputs, name: Optional[str] = None, data_format: str = "channels_last"):
    """[batch, d1, d2, ...] -> [batch, d1 * d2 * ...]."""
    x = convert_to_tensor(inputs)
    dims = x.shape.as_tuple()
    if dims is None or any(d is None for d in dims[1:]):
        raise ValueError(f"flatten needs known non-batch dims; '{x.name}' has shape {x.shape}")
    return reshape(x, [-1, int(np.prod(dims[1:])) if len(dims) > 1 else 1],
                   name=name or "flatten")


def dropout(inputs, rate: float = 0.5, noise_shape=None, seed=None, training=False,
            name: Optional[str] = None):
    """TF1 `tf.layers.dropout`: drops `rate` of the inputs while `training` (a bool or a
    boolean tensor), scaling the rest by 1 / (1 - rate)."""
    from .ir.graph import TensorLike
    from .ir.context import get_default_graph
    x = convert_to_tensor(inputs)
    if not isinstance(training, TensorLike):
        if not training:
            return x
        return nn_ops.dropout(x, rate=rate, noise_shape=noise_shape, seed=seed,
                              name=name or "dropout")
    with get_default_graph().name_scope(name or "dropout"):
        flag = M.cast(convert_to_tensor(training), x.dtype)
        keep = M.subtract(np.asarray(1, x.dtype.np), M.multiply(flag, float(rate)))
        return nn_ops.dropout(x, keep_prob=keep, noise_shape=noise_shape, seed=seed)
