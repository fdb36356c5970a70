"""TF1's `tf.math`, `tf.linalg`, `tf.manip` and top-level aliases over graphc's functions.

Each name is the function graphc already has under another path (`tf.math.reduce_sum` is
`tf.reduce_sum`, `tf.math.softmax` is `tf.nn.softmax`), or a thin wrapper where TF1's
signature differs: `tf.arg_min(input, dimension, ...)`, and `tf.linalg.transpose`, which in
TF1 is `matrix_transpose` (the last two axes), not `tf.transpose`. No ops are defined here.
"""
from __future__ import annotations

from typing import Optional

from . import nn as _nn
from .clip_ops import global_norm
from .ir import dtypes as _dt
from .ir.graph import TensorLike
from .ir.ops import array_ops as _array_ops, math_ops as _math_ops
from .ir.ops import complex_ops as _complex_ops
from .ir.ops import reduce_ops as R
from .ir.ops import _base
from .ir.ops import matmul_ops as MM
from .ir.ops import slicing_ops as S
from .ir.ops import tile_pad_ops as T
from .ir.ops.array_grads import scatter_nd, unsorted_segment_sum
from .ir.ops.space_ops import batch_to_space_nd, space_to_batch_nd
from .ir.ops.tile_pad_ops import reverse
from .ir.shapes import Dimension, TensorShape
from .math_ext import LINALG as _LINALG_EXT, MANIP as _MANIP_EXT, MATH as _MATH_EXT


class TF1Namespace:
    """A TF1 namespace (`tf.math`): its public attributes are the functions it holds."""

    def __init__(self, path: str, members: dict):
        self._path = path
        self.__dict__.update(members)

    def __repr__(self) -> str:
        return f"<graphc namespace tf.{self._path}>"


# tf.math's TF1 names that graphc implements at the top level or in tf.nn.
_MATH_TOP = (
    "abs", "accumulate_n", "add", "add_n", "argmax", "argmin", "ceil", "cos", "count_nonzero",
    "cumsum", "divide", "equal", "erf", "exp", "expm1", "floor", "floordiv", "floormod",
    "greater", "greater_equal", "is_finite", "is_inf", "is_nan", "less", "less_equal", "log",
    "log1p", "logical_and", "logical_not", "logical_or", "logical_xor", "maximum", "minimum",
    "mod", "multiply", "negative", "not_equal", "pow", "reciprocal", "reduce_all", "reduce_any",
    "reduce_logsumexp", "reduce_max", "reduce_mean", "reduce_min", "reduce_prod", "reduce_sum",
    "rint", "round", "rsqrt", "scalar_mul", "sigmoid", "sign", "sin", "sqrt", "square",
    "squared_difference", "subtract", "tan", "tanh", "truediv")
_MATH_NN = ("l2_normalize", "log_softmax", "softmax", "softplus", "softsign")


def arg_min(input, dimension, output_type=_dt.int64, name: Optional[str] = None):
    """TF1 `tf.arg_min`: `tf.argmin` with the axis called `dimension` (and required)."""
    return R.argmin(input, axis=dimension, name=name, output_type=output_type)


def arg_max(input, dimension, output_type=_dt.int64, name: Optional[str] = None):
    """TF1 `tf.arg_max`: `tf.argmax` with the axis called `dimension` (and required)."""
    return R.argmax(input, axis=dimension, name=name, output_type=output_type)


def matrix_transpose(a, name: str = "matrix_transpose", conjugate: bool = False):
    """TF1 `tf.linalg.matrix_transpose` (also `tf.linalg.transpose`): swaps the last two
    axes of a tensor of rank >= 2 whose rank is known."""
    a = _base.convert_to_tensor(a, name="a")
    rank = a.shape.ndims
    if rank is None:
        raise ValueError(f"matrix_transpose: the rank of {a.name!r} must be known "
                         f"statically (its shape is {a.shape})")
    if rank < 2:
        raise ValueError(f"matrix_transpose: {a.name!r} must have rank >= 2, got shape "
                         f"{a.shape}")
    perm = list(range(rank - 2)) + [rank - 1, rank - 2]
    return _array_ops.transpose(a, perm, name=name, conjugate=conjugate)


def reverse_v2(tensor, axis, name: Optional[str] = None):
    """TF1 `tf.reverse_v2`: `tf.reverse` (TF1 keeps both names)."""
    return reverse(tensor, axis, name=name)


def is_tensor(x) -> bool:
    """TF1 `tf.is_tensor`: a graph tensor (Tensor, Variable or SparseTensor), not a value."""
    from .sparse_tensor import SparseTensor
    return isinstance(x, (TensorLike, SparseTensor))


def dimension_value(dimension):
    """TF1 `tf.dimension_value`: a Dimension's int (None when unknown); ints pass through."""
    return dimension.value if isinstance(dimension, Dimension) else dimension


def dimension_at_index(shape, index) -> Dimension:
    """TF1 `tf.dimension_at_index`: dimension `index` of `shape` (unknown rank: unknown)."""
    shape = shape if isinstance(shape, TensorShape) else TensorShape(shape)
    return Dimension(None) if shape.ndims is None else shape.dims[index]


math = TF1Namespace("math", {
    **{n: next(getattr(m, n) for m in (_math_ops, R, MM) if hasattr(m, n)) for n in _MATH_TOP},
    **{n: getattr(_nn, n) for n in _MATH_NN},
    "unsorted_segment_sum": unsorted_segment_sum,
    **{n: getattr(_complex_ops, n) for n in ("real", "imag", "conj", "angle")},
    **_MATH_EXT,
})

linalg = TF1Namespace("linalg", {
    "matmul": MM.matmul, "global_norm": global_norm, "l2_normalize": _nn.l2_normalize,
    "matrix_transpose": matrix_transpose, "transpose": matrix_transpose,
    **_LINALG_EXT,
})

manip = TF1Namespace("manip", {
    "gather_nd": S.gather_nd, "reshape": _array_ops.reshape, "reverse": reverse,
    "scatter_nd": scatter_nd, "tile": T.tile,
    "batch_to_space_nd": batch_to_space_nd, "space_to_batch_nd": space_to_batch_nd,
    **_MANIP_EXT,
})


def get_local_variable(name: str, shape=None, dtype=None, initializer=None, regularizer=None,
                       trainable: bool = False, collections=None, caching_device=None,
                       partitioner=None, validate_shape: bool = True, use_resource=None,
                       custom_getter=None, constraint=None, synchronization=None,
                       aggregation=None):
    """TF1 `tf.get_local_variable`: `get_variable` into GraphKeys.LOCAL_VARIABLES (and
    `collections`), never trainable (TF1 ignores `trainable` here)."""
    from .variable_scope import get_variable
    from .variables import GraphKeys
    return get_variable(name, shape, dtype, initializer, regularizer, trainable=False,
                        collections=list(collections or ()) + [GraphKeys.LOCAL_VARIABLES],
                        caching_device=caching_device, partitioner=partitioner,
                        validate_shape=validate_shape, use_resource=use_resource,
                        custom_getter=custom_getter, constraint=constraint,
                        synchronization=synchronization, aggregation=aggregation)
