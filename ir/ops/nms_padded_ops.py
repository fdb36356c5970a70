"""TF's tiled non-maximum suppression (image_ops' non_max_suppression_padded_v2) as one
numpy kernel, NonMaxSuppressionPadded: TF composes it from while loops of dense ops, and
its results differ from the greedy ops' (nms_ops.py) where boxes touch its rules, so it
is ported rule for rule:

- scores not above score_threshold zero their boxes, and a box with no coordinate above
  zero is never selected;
- the corners' order is taken from the first box (of the input, before sorting) for all;
- IoU is (intersection) / (union + 1e-8) in float32; a box is suppressed by an earlier
  tile's kept box when IoU >= iou_threshold, and within its tile of `tile_size` boxes by
  TF's self-suppression fixed point;
- the result: per image the positions (in the input) of the kept boxes in score order,
  zero beyond the valid count, [..., max_output_size], and the counts [...].

(boxes [..., n, 4], scores [..., n], max_output_size, iou_threshold, score_threshold;
attrs sorted_input, canonicalized_coordinates, tile_size) -> (indices int32, valid int32).
A graphc op (TF has no op of this name); not differentiable, as TF's composition.
"""
from __future__ import annotations

import numpy as np

from .. import dtypes as dt
from ..errors import InvalidArgumentError
from ..registry import NON_DIFFERENTIABLE
from ..shapes import TensorShape
from ._base import apply, check_dtype, const_value, convert_to_tensor, defop


def _overlap(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """TF's _bbox_overlap: [batch, N, M] IoU of [batch, N, 4] and [batch, M, 4]."""
    ay0, ax0, ay1, ax1 = (a[..., i:i + 1] for i in range(4))
    by0, bx0, by1, bx1 = (np.swapaxes(b[..., i:i + 1], 1, 2) for i in range(4))
    zero = np.float32(0)
    inter = np.maximum(np.minimum(ax1, bx1) - np.maximum(ax0, bx0), zero) * \
        np.maximum(np.minimum(ay1, by1) - np.maximum(ay0, by0), zero)
    union = (ay1 - ay0) * (ax1 - ax0) + (by1 - by0) * (bx1 - bx0) - inter + np.float32(1e-8)
    return (inter / union).astype(np.float32)


def _self_suppressed(iou: np.ndarray, thr: np.float32) -> np.ndarray:
    """TF's _self_suppression loop over one tile's masked IoU [batch, T, T]."""
    total = iou.sum(axis=(1, 2))
    while True:
        can_suppress = (iou.max(axis=1) < thr).astype(np.float32)[:, :, None]
        after = ((can_suppress * iou).max(axis=1) < thr).astype(np.float32)[:, :, None] * iou
        new_total = after.sum(axis=(1, 2))
        iou = after
        if not np.any(total - new_total > thr):
            return iou
        total = new_total


def _tile_step(boxes, thr, idx: int, size: int):
    """TF's _suppression_loop_body: tile `idx` of boxes [batch, N, 4] suppressed by the
    earlier tiles and by itself (in place); returns the number of its boxes kept."""
    tile = boxes[:, idx * size:(idx + 1) * size].copy()
    for inner in range(idx):
        iou = _overlap(boxes[:, inner * size:(inner + 1) * size], tile)
        tile *= np.all(iou < thr, axis=1).astype(np.float32)[:, :, None]
    iou = _overlap(tile, tile)
    upper = np.arange(size)[None, :] > np.arange(size)[:, None]
    iou = iou * (upper[None] & (iou >= thr)).astype(np.float32)
    suppressed = _self_suppressed(iou, thr).sum(axis=1) > 0
    tile *= (np.float32(1) - suppressed.astype(np.float32))[:, :, None]
    boxes[:, idx * size:(idx + 1) * size] = tile
    return np.any(tile > 0, axis=2).sum(axis=1).astype(np.int32)


def _padded(boxes, scores, max_output_size, iou_threshold, score_threshold, *,
            sorted_input, canonicalized_coordinates, tile_size):
    if boxes.ndim < 2 or boxes.shape[-1] != 4 or scores.shape != boxes.shape[:-1]:
        raise InvalidArgumentError(None, None, f"boxes must be [..., num_boxes, 4] and scores "
                                   f"[..., num_boxes], got {list(boxes.shape)} and "
                                   f"{list(scores.shape)}")
    limit, size = int(max_output_size), int(tile_size)
    if limit < 0 or size < 1:
        raise InvalidArgumentError(None, None, f"max_output_size must be >= 0 and tile_size "
                                   f">= 1, got {limit} and {size}")
    batch_dims, n = boxes.shape[:-2], boxes.shape[-2]
    b = boxes.reshape(-1, n, 4).copy()
    s = scores.reshape(-1, n).copy()
    if float(score_threshold) != float("-inf"):
        keep = (s > score_threshold).astype(s.dtype)
        s, b = s * keep, b * keep[:, :, None].astype(b.dtype)
    if not canonicalized_coordinates and b.size:
        if not b[0, 0, 0] <= b[0, 0, 2]:
            b[:, :, [0, 2]] = b[:, :, [2, 0]]
        if not b[0, 0, 1] <= b[0, 0, 3]:
            b[:, :, [1, 3]] = b[:, :, [3, 1]]
    order = np.zeros(s.shape, np.int64)
    if not sorted_input:
        order = np.argsort(-s, axis=1, kind="stable")
        b = np.take_along_axis(b, order[:, :, None], axis=1)
    padded_n = -(-max(n, limit) // size) * size
    work = np.pad(b.astype(np.float32), [(0, 0), (0, padded_n - n), (0, 0)])
    thr = np.float32(iou_threshold)
    kept = np.zeros(work.shape[0], np.int32)
    for idx in range(padded_n // size):
        if not (kept.size and kept.min() < limit):
            break
        kept += _tile_step(work, thr, idx, size)
    valid = np.minimum(kept, limit).astype(np.int32)
    selected = np.any(work > 0, axis=2)
    key = selected * np.arange(padded_n, 0, -1)[None, :]
    top = -np.sort(-key, axis=1, kind="stable")[:, :limit]
    index = np.minimum(padded_n - top, max(n - 1, 0))
    if not sorted_input and n:
        index = np.take_along_axis(order, index, axis=1)
    index = np.where(np.arange(limit)[None, :] < valid[:, None], index, 0).astype(np.int32)
    return index.reshape(*batch_dims, limit), valid.reshape(batch_dims)


def _padded_infer(op):
    boxes, scores, size = op.inputs[:3]
    check_dtype(op, boxes, (dt.float16, dt.float32, dt.float64), "boxes")
    check_dtype(op, size, (dt.int32,), "max_output_size")
    bd = boxes.shape.as_tuple()
    if bd is not None and (len(bd) < 2 or bd[-1] not in (None, 4)):
        raise ValueError(f"boxes '{boxes.name}' must be [..., num_boxes, 4], got "
                         f"{boxes.shape}")
    known = const_value(size)
    batch = TensorShape(None) if bd is None else TensorShape(list(bd[:-2]))
    limit = int(known) if known is not None else None
    return [(dt.int32, batch.concatenate([limit])), (dt.int32, batch)]


defop("NonMaxSuppressionPadded", _padded_infer, _padded, NON_DIFFERENTIABLE, family="image")


def non_max_suppression_tiled(boxes, scores, max_output_size, iou_threshold,
                              score_threshold, sorted_input: bool,
                              canonicalized_coordinates: bool, tile_size: int, name=None):
    """TF's non_max_suppression_padded_v2: (indices [..., max_output_size], valid [...])."""
    b = convert_to_tensor(boxes, name="boxes")
    return apply("NonMaxSuppressionPadded", (
        b, convert_to_tensor(scores, name="scores"),
        convert_to_tensor(max_output_size, dtype=dt.int32, name="max_output_size"),
        convert_to_tensor(iou_threshold, dtype=dt.float32, name="iou_threshold"),
        convert_to_tensor(score_threshold, dtype=dt.float32, name="score_threshold")),
        {"sorted_input": bool(sorted_input),
         "canonicalized_coordinates": bool(canonicalized_coordinates),
         "tile_size": int(tile_size)}, name=name or "non_max_suppression_padded")
