"""Contract samples for bands and diagonals (diag_ops) and dense linear algebra
(linalg_ops). Decompositions that read one triangle (Cholesky) or need well-conditioned
inputs get matrices built inside the sample (X X^T + n I), so central differences
perturb them the way the gradient assumes."""
import numpy as np

from graphc.ir.ops import array_ops, core_ops, diag_ops as d, linalg_ops as la
from graphc.ir.ops import matmul_ops as MM

ph = core_ops.placeholder
R = np.random.RandomState(3)


def _spd(x, n):
    """A symmetric positive-definite batch from any x of shape [b, n, n] (reshaped: the
    rank stays known when the placeholder's is not)."""
    x = array_ops.reshape(x, [-1, n, n])
    return MM.matmul(x, x, transpose_b=True) + np.eye(n) * n


def _band():
    x = ph("float64", [None, 3, 4])
    return d.matrix_band_part(x, 1, -1), {x: R.randn(2, 3, 4)}


def _band_tensors():
    x = ph("int32", [4, 4])
    lo = ph("int64", [])
    return d.matrix_band_part(x, lo, np.int64(0)), {x: np.arange(16, dtype=np.int32)
                                                   .reshape(4, 4), lo: np.int64(2)}


def _diag():
    x = ph("float64", [None])
    return d.diag(x), {x: R.randn(3)}


def _diag_rank2():
    x = ph("int32", [2, 2])
    return d.diag(x), {x: np.int32([[1, 2], [3, 4]])}


def _diag_part():
    x = ph("float64", [3, 3])
    return d.diag_part(x), {x: R.randn(3, 3)}


def _diag_part_rank4():
    x = ph("float32", [2, 1, 2, 1])
    return d.diag_part(x), {x: R.randn(2, 1, 2, 1).astype(np.float32)}


def _matrix_diag():
    x = ph("float64", [None, 3])
    return d.matrix_diag(x), {x: R.randn(2, 3)}


def _matrix_diag_k():
    x = ph("float64", [2])
    return d.matrix_diag(x, k=1, num_rows=2, padding_value=-1.0), {x: R.randn(2)}


def _matrix_diag_part():
    x = ph("float64", [None, 3, 4])
    return d.matrix_diag_part(x), {x: R.randn(2, 3, 4)}


def _matrix_diag_part_k():
    x = ph("int64", [4, 3])
    return d.matrix_diag_part(x, k=-2), {x: np.arange(12).reshape(4, 3)}


def _set_diag():
    x = ph("float64", [None, 2, 3])
    v = ph("float64", [None, 2])
    return d.matrix_set_diag(x, v), {x: R.randn(2, 2, 3), v: R.randn(2, 2)}


def _set_diag_k():
    x = ph("float32", [3, 3])
    return d.matrix_set_diag(x, np.float32([7, 8]), k=1), {
        x: R.randn(3, 3).astype(np.float32)}


def _inverse():
    x = ph("float64", [None, 3, 3])
    return la.matrix_inverse(_spd(x, 3)), {x: R.randn(2, 3, 3)}


def _inverse_adjoint():
    x = ph("float64", [2, 2])
    return la.matrix_inverse(x, adjoint=True), {x: np.float64([[2, 1], [0.5, 3]])}


def _det():
    x = ph("float64", [None, 3, 3])
    return la.matrix_determinant(x), {x: R.randn(2, 3, 3) + 2 * np.eye(3)}


def _det_f32():
    x = ph("float32", [2, 2])
    return la.matrix_determinant(x), {x: np.float32([[1, 2], [3, 4]])}


def _slogdet():
    x = ph("float64", [None, 3, 3])
    return list(la.slogdet(x)), {x: R.randn(2, 3, 3) + 2 * np.eye(3)}


def _slogdet_negative():
    x = ph("float64", [2, 2])
    return list(la.slogdet(x)), {x: np.float64([[0.5, 2], [1, 0.3]])}


def _cholesky():
    x = ph("float64", [None, 3, 3])
    return la.cholesky(_spd(x, 3)), {x: R.randn(2, 3, 3)}


def _cholesky_f32():
    x = ph("float32", [2, 2])
    return la.cholesky(x), {x: np.float32([[4, 2], [2, 3]])}


def _solve():
    a = ph("float64", [None, 3, 3])
    b = ph("float64", [None, 3, 2])
    return la.matrix_solve(_spd(a, 3), b), {a: R.randn(2, 3, 3), b: R.randn(2, 3, 2)}


def _solve_adjoint():
    a = ph("float64", [2, 2])
    b = ph("float64", [2, 1])
    return la.matrix_solve(a, b, adjoint=True), {a: np.float64([[3, 1], [0.5, 2]]),
                                                 b: R.randn(2, 1)}


def _triangular():
    a = ph("float64", [None, 3, 3])
    b = ph("float64", [None, 3, 2])
    return la.matrix_triangular_solve(a, b), {a: R.randn(2, 3, 3) + 3 * np.eye(3),
                                              b: R.randn(2, 3, 2)}


def _triangular_upper_adjoint():
    a = ph("float64", [3, 3])
    b = ph("float64", [3, 1])
    return la.matrix_triangular_solve(a, b, lower=False, adjoint=True), {
        a: R.randn(3, 3) + 3 * np.eye(3), b: R.randn(3, 1)}


def _qr():
    x = ph("float64", [None, 4, 3])
    return list(la.qr(x)), {x: R.randn(2, 4, 3)}


def _qr_square():
    x = ph("float64", [3, 3])
    return list(la.qr(x)), {x: R.randn(3, 3)}


def _qr_full_f32():
    x = ph("float32", [4, 2])
    return list(la.qr(x, full_matrices=True)), {x: R.randn(4, 2).astype(np.float32)}


def _svd_values():
    x = ph("float64", [None, 3, 2])
    return la.svd(x, compute_uv=False), {x: R.randn(2, 3, 2)}


def _svd_tall():
    x = ph("float64", [4, 3])
    s, u, v = la.svd(x)
    # u and v are defined up to signs: fetch sign-free products of them
    return [s, MM.matmul(u, v, transpose_b=True)], {x: R.randn(4, 3)}


def _svd_wide():
    x = ph("float64", [2, 3])
    s, u, v = la.svd(x)
    return [s, MM.matmul(u, v, transpose_b=True)], {x: R.randn(2, 3)}


SAMPLES = {
    "MatrixBandPart": [_band, _band_tensors],
    "Diag": [_diag, _diag_rank2],
    "DiagPart": [_diag_part, _diag_part_rank4],
    "MatrixDiag": [_matrix_diag, _matrix_diag_k],
    "MatrixDiagPart": [_matrix_diag_part, _matrix_diag_part_k],
    "MatrixSetDiag": [_set_diag, _set_diag_k],
    "MatrixInverse": [_inverse, _inverse_adjoint],
    "MatrixDeterminant": [_det, _det_f32],
    "LogMatrixDeterminant": [_slogdet, _slogdet_negative],
    "Cholesky": [_cholesky, _cholesky_f32],
    "MatrixSolve": [_solve, _solve_adjoint],
    "MatrixTriangularSolve": [_triangular, _triangular_upper_adjoint],
    "Qr": [_qr, _qr_square, _qr_full_f32],
    "Svd": [_svd_values, _svd_tall, _svd_wide],
}


def _eigh():
    x = ph("float64", [None, 3, 3])
    e, v = __import__("graphc.ir.ops.eig_ops", fromlist=["x"]).self_adjoint_eig(x)
    # eigenvectors are defined up to sign: fetch v v' weighted by e (sign-free)
    return [e, MM.matmul(v * e[..., None, :], v, transpose_b=True)], {
        x: R.randn(2, 3, 3) + np.diag([0.0, 3.0, 6.0])}


def _eigvalsh():
    x = ph("float32", [2, 2])
    return __import__("graphc.ir.ops.eig_ops", fromlist=["x"]).self_adjoint_eigvals(x), {
        x: np.float32([[2, 1], [1, 3]])}


SAMPLES["SelfAdjointEigV2"] = [_eigh, _eigvalsh]
