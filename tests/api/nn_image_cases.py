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
}
_DTYPES = {"q": "float32", "qc": "float32", "qlo": "float32", "qhi": "float32"}


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


def cases(tf, p: dict) -> dict:
    """name -> output tensor."""
    out: dict = {}
    _fake_quant(tf, p, out)
    _edit_distance(tf, out)
    return out
