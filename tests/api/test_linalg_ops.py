"""Bands, diagonals and dense linear algebra (issue 20): values against numpy's LAPACK and
TF1's conventions (svd's v, matrix_diag's sizes), TF1's errors for singular and
indefinite inputs, and gradients against central differences."""
import numpy as np
import pytest

import graphc as tf

from ..helpers import central_difference

R = np.random.RandomState(0)


def _run(fetches, feeds=None):
    with tf.Session() as sess:
        return sess.run(fetches, feeds)


def _spd(n, batch=()):
    x = R.randn(*batch, n, n)
    return x @ np.swapaxes(x, -1, -2) + n * np.eye(n)


def test_band_part_and_the_diagonals():
    x = np.arange(12.0).reshape(3, 4)
    band, lower, d, dp, md, mdp, sd, tr = _run([
        tf.matrix_band_part(x, 1, 0), tf.linalg.band_part(x, -1, 0), tf.diag([1, 2]),
        tf.diag_part(np.arange(16).reshape(4, 4)), tf.linalg.diag([[1, 2], [3, 4]], k=1),
        tf.linalg.diag_part(x, k=-1), tf.linalg.set_diag(x, [7.0, 8.0, 9.0]),
        tf.trace(np.arange(9.0).reshape(3, 3))])
    np.testing.assert_array_equal(band, np.where(np.tri(3, 4, 0) - np.tri(3, 4, -2), x, 0))
    np.testing.assert_array_equal(lower, np.tril(x))
    np.testing.assert_array_equal(d, [[1, 0], [0, 2]])
    np.testing.assert_array_equal(dp, [0, 5, 10, 15])
    np.testing.assert_array_equal(md, [[[0, 1, 0], [0, 0, 2], [0, 0, 0]],
                                       [[0, 3, 0], [0, 0, 4], [0, 0, 0]]])
    np.testing.assert_array_equal(mdp, [4, 9])
    want = x.copy()
    want[[0, 1, 2], [0, 1, 2]] = [7, 8, 9]
    np.testing.assert_array_equal(sd, want)
    assert tr == 12.0
    assert tf.linalg.diag([1.0, 2.0], k=-1, num_cols=2).shape.as_list() == [3, 2]
    with pytest.raises(NotImplementedError, match="one diagonal"):
        tf.linalg.diag_part(x, k=(-1, 1))


def test_eye_and_adjoint():
    e, b, a = _run([tf.eye(2, 3), tf.linalg.eye(2, batch_shape=[2], dtype=tf.int32),
                    tf.linalg.adjoint(np.arange(6.0).reshape(1, 2, 3))])
    np.testing.assert_array_equal(e, np.eye(2, 3))
    np.testing.assert_array_equal(b, np.stack([np.eye(2)] * 2))
    assert b.dtype == np.int32 and a.shape == (1, 3, 2)


def test_inverse_determinants_and_solves_match_numpy():
    a = _spd(3, (2,))
    b = R.randn(2, 3, 2)
    inv, inv_adj, det, (sign, logabs), logdet, x, xt, chol, xs = _run([
        tf.matrix_inverse(a), tf.linalg.inv(a + np.triu(np.ones(3)), adjoint=True),
        tf.matrix_determinant(a), tf.linalg.slogdet(-a), tf.linalg.logdet(a),
        tf.matrix_solve(a, b), tf.matrix_triangular_solve(a, b, lower=False),
        tf.cholesky(a), tf.cholesky_solve(tf.cholesky(a), b)])
    np.testing.assert_allclose(inv, np.linalg.inv(a), rtol=1e-10)
    np.testing.assert_allclose(inv_adj, np.linalg.inv(np.swapaxes(a + np.triu(np.ones(3)),
                                                                  -1, -2)), rtol=1e-10)
    np.testing.assert_allclose(det, np.linalg.det(a), rtol=1e-10)
    np.testing.assert_array_equal(sign, np.linalg.slogdet(-a)[0])
    np.testing.assert_allclose(logabs, np.linalg.slogdet(a)[1], rtol=1e-10)
    np.testing.assert_allclose(logdet, np.linalg.slogdet(a)[1], rtol=1e-10)
    np.testing.assert_allclose(x, np.linalg.solve(a, b), rtol=1e-10)
    np.testing.assert_allclose(xt, np.linalg.solve(np.triu(a), b), rtol=1e-10)
    np.testing.assert_allclose(chol, np.linalg.cholesky(a), rtol=1e-10)
    np.testing.assert_allclose(xs, np.linalg.solve(a, b), rtol=1e-10)


def test_singular_and_indefinite_inputs_are_tf1s_errors():
    singular = np.ones((2, 2))
    with pytest.raises(tf.errors.InvalidArgumentError, match="not invertible"):
        _run(tf.matrix_inverse(singular))
    with pytest.raises(tf.errors.InvalidArgumentError, match="Cholesky decomposition was not"):
        _run(tf.cholesky(-np.eye(2)))
    with pytest.raises(ValueError, match="square"):
        tf.matrix_inverse(np.ones((2, 3)))


def test_qr_and_svd_follow_tf1s_conventions():
    x = R.randn(4, 3)
    q, r = _run(tf.qr(x))
    np.testing.assert_allclose(q @ r, x, atol=1e-12)
    np.testing.assert_allclose(q.T @ q, np.eye(3), atol=1e-12)
    np.testing.assert_array_equal(r, np.triu(r))
    qf, rf = _run(tf.linalg.qr(x, full_matrices=True))
    assert qf.shape == (4, 4) and rf.shape == (4, 3)
    s, u, v = _run(tf.svd(x))
    np.testing.assert_allclose(u @ np.diag(s) @ v.T, x, atol=1e-12)  # v, not v^T
    np.testing.assert_allclose(s, np.linalg.svd(x, compute_uv=False), rtol=1e-12)
    only_s = tf.linalg.svd(x, compute_uv=False)
    assert isinstance(only_s, tf.Tensor) and only_s.shape.as_list() == [3]


@pytest.mark.parametrize("build", [
    lambda a: tf.matrix_inverse(a),
    lambda a: tf.matrix_determinant(a),
    lambda a: tf.linalg.slogdet(a)[1],
    lambda a: tf.cholesky(tf.matmul(a, a, transpose_b=True) + 3 * np.eye(3)),
    lambda a: tf.matrix_triangular_solve(a, tf.ones([3, 2], tf.float64), lower=True),
    lambda a: tf.qr(a)[0] * 2.0 + tf.qr(a)[1],
    lambda a: tf.svd(a, compute_uv=False),
    lambda a: tf.linalg.logdet(tf.matmul(a, a, transpose_b=True) + np.eye(3)),
], ids=["inv", "det", "slogdet", "cholesky", "triangular_solve", "qr", "svd_values",
        "logdet"])
def test_gradients_match_central_differences(build):
    a = tf.placeholder(tf.float64, [3, 3])
    y = build(a)
    w = R.uniform(0.5, 1.5, y.shape.as_list())
    (g,) = tf.gradients(tf.reduce_sum(y * w), [a])
    av = R.randn(3, 3) + 3 * np.eye(3)
    with tf.Session() as sess:
        numeric = central_difference(lambda v: float(np.sum(sess.run(y, {a: v}) * w)), av)
        np.testing.assert_allclose(sess.run(g, {a: av}), numeric, rtol=1e-5, atol=1e-7)


def test_eigh_pinv_lstsq_match_numpy():
    a = R.randn(2, 4, 4)
    sym = np.tril(a) + np.swapaxes(np.tril(a, -1), -1, -2)  # what the op reads
    x, b = R.randn(5, 3), R.randn(5, 2)
    (e, v), ev, p, ls, ls_reg = _run([tf.linalg.eigh(a), tf.self_adjoint_eigvals(a),
                                      tf.linalg.pinv(x), tf.linalg.lstsq(x, b),
                                      tf.matrix_solve_ls(x, b, l2_regularizer=0.5)])
    np.testing.assert_allclose(e, np.linalg.eigvalsh(sym), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ev, e, rtol=1e-12)
    np.testing.assert_allclose(v @ (e[..., None] * np.swapaxes(v, -1, -2)), sym, atol=1e-10)
    np.testing.assert_allclose(p, np.linalg.pinv(x), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ls, np.linalg.lstsq(x, b, rcond=None)[0], rtol=1e-10)
    np.testing.assert_allclose(ls_reg, np.linalg.solve(x.T @ x + 0.5 * np.eye(3), x.T @ b),
                               rtol=1e-10)


def test_eigh_gradient_reads_the_lower_triangle():
    a = tf.placeholder(tf.float64, [3, 3])
    e, v = tf.linalg.eigh(a)
    y = tf.reduce_sum(e * [1.0, 2.0, 3.0]) + tf.reduce_sum(tf.square(v[:, 0] * v[:, 1]))
    (g,) = tf.gradients(y, [a])
    av = R.randn(3, 3) + np.diag([0.0, 3.0, 6.0])
    with tf.Session() as sess:
        numeric = central_difference(lambda w: float(sess.run(y, {a: w})), av)
        np.testing.assert_allclose(sess.run(g, {a: av}), numeric, rtol=1e-5, atol=1e-7)
