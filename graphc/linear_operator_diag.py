"""TF1's diagonal `tf.linalg.LinearOperator*` classes, on graphc/linear_operator.py's
base: Diag (products and solves elementwise, determinant a product), Identity (every
method free), ScaledIdentity (a multiplier per batch member) and Zeros (singular, M x N).
"""
from __future__ import annotations

import numpy as np

from .api import name_scope
from .debugging import assert_equal, assert_positive
from .ir import dtypes as dt
from .ir.errors import InvalidArgumentError
from .ir.ops import array_ops as A, math_ops as M, reduce_ops as R
from .ir.ops._base import const_value, convert_to_tensor
from .ir.ops.complex_ops import conj, imag, real
from .ir.ops.core_ops import no_op
from .ir.ops.diag_ops import eye, matrix_diag, matrix_diag_part, matrix_set_diag
from .ir.ops.generator_ops import ones, ones_like, zeros, zeros_like
from .ir.ops.partition_ops import broadcast_dynamic_shape
from .ir.ops.tile_pad_ops import broadcast_to
from .ir.shapes import TensorShape
from .linear_operator import (LinearOperator, arguments, check_float_or_complex,
                              maybe_adjoint)

__all__ = ["LinearOperatorDiag", "LinearOperatorIdentity", "LinearOperatorScaledIdentity",
           "LinearOperatorZeros"]


class LinearOperatorDiag(LinearOperator):
    """TF1 `tf.linalg.LinearOperatorDiag`: diag(d) for d [..., N]; products and solves are
    elementwise, the determinant a product."""

    def __init__(self, diag, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None, name="LinearOperatorDiag"):
        parameters = arguments(locals())
        with name_scope(name):
            self._diag = convert_to_tensor(diag, name="diag")
            check_float_or_complex(self._diag, "diag")
            if self._diag.shape.ndims is not None and self._diag.shape.ndims < 1:
                raise ValueError(f"Argument diag must have at least 1 dimension.  "
                                 f"Found: {self._diag}")
            if not self._diag.dtype.is_complex:
                if is_self_adjoint is False:
                    raise ValueError("A real diagonal operator is always self adjoint.")
                is_self_adjoint = True
            if is_square is False:
                raise ValueError("Only square diagonal operators currently supported.")
        super().__init__(self._diag.dtype, None, is_non_singular, is_self_adjoint,
                         is_positive_definite, True, name, parameters)

    @property
    def diag(self):
        return self._diag

    def _shape(self):
        s = self._diag.shape
        return s.concatenate(s[-1:]) if s.ndims is not None else TensorShape(None)

    def _shape_tensor(self):
        s = A.shape(self._diag)
        return A.concat([s, s[-1:]], 0)

    def _assert_non_singular(self):
        return assert_positive(M.abs(self._diag), message="Singular operator:  Diagonal "
                               "contained zero values.")

    def _assert_positive_definite(self):
        d = real(self._diag) if self._diag.dtype.is_complex else self._diag
        return assert_positive(d, message="Operator has non-positive real part of diagonal "
                               "(eigenvalues).")

    def _assert_self_adjoint(self):
        if not self._diag.dtype.is_complex:
            return no_op("assert_self_adjoint")
        return assert_equal(imag(self._diag), zeros_like(imag(self._diag)),
                            message="This diagonal operator contained non-zero imaginary "
                            "values.  Thus it was not self-adjoint.")

    def _scale(self, adjoint):
        d = conj(self._diag) if adjoint and self._diag.dtype.is_complex else self._diag
        return A.expand_dims(d, -1)

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        return M.multiply(self._scale(adjoint), maybe_adjoint(x, adjoint_arg))

    def _matvec(self, x, adjoint=False):
        return M.multiply(self._scale(adjoint)[..., 0], x)

    def _determinant(self):
        return R.reduce_prod(self._diag, axis=[-1])

    def _log_abs_determinant(self):
        return R.reduce_sum(M.log(M.abs(self._diag)), axis=[-1])

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        return M.divide(maybe_adjoint(rhs, adjoint_arg), self._scale(adjoint))

    def _to_dense(self):
        return matrix_diag(self._diag)

    def _diag_part(self):
        return self._diag

    def _add_to_tensor(self, x):
        return matrix_set_diag(x, M.add(self._diag, matrix_diag_part(x)))

    def _eigvals(self):
        return self._diag

    def _cond(self):
        a = M.abs(self._diag)
        return M.divide(R.reduce_max(a, axis=-1), R.reduce_min(a, axis=-1))

    def _linop_adjoint(self):
        return LinearOperatorDiag(conj(self._diag) if self._diag.dtype.is_complex
                                  else self._diag, is_non_singular=self.is_non_singular,
                                  is_self_adjoint=self.is_self_adjoint,
                                  is_positive_definite=self.is_positive_definite,
                                  is_square=True)

    def _linop_inverse(self):
        return LinearOperatorDiag(M.reciprocal(self._diag),
                                  is_non_singular=self.is_non_singular,
                                  is_self_adjoint=self.is_self_adjoint,
                                  is_positive_definite=self.is_positive_definite,
                                  is_square=True)

    def _linop_cholesky(self):
        return LinearOperatorDiag(M.sqrt(self._diag), is_non_singular=True,
                                  is_self_adjoint=True, is_positive_definite=True,
                                  is_square=True)


def _num_rows(num_rows, what="num_rows"):
    """A non-negative int32 scalar (TF's checks when it is static)."""
    t = convert_to_tensor(num_rows, name=what, dtype_hint=dt.int32)
    if not t.dtype.is_integer:
        raise TypeError(f"Argument `{what}` must be integer type. Received: {t}.")
    if t.shape.ndims not in (None, 0):
        raise ValueError(f"Argument `{what}` must be a 0-D Tensor. Received: {t}.")
    value = const_value(t)
    if value is not None and int(value) < 0:
        raise ValueError(f"Argument `{what}` must be non-negative. Received: {t}.")
    return M.cast(t, dt.int32), (None if value is None else int(value))


class _RowsAndBatch(LinearOperator):
    """The identity family's num_rows and optional batch_shape arguments."""

    def _init_rows_and_batch(self, num_rows, batch_shape):
        self._num_rows, self._num_rows_static = _num_rows(num_rows)
        if batch_shape is None:
            self._batch_shape_arg, self._batch_static = None, TensorShape([])
            return
        b = convert_to_tensor(batch_shape, name="batch_shape", dtype_hint=dt.int32)
        if b.shape.ndims not in (None, 1):
            raise ValueError(f"Argument `batch_shape` must be a 1-D Tensor. Received: {b}.")
        value = const_value(b)
        if value is not None and np.any(np.asarray(value) < 0):
            raise ValueError(f"Argument `batch_shape` must be non-negative. Received: "
                             f"{value}.")
        self._batch_shape_arg = M.cast(b, dt.int32)
        self._batch_static = TensorShape(None if value is None else
                                         [int(v) for v in np.asarray(value)])

    def _with_batch(self, dims):
        if self._batch_shape_arg is None:
            return dims
        return A.concat([self._batch_shape_arg, dims], 0)


class LinearOperatorIdentity(_RowsAndBatch):
    """TF1 `tf.linalg.LinearOperatorIdentity`: the [batch of] N x N identity; every
    method is free (matmul returns x, broadcast to the batch shape)."""

    def __init__(self, num_rows, batch_shape=None, dtype=None, is_non_singular=True,
                 is_self_adjoint=True, is_positive_definite=True, is_square=True,
                 assert_proper_shapes=False, name="LinearOperatorIdentity"):
        parameters = arguments(locals())
        for hint, what in ((is_self_adjoint, "self-adjoint"),
                           (is_positive_definite, "positive definite"),
                           (is_non_singular, "non-singular"), (is_square, "square")):
            if not hint:
                raise ValueError(f"An identity operator is always {what}.")
        with name_scope(name):
            self._init_rows_and_batch(num_rows, batch_shape)
        super().__init__(dtype or dt.float32, None, is_non_singular, is_self_adjoint,
                         is_positive_definite, is_square, name, parameters)
        self._assert_proper_shapes = assert_proper_shapes

    def _shape(self):
        return self._batch_static.concatenate([self._num_rows_static] * 2)

    def _shape_tensor(self):
        return self._with_batch(A.stack([self._num_rows, self._num_rows]))

    def _ones_diag(self):
        return ones(A.concat([self.batch_shape_tensor(), self._num_rows[None]], 0),
                    dtype=self.dtype)

    def _assert_non_singular(self):
        return no_op("assert_non_singular")

    def _assert_positive_definite(self):
        return no_op("assert_positive_definite")

    def _assert_self_adjoint(self):
        return no_op("assert_self_adjoint")

    def _broadcast_to_batch(self, x):
        if self._batch_shape_arg is None:
            return x
        batch = broadcast_dynamic_shape(A.shape(x)[:-2], self._batch_shape_arg)
        return broadcast_to(x, A.concat([batch, A.shape(x)[-2:]], 0))

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        return self._broadcast_to_batch(maybe_adjoint(x, adjoint_arg))

    def _determinant(self):
        return ones(self.batch_shape_tensor(), dtype=self.dtype)

    def _log_abs_determinant(self):
        return zeros(self.batch_shape_tensor(), dtype=self.dtype)

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        return self._matmul(rhs, adjoint_arg=adjoint_arg)

    def _trace(self):
        return M.multiply(ones(self.batch_shape_tensor(), dtype=self.dtype),
                          M.cast(self._num_rows, self.dtype))

    def _diag_part(self):
        return self._ones_diag()

    def _to_dense(self):
        batch = self._batch_static.as_tuple() if self._batch_static.is_fully_defined() \
            else self.batch_shape_tensor()
        return eye(self._num_rows, batch_shape=batch or None, dtype=self.dtype)

    def _add_to_tensor(self, x):
        return matrix_set_diag(x, M.add(matrix_diag_part(x), self._ones_diag()))

    def _eigvals(self):
        return self._ones_diag()

    def _cond(self):
        return ones(self.batch_shape_tensor(), dtype=self.dtype)

    def _linop_adjoint(self):
        return self

    def _linop_inverse(self):
        return self

    def _linop_cholesky(self):
        return self


class LinearOperatorScaledIdentity(LinearOperatorIdentity):
    """TF1 `tf.linalg.LinearOperatorScaledIdentity`: multiplier [...] times the N x N
    identity (the batch shape is the multiplier's)."""

    def __init__(self, num_rows, multiplier, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=True, assert_proper_shapes=False,
                 name="LinearOperatorScaledIdentity"):
        parameters = arguments(locals())
        if not is_square:
            raise ValueError("A ScaledIdentity operator is always square.")
        with name_scope(name):
            self._multiplier = convert_to_tensor(multiplier, name="multiplier")
            check_float_or_complex(self._multiplier, "multiplier")
            if not self._multiplier.dtype.is_complex:
                if is_self_adjoint is False:
                    raise ValueError("A real diagonal operator is always self adjoint.")
                is_self_adjoint = True
            self._num_rows, self._num_rows_static = _num_rows(num_rows)
            self._batch_shape_arg = A.shape(self._multiplier)
            self._batch_static = self._multiplier.shape
        LinearOperator.__init__(self, self._multiplier.dtype, None, is_non_singular,
                                is_self_adjoint, is_positive_definite, is_square, name,
                                parameters)
        self._assert_proper_shapes = assert_proper_shapes

    @property
    def multiplier(self):
        return self._multiplier

    def _scale(self, adjoint=False):
        m = conj(self._multiplier) if adjoint and self.dtype.is_complex else self._multiplier
        return A.expand_dims(A.expand_dims(m, -1), -1)

    def _assert_non_singular(self):
        return assert_positive(M.abs(self._multiplier), message="LinearOperator was "
                               "singular")

    def _assert_positive_definite(self):
        m = real(self._multiplier) if self.dtype.is_complex else self._multiplier
        return assert_positive(m, message="LinearOperator was not positive definite.")

    def _assert_self_adjoint(self):
        if not self.dtype.is_complex:
            return no_op("assert_self_adjoint")
        return assert_equal(imag(self._multiplier), zeros_like(imag(self._multiplier)),
                            message="LinearOperator was not self-adjoint")

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        return M.multiply(self._scale(adjoint), maybe_adjoint(x, adjoint_arg))

    def _determinant(self):
        return M.pow(self._multiplier, M.cast(self._num_rows, self.dtype))

    def _log_abs_determinant(self):
        return M.multiply(M.cast(self._num_rows, self.dtype.real_dtype),
                          M.log(M.abs(self._multiplier)))

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        return M.divide(maybe_adjoint(rhs, adjoint_arg), self._scale(adjoint))

    def _trace(self):
        return M.multiply(self._multiplier, M.cast(self._num_rows, self.dtype))

    def _diag_part(self):
        return M.multiply(self._ones_diag(), A.expand_dims(self._multiplier, -1))

    def _to_dense(self):
        return M.multiply(self._scale(), eye(self._num_rows, dtype=self.dtype))

    def _add_to_tensor(self, x):
        return matrix_set_diag(x, M.add(matrix_diag_part(x), self._diag_part()))

    def _eigvals(self):
        return self._diag_part()

    def _cond(self):
        return ones_like(M.abs(self._multiplier))

    def _linop_adjoint(self):
        m = conj(self._multiplier) if self.dtype.is_complex else self._multiplier
        return LinearOperatorScaledIdentity(self._num_rows, m,
                                            is_non_singular=self.is_non_singular,
                                            is_self_adjoint=self.is_self_adjoint,
                                            is_positive_definite=self.is_positive_definite)

    def _linop_inverse(self):
        return LinearOperatorScaledIdentity(self._num_rows, M.reciprocal(self._multiplier),
                                            is_non_singular=self.is_non_singular,
                                            is_self_adjoint=self.is_self_adjoint,
                                            is_positive_definite=self.is_positive_definite)

    def _linop_cholesky(self):
        return LinearOperatorScaledIdentity(self._num_rows, M.sqrt(self._multiplier),
                                            is_non_singular=True, is_self_adjoint=True,
                                            is_positive_definite=True)


class LinearOperatorZeros(_RowsAndBatch):
    """TF1 `tf.linalg.LinearOperatorZeros`: the [batch of] M x N zero matrix (singular:
    no solve, inverse or Cholesky)."""

    def __init__(self, num_rows, num_columns=None, batch_shape=None, dtype=None,
                 is_non_singular=False, is_self_adjoint=True, is_positive_definite=False,
                 is_square=True, assert_proper_shapes=False, name="LinearOperatorZeros"):
        parameters = arguments(locals())
        if is_non_singular:
            raise ValueError("A Zeros operator is always singular.")
        if is_positive_definite:
            raise ValueError("A Zeros operator is always not positive-definite.")
        with name_scope(name):
            self._init_rows_and_batch(num_rows, batch_shape)
            self._num_columns, self._num_columns_static = _num_rows(
                num_rows if num_columns is None else num_columns, "num_columns")
            if None not in (self._num_rows_static, self._num_columns_static) and \
                    self._num_rows_static != self._num_columns_static:
                if is_square:
                    raise ValueError("LinearOperatorZeros initialized as is_square=True, "
                                     "but got num_rows != num_columns.")
                if is_self_adjoint:
                    raise ValueError("LinearOperatorZeros initialized as "
                                     "is_self_adjoint=True, but got num_rows != "
                                     "num_columns.")
                is_square, is_self_adjoint = False, False
        super().__init__(dtype or dt.float32, None, is_non_singular, is_self_adjoint,
                         is_positive_definite, is_square, name, parameters)
        self._assert_proper_shapes = assert_proper_shapes

    def _shape(self):
        return self._batch_static.concatenate([self._num_rows_static,
                                               self._num_columns_static])

    def _shape_tensor(self):
        return self._with_batch(A.stack([self._num_rows, self._num_columns]))

    def _zeros_diag(self):
        return self._zeros_batch(M.minimum(self._num_rows, self._num_columns)[None])

    def _assert_non_singular(self):
        raise InvalidArgumentError(None, None, "Zero operators are always non-invertible.")

    def _assert_positive_definite(self):
        raise InvalidArgumentError(None, None,
                                   "Zero operators are always non-positive definite.")

    def _assert_self_adjoint(self):
        return no_op("assert_self_adjoint")

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        x = maybe_adjoint(x, adjoint_arg)
        rows = self._num_columns if adjoint else self._num_rows
        batch = A.shape(x)[:-2]
        if self._batch_shape_arg is not None:
            batch = broadcast_dynamic_shape(batch, self._batch_shape_arg)
        return zeros(A.concat([batch, rows[None], A.shape(x)[-1:]], 0), dtype=self.dtype)

    def _zeros_batch(self, *tail):
        return zeros(A.concat([self.batch_shape_tensor(), *tail], 0), dtype=self.dtype)

    def _determinant(self):
        return self._zeros_batch()

    def _log_abs_determinant(self):
        return M.log(self._zeros_batch())

    def _trace(self):
        return self._zeros_batch()

    def _diag_part(self):
        return self._zeros_diag()

    def _to_dense(self):
        return self._zeros_batch(A.stack([self._num_rows, self._num_columns]))

    def _add_to_tensor(self, x):
        return M.add(x, zeros_like(x))

    def _eigvals(self):
        return self._zeros_diag()

    def _cond(self):
        return M.divide(self._zeros_batch(), self._zeros_batch())

    def _linop_adjoint(self):
        return LinearOperatorZeros(self._num_columns, self._num_rows,
                                   batch_shape=self._batch_shape_arg, dtype=self.dtype,
                                   is_self_adjoint=self.is_self_adjoint,
                                   is_square=self.is_square)
