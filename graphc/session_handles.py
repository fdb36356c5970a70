"""TF1's persistent session tensors: `tf.get_session_handle`, `tf.get_session_tensor`,
`tf.delete_session_tensor` (over ir/ops/session_tensor_ops.py).

Running `get_session_handle(x)` keeps x's value in the Session and fetches a
`TensorHandle` (its `.handle` string names the value); a later run feeds that handle
(or the TensorHandle itself) to the placeholder `get_session_tensor` returns, and its
tensor is the kept value, without feeding the value back. `delete_session_tensor`'s op
forgets it.
"""
from __future__ import annotations

from typing import Optional

from .api import get_default_session
from .ir import dtypes as dt
from .ir.graph import TensorLike
from .ir.ops import core_ops
from .ir.ops._base import convert_to_tensor
from .ir.ops.session_tensor_ops import (delete_session_tensor_op, get_session_handle_op,
                                        get_session_tensor_op)

__all__ = ["TensorHandle", "get_session_handle", "get_session_tensor",
           "delete_session_tensor"]


class TensorHandle:
    """TF1's handle of a value kept in a Session (what fetching get_session_handle
    gives): `handle`, `eval()`, `delete()`; feedable where a handle is fed."""

    def __init__(self, handle, dtype, session=None) -> None:
        self._handle = handle.decode() if isinstance(handle, bytes) else str(handle)
        self._dtype = dt.as_dtype(dtype)
        self._session = session

    @property
    def handle(self) -> str:
        return self._handle

    def _session_or_default(self):
        session = self._session or get_default_session()
        if session is None:
            raise ValueError("TensorHandle.eval/delete need a Session: pass one, or use "
                             "the handle inside `with sess.as_default():`")
        return session

    def eval(self):
        """The kept value (a run of GetSessionTensor fed this handle)."""
        session = self._session_or_default()
        with session.graph.as_default():
            holder, tensor = get_session_tensor(self._handle, self._dtype)
        return session.run(tensor, {holder: self._handle})

    def delete(self) -> None:
        """Forget the kept value."""
        session = self._session_or_default()
        with session.graph.as_default():
            holder, deleter = delete_session_tensor(self._handle)
        session.run(deleter, {holder: self._handle})

    def __array__(self, dtype=None, copy=None):
        import numpy as np
        return np.array(self._handle.encode(), dtype=object)

    def __str__(self) -> str:
        return self._handle

    def __repr__(self) -> str:
        return f"<TensorHandle {self._handle!r} {self._dtype.name}>"


def get_session_handle(data, name: Optional[str] = None):
    """TF1 `tf.get_session_handle(data)`: the op keeping data's value (see module)."""
    t = data._as_tensor() if isinstance(data, TensorLike) else convert_to_tensor(data)
    return get_session_handle_op(t, name=name)


def get_session_tensor(handle, dtype, name: Optional[str] = None) -> tuple:
    """TF1 `tf.get_session_tensor(handle, dtype)`: (a string placeholder to feed a
    handle to, the kept value of that dtype)."""
    holder = core_ops.placeholder(dt.string, [])
    return holder, get_session_tensor_op(holder, dtype, name=name)


def delete_session_tensor(handle, name: Optional[str] = None) -> tuple:
    """TF1 `tf.delete_session_tensor(handle)`: (a string placeholder to feed a handle
    to, the op forgetting that kept value)."""
    holder = core_ops.placeholder(dt.string, [])
    return holder, delete_session_tensor_op(holder, name=name)
