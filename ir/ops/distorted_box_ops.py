"""TF1's SampleDistortedBoundingBoxV2: a random crop of an image for data augmentation.

SampleDistortedBoundingBoxV2  (image_size [3] = [height, width, channels], bounding_boxes
        [batch, N, 4] normalized [ymin, xmin, ymax, xmax], min_object_covered scalar) ->
        (begin [3], size [3], bboxes [1, 1, 4] float32), begin and size of image_size's
        dtype, ready for tf.slice. TF's algorithm (sample_distorted_bounding_box_op.cc):
        up to max_attempts times draw an aspect ratio uniform in aspect_ratio_range, a
        height between the ones giving area_range's two areas (rounded as TF's lrintf),
        then an offset; keep the first crop covering at least min_object_covered of some
        box (boxes in whole pixels, truncated). If none qualifies, the whole image.
        Without boxes it uses the whole image as the box (use_image_if_no_bounding_boxes)
        or refuses.

The draws come from graphc's Philox stream of the op's seeds (ir/philox.py: float32
uniforms from one word each, Uniform(n) as word mod n, as TF's SimplePhilox), so the crops
follow TF's distribution but not TF's exact numbers; seed = seed2 = 0 draws fresh seeds as
TF. It is random, so it runs through its numpy kernel on both backends; not
differentiable (as TF).
"""
from __future__ import annotations

import secrets
from typing import Optional

import numpy as np

from .. import dtypes as dt
from .. import philox
from ..errors import InvalidArgumentError
from ..shapes import TensorShape
from ._base import NON_DIFFERENTIABLE, apply, check_dtype, convert_to_tensor, defop

F32 = np.float32
SIZE_DTYPES = (dt.uint8, dt.int8, dt.int16, dt.int32, dt.int64)
WORDS_PER_ATTEMPT = 4   # aspect ratio, height, y, x


def _lrint(v) -> int:
    return int(np.rint(F32(v)))


class _Draws:
    """TF's SimplePhilox over one run's Philox stream: RandFloat (a float32 uniform of one
    word) and Uniform(n) (a word mod n), each taking the next word."""

    def __init__(self, n: int, seed: int, seed2: int, call: int) -> None:
        self.words = philox.random_words(n, seed, seed2, call)
        self.floats = philox.uniform(n, np.float32, seed, seed2, call)   # (the same words)
        self.i = 0

    def rand_float(self) -> F32:
        self.i += 1
        return self.floats[self.i - 1]

    def uniform(self, n: int) -> int:
        self.i += 1
        return int(self.words[self.i - 1]) % n


def _area(r) -> float:
    return max(r[2] - r[0], 0) * max(r[3] - r[1], 0)


def _covers(crop, boxes, min_covered) -> bool:
    """TF's SatisfiesOverlapConstraints; rectangles are (min_x, min_y, max_x, max_y)."""
    if _area(crop) < 1.0:
        return False
    for box in boxes:
        area = _area(box)
        if area < 1.0:
            continue
        inter = (max(crop[0], box[0]), max(crop[1], box[1]), min(crop[2], box[2]),
                 min(crop[3], box[3]))
        if F32(_area(inter)) / F32(area) >= min_covered:
            return True
    return False


def _random_crop(draws: _Draws, width, height, min_rel, max_rel, aspect):
    """TF's GenerateRandomCrop: a (min_x, min_y, max_x, max_y) crop or None."""
    min_area = F32(min_rel) * F32(width) * F32(height)
    max_area = F32(max_rel) * F32(width) * F32(height)
    h = _lrint(np.sqrt(F32(min_area / aspect)))
    max_h = _lrint(np.sqrt(F32(max_area / aspect)))
    if _lrint(max_h * aspect) > width:
        max_h = int((width + 0.5 - 1e-7) / aspect)
    max_h = min(max_h, height)
    h = min(h, max_h)
    if h < max_h:
        h += draws.uniform(max_h - h + 1)
    w = _lrint(h * aspect)
    area = F32(w * h)
    if area < min_area:
        h += 1
        w = _lrint(h * aspect)
        area = F32(w * h)
    if area > max_area:
        h -= 1
        w = _lrint(h * aspect)
        area = F32(w * h)
    if area < min_area or area > max_area or w > width or h > height or w <= 0 or h <= 0:
        return None
    y = draws.uniform(height - h) if h < height else 0
    x = draws.uniform(width - w) if w < width else 0
    return (x, y, x + w, y + h)


def _sample(image_size, boxes, min_object_covered, *, seed, seed2, aspect_ratio_range,
            area_range, max_attempts, use_image_if_no_bounding_boxes):
    if image_size.shape != (3,):
        raise InvalidArgumentError(None, None, f"image_size must contain 3 elements, got "
                                   f"shape {list(image_size.shape)}")
    height, width = int(image_size[0]), int(image_size[1])
    if height <= 0 or width <= 0:
        raise InvalidArgumentError(None, None, f"image height and width must be positive, "
                                   f"got image_size {image_size.tolist()}")
    if boxes.ndim != 3 or boxes.shape[-1] != 4:
        raise InvalidArgumentError(None, None, f"bounding_boxes must be 3-dimensional "
                                   f"[batch, num_boxes, coords], got shape "
                                   f"{list(boxes.shape)}")
    covered = float(min_object_covered)
    if covered < 0:
        raise InvalidArgumentError(None, None, f"min_object_covered must be non-negative: "
                                   f"{covered}")
    flat = boxes.reshape(-1, 4)
    if np.any((flat < 0) | (flat > 1)):
        raise InvalidArgumentError(None, None, "All bounding box coordinates must be in "
                                   "[0.0, 1.0]")
    rects = [(int(F32(b[1]) * width), int(F32(b[0]) * height), int(F32(b[3]) * width),
              int(F32(b[2]) * height)) for b in flat]
    if not rects:
        if not use_image_if_no_bounding_boxes:
            raise InvalidArgumentError(None, None, "No bounding boxes provided as input. One "
                                       "must enable use_image_if_no_bounding_boxes if you "
                                       "wish to not provide any bounding boxes.")
        rects = [(0, 0, width, height)]
    if (seed, seed2) == (0, 0):   # TF: fresh seeds every run
        seed, seed2 = secrets.randbelow(2**31), secrets.randbelow(2**31)
    return seed, seed2, height, width, rects, covered


def _compute(ctx, image_size, boxes, min_object_covered, **attrs):
    seed, seed2, height, width, rects, covered = _sample(image_size, boxes,
                                                         min_object_covered, **attrs)
    lo_ar, hi_ar = (F32(v) for v in attrs["aspect_ratio_range"])
    lo_area, hi_area = (F32(v) for v in attrs["area_range"])
    attempts = attrs["max_attempts"]
    draws = _Draws(WORDS_PER_ATTEMPT * attempts, seed, seed2, ctx.next_random_call())
    crop = None
    for _ in range(attempts):
        aspect = F32(draws.rand_float() * (hi_ar - lo_ar) + lo_ar)
        c = _random_crop(draws, width, height, lo_area, hi_area, aspect)
        if c is not None and _covers(c, rects, covered):
            crop = c
            break
    x0, y0, x1, y1 = crop if crop is not None else (0, 0, width, height)
    out = image_size.dtype
    bbox = np.array([[[y0 / height, x0 / width, y1 / height, x1 / width]]], F32)
    return (np.array([y0, x0, 0]).astype(out),   # (-1 wraps to 255 in uint8, as in TF)
            np.array([y1 - y0, x1 - x0, -1]).astype(out), bbox)


def _infer(op):
    size, boxes, covered = op.inputs
    check_dtype(op, size, SIZE_DTYPES, "image_size")
    check_dtype(op, boxes, (dt.float32,), "bounding_boxes")
    check_dtype(op, covered, (dt.float32,), "min_object_covered")
    if not size.shape.is_compatible_with([3]):
        raise ValueError(f"image_size '{size.name}' must be [height, width, channels], got "
                         f"shape {size.shape}")
    if not boxes.shape.is_compatible_with([None, None, 4]):
        raise ValueError(f"bounding_boxes '{boxes.name}' must be [batch, N, 4], got shape "
                         f"{boxes.shape}")
    if covered.shape.ndims not in (None, 0):
        raise ValueError(f"min_object_covered must be a scalar, got shape {covered.shape}")
    a = op.attrs
    for key, hi in (("aspect_ratio_range", None), ("area_range", 1.0)):
        lo_, hi_ = a[key]
        if not 0 < lo_ <= hi_ or (hi is not None and hi_ > hi):
            raise ValueError(f"{key} must be [min, max] with 0 < min <= max"
                             f"{' <= 1' if hi else ''}, got {list(a[key])}")
    if a["max_attempts"] <= 0:
        raise ValueError(f"max_attempts must be positive: {a['max_attempts']}")
    return [(size.dtype, TensorShape([3])), (size.dtype, TensorShape([3])),
            (dt.float32, TensorShape([1, 1, 4]))]


defop("SampleDistortedBoundingBoxV2", _infer, _compute, NON_DIFFERENTIABLE, pure=False,
      needs_context=True, family="random")


def sample_distorted_bounding_box(image_size, bounding_boxes, seed=None, seed2=None,
                                  min_object_covered=0.1, aspect_ratio_range=None,
                                  area_range=None, max_attempts=None,
                                  use_image_if_no_bounding_boxes=None,
                                  name: Optional[str] = None):
    """TF1 `tf.image.sample_distorted_bounding_box`: (begin, size, bboxes) of a random
    crop covering at least `min_object_covered` of one of `bounding_boxes` (the seeds are
    the op's own, as TF1's v1 function passes them)."""
    size = convert_to_tensor(image_size, dtype_hint=dt.int32, name="image_size")
    boxes = convert_to_tensor(bounding_boxes, dtype_hint=dt.float32, name="bounding_boxes")
    covered = convert_to_tensor(min_object_covered, dtype_hint=dt.float32,
                                name="min_object_covered")
    attrs = {"seed": int(seed or 0), "seed2": int(seed2 or 0),
             "aspect_ratio_range": [float(v) for v in (aspect_ratio_range or (0.75, 1.33))],
             "area_range": [float(v) for v in (area_range or (0.05, 1.0))],
             "max_attempts": int(100 if max_attempts is None else max_attempts),
             "use_image_if_no_bounding_boxes": bool(use_image_if_no_bounding_boxes)}
    for key in ("aspect_ratio_range", "area_range"):
        if len(attrs[key]) != 2:
            raise ValueError(f"{key} must be [min, max], got {attrs[key]}")
    return apply("SampleDistortedBoundingBoxV2", (size, boxes, covered), attrs,
                 name=name or "sample_distorted_bounding_box")
