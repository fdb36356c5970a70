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
}
_DTYPES = {"img": "float32", "img64": "float64", "seq": "float32", "vol": "float32",
           "kernel": "float32", "kernel64": "float64", "mat": "float32", "reps": "int32",
           "flat": "int32", "vals": "float32", "idx": "int32"}


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


def cases(tf, p: dict) -> dict:
    """name -> output tensor."""
    out: dict = {}
    _pools(tf, p, out)
    _arrays(tf, p, out)
    return out
