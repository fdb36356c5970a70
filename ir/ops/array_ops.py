"""Shape and layout ops: Shape, Size, Rank, Reshape, Transpose, ExpandDims, Squeeze,
ConcatV2, Pack, Unpack, and their TF1 builders.

Siblings: `split_ops` (Split, SplitV), `tile_pad_ops` (Tile, Pad, MirrorPad, ReverseV2,
BroadcastTo), `slicing_ops`
(indexing and gathering), `generator_ops` (fill, zeros, one_hot, range, ...).
Shape-valued arguments that TF1 code computes at run time (reshape's shape) are int
tensor inputs; inference reads them through `const_value_as_shape`, which sees through
`tf.shape(x)[i]`, `stack` and `concat` of shape pieces.
"""
from __future__ import annotations

import builtins
from typing import Optional

import numpy as np

from .. import dtypes as dt
from ..errors import InvalidArgumentError
from ..graph import TensorLike
from ..shapes import TensorShape, unknown_shape
from ..symbolic import Sym, product
from ._base import (NON_DIFFERENTIABLE, SymbolicDim, _contains_tensor, apply, check_dtype,
                    const_value, const_value_as_shape, convert_to_tensor, defop,
                    deprecated_argument, normalize_axis, partial_value, static_int_list)
from .core_ops import identity

__all__ = ["reshape", "transpose", "expand_dims", "squeeze", "concat", "stack", "unstack",
           "shape", "size", "rank", "newaxis"]

newaxis = None
INDEX_DTYPES = (dt.int32, dt.int64)


# ------------------------------------------------------------------ helpers
def dim_list(shape: TensorShape) -> Optional[list]:
    """The dims of a static shape as a list (None where unknown), None for unknown rank."""
    t = shape.as_tuple()
    return None if t is None else list(t)


def _check_vector(op, t, what: str) -> None:
    """`t` must be a 1-D int32/int64 tensor (a shape-like argument)."""
    check_dtype(op, t, INDEX_DTYPES, what)
    if t.shape.ndims not in (None, 1):
        raise ValueError(f"{what} '{t.name}' must be a vector (rank 1), but has shape "
                         f"{t.shape}")


def _shape_str(shape) -> str:
    """A shape as TF prints it in run-time errors: [2,3]."""
    return "[" + ",".join(str(d) for d in shape) + "]"


def _static_axis(axis, what: str = "axis") -> int:
    values = static_int_list(axis, what)
    if len(values) != 1:
        raise ValueError(f"{what} must be a scalar, got {axis!r}")
    return values[0]


def _to_tensors(values, what: str) -> list:
    """Convert a list of values; Python numbers take the first tensor's dtype (TF1)."""
    if isinstance(values, TensorLike):
        raise TypeError(f"{what} must be a list of tensors, got the single tensor "
                        f"{values._as_tensor().name}")
    values = list(values)
    first = next((v._as_tensor().dtype for v in values if isinstance(v, TensorLike)), None)
    return [convert_to_tensor(v, dtype=None if isinstance(v, TensorLike) else first)
            for v in values]


def _same_dtype(op, tensors, what: str = "values") -> dt.DType:
    first = tensors[0]
    for t in tensors[1:]:
        if t.dtype is not first.dtype:
            raise TypeError(f"all {what} of {op.type} must have the same dtype, but "
                            f"'{first.name}' is {first.dtype.name} and '{t.name}' is "
                            f"{t.dtype.name}")
    return first.dtype


# ------------------------------------------------------------------ Shape, Size, Rank
def _shape_infer(op):
    x = op.inputs[0]
    out = op.attrs["out_type"]
    if out not in INDEX_DTYPES:
        raise TypeError(f"out_type must be int32 or int64, got {out.name}")
    return [(out, TensorShape([x.shape.ndims]))]


def _size_infer(op):
    out = op.attrs["out_type"]
    if out not in INDEX_DTYPES:
        raise TypeError(f"out_type must be int32 or int64, got {out.name}")
    return [(out, TensorShape([]))]


defop("Shape", _shape_infer,
      lambda x, *, out_type: np.asarray(x.shape, dtype=out_type.np).reshape(-1),
      NON_DIFFERENTIABLE, family="array")
defop("Size", _size_infer,
      lambda x, *, out_type: np.asarray(x.size, dtype=out_type.np),
      NON_DIFFERENTIABLE, family="array")
defop("Rank", lambda op: [(dt.int32, TensorShape([]))],
      lambda x: np.asarray(x.ndim, dtype=np.int32), NON_DIFFERENTIABLE, family="array")


def shape(input, name: Optional[str] = None, out_type=None):
    """TF1 `tf.shape` (int32 unless `out_type` says): a Const when the static shape is
    fully known, else a Shape op."""
    x = convert_to_tensor(input)
    out_type = dt.as_dtype(out_type or dt.int32)
    if x.shape.is_fully_defined():
        return convert_to_tensor(np.asarray(x.shape.as_list(), dtype=out_type.np),
                                 name=name or "Shape")
    return apply("Shape", (x,), {"out_type": out_type}, name=name or "Shape")


def size(input, name: Optional[str] = None, out_type=None):
    """TF1 `tf.size`: number of elements, int32 unless `out_type` says (a Const when known
    statically)."""
    x = convert_to_tensor(input)
    out_type = dt.as_dtype(out_type or dt.int32)
    n = x.shape.num_elements()
    if n is None and x.shape.ndims and 0 in x.shape.as_tuple():
        n = 0  # TF1: a zero dim makes the size 0 whatever the unknown dims are
    if n is not None:
        return convert_to_tensor(np.asarray(n, dtype=out_type.np), name=name or "Size")
    return apply("Size", (x,), {"out_type": out_type}, name=name or "Size")


def rank(input, name: Optional[str] = None):
    """TF1 `tf.rank`: number of dimensions (a Const when the rank is known)."""
    x = convert_to_tensor(input)
    if x.shape.ndims is not None:
        return convert_to_tensor(np.asarray(x.shape.ndims, dtype=np.int32),
                                 name=name or "Rank")
    return apply("Rank", (x,), name=name or "Rank")


# ------------------------------------------------------------------ Reshape
def _shape_entries(t, symbolic: bool = False) -> Optional[list]:
    """A requested shape as a list of ints, -1 (to infer), None (unknown at build time)
    and SymbolicDims (`tf.shape(x)[i]` for an unknown dim of x)."""
    v = const_value(t)
    if v is not None:
        return [int(d) for d in np.asarray(v).reshape(-1)]
    pv = partial_value(t, symbolic=symbolic)
    if pv is not None and pv.ndim == 1:
        return [d if d is None or isinstance(d, (SymbolicDim, Sym)) else int(d) for d in pv]
    known = const_value_as_shape(t)
    return None if known.ndims is None else list(known.as_tuple())


def _reshape_infer(op):
    x, shape_t = op.inputs
    _check_vector(op, shape_t, "the shape argument")
    entries = _shape_entries(shape_t, symbolic=True)
    if entries is None:
        return [(x.dtype, unknown_shape())]
    ints = [d if isinstance(d, (int, Sym)) else None for d in entries]  # (Sym: a plan's)
    infer_at = [i for i, d in enumerate(ints) if isinstance(d, int) and d == -1]
    if len(infer_at) > 1:
        raise ValueError(f"only one dimension of the requested shape {ints} may be -1, "
                         f"not both {infer_at[0]} and {infer_at[1]} (reshaping '{x.name}' "
                         f"of shape {x.shape})")
    for i, d in enumerate(ints):
        if d is not None and d < -1:
            raise ValueError(f"size {i} of the requested shape {ints} must be "
                             f"non-negative, not {d} (reshaping '{x.name}')")
    n_in = x.shape.num_elements()
    known = [d for d in ints if d is not None and d >= 0]
    n_known = product(known)
    out = [None if d is None or d < 0 else d for d in ints]
    if n_in is not None and None not in ints:
        if infer_at:
            if n_known == 0 or n_in % n_known:
                raise ValueError(
                    f"Cannot reshape a tensor with {n_in} elements to shape {ints}: "
                    f"'{x.name}' has shape {x.shape}, and {n_in} is not a multiple of the "
                    f"{n_known} elements the other dimensions of {ints} hold")
            out[infer_at[0]] = n_in // n_known
        elif n_known != n_in:
            raise ValueError(f"Cannot reshape a tensor with {n_in} elements to shape "
                             f"{ints} ({n_known} elements): '{x.name}' has shape "
                             f"{x.shape}")
    elif infer_at and x.shape.ndims is not None:
        # Unknown dims of x requested as tf.shape(x)[i] cancel out (TF's dim handles).
        dims = dim_list(x.shape)
        unmatched = {i for i, d in enumerate(dims) if d is None}
        ok = True
        for d in entries:
            if isinstance(d, SymbolicDim) and d.tensor is x and d.index in unmatched:
                unmatched.discard(d.index)
            elif d is None or isinstance(d, SymbolicDim):
                ok = False
        if ok and not unmatched:
            n_in_known = int(np.prod([d for d in dims if d is not None], dtype=np.int64))
            if n_known and n_in_known % n_known == 0:
                out[infer_at[0]] = n_in_known // n_known
    return [(x.dtype, TensorShape(out))]


def _reshape_compute(x, shape):
    if shape.ndim != 1:
        raise InvalidArgumentError(None, None, f"sizes input must be 1-D, not "
                                   f"{_shape_str(shape.shape)}")
    sizes = [int(d) for d in shape]
    infer_at = [i for i, d in enumerate(sizes) if d == -1]
    if len(infer_at) > 1:
        raise InvalidArgumentError(None, None, f"Only one input size may be -1, not both "
                                   f"{infer_at[0]} and {infer_at[1]}")
    for i, d in enumerate(sizes):
        if d < -1:
            raise InvalidArgumentError(None, None, f"Size {i} must be non-negative, not {d}")
    product = int(np.prod([d for d in sizes if d >= 0], dtype=np.int64))
    if infer_at:
        if product == 0:
            raise InvalidArgumentError(
                None, None, "Reshape cannot infer the missing input size for an empty "
                "tensor unless all specified input sizes are non-zero")
        if x.size % product:
            raise InvalidArgumentError(
                None, None, f"Input to reshape is a tensor with {x.size} values, but the "
                f"requested shape requires a multiple of {product}")
        sizes[infer_at[0]] = x.size // product
    elif product != x.size:
        raise InvalidArgumentError(None, None, f"Input to reshape is a tensor with {x.size} "
                                   f"values, but the requested shape has {product}")
    return x.reshape(sizes)


defop("Reshape", _reshape_infer, _reshape_compute, family="array")


def _shape_arg(shape_value, what: str = "shape"):
    """A shape argument as an int tensor: lists may mix ints and scalar tensors (TF1)."""
    if isinstance(shape_value, TensorShape):
        shape_value = shape_value.as_list()
    if isinstance(shape_value, TensorLike):
        return shape_value._as_tensor()
    if isinstance(shape_value, (list, tuple)):
        if _contains_tensor(shape_value):
            return stack(list(shape_value), name=what)
        shape_value = [-1 if d is None else int(d) for d in shape_value]
        return convert_to_tensor(np.asarray(shape_value, dtype=np.int32).reshape(-1)
                                 if builtins.all(-2**31 <= d < 2**31 for d in shape_value)
                                 else np.asarray(shape_value, dtype=np.int64), name=what)
    return convert_to_tensor(shape_value, dtype_hint=dt.int32, name=what)


def reshape(tensor, shape, name: Optional[str] = None):
    """TF1 `tf.reshape`: one -1 entry is inferred from the number of elements."""
    x = convert_to_tensor(tensor)
    return apply("Reshape", (x, _shape_arg(shape)), name=name or "Reshape")


# ------------------------------------------------------------------ Transpose
def _transpose_infer(op):
    x = op.inputs[0]
    perm = op.attrs["perm"]
    dims = dim_list(x.shape)
    if perm is None:
        return [(x.dtype, TensorShape(None if dims is None else dims[::-1]))]
    if dims is not None and len(perm) != len(dims):
        raise ValueError(f"perm {list(perm)} has {len(perm)} entries but '{x.name}' has "
                         f"rank {len(dims)} (shape {x.shape})")
    if sorted(perm) != list(builtins.range(len(perm))):
        raise ValueError(f"perm {list(perm)} is not a permutation of 0..{len(perm) - 1} "
                         f"(transposing '{x.name}' of shape {x.shape})")
    if dims is None:
        return [(x.dtype, unknown_shape(len(perm)))]
    return [(x.dtype, TensorShape([dims[p] for p in perm]))]


def _transpose_compute(x, *, perm, conjugate=False):
    if perm is not None and len(perm) != x.ndim:
        raise InvalidArgumentError(None, None, f"transpose expects a vector of size "
                                   f"{x.ndim}. But input(1) is a vector of size {len(perm)}")
    return np.transpose(x, perm)


defop("Transpose", _transpose_infer, _transpose_compute, family="array")


def transpose(a, perm=None, name: str = "transpose", conjugate: bool = False):
    """TF1 `tf.transpose`; `perm=None` reverses the dimensions (also for unknown rank)."""
    x = convert_to_tensor(a)
    if perm is not None:
        rank_ = x.shape.ndims
        perm = static_int_list(perm, "perm")
        if rank_ is not None:
            perm = [p + rank_ if p < 0 else p for p in perm]
        perm = tuple(perm)
    if conjugate and x.dtype.is_complex:  # the conjugate transpose (Conj: complex_ops)
        x, conjugate = apply("Conj", (x,), name="Conj"), False
    return apply("Transpose", (x,), {"perm": perm, "conjugate": bool(conjugate)},
                 name=name or "transpose")


# ------------------------------------------------------------------ ExpandDims, Squeeze
def _expand_dims_infer(op):
    x = op.inputs[0]
    axis = op.attrs["axis"]
    dims = dim_list(x.shape)
    if dims is None:
        return [(x.dtype, unknown_shape())]
    r = len(dims)
    if not -r - 1 <= axis <= r:
        raise ValueError(f"Tried to expand dim index {axis} for tensor '{x.name}' with {r} "
                         f"dimensions (shape {x.shape}); expected {-r - 1} <= axis <= {r}")
    axis = axis + r + 1 if axis < 0 else axis
    return [(x.dtype, TensorShape(dims[:axis] + [1] + dims[axis:]))]


def _expand_dims_compute(x, *, axis):
    if not -x.ndim - 1 <= axis <= x.ndim:
        raise InvalidArgumentError(None, None, f"Tried to expand dim index {axis} for tensor "
                                   f"with {x.ndim} dimensions.")
    return np.expand_dims(x, axis)


defop("ExpandDims", _expand_dims_infer, _expand_dims_compute, family="array")


def expand_dims(input, axis=None, name: Optional[str] = None, dim=None):
    """TF1 `tf.expand_dims`; `dim` is the deprecated name of `axis`."""
    axis = deprecated_argument("axis", axis, "dim", dim)
    if axis is None:
        raise ValueError("Must specify an axis argument to tf.expand_dims()")
    x = convert_to_tensor(input)
    return apply("ExpandDims", (x,), {"axis": _static_axis(axis)}, name=name or "ExpandDims")


def _squeeze_infer(op):
    x = op.inputs[0]
    axes = op.attrs["squeeze_dims"]
    dims = dim_list(x.shape)
    if dims is None:
        return [(x.dtype, unknown_shape())]
    r = len(dims)
    if not axes:
        if None in dims:  # an unknown dim may or may not be 1
            return [(x.dtype, unknown_shape())]
        return [(x.dtype, TensorShape([d for d in dims if d != 1]))]
    drop = set()
    for a in axes:
        if not -r <= a < r:
            raise ValueError(f"Tried to squeeze dim index {a} for tensor '{x.name}' with {r} "
                             f"dimensions (shape {x.shape})")
        a %= r
        if dims[a] is not None and dims[a] != 1:
            raise ValueError(f"Can not squeeze dim[{a}], expected a dimension of 1, got "
                             f"{dims[a]} (tensor '{x.name}' of shape {x.shape})")
        drop.add(a)
    return [(x.dtype, TensorShape([d for i, d in enumerate(dims) if i not in drop]))]


def _squeeze_compute(x, *, squeeze_dims):
    if not squeeze_dims:
        return x.reshape([d for d in x.shape if d != 1])
    axes = set()
    for a in squeeze_dims:
        if not -x.ndim <= a < x.ndim:
            raise InvalidArgumentError(None, None, f"Tried to squeeze dim index {a} for "
                                       f"tensor with {x.ndim} dimensions.")
        a %= x.ndim
        if x.shape[a] != 1:
            raise InvalidArgumentError(None, None, f"Can not squeeze dim[{a}], expected a "
                                       f"dimension of 1, got {x.shape[a]}")
        axes.add(a)
    return x.reshape([d for i, d in enumerate(x.shape) if i not in axes])


defop("Squeeze", _squeeze_infer, _squeeze_compute, family="array")


def squeeze(input, axis=None, name: Optional[str] = None, squeeze_dims=None):
    """TF1 `tf.squeeze`: drop size-1 dims (all of them, or those in `axis`)."""
    axis = deprecated_argument("axis", axis, "squeeze_dims", squeeze_dims)
    if isinstance(axis, int):
        axis = [axis]
    axes = tuple(static_int_list(axis, "axis") or ())
    x = convert_to_tensor(input)
    return apply("Squeeze", (x,), {"squeeze_dims": axes}, name=name or "Squeeze")


# ------------------------------------------------------------------ ConcatV2, Pack, Unpack
def _concat_infer(op):
    values = op.inputs
    axis = op.attrs["axis"]
    dtype = _same_dtype(op, values)
    ranks = [v.shape.ndims for v in values if v.shape.ndims is not None]
    if not ranks:
        return [(dtype, unknown_shape())]
    r = ranks[0]
    for v in values:
        if v.shape.ndims is not None and v.shape.ndims != r:
            raise ValueError(f"Shape must be rank {r} but is rank {v.shape.ndims}: all inputs "
                             f"of concat must have the same rank, but '{values[0].name}' has "
                             f"shape {values[0].shape} and '{v.name}' has shape {v.shape}")
    if r == 0:
        raise ValueError("Can't concatenate scalars (use tf.stack instead)")
    a = normalize_axis(axis, r, f"concat of rank-{r} tensors")
    out = [None] * r
    owner = [None] * r  # the input that fixed each dim, for the error message
    total: Optional[int] = 0
    for v in values:
        dims = dim_list(v.shape) or [None] * r
        for i, d in enumerate(dims):
            if i == a or d is None:
                continue
            if out[i] is not None and out[i] != d:
                raise ValueError(
                    f"Dimension {i} in both shapes must be equal, but are {out[i]} and {d}. "
                    f"Shapes are {owner[i].shape} ('{owner[i].name}') and {v.shape} "
                    f"('{v.name}'); only dimension {a}, the concat axis, may differ")
            out[i], owner[i] = d, v
        total = None if total is None or dims[a] is None else total + dims[a]
    out[a] = total
    return [(dtype, TensorShape(out))]


def _concat_compute(*values, axis):
    first = values[0]
    r = first.ndim
    if not -r <= axis < r:
        raise InvalidArgumentError(None, None, f"ConcatOp : Expected concatenating dimensions "
                                   f"in the range [{-r}, {r}), but got {axis}")
    a = axis % r
    for i, v in enumerate(values[1:], 1):
        if v.ndim != r:
            raise InvalidArgumentError(None, None, f"ConcatOp : Ranks of all input tensors "
                                       f"should match: shape[0] = {_shape_str(first.shape)} "
                                       f"vs. shape[{i}] = {_shape_str(v.shape)}")
        if v.shape[:a] + v.shape[a + 1:] != first.shape[:a] + first.shape[a + 1:]:
            raise InvalidArgumentError(None, None, f"ConcatOp : Dimensions of inputs should "
                                       f"match: shape[0] = {_shape_str(first.shape)} vs. "
                                       f"shape[{i}] = {_shape_str(v.shape)}")
    return np.concatenate(values, axis=a)


defop("ConcatV2", _concat_infer, _concat_compute, family="array")


def concat(values, axis, name: str = "concat"):
    """TF1 `tf.concat` (static `axis`); one value gives an Identity, as in TF1."""
    tensors = _to_tensors(values, "values of concat")
    axis = _static_axis(axis)
    if not tensors:
        raise ValueError("concat needs at least one tensor")
    if len(tensors) == 1:
        r = tensors[0].shape.ndims
        if r is not None:
            normalize_axis(axis, r, "concat")
        return identity(tensors[0], name=name)
    return apply("ConcatV2", tensors, {"axis": axis}, name=name or "concat")


def _pack_infer(op):
    values = op.inputs
    axis = op.attrs["axis"]
    if not values:
        raise ValueError("stack needs at least one tensor")
    dtype = _same_dtype(op, values)
    merged = values[0].shape
    for i, v in enumerate(values[1:], 1):
        if not merged.is_compatible_with(v.shape):
            raise ValueError(f"Shapes of all inputs must match: values[0].shape = "
                             f"{values[0].shape} != values[{i}].shape = {v.shape} "
                             f"('{values[0].name}' vs '{v.name}')")
        merged = merged.merge_with(v.shape)
    dims = dim_list(merged)
    if dims is None:
        return [(dtype, unknown_shape())]
    n = len(dims) + 1
    if not -n <= axis < n:
        raise ValueError(f"axis = {axis} not in [{-n}, {n})")
    axis %= n
    return [(dtype, TensorShape(dims[:axis] + [len(values)] + dims[axis:]))]


def _pack_compute(*values, axis):
    first = values[0].shape
    for i, v in enumerate(values[1:], 1):
        if v.shape != first:
            raise InvalidArgumentError(None, None, f"Shapes of all inputs must match: "
                                       f"values[0].shape = {_shape_str(first)} != "
                                       f"values[{i}].shape = {_shape_str(v.shape)}")
    return np.stack(values, axis=axis)


defop("Pack", _pack_infer, _pack_compute, family="array")


def stack(values, axis: int = 0, name: str = "stack"):
    """TF1 `tf.stack`; an all-constant list becomes a Const (as TF1 does for axis 0)."""
    if isinstance(values, TensorLike):
        raise TypeError(f"stack takes a list of tensors, got the tensor "
                        f"{values._as_tensor().name}; use tf.unstack or tf.identity")
    values = list(values)
    axis = _static_axis(axis)
    if axis == 0 and values and not _contains_tensor(values):
        try:
            return convert_to_tensor(values, name=name or "stack")
        except (TypeError, ValueError):
            pass
    tensors = _to_tensors(values, "values of stack")
    return apply("Pack", tensors, {"axis": axis}, name=name or "stack")


def _unpack_infer(op):
    x = op.inputs[0]
    num, axis = op.attrs["num"], op.attrs["axis"]
    dims = dim_list(x.shape)
    if dims is None:
        return [(x.dtype, unknown_shape())] * num
    a = normalize_axis(axis, len(dims), f"unstack of '{x.name}' (shape {x.shape})")
    if dims[a] is not None and dims[a] != num:
        raise ValueError(f"Dimension {a} of '{x.name}' (shape {x.shape}) is {dims[a]}, but "
                         f"unstack was asked for num={num} values")
    return [(x.dtype, TensorShape(dims[:a] + dims[a + 1:]))] * num


def _unpack_compute(x, *, num, axis):
    if not -x.ndim <= axis < x.ndim:
        raise InvalidArgumentError(None, None, f"axis = {axis} not in [{-x.ndim}, {x.ndim})")
    if x.shape[axis] != num:
        raise InvalidArgumentError(None, None, f"Input shape axis {axis % x.ndim} must equal "
                                   f"{num}, got shape {_shape_str(x.shape)}")
    parts = tuple(np.take(x, i, axis=axis) for i in builtins.range(num))
    return parts[0] if num == 1 else parts


defop("Unpack", _unpack_infer, _unpack_compute, family="array")


def unstack(value, num: Optional[int] = None, axis: int = 0, name: str = "unstack"):
    """TF1 `tf.unstack`: a list of `num` tensors (num inferred from the static shape)."""
    x = convert_to_tensor(value)
    axis = _static_axis(axis)
    if num is None:
        dims = dim_list(x.shape)
        if dims is not None:
            axis_n = normalize_axis(axis, len(dims), "unstack")
            num = dims[axis_n]
        if num is None:
            raise ValueError(f"Cannot infer num from shape {x.shape} of '{x.name}' "
                             f"(axis {axis}): pass num= explicitly")
    out = apply("Unpack", (x,), {"num": int(num), "axis": axis}, name=name or "unstack")
    if num == 0:
        return []
    return [out] if num == 1 else list(out)
