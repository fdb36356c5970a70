"""Vector and matrix norms and small vector products, composed of existing ops (TF1's
linalg_ops.norm and friends, so gradients come from the ops used).

`norm`: vector norms ('euclidean', 1, inf, any p > 0) over all entries or one axis;
matrix norms ('fro'/'euclidean', 1, inf, 2: the largest singular value) over two axes.
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from ._base import convert_to_tensor, deprecated_argument, graph_of, only_default
from .array_ops import expand_dims, reshape, squeeze, stack, transpose
from .linalg_ops import svd
from .math_ops import abs as abs_, multiply, pow as pow_, sqrt, subtract, truediv
from .matmul_ops import matmul
from .reduce_ops import reduce_max, reduce_sum

__all__ = ["norm", "normalize", "reduce_euclidean_norm", "matvec", "cross"]

_VECTOR_ORDS = ("euclidean", 1, 2, np.inf)
_MATRIX_ORDS = ("euclidean", "fro", 1, 2, np.inf)


def _is_number(v) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)


def _check(ord, axis):  # noqa: A002 (TF1's name)
    matrix = isinstance(axis, (tuple, list)) and len(axis) == 2
    if matrix:
        if not all(isinstance(a, (int, np.integer)) for a in axis) or axis[0] == axis[1]:
            raise ValueError("'axis' must be None, an integer, or a tuple of 2 unique integers")
        if ord not in _MATRIX_ORDS:
            raise ValueError(f"'ord' must be a supported matrix norm in "
                             f"{list(_MATRIX_ORDS)}, got {ord}")
        return True, tuple(int(a) for a in axis)
    if not (axis is None or isinstance(axis, (int, np.integer))):
        raise ValueError("'axis' must be None, an integer, or a tuple of 2 unique integers")
    if ord not in _VECTOR_ORDS and not (_is_number(ord) and ord > 0):
        raise ValueError(f"'ord' must be a supported vector norm, got {ord}")
    return False, None if axis is None else (int(axis),)


def _matrix_2_norm(x, axis):
    """The largest singular value of the matrices on `axis` (TF1 moves them last)."""
    rank = x.shape.ndims
    if rank is None:
        raise ValueError("norm(ord=2) over two axes needs the rank known when the graph is "
                         "built")
    pos = [a % rank for a in axis]
    before = [i for i in range(rank) if i not in pos] + pos
    s = svd(transpose(x, before), compute_uv=False)
    top = expand_dims(reduce_max(abs_(s), axis=[-1], keepdims=True), -1)
    after = [before.index(i) for i in range(rank)]
    return transpose(top, after)


def norm(tensor, ord="euclidean", axis=None, keepdims=None,  # noqa: A002
         name: Optional[str] = None, keep_dims=None):
    """TF1 `tf.norm` (`tf.linalg.norm`)."""
    keep = bool(deprecated_argument("keepdims", keepdims, "keep_dims", keep_dims))
    matrix, axes = _check(ord, axis)
    g = graph_of((tensor,))
    with g.as_default(), g.name_scope(name or "norm"):
        x = convert_to_tensor(tensor)
        if ord in ("fro", "euclidean", 2, 2.0):
            if matrix and ord in (2, 2.0):
                result = _matrix_2_norm(x, axes)
            else:
                result = sqrt(reduce_sum(multiply(x, x), None if axes is None else list(axes),
                                         keepdims=True))
        else:
            result = abs_(x)
            if ord == 1:
                result = reduce_sum(result, None if axes is None else axes[0], keepdims=True)
                if matrix:
                    result = reduce_max(result, axes[-1], keepdims=True)
            elif ord == np.inf:
                if matrix:
                    result = reduce_sum(result, axes[1], keepdims=True)
                result = reduce_max(result, None if axes is None else axes[0], keepdims=True)
            else:
                p = np.asarray(ord, x.dtype.np)
                result = pow_(reduce_sum(pow_(result, p), None if axes is None else list(axes),
                                         keepdims=True),
                              np.asarray(1.0, x.dtype.np) / p)
        if not keep:
            if axes is None:
                return reshape(result, [])
            result = squeeze(result, list(axes))
        return result


def normalize(tensor, ord="euclidean", axis=None, name: Optional[str] = None):  # noqa: A002
    """TF1 `tf.linalg.normalize`: (tensor / norm, norm), the norm with kept dims."""
    g = graph_of((tensor,))
    with g.as_default(), g.name_scope(name or "normalize"):
        x = convert_to_tensor(tensor)
        n = norm(x, ord, axis, keepdims=True)
        return truediv(x, n), n


def reduce_euclidean_norm(input_tensor, axis=None, keepdims: bool = False,
                          name: Optional[str] = None):
    """TF1 `tf.math.reduce_euclidean_norm`: sqrt of the sum of squares over `axis`."""
    g = graph_of((input_tensor,))
    with g.as_default(), g.name_scope(name or "EuclideanNorm") as scope:
        x = convert_to_tensor(input_tensor, name="input_tensor")
        return sqrt(reduce_sum(multiply(x, x), axis, keepdims=bool(keepdims)), name=scope)


def matvec(a, b, transpose_a: bool = False, adjoint_a: bool = False, a_is_sparse: bool = False,
           b_is_sparse: bool = False, name: Optional[str] = None):
    """TF1 `tf.linalg.matvec`: the matrices of `a` times the vectors of `b`."""
    only_default("matvec", b_is_sparse=(b_is_sparse, False))
    g = graph_of((a, b))
    with g.as_default(), g.name_scope(name or "MatVec"):
        a = convert_to_tensor(a, name="a")
        b = convert_to_tensor(b, name="b")
        out = matmul(a, expand_dims(b, -1), transpose_a=transpose_a, adjoint_a=adjoint_a,
                     a_is_sparse=a_is_sparse)
        return squeeze(out, [-1])


def cross(a, b, name: Optional[str] = None):
    """TF1 `tf.linalg.cross`: the cross products of the 3-vectors on the last axis."""
    g = graph_of((a, b))
    with g.as_default(), g.name_scope(name or "Cross") as scope:
        a = convert_to_tensor(a, name="a")
        b = convert_to_tensor(b, name="b", dtype=a.dtype)
        for t in (a, b):
            if t.shape.ndims is not None and t.shape[-1].value not in (None, 3):
                raise ValueError(f"cross: the last dimension of '{t.name}' must be 3, got "
                                 f"shape {t.shape}")
        x = [a[..., i] for i in range(3)]
        y = [b[..., i] for i in range(3)]
        return stack([subtract(x[1] * y[2], x[2] * y[1]), subtract(x[2] * y[0], x[0] * y[2]),
                      subtract(x[0] * y[1], x[1] * y[0])], axis=-1, name=scope)


from ..naming import name_builders  # noqa: E402

name_builders(globals())
