"""Contract samples for SampleDistortedBoundingBoxV2 (ir/ops/distorted_box_ops.py): fed
boxes, int32 and int64 image sizes, no boxes with use_image_if_no_bounding_boxes."""
import numpy as np

from graphc.ir.ops import core_ops
from graphc.ir.ops.distorted_box_ops import sample_distorted_bounding_box

ph = core_ops.placeholder


def _sample(size_dtype, n_boxes, **kw):
    def build():
        size, boxes = ph(size_dtype, [3]), ph("float32", [1, None, 4])
        feed = {size: np.array([30, 40, 3], size_dtype),
                boxes: np.tile(np.array([[[0.1, 0.1, 0.7, 0.8]]], np.float32),
                               (1, n_boxes, 1))}
        return list(sample_distorted_bounding_box(size, boxes, seed=5, seed2=6, **kw)), feed
    build.__name__ = f"{size_dtype}_{n_boxes}_boxes"
    return build


SAMPLES = {"SampleDistortedBoundingBoxV2": [
    _sample("int32", 1), _sample("int64", 2, min_object_covered=0.5, max_attempts=3),
    _sample("uint8", 0, use_image_if_no_bounding_boxes=True, area_range=[0.2, 0.4])]}
