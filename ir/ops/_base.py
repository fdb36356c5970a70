"""Shared machinery for op definitions and builders.

`defop` registers an OpDef; `apply` appends a node of a registered type to the right
graph; `convert_to_tensor` turns Python and numpy values into Const nodes with TF1's
dtype rules; `const_value` and `partial_value` let shape inference see values known at
build time. This module imports no op family: every family imports it.
"""
from __future__ import annotations

import numbers
from typing import Callable, Optional, Sequence

import numpy as np

from .. import dtypes as dt
from ..context import get_default_graph
from ..graph import Graph, Operation, Tensor, TensorLike
from ..plan import PlanValue
from ..registry import NON_DIFFERENTIABLE, OpDef, register
from ..shapes import TensorShape, broadcast_shapes, unknown_shape
from ..evaluate import SHAPE_OPS, evaluate, shape_value
from ..symbolic import is_symbolic
from . import _shape_arithmetic as A
from ._slice_spec import SliceSpecError, apply_strided_slice, ss_masks, strided_slice_plan

__all__ = ["defop", "apply", "convert_to_tensor", "register_tensor_conversion_function",
           "const_value", "const_value_as_shape", "NON_DIFFERENTIABLE", "same_as_input", "broadcast_infer", "check_dtype",
           "graph_of", "np_value", "static_int_list", "normalize_axis", "TensorShape",
           "Tensor", "Operation", "Graph", "only_default", "deprecated_argument"]


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


def deprecated_argument(new_name: str, new_value, old_name: str, old_value):
    """TF1's `deprecated_argument_lookup`: the value of an argument also accepted under
    its old name (`dim` for `axis`, `keep_dims` for `keepdims`, `reduction_indices`,
    `dimension`); giving both is a ValueError naming them."""
    if old_value is None:
        return new_value
    if new_value is not None:
        raise ValueError(f"Cannot specify both '{old_name}' and '{new_name}'")
    return old_value


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


# TF1's tensor conversion functions: (base type, fn(value, dtype, name, as_ref)) in the
# order of their priorities (tf.register_tensor_conversion_function; IndexedSlices').
_CONVERSIONS: list = []
_CONVERTIBLE: tuple = ()


def register_tensor_conversion_function(base_type, conversion_func, priority: int = 100):
    """TF1 `tf.register_tensor_conversion_function`: `convert_to_tensor` of an instance of
    `base_type` (a type or tuple of types) returns `conversion_func(value, dtype=dtype,
    name=name, as_ref=False)`; lower priorities are tried first. graphc's own Tensors,
    Variables, numpy values and Python numbers convert as before and cannot be
    overridden (TF1 refuses them too)."""
    global _CONVERTIBLE
    types = base_type if isinstance(base_type, tuple) else (base_type,)
    for t in types:
        if not isinstance(t, type):
            raise TypeError(f"base_type must be a type or a tuple of types, got {t!r}")
        if issubclass(t, (TensorLike, np.ndarray, np.generic, numbers.Number, str, bytes)):
            raise TypeError(f"Cannot register conversions for {t.__name__}: graphc converts it "
                            "itself")
    if not callable(conversion_func):
        raise TypeError("conversion_func must be callable")
    _CONVERSIONS.append((priority, len(_CONVERSIONS), types, conversion_func))
    _CONVERSIONS.sort(key=lambda entry: entry[:2])
    _CONVERTIBLE = tuple(t for entry in _CONVERSIONS for t in entry[2])


def _registered_conversion(value, dtype, name) -> Tensor:
    for _, _, types, fn in _CONVERSIONS:
        if isinstance(value, types):
            t = fn(value, dtype=dtype, name=name, as_ref=False)
            if t is not NotImplemented:
                return convert_to_tensor(t, dtype=dtype, name=name)
    raise TypeError(f"No conversion function of {type(value).__name__} returned a tensor")


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
    if _CONVERTIBLE and isinstance(value, _CONVERTIBLE):
        return _registered_conversion(value, dtype, name)
    if isinstance(value, Operation):
        raise TypeError(f"Can't convert Operation '{value.name}' to Tensor (target dtype="
                        f"{dtype}, name={name!r}). Fetch it or use it as a control "
                        "dependency instead.")
    if isinstance(value, (list, tuple)) and _contains_tensor(value):
        # lists mixing tensors and numbers pack (TF1)
        return apply("Pack", [v._as_tensor() if isinstance(v, TensorLike) else
                              convert_to_tensor(v, dtype=dtype or _first_dtype(value))
                              for v in value], {"axis": 0}, name=name or "packed")
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
# Ops whose value const_value computes from constant inputs when the graph is built
# (cheap, pure, shape-like: what TF1's `constant_value` sees through, and a little more).
BUILD_TIME_OPS = frozenset({
    "Identity", "StopGradient", "Cast", "Pack", "ConcatV2",
    "Slice", "StridedSlice", "GatherV2", "GatherNd", "Reshape", "ExpandDims", "Squeeze",
    "Fill", "Range", "Tile", "Transpose", "ReverseV2", "Unpack", "Split", "SplitV",
    "ZerosLike", "OnesLike", "BroadcastTo", "OneHot", "SequenceMask", "Pad", "MirrorPad",
    "BooleanMask", "InvertPermutation", "ConcatOffset",
})


def const_value(t: Tensor) -> Optional[np.ndarray]:
    """The value of `t` (a Tensor, or a plan's PlanValue) if it is known when the graph is
    built (TF1 `constant_value`): a Const, the Shape/Size/Rank of a static shape, or a
    BUILD_TIME_OPS op of such values, evaluated by the one constant evaluator
    (`ir.evaluate`)."""
    if not isinstance(t, (Tensor, PlanValue)):
        return None
    op = t.op
    if op.type == "Const":
        return op.attrs["value"]
    if op.type in SHAPE_OPS:
        return shape_value(op.type, op.inputs[0].shape, t.dtype)
    if op.type not in BUILD_TIME_OPS:
        return None
    values = []
    for i in op.inputs:
        v = const_value(i)
        if v is None:
            return None
        values.append(v)
    out = evaluate(op, values)
    return None if out is None else out[t.value_index]


def const_value_as_shape(t: Tensor) -> TensorShape:
    """A partial shape from a 1-D int tensor, with unknown entries as None (TF1).

    Sees through shape arithmetic known at build time: `tf.shape(x)` of a partially known
    x, `tf.shape(x)[i]`, slices and gathers of it, and stacks/concats of such pieces
    mixed with constants (`[tf.shape(x)[0], -1]`). A scalar -1 means an unknown shape.
    """
    if isinstance(t, (Tensor, PlanValue)) and t.shape.ndims == 0:
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
    pv = partial_value(t)
    if pv is not None and pv.ndim == 1:
        return TensorShape([d if is_symbolic(d) else None if d is None or int(d) == -1
                            else int(d) for d in pv])
    rank = t.shape[0].value if t.shape.ndims == 1 else None
    return unknown_shape(rank)


def dim_from_scalar(t: Tensor) -> Optional[int]:
    """A scalar int tensor's value if known at build time, e.g. tf.shape(x)[i] for a known
    dim i of x (None when unknown)."""
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


# ------------------------------------------------------------------ partial values
# `partial_value` goes further than const_value, like TF1's `constant_value_as_shape` and
# TF's shape refiner: an object array with Python ints where an entry is known and None
# where it is not. `tf.shape(x)` with x of shape (?, 3) is [None, 3]; slicing, gathering,
# stacking and concatenating such vectors keeps what is known, so `tf.shape(x)[1]` is 3
# and `[tf.shape(x)[0], -1]` is [None, -1].
class SymbolicDim:
    """Dim `index` of `tensor`, unknown at build time (what `tf.shape(tensor)[index]` is).

    Reshape uses it the way TF's shape inference uses dimension handles: in
    `tf.reshape(x, [tf.shape(x)[0], -1])` the unknown batch dims cancel, so the -1 is known.
    """

    __slots__ = ("tensor", "index")

    def __init__(self, tensor, index: int) -> None:
        self.tensor, self.index = tensor, index

    def __eq__(self, other) -> bool:
        return (isinstance(other, SymbolicDim) and other.tensor is self.tensor
                and other.index == self.index)

    def __hash__(self) -> int:
        return hash((id(self.tensor), self.index))

    def __repr__(self) -> str:
        return f"shape({self.tensor.name})[{self.index}]"


def partial_value(t, symbolic: bool = False) -> Optional[np.ndarray]:
    """An object array of ints with None for entries unknown at build time, or None.

    With `symbolic`, unknown dims read from a Shape op are `SymbolicDim`s instead of None.
    """
    v = _partial(t, 0)
    if v is None or symbolic:
        return v
    return _desymbolize(v)


def known_ints(t) -> Optional[np.ndarray]:
    """`t`'s value as an int64 array when every entry is known at build time: const_value,
    or a partial value with no unknown entry (`(axes + rank) % rank` of constants, which
    const_value leaves to constant folding)."""
    v = const_value(t)
    return np.asarray(v) if v is not None else A.ints(_partial(t, 0))


def _desymbolize(v: np.ndarray) -> np.ndarray:
    if v.dtype != object:
        return v
    out = np.empty(v.shape, dtype=object)
    flat_in, flat_out = v.reshape(-1), out.reshape(-1)
    for i, e in enumerate(flat_in):
        flat_out[i] = None if isinstance(e, SymbolicDim) else e
    return out


def _partial(t, _depth: int) -> Optional[np.ndarray]:
    if _depth > 64 or not t.dtype.is_integer:
        return None
    v = const_value(t)
    if v is not None:
        return np.asarray(v).astype(object)
    op = t.op
    kind = op.type
    recurse = lambda i: _input_partial(op.inputs[i], _depth + 1)  # noqa: E731
    if kind == "Shape":
        dims = op.inputs[0].shape.as_tuple()
        return None if dims is None else _objects(
            [SymbolicDim(op.inputs[0], i) if d is None else d for i, d in enumerate(dims)])
    if kind in ("Identity", "StopGradient") or (kind == "Cast" and t.dtype.is_integer):
        return _partial(op.inputs[0], _depth + 1)
    if kind == "Pack":
        parts = [recurse(i) for i in range(len(op.inputs))]
        if any(p is None for p in parts):
            return None
        return _stack(parts, op.attrs["axis"])
    if kind == "ConcatV2":
        parts = [recurse(i) for i in range(len(op.inputs))]
        if any(p is None for p in parts):
            return None
        return np.concatenate(parts, axis=op.attrs["axis"])
    if kind == "StridedSlice":
        return _partial_strided_slice(op, _depth)
    if kind == "Slice":
        x = recurse(0)
        begin, size = const_value(op.inputs[1]), const_value(op.inputs[2])
        if x is None or begin is None or size is None or x.ndim != len(begin):
            return None
        index = tuple(slice(int(b), None if s == -1 else int(b) + int(s))
                      for b, s in zip(begin, size))
        return x[index]
    if kind == "GatherV2":
        x, idx = recurse(0), const_value(op.inputs[1])
        if x is None or idx is None:
            return None
        axis = op.attrs["axis"]
        if x.ndim == 0 or np.any((idx < 0) | (idx >= x.shape[axis])):
            return None
        return np.take(x, idx, axis=axis)
    if kind in ("Reshape", "ExpandDims", "Squeeze"):
        x = recurse(0)
        if x is None or t.shape.as_tuple() is None or None in t.shape.as_tuple():
            return None
        return x.reshape(t.shape.as_tuple())
    if kind in ("OnesLike", "ZerosLike"):  # (of a shape: the reduction VJPs' kept shape)
        dims = t.shape.as_tuple()
        if dims is None or None in dims:
            return None
        return np.full(dims, 1 if kind == "OnesLike" else 0, dtype=object)
    if kind == "DynamicStitch" and A.short(t):
        return _partial_stitch(op, _depth)
    if kind in A.SHAPE_ARITHMETIC and A.short(t):
        a, b = recurse(0), recurse(1)
        return None if a is None or b is None else A.elementwise(kind, a, b)
    if kind == "Fill":
        dims, value = const_value(op.inputs[0]), recurse(1)
        if dims is None or value is None or value.ndim != 0:
            return None
        return np.full([int(d) for d in np.asarray(dims).reshape(-1)], value.item(),
                       dtype=object)
    if kind in ("Select", "SelectV2"):
        cond = const_value(op.inputs[0])
        a, b = recurse(1), recurse(2)
        if cond is None or a is None or b is None or (kind == "Select" and (
                cond.shape != a.shape or a.shape != b.shape)):
            return None
        return np.where(np.asarray(cond, dtype=bool), a, b)
    return None


def _partial_stitch(op, depth: int) -> Optional[np.ndarray]:
    """DynamicStitch of known indices (TF's reduction gradients' kept shape)."""
    n = len(op.inputs) // 2
    indices = [A.ints(_partial(i, depth + 1)) for i in op.inputs[:n]]
    data = [_input_partial(d, depth + 1) for d in op.inputs[n:]]
    if any(v is None for v in indices + data):
        return None
    return A.stitch(indices, data)


def _input_partial(t, depth: int) -> Optional[np.ndarray]:
    """An input's partial value; a tensor of known shape with unknown values is all None."""
    v = _partial(t, depth)
    if v is not None:
        return v
    dims = t.shape.as_tuple()
    if dims is None or None in dims or not t.dtype.is_integer:
        return None
    return np.full(dims, None, dtype=object)


def _objects(values: list) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _stack(parts: list, axis: int) -> np.ndarray:
    if all(p.ndim == 0 for p in parts) and axis in (0, -1):
        return _objects([p.item() if p.ndim == 0 else p for p in parts])
    return np.stack(parts, axis=axis)


def _partial_strided_slice(op, depth: int) -> Optional[np.ndarray]:
    x = _input_partial(op.inputs[0], depth + 1)
    consts = [const_value(i) for i in op.inputs[1:]]
    if x is None or any(c is None for c in consts):
        return None
    begin, end, strides = ([int(v) for v in np.asarray(c).reshape(-1)] for c in consts)
    try:
        final, plan = strided_slice_plan(list(x.shape), begin, end, strides,
                                         *ss_masks(op.attrs))
    except SliceSpecError:
        return None
    if any(p is None for p in plan):
        return None
    return apply_strided_slice(x, plan, final)
