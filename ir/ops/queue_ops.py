"""Queue ops of TF1's queue-based input: FIFOQueue, PaddingFIFOQueue, RandomShuffleQueue,
PriorityQueue (component 0 an int64 scalar priority; dequeues the smallest first, equal
priorities in the order they came).

A queue is named by a string handle (a Const scalar, as a dataset iterator is); its
state lives in each Session (`RuntimeState.resources`), made on first use from the
QueueSpec every queue op carries (`queue` attr), so two Sessions over one graph have
queues of their own. Enqueue blocks while the queue is full and dequeue while it holds
too few elements (a RandomShuffleQueue: while it holds no more than min_after_dequeue,
unless it is closed), as in TF1; other threads' runs (queue runners) fill and empty it.

QueueEnqueueV2(handle, *components) {queue}         one element
QueueEnqueueManyV2(handle, *components) {queue}     the rows of the components
QueueDequeueV2(handle) {queue} -> components        one element
QueueDequeueManyV2(handle, n) {queue} -> batched    n elements, stacked (padded)
QueueDequeueUpToV2(handle, n) {queue} -> batched    up to n once the queue is closed
QueueCloseV2(handle) {queue, cancel_pending_enqueues}
QueueSizeV2(handle) {queue} -> int32;  QueueIsClosedV2(handle) {queue} -> bool

TF1's errors: enqueueing into a closed queue is CancelledError ("... is closed."), a
dequeue a closed queue cannot serve is OutOfRangeError ("... is closed and has
insufficient elements (requested n, current size k)"); closing with
cancel_pending_enqueues, or closing the Session, cancels blocked ops (CancelledError).
All are stateful and not differentiable; on llvm they run as numpy kernels between
native segments (as the iterator ops, without a FallbackWarning).
"""
from __future__ import annotations

import collections
import dataclasses
import heapq
import itertools
import threading
from typing import Optional

import numpy as np

from .. import dtypes as dt
from ..errors import CancelledError, InvalidArgumentError, OutOfRangeError
from ..shapes import TensorShape, unknown_shape
from ._base import NON_DIFFERENTIABLE, apply, check_dtype, const_value, defop

__all__ = ["QueueSpec", "QueueResource", "queue_enqueue", "queue_dequeue", "queue_close",
           "queue_size", "queue_is_closed"]

KINDS = {"fifo": "FIFOQueue", "padding_fifo": "PaddingFIFOQueue",
         "random_shuffle": "RandomShuffleQueue", "priority": "PriorityQueue"}


@dataclasses.dataclass(frozen=True, eq=False)
class QueueSpec:
    """What a queue is: its kind, name, capacity, component dtypes and shapes (None:
    not given), min_after_dequeue and seeds (RandomShuffleQueue)."""

    kind: str
    name: str
    capacity: int
    dtypes: tuple
    shapes: Optional[tuple]
    min_after_dequeue: int = 0
    seeds: tuple = (None, None)

    @property
    def type_name(self) -> str:
        return KINDS[self.kind]

    def shape(self, i: int) -> TensorShape:
        return unknown_shape() if self.shapes is None else self.shapes[i]


class QueueResource:
    """One Session's state of one queue: its elements (tuples of arrays) and waiters."""

    def __init__(self, spec: QueueSpec) -> None:
        self.spec = spec
        self._items = [] if spec.kind == "priority" else collections.deque()
        self._cond = threading.Condition()
        self._closed = False
        self._cancelled = False  # pending enqueues fail (close(cancel_...), Session.close)
        self._session_closed = False
        self._arrivals = itertools.count()  # (PriorityQueue: ties keep their order)
        seeds = [s for s in spec.seeds if s is not None]
        self._rng = np.random.Generator(np.random.Philox(np.random.SeedSequence(seeds))) \
            if seeds else np.random.default_rng()

    def _label(self) -> str:
        return f"{self.spec.type_name} '{self.spec.name}'"

    def size(self) -> int:
        with self._cond:
            return len(self._items)

    @property
    def closed(self) -> bool:
        return self._closed

    def enqueue(self, op, elements: list) -> None:
        """Add `elements` in order, each as soon as there is room (TF1 blocks)."""
        with self._cond:
            for element in elements:
                while True:
                    self._check_session(op)
                    if self._closed:
                        raise CancelledError(None, op, f"{self._label()} is closed.")
                    if len(self._items) < self.spec.capacity:
                        break
                    self._cond.wait()
                if self.spec.kind == "priority":
                    heapq.heappush(self._items, (int(element[0]), next(self._arrivals),
                                                 element))
                else:
                    self._items.append(element)
                self._cond.notify_all()

    def dequeue(self, op, n: int, up_to: bool) -> list:
        """`n` elements (fewer, at least one, for `up_to` once the queue is closed)."""
        keep = self.spec.min_after_dequeue if self.spec.kind == "random_shuffle" else 0
        with self._cond:
            while True:
                self._check_session(op)
                have = len(self._items)
                if self._closed:
                    if have >= n or (up_to and have > 0):
                        break
                    raise OutOfRangeError(
                        None, op, f"{self._label()} is closed and has insufficient elements "
                        f"(requested {n}, current size {have})")
                if have >= n + keep:
                    break
                self._cond.wait()
            count = min(n, len(self._items))
            if self.spec.kind == "random_shuffle":
                out = []
                for _ in range(count):
                    i = int(self._rng.integers(len(self._items)))
                    self._items[i], self._items[-1] = self._items[-1], self._items[i]
                    out.append(self._items.pop())
            elif self.spec.kind == "priority":
                out = [heapq.heappop(self._items)[2] for _ in range(count)]
            else:
                out = [self._items.popleft() for _ in range(count)]
            self._cond.notify_all()
            return out

    def close(self, cancel_pending_enqueues: bool = False) -> None:
        with self._cond:
            self._closed = True
            self._cancelled = self._cancelled or cancel_pending_enqueues
            self._cond.notify_all()

    def session_closed(self) -> None:
        """The Session is closing: every blocked op is cancelled."""
        with self._cond:
            self._session_closed = self._closed = True
            self._cond.notify_all()

    def _check_session(self, op) -> None:
        if self._session_closed:
            raise CancelledError(None, op, f"{self._label()}: the Session was closed")
        if self._cancelled:
            raise CancelledError(None, op, f"Enqueue operation was cancelled: "
                                 f"{self._label()} was closed with "
                                 "cancel_pending_enqueues")


def _resource(ctx, handle, spec: QueueSpec) -> QueueResource:
    name = handle.item() if isinstance(handle, np.ndarray) else handle
    name = name.decode() if isinstance(name, bytes) else str(name)
    return ctx.resource("queue:" + name, lambda: _SessionQueue(spec))


class _SessionQueue(QueueResource):
    """A queue as a Session resource: Session.close calls `close()`, which cancels."""

    def close(self, cancel_pending_enqueues: Optional[bool] = None) -> None:
        if cancel_pending_enqueues is None:  # (RuntimeState.close_resources)
            self.session_closed()
        else:
            super().close(cancel_pending_enqueues)


# ------------------------------------------------------------------ inference
def _check_handle(op) -> None:
    h = op.inputs[0]
    check_dtype(op, h, (dt.string,), "the queue's handle")
    if h.shape.ndims not in (None, 0):
        raise ValueError(f"the queue handle '{h.name}' must be a scalar, got shape {h.shape}")


def _check_components(op, many: bool) -> None:
    spec = op.attrs["queue"]
    values = op.inputs[1:]
    if len(values) != len(spec.dtypes):
        raise ValueError(f"{spec.type_name} '{spec.name}' holds {len(spec.dtypes)} "
                         f"components, the enqueue gives {len(values)}")
    for i, (v, d) in enumerate(zip(values, spec.dtypes)):
        if v.dtype is not d:
            raise TypeError(f"component {i} of {spec.type_name} '{spec.name}' is "
                            f"{d.name}, the enqueue gives {v.dtype.name} ({v.name})")
        shape = v.shape
        if many:
            if shape.ndims == 0:
                raise ValueError(f"enqueue_many: component {i} ({v.name}) is a scalar; "
                                 "it needs a first dimension of elements")
            shape = unknown_shape() if shape.ndims is None else \
                TensorShape(list(shape.as_tuple())[1:])
        if not spec.shape(i).is_compatible_with(shape):
            raise ValueError(f"Shape mismatch in tuple component {i}. Expected "
                             f"{spec.shape(i)}, got {shape} ({v.name})")


def _enqueue_infer(op):
    _check_handle(op)
    _check_components(op, False)
    return []


def _enqueue_many_infer(op):
    _check_handle(op)
    _check_components(op, True)
    return []


def _dequeue_infer(op):
    _check_handle(op)
    spec = op.attrs["queue"]
    return [(d, spec.shape(i)) for i, d in enumerate(spec.dtypes)]


def _dequeue_many_infer(op):
    _check_handle(op)
    check_dtype(op, op.inputs[1], (dt.int32, dt.int64), "the number of elements")
    spec = op.attrs["queue"]
    n = const_value(op.inputs[1])
    lead = int(np.asarray(n)) if n is not None and op.type == "QueueDequeueManyV2" else None
    out = []
    for i, d in enumerate(spec.dtypes):
        s = spec.shape(i)
        if spec.kind == "padding_fifo" and s.ndims is not None:
            s = TensorShape([None if x is None else x for x in s.as_tuple()])
        out.append((d, TensorShape([lead]).concatenate(s) if s.ndims is not None
                    else unknown_shape()))
    return out


def _close_infer(op):
    _check_handle(op)
    return []


def _size_infer(op):
    _check_handle(op)
    return [(dt.int32, TensorShape([]))]


def _is_closed_infer(op):
    _check_handle(op)
    return [(dt.bool_, TensorShape([]))]


# ------------------------------------------------------------------ kernels
def _element(spec: QueueSpec, op, values) -> tuple:
    out = []
    for i, (v, d) in enumerate(zip(values, spec.dtypes)):
        v = np.asarray(v, dtype=object) if d is dt.string else \
            np.array(v, dtype=d.np, copy=True)
        if not spec.shape(i).is_compatible_with(v.shape):
            raise InvalidArgumentError(None, op, f"Shape mismatch in tuple component {i}. "
                                       f"Expected {spec.shape(i)}, got {list(v.shape)}")
        out.append(v)
    return tuple(out)


def _enqueue_compute(ctx, handle, *values, queue):
    _resource(ctx, handle, queue).enqueue(ctx.op, [_element(queue, ctx.op, values)])


def _enqueue_many_compute(ctx, handle, *values, queue):
    rows = {np.shape(v)[0] for v in values}
    if len(rows) > 1:
        raise InvalidArgumentError(None, ctx.op, f"enqueue_many: the components have "
                                   f"different numbers of rows {sorted(rows)}")
    n = rows.pop() if rows else 0
    elements = [_element(queue, ctx.op, [v[j] for v in values]) for j in range(n)]
    _resource(ctx, handle, queue).enqueue(ctx.op, elements)


def _dequeue_compute(ctx, handle, *, queue):
    (element,) = _resource(ctx, handle, queue).dequeue(ctx.op, 1, False)
    return element[0] if len(element) == 1 else element


def _batched(spec: QueueSpec, op, elements: list) -> tuple:
    out = []
    for i, d in enumerate(spec.dtypes):
        parts = [e[i] for e in elements]
        shapes = {p.shape for p in parts}
        if len(shapes) > 1 and spec.kind != "padding_fifo":
            raise InvalidArgumentError(
                None, op, f"{spec.type_name} '{spec.name}': dequeue_many cannot stack "
                f"component {i} of shapes {sorted(map(list, shapes))}; give the queue "
                "fully defined shapes or use a PaddingFIFOQueue")
        if spec.kind == "padding_fifo":
            dims = [max(p.shape[k] for p in parts) if parts else 0
                    for k in range(len(spec.shape(i).as_tuple()))]
            batch = np.full([len(parts)] + dims, b"" if d is dt.string else 0,
                            dtype=object if d is dt.string else d.np)
            for j, p in enumerate(parts):
                batch[(j,) + tuple(slice(0, a) for a in p.shape)] = p
        elif parts:
            batch = np.stack(parts)
        else:
            batch = np.zeros((0,) + tuple(spec.shape(i).as_tuple()), dtype=object if
                             d is dt.string else d.np)
        out.append(batch)
    return tuple(out)


def _dequeue_many(ctx, handle, n, queue, up_to: bool):
    n = int(np.asarray(n))
    if n < 0:
        raise InvalidArgumentError(None, ctx.op, f"Dequeue requested {n} elements; the "
                                   "number must be >= 0")
    if n == 0 and queue.kind != "padding_fifo" and (queue.shapes is None or not all(
            s.is_fully_defined() for s in queue.shapes)):
        raise InvalidArgumentError(None, ctx.op, f"dequeue_many(0) of {queue.type_name} "
                                   f"'{queue.name}' needs fully defined shapes")
    elements = _resource(ctx, handle, queue).dequeue(ctx.op, n, up_to) if n else []
    out = _batched(queue, ctx.op, elements)
    return out[0] if len(out) == 1 else out


def _dequeue_many_compute(ctx, handle, n, *, queue):
    return _dequeue_many(ctx, handle, n, queue, False)


def _dequeue_up_to_compute(ctx, handle, n, *, queue):
    return _dequeue_many(ctx, handle, n, queue, True)


def _close_compute(ctx, handle, *, queue, cancel_pending_enqueues):
    _resource(ctx, handle, queue).close(bool(cancel_pending_enqueues))


def _size_compute(ctx, handle, *, queue):
    return np.array(_resource(ctx, handle, queue).size(), np.int32)


def _is_closed_compute(ctx, handle, *, queue):
    return np.array(_resource(ctx, handle, queue).closed, np.bool_)


_FLAGS = dict(pure=False, needs_context=True, family="dataset")
defop("QueueEnqueueV2", _enqueue_infer, _enqueue_compute, NON_DIFFERENTIABLE,
      default_name="enqueue", **_FLAGS)
defop("QueueEnqueueManyV2", _enqueue_many_infer, _enqueue_many_compute, NON_DIFFERENTIABLE,
      default_name="enqueue_many", **_FLAGS)
defop("QueueDequeueV2", _dequeue_infer, _dequeue_compute, NON_DIFFERENTIABLE,
      default_name="dequeue", **_FLAGS)
defop("QueueDequeueManyV2", _dequeue_many_infer, _dequeue_many_compute, NON_DIFFERENTIABLE,
      default_name="dequeue_many", **_FLAGS)
defop("QueueDequeueUpToV2", _dequeue_many_infer, _dequeue_up_to_compute, NON_DIFFERENTIABLE,
      default_name="dequeue_up_to", **_FLAGS)
defop("QueueCloseV2", _close_infer, _close_compute, NON_DIFFERENTIABLE,
      default_name="close", **_FLAGS)
defop("QueueSizeV2", _size_infer, _size_compute, NON_DIFFERENTIABLE, default_name="size",
      **_FLAGS)
defop("QueueIsClosedV2", _is_closed_infer, _is_closed_compute, NON_DIFFERENTIABLE,
      default_name="is_closed", **_FLAGS)


# ------------------------------------------------------------------ builders
def queue_enqueue(handle, spec: QueueSpec, values: list, many: bool = False,
                  name: Optional[str] = None):
    return apply("QueueEnqueueManyV2" if many else "QueueEnqueueV2", [handle] + list(values),
                 {"queue": spec}, name=name)


def queue_dequeue(handle, spec: QueueSpec, n=None, up_to: bool = False,
                  name: Optional[str] = None):
    """The dequeued components (a tuple of tensors)."""
    if n is None:
        out = apply("QueueDequeueV2", [handle], {"queue": spec}, name=name)
    else:
        out = apply("QueueDequeueUpToV2" if up_to else "QueueDequeueManyV2", [handle, n],
                    {"queue": spec}, name=name)
    return (out,) if not isinstance(out, tuple) else out


def queue_close(handle, spec: QueueSpec, cancel_pending_enqueues: bool = False,
                name: Optional[str] = None):
    return apply("QueueCloseV2", [handle], {"queue": spec,
                                            "cancel_pending_enqueues":
                                            bool(cancel_pending_enqueues)}, name=name)


def queue_size(handle, spec: QueueSpec, name: Optional[str] = None):
    return apply("QueueSizeV2", [handle], {"queue": spec}, name=name)


def queue_is_closed(handle, spec: QueueSpec, name: Optional[str] = None):
    return apply("QueueIsClosedV2", [handle], {"queue": spec}, name=name)
