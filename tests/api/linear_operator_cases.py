"""The tf.linalg.LinearOperator cases of tests/api/test_linear_operator.py and
tests/fixtures/tf/make_linear_operator_fixtures.py: each builds an operator from fixed
numpy values through a `linalg` namespace (graphc's or TensorFlow's) and gives its dense
matrix, computed here with numpy alone."""
from __future__ import annotations

import numpy as np

R = np.random.RandomState(31)
M3 = R.randn(2, 3, 3)
SPD = M3 @ np.swapaxes(M3, -1, -2) + 3 * np.eye(3)
DIAG = R.randn(2, 3) + np.sign(R.randn(2, 3)) * 0.5
TRIL = np.tril(R.randn(2, 3, 3)) + 3 * np.eye(3)
BLOCK_A, BLOCK_B = R.randn(2, 2) + 2 * np.eye(2), R.randn(1, 1) + 2
BLOCK_C = R.randn(1, 2)
KERNEL = R.randn(2, 4)
SPECTRUM = np.fft.fft(KERNEL)                               # a real kernel's: Hermitian
KERNEL_2D = R.randn(2, 3)
COL, ROW = R.randn(4), R.randn(4)
ROW[0] = COL[0]
TRIDIAG = R.randn(2, 3, 4)
TRIDIAG[:, 1] += 4.0
AXIS = R.randn(2, 3)
KRON_A, KRON_B = R.randn(2, 2) + 2 * np.eye(2), R.randn(3, 3) + 3 * np.eye(3)
BASE_DIAG, U, V, D = np.abs(R.randn(3)) + 1, R.randn(3, 2), R.randn(3, 2), np.abs(R.randn(2)) + 0.5
PERM = np.int32([2, 0, 3, 1])
MULTIPLIER = np.array([1.5, -2.0])


def _circulant(kernel):
    n = kernel.shape[-1]
    idx = (np.arange(n)[:, None] - np.arange(n)[None, :]) % n
    return kernel[..., idx]


def _circulant_2d(spectrum):
    shape = spectrum.shape[-2:]
    n = int(np.prod(shape))
    cols = [np.fft.ifft2(spectrum * np.fft.fft2(np.eye(n)[j].reshape(shape))).reshape(n)
            for j in range(n)]
    return np.stack(cols, axis=-1)


def _toeplitz(col, row):
    n = col.shape[-1]
    out = np.empty((n, n))
    for i in range(n):
        for j in range(n):
            out[i, j] = col[i - j] if i >= j else row[j - i]
    return out


def _tridiag(d):
    sup, main, sub = d[..., 0, :], d[..., 1, :], d[..., 2, :]
    n = main.shape[-1]
    out = np.zeros(d.shape[:-2] + (n, n))
    i = np.arange(n)
    out[..., i, i] = main
    out[..., i[:-1], i[1:]] = sup[..., :-1]
    out[..., i[1:], i[:-1]] = sub[..., 1:]
    return out


def _householder(v):
    u = v / np.linalg.norm(v, axis=-1, keepdims=True)
    return np.eye(v.shape[-1]) - 2 * u[..., :, None] * u[..., None, :]


def cases(linalg, tf_dtypes):
    """name -> (operator, dense numpy matrix, hints the checks rely on)."""
    f64, c128 = tf_dtypes["float64"], tf_dtypes["complex128"]
    full = linalg.LinearOperatorFullMatrix(M3)
    block_diag = np.zeros((3, 3))
    block_diag[:2, :2], block_diag[2:, 2:] = BLOCK_A, BLOCK_B
    block_lower = block_diag.copy()
    block_lower[2:, :2] = BLOCK_C
    return {
        "full": (full, M3),
        "full_spd": (linalg.LinearOperatorFullMatrix(SPD, is_self_adjoint=True,
                                                     is_positive_definite=True), SPD),
        "diag": (linalg.LinearOperatorDiag(DIAG), np.stack([np.diag(d) for d in DIAG])),
        "identity": (linalg.LinearOperatorIdentity(3, batch_shape=[2], dtype=f64),
                     np.broadcast_to(np.eye(3), (2, 3, 3))),
        "scaled_identity": (linalg.LinearOperatorScaledIdentity(3, MULTIPLIER),
                            MULTIPLIER[:, None, None] * np.eye(3)),
        "zeros": (linalg.LinearOperatorZeros(3, 2, batch_shape=[2], dtype=f64,
                                             is_square=False, is_self_adjoint=False),
                  np.zeros((2, 3, 2))),
        "lower_triangular": (linalg.LinearOperatorLowerTriangular(TRIL), TRIL),
        "adjoint": (linalg.LinearOperatorAdjoint(full), np.swapaxes(M3, -1, -2)),
        "inversion": (linalg.LinearOperatorInversion(
            linalg.LinearOperatorLowerTriangular(TRIL)), np.linalg.inv(TRIL)),
        "composition": (linalg.LinearOperatorComposition(
            [full, linalg.LinearOperatorDiag(DIAG)]),
            M3 @ np.stack([np.diag(d) for d in DIAG])),
        "block_diag": (linalg.LinearOperatorBlockDiag(
            [linalg.LinearOperatorFullMatrix(BLOCK_A), linalg.LinearOperatorDiag(BLOCK_B[0])]),
            block_diag),
        "block_lower_triangular": (linalg.LinearOperatorBlockLowerTriangular(
            [[linalg.LinearOperatorFullMatrix(BLOCK_A)],
             [linalg.LinearOperatorFullMatrix(BLOCK_C),
              linalg.LinearOperatorDiag(BLOCK_B[0])]]), block_lower),
        "circulant": (linalg.LinearOperatorCirculant(SPECTRUM, input_output_dtype=c128),
                      _circulant(KERNEL).astype(np.complex128)),
        "circulant_real": (linalg.LinearOperatorCirculant(SPECTRUM, input_output_dtype=f64),
                           _circulant(KERNEL)),
        "circulant_2d": (linalg.LinearOperatorCirculant2D(np.fft.fft2(KERNEL_2D),
                                                          input_output_dtype=c128),
                         _circulant_2d(np.fft.fft2(KERNEL_2D))),
        "circulant_3d": (linalg.LinearOperatorCirculant3D(
            np.fft.fftn(KERNEL_2D[None]), input_output_dtype=c128),
            _circulant_2d(np.fft.fft2(KERNEL_2D))),
        "toeplitz": (linalg.LinearOperatorToeplitz(COL, ROW), _toeplitz(COL, ROW)),
        "tridiag": (linalg.LinearOperatorTridiag(TRIDIAG), _tridiag(TRIDIAG)),
        "householder": (linalg.LinearOperatorHouseholder(AXIS), _householder(AXIS)),
        "kronecker": (linalg.LinearOperatorKronecker(
            [linalg.LinearOperatorFullMatrix(KRON_A), linalg.LinearOperatorFullMatrix(KRON_B)]),
            np.kron(KRON_A, KRON_B)),
        "low_rank_update": (linalg.LinearOperatorLowRankUpdate(
            linalg.LinearOperatorDiag(BASE_DIAG), U, diag_update=D, v=V),
            np.diag(BASE_DIAG) + U @ np.diag(D) @ V.T),
        "low_rank_update_spd": (linalg.LinearOperatorLowRankUpdate(
            linalg.LinearOperatorDiag(BASE_DIAG, is_positive_definite=True), U),
            np.diag(BASE_DIAG) + U @ U.T),
        "permutation": (linalg.LinearOperatorPermutation(PERM, dtype=f64),
                        np.eye(4)[PERM]),
    }
