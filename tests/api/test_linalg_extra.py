"""tf.linalg's matrix_rank, tridiagonal_matmul/solve and expm (graphc/linalg_extra.py)
against numpy: the banded matrix's products and solutions, eigendecompositions of
symmetric matrices, exact exponentials of nilpotent and diagonal matrices, gradients
against central differences."""
from __future__ import annotations

import numpy as np
import pytest

import graphc as tf

R = np.random.RandomState(12)


def _run(fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed)


def _dense(compact):
    sup, main, sub = compact[..., 0, :], compact[..., 1, :], compact[..., 2, :]
    m = main.shape[-1]
    out = np.zeros(compact.shape[:-2] + (m, m))
    idx = np.arange(m)
    out[..., idx, idx] = main
    out[..., idx[:-1], idx[1:]] = sup[..., :-1]
    out[..., idx[1:], idx[:-1]] = sub[..., 1:]
    return out


def test_matrix_rank():
    low = R.randn(2, 5, 2) @ R.randn(2, 2, 4)              # two rank-2 5x4 matrices
    with tf.Graph().as_default():
        got = _run([tf.linalg.matrix_rank(low), tf.linalg.matrix_rank(np.eye(3)),
                    tf.linalg.matrix_rank(np.diag([1.0, 1e-3, 0.0]), tol=1e-2)])
    np.testing.assert_array_equal(got[0], [2, 2])
    assert got[1] == 3 and got[2] == 1 and got[0].dtype == np.int32


@pytest.mark.parametrize("fmt", ["compact", "sequence", "matrix"])
def test_tridiagonal_matmul_and_solve(fmt):
    compact = R.randn(2, 3, 5)
    compact[:, 1] += 4.0                                   # diagonally dominant
    dense = _dense(compact)
    rhs = R.randn(2, 5, 3)
    diagonals = {"compact": compact, "matrix": dense + np.triu(R.randn(5, 5), 2),
                 "sequence": tuple(compact[:, i] for i in range(3))}[fmt]
    with tf.Graph().as_default():
        prod = tf.linalg.tridiagonal_matmul(diagonals, rhs, diagonals_format=fmt)
        sol = tf.linalg.tridiagonal_solve(diagonals, rhs, diagonals_format=fmt)
        sol_t = tf.linalg.tridiagonal_solve(diagonals, np.swapaxes(rhs, 1, 2),
                                            diagonals_format=fmt, transpose_rhs=True)
        sol_v = tf.linalg.tridiagonal_solve(diagonals, rhs[..., 0], diagonals_format=fmt)
        got = _run([prod, sol, sol_t, sol_v])
    np.testing.assert_allclose(got[0], dense @ rhs, rtol=1e-12)
    want = np.linalg.solve(dense, rhs)
    np.testing.assert_allclose(got[1], want, rtol=1e-10)
    np.testing.assert_allclose(got[2], want, rtol=1e-10)
    np.testing.assert_allclose(got[3], want[..., 0], rtol=1e-10)


@pytest.mark.parametrize("scale", [0.01, 0.3, 1.5, 4.0, 40.0])
def test_expm_symmetric_against_eigh(scale):
    b = R.randn(3, 4, 4)
    b = (b + np.swapaxes(b, 1, 2)) * scale / 4
    w, v = np.linalg.eigh(b)
    want = (v * np.exp(w)[:, None, :]) @ np.swapaxes(v, 1, 2)
    with tf.Graph().as_default():
        got64 = _run(tf.linalg.expm(b))
        got32 = _run(tf.linalg.expm(b.astype(np.float32)))
    np.testing.assert_allclose(got64, want, rtol=1e-11 * max(1.0, scale), atol=1e-12)
    np.testing.assert_allclose(got32, want, rtol=2e-5 * max(1.0, scale), atol=1e-5)


def test_expm_exact_cases_and_refusals():
    nil = np.array([[0.0, 2.0, 3.0], [0.0, 0.0, 4.0], [0.0, 0.0, 0.0]])
    with tf.Graph().as_default():
        got_nil, got_zero, got_diag = _run([tf.linalg.expm(nil), tf.linalg.expm(np.zeros((2, 2))),
                                            tf.linalg.expm(np.diag([-30.0, 0.5]))])
        with pytest.raises(ValueError, match="square"):
            tf.linalg.expm(np.zeros((2, 3)))
        with pytest.raises(TypeError, match="float32 or float64"):
            tf.linalg.expm(np.zeros((2, 2), np.int32))
    np.testing.assert_allclose(got_nil, np.eye(3) + nil + nil @ nil / 2, rtol=1e-14)
    np.testing.assert_array_equal(got_zero, np.eye(2))
    np.testing.assert_allclose(got_diag, np.diag(np.exp([-30.0, 0.5])), rtol=1e-12)


def _tridiagonal_solve_loss(d):
    return tf.reduce_sum(tf.square(tf.linalg.tridiagonal_solve(d, GRAD_RHS)))


def _expm_loss(a):
    return tf.reduce_sum(tf.linalg.expm(a) * GRAD_WEIGHTS)


GRAD_RHS, GRAD_WEIGHTS = R.randn(4, 2), R.randn(3, 3)
_compact = R.randn(3, 4)
_compact[1] += 3.0
GRADIENT_CASES = [
    # (loss, point, entries checked, entries whose gradient is exactly 0)
    ("tridiagonal_solve", _tridiagonal_solve_loss, _compact, [(0, 0), (1, 2), (2, 3)],
     [(0, 3), (2, 0)]),                      # the ignored corners get no gradient
    ("expm", _expm_loss, R.randn(3, 3) * 2.0, [(0, 0), (1, 2), (2, 1)], []),
]


@pytest.mark.parametrize("name,loss_of,x0,entries,zeros", GRADIENT_CASES,
                         ids=[c[0] for c in GRADIENT_CASES])
def test_gradient_against_central_differences(name, loss_of, x0, entries, zeros):
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float64, x0.shape)
        loss = loss_of(x)
        grad = tf.gradients(loss, x)[0]
        with tf.Session() as sess:
            g = sess.run(grad, {x: x0})
            eps = 1e-6
            for i, j in entries:
                up, down = x0.copy(), x0.copy()
                up[i, j] += eps
                down[i, j] -= eps
                num = (sess.run(loss, {x: up}) - sess.run(loss, {x: down})) / (2 * eps)
                np.testing.assert_allclose(g[i, j], num, rtol=1e-5, atol=1e-8)
    assert all(g[i, j] == 0 for i, j in zeros)
