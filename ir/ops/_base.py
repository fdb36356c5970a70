"""Shared machinery for op definitions and builders.

`defop` registers an OpDef; `apply` appends a node of a registered type to the right
graph; `convert_to_tensor` turns Python and numpy values into Const nodes with TF1's
dtype rules; `const_value` lets shape inference see values known at build time.
"""
from __future__ import annotations

import numbers
from typing import Callable, Optional, Sequence

import numpy as np

from .. import dtypes as dt
from ..context import get_default_graph
from ..graph import Graph, Operation, Tensor, TensorLike
from ..registry import NON_DIFFERENTIABLE, OpDef, register
from ..shapes import TensorShape, broadcast_shapes, unknown_shape
from ..symbolic import has_symbolic, is_symbolic

__all__ = ["defop", "apply", "convert_to_tensor", "const_value", "const_value_as_shape",
           "NON_DIFFERENTIABLE", "same_as_input", "broadcast_infer", "check_dtype",
           "graph_of", "np_value", "static_int_list", "normalize_axis", "TensorShape",
           "Tensor", "Operation", "Graph", "only_default"]


def defop(name: str, infer: Callable, compute: Optional[Callable] = None, vjp=None,
          **flags) -> OpDef:
    """Register an op type; see `ir.registry.OpDef` for the facets."""
    return register(OpDef(name=name, infer=infer, compute=compute, vjp=vjp, **flags))


def only_default(fn: str, **given) -> None:
    """Refuse TF1 parameters graphc accepts only at their defaults (TF2-era additions to
    `tf.compat.v1`, GPU and DTensor options): each keyword is (value, default), and any
    other value is a NotImplementedError naming the function and the parameter."""
    for param, (value, default) in given.items():
        if value is not default and not (type(value) is type(default) and value == default):
            raise NotImplementedError(f"{fn}({param}={value!r}) is not supported by graphc "
                                      f"(only {param}={default!r})")


def graph_of(values: Sequence) -> Graph:
    """The graph the inputs live in (TF1: the inputs' graph, else the default graph).

    Inside a function being built (a cond branch, a loop body) it is the function's
    graph: outer inputs are captured there."""
    default = get_default_graph()
    if default.is_function:
        return default
    for v in values:
        if isinstance(v, TensorLike):
            return v._as_tensor().graph if not isinstance(v, Tensor) else v.graph
    return get_default_graph()


def apply(op_type: str, inputs: Sequence[Tensor] = (), attrs: Optional[dict] = None,
          name: Optional[str] = None, graph: Optional[Graph] = None, **kwargs):
    """Append an op; return its single output, or the tuple of outputs, or the op."""
    g = graph if graph is not None else graph_of(inputs)
    op = g.create_op(op_type, inputs, attrs, name=name, **kwargs)
    if len(op.outputs) == 1:
        return op.outputs[0]
    if not op.outputs:
        return op
    return op.outputs


# ------------------------------------------------------------------ value conversion
def _infer_python_dtype(value) -> dt.DType:
    """TF1's choice of dtype for a Python value: float32, int32, bool or string."""
    if isinstance(value, (bool, np.bool_)):
        return dt.bool_
    if isinstance(value, np.generic):
        return dt.as_dtype(value.dtype)
    if isinstance(value, numbers.Integral):
        return dt.int32 if -2**31 <= value < 2**31 else dt.int64
    if isinstance(value, numbers.Real):
        return dt.float32
    if isinstance(value, (str, bytes)):
        return dt.string
    if isinstance(value, np.ndarray):
        return dt.as_dtype(value.dtype)
    if isinstance(value, (list, tuple)):
        if not value:
            return dt.float32
        kinds = [_infer_python_dtype(v) for v in value]
        if any(k is dt.string for k in kinds):
            return dt.string
        if any(k.is_floating for k in kinds):
            floats = [k for k in kinds if k.is_floating]
            return max(floats, key=lambda k: k.size) if all(
                isinstance(v, (np.generic, np.ndarray)) for v in value) else dt.float32
        if any(k is dt.int64 for k in kinds):
            return dt.int64
        if all(k is dt.bool_ for k in kinds):
            return dt.bool_
        return dt.int32
    raise TypeError(f"Failed to convert object of type {type(value).__name__} to Tensor. "
                    f"Contents: {value!r}. Consider casting elements to a supported type.")


def np_value(value, dtype: Optional[dt.DType] = None) -> np.ndarray:
    """A numpy array for a Python/numpy value, with TF1's dtype rules and checks."""
    if isinstance(value, TensorLike):
        raise TypeError("np_value() takes concrete values, not tensors")
    if dtype is None:
        dtype = _infer_python_dtype(value)
    dtype = dt.as_dtype(dtype)
    if dtype is dt.string:
        arr = np.asarray(value, dtype=object)
        return np.vectorize(lambda s: s.encode() if isinstance(s, str) else s,
                            otypes=[object])(arr) if arr.size else arr
    if isinstance(value, (list, tuple)) and _contains_tensor(value):
        raise TypeError("np_value() got a list containing tensors")
    if isinstance(value, np.ndarray) or isinstance(value, np.generic):
        try:
            return np.asarray(value).astype(dtype.np, copy=False)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"Cannot convert array of {value.dtype} to {dtype.name}: "
                            f"{exc}") from None
    try:
        arr = np.asarray(value)
    except ValueError as exc:  # ragged lists
        raise ValueError(f"Argument must be a dense tensor: {value!r} - got shape error "
                         f"({exc})") from None
    if arr.dtype.kind in "SUO" and dtype is not dt.string:
        raise TypeError(f"Expected {dtype.name}, got {value!r} of type "
                        f"'{type(value).__name__}' instead.")
    if dtype.is_integer or dtype.is_bool:
        if arr.dtype.kind == "f":
            if not np.all(np.isfinite(arr)) or not np.all(arr == np.trunc(arr)):
                raise TypeError(f"Expected {dtype.name}, got {value!r} of type "
                                f"'{type(value).__name__}' instead.")
        if dtype.is_integer and arr.size and arr.dtype.kind in "iu":
            info = np.iinfo(dtype.np)
            if arr.min() < info.min or arr.max() > info.max:
                raise ValueError(f"Value {value!r} is out of range for dtype {dtype.name}")
    return arr.astype(dtype.np)


def _contains_tensor(value) -> bool:
    if isinstance(value, TensorLike):
        return True
    if isinstance(value, (list, tuple)):
        return any(_contains_tensor(v) for v in value)
    return False


def constant_op(value: np.ndarray, name: Optional[str] = None,
                graph: Optional[Graph] = None) -> Tensor:
    return apply("Const", (), {"value": value, "dtype": dt.from_numpy(value)}, name=name,
                 graph=graph if graph is not None else get_default_graph())


def convert_to_tensor(value, dtype=None, name: Optional[str] = None,
                      preferred_dtype=None, dtype_hint=None) -> Tensor:
    """TF1 `convert_to_tensor`: tensors pass through (dtype checked); values become Const."""
    dtype = None if dtype is None else dt.as_dtype(dtype)
    if isinstance(value, TensorLike):
        t = value._as_tensor()
        if dtype is not None and t.dtype is not dtype:
            raise ValueError(f"Tensor conversion requested dtype {dtype.name} for Tensor with "
                             f"dtype {t.dtype.name}: {t!r}")
        return t
    if isinstance(value, Operation):
        raise TypeError(f"Can't convert Operation '{value.name}' to Tensor (target dtype="
                        f"{dtype}, name={name!r}). Fetch it or use it as a control "
                        "dependency instead.")
    if isinstance(value, (list, tuple)) and _contains_tensor(value):
        from .array_ops import stack  # lists mixing tensors and numbers pack (TF1)
        return stack([v if isinstance(v, TensorLike) else
                      convert_to_tensor(v, dtype=dtype or _first_dtype(value)) for v in value],
                     name=name or "packed")
    hint = preferred_dtype or dtype_hint
    if dtype is None and hint is not None:
        try:
            arr = np_value(value, hint)
        except (TypeError, ValueError):
            arr = np_value(value)
    else:
        arr = np_value(value, dtype)
    return constant_op(arr, name=name or "Const")


def _first_dtype(values) -> Optional[dt.DType]:
    for v in values:
        if isinstance(v, TensorLike):
            return v._as_tensor().dtype
        if isinstance(v, (list, tuple)):
            found = _first_dtype(v)
            if found is not None:
                return found
    return None


def convert_pair(x, y, name_x: str = "x", name_y: str = "y"):
    """Convert two operands of a binary op; Python values take the tensor's dtype."""
    if isinstance(x, TensorLike):
        x = x._as_tensor()
        if not isinstance(y, TensorLike):
            y = convert_to_tensor(y, dtype=x.dtype, name=name_y)
        else:
            y = y._as_tensor()
    elif isinstance(y, TensorLike):
        y = y._as_tensor()
        x = convert_to_tensor(x, dtype=y.dtype, name=name_x)
    else:
        x = convert_to_tensor(x, name=name_x)
        y = convert_to_tensor(y, dtype=x.dtype, name=name_y)
    return x, y



# ------------------------------------------------------------------ build-time values
def const_value(t: Tensor) -> Optional[np.ndarray]:
    """The value of `t` if it is known when the graph is built (TF1 `constant_value`)."""
    if not isinstance(t, Tensor):
        return None
    op = t.op
    if op.type == "Const":
        return op.attrs["value"]
    if op.type == "Shape":
        shape = op.inputs[0].shape
        if shape.is_fully_defined() and not has_symbolic(shape.as_tuple()):
            return np.array(shape.as_list(), dtype=t.dtype.np)
    if op.type == "Size":
        n = op.inputs[0].shape.num_elements()
        if n is not None and not is_symbolic(n):
            return np.array(n, dtype=t.dtype.np)
    if op.type == "Rank":
        r = op.inputs[0].shape.ndims
        if r is not None:
            return np.array(r, dtype=t.dtype.np)
    if op.type == "Identity" or op.type == "StopGradient":
        return const_value(op.inputs[0])
    if op.type == "Cast":
        v = const_value(op.inputs[0])
        return None if v is None else v.astype(t.dtype.np)
    if op.type == "Pack":
        values = [const_value(i) for i in op.inputs]
        if any(v is None for v in values):
            return None
        return np.stack(values, axis=op.attrs["axis"])
    if op.type == "ConcatV2":
        values = [const_value(i) for i in op.inputs]
        if any(v is None for v in values):
            return None
        return np.concatenate(values, axis=op.attrs["axis"])
    from ._shape_values import FOLDABLE, fold_constant
    if op.type in FOLDABLE:  # slices, gathers, reshapes, fills, ranges of constants
        return fold_constant(t)
    return None


def const_value_as_shape(t: Tensor) -> TensorShape:
    """A partial shape from a 1-D int tensor, with unknown entries as None (TF1).

    Sees through shape arithmetic known at build time: `tf.shape(x)` of a partially known
    x, `tf.shape(x)[i]`, slices and gathers of it, and stacks/concats of such pieces
    mixed with constants (`[tf.shape(x)[0], -1]`). A scalar -1 means an unknown shape.
    """
    if isinstance(t, Tensor) and t.shape.ndims == 0:
        v = const_value(t)
        if v is None:
            raise ValueError("Received a scalar with unknown value as shape; require a "
                             "statically known scalar with value '-1' to describe an "
                             "unknown shape.")
        if int(v) != -1:
            raise ValueError(f"Received a scalar value '{int(v)}' as shape; require a "
                             "statically known scalar with value '-1' to describe an "
                             "unknown shape.")
        return unknown_shape()
    v = const_value(t)
    if v is not None:
        if v.ndim == 0:
            raise ValueError(f"A shape must be a vector, got the scalar {v}")
        return TensorShape([None if int(d) == -1 else int(d) for d in v])
    from ._shape_values import partial_value
    pv = partial_value(t)
    if pv is not None and pv.ndim == 1:
        return TensorShape([d if is_symbolic(d) else None if d is None or int(d) == -1
                            else int(d) for d in pv])
    rank = t.shape[0].value if t.shape.ndims == 1 else None
    return unknown_shape(rank)


def _dim_from_scalar(t: Tensor) -> Optional[int]:
    """A scalar int tensor's value if known at build time, e.g. tf.shape(x)[i] for a known
    dim i of x (None when unknown)."""
    from ._shape_values import partial_value
    pv = partial_value(t)
    if pv is None or pv.ndim != 0 or pv.item() is None:
        return None
    if is_symbolic(pv.item()):  # a plan's run-time dim (ir/symbolic.py)
        return pv.item()
    return None if int(pv.item()) < 0 else int(pv.item())


# ------------------------------------------------------------------ inference helpers
def same_as_input(op: Operation, index: int = 0):
    t = op.inputs[index]
    return [(t.dtype, t.shape)]


def check_dtype(op: Operation, t: Tensor, allowed, what: str = "") -> None:
    """Raise a TypeError naming the op, the tensor and the allowed dtypes."""
    if t.dtype not in allowed:
        names = ", ".join(d.name for d in allowed)
        raise TypeError(f"{op.type} op '{op.name}' does not accept {t.dtype.name} input "
                        f"'{t.name}'{(' (' + what + ')') if what else ''}; allowed dtypes: "
                        f"{names}")


def broadcast_infer(op: Operation, out_dtype: Optional[dt.DType] = None,
                    allowed=None):
    """Binary elementwise op: equal dtypes (no promotion, TF1) and broadcast shapes."""
    x, y = op.inputs
    if x.dtype is not y.dtype:
        raise TypeError(
            f"{op.type} op '{op.name}' requires both operands to have the same dtype, but "
            f"'{x.name}' is {x.dtype.name} and '{y.name}' is {y.dtype.name}. graphc, like "
            f"TF1, never promotes between tensors: use tf.cast on one of them.")
    if allowed is not None:
        check_dtype(op, x, allowed)
    shape = broadcast_shapes(x.shape, y.shape)
    if shape is None:
        raise ValueError(
            f"{op.type} op '{op.name}': shapes {x.shape} of '{x.name}' and {y.shape} of "
            f"'{y.name}' are not broadcast-compatible (Dimensions must be equal, or 1).")
    return [(out_dtype or x.dtype, shape)]


def static_int_list(value, what: str) -> Optional[list]:
    """A Python list of ints from an int, list, array or constant tensor (None passes)."""
    if value is None:
        return None
    if isinstance(value, TensorLike):
        v = const_value(value._as_tensor())
        if v is None:
            raise ValueError(f"graphc needs {what} to be known when the graph is built, "
                             f"but {value._as_tensor().name} is computed at run time.")
        value = v
    arr = np.asarray(value)
    if arr.dtype.kind not in "iu":
        raise TypeError(f"{what} must be integers, got {value!r}")
    return [int(v) for v in arr.reshape(-1)]


def normalize_axis(axis: int, rank: Optional[int], op_desc: str) -> int:
    """Map a negative axis into [0, rank); error naming the op if out of range."""
    if rank is None:
        if axis < 0:
            raise ValueError(f"{op_desc}: a negative axis {axis} needs a known rank")
        return axis
    if not -rank <= axis < rank:
        raise ValueError(f"{op_desc}: axis {axis} is out of range for a tensor of rank "
                         f"{rank} (expected {-rank} <= axis < {rank})")
    return axis % rank
