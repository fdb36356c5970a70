"""TF1's `tf.linalg.LinearOperator`: a [batch of] M x N matrix known by what it does
(matmul, solve, determinant, ...), not necessarily by its entries, and the operators
built on a tensor or on other operators: FullMatrix, LowerTriangular, Adjoint, Inversion,
Composition (graphc/linear_operator_diag.py has the diagonal ones: Diag, Identity,
ScaledIdentity, Zeros; graphc/linear_operator_structured.py the structured ones).

Each operator computes through graphc's ops, so everything it returns is differentiable
where those ops are; each overrides what its structure makes cheap (Diag's solve is a
division, its determinant a product; LowerTriangular solves by substitution) and the
base's defaults work on the dense matrix, as TF's: determinant and solve through LU or,
for self-adjoint positive-definite hints, Cholesky. The hints (is_non_singular,
is_self_adjoint, is_positive_definite, is_square) are TF's: promises that pick
algorithms, implied by one another as in TF, with the `assert_*` methods to check them
at run time.
"""
from __future__ import annotations

import contextlib
from typing import Optional

import numpy as np

from .api import name_scope
from .debugging import assert_equal, assert_less, assert_positive
from .ir import dtypes as dt
from .ir.ops import array_ops as A, math_ops as M, matmul_ops as MM, reduce_ops as R
from .ir.ops._base import convert_to_tensor
from .ir.ops.complex_ops import conj
from .ir.ops.diag_ops import adjoint as _adjoint, eye, matrix_band_part, matrix_diag_part
from .ir.ops.eig_ops import self_adjoint_eigvals
from .ir.ops.linalg_ops import cholesky, cholesky_solve, matrix_determinant, \
    matrix_solve, matrix_triangular_solve, slogdet, svd
from .ir.ops.partition_ops import broadcast_dynamic_shape
from .ir.ops.tile_pad_ops import broadcast_to
from .ir.shapes import TensorShape

__all__ = ["LinearOperator", "LinearOperatorFullMatrix", "LinearOperatorLowerTriangular",
           "LinearOperatorAdjoint", "LinearOperatorInversion", "LinearOperatorComposition"]


# ------------------------------------------------------------------ helpers
def arguments(frame_locals: dict) -> dict:
    """A constructor's arguments, from `locals()` as its first statement (TF's
    `parameters`)."""
    return {k: v for k, v in frame_locals.items() if k not in ("self", "__class__")}


def dim_value(d) -> Optional[int]:
    return getattr(d, "value", d)


def broadcast_batch(a, b):
    """a [..., M, N] and b [..., N, K] with their batch dims broadcast to each other (the
    solves want equal batch dims; matmul broadcasts by itself)."""
    sa, sb = a.shape, b.shape
    if sa.ndims is not None and sb.ndims is not None and sa[:-2].is_fully_defined() \
            and sb[:-2].is_fully_defined() and sa[:-2].as_tuple() == sb[:-2].as_tuple():
        return a, b
    batch = broadcast_dynamic_shape(A.shape(a)[:-2], A.shape(b)[:-2])
    return (broadcast_to(a, A.concat([batch, A.shape(a)[-2:]], 0)),
            broadcast_to(b, A.concat([batch, A.shape(b)[-2:]], 0)))


def solve_with_broadcast(matrix, rhs, adjoint=False):
    matrix, rhs = broadcast_batch(matrix, rhs)
    return matrix_solve(matrix, rhs, adjoint=adjoint)


def triangular_solve_with_broadcast(matrix, rhs, lower=True, adjoint=False):
    matrix, rhs = broadcast_batch(matrix, rhs)
    return matrix_triangular_solve(matrix, rhs, lower=lower, adjoint=adjoint)


def _assert_compatible(a, b):
    if not a.is_compatible_with(b):
        raise ValueError(f"Dimensions {a} and {b} are not compatible")


def maybe_adjoint(x, flag: bool):
    return _adjoint(x) if flag else x


def static_shape_tensor(shape: TensorShape, dynamic):
    """shape as an int32 tensor: a constant when fully known, else `dynamic()`."""
    if shape.is_fully_defined():
        return convert_to_tensor(np.asarray(shape.as_tuple(), np.int32))
    return dynamic()


# ------------------------------------------------------------------ the base
class LinearOperator:
    """TF1 `tf.linalg.LinearOperator`: the base of all operators. Subclasses define
    `_shape`, `_shape_tensor` and `_matmul`; the rest has dense defaults."""

    def __init__(self, dtype, graph_parents=None, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None, name=None, parameters=None):
        if is_positive_definite:
            if is_non_singular is False:
                raise ValueError("A positive definite matrix is always non-singular.")
            is_non_singular = True
        if is_non_singular:
            if is_square is False:
                raise ValueError("A non-singular matrix is always square.")
            is_square = True
        if is_self_adjoint:
            if is_square is False:
                raise ValueError("A self-adjoint matrix is always square.")
            is_square = True
        self._is_square_set_or_implied_by_hints = is_square
        self._graph_parents = list(graph_parents or [])
        self._dtype = dt.as_dtype(dtype) if dtype is not None else None
        self._is_non_singular = is_non_singular
        self._is_self_adjoint = is_self_adjoint
        self._is_positive_definite = is_positive_definite
        self._parameters = dict(parameters or {})
        self._name = name or type(self).__name__

    # ---------------------------------------------------------------- properties
    @contextlib.contextmanager
    def _name_scope(self, name=None):
        full = self.name if name is None else f"{self.name}/{name}"
        with name_scope(full) as scope:
            yield scope

    @property
    def name_scope(self):
        """A name scope under the operator's name (tf.Module's)."""
        return name_scope(self.name)

    @property
    def parameters(self) -> dict:
        return dict(self._parameters)

    @property
    def dtype(self):
        return self._dtype

    @property
    def name(self) -> str:
        return self._name

    @property
    def graph_parents(self) -> list:
        return self._graph_parents

    @property
    def is_non_singular(self):
        return self._is_non_singular

    @property
    def is_self_adjoint(self):
        return self._is_self_adjoint

    @property
    def is_positive_definite(self):
        return self._is_positive_definite

    @property
    def is_square(self):
        square = self.domain_dimension == self.range_dimension
        if dim_value(self.domain_dimension) is None or dim_value(self.range_dimension) is None:
            square = None
        if self._is_square_set_or_implied_by_hints is False and square:
            raise ValueError("User set is_square hint to False, but the operator was square.")
        if self._is_square_set_or_implied_by_hints is None:
            return square
        return self._is_square_set_or_implied_by_hints

    def _shape(self) -> TensorShape:
        raise NotImplementedError("_shape is not implemented.")

    def _shape_tensor(self):
        raise NotImplementedError("_shape_tensor is not implemented.")

    @property
    def shape(self) -> TensorShape:
        return self._shape()

    def shape_tensor(self, name="shape_tensor"):
        with self._name_scope(name):
            return static_shape_tensor(self.shape, self._shape_tensor)

    @property
    def batch_shape(self) -> TensorShape:
        return self.shape[:-2]

    def batch_shape_tensor(self, name="batch_shape_tensor"):
        with self._name_scope(name):
            return static_shape_tensor(self.batch_shape, lambda: self._shape_tensor()[:-2])

    @property
    def tensor_rank(self):
        return self.shape.ndims

    def tensor_rank_tensor(self, name="tensor_rank_tensor"):
        with self._name_scope(name):
            if self.tensor_rank is not None:
                return convert_to_tensor(np.int32(self.tensor_rank))
            return A.size(self.shape_tensor())

    @property
    def domain_dimension(self):
        return self.shape[-1] if self.shape.ndims is not None else TensorShape([None])[0]

    def domain_dimension_tensor(self, name="domain_dimension_tensor"):
        with self._name_scope(name):
            value = dim_value(self.domain_dimension)
            if value is not None:
                return convert_to_tensor(np.int32(value))
            return self._shape_tensor()[-1]

    @property
    def range_dimension(self):
        return self.shape[-2] if self.shape.ndims is not None else TensorShape([None])[0]

    def range_dimension_tensor(self, name="range_dimension_tensor"):
        with self._name_scope(name):
            value = dim_value(self.range_dimension)
            if value is not None:
                return convert_to_tensor(np.int32(value))
            return self._shape_tensor()[-2]

    @property
    def H(self):  # noqa: N802 (TF1's name)
        """The adjoint, `self.adjoint()`."""
        return self.adjoint()

    # ---------------------------------------------------------------- assertions
    def _max_condition_number_to_be_non_singular(self):
        eps = np.finfo(self.dtype.real_dtype.np).eps
        size = M.cast(R.reduce_max(A.stack([
            np.int32(100), self.range_dimension_tensor(), self.domain_dimension_tensor()])),
            self.dtype.real_dtype)
        return M.reciprocal(M.multiply(size, np.asarray(eps, self.dtype.real_dtype.np)))

    def _assert_non_singular(self):
        if self._can_use_cholesky():
            return self.assert_positive_definite()
        s = svd(self.to_dense(), compute_uv=False)
        cond = M.divide(R.reduce_max(s, axis=-1), R.reduce_min(s, axis=-1))
        return assert_less(cond, self._max_condition_number_to_be_non_singular(),
                           message="Singular matrix up to precision epsilon.")

    def assert_non_singular(self, name="assert_non_singular"):
        """An op that fails at run time when the operator is singular."""
        with self._name_scope(name):
            return self._assert_non_singular()

    def _assert_positive_definite(self):
        if self.is_self_adjoint:
            return assert_positive(matrix_diag_part(cholesky(self.to_dense())),
                                   message="Matrix was not positive definite.")
        raise NotImplementedError("assert_positive_definite is not implemented.")

    def assert_positive_definite(self, name="assert_positive_definite"):
        """An op that fails at run time unless the operator is positive definite."""
        with self._name_scope(name):
            return self._assert_positive_definite()

    def _assert_self_adjoint(self):
        dense = self.to_dense()
        return assert_equal(dense, _adjoint(dense),
                            message="Matrix was not equal to its adjoint.")

    def assert_self_adjoint(self, name="assert_self_adjoint"):
        """An op that fails at run time unless the operator equals its adjoint."""
        with self._name_scope(name):
            return self._assert_self_adjoint()

    def _check_input_dtype(self, arg):
        if arg.dtype is not self.dtype:
            raise TypeError(f"Expected argument to have dtype {self.dtype}.  Found: "
                            f"{arg.dtype} in tensor {arg}")

    # ---------------------------------------------------------------- products, solves
    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        raise NotImplementedError("_matmul is not implemented.")

    def _check_operator_dims(self, left, right, what: str):
        r, d = dim_value(right.range_dimension), dim_value(left.domain_dimension)
        if r is not None and d is not None and r != d:
            raise ValueError(f"Operators are incompatible. Expected `{what}` to have "
                             f"dimension {d} but got {r}.")

    def matmul(self, x, adjoint=False, adjoint_arg=False, name="matmul"):
        """self (or its adjoint) times x [..., N, R] (or x's adjoint); an operator x gives
        the composition."""
        if isinstance(x, LinearOperator):
            left = self.adjoint() if adjoint else self
            right = x.adjoint() if adjoint_arg else x
            self._check_operator_dims(left, right, "x")
            with self._name_scope(name):
                return _linop_matmul(left, right)
        with self._name_scope(name):
            x = convert_to_tensor(x, name="x")
            self._check_input_dtype(x)
            self_dim, arg_dim = (-2 if adjoint else -1), (-1 if adjoint_arg else -2)
            if self.shape.ndims is not None and x.shape.ndims is not None:
                _assert_compatible(self.shape[self_dim], x.shape[arg_dim])
            return self._matmul(x, adjoint=adjoint, adjoint_arg=adjoint_arg)

    def __matmul__(self, other):
        return self.matmul(other)

    def _matvec(self, x, adjoint=False):
        return A.squeeze(self.matmul(A.expand_dims(x, -1), adjoint=adjoint), [-1])

    def matvec(self, x, adjoint=False, name="matvec"):
        """self (or its adjoint) times the vectors x [..., N]."""
        with self._name_scope(name):
            x = convert_to_tensor(x, name="x")
            self._check_input_dtype(x)
            if self.shape.ndims is not None and x.shape.ndims is not None:
                _assert_compatible(self.shape[-2 if adjoint else -1], x.shape[-1])
            return self._matvec(x, adjoint=adjoint)

    def _dense_solve(self, rhs, adjoint=False, adjoint_arg=False):
        if self.is_square is False:
            raise NotImplementedError("Solve is not yet implemented for non-square "
                                      "operators.")
        rhs = maybe_adjoint(rhs, adjoint_arg)
        if self._can_use_cholesky():
            chol, rhs = broadcast_batch(cholesky(self.to_dense()), rhs)
            return cholesky_solve(chol, rhs)
        return solve_with_broadcast(self.to_dense(), rhs, adjoint=adjoint)

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        return self._dense_solve(rhs, adjoint=adjoint, adjoint_arg=adjoint_arg)

    def solve(self, rhs, adjoint=False, adjoint_arg=False, name="solve"):
        """X with self X = rhs (adjoint(self) X = rhs); an operator rhs gives the
        composition with the inverse."""
        if self.is_non_singular is False:
            raise NotImplementedError("Exact solve not implemented for an operator that is "
                                      "expected to be singular.")
        if self.is_square is False:
            raise NotImplementedError("Exact solve not implemented for an operator that is "
                                      "expected to not be square.")
        if isinstance(rhs, LinearOperator):
            left = self.adjoint() if adjoint else self
            right = rhs.adjoint() if adjoint_arg else rhs
            self._check_operator_dims(left, right, "rhs")
            with self._name_scope(name):
                if hasattr(right, "_ones_diag") and not hasattr(right, "multiplier"):
                    return left.inverse()                    # (right is the identity)
                return LinearOperatorComposition([LinearOperatorInversion(left), right],
                                                 **_product_hints(left, right))
        with self._name_scope(name):
            rhs = convert_to_tensor(rhs, name="rhs")
            self._check_input_dtype(rhs)
            self_dim, arg_dim = (-1 if adjoint else -2), (-1 if adjoint_arg else -2)
            if self.shape.ndims is not None and rhs.shape.ndims is not None:
                _assert_compatible(self.shape[self_dim], rhs.shape[arg_dim])
            return self._solve(rhs, adjoint=adjoint, adjoint_arg=adjoint_arg)

    def _solvevec(self, rhs, adjoint=False):
        return A.squeeze(self.solve(A.expand_dims(rhs, -1), adjoint=adjoint), [-1])

    def solvevec(self, rhs, adjoint=False, name="solve"):
        """x with self x = rhs for vectors rhs [..., M]."""
        with self._name_scope(name):
            rhs = convert_to_tensor(rhs, name="rhs")
            self._check_input_dtype(rhs)
            if self.shape.ndims is not None and rhs.shape.ndims is not None:
                _assert_compatible(self.shape[-1 if adjoint else -2], rhs.shape[-1])
            return self._solvevec(rhs, adjoint=adjoint)

    # ---------------------------------------------------------------- determinants
    def _determinant(self):
        if self._can_use_cholesky():
            return M.exp(self.log_abs_determinant())
        return matrix_determinant(self.to_dense())

    def determinant(self, name="det"):
        if self.is_square is False:
            raise NotImplementedError("Determinant not implemented for an operator that is "
                                      "expected to not be square.")
        with self._name_scope(name):
            return self._determinant()

    def _log_abs_determinant(self):
        if self._can_use_cholesky():
            diag = matrix_diag_part(cholesky(self.to_dense()))
            return M.multiply(np.asarray(2, diag.dtype.np), R.reduce_sum(M.log(diag), [-1]))
        return slogdet(self.to_dense())[1]

    def log_abs_determinant(self, name="log_abs_det"):
        if self.is_square is False:
            raise NotImplementedError("Determinant not implemented for an operator that is "
                                      "expected to not be square.")
        with self._name_scope(name):
            return self._log_abs_determinant()

    # ---------------------------------------------------------------- derived operators
    def adjoint(self, name="adjoint"):
        """The adjoint operator (self when self-adjoint)."""
        if self.is_self_adjoint is True:
            return self
        with self._name_scope(name):
            return self._linop_adjoint()

    def _linop_adjoint(self):
        return LinearOperatorAdjoint(self, is_non_singular=self.is_non_singular,
                                     is_self_adjoint=self.is_self_adjoint,
                                     is_positive_definite=self.is_positive_definite,
                                     is_square=self.is_square)

    def inverse(self, name="inverse"):
        """The inverse operator (its matmul is this one's solve)."""
        if self.is_square is False:
            raise ValueError("Cannot take the Inverse: This operator represents a non square "
                             "matrix.")
        if self.is_non_singular is False:
            raise ValueError("Cannot take the Inverse: This operator represents a singular "
                             "matrix.")
        with self._name_scope(name):
            return self._linop_inverse()

    def _linop_inverse(self):
        return LinearOperatorInversion(self, is_non_singular=self.is_non_singular,
                                       is_self_adjoint=self.is_self_adjoint,
                                       is_positive_definite=self.is_positive_definite,
                                       is_square=self.is_square)

    def cholesky(self, name="cholesky"):
        """The lower-triangular Cholesky factor, of a self-adjoint positive-definite
        operator (by its hints)."""
        if not self._can_use_cholesky():
            raise ValueError("Cannot take the Cholesky decomposition: Not a positive definite "
                             "self adjoint matrix.")
        with self._name_scope(name):
            return self._linop_cholesky()

    def _linop_cholesky(self):
        return LinearOperatorLowerTriangular(cholesky(self.to_dense()), is_non_singular=True,
                                             is_self_adjoint=False, is_square=True)

    # ---------------------------------------------------------------- dense views
    def _to_dense(self):
        n = dim_value(self.domain_dimension)
        n = n if n is not None else self.domain_dimension_tensor()
        batch = self.batch_shape
        batch = batch.as_tuple() if batch.is_fully_defined() else self.batch_shape_tensor()
        return self.matmul(eye(n, batch_shape=batch, dtype=self.dtype))

    def to_dense(self, name="to_dense"):
        """The operator's matrix [..., M, N]."""
        with self._name_scope(name):
            return self._to_dense()

    def _diag_part(self):
        return matrix_diag_part(self.to_dense())

    def diag_part(self, name="diag_part"):
        with self._name_scope(name):
            return self._diag_part()

    def _trace(self):
        return R.reduce_sum(self.diag_part(), axis=-1)

    def trace(self, name="trace"):
        with self._name_scope(name):
            return self._trace()

    def _add_to_tensor(self, x):
        return M.add(self.to_dense(), x)

    def add_to_tensor(self, x, name="add_to_tensor"):
        """The operator's matrix plus x."""
        with self._name_scope(name):
            x = convert_to_tensor(x, name="x")
            self._check_input_dtype(x)
            return self._add_to_tensor(x)

    def _eigvals(self):
        return self_adjoint_eigvals(self.to_dense())

    def eigvals(self, name="eigvals"):
        """The eigenvalues of a self-adjoint operator, ascending (as TF, only those)."""
        if not self.is_self_adjoint:
            raise NotImplementedError("Only self-adjoint matrices are supported.")
        with self._name_scope(name):
            return self._eigvals()

    def _cond(self):
        if not self.is_self_adjoint:
            vals = svd(self.to_dense(), compute_uv=False)
        else:
            vals = M.abs(self._eigvals())
        return M.divide(R.reduce_max(vals, axis=-1), R.reduce_min(vals, axis=-1))

    def cond(self, name="cond"):
        """The condition number: max/min singular value."""
        with self._name_scope(name):
            return self._cond()

    def _can_use_cholesky(self) -> bool:
        return bool(self.is_self_adjoint and self.is_positive_definite)

    def __repr__(self) -> str:
        return (f"<graphc.linalg.{type(self).__name__} '{self.name}' shape={self.shape} "
                f"dtype={self.dtype.name if self.dtype else None}>")


def _product_hints(left, right) -> dict:
    """TF's hints of left @ right: non-singular when both are (square), nothing known
    otherwise; non-square products are nothing else."""
    square = left.is_square and right.is_square if None not in (
        left.is_square, right.is_square) else None
    if square:
        both = left.is_non_singular and right.is_non_singular
        either_singular = left.is_non_singular is False or right.is_non_singular is False
        return {"is_square": True,
                "is_non_singular": True if both else (False if either_singular else None)}
    if square is False:
        return {"is_square": False, "is_non_singular": False, "is_self_adjoint": False,
                "is_positive_definite": False}
    return {"is_square": None}


def _linop_matmul(left, right):
    # (TF's duck typing: the identity has _ones_diag, a scaled one also a multiplier)
    if hasattr(right, "_ones_diag") and not hasattr(right, "multiplier"):
        return left
    if hasattr(right, "_zeros_diag"):
        if not right.is_square or not left.is_square:
            raise ValueError("Matmul with non-square `LinearOperator`s or non-square "
                             "`LinearOperatorZeros` not supported at this time.")
        return right
    return LinearOperatorComposition([left, right], **_product_hints(left, right))


# ------------------------------------------------------------------ on one tensor
class _OnTensor(LinearOperator):
    """An operator whose shape is its tensor's (FullMatrix, LowerTriangular)."""

    def _shape(self):
        return self._matrix.shape

    def _shape_tensor(self):
        return A.shape(self._matrix)


class LinearOperatorFullMatrix(_OnTensor):
    """TF1 `tf.linalg.LinearOperatorFullMatrix`: the matrix [..., M, N] itself."""

    def __init__(self, matrix, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None, name="LinearOperatorFullMatrix"):
        parameters = arguments(locals())
        with name_scope(name):
            self._matrix = convert_to_tensor(matrix, name="matrix")
            check_float_or_complex(self._matrix, "matrix")
            if self._matrix.shape.ndims is not None and self._matrix.shape.ndims < 2:
                raise ValueError(f"Argument `matrix` must have at least 2 dimensions. "
                                 f"Received: {self._matrix}.")
        super().__init__(self._matrix.dtype, None, is_non_singular, is_self_adjoint,
                         is_positive_definite, is_square, name, parameters)

    @property
    def matrix(self):
        return self._matrix

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        return MM.matmul(self._matrix, x, adjoint_a=adjoint, adjoint_b=adjoint_arg)

    def _to_dense(self):
        return self._matrix


def check_float_or_complex(t, what: str):
    if not (t.dtype.is_floating or t.dtype.is_complex):
        raise TypeError(f"Argument `{what}` must have dtype float or complex, got "
                        f"{t.dtype.name} ('{t.name}')")


class LinearOperatorLowerTriangular(_OnTensor):
    """TF1 `tf.linalg.LinearOperatorLowerTriangular`: the lower triangle of tril (the
    rest is ignored); solves by substitution, determinant from the diagonal."""

    def __init__(self, tril, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None,
                 name="LinearOperatorLowerTriangular"):
        parameters = arguments(locals())
        if is_square is False:
            raise ValueError("Only square lower triangular operators supported at this "
                             "time.")
        with name_scope(name):
            self._tril = convert_to_tensor(tril, name="tril")
            check_float_or_complex(self._tril, "tril")
            if self._tril.shape.ndims is not None and self._tril.shape.ndims < 2:
                raise ValueError(f"Argument tril must have at least 2 dimensions. "
                                 f"Received: {self._tril}.")
            self._matrix = matrix_band_part(self._tril, -1, 0)
        super().__init__(self._tril.dtype, None, is_non_singular, is_self_adjoint,
                         is_positive_definite, True, name, parameters)

    @property
    def tril(self):
        return self._tril

    def _diag(self):
        return matrix_diag_part(self._tril)

    def _assert_non_singular(self):
        return assert_positive(M.abs(self._diag()), message="Singular operator:  Diagonal "
                               "contained zero values.")

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        return MM.matmul(self._matrix, x, adjoint_a=adjoint, adjoint_b=adjoint_arg)

    def _determinant(self):
        return R.reduce_prod(self._diag(), axis=[-1])

    def _log_abs_determinant(self):
        return R.reduce_sum(M.log(M.abs(self._diag())), axis=[-1])

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        return triangular_solve_with_broadcast(self._matrix, maybe_adjoint(rhs, adjoint_arg),
                                               lower=True, adjoint=adjoint)

    def _to_dense(self):
        return self._matrix

    def _diag_part(self):
        return self._diag()

    def _eigvals(self):
        return self._diag()


# ------------------------------------------------------------------ on other operators
def _check_hint(hint, operator_hint, what: str):
    if hint is not None and operator_hint is not None and hint != operator_hint:
        raise ValueError(f"An operator is {what} if and only if its adjoint/inverse is "
                         f"{what}.")
    return operator_hint if hint is None else hint


class _OnOperator(LinearOperator):
    """An operator made of one other (Adjoint, Inversion): its hints are the operator's
    (a given hint must agree), and so are its assertions."""

    def _wrap(self, operator, parameters: dict, name: str):
        self._operator = operator
        hints = [_check_hint(parameters[f"is_{w}"], getattr(operator, f"is_{w}"),
                             w.replace("_", " "))
                 for w in ("non_singular", "self_adjoint", "positive_definite", "square")]
        LinearOperator.__init__(self, operator.dtype, None, *hints, name, parameters)

    @property
    def operator(self):
        return self._operator

    def _assert_non_singular(self):
        return self._operator.assert_non_singular()

    def _assert_positive_definite(self):
        return self._operator.assert_positive_definite()

    def _assert_self_adjoint(self):
        return self._operator.assert_self_adjoint()


class LinearOperatorAdjoint(_OnOperator):
    """TF1 `tf.linalg.LinearOperatorAdjoint`: the adjoint of an operator, through its
    methods with adjoint flipped."""

    def __init__(self, operator, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None, name=None):
        self._wrap(operator, arguments(locals()), name or operator.name + "_adjoint")

    def _shape(self):
        s = self._operator.shape
        if s.ndims is None:
            return s
        return s[:-2].concatenate([s[-1], s[-2]])

    def _shape_tensor(self):
        s = self._operator.shape_tensor()
        return A.concat([s[:-2], s[-1:], s[-2:-1]], 0)

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        return self._operator.matmul(x, adjoint=not adjoint, adjoint_arg=adjoint_arg)

    def _matvec(self, x, adjoint=False):
        return self._operator.matvec(x, adjoint=not adjoint)

    def _determinant(self):
        d = self._operator.determinant()
        return conj(d) if self.dtype.is_complex else d

    def _log_abs_determinant(self):
        return self._operator.log_abs_determinant()

    def _trace(self):
        t = self._operator.trace()
        return conj(t) if self.dtype.is_complex else t

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        return self._operator.solve(rhs, adjoint=not adjoint, adjoint_arg=adjoint_arg)

    def _solvevec(self, rhs, adjoint=False):
        return self._operator.solvevec(rhs, adjoint=not adjoint)

    def _to_dense(self):
        return _adjoint(self._operator.to_dense())

    def _diag_part(self):
        d = self._operator.diag_part()
        return conj(d) if self.dtype.is_complex else d

    def _add_to_tensor(self, x):
        return M.add(self.to_dense(), x)

    def _eigvals(self):
        e = self._operator.eigvals()
        return conj(e) if self.dtype.is_complex else e

    def _cond(self):
        return self._operator.cond()

    def _linop_adjoint(self):
        return self._operator

    def _linop_inverse(self):
        return LinearOperatorAdjoint(self._operator.inverse())

    def _linop_cholesky(self):
        return self._operator.cholesky()     # (self-adjoint: the operator's own)


class LinearOperatorInversion(_OnOperator):
    """TF1 `tf.linalg.LinearOperatorInversion`: the inverse of a square, non-singular
    operator: its matmul is the operator's solve and its solve the operator's matmul."""

    def __init__(self, operator, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None, name=None):
        parameters = arguments(locals())
        if operator.is_non_singular is False or is_non_singular is False:
            raise ValueError(f"operator and supplied hints must have is_non_singular "
                             f"equal to True or None. Found {operator.is_non_singular}, "
                             f"{is_non_singular}")
        if operator.is_square is False or is_square is False:
            raise ValueError(f"operator and supplied hints must have is_square equal to "
                             f"True or None. Found {operator.is_square}, {is_square}")
        self._wrap(operator, parameters, name or operator.name + "_inv")

    def _shape(self):
        return self._operator.shape

    def _shape_tensor(self):
        return self._operator.shape_tensor()

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        return self._operator.solve(x, adjoint=adjoint, adjoint_arg=adjoint_arg)

    def _matvec(self, x, adjoint=False):
        return self._operator.solvevec(x, adjoint=adjoint)

    def _determinant(self):
        return M.reciprocal(self._operator.determinant())

    def _log_abs_determinant(self):
        return M.negative(self._operator.log_abs_determinant())

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        return self._operator.matmul(rhs, adjoint=adjoint, adjoint_arg=adjoint_arg)

    def _solvevec(self, rhs, adjoint=False):
        return self._operator.matvec(rhs, adjoint=adjoint)

    def _eigvals(self):
        return M.reciprocal(self._operator.eigvals())

    def _cond(self):
        return self._operator.cond()

    def _linop_adjoint(self):
        return LinearOperatorInversion(self._operator.adjoint())

    def _linop_inverse(self):
        return self._operator


def broadcast_static_shapes(shapes) -> TensorShape:
    """The broadcast of static shapes (unknown rank if any is)."""
    out = shapes[0]
    for s in shapes[1:]:
        if out.ndims is None or s.ndims is None:
            return TensorShape(None)
        n = max(out.ndims, s.ndims)
        a = [1] * (n - out.ndims) + [dim_value(d) for d in out]
        b = [1] * (n - s.ndims) + [dim_value(d) for d in s]
        dims = []
        for x, y in zip(a, b):
            if x == 1:
                dims.append(y)
            elif y == 1 or x == y:
                dims.append(x)
            elif x is None or y is None:
                dims.append(x if y is None else y)
            else:
                raise ValueError(f"Incompatible batch shapes {out} and {s}")
        out = TensorShape(dims)
    return out


def batch_shape_of(operators) -> TensorShape:
    """The broadcast of the operators' static batch shapes."""
    return broadcast_static_shapes([op.batch_shape for op in operators])


def batch_shape_tensor_of(operators):
    out = operators[0].batch_shape_tensor()
    for op in operators[1:]:
        out = broadcast_dynamic_shape(out, op.batch_shape_tensor())
    return out


def implied_hint(operators, hint: str, given, message: str):
    """True when every operator has the hint (a given False is then TF's ValueError),
    else the given value."""
    if all(getattr(op, hint) for op in operators):
        if given is False:
            raise ValueError(message)
        return True
    return given


def same_dtype(operators):
    """The dtype all the operators share (TF's refusals otherwise)."""
    if not operators:
        raise ValueError(f"Expected a non-empty list of operators. Found: {operators}")
    dtype = operators[0].dtype
    if any(op.dtype is not dtype for op in operators):
        found = ", ".join(f"{op.name}: {op.dtype.name}" for op in operators)
        raise TypeError(f"Expected all operators to have the same dtype.  Found {found}")
    return dtype


class LinearOperatorComposition(LinearOperator):
    """TF1 `tf.linalg.LinearOperatorComposition`: the product A1 A2 ... An, applied
    right to left (solves left to right); determinants multiply."""

    def __init__(self, operators, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None, name=None):
        parameters = arguments(locals())
        operators = list(operators)
        dtype = same_dtype(operators)
        self._operators = operators
        is_non_singular = implied_hint(operators, "is_non_singular", is_non_singular,
                                       "The composition of non-singular operators is "
                                       "always non-singular.")
        for left, right in zip(operators[:-1], operators[1:]):
            d, r = dim_value(left.domain_dimension), dim_value(right.range_dimension)
            if d is not None and r is not None and d != r:
                raise ValueError(f"Operators are incompatible: {left.name} has domain "
                                 f"dimension {d}, {right.name} range dimension {r}")
        batch_shape_of(operators)           # (refuses batch shapes that do not broadcast)
        super().__init__(dtype, None, is_non_singular, is_self_adjoint,
                         is_positive_definite, is_square,
                         name or "_o_".join(op.name for op in operators), parameters)

    @property
    def operators(self) -> list:
        return self._operators

    def _shape(self):
        first, last = self._operators[0].shape, self._operators[-1].shape
        if first.ndims is None or last.ndims is None:
            return TensorShape(None)
        return batch_shape_of(self._operators).concatenate([first[-2], last[-1]])

    def _shape_tensor(self):
        rows = self._operators[0].range_dimension_tensor()
        cols = self._operators[-1].domain_dimension_tensor()
        return A.concat([batch_shape_tensor_of(self._operators), A.stack([rows, cols])], 0)

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        ops = self._operators if adjoint else list(reversed(self._operators))
        result = ops[0].matmul(x, adjoint=adjoint, adjoint_arg=adjoint_arg)
        for op in ops[1:]:
            result = op.matmul(result, adjoint=adjoint)
        return result

    def _determinant(self):
        result = self._operators[0].determinant()
        for op in self._operators[1:]:
            result = M.multiply(result, op.determinant())
        return result

    def _log_abs_determinant(self):
        result = self._operators[0].log_abs_determinant()
        for op in self._operators[1:]:
            result = M.add(result, op.log_abs_determinant())
        return result

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        # A1 ... An X = rhs: X = An^-1 ... A1^-1 rhs (the adjoint's order is reversed)
        ops = list(reversed(self._operators)) if adjoint else self._operators
        result = ops[0].solve(rhs, adjoint=adjoint, adjoint_arg=adjoint_arg)
        for op in ops[1:]:
            result = op.solve(result, adjoint=adjoint)
        return result

    def _to_dense(self):
        product = self._operators[-1].to_dense()
        for op in reversed(self._operators[:-1]):
            product = op.matmul(product)
        return product

    def _linop_adjoint(self):
        return LinearOperatorComposition([op.adjoint() for op in reversed(self._operators)],
                                         is_non_singular=self.is_non_singular,
                                         is_self_adjoint=self.is_self_adjoint,
                                         is_positive_definite=self.is_positive_definite,
                                         is_square=self.is_square)

    def _linop_inverse(self):
        return LinearOperatorComposition([op.inverse() for op in reversed(self._operators)],
                                         is_non_singular=self.is_non_singular,
                                         is_self_adjoint=self.is_self_adjoint,
                                         is_positive_definite=self.is_positive_definite,
                                         is_square=self.is_square)
