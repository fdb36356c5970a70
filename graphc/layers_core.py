"""TF1's core class layers: Dense, Dropout, Flatten, BatchNormalization (graphc/layers_base.py
has the base class; graphc/layers.py the functional forms over these classes).

`Dropout` and `BatchNormalization` take `training` as a Python bool or a boolean tensor;
with a tensor they branch with `tf.cond` (TF1's smart_cond), so a fed `False` runs the
inference path only. BatchNormalization's moving-average updates go to `updates` and the
UPDATE_OPS collection: run them with the train op (`tf.control_dependencies`).
"""
from __future__ import annotations

import numpy as np

from . import init_ops
from .ir.graph import TensorLike
from .ir.ops import math_ops as M, nn_ops
from .ir.ops import matmul_ops as MM
from .ir.ops import reduce_ops as R
from .ir.ops._base import convert_to_tensor
from .ir.ops.array_ops import reshape
from .layers_base import InputSpec, Layer


def _default(init, default):
    return default if init is None else init


def add_kernel_and_bias(layer, kernel_shape, units) -> None:
    """`kernel` (glorot-uniform by default) and, with use_bias, `bias` (zeros), from the
    layer's kernel_*/bias_* arguments: what Dense and the convolutions build."""
    layer.kernel = layer.add_weight(
        "kernel", kernel_shape,
        initializer=_default(layer.kernel_initializer, init_ops.glorot_uniform_initializer()),
        regularizer=layer.kernel_regularizer, constraint=layer.kernel_constraint)
    layer.bias = layer.add_weight(
        "bias", [units], initializer=_default(layer.bias_initializer,
                                              init_ops.zeros_initializer()),
        regularizer=layer.bias_regularizer, constraint=layer.bias_constraint) \
        if layer.use_bias else None
    layer.built = True


class Dense(Layer):
    """activation(inputs @ kernel + bias) over the last axis (`kernel`, `bias`)."""

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer=None,
                 bias_initializer=None, kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 trainable=True, name=None, **kwargs) -> None:
        super().__init__(trainable=trainable, name=name,
                         activity_regularizer=activity_regularizer, **kwargs)
        self.units = int(units)
        self.activation, self.use_bias = activation, use_bias
        self.kernel_initializer, self.bias_initializer = kernel_initializer, bias_initializer
        self.kernel_regularizer, self.bias_regularizer = kernel_regularizer, bias_regularizer
        self.kernel_constraint, self.bias_constraint = kernel_constraint, bias_constraint
        self.input_spec = InputSpec(min_ndim=2)

    def build(self, input_shape):
        last = input_shape.as_tuple()[-1] if input_shape.ndims else None
        if last is None:
            raise ValueError("The last dimension of the inputs to `Dense` should be defined. "
                             f"Found `None` (input shape {input_shape}).")
        self.input_spec = InputSpec(min_ndim=2, axes={-1: last})
        add_kernel_and_bias(self, [last, self.units], self.units)

    def call(self, inputs):
        dims = inputs.shape.as_tuple()
        flat = inputs if len(dims) == 2 else reshape(inputs, [-1, dims[-1]])
        out = MM.matmul(flat, self.kernel)
        if self.bias is not None:
            out = nn_ops.bias_add(out, self.bias)
        if len(dims) != 2:
            from .ir.ops.array_ops import concat, shape as shape_of
            from .ir.ops.slicing_ops import strided_slice
            lead = strided_slice(shape_of(inputs), [0], [len(dims) - 1], [1])
            out = reshape(out, concat([lead, [self.units]], 0))
            out.set_shape(list(dims[:-1]) + [self.units])
        return self.activation(out) if self.activation is not None else out

    def compute_output_shape(self, input_shape):
        from .ir.shapes import TensorShape
        return TensorShape(list(TensorShape(input_shape).as_list()[:-1]) + [self.units])


def _smart_cond(training, true_fn, false_fn):
    """true_fn() or false_fn() for a Python bool; tf.cond for a boolean tensor."""
    if not isinstance(training, TensorLike):
        return true_fn() if training else false_fn()
    from .control_flow import cond
    return cond(convert_to_tensor(training), true_fn, false_fn)


class Dropout(Layer):
    """Drops `rate` of the inputs while `training`, scaling the rest by 1 / (1 - rate)."""

    def __init__(self, rate=0.5, noise_shape=None, seed=None, name=None, **kwargs) -> None:
        super().__init__(name=name, **kwargs)
        self.rate, self.noise_shape, self.seed = rate, noise_shape, seed

    def call(self, inputs, training=False):
        return _smart_cond(training, lambda: nn_ops.dropout(
            inputs, rate=self.rate, noise_shape=self.noise_shape, seed=self.seed),
            lambda: inputs)

    def compute_output_shape(self, input_shape):
        return input_shape


class Flatten(Layer):
    """[batch, d1, d2, ...] -> [batch, d1 * d2 * ...]."""

    def __init__(self, data_format=None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.data_format = data_format

    def call(self, inputs):
        dims = inputs.shape.as_tuple()
        if dims is None or any(d is None for d in dims[1:]):
            raise ValueError(f"flatten needs known non-batch dims; '{inputs.name}' has shape "
                             f"{inputs.shape}")
        if self.data_format == "channels_first" and len(dims) > 2:
            from .ir.ops.array_ops import transpose
            inputs = transpose(inputs, [0] + list(range(2, len(dims))) + [1])
        return reshape(inputs, [-1, int(np.prod(dims[1:])) if len(dims) > 1 else 1])

    def compute_output_shape(self, input_shape):
        from .ir.shapes import TensorShape
        dims = TensorShape(input_shape).as_list()
        return TensorShape([dims[0], int(np.prod(dims[1:]))])


class BatchNormalization(Layer):
    """Normalises over all axes but `axis` (TF1 `tf.layers.BatchNormalization`).

    Training: the batch's moments, and updates `moving -= (moving - batch) * (1 - momentum)`
    added to `updates` and UPDATE_OPS. Inference: the moving averages. As in TF1, the
    variance fed to the moving average is the unbiased batch variance where TF1 uses its
    fused kernel (4-D inputs normalised over the last axis), the biased one elsewhere."""

    def __init__(self, axis=-1, momentum=0.99, epsilon=0.001, center=True, scale=True,
                 beta_initializer=None, gamma_initializer=None, moving_mean_initializer=None,
                 moving_variance_initializer=None, beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None,
                 renorm=False, renorm_clipping=None, renorm_momentum=0.99, fused=None,
                 trainable=True, virtual_batch_size=None, adjustment=None, name=None,
                 **kwargs) -> None:
        if renorm or virtual_batch_size is not None or adjustment is not None:
            raise NotImplementedError("batch_normalization: renorm, virtual_batch_size and "
                                      "adjustment are not supported by graphc")
        super().__init__(trainable=trainable, name=name, **kwargs)
        self.axis, self.momentum, self.epsilon = axis, momentum, epsilon
        self.center, self.scale, self.fused = center, scale, fused
        self._initializers = (beta_initializer, gamma_initializer, moving_mean_initializer,
                              moving_variance_initializer)
        self.beta_regularizer, self.gamma_regularizer = beta_regularizer, gamma_regularizer
        self.beta_constraint, self.gamma_constraint = beta_constraint, gamma_constraint

    def build(self, input_shape):
        rank = input_shape.ndims
        if rank is None:
            raise ValueError("batch_normalization: the rank of the input must be known")
        if not isinstance(self.axis, int):
            raise ValueError(f"batch_normalization: axis must be an int, got {self.axis}")
        self._ax = self.axis % rank
        depth = input_shape.as_tuple()[self._ax]
        if depth is None:
            raise ValueError(f"batch_normalization: axis {self.axis} of the input (shape "
                             f"{input_shape}) must be a defined dimension")
        self._rank, self._depth = rank, depth
        beta_i, gamma_i, mean_i, var_i = self._initializers
        self.gamma = self.add_weight("gamma", [depth], initializer=_default(
            gamma_i, init_ops.ones_initializer()), regularizer=self.gamma_regularizer,
            constraint=self.gamma_constraint) if self.scale else None
        self.beta = self.add_weight("beta", [depth], initializer=_default(
            beta_i, init_ops.zeros_initializer()), regularizer=self.beta_regularizer,
            constraint=self.beta_constraint) if self.center else None
        self.moving_mean = self.add_weight("moving_mean", [depth], initializer=_default(
            mean_i, init_ops.zeros_initializer()), trainable=False)
        self.moving_variance = self.add_weight("moving_variance", [depth], initializer=_default(
            var_i, init_ops.ones_initializer()), trainable=False)
        self.built = True

    def _unbiased(self, x, batch_var, reduce_axes):
        """The variance TF1's moving average receives (see the class docstring)."""
        if not (self._rank == 4 and self._ax == 3):
            return batch_var
        dims = x.shape.as_tuple()
        n = 1
        for d in reduce_axes:
            n *= dims[d] or 0
        if n > 1:
            return M.multiply(batch_var, np.asarray(n / (n - 1), x.dtype.np))
        from .ir.ops.array_ops import shape as shape_of
        from .ir.ops.slicing_ops import gather
        count = M.cast(R.reduce_prod(gather(shape_of(x), reduce_axes)), x.dtype)
        return M.multiply(batch_var, M.truediv(count, M.maximum(M.subtract(count, 1.0), 1.0)))

    def call(self, inputs, training=False):
        from .ir.context import get_default_graph
        from .ir.ops import norm_ops, state_ops
        x, dtype = inputs, inputs.dtype
        reduce_axes = [d for d in range(self._rank) if d != self._ax]
        if isinstance(training, bool) and not training:
            mean, variance = self.moving_mean, self.moving_variance
        else:
            batch_mean, batch_var = norm_ops.moments(x, reduce_axes)
            unbiased = self._unbiased(x, batch_var, reduce_axes)
            mean, variance = _smart_cond(
                training, lambda: (batch_mean, batch_var),
                lambda: (self.moving_mean._as_tensor(), self.moving_variance._as_tensor()))
            decay = _smart_cond(training, lambda: convert_to_tensor(
                np.asarray(1 - self.momentum, dtype.np)), lambda: convert_to_tensor(
                np.asarray(0, dtype.np)))
            graph = get_default_graph()
            for moving, value, what in ((self.moving_mean, batch_mean, "AssignMovingAvg"),
                                        (self.moving_variance, unbiased, "AssignMovingAvg_1")):
                with graph.name_scope(what):
                    update = state_ops.assign_sub(moving, M.multiply(M.subtract(moving, value),
                                                                     decay))
                self.add_update(update)
        bshape = [1] * self._rank
        bshape[self._ax] = self._depth
        shape = [self._depth] if self._ax == self._rank - 1 else bshape
        return norm_ops.batch_normalization(
            x, reshape(mean, shape), reshape(variance, shape),
            None if self.beta is None else reshape(self.beta, shape),
            None if self.gamma is None else reshape(self.gamma, shape), self.epsilon)

    def compute_output_shape(self, input_shape):
        return input_shape
