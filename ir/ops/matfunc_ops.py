"""LU factorization with partial pivoting and the principal matrix square root and
logarithm (TF1's Lu, MatrixSquareRoot, MatrixLogarithm), numpy kernels on both backends.

`lu` returns TF's (lu, p): lu holds L (unit diagonal, not stored) below the diagonal and U
on and above it, and p the row permutation with L U = input[p] (`lu_reconstruct` undoes
it). The pivot of each column is its entry of largest magnitude, the first of equals (as
Eigen's PartialPivLU, which TF runs); an exactly zero pivot is TF's InvalidArgumentError
"Input is not invertible.". TF registers no gradient for Lu; graphc's is the exact rule of
P A = L U.

`matrix_square_root` is the principal square root (eigenvalues with positive real parts)
of real matrices: through the eigendecomposition where the eigenvectors are well
conditioned, otherwise the scaled Denman-Beavers iteration; a matrix with a negative real
eigenvalue, which has no real principal root, gives NaN (as TF's real Schur method does).
Its gradient is TF's: the Sylvester equation X dA + dA X = dX solved as one Kronecker-sum
system. `matrix_logarithm` takes complex matrices (as TF1; NaN for a singular one) and,
like TF, has no gradient: the eigendecomposition, or inverse scaling and squaring (square
roots until the matrix is near I, then Gauss-Legendre quadrature of log(I + E)).
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from .. import dtypes as dt
from ..errors import InvalidArgumentError
from ..shapes import TensorShape
from ._base import NON_DIFFERENTIABLE, apply, check_dtype, convert_to_tensor, defop
from .array_ops import concat, expand_dims, reshape, shape, stack
from .diag_ops import adjoint, matrix_band_part, matrix_diag_part, matrix_set_diag
from .generator_ops import ones_like, range as generator_range
from .linalg_ops import _batched, _check_square, _eye_like, _square, _unbatched, \
    matrix_solve, matrix_triangular_solve
from .math_ops import add, cast, equal, subtract
from .matmul_ops import matmul

__all__ = ["lu", "matrix_square_root", "matrix_logarithm", "permutation_matrix"]


# ------------------------------------------------------------------ LU
def _lu_infer(op):
    x = op.inputs[0]
    dims = _square(op, x)
    idx = dt.as_dtype(op.attrs["output_idx_type"])
    if dims is None:
        return [(x.dtype, TensorShape(None)), (idx, TensorShape(None))]
    n = dims[-1] if dims[-1] is not None else dims[-2]
    return [(x.dtype, TensorShape(dims[:-2] + (n, n))), (idx, TensorShape(dims[:-2] + (n,)))]


def _lu_compute(x, *, output_idx_type):
    _check_square(x)
    n = x.shape[-1]
    count = int(np.prod(x.shape[:-2], dtype=np.int64))
    a = np.array(x.reshape(count, n, n))
    perm = np.tile(np.arange(n), (count, 1))
    rows = np.arange(count)
    with np.errstate(all="ignore"):
        for k in range(n):
            pivot = k + np.argmax(np.abs(a[:, k:, k]), axis=1)
            a[rows, k], a[rows, pivot] = a[rows, pivot], a[rows, k].copy()
            perm[rows, k], perm[rows, pivot] = perm[rows, pivot], perm[rows, k].copy()
            d = a[:, k, k]
            nonzero = (d != 0)[:, None]
            below = a[:, k + 1:, k]
            a[:, k + 1:, k] = np.where(nonzero, below / np.where(nonzero[:, 0], d, 1)[:, None],
                                       below)
            a[:, k + 1:, k + 1:] -= a[:, k + 1:, k, None] * a[:, k, None, k + 1:]
    diagonal = np.abs(a[:, np.arange(n), np.arange(n)])
    if diagonal.size and not np.min(diagonal) > 0:   # (a NaN pivot too, as TF)
        raise InvalidArgumentError(None, None, "Input is not invertible.")
    idx = dt.as_dtype(output_idx_type).np
    return a.reshape(x.shape), perm.astype(idx).reshape(x.shape[:-1])


def permutation_matrix(perm, dtype):
    """The matrices P[..., i, perm[i]] = 1 (P x = x[perm], P^T x puts the rows back) of
    the permutations perm [..., N], for any batch rank and an N known only at run time."""
    columns = generator_range(shape(perm)[-1], dtype=perm.dtype)
    return cast(equal(expand_dims(perm, -1), columns), dtype)


def _unit_lower(lu_):
    return matrix_set_diag(matrix_band_part(lu_, -1, 0), ones_like(matrix_diag_part(lu_)))


def _strictly_lower(t):
    return subtract(matrix_band_part(t, -1, 0), matrix_band_part(t, 0, 0))


def _lu_vjp(op, grads):
    """P A = L U: dA = P^T L^-H [tril(L^H dL, -1) + triu(dU U^H)] U^-H."""
    lu_, perm, g = _batched(op.outputs[0], 2), _batched(op.outputs[1], 1), \
        _batched(grads[0], 2)
    lower, upper = _unit_lower(lu_), matrix_band_part(lu_, 0, -1)
    middle = add(_strictly_lower(matmul(lower, _strictly_lower(g), adjoint_a=True)),
                 matrix_band_part(matmul(matrix_band_part(g, 0, -1), upper, adjoint_b=True),
                                  0, -1))
    left = matrix_triangular_solve(lower, middle, lower=True, adjoint=True)      # L^-H M
    grad_pa = adjoint(matrix_triangular_solve(upper, adjoint(left), lower=False))  # .. U^-H
    return [_unbatched(matmul(permutation_matrix(perm, lu_.dtype), grad_pa, adjoint_a=True),
                       op.inputs[0])]


defop("Lu", _lu_infer, _lu_compute, _lu_vjp, family="matmul")


def lu(input, output_idx_type=dt.int32, name: Optional[str] = None):  # noqa: A002
    """TF1 `tf.linalg.lu`: (lu, p) with L U = input[p], L unit lower triangular (below the
    diagonal of lu) and U upper triangular (on and above it)."""
    idx = dt.as_dtype(output_idx_type)
    if idx not in (dt.int32, dt.int64):
        raise TypeError(f"lu: output_idx_type must be int32 or int64, got {idx.name}")
    lu_, p = apply("Lu", (convert_to_tensor(input, name="input"),),
                   {"output_idx_type": idx.name}, name=name or "Lu")
    return lu_, p


# ------------------------------------------------------------------ principal square root
def _residual_ok(x, a, power: int, tol: float) -> bool:
    r = np.linalg.matrix_power(x, power) - a
    return bool(np.all(np.isfinite(x))) and \
        np.linalg.norm(r) <= tol * max(np.linalg.norm(a), np.finfo(float).tiny)


def _by_eigenvectors(a, f):
    """f(a) = V f(w) V^-1 when a's eigenvectors are well conditioned, else None."""
    w, v = np.linalg.eig(a)
    if not np.all(np.isfinite(v)) or np.linalg.cond(v) > 1e5:
        return None
    return (v * f(w)[None, :]) @ np.linalg.inv(v)


def _denman_beavers(a):
    """The scaled product-form Denman-Beavers iteration (Higham, Functions of Matrices,
    6.29): X_k -> a^(1/2) for a nonsingular a with no eigenvalues on the negative axis."""
    n = a.shape[-1]
    eye = np.eye(n, dtype=a.dtype)
    x, m = a.copy(), a.copy()
    for _ in range(100):
        minv = np.linalg.inv(m)
        mu = abs(np.linalg.det(m)) ** (-1.0 / (2 * n))
        if not np.isfinite(mu) or mu == 0:
            mu = 1.0
        x = 0.5 * mu * x @ (eye + minv / mu ** 2)
        m = 0.5 * (eye + 0.5 * (mu ** 2 * m + minv / mu ** 2))
        if np.linalg.norm(m - eye, 1) <= 1e-15 * n:
            break
    return x


def _principal_sqrt(a):
    """The principal square root of one complex128 matrix, NaN where none is found."""
    n = a.shape[-1]
    tol = 1e3 * n * np.finfo(np.float64).eps
    if not np.any(a):
        return np.zeros_like(a)
    x = _by_eigenvectors(a, np.sqrt)
    if x is None or not _residual_ok(x, a, 2, tol):
        try:
            x = _denman_beavers(a)
        except np.linalg.LinAlgError:
            x = None
    if x is None or not _residual_ok(x, a, 2, tol * 100):
        return np.full_like(a, np.nan)
    return x


def _per_matrix(x, f):
    """f of each complex128 matrix of the batch x (NaN where LAPACK fails), in x's dtype."""
    _check_square(x)
    out = np.empty(x.shape, x.dtype)
    with np.errstate(all="ignore"):
        for i in np.ndindex(x.shape[:-2]):
            try:
                out[i] = f(x[i].astype(np.complex128))
            except np.linalg.LinAlgError:
                out[i] = np.nan
    return out


def _real_sqrt(a):
    """The principal root of a real matrix, NaN for one with a negative real eigenvalue."""
    w = np.linalg.eigvals(a) if a.size else np.zeros(0)
    if np.any((np.abs(w.imag) <= 1e-12 * np.max(np.abs(w), initial=1.0)) & (w.real < 0)):
        return np.nan
    return _principal_sqrt(a).real


def _sqrtm_compute(x):
    return _per_matrix(x, _real_sqrt)


def _kron(b1, b2):
    """The Kronecker products of two batches of n x n matrices, [..., n*n, n*n]."""
    n = shape(b1)[-1]
    return reshape(b1[..., :, None, :, None] * b2[..., None, :, None, :],
                   concat([shape(b1)[:-2], stack([n * n, n * n])], 0))


def _sqrtm_vjp(op, grads):
    """TF's rule: dA solves X^T dA + dA X^T = dX, as (X^T (x) I + I (x) X) vec(dA) =
    vec(dX) over row-major vec."""
    x = _batched(op.outputs[0], 2)
    eye = _eye_like(x)
    ksum = add(_kron(adjoint(x), eye), _kron(eye, x))
    vec = reshape(grads[0], concat([shape(x)[:-2], np.int32([-1, 1])], 0))
    return [reshape(matrix_solve(ksum, vec), shape(op.inputs[0]))]


defop("MatrixSquareRoot",
      lambda op: [(op.inputs[0].dtype, TensorShape(_square(op, op.inputs[0])))],
      _sqrtm_compute, _sqrtm_vjp, family="matmul")


def matrix_square_root(input, name: Optional[str] = None):  # noqa: A002
    """TF1 `tf.linalg.sqrtm` (`tf.matrix_square_root`): the principal square root X of
    each real matrix, X X = input."""
    return apply("MatrixSquareRoot", (convert_to_tensor(input, name="input"),),
                 name=name or "MatrixSquareRoot")


# ------------------------------------------------------------------ principal logarithm
# Gauss-Legendre nodes and weights on [0, 1]: log(I + E) = int_0^1 E (I + t E)^-1 dt
_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(16)
_GL_NODES, _GL_WEIGHTS = (_GL_NODES + 1) / 2, _GL_WEIGHTS / 2


def _principal_log(a):
    """The principal logarithm of one complex128 matrix (NaN where a is singular)."""
    n = a.shape[-1]
    x = _by_eigenvectors(a, np.log)
    if x is not None:
        return x
    eye = np.eye(n, dtype=a.dtype)
    squarings = 0
    while np.linalg.norm(a - eye, 1) > 0.25 and squarings < 60:
        a = _principal_sqrt(a)
        squarings += 1
    e = a - eye
    log = sum(w * np.linalg.solve(eye + t * e, e) for t, w in zip(_GL_NODES, _GL_WEIGHTS))
    return log * 2.0 ** squarings


def _log(a):
    if a.size and np.linalg.matrix_rank(a) < a.shape[-1]:
        return np.nan                      # singular: no logarithm (TF: NaN)
    return _principal_log(a)


def _logm_compute(x):
    return _per_matrix(x, _log)


def _logm_infer(op):
    x = op.inputs[0]
    check_dtype(op, x, dt.COMPLEX, "input")
    dims = x.shape.as_tuple()
    if dims is not None and (len(dims) < 2 or None not in dims[-2:] and dims[-1] != dims[-2]):
        raise ValueError(f"input '{x.name}' must be square matrices, got shape {x.shape}")
    return [(x.dtype, x.shape)]


defop("MatrixLogarithm", _logm_infer, _logm_compute, NON_DIFFERENTIABLE, family="matmul",
      numpy_by_design="complex numbers, which native code does not store")


def matrix_logarithm(input, name: Optional[str] = None):  # noqa: A002
    """TF1 `tf.linalg.logm`: the principal logarithm of each complex64/complex128 matrix
    (no gradient, as in TF)."""
    return apply("MatrixLogarithm", (convert_to_tensor(input, name="input"),),
                 name=name or "MatrixLogarithm")


from ..naming import name_builders  # noqa: E402

name_builders(globals())
