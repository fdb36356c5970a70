"""Boxes on images: TF1's CropAndResize (with its two gradient ops) and DrawBoundingBoxesV2.

CropAndResize  (image [N, H, W, C], boxes [B, 4] float32 as normalized [y1, x1, y2, x2],
               box_ind [B] int32, crop_size [2] int32) -> float32 [B, ch, cw, C]: each box
               of image box_ind[b] sampled on a ch x cw grid, bilinear or nearest (TF's
               kernel: grid point y = y1 (H - 1) + i (y2 - y1) (H - 1) / (ch - 1), the box
               centre when ch == 1; points outside the image take extrapolation_value;
               nearest rounds half away from zero). The arithmetic is float32, as TF's.
CropAndResizeGradImage (grads, boxes, box_ind, image_size) -> the image's gradient: each
               grad spread over the (bilinear) corners or the nearest pixel it came from.
CropAndResizeGradBoxes (grads, image, boxes, box_ind) -> [B, 4]: TF's derivative of the
               bilinear samples with respect to the box corners (used for both methods, as
               TF does).
DrawBoundingBoxesV2 (images [N, H, W, D] float, boxes [N, M, 4], colors [K, 4]) -> the
               images with each box's outline drawn in colors[m % K] (TF's default table of
               ten colours when colors is empty; white on one-channel images): rows and
               columns are the truncated products y (H - 1), x (W - 1); inverted boxes
               and boxes wholly outside are skipped, the rest clipped.

All run as numpy kernels (listed in the README); the gradient ops and DrawBoundingBoxesV2
are not differentiable, as in TF.
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from .. import dtypes as dt
from ..errors import InvalidArgumentError
from ..registry import NON_DIFFERENTIABLE
from ..shapes import TensorShape
from ._base import apply, check_dtype, const_value, convert_to_tensor, defop
from .array_ops import shape

F32 = np.float32
IMAGE_DTYPES = (dt.uint8, dt.int8, dt.int16, dt.int32, dt.int64, dt.float16,
                dt.float32, dt.float64)


# ---------------------------------------------------------------- the sampling grid
def _grid(lo: np.ndarray, hi: np.ndarray, size: int, n: int, by_ratio: bool = False):
    """The sample coordinates [B, n] along one axis of length `size`, their
    validity, and the ratio (size - 1) / (n - 1) (0 when n == 1), in float32. The step
    is (hi - lo) (size - 1) / (n - 1), or (hi - lo) times the ratio `by_ratio` (TF's
    box gradient rounds it that way)."""
    span = F32(size - 1)
    if n > 1:
        ratio = span / F32(n - 1)
        step = (hi - lo) * ratio if by_ratio else (hi - lo) * span / F32(n - 1)
        coords = lo[:, None] * span + np.arange(n, dtype=F32)[None, :] * step[:, None]
    else:
        ratio = F32(0)
        coords = (F32(0.5) * (lo + hi) * span)[:, None]
    coords = coords.astype(F32)
    return coords, (coords >= 0) & (coords <= span), ratio


def _check(image_shape, boxes, box_ind, n_images):
    if boxes.ndim != 2 or boxes.shape[1] != 4:
        raise InvalidArgumentError(None, None, f"boxes must be 2-D [num_boxes, 4], got "
                                   f"{list(boxes.shape)}")
    if box_ind.shape != (boxes.shape[0],):
        raise InvalidArgumentError(None, None, f"box_index has shape {list(box_ind.shape)}, "
                                   f"boxes has {boxes.shape[0]} boxes")
    if box_ind.size and (box_ind.min() < 0 or box_ind.max() >= n_images):
        raise InvalidArgumentError(None, None, f"box_index has values outside [0, "
                                   f"{n_images}): {box_ind.tolist()}")


def _crop_size(crop_size):
    ch, cw = (int(v) for v in np.asarray(crop_size).reshape(-1))
    if ch <= 0 or cw <= 0:
        raise InvalidArgumentError(None, None, f"crop dimensions must be positive, got "
                                   f"{[ch, cw]}")
    return ch, cw


def _samples(image_hw, boxes, ch, cw, by_ratio: bool = False):
    h, w = image_hw
    b = boxes.astype(F32)
    ys, y_ok, y_ratio = _grid(b[:, 0], b[:, 2], h, ch, by_ratio)
    xs, x_ok, x_ratio = _grid(b[:, 1], b[:, 3], w, cw, by_ratio)
    return ys, xs, y_ok[:, :, None] & x_ok[:, None, :], (y_ratio, x_ratio)


def _corners(coords, size):
    lo = np.clip(np.floor(coords), 0, size - 1).astype(np.int64)
    hi = np.clip(np.ceil(coords), 0, size - 1).astype(np.int64)
    return lo, hi, (coords - np.floor(coords)).astype(F32)


def _nearest(coords, size):
    """std::round of the (valid, so non-negative) coordinates: half away from zero."""
    whole = np.floor(coords)
    return np.clip(whole + (coords - whole >= F32(0.5)), 0, size - 1).astype(np.int64)


def _crop_and_resize(image, boxes, box_ind, crop_size, *, method, extrapolation_value):
    _check(image.shape, boxes, box_ind, image.shape[0])
    ch, cw = _crop_size(crop_size)
    ys, xs, ok, _ = _samples(image.shape[1:3], boxes, ch, cw)
    img = image.astype(F32)
    bi = box_ind.astype(np.int64)[:, None, None]
    if method == "bilinear":
        ty, by, yl = _corners(ys, image.shape[1])
        lx, rx, xl = _corners(xs, image.shape[2])
        ty, by, yl = ty[:, :, None], by[:, :, None], yl[:, :, None, None]
        lx, rx, xl = lx[:, None, :], rx[:, None, :], xl[:, None, :, None]
        top = img[bi, ty, lx] + (img[bi, ty, rx] - img[bi, ty, lx]) * xl
        bottom = img[bi, by, lx] + (img[bi, by, rx] - img[bi, by, lx]) * xl
        out = top + (bottom - top) * yl
    else:
        out = img[bi, _nearest(ys, image.shape[1])[:, :, None],
                  _nearest(xs, image.shape[2])[:, None, :]]
    return np.where(ok[..., None], out, F32(extrapolation_value)).astype(F32)


def _crop_grad_image(grads, boxes, box_ind, image_size, *, method, T):  # noqa: N803
    n, h, w, c = (int(v) for v in np.asarray(image_size).reshape(-1))
    _check((n, h, w, c), boxes, box_ind, n)
    nb, ch, cw, _ = grads.shape
    ys, xs, ok, _ = _samples((h, w), boxes, ch, cw)
    g = np.where(ok[..., None], grads.astype(F32), F32(0))
    out = np.zeros((n, h, w, c), F32)
    bi = np.broadcast_to(box_ind.astype(np.int64)[:, None, None], (nb, ch, cw))
    if method == "bilinear":
        ty, by, yl = _corners(ys, h)
        lx, rx, xl = _corners(xs, w)
        shape2 = (nb, ch, cw)
        ty, by = np.broadcast_to(ty[:, :, None], shape2), np.broadcast_to(by[:, :, None], shape2)
        lx, rx = np.broadcast_to(lx[:, None, :], shape2), np.broadcast_to(rx[:, None, :], shape2)
        yl, xl = yl[:, :, None, None], xl[:, None, :, None]
        dtop, dbottom = (1 - yl) * g, yl * g
        for yy, xx, part in ((ty, lx, (1 - xl) * dtop), (ty, rx, xl * dtop),
                             (by, lx, (1 - xl) * dbottom), (by, rx, xl * dbottom)):
            np.add.at(out, (bi, yy, xx), part)
    else:
        yy = np.broadcast_to(_nearest(ys, h)[:, :, None], (nb, ch, cw))
        xx = np.broadcast_to(_nearest(xs, w)[:, None, :], (nb, ch, cw))
        np.add.at(out, (bi, yy, xx), g)
    return out.astype(dt.as_dtype(T).np)


def _crop_grad_boxes(grads, image, boxes, box_ind, *, method="bilinear"):
    _check(image.shape, boxes, box_ind, image.shape[0])
    _, h, w, _ = image.shape
    nb, ch, cw, _ = grads.shape
    ys, xs, ok, (y_ratio, x_ratio) = _samples((h, w), boxes, ch, cw, by_ratio=True)
    img = image.astype(F32)
    bi = box_ind.astype(np.int64)[:, None, None]
    ty, by, yl = _corners(ys, h)
    lx, rx, xl = _corners(xs, w)
    ty, by, yl = ty[:, :, None], by[:, :, None], yl[:, :, None, None]
    lx, rx, xl = lx[:, None, :], rx[:, None, :], xl[:, None, :, None]
    tl, tr, bl, br = img[bi, ty, lx], img[bi, ty, rx], img[bi, by, lx], img[bi, by, rx]
    g = np.where(ok[..., None], grads.astype(F32), F32(0))
    dy = ((1 - xl) * (bl - tl) + xl * (br - tr)) * g     # [B, ch, cw, C]
    dx = ((1 - yl) * (tr - tl) + yl * (br - bl)) * g
    sy, sx = dy.sum(axis=(2, 3)), dx.sum(axis=(1, 3))   # [B, ch], [B, cw]
    iy, ix = np.arange(ch, dtype=F32), np.arange(cw, dtype=F32)
    out = np.zeros((nb, 4), F32)
    if ch > 1:
        out[:, 0] = (sy * (F32(h - 1) - iy * y_ratio)).sum(1)
        out[:, 2] = (sy * (iy * y_ratio)).sum(1)
    else:
        out[:, 0] = out[:, 2] = sy[:, 0] * F32(0.5 * (h - 1))
    if cw > 1:
        out[:, 1] = (sx * (F32(w - 1) - ix * x_ratio)).sum(1)
        out[:, 3] = (sx * (ix * x_ratio)).sum(1)
    else:
        out[:, 1] = out[:, 3] = sx[:, 0] * F32(0.5 * (w - 1))
    return out


def _boxes_infer(op, boxes, box_ind):
    check_dtype(op, boxes, (dt.float32,), "boxes")
    check_dtype(op, box_ind, (dt.int32,), "box_ind")
    bd = boxes.shape.as_tuple()
    if bd is not None and (len(bd) != 2 or bd[1] not in (None, 4)):
        raise ValueError(f"boxes '{boxes.name}' must be [num_boxes, 4], got {boxes.shape}")
    if box_ind.shape.ndims not in (None, 1):
        raise ValueError(f"box_ind '{box_ind.name}' must be a vector, got {box_ind.shape}")
    return bd[0] if bd is not None else None


def _crop_infer(op):
    image, boxes, box_ind, size = op.inputs
    check_dtype(op, image, IMAGE_DTYPES, "image")
    check_dtype(op, size, (dt.int32,), "crop_size")
    if image.shape.ndims not in (None, 4):
        raise ValueError(f"image '{image.name}' must be 4-D [batch, height, width, depth], "
                         f"got {image.shape}")
    n = _boxes_infer(op, boxes, box_ind)
    known = const_value(size)
    ch, cw = (int(v) for v in known.reshape(-1)) if known is not None else (None, None)
    depth = image.shape.as_tuple()[3] if image.shape.ndims == 4 else None
    return [(dt.float32, TensorShape([n, ch, cw, depth]))]


def _crop_vjp(op, grads):
    image, boxes, box_ind, _ = op.inputs
    g_image = apply("CropAndResizeGradImage", (grads[0], boxes, box_ind, shape(image)),
                    {"method": op.attrs["method"], "T": image.dtype}) \
        if image.dtype.is_floating else None
    g_boxes = apply("CropAndResizeGradBoxes", (grads[0], image, boxes, box_ind),
                    {"method": "bilinear"})
    return [g_image, g_boxes, None, None]


def _grad_image_infer(op):
    grads, boxes, box_ind, size = op.inputs
    check_dtype(op, grads, (dt.float32,), "grads")
    _boxes_infer(op, boxes, box_ind)
    known = const_value(size)
    out = TensorShape([int(v) for v in known.reshape(-1)]) if known is not None else \
        TensorShape([None] * 4)
    return [(dt.as_dtype(op.attrs["T"]), out)]


def _grad_boxes_infer(op):
    grads, image, boxes, box_ind = op.inputs
    check_dtype(op, grads, (dt.float32,), "grads")
    check_dtype(op, image, IMAGE_DTYPES, "image")
    return [(dt.float32, TensorShape([_boxes_infer(op, boxes, box_ind), 4]))]


defop("CropAndResize", _crop_infer, _crop_and_resize, _crop_vjp, family="image")
defop("CropAndResizeGradImage", _grad_image_infer, _crop_grad_image, NON_DIFFERENTIABLE,
      family="image")
defop("CropAndResizeGradBoxes", _grad_boxes_infer, _crop_grad_boxes, NON_DIFFERENTIABLE,
      family="image")


def crop_and_resize(image, boxes, box_ind=None, crop_size=None, method: str = "bilinear",
                    extrapolation_value=0, name: Optional[str] = None, box_indices=None):
    """TF1 `tf.image.crop_and_resize`: the boxes' crops of their images, resized to
    crop_size (float32 [num_boxes, crop_height, crop_width, depth])."""
    if box_ind is not None and box_indices is not None:
        raise ValueError("Cannot specify both 'box_ind' and 'box_indices'")
    index = box_ind if box_ind is not None else box_indices
    if index is None or crop_size is None:
        raise TypeError("crop_and_resize() missing required arguments: 'box_ind' and "
                        "'crop_size'")
    if method not in ("bilinear", "nearest"):
        raise ValueError(f"method must be 'bilinear' or 'nearest', got {method!r}")
    return apply("CropAndResize", (
        convert_to_tensor(image, name="image"),
        convert_to_tensor(boxes, dtype=dt.float32, name="boxes"),
        convert_to_tensor(index, dtype=dt.int32, name="box_ind"),
        convert_to_tensor(crop_size, dtype=dt.int32, name="crop_size")),
        {"method": method, "extrapolation_value": float(extrapolation_value)},
        name=name or "CropAndResize")


# ---------------------------------------------------------------- DrawBoundingBoxesV2
DEFAULT_COLORS = np.array([[1, 1, 0, 1], [0, 0, 1, 1], [1, 0, 0, 1], [0, 1, 0, 1],
                           [0.5, 0, 0.5, 1], [0.5, 0.5, 0, 1], [0.5, 0, 0, 1],
                           [0, 0, 0.5, 1], [0, 1, 1, 1], [1, 0, 1, 1]], np.float32)


def _draw(images, boxes, colors):
    n, h, w, depth = images.shape
    if depth not in (1, 3, 4):
        raise InvalidArgumentError(None, None, f"Channel depth should be either 1 (GRY), 3 "
                                   f"(RGB), or 4 (RGBA), got {depth}")
    if boxes.ndim != 3 or boxes.shape[0] != n or boxes.shape[2] != 4:
        raise InvalidArgumentError(None, None, f"boxes must be [batch, num_boxes, 4] with "
                                   f"batch {n}, got {list(boxes.shape)}")
    table = np.array(colors, np.float32).reshape(-1, 4) if np.size(colors) else \
        DEFAULT_COLORS.copy()
    if depth == 1:
        table[:, 0] = 1  # white boxes on grey images
    out = images.copy()
    for b in range(n):
        for m in range(boxes.shape[1]):
            color = table[m % len(table), :depth].astype(images.dtype)
            y0, x0, y1, x1 = (int(F32(v) * F32(s - 1)) for v, s in
                              zip(boxes[b, m], (h, w, h, w)))
            if y0 > y1 or x0 > x1 or y0 >= h or y1 < 0 or x0 >= w or x1 < 0:
                continue  # inverted, or wholly outside
            cy0, cy1, cx0, cx1 = max(y0, 0), min(y1, h - 1), max(x0, 0), min(x1, w - 1)
            if y0 >= 0:
                out[b, y0, cx0:cx1 + 1] = color
            if y1 < h:
                out[b, y1, cx0:cx1 + 1] = color
            if x0 >= 0:
                out[b, cy0:cy1 + 1, x0] = color
            if x1 < w:
                out[b, cy0:cy1 + 1, x1] = color
    return out


def _draw_infer(op):
    images, boxes, colors = op.inputs
    check_dtype(op, images, (dt.float16, dt.float32), "images")
    check_dtype(op, boxes, (dt.float32,), "boxes")
    check_dtype(op, colors, (dt.float32,), "colors")
    if images.shape.ndims not in (None, 4):
        raise ValueError(f"images '{images.name}' must be 4-D [batch, height, width, depth], "
                         f"got {images.shape}")
    if boxes.shape.ndims not in (None, 3):
        raise ValueError(f"boxes '{boxes.name}' must be 3-D [batch, num_boxes, 4], got "
                         f"{boxes.shape}")
    return [(images.dtype, images.shape)]


defop("DrawBoundingBoxesV2", _draw_infer, _draw, NON_DIFFERENTIABLE, family="image")


def draw_bounding_boxes(images, boxes, name: Optional[str] = None, colors=None):
    """TF1 `tf.image.draw_bounding_boxes`: box outlines drawn on a batch of float images
    (boxes [batch, num_boxes, 4] as normalized [y_min, x_min, y_max, x_max])."""
    x = convert_to_tensor(images, name="images")
    c = np.zeros((0, 4), np.float32) if colors is None else colors
    return apply("DrawBoundingBoxesV2", (
        x, convert_to_tensor(boxes, dtype=dt.float32, name="boxes"),
        convert_to_tensor(c, dtype=dt.float32, name="colors")),
        name=name or "DrawBoundingBoxes")
