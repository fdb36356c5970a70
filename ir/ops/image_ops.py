"""Image resizing kernels (NHWC, TF1's align_corners and half_pixel_centers rules).

ResizeBilinear, ResizeBicubic, ResizeArea   [N, H, W, C] -> [N, OH, OW, C] float32
ResizeNearestNeighbor                       the same, keeping the input's dtype
ResizeBilinearGrad, ResizeBicubicGrad, ResizeNearestNeighborGrad   their gradients

Each resize is separable: out[n, y, x, c] = sum_ij Wy[y, i] Wx[x, j] in[n, i, j, c], with
a weight matrix per axis built from TF1's sampling rules (`_weights`), so the numpy
semantics are two contractions and each gradient is the transposed contraction. The
resizes are linear, so their gradients' gradients are the resizes again. ResizeArea has
no gradient in TF1 (non-differentiable here too). The llvm backend runs them through
their numpy kernels (listed in the README).
"""
from __future__ import annotations

import math

import numpy as np

from .. import dtypes as dt
from ..errors import InvalidArgumentError
from ..registry import NON_DIFFERENTIABLE
from ..shapes import TensorShape
from ._base import apply, check_dtype, const_value, convert_to_tensor, defop
from .math_ops import cast
from .slicing_ops import strided_slice
from .array_ops import shape as shape_of

REAL = dt.FLOATS + (dt.int8, dt.uint8, dt.int16, dt.int32, dt.int64)
_TABLE = 1024   # TF1's legacy bicubic coefficient table


def resize_scale(n_in: int, n_out: int, align_corners: bool) -> np.float32:
    """TF1's CalculateResizeScale (in float32, as TF1 computes the sample positions)."""
    if align_corners and n_out > 1:
        return np.float32((n_in - 1) / (n_out - 1))
    return np.float32(n_in / n_out)


def _position(y: int, scale, centre: float) -> float:
    """Where output index y samples the input: y * scale, or with half-pixel centres
    (y + 0.5) * scale - centre (TF1's scalers; nearest neighbour has no - 0.5)."""
    if centre is None:
        return float(np.float32(y) * scale)
    return float(np.float32(y + 0.5) * scale - np.float32(centre))


def _bilinear(n_in, n_out, align, half) -> np.ndarray:
    scale = resize_scale(n_in, n_out, align)
    w = np.zeros((n_out, n_in))
    for y in range(n_out):
        pos = _position(y, scale, 0.5 if half else None)
        low = math.floor(pos)
        lerp = pos - low
        w[y, max(low, 0)] += 1 - lerp
        w[y, min(math.ceil(pos), n_in - 1)] += lerp
    return w


def nearest_index(n_in, n_out, align, half) -> np.ndarray:
    scale = resize_scale(n_in, n_out, align)
    out = []
    for y in range(n_out):
        pos = _position(y, scale, 0.0 if half else None)
        i = math.floor(pos + 0.5) if align else math.floor(pos)   # roundf / floorf
        out.append(max(min(i, n_in - 1), 0))
    return np.asarray(out, np.int64)


def _nearest(n_in, n_out, align, half) -> np.ndarray:
    w = np.zeros((n_out, n_in))
    w[np.arange(n_out), nearest_index(n_in, n_out, align, half)] = 1
    return w


def _area(n_in, n_out, align, half) -> np.ndarray:
    scale = float(resize_scale(n_in, n_out, align))
    w = np.zeros((n_out, n_in))
    for y in range(n_out):
        lo, hi = y * scale, (y + 1) * scale
        for i in range(int(math.floor(lo)), int(math.ceil(hi))):
            share = min(i + 1, hi) - max(i, lo)
            w[y, min(i, n_in - 1)] += share / scale
    return w


def _cubic_table(a: float) -> np.ndarray:
    """TF1's coefficient table: [i, 0] the kernel at i / 1024, [i, 1] at 1 + i / 1024."""
    x = (np.arange(_TABLE + 1) / _TABLE).astype(np.float32)
    near = ((a + 2) * x - (a + 3)) * x * x + 1
    x1 = x + 1
    far = ((a * x1 - 5 * a) * x1 + 8 * a) * x1 - 4 * a
    return np.stack([near, far], axis=1)


def _bicubic(n_in, n_out, align, half) -> np.ndarray:
    """TF1's bicubic sampling: the table's weights at the position's quantised offset;
    legacy (a = -0.75) clamps taps to the edge, half-pixel (Keys, a = -0.5) drops taps
    outside the image and renormalises."""
    scale = resize_scale(n_in, n_out, align)
    table = _cubic_table(-0.5 if half else -0.75)
    w = np.zeros((n_out, n_in))
    for y in range(n_out):
        pos = _position(y, scale, 0.5 if half else None)
        low = math.floor(pos)
        off = int(np.rint(np.float32(pos - low) * _TABLE))
        taps = [low - 1, low, low + 1, low + 2]
        weights = [table[off, 1], table[off, 0], table[_TABLE - off, 0], table[_TABLE - off, 1]]
        if half:
            weights = [v if 0 <= t < n_in else 0.0 for t, v in zip(taps, weights)]
            total = sum(weights)
            weights = [v / total for v in weights] if abs(total) > 1e-30 else weights
        for t, v in zip(taps, weights):
            w[y, min(max(t, 0), n_in - 1)] += v
    return w


_WEIGHTS = {"ResizeBilinear": _bilinear, "ResizeNearestNeighbor": _nearest,
            "ResizeArea": _area, "ResizeBicubic": _bicubic}


def weights(kind: str, in_hw, out_hw, align: bool, half: bool):
    """(Wy [OH, H], Wx [OW, W]) of a resize."""
    if align and half:
        raise InvalidArgumentError(None, None, "If half_pixel_centers is True, "
                                   "align_corners must be False.")
    fn = _WEIGHTS[kind]
    return tuple(fn(int(i), int(o), align, half) for i, o in zip(in_hw, out_hw))


def _apply(wy, wx, x) -> np.ndarray:
    return np.einsum("yh,nhwc,xw->nyxc", wy, x, wx, optimize=True)


# ---------------------------------------------------------------- inference
def _size_value(op, size):
    check_dtype(op, size, (dt.int32,), "size")
    v = const_value(size)
    if v is None:
        return [None, None]
    v = [int(d) for d in np.asarray(v).reshape(-1)]
    if len(v) != 2:
        raise ValueError(f"{op.type} op '{op.name}': size must hold 2 elements "
                         f"[new_height, new_width], got {v}")
    if any(d <= 0 for d in v):
        raise ValueError(f"{op.type} op '{op.name}': size {v} must be positive")
    return v


def _check_flags(op) -> None:
    if op.attrs["align_corners"] and op.attrs["half_pixel_centers"]:
        raise ValueError(f"{op.type} op '{op.name}': If half_pixel_centers is True, "
                         "align_corners must be False.")


def _image_dims(op, x):
    dims = x.shape.as_tuple()
    if dims is not None and len(dims) != 4:
        raise ValueError(f"{op.type} op '{op.name}': images '{x.name}' must be 4-D "
                         f"[batch, height, width, channels], got shape {x.shape}")
    return dims if dims is not None else (None,) * 4


def _resize_infer(op):
    x, size = op.inputs
    _check_flags(op)
    check_dtype(op, x, REAL, "images")
    n, _, _, c = _image_dims(op, x)
    oh, ow = _size_value(op, size)
    out = x.dtype if op.type == "ResizeNearestNeighbor" else dt.float32
    return [(out, TensorShape([n, oh, ow, c]))]


def _grad_infer(op):
    g, other = op.inputs
    _check_flags(op)
    n, _, _, c = _image_dims(op, g)
    if op.type == "ResizeNearestNeighborGrad":
        check_dtype(op, g, dt.FLOATS + (dt.int8, dt.uint8, dt.int32), "grads")
        h, w = _size_value(op, other)
        return [(g.dtype, TensorShape([n, h, w, c]))]
    check_dtype(op, g, (dt.float32,), "grads")
    check_dtype(op, other, dt.FLOATS, "original_image")
    od = _image_dims(op, other)
    return [(other.dtype, TensorShape([n, od[1], od[2], c]))]


# ---------------------------------------------------------------- numpy semantics
def _check_size(x, size):
    size = [int(d) for d in np.asarray(size).reshape(-1)]
    if x.ndim != 4 or len(size) != 2 or min(size) <= 0:
        raise InvalidArgumentError(None, None, f"input must be 4-dimensional and size 2 "
                                   f"positive elements, got {list(x.shape)} and {size}")
    return size


def _resize_kernel(kind: str):
    def compute(x, size, *, align_corners, half_pixel_centers):
        size = _check_size(x, size)
        if kind == "ResizeNearestNeighbor":   # a gather: exact for every dtype
            if align_corners and half_pixel_centers:
                weights(kind, (1, 1), (1, 1), True, True)
            iy = nearest_index(x.shape[1], size[0], align_corners, half_pixel_centers)
            ix = nearest_index(x.shape[2], size[1], align_corners, half_pixel_centers)
            return np.ascontiguousarray(x[:, iy][:, :, ix])
        wy, wx = weights(kind, x.shape[1:3], size, align_corners, half_pixel_centers)
        return _apply(wy, wx, x.astype(np.float64)).astype(np.float32)
    return compute


def _grad_kernel(kind: str):
    def compute(g, other, *, align_corners, half_pixel_centers):
        if kind == "ResizeNearestNeighbor":
            in_hw, dtype = _check_size(g, other), g.dtype
        else:
            in_hw, dtype = other.shape[1:3], other.dtype
        wy, wx = weights(kind, in_hw, g.shape[1:3], align_corners, half_pixel_centers)
        return _apply(wy.T, wx.T, g.astype(np.float64)).astype(dtype)
    return compute


# ---------------------------------------------------------------- VJP rules
def _spatial_size(t):
    """[height, width] of a 4-D tensor as an int32 tensor (static when known)."""
    dims = t.shape.as_tuple()
    if dims is not None and None not in dims[1:3]:
        return convert_to_tensor(np.int32(dims[1:3]))
    return strided_slice(shape_of(t), [1], [3], [1])


def _resize_vjp(kind: str):
    def vjp(op, grads):
        x = op.inputs[0]
        if kind == "ResizeNearestNeighbor":
            g = apply("ResizeNearestNeighborGrad", (grads[0], _spatial_size(x)), op.attrs)
        else:
            g = grads[0] if grads[0].dtype is dt.float32 else cast(grads[0], dt.float32)
            g = apply(kind + "Grad", (g, x), op.attrs)
        return [g, None]
    return vjp


def _grad_vjp(kind: str):
    def vjp(op, grads):
        g = op.inputs[0]
        out = apply(kind, (grads[0], _spatial_size(g)), op.attrs)
        if out.dtype is not g.dtype:
            out = cast(out, g.dtype)
        return [out, None]
    return vjp


for _kind in ("ResizeBilinear", "ResizeNearestNeighbor", "ResizeBicubic"):
    defop(_kind, _resize_infer, _resize_kernel(_kind), _resize_vjp(_kind), family="image")
    defop(_kind + "Grad", _grad_infer, _grad_kernel(_kind), _grad_vjp(_kind), family="image")
defop("ResizeArea", _resize_infer, _resize_kernel("ResizeArea"), NON_DIFFERENTIABLE,
      family="image")


def resize(kind: str, images, size, align_corners: bool = False,
           half_pixel_centers: bool = False, name=None):
    """Append a resize op of `kind` ("ResizeBilinear", ...) to 4-D `images`."""
    x = convert_to_tensor(images, name="images")
    size_t = convert_to_tensor(size, dtype=dt.int32, name="size")
    return apply(kind, (x, size_t), {"align_corners": bool(align_corners),
                                     "half_pixel_centers": bool(half_pixel_centers)},
                 name=name or kind)
