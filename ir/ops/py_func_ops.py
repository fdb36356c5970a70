"""A Python function in the graph: TF1's PyFunc, PyFuncStateless and EagerPyFunc.

The function lives in a process-wide registry under a token (the op's `token` attr, as
TF1's); the graph that holds the op keeps the function alive (registry entries are weak),
so a graph file written with one names a function only this process has, as in TF1. The
op runs the function on its inputs' arrays and checks each result against `Tout` (TF1 is
as strict: an int64 array for an int32 output is an error). Exceptions raised in the
function become TF1's error classes (ValueError/TypeError: InvalidArgumentError,
StopIteration: OutOfRangeError, NotImplementedError: UnimplementedError, else
UnknownError), naming the op. Stateful ones (the default) are never folded, merged or
pruned away while fetched; PyFuncStateless may be merged by CSE. All are
non-differentiable, as in TF1; `gradient_override_map({"PyFunc": name})` gives one a
gradient registered with `tf.RegisterGradient(name)`. The llvm backend runs them between
native segments, by design (family "python", no FallbackWarning).
"""
from __future__ import annotations

import itertools
import threading
import weakref
from typing import Optional

import numpy as np

from .. import dtypes as dt
from ..errors import (InvalidArgumentError, OutOfRangeError, ResourceExhaustedError,
                      UnimplementedError, UnknownError)
from ..shapes import unknown_shape
from ._base import NON_DIFFERENTIABLE, apply, convert_to_tensor, defop, graph_of

__all__ = ["py_func_op", "registered_function"]

FAMILY = "python"

_FUNCS: "weakref.WeakValueDictionary[str, object]" = weakref.WeakValueDictionary()
_COUNTER = itertools.count()
_LOCK = threading.Lock()


class _Holder:
    """A function and a strong reference the graph keeps (weakref-able for the registry)."""

    __slots__ = ("fn", "__weakref__")

    def __init__(self, fn) -> None:
        self.fn = fn


def _register(fn, graph) -> str:
    with _LOCK:
        token = f"pyfunc_{next(_COUNTER)}"
        holder = _Holder(fn)
        _FUNCS[token] = holder
    kept = graph.__dict__.setdefault("_py_funcs_used_in_graph", [])
    kept.append(holder)
    return token


def registered_function(token: str):
    holder = _FUNCS.get(token)
    if holder is None:
        raise InvalidArgumentError(None, None, f"The Python function of {token} is not in "
                                   "this process (it was registered by another process or "
                                   "its graph is gone)")
    return holder.fn


class EagerValue(np.ndarray):
    """The array an EagerPyFunc's function gets: a numpy array with TF2's `.numpy()`."""

    def numpy(self) -> np.ndarray:
        return np.asarray(self)


_ERRORS = ((StopIteration, OutOfRangeError), ((ValueError, TypeError), InvalidArgumentError),
           (MemoryError, ResourceExhaustedError), (NotImplementedError, UnimplementedError))


def _as_output(value, d: dt.DType, i: int, token: str) -> np.ndarray:
    if d is dt.string:
        arr = np.asarray(value, dtype=object)
        return np.vectorize(lambda s: s.encode() if isinstance(s, str) else s,
                            otypes=[object])(arr) if arr.size else arr
    arr = np.asarray(value)
    if arr.dtype.kind in "US":
        arr = arr.astype(object)
    if arr.dtype != d.np:
        got = dt.from_numpy(arr).name if arr.dtype != object else "object"
        raise InvalidArgumentError(None, None, f"{i}-th value returned by {token} is {got}, "
                                   f"but expects {d.name}")
    return np.ascontiguousarray(arr)


def _compute(kind):
    def compute(*inputs, token, Tout):
        fn = registered_function(token)
        # (TF1 passes 0-d inputs as numpy scalars, bytes for strings: PyArray_Return)
        args = [np.asarray(x).view(EagerValue) if kind == "EagerPyFunc" else
                x[()] if x.ndim == 0 else x for x in inputs]
        try:
            result = fn(*args)
        except Exception as exc:  # noqa: BLE001 (re-raised as TF1's error class)
            cls = next((c for types, c in _ERRORS if isinstance(exc, types)), UnknownError)
            raise cls(None, None, f"{type(exc).__name__}: {exc}\n(raised by the Python "
                      f"function of {token})") from exc
        douts = [dt.as_dtype(t) for t in Tout]
        if not douts:
            return ()
        values = list(result) if isinstance(result, (list, tuple)) else [result]
        if len(values) != len(douts):
            raise InvalidArgumentError(None, None, f"{token} returned {len(values)} values, "
                                       f"but expects {len(douts)}")
        out = tuple(_as_output(v, d, i, token) for i, (v, d) in enumerate(zip(values, douts)))
        return out if len(out) > 1 else out[0]
    return compute


def _infer(op):
    return [(dt.as_dtype(t), unknown_shape()) for t in op.attrs["Tout"]]


for _kind, _pure in (("PyFunc", False), ("PyFuncStateless", True), ("EagerPyFunc", False)):
    defop(_kind, _infer, _compute(_kind), NON_DIFFERENTIABLE, pure=_pure, family=FAMILY)


def py_func_op(kind: str, func, inp, Tout, name: Optional[str] = None):
    """A `kind` node (PyFunc, PyFuncStateless, EagerPyFunc) calling func(*inputs): a
    tensor when Tout is one dtype, a list of tensors when it is a list (the op itself when
    the list is empty)."""
    if not callable(func):
        raise TypeError(f"func must be callable, got {func!r}")
    inputs = [convert_to_tensor(x) for x in (inp if isinstance(inp, (list, tuple))
                                              else [] if inp is None else [inp])]
    single = not isinstance(Tout, (list, tuple))
    douts = [dt.as_dtype(Tout)] if single else [dt.as_dtype(t) for t in Tout]
    graph = graph_of(inputs)
    token = _register(func, graph)
    out = apply(kind, inputs, {"token": token, "Tout": [d.name for d in douts]},
                name=name or kind, graph=graph)
    if single:
        return out
    if not douts:
        return out  # the op (TF1 returns it for an empty Tout)
    return list(out) if isinstance(out, (list, tuple)) else [out]
