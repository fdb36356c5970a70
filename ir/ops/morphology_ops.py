"""Max pooling with its argmax, and grayscale morphology (TF1's Dilation2D and backprops).

MaxPoolWithArgmax  (x [N, H, W, C]) -> (y, argmax): max pooling (padded positions never
                   win) and where each maximum came from, as TF's flattened index
                   `((b * H + h) * W + w) * C + c`, without the `b` term unless
                   include_batch_in_index. In a window the first maximum in row-major
                   order wins, as TF's kernel. Its gradient adds each dy to the input
                   element its argmax names (an UnsortedSegmentSum, so it differentiates
                   again); the argmax output is not differentiable.
Dilation2D  (x [N, H, W, C], filter [kh, kw, C]) -> [N, oh, ow, C]: out = max over the
            window of x[b, y*sh + i*rh, x*sw + j*rw, c] + filter[i, j, c] (strides,
            rates; padding as a dilated convolution's, padded positions never win).
Dilation2DBackpropInput / Dilation2DBackpropFilter  dy routed to the first maximum of
            each window, to the input element or the filter tap; like TF's they have no
            gradient of their own.
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from .. import dtypes as dt
from ..registry import NON_DIFFERENTIABLE
from ..shapes import TensorShape
from ._base import apply, check_dtype, convert_to_tensor, defop
from .array_grads import unsorted_segment_sum
from .array_ops import reshape, shape, size
from .conv_geometry import FLOATS, Geometry, check_attrs, col2im, dims, patches, \
    pool_geometry, spatial
from .generator_ops import range as range_op
from .math_ops import add, cast, multiply
from .reduce_ops import reduce_prod
from .slicing_ops import strided_slice

RANK = 2


# ---------------------------------------------------------------- MaxPoolWithArgmax
def _window_argmax(p: np.ndarray):
    """(the max, the flat kernel offset of the first max) of [N, oh, ow, kh, kw, C]."""
    n, oh, ow, kh, kw, c = p.shape
    flat = np.moveaxis(p, -1, 3).reshape(n, oh, ow, c, kh * kw)
    k = flat.argmax(axis=-1)
    return np.take_along_axis(flat, k[..., None], -1)[..., 0], k


def _input_coordinates(k: np.ndarray, g: Geometry):
    """The (h, w) in the unpadded input of kernel offset k at each output position."""
    oy = np.arange(g.out[0])[None, :, None, None]
    ox = np.arange(g.out[1])[None, None, :, None]
    ky, kx = np.divmod(k, g.k[1])
    return (oy * g.s[0] + ky * g.d[0] - g.pads[0][0],
            ox * g.s[1] + kx * g.d[1] - g.pads[1][0])


def _max_pool_argmax(x, ksize, strides, padding, Targmax,  # noqa: N803
                     include_batch_in_index):
    g = pool_geometry({"ksize": ksize, "strides": strides, "padding": padding},
                      x.shape[1:-1])
    y, k = _window_argmax(patches(x, g, fill=-np.inf))
    h, w = _input_coordinates(k, g)
    n, height, width, c = x.shape
    index = (h * width + w) * c + np.arange(c)
    if include_batch_in_index:
        index = index + np.arange(n)[:, None, None, None] * (height * width * c)
    return y.astype(x.dtype, copy=False), index.astype(dt.as_dtype(Targmax).np)


def _max_pool_argmax_infer(op):
    x = op.inputs[0]
    check_attrs(op, RANK, keys=("strides", "ksize"))
    check_dtype(op, x, FLOATS)
    if dt.as_dtype(op.attrs["Targmax"]) not in (dt.int32, dt.int64):
        raise TypeError(f"Targmax must be int32 or int64, got {op.attrs['Targmax']}")
    xd = dims(op, x, RANK, "input")
    g = pool_geometry(op.attrs, xd[1:-1], op.name)
    out = TensorShape([xd[0], *g.out, xd[-1]])
    return [(x.dtype, out), (dt.as_dtype(op.attrs["Targmax"]), out)]


def _max_pool_argmax_vjp(op, grads):
    x, dy = op.inputs[0], grads[0]
    index = cast(op.outputs[1], dt.int64)
    if not op.attrs["include_batch_in_index"]:  # add b * H * W * C
        x_shape = cast(shape(x), dt.int64)
        per_image = reduce_prod(strided_slice(x_shape, [1], [4], [1]))
        batch = range_op(strided_slice(x_shape, [0], [1], [1], shrink_axis_mask=1))
        index = add(index, reshape(multiply(batch, per_image), [-1, 1, 1, 1]))
    flat = unsorted_segment_sum(reshape(dy, [-1]), reshape(index, [-1]),
                                cast(size(x), dt.int64))
    return [reshape(flat, shape(x))]


defop("MaxPoolWithArgmax", _max_pool_argmax_infer, _max_pool_argmax, _max_pool_argmax_vjp,
      family="conv")


def max_pool_with_argmax(input, ksize, strides, padding, data_format="NHWC",  # noqa: A002
                         Targmax=None, name: Optional[str] = None,  # noqa: N803
                         output_dtype=None, include_batch_in_index: bool = False):
    """TF1 `tf.nn.max_pool_with_argmax`: (max pooled, the flat index of each maximum)."""
    if data_format != "NHWC":
        raise ValueError(f"max_pool_with_argmax supports data_format='NHWC' only, got "
                         f"{data_format!r}")
    if Targmax is not None and output_dtype is not None and \
            dt.as_dtype(Targmax) is not dt.as_dtype(output_dtype):
        raise ValueError("Cannot specify both 'Targmax' and 'output_dtype'")
    targmax = dt.as_dtype(Targmax or output_dtype or dt.int64)
    x = convert_to_tensor(input, name="input")
    return apply("MaxPoolWithArgmax", (x,), {
        "ksize": [int(k) for k in ksize], "strides": [int(s) for s in strides],
        "padding": str(padding), "Targmax": targmax,
        "include_batch_in_index": bool(include_batch_in_index)},
        name=name or "MaxPoolWithArgmax")


# ---------------------------------------------------------------- Dilation2D
def _dilation_geometry(in_sp, f_sp, strides, rates, padding) -> Geometry:
    return Geometry(in_sp, f_sp, spatial(strides, "strides", "Dilation2D", RANK),
                    spatial(rates, "rates", "Dilation2D", RANK), padding)


def _dilation_windows(x, f, strides, rates, padding):
    g = _dilation_geometry(x.shape[1:-1], f.shape[:2], strides, rates, padding)
    return patches(x, g, fill=-np.inf) + f, g


def _dilation(x, f, strides, rates, padding):
    p, g = _dilation_windows(x, f, strides, rates, padding)
    return _window_argmax(p)[0].astype(x.dtype, copy=False)


def _routed(x, f, dy, strides, rates, padding):
    """dy on the first maximum of each window: [N, oh, ow, kh, kw, C], and the geometry."""
    p, g = _dilation_windows(x, f, strides, rates, padding)
    _, k = _window_argmax(p)
    n, oh, ow, kh, kw, c = p.shape
    onehot = np.zeros((n, oh, ow, c, kh * kw), dy.dtype)
    np.put_along_axis(onehot, k[..., None], 1, axis=-1)
    routed = onehot * dy[..., None]
    return np.moveaxis(routed.reshape(n, oh, ow, c, kh, kw), 3, -1), g


def _dilation_backprop_input(x, f, dy, strides, rates, padding):
    cols, g = _routed(x, f, dy, strides, rates, padding)
    return col2im(cols, x.shape, g).astype(x.dtype, copy=False)


def _dilation_backprop_filter(x, f, dy, strides, rates, padding):
    cols, _ = _routed(x, f, dy, strides, rates, padding)
    return cols.sum(axis=(0, 1, 2)).astype(f.dtype, copy=False)


def _dilation_out(op):
    x, f = op.inputs[0], op.inputs[1]
    a = op.attrs
    check_attrs(op, RANK, keys=("strides", "rates"))
    check_dtype(op, x, FLOATS, "input")
    if f.dtype is not x.dtype:
        raise TypeError(f"filter '{f.name}' is {f.dtype.name}, input '{x.name}' is "
                        f"{x.dtype.name}")
    xd = dims(op, x, RANK, "input")
    fd = f.shape.as_tuple()
    if fd is not None and len(fd) != 3:
        raise ValueError(f"filter must be [filter_height, filter_width, depth], got shape "
                         f"{f.shape}")
    fd = fd or (None, None, None)
    if None not in (xd[-1], fd[-1]) and xd[-1] != fd[-1]:
        raise ValueError(f"input depth {xd[-1]} and filter depth {fd[-1]} differ")
    if None in fd[:2]:
        return x, TensorShape([xd[0], None, None, xd[-1]])
    g = _dilation_geometry(xd[1:-1], fd[:2], a["strides"], a["rates"], a["padding"])
    return x, TensorShape([xd[0], *g.out, xd[-1]])


def _dilation_infer(op):
    x, out = _dilation_out(op)
    return [(x.dtype, out)]


def _dilation_vjp(op, grads):
    x, f = op.inputs
    return [apply("Dilation2DBackpropInput", (x, f, grads[0]), op.attrs),
            apply("Dilation2DBackpropFilter", (x, f, grads[0]), op.attrs)]


defop("Dilation2D", _dilation_infer, _dilation, _dilation_vjp, family="conv")
defop("Dilation2DBackpropInput", lambda op: [(op.inputs[0].dtype, op.inputs[0].shape)],
      _dilation_backprop_input, NON_DIFFERENTIABLE, family="conv")
defop("Dilation2DBackpropFilter", lambda op: [(op.inputs[1].dtype, op.inputs[1].shape)],
      _dilation_backprop_filter, NON_DIFFERENTIABLE, family="conv")


def dilation2d(input, filter=None, strides=None, rates=None, padding=None,  # noqa: A002
               name: Optional[str] = None, filters=None, dilations=None):
    """TF1 `tf.nn.dilation2d`: grayscale dilation of NHWC images by a [kh, kw, C] filter."""
    if filter is not None and filters is not None:
        raise ValueError("Cannot specify both 'filter' and 'filters'")
    if rates is not None and dilations is not None:
        raise ValueError("Cannot specify both 'rates' and 'dilations'")
    f = filter if filter is not None else filters
    r = rates if rates is not None else dilations
    for what, value in (("filter", f), ("strides", strides), ("rates", r),
                        ("padding", padding)):
        if value is None:
            raise TypeError(f"dilation2d() missing required argument: '{what}'")
    x = convert_to_tensor(input, name="input")
    return apply("Dilation2D", (x, convert_to_tensor(f, dtype=x.dtype, name="filter")),
                 {"strides": [int(s) for s in strides], "rates": [int(v) for v in r],
                  "padding": str(padding)}, name=name or "dilation2d")
