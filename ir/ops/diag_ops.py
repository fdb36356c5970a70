"""Bands and diagonals of matrices (TF1's names and semantics).

`matrix_band_part` keeps a band (a negative bound keeps the whole triangle);
`diag`/`diag_part` are TF1's tensor diagonals (rank k <-> rank 2k); `matrix_diag`,
`matrix_diag_part` and `matrix_set_diag` work on the last two axes, for one diagonal
`k` (0 the main one, > 0 above, < 0 below; a (lo, hi) band of diagonals is not
supported), with TF's rules for the number of rows and columns of `matrix_diag`. `trace`,
`eye` and `adjoint` are compositions. Gradients are TF1's: the matching diagonal or band.
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from .. import dtypes as dt
from ..errors import InvalidArgumentError
from ..shapes import TensorShape
from ._base import (apply, check_dtype, const_value, convert_to_tensor, defop, graph_of,
                    only_default)
from .array_ops import INDEX_DTYPES, concat, shape, transpose
from .math_ops import minimum
from .reduce_ops import reduce_sum
from .generator_ops import ones, zeros_like

__all__ = ["matrix_band_part", "diag", "diag_part", "matrix_diag", "matrix_diag_part",
           "matrix_set_diag", "trace", "eye", "adjoint"]

def _scalar(t) -> Optional[int]:
    v = const_value(t)
    return None if v is None else int(v)


def _matrix_dims(op, x, what="input"):
    dims = x.shape.as_tuple()
    if dims is not None and len(dims) < 2:
        raise ValueError(f"{what} '{x.name}' must be at least rank 2, got shape {x.shape}")
    return dims


# ------------------------------------------------------------------ MatrixBandPart
def _band_mask(m: int, n: int, lower: int, upper: int) -> np.ndarray:
    i = np.arange(m)[:, None]
    j = np.arange(n)[None, :]
    return ((lower < 0) | (i - j <= lower)) & ((upper < 0) | (j - i <= upper))


def _band_infer(op):
    x, lower, upper = op.inputs
    _matrix_dims(op, x)
    check_dtype(op, lower, INDEX_DTYPES, "num_lower")
    check_dtype(op, upper, INDEX_DTYPES, "num_upper")
    return [(x.dtype, x.shape)]


def _band_compute(x, lower, upper):
    if x.ndim < 2:
        raise InvalidArgumentError(None, None, f"input must be at least 2-dim, received "
                                   f"shape: {list(x.shape)}")
    m, n = x.shape[-2:]
    lower, upper = int(lower), int(upper)
    if lower > m:
        raise InvalidArgumentError(None, None, f"num_lower must be negative or less or "
                                   f"equal to number of rows ({m}) got: {lower}")
    if upper > n:
        raise InvalidArgumentError(None, None, f"num_upper must be negative or less or "
                                   f"equal to number of columns ({n}) got: {upper}")
    return np.where(_band_mask(m, n, lower, upper), x, np.zeros((), x.dtype))


defop("MatrixBandPart", _band_infer, _band_compute,
      lambda op, grads: [apply("MatrixBandPart", (grads[0],) + tuple(op.inputs[1:])), None,
                         None], family="array")


def matrix_band_part(input, num_lower, num_upper, name: Optional[str] = None):  # noqa: A002
    """TF1 `tf.linalg.band_part`: entries (i, j) of each matrix with i - j <= num_lower and
    j - i <= num_upper kept, the others 0 (a negative bound: the whole triangle)."""
    x = convert_to_tensor(input, name="input")
    lo = convert_to_tensor(num_lower, name="num_lower", dtype_hint=dt.int64)
    hi = convert_to_tensor(num_upper, name="num_upper", dtype=lo.dtype)
    return apply("MatrixBandPart", (x, lo, hi), name=name or "MatrixBandPart")


# ------------------------------------------------------------------ Diag, DiagPart
def _diag_infer(op):
    x = op.inputs[0]
    dims = x.shape.as_tuple()
    if dims is not None and not dims:
        raise ValueError(f"Diag: input '{x.name}' must be at least rank 1")
    return [(x.dtype, TensorShape(None) if dims is None else TensorShape(dims + dims))]


def _diag_compute(x):
    if x.ndim == 0:
        raise InvalidArgumentError(None, None, "Input must be at least rank 1, got 0")
    out = np.zeros(x.shape + x.shape, dtype=x.dtype)
    flat = out.reshape(x.size, x.size)
    flat[np.arange(x.size), np.arange(x.size)] = x.reshape(-1)
    return out


def _diag_part_infer(op):
    x = op.inputs[0]
    dims = x.shape.as_tuple()
    if dims is None:
        return [(x.dtype, TensorShape(None))]
    if not dims or len(dims) % 2:
        raise ValueError(f"DiagPart: input '{x.name}' must have an even, nonzero rank, got "
                         f"shape {x.shape}")
    half = len(dims) // 2
    if not x.shape[:half].is_compatible_with(x.shape[half:]):
        raise ValueError(f"DiagPart: the two halves of '{x.name}''s shape {x.shape} differ")
    return [(x.dtype, x.shape[:half].merge_with(x.shape[half:]))]


def _diag_part_compute(x):
    half = x.ndim // 2
    if not x.ndim or x.ndim % 2 or x.shape[:half] != x.shape[half:]:
        raise InvalidArgumentError(None, None, f"Invalid shape {list(x.shape)}: dimensions "
                                   "i and i + rank/2 must be equal")
    size = int(np.prod(x.shape[:half]))
    return x.reshape(size, size)[np.arange(size), np.arange(size)].reshape(x.shape[:half])


defop("Diag", _diag_infer, _diag_compute,
      lambda op, grads: [apply("DiagPart", (grads[0],))], family="array")
defop("DiagPart", _diag_part_infer, _diag_part_compute,
      lambda op, grads: [apply("Diag", (grads[0],))], family="array")


def diag(diagonal, name: Optional[str] = None):
    """TF1 `tf.diag` (`tf.linalg.tensor_diag`): a tensor of rank 2k with `diagonal` (rank
    k) on its diagonal, out[i1..ik, i1..ik] = diagonal[i1..ik]."""
    return apply("Diag", (convert_to_tensor(diagonal, name="diagonal"),), name=name or "Diag")


def diag_part(input, name: Optional[str] = None):  # noqa: A002
    """TF1 `tf.diag_part` (`tf.linalg.tensor_diag_part`): the inverse of `diag`."""
    return apply("DiagPart", (convert_to_tensor(input, name="input"),),
                 name=name or "DiagPart")


# ------------------------------------------------------------------ MatrixDiag(Part), SetDiag
def _diag_len(m, n, k):
    if m is None or n is None:
        return None
    return max(0, min(m + min(k, 0), n - max(k, 0)))


def _matrix_diag_sizes(length, k, rows, cols):
    """TF's rule: the smallest rows/cols holding the diagonal, square when both unset."""
    min_rows, min_cols = length - min(k, 0), length + max(k, 0)
    if rows != -1 and rows < min_rows or cols != -1 and cols < min_cols:
        raise ValueError(f"The number of rows or columns is too small for diagonal {k} of "
                         f"length {length} (num_rows={rows}, num_cols={cols})")
    if rows == -1 and cols == -1:
        rows = cols = max(min_rows, min_cols)
    elif rows == -1:
        rows = min_rows
    elif cols == -1:
        cols = min_cols
    if rows != min_rows and cols != min_cols:
        raise ValueError(f"The number of rows or columns ({rows}, {cols}) is not consistent "
                         f"with diagonal {k} of length {length}")
    return rows, cols


def _matrix_diag_infer(op):
    d, rows, cols, pad = op.inputs
    dims = d.shape.as_tuple()
    if dims is not None and not dims:
        raise ValueError(f"MatrixDiag: diagonal '{d.name}' must be at least rank 1")
    if pad.dtype is not d.dtype:
        raise TypeError(f"MatrixDiag: padding_value is {pad.dtype.name}, diagonal "
                        f"{d.dtype.name}")
    r, c = _scalar(rows), _scalar(cols)
    if dims is None:
        return [(d.dtype, TensorShape(None))]
    if dims[-1] is None or r is None or c is None:
        return [(d.dtype, TensorShape(dims[:-1] + (None, None)))]
    r, c = _matrix_diag_sizes(dims[-1], op.attrs["k"], r, c)
    return [(d.dtype, TensorShape(dims[:-1] + (r, c)))]


def _diagonal_index(m, n, k):
    """Row and column indices of diagonal k of an m x n matrix."""
    length = _diag_len(m, n, k)
    i = np.arange(length) - min(k, 0)
    return i, i + k


def _matrix_diag_compute(d, rows, cols, pad, *, k):
    if d.ndim == 0:
        raise InvalidArgumentError(None, None, "diagonal must be at least 1-dim")
    try:
        m, n = _matrix_diag_sizes(d.shape[-1], k, int(rows), int(cols))
    except ValueError as exc:
        raise InvalidArgumentError(None, None, str(exc)) from None
    out = np.full(d.shape[:-1] + (m, n), pad, dtype=d.dtype)
    i, j = _diagonal_index(m, n, k)
    out[..., i, j] = d
    return out


def _matrix_diag_part_infer(op):
    x, pad = op.inputs
    dims = _matrix_dims(op, x)
    if dims is None:
        return [(x.dtype, TensorShape(None))]
    return [(x.dtype, TensorShape(dims[:-2] + (_diag_len(dims[-2], dims[-1], op.attrs["k"]),)))]


def _matrix_diag_part_compute(x, pad, *, k):
    if x.ndim < 2:
        raise InvalidArgumentError(None, None, f"input must be at least 2-dim, received "
                                   f"shape: {list(x.shape)}")
    i, j = _diagonal_index(x.shape[-2], x.shape[-1], k)
    return np.ascontiguousarray(x[..., i, j])


def _matrix_set_diag_infer(op):
    x, d = op.inputs
    dims = _matrix_dims(op, x)
    if d.dtype is not x.dtype:
        raise TypeError(f"MatrixSetDiag: diagonal '{d.name}' is {d.dtype.name}, input "
                        f"'{x.name}' {x.dtype.name}")
    if dims is not None and d.shape.ndims is not None:
        want = TensorShape(dims[:-2] + (_diag_len(dims[-2], dims[-1], op.attrs["k"]),))
        if not want.is_compatible_with(d.shape):
            raise ValueError(f"MatrixSetDiag: diagonal '{d.name}' must have shape {want}, "
                             f"got {d.shape}")
    return [(x.dtype, x.shape)]


def _matrix_set_diag_compute(x, d, *, k):
    i, j = _diagonal_index(x.shape[-2], x.shape[-1], k)
    if x.ndim < 2 or d.shape != x.shape[:-2] + (len(i),):
        raise InvalidArgumentError(None, None, f"diagonal must have shape "
                                   f"{list(x.shape[:-2]) + [len(i)]}, got {list(d.shape)}")
    out = np.array(x, copy=True)
    out[..., i, j] = d
    return out


def _matrix_diag_vjp(op, grads):
    return [matrix_diag_part(grads[0], k=op.attrs["k"]), None, None, None]


def _matrix_diag_part_vjp(op, grads):
    x = op.inputs[0]
    s = shape(x)
    pad = convert_to_tensor(np.zeros((), x.dtype.np))
    return [apply("MatrixDiag", (grads[0], s[-2], s[-1], pad),
                  {"k": op.attrs["k"]}), None]


def _matrix_set_diag_vjp(op, grads):
    g = grads[0]
    k = op.attrs["k"]
    diag_g = matrix_diag_part(g, k=k)
    return [matrix_set_diag(g, zeros_like(diag_g), k=k), diag_g]


defop("MatrixDiag", _matrix_diag_infer, _matrix_diag_compute, _matrix_diag_vjp,
      family="array")
defop("MatrixDiagPart", _matrix_diag_part_infer, _matrix_diag_part_compute,
      _matrix_diag_part_vjp, family="array")
defop("MatrixSetDiag", _matrix_set_diag_infer, _matrix_set_diag_compute,
      _matrix_set_diag_vjp, family="array")


def _one_diagonal(fn: str, k, align) -> int:
    only_default(fn, align=(align, "RIGHT_LEFT"))
    ks = np.reshape(k if not hasattr(k, "_as_tensor") else const_value(k._as_tensor()), -1)
    if ks.size == 2 and ks[0] == ks[1]:
        ks = ks[:1]
    if ks.size != 1:
        raise NotImplementedError(f"{fn}(k={k!r}): graphc supports one diagonal (a scalar "
                                  "k), not a band of diagonals")
    return int(ks[0])


def matrix_diag(diagonal, name: str = "diag", k=0, num_rows=-1, num_cols=-1,
                padding_value=0, align: str = "RIGHT_LEFT"):
    """TF1 `tf.linalg.diag`: matrices with `diagonal` (its last axis) on diagonal `k` and
    `padding_value` elsewhere; num_rows/num_cols (-1: the smallest that fit, square when
    both are -1)."""
    k = _one_diagonal("matrix_diag", k, align)
    d = convert_to_tensor(diagonal, name="diagonal")
    rows = convert_to_tensor(num_rows, name="num_rows", dtype=dt.int32)
    cols = convert_to_tensor(num_cols, name="num_cols", dtype=dt.int32)
    pad = convert_to_tensor(padding_value, name="padding_value", dtype=d.dtype)
    return apply("MatrixDiag", (d, rows, cols, pad), {"k": k}, name=name or "diag")


def matrix_diag_part(input, name: str = "diag_part", k=0, padding_value=0,  # noqa: A002
                     align: str = "RIGHT_LEFT"):
    """TF1 `tf.linalg.diag_part`: diagonal `k` of each matrix (the last two axes)."""
    k = _one_diagonal("matrix_diag_part", k, align)
    x = convert_to_tensor(input, name="input")
    pad = convert_to_tensor(padding_value, name="padding_value", dtype=x.dtype)
    return apply("MatrixDiagPart", (x, pad), {"k": k}, name=name or "diag_part")


def matrix_set_diag(input, diagonal, name: str = "set_diag", k=0,  # noqa: A002
                    align: str = "RIGHT_LEFT"):
    """TF1 `tf.linalg.set_diag`: each matrix with diagonal `k` replaced by `diagonal`."""
    k = _one_diagonal("matrix_set_diag", k, align)
    x = convert_to_tensor(input, name="input")
    d = convert_to_tensor(diagonal, name="diagonal", dtype=x.dtype)
    return apply("MatrixSetDiag", (x, d), {"k": k}, name=name or "set_diag")


# ------------------------------------------------------------------ compositions
def trace(x, name: Optional[str] = None):
    """TF1 `tf.linalg.trace`: the sum of each matrix's main diagonal."""
    g = graph_of((x,))
    with g.as_default(), g.name_scope(name or "Trace") as scope:
        x = convert_to_tensor(x, name="x")
        return reduce_sum(matrix_diag_part(x), axis=[-1], name=scope)


def eye(num_rows, num_columns=None, batch_shape=None, dtype=dt.float32,
        name: Optional[str] = None):
    """TF1 `tf.eye`: identity matrices [*batch_shape, num_rows, num_columns]."""
    dtype = dt.as_dtype(dtype)
    g = graph_of(())
    with g.as_default(), g.name_scope(name or "eye"):
        rows = convert_to_tensor(num_rows, name="num_rows", dtype=dt.int32)
        cols = rows if num_columns is None else convert_to_tensor(
            num_columns, name="num_columns", dtype=dt.int32)
        length = minimum(rows, cols)
        batch = [] if batch_shape is None else batch_shape
        diag_shape = concat([convert_to_tensor(batch, dtype=dt.int32), length[None]], 0) \
            if batch else length[None]
        return matrix_diag(ones(diag_shape, dtype), num_rows=rows, num_cols=cols)


def adjoint(matrix, name: Optional[str] = None):
    """TF1 `tf.linalg.adjoint`: the conjugate transpose of each matrix (real: transpose)."""
    x = convert_to_tensor(matrix, name="matrix")
    r = x.shape.ndims
    if r is None:
        raise ValueError(f"adjoint: the rank of '{x.name}' must be known")
    if r < 2:
        raise ValueError(f"adjoint: '{x.name}' must have rank >= 2, got shape {x.shape}")
    return transpose(x, list(range(r - 2)) + [r - 1, r - 2], name=name or "adjoint",
                     conjugate=x.dtype.is_complex)


from ..naming import name_builders  # noqa: E402

name_builders(globals())
