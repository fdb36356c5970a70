"""Contract samples for LU and the matrix square root and logarithm (matfunc_ops): inputs
whose pivots and eigenvalues stay clear of ties and of the negative axis, so central
differences perturb them the way the gradient assumes."""
import numpy as np

from graphc.ir.ops import core_ops, matfunc_ops as F

ph = core_ops.placeholder
R = np.random.RandomState(5)


def _lu():
    x = ph("float64", [None, 3, 3])
    return list(F.lu(x)), {x: R.randn(2, 3, 3)}


def _lu_int64_f32():
    x = ph("float32", [4, 4])
    return list(F.lu(x, output_idx_type="int64")), {x: R.randn(4, 4).astype(np.float32)}


def _sqrtm():
    x = ph("float64", [None, 3, 3])
    return F.matrix_square_root(x), {x: R.randn(2, 3, 3) + 4 * np.eye(3)}


def _sqrtm_f32():
    x = ph("float32", [2, 2])
    return F.matrix_square_root(x), {x: np.float32([[4, 1], [0, 4]])}   # (defective)


def _logm():
    x = ph("complex128", [None, 3, 3])
    return F.matrix_logarithm(x), {x: (R.randn(2, 3, 3) + 3 * np.eye(3)) * (1 + 0.5j)}


def _logm_c64():
    x = ph("complex64", [2, 2])
    return F.matrix_logarithm(x), {x: np.complex64([[-1, 0], [0, 2]])}


SAMPLES = {"Lu": [_lu, _lu_int64_f32], "MatrixSquareRoot": [_sqrtm, _sqrtm_f32],
           "MatrixLogarithm": [_logm, _logm_c64]}
