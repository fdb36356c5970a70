"""TF1's circulant `tf.linalg.LinearOperator*` classes, on graphc/linear_operator.py's
base: [nested block] circulants F^H diag(spectrum) F (LinearOperatorCirculant,
Circulant2D, Circulant3D: products and solves through FFTs of the blockified columns, as
TF), and Toeplitz matrices (their product through a circulant embedding of twice the
size, as TF).
"""
from __future__ import annotations

import numpy as np

from .api import name_scope
from .debugging import assert_equal, assert_less, assert_positive
from .ir import dtypes as dt
from .ir.ops import array_ops as A, math_ops as M, reduce_ops as R
from .ir.ops import spectral_ops as F
from .ir.ops._base import convert_to_tensor
from .ir.ops.complex_ops import angle, complex as complex_, conj, imag, real
from .ir.ops.core_ops import no_op
from .ir.ops.generator_ops import ones, range as _range, zeros_like
from .ir.ops.partition_ops import broadcast_dynamic_shape
from .ir.ops.slicing_ops import gather
from .ir.ops.tile_pad_ops import broadcast_to, reverse
from .ir.shapes import TensorShape
from .linear_operator import (LinearOperator, arguments, broadcast_static_shapes,
                              check_float_or_complex, dim_value, maybe_adjoint)

__all__ = ["LinearOperatorCirculant", "LinearOperatorCirculant2D", "LinearOperatorCirculant3D",
           "LinearOperatorToeplitz"]


def _to_complex(x):
    if x.dtype.is_complex:
        return x
    return M.cast(x, dt.complex128 if x.dtype is dt.float64 else dt.complex64)


_FFT = {1: (F.fft, F.ifft), 2: (F.fft2d, F.ifft2d), 3: (F.fft3d, F.ifft3d)}


class _BaseCirculant(LinearOperator):
    """The [nested block] circulant operators: F^H diag(spectrum) F over the last
    `block_depth` dims of spectrum [..., N0(, N1(, N2))]."""

    _block_depth = 1

    def __init__(self, spectrum, input_output_dtype=dt.complex64, is_non_singular=None,
                 is_self_adjoint=None, is_positive_definite=None, is_square=True,
                 name="LinearOperatorCirculant"):
        parameters = arguments(locals())
        with name_scope(name):
            self._spectrum = convert_to_tensor(spectrum, name="spectrum")
            check_float_or_complex(self._spectrum, "spectrum")
            depth = self._block_depth
            if self._spectrum.shape.ndims is not None and self._spectrum.shape.ndims < depth:
                raise ValueError(f"Argument `spectrum` must have at least {depth} "
                                 f"dimensions. Received: {self._spectrum}.")
            if not self._spectrum.dtype.is_complex:
                if is_self_adjoint is False:
                    raise ValueError("A real spectrum always corresponds to a self-adjoint "
                                     "operator.")
                is_self_adjoint = True
            if is_square is False:
                raise ValueError("A [[nested] block] circulant operator is always square.")
        super().__init__(input_output_dtype, None, is_non_singular, is_self_adjoint,
                         is_positive_definite, True, name, parameters)

    @property
    def spectrum(self):
        return self._spectrum

    @property
    def block_depth(self) -> int:
        return self._block_depth

    @property
    def block_shape(self) -> TensorShape:
        return self._spectrum.shape[-self._block_depth:]

    def block_shape_tensor(self):
        return A.shape(self._spectrum)[-self._block_depth:]

    def _shape(self):
        s = self._spectrum.shape
        if s.ndims is None:
            return TensorShape(None)
        block = [dim_value(d) for d in s[-self._block_depth:]]
        n = None if None in block else int(np.prod(block))
        return s[:-self._block_depth].concatenate([n, n])

    def _shape_tensor(self):
        s = A.shape(self._spectrum)
        n = R.reduce_prod(s[-self._block_depth:])
        return A.concat([s[:-self._block_depth], A.stack([n, n])], 0)

    def convolution_kernel(self, name="convolution_kernel"):
        """The operator's first column, blockified: ifft(spectrum)."""
        with self._name_scope(name):
            return M.cast(_FFT[self._block_depth][1](_to_complex(self._spectrum)),
                          self.dtype)

    def assert_hermitian_spectrum(self, name="assert_hermitian_spectrum"):
        """An op that fails unless the spectrum is Hermitian (a real operator)."""
        eps = np.finfo(self.dtype.real_dtype.np).eps
        with self._name_scope(name):
            kernel = _FFT[self._block_depth][1](_to_complex(self._spectrum))
            max_err = M.multiply(np.asarray(eps, self.dtype.real_dtype.np),
                                 M.cast(self.domain_dimension_tensor(), self.dtype.real_dtype))
            return assert_less(M.abs(imag(kernel)), max_err,
                               message="Spectrum was not Hermitian")

    def _flat_spectrum(self):
        s = A.shape(self._spectrum)
        return A.reshape(self._spectrum, A.concat([s[:-self._block_depth], [-1]], 0))

    def _apply(self, x, adjoint, divide):
        """ifft(spectrum (or 1 / spectrum) * fft(x)) over the blockified columns of x."""
        spectrum = _to_complex(self._spectrum)
        if adjoint:
            spectrum = conj(spectrum)
        x = M.cast(x, spectrum.dtype) if x.dtype is not spectrum.dtype else x
        rank = x.shape.ndims
        if rank is None:
            raise ValueError("a circulant operator needs an argument of known rank")
        fft, ifft = _FFT[self._block_depth]
        cols = A.transpose(x, list(range(rank - 2)) + [rank - 1, rank - 2])   # [..., R, N]
        s = A.shape(cols)
        blocks = A.reshape(cols, A.concat([s[:-1], self.block_shape_tensor()], 0))
        spec = A.expand_dims(spectrum, -self._block_depth - 1)         # [..., 1, *block]
        transformed = fft(blocks)
        product = M.divide(transformed, spec) if divide else M.multiply(spec, transformed)
        y = A.reshape(ifft(product), A.concat([A.shape(product)[:-self._block_depth],
                                              [-1]], 0))
        y = A.transpose(y, list(range(rank - 2)) + [rank - 1, rank - 2])
        return M.cast(y, self.dtype) if y.dtype is not self.dtype else y

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        return self._apply(maybe_adjoint(x, adjoint_arg), adjoint, divide=False)

    def _solve(self, rhs, adjoint=False, adjoint_arg=False):
        return self._apply(maybe_adjoint(rhs, adjoint_arg), adjoint, divide=True)

    def _block_axes(self):
        return [-(i + 1) for i in range(self._block_depth)]

    def _determinant(self):
        spec, axes = self._spectrum, self._block_axes()
        if not spec.dtype.is_complex:
            return M.cast(R.reduce_prod(spec, axis=axes), self.dtype)
        # a complex product as |prod| e^(i sum of angles) (Prod takes no complex input)
        size = R.reduce_sum(M.log(M.abs(spec)), axis=axes)
        phase = R.reduce_sum(angle(spec), axis=axes)
        magnitude = M.exp(size)
        det = complex_(M.multiply(magnitude, M.cos(phase)),
                       M.multiply(magnitude, M.sin(phase)))
        return M.cast(det, self.dtype)

    def _log_abs_determinant(self):
        lad = R.reduce_sum(M.log(M.abs(self._spectrum)), axis=self._block_axes())
        return M.cast(lad, self.dtype)

    def _trace(self):
        spec = self._spectrum
        re = R.reduce_sum(real(spec) if spec.dtype.is_complex else spec,
                          axis=self._block_axes())
        if not self.dtype.is_complex:
            return M.cast(re, self.dtype)
        if self.is_self_adjoint or not spec.dtype.is_complex:
            im = zeros_like(re)
        else:
            im = R.reduce_sum(imag(spec), axis=self._block_axes())
        return M.cast(complex_(re, im), self.dtype)

    def _diag_part(self):
        n = self.domain_dimension_tensor()
        value = M.divide(self.trace(), M.cast(n, self.dtype))
        return M.multiply(A.expand_dims(value, -1),
                          ones(A.concat([self.batch_shape_tensor(), n[None]], 0),
                               dtype=self.dtype))

    def _to_dense(self):
        # column j of a circulant is its first column rolled by j: A x for x = I
        return super()._to_dense()

    def _eigvals(self):
        return M.cast(self._flat_spectrum(), self.dtype) if not self.dtype.is_complex \
            else _to_complex(self._flat_spectrum())

    def _cond(self):
        a = M.abs(self._flat_spectrum())
        return M.divide(R.reduce_max(a, axis=-1), R.reduce_min(a, axis=-1))

    def _assert_non_singular(self):
        return assert_positive(M.abs(self._spectrum), message="Singular operator:  "
                               "Spectrum contained zero values.")

    def _assert_positive_definite(self):
        spec = real(self._spectrum) if self._spectrum.dtype.is_complex else self._spectrum
        return assert_positive(spec, message="Not positive definite:  Real part of spectrum "
                               "was not all positive.")

    def _assert_self_adjoint(self):
        if not self._spectrum.dtype.is_complex:
            return no_op("assert_self_adjoint")
        im = imag(self._spectrum)
        return assert_equal(im, zeros_like(im), message="Not self-adjoint:  The spectrum "
                            "contained non-zero imaginary part.")

    def _same_kind(self, spectrum, **hints):
        return type(self)(spectrum, input_output_dtype=self.dtype, is_square=True, **hints)

    def _linop_adjoint(self):
        spec = conj(self._spectrum) if self._spectrum.dtype.is_complex else self._spectrum
        return self._same_kind(spec, is_non_singular=self.is_non_singular,
                               is_self_adjoint=self.is_self_adjoint,
                               is_positive_definite=self.is_positive_definite)

    def _linop_inverse(self):
        return self._same_kind(M.reciprocal(self._spectrum),
                               is_non_singular=self.is_non_singular,
                               is_self_adjoint=self.is_self_adjoint,
                               is_positive_definite=self.is_positive_definite)


class LinearOperatorCirculant(_BaseCirculant):
    """TF1 `tf.linalg.LinearOperatorCirculant`: the circulant matrix with eigenvalues
    `spectrum` [..., N] (its DFT); inputs and outputs of `input_output_dtype`."""

    _block_depth = 1

    def __init__(self, spectrum, input_output_dtype=dt.complex64, is_non_singular=None,
                 is_self_adjoint=None, is_positive_definite=None, is_square=True,
                 name="LinearOperatorCirculant"):
        super().__init__(spectrum, input_output_dtype, is_non_singular, is_self_adjoint,
                         is_positive_definite, is_square, name)


class LinearOperatorCirculant2D(_BaseCirculant):
    """TF1 `tf.linalg.LinearOperatorCirculant2D`: block circulant with circulant blocks,
    spectrum [..., N0, N1] (its 2-D DFT)."""

    _block_depth = 2

    def __init__(self, spectrum, input_output_dtype=dt.complex64, is_non_singular=None,
                 is_self_adjoint=None, is_positive_definite=None, is_square=True,
                 name="LinearOperatorCirculant2D"):
        super().__init__(spectrum, input_output_dtype, is_non_singular, is_self_adjoint,
                         is_positive_definite, is_square, name)


class LinearOperatorCirculant3D(_BaseCirculant):
    """TF1 `tf.linalg.LinearOperatorCirculant3D`: doubly nested block circulant, spectrum
    [..., N0, N1, N2] (its 3-D DFT)."""

    _block_depth = 3

    def __init__(self, spectrum, input_output_dtype=dt.complex64, is_non_singular=None,
                 is_self_adjoint=None, is_positive_definite=None, is_square=True,
                 name="LinearOperatorCirculant3D"):
        super().__init__(spectrum, input_output_dtype, is_non_singular, is_self_adjoint,
                         is_positive_definite, is_square, name)


class LinearOperatorToeplitz(LinearOperator):
    """TF1 `tf.linalg.LinearOperatorToeplitz`: first column `col`, first row `row`
    (row[0] is taken to equal col[0]); its product embeds it in a circulant of size 2N."""

    def __init__(self, col, row, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None, name="LinearOperatorToeplitz"):
        parameters = arguments(locals())
        with name_scope(name):
            self._row = convert_to_tensor(row, name="row")
            self._col = convert_to_tensor(col, name="col", dtype=self._row.dtype)
            check_float_or_complex(self._row, "row")
            for what, t in (("row", self._row), ("col", self._col)):
                if t.shape.ndims is not None and t.shape.ndims < 1:
                    raise ValueError(f"Argument {what} must have at least 1 dimension.  "
                                     f"Found: {t}")
            r, c = dim_value(self._row.shape[-1]), dim_value(self._col.shape[-1])
            if r is not None and c is not None and r != c:
                raise ValueError("Expected square matrix, got row and col with mismatched "
                                 "dimensions.")
            if is_square is False:
                raise ValueError("Only square Toeplitz operators currently supported.")
        super().__init__(self._row.dtype, None, is_non_singular, is_self_adjoint,
                         is_positive_definite, True, name, parameters)

    @property
    def col(self):
        return self._col

    @property
    def row(self):
        return self._row

    def _shape(self):
        v = broadcast_static_shapes([self._row.shape, self._col.shape])
        return v.concatenate(v[-1:]) if v.ndims is not None else v

    def _shape_tensor(self):
        v = broadcast_dynamic_shape(A.shape(self._row), A.shape(self._col))
        return A.concat([v, v[-1:]], 0)

    def _assert_self_adjoint(self):
        return assert_equal(self._row, self._col, message="row and col are not the same, "
                            "and so this operator is not self-adjoint.")

    def _matmul(self, x, adjoint=False, adjoint_arg=False):
        x = maybe_adjoint(x, adjoint_arg)
        expanded = A.concat([x, zeros_like(x)], axis=-2)
        circulant_col = A.concat([self._col, zeros_like(self._col[..., 0:1]),
                                  reverse(self._row[..., 1:], [-1])], axis=-1)
        circulant = LinearOperatorCirculant(F.fft(_to_complex(circulant_col)),
                                            input_output_dtype=self.dtype)
        result = circulant.matmul(expanded, adjoint=adjoint)
        return result[..., :self.domain_dimension_tensor(), :]

    def _trace(self):
        return M.multiply(M.cast(self.domain_dimension_tensor(), self.dtype),
                          self._col[..., 0])

    def _diag_part(self):
        return M.multiply(self._col[..., 0:1],
                          ones(self.domain_dimension_tensor()[None], dtype=self.dtype))

    def _to_dense(self):
        total = broadcast_dynamic_shape(A.shape(self._row), A.shape(self._col))
        n = A.shape(self._row)[-1]
        row, col = broadcast_to(self._row, total), broadcast_to(self._col, total)
        elements = A.concat([reverse(col, [-1]), row[..., 1:]], axis=-1)
        indices = M.floormod(M.add(_range(0, n), A.expand_dims(_range(n - 1, -1, -1), -1)),
                             2 * n - 1)
        return gather(elements, indices, axis=-1)
