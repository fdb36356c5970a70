"""Convolution and pooling ops (NHWC, TF1's SAME/VALID padding, strides, dilations).

Conv2D                      out = patches(input) @ filter              [N,OH,OW,M]
Conv2DBackpropInput         the gradient for the input (tf.nn.conv2d_transpose)
Conv2DBackpropFilter        the gradient for the filter
DepthwiseConv2dNative       per-channel filters, channel multiplier M  [N,OH,OW,C*M]
  ...BackpropInput/Filter   their gradients
MaxPool, AvgPool            windows; AvgPool averages the in-bounds elements only (TF1)
MaxPoolGrad, AvgPoolGrad    their gradients

Numpy semantics use im2col: the patches of the padded input as a [N*OH*OW, KH*KW*C]
matrix, so a convolution is one matmul and its gradients are matmuls plus a col2im
scatter. VJP rules follow TF1's; the backprop ops have VJPs of their own (they are
convolutions again), so second derivatives of convolutions work.
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from .. import dtypes as dt
from ..errors import InvalidArgumentError
from ..registry import NON_DIFFERENTIABLE
from ..shapes import TensorShape
from ._base import (apply, check_dtype, const_value, const_value_as_shape,
                    convert_to_tensor, defop, static_int_list)
from .array_ops import shape as shape_op

FLOATS = dt.FLOATS


# ---------------------------------------------------------------- geometry
def _pair(values, what: str, op_name: str) -> tuple:
    """(h, w) from TF1's 4-element NHWC list (batch and channel entries must be 1)."""
    v = list(values)
    if len(v) == 2:
        return int(v[0]), int(v[1])
    if len(v) != 4 or v[0] != 1 or v[3] != 1:
        raise ValueError(f"{op_name}: {what} must be [1, h, w, 1] (NHWC), got {v}")
    return int(v[1]), int(v[2])


def out_size(size: Optional[int], k: int, stride: int, dilation: int, padding: str):
    """Output length and (pad before, pad after) along one spatial dim, as TF1."""
    if size is None:
        return None, None
    eff = (k - 1) * dilation + 1
    if padding == "VALID":
        n = (size - eff + stride) // stride if size >= eff else 0
        return max(n, 0), (0, 0)
    n = -(-size // stride)
    total = max((n - 1) * stride + eff - size, 0)
    return n, (total // 2, total - total // 2)


class Geometry:
    """The window arithmetic of one conv/pool op (static attrs and input/filter dims)."""

    def __init__(self, in_hw, k_hw, strides, dilations, padding) -> None:
        self.kh, self.kw = k_hw
        self.sh, self.sw = strides
        self.dh, self.dw = dilations
        self.padding = padding
        self.oh, self.pad_h = out_size(in_hw[0], self.kh, self.sh, self.dh, padding)
        self.ow, self.pad_w = out_size(in_hw[1], self.kw, self.sw, self.dw, padding)


def _attrs_geometry(op, in_hw, k_hw) -> Geometry:
    a = op.attrs
    return Geometry(in_hw, k_hw, _pair(a["strides"], "strides", op.name),
                    _pair(a.get("dilations", [1, 1, 1, 1]), "dilations", op.name),
                    a["padding"])


def _check_attrs(op, data_format: str = "NHWC") -> None:
    a = op.attrs
    if a["padding"] not in ("SAME", "VALID"):
        raise ValueError(f"{op.type} op '{op.name}': padding must be 'SAME' or 'VALID', got "
                         f"{a['padding']!r}")
    if a.get("data_format", data_format) != data_format:
        raise ValueError(f"{op.type} op '{op.name}': only data_format='{data_format}' is "
                         "supported (as TF1 on the CPU)")
    for key in ("strides", "dilations", "ksize"):
        if key in a and any(v < 1 for v in a[key]):
            raise ValueError(f"{op.type} op '{op.name}': {key} must be positive, got {a[key]}")


def patches(x: np.ndarray, g: Geometry, fill=0.0) -> np.ndarray:
    """[N, OH, OW, KH, KW, C] windows of the padded input (im2col before the reshape)."""
    n, h, w, c = x.shape
    xp = np.pad(x, ((0, 0), g.pad_h, g.pad_w, (0, 0)), constant_values=fill)
    out = np.empty((n, g.oh, g.ow, g.kh, g.kw, c), dtype=x.dtype)
    for i in range(g.kh):
        for j in range(g.kw):
            r0, c0 = i * g.dh, j * g.dw
            out[:, :, :, i, j, :] = xp[:, r0:r0 + g.sh * (g.oh - 1) + 1:g.sh,
                                       c0:c0 + g.sw * (g.ow - 1) + 1:g.sw, :]
    return out


def col2im(cols: np.ndarray, shape, g: Geometry) -> np.ndarray:
    """The adjoint of `patches`: sum [N, OH, OW, KH, KW, C] windows back into `shape`."""
    n, h, w, c = shape
    hp, wp = h + sum(g.pad_h), w + sum(g.pad_w)
    xp = np.zeros((n, hp, wp, c), dtype=cols.dtype)
    for i in range(g.kh):
        for j in range(g.kw):
            r0, c0 = i * g.dh, j * g.dw
            xp[:, r0:r0 + g.sh * (g.oh - 1) + 1:g.sh,
               c0:c0 + g.sw * (g.ow - 1) + 1:g.sw, :] += cols[:, :, :, i, j, :]
    return xp[:, g.pad_h[0]:g.pad_h[0] + h, g.pad_w[0]:g.pad_w[0] + w, :]


def _dims(t) -> Optional[tuple]:
    return t.shape.as_tuple()


def _require_rank(op, t, rank: int, what: str):
    dims = _dims(t)
    if dims is not None and len(dims) != rank:
        raise ValueError(f"{op.type} op '{op.name}': {what} '{t.name}' must be rank {rank}, "
                         f"got shape {t.shape}")
    return dims


# ---------------------------------------------------------------- Conv2D family
def _conv_infer(op):
    x, f = op.inputs
    _check_attrs(op)
    check_dtype(op, x, FLOATS)
    if f.dtype is not x.dtype:
        raise TypeError(f"{op.type} op '{op.name}': input is {x.dtype.name} but filter "
                        f"'{f.name}' is {f.dtype.name}")
    xd = _require_rank(op, x, 4, "input")
    fd = _require_rank(op, f, 4, "filter")
    n, h, w, c = xd if xd is not None else (None,) * 4
    kh, kw, fc, m = fd if fd is not None else (None,) * 4
    if c is not None and fc is not None and c != fc:
        raise ValueError(f"{op.type} op '{op.name}': input depth {c} of '{x.name}' does not "
                         f"match the filter's in_channels {fc} ('{f.name}', shape {f.shape})")
    if kh is None or kw is None:
        oh = ow = None
    else:
        g = _attrs_geometry(op, (h, w), (kh, kw))
        oh, ow = g.oh, g.ow
        if (oh == 0 or ow == 0) and op.attrs["padding"] == "VALID":
            raise ValueError(f"{op.type} op '{op.name}': the filter ({kh}x{kw}, dilated) is "
                             f"larger than the input ({h}x{w}) with VALID padding")
    depth = m if op.type == "Conv2D" else (None if c is None or m is None else c * m)
    return [(x.dtype, TensorShape([n, oh, ow, depth]))]


def _geometry_of(op_attrs, x_shape, f_shape) -> Geometry:
    strides = _pair(op_attrs["strides"], "strides", "conv")
    dilations = _pair(op_attrs.get("dilations", [1, 1, 1, 1]), "dilations", "conv")
    return Geometry(x_shape[1:3], f_shape[:2], strides, dilations, op_attrs["padding"])


def _conv_compute(x, f, **attrs):
    _check_depth(x.shape, f.shape)
    g = _geometry_of(attrs, x.shape, f.shape)
    cols = patches(x, g).reshape(-1, f.shape[0] * f.shape[1] * f.shape[2])
    out = cols @ f.reshape(-1, f.shape[3])
    return out.reshape(x.shape[0], g.oh, g.ow, f.shape[3]).astype(x.dtype, copy=False)


def _check_depth(x_shape, f_shape) -> None:
    if x_shape[3] != f_shape[2]:
        raise InvalidArgumentError(None, None, f"input depth must be evenly divisible by "
                                   f"filter depth: {x_shape[3]} vs {f_shape[2]}")


def _sizes(value, what: str) -> tuple:
    v = np.asarray(value).reshape(-1)
    if v.size != 4 or np.any(v < 0):
        raise InvalidArgumentError(None, None, f"{what} must be a 4-element vector of "
                                   f"non-negative sizes, got {list(v)}")
    return tuple(int(d) for d in v)


def _sized(op, sizes, value, attrs: bool = True):
    """[(value's dtype, the shape `sizes` holds when known)] for the gradient ops whose
    output shape is an input (input_sizes, filter_sizes, orig_input_shape)."""
    if attrs:
        _check_attrs(op)
    check_dtype(op, value, FLOATS)
    shape = const_value(sizes)
    dims = None if shape is None else [int(d) for d in np.asarray(shape).reshape(-1)]
    if dims is None and sizes.shape.as_tuple() == (4,):  # partly known (TF1's shape refiner)
        dims = const_value_as_shape(sizes).as_tuple()
    if dims is not None and len(dims) != 4:
        raise ValueError(f"{op.type} op '{op.name}': '{sizes.name}' must hold 4 sizes")
    return [(value.dtype, TensorShape(dims if dims is not None else [None] * 4))]


def _backprop_input_infer(op):
    sizes, f, dy = op.inputs
    return _sized(op, sizes, f)


def _backprop_filter_infer(op):
    x, sizes, dy = op.inputs
    return _sized(op, sizes, x)


def _conv_backprop_input(sizes, f, dy, **attrs):
    shape = _sizes(sizes, "input_sizes")
    g = _geometry_of(attrs, shape, f.shape)
    _check_out(dy.shape, shape[0], g, f.shape[3])
    cols = dy.reshape(-1, f.shape[3]) @ f.reshape(-1, f.shape[3]).T
    cols = cols.reshape(shape[0], g.oh, g.ow, f.shape[0], f.shape[1], f.shape[2])
    return col2im(cols, shape, g).astype(f.dtype, copy=False)


def _conv_backprop_filter(x, sizes, dy, **attrs):
    shape = _sizes(sizes, "filter_sizes")
    g = _geometry_of(attrs, x.shape, shape)
    _check_out(dy.shape, x.shape[0], g, shape[3])
    cols = patches(x, g).reshape(-1, shape[0] * shape[1] * shape[2])
    return (cols.T @ dy.reshape(-1, shape[3])).reshape(shape).astype(x.dtype, copy=False)


def _check_out(dy_shape, n, g: Geometry, depth) -> None:
    want = (n, g.oh, g.ow, depth)
    if tuple(dy_shape) != want:
        raise InvalidArgumentError(None, None, f"out_backprop has shape {list(dy_shape)}, but "
                                   f"the convolution's output is {list(want)}")


def _shape_of(t):
    return shape_op(t, out_type=dt.int32)


def _conv_vjp(op, grads):
    x, f = op.inputs
    g = grads[0]
    return [conv2d_backprop_input(_shape_of(x), f, g, **op.attrs),
            conv2d_backprop_filter(x, _shape_of(f), g, **op.attrs)]


def _backprop_input_vjp(op, grads):
    sizes, f, dy = op.inputs
    g = grads[0]
    return [None, conv2d_backprop_filter(g, _shape_of(f), dy, **op.attrs),
            conv2d(g, f, **op.attrs)]


def _backprop_filter_vjp(op, grads):
    x, sizes, dy = op.inputs
    g = grads[0]
    return [conv2d_backprop_input(_shape_of(x), g, dy, **op.attrs), None,
            conv2d(x, g, **op.attrs)]


defop("Conv2D", _conv_infer, _conv_compute, _conv_vjp, family="conv")
defop("Conv2DBackpropInput", _backprop_input_infer, _conv_backprop_input, _backprop_input_vjp,
      family="conv")
defop("Conv2DBackpropFilter", _backprop_filter_infer, _conv_backprop_filter,
      _backprop_filter_vjp, family="conv")


def _conv_attrs(strides, padding, dilations, data_format="NHWC") -> dict:
    return {"strides": [int(s) for s in strides], "padding": str(padding),
            "dilations": [int(d) for d in (dilations or [1, 1, 1, 1])],
            "data_format": data_format or "NHWC"}


def _filter_arg(fn: str, filter, filters):  # noqa: A002 - TF1's names
    """TF1's `filter`, or its TF2 spelling `filters`: exactly one."""
    if (filter is None) == (filters is None):
        raise ValueError(f"{fn} takes filter (or its alias filters), exactly one of them")
    return filter if filters is None else filters


def _required(fn: str, **given) -> None:
    for param, value in given.items():
        if value is None:
            raise TypeError(f"{fn}() missing required argument: '{param}'")


def conv2d(input, filter=None, strides=None, padding=None, use_cudnn_on_gpu=True,
           data_format="NHWC", dilations=(1, 1, 1, 1), name: Optional[str] = None,
           filters=None):  # noqa: A002 - TF1's names
    """TF1 `tf.nn.conv2d` (`use_cudnn_on_gpu` is a GPU hint, ignored)."""
    filter = _filter_arg("conv2d", filter, filters)
    _required("conv2d", strides=strides, padding=padding)
    x = convert_to_tensor(input)
    f = convert_to_tensor(filter, dtype=x.dtype)
    return apply("Conv2D", (x, f), _conv_attrs(strides, padding, dilations, data_format),
                 name=name or "Conv2D")


def conv2d_backprop_input(input_sizes, filter=None, out_backprop=None, strides=None,
                          padding=None, use_cudnn_on_gpu=True, data_format="NHWC",
                          dilations=(1, 1, 1, 1), name=None, filters=None):  # noqa: A002
    filter = _filter_arg("conv2d_backprop_input", filter, filters)
    _required("conv2d_backprop_input", out_backprop=out_backprop, strides=strides,
              padding=padding)
    sizes = convert_to_tensor(input_sizes, dtype=dt.int32)
    f = convert_to_tensor(filter)
    dy = convert_to_tensor(out_backprop, dtype=f.dtype)
    return apply("Conv2DBackpropInput", (sizes, f, dy),
                 _conv_attrs(strides, padding, dilations, data_format),
                 name=name or "Conv2DBackpropInput")


def conv2d_backprop_filter(input, filter_sizes, out_backprop, strides, padding,
                           use_cudnn_on_gpu=True, data_format="NHWC", dilations=(1, 1, 1, 1),
                           name=None):  # noqa: A002
    x = convert_to_tensor(input)
    sizes = convert_to_tensor(filter_sizes, dtype=dt.int32)
    dy = convert_to_tensor(out_backprop, dtype=x.dtype)
    return apply("Conv2DBackpropFilter", (x, sizes, dy),
                 _conv_attrs(strides, padding, dilations, data_format),
                 name=name or "Conv2DBackpropFilter")


def conv2d_transpose(value=None, filter=None, output_shape=None, strides=None, padding="SAME",
                     data_format="NHWC", name=None, input=None, filters=None,
                     dilations=None):  # noqa: A002
    """TF1 `tf.nn.conv2d_transpose`: the gradient of conv2d with respect to its input
    (`input` and `filters` are TF2's spellings of `value` and `filter`)."""
    if (value is None) == (input is None):
        raise ValueError("conv2d_transpose takes value (or its alias input), exactly one")
    _required("conv2d_transpose", output_shape=output_shape, strides=strides)
    return conv2d_backprop_input(output_shape, _filter_arg("conv2d_transpose", filter, filters),
                                 value if input is None else input, strides, padding,
                                 data_format=data_format, dilations=dilations,
                                 name=name or "conv2d_transpose")


# ---------------------------------------------------------------- depthwise
def _depthwise_compute(x, f, **attrs):
    if x.shape[3] != f.shape[2]:
        raise InvalidArgumentError(None, None, f"input depth {x.shape[3]} does not match the "
                                   f"filter's in_channels {f.shape[2]}")
    g = _geometry_of(attrs, x.shape, f.shape)
    p = patches(x, g)                                  # [N, OH, OW, KH, KW, C]
    out = np.einsum("nhwijc,ijcm->nhwcm", p, f)
    return out.reshape(x.shape[0], g.oh, g.ow, -1).astype(x.dtype, copy=False)


def _depthwise_backprop_input(sizes, f, dy, **attrs):
    shape = _sizes(sizes, "input_sizes")
    g = _geometry_of(attrs, shape, f.shape)
    _check_out(dy.shape, shape[0], g, f.shape[2] * f.shape[3])
    d = dy.reshape(shape[0], g.oh, g.ow, f.shape[2], f.shape[3])
    cols = np.einsum("nhwcm,ijcm->nhwijc", d, f)
    return col2im(cols, shape, g).astype(f.dtype, copy=False)


def _depthwise_backprop_filter(x, sizes, dy, **attrs):
    shape = _sizes(sizes, "filter_sizes")
    g = _geometry_of(attrs, x.shape, shape)
    _check_out(dy.shape, x.shape[0], g, shape[2] * shape[3])
    d = dy.reshape(x.shape[0], g.oh, g.ow, shape[2], shape[3])
    return np.einsum("nhwijc,nhwcm->ijcm", patches(x, g), d).astype(x.dtype, copy=False)


def vjp_rules(forward: str, backprop_input: str, backprop_filter: str) -> tuple:
    """The VJP rules of a convolution op type and its two backprop op types (TF1's: the
    backprop ops are convolutions again, so second derivatives work)."""
    def forward_vjp(op, grads):
        x, f = op.inputs
        return [apply(backprop_input, (_shape_of(x), f, grads[0]), op.attrs),
                apply(backprop_filter, (x, _shape_of(f), grads[0]), op.attrs)]

    def input_vjp(op, grads):
        sizes, f, dy = op.inputs
        return [None, apply(backprop_filter, (grads[0], _shape_of(f), dy), op.attrs),
                apply(forward, (grads[0], f), op.attrs)]

    def filter_vjp(op, grads):
        x, sizes, dy = op.inputs
        return [apply(backprop_input, (_shape_of(x), grads[0], dy), op.attrs), None,
                apply(forward, (x, grads[0]), op.attrs)]
    return forward_vjp, input_vjp, filter_vjp


_DW_VJPS = vjp_rules("DepthwiseConv2dNative", "DepthwiseConv2dNativeBackpropInput",
                     "DepthwiseConv2dNativeBackpropFilter")
defop("DepthwiseConv2dNative", _conv_infer, _depthwise_compute, _DW_VJPS[0], family="conv")
defop("DepthwiseConv2dNativeBackpropInput", _backprop_input_infer, _depthwise_backprop_input,
      _DW_VJPS[1], family="conv")
defop("DepthwiseConv2dNativeBackpropFilter", _backprop_filter_infer,
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
                 _conv_attrs(strides, padding, dilations, data_format),
                 name=name or "depthwise")


# ---------------------------------------------------------------- pooling
def _pool_infer(op):
    x = op.inputs[0]
    _check_attrs(op)
    check_dtype(op, x, FLOATS)
    xd = _require_rank(op, x, 4, "input")
    n, h, w, c = xd if xd is not None else (None,) * 4
    k = _pair(op.attrs["ksize"], "ksize", op.name)
    g = _attrs_geometry(op, (h, w), k)
    return [(x.dtype, TensorShape([n, g.oh, g.ow, c]))]


def _pool_geometry(attrs, x_shape) -> Geometry:
    return Geometry(x_shape[1:3], _pair(attrs["ksize"], "ksize", "pool"),
                    _pair(attrs["strides"], "strides", "pool"), (1, 1), attrs["padding"])


def _max_pool(x, **attrs):
    g = _pool_geometry(attrs, x.shape)
    p = patches(x, g, fill=-np.inf)
    return p.max(axis=(3, 4)).astype(x.dtype, copy=False)


def _avg_counts(x_shape, g: Geometry, dtype) -> np.ndarray:
    ones = np.ones((1, x_shape[1], x_shape[2], 1), dtype)
    return patches(ones, g).sum(axis=(3, 4))           # [1, OH, OW, 1] in-bounds counts


def _avg_pool(x, **attrs):
    g = _pool_geometry(attrs, x.shape)
    total = patches(x, g).sum(axis=(3, 4))
    return (total / _avg_counts(x.shape, g, x.dtype)).astype(x.dtype, copy=False)


def _max_pool_grad(x, y, dy, **attrs):
    g = _pool_geometry(attrs, x.shape)
    p = patches(x, g, fill=-np.inf)                   # [N, OH, OW, KH, KW, C]
    n, oh, ow, kh, kw, c = p.shape
    flat = p.transpose(0, 1, 2, 5, 3, 4).reshape(n, oh, ow, c, kh * kw)
    first = flat.argmax(axis=-1)                      # the first maximum of each window
    onehot = np.zeros_like(flat)
    np.put_along_axis(onehot, first[..., None], 1, axis=-1)
    cols = (onehot * dy[..., None]).reshape(n, oh, ow, c, kh, kw).transpose(0, 1, 2, 4, 5, 3)
    return col2im(cols, x.shape, g).astype(x.dtype, copy=False)


def _avg_pool_grad(sizes, dy, **attrs):
    shape = _sizes(sizes, "orig_input_shape")
    g = _pool_geometry(attrs, shape)
    share = dy / _avg_counts(shape, g, dy.dtype)
    cols = np.broadcast_to(share[:, :, :, None, None, :],
                           (shape[0], g.oh, g.ow, g.kh, g.kw, shape[3]))
    return col2im(np.ascontiguousarray(cols), shape, g).astype(dy.dtype, copy=False)


def _max_pool_vjp(op, grads):
    return [apply("MaxPoolGrad", (op.inputs[0], op.outputs[0], grads[0]), op.attrs)]


def _avg_pool_vjp(op, grads):
    return [apply("AvgPoolGrad", (_shape_of(op.inputs[0]), grads[0]), op.attrs)]


def _avg_pool_grad_vjp(op, grads):
    return [None, apply("AvgPool", (grads[0],), op.attrs)]


def _max_pool_grad_infer(op):
    x, y, dy = op.inputs
    check_dtype(op, x, FLOATS)
    return [(x.dtype, x.shape)]


def _avg_pool_grad_infer(op):
    sizes, dy = op.inputs
    return _sized(op, sizes, dy)


defop("MaxPool", _pool_infer, _max_pool, _max_pool_vjp, family="conv")
defop("AvgPool", _pool_infer, _avg_pool, _avg_pool_vjp, family="conv")
defop("MaxPoolGrad", _max_pool_grad_infer, _max_pool_grad, NON_DIFFERENTIABLE, family="conv")
defop("AvgPoolGrad", _avg_pool_grad_infer, _avg_pool_grad, _avg_pool_grad_vjp, family="conv")


def _pool_attrs(ksize, strides, padding, data_format) -> dict:
    return {"ksize": [int(k) for k in ksize], "strides": [int(s) for s in strides],
            "padding": str(padding), "data_format": data_format or "NHWC"}


def max_pool(value, ksize, strides, padding, data_format="NHWC", name=None, input=None):  # noqa: A002
    x = convert_to_tensor(value if value is not None else input)
    return apply("MaxPool", (x,), _pool_attrs(ksize, strides, padding, data_format),
                 name=name or "MaxPool")


def avg_pool(value, ksize, strides, padding, data_format="NHWC", name=None, input=None):  # noqa: A002
    x = convert_to_tensor(value if value is not None else input)
    return apply("AvgPool", (x,), _pool_attrs(ksize, strides, padding, data_format),
                 name=name or "AvgPool")
