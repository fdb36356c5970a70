"""TF1's structured `tf.linalg.LinearOperator*` classes, on graphc/linear_operator.py's
base: block-diagonal and block lower-triangular operators (blockwise products, solves by
block substitution, determinants from the diagonal blocks), tridiagonal (the banded
matrix of tf.linalg.tridiagonal_matmul's formats), Householder reflections (x - 2 v v^H
x, its own inverse), Kronecker products (the factors applied one axis at a time;
determinants det(A_i)^(N / n_i)),
low-rank updates L + U D V^H (Woodbury's solve, the determinant lemma) and permutations
(gathers). The circulant and Toeplitz operators are in graphc/linear_operator_circulant.py.
"""
from __future__ import annotations

import numpy as np

from .api import name_scope
from .debugging import assert_equal
from .ir import dtypes as dt
from .ir.ops import array_ops as A, math_ops as M, matmul_ops as MM, reduce_ops as R
from .ir.ops._base import const_value, convert_to_tensor
from .ir.ops.complex_ops import conj
from .ir.ops.core_ops import no_op
from .ir.ops.diag_ops import adjoint as _adjoint, matrix_diag_part, matrix_set_diag
from .ir.ops.generator_ops import ones, range as _range, zeros
from .ir.ops.linalg_ops import cholesky, cholesky_solve, matrix_determinant
from .ir.ops.matfunc_ops import permutation_matrix
from .ir.ops.math_compositions import argsort
from .ir.ops.partition_ops import broadcast_dynamic_shape
from .ir.ops.slicing_ops import gather
from .ir.ops.tile_pad_ops import broadcast_to, pad
from .ir.shapes import TensorShape
from .linalg_extra import banded_tridiagonal
from .linear_operator import (LinearOperator, arguments,
                              check_float_or_complex, batch_shape_of, batch_shape_tensor_of,
                              broadcast_batch, broadcast_static_shapes, dim_value, implied_hint,
                              maybe_adjoint, same_dtype, solve_with_broadcast)
from .linear_operator_diag import LinearOperatorDiag, LinearOperatorIdentity
from .nn import l2_normalize

__all__ = ["LinearOperatorBlockDiag", "LinearOperatorBlockLowerTriangular",
           "LinearOperatorTridiag", "LinearOperatorHouseholder",
           "LinearOperatorKronecker", "LinearOperatorLowRankUpdate",
           "LinearOperatorPermutation"]


def _implied_hints(operators, what: str, *given) -> tuple:
    """(is_non_singular, is_self_adjoint, is_positive_definite) of a direct sum or
    Kronecker product: each True when all the operators' is."""
    return tuple(implied_hint(operators, hint, value, f"The {what} of {words} operators "
                              f"is always {words}.")
                 for hint, value, words in zip(
                     ("is_non_singular", "is_self_adjoint", "is_positive_definite"), given,
                     ("non-singular", "self-adjoint", "positive definite")))


def _sizes(dims_static, dims_tensor):
    """Python ints where every size is known, else tensors."""
    if all(d is not None for d in dims_static):
        return list(dims_static)
    return list(dims_tensor)


def _split_rows(x, sizes):
    """x [..., sum(sizes), R] as its row blocks."""
    parts, start = [], 0
    for size in sizes:
        stop = start + size
        parts.append(x[..., start:stop, :])
        start = stop
    return parts


def _concat_rows(parts):
    """Row blocks with their batch dims broadcast, concatenated."""
    if len(parts) > 1 and not all(p.shape.ndims is not None and
                                  p.shape[:-2].is_fully_defined() and
                                  p.shape[:-2].as_tuple() == parts[0].shape[:-2].as_tuple()
                                  for p in parts):
        batch = A.shape(parts[0])[:-2]
        for p in parts[1:]:
            batch = broadcast_dynamic_shape(batch, A.shape(p)[:-2])
        parts = [broadcast_to(p, A.concat([batch, A.shape(p)[-2:]], 0)) for p in parts]
    return A.concat(parts, axis=-2)


def _product(values):
    out = values[0]
    for v in values[1:]:
        out = M.multiply(out, v)
    return out


def _total(values):
    out = values[0]
    for v in values[1:]:
        out = M.add(out, v)
    return out


# ------------------------------------------------------------------ block operators
class LinearOperatorBlockDiag(LinearOperator):
    """TF1 `tf.linalg.LinearOperatorBlockDiag`: square operators on the diagonal; every
    method works block by block."""

    def __init__(self, operators, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=True, name=None):
        parameters = arguments(locals())
        operators = list(operators)
        dtype = same_dtype(operators)
        is_non_singular, is_self_adjoint, is_positive_definite = _implied_hints(
            operators, "direct sum", is_non_singular, is_self_adjoint, is_positive_definite)
        if not is_square:
            raise ValueError("Only square block diagonal operators are supported (as TF1).")
        if any(op.is_square is False for op in operators):
            raise ValueError("Argument `operators` must contain square operators. "
                             f"Found: {operators}")
        self._operators = operators
        batch_shape_of(operators)
        super().__init__(dtype, None, is_non_singular, is_self_adjoint, is_positive_definite,
                         True, name or "_ds_".join(op.name for op in operators), parameters)

    @property
    def operators(self) -> list:
        return self._operators

    def _shape(self):
        dims = [dim_value(op.domain_dimension) for op in self._operators]
        n = None if None in dims else sum(dims)
        if any(op.shape.ndims is None for op in self._operators):
            return TensorShape(None)
        return batch_shape_of(self._operators).concatenate([n, n])

    def _block_sizes(self):
        return _sizes([dim_value(op.domain_dimension) for op in self._operators],
                      [op.domain_dimension_tensor() for op in self._operators])

    def _shape_tensor(self):
        n = _total([convert_to_tensor(np.int32(s)) if isinstance(s, int) else s
                    for s in self._block_sizes()])
        return A.concat([batch_shape_tensor_of(self._operators), A.stack([n, n])], 0)

    def _blockwise(self, method, x, adjoint, adjoint_arg):
        x = maybe_adjoint(x, adjoint_arg)
        parts = _split_rows(x, self._block_sizes())
        return _concat_rows([getattr(op, method)(p, adjoint=adjoint)
                             for op, p in zip(self._operators, parts)])

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        return self._blockwise("matmul", x, adjoint, adjoint_arg)

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        return self._blockwise("solve", rhs, adjoint, adjoint_arg)

    def _determinant(self):
        return _product([op.determinant() for op in self._operators])

    def _log_abs_determinant(self):
        return _total([op.log_abs_determinant() for op in self._operators])

    def _trace(self):
        return _total([op.trace() for op in self._operators])

    def _diag_part(self):
        parts = [op.diag_part() for op in self._operators]
        return A.squeeze(_concat_rows([A.expand_dims(p, -1) for p in parts]), [-1])

    def _eigvals(self):
        parts = [op.eigvals() for op in self._operators]
        return A.squeeze(_concat_rows([A.expand_dims(p, -1) for p in parts]), [-1])

    def _to_dense(self):
        sizes = self._block_sizes()
        rows = []
        for i, op in enumerate(self._operators):
            block = op.to_dense()
            before = sum(sizes[:i]) if i else 0
            after = sum(sizes[i + 1:]) if i + 1 < len(sizes) else 0
            rows.append(_pad_columns(block, before, after))
        return _concat_rows(rows)

    def _assert_non_singular(self):
        return [op.assert_non_singular() for op in self._operators]

    def _assert_self_adjoint(self):
        return [op.assert_self_adjoint() for op in self._operators]

    def _assert_positive_definite(self):
        return [op.assert_positive_definite() for op in self._operators]

    def _linop_adjoint(self):
        return LinearOperatorBlockDiag([op.adjoint() for op in self._operators],
                                       is_non_singular=self.is_non_singular,
                                       is_self_adjoint=self.is_self_adjoint,
                                       is_positive_definite=self.is_positive_definite)

    def _linop_inverse(self):
        return LinearOperatorBlockDiag([op.inverse() for op in self._operators],
                                       is_non_singular=self.is_non_singular,
                                       is_self_adjoint=self.is_self_adjoint,
                                       is_positive_definite=self.is_positive_definite)

    def _linop_cholesky(self):
        return LinearOperatorBlockDiag([op.cholesky() for op in self._operators],
                                       is_non_singular=True, is_self_adjoint=None,
                                       is_square=True)


def _pad_columns(block, before, after):
    """block [..., M, N] with `before` zero columns to its left and `after` to its right
    (ints or int32 tensors)."""
    rank = block.shape.ndims
    if rank is None:
        raise ValueError(f"the blocks of a block operator need a known rank, got "
                         f"'{block.name}' of unknown rank")
    if isinstance(before, int) and isinstance(after, int):
        return pad(block, [[0, 0]] * (rank - 1) + [[before, after]])
    lead = A.shape(block)[:-1]           # (sizes known at run time: zero blocks, no Pad)
    left, right = (zeros(A.concat([lead, convert_to_tensor(n, dtype=dt.int32)[None]], 0),
                         dtype=block.dtype) for n in (before, after))
    return A.concat([left, block, right], axis=-1)


class LinearOperatorBlockLowerTriangular(LinearOperator):
    """TF1 `tf.linalg.LinearOperatorBlockLowerTriangular`: `operators` is the list of
    block rows, row i holding [A_i0, ..., A_ii] with A_ii square; solves by forward (or,
    for the adjoint, backward) block substitution."""

    def __init__(self, operators, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None,
                 name="LinearOperatorBlockLowerTriangular"):
        parameters = arguments(locals())
        rows = [list(row) for row in operators]
        if not rows:
            raise ValueError(f"Argument `operators` must be a list of >=1 operators. "
                             f"Received: {operators}.")
        for i, row in enumerate(rows):
            if len(row) != i + 1:
                raise ValueError(f"Argument `operators[{i}]` must contain `{i + 1}` blocks. "
                                 f"Received: {len(row)} blocks.")
        flat = [op for row in rows for op in row]
        dtype = same_dtype(flat)
        diagonal = [row[-1] for row in rows]
        if any(op.is_square is False for op in diagonal):
            raise ValueError("Argument `operators` must contain square operators on the "
                             "diagonal.")
        is_non_singular = implied_hint(diagonal, "is_non_singular", is_non_singular,
                                       "A blockwise lower-triangular operator with "
                                       "non-singular operators on the main diagonal is "
                                       "always non-singular.")
        if is_square is False:
            raise ValueError("Only square blockwise lower-triangular operators are "
                             "supported (as TF1).")
        self._rows, self._diagonal = rows, diagonal
        batch_shape_of(flat)
        super().__init__(dtype, None, is_non_singular, is_self_adjoint, is_positive_definite,
                         True, name, parameters)

    @property
    def operators(self) -> list:
        return self._rows

    def _block_sizes(self):
        return _sizes([dim_value(op.domain_dimension) for op in self._diagonal],
                      [op.domain_dimension_tensor() for op in self._diagonal])

    def _shape(self):
        flat = [op for row in self._rows for op in row]
        dims = [dim_value(op.domain_dimension) for op in self._diagonal]
        if any(op.shape.ndims is None for op in flat):
            return TensorShape(None)
        n = None if None in dims else sum(dims)
        return batch_shape_of(flat).concatenate([n, n])

    def _shape_tensor(self):
        n = _total([convert_to_tensor(np.int32(s)) if isinstance(s, int) else s
                    for s in self._block_sizes()])
        flat = [op for row in self._rows for op in row]
        return A.concat([batch_shape_tensor_of(flat), A.stack([n, n])], 0)

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        parts = _split_rows(maybe_adjoint(x, adjoint_arg), self._block_sizes())
        n = len(self._rows)
        if adjoint:    # y_j = sum_{i >= j} A_ij^H x_i
            out = [_total([self._rows[i][j].matmul(parts[i], adjoint=True)
                           for i in range(j, n)]) for j in range(n)]
        else:          # y_i = sum_{j <= i} A_ij x_j
            out = [_total([self._rows[i][j].matmul(parts[j]) for j in range(i + 1)])
                   for i in range(n)]
        return _concat_rows(out)

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        parts = _split_rows(maybe_adjoint(rhs, adjoint_arg), self._block_sizes())
        n = len(self._rows)
        x = [None] * n
        order = range(n - 1, -1, -1) if adjoint else range(n)
        for i in order:
            b = parts[i]
            known = range(i + 1, n) if adjoint else range(i)
            for j in known:
                term = self._rows[j][i].matmul(x[j], adjoint=True) if adjoint \
                    else self._rows[i][j].matmul(x[j])
                b = M.subtract(b, term)
            x[i] = self._diagonal[i].solve(b, adjoint=adjoint)
        return _concat_rows(x)

    def _determinant(self):
        return _product([op.determinant() for op in self._diagonal])

    def _log_abs_determinant(self):
        return _total([op.log_abs_determinant() for op in self._diagonal])

    def _trace(self):
        return _total([op.trace() for op in self._diagonal])

    def _diag_part(self):
        parts = [A.expand_dims(op.diag_part(), -1) for op in self._diagonal]
        return A.squeeze(_concat_rows(parts), [-1])

    def _to_dense(self):
        sizes = self._block_sizes()
        rows = []
        for row in self._rows:
            blocks = _concat_rows([_adjoint(b.to_dense()) for b in row])   # [.., cols, r]
            after = sum(sizes[len(row):]) if len(row) < len(sizes) else 0
            rows.append(_pad_columns(_adjoint(blocks), 0, after))
        return _concat_rows(rows)

    def _assert_non_singular(self):
        return [op.assert_non_singular() for op in self._diagonal]

    def _linop_inverse(self):
        return super()._linop_inverse()


class LinearOperatorTridiag(LinearOperator):
    """TF1 `tf.linalg.LinearOperatorTridiag`: the tridiagonal matrix of `diagonals` in
    tf.linalg.tridiagonal_matmul's formats ("compact" [..., 3, N], "sequence", "matrix");
    products and solves on its banded matrix (as graphc's tridiagonal_matmul and
    tridiagonal_solve)."""

    def __init__(self, diagonals, diagonals_format="compact", is_non_singular=None,
                 is_self_adjoint=None, is_positive_definite=None, is_square=None,
                 name="LinearOperatorTridiag"):
        parameters = arguments(locals())
        if diagonals_format not in ("compact", "matrix", "sequence"):
            raise ValueError(f"Argument `diagonals_format` must be one of compact, matrix, "
                             f"sequence. Received : {diagonals_format}.")
        if is_square is False:
            raise ValueError("Only square tridiagonal operators currently supported.")
        with name_scope(name):
            if diagonals_format == "sequence":
                self._diagonals = [convert_to_tensor(d, name=f"diag_{i}")
                                   for i, d in enumerate(diagonals)]
                dtype = self._diagonals[0].dtype
            else:
                self._diagonals = convert_to_tensor(diagonals, name="diagonals")
                dtype = self._diagonals.dtype
            self._format = diagonals_format
            self._matrix = banded_tridiagonal(self._diagonals, diagonals_format)
            check_float_or_complex(self._matrix, "diagonals")
        super().__init__(dtype, None, is_non_singular, is_self_adjoint, is_positive_definite,
                         True, name, parameters)

    @property
    def diagonals(self):
        return self._diagonals

    @property
    def diagonals_format(self) -> str:
        return self._format

    def _shape(self):
        return self._matrix.shape

    def _shape_tensor(self):
        return A.shape(self._matrix)

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        return MM.matmul(self._matrix, x, adjoint_a=adjoint, adjoint_b=adjoint_arg)

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        return solve_with_broadcast(self._matrix, maybe_adjoint(rhs, adjoint_arg), adjoint)

    def _to_dense(self):
        return self._matrix

    def _diag_part(self):
        return matrix_diag_part(self._matrix)

    def _assert_self_adjoint(self):
        return assert_equal(self._matrix, _adjoint(self._matrix),
                            message="Matrix was not equal to its adjoint.")


class LinearOperatorHouseholder(LinearOperator):
    """TF1 `tf.linalg.LinearOperatorHouseholder`: the reflection I - 2 v v^H / |v|^2 about
    the hyperplane orthogonal to reflection_axis v [..., N]: self-adjoint, its own
    inverse, determinant -1."""

    def __init__(self, reflection_axis, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None,
                 name="LinearOperatorHouseholder"):
        parameters = arguments(locals())
        with name_scope(name):
            self._axis = convert_to_tensor(reflection_axis, name="reflection_axis")
            check_float_or_complex(self._axis, "reflection_axis")
            if self._axis.shape.ndims is not None and self._axis.shape.ndims < 1:
                raise ValueError(f"Argument reflection_axis must have at least 1 dimension.  "
                                 f"Found: {self._axis}")
            if is_self_adjoint is False:
                raise ValueError("A Householder operator is always self adjoint.")
            if is_positive_definite is True:
                raise ValueError("A Householder operator is always non-positive definite.")
            if is_square is False:
                raise ValueError("A Householder operator is always square.")
        super().__init__(self._axis.dtype, None, is_non_singular, True, False, True, name,
                         parameters)

    @property
    def reflection_axis(self):
        return self._axis

    def _shape(self):
        s = self._axis.shape
        return s.concatenate(s[-1:]) if s.ndims is not None else s

    def _shape_tensor(self):
        s = A.shape(self._axis)
        return A.concat([s, s[-1:]], 0)

    def _unit(self):
        return A.expand_dims(l2_normalize(self._axis, axis=-1), -1)

    def _assert_non_singular(self):
        return no_op("assert_non_singular")

    def _assert_positive_definite(self):
        raise ValueError("Householder operators are always non-positive definite.")

    def _assert_self_adjoint(self):
        return no_op("assert_self_adjoint")

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        x = maybe_adjoint(x, adjoint_arg)
        v = self._unit()
        return M.subtract(x, M.multiply(M.multiply(np.asarray(2, self.dtype.np), v),
                                        MM.matmul(v, x, adjoint_a=True)))

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        return self._matmul(rhs, adjoint, adjoint_arg)

    def _trace(self):
        return M.multiply(M.cast(self.domain_dimension_tensor() - 2, self.dtype),
                          ones(self.batch_shape_tensor(), dtype=self.dtype))

    def _determinant(self):
        return M.negative(ones(self.batch_shape_tensor(), dtype=self.dtype))

    def _log_abs_determinant(self):
        return zeros(self.batch_shape_tensor(), dtype=self.dtype)

    def _to_dense(self):
        v = self._unit()
        m = M.multiply(np.asarray(-2, self.dtype.np), MM.matmul(v, v, adjoint_b=True))
        return matrix_set_diag(m, M.add(np.asarray(1, self.dtype.np), matrix_diag_part(m)))

    def _diag_part(self):
        v = l2_normalize(self._axis, axis=-1)
        vv = M.multiply(v, conj(v)) if self.dtype.is_complex else M.multiply(v, v)
        return M.subtract(np.asarray(1, self.dtype.np),
                          M.multiply(np.asarray(2, self.dtype.np), vv))

    def _eigvals(self):
        s = A.shape(self._axis)
        minus = M.negative(ones(A.concat([s[:-1], [1]], 0), dtype=self.dtype))
        return A.concat([minus, ones(A.concat([s[:-1], s[-1:] - 1], 0), dtype=self.dtype)],
                        axis=-1)

    def _cond(self):
        return ones(self.batch_shape_tensor(), dtype=self.dtype)

    def _linop_adjoint(self):
        return self

    def _linop_inverse(self):
        return self


# ------------------------------------------------------------------ Kronecker products
def _kron_dense(a, b):
    """The Kronecker product of two batches of matrices."""
    sa, sb = A.shape(a), A.shape(b)
    product = M.multiply(a[..., :, None, :, None], b[..., None, :, None, :])
    batch = A.shape(product)[:-4]
    return A.reshape(product, A.concat([batch, A.stack([sa[-2] * sb[-2],
                                                        sa[-1] * sb[-1]])], 0))


class LinearOperatorKronecker(LinearOperator):
    """TF1 `tf.linalg.LinearOperatorKronecker`: A1 (x) A2 (x) ... (x) An, applied factor
    by factor on the reshaped argument (never formed); determinant
    prod det(A_i)^(N / n_i), trace and eigenvalues the products of the factors'."""

    def __init__(self, operators, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None, name=None):
        parameters = arguments(locals())
        operators = list(operators)
        dtype = same_dtype(operators)
        is_non_singular, is_self_adjoint, is_positive_definite = _implied_hints(
            operators, "Kronecker product", is_non_singular, is_self_adjoint,
            is_positive_definite)
        self._operators = operators
        batch_shape_of(operators)
        super().__init__(dtype, None, is_non_singular, is_self_adjoint, is_positive_definite,
                         is_square, name or "_x_".join(op.name for op in operators),
                         parameters)

    @property
    def operators(self) -> list:
        return self._operators

    def _shape(self):
        if any(op.shape.ndims is None for op in self._operators):
            return TensorShape(None)
        rows = [dim_value(op.range_dimension) for op in self._operators]
        cols = [dim_value(op.domain_dimension) for op in self._operators]
        m = None if None in rows else int(np.prod(rows))
        n = None if None in cols else int(np.prod(cols))
        return batch_shape_of(self._operators).concatenate([m, n])

    def _shape_tensor(self):
        m = R.reduce_prod(A.stack([op.range_dimension_tensor() for op in self._operators]))
        n = R.reduce_prod(A.stack([op.domain_dimension_tensor() for op in self._operators]))
        return A.concat([batch_shape_tensor_of(self._operators), A.stack([m, n])], 0)

    def _apply(self, operators, x, method, adjoint):
        """(op_1 (x) rest) x for x [..., n_1 * n_rest, R], one factor at a time."""
        if len(operators) == 1:
            return getattr(operators[0], method)(x, adjoint=adjoint)
        first, rest = operators[0], operators[1:]
        n1 = (first.range_dimension_tensor() if adjoint and method == "matmul"
              else first.domain_dimension_tensor())
        rank = x.shape.ndims
        if rank is None:
            raise ValueError("LinearOperatorKronecker needs an argument of known rank")
        s = A.shape(x)
        r = s[-1]
        batch = s[:-2]
        # [..., n1, n_rest * R]: the first factor acts on the leading index
        y = getattr(first, method)(A.reshape(x, A.concat([batch, A.stack([n1, -1])], 0)),
                                   adjoint=adjoint)
        m1 = A.shape(y)[-2]
        batch = A.shape(y)[:-2]
        y = A.reshape(y, A.concat([batch, A.stack([m1, -1, r])], 0))      # [.., m1, nr, R]
        perm = list(range(rank - 2))
        y = A.transpose(y, perm + [rank - 1, rank - 2, rank])           # [.., nr, m1, R]
        y = A.reshape(y, A.concat([batch, A.stack([A.shape(y)[-3], m1 * r])], 0))
        y = self._apply(rest, y, method, adjoint)                        # [.., mr, m1 R]
        mr = A.shape(y)[-2]
        batch = A.shape(y)[:-2]
        y = A.reshape(y, A.concat([batch, A.stack([mr, m1, r])], 0))
        y = A.transpose(y, perm + [rank - 1, rank - 2, rank])           # [.., m1, mr, R]
        return A.reshape(y, A.concat([batch, A.stack([m1 * mr, r])], 0))

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        return self._apply(self._operators, maybe_adjoint(x, adjoint_arg), "matmul", adjoint)

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        return self._apply(self._operators, maybe_adjoint(rhs, adjoint_arg), "solve",
                           adjoint)

    def _powers(self):
        n = M.cast(self.domain_dimension_tensor(), self.dtype.real_dtype)
        return [M.divide(n, M.cast(op.domain_dimension_tensor(), self.dtype.real_dtype))
                for op in self._operators]

    def _determinant(self):
        return _product([M.pow(op.determinant(), M.cast(p, self.dtype))
                         for op, p in zip(self._operators, self._powers())])

    def _log_abs_determinant(self):
        return _total([M.multiply(op.log_abs_determinant(), M.cast(p, self.dtype))
                       for op, p in zip(self._operators, self._powers())])

    def _trace(self):
        return _product([op.trace() for op in self._operators])

    def _outer(self, vectors):
        out = vectors[0]
        for v in vectors[1:]:
            product = M.multiply(A.expand_dims(out, -1), A.expand_dims(v, -2))
            out = A.reshape(product, A.concat([A.shape(product)[:-2], [-1]], 0))
        return out

    def _diag_part(self):
        return self._outer([op.diag_part() for op in self._operators])

    def _eigvals(self):
        return self._outer([op.eigvals() for op in self._operators])

    def _to_dense(self):
        product = self._operators[0].to_dense()
        for op in self._operators[1:]:
            product = _kron_dense(product, op.to_dense())
        return product

    def _assert_non_singular(self):
        return [op.assert_non_singular() for op in self._operators]

    def _assert_self_adjoint(self):
        return [op.assert_self_adjoint() for op in self._operators]

    def _linop_adjoint(self):
        return LinearOperatorKronecker([op.adjoint() for op in self._operators],
                                       is_non_singular=self.is_non_singular,
                                       is_self_adjoint=self.is_self_adjoint,
                                       is_positive_definite=self.is_positive_definite,
                                       is_square=self.is_square)

    def _linop_inverse(self):
        return LinearOperatorKronecker([op.inverse() for op in self._operators],
                                       is_non_singular=self.is_non_singular,
                                       is_self_adjoint=self.is_self_adjoint,
                                       is_positive_definite=self.is_positive_definite,
                                       is_square=self.is_square)

    def _linop_cholesky(self):
        return LinearOperatorKronecker([op.cholesky() for op in self._operators],
                                       is_non_singular=True, is_square=True)


# ------------------------------------------------------------------ low-rank updates
class LinearOperatorLowRankUpdate(LinearOperator):
    """TF1 `tf.linalg.LinearOperatorLowRankUpdate`: L + U D V^H with D = diag(diag_update)
    (I by default) and V = U by default; solves by Woodbury's identity and determinants by
    the matrix determinant lemma, through the K x K capacitance D^-1 + V^H L^-1 U
    (Cholesky when the hints say it is self-adjoint positive definite)."""

    def __init__(self, base_operator, u, diag_update=None, v=None,
                 is_diag_update_positive=None, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None,
                 name="LinearOperatorLowRankUpdate"):
        parameters = arguments(locals())
        dtype = base_operator.dtype
        if diag_update is None:
            if is_diag_update_positive is False:
                raise ValueError("Default diagonal is the identity, which is positive.  "
                                 "However, user set 'is_diag_update_positive' to False.")
            is_diag_update_positive = True
        self._use_cholesky = bool(base_operator.is_positive_definite and
                                  base_operator.is_self_adjoint and is_diag_update_positive
                                  and v is None)
        if base_operator.is_self_adjoint and v is None and not dtype.is_complex:
            if is_self_adjoint is False:
                raise ValueError("A = L + UDU^H, with L self-adjoint and D real diagonal.  "
                                 "Since UDU^H is self-adjoint, this must be a self-adjoint "
                                 "operator.")
            is_self_adjoint = True
        if self._use_cholesky:
            if is_positive_definite is False or is_self_adjoint is False or \
                    is_non_singular is False:
                raise ValueError("Arguments imply this is self-adjoint positive-definite "
                                 "operator.")
            is_positive_definite, is_self_adjoint = True, True
        with name_scope(name):
            self._u = convert_to_tensor(u, name="u", dtype=dtype)
            self._v = self._u if v is None else convert_to_tensor(v, name="v", dtype=dtype)
            self._diag_update = None if diag_update is None else convert_to_tensor(
                diag_update, name="diag_update", dtype=dtype)
            self._base_operator = base_operator
        super().__init__(dtype, None, is_non_singular, is_self_adjoint, is_positive_definite,
                         is_square, name, parameters)
        with name_scope(name):
            if self._diag_update is not None:
                self._diag_operator = LinearOperatorDiag(
                    self._diag_update, is_positive_definite=is_diag_update_positive)
            else:
                k = dim_value(self._u.shape[-1]) if self._u.shape.ndims is not None else None
                self._diag_operator = LinearOperatorIdentity(
                    k if k is not None else A.shape(self._u)[-1], dtype=dtype)
        self._is_diag_update_positive = is_diag_update_positive
        d, r = dim_value(base_operator.domain_dimension), (
            dim_value(self._u.shape[-2]) if self._u.shape.ndims is not None else None)
        if d is not None and r is not None and d != r:
            raise ValueError(f"u {self._u.shape} does not match the base operator's domain "
                             f"dimension {d}")

    @property
    def u(self):
        return self._u

    @property
    def v(self):
        return self._v

    @property
    def is_diag_update_positive(self):
        return self._is_diag_update_positive

    @property
    def diag_update(self):
        return self._diag_update

    @property
    def diag_operator(self):
        return self._diag_operator

    @property
    def base_operator(self):
        return self._base_operator

    def _shape(self):
        batch = broadcast_static_shapes([self._base_operator.batch_shape,
                                         self._diag_operator.batch_shape,
                                         self._u.shape[:-2], self._v.shape[:-2]])
        if batch.ndims is None or self._base_operator.shape.ndims is None:
            return TensorShape(None)
        return batch.concatenate(self._base_operator.shape[-2:])

    def _shape_tensor(self):
        batch = broadcast_dynamic_shape(self._base_operator.batch_shape_tensor(),
                                        self._diag_operator.batch_shape_tensor())
        batch = broadcast_dynamic_shape(batch, A.shape(self._u)[:-2])
        batch = broadcast_dynamic_shape(batch, A.shape(self._v)[:-2])
        return A.concat([batch, self._base_operator.shape_tensor()[-2:]], 0)

    def _assert_self_adjoint(self):
        if self._u is self._v and self._diag_update is None:
            return self._base_operator.assert_self_adjoint()
        return super()._assert_self_adjoint()

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        u, v = (self._v, self._u) if adjoint else (self._u, self._v)
        leading = self._base_operator.matmul(x, adjoint=adjoint, adjoint_arg=adjoint_arg)
        vh_x = MM.matmul(v, x, adjoint_a=True, adjoint_b=adjoint_arg)
        return M.add(leading, MM.matmul(u, self._diag_operator.matmul(vh_x,
                                                                      adjoint=adjoint)))

    def _capacitance(self):
        """D^-1 + V^H L^-1 U."""
        linv_u = self._base_operator.solve(self._u)
        return self._diag_operator.inverse().add_to_tensor(
            MM.matmul(self._v, linv_u, adjoint_a=True))

    def _determinant(self):
        if self.is_positive_definite:
            return M.exp(self.log_abs_determinant())
        return M.multiply(M.multiply(matrix_determinant(self._capacitance()),
                                     self._diag_operator.determinant()),
                          self._base_operator.determinant())

    def _log_abs_determinant(self):
        lad_d = self._diag_operator.log_abs_determinant()
        lad_l = self._base_operator.log_abs_determinant()
        if self._use_cholesky:
            diag = matrix_diag_part(cholesky(self._capacitance()))
            lad_c = M.multiply(np.asarray(2, self.dtype.np), R.reduce_sum(M.log(diag), [-1]))
        else:
            lad_c = M.log(M.abs(matrix_determinant(self._capacitance())))
            if self.dtype.is_complex:
                lad_c = M.cast(lad_c, self.dtype)
        return M.add(M.add(lad_c, lad_d), lad_l)

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        if self._base_operator.is_non_singular is False:
            raise ValueError("Solve not implemented unless this is a perturbation of a "
                             "non-singular LinearOperator.")
        base = self._base_operator
        u, v = (self._v, self._u) if adjoint else (self._u, self._v)
        capacitance = self._capacitance()
        linv_rhs = base.solve(rhs, adjoint=adjoint, adjoint_arg=adjoint_arg)
        vh_linv_rhs = MM.matmul(v, linv_rhs, adjoint_a=True)
        if self._use_cholesky:
            chol, vh_linv_rhs = broadcast_batch(cholesky(capacitance), vh_linv_rhs)
            inner = cholesky_solve(chol, vh_linv_rhs)
        else:
            inner = solve_with_broadcast(capacitance, vh_linv_rhs, adjoint=adjoint)
        return M.subtract(linv_rhs, base.solve(MM.matmul(u, inner), adjoint=adjoint))


# ------------------------------------------------------------------ permutations
class LinearOperatorPermutation(LinearOperator):
    """TF1 `tf.linalg.LinearOperatorPermutation`: P with P x = x[perm] (row i of P has its
    1 in column perm[i]); products and solves are gathers."""

    def __init__(self, perm, dtype=dt.float32, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None, name="LinearOperatorPermutation"):
        parameters = arguments(locals())
        with name_scope(name):
            self._perm = convert_to_tensor(perm, name="perm", dtype_hint=dt.int32)
            if self._perm.shape.ndims is not None and self._perm.shape.ndims < 1:
                raise ValueError(f"Argument `perm` must have at least 1 dimension. "
                                 f"Received: {self._perm}.")
            if not self._perm.dtype.is_integer:
                raise TypeError(f"Argument `perm` must be integer dtype. Received: "
                                f"{self._perm}.")
            static = const_value(self._perm)
            if static is not None:
                static = np.asarray(static)
                if np.any(np.sort(static, axis=-1) != np.arange(static.shape[-1])):
                    raise ValueError(f"Argument `perm` must be a vector of unique integers "
                                     f"from 0 to {static.shape[-1] - 1}.")
            if is_non_singular is False:
                raise ValueError("A Permutation operator is always non-singular.")
            if is_square is False:
                raise ValueError("A Permutation operator is always square.")
        super().__init__(dtype, None, is_non_singular, is_self_adjoint, is_positive_definite,
                         True, name, parameters)

    @property
    def perm(self):
        return self._perm

    def _shape(self):
        s = self._perm.shape
        return s.concatenate(s[-1:]) if s.ndims is not None else s

    def _shape_tensor(self):
        s = A.shape(self._perm)
        return A.concat([s, s[-1:]], 0)

    def _assert_non_singular(self):
        return no_op("assert_non_singular")

    def _inverse_perm(self):
        """argsort(perm): the positions of 0..N-1 in perm."""
        return M.cast(argsort(self._perm, axis=-1), self._perm.dtype)

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        x = maybe_adjoint(x, adjoint_arg)
        perm = self._inverse_perm() if adjoint and not self.is_self_adjoint else self._perm
        if perm.shape.ndims == 1:
            return gather(x, perm, axis=-2 if x.shape.ndims is None else x.shape.ndims - 2)
        return MM.matmul(permutation_matrix(perm, x.dtype), x)

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        return self._matmul(rhs, adjoint=not adjoint, adjoint_arg=adjoint_arg)

    def _log_abs_determinant(self):
        return zeros(self.batch_shape_tensor(), dtype=self.dtype)

    def _to_dense(self):
        return permutation_matrix(self._perm, self.dtype)

    def _diag_part(self):
        n = A.shape(self._perm)[-1]
        return M.cast(M.equal(_range(0, n, dtype=self._perm.dtype), self._perm), self.dtype)

    def _cond(self):
        return ones(self.batch_shape_tensor(), dtype=self.dtype)


