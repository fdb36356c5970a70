"""Dataset transformations with TF1's semantics (values, order, output shapes).

map/filter/flat_map/interleave trace their function once (functions.py) and run it
through the Session's FunctionRunner on each element. batch gives shapes [None, ...]
unless drop_remainder with a known size; shuffle keeps TF's buffer (fill to
buffer_size, then emit a uniformly chosen buffered element and put the next input in
its place), a new order per epoch unless reshuffle_each_iteration=False, and is
deterministic for a graph or op seed; prefetch runs its input on a background thread
with a bounded queue; map with num_parallel_calls maps several elements at once on a
thread pool, keeping their order.
"""
from __future__ import annotations

import collections
import concurrent.futures
import os
import queue
import threading
import weakref

import numpy as np

from ..ir import dtypes as dt
from ..ir.context import get_default_graph
from ..ir.errors import InvalidArgumentError
from ..ir.ops.random_ops import get_seed
from ..ir.shapes import TensorShape, as_shape, unknown_shape
from ..ir.site import where
from . import structure as S
from .base import AUTOTUNE, DatasetNode, scalar_arg, static_scalar
from .functions import DatasetFunction


def _fn_name(kind: str) -> str:
    return get_default_graph().unique_name(kind, mark_as_used=True)


# ---------------------------------------------------------------------- functions
class MapDataset(DatasetNode):
    """`map(fn, num_parallel_calls)`: with num_parallel_calls (n, or AUTOTUNE: one per
    core) up to n elements are mapped at once on a pool of n threads while the consumer
    takes the results in input order (TF's deterministic order); errors arrive in order
    too. Native plans run without the GIL, so the calls overlap for real on llvm."""

    def __init__(self, input_ds: DatasetNode, fn, num_parallel_calls=None) -> None:
        self._fn = DatasetFunction(fn, input_ds._structure, _fn_name("map"),
                                   get_default_graph())
        self._parallel = None if num_parallel_calls is None else scalar_arg(
            num_parallel_calls, dt.int64, "num_parallel_calls")
        super().__init__(inputs=(input_ds,), tensors=self._fn.captured + (
            [self._parallel] if self._parallel is not None else []))
        self._structure = self._fn.output_structure

    def _elements(self, env):
        n = None if self._parallel is None else env.scalar(self._parallel)
        if n is not None and n == AUTOTUNE:
            n = os.cpu_count() or 1
        if n is not None and n <= 0:
            raise InvalidArgumentError(None, None, f"num_parallel_calls must be greater than "
                                       f"zero or AUTOTUNE, got {n}")
        if n is not None:
            return _parallel_map(self._fn, self._inputs[0]._elements(env), env, n)
        return (tuple(self._fn.run(element, env))
                for element in self._inputs[0]._elements(env))


def _parallel_map(fn, source, env, n: int):
    """fn over `source`'s elements, n in flight on a pool of n threads, in order."""
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=n,
                                                 thread_name_prefix="graphc-map")
    window: collections.deque = collections.deque()
    try:
        for element in source:
            window.append(pool.submit(fn.run, element, env))
            if len(window) >= n:
                yield tuple(window.popleft().result())
        while window:
            yield tuple(window.popleft().result())
    finally:
        source.close()
        for f in window:
            f.cancel()
        pool.shutdown(wait=False)


class FilterDataset(DatasetNode):
    def __init__(self, input_ds: DatasetNode, predicate) -> None:
        self._fn = DatasetFunction(predicate, input_ds._structure, _fn_name("filter"),
                                   get_default_graph())
        out = S.flatten(self._fn.output_structure)
        if len(out) != 1 or out[0].dtype is not dt.bool_ or out[0].shape.ndims not in (
                None, 0):
            raise ValueError(f"`predicate` return type must be convertible to a scalar "
                             f"boolean tensor. Was {S.describe(self._fn.output_structure)}."
                             f"{where()}")
        super().__init__(inputs=(input_ds,), tensors=self._fn.captured)
        self._structure = input_ds._structure

    def _elements(self, env):
        fn = self._fn
        for element in self._inputs[0]._elements(env):
            if bool(np.asarray(fn.run(element, env)[0]).reshape(())):
                yield element


class _DatasetOfElement:
    """A function returning a dataset per element (flat_map, interleave)."""

    def __init__(self, fn, input_ds: DatasetNode, kind: str) -> None:
        self.fn = DatasetFunction(fn, input_ds._structure, _fn_name(kind),
                                  get_default_graph(), returns_dataset=True)

    def elements(self, element, env):
        inner = self.fn.dataset
        values = dict(zip(inner._captured, self.fn.run(element, env)))
        return inner._elements(env.child(values))


class FlatMapDataset(DatasetNode):
    def __init__(self, input_ds: DatasetNode, fn) -> None:
        self._inner = _DatasetOfElement(fn, input_ds, "flat_map")
        super().__init__(inputs=(input_ds,), tensors=self._inner.fn.captured)
        self._structure = self._inner.fn.dataset._structure

    def _elements(self, env):
        for element in self._inputs[0]._elements(env):
            yield from self._inner.elements(element, env)


class InterleaveDataset(DatasetNode):
    """TF's interleave: `cycle_length` open inner datasets, `block_length` elements
    from each in turn; an exhausted one is replaced by the next input element's."""

    def __init__(self, input_ds: DatasetNode, fn, cycle_length, block_length) -> None:
        self._inner = _DatasetOfElement(fn, input_ds, "interleave")
        if cycle_length is None or (isinstance(cycle_length, int) and
                                    cycle_length == AUTOTUNE):
            cycle_length = os.cpu_count() or 1
        self._cycle = scalar_arg(cycle_length, dt.int64, "cycle_length")
        self._block = scalar_arg(block_length, dt.int64, "block_length")
        super().__init__(inputs=(input_ds,),
                         tensors=self._inner.fn.captured + [self._cycle, self._block])
        self._structure = self._inner.fn.dataset._structure

    def _elements(self, env):
        cycle, block = env.scalar(self._cycle), env.scalar(self._block)
        if cycle <= 0 or block <= 0:
            raise InvalidArgumentError(None, None, "cycle_length and block_length must be "
                                       f"positive, got {cycle} and {block}")
        source = self._inputs[0]._elements(env)
        current = [None] * cycle
        index = taken = n_open = 0
        end_of_input = False
        try:
            while not end_of_input or n_open:
                stream = current[index]
                if stream is not None:
                    element = next(stream, None)
                    if element is not None:
                        taken += 1
                        if taken == block:
                            index, taken = (index + 1) % cycle, 0
                        yield element
                        continue
                    current[index] = None
                    n_open -= 1
                    index, taken = (index + 1) % cycle, 0
                elif not end_of_input:
                    element = next(source, None)
                    if element is None:
                        end_of_input = True
                    else:
                        current[index] = self._inner.elements(element, env)
                        n_open += 1
                else:
                    index, taken = (index + 1) % cycle, 0
        finally:
            source.close()
            for s in current:
                if s is not None:
                    s.close()


# ---------------------------------------------------------------------- batching
class BatchDataset(DatasetNode):
    def __init__(self, input_ds: DatasetNode, batch_size, drop_remainder) -> None:
        self._size = scalar_arg(batch_size, dt.int64, "batch_size")
        self._drop = bool(drop_remainder)
        super().__init__(inputs=(input_ds,), tensors=[self._size])
        known = static_scalar(self._size) if self._drop else None
        self._structure = S.map_leaves(
            lambda s: S.Spec(s.dtype, TensorShape([known]).concatenate(s.shape)),
            input_ds._structure)

    def _batches(self, env):
        n = env.scalar(self._size)
        if n <= 0:
            raise InvalidArgumentError(None, None, f"Batch size must be greater than zero, "
                                       f"got {n}")
        rows = []
        for element in self._inputs[0]._elements(env):
            rows.append(element)
            if len(rows) == n:
                yield rows
                rows = []
        if rows and not self._drop:
            yield rows

    def _elements(self, env):
        for rows in self._batches(env):
            yield tuple(_stack([r[i] for r in rows], i) for i in range(len(rows[0])))


def _stack(parts, component: int) -> np.ndarray:
    first = np.shape(parts[0])
    for j, p in enumerate(parts):
        if np.shape(p) != first:
            raise InvalidArgumentError(
                None, None, f"Cannot batch tensors with different shapes in component "
                f"{component}. First element had shape {list(first)} and element {j} had "
                f"shape {list(np.shape(p))}.")
    return np.stack(parts)


class PaddedBatchDataset(BatchDataset):
    def __init__(self, input_ds: DatasetNode, batch_size, padded_shapes, padding_values,
                 drop_remainder) -> None:
        super().__init__(input_ds, batch_size, drop_remainder)
        specs = S.flatten(input_ds._structure)
        if padded_shapes is None:
            shapes = [s.shape for s in specs]
        else:
            shapes = [unknown_shape() if p is None else
                      as_shape([None if d is None or d == -1 else d for d in p])
                      if isinstance(p, (list, tuple)) else as_shape(p)
                      for p in S._flatten_shapes(input_ds._structure, padded_shapes)]
        self._padded = []
        for i, (s, p) in enumerate(zip(specs, shapes)):
            if s.shape.ndims is not None and p.ndims is not None and s.shape.ndims != p.ndims:
                raise ValueError(f"padded_batch: the padded shape {p} of component {i} does "
                                 f"not match the rank of its shape {s.shape}{where()}")
            if s.shape.ndims is None and p.ndims is None:
                raise ValueError(f"padded_batch: component {i} has an unknown rank; give "
                                 f"its padded shape{where()}")
            self._padded.append(p if p.ndims is not None else unknown_shape(s.shape.ndims))
        if padding_values is None:
            self._pad_values = [b"" if s.dtype is dt.string else 0 for s in specs]
        else:
            self._pad_values = [np.asarray(v).item() if not hasattr(v, "_as_tensor") else
                                _const(v) for v in S.flatten(padding_values)]
        known = static_scalar(self._size) if self._drop else None
        self._structure = S.pack(input_ds._structure, [
            S.Spec(s.dtype, TensorShape([known]).concatenate(p))
            for s, p in zip(specs, self._padded)])

    def _elements(self, env):
        for rows in self._batches(env):
            out = []
            for i, (spec, padded) in enumerate(zip(S.flatten(self._inputs[0]._structure),
                                                   self._padded)):
                parts = [np.asarray(r[i]) for r in rows]
                dims = [d if d is not None else max(p.shape[k] for p in parts)
                        for k, d in enumerate(padded.as_tuple())]
                batch = np.full([len(parts)] + dims, self._pad_values[i],
                                dtype=object if spec.dtype is dt.string else spec.dtype.np)
                for j, p in enumerate(parts):
                    if any(a > b for a, b in zip(p.shape, dims)):
                        raise InvalidArgumentError(
                            None, None, f"Attempted to pad to a smaller size than the input "
                            f"element: component {i} has shape {list(p.shape)}, padded "
                            f"shape {dims}")
                    batch[(j,) + tuple(slice(0, a) for a in p.shape)] = p
                out.append(batch)
            yield tuple(out)


def _const(t):
    from ..ir.ops._base import const_value
    v = const_value(t._as_tensor())
    if v is None:
        raise ValueError(f"padded_batch: padding values must be known when the graph is "
                         f"built{where()}")
    return np.asarray(v).item()


class UnbatchDataset(DatasetNode):
    def __init__(self, input_ds: DatasetNode) -> None:
        for s in S.flatten(input_ds._structure):
            if s.shape.ndims == 0:
                raise ValueError(f"Cannot unbatch an input with scalar components{where()}")
        super().__init__(inputs=(input_ds,))
        self._structure = S.map_leaves(
            lambda s: S.Spec(s.dtype, unknown_shape() if s.shape.ndims is None else
                             TensorShape(s.shape.as_list()[1:])), input_ds._structure)

    def _elements(self, env):
        for element in self._inputs[0]._elements(env):
            n = {np.shape(c)[0] for c in element}
            if len(n) != 1:
                raise InvalidArgumentError(None, None, "unbatch: the components of an "
                                           f"element have different batch sizes {sorted(n)}")
            for i in range(n.pop()):
                yield tuple(c[i, ...] for c in element)


# ---------------------------------------------------------------------- order and count
class ShuffleDataset(DatasetNode):
    def __init__(self, input_ds: DatasetNode, buffer_size, seed, reshuffle) -> None:
        self._buffer = scalar_arg(buffer_size, dt.int64, "buffer_size")
        self._seeds = get_seed(seed)
        self._reshuffle = bool(reshuffle)
        super().__init__(inputs=(input_ds,), tensors=[self._buffer])
        self._structure = input_ds._structure

    def _elements(self, env):
        size = env.scalar(self._buffer)
        if size <= 0:
            raise InvalidArgumentError(None, None, f"buffer_size must be greater than zero, "
                                       f"got {size}")
        epoch = env.state.get(id(self), 0)
        env.state[id(self)] = epoch + 1
        rng = np.random.Generator(np.random.Philox(np.random.SeedSequence(
            [self._seeds[0], self._seeds[1], epoch if self._reshuffle else 0])))
        source = self._inputs[0]._elements(env)
        buffer = []
        try:
            for element in source:
                buffer.append(element)
                if len(buffer) >= size:
                    break
            for element in source:
                i = int(rng.integers(len(buffer)))
                out, buffer[i] = buffer[i], element
                yield out
            while buffer:
                i = int(rng.integers(len(buffer)))
                buffer[i], buffer[-1] = buffer[-1], buffer[i]
                yield buffer.pop()
        finally:
            source.close()


class RepeatDataset(DatasetNode):
    def __init__(self, input_ds: DatasetNode, count) -> None:
        self._count = scalar_arg(-1 if count is None else count, dt.int64, "count")
        super().__init__(inputs=(input_ds,), tensors=[self._count])
        self._structure = input_ds._structure

    def _elements(self, env):
        count = env.scalar(self._count)
        epoch = 0
        while count < 0 or epoch < count:
            produced = False
            for element in self._inputs[0]._elements(env):
                produced = True
                yield element
            epoch += 1
            if not produced:  # an empty input repeated forever is empty (TF)
                return


class _CountDataset(DatasetNode):
    """A transformation keeping the structure, with a count (take, skip)."""

    def __init__(self, input_ds: DatasetNode, count) -> None:
        self._count = scalar_arg(count, dt.int64, "count")
        super().__init__(inputs=(input_ds,), tensors=[self._count])
        self._structure = input_ds._structure


class TakeDataset(_CountDataset):

    def _elements(self, env):
        count = env.scalar(self._count)
        if count == 0:
            return
        source = self._inputs[0]._elements(env)
        try:
            for i, element in enumerate(source):
                yield element
                if i + 1 == count:
                    return
        finally:
            source.close()


class SkipDataset(_CountDataset):

    def _elements(self, env):
        count = env.scalar(self._count)
        for i, element in enumerate(self._inputs[0]._elements(env)):
            if count < 0:
                return
            if i >= count:
                yield element


class ShardDataset(DatasetNode):
    def __init__(self, input_ds: DatasetNode, num_shards, index) -> None:
        self._n = scalar_arg(num_shards, dt.int64, "num_shards")
        self._i = scalar_arg(index, dt.int64, "index")
        n, i = static_scalar(self._n), static_scalar(self._i)
        if n is not None and i is not None and not 0 <= i < n:
            raise InvalidArgumentError(None, None, f"Index must be between 0 and "
                                       f"{n - 1} (currently index = {i}).")
        super().__init__(inputs=(input_ds,), tensors=[self._n, self._i])
        self._structure = input_ds._structure

    def _elements(self, env):
        n, index = env.scalar(self._n), env.scalar(self._i)
        for i, element in enumerate(self._inputs[0]._elements(env)):
            if i % n == index:
                yield element


# ---------------------------------------------------------------------- prefetch
class PrefetchDataset(DatasetNode):
    """Elements made ahead on a background thread, at most `buffer_size` waiting."""

    def __init__(self, input_ds: DatasetNode, buffer_size) -> None:
        self._size = scalar_arg(buffer_size, dt.int64, "buffer_size")
        super().__init__(inputs=(input_ds,), tensors=[self._size])
        self._structure = input_ds._structure

    def _elements(self, env):
        return Prefetcher(self._inputs[0]._elements(env), env.scalar(self._size))


_DONE, _ELEMENT, _ERROR = 0, 1, 2


class Prefetcher:
    """A Python iterator over `source` run on a daemon thread through a bounded queue.
    Errors reach the consumer in order; close() (re-initialisation, Session.close) or
    the consumer's garbage collection stops the producer."""

    def __init__(self, source, depth: int) -> None:
        self._queue = queue.Queue(maxsize=max(1, depth if depth != AUTOTUNE else 2))
        self._stop = threading.Event()
        self._finished = False
        self._thread = threading.Thread(
            target=_produce, args=(source, self._queue, self._stop, weakref.ref(self)),
            name="graphc-prefetch", daemon=True)
        self._thread.start()

    def __iter__(self):
        return self

    def __next__(self):
        if self._finished:
            raise StopIteration
        kind, value = self._queue.get()
        if kind == _ELEMENT:
            return value
        self._finished = True
        if kind == _ERROR:
            raise value
        raise StopIteration

    def close(self) -> None:
        self._finished = True
        self._stop.set()

    def __del__(self) -> None:
        self._stop.set()


def _produce(source, q: queue.Queue, stop: threading.Event, owner) -> None:
    def put(item) -> bool:
        while not stop.is_set() and owner() is not None:
            try:
                q.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    try:
        for element in source:
            if not put((_ELEMENT, element)):
                return
        put((_DONE, None))
    except BaseException as exc:  # handed to the consumer, raised there
        put((_ERROR, exc))
    finally:
        source.close()
