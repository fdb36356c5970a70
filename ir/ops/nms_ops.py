"""Greedy non-maximum suppression of boxes, TF1's NonMaxSuppressionV3.

NonMaxSuppressionV3  (boxes [n, 4] as [y1, x1, y2, x2] of any two opposite corners,
                     scores [n], max_output_size, iou_threshold, score_threshold) ->
                     the int32 indices of the boxes kept, best score first (ties: the
                     lower index first), at most max_output_size: a box is dropped when
                     its score is not above score_threshold or its intersection over
                     union with a kept box is above iou_threshold.

Its output's length depends on the data, so it runs as a numpy kernel on both backends
(listed in the README); it is non-differentiable, as TF1's.
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from .. import dtypes as dt
from ..errors import InvalidArgumentError
from ..registry import NON_DIFFERENTIABLE
from ..shapes import TensorShape
from ._base import apply, check_dtype, const_value, convert_to_tensor, defop


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    ay0, ay1 = min(a[0], a[2]), max(a[0], a[2])
    ax0, ax1 = min(a[1], a[3]), max(a[1], a[3])
    by0, by1 = min(b[0], b[2]), max(b[0], b[2])
    bx0, bx1 = min(b[1], b[3]), max(b[1], b[3])
    area_a, area_b = (ay1 - ay0) * (ax1 - ax0), (by1 - by0) * (bx1 - bx0)
    if area_a <= 0 or area_b <= 0:
        return 0.0
    inter = max(min(ay1, by1) - max(ay0, by0), 0.0) * max(min(ax1, bx1) - max(ax0, bx0), 0.0)
    return float(inter / (area_a + area_b - inter))


def _nms(boxes, scores, max_output_size, iou_threshold, score_threshold):
    if boxes.ndim != 2 or boxes.shape[1] != 4 or scores.shape != (boxes.shape[0],):
        raise InvalidArgumentError(None, None, f"boxes must be [num_boxes, 4] and scores "
                                   f"[num_boxes], got {list(boxes.shape)} and "
                                   f"{list(scores.shape)}")
    limit, thr = int(max_output_size), float(iou_threshold)
    if not 0 <= thr <= 1:
        raise InvalidArgumentError(None, None, f"iou_threshold must be in [0, 1], got {thr}")
    order = sorted((i for i in range(len(scores)) if scores[i] > score_threshold),
                   key=lambda i: (-scores[i], i))
    kept: list = []
    b = boxes.astype(np.float64)
    for i in order:
        if len(kept) >= limit:
            break
        if all(_iou(b[i], b[j]) <= thr for j in kept):
            kept.append(i)
    return np.asarray(kept, np.int32)


def _nms_infer(op):
    boxes, scores, size, iou, score = op.inputs
    check_dtype(op, boxes, (dt.float16, dt.float32), "boxes")
    if scores.dtype is not boxes.dtype:
        raise TypeError(f"NonMaxSuppressionV3 op '{op.name}': scores '{scores.name}' is "
                        f"{scores.dtype.name}, boxes are {boxes.dtype.name}")
    check_dtype(op, size, (dt.int32,), "max_output_size")
    dims = boxes.shape.as_tuple()
    if dims is not None and (len(dims) != 2 or dims[1] not in (None, 4)):
        raise ValueError(f"NonMaxSuppressionV3 op '{op.name}': boxes '{boxes.name}' must be "
                         f"[num_boxes, 4], got shape {boxes.shape}")
    return [(dt.int32, TensorShape([None]))]


defop("NonMaxSuppressionV3", _nms_infer, _nms, NON_DIFFERENTIABLE, family="image")


def non_max_suppression(boxes, scores, max_output_size, iou_threshold=0.5,
                        score_threshold=float("-inf"), name: Optional[str] = None):
    """TF1 `tf.image.non_max_suppression`: the indices of the boxes greedy NMS keeps."""
    b = convert_to_tensor(boxes, name="boxes")
    s = convert_to_tensor(scores, dtype=b.dtype, name="scores")
    thr = convert_to_tensor(iou_threshold, dtype=b.dtype, name="iou_threshold")
    known = const_value(thr)
    if known is not None and not 0 <= float(known) <= 1:
        raise ValueError(f"iou_threshold must be in [0, 1], got {float(known)}")
    return apply("NonMaxSuppressionV3", (
        b, s, convert_to_tensor(max_output_size, dtype=dt.int32, name="max_output_size"), thr,
        convert_to_tensor(score_threshold, dtype=b.dtype, name="score_threshold")),
        name=name or "non_max_suppression")
