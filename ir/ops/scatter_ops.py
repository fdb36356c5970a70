"""Scatters into a tensor (TF1's names and semantics).

`tensor_scatter_nd_update/add/sub/max/min` write `updates` into a copy of `tensor` at
`indices` (the last axis of indices indexes the leading dims of tensor; an index out of
range is an error, duplicates combine in order: add up for add/sub, the last wins for
update). Gradients are TF1's: the gathered gradient for the updates, the gradient with
the updated positions cleared (update) or passed (add, sub); max/min split the gradient
among the elements that equal the result. The variable scatters (scatter_ops' ref
counterparts, ir/ops/scatter_state_ops.py) share the checks and `scatter_rows`.
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from ..errors import InvalidArgumentError
from ._base import apply, check_dtype, convert_to_tensor, defop, only_default
from .array_ops import INDEX_DTYPES, shape as shape_of
from ..registry import get_opdef
from .array_grads import scatter_nd
from .math_ops import cast, divide, equal, multiply, negative
from .slicing_ops import gather_nd, index_rows
from .generator_ops import zeros_like

__all__ = ["tensor_scatter_nd_update", "tensor_scatter_nd_add", "tensor_scatter_nd_sub",
           "tensor_scatter_nd_max", "tensor_scatter_nd_min",
           "tensor_scatter_update", "tensor_scatter_add", "tensor_scatter_sub"]

# How a scatter combines an update u into the value v at its position, in order for
# repeated positions (numpy's unbuffered ufunc.at; update assigns, the last one wins).
_AT = {"add": np.add, "sub": np.subtract, "mul": np.multiply, "min": np.minimum,
       "max": np.maximum}


def scatter_rows(out: np.ndarray, rows: np.ndarray, values: np.ndarray, kind: str) -> None:
    """Combine `values` (one slice per row of `rows`, each row indexing the leading dims
    of `out`) into `out`, in place; kind is update, add, sub, mul, div, min or max.
    Integer division truncates (C's, as TF1's kernels) and refuses a zero divisor."""
    where = tuple(rows.T)
    if kind == "update":
        out[where] = values
    elif kind in _AT:
        _AT[kind].at(out, where, values)
    elif out.dtype.kind in "iu":  # "div": no truncating ufunc.at, so position by position
        trunc_div = get_opdef("TruncateDiv").compute
        for k in range(rows.shape[0]):
            at = tuple(rows[k])
            out[at] = trunc_div(out[at], values[k])
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            np.divide.at(out, where, values)


def check_nd_operands(op, tensor, indices, updates) -> None:
    """Build-time checks of a scatter_nd's operands (what TF1's shape function checks)."""
    check_dtype(op, indices, INDEX_DTYPES, "indices")
    if updates.dtype is not tensor.dtype:
        raise TypeError(f"{op.type} op '{op.name}': updates '{updates.name}' are "
                        f"{updates.dtype.name} but tensor '{tensor.name}' is "
                        f"{tensor.dtype.name}")
    t, i, u = tensor.shape.as_tuple(), indices.shape.as_tuple(), updates.shape.as_tuple()
    if i is not None and not i:
        raise ValueError(f"indices '{indices.name}' must be at least a vector")
    if t is not None and i is not None and u is not None and i[-1] is not None:
        if i[-1] > len(t):
            raise ValueError(f"indices.shape[-1] = {i[-1]} must be <= the rank of tensor "
                             f"'{tensor.name}' ({tensor.shape})")
        want = indices.shape[:-1].concatenate(tensor.shape[i[-1]:])
        if not want.is_compatible_with(updates.shape):
            raise ValueError(f"{op.type} op '{op.name}': updates '{updates.name}' must have "
                             f"shape {want} (indices.shape[:-1] + tensor.shape[indices."
                             f"shape[-1]:]), got {updates.shape}")


def _scatter_infer(op):
    tensor, indices, updates = op.inputs
    check_nd_operands(op, tensor, indices, updates)
    return [(tensor.dtype, tensor.shape)]


def nd_rows(tensor: np.ndarray, indices: np.ndarray, updates: np.ndarray) -> tuple:
    """Run-time checks of a scatter_nd: (the checked index rows, one update slice per row)."""
    depth = indices.shape[-1] if indices.ndim else 0
    if indices.ndim == 0 or depth > tensor.ndim or \
            updates.shape != indices.shape[:-1] + tensor.shape[depth:]:
        raise InvalidArgumentError(None, None, f"updates must have shape indices.shape"
                                   f"[:-1] + tensor.shape[indices.shape[-1]:], got "
                                   f"tensor {list(tensor.shape)}, indices "
                                   f"{list(indices.shape)}, updates {list(updates.shape)}")
    rows = index_rows(indices, tensor.shape, "shape")
    return rows, updates.reshape((rows.shape[0],) + tensor.shape[depth:])


def _scatter_compute(kind):
    def compute(tensor, indices, updates):
        rows, values = nd_rows(tensor, indices, updates)
        out = np.array(tensor, copy=True)
        scatter_rows(out, rows, values, kind)
        return out
    return compute


def _update_vjp(op, grads):
    g = grads[0]
    _, indices, updates = op.inputs
    return [apply("TensorScatterUpdate", (g, indices, zeros_like(updates))), None,
            gather_nd(g, indices)]


defop("TensorScatterUpdate", _scatter_infer, _scatter_compute("update"), _update_vjp,
      family="array")
defop("TensorScatterAdd", _scatter_infer, _scatter_compute("add"),
      lambda op, grads: [grads[0], None, gather_nd(grads[0], op.inputs[1])], family="array")
defop("TensorScatterSub", _scatter_infer, _scatter_compute("sub"),
      lambda op, grads: [grads[0], None, negative(gather_nd(grads[0], op.inputs[1]))],
      family="array")


def _min_max_vjp(op, grads):
    """TF1's _TensorScatterMinOrMaxGrad: the gradient goes to the elements of tensor and
    updates equal to the result, split evenly among ties."""
    g = grads[0]
    x, indices, y = op.inputs
    out = op.outputs[0]
    x_ind = cast(equal(x, out), g.dtype)
    y_ind = cast(equal(y, gather_nd(out, indices)), g.dtype)
    count = x_ind + scatter_nd(indices, y_ind, shape_of(x, out_type=indices.dtype))
    return [divide(multiply(g, x_ind), count), None,
            multiply(gather_nd(divide(g, count), indices), y_ind)]


for _type, _kind in (("TensorScatterMax", "max"), ("TensorScatterMin", "min")):
    defop(_type, _scatter_infer, _scatter_compute(_kind), _min_max_vjp, family="array")


def _scatter(op_type, tensor, indices, updates, name):
    t = convert_to_tensor(tensor, name="tensor")
    i = convert_to_tensor(indices, name="indices")
    u = convert_to_tensor(updates, name="updates", dtype=t.dtype)
    return apply(op_type, (t, i, u), name=name or op_type)


def tensor_scatter_nd_update(tensor, indices, updates, name: Optional[str] = None):
    """TF1 `tf.tensor_scatter_nd_update`: a copy of `tensor` with the slices at `indices`
    replaced by `updates`."""
    return _scatter("TensorScatterUpdate", tensor, indices, updates, name)


def tensor_scatter_nd_add(tensor, indices, updates, bad_indices_policy: str = "",
                          name: Optional[str] = None):
    """TF1 `tf.tensor_scatter_nd_add`: a copy of `tensor` with `updates` added at
    `indices` (repeated indices add up)."""
    only_default("tensor_scatter_nd_add", bad_indices_policy=(bad_indices_policy, ""))
    return _scatter("TensorScatterAdd", tensor, indices, updates, name)


def tensor_scatter_nd_sub(tensor, indices, updates, bad_indices_policy: str = "",
                          name: Optional[str] = None):
    """TF1 `tf.tensor_scatter_nd_sub`: a copy of `tensor` with `updates` subtracted at
    `indices`."""
    only_default("tensor_scatter_nd_sub", bad_indices_policy=(bad_indices_policy, ""))
    return _scatter("TensorScatterSub", tensor, indices, updates, name)


def tensor_scatter_nd_max(tensor, indices, updates, bad_indices_policy: str = "",
                          name: Optional[str] = None):
    """TF `tf.tensor_scatter_nd_max`: a copy of `tensor` where each position at `indices`
    holds the largest of its value and its updates."""
    only_default("tensor_scatter_nd_max", bad_indices_policy=(bad_indices_policy, ""))
    return _scatter("TensorScatterMax", tensor, indices, updates, name)


def tensor_scatter_nd_min(tensor, indices, updates, bad_indices_policy: str = "",
                          name: Optional[str] = None):
    """TF `tf.tensor_scatter_nd_min`: a copy of `tensor` where each position at `indices`
    holds the smallest of its value and its updates."""
    only_default("tensor_scatter_nd_min", bad_indices_policy=(bad_indices_policy, ""))
    return _scatter("TensorScatterMin", tensor, indices, updates, name)


tensor_scatter_update = tensor_scatter_nd_update
tensor_scatter_add = tensor_scatter_nd_add
tensor_scatter_sub = tensor_scatter_nd_sub


from ..naming import name_builders  # noqa: E402

name_builders(globals())
