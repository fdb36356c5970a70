"""tf.linalg's lu, lu_solve, lu_matrix_inverse, lu_reconstruct, sqrtm (tf.matrix_square_root),
logm and eigh_tridiagonal: values against dense numpy linear algebra on both backends,
gradients against central differences, and TensorFlow's values and gradients
(tests/fixtures/tf/linalg_matfunc.npz, made by tests/fixtures/tf/make_linalg_fixtures.py)."""
from __future__ import annotations

import os

import numpy as np
import pytest

import graphc as tf
from tests.helpers import central_difference, run_both

InvalidArgumentError = tf.errors.InvalidArgumentError

R = np.random.RandomState(14)
FIXTURE = np.load(os.path.join(os.path.dirname(__file__), os.pardir, "fixtures", "tf",
                               "linalg_matfunc.npz"))


def _both(fetches, feed=None):
    numpy_result, llvm_result = run_both(fetches, feed)
    for a, b in zip(np.atleast_1d(numpy_result) if not isinstance(numpy_result, list)
                    else numpy_result, llvm_result if isinstance(llvm_result, list)
                    else np.atleast_1d(llvm_result)):
        np.testing.assert_array_equal(a, b)
    return numpy_result


def _unpack(lu):
    n = lu.shape[-1]
    return np.tril(lu, -1) + np.eye(n), np.triu(lu)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_lu_factors_a_row_permutation(dtype):
    x = R.randn(3, 5, 5).astype(dtype)
    with tf.Graph().as_default():
        a = tf.placeholder(dtype, [None, 5, 5])
        lu, p = tf.linalg.lu(a)
        lu64, p64 = tf.linalg.lu(a, output_idx_type=tf.int64)
        got_lu, got_p, got_p64 = _both([lu, p, p64], {a: x})
    assert got_p.dtype == np.int32 and got_p64.dtype == np.int64 and got_lu.dtype == dtype
    np.testing.assert_array_equal(got_p, got_p64)
    for b in range(3):
        lower, upper = _unpack(got_lu[b])
        np.testing.assert_allclose(lower @ upper, x[b][got_p[b]], rtol=1e-5, atol=1e-5)
        assert np.all(np.abs(np.tril(got_lu[b], -1)) <= 1 + 1e-6)     # partial pivoting
        assert sorted(got_p[b]) == list(range(5))


def test_lu_family_against_numpy():
    x, rhs = R.randn(2, 4, 4), R.randn(2, 4, 3)
    with tf.Graph().as_default():
        lu, p = tf.linalg.lu(x)
        got = _both([tf.linalg.lu_reconstruct(lu, p), tf.linalg.lu_matrix_inverse(lu, p),
                     tf.linalg.lu_solve(lu, p, rhs), tf.linalg.lu_solve(lu, p, rhs[0]),
                     tf.linalg.lu_solve(lu[0], p[0], rhs)])
    np.testing.assert_allclose(got[0], x, atol=1e-12)
    np.testing.assert_allclose(got[1], np.linalg.inv(x), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(got[2], np.linalg.solve(x, rhs), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(got[3], np.linalg.solve(x, rhs[0]), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(got[4], np.linalg.solve(x[0], rhs), rtol=1e-10, atol=1e-10)


def test_lu_refusals():
    with tf.Graph().as_default():
        lu, p = tf.linalg.lu(np.float64([[1, 2], [2, 4]]))
        with pytest.raises(InvalidArgumentError, match="Input is not invertible"):
            tf.Session().run(lu)
        with pytest.raises(ValueError, match="must be square"):
            tf.linalg.lu(np.zeros((2, 3)))
        with pytest.raises(ValueError, match="rank\\(perm\\) \\+ 1"):
            tf.linalg.lu_reconstruct(np.eye(3), np.zeros((2, 3), np.int32))
        with pytest.raises(ValueError, match="at least 2 dimensions"):
            tf.linalg.lu_solve(np.eye(3), np.arange(3, dtype=np.int32), np.ones(3))
        with pytest.raises(TypeError, match="int32 or int64"):
            tf.linalg.lu(np.eye(2), output_idx_type=tf.float32)


def test_lu_against_tensorflow():
    f = FIXTURE
    with tf.Graph().as_default():
        lu, p = tf.linalg.lu(f["lu_x"])
        lu_in = tf.placeholder(tf.float64, [2, 4, 4])
        rhs = tf.placeholder(tf.float64, [4, 3])
        solve = tf.reduce_sum(f["lu_w"] * tf.linalg.lu_solve(lu_in, f["lu_p"], rhs))
        rec = tf.reduce_sum(f["lu_wr"] * tf.linalg.lu_reconstruct(lu_in, f["lu_p"]))
        fetches = [lu, p, tf.linalg.lu_solve(lu, p, f["lu_rhs"]),
                   tf.linalg.lu_matrix_inverse(lu, p), tf.linalg.lu_reconstruct(lu, p),
                   *tf.gradients(solve, [lu_in, rhs]), tf.gradients(rec, lu_in)[0]]
        got = _both(fetches, {lu_in: f["lu_lu"], rhs: f["lu_rhs"]})
    np.testing.assert_array_equal(got[1], f["lu_p"])
    for value, key in zip(got[:1] + got[2:], ["lu_lu", "lu_solve", "lu_inverse",
                                              "lu_reconstruct", "lu_solve_dlu",
                                              "lu_solve_drhs", "lu_reconstruct_dlu"]):
        np.testing.assert_allclose(value, f[key], rtol=1e-10, atol=1e-12, err_msg=key)


def _loss(build, x0, weights):
    def f(x):
        with tf.Graph().as_default():
            return tf.Session().run(tf.reduce_sum(build(tf.constant(x)) * weights))
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float64, x0.shape)
        grad = tf.gradients(tf.reduce_sum(build(x) * weights), x)[0]
        got = _both(grad, {x: x0})
    return got, central_difference(f, x0)


GRADIENT_CASES = {
    "lu_factors": (lambda x: tf.linalg.lu(x)[0], R.randn(2, 3, 3), R.randn(2, 3, 3)),
    "lu_solve": (lambda x: tf.linalg.lu_solve(*tf.linalg.lu(x), rhs=np.eye(3)[:, :2]),
                 R.randn(3, 3), R.randn(3, 2)),
    "lu_matrix_inverse": (lambda x: tf.linalg.lu_matrix_inverse(*tf.linalg.lu(x)),
                          R.randn(3, 3) + 2 * np.eye(3), R.randn(3, 3)),
    "lu_reconstruct": (lambda x: tf.linalg.lu_reconstruct(*tf.linalg.lu(x)), R.randn(3, 3),
                       R.randn(3, 3)),
    "sqrtm": (tf.linalg.sqrtm, R.randn(2, 3, 3) + 3 * np.eye(3), R.randn(2, 3, 3)),
    "eigh_tridiagonal": (lambda x: tf.linalg.eigh_tridiagonal(x[0], x[1, :3]),
                         R.randn(2, 4), R.randn(4)),
}


@pytest.mark.parametrize("name", sorted(GRADIENT_CASES))
def test_gradient_against_central_differences(name):
    build, x0, weights = GRADIENT_CASES[name]
    got, numeric = _loss(build, x0, weights)
    np.testing.assert_allclose(got, numeric, rtol=1e-5, atol=1e-7)


def test_lu_reconstruct_gradient_is_the_identity():
    x = R.randn(4, 4)
    with tf.Graph().as_default():
        a = tf.placeholder(tf.float64, [4, 4])
        w = R.randn(4, 4)
        grad = tf.gradients(tf.reduce_sum(w * tf.linalg.lu_reconstruct(*tf.linalg.lu(a))), a)
        np.testing.assert_allclose(_both(grad[0], {a: x}), w, rtol=1e-10, atol=1e-12)


def test_sqrtm_values():
    spd = R.randn(3, 4, 4)
    spd = spd @ np.swapaxes(spd, -1, -2) + np.eye(4)
    e, v = np.linalg.eigh(spd)
    expected = (v * np.sqrt(e)[..., None, :]) @ np.swapaxes(v, -1, -2)
    with tf.Graph().as_default():
        got = _both([tf.linalg.sqrtm(spd), tf.matrix_square_root(spd.astype(np.float32)),
                     tf.linalg.sqrtm(np.float64([[4, 1], [0, 4]])),       # defective
                     tf.linalg.sqrtm(np.float64([[1, 0], [0, 0]])),       # singular
                     tf.linalg.sqrtm(np.float64([[-1, 0], [0, 4]])),      # no real root
                     tf.linalg.sqrtm(np.float64([[0, -1], [1, 0]]))])     # rotation
    np.testing.assert_allclose(got[0], expected, rtol=1e-10)
    np.testing.assert_allclose(got[1], expected, rtol=2e-5)
    assert got[1].dtype == np.float32
    np.testing.assert_allclose(got[2], [[2, 0.25], [0, 2]], rtol=1e-12)
    np.testing.assert_allclose(got[3], [[1, 0], [0, 0]], atol=1e-12)
    assert np.all(np.isnan(got[4]))
    half = np.sqrt(0.5)
    np.testing.assert_allclose(got[5], [[half, -half], [half, half]], rtol=1e-12)


def test_logm_values():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.complex128, [None, 2, 2])
        diag = np.complex128([[[2, 0], [0, 3j]], [[-1, 0], [0, 1]]])
        defective = np.complex128([[[2, 1], [0, 2]]])
        got = _both([tf.linalg.logm(x), tf.linalg.logm(defective),
                     tf.linalg.logm(np.complex64([[1, 0], [0, 0]]))], {x: diag})
    np.testing.assert_allclose(got[0][0], np.diag([np.log(2), np.log(3j)]), atol=1e-12)
    np.testing.assert_allclose(got[0][1], np.diag([np.pi * 1j, 0]), atol=1e-12)
    np.testing.assert_allclose(got[1][0], [[np.log(2), 0.5], [0, np.log(2)]], atol=1e-12)
    assert got[2].dtype == np.complex64 and np.all(np.isnan(got[2]))
    with tf.Graph().as_default():
        with pytest.raises(TypeError, match="complex"):
            tf.linalg.logm(np.eye(2))
        a = tf.placeholder(tf.complex128, [2, 2])
        assert tf.gradients(tf.real(tf.linalg.logm(a)), a) == [None]   # (no gradient)


def test_sqrtm_and_logm_against_tensorflow():
    f = FIXTURE
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float64, [2, 3, 3])
        root = tf.linalg.sqrtm(x)
        grad = tf.gradients(tf.reduce_sum(f["sqrtm_w"] * root), x)[0]
        got = _both([root, grad, tf.linalg.logm(f["logm_x"])], {x: f["sqrtm_x"]})
    np.testing.assert_allclose(got[0], f["sqrtm"], rtol=1e-10)
    np.testing.assert_allclose(got[1], f["sqrtm_dx"], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(got[2], f["logm"], rtol=1e-10, atol=1e-12)


def test_eigh_tridiagonal_against_tensorflow_and_numpy():
    f = FIXTURE
    alpha, beta = f["tri_alpha"], f["tri_beta"]
    dense = np.diag(alpha) + np.diag(beta, 1) + np.diag(beta, -1)
    with tf.Graph().as_default():
        got = _both([tf.linalg.eigh_tridiagonal(alpha, beta),
                     *tf.linalg.eigh_tridiagonal(alpha, beta, eigvals_only=False),
                     tf.linalg.eigh_tridiagonal(alpha, beta, select="i", select_range=[1, 3]),
                     tf.linalg.eigh_tridiagonal(alpha, beta, select="v",
                                                select_range=[-0.5, 1.0]),
                     tf.linalg.eigh_tridiagonal([2.0], [])])
    np.testing.assert_allclose(got[0], np.linalg.eigvalsh(dense), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(got[0], f["tri_values"], rtol=1e-10, atol=1e-10)
    signs = np.sign(np.sum(got[2] * f["tri_vectors"], axis=0))     # (up to sign)
    np.testing.assert_allclose(got[2] * signs, f["tri_vectors"], atol=1e-8)
    np.testing.assert_allclose(dense @ got[2], got[2] * got[1], atol=1e-12)
    np.testing.assert_allclose(got[3], f["tri_values_i"], rtol=1e-10)
    np.testing.assert_allclose(got[4], f["tri_values_v"], rtol=1e-10)
    np.testing.assert_array_equal(got[5], [2.0])
    with tf.Graph().as_default(), pytest.raises(ValueError, match="select"):
        tf.linalg.eigh_tridiagonal(alpha, beta, select="x")
