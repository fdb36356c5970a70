"""tf.nn values against numpy formulas and TF1's error messages."""
import numpy as np
import pytest

import graphc as tf
from tests.helpers import run, run_both

R = np.random.RandomState(0)


@pytest.mark.parametrize("fn,ref", [
    (tf.nn.relu, lambda x: np.maximum(x, 0)),
    (tf.nn.relu6, lambda x: np.clip(x, 0, 6)),
    (tf.nn.elu, lambda x: np.where(x > 0, x, np.exp(x) - 1)),
    (tf.nn.softplus, lambda x: np.log(1 + np.exp(x))),
    (tf.nn.softsign, lambda x: x / (1 + np.abs(x))),
    (lambda x: tf.nn.leaky_relu(x, 0.3), lambda x: np.where(x > 0, x, 0.3 * x)),
    (tf.nn.sigmoid, lambda x: 1 / (1 + np.exp(-x))),
])
def test_activations(fn, ref):
    x = R.uniform(-8, 8, (4, 5))
    np.testing.assert_allclose(run(fn(tf.constant(x))), ref(x), rtol=1e-12)


def test_relu_gradient_passes_where_the_output_is_positive():
    # TF1's ReluGrad(g, output): g where relu(x) > 0; 0 at x = 0, -0.0, negatives and NaN
    x = np.float32([-2.0, -0.0, 0.0, 1e-30, 3.0, np.nan, -np.inf, np.inf])
    g = np.float32([1, 2, 3, 4, 5, 6, 7, 8])
    xt = tf.constant(x)
    dx = tf.gradients(tf.nn.relu(xt), xt, grad_ys=tf.constant(g))[0]
    for out in run_both(dx):
        np.testing.assert_array_equal(out, [0, 0, 0, 4, 5, 0, 0, 8])


def test_softplus_and_sigmoid_are_stable_for_large_inputs():
    x = tf.constant(np.float32([-1000, 1000]))
    np.testing.assert_allclose(run(tf.nn.softplus(x)), [0, 1000])
    np.testing.assert_allclose(run(tf.sigmoid(x)), [0, 1])


def test_softmax_axes_and_stability():
    x = R.randn(3, 4) * 100
    e = np.exp(x - x.max(axis=1, keepdims=True))
    np.testing.assert_allclose(run(tf.nn.softmax(tf.constant(x))), e / e.sum(1, keepdims=True))
    e0 = np.exp(x - x.max(axis=0, keepdims=True))
    np.testing.assert_allclose(run(tf.nn.softmax(tf.constant(x), axis=0)),
                               e0 / e0.sum(0, keepdims=True))
    np.testing.assert_allclose(run(tf.nn.log_softmax(tf.constant(x))),
                               np.log(e / e.sum(1, keepdims=True)), atol=1e-9)


def test_cross_entropies_match_formulas():
    logits = R.randn(4, 3)
    labels = np.eye(3)[[0, 2, 1, 1]]
    logp = logits - np.log(np.exp(logits).sum(1, keepdims=True))
    expected = -(labels * logp).sum(1)
    l1 = tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    l2 = tf.nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits)
    l3 = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=np.int32([0, 2, 1, 1]),
                                                        logits=logits)
    for v in run([l1, l2, l3]):
        np.testing.assert_allclose(v, expected, rtol=1e-12)
    z = R.rand(4, 3)
    sig = run(tf.nn.sigmoid_cross_entropy_with_logits(labels=z, logits=logits))
    p = 1 / (1 + np.exp(-logits))
    np.testing.assert_allclose(sig, -z * np.log(p) - (1 - z) * np.log(1 - p), rtol=1e-10)


def test_cross_entropy_requires_named_arguments():
    with pytest.raises(ValueError, match="Only call `softmax_cross_entropy_with_logits` with "
                                         "named arguments"):
        tf.nn.softmax_cross_entropy_with_logits(np.eye(2), np.eye(2))


def test_sparse_label_out_of_range_is_tf1_error():
    loss = tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=tf.constant([1, 7]), logits=tf.constant(np.zeros((2, 5), np.float32)))
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"Received a label value of 7 which is outside the valid range "
                             r"of \[0, 5\)\.  Label values: 1 7"):
        run(loss)


def test_bias_add_and_l2():
    x = R.randn(2, 3)
    b = R.randn(3)
    np.testing.assert_allclose(run(tf.nn.bias_add(x, b)), x + b)
    assert run(tf.nn.l2_loss(tf.constant(x))) == pytest.approx((x ** 2).sum() / 2)
    with pytest.raises(ValueError, match="Dimensions must be equal, but are 3 and 4"):
        tf.nn.bias_add(tf.constant(x), tf.constant(R.randn(4)))


def test_dropout_scales_kept_units_and_is_identity_at_keep_prob_one():
    tf.set_random_seed(3)
    x = tf.ones([1000])
    keep = tf.placeholder(tf.float32, [])
    y = tf.nn.dropout(x, keep)
    with tf.Session() as sess:
        v = sess.run(y, {keep: 0.5})
        assert set(np.unique(v)) <= {0.0, 2.0}
        assert 400 < (v > 0).sum() < 600
        np.testing.assert_array_equal(sess.run(y, {keep: 1.0}), np.ones(1000))
    assert tf.nn.dropout(x, 1.0) is x
    with pytest.raises(ValueError, match="range"):
        tf.nn.dropout(x, 1.5)
    with pytest.raises(ValueError, match="both keep_prob and rate"):
        tf.nn.dropout(x, 0.5, rate=0.5)


def test_embedding_lookup_and_l2_normalize():
    params = R.randn(5, 3)
    ids = np.int32([[0, 4], [4, 2]])
    np.testing.assert_allclose(run(tf.nn.embedding_lookup(params, ids)), params[ids])
    v = run(tf.nn.l2_normalize(tf.constant(params), axis=1))
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), np.ones(5))
