"""3-D convolution and pooling (NDHWC, TF1's SAME/VALID padding, strides, dilations).

Conv3D                    [N, D, H, W, C] * [KD, KH, KW, C, M] -> [N, OD, OH, OW, M]
Conv3DBackpropInputV2     its gradient for the input (tf.nn.conv3d_transpose)
Conv3DBackpropFilterV2    its gradient for the filter
MaxPool3D, AvgPool3D      windows; AvgPool3D averages the in-bounds elements only (TF1)
MaxPool3DGrad, AvgPool3DGrad  their gradients

The numpy semantics are conv_ops' im2col generalised to any number of spatial dims: the
padded windows as a [N*OD*OH*OW, KD*KH*KW*C] matrix, one matmul. The VJP rules are those
of the 2-D ops (the backprop ops are convolutions again, so second derivatives work).
The llvm backend runs these through their numpy kernels (listed in the README).
"""
from __future__ import annotations

import itertools
from typing import Optional

import numpy as np

from .. import dtypes as dt
from ..errors import InvalidArgumentError
from ..registry import NON_DIFFERENTIABLE
from ..shapes import TensorShape
from ._base import apply, check_dtype, const_value, convert_to_tensor, defop
from .conv_ops import _check_attrs as check_2d_attrs
from .conv_ops import _filter_arg, _required, out_size, vjp_rules
from .array_ops import shape as shape_op

FLOATS = dt.FLOATS
SPATIAL = 3


# ---------------------------------------------------------------- geometry
class GeometryND:
    """Window arithmetic along each spatial dim: kernel, stride, dilation, output size
    and (pad before, pad after)."""

    def __init__(self, in_sp, k_sp, strides, dilations, padding) -> None:
        self.k, self.s, self.d = list(k_sp), list(strides), list(dilations)
        sizes = [out_size(n, k, s, d, padding) for n, k, s, d in
                 zip(in_sp, k_sp, strides, dilations)]
        self.out = [o for o, _ in sizes]
        self.pads = [p for _, p in sizes]

    def windows(self):
        """(kernel offset, the slices of the padded input it reads)."""
        for idx in itertools.product(*(range(k) for k in self.k)):
            yield idx, tuple(slice(i * d, i * d + s * (o - 1) + 1, s) for i, d, s, o in
                             zip(idx, self.d, self.s, self.out))


def nd_patches(x: np.ndarray, g: GeometryND, fill=0.0) -> np.ndarray:
    """[N, *out, *kernel, C] windows of the padded input."""
    xp = np.pad(x, [(0, 0)] + [tuple(p) for p in g.pads] + [(0, 0)], constant_values=fill)
    out = np.empty([x.shape[0]] + g.out + g.k + [x.shape[-1]], dtype=x.dtype)
    every = (slice(None),) * len(g.out)
    for idx, sl in g.windows():
        out[(slice(None),) + every + idx] = xp[(slice(None),) + sl]
    return out


def nd_col2im(cols: np.ndarray, shape, g: GeometryND) -> np.ndarray:
    """The adjoint of `nd_patches`: sum the windows back into `shape`."""
    padded = [shape[0]] + [n + sum(p) for n, p in zip(shape[1:-1], g.pads)] + [shape[-1]]
    xp = np.zeros(padded, dtype=cols.dtype)
    every = (slice(None),) * len(g.out)
    for idx, sl in g.windows():
        xp[(slice(None),) + sl] += cols[(slice(None),) + every + idx]
    return xp[(slice(None),) + tuple(slice(p[0], p[0] + n) for n, p in
                                     zip(shape[1:-1], g.pads))]


def _spatial(values, what: str, op_name: str) -> list:
    v = [int(x) for x in values]
    if len(v) != SPATIAL + 2 or v[0] != 1 or v[-1] != 1:
        raise ValueError(f"{op_name}: {what} must be [1, d, h, w, 1] (NDHWC), got {v}")
    return v[1:-1]


def _geometry(attrs, in_sp, k_sp, op_name: str = "conv3d") -> GeometryND:
    return GeometryND(in_sp, k_sp, _spatial(attrs["strides"], "strides", op_name),
                      _spatial(attrs.get("dilations", [1] * 5), "dilations", op_name),
                      attrs["padding"])


def _check_attrs(op) -> None:
    check_2d_attrs(op, "NDHWC")
    for key in ("strides", "dilations", "ksize"):
        if key in op.attrs:
            _spatial(op.attrs[key], key, f"{op.type} op '{op.name}'")


def _dims5(op, t, what: str) -> tuple:
    dims = t.shape.as_tuple()
    if dims is not None and len(dims) != 5:
        raise ValueError(f"{op.type} op '{op.name}': {what} '{t.name}' must be rank 5, got "
                         f"shape {t.shape}")
    return dims if dims is not None else (None,) * 5


def _sizes(value, what: str) -> list:
    v = np.asarray(value).reshape(-1)
    if v.size != 5 or np.any(v < 0):
        raise InvalidArgumentError(None, None, f"{what} must be a 5-element vector of "
                                   f"non-negative sizes, got {list(v)}")
    return [int(d) for d in v]


def _check_out(dy_shape, n, g: GeometryND, depth) -> None:
    want = [n] + g.out + [depth]
    if list(dy_shape) != want:
        raise InvalidArgumentError(None, None, f"out_backprop has shape {list(dy_shape)}, but "
                                   f"the convolution's output is {want}")


def _shape_of(t):
    return shape_op(t, out_type=dt.int32)


# ---------------------------------------------------------------- Conv3D family
def _conv_infer(op):
    x, f = op.inputs
    _check_attrs(op)
    check_dtype(op, x, FLOATS)
    if f.dtype is not x.dtype:
        raise TypeError(f"{op.type} op '{op.name}': input is {x.dtype.name} but filter "
                        f"'{f.name}' is {f.dtype.name}")
    xd, fd = _dims5(op, x, "input"), _dims5(op, f, "filter")
    if xd[-1] is not None and fd[3] is not None and xd[-1] != fd[3]:
        raise ValueError(f"{op.type} op '{op.name}': input depth {xd[-1]} of '{x.name}' does "
                         f"not match the filter's in_channels {fd[3]} ('{f.name}', shape "
                         f"{f.shape})")
    out = [None] * SPATIAL
    if None not in fd[:3]:
        g = _geometry(op.attrs, xd[1:4], fd[:3], op.name)
        out = g.out
        if 0 in out and op.attrs["padding"] == "VALID":
            raise ValueError(f"{op.type} op '{op.name}': the filter {list(fd[:3])} (dilated) "
                             f"is larger than the input {list(xd[1:4])} with VALID padding")
    return [(x.dtype, TensorShape([xd[0]] + out + [fd[4]]))]


def _conv_compute(x, f, **attrs):
    if x.shape[-1] != f.shape[3]:
        raise InvalidArgumentError(None, None, f"input depth must be evenly divisible by "
                                   f"filter depth: {x.shape[-1]} vs {f.shape[3]}")
    g = _geometry(attrs, x.shape[1:4], f.shape[:3])
    cols = nd_patches(x, g).reshape(-1, int(np.prod(f.shape[:4])))
    out = cols @ f.reshape(-1, f.shape[4])
    return out.reshape([x.shape[0]] + g.out + [f.shape[4]]).astype(x.dtype, copy=False)


def _sized(op, sizes, value):
    _check_attrs(op)
    check_dtype(op, value, FLOATS)
    shape = const_value(sizes)
    dims = None if shape is None else [int(d) for d in np.asarray(shape).reshape(-1)]
    if dims is not None and len(dims) != 5:
        raise ValueError(f"{op.type} op '{op.name}': '{sizes.name}' must hold 5 sizes")
    return [(value.dtype, TensorShape(dims if dims is not None else [None] * 5))]


def _backprop_input(sizes, f, dy, **attrs):
    shape = _sizes(sizes, "input_sizes")
    g = _geometry(attrs, shape[1:4], f.shape[:3])
    _check_out(dy.shape, shape[0], g, f.shape[4])
    cols = dy.reshape(-1, f.shape[4]) @ f.reshape(-1, f.shape[4]).T
    cols = cols.reshape([shape[0]] + g.out + list(f.shape[:4]))
    return nd_col2im(cols, shape, g).astype(f.dtype, copy=False)


def _backprop_filter(x, sizes, dy, **attrs):
    shape = _sizes(sizes, "filter_sizes")
    g = _geometry(attrs, x.shape[1:4], shape[:3])
    _check_out(dy.shape, x.shape[0], g, shape[4])
    cols = nd_patches(x, g).reshape(-1, int(np.prod(shape[:4])))
    return (cols.T @ dy.reshape(-1, shape[4])).reshape(shape).astype(x.dtype, copy=False)


_VJPS = vjp_rules("Conv3D", "Conv3DBackpropInputV2", "Conv3DBackpropFilterV2")


defop("Conv3D", _conv_infer, _conv_compute, _VJPS[0], family="conv")
defop("Conv3DBackpropInputV2", lambda op: _sized(op, op.inputs[0], op.inputs[1]),
      _backprop_input, _VJPS[1], family="conv")
defop("Conv3DBackpropFilterV2", lambda op: _sized(op, op.inputs[1], op.inputs[0]),
      _backprop_filter, _VJPS[2], family="conv")


def _attrs(strides, padding, dilations, data_format) -> dict:
    return {"strides": [int(s) for s in strides], "padding": str(padding),
            "dilations": [int(d) for d in (dilations or [1] * 5)],
            "data_format": data_format or "NDHWC"}


def conv3d(input, filter=None, strides=None, padding=None, data_format="NDHWC",
           dilations=(1, 1, 1, 1, 1), name: Optional[str] = None,
           filters=None):  # noqa: A002 - TF1's names
    """TF1 `tf.nn.conv3d`."""
    filter = _filter_arg("conv3d", filter, filters)
    _required("conv3d", strides=strides, padding=padding)
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
    _required("conv3d_transpose", output_shape=output_shape, strides=strides)
    f = convert_to_tensor(_filter_arg("conv3d_transpose", filter, filters))
    dy = convert_to_tensor(value if input is None else input, dtype=f.dtype)
    sizes = convert_to_tensor(output_shape, dtype=dt.int32)
    return apply("Conv3DBackpropInputV2", (sizes, f, dy),
                 _attrs(strides, padding, dilations, data_format),
                 name=name or "conv3d_transpose")


# ---------------------------------------------------------------- 3-D pooling
def _pool_infer(op):
    x = op.inputs[0]
    _check_attrs(op)
    check_dtype(op, x, FLOATS)
    xd = _dims5(op, x, "input")
    k = _spatial(op.attrs["ksize"], "ksize", op.name)
    g = GeometryND(xd[1:4], k, _spatial(op.attrs["strides"], "strides", op.name), [1] * 3,
                   op.attrs["padding"])
    return [(x.dtype, TensorShape([xd[0]] + g.out + [xd[4]]))]


def _pool_geometry(attrs, shape) -> GeometryND:
    return GeometryND(shape[1:4], _spatial(attrs["ksize"], "ksize", "pool3d"),
                      _spatial(attrs["strides"], "strides", "pool3d"), [1] * 3,
                      attrs["padding"])


_KERNEL_AXES = (4, 5, 6)   # of [N, OD, OH, OW, KD, KH, KW, C]


def _max_pool(x, **attrs):
    p = nd_patches(x, _pool_geometry(attrs, x.shape), fill=-np.inf)
    return p.max(axis=_KERNEL_AXES).astype(x.dtype, copy=False)


def _counts(shape, g: GeometryND, dtype) -> np.ndarray:
    ones = np.ones([1] + list(shape[1:4]) + [1], dtype)
    return nd_patches(ones, g).sum(axis=_KERNEL_AXES)


def _avg_pool(x, **attrs):
    g = _pool_geometry(attrs, x.shape)
    total = nd_patches(x, g).sum(axis=_KERNEL_AXES)
    return (total / _counts(x.shape, g, x.dtype)).astype(x.dtype, copy=False)


def _max_pool_grad(x, y, dy, **attrs):
    g = _pool_geometry(attrs, x.shape)
    p = nd_patches(x, g, fill=-np.inf)                 # [N, OD, OH, OW, KD, KH, KW, C]
    lead, c = p.shape[:4], p.shape[-1]
    flat = np.moveaxis(p, -1, 4).reshape(lead + (c, -1))
    onehot = np.zeros_like(flat)
    np.put_along_axis(onehot, flat.argmax(axis=-1)[..., None], 1, axis=-1)  # first maximum
    cols = np.moveaxis((onehot * dy[..., None]).reshape(lead + (c,) + tuple(g.k)), 4, -1)
    return nd_col2im(cols, x.shape, g).astype(x.dtype, copy=False)


def _avg_pool_grad(sizes, dy, **attrs):
    shape = _sizes(sizes, "orig_input_shape")
    g = _pool_geometry(attrs, shape)
    share = dy / _counts(shape, g, dy.dtype)
    cols = np.broadcast_to(share[:, :, :, :, None, None, None, :],
                           [shape[0]] + g.out + g.k + [shape[4]])
    return nd_col2im(np.ascontiguousarray(cols), shape, g).astype(dy.dtype, copy=False)


def _max_pool_grad_infer(op):
    check_dtype(op, op.inputs[0], FLOATS)
    return [(op.inputs[0].dtype, op.inputs[0].shape)]


defop("MaxPool3D", _pool_infer, _max_pool,
      lambda op, grads: [apply("MaxPool3DGrad", (op.inputs[0], op.outputs[0], grads[0]),
                               op.attrs)], family="conv")
defop("AvgPool3D", _pool_infer, _avg_pool,
      lambda op, grads: [apply("AvgPool3DGrad", (_shape_of(op.inputs[0]), grads[0]),
                               op.attrs)], family="conv")
defop("MaxPool3DGrad", _max_pool_grad_infer, _max_pool_grad, NON_DIFFERENTIABLE,
      family="conv")
defop("AvgPool3DGrad", lambda op: _sized(op, op.inputs[0], op.inputs[1]), _avg_pool_grad,
      lambda op, grads: [None, apply("AvgPool3D", (grads[0],), op.attrs)], family="conv")


def _pool(op_type: str, input, ksize, strides, padding, data_format, name):  # noqa: A002
    attrs = {"ksize": [int(k) for k in ksize], "strides": [int(s) for s in strides],
             "padding": str(padding), "data_format": data_format or "NDHWC"}
    return apply(op_type, (convert_to_tensor(input),), attrs, name=name or op_type)


def max_pool3d(input, ksize, strides, padding, data_format="NDHWC",
               name: Optional[str] = None):  # noqa: A002 - TF1's names
    """TF1 `tf.nn.max_pool3d`."""
    return _pool("MaxPool3D", input, ksize, strides, padding, data_format, name)


def avg_pool3d(input, ksize, strides, padding, data_format="NDHWC",
               name: Optional[str] = None):  # noqa: A002 - TF1's names
    """TF1 `tf.nn.avg_pool3d`."""
    return _pool("AvgPool3D", input, ksize, strides, padding, data_format, name)
