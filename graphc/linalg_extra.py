"""TF1's `tf.linalg` compositions: matrix_rank (singular values above a tolerance),
tridiagonal_matmul and tridiagonal_solve (the three diagonals in TF1's "compact",
"sequence" or "matrix" formats, made a banded matrix for matmul and matrix_solve: the
same values, gradients through those ops), and expm, the matrix exponential by scaling and
squaring with Pade approximants (Higham 2005, as TF1's: degrees 3, 5, 7 for float32 and
up to 13 for float64, each matrix's by its 1-norm; the squarings run in a while_loop, so
the result is differentiable).

The LU family over `lu` (ir/ops/matfunc_ops.py; L U = input[p]): lu_reconstruct (L U with
the rows put back), lu_solve (the rows of rhs permuted, then two triangular solves; batch
dims broadcast) and lu_matrix_inverse (lu_solve of I), TF's compositions, differentiable
through lu's, matmul's and the solves' rules; the permutations are 0/1 matrices, so any
batch rank works. eigh_tridiagonal is TF's for one real symmetric tridiagonal matrix:
its eigenvalues (ascending) and eigenvectors from the dense matrix's eigendecomposition
(TF bisects and runs inverse iteration: the same values to its tolerance, eigenvectors up
to sign), selected by `select` ('a' all, 'v' those in (lo, hi], 'i' indices lo..hi).

Formats: compact is [..., 3, M] (superdiagonal, whose last entry is ignored; main
diagonal; subdiagonal, whose first entry is ignored), sequence the tuple of those three
[..., M] tensors, matrix a [..., M, M] tensor of which only the tridiagonal band counts.
"""
from __future__ import annotations

import numpy as np

from .api import name_scope
from .control_flow import while_loop
from .ir import dtypes as dt
from .ir.ops import array_ops as A, math_ops as M
from .ir.ops import matmul_ops as MM
from .ir.ops import reduce_ops as R
from .ir.ops import slicing_ops as S
from .ir.ops.control_flow_ops import assert_
from .ir.ops.core_ops import identity
from .ir.ops.eig_ops import self_adjoint_eig
from .ir.ops.generator_ops import ones_like, zeros_like
from .ir.ops.tile_pad_ops import broadcast_to
from .ir.ops import generator_ops as G
from .ir.ops.matfunc_ops import lu, matrix_logarithm, matrix_square_root, permutation_matrix
from .ir.ops.linalg_ops import matrix_triangular_solve
from .ir.ops._base import convert_to_tensor, only_default
from .ir.ops.diag_ops import matrix_band_part, matrix_diag, matrix_set_diag
from .ir.ops.linalg_ops import matrix_solve, svd

__all__ = ["matrix_rank", "tridiagonal_matmul", "tridiagonal_solve", "expm", "lu",
           "lu_reconstruct", "lu_solve", "lu_matrix_inverse", "eigh_tridiagonal"]


def matrix_rank(a, tol=None, validate_args=False, name=None):
    """TF1 `tf.linalg.matrix_rank`: the number of singular values above `tol` (default
    max(s) * max(rows, cols) * eps), int32 per matrix."""
    with name_scope(name or "matrix_rank"):
        a = convert_to_tensor(a, name="a")
        s = svd(a, compute_uv=False)
        if tol is None:
            dims = a.shape.as_tuple()
            if dims is not None and dims[-2] is not None and dims[-1] is not None:
                size = convert_to_tensor(np.asarray(max(dims[-2:]), a.dtype.np))
            else:
                size = M.cast(R.reduce_max(A.shape(a)[-2:]), a.dtype)
            eps = np.asarray(np.finfo(a.dtype.np).eps, a.dtype.np)
            tol = M.multiply(M.multiply(R.reduce_max(s, axis=-1, keepdims=True), size), eps)
        else:
            tol = convert_to_tensor(tol, name="tol", dtype=a.dtype)
        return R.reduce_sum(M.cast(M.greater(s, tol), dt.int32), axis=-1)


def banded_tridiagonal(diagonals, diagonals_format: str):
    """The [..., M, M] tridiagonal matrix of `diagonals`."""
    if diagonals_format == "matrix":
        return matrix_band_part(convert_to_tensor(diagonals, name="diagonals"), 1, 1)
    if diagonals_format == "sequence":
        if not isinstance(diagonals, (list, tuple)) or len(diagonals) != 3:
            raise ValueError("Expected diagonals to be a sequence of length 3.")
        superdiag = convert_to_tensor(diagonals[0], name="superdiag")
        maindiag = convert_to_tensor(diagonals[1], name="maindiag", dtype=superdiag.dtype)
        subdiag = convert_to_tensor(diagonals[2], name="subdiag", dtype=superdiag.dtype)
    elif diagonals_format == "compact":
        diagonals = convert_to_tensor(diagonals, name="diagonals")
        if diagonals.shape.ndims is not None and (
                diagonals.shape.ndims < 2 or diagonals.shape.as_tuple()[-2] not in (None, 3)):
            raise ValueError(f"Expected diagonals to have shape [..., 3, M], got "
                             f"{diagonals.shape}")
        superdiag, maindiag, subdiag = (diagonals[..., i, :] for i in range(3))
    else:
        raise ValueError(f"Unrecognized diagonals_format: {diagonals_format}")
    return M.add(M.add(matrix_diag(maindiag), matrix_diag(superdiag[..., :-1], k=1)),
                 matrix_diag(subdiag[..., 1:], k=-1))


def tridiagonal_matmul(diagonals, rhs, diagonals_format="compact", name=None):
    """TF1 `tf.linalg.tridiagonal_matmul`: the tridiagonal matrix times rhs [..., M, N]."""
    with name_scope(name or "tridiagonal_matmul"):
        matrix = banded_tridiagonal(diagonals, diagonals_format)
        return MM.matmul(matrix, convert_to_tensor(rhs, name="rhs", dtype=matrix.dtype))


def tridiagonal_solve(diagonals, rhs, diagonals_format="compact", transpose_rhs=False,
                      conjugate_rhs=False, name=None, partial_pivoting=True,
                      perturb_singular=False):
    """TF1 `tf.linalg.tridiagonal_solve`: X with the tridiagonal matrix X = rhs, rhs
    [..., M, K] ([..., K, M] with `transpose_rhs`) or [..., M]; a singular system is
    InvalidArgumentError, as TF's pivoting solver (LU with partial pivoting here)."""
    only_default("tridiagonal_solve", perturb_singular=(perturb_singular, False))
    with name_scope(name or "tridiagonal_solve"):
        matrix = banded_tridiagonal(diagonals, diagonals_format)
        rhs = convert_to_tensor(rhs, name="rhs", dtype=matrix.dtype)
        vector = rhs.shape.ndims is not None and matrix.shape.ndims is not None and \
            rhs.shape.ndims == matrix.shape.ndims - 1
        if vector:
            return A.squeeze(matrix_solve(matrix, A.expand_dims(rhs, -1)), [-1])
        if transpose_rhs:
            rank = rhs.shape.ndims
            if rank is None:
                raise ValueError("tridiagonal_solve(transpose_rhs=True) needs rhs of known "
                                 "rank")
            rhs = A.transpose(rhs, list(range(rank - 2)) + [rank - 1, rank - 2])
        return matrix_solve(matrix, rhs)


# Pade coefficients b_0..b_m of exp's [m/m] approximant, and the 1-norm up to which each
# degree meets the dtype's precision (Higham 2005, table 2.3 and its single-precision twin)
_PADE = {3: (120.0, 60.0, 12.0, 1.0),
         5: (30240.0, 15120.0, 3360.0, 420.0, 30.0, 1.0),
         7: (17297280.0, 8648640.0, 1995840.0, 277200.0, 25200.0, 1512.0, 56.0, 1.0),
         9: (17643225600.0, 8821612800.0, 2075673600.0, 302702400.0, 30270240.0,
             2162160.0, 110880.0, 3960.0, 90.0, 1.0),
         13: (64764752532480000.0, 32382376266240000.0, 7771770303897600.0,
              1187353796428800.0, 129060195264000.0, 10559470521600.0, 670442572800.0,
              33522128640.0, 1323241920.0, 40840800.0, 960960.0, 16380.0, 182.0, 1.0)}
_THETA = {dt.float64: ((3, 1.495585217958292e-2), (5, 2.539398330063230e-1),
                       (7, 9.504178996162932e-1), (9, 2.097847961257068e0),
                       (13, 5.371920351148152e0)),
          dt.float32: ((3, 4.258730016922831e-1), (5, 1.880152677804762e0),
                       (7, 3.925724783138660e0))}


def _pade(a, eye, powers, m: int):
    """(U, V) of the degree-m approximant: exp(a) ~ (V - U)^-1 (V + U)."""
    b = _PADE[m]
    np_dtype = a.dtype.np

    def c(i):
        return np.asarray(b[i], np_dtype)
    if m == 13:
        a2, a4, a6 = powers[2], powers[4], powers[6]
        u_inner = M.add(M.add(M.multiply(c(13), a6), M.multiply(c(11), a4)),
                        M.multiply(c(9), a2))
        u = MM.matmul(a6, u_inner)
        v_inner = M.add(M.add(M.multiply(c(12), a6), M.multiply(c(10), a4)),
                        M.multiply(c(8), a2))
        v = MM.matmul(a6, v_inner)
        for j in (7, 5, 3, 1):
            u = M.add(u, M.multiply(c(j), powers[j - 1] if j > 1 else eye))
        for j in (6, 4, 2, 0):
            v = M.add(v, M.multiply(c(j), powers[j] if j else eye))
        return MM.matmul(a, u), v
    u = M.multiply(c(1), eye)
    v = M.multiply(c(0), eye)
    for j in range(2, m + 1, 2):
        u = M.add(u, M.multiply(c(j + 1), powers[j]))
        v = M.add(v, M.multiply(c(j), powers[j]))
    return MM.matmul(a, u), v


def _rows(mask, like):
    return A.expand_dims(A.expand_dims(mask, -1), -1) if like.shape.ndims else mask


def expm(input, name=None):  # noqa: A002 (TF1's name)
    """TF1 `tf.linalg.expm`: the matrix exponential of each [..., M, M] matrix."""
    with name_scope(name or "matrix_exponential"):
        x = convert_to_tensor(input, name="input")
        if x.dtype not in (dt.float32, dt.float64):
            raise TypeError(f"expm: expected a float32 or float64 matrix, got "
                            f"{x.dtype.name} ('{x.name}')")
        dims = x.shape.as_tuple()
        if dims is None or len(dims) < 2 or dims[-1] is None or dims[-1] != dims[-2]:
            raise ValueError(f"expm: the input must be square matrices [..., M, M] of "
                             f"known M, got shape {x.shape}")
        thetas = _THETA[x.dtype]
        top, theta_top = thetas[-1]
        norm = R.reduce_max(R.reduce_sum(M.abs(x), axis=-2), axis=-1)   # [...]
        log2 = M.divide(M.log(M.divide(norm, np.asarray(theta_top, x.dtype.np))),
                        np.asarray(np.log(2.0), x.dtype.np))
        squarings = M.maximum(M.ceil(log2), np.asarray(0.0, x.dtype.np))
        squarings = M.where_v2(M.is_finite(squarings), squarings, zeros_like(squarings))
        eye = matrix_diag(M.add(zeros_like(x[..., 0]), np.asarray(1.0, x.dtype.np)))
        scaled = M.divide(x, _rows(M.pow(np.asarray(2.0, x.dtype.np), squarings), x))

        def approximant(a, m):
            powers = {2: MM.matmul(a, a)}
            for j in range(4, max(m, 6) + 1, 2):
                powers[j] = MM.matmul(powers[j - 2], powers[2])
            u, v = _pade(a, eye, powers, m)
            return matrix_solve(M.subtract(v, u), M.add(v, u))
        result = approximant(scaled, top)
        for m, theta in reversed(thetas[:-1]):  # lower degrees where the norm allows
            use = _rows(M.less(norm, np.asarray(theta, x.dtype.np)), x)
            result = M.where_v2(use, approximant(x, m), result)
        most = R.reduce_max(squarings)

        def body(i, r):
            squared = MM.matmul(r, r)
            return i + 1.0, M.where_v2(_rows(M.less(i, squarings), r), squared, r)
        _, result = while_loop(lambda i, r: M.less(i, most), body,
                               (convert_to_tensor(np.asarray(0.0, x.dtype.np)), result))
        return result



# ------------------------------------------------------------------ the LU family
def _lu_checks(lower_upper, perm, validate_args: bool) -> tuple:
    """TF's checks of (lu, p): static ones raise ValueError, run-time ones (validate_args,
    shapes unknown) run before the result."""
    lower_upper = convert_to_tensor(lower_upper, name="lower_upper")
    perm = convert_to_tensor(perm, name="perm", dtype_hint=dt.int32)
    lu_rank, perm_rank = lower_upper.shape.ndims, perm.shape.ndims
    if lu_rank is not None and lu_rank < 2:
        raise ValueError("Input `lower_upper` must have at least 2 dimensions.")
    if lu_rank is not None and perm_rank is not None and lu_rank != perm_rank + 1:
        raise ValueError("`rank(lower_upper)` must equal `rank(perm) + 1`")
    dims = lower_upper.shape.as_tuple()
    if dims is not None and None not in dims[-2:]:
        if dims[-2] != dims[-1]:
            raise ValueError("`lower_upper` must be square.")
    elif validate_args:
        s = A.shape(lower_upper)
        check = assert_(M.equal(s[-2], s[-1]), ["`lower_upper` must be square.", s])
        with lower_upper.graph.control_dependencies([check]):
            lower_upper = identity(lower_upper)
    return lower_upper, perm


def _lower(lower_upper):
    return matrix_set_diag(matrix_band_part(lower_upper, -1, 0),
                           ones_like(lower_upper[..., 0]))


def lu_reconstruct(lower_upper, perm, validate_args=False, name=None):
    """TF1 `tf.linalg.lu_reconstruct`: the matrices `lu` factored, P^T L U."""
    with name_scope(name or "lu_reconstruct"):
        lower_upper, perm = _lu_checks(lower_upper, perm, validate_args)
        product = MM.matmul(_lower(lower_upper), matrix_band_part(lower_upper, 0, -1))
        return MM.matmul(permutation_matrix(perm, lower_upper.dtype), product, adjoint_a=True)


def lu_solve(lower_upper, perm, rhs, validate_args=False, name=None):
    """TF1 `tf.linalg.lu_solve`: X with A X = rhs [..., M, K] for A = lu_reconstruct(lu, p);
    the batch dims of rhs and of the factorization broadcast."""
    with name_scope(name or "lu_solve"):
        lower_upper, perm = _lu_checks(lower_upper, perm, validate_args)
        rhs = convert_to_tensor(rhs, name="rhs", dtype=lower_upper.dtype)
        if rhs.shape.ndims is not None and rhs.shape.ndims < 2:
            raise ValueError("Input `rhs` must have at least 2 dimensions.")
        n, rows = lower_upper.shape.as_tuple(), rhs.shape.as_tuple()
        if n is not None and rows is not None and None not in (n[-1], rows[-2]) \
                and n[-1] != rows[-2]:
            raise ValueError("`lower_upper.shape[-1]` must equal `rhs.shape[-1]`.")
        permuted = MM.matmul(permutation_matrix(perm, lower_upper.dtype), rhs)
        batch = A.concat([A.shape(permuted)[:-2], A.shape(lower_upper)[-2:]], 0)
        factors = broadcast_to(lower_upper, batch)
        y = matrix_triangular_solve(_lower(factors), permuted, lower=True)
        return matrix_triangular_solve(factors, y, lower=False)


def lu_matrix_inverse(lower_upper, perm, validate_args=False, name=None):
    """TF1 `tf.linalg.lu_matrix_inverse`: the inverse of lu_reconstruct(lu, p)."""
    with name_scope(name or "lu_matrix_inverse"):
        lower_upper, perm = _lu_checks(lower_upper, perm, validate_args)
        identity_ = matrix_diag(ones_like(lower_upper[..., 0]))
        return lu_solve(lower_upper, perm, identity_)


# ------------------------------------------------------------------ eigh_tridiagonal
def eigh_tridiagonal(alpha, beta, eigvals_only=True, select="a", select_range=None,
                     tol=None, name=None):
    """TF1 `tf.linalg.eigh_tridiagonal`: the eigenvalues (ascending; with eigenvectors,
    [n, k] columns, unless eigvals_only) of the symmetric tridiagonal matrix with diagonal
    alpha [n] and off-diagonal beta [n - 1]."""
    with name_scope(name or "eigh_tridiagonal"):
        alpha = convert_to_tensor(alpha, name="alpha")
        n = alpha.shape.as_tuple()
        if n is None or len(n) != 1 or n[0] is None:
            raise ValueError(f"eigh_tridiagonal: alpha must be a vector of known size, got "
                             f"shape {alpha.shape}")
        if alpha.dtype.is_complex:
            raise TypeError("eigh_tridiagonal: complex (Hermitian) matrices are not "
                            "supported by graphc; alpha and beta must be float32 or "
                            "float64")
        if n[0] <= 1:
            return alpha                       # (TF returns the diagonal alone here)
        beta = convert_to_tensor(beta, name="beta")
        if alpha.dtype is not beta.dtype:
            raise ValueError("'alpha' and 'beta' must have the same type.")
        if select not in ("a", "i", "v"):
            raise ValueError("'select must have a value in {'a', 'i', 'v'}.")
        if tol is not None:
            convert_to_tensor(tol, name="tol", dtype=alpha.dtype)  # (checked; LAPACK's own)
        matrix = M.add(M.add(matrix_diag(alpha), matrix_diag(beta, k=1)),
                       matrix_diag(beta, k=-1))
        values, vectors = self_adjoint_eig(matrix)
        if select == "i":
            lo = convert_to_tensor(select_range[0], name="lo", dtype_hint=dt.int32)
            hi = convert_to_tensor(select_range[1], name="hi", dtype=lo.dtype)
            check = assert_(M.less_equal(lo, hi), ["Got empty index range in select_range."])
            with alpha.graph.control_dependencies([check]):
                keep = M.logical_and(M.greater_equal(G.range(n[0], dtype=lo.dtype), lo),
                                     M.less_equal(G.range(n[0], dtype=lo.dtype), hi))
        elif select == "v":
            lo = convert_to_tensor(select_range[0], name="lo", dtype=alpha.dtype)
            hi = convert_to_tensor(select_range[1], name="hi", dtype=alpha.dtype)
            check = assert_(M.less(lo, hi), ["Got empty interval in select_range."])
            with alpha.graph.control_dependencies([check]):
                keep = M.logical_and(M.greater(values, lo), M.less_equal(values, hi))
        if select != "a":
            values = S.boolean_mask(values, keep)
            vectors = S.boolean_mask(vectors, keep, axis=1)
        return values if eigvals_only else (values, vectors)


# tf.linalg's members from this module (graphc/__init__.py), TF1's aliases with them
LINALG = {**{n: globals()[n] for n in __all__}, "sqrtm": matrix_square_root,
          "logm": matrix_logarithm}
