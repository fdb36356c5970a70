"""TF1's persistent session tensors: GetSessionHandle, GetSessionTensor,
DeleteSessionTensor.

`GetSessionHandle(data)` keeps the value of `data` in the Session (a resource holding
every kept value) and gives a string scalar naming it, which a later run feeds to
`GetSessionTensor(handle) {dtype}` to get the value back, or to
`DeleteSessionTensor(handle)` to forget it. A handle is TF's
"<op name>;<number>;<device>"; an unknown handle is a NotFoundError, a value of another
dtype than the one asked for an InvalidArgumentError. Stateful, not differentiable; they
run as numpy kernels (the values live in Python).
"""
from __future__ import annotations

import itertools
import threading
from typing import Optional

import numpy as np

from .. import dtypes as dt
from ..errors import InvalidArgumentError, NotFoundError
from ..shapes import TensorShape, unknown_shape
from ._base import NON_DIFFERENTIABLE, apply, check_dtype, defop

__all__ = ["get_session_handle_op", "get_session_tensor_op", "delete_session_tensor_op",
           "handle_string"]

DEVICE = "/job:localhost/replica:0/task:0/device:CPU:0"
_BY_DESIGN = "values a Session keeps for later runs, which live in Python"


class _Store:
    """One Session's kept values, by handle."""

    def __init__(self) -> None:
        self.values: dict = {}
        self.lock = threading.Lock()
        self.ids = itertools.count()


def _store(ctx) -> _Store:
    return ctx.resource("session_tensors", _Store)


def handle_string(value) -> str:
    """A fed handle (bytes, str, a 0-d array, or an object with `.handle`) as str."""
    if isinstance(value, np.ndarray):
        value = value.item() if value.size == 1 else value
    value = getattr(value, "handle", value)
    if isinstance(value, bytes):
        return value.decode()
    if isinstance(value, str):
        return value
    raise InvalidArgumentError(None, None, f"a session tensor handle must be a string "
                               f"scalar, got {value!r}")


def _check_handle(op) -> None:
    h = op.inputs[0]
    check_dtype(op, h, (dt.string,), "the handle")
    if h.shape.ndims not in (None, 0):
        raise ValueError(f"{op.type} '{op.name}': the handle must be a scalar, got shape "
                         f"{h.shape} ({h.name})")


def _get_handle_compute(ctx, data):
    store = _store(ctx)
    with store.lock:
        handle = f"{ctx.op.name};{next(store.ids)};{DEVICE}"
        store.values[handle] = np.array(data, copy=True)
    return np.array(handle.encode(), dtype=object)


def _lookup(ctx, handle):
    store, key = _store(ctx), handle_string(handle)
    with store.lock:
        if key not in store.values:
            raise NotFoundError(None, ctx.op, f"Unable to find the tensor {key!r} in the "
                                "session's kept tensors (deleted, or kept by another "
                                "Session)")
        return store, key


def _get_tensor_compute(ctx, handle, *, dtype):
    store, key = _lookup(ctx, handle)
    value = store.values[key]
    if (value.dtype == object) != (dtype is dt.string) or (
            dtype is not dt.string and value.dtype != dtype.np):
        raise InvalidArgumentError(None, ctx.op, f"the session tensor {key!r} is "
                                   f"{dt.from_numpy(value).name}, GetSessionTensor asks for "
                                   f"{dtype.name}")
    return value


def _delete_compute(ctx, handle):
    store, key = _lookup(ctx, handle)
    with store.lock:
        store.values.pop(key, None)


_FLAGS = dict(pure=False, needs_context=True, family="python", numpy_by_design=_BY_DESIGN)
defop("GetSessionHandle", lambda op: [(dt.string, TensorShape([]))], _get_handle_compute,
      NON_DIFFERENTIABLE, default_name="GetSessionHandle", **_FLAGS)
defop("GetSessionTensor", lambda op: (_check_handle(op), [(op.attrs["dtype"],
                                                          unknown_shape())])[1],
      _get_tensor_compute, NON_DIFFERENTIABLE, default_name="GetSessionTensor", **_FLAGS)
defop("DeleteSessionTensor", lambda op: (_check_handle(op), [])[1], _delete_compute,
      NON_DIFFERENTIABLE, default_name="DeleteSessionTensor", **_FLAGS)


def get_session_handle_op(data, name: Optional[str] = None):
    return apply("GetSessionHandle", [data], name=name)


def get_session_tensor_op(handle, dtype, name: Optional[str] = None):
    return apply("GetSessionTensor", [handle], {"dtype": dt.as_dtype(dtype)}, name=name)


def delete_session_tensor_op(handle, name: Optional[str] = None):
    return apply("DeleteSessionTensor", [handle], name=name)
