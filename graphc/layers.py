"""`tf.layers`: the functional layer builders TF1 programs use. Each opens a variable scope
named after the layer (`dense`, `dense_1`, ... or `name`), creates ordinary variables
with `get_variable` (`kernel`, `bias`; glorot-uniform kernels as TF1), and returns the
output tensor. `reuse=True` (or an AUTO_REUSE scope) shares the variables.

`dropout` and `batch_normalization` take `training` as a Python bool or a boolean tensor;
with a tensor they branch with `tf.cond` (TF1's smart_cond), so a fed `False` runs the
inference path only. batch_normalization's moving-average updates go to the UPDATE_OPS
collection, as in TF1: run them with the train op (`tf.control_dependencies`).
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


def _finish(out, units, dtype, use_bias, bias_initializer, bias_regularizer, trainable,
            activation, activity_regularizer):
    """A convolution layer's tail: bias, activation, activity regularizer."""
    if use_bias:
        out = _add_bias(out, units, dtype, bias_initializer, bias_regularizer, trainable)
    out = activation(out) if activation is not None else out
    _regularize(activity_regularizer, out)
    return out


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
        return _finish(out, filters, x.dtype, use_bias, bias_initializer, bias_regularizer,
                       trainable, activation, activity_regularizer)


def conv2d_transpose(inputs, filters: int, kernel_size, strides=(1, 1), padding: str = "valid",
                     data_format: str = "channels_last", activation=None, use_bias: bool = True,
                     kernel_initializer=None, bias_initializer=None, kernel_regularizer=None,
                     bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                     bias_constraint=None, trainable: bool = True, name: Optional[str] = None,
                     reuse=None):
    """TF1 `tf.layers.conv2d_transpose` (NHWC): tf.nn.conv2d_transpose with a kernel of
    shape [kh, kw, filters, in_channels]; each output side is `in * stride` ('same') or
    `in * stride + max(kernel - stride, 0)` ('valid'), as TF1's deconv_output_length."""
    _channels_last(data_format)
    x = convert_to_tensor(inputs)
    dims = x.shape.as_tuple()
    if dims is None or len(dims) != 4 or dims[-1] is None or None in dims[1:3]:
        raise ValueError(f"conv2d_transpose needs a 4-D input with known height, width and "
                         f"channels; '{x.name}' has shape {x.shape}")
    kh, kw = _pairs(kernel_size, "kernel_size")
    sh, sw = _pairs(strides, "strides")
    pad = _padding(padding)

    def side(n, k, s):
        return n * s if pad == "SAME" else n * s + max(k - s, 0)

    with variable_scope(name, default_name="conv2d_transpose", reuse=reuse):
        kernel = get_variable("kernel", [kh, kw, filters, dims[-1]], dtype=x.dtype,
                              initializer=_initializer(kernel_initializer,
                                                       init_ops.glorot_uniform_initializer()),
                              trainable=trainable)
        _regularize(kernel_regularizer, kernel)
        from .ir.ops.array_ops import shape as shape_of, stack
        batch = dims[0] if dims[0] is not None else shape_of(x)[0]
        out_shape = [batch, side(dims[1], kh, sh), side(dims[2], kw, sw), filters]
        out = conv_ops.conv2d_transpose(x, kernel, out_shape if dims[0] is not None
                                        else stack(out_shape), [1, sh, sw, 1], pad)
        out.set_shape([dims[0]] + out_shape[1:])  # (TF1 too: the batch may be unknown)
        return _finish(out, filters, x.dtype, use_bias, bias_initializer, bias_regularizer,
                       trainable, activation, activity_regularizer)


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
        from .control_flow import cond
        return cond(convert_to_tensor(training),
                    lambda: nn_ops.dropout(x, rate=rate, noise_shape=noise_shape, seed=seed),
                    lambda: x)


def batch_normalization(inputs, axis: int = -1, momentum: float = 0.99,
                        epsilon: float = 1e-3, center: bool = True, scale: bool = True,
                        beta_initializer=None, gamma_initializer=None,
                        moving_mean_initializer=None, moving_variance_initializer=None,
                        beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                        gamma_constraint=None, training=False, trainable: bool = True,
                        name: Optional[str] = None, reuse=None, renorm: bool = False,
                        renorm_clipping=None, renorm_momentum: float = 0.99, fused=None,
                        virtual_batch_size=None, adjustment=None):
    """TF1 `tf.layers.batch_normalization` over `axis`.

    Training: normalise with the batch's moments and add to UPDATE_OPS the updates
    `moving -= (moving - batch) * (1 - momentum)`. Inference: use the moving averages.
    As in TF1, the variance fed to the moving average is the unbiased batch variance
    where TF1 uses its fused kernel (4-D inputs normalised over the last axis), the
    biased one elsewhere."""
    from .ir.context import get_default_graph
    from .ir.graph import TensorLike
    from .ir.ops import norm_ops, state_ops
    from .variables import GraphKeys
    if renorm or virtual_batch_size is not None or adjustment is not None:
        raise NotImplementedError("batch_normalization: renorm, virtual_batch_size and "
                                  "adjustment are not supported by graphc")
    x = convert_to_tensor(inputs)
    rank = x.shape.ndims
    if rank is None:
        raise ValueError(f"batch_normalization: the rank of '{x.name}' must be known")
    ax = axis % rank if isinstance(axis, int) else None
    if ax is None or x.shape.as_tuple()[ax] is None:
        raise ValueError(f"batch_normalization: axis {axis} of '{x.name}' (shape "
                         f"{x.shape}) must be a defined dimension")
    depth = x.shape.as_tuple()[ax]
    reduce_axes = [d for d in range(rank) if d != ax]
    bshape = [1] * rank
    bshape[ax] = depth
    dtype = x.dtype
    with variable_scope(name, default_name="batch_normalization", reuse=reuse):
        def var(vname, init, default, train):
            return get_variable(vname, [depth], dtype=dtype,
                                initializer=_initializer(init, default), trainable=train)
        gamma = var("gamma", gamma_initializer, init_ops.ones_initializer(),
                    trainable) if scale else None
        beta = var("beta", beta_initializer, init_ops.zeros_initializer(),
                   trainable) if center else None
        moving_mean = var("moving_mean", moving_mean_initializer,
                          init_ops.zeros_initializer(), False)
        moving_var = var("moving_variance", moving_variance_initializer,
                         init_ops.ones_initializer(), False)
        if gamma is not None:
            _regularize(gamma_regularizer, gamma)
        if beta is not None:
            _regularize(beta_regularizer, beta)
        if isinstance(training, bool) and not training:
            mean, variance = moving_mean, moving_var
        else:
            batch_mean, batch_var = norm_ops.moments(x, reduce_axes)
            fused_like = rank == 4 and ax == 3
            n = 1
            for d in reduce_axes:
                n *= x.shape.as_tuple()[d] or 0
            if fused_like and n > 1:
                unbiased = M.multiply(batch_var, np.asarray(n / (n - 1), dtype.np))
            elif fused_like:
                from .ir.ops.array_ops import shape as shape_of
                from .ir.ops.slicing_ops import gather
                count = M.cast(M.reduce_prod(gather(shape_of(x), reduce_axes)), dtype)
                unbiased = M.multiply(batch_var, M.truediv(count, M.maximum(
                    M.subtract(count, 1.0), 1.0)))
            else:
                unbiased = batch_var
            if isinstance(training, TensorLike):
                from .control_flow import cond
                flag = convert_to_tensor(training)
                mean, variance = cond(flag, lambda: (batch_mean, batch_var),
                                      lambda: (moving_mean._as_tensor(),
                                               moving_var._as_tensor()))
                decay = cond(flag, lambda: convert_to_tensor(
                    np.asarray(1 - momentum, dtype.np)), lambda: convert_to_tensor(
                    np.asarray(0, dtype.np)))
            else:
                mean, variance = batch_mean, batch_var
                decay = convert_to_tensor(np.asarray(1 - momentum, dtype.np))
            graph = get_default_graph()
            for moving, value, what in ((moving_mean, batch_mean, "AssignMovingAvg"),
                                        (moving_var, unbiased, "AssignMovingAvg_1")):
                with graph.name_scope(what):
                    delta = M.multiply(M.subtract(moving, value), decay)
                    update = state_ops.assign_sub(moving, delta)
                graph.add_to_collection(GraphKeys.UPDATE_OPS, update)
        shape = [depth] if ax == rank - 1 else bshape
        return norm_ops.batch_normalization(
            x, reshape(mean, shape), reshape(variance, shape),
            None if beta is None else reshape(beta, shape),
            None if gamma is None else reshape(gamma, shape), epsilon)
