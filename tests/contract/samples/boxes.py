"""Contract samples for the box ops: CropAndResize and its gradients, DrawBoundingBoxesV2
(ir/ops/box_image_ops.py), the NMS variants (ir/ops/nms_ops.py, nms_padded_ops.py).
CropAndResize's outputs are float32 (as TF's); its gradients are compared with
TensorFlow's in tests/api/test_surface_io_tf.py."""
import numpy as np

from graphc.ir.ops import box_image_ops as B, core_ops, nms_ops as N, nms_padded_ops as P
from graphc.ir.ops._base import apply

R = np.random.RandomState(47)
ph = core_ops.placeholder
_BOXES = np.float32([[0.1, 0.2, 0.8, 0.9], [0.6, 0.0, 0.1, 0.5], [-0.3, 0.2, 1.2, 1.0]])


def _crop(image_shape, crop, method, dtype="float32"):
    def build():
        img, boxes = ph(dtype, list(image_shape)), ph("float32", [None, 4])
        feed = {img: (R.rand(*image_shape) * 9).astype(dtype), boxes: _BOXES}
        index = np.int32([i % image_shape[0] for i in range(3)])
        return B.crop_and_resize(img, boxes, index, crop, method=method), feed
    build.__name__ = f"{method}_{crop[0]}x{crop[1]}_{dtype}"
    return build


def _crop_grad(kind, image_shape, crop, method="bilinear"):
    def build():
        g = ph("float32", [3, *crop, image_shape[-1]])
        feed = {g: R.randn(3, *crop, image_shape[-1]).astype(np.float32)}
        index = np.int32([i % image_shape[0] for i in range(3)])
        if kind == "CropAndResizeGradImage":
            return apply(kind, (g, core_ops.constant(_BOXES), core_ops.constant(index),
                                core_ops.constant(np.int32(image_shape))),
                         {"method": method, "T": "float64"}), feed
        img = ph("float32", list(image_shape))
        feed[img] = R.rand(*image_shape).astype(np.float32)
        return apply(kind, (g, img, core_ops.constant(_BOXES), core_ops.constant(index)),
                     {"method": "bilinear"}), feed
    build.__name__ = f"{kind}_{method}_{crop[0]}x{crop[1]}"
    return build


def _draw(shape, colors=None):
    def build():
        img = ph("float32", list(shape))
        boxes = np.float32(R.rand(shape[0], 3, 4) * 1.2 - 0.1)
        return B.draw_bounding_boxes(img, boxes, colors=colors), {
            img: R.rand(*shape).astype(np.float32)}
    build.__name__ = f"draw_{shape[-1]}ch_{'colors' if colors is not None else 'default'}"
    return build


_NMS_BOXES = np.float32([[0, 0, 1, 1], [0, 0.1, 1, 1.1], [0, 10, 1, 11], [1, 1, 0, 0],
                         [0, 10.2, 1, 11.2], [0.2, 0.2, 0.7, 0.7]])
_NMS_SCORES = np.float32([0.9, 0.8, 0.7, 0.85, 0.6, 0.5])


def _nms(op, **kw):
    def build():
        b, s = ph("float32", [None, 4]), ph("float32", [None])
        feed = {b: _NMS_BOXES, s: _NMS_SCORES}
        if op == "v5":
            return list(N.non_max_suppression_v5(b, s, 4, kw.get("iou", 0.5), 0.2,
                                                 kw.get("sigma", 0.0),
                                                 kw.get("pad", False))), feed
        if op == "overlaps":
            o = ph("float32", [6, 6])
            feed[o] = R.rand(6, 6).astype(np.float32)
            return N.non_max_suppression_overlaps(o, s, 3, kw.get("iou", 0.5)), feed
        return list(P.non_max_suppression_tiled(b, s, 4, kw.get("iou", 0.5), 0.2, False,
                                                False, kw.get("tile", 2))), feed
    build.__name__ = f"{op}_{'_'.join(f'{k}{v}' for k, v in kw.items()) or 'plain'}"
    return build


def _combined(q, pad_per_class=False, clip_boxes=True):
    def build():
        b, s = ph("float32", [2, 5, q, 4]), ph("float32", [2, 5, 3])
        corner = R.rand(2, 5, q, 2).astype(np.float32)
        feed = {b: np.concatenate([corner, corner + R.rand(2, 5, q, 2).astype(np.float32)],
                                  -1),
                s: R.permutation(30).reshape(2, 5, 3).astype(np.float32) / 30}
        return list(N.combined_non_max_suppression(b, s, 2, 4, 0.4, 0.1, pad_per_class,
                                                   clip_boxes)), feed
    build.__name__ = f"combined_q{q}_{pad_per_class}_{clip_boxes}"
    return build


SAMPLES = {
    "CropAndResize": [_crop((2, 5, 6, 3), [3, 4], "bilinear"),
                      _crop((1, 4, 4, 1), [1, 2], "nearest", "uint8"),
                      _crop((2, 3, 4, 2), [2, 2], "bilinear", "float64")],
    "CropAndResizeGradImage": [_crop_grad("CropAndResizeGradImage", (2, 5, 6, 3), [3, 4]),
                               _crop_grad("CropAndResizeGradImage", (1, 4, 4, 1), [2, 1],
                                          "nearest")],
    "CropAndResizeGradBoxes": [_crop_grad("CropAndResizeGradBoxes", (2, 5, 6, 3), [3, 4]),
                               _crop_grad("CropAndResizeGradBoxes", (1, 4, 4, 2), [1, 1])],
    "DrawBoundingBoxesV2": [_draw((2, 5, 6, 3)), _draw((1, 4, 4, 1)),
                            _draw((1, 6, 5, 4), np.float32([[0.2, 0.4, 0.6, 1.0]]))],
    "NonMaxSuppressionV5": [_nms("v5"), _nms("v5", sigma=0.5, iou=1.0),
                            _nms("v5", pad=True)],
    "NonMaxSuppressionWithOverlaps": [_nms("overlaps"), _nms("overlaps", iou=0.3)],
    "NonMaxSuppressionPadded": [_nms("tiled"), _nms("tiled", tile=4, iou=0.1)],
    "CombinedNonMaxSuppression": [_combined(1), _combined(3, True, False)],
}
