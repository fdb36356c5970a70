"""TF1's queue-based input (`tf.train.slice_input_producer`, `string_input_producer`,
`batch`, `shuffle_batch`, readers, `start_queue_runners`) on tf.data's machinery.

Each "queue" is a dataset read by its own iterator, running ahead on a prefetch thread
(capacity = the queue's capacity); its QueueRunner is the iterator's initializer, which
`start_queue_runners` (and MonitoredSession) runs. `batch`/`shuffle_batch` read their
input tensors by running them (one run of the upstream tensors per element, as a
queue's enqueue op runs), so they compose with the producers and readers. The end of an
input (num_epochs) is tf.errors.OutOfRangeError, as with TF1's closed queues.

Differences from TF1, by design of this machinery: a queue is not shared between the
readers and dequeues made from it (each iterates the file names on its own), and
shuffle_batch shuffles with a buffer of min_after_dequeue + batch_size elements (TF's
RandomShuffleQueue picks among those it holds; both give a random order of every element).
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from ..data import structure as S
from ..data.dataset import Dataset
from ..data.iterator import _new_iterator
from ..ir import dtypes as dt
from ..ir.context import get_default_graph
from ..ir.errors import OutOfRangeError
from ..ir.graph import TensorLike
from ..ir.ops.dataset_ops import make_iterator
from ..ir.shapes import TensorShape
from .queue_runner import QueueRunner, add_queue_runner


def _producer(dataset: Dataset, capacity: int):
    """An iterator over `dataset` run ahead with `capacity`, and its QueueRunner."""
    dataset = dataset.prefetch(max(1, int(capacity)))
    try:  # starts by itself on first use when it reads only constants (TF1 would block)
        it = _new_iterator(dataset._structure, None, one_shot_dataset=dataset)
    except ValueError:
        it = _new_iterator(dataset._structure, None)
    add_queue_runner(QueueRunner(init_op=make_iterator(it._handle, dataset, once=True,
                                                       name=it._name + "/queue_runner")))
    return it


def _epochs(ds: Dataset, num_epochs: Optional[int], shuffle: bool, seed) -> Dataset:
    if shuffle:
        ds = ds.shuffle(2**62, seed=seed)  # a new permutation of everything per epoch
    return ds.repeat(num_epochs)


def slice_input_producer(tensor_list, num_epochs: Optional[int] = None, shuffle: bool = True,
                         seed: Optional[int] = None, capacity: int = 32,
                         shared_name=None, name=None) -> list:
    """One slice of each tensor per dequeue (same row of all), `num_epochs` times over,
    in a new random order per epoch with `shuffle`."""
    ds = _epochs(Dataset.from_tensor_slices(tuple(tensor_list)), num_epochs, shuffle, seed)
    return list(_producer(ds, capacity).get_next())


class _FilenameQueue:
    """What string_input_producer returns: file names for readers, or dequeue()."""

    def __init__(self, dataset: Dataset, capacity: int) -> None:
        self._dataset, self._capacity = dataset, capacity

    def dequeue(self, name=None):
        return _producer(self._dataset, self._capacity).get_next()


def string_input_producer(string_tensor, num_epochs: Optional[int] = None,
                          shuffle: bool = True, seed: Optional[int] = None,
                          capacity: int = 32, shared_name=None, name=None,
                          cancel_op=None) -> _FilenameQueue:
    """A queue of the strings (file names), `num_epochs` times, shuffled per epoch."""
    return _FilenameQueue(_epochs(Dataset.from_tensor_slices(string_tensor), num_epochs,
                                  shuffle, seed), capacity)


class _RecordsDataset(Dataset):
    """(key, value) records of the files of a file-name dataset, read by `read(name)`."""

    def __init__(self, files: Dataset, read) -> None:
        super().__init__(inputs=(files,))
        self._read = read
        self._structure = (S.Spec(dt.string, TensorShape([])),
                           S.Spec(dt.string, TensorShape([])))

    def _elements(self, env):
        for (name,) in self._inputs[0]._elements(env):
            name = name.item() if isinstance(name, np.ndarray) else name
            for key, value in self._read(name.decode() if isinstance(name, bytes) else name):
                yield (np.array(key, dtype=object), np.array(value, dtype=object))


class ReaderBase:
    """TF1 readers: `read(queue)` gives (key, value) string tensors, one record per run."""

    def read(self, queue, name=None):
        if not isinstance(queue, _FilenameQueue):
            raise TypeError("read() expects the queue of tf.train.string_input_producer")
        records = _RecordsDataset(queue._dataset, self._records)
        return _producer(records, queue._capacity).get_next()

    def _records(self, name: str):
        raise NotImplementedError


class TFRecordReader(ReaderBase):
    def __init__(self, name=None, options=None) -> None:
        self._options = options

    def _records(self, name: str):
        from ..tfrecord import open_records
        for i, r in enumerate(open_records(name, self._options)):
            yield f"{name}:{i}".encode(), r


class WholeFileReader(ReaderBase):
    """Each file whole, keyed by its name."""

    def __init__(self, name=None) -> None:
        self.name = name  # TF1's names its reader op; graphc's readers make no op of their own

    def _records(self, name: str):
        with open(name, "rb") as f:
            yield name.encode(), f.read()


class TextLineReader(ReaderBase):
    def __init__(self, skip_header_lines: Optional[int] = None, name=None) -> None:
        self._skip = skip_header_lines or 0

    def _records(self, name: str):
        with open(name, "rb") as f:
            for i, line in enumerate(f.read().splitlines()):
                if i >= self._skip:
                    yield f"{name}:{i + 1}".encode(), line


# ---------------------------------------------------------------------- batching
class _RunDataset(Dataset):
    """One element per run of `tensors` (the upstream tensors of a batching queue), until
    their input ends (OutOfRangeError)."""

    def __init__(self, tensors: list) -> None:
        super().__init__()
        self._outputs = tuple((t.op.name, t.value_index) for t in tensors)
        self._graph_of = tensors[0].graph if tensors else get_default_graph()
        self._structure = tuple(S.Spec(t.dtype, t.shape) for t in tensors)

    def _elements(self, env):
        while True:
            try:
                values = env.runner.run_graph(self._graph_of, (), self._outputs, [])
            except OutOfRangeError:
                return
            yield tuple(values)


def _batch(tensors, batch_size: int, capacity: int, enqueue_many: bool, shapes,
           dynamic_pad: bool, allow_smaller_final_batch: bool, shuffle_buffer=None,
           seed=None):
    nest = tensors
    flat = [t._as_tensor() if isinstance(t, TensorLike) else t for t in S.flatten(
        tuple(nest) if isinstance(nest, list) else nest)]
    ds = _RunDataset(flat)
    if shapes is not None:
        for spec, shape in zip(S.flatten(ds._structure), shapes):
            spec.shape = spec.shape.merge_with(TensorShape(shape))
    if enqueue_many:
        ds = ds.unbatch()
    if shuffle_buffer is not None:
        ds = ds.shuffle(shuffle_buffer, seed=seed)
    ds = ds.padded_batch(batch_size, drop_remainder=not allow_smaller_final_batch) \
        if dynamic_pad else ds.batch(batch_size, drop_remainder=not allow_smaller_final_batch)
    out = list(_producer(ds, capacity).get_next())
    template = tuple(nest) if isinstance(nest, list) else nest
    packed = S.pack(template, out)
    return list(packed) if isinstance(nest, list) else packed


def batch(tensors, batch_size: int, num_threads: int = 1, capacity: int = 32,
          enqueue_many: bool = False, shapes=None, dynamic_pad: bool = False,
          allow_smaller_final_batch: bool = False, shared_name=None, name=None):
    """TF1 `tf.train.batch`: `batch_size` runs of `tensors` stacked (shape [batch_size,
    ...], [None, ...] with allow_smaller_final_batch)."""
    return _batch(tensors, batch_size, capacity, enqueue_many, shapes, dynamic_pad,
                  allow_smaller_final_batch)


def shuffle_batch(tensors, batch_size: int, capacity: int, min_after_dequeue: int,
                  num_threads: int = 1, seed: Optional[int] = None,
                  enqueue_many: bool = False, shapes=None,
                  allow_smaller_final_batch: bool = False, shared_name=None, name=None):
    """TF1 `tf.train.shuffle_batch`: as batch, in random order (see the module doc)."""
    return _batch(tensors, batch_size, capacity, enqueue_many, shapes, False,
                  allow_smaller_final_batch, shuffle_buffer=min_after_dequeue + batch_size,
                  seed=seed)
