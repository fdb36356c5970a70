"""tf.losses, gradient clipping and tf.contrib.layers helpers against numpy."""
import numpy as np
import pytest

import graphc as tf

R = np.random.RandomState(0)


def run(t, feeds=None):
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return sess.run(t, feeds)


def test_losses_values_weights_and_reductions():
    p, y = R.rand(4, 3), R.rand(4, 3)
    w = np.array([[1.0], [0.0], [2.0], [1.0]])
    mse = tf.losses.mean_squared_error(y, p)
    mse_w = tf.losses.mean_squared_error(y, p, weights=w)
    mse_none = tf.losses.mean_squared_error(y, p, reduction=tf.losses.Reduction.NONE)
    mae = tf.losses.absolute_difference(y, p, reduction=tf.losses.Reduction.SUM)
    hub = tf.losses.huber_loss(y, 3 * p, delta=0.5)
    vals = run([mse, mse_w, mse_none, mae, hub])
    assert vals[0] == pytest.approx(((p - y) ** 2).mean())
    # SUM_BY_NONZERO_WEIGHTS: divided by the number of non-zero (broadcast) weights
    assert vals[1] == pytest.approx(((p - y) ** 2 * w).sum() / 9)
    np.testing.assert_allclose(vals[2], (p - y) ** 2)
    assert vals[3] == pytest.approx(np.abs(p - y).sum())
    e = np.abs(3 * p - y)
    quad = np.minimum(e, 0.5)
    assert vals[4] == pytest.approx((0.5 * quad ** 2 + 0.5 * (e - quad)).mean())
    assert len(tf.losses.get_losses()) == 5


def test_classification_losses_and_total_loss():
    logits = R.randn(5, 4)
    labels = np.eye(4)[[0, 1, 2, 3, 0]]
    sparse = tf.losses.sparse_softmax_cross_entropy(np.int32([0, 1, 2, 3, 0]), logits)
    dense = tf.losses.softmax_cross_entropy(labels, logits)
    smooth = tf.losses.softmax_cross_entropy(labels, logits, label_smoothing=0.1)
    sig = tf.losses.sigmoid_cross_entropy(labels, logits)
    with tf.variable_scope("m", regularizer=tf.contrib.layers.l2_regularizer(0.5)):
        v = tf.get_variable("v", initializer=tf.constant([1.0, 2.0], tf.float64))
    total = tf.losses.get_total_loss()
    s, d, sm, sg, tot, reg = run([sparse, dense, smooth, sig, total,
                                  tf.losses.get_regularization_loss()])
    logp = logits - np.log(np.exp(logits).sum(1, keepdims=True))
    assert s == pytest.approx(-(labels * logp).sum(1).mean()) and d == pytest.approx(s)
    smoothed = labels * 0.9 + 0.1 / 4
    assert sm == pytest.approx(-(smoothed * logp).sum(1).mean())
    q = 1 / (1 + np.exp(-logits))
    assert sg == pytest.approx((-labels * np.log(q) - (1 - labels) * np.log(1 - q)).mean())
    assert reg == pytest.approx(0.5 * (1 + 4) / 2)
    assert tot == pytest.approx(s + d + sm + sg + reg)
    assert v.name == "m/v:0"


def test_clip_by_global_norm_in_a_training_step():
    w = tf.Variable(np.array([3.0, 4.0]))
    loss = tf.reduce_sum(tf.square(w))  # gradient 2w = [6, 8], norm 10
    opt = tf.train.GradientDescentOptimizer(0.1)
    grads, variables = zip(*opt.compute_gradients(loss))
    clipped, norm = tf.clip_by_global_norm(list(grads) + [None], 5.0)
    assert clipped[-1] is None
    train = opt.apply_gradients(zip(clipped[:-1], variables))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        g, n = sess.run([clipped[0], norm])
        np.testing.assert_allclose(g, [3.0, 4.0])
        assert n == pytest.approx(10.0)
        sess.run(train)
        np.testing.assert_allclose(sess.run(w), [2.7, 3.6])


def test_clip_by_norm_and_global_norm():
    t = np.array([[3.0, 4.0], [0.0, 0.0]])
    a = tf.clip_by_norm(t, 1.0)
    b = tf.clip_by_norm(t, 1.0, axes=[1])
    c = tf.global_norm([t, np.array([12.0])])
    av, bv, cv = run([a, b, c])
    np.testing.assert_allclose(av, t / 5)
    np.testing.assert_allclose(bv, [[0.6, 0.8], [0.0, 0.0]])
    assert cv == pytest.approx(13.0)


def test_contrib_layers_and_clear_refusals():
    init = tf.contrib.layers.xavier_initializer(seed=1)
    w = tf.get_variable("w", [10, 10], initializer=init)
    assert np.abs(run(w)).max() <= np.sqrt(6 / 20)
    with pytest.raises(AttributeError, match="tf.contrib.slim is not available"):
        getattr(tf.contrib, "slim")  # noqa: B009
    with pytest.raises(AttributeError, match="tf.contrib.layers.repeat"):
        getattr(tf.contrib.layers, "repeat")  # noqa: B009


def test_global_norm_of_a_lookups_gradient_counts_each_looked_up_row():
    # TF1's gradient of a lookup is IndexedSlices and global_norm takes its values: a
    # repeated id's rows each, a sum of two lookups' gradients as their concatenation
    # (the norm of the dense, summed rows was smaller; found by review, against TF 2.21's
    # compat.v1 clip_by_global_norm on a GradientDescent step)
    c = np.arange(1.0, 7.0, dtype=np.float32).reshape(3, 2)
    with tf.Graph().as_default():
        e = tf.Variable(np.zeros((5, 2), np.float32))
        one = tf.reduce_sum(tf.gather(e, [1, 1, 3]) * c)
        two = one + tf.reduce_sum(tf.gather(e, [3, 0]) * c[:2])
        g1, = tf.gradients(one, [e])
        g2, = tf.gradients(two, [e])
        (clipped,), norm = tf.clip_by_global_norm([g1], 1.0)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            n1, n2, n_dense, cl = sess.run([tf.global_norm([g1]), tf.global_norm([g2]),
                                            tf.global_norm([g1 * 1.0]), clipped])
    np.testing.assert_allclose(n1, np.sqrt((c ** 2).sum()), rtol=1e-6)
    np.testing.assert_allclose(n2, np.sqrt((c ** 2).sum() + (c[:2] ** 2).sum()), rtol=1e-6)
    dense = np.zeros((5, 2), np.float32)
    np.add.at(dense, [1, 1, 3], c)
    np.testing.assert_allclose(n_dense, np.sqrt((dense ** 2).sum()), rtol=1e-6)
    np.testing.assert_allclose(cl, dense / np.sqrt((c ** 2).sum()), rtol=1e-6)
