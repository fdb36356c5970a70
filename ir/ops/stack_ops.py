"""Stack ops (TF1's StackV2 family): a last-in first-out list of tensors, as a resource.

TF1's while-loop gradient (control flow v1) keeps each forward value the gradient loop
needs in a stack: the forward loop pushes it every iteration, the gradient loop pops it
back in reverse order. `StackV2(max_size)` makes a handle (a resource scalar: at run time
a fresh `Stack` per run), `StackPushV2(handle, elem)` pushes a copy of `elem` and returns
`elem`, `StackPopV2(handle)` removes and returns the last element. Nothing but the handle
links a push to a pop, so control dependencies order them (TensorFlow's own graphs make
each push a control input of the forward loop counter's next value, each pop one of the
gradient loop's). The ops are impure (never folded, CSE'd or moved) and run through these
numpy kernels on both backends, as TensorArrays do.
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from .. import dtypes as dt
from ..errors import InvalidArgumentError
from ..graph import Operation
from ..shapes import TensorShape, unknown_shape
from ._base import NON_DIFFERENTIABLE, apply, check_dtype, convert_to_tensor, defop

__all__ = ["stack_v2", "stack_push_v2", "stack_pop_v2", "stack_close_v2"]

SCALAR = TensorShape([])


class Stack:
    """One stack's elements in one run."""

    __slots__ = ("dtype", "max_size", "name", "elements", "closed")

    def __init__(self, dtype: dt.DType, max_size: int, name: str) -> None:
        self.dtype, self.max_size, self.name = dtype, max_size, name
        self.elements: list = []
        self.closed = False

    def _check_open(self) -> None:
        if self.closed:
            raise InvalidArgumentError(None, None, f"Stack {self.name!r} has already been "
                                       "closed")

    def push(self, elem: np.ndarray) -> None:
        self._check_open()
        if 0 <= self.max_size <= len(self.elements):
            raise InvalidArgumentError(None, None, f"Stack {self.name!r} pushed, but is full: "
                                       f"max_size {self.max_size}")
        self.elements.append(np.array(elem, dtype=self.dtype.np, copy=True))

    def pop(self) -> np.ndarray:
        self._check_open()
        if not self.elements:
            raise InvalidArgumentError(None, None, f"Stack {self.name!r} is empty")
        return self.elements.pop()


def stack_of(handle) -> Stack:
    value = handle.item() if isinstance(handle, np.ndarray) else handle
    if not isinstance(value, Stack):
        raise InvalidArgumentError(None, None, "a stack handle was expected")
    return value


def _check_handle(op: Operation) -> None:
    h = op.inputs[0]
    if h.dtype is not dt.resource:
        raise TypeError(f"{op.type} takes a stack handle (resource), got {h.name} of dtype "
                        f"{h.dtype.name}")


# ------------------------------------------------------------------ StackV2
def _create_infer(op: Operation):
    check_dtype(op, op.inputs[0], (dt.int32,), "max_size")
    if op.inputs[0].shape.ndims not in (None, 0):
        raise ValueError(f"StackV2's max_size must be a scalar, got shape "
                         f"{op.inputs[0].shape}")
    return [(dt.resource, SCALAR)]


def _create_compute(max_size, *, elem_type, stack_name):
    handle = np.empty((), object)
    handle[()] = Stack(elem_type, int(max_size), stack_name)
    return handle


defop("StackV2", _create_infer, _create_compute, vjp=NON_DIFFERENTIABLE, pure=False,
      family="tensor_array", doc="Makes an empty stack (per run); max_size < 0: unbounded.")


# ------------------------------------------------------------------ push / pop / close
def _push_infer(op: Operation):
    _check_handle(op)
    elem = op.inputs[1]
    return [(elem.dtype, elem.shape)]


def _push_compute(handle, elem, *, swap_memory):
    stack = stack_of(handle)
    if np.asarray(elem).dtype != stack.dtype.np:
        raise InvalidArgumentError(None, None, f"Stack {stack.name!r} holds "
                                   f"{stack.dtype.name}, pushed {np.asarray(elem).dtype}")
    stack.push(elem)
    return elem


defop("StackPushV2", _push_infer, _push_compute, vjp=NON_DIFFERENTIABLE, pure=False,
      family="tensor_array", doc="Pushes a copy of elem; returns elem.")


def _pop_infer(op: Operation):
    _check_handle(op)
    shape = op.attrs.get("elem_shape")
    return [(op.attrs["elem_type"], shape if shape is not None else unknown_shape())]


def _pop_compute(handle, *, elem_type, elem_shape):
    stack = stack_of(handle)
    if stack.dtype is not elem_type:
        raise InvalidArgumentError(None, None, f"Stack {stack.name!r} holds "
                                   f"{stack.dtype.name}, popped as {elem_type.name}")
    value = stack.pop()
    if elem_shape is not None and not elem_shape.is_compatible_with(value.shape):
        raise InvalidArgumentError(None, None, f"Stack {stack.name!r} popped a value of "
                                   f"shape {value.shape}, expected {elem_shape}")
    return value


defop("StackPopV2", _pop_infer, _pop_compute, vjp=NON_DIFFERENTIABLE, pure=False,
      family="tensor_array", doc="Removes and returns the last element pushed.")


def _close_infer(op: Operation):
    _check_handle(op)
    return []


def _close_compute(handle):
    stack_of(handle).closed = True
    return None


defop("StackCloseV2", _close_infer, _close_compute, vjp=NON_DIFFERENTIABLE, pure=False,
      family="tensor_array", doc="Closes a stack: later pushes and pops fail.")


# ------------------------------------------------------------------ builders
def stack_v2(max_size, elem_type, stack_name: str = "", name: Optional[str] = None):
    """TF1's `StackV2`: a stack handle (max_size < 0: unbounded)."""
    size = convert_to_tensor(max_size, dtype=dt.int32, name="max_size")
    return apply("StackV2", (size,), {"elem_type": dt.as_dtype(elem_type),
                                      "stack_name": stack_name}, name=name or "Stack")


def stack_push_v2(handle, elem, swap_memory: bool = False, name: Optional[str] = None):
    """TF1's `StackPushV2`: push a copy of `elem` onto `handle`'s stack; returns `elem`."""
    return apply("StackPushV2", (handle, convert_to_tensor(elem, name="elem")),
                 {"swap_memory": bool(swap_memory)}, name=name or "StackPush")


def stack_pop_v2(handle, elem_type, elem_shape=None, name: Optional[str] = None):
    """TF1's `StackPopV2`: the last element pushed onto `handle`'s stack (of static shape
    `elem_shape`, when the pushes' is known), removed from it."""
    shape = None if elem_shape is None else TensorShape(elem_shape)
    return apply("StackPopV2", (handle,), {"elem_type": dt.as_dtype(elem_type),
                                           "elem_shape": shape}, name=name or "StackPop")


def stack_close_v2(handle, name: Optional[str] = None):
    """TF1's `StackCloseV2`: close `handle`'s stack; returns the op."""
    return apply("StackCloseV2", (handle,), name=name or "StackClose")
