"""TF1's queues: `tf.FIFOQueue`, `tf.PaddingFIFOQueue`, `tf.RandomShuffleQueue`,
`tf.PriorityQueue` (also `tf.queue.*`, `tf.io.*`), over the queue ops of
ir/ops/queue_ops.py.

A queue is a handle (a string Const named as TF1 names the queue op, `fifo_queue`) and
its spec; `enqueue`, `enqueue_many`, `dequeue`, `dequeue_many`, `dequeue_up_to`,
`close`, `size` and `is_closed` build graph ops that a Session runs (each Session has
queues of its own). Feed a queue from threads with `tf.train.QueueRunner(queue,
[enqueue_op])` and `tf.train.start_queue_runners`, as TF1 programs do. Components are
given as a list or tuple (or one tensor), or as a dict with `names`; a dequeue returns
the same (one tensor for a one-component queue).
"""
from __future__ import annotations

import dataclasses
from typing import Optional

from .ir import dtypes as dt
from .ir.context import get_default_graph
from .ir.graph import TensorLike
from .ir.ops import core_ops
from .ir.ops._base import convert_to_tensor
from .ir.ops.queue_ops import (QueueSpec, queue_close, queue_dequeue, queue_enqueue,
                               queue_is_closed, queue_size)
from .ir.ops.random_ops import get_seed
from .ir.shapes import TensorShape, as_shape
from .ir.site import where


class QueueBase:
    """TF1 `tf.QueueBase`: the operations every queue has."""

    def __init__(self, dtypes, shapes, names, queue_ref, *, _spec=None) -> None:
        self._dtypes = list(dtypes)
        self._shapes = list(shapes) if shapes is not None else \
            [TensorShape(None) for _ in self._dtypes]
        self._names = list(names) if names is not None else None
        self._queue_ref = queue_ref
        self._spec = _spec

    @property
    def queue_ref(self):
        return self._queue_ref

    @property
    def name(self) -> str:
        return self._queue_ref.op.name

    @property
    def dtypes(self) -> list:
        return self._dtypes

    @property
    def shapes(self) -> list:
        return self._shapes

    @property
    def names(self):
        return self._names

    # ------------------------------------------------------------ enqueue
    def _components(self, vals, many: bool) -> list:
        if isinstance(vals, dict):
            if self._names is None:
                raise ValueError(f"Queue '{self.name}' must have names to enqueue a "
                                 f"dictionary{where()}")
            if sorted(vals) != sorted(self._names):
                raise ValueError(f"Keys in dictionary to enqueue {sorted(vals)} do not "
                                 f"match the queue's names {sorted(self._names)}{where()}")
            vals = [vals[k] for k in self._names]
        elif self._names is not None:
            raise ValueError(f"You must enqueue a dictionary in a queue with names"
                             f"{where()}")
        elif not isinstance(vals, (list, tuple)):
            vals = [vals]
        if len(vals) != len(self._dtypes):
            raise ValueError(f"Queue '{self.name}' holds {len(self._dtypes)} components, "
                             f"got {len(vals)} to enqueue{where()}")
        return [v._as_tensor() if isinstance(v, TensorLike) else
                convert_to_tensor(v, dtype=d) for v, d in zip(vals, self._dtypes)]

    def enqueue(self, vals, name: Optional[str] = None):
        """The op adding one element (blocks while the queue is full)."""
        return queue_enqueue(self._queue_ref, self._spec, self._components(vals, False),
                             name=name or "enqueue")

    def enqueue_many(self, vals, name: Optional[str] = None):
        """The op adding each row of the components as an element."""
        return queue_enqueue(self._queue_ref, self._spec, self._components(vals, True),
                             many=True, name=name or "enqueue_many")

    # ------------------------------------------------------------ dequeue
    def _result(self, tensors: tuple):
        if self._names is not None:
            return dict(zip(self._names, tensors))
        return tensors[0] if len(tensors) == 1 else list(tensors)

    def dequeue(self, name: Optional[str] = None):
        """One element (blocks until there is one; OutOfRangeError once closed and
        empty)."""
        return self._result(queue_dequeue(self._queue_ref, self._spec,
                                          name=name or "dequeue"))

    def dequeue_many(self, n, name: Optional[str] = None):
        """`n` elements stacked along a new first dimension."""
        return self._result(queue_dequeue(self._queue_ref, self._spec,
                                          _count(n), name=name or "dequeue_many"))

    def dequeue_up_to(self, n, name: Optional[str] = None):
        """As dequeue_many, but once the queue is closed, what is left (at least one)."""
        return self._result(queue_dequeue(self._queue_ref, self._spec, _count(n),
                                          up_to=True, name=name or "dequeue_up_to"))

    # ------------------------------------------------------------ state
    def close(self, cancel_pending_enqueues: bool = False, name: Optional[str] = None):
        """The op closing the queue: later enqueues fail, dequeues drain what is left."""
        return queue_close(self._queue_ref, self._spec, cancel_pending_enqueues,
                           name=name or "close")

    def is_closed(self, name: Optional[str] = None):
        return queue_is_closed(self._queue_ref, self._spec, name=name or "is_closed")

    def size(self, name: Optional[str] = None):
        return queue_size(self._queue_ref, self._spec, name=name or "size")

    def __repr__(self) -> str:
        return f"<{self._spec.type_name} '{self.name}' {[d.name for d in self._dtypes]}>"


def _count(n):
    t = n._as_tensor() if isinstance(n, TensorLike) else convert_to_tensor(n, dtype=dt.int32)
    if not t.dtype.is_integer:
        raise TypeError(f"the number of elements to dequeue must be an integer, got "
                        f"{t.dtype.name}{where()}")
    return t


def _new_queue(kind: str, capacity, dtypes, shapes, names, name: str,
               shared_name, min_after_dequeue: int = 0, seed=None, need_shapes=False):
    dtypes = [dt.as_dtype(d) for d in (dtypes if isinstance(dtypes, (list, tuple))
                                       else [dtypes])]
    if shapes is not None:
        shapes = [as_shape(s) for s in (shapes if isinstance(shapes, (list, tuple)) and (
            not shapes or isinstance(shapes[0], (list, tuple, TensorShape)) or
            shapes[0] is None) else [shapes])]
        if len(shapes) != len(dtypes):
            raise ValueError(f"Queue shapes must have the same length as dtypes "
                             f"({len(shapes)} and {len(dtypes)}){where()}")
    elif need_shapes:
        raise ValueError(f"PaddingFIFOQueue needs the shapes of its components (None "
                         f"for a dimension that varies){where()}")
    if names is not None:
        names = list(names) if isinstance(names, (list, tuple)) else [names]
        if len(names) != len(dtypes):
            raise ValueError(f"Queue names must have the same length as dtypes{where()}")
    capacity = int(capacity)
    if capacity <= 0:
        raise ValueError(f"the capacity of a queue must be positive, got {capacity}"
                         f"{where()}")
    if kind == "padding_fifo":
        for s in shapes:
            if s.ndims is None:
                raise ValueError(f"PaddingFIFOQueue: every component needs a known rank, "
                                 f"got {s}{where()}")
    graph = get_default_graph()
    key = shared_name or graph.unique_name(name, mark_as_used=False)  # its Sessions' key
    handle = core_ops.constant(key.encode(), dtype=dt.string, name=name)
    spec = QueueSpec(kind, handle.op.name, capacity, tuple(dtypes),
                     None if shapes is None else tuple(shapes), int(min_after_dequeue),
                     tuple(get_seed(seed)) if kind == "random_shuffle" else (None, None))
    return dtypes, shapes, names, handle, spec


class FIFOQueue(QueueBase):
    """TF1 `tf.FIFOQueue(capacity, dtypes, shapes=None, names=None)`: first in, first
    out."""

    def __init__(self, capacity, dtypes, shapes=None, names=None, shared_name=None,
                 name: str = "fifo_queue") -> None:
        *parts, spec = _new_queue("fifo", capacity, dtypes, shapes, names, name,
                                  shared_name)
        super().__init__(*parts, _spec=spec)


class PaddingFIFOQueue(QueueBase):
    """TF1 `tf.PaddingFIFOQueue(capacity, dtypes, shapes)`: a FIFOQueue whose shapes may
    have None dims; dequeue_many pads each component to the batch's largest (zeros,
    empty strings)."""

    def __init__(self, capacity, dtypes, shapes, names=None, shared_name=None,
                 name: str = "padding_fifo_queue") -> None:
        *parts, spec = _new_queue("padding_fifo", capacity, dtypes, shapes, names, name,
                                  shared_name, need_shapes=True)
        super().__init__(*parts, _spec=spec)


class RandomShuffleQueue(QueueBase):
    """TF1 `tf.RandomShuffleQueue(capacity, min_after_dequeue, dtypes, ...)`: dequeues a
    uniformly chosen element, once more than `min_after_dequeue` are held (or the queue
    is closed); seeded by the graph and op seeds."""

    def __init__(self, capacity, min_after_dequeue, dtypes, shapes=None, names=None,
                 seed=None, shared_name=None, name: str = "random_shuffle_queue") -> None:
        if int(min_after_dequeue) < 0 or int(min_after_dequeue) >= int(capacity):
            raise ValueError(f"min_after_dequeue ({min_after_dequeue}) must be at least 0 "
                             f"and less than the capacity ({capacity}){where()}")
        *parts, spec = _new_queue("random_shuffle", capacity, dtypes, shapes, names, name,
                                  shared_name, min_after_dequeue, seed)
        super().__init__(*parts, _spec=spec)


class PriorityQueue(QueueBase):
    """TF1 `tf.PriorityQueue(capacity, types, shapes=None, names=None)`: every element
    starts with an int64 scalar priority (an int64 vector for enqueue_many) before the
    `types` components; dequeues return the smallest priority first."""

    def __init__(self, capacity, types, shapes=None, names=None, shared_name=None,
                 name: str = "priority_queue") -> None:
        types = list(types) if isinstance(types, (list, tuple)) else [types]
        if shapes is not None:
            shapes = [as_shape(s) for s in shapes] if isinstance(shapes, (list, tuple)) \
                and (not shapes or isinstance(shapes[0], (list, tuple, TensorShape)) or
                     shapes[0] is None) else [as_shape(shapes)]
            shapes = [TensorShape([])] + shapes
        dtypes, shapes, names, handle, spec = _new_queue(
            "priority", capacity, [dt.int64] + types, shapes, names, name, shared_name)
        if shapes is None:  # the priority is a scalar whatever the other shapes are
            spec = dataclasses.replace(spec, shapes=(TensorShape([]),) + tuple(
                TensorShape(None) for _ in types))
        super().__init__(dtypes, shapes, names, handle, _spec=spec)
