"""MatMul, BatchMatMulV2, AddN and Cumsum."""
from __future__ import annotations

from typing import Optional

import numpy as np

from .. import dtypes as dt
from ..shapes import TensorShape, broadcast_shapes
from ._base import (apply, check_dtype, convert_pair, convert_to_tensor, defop, normalize_axis,
                    only_default)
from .core_ops import identity
from ..errors import InvalidArgumentError
from .grad_ops import reduce_to_operand

__all__ = ["matmul", "add_n", "accumulate_n", "cumsum"]

MATMUL_DTYPES = dt.FLOATS + (dt.int32, dt.int64) + dt.COMPLEX


def _dims_str(shape: TensorShape) -> str:
    t = shape.as_tuple()
    return "?" if t is None else "[" + ",".join("?" if d is None else str(d) for d in t) + "]"


def _check_inner(op, a, b, ka, kb) -> None:
    if ka is not None and kb is not None and ka != kb:
        raise ValueError(
            f"Dimensions must be equal, but are {ka} and {kb} for '{op.name}' (op: "
            f"'{op.type}') with input shapes: {_dims_str(a.shape)}, {_dims_str(b.shape)}. "
            f"(matmul of '{a.name}' and '{b.name}')")


def _matmul_infer(op):
    a, b = op.inputs
    if a.dtype is not b.dtype:
        raise TypeError(f"MatMul operands must have the same dtype, but '{a.name}' is "
                        f"{a.dtype.name} and '{b.name}' is {b.dtype.name}")
    check_dtype(op, a, MATMUL_DTYPES)
    sa, sb = a.shape.with_rank(2).as_tuple(), b.shape.with_rank(2).as_tuple()
    ta, tb = op.attrs["transpose_a"], op.attrs["transpose_b"]
    m, ka = (sa[1], sa[0]) if ta else (sa[0], sa[1])
    kb, n = (sb[1], sb[0]) if tb else (sb[0], sb[1])
    _check_inner(op, a, b, ka, kb)
    return [(a.dtype, TensorShape([m, n]))]


def _matmul_compute(a, b, *, transpose_a, transpose_b):
    if transpose_a:
        a = a.T
    if transpose_b:
        b = b.T
    return np.asarray(np.matmul(a, b), dtype=a.dtype)


def _matmul_vjp(op, grads):
    a, b = op.inputs
    g = grads[0]
    ta, tb = op.attrs["transpose_a"], op.attrs["transpose_b"]
    if not ta and not tb:
        return [matmul(g, b, transpose_b=True), matmul(a, g, transpose_a=True)]
    if not ta and tb:
        return [matmul(g, b), matmul(g, a, transpose_a=True)]
    if ta and not tb:
        return [matmul(b, g, transpose_b=True), matmul(a, g)]
    return [matmul(b, g, transpose_a=True, transpose_b=True),
            matmul(g, a, transpose_a=True, transpose_b=True)]


defop("MatMul", _matmul_infer, _matmul_compute, _matmul_vjp, family="matmul")


def _bmm_infer(op):
    a, b = op.inputs
    if a.dtype is not b.dtype:
        raise TypeError(f"BatchMatMul operands must have the same dtype, but '{a.name}' is "
                        f"{a.dtype.name} and '{b.name}' is {b.dtype.name}")
    check_dtype(op, a, MATMUL_DTYPES)
    sa, sb = a.shape.with_rank_at_least(2), b.shape.with_rank_at_least(2)
    if sa.ndims is None or sb.ndims is None:
        return [(a.dtype, TensorShape(None))]
    da, db = sa.as_tuple(), sb.as_tuple()
    adj_x, adj_y = op.attrs["adj_x"], op.attrs["adj_y"]
    m, ka = (da[-1], da[-2]) if adj_x else (da[-2], da[-1])
    kb, n = (db[-1], db[-2]) if adj_y else (db[-2], db[-1])
    _check_inner(op, a, b, ka, kb)
    batch = broadcast_shapes(TensorShape(da[:-2]), TensorShape(db[:-2]))
    if batch is None:
        raise ValueError(f"Batch dimensions of '{a.name}' {sa} and '{b.name}' {sb} are not "
                         "broadcast-compatible")
    return [(a.dtype, batch.concatenate([m, n]))]


def _bmm_compute(a, b, *, adj_x, adj_y):
    if adj_x:
        a = np.swapaxes(a, -1, -2)
    if adj_y:
        b = np.swapaxes(b, -1, -2)
    return np.asarray(np.matmul(a, b), dtype=a.dtype)


def _bmm_vjp(op, grads):
    a, b = op.inputs
    g = grads[0]
    ax, ay = op.attrs["adj_x"], op.attrs["adj_y"]

    def mm(x, y, tx=False, ty=False):
        return apply("BatchMatMulV2", (x, y), {"adj_x": tx, "adj_y": ty})

    if not ax and not ay:
        ga, gb = mm(g, b, ty=True), mm(a, g, tx=True)
    elif not ax and ay:
        ga, gb = mm(g, b), mm(g, a, tx=True)
    elif ax and not ay:
        ga, gb = mm(b, g, ty=True), mm(a, g)
    else:
        ga, gb = mm(b, g, tx=True, ty=True), mm(g, a, tx=True, ty=True)
    return [reduce_to_operand(ga, a), reduce_to_operand(gb, b)]


defop("BatchMatMulV2", _bmm_infer, _bmm_compute, _bmm_vjp, family="matmul")


def matmul(a, b, transpose_a: bool = False, transpose_b: bool = False,
           adjoint_a: bool = False, adjoint_b: bool = False, a_is_sparse: bool = False,
           b_is_sparse: bool = False, output_type=None, grad_a: bool = False,
           grad_b: bool = False, name: Optional[str] = None):
    """TF1 `tf.matmul`: MatMul for rank 2, BatchMatMulV2 (broadcast batch dims) above.
    The sparsity and gradient flags are hints (ignored); output_type must be the inputs'."""
    only_default("matmul", output_type=(output_type, None))
    if transpose_a and adjoint_a or transpose_b and adjoint_b:
        raise ValueError("Only one of transpose and adjoint may be True for each operand")
    ta, tb = transpose_a or adjoint_a, transpose_b or adjoint_b
    a, b = convert_pair(a, b, "a", "b")
    if a.dtype.is_complex:  # an adjoint is the conjugate transpose (Conj: complex_ops)
        a = apply("Conj", (a,), name="conj_a") if adjoint_a else a
        b = apply("Conj", (b,), name="conj_b") if adjoint_b else b
    ra, rb = a.shape.ndims, b.shape.ndims
    for t, r in ((a, ra), (b, rb)):
        if r is not None and r < 2:
            raise ValueError(f"Shape must be rank >= 2 but is rank {r} for '{t.name}' in "
                             f"matmul (shape {t.shape})")
    # An operand of unknown rank beside a matrix is a matrix (TF1's MatMul: rank 2), so
    # `tf.matmul(tf.placeholder(tf.float32), w)` has shape (?, n) as in TF1 programs.
    if (ra == 2 or ra is None) and (rb == 2 or rb is None):
        return apply("MatMul", (a, b), {"transpose_a": bool(ta), "transpose_b": bool(tb)},
                     name=name or "MatMul")
    return apply("BatchMatMulV2", (a, b), {"adj_x": bool(ta), "adj_y": bool(tb)},
                 name=name or "MatMul")


# ------------------------------------------------------------------ AddN
def _add_n_infer(op):
    first = op.inputs[0]
    shape = first.shape
    for t in op.inputs[1:]:
        if t.dtype is not first.dtype:
            raise TypeError(f"AddN inputs must have the same dtype, but '{first.name}' is "
                            f"{first.dtype.name} and '{t.name}' is {t.dtype.name}")
        if not shape.is_compatible_with(t.shape):
            raise ValueError(f"AddN inputs must have the same shape, but '{first.name}' has "
                             f"{first.shape} and '{t.name}' has {t.shape}")
        shape = shape.merge_with(t.shape)
    check_dtype(op, first, dt.NUMERIC + dt.COMPLEX)
    return [(first.dtype, shape)]


def _add_n_compute(*xs):
    out = np.array(xs[0], copy=True)
    for x in xs[1:]:
        if x.shape != out.shape:
            raise InvalidArgumentError(None, None, f"Inputs to operation AddN must have the "
                                       f"same size and shape: {list(out.shape)} != "
                                       f"{list(x.shape)}")
        out += x
    return out


defop("AddN", _add_n_infer, _add_n_compute, lambda op, grads: [grads[0]] * len(op.inputs),
      elementwise=True, family="binary")


def add_n(inputs, name: Optional[str] = None):
    """Sum a list of tensors of the same shape and dtype."""
    if not inputs or not isinstance(inputs, (list, tuple)):
        raise ValueError("inputs must be a non-empty list of tensors")
    first = next((i for i in inputs if hasattr(i, "_as_tensor")), None)
    dtype = first._as_tensor().dtype if first is not None else None
    tensors = [convert_to_tensor(i, dtype=None if hasattr(i, "_as_tensor") else dtype)
               for i in inputs]
    if len(tensors) == 1:
        return identity(tensors[0], name=name)
    return apply("AddN", tensors, name=name or "AddN")


def accumulate_n(inputs, shape=None, tensor_dtype=None, name: Optional[str] = None):
    return add_n(inputs, name=name)


# ------------------------------------------------------------------ Cumsum
def scan_infer(op):
    """Cumsum and Cumprod: a numeric input, a static axis in range, the input's shape."""
    x = op.inputs[0]
    check_dtype(op, x, dt.NUMERIC)
    if x.shape.ndims is not None:
        normalize_axis(op.attrs["axis"], x.shape.ndims, f"{op.type} op '{op.name}'")
    return [(x.dtype, x.shape)]


def scan(x, axis: int, exclusive: bool, reverse: bool, accumulate, identity) -> np.ndarray:
    """TF1's running sums/products along `axis`: `accumulate` (np.cumsum, np.cumprod),
    `exclusive` starts with `identity`, `reverse` runs from the end."""
    a = axis % x.ndim
    y = np.flip(x, a) if reverse else x
    out = accumulate(y, axis=a, dtype=x.dtype)
    if exclusive:
        out = np.concatenate([np.full_like(np.take(out, [0], axis=a), identity),
                              np.take(out, np.arange(out.shape[a] - 1), axis=a)], axis=a)
    if reverse:
        out = np.flip(out, a)
    return np.ascontiguousarray(out, dtype=x.dtype)


def _cumsum_compute(x, *, axis, exclusive, reverse):
    return scan(x, axis, exclusive, reverse, np.cumsum, 0)


def _cumsum_vjp(op, grads):
    attrs = dict(op.attrs)
    attrs["reverse"] = not attrs["reverse"]
    return [apply("Cumsum", (grads[0],), attrs)]


defop("Cumsum", scan_infer, _cumsum_compute, _cumsum_vjp, family="scan")


def cumsum(x, axis=0, exclusive: bool = False, reverse: bool = False,
           name: Optional[str] = None):
    x = convert_to_tensor(x)
    return apply("Cumsum", (x,), {"axis": int(axis), "exclusive": bool(exclusive),
                                  "reverse": bool(reverse)}, name=name or "Cumsum")
