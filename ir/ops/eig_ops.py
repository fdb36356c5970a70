"""Symmetric eigendecomposition, pseudo-inverse and least squares (TF1's names).

`self_adjoint_eig` is SelfAdjointEigV2 through numpy's LAPACK (eigh: eigenvalues in
ascending order, only the lower triangle read), with TF1's gradient (distinct eigenvalues;
the gradient of the lower triangle). `pinv` and `matrix_solve_ls` are TF1's compositions:
the SVD with singular values below rcond * max(s) dropped, and the regularized normal
equations solved through a Cholesky factorization (fast=True).
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from ..shapes import TensorShape
from ._base import apply, check_dtype, convert_to_tensor, defop, graph_of, only_default
from .diag_ops import adjoint, matrix_band_part, matrix_diag, matrix_diag_part, \
    matrix_set_diag
from .linalg_ops import (LINALG_DTYPES, _batched, _check_square, _lapack, _unbatched, cholesky,
                         cholesky_solve, svd)
from .math_ops import greater, multiply, reciprocal, subtract, where_v2
from .matmul_ops import matmul
from .reduce_ops import reduce_max
from .generator_ops import ones_like, zeros_like

__all__ = ["self_adjoint_eig", "self_adjoint_eigvals", "pinv", "matrix_solve_ls"]


def _eig_infer(op):
    x = op.inputs[0]
    check_dtype(op, x, LINALG_DTYPES, "input")
    dims = x.shape.as_tuple()
    if dims is None:
        return [(x.dtype, TensorShape(None))] * 2
    if len(dims) < 2 or None not in dims[-2:] and dims[-1] != dims[-2]:
        raise ValueError(f"input '{x.name}' must be square matrices, got shape {x.shape}")
    n = dims[-1] if dims[-1] is not None else dims[-2]
    v = x.shape if op.attrs["compute_v"] else TensorShape([0])
    return [(x.dtype, TensorShape(dims[:-2] + (n,))), (x.dtype, v)]


def _eig_compute(x, *, compute_v):
    _check_square(x)
    if not compute_v:
        e = _lapack(lambda: np.linalg.eigvalsh(x), "Self-adjoint eigen decomposition was "
                    "not successful. The input might not be valid.")
        return e.astype(x.dtype), np.zeros(0, x.dtype)
    e, v = _lapack(lambda: np.linalg.eigh(x), "Self-adjoint eigen decomposition was not "
                   "successful. The input might not be valid.")
    return e.astype(x.dtype), v.astype(x.dtype)


def _eig_vjp(op, grads):
    """TF1's rule: v (diag(de) + F o (v'dv)) v', F_ij = 1 / (e_j - e_i) off the diagonal,
    then the lower triangle of its symmetrization (the op reads the lower triangle)."""
    e, de = _batched(op.outputs[0], 1), _batched(grads[0], 1)
    if op.attrs["compute_v"]:
        v, dv = _batched(op.outputs[1], 2), _batched(grads[1], 2)
        eye = matrix_diag(ones_like(e))
        f = matrix_set_diag(reciprocal(subtract(e[..., None, :], e[..., :, None]) + eye),
                            zeros_like(e))
        inner = matrix_diag(de) + multiply(f, matmul(v, dv, adjoint_a=True))
    else:
        v = _batched(self_adjoint_eig(op.inputs[0])[1], 2)
        inner = matrix_diag(de)
    grad = matmul(v, matmul(inner, v, adjoint_b=True))
    grad = matrix_band_part(grad + adjoint(grad), -1, 0)
    return [_unbatched(matrix_set_diag(grad, multiply(matrix_diag_part(grad), 0.5)),
                       op.inputs[0])]


defop("SelfAdjointEigV2", _eig_infer, _eig_compute, _eig_vjp, family="matmul")


def self_adjoint_eig(tensor, name: Optional[str] = None):
    """TF1 `tf.linalg.eigh`: (e, v), the eigenvalues (ascending) and eigenvectors (columns)
    of each symmetric matrix, from its lower triangle."""
    e, v = apply("SelfAdjointEigV2", (convert_to_tensor(tensor, name="tensor"),),
                 {"compute_v": True}, name=name or "SelfAdjointEigV2")
    return e, v


def self_adjoint_eigvals(tensor, name: Optional[str] = None):
    """TF1 `tf.linalg.eigvalsh`: the eigenvalues (ascending) of each symmetric matrix."""
    e, _ = apply("SelfAdjointEigV2", (convert_to_tensor(tensor, name="tensor"),),
                 {"compute_v": False}, name=name or "SelfAdjointEigV2")
    return e


def pinv(a, rcond=None, validate_args: bool = False, name: Optional[str] = None):
    """TF1 `tf.linalg.pinv`: the Moore-Penrose pseudo-inverse through the SVD; singular
    values at most rcond * max(s) count as 0 (rcond default: 10 * max(m, n) * eps)."""
    g = graph_of((a,))
    with g.as_default(), g.name_scope(name or "pinv"):
        a = convert_to_tensor(a, name="a")
        if a.dtype not in LINALG_DTYPES:
            raise TypeError(f"pinv: '{a.name}' must be float32 or float64, got {a.dtype.name}")
        if rcond is None:
            dims = a.shape.as_tuple()
            if dims is None or None in dims[-2:]:
                raise ValueError("pinv: rcond=None needs the matrix dims known when the graph "
                                 "is built")
            rcond = 10.0 * max(dims[-2:]) * float(np.finfo(a.dtype.np).eps)
        s, u, v = svd(a, full_matrices=False, compute_uv=True)
        cutoff = multiply(np.asarray(rcond, a.dtype.np), reduce_max(s, axis=[-1],
                                                                    keepdims=True))
        keep = greater(s, cutoff)
        s_inv = where_v2(keep, reciprocal(where_v2(keep, s, ones_like(s))), zeros_like(s))
        return matmul(multiply(v, s_inv[..., None, :]), u, adjoint_b=True)


def matrix_solve_ls(matrix, rhs, l2_regularizer=0.0, fast: bool = True,
                    name: Optional[str] = None):
    """TF1 `tf.linalg.lstsq` (fast=True): the least-squares solution of matrix X = rhs
    with an l2 penalty, through the normal equations and a Cholesky factorization."""
    only_default("matrix_solve_ls", fast=(fast, True))
    g = graph_of((matrix, rhs))
    with g.as_default(), g.name_scope(name or "matrix_solve_ls"):
        a = convert_to_tensor(matrix, name="matrix")
        b = convert_to_tensor(rhs, name="rhs", dtype=a.dtype)
        dims = a.shape.as_tuple()
        if dims is None or None in dims[-2:]:
            raise ValueError("matrix_solve_ls needs the matrix dims known when the graph is "
                             "built")
        m, n = dims[-2:]
        reg = convert_to_tensor(l2_regularizer, dtype=a.dtype)
        if m >= n:  # overdetermined: (A'A + l2 I) X = A'b
            gram = matmul(a, a, adjoint_a=True)
            gram = matrix_set_diag(gram, matrix_diag_part(gram) + reg)
            return cholesky_solve(cholesky(gram), matmul(a, b, adjoint_a=True))
        gram = matmul(a, a, adjoint_b=True)  # underdetermined: X = A'(AA' + l2 I)^-1 b
        gram = matrix_set_diag(gram, matrix_diag_part(gram) + reg)
        return matmul(a, cholesky_solve(cholesky(gram), b), adjoint_a=True)


lstsq = matrix_solve_ls
__all__ += ["lstsq"]

from ..naming import name_builders  # noqa: E402

name_builders(globals())
