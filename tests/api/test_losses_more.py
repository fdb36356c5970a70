"""The tf.losses TF1 has beyond the basic ones: cosine_distance, hinge_loss,
mean_pairwise_squared_error (TF1's own test values), log_loss, the reductions and
sigmoid label smoothing, against numpy."""
import numpy as np
import pytest

import graphc as tf

R = np.random.RandomState(4)


def run(t):
    with tf.Session() as sess:
        return sess.run(t)


def test_cosine_distance_and_hinge_loss():
    y = R.randn(3, 4)
    y /= np.linalg.norm(y, axis=1, keepdims=True)
    p = R.randn(3, 4)
    p /= np.linalg.norm(p, axis=1, keepdims=True)
    with tf.Graph().as_default():
        cos = tf.losses.cosine_distance(y, p, axis=1)
        cos_dim = tf.losses.cosine_distance(y, p, dim=1, reduction=tf.losses.Reduction.NONE)
        labels = np.array([[0.0, 1.0, 1.0], [1.0, 0.0, 0.0]])
        logits = R.randn(2, 3)
        hinge = tf.losses.hinge_loss(labels, logits)
        c, cd, h = run([cos, cos_dim, hinge])
        with pytest.raises(ValueError, match="You must specify 'axis'"):
            tf.losses.cosine_distance(y, p)
        assert len(tf.losses.get_losses()) == 3
    assert c == pytest.approx(np.mean(1 - np.sum(y * p, axis=1)))
    np.testing.assert_allclose(cd, 1 - np.sum(y * p, axis=1, keepdims=True))
    assert h == pytest.approx(np.mean(np.maximum(0, 1 - (2 * labels - 1) * logits)))


def _pairwise_reference(p, y):
    out = np.zeros(len(p))
    for b in range(len(p)):
        d = p[b].ravel() - y[b].ravel()
        n = len(d)
        pairs = [(d[i] - d[j]) ** 2 for i in range(n) for j in range(i + 1, n)]
        out[b] = np.sum(pairs) / len(pairs)
    return out


def test_mean_pairwise_squared_error_matches_tf1s_test():
    predictions = np.array([[4.0, 8.0, 12.0], [8.0, 1.0, 3.0]])
    labels = np.array([[1.0, 9.0, 2.0], [-5.0, -7.0, 2.0]])
    per_sample = _pairwise_reference(predictions, labels)
    with tf.Graph().as_default():
        loss = tf.losses.mean_pairwise_squared_error(labels, predictions)
        scaled = tf.losses.mean_pairwise_squared_error(labels, predictions, weights=2.0)
        per = tf.losses.mean_pairwise_squared_error(labels, predictions,
                                                    weights=np.array([1.2, 3.4]))
        zero = tf.losses.mean_pairwise_squared_error(labels, predictions, weights=0.0)
        vals = run([loss, scaled, per, zero])
    assert vals[0] == pytest.approx(per_sample.sum())     # TF1: 62 + ... / 3
    assert vals[1] == pytest.approx(2 * per_sample.sum())
    assert vals[2] == pytest.approx(np.sum(per_sample * [1.2, 3.4]))
    assert vals[3] == 0.0


def test_mean_pairwise_squared_error_over_images():
    p, y = R.rand(2, 3, 2), R.rand(2, 3, 2)
    with tf.Graph().as_default():
        v = run(tf.losses.mean_pairwise_squared_error(y, p))
    assert v == pytest.approx(_pairwise_reference(p, y).sum())


def test_reductions_and_compute_weighted_loss():
    losses = np.array([[1.0, 2.0], [3.0, 4.0]])
    w = np.array([[0.0], [2.0]])
    R_ = tf.losses.Reduction
    want = {R_.NONE: losses * w, R_.SUM: (losses * w).sum(),
            R_.MEAN: (losses * w).sum() / (np.ones_like(losses) * w).sum(),
            R_.SUM_OVER_BATCH_SIZE: (losses * w).sum() / 4,
            R_.SUM_BY_NONZERO_WEIGHTS: (losses * w).sum() / 2}
    with tf.Graph().as_default():
        got = run({k: tf.losses.compute_weighted_loss(losses, w, reduction=k) for k in want})
        with pytest.raises(ValueError, match="Invalid Reduction Key"):
            tf.losses.compute_weighted_loss(losses, reduction="bad")
    for k, v in want.items():
        np.testing.assert_allclose(got[k], v, err_msg=k)
    assert set(R_.all()) == set(want)


def test_log_loss_sigmoid_label_smoothing_and_add_loss():
    y = np.array([[0.0, 1.0], [1.0, 1.0]])
    p = np.array([[0.2, 0.7], [0.9, 0.4]])
    logits = np.array([[-1.0, 2.0], [0.5, -0.3]])
    with tf.Graph().as_default():
        ll = tf.losses.log_loss(y, p)
        sg = tf.losses.sigmoid_cross_entropy(y, logits, label_smoothing=0.2)
        tf.losses.add_loss(tf.constant(5.0, tf.float64))
        total = tf.losses.get_total_loss()
        a, b, t = run([ll, sg, total])
    eps = 1e-7
    assert a == pytest.approx(np.mean(-y * np.log(p + eps) - (1 - y) * np.log(1 - p + eps)))
    ys = y * 0.8 + 0.1
    q = 1 / (1 + np.exp(-logits))
    assert b == pytest.approx(np.mean(-ys * np.log(q) - (1 - ys) * np.log(1 - q)))
    assert t == pytest.approx(a + b + 5.0)
