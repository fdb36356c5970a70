"""TF1's convolution and pooling class layers: Conv1D, Conv2D, Conv2DTranspose,
MaxPooling1D/2D, AveragePooling1D/2D (channels_last, NHWC as graphc's kernels).

The 1-D forms run the 2-D kernels on a height-1 image: a [batch, width, channels] input is
seen as [batch, 1, width, channels] and a [k, in, filters] kernel as [1, k, in, filters],
which is what TF1's conv1d does too.
"""
from __future__ import annotations

from .ir.ops import conv_ops, nn_ops
from .ir.ops.array_ops import expand_dims, reshape, shape as shape_of, squeeze, stack
from .layers_base import InputSpec, Layer
from .layers_core import add_kernel_and_bias


def _tuple(value, n: int, what: str) -> tuple:
    if isinstance(value, int):
        return (value,) * n
    v = tuple(int(x) for x in value)
    if len(v) != n:
        raise ValueError(f"The `{what}` argument must be a tuple of {n} integers. Received: "
                         f"{value}")
    return v


def _padding(padding: str) -> str:
    p = str(padding).upper()
    if p not in ("SAME", "VALID"):
        raise ValueError(f"padding must be 'same' or 'valid', got {padding!r}")
    return p


def _channels_last(data_format: str, rank: int = 2) -> None:
    names = ("channels_last", "NDHWC") if rank == 3 else ("channels_last", "NHWC", "NWC")
    if data_format not in names:
        raise ValueError("graphc's layers support data_format='channels_last' only")


class _Conv(Layer):
    """The shared part of Conv1D and Conv2D (rank 1 or 2)."""

    def __init__(self, rank, filters, kernel_size, strides, padding, data_format,
                 dilation_rate, activation, use_bias, kernel_initializer, bias_initializer,
                 kernel_regularizer, bias_regularizer, activity_regularizer,
                 kernel_constraint, bias_constraint, trainable, name, **kwargs) -> None:
        super().__init__(trainable=trainable, name=name,
                         activity_regularizer=activity_regularizer, **kwargs)
        _channels_last(data_format)
        self.rank, self.filters = rank, int(filters)
        self.kernel_size = _tuple(kernel_size, rank, "kernel_size")
        self.strides = _tuple(strides, rank, "strides")
        self.dilation_rate = _tuple(dilation_rate, rank, "dilation_rate")
        self.padding, self.data_format = _padding(padding), data_format
        self.activation, self.use_bias = activation, use_bias
        self.kernel_initializer, self.bias_initializer = kernel_initializer, bias_initializer
        self.kernel_regularizer, self.bias_regularizer = kernel_regularizer, bias_regularizer
        self.kernel_constraint, self.bias_constraint = kernel_constraint, bias_constraint
        self.input_spec = InputSpec(ndim=rank + 2)

    def _kernel_shape(self, channels: int) -> list:
        return list(self.kernel_size) + [channels, self.filters]

    def build(self, input_shape):
        channels = input_shape.as_tuple()[-1]
        if channels is None:
            raise ValueError("The channel dimension of the inputs should be defined. Found "
                             f"`None` (input shape {input_shape}).")
        add_kernel_and_bias(self, self._kernel_shape(channels), self.filters)
        self.input_spec = InputSpec(ndim=self.rank + 2, axes={-1: channels})

    def _convolve(self, inputs):
        if self.rank == 2:
            return conv_ops.conv2d(inputs, self.kernel, [1, *self.strides, 1], self.padding,
                                   dilations=[1, *self.dilation_rate, 1])
        k = self.kernel
        kernel = reshape(k, [1] + k.shape.as_list())
        out = conv_ops.conv2d(expand_dims(inputs, 1), kernel, [1, 1, self.strides[0], 1],
                              self.padding, dilations=[1, 1, self.dilation_rate[0], 1])
        return squeeze(out, [1])

    def call(self, inputs):
        out = self._convolve(inputs)
        if self.bias is not None:
            out = nn_ops.bias_add(out, self.bias)
        return self.activation(out) if self.activation is not None else out


class Conv1D(_Conv):
    """1-D convolution over [batch, width, channels] (kernel [k, in, filters])."""

    def __init__(self, filters, kernel_size, strides=1, padding="valid",
                 data_format="channels_last", dilation_rate=1, activation=None, use_bias=True,
                 kernel_initializer=None, bias_initializer=None, kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, trainable=True, name=None, **kwargs) -> None:
        super().__init__(1, filters, kernel_size, strides, padding, data_format,
                         dilation_rate, activation, use_bias, kernel_initializer,
                         bias_initializer, kernel_regularizer, bias_regularizer,
                         activity_regularizer, kernel_constraint, bias_constraint, trainable,
                         name, **kwargs)


class Conv2D(_Conv):
    """2-D convolution over NHWC images (kernel [kh, kw, in, filters])."""

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid",
                 data_format="channels_last", dilation_rate=(1, 1), activation=None,
                 use_bias=True, kernel_initializer=None, bias_initializer=None,
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, trainable=True, name=None,
                 **kwargs) -> None:
        super().__init__(2, filters, kernel_size, strides, padding, data_format,
                         dilation_rate, activation, use_bias, kernel_initializer,
                         bias_initializer, kernel_regularizer, bias_regularizer,
                         activity_regularizer, kernel_constraint, bias_constraint, trainable,
                         name, **kwargs)


_SIDES = {2: "height, width", 3: "depth, height, width"}


class _Transposed:
    """Mixed in before a convolution layer of rank 2 or 3 (Conv2D, Conv3D): its transpose,
    kernel [k..., filters, in]. Each output side is `in * stride` ('same') or
    `in * stride + max(kernel - stride, 0)` ('valid'), TF1's deconv_output_length."""

    _transpose = None  # the op builder: conv2d_transpose or conv3d_transpose

    def _kernel_shape(self, channels: int) -> list:
        return list(self.kernel_size) + [self.filters, channels]

    def _convolve(self, inputs):
        rank = self.rank
        dims = inputs.shape.as_tuple()
        if None in dims[1:rank + 1]:
            raise ValueError(f"conv{rank}d_transpose needs a {rank + 2}-D input with known "
                             f"{_SIDES[rank]} and channels; '{inputs.name}' has shape "
                             f"{inputs.shape}")
        sides = [n * s if self.padding == "SAME" else n * s + max(k - s, 0)
                 for n, k, s in zip(dims[1:rank + 1], self.kernel_size, self.strides)]
        batch = dims[0] if dims[0] is not None else shape_of(inputs)[0]
        out_shape = [batch, *sides, self.filters]
        out = type(self)._transpose(inputs, self.kernel, out_shape if dims[0] is not None
                                    else stack(out_shape), [1, *self.strides, 1],
                                    self.padding)
        out.set_shape([dims[0]] + out_shape[1:])  # (TF1 too: the batch may be unknown)
        return out


def transposed_init(rank: int, forward: type):
    """The __init__ of the transpose of the convolution layer class `forward`: TF1's
    signature, which has no dilation_rate."""
    one = (1,) * rank

    def __init__(self, filters, kernel_size, strides=one, padding="valid",
                 data_format="channels_last", activation=None, use_bias=True,
                 kernel_initializer=None, bias_initializer=None, kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, trainable=True, name=None, **kwargs) -> None:
        forward.__init__(self, filters, kernel_size, strides, padding, data_format, one,
                         activation, use_bias, kernel_initializer, bias_initializer,
                         kernel_regularizer, bias_regularizer, activity_regularizer,
                         kernel_constraint, bias_constraint, trainable, name, **kwargs)
    return __init__


class Conv2DTranspose(_Transposed, Conv2D):
    """The transpose of Conv2D (kernel [kh, kw, filters, in]); each output side is
    `in * stride` ('same') or `in * stride + max(kernel - stride, 0)` ('valid'), TF1's
    deconv_output_length."""

    _transpose = staticmethod(conv_ops.conv2d_transpose)
    __init__ = transposed_init(2, Conv2D)
    __init__.__qualname__ = "Conv2DTranspose.__init__"


class _Pooling(Layer):
    """Max or average pooling of rank 1, 2 or 3 (the 3-D classes: layers_conv3d.py)."""

    _fn = None

    def __init__(self, rank, pool_size, strides, padding="valid", data_format="channels_last",
                 name=None, **kwargs) -> None:
        _channels_last(data_format, rank)
        super().__init__(name=name, **kwargs)
        self.rank = rank
        self.pool_size = _tuple(pool_size, rank, "pool_size")
        self.strides = _tuple(strides, rank, "strides")
        self.padding, self.data_format = _padding(padding), data_format
        self.input_spec = InputSpec(ndim=rank + 2)

    def call(self, inputs):
        fn = type(self)._fn
        if self.rank >= 2:
            return fn(inputs, [1, *self.pool_size, 1], [1, *self.strides, 1], self.padding)
        out = fn(expand_dims(inputs, 1), [1, 1, self.pool_size[0], 1],
                 [1, 1, self.strides[0], 1], self.padding)
        return squeeze(out, [1])


def _pooling_class(name: str, rank: int, fn, doc: str, module: str = __name__):
    def __init__(self, pool_size, strides, padding="valid", data_format="channels_last",
                 name=None, **kwargs):
        _Pooling.__init__(self, rank, pool_size, strides, padding, data_format, name,
                          **kwargs)
    __init__.__qualname__ = f"{name}.__init__"
    return type(name, (_Pooling,), {"__init__": __init__, "_fn": staticmethod(fn),
                                    "__doc__": doc, "__module__": module})


MaxPooling1D = _pooling_class("MaxPooling1D", 1, conv_ops.max_pool,
                              "Max pooling over [batch, width, channels].")
MaxPooling2D = _pooling_class("MaxPooling2D", 2, conv_ops.max_pool,
                              "Max pooling over NHWC images.")
AveragePooling1D = _pooling_class("AveragePooling1D", 1, conv_ops.avg_pool,
                                  "Average pooling over [batch, width, channels].")
AveragePooling2D = _pooling_class("AveragePooling2D", 2, conv_ops.avg_pool,
                                  "Average pooling over NHWC images.")
