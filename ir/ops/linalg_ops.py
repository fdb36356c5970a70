"""Dense linear algebra on batches of matrices (the last two axes), TF1's names.

Every op here computes through numpy's LAPACK (np.linalg): the llvm backend runs them as
numpy kernels between native segments. Singular or non-positive-definite inputs raise
TF1's InvalidArgumentError. `svd` returns TF1's (s, u, v) with a = u diag(s) v^T (v, not
numpy's v^T). Gradients are TF1's (linalg_grad.py): inverse, determinant, log-determinant,
Cholesky, solves, QR (m >= n, reduced) and SVD (full_matrices=False).
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from .. import dtypes as dt
from ..errors import InvalidArgumentError
from ..shapes import TensorShape
from ._base import apply, check_dtype, convert_to_tensor, defop, graph_of
from .array_ops import concat, reshape, shape, stack
from .diag_ops import adjoint, matrix_band_part, matrix_diag, matrix_diag_part, \
    matrix_set_diag
from .math_ops import greater_equal, log, multiply, negative, reciprocal, subtract
from .matmul_ops import matmul
from .reduce_ops import reduce_sum
from .core_ops import identity
from .control_flow_ops import assert_
from .generator_ops import ones_like, zeros_like

__all__ = ["matrix_inverse", "matrix_determinant", "log_matrix_determinant", "slogdet",
           "logdet", "cholesky", "cholesky_solve", "matrix_solve", "matrix_triangular_solve",
           "qr", "svd"]

LINALG_DTYPES = (dt.float32, dt.float64)


def _square(op, x, what="input"):
    check_dtype(op, x, LINALG_DTYPES, what)
    dims = x.shape.as_tuple()
    if dims is None:
        return None
    if len(dims) < 2:
        raise ValueError(f"{what} '{x.name}' must be at least rank 2, got shape {x.shape}")
    if dims[-1] is not None and dims[-2] is not None and dims[-1] != dims[-2]:
        raise ValueError(f"{what} '{x.name}' must be square matrices, got shape {x.shape}")
    return dims


def _check_square(x):
    if x.ndim < 2 or x.shape[-1] != x.shape[-2]:
        raise InvalidArgumentError(None, None, f"Input must be a square matrix (or a batch "
                                   f"of them), got shape {list(x.shape)}")


def _lapack(fn, message):
    """np.linalg's LinAlgError as TF1's InvalidArgumentError with TF1's message."""
    try:
        with np.errstate(all="ignore"):
            return fn()
    except np.linalg.LinAlgError:
        raise InvalidArgumentError(None, None, message) from None


def _t(x):
    return np.swapaxes(x, -1, -2)


# ------------------------------------------------------------------ inverse, determinants
def _inverse_compute(x, *, adjoint):
    _check_square(x)
    a = _t(x) if adjoint else x
    if not x.size:
        return np.array(a)
    return _lapack(lambda: np.linalg.inv(a), "Input is not invertible.").astype(x.dtype)


def _inverse_vjp(op, grads):
    ainv, adj = op.outputs[0], op.attrs["adjoint"]
    inner = matmul(grads[0], ainv, adjoint_a=adj, adjoint_b=not adj)
    return [negative(matmul(ainv, inner, adjoint_a=not adj))]


defop("MatrixInverse", lambda op: [(op.inputs[0].dtype, TensorShape(_square(op, op.inputs[0])))],
      _inverse_compute, _inverse_vjp, family="matmul")


def matrix_inverse(input, adjoint: bool = False, name: Optional[str] = None):  # noqa: A002
    """TF1 `tf.linalg.inv`: the inverse of each matrix (of its adjoint with `adjoint`)."""
    x = convert_to_tensor(input, name="input")
    return apply("MatrixInverse", (x,), {"adjoint": bool(adjoint)},
                 name=name or "MatrixInverse")


def _batch_shape(op, x):
    dims = _square(op, x)
    return TensorShape(None) if dims is None else TensorShape(dims[:-2])


def _batch_column(t, like):
    """`t` (batch-shaped) reshaped to [..., 1, 1] to scale the matrices of `like`."""
    return reshape(t, concat([shape(like)[:-2], np.int32([1, 1])], 0))


def _det_vjp(op, grads):
    a, c = op.inputs[0], op.outputs[0]
    return [multiply(_batch_column(multiply(grads[0], c), a), matrix_inverse(a, adjoint=True))]


defop("MatrixDeterminant", lambda op: [(op.inputs[0].dtype, _batch_shape(op, op.inputs[0]))],
      lambda x: (_check_square(x), np.asarray(np.linalg.det(x), x.dtype))[1], _det_vjp,
      family="matmul")


def matrix_determinant(input, name: Optional[str] = None):  # noqa: A002
    """TF1 `tf.linalg.det`: the determinant of each matrix."""
    return apply("MatrixDeterminant", (convert_to_tensor(input, name="input"),),
                 name=name or "MatrixDeterminant")


def _slogdet_compute(x):
    _check_square(x)
    sign, logabs = np.linalg.slogdet(x)
    return np.asarray(sign, x.dtype), np.asarray(logabs, x.dtype)


def _slogdet_vjp(op, grads):
    a = op.inputs[0]
    g = grads[1]
    return [multiply(_batch_column(g, a), matrix_inverse(a, adjoint=True))]


defop("LogMatrixDeterminant",
      lambda op: [(op.inputs[0].dtype, _batch_shape(op, op.inputs[0]))] * 2,
      _slogdet_compute, _slogdet_vjp, family="matmul")


def log_matrix_determinant(input, name: Optional[str] = None):  # noqa: A002
    """TF1 `tf.linalg.slogdet`: (sign, log|det|) of each matrix."""
    sign, logabs = apply("LogMatrixDeterminant", (convert_to_tensor(input, name="input"),),
                         name=name or "LogMatrixDeterminant")
    return sign, logabs


slogdet = log_matrix_determinant


def logdet(matrix, name: Optional[str] = None):
    """TF1 `tf.linalg.logdet`: log det of Hermitian positive-definite matrices, as TF1:
    2 * sum(log(diag(cholesky(matrix))))."""
    g = graph_of((matrix,))
    with g.as_default(), g.name_scope(name or "logdet"):
        chol = cholesky(convert_to_tensor(matrix, name="matrix"))
        return multiply(np.asarray(2, chol.dtype.np),
                        reduce_sum(log(matrix_diag_part(chol)), axis=[-1]))


# ------------------------------------------------------------------ Cholesky
def _cholesky_compute(x):
    _check_square(x)
    message = ("Cholesky decomposition was not successful. The input might not be valid.")
    return _lapack(lambda: np.linalg.cholesky(x), message).astype(x.dtype)


def _eye_like(m):
    return matrix_diag(ones_like(matrix_diag_part(m)))


def _cholesky_vjp(op, grads):
    """TF1's rule (Murray 2016): the symmetric gradient of the input's lower triangle."""
    chol = op.outputs[0]
    inv = matrix_triangular_solve(chol, _eye_like(chol))
    middle = matmul(chol, grads[0], adjoint_a=True)
    half = np.asarray(0.5, chol.dtype.np)
    middle = matrix_set_diag(middle, multiply(half, matrix_diag_part(middle)))
    middle = matrix_band_part(middle, -1, 0)
    grad = matmul(matmul(inv, middle, adjoint_a=True), inv)
    return [multiply(grad + adjoint(grad), half)]


defop("Cholesky", lambda op: [(op.inputs[0].dtype, TensorShape(_square(op, op.inputs[0])))],
      _cholesky_compute, _cholesky_vjp, family="matmul")


def cholesky(input, name: Optional[str] = None):  # noqa: A002
    """TF1 `tf.linalg.cholesky`: the lower-triangular L with L L^T = input (only the lower
    triangle of the input is read)."""
    return apply("Cholesky", (convert_to_tensor(input, name="input"),),
                 name=name or "Cholesky")


# ------------------------------------------------------------------ solves
def _solve_infer(op):
    a, b = op.inputs
    dims = _square(op, a, "matrix")
    check_dtype(op, b, LINALG_DTYPES, "rhs")
    if b.dtype is not a.dtype:
        raise TypeError(f"{op.type} op '{op.name}': rhs '{b.name}' is {b.dtype.name}, matrix "
                        f"'{a.name}' {a.dtype.name}")
    bd = b.shape.as_tuple()
    if bd is not None and len(bd) < 2:
        raise ValueError(f"rhs '{b.name}' must be at least rank 2, got shape {b.shape}")
    if dims is not None and bd is not None:
        if len(dims) != len(bd) or not a.shape[:-1].is_compatible_with(b.shape[:-1]):
            raise ValueError(f"{op.type} op '{op.name}': matrix {a.shape} and rhs {b.shape} "
                             "must have the same batch dims and number of rows")
    return [(a.dtype, b.shape if dims is None else
             TensorShape(a.shape[:-1].merge_with(b.shape[:-1]).as_tuple() + (
                 None if bd is None else bd[-1],)))]


def _check_solve(a, b):
    _check_square(a)
    if b.ndim != a.ndim or b.shape[:-1] != a.shape[:-1]:
        raise InvalidArgumentError(None, None, f"Input matrix and right-hand side must have "
                                   f"the same number of rows and batch dims: "
                                   f"{list(a.shape)} vs. {list(b.shape)}")


def _solve_compute(a, b, *, adjoint):
    _check_solve(a, b)
    m = _t(a) if adjoint else a
    if not b.size:
        return np.zeros(b.shape, a.dtype)
    return _lapack(lambda: np.linalg.solve(m, b), "Input matrix is not invertible.").astype(
        a.dtype)


def _solve_vjp(op, grads, lower=None):
    a, c = op.inputs[0], op.outputs[0]
    adj = op.attrs["adjoint"]
    if lower is None:
        gb = matrix_solve(a, grads[0], adjoint=not adj)
    else:
        gb = matrix_triangular_solve(a, grads[0], lower=lower, adjoint=not adj)
    ga = negative(matmul(c, gb, adjoint_b=True) if adj else matmul(gb, c, adjoint_b=True))
    if lower is not None:
        ga = matrix_band_part(ga, -1, 0) if lower else matrix_band_part(ga, 0, -1)
    return [ga, gb]


defop("MatrixSolve", _solve_infer, _solve_compute, _solve_vjp, family="matmul")


def matrix_solve(matrix, rhs, adjoint: bool = False, name: Optional[str] = None):
    """TF1 `tf.linalg.solve`: X with matrix X = rhs (adjoint(matrix) X = rhs)."""
    a = convert_to_tensor(matrix, name="matrix")
    b = convert_to_tensor(rhs, name="rhs", dtype=a.dtype)
    return apply("MatrixSolve", (a, b), {"adjoint": bool(adjoint)}, name=name or "MatrixSolve")


def _triangular_compute(a, b, *, lower, adjoint):
    _check_solve(a, b)
    tri = np.tril(a) if lower else np.triu(a)
    m = _t(tri) if adjoint else tri
    if not b.size:
        return np.zeros(b.shape, a.dtype)
    return _lapack(lambda: np.linalg.solve(m, b), "Input matrix is not invertible.").astype(
        a.dtype)


defop("MatrixTriangularSolve", _solve_infer, _triangular_compute,
      lambda op, grads: _solve_vjp(op, grads, lower=op.attrs["lower"]), family="matmul")


def matrix_triangular_solve(matrix, rhs, lower: bool = True, adjoint: bool = False,
                            name: Optional[str] = None):
    """TF1 `tf.linalg.triangular_solve`: the solve with the lower (or upper) triangle of
    `matrix`; the other triangle is ignored."""
    a = convert_to_tensor(matrix, name="matrix")
    b = convert_to_tensor(rhs, name="rhs", dtype=a.dtype)
    return apply("MatrixTriangularSolve", (a, b), {"lower": bool(lower),
                                                   "adjoint": bool(adjoint)},
                 name=name or "MatrixTriangularSolve")


def cholesky_solve(chol, rhs, name: Optional[str] = None):
    """TF1 `tf.linalg.cholesky_solve`: X with A X = rhs, given chol = cholesky(A)."""
    g = graph_of((chol, rhs))
    with g.as_default(), g.name_scope(name or "cholesky_solve"):
        y = matrix_triangular_solve(chol, rhs, adjoint=False, lower=True)
        return matrix_triangular_solve(chol, y, adjoint=True, lower=True)


# ------------------------------------------------------------------ QR, SVD
def _mn(op, x):
    """(batch dims, m, n, min(m, n)) of a batch of m x n matrices, None for unknown rank."""
    check_dtype(op, x, LINALG_DTYPES, "input")
    dims = x.shape.as_tuple()
    if dims is None:
        return None
    if len(dims) < 2:
        raise ValueError(f"input '{x.name}' must be at least rank 2, got shape {x.shape}")
    *batch, m, n = dims
    return tuple(batch), m, n, None if m is None or n is None else min(m, n)


def _qr_infer(op):
    x = op.inputs[0]
    sizes = _mn(op, x)
    if sizes is None:
        return [(x.dtype, TensorShape(None))] * 2
    batch, m, n, p = sizes
    full = op.attrs["full_matrices"]
    q = batch + (m, m if full else p)
    r = batch + ((m if full else p), n)
    return [(x.dtype, TensorShape(q)), (x.dtype, TensorShape(r))]


def _qr_compute(x, *, full_matrices):
    q, r = np.linalg.qr(x, mode="complete" if full_matrices else "reduced")
    return q.astype(x.dtype), r.astype(x.dtype)


def _batched(t, inner: int):
    """`t` as a rank-known batch: [-1] + its last `inner` dims (for rules that transpose
    matrices when the rank is not known); tensors of known rank pass."""
    if t.shape.ndims is not None:
        return t
    s = shape(t)
    return reshape(t, stack([np.int32(-1)] + [s[i] for i in range(-inner, 0)]))


def _unbatched(grad, like):
    return grad if like.shape.ndims is not None else reshape(grad, shape(like))


def _triangular_solve_right(x, r):
    """x r^-T for upper-triangular r (TF1's _TriangularSolve)."""
    return adjoint(matrix_triangular_solve(r, adjoint(x), lower=False, adjoint=False))


def _qr_vjp(op, grads):
    """TF1's rule for m >= n with reduced matrices."""
    x = op.inputs[0]
    dims = x.shape.as_tuple()
    if op.attrs["full_matrices"] or dims is not None and None not in dims[-2:] and \
            dims[-2] < dims[-1]:
        raise NotImplementedError(
            f"QR gradient of '{x.name}' (shape {x.shape}): TF1's rule needs m >= n and "
            "full_matrices=False")
    q, r = [_batched(t, 2) for t in op.outputs]
    if dims is None or None in dims[-2:]:  # m >= n checked when the gradient runs
        s = shape(x)
        check = assert_(greater_equal(s[-2], s[-1]), [
            f"QR gradient of '{x.name}' needs at least as many rows as columns, got shape",
            s])
        with x.graph.control_dependencies([check]):
            q, r = identity(q), identity(r)
    dq, dr = [_batched(t, 2) for t in grads]
    qdq = matmul(q, dq, adjoint_a=True)
    qdq_ = subtract(qdq, adjoint(qdq))
    rdr = matmul(r, dr, adjoint_b=True)
    rdr_ = subtract(rdr, adjoint(rdr))
    tril = matrix_band_part(qdq_ + rdr_, -1, 0)
    grad_a = matmul(q, dr + _triangular_solve_right(tril, r))
    grad_b = _triangular_solve_right(subtract(dq, matmul(q, qdq)), r)
    return [_unbatched(grad_a + grad_b, x)]


defop("Qr", _qr_infer, _qr_compute, _qr_vjp, family="matmul")


def qr(input, full_matrices: bool = False, name: Optional[str] = None):  # noqa: A002
    """TF1 `tf.linalg.qr`: (q, r) with input = q r, q orthonormal columns, r upper
    triangular (reduced: q is [m, min(m, n)] unless `full_matrices`)."""
    q, r = apply("Qr", (convert_to_tensor(input, name="input"),),
                 {"full_matrices": bool(full_matrices)}, name=name or "Qr")
    return q, r


def _svd_infer(op):
    x = op.inputs[0]
    sizes = _mn(op, x)
    if sizes is None:
        return [(x.dtype, TensorShape(None))] * 3
    batch, m, n, p = sizes
    full, uv = op.attrs["full_matrices"], op.attrs["compute_uv"]
    s = TensorShape(batch + (p,))
    if not uv:
        return [(x.dtype, s), (x.dtype, TensorShape([0])), (x.dtype, TensorShape([0]))]
    u = batch + (m, m if full else p)
    v = batch + (n, n if full else p)
    return [(x.dtype, s), (x.dtype, TensorShape(u)), (x.dtype, TensorShape(v))]


def _svd_compute(x, *, full_matrices, compute_uv):
    if not compute_uv:
        s = _lapack(lambda: np.linalg.svd(x, compute_uv=False), "SVD did not converge")
        return s.astype(x.dtype), np.zeros(0, x.dtype), np.zeros(0, x.dtype)
    u, s, vh = _lapack(lambda: np.linalg.svd(x, full_matrices=full_matrices),
                       "SVD did not converge")
    return s.astype(x.dtype), u.astype(x.dtype), np.ascontiguousarray(_t(vh)).astype(x.dtype)


def _svd_vjp(op, grads):
    """TF1's rule (Townsend 2016) for full_matrices=False, in its form for any m, n:
    u [dS + (F o (u'du - du'u)) S + S (F o (v'dv - dv'v))] v' + (I - uu') du S^-1 v'
    + u S^-1 dv' (I - vv'), F_ij = 1 / (s_j^2 - s_i^2) off the diagonal (distinct
    singular values). Without u and v (compute_uv=False): u diag(ds) v'."""
    a = op.inputs[0]
    ds, du, dv = grads
    if not op.attrs["compute_uv"]:
        _, u, v = svd(a, compute_uv=True)
        u, v, ds = _batched(u, 2), _batched(v, 2), _batched(ds, 1)
        return [_unbatched(matmul(multiply(u, ds[..., None, :]), v, adjoint_b=True), a)]
    if op.attrs["full_matrices"]:
        raise NotImplementedError(f"SVD gradient of '{a.name}' with full_matrices=True is "
                                  "not supported (as in TF1 for non-square matrices)")
    s, u, v = _batched(op.outputs[0], 1), _batched(op.outputs[1], 2), _batched(op.outputs[2], 2)
    ds, du, dv = _batched(ds, 1), _batched(du, 2), _batched(dv, 2)
    s2 = multiply(s, s)
    eye = _eye_like(matrix_diag(s))
    f = matrix_set_diag(reciprocal(subtract(s2[..., None, :], s2[..., :, None]) + eye),
                        zeros_like(s))
    s_mat, s_inv = matrix_diag(s), matrix_diag(reciprocal(s))
    utdu = matmul(u, du, adjoint_a=True)
    vtdv = matmul(v, dv, adjoint_a=True)
    inner = matrix_diag(ds) + matmul(multiply(f, subtract(utdu, adjoint(utdu))), s_mat) \
        + matmul(s_mat, multiply(f, subtract(vtdv, adjoint(vtdv))))
    grad = matmul(u, matmul(inner, v, adjoint_b=True))
    grad = grad + matmul(subtract(du, matmul(u, utdu)), matmul(s_inv, v, adjoint_b=True))
    dvt_perp = adjoint(subtract(dv, matmul(v, vtdv)))        # dv' (I - vv')
    return [_unbatched(grad + matmul(matmul(u, s_inv), dvt_perp), a)]


defop("Svd", _svd_infer, _svd_compute, _svd_vjp, family="matmul")


def svd(tensor, full_matrices: bool = False, compute_uv: bool = True,
        name: Optional[str] = None):
    """TF1 `tf.linalg.svd`: (s, u, v) with tensor = u diag(s) v^T, singular values in
    decreasing order; only s when compute_uv is False."""
    s, u, v = apply("Svd", (convert_to_tensor(tensor, name="tensor"),),
                    {"full_matrices": bool(full_matrices), "compute_uv": bool(compute_uv)},
                    name=name or "Svd")
    return (s, u, v) if compute_uv else s


from ..naming import name_builders  # noqa: E402

name_builders(globals())
