"""The TensorFlow comparison cases of issue 20's nn / image / quantization leftovers: each
builds its outputs from `tf` (graphc or TensorFlow's compat.v1, the same code for both) and
placeholders fed INPUTS.

tests/fixtures/tf/make_nn_image_fixtures.py runs them in TensorFlow and stores the outputs
(tests/fixtures/tf/nn_image.npz); tests/api/test_nn_image_tf.py runs them in graphc.
Gradients are TF's: `tf.gradients` of sum(out * w) for fixed weights w.
"""
from __future__ import annotations

import numpy as np

_R = np.random.RandomState(2026)
INPUTS = {
    # values on both sides of the ranges, exact level ties and the range ends
    "q": np.concatenate([_R.randn(40) * 4, [-6, 6, -6.2, 6.2, 0, 0.5 * 12 / 255]]).astype(
        np.float32).reshape(2, 23),
    "qc": (_R.randn(5, 4) * 3).astype(np.float32),
    "qlo": np.array([-1.0, -3.0, 0.0, 0.5], np.float32),
    "qhi": np.array([1.0, 2.5, 0.0, 4.0], np.float32),
    # a smooth picture with an edge and noise, so qualities differ visibly
    "rgb": np.clip(np.add.outer(np.arange(24) * 6, np.arange(20) * 4)[..., None]
                   + [0, 60, 120] + _R.randint(0, 30, (24, 20, 3)) + 80 * (
                       np.arange(20) > 11)[None, :, None], 0, 255).astype(np.uint8),
    "quality": np.array(37, np.int32),
    "ctc_logits": _R.randn(6, 3, 5).astype(np.float32),     # [time, batch, classes]
    "ctc_labels": np.array([[1, 2, 2, 0], [3, 3, 0, 0], [4, 1, 3, 2]], np.int32),
    "ctc_label_length": np.array([3, 2, 4], np.int32),
    "ctc_logit_length": np.array([6, 4, 6], np.int32),
    "img": _R.randn(2, 7, 6, 4),                     # NHWC
    "kern": _R.randn(3, 2, 4, 6),
    "vol": _R.randn(2, 5, 4, 6, 2).astype(np.float32),
    # MS-SSIM's 5 scales need 11 * 16 pixels; odd sizes exercise the SYMMETRIC padding
    "photo": np.clip(np.add.outer(np.arange(181), np.arange(179))[None, ..., None] / 360
                     + _R.rand(1, 181, 179, 3) * 0.3, 0, 1).astype(np.float32),
}
_DTYPES = {"q": "float32", "qc": "float32", "qlo": "float32", "qhi": "float32",
           "rgb": "uint8", "quality": "int32", "ctc_logits": "float32",
           "ctc_labels": "int32", "ctc_label_length": "int32", "ctc_logit_length": "int32",
           "img": "float64", "kern": "float64", "vol": "float32", "photo": "float32"}


def placeholders(tf) -> dict:
    return {k: tf.placeholder(getattr(tf, _DTYPES[k]), v.shape, name=k)
            for k, v in INPUTS.items()}


def _grad(tf, out, wrt, seed=0):
    """TF's gradient of sum(out * w) with respect to `wrt` (a list: one per tensor)."""
    w = np.random.RandomState(seed).uniform(0.5, 1.5, [int(d) for d in out.shape])
    return tf.gradients(tf.reduce_sum(out * tf.constant(w, out.dtype)), wrt)


def _fake_quant(tf, p, out):
    q, qc, lo, hi = p["q"], p["qc"], p["qlo"], p["qhi"]
    for i, (lo_, hi_, bits, narrow) in enumerate(((-6, 6, 8, False), (-1.3, 4.7, 8, True),
                                                  (0.2, 3.0, 4, False), (-5.0, -0.5, 3, True))):
        y = tf.fake_quant_with_min_max_args(q, lo_, hi_, bits, narrow)
        out[f"fq_args{i}"] = y
        out[f"fq_args{i}_grad"] = _grad(tf, y, [q])[0]
        out[f"fq_args{i}_gradient_op"] = tf.fake_quant_with_min_max_args_gradient(
            q * 0.5 + 1.0, q, lo_, hi_, bits, narrow)
        vlo, vhi = tf.constant(lo_, tf.float32), tf.constant(hi_, tf.float32)
        y = tf.fake_quant_with_min_max_vars(q, vlo * 1.0, vhi * 1.0, bits, narrow)
        out[f"fq_vars{i}"] = y
        for k, g in enumerate(_grad(tf, y, [q, vlo, vhi], seed=i)):
            out[f"fq_vars{i}_grad{k}"] = g
    zero = tf.constant(0.0)
    out["fq_vars_zero"] = tf.fake_quant_with_min_max_vars(q, zero, zero)
    for k, g in enumerate(tf.fake_quant_with_min_max_vars_gradient(q * 2.0, q, zero, zero)):
        out[f"fq_vars_zero_gradient_op{k}"] = g
    for k, g in enumerate(tf.fake_quant_with_min_max_vars_gradient(q * 2.0, q, -2.0, 3.0, 5)):
        out[f"fq_vars_gradient_op{k}"] = g
    for bits, narrow in ((8, False), (6, True)):
        y = tf.fake_quant_with_min_max_vars_per_channel(qc, lo, hi, bits, narrow)
        out[f"fq_channel{bits}"] = y
        for k, g in enumerate(_grad(tf, y, [qc, lo, hi], seed=bits)):
            out[f"fq_channel{bits}_grad{k}"] = g
    for k, g in enumerate(tf.fake_quant_with_min_max_vars_per_channel_gradient(
            qc + 1.0, qc, lo, hi)):
        out[f"fq_channel_gradient_op{k}"] = g


def _edit_distance(tf, out):
    # [2, 3, *] sequences: (0,0) both, (0,1) hypothesis only, (1,0) truth only, (1,2) both
    hyp = tf.SparseTensor([[0, 0, 0], [0, 0, 1], [0, 0, 2], [0, 1, 0], [1, 2, 0], [1, 2, 1]],
                          [1, 2, 3, 4, 5, 5], [2, 3, 3])
    truth = tf.SparseTensor([[0, 0, 0], [0, 0, 1], [1, 0, 0], [1, 0, 1], [1, 2, 0],
                             [1, 2, 1], [1, 2, 2], [1, 2, 3]],
                            [1, 3, 7, 8, 5, 6, 5, 4], [2, 4, 4])
    for normalize in (True, False):
        out[f"edit_distance_{normalize}"] = tf.edit_distance(hyp, truth, normalize)
    words = tf.SparseTensor([[0, 0], [0, 1], [0, 2], [1, 0]], ["a", "b", "c", "kitten"],
                            [2, 3])
    ref = tf.SparseTensor([[0, 0], [0, 1], [1, 0], [1, 1]], ["a", "c", "sitting", "kitten"],
                          [2, 2])
    out["edit_distance_strings"] = tf.edit_distance(words, ref)


STATISTICAL = "stat_"   # draws of random ops, compared by their distribution
DRAWS = 400
_BOXES = [[[0.1, 0.2, 0.5, 0.6], [0.3, 0.3, 0.9, 0.95]]]


def random_crops(tf, seed: int) -> dict:
    """Random crops' sizes, one of each kind per seed: TF runs DRAWS seeds as ops of one
    graph (the fixture's stat_* arrays), graphc one op DRAWS times."""
    sample = tf.image.sample_distorted_bounding_box
    return {"sdbb_sizes": sample([48, 64, 3], tf.constant(_BOXES), seed=seed, seed2=7)[1],
            "sdbb_no_box_sizes": sample(
                [40, 40, 3], tf.zeros([1, 0, 4]), seed=seed, seed2=9,
                min_object_covered=0.0, aspect_ratio_range=[0.5, 2.0], area_range=[0.3, 0.8],
                use_image_if_no_bounding_boxes=True)[1]}


def _distorted_boxes(tf, out):
    sample = tf.image.sample_distorted_bounding_box
    square = sample([32, 32, 3], tf.constant([[[0.0, 0.0, 1.0, 1.0]]]), seed=1, seed2=2,
                    aspect_ratio_range=[1.0, 1.0], area_range=[1.0, 1.0])
    never = sample(tf.constant([20, 30, 1], tf.int64), tf.constant([[[0.0, 0.0, 1.0, 1.0]]]),
                   seed=4, min_object_covered=0.9, area_range=[0.05, 0.06], max_attempts=7)
    for name, (begin, size, bbox) in (("square", square), ("never", never)):
        out[f"sdbb_{name}_begin"], out[f"sdbb_{name}_size"] = begin, size
        out[f"sdbb_{name}_bbox"] = bbox


def _jpeg_quality(tf, p, out):
    rgb = p["rgb"]
    for q in (95, 50, 5):
        out[f"jpeg_quality{q}"] = tf.image.adjust_jpeg_quality(rgb, q)
    out["jpeg_quality_tensor"] = tf.image.adjust_jpeg_quality(rgb, p["quality"])
    out["jpeg_quality_gray"] = tf.image.adjust_jpeg_quality(rgb[:, :, :1], 60)
    as_float = tf.image.convert_image_dtype(rgb, tf.float32)
    out["jpeg_quality_float"] = tf.image.adjust_jpeg_quality(as_float * 1.2 - 0.1, 70,
                                                             dct_method="INTEGER_ACCURATE")


def _ctc(tf, p, out):
    logits, labels = p["ctc_logits"], p["ctc_labels"]
    lengths, steps = p["ctc_label_length"], p["ctc_logit_length"]
    out["ctc_v2_dense"] = tf.nn.ctc_loss_v2(labels, logits, lengths, steps)
    out["ctc_v2_dense_grad"] = _grad(tf, out["ctc_v2_dense"], [logits])[0]
    # blank last: labels 0..3 (so no 4), batch-major logits
    last = tf.minimum(labels, 3)
    out["ctc_v2_blank_last"] = tf.nn.ctc_loss_v2(
        last, tf.transpose(logits, [1, 0, 2]), lengths, steps, logits_time_major=False,
        blank_index=-1)
    out["ctc_v2_blank_last_grad"] = _grad(tf, out["ctc_v2_blank_last"], [logits], 1)[0]
    sparse = tf.SparseTensor([[0, 0], [0, 1], [1, 0], [2, 0], [2, 1], [2, 2]],
                             [0, 2, 4, 1, 1, 3], [3, 3])
    out["ctc_v2_sparse"] = tf.nn.ctc_loss_v2(sparse, logits, None, steps, blank_index=3)
    out["ctc_v2_sparse_grad"] = _grad(tf, out["ctc_v2_sparse"], [logits], 2)[0]
    unique_y, unique_idx = tf.nn.ctc_unique_labels(labels)
    out["ctc_unique_y"], out["ctc_unique_idx"] = unique_y, unique_idx
    out["ctc_v2_unique"] = tf.nn.ctc_loss_v2(labels, logits, lengths, steps,
                                             unique=(unique_y, unique_idx))


V1_REFERENCE = "v1_"   # TF's V1 backprops, the reference of graphc's V2 ones
BACKPROP_V2 = (("same", "SAME", []), ("valid", "VALID", []),
               ("explicit", "EXPLICIT", [0, 0, 1, 2, 2, 0, 0, 0]))


def backprop_v2_dy(tf, name: str):
    """The out_backprop of the conv2d_backprop_*_v2 cases ([2, 7, 6, 4] input, [3, 2, 4, 6]
    filter, strides [1, 2, 1, 1])."""
    rows = {"same": 4, "valid": 3, "explicit": 4}[name]
    cols = {"same": 6, "valid": 5, "explicit": 7}[name]
    return tf.constant(np.random.RandomState(4).randn(2, rows, cols, 6))


def _raw_conv(tf, p, out):
    """TF has no CPU kernels for Conv2DBackprop*V2: the fixture holds TF's V1 backprops
    of the same convolutions (tests/api/test_nn_image_tf.py compares graphc's V2 ops)."""
    img, kern = p["img"], p["kern"]
    for name, pad, ex in BACKPROP_V2:
        x = tf.pad(img, [[0, 0], [1, 2], [2, 0], [0, 0]]) if ex else img
        dy = backprop_v2_dy(tf, name)
        dx = tf.nn.conv2d_backprop_input(tf.shape(x), kern, dy, [1, 2, 1, 1],
                                         "VALID" if ex else pad)
        out[V1_REFERENCE + f"backprop_input_{name}"] = (
            dx[:, 1:8, 2:8] if ex else dx)
        out[V1_REFERENCE + f"backprop_filter_{name}"] = (
            tf.nn.conv2d_backprop_filter(x, tf.shape(kern), dy, [1, 2, 1, 1],
                                         "VALID" if ex else pad))
    c32 = tf.cast(img, tf.float32)
    for name, kw in (("plain", {}), ("dilated", {"dilations": [1, 2, 1, 1]}),
                     ("explicit", {"explicit_paddings": [0, 0, 1, 1, 0, 2, 0, 0]})):
        y = tf.conv(c32, tf.cast(kern, tf.float32), [1, 1, 2, 1],
                    "EXPLICIT" if "explicit_paddings" in kw else "SAME", **kw)
        out[f"raw_conv_{name}"] = y
    out["raw_conv_batch_dims"] = tf.conv(tf.reshape(c32, [2, 1, 7, 6, 4]),
                                         tf.cast(kern, tf.float32), [1, 2, 2, 1], "VALID",
                                         batch_dims=2)
    vol = p["vol"]
    for name, k, st, pad in (("same", [1, 2, 3, 2, 1], [1, 2, 1, 3, 1], "SAME"),
                             ("valid", [1, 3, 2, 2, 1], [1, 1, 2, 2, 1], "VALID")):
        y = tf.extract_volume_patches(vol, k, st, pad)
        out[f"volume_patches_{name}"] = y
        out[f"volume_patches_{name}_grad"] = _grad(tf, y, [vol])[0]


def _ms_ssim(tf, p, out):
    photo = p["photo"]
    other = tf.clip_by_value(photo * 0.9 + 0.05 * tf.sin(photo * 20.0), 0.0, 1.0)
    out["ms_ssim"] = tf.image.ssim_multiscale(photo, other, 1.0)
    small = photo[0, :47, :45]
    out["ms_ssim_3_scales"] = tf.image.ssim_multiscale(
        small, other[0, :47, :45], 1.0, power_factors=(0.2, 0.3, 0.5), filter_size=7, k2=0.05)
    out["ms_ssim_3_scales_grad"] = _grad(tf, out["ms_ssim_3_scales"], [photo])[0]
    as_uint8 = tf.image.convert_image_dtype(photo, tf.uint8)
    out["ms_ssim_uint8"] = tf.image.ssim_multiscale(
        as_uint8, tf.image.convert_image_dtype(other, tf.uint8), 255)


GLIMPSE_OUTSIDE = "glimpse_outside_"   # windows partly outside: the noise is checked


def _glimpses(tf, p, out):
    images = p["photo"][:, :20, :17]                   # [1, 20, 17, 3]
    two = tf.concat([images, images[:, ::-1] * 0.5], 0)
    inside = [[0.1, -0.2], [-0.3, 0.25]]
    out["glimpse_normalized_centered"] = tf.image.extract_glimpse(two, [6, 5], inside)
    out["glimpse_pixels"] = tf.image.extract_glimpse(two, [7, 4], [[3.0, 2.5], [9.6, 11.2]],
                                                     centered=False, normalized=False)
    out["glimpse_pixels_centered"] = tf.image.extract_glimpse(
        two, [5, 5], [[-2.7, 3.1], [4.0, -5.5]], centered=True, normalized=False)
    out["glimpse_normalized_corner"] = tf.image.extract_glimpse(
        two, [4, 6], [[0.3, 0.5], [0.45, 0.2]], centered=False, normalized=True)
    for name, offsets, uniform in (("corner", [[0.0, 0.0], [-1.0, 1.0]], True),
                                   ("far", [[0.9, 0.95], [5.0, 5.0]], False)):
        out[GLIMPSE_OUTSIDE + name] = tf.image.extract_glimpse(two, [8, 9], offsets,
                                                               centered=False,
                                                               uniform_noise=uniform)


def cases(tf, p: dict) -> dict:
    """name -> output tensor."""
    out: dict = {}
    _fake_quant(tf, p, out)
    _edit_distance(tf, out)
    _distorted_boxes(tf, out)
    _jpeg_quality(tf, p, out)
    _ctc(tf, p, out)
    _raw_conv(tf, p, out)
    _ms_ssim(tf, p, out)
    _glimpses(tf, p, out)
    return out
