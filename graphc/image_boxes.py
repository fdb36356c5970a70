"""tf.image's box functions: crop_and_resize, draw_bounding_boxes and the NMS family
(the ops: ir/ops/box_image_ops.py, ir/ops/nms_ops.py), and resize_image_with_pad, TF1's
composition: resize to fit inside the target keeping the aspect ratio (float32 ratio
arithmetic, as TF1), then pad_to_bounding_box with the image centred.
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from .image import ResizeMethod, pad_to_bounding_box, resize_images
from .ir import dtypes as dt
from .ir.context import get_default_graph
from .ir.ops import array_ops as A, math_ops as M
from .ir.ops._base import const_value, convert_to_tensor
from .ir.ops.box_image_ops import crop_and_resize, draw_bounding_boxes
from .ir.ops.nms_ops import (combined_non_max_suppression, non_max_suppression_overlaps,
                             non_max_suppression_v5)
from .ir.ops.nms_padded_ops import non_max_suppression_tiled
from .ir.ops.slicing_ops import strided_slice

F32 = np.float32


def non_max_suppression_with_scores(boxes, scores, max_output_size, iou_threshold=0.5,
                                    score_threshold=float("-inf"), soft_nms_sigma=0.0,
                                    name: Optional[str] = None):
    """TF1 `tf.image.non_max_suppression_with_scores`: (selected indices, their scores),
    Soft-NMS (Gaussian) when soft_nms_sigma > 0."""
    with get_default_graph().name_scope(name or "non_max_suppression_with_scores"):
        indices, kept_scores, _ = non_max_suppression_v5(
            boxes, scores, max_output_size, iou_threshold, score_threshold, soft_nms_sigma,
            False)
        return indices, kept_scores


def non_max_suppression_padded(boxes, scores, max_output_size, iou_threshold=0.5,
                               score_threshold=float("-inf"),
                               pad_to_max_output_size: bool = False,
                               name: Optional[str] = None, sorted_input: bool = False,
                               canonicalized_coordinates: bool = False, tile_size=512):
    """TF1 `tf.image.non_max_suppression_padded`: TF's tiled NMS (ir/ops/nms_padded_ops.py)
    over boxes [..., num_boxes, 4]: (indices, number valid); the indices are
    [..., max_output_size], zero beyond the valid ones, with pad_to_max_output_size (which
    batched boxes need), else one image's valid indices."""
    b = convert_to_tensor(boxes, name="boxes")
    if not pad_to_max_output_size and b.shape.ndims is not None and b.shape.ndims > 2:
        raise ValueError(f"'pad_to_max_output_size' (value {pad_to_max_output_size}) must "
                         f"be True for batched input")
    with get_default_graph().name_scope(name or "non_max_suppression_padded"):
        indices, valid = non_max_suppression_tiled(
            b, scores, max_output_size, iou_threshold, score_threshold, sorted_input,
            canonicalized_coordinates, tile_size)
        if not pad_to_max_output_size:
            indices = indices[:valid] if b.shape.ndims == 2 else \
                A.reshape(indices, [-1])[:A.reshape(valid, [-1])[0]]
        return indices, valid


def _fit(h, w, th, tw):
    """TF1's resize_image_with_pad arithmetic: (resized h, w, pad top, pad left)."""
    ratio = np.maximum(F32(w) / F32(tw), F32(h) / F32(th))
    rh, rw = F32(h) / ratio, F32(w) / ratio
    top = max(0, int(np.floor((F32(th) - rh) / F32(2))))
    left = max(0, int(np.floor((F32(tw) - rw) / F32(2))))
    return int(np.floor(rh)), int(np.floor(rw)), top, left


def _fit_tensors(h, w, th, tw):
    """_fit on tensors (sizes known only at run time)."""
    f = [M.cast(v, dt.float32) for v in (h, w, th, tw)]
    ratio = M.maximum(M.truediv(f[1], f[3]), M.truediv(f[0], f[2]))
    rh, rw = M.truediv(f[0], ratio), M.truediv(f[1], ratio)
    top = M.maximum(0, M.cast(M.floor(M.truediv(M.subtract(f[2], rh), 2.0)), dt.int32))
    left = M.maximum(0, M.cast(M.floor(M.truediv(M.subtract(f[3], rw), 2.0)), dt.int32))
    return (M.cast(M.floor(rh), dt.int32), M.cast(M.floor(rw), dt.int32), top, left)


def resize_image_with_pad(image, target_height, target_width,
                          method=ResizeMethod.BILINEAR, align_corners: bool = False):
    """TF1 `tf.image.resize_image_with_pad`: the image (3-D or 4-D) resized to fit in
    [target_height, target_width] without distortion, then zero-padded to it."""
    with get_default_graph().name_scope("resize_image_with_pad"):
        x = convert_to_tensor(image, name="image")
        if x.shape.ndims not in (None, 3, 4):
            raise ValueError(f"'image' (shape {x.shape}) must have either 3 or 4 dimensions.")
        is_batch = x.shape.ndims == 4
        if not is_batch:
            x = A.expand_dims(x, 0)
        th, tw = (const_value(convert_to_tensor(v, dtype=dt.int32)) for v in
                  (target_height, target_width))
        for what, v in (("target_width", tw), ("target_height", th)):
            if v is not None and int(v) <= 0:
                raise ValueError(f"{what} must be > 0.")
        h, w = x.shape.as_tuple()[1:3] if x.shape.ndims == 4 else (None, None)
        if None in (h, w, th, tw):
            shape = A.shape(x)
            dims = [strided_slice(shape, [i], [i + 1], [1], shrink_axis_mask=1)
                    if d is None else d for i, d in ((1, h), (2, w))]
            rh, rw, top, left = _fit_tensors(dims[0], dims[1], target_height, target_width)
            size = A.stack([rh, rw])
        else:
            rh, rw, top, left = _fit(h, w, int(th), int(tw))
            size = [rh, rw]
        resized = resize_images(x, size, method, align_corners=align_corners)
        padded = pad_to_bounding_box(resized, top, left, target_height, target_width)
        return padded if is_batch else A.squeeze(padded, [0])


IMAGE_BOXES = {f.__name__: f for f in (
    crop_and_resize, draw_bounding_boxes, non_max_suppression_with_scores,
    non_max_suppression_padded, non_max_suppression_overlaps, combined_non_max_suppression,
    resize_image_with_pad)}
