"""Greedy non-maximum suppression of boxes: TF1's NonMaxSuppressionV3 and V5,
NonMaxSuppressionWithOverlaps and CombinedNonMaxSuppression.

One algorithm serves all, TF's DoNonMaxSuppressionOp: candidates above score_threshold
leave a priority queue best score first (ties: the lower index first); a candidate is
kept unless its similarity with a kept box is above the threshold (IoU of [y1, x1, y2,
x2] boxes given by any two opposite corners, computed in the boxes' dtype; or a given
overlap matrix). With soft_nms_sigma > 0 (V5) a kept box instead scales the scores of the
others by exp(-iou^2 / (2 sigma)), and a rescored candidate goes back into the queue.

NonMaxSuppressionV3  (boxes [n, 4], scores [n], max_output_size, iou_threshold,
                     score_threshold) -> int32 indices kept, at most max_output_size.
NonMaxSuppressionV5  (... , soft_nms_sigma; pad_to_max_output_size) -> (indices, their
                     scores after soft suppression, int32 valid count); padded with zeros
                     to max_output_size when asked.
NonMaxSuppressionWithOverlaps (overlaps [n, n], scores, max_output_size,
                     overlap_threshold, score_threshold) -> int32 indices.
CombinedNonMaxSuppression (boxes [batch, n, q, 4], scores [batch, n, classes],
                     max_output_size_per_class, max_total_size, iou_threshold,
                     score_threshold; pad_per_class, clip_boxes) -> (boxes, scores,
                     classes, valid_detections): NMS per image and class, then the best
                     max_total_size of all classes, zero-padded.

Output sizes depend on the data, so they run as numpy kernels on both backends (listed in
the README); none is differentiable, as in TF1.
"""
from __future__ import annotations

import heapq
from typing import Optional

import numpy as np

from .. import dtypes as dt
from ..errors import InvalidArgumentError
from ..registry import NON_DIFFERENTIABLE
from ..shapes import TensorShape
from ._base import apply, check_dtype, const_value, convert_to_tensor, defop

BOX_DTYPES = (dt.float16, dt.float32)


def _iou_with(boxes: np.ndarray, i: int, kept: np.ndarray) -> np.ndarray:
    """IoU of box i with the boxes `kept` (TF's IOU, in the boxes' dtype)."""
    a, b = boxes[i], boxes[kept]
    ay0, ay1 = min(a[0], a[2]), max(a[0], a[2])
    ax0, ax1 = min(a[1], a[3]), max(a[1], a[3])
    by0, by1 = np.minimum(b[:, 0], b[:, 2]), np.maximum(b[:, 0], b[:, 2])
    bx0, bx1 = np.minimum(b[:, 1], b[:, 3]), np.maximum(b[:, 1], b[:, 3])
    area_a, area_b = (ay1 - ay0) * (ax1 - ax0), (by1 - by0) * (bx1 - bx0)
    zero = boxes.dtype.type(0)
    inter = np.maximum(np.minimum(ay1, by1) - np.maximum(ay0, by0), zero) * \
        np.maximum(np.minimum(ax1, bx1) - np.maximum(ax0, bx0), zero)
    with np.errstate(invalid="ignore", divide="ignore"):
        iou = inter / (area_a + area_b - inter)
    return np.where((area_a <= 0) | (area_b <= 0), zero, iou)


def greedy_nms(similarity, scores: np.ndarray, limit: int, threshold: float,
               score_threshold: float, soft_nms_sigma: float = 0.0):
    """TF's DoNonMaxSuppressionOp: (kept indices, their scores); similarity(i, kept)
    gives candidate i's similarity with the kept boxes, in keeping order."""
    t = scores.dtype.type
    thr, floor = t(threshold), t(score_threshold)
    soft = soft_nms_sigma > 0
    scale = t(-0.5 / soft_nms_sigma) if soft else t(0)
    queue = [(-scores[i], i, scores[i], 0) for i in range(len(scores)) if scores[i] > floor]
    heapq.heapify(queue)
    kept, kept_scores = [], []
    while len(kept) < limit and queue:
        _, i, score, begin = heapq.heappop(queue)
        original = score
        hard = False
        if len(kept) > begin:
            sims = similarity(i, np.asarray(kept[begin:]))[::-1]  # newest first, as TF
            for sim in sims:
                weight = np.exp(scale * sim * sim) if sim <= thr else t(0)
                score = t(score * weight)
                if not soft and sim > thr:
                    hard = True
                    break
                if score <= floor:
                    break
        if hard:
            continue
        if score == original:
            kept.append(i)
            kept_scores.append(score)
        elif score > floor:
            heapq.heappush(queue, (-score, i, score, len(kept)))
    return np.asarray(kept, np.int32), np.asarray(kept_scores, scores.dtype)


def _check_threshold(value, what: str) -> float:
    v = float(value)
    if not 0 <= v <= 1:
        raise InvalidArgumentError(None, None, f"{what} must be in [0, 1], got {v}")
    return v


def _check_boxes(boxes, scores):
    if boxes.ndim != 2 or boxes.shape[1] != 4 or scores.shape != (boxes.shape[0],):
        raise InvalidArgumentError(None, None, f"boxes must be [num_boxes, 4] and scores "
                                   f"[num_boxes], got {list(boxes.shape)} and "
                                   f"{list(scores.shape)}")


def _nms_v3(boxes, scores, max_output_size, iou_threshold, score_threshold):
    _check_boxes(boxes, scores)
    thr = _check_threshold(iou_threshold, "iou_threshold")
    return greedy_nms(lambda i, k: _iou_with(boxes, i, k), scores, int(max_output_size),
                      thr, float(score_threshold))[0]


def _nms_v5(boxes, scores, max_output_size, iou_threshold, score_threshold, soft_nms_sigma,
            *, pad_to_max_output_size):
    _check_boxes(boxes, scores)
    thr = _check_threshold(iou_threshold, "iou_threshold")
    if float(soft_nms_sigma) < 0:
        raise InvalidArgumentError(None, None, f"soft_nms_sigma must be non-negative, got "
                                   f"{float(soft_nms_sigma)}")
    limit = int(max_output_size)
    kept, kept_scores = greedy_nms(lambda i, k: _iou_with(boxes, i, k), scores, limit, thr,
                                   float(score_threshold), float(soft_nms_sigma))
    valid = np.asarray(len(kept), np.int32)
    if pad_to_max_output_size:
        kept = np.pad(kept, (0, max(limit - len(kept), 0)))
        kept_scores = np.pad(kept_scores, (0, max(limit - len(kept_scores), 0)))
    return kept, kept_scores, valid


def _nms_overlaps(overlaps, scores, max_output_size, overlap_threshold, score_threshold):
    n = scores.shape[0] if scores.ndim == 1 else -1
    if overlaps.shape != (n, n):
        raise InvalidArgumentError(None, None, f"overlaps must be [num_boxes, num_boxes] and "
                                   f"scores [num_boxes], got {list(overlaps.shape)} and "
                                   f"{list(scores.shape)}")
    return greedy_nms(lambda i, k: overlaps[i, k], scores, int(max_output_size),
                      float(overlap_threshold), float(score_threshold))[0]


def _scalar_inputs(op, names, first: int = 2):
    check_dtype(op, op.inputs[first], (dt.int32,), names[0])
    for t, what in zip(op.inputs[first + 1:], names[1:]):
        if t.shape.ndims not in (None, 0):
            raise ValueError(f"{what} '{t.name}' must be a scalar, got shape {t.shape}")


def _boxes_scores_infer(op, what: str = "boxes"):
    boxes, scores = op.inputs[:2]
    check_dtype(op, boxes, BOX_DTYPES, what)
    if scores.dtype is not boxes.dtype:
        raise TypeError(f"scores '{scores.name}' is {scores.dtype.name}, {what} are "
                        f"{boxes.dtype.name}")
    dims = boxes.shape.as_tuple()
    if what == "boxes" and dims is not None and (len(dims) != 2 or dims[1] not in (None, 4)):
        raise ValueError(f"boxes '{boxes.name}' must be [num_boxes, 4], got shape "
                         f"{boxes.shape}")
    if what == "overlaps" and dims is not None and len(dims) != 2:
        raise ValueError(f"overlaps '{boxes.name}' must be [num_boxes, num_boxes], got "
                         f"shape {boxes.shape}")


def _v3_infer(op):
    _boxes_scores_infer(op)
    _scalar_inputs(op, ("max_output_size", "iou_threshold", "score_threshold"))
    return [(dt.int32, TensorShape([None]))]


def _v5_infer(op):
    _boxes_scores_infer(op)
    _scalar_inputs(op, ("max_output_size", "iou_threshold", "score_threshold",
                        "soft_nms_sigma"))
    size = const_value(op.inputs[2])
    n = int(size) if size is not None and op.attrs["pad_to_max_output_size"] else None
    return [(dt.int32, TensorShape([n])), (op.inputs[1].dtype, TensorShape([n])),
            (dt.int32, TensorShape([]))]


def _overlaps_infer(op):
    _boxes_scores_infer(op, "overlaps")
    _scalar_inputs(op, ("max_output_size", "overlap_threshold", "score_threshold"))
    return [(dt.int32, TensorShape([None]))]


defop("NonMaxSuppressionV3", _v3_infer, _nms_v3, NON_DIFFERENTIABLE, family="image")
defop("NonMaxSuppressionV5", _v5_infer, _nms_v5, NON_DIFFERENTIABLE, family="image")
defop("NonMaxSuppressionWithOverlaps", _overlaps_infer, _nms_overlaps, NON_DIFFERENTIABLE,
      family="image")


def _threshold_tensor(value, dtype, what: str):
    t = convert_to_tensor(value, dtype=dtype, name=what)
    known = const_value(t)
    if known is not None and not 0 <= float(known) <= 1:
        raise ValueError(f"{what} must be in [0, 1], got {float(known)}")
    return t


def _boxes_and_scores(boxes, scores):
    b = convert_to_tensor(boxes, name="boxes")
    return b, convert_to_tensor(scores, dtype=b.dtype, name="scores")


def non_max_suppression(boxes, scores, max_output_size, iou_threshold=0.5,
                        score_threshold=float("-inf"), name: Optional[str] = None):
    """TF1 `tf.image.non_max_suppression`: the indices of the boxes greedy NMS keeps."""
    b, s = _boxes_and_scores(boxes, scores)
    return apply("NonMaxSuppressionV3", (
        b, s, convert_to_tensor(max_output_size, dtype=dt.int32, name="max_output_size"),
        _threshold_tensor(iou_threshold, b.dtype, "iou_threshold"),
        convert_to_tensor(score_threshold, dtype=b.dtype, name="score_threshold")),
        name=name or "non_max_suppression")


def non_max_suppression_v5(boxes, scores, max_output_size, iou_threshold, score_threshold,
                           soft_nms_sigma, pad_to_max_output_size: bool,
                           name: Optional[str] = None):
    """The NonMaxSuppressionV5 op: (indices, scores, valid count)."""
    b, s = _boxes_and_scores(boxes, scores)
    return apply("NonMaxSuppressionV5", (
        b, s, convert_to_tensor(max_output_size, dtype=dt.int32, name="max_output_size"),
        _threshold_tensor(iou_threshold, b.dtype, "iou_threshold"),
        convert_to_tensor(score_threshold, dtype=b.dtype, name="score_threshold"),
        convert_to_tensor(soft_nms_sigma, dtype=b.dtype, name="soft_nms_sigma")),
        {"pad_to_max_output_size": bool(pad_to_max_output_size)},
        name=name or "non_max_suppression")


def non_max_suppression_overlaps(overlaps, scores, max_output_size, overlap_threshold=0.5,
                                 score_threshold=float("-inf"), name: Optional[str] = None):
    """TF1 `tf.image.non_max_suppression_overlaps`: greedy NMS over a given [n, n] overlap
    matrix (a box is dropped when its overlap with a kept box is above the threshold)."""
    o = convert_to_tensor(overlaps, name="overlaps")
    return apply("NonMaxSuppressionWithOverlaps", (
        o, convert_to_tensor(scores, dtype=o.dtype, name="scores"),
        convert_to_tensor(max_output_size, dtype=dt.int32, name="max_output_size"),
        convert_to_tensor(overlap_threshold, dtype=o.dtype, name="overlap_threshold"),
        convert_to_tensor(score_threshold, dtype=o.dtype, name="score_threshold")),
        name=name or "non_max_suppression_overlaps")


# ---------------------------------------------------------------- CombinedNonMaxSuppression
def _combined(boxes, scores, max_per_class, max_total, iou_threshold, score_threshold, *,
              pad_per_class, clip_boxes):
    if boxes.ndim != 4 or boxes.shape[3] != 4 or scores.ndim != 3 or \
            scores.shape[:2] != boxes.shape[:2] or boxes.shape[2] not in (1, scores.shape[2]):
        raise InvalidArgumentError(None, None, f"boxes must be [batch, num_boxes, q, 4] and "
                                   f"scores [batch, num_boxes, num_classes] (q 1 or "
                                   f"num_classes), got {list(boxes.shape)} and "
                                   f"{list(scores.shape)}")
    per_class, total = int(max_per_class), int(max_total)
    if per_class <= 0 or total <= 0:
        raise InvalidArgumentError(None, None, f"max_output_size_per_class and max_total_size "
                                   f"must be positive, got {per_class} and {total}")
    thr = _check_threshold(iou_threshold, "iou_threshold")
    batch, _, q, _ = boxes.shape
    classes = scores.shape[2]
    size = min(total, per_class * classes) if pad_per_class else total
    out_boxes = np.zeros((batch, size, 4), np.float32)
    out_scores = np.zeros((batch, size), np.float32)
    out_classes = np.zeros((batch, size), np.float32)
    valid = np.zeros(batch, np.int32)
    for b in range(batch):
        found = []  # (score, class, box index)
        for c in range(classes):
            class_boxes = boxes[b, :, 0 if q == 1 else c].astype(np.float32)
            kept, kept_scores = greedy_nms(lambda i, k: _iou_with(class_boxes, i, k),
                                           scores[b, :, c].astype(np.float32), per_class,
                                           thr, float(score_threshold))
            found += [(float(s), c, int(i)) for i, s in zip(kept, kept_scores)]
        found.sort(key=lambda f: (-f[0], f[1], f[2]))
        found = found[:size]
        valid[b] = len(found)
        for j, (score, c, i) in enumerate(found):
            box = boxes[b, i, 0 if q == 1 else c].astype(np.float32)
            out_boxes[b, j] = np.clip(box, 0, 1) if clip_boxes else box
            out_scores[b, j], out_classes[b, j] = score, c
    return out_boxes, out_scores, out_classes, valid


def _combined_infer(op):
    boxes, scores = op.inputs[:2]
    check_dtype(op, boxes, (dt.float32,), "boxes")
    check_dtype(op, scores, (dt.float32,), "scores")
    _scalar_inputs(op, ("max_output_size_per_class", "max_total_size"))
    check_dtype(op, op.inputs[3], (dt.int32,), "max_total_size")
    bd, sd = boxes.shape.as_tuple(), scores.shape.as_tuple()
    if bd is not None and (len(bd) != 4 or bd[3] not in (None, 4)):
        raise ValueError(f"boxes '{boxes.name}' must be [batch, num_boxes, q, 4], got "
                         f"{boxes.shape}")
    if sd is not None and len(sd) != 3:
        raise ValueError(f"scores '{scores.name}' must be [batch, num_boxes, num_classes], "
                         f"got {scores.shape}")
    batch = bd[0] if bd is not None else sd[0] if sd is not None else None
    total, per_class = const_value(op.inputs[3]), const_value(op.inputs[2])
    size = None if total is None else int(total)
    if op.attrs["pad_per_class"]:
        size = None if None in (size, per_class, sd and sd[2]) else \
            min(size, int(per_class) * sd[2])
    return [(dt.float32, TensorShape([batch, size, 4])),
            (dt.float32, TensorShape([batch, size])), (dt.float32, TensorShape([batch, size])),
            (dt.int32, TensorShape([batch]))]


defop("CombinedNonMaxSuppression", _combined_infer, _combined, NON_DIFFERENTIABLE,
      family="image")


def combined_non_max_suppression(boxes, scores, max_output_size_per_class, max_total_size,
                                 iou_threshold=0.5, score_threshold=float("-inf"),
                                 pad_per_class: bool = False, clip_boxes: bool = True,
                                 name: Optional[str] = None):
    """TF1 `tf.image.combined_non_max_suppression`: per-class greedy NMS over a batch,
    then the best max_total_size detections: (nmsed_boxes, nmsed_scores, nmsed_classes,
    valid_detections), zero-padded."""
    return apply("CombinedNonMaxSuppression", (
        convert_to_tensor(boxes, dtype=dt.float32, name="boxes"),
        convert_to_tensor(scores, dtype=dt.float32, name="scores"),
        convert_to_tensor(max_output_size_per_class, dtype=dt.int32,
                          name="max_output_size_per_class"),
        convert_to_tensor(max_total_size, dtype=dt.int32, name="max_total_size"),
        _threshold_tensor(iou_threshold, dt.float32, "iou_threshold"),
        convert_to_tensor(score_threshold, dtype=dt.float32, name="score_threshold")),
        {"pad_per_class": bool(pad_per_class), "clip_boxes": bool(clip_boxes)},
        name=name or "combined_non_max_suppression")
