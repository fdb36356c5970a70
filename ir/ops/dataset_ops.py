"""Iterator ops of tf.data: MakeIterator and IteratorGetNext over per-session iterators.

An iterator is named by a string handle (a scalar string tensor: a Const for iterators
made in the graph, a fed placeholder for `Iterator.from_string_handle`). Its state lives
on the Session (`RuntimeState.resources`), never in the graph or a global, so two
Sessions over one graph iterate independently.

MakeIterator(handle, *captured) {dataset, once}
    (Re)starts the iterator over `dataset` (a graphc.data Dataset, held as an attr):
    `captured` are the values of the graph tensors the dataset reads (its sliced
    tensors, fed placeholders, tensors its functions capture). With `once`, only if
    it is not initialised yet (what a one-shot iterator's string_handle runs).
IteratorGetNext(handle) {output_types, output_shapes, iterator, one_shot}
    The next element, one output per component. At the end: OutOfRangeError naming the
    iterator; before initialisation: FailedPreconditionError. A one-shot iterator
    (`one_shot` = (dataset, captured values)) initialises itself on first use.

Both are stateful and not differentiable. The Session pulls a top-level IteratorGetNext
before the plan runs and feeds its outputs (a source of the plan, specialised to the
element's shapes); inside functions, or with a handle computed at run time, the kernel
runs like any other op (on llvm through the numpy-kernel fallback, by design).
"""
from __future__ import annotations

import threading
from typing import Optional

import numpy as np

from .. import dtypes as dt
from ..errors import FailedPreconditionError, InvalidArgumentError, OutOfRangeError
from ..shapes import TensorShape
from ._base import NON_DIFFERENTIABLE, apply, check_dtype, defop

__all__ = ["IteratorResource", "make_iterator", "iterator_get_next", "iterator_resource"]


class IteratorResource:
    """One Session's state of one iterator: the running element stream of its dataset."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._elements = None   # a Python iterator of flat tuples of arrays
        self._lock = threading.Lock()

    @property
    def initialized(self) -> bool:
        return self._elements is not None

    def initialize(self, dataset, values: dict, runner) -> None:
        """Start over on `dataset` (an earlier stream is closed: its producers stop)."""
        elements = dataset._make_elements(values, runner)
        with self._lock:
            old, self._elements = self._elements, elements
        _close(old)

    def get_next(self, op, types: tuple, shapes: tuple) -> tuple:
        """The next element as a tuple of arrays checked against `types` and `shapes`."""
        with self._lock:
            if self._elements is None:
                raise FailedPreconditionError(
                    None, op, "GetNext() failed because the iterator has not been "
                    "initialized. Ensure that you have run the initializer operation for "
                    f"this iterator ('{self.name}') before getting the next element.")
            try:
                element = next(self._elements)
            except StopIteration:
                raise OutOfRangeError(None, op, f"End of sequence of iterator "
                                      f"'{self.name}'") from None
        if len(element) != len(types):
            raise InvalidArgumentError(None, op, f"iterator '{self.name}' produced "
                                       f"{len(element)} components, expected {len(types)}")
        out = []
        for i, (v, d, s) in enumerate(zip(element, types, shapes)):
            if d is dt.string:
                v = np.asarray(v, dtype=object)
            elif not (isinstance(v, np.ndarray) and v.dtype == d.np and
                      v.flags.c_contiguous):
                v = np.array(v, dtype=d.np, order="C")  # (0-d stays 0-d)
            if not s.is_compatible_with(v.shape):
                raise InvalidArgumentError(
                    None, op, f"iterator '{self.name}': component {i} has shape "
                    f"{list(v.shape)}, but its dataset declares {s}")
            out.append(v)
        return tuple(out)

    def close(self) -> None:
        with self._lock:
            old, self._elements = self._elements, None
        _close(old)


def _close(elements) -> None:
    close = getattr(elements, "close", None)
    if close is not None:
        close()


def iterator_resource(ctx, handle) -> IteratorResource:
    """The Session's iterator named by `handle` (a string scalar array or bytes)."""
    name = handle.item() if isinstance(handle, np.ndarray) else handle
    name = name.decode() if isinstance(name, bytes) else str(name)
    return ctx.resource("iterator:" + name, lambda: IteratorResource(name))


# ------------------------------------------------------------------ MakeIterator
def _check_handle(op) -> None:
    h = op.inputs[0]
    check_dtype(op, h, (dt.string,), "the iterator's string handle")
    if h.shape.ndims not in (None, 0):
        raise ValueError(f"the iterator handle '{h.name}' must be a scalar, got shape "
                         f"{h.shape}")


def _make_infer(op):
    _check_handle(op)
    return []


def _make_compute(ctx, handle, *captured, dataset, once):
    resource = iterator_resource(ctx, handle)
    with _ONE_SHOT_LOCK:
        if not (once and resource.initialized):
            resource.initialize(dataset, dict(zip(dataset._captured, captured)),
                                ctx.functions)


# ------------------------------------------------------------------ IteratorGetNext
def _get_next_infer(op):
    _check_handle(op)
    return list(zip(op.attrs["output_types"], op.attrs["output_shapes"]))


def _get_next_compute(ctx, handle, *, output_types, output_shapes, iterator, one_shot):
    return get_next_values(ctx, ctx.op, handle)


def get_next_values(ctx, op, handle) -> tuple:
    """The next element of `op`'s iterator (initialising a one-shot iterator first)."""
    attrs = op.attrs
    resource = iterator_resource(ctx, handle)
    one_shot = attrs["one_shot"]
    if one_shot is not None and not resource.initialized:
        dataset, values = one_shot
        with _ONE_SHOT_LOCK:
            if not resource.initialized:
                resource.initialize(dataset, dict(zip(dataset._captured, values)),
                                    ctx.functions)
    user_op = op.user_op() if hasattr(op, "user_op") else op
    values = resource.get_next(user_op, attrs["output_types"], attrs["output_shapes"])
    return values[0] if len(values) == 1 else values


_ONE_SHOT_LOCK = threading.Lock()

defop("MakeIterator", _make_infer, _make_compute, NON_DIFFERENTIABLE, pure=False,
      needs_context=True, family="dataset", default_name="MakeIterator")
defop("IteratorGetNext", _get_next_infer, _get_next_compute, NON_DIFFERENTIABLE, pure=False,
      needs_context=True, family="dataset", default_name="IteratorGetNext")


def make_iterator(handle, dataset, once: bool = False, name: Optional[str] = None):
    """The op (re)initialising the iterator `handle` over `dataset` (with `once`, only
    an iterator not initialised yet: a one-shot iterator's handle)."""
    return apply("MakeIterator", [handle] + list(dataset._captured),
                 {"dataset": dataset, "once": once}, name=name or "MakeIterator")


def iterator_get_next(handle, output_types, output_shapes, iterator: str,
                      one_shot=None, name: Optional[str] = None):
    """The next element's components (a tuple of tensors, or the op for none)."""
    out = apply("IteratorGetNext", [handle],
                {"output_types": tuple(output_types),
                 "output_shapes": tuple(TensorShape(s) if not isinstance(s, TensorShape)
                                        else s for s in output_shapes),
                 "iterator": iterator, "one_shot": one_shot}, name=name or "IteratorGetNext")
    return (out,) if not isinstance(out, tuple) and len(output_types) == 1 else out
