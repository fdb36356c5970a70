"""Cases compared with TensorFlow for issue 20's data-shaped ops (pools and morphology,
top-level array ops, tf.image boxes, tf.strings): each builds its outputs from `tf`
(graphc, or TensorFlow's compat.v1: the same code for both) and placeholders fed INPUTS.

tests/fixtures/tf/make_surface_io_fixtures.py runs them in TensorFlow and stores the
outputs (tests/fixtures/tf/surface_io.npz); tests/api/test_surface_io_tf.py runs them in
graphc on both backends. Gradients are TF's: `tf.gradients` of sum(out * w), w fixed.
"""
from __future__ import annotations

import numpy as np

_R = np.random.RandomState(2026)
INPUTS = {
    "img": _R.randn(2, 7, 8, 3).astype(np.float32),
    "img64": _R.randn(1, 5, 6, 2),
    "seq": _R.randn(2, 9, 3).astype(np.float32),
    "vol": _R.randn(1, 5, 6, 7, 2).astype(np.float32),
    "kernel": _R.randn(2, 3, 3).astype(np.float32),
    "kernel64": _R.randn(3, 2, 2),
    "mat": _R.randn(3, 4).astype(np.float32),
    "reps": np.int32([2, 0, 3]),
    "flat": np.int32([0, 5, 11, 7]),
    "vals": np.float32([-1.0, 0.0, 0.3, 1.4, 2.0, 5.0, 2.5]),
    "idx": np.int32(1),
    "photo": (_R.rand(2, 6, 7, 3) * 255).astype(np.float32),
    "crop_boxes": np.float32([[0.1, 0.2, 0.8, 0.9], [0.5, 0.0, 0.2, 0.6], [-0.2, 0.3, 1.3, 1.1],
                              [0.4, 0.4, 0.4, 0.4]]),
    "draw_boxes": np.float32([[[0.1, 0.2, 0.7, 0.9], [0.5, -0.3, 1.4, 0.6],
                               [0.8, 0.1, 0.3, 0.5]],
                              [[0.0, 0.0, 1.0, 1.0], [1.2, 0.1, 1.5, 0.6],
                               [0.25, 0.35, 0.55, 0.65]]]),
    "nms_boxes": np.float32([[0, 0, 1, 1], [0, 0.1, 1, 1.1], [0, -0.1, 1, 0.9], [0, 10, 1, 11],
                             [0, 10.1, 1, 11.1], [0, 100, 1, 101], [1, 1, 0, 0],
                             [0.5, 0.5, 0.6, 0.6]]),
    "nms_scores": np.float32([0.9, 0.75, 0.6, 0.95, 0.5, 0.3, 0.85, 0.4]),
}
_DTYPES = {"img": "float32", "img64": "float64", "seq": "float32", "vol": "float32",
           "kernel": "float32", "kernel64": "float64", "mat": "float32", "reps": "int32",
           "flat": "int32", "vals": "float32", "idx": "int32", "photo": "float32",
           "crop_boxes": "float32", "draw_boxes": "float32", "nms_boxes": "float32",
           "nms_scores": "float32"}


def placeholders(tf) -> dict:
    return {k: tf.placeholder(getattr(tf, _DTYPES[k]), v.shape, name=k)
            for k, v in INPUTS.items()}


def _grad(tf, out, wrt, seed: int = 0):
    """TF's gradient of sum(out * w) with respect to `wrt`, w = 1.5 + sin((seed + 1) * i)
    over out's elements in order (so that run-time shapes work too)."""
    i = tf.cast(tf.range(tf.size(out)), out.dtype) * float(seed + 1)
    loss = tf.reduce_sum(out * tf.reshape(1.5 + tf.sin(i), tf.shape(out)))
    return tf.gradients(loss, [wrt])[0]


def _pools(tf, p: dict, out: dict) -> None:
    nn = tf.nn
    for pad in ("SAME", "VALID"):
        for batch in (False, True):
            y, argmax = nn.max_pool_with_argmax(p["img"], [1, 2, 3, 1], [1, 2, 2, 1], pad,
                                                include_batch_in_index=batch)
            out[f"argmax_{pad}_{batch}"], out[f"argmax_{pad}_{batch}_y"] = argmax, y
        out[f"argmax_{pad}_grad"] = _grad(tf, y, p["img"], 1)
    y, argmax = nn.max_pool_with_argmax(p["img64"], [1, 3, 2, 1], [1, 1, 2, 1], "SAME")
    out["argmax64"], out["argmax64_y"] = argmax, y
    out["argmax64_grad"] = _grad(tf, y, p["img64"], 2)
    out["argmax_int32"] = nn.max_pool_with_argmax(p["img"], [1, 3, 2, 1], [1, 1, 2, 1],
                                                  "VALID", output_dtype=tf.int32)[1]
    for pad in ("SAME", "VALID"):
        d = nn.dilation2d(p["img"], p["kernel"], [1, 1, 2, 1], [1, 2, 1, 1], pad)
        out[f"dilation_{pad}"] = d
        out[f"dilation_{pad}_grad_x"] = _grad(tf, d, p["img"], 3)
        out[f"dilation_{pad}_grad_f"] = _grad(tf, d, p["kernel"], 3)
    e = nn.erosion2d(p["img64"], p["kernel64"], [1, 2, 1, 1], [1, 1, 2, 1], "SAME")
    out["erosion"], out["erosion_grad"] = e, _grad(tf, e, p["img64"], 4)
    out["erosion_grad_k"] = _grad(tf, e, p["kernel64"], 4)
    out["pool_max_dilated"] = nn.pool(p["img"], [2, 3], "MAX", "VALID", dilation_rate=[2, 2])
    out["pool_avg_dilated"] = nn.pool(p["img"], [3, 2], "AVG", "VALID", dilation_rate=[1, 2])
    out["pool_avg_dilated_grad"] = _grad(tf, out["pool_avg_dilated"], p["img"], 5)
    out["pool_avg_strided"] = nn.pool(p["img"], [3, 2], "AVG", "SAME", strides=[2, 1])
    out["pool_1d"] = nn.pool(p["seq"], [3], "MAX", "VALID", dilation_rate=[2])
    out["pool_3d"] = nn.pool(p["vol"], [2, 2, 2], "AVG", "VALID", dilation_rate=[1, 2, 1])
    out["pool_3d_max"] = nn.pool(p["vol"], [2, 2, 2], "MAX", "SAME", strides=[1, 2, 2])
    out["with_space_to_batch"] = nn.with_space_to_batch(
        p["img"], [2, 2], "SAME", lambda x, _, pad: nn.conv2d(
            x, np.linspace(-1, 1, 54).reshape(3, 3, 3, 2).astype(np.float32), [1, 1, 1, 1],
            pad), filter_shape=[3, 3])
    paddings, crops = tf.required_space_to_batch_paddings([7, 8], [2, 3], [[1, 1], [0, 2]])
    out["required_paddings"], out["required_crops"] = paddings, crops
    out["bn_global"] = nn.batch_norm_with_global_normalization(
        p["img"], np.float32([.1, .2, .3]), np.float32([1, 2, 3]), np.float32([0, 1, 2]),
        np.float32([2, 3, 4]), 1e-3, True)
    out["bn_global_unscaled"] = nn.batch_norm_with_global_normalization(
        p["img"], np.float32([.1, .2, .3]), np.float32([1, 2, 3]), np.float32([0, 1, 2]),
        np.float32([2, 3, 4]), 1e-3, False)


def _arrays(tf, p: dict, out: dict) -> None:
    out["repeat_const"] = tf.repeat(p["mat"], [2, 0, 1], axis=0)
    out["repeat_const_grad"] = _grad(tf, out["repeat_const"], p["mat"], 6)
    out["repeat_scalar"] = tf.repeat(p["mat"], 3, axis=1)
    out["repeat_flat"] = tf.repeat(p["mat"], 2)
    out["repeat_tensor"] = tf.repeat(p["mat"], p["reps"], axis=0)
    out["repeat_tensor_grad"] = _grad(tf, out["repeat_tensor"], p["mat"], 7)
    out["repeat_tensor_axis1"] = tf.repeat(p["mat"], tf.constant([1, 2, 0, 1]), axis=-1)
    out["repeat_scalar_tensor"] = tf.repeat(p["mat"], p["idx"] + 1, axis=1)
    out["unravel_vector"] = tf.unravel_index(p["flat"], [3, 4])
    out["unravel_scalar"] = tf.unravel_index(np.int64(17), np.int64([2, 3, 4]))
    out["histogram_bins"] = tf.histogram_fixed_width_bins(p["vals"], [0.0, 2.0], nbins=5)
    out["histogram_bins_2d"] = tf.histogram_fixed_width_bins(p["mat"], [-1.0, 1.0], 4)
    out["parallel_stack"] = tf.parallel_stack([p["mat"], p["mat"] * 2.0])
    out["realdiv"] = tf.realdiv(p["mat"], p["mat"] + 3.0)
    out["ensure_shape"] = tf.ensure_shape(p["mat"], [None, 4])
    branches = [lambda: p["mat"] * 2.0, lambda: p["mat"] - 1.0, lambda: tf.abs(p["mat"])]
    out["switch_case"] = tf.switch_case(p["idx"], branches)
    out["switch_case_default"] = tf.switch_case(p["idx"] + 5, branches,
                                                default=lambda: p["mat"] * 0.5)
    out["switch_case_last"] = tf.switch_case(p["idx"] - 3, {1: branches[0], 0: branches[1]})
    out["switch_case_grad"] = _grad(tf, out["switch_case"], p["mat"], 8)


def _images(tf, p: dict, out: dict) -> None:
    im = tf.image
    index = np.int32([1, 0, 1, 0])
    for method in ("bilinear", "nearest"):
        for size in ([4, 5], [1, 3]):
            crop = im.crop_and_resize(p["photo"], p["crop_boxes"], index, size, method=method,
                                      extrapolation_value=-1.0)
            key = f"crop_{method}_{size[0]}x{size[1]}"
            out[key] = crop
            out[key + "_grad_image"] = _grad(tf, crop, p["photo"], 9)
            out[key + "_grad_boxes"] = _grad(tf, crop, p["crop_boxes"], 10)
    out["crop_uint8"] = im.crop_and_resize(tf.cast(p["photo"], tf.uint8), p["crop_boxes"],
                                           index, [3, 3])
    out["draw_default"] = im.draw_bounding_boxes(p["photo"] / 255.0, p["draw_boxes"])
    out["draw_colors"] = im.draw_bounding_boxes(
        p["photo"] / 255.0, p["draw_boxes"], colors=np.float32([[0.1, 0.2, 0.3, 1.0],
                                                                [0.9, 0.8, 0.7, 1.0]]))
    out["draw_grey"] = im.draw_bounding_boxes(p["photo"][..., :1] / 255.0, p["draw_boxes"])
    for h, w in ((9, 9), (4, 12), (12, 5)):
        out[f"resize_pad_{h}x{w}"] = im.resize_image_with_pad(p["photo"], h, w)
    out["resize_pad_3d_nearest"] = im.resize_image_with_pad(
        p["photo"][0], 10, 4, method=im.ResizeMethod.NEAREST_NEIGHBOR)
    b, s = p["nms_boxes"], p["nms_scores"]
    out["nms_v3"] = im.non_max_suppression(b, s, 6, 0.5)
    out["nms_scores_idx"], out["nms_scores_val"] = im.non_max_suppression_with_scores(
        b, s, 6, 0.5, score_threshold=0.35)
    out["nms_soft_idx"], out["nms_soft_val"] = im.non_max_suppression_with_scores(
        b, s, 7, 1.0, score_threshold=0.1, soft_nms_sigma=0.5)
    out["nms_padded_idx"], out["nms_padded_n"] = im.non_max_suppression_padded(
        b, s, 7, 0.5, 0.35, pad_to_max_output_size=True)
    out["nms_unpadded_idx"], out["nms_unpadded_n"] = im.non_max_suppression_padded(b, s, 7,
                                                                                   0.4)
    out["nms_padded_tiles_idx"], out["nms_padded_tiles_n"] = im.non_max_suppression_padded(
        b[::-1], s[::-1], 5, 0.3, pad_to_max_output_size=True, tile_size=3)
    batch_boxes = tf.stack([b, b[::-1] * 2.0])
    out["nms_padded_batch_idx"], out["nms_padded_batch_n"] = im.non_max_suppression_padded(
        batch_boxes, tf.stack([s, s]), 4, 0.5, pad_to_max_output_size=True, tile_size=2)
    overlaps = np.float32(np.abs(np.subtract.outer(np.arange(8), np.arange(8))) < 2) * 0.7
    out["nms_overlaps"] = im.non_max_suppression_overlaps(overlaps, s, 5, 0.6)
    multi = tf.reshape(tf.concat([b / 101.0, b[::-1] / 101.0], 1), [2, 4, 2, 4])
    class_scores = tf.reshape(tf.concat([s, s[::-1] * 0.9], 0), [2, 4, 2])
    for pad in (False, True):
        for clip in (False, True):
            res = im.combined_non_max_suppression(multi, class_scores, 2, 5, 0.3, 0.1,
                                                  pad_per_class=pad, clip_boxes=clip)
            for k, v in zip(("boxes", "scores", "classes", "valid"), res):
                out[f"combined_{pad}_{clip}_{k}"] = v
    res = im.combined_non_max_suppression(tf.reshape(multi[:, :, :1], [2, 4, 1, 4]) * 3.0 - 1,
                                          class_scores, 3, 4)
    for k, v in zip(("boxes", "scores", "classes", "valid"), res):
        out[f"combined_q1_{k}"] = v


def cases(tf, p: dict) -> dict:
    """name -> output tensor."""
    out: dict = {}
    _pools(tf, p, out)
    _arrays(tf, p, out)
    _images(tf, p, out)
    return out
