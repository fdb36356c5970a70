"""The cross-entropy variants of tf.nn against their TF1 definitions in numpy, with
gradients by central differences (both backends)."""
import numpy as np
import pytest

import graphc as tf
from tests.helpers import central_difference, run_both

R = np.random.RandomState(41)


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def test_weighted_and_sigmoid_cross_entropy():
    x, z = R.randn(3, 4) * 4, R.rand(3, 4)
    q = 2.5
    w = tf.nn.weighted_cross_entropy_with_logits(labels=z, logits=x, pos_weight=q)
    s = tf.nn.sigmoid_cross_entropy_with_logits(labels=z, logits=x)
    t = tf.nn.weighted_cross_entropy_with_logits(targets=z, logits=x, pos_weight=1.0)
    want_w = -q * z * np.log(_sigmoid(x)) - (1 - z) * np.log(1 - _sigmoid(x))
    want_s = -z * np.log(_sigmoid(x)) - (1 - z) * np.log(1 - _sigmoid(x))
    for got in run_both([w, s, t]):
        np.testing.assert_allclose(got[0], want_w, rtol=1e-10)
        np.testing.assert_allclose(got[1], want_s, rtol=1e-10)
        np.testing.assert_allclose(got[2], want_s, rtol=1e-10)


def test_softmax_cross_entropy_v2_flows_into_labels_and_v1_does_not():
    xv, zv = R.randn(3, 5), R.dirichlet(np.ones(5), 3)
    x, z = tf.placeholder(tf.float64, xv.shape), tf.placeholder(tf.float64, zv.shape)
    v2 = tf.nn.softmax_cross_entropy_with_logits_v2(labels=z, logits=x, axis=-1)
    v1 = tf.nn.softmax_cross_entropy_with_logits(labels=z, logits=x)
    logp = xv - xv.max(1, keepdims=True)
    logp -= np.log(np.exp(logp).sum(1, keepdims=True))
    for got in run_both([v2, v1], {x: xv, z: zv}):
        np.testing.assert_allclose(got[0], -(zv * logp).sum(1), rtol=1e-10)
        np.testing.assert_allclose(got[1], got[0])
    gz2 = tf.gradients(tf.reduce_sum(v2), z)[0]
    assert tf.gradients(tf.reduce_sum(v1), z)[0] is None
    with tf.Session() as sess:
        got = sess.run(gz2, {x: xv, z: zv})
        num = central_difference(lambda v: sess.run(tf.reduce_sum(v2), {x: xv, z: v}), zv)
    np.testing.assert_allclose(got, num, rtol=1e-6, atol=1e-8)
    t = tf.nn.softmax_cross_entropy_with_logits_v2(labels=tf.transpose(z), logits=tf.transpose(x),
                                                   dim=0)
    np.testing.assert_allclose(run_both(t, {x: xv, z: zv})[1], -(zv * logp).sum(1), rtol=1e-10)


def _softmax_xent(logits, labels):
    shifted = logits - logits.max(-1, keepdims=True)
    return -(labels * (shifted - np.log(np.exp(shifted).sum(-1, keepdims=True)))).sum(-1)


def test_softmax_cross_entropy_labels_of_another_rank_are_flattened_as_tf_does():
    """TF reshapes labels and logits to [-1, classes] each: `labels=[y]` ([1, n, c], in
    hunkim's lab-06-2) and [2, 2, c] labels serve [n, c] logits, [n, c] labels serve
    [2, 2, c] logits; a count of rows that differs is TF's InvalidArgumentError."""
    xv = R.randn(4, 3).astype(np.float32)
    zv = np.eye(3, dtype=np.float32)[[0, 2, 1, 1]]
    want = _softmax_xent(xv.astype(np.float64), zv)
    x = tf.placeholder(tf.float32, [None, 3])
    y = tf.placeholder(tf.float32, [None, 3])
    listed = tf.nn.softmax_cross_entropy_with_logits_v2(logits=x, labels=[y])
    square = tf.nn.softmax_cross_entropy_with_logits(logits=x, labels=tf.reshape(y, [2, 2, 3]))
    deep = tf.nn.softmax_cross_entropy_with_logits_v2(logits=tf.reshape(x, [2, 2, 3]), labels=y)
    grad = tf.gradients(tf.reduce_sum(listed), x)[0]
    assert listed.shape.as_list() == [None] and deep.shape.as_list() == [2, 2]
    for got in run_both([listed, square, deep, grad], {x: xv, y: zv}):
        np.testing.assert_allclose(got[0], want, rtol=1e-5)
        np.testing.assert_allclose(got[1], want, rtol=1e-5)
        np.testing.assert_allclose(got[2], want.reshape(2, 2), rtol=1e-5)
        softmax = np.exp(xv) / np.exp(xv).sum(-1, keepdims=True)
        np.testing.assert_allclose(got[3], softmax - zv, rtol=1e-5, atol=1e-6)
    doubled = tf.nn.softmax_cross_entropy_with_logits_v2(logits=x, labels=[y, y])
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="24 elements"):
            sess.run(doubled, {x: xv, y: zv})
    with pytest.raises(ValueError, match="do not broadcast"):
        tf.nn.softmax_cross_entropy_with_logits_v2(logits=x, labels=tf.zeros([2, 4, 5]))
