"""TF1's top-level raw convolution ops over graphc's convolutions (ir/ops/conv_ops.py,
conv3d_ops.py): `conv` (TF's generic N-D Conv: batch_dims, CHANNELS_FIRST/LAST, groups,
EXPLICIT padding), `conv2d_backprop_input_v2` / `conv2d_backprop_filter_v2` (the V2 ops
take the input or filter tensor instead of its shape) and `extract_volume_patches`.

Each is a composition of existing ops (pads, slices, transposes, the convolutions and
their backprops), so they lower natively and differentiate through those ops' VJPs.
EXPLICIT padding pads the input with zeros and convolves VALID, as TF defines it.
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from .ir.context import get_default_graph
from .ir.ops import array_ops as A
from .ir.ops._base import convert_to_tensor
from .ir.ops.array_ops import concat, shape as shape_of
from .ir.ops.conv3d_ops import conv3d
from .ir.ops.conv_ops import conv2d, conv2d_backprop_filter, conv2d_backprop_input
from .ir.ops.math_ops import add
from .ir.ops.slicing_ops import slice as slice_, strided_slice
from .ir.ops.split_ops import split
from .ir.ops.tile_pad_ops import pad


def _explicit_pairs(fn: str, padding: str, explicit_paddings, rank: int):
    """[[before, after]] per axis for padding='EXPLICIT' (None otherwise)."""
    given = [int(p) for p in explicit_paddings or ()]
    if padding != "EXPLICIT":
        if given:
            raise ValueError(f"{fn}: explicit_paddings must be empty unless "
                             f"padding='EXPLICIT', got {given}")
        return None
    if len(given) != 2 * rank or min(given) < 0:
        raise ValueError(f"{fn}: padding='EXPLICIT' needs {2 * rank} non-negative "
                         f"explicit_paddings (before and after each axis), got {given}")
    return np.array(given, np.int32).reshape(rank, 2)


def _check_unpadded(fn: str, pairs, channel_axis: int) -> None:
    if pairs is not None and (pairs[0].any() or pairs[channel_axis].any()):
        raise ValueError(f"{fn}: explicit_paddings of the batch and channel dimensions "
                         f"must be 0, got {pairs.reshape(-1).tolist()}")


def conv2d_backprop_input_v2(input, filter, out_backprop, strides, padding,  # noqa: A002
                             use_cudnn_on_gpu=True, explicit_paddings=[],  # noqa: B006
                             data_format="NHWC", dilations=[1, 1, 1, 1],  # noqa: B006
                             name: Optional[str] = None):
    """TF1 `tf.conv2d_backprop_input_v2`: conv2d's gradient for an input shaped like
    `input` (whose values are not read)."""
    fn = "conv2d_backprop_input_v2"
    with get_default_graph().name_scope(name or "Conv2DBackpropInputV2"):
        x = convert_to_tensor(input, name="input")
        pairs = _explicit_pairs(fn, padding, explicit_paddings, 4)
        if pairs is None:
            return conv2d_backprop_input(shape_of(x), filter, out_backprop, strides, padding,
                                         data_format=data_format, dilations=dilations)
        _check_unpadded(fn, pairs, 1 if data_format == "NCHW" else 3)
        padded = add(shape_of(x), pairs.sum(axis=1).astype(np.int32))
        dx = conv2d_backprop_input(padded, filter, out_backprop, strides, "VALID",
                                   data_format=data_format, dilations=dilations)
        return slice_(dx, pairs[:, 0], shape_of(x))


def conv2d_backprop_filter_v2(input, filter, out_backprop, strides, padding,  # noqa: A002
                              use_cudnn_on_gpu=True, explicit_paddings=[],  # noqa: B006
                              data_format="NHWC", dilations=[1, 1, 1, 1],  # noqa: B006
                              name: Optional[str] = None):
    """TF1 `tf.conv2d_backprop_filter_v2`: conv2d's gradient for a filter shaped like
    `filter` (whose values are not read)."""
    fn = "conv2d_backprop_filter_v2"
    with get_default_graph().name_scope(name or "Conv2DBackpropFilterV2"):
        x = convert_to_tensor(input, name="input")
        f = convert_to_tensor(filter, name="filter")
        pairs = _explicit_pairs(fn, padding, explicit_paddings, 4)
        if pairs is not None:
            _check_unpadded(fn, pairs, 1 if data_format == "NCHW" else 3)
            x, padding = pad(x, pairs), "VALID"
        return conv2d_backprop_filter(x, shape_of(f), out_backprop, strides, padding,
                                      data_format=data_format, dilations=dilations)


def conv(input, filter, strides, padding, explicit_paddings=[],  # noqa: A002,B006
         data_format="CHANNELS_LAST", dilations=[], batch_dims=1, groups=1,  # noqa: B006
         name: Optional[str] = None):
    """TF1 `tf.conv` (TF's generic Conv op): an N-D convolution (N = 1, 2 or 3, the
    filter's rank - 2) of an input with `batch_dims` leading batch axes, channels last or
    first, the channels split in `groups` convolved separately."""
    fn = "conv"
    with get_default_graph().name_scope(name or "Conv"):
        x = convert_to_tensor(input, name="input")
        f = convert_to_tensor(filter, name="filter")
        if f.shape.ndims is None or x.shape.ndims is None:
            raise ValueError(f"{fn}: the ranks of input '{x.name}' and filter '{f.name}' must "
                             f"be known, got shapes {x.shape} and {f.shape}")
        n, batch_dims = f.shape.ndims - 2, int(batch_dims)
        if not 1 <= n <= 3 or batch_dims < 1 or x.shape.ndims != n + 1 + batch_dims:
            raise ValueError(f"{fn}: input must have rank N + 1 + batch_dims = "
                             f"{n + 1 + batch_dims} for a filter of rank {n + 2} (N = {n}, "
                             f"1 <= N <= 3), got input shape {x.shape}")
        if data_format not in ("CHANNELS_LAST", "CHANNELS_FIRST"):
            raise ValueError(f"{fn}: data_format must be 'CHANNELS_LAST' or "
                             f"'CHANNELS_FIRST', got {data_format!r}")
        first = data_format == "CHANNELS_FIRST"
        strides = [int(s) for s in strides]
        dilations = [int(d) for d in dilations] or [1] * (n + 2)
        for what, v in (("strides", strides), ("dilations", dilations)):
            if len(v) != n + 2 or v[0] != 1 or v[1 if first else -1] != 1:
                raise ValueError(f"{fn}: {what} must have N + 2 = {n + 2} entries, 1 for the "
                                 f"batch and channels, got {v}")
        pairs = _explicit_pairs(fn, padding, explicit_paddings, n + 2)
        _check_unpadded(fn, pairs, 1 if first else n + 1)
        # one batch axis, channels last
        full = shape_of(x)
        if batch_dims > 1:
            x = A.reshape(x, concat([[-1], strided_slice(full, [batch_dims], [0], [1],
                                                          end_mask=1)], 0))
        if first:
            x = A.transpose(x, [0] + list(range(2, n + 2)) + [1])
            strides = [1] + strides[2:] + [1]
            dilations = [1] + dilations[2:] + [1]
            if pairs is not None:
                pairs = np.concatenate([pairs[:1], pairs[2:], pairs[1:2]])
        if pairs is not None:
            x, padding = pad(x, pairs), "VALID"
        y = _grouped(x, f, n, strides, dilations, padding, int(groups))
        if first:
            y = A.transpose(y, [0, n + 1] + list(range(1, n + 1)))
        if batch_dims > 1:
            y = A.reshape(y, concat([strided_slice(full, [0], [batch_dims], [1]),
                                     strided_slice(shape_of(y), [1], [0], [1],
                                                   end_mask=1)], 0))
        return y


def _conv_nd(x, f, n: int, strides, dilations, padding):
    if n == 3:
        return conv3d(x, f, strides, padding, dilations=dilations)
    if n == 2:
        return conv2d(x, f, strides, padding, dilations=dilations)
    y = conv2d(A.expand_dims(x, 1), A.expand_dims(f, 0), [1, 1] + strides[1:], padding,
               dilations=[1, 1] + dilations[1:])
    return A.squeeze(y, [1])


def _grouped(x, f, n: int, strides, dilations, padding, groups: int):
    if groups == 1:
        return _conv_nd(x, f, n, strides, dilations, padding)
    c_in, c_out = x.shape.as_tuple()[-1], f.shape.as_tuple()[-1]
    if groups < 1 or None in (c_in, c_out) or c_in % groups or c_out % groups:
        raise ValueError(f"conv: groups={groups} must divide the input channels ({c_in}) "
                         f"and the filters ({c_out}), both known")
    xs, fs = split(x, groups, axis=n + 1), split(f, groups, axis=n + 1)
    return concat([_conv_nd(a, b, n, strides, dilations, padding) for a, b in zip(xs, fs)],
                  n + 1)


def extract_volume_patches(input, ksizes, strides, padding,  # noqa: A002
                           name: Optional[str] = None):
    """TF1 `tf.extract_volume_patches`: the [kp, kr, kc] patches of an NDHWC volume as
    [batch, out_p, out_r, out_c, kp * kr * kc * depth] (patch offsets major, depth minor),
    SAME padding as a convolution's (zeros)."""
    fn = "extract_volume_patches"
    with get_default_graph().name_scope(name or "ExtractVolumePatches"):
        x = convert_to_tensor(input, name="input")
        dims = x.shape.as_tuple()
        k, s = [int(v) for v in ksizes], [int(v) for v in strides]
        for what, v in (("ksizes", k), ("strides", s)):
            if len(v) != 5 or v[0] != 1 or v[4] != 1 or min(v) < 1:
                raise ValueError(f"{fn}: {what} must be [1, p, r, c, 1] with positive "
                                 f"entries, got {v}")
        if dims is None or len(dims) != 5 or None in dims[1:4]:
            raise ValueError(f"{fn}: input must be 5-D [batch, planes, rows, cols, depth] "
                             f"with known planes, rows and cols, got shape {x.shape}")
        if padding not in ("SAME", "VALID"):
            raise ValueError(f"{fn}: padding must be 'SAME' or 'VALID', got {padding!r}")
        out, pads = [], [[0, 0]]
        for size, kk, ss in zip(dims[1:4], k[1:4], s[1:4]):
            if padding == "VALID":
                o, total = (size - kk) // ss + 1, 0
            else:
                o = -(-size // ss)
                total = max((o - 1) * ss + kk - size, 0)
            if o <= 0:
                raise ValueError(f"{fn}: a window of {kk} does not fit the input's {size}")
            out.append(o)
            pads.append([total // 2, total - total // 2])
        x = pad(x, pads + [[0, 0]])
        patches = [strided_slice(x, [0, i, j, m, 0],
                                 [0, i + (out[0] - 1) * s[1] + 1, j + (out[1] - 1) * s[2] + 1,
                                  m + (out[2] - 1) * s[3] + 1, 0], [1] + s[1:4] + [1],
                                 begin_mask=17, end_mask=17)
                   for i in range(k[1]) for j in range(k[2]) for m in range(k[3])]
        return concat(patches, 4)


__all__ = ["conv", "conv2d_backprop_filter_v2", "conv2d_backprop_input_v2",
           "extract_volume_patches"]
