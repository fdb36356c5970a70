"""`tf.nn`'s convolutions that TF1 composes from others: conv1d (a conv2d over a height
of 1), atrous (dilated) convolutions, separable_conv2d (depthwise, then a 1x1 conv2d),
`convolution` (by rank), the 1-D and 2-D pooling names, conv1d_transpose. They build
ordinary Conv2D/DepthwiseConv2dNative/Conv3D ops, so they lower as those do;
conv_transpose and max/avg_pool_v2 dispatch by rank.
"""
from __future__ import annotations

from typing import Optional

from .ir.ops import conv3d_ops as C3, conv_ops as C2
from .ir.ops._base import convert_to_tensor, static_int_list
from .ir.ops.conv_geometry import filter_arg
from .ir.ops.array_ops import expand_dims, squeeze


def _list(value, n: int, what: str) -> list:
    """An int or list of n (or n + 2 with ones at the ends) as the n spatial entries."""
    v = static_int_list(value if not isinstance(value, int) else [value], what)
    if len(v) == 1:
        return v * n
    if len(v) == n + 2:
        return v[1:-1]
    if len(v) != n:
        raise ValueError(f"{what} must be an int or a list of {n} (or {n + 2}) ints, got "
                         f"{value!r}")
    return v


def _nwc(fn: str, data_format) -> None:
    if data_format not in (None, "NWC", "NHWC"):
        raise ValueError(f"{fn}: only data_format='NWC' is supported (as TF1 on the CPU), "
                         f"got {data_format!r}")


def conv1d(value=None, filters=None, stride=None, padding=None, use_cudnn_on_gpu=None,
           data_format=None, name: Optional[str] = None, input=None,
           dilations=None):  # noqa: A002 - TF1's names
    """TF1 `tf.nn.conv1d`: [N, W, C] * [K, C, M] as conv2d of [N, 1, W, C] * [1, K, C, M]
    (TF1's own implementation); `input` is TF2's spelling of `value`."""
    if (value is None) == (input is None):
        raise ValueError("conv1d takes value (or its alias input), exactly one of them")
    if filters is None or stride is None or padding is None:
        raise TypeError("conv1d() missing required arguments: filters, stride and padding")
    _nwc("conv1d", data_format)
    from .ir.context import get_default_graph
    with get_default_graph().name_scope(name or "conv1d"):
        x = expand_dims(convert_to_tensor(value if input is None else input), 1)
        f = expand_dims(convert_to_tensor(filters, dtype=x.dtype), 0)
        s = _list(stride, 1, "stride")[0]
        d = _list(dilations if dilations is not None else 1, 1, "dilations")[0]
        out = C2.conv2d(x, f, [1, 1, s, 1], padding, dilations=[1, 1, d, 1])
        return squeeze(out, [1])


def conv1d_transpose(input, filters, output_shape, strides, padding="SAME",
                     data_format="NWC", dilations=None,
                     name: Optional[str] = None):  # noqa: A002 - TF1's names
    """TF1 `tf.nn.conv1d_transpose`: conv2d_transpose over a height of 1."""
    _nwc("conv1d_transpose", data_format)
    from .ir.context import get_default_graph
    from .ir.ops.array_ops import concat
    with get_default_graph().name_scope(name or "conv1d_transpose"):
        x = expand_dims(convert_to_tensor(input), 1)
        f = expand_dims(convert_to_tensor(filters, dtype=x.dtype), 0)
        shape = convert_to_tensor(output_shape, dtype_hint="int32")
        shape = concat([shape[:1], [1], shape[1:]], 0)
        s = _list(strides, 1, "strides")[0]
        d = _list(dilations if dilations is not None else 1, 1, "dilations")[0]
        out = C2.conv2d_transpose(x, f, shape, [1, 1, s, 1], padding,
                                  dilations=[1, 1, d, 1])
        return squeeze(out, [1])


def atrous_conv2d(value, filters, rate, padding, name: Optional[str] = None):
    """TF1 `tf.nn.atrous_conv2d`: conv2d with `rate - 1` zeros between filter taps
    (a dilated Conv2D; TF1 computes the same values through space_to_batch)."""
    if int(rate) < 1:
        raise ValueError(f"atrous_conv2d: rate {rate} should be greater than or equal to 1")
    return C2.conv2d(value, filters, [1, 1, 1, 1], padding, dilations=[1, rate, rate, 1],
                     name=name or "atrous_conv2d")


def atrous_conv2d_transpose(value, filters, output_shape, rate, padding,
                            name: Optional[str] = None):
    """TF1 `tf.nn.atrous_conv2d_transpose`: the gradient of atrous_conv2d for its input."""
    if int(rate) < 1:
        raise ValueError(f"atrous_conv2d_transpose: rate {rate} should be greater than or "
                         "equal to 1")
    return C2.conv2d_transpose(value, filters, output_shape, [1, 1, 1, 1], padding,
                               dilations=[1, rate, rate, 1],
                               name=name or "atrous_conv2d_transpose")


def separable_conv2d(input, depthwise_filter, pointwise_filter, strides, padding, rate=None,
                     name: Optional[str] = None, data_format=None,
                     dilations=None):  # noqa: A002 - TF1's names
    """TF1 `tf.nn.separable_conv2d`: a depthwise convolution [kh, kw, C, M], then a 1x1
    convolution [1, 1, C*M, out] (TF1's own composition)."""
    from .ir.context import get_default_graph
    pw = convert_to_tensor(pointwise_filter)
    dims = pw.shape.as_tuple()
    if dims is not None and (len(dims) != 4 or dims[0] != 1 or dims[1] != 1):
        raise ValueError(f"separable_conv2d: the pointwise filter must be [1, 1, in, out], "
                         f"got shape {pw.shape}")
    with get_default_graph().name_scope(name or "separable_conv2d"):
        depthwise = C2.depthwise_conv2d(input, depthwise_filter, strides, padding, rate=rate,
                                        data_format=data_format, dilations=dilations,
                                        name="depthwise")
        return C2.conv2d(depthwise, pw, [1, 1, 1, 1], "VALID", data_format=data_format or
                         "NHWC", name="pointwise")


def convolution(input, filter, padding, strides=None, dilation_rate=None,
                name: Optional[str] = None, data_format=None, filters=None,
                dilations=None):  # noqa: A002 - TF1's names
    """TF1 `tf.nn.convolution`: conv1d, conv2d or conv3d by the input's rank."""
    f = filter_arg("convolution", filter, filters)
    x = convert_to_tensor(input)
    rank = x.shape.ndims
    if rank not in (3, 4, 5):
        raise ValueError(f"convolution: the input '{x.name}' must have rank 3, 4 or 5 and a "
                         f"known rank, got shape {x.shape}")
    n = rank - 2
    rate = dilations if dilation_rate is None else dilation_rate
    s = [1] * n if strides is None else _list(strides, n, "strides")
    d = [1] * n if rate is None else _list(rate, n, "dilation_rate")
    if n == 1:
        return conv1d(x, f, s[0], padding, data_format=data_format, name=name,
                      dilations=d[0])
    if n == 2:
        return C2.conv2d(x, f, [1] + s + [1], padding, data_format=data_format or "NHWC",
                         dilations=[1] + d + [1], name=name or "convolution")
    return C3.conv3d(x, f, [1] + s + [1], padding, data_format=data_format or "NDHWC",
                     dilations=[1] + d + [1], name=name or "convolution")


def _pool1d(fn, input, ksize, strides, padding, data_format, name, default):  # noqa: A002
    _nwc(default, data_format)
    from .ir.context import get_default_graph
    with get_default_graph().name_scope(name or default):
        x = expand_dims(convert_to_tensor(input), 1)
        k = _list(ksize, 1, "ksize")[0]
        s = _list(strides, 1, "strides")[0]
        return squeeze(fn(x, [1, 1, k, 1], [1, 1, s, 1], padding), [1])


def max_pool1d(input, ksize, strides, padding, data_format="NWC",
               name: Optional[str] = None):  # noqa: A002 - TF1's names
    """TF1 `tf.nn.max_pool1d`: max_pool over a height of 1."""
    return _pool1d(C2.max_pool, input, ksize, strides, padding, data_format, name,
                   "MaxPool1d")


def avg_pool1d(input, ksize, strides, padding, data_format="NWC",
               name: Optional[str] = None):  # noqa: A002 - TF1's names
    """TF1 `tf.nn.avg_pool1d`: avg_pool over a height of 1."""
    return _pool1d(C2.avg_pool, input, ksize, strides, padding, data_format, name,
                   "AvgPool1D")


def max_pool2d(input, ksize, strides, padding, data_format="NHWC",
               name: Optional[str] = None):  # noqa: A002 - TF1's names
    """TF1 `tf.nn.max_pool2d` (ksize and strides may be ints or pairs)."""
    return C2.max_pool(input, [1] + _list(ksize, 2, "ksize") + [1],
                       [1] + _list(strides, 2, "strides") + [1], padding, data_format, name)


def avg_pool2d(value, ksize, strides, padding, data_format="NHWC", name: Optional[str] = None,
               input=None):  # noqa: A002 - TF1's names
    """TF1 `tf.nn.avg_pool2d` (`input` is TF2's spelling of `value`)."""
    return C2.avg_pool(value if input is None else input, [1] + _list(ksize, 2, "ksize") + [1],
                       [1] + _list(strides, 2, "strides") + [1], padding, data_format, name)


def conv_transpose(input, filters, output_shape, strides, padding="SAME", data_format=None,
                   dilations=None, name: Optional[str] = None):  # noqa: A002 - TF1's names
    """TF1 `tf.nn.conv_transpose`: conv1d/2d/3d_transpose by the length of output_shape."""
    shape = convert_to_tensor(output_shape, dtype_hint="int32")
    n = shape.shape.as_tuple()[0] if shape.shape.ndims == 1 else None
    if n not in (3, 4, 5):
        raise ValueError(f"conv_transpose: output_shape must have 3, 4 or 5 entries, got "
                         f"shape {shape.shape}")
    if n == 3:
        return conv1d_transpose(input, filters, shape, strides, padding, data_format or "NWC",
                                dilations, name)
    spatial = n - 2
    s = [1] + _list(strides, spatial, "strides") + [1]
    d = None if dilations is None else [1] + _list(dilations, spatial, "dilations") + [1]
    fn = C2.conv2d_transpose if n == 4 else C3.conv3d_transpose
    return fn(input, filters, shape, s, padding, data_format=data_format or
              ("NHWC" if n == 4 else "NDHWC"), name=name, dilations=d)


def _pool_v2(kind: str, input, ksize, strides, padding, data_format, name):  # noqa: A002
    x = convert_to_tensor(input)
    rank = x.shape.ndims
    if rank not in (3, 4, 5):
        raise ValueError(f"{kind}_pool_v2: the input '{x.name}' must have a known rank of 3, "
                         f"4 or 5, got shape {x.shape}")
    n = rank - 2
    if n == 1:
        fn = max_pool1d if kind == "max" else avg_pool1d
        return fn(x, ksize, strides, padding, data_format or "NWC", name)
    k = [1] + _list(ksize, n, "ksize") + [1]
    s = [1] + _list(strides, n, "strides") + [1]
    if n == 2:
        fn = C2.max_pool if kind == "max" else C2.avg_pool
        return fn(x, k, s, padding, data_format or "NHWC", name)
    fn = C3.max_pool3d if kind == "max" else C3.avg_pool3d
    return fn(x, k, s, padding, data_format or "NDHWC", name)


def max_pool_v2(input, ksize, strides, padding, data_format=None,
                name: Optional[str] = None):  # noqa: A002 - TF1's names
    """TF1 `tf.nn.max_pool_v2`: max pooling of rank 3, 4 or 5 inputs."""
    return _pool_v2("max", input, ksize, strides, padding, data_format, name)


def avg_pool_v2(input, ksize, strides, padding, data_format=None,
                name: Optional[str] = None):  # noqa: A002 - TF1's names
    """TF1 `tf.nn.avg_pool_v2`: average pooling of rank 3, 4 or 5 inputs."""
    return _pool_v2("avg", input, ksize, strides, padding, data_format, name)
