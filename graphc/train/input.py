"""TF1's queue-based input: `tf.train.string_input_producer`, `range_input_producer`,
`slice_input_producer`, `input_producer`, `batch`, `shuffle_batch`, `batch_join`,
`shuffle_batch_join`, `limit_epochs` and the readers, on the queues of graphc/queues.py
and the QueueRunners of queue_runner.py, as TF1 builds them.

A producer is a FIFOQueue filled by a QueueRunner whose enqueue_many op takes one epoch
at a time (shuffled anew per epoch with `shuffle`) from a dataset iterator; after
`num_epochs` epochs that input ends and the runner closes the queue, so its consumers
drain it and then get OutOfRangeError, as with TF1's. `batch`/`shuffle_batch` put the
given tensors into a FIFOQueue (a PaddingFIFOQueue with dynamic_pad, a
RandomShuffleQueue for shuffle_batch) with `num_threads` runner threads running the
enqueue op, and dequeue `batch_size` at a time (`dequeue_up_to` with
allow_smaller_final_batch). A reader's `read(queue)` dequeues file names from the queue
as it needs them.

Unlike TF1, the epoch count lives in the producer's iterator, not in a local variable:
`tf.local_variables_initializer()` is not needed (running it is harmless).
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
from ..ir.graph import Tensor, TensorLike
from ..ir.ops import array_ops, generator_ops, slicing_ops
from ..ir.ops._base import convert_to_tensor
from ..ir.ops.dataset_ops import make_iterator
from ..ir.shapes import TensorShape, as_shape, unknown_shape
from ..ir.site import where
from ..queues import FIFOQueue, PaddingFIFOQueue, QueueBase, RandomShuffleQueue
from .queue_runner import QueueRunner, add_queue_runner

_ALL = 2**62  # a shuffle buffer or batch holding a whole epoch


# ---------------------------------------------------------------------- producers
def _epochs_into_queue(source: Dataset, num_epochs, shuffle: bool, seed, capacity: int,
                       shared_name, name: str, cancel_op=None, element_shape=None):
    """A FIFOQueue filled with `source`'s elements, epoch by epoch, by a QueueRunner."""
    graph = get_default_graph()
    with graph.name_scope(name):
        ds = source.shuffle(_ALL, seed=seed) if shuffle else source
        ds = ds.batch(_ALL).repeat(num_epochs)  # one element per epoch
        spec = source._structure
        it = _new_iterator(ds._structure, None)
        start = make_iterator(it._handle, ds, once=True, name="epochs/start")
        with graph.control_dependencies([start]):  # (starts in whichever Session runs it)
            epoch = it.get_next(name="epochs")
        shape = spec.shape if element_shape is None else as_shape(element_shape)
        q = FIFOQueue(capacity, [spec.dtype], shapes=[shape], shared_name=shared_name)
        add_queue_runner(QueueRunner(q, [q.enqueue_many([epoch])], cancel_op=cancel_op))
    return q


def input_producer(input_tensor, element_shape=None, num_epochs: Optional[int] = None,
                   shuffle: bool = True, seed: Optional[int] = None, capacity: int = 32,
                   shared_name=None, summary_name=None, name=None, cancel_op=None):
    """TF1 `tf.train.input_producer`: a queue of the rows of `input_tensor`, `num_epochs`
    times over (forever with None), in a new random order per epoch with `shuffle`."""
    t = input_tensor._as_tensor() if isinstance(input_tensor, TensorLike) else \
        convert_to_tensor(input_tensor)
    return _epochs_into_queue(Dataset.from_tensor_slices(t), num_epochs, shuffle, seed,
                              capacity, shared_name, name or "input_producer", cancel_op,
                              element_shape)


def string_input_producer(string_tensor, num_epochs: Optional[int] = None,
                          shuffle: bool = True, seed: Optional[int] = None,
                          capacity: int = 32, shared_name=None, name=None,
                          cancel_op=None) -> FIFOQueue:
    """TF1 `tf.train.string_input_producer`: a queue of the strings (file names)."""
    t = string_tensor._as_tensor() if isinstance(string_tensor, TensorLike) else \
        convert_to_tensor(string_tensor, dtype=dt.string)
    if t.dtype is not dt.string:
        raise TypeError(f"string_input_producer needs strings, got {t.dtype.name}{where()}")
    if t.shape.ndims is not None and t.shape.is_fully_defined() and \
            t.shape.num_elements() == 0:
        raise ValueError(f"string_input_producer requires a non-null input tensor"
                         f"{where()}")
    return _epochs_into_queue(Dataset.from_tensor_slices(t), num_epochs, shuffle, seed,
                              capacity, shared_name, name or "input_producer", cancel_op)


def range_input_producer(limit, num_epochs: Optional[int] = None, shuffle: bool = True,
                         seed: Optional[int] = None, capacity: int = 32, shared_name=None,
                         name=None) -> FIFOQueue:
    """TF1 `tf.train.range_input_producer`: a queue of the int32s 0 .. limit - 1."""
    source = Dataset.range(limit, output_type=dt.int32)
    return _epochs_into_queue(source, num_epochs, shuffle, seed, capacity, shared_name,
                              name or "input_producer")


def slice_input_producer(tensor_list, num_epochs: Optional[int] = None, shuffle: bool = True,
                         seed: Optional[int] = None, capacity: int = 32,
                         shared_name=None, name=None) -> list:
    """TF1 `tf.train.slice_input_producer`: one row of every tensor per run (the same
    row of each), taken at an index dequeued from a range_input_producer."""
    tensors = [t._as_tensor() if isinstance(t, TensorLike) else convert_to_tensor(t)
               for t in tensor_list]
    if not tensors:
        raise ValueError(f"Expected at least one tensor in slice_input_producer(){where()}")
    rows = tensors[0].shape[0].value if tensors[0].shape.ndims else None
    limit = rows if rows is not None else array_ops.shape(tensors[0])[0]
    graph = get_default_graph()
    with graph.name_scope(name or "input_producer"):
        queue = range_input_producer(limit, num_epochs, shuffle, seed, capacity,
                                     shared_name, name="range")
        index = queue.dequeue()
        return [slicing_ops.gather(t, index) for t in tensors]


def limit_epochs(tensor, num_epochs: Optional[int] = None, name=None):
    """TF1 `tf.train.limit_epochs`: `tensor` for `num_epochs` runs, then
    OutOfRangeError (None: forever)."""
    t = tensor._as_tensor() if isinstance(tensor, TensorLike) else convert_to_tensor(tensor)
    if num_epochs is None:
        return t
    if num_epochs <= 0:
        raise ValueError(f"num_epochs must be > 0 not {num_epochs}{where()}")
    ds = Dataset.from_tensors(t).repeat(num_epochs)
    it = _new_iterator(ds._structure, None)
    graph = get_default_graph()
    with graph.name_scope(name or "limit_epochs"):
        start = make_iterator(it._handle, ds, once=True, name="start")
        with graph.control_dependencies([start]):
            return it.get_next(name="epochs")


# ---------------------------------------------------------------------- readers
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
            for key, value in self._read(name.decode("utf-8", "surrogateescape")
                                     if isinstance(name, bytes) else name):
                yield (np.array(key, dtype=object), np.array(value, dtype=object))


class ReaderBase:
    """TF1 readers: `read(queue)` gives (key, value) string tensors, one record per run;
    when a file ends the reader dequeues the next file name from `queue` (readers of one
    queue share its names, as in TF1), and once the queue is closed and empty, the read
    is OutOfRangeError."""

    def read(self, queue, name=None):
        if not isinstance(queue, QueueBase) or len(queue.dtypes) != 1 or \
                queue.dtypes[0] is not dt.string:
            raise TypeError(f"read() expects a queue of file names (tf.train."
                            f"string_input_producer, or a FIFOQueue of strings), got "
                            f"{queue!r}{where()}")
        records = _RecordsDataset(_RunDataset([queue.dequeue()]), self._records)
        it = _new_iterator(records._structure, None, one_shot_dataset=records)
        return it.get_next(name=name)

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


class FixedLengthRecordReader(ReaderBase):
    """Records of `record_bytes` bytes after each file's header (every `hop_bytes` with
    hop_bytes), up to its footer, keyed '<file>:<n>'; `encoding` 'ZLIB' or 'GZIP' reads
    compressed files. Bytes too few for another record end the file, as in TF1."""

    def __init__(self, record_bytes, header_bytes=None, footer_bytes=None, hop_bytes=None,
                 name=None, encoding=None) -> None:
        from ..tfrecord import compression_name
        self._sizes = (int(record_bytes), int(header_bytes or 0), int(footer_bytes or 0),
                       int(hop_bytes or 0))
        if self._sizes[0] < 1 or min(self._sizes[1:]) < 0:
            raise ValueError(f"FixedLengthRecordReader: record_bytes must be > 0 and the "
                             f"header, footer and hop sizes >= 0, got {self._sizes}{where()}")
        self._compression = compression_name(encoding)
        self.name = name

    def _records(self, name: str):
        from ..data.readers import fixed_length_records, read_file_bytes
        data = read_file_bytes(name, self._compression)
        for i, r in enumerate(fixed_length_records(data, *self._sizes)):
            yield f"{name}:{i}".encode(), r


class IdentityReader(ReaderBase):
    """Each work item of the queue once, as both its key and its value."""

    def __init__(self, name=None) -> None:
        self.name = name

    def _records(self, name: str):
        item = name.encode("utf-8", "surrogateescape")
        yield item, item


# ---------------------------------------------------------------------- batching
class _RunDataset(Dataset):
    """One element per run of `tensors` (a dequeue of file names), until their input
    ends (OutOfRangeError)."""

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


def _as_nest(tensors):
    return tuple(tensors) if isinstance(tensors, list) else tensors


def _flat(tensors) -> list:
    return [t._as_tensor() if isinstance(t, TensorLike) else convert_to_tensor(t)
            for t in S.flatten(_as_nest(tensors))]


def _queue_shapes(flats: list, shapes, enqueue_many: bool, dynamic_pad: bool) -> list:
    if shapes is not None:
        return [as_shape(s) for s in shapes]
    out = []
    for parts in zip(*flats):
        shape = unknown_shape()
        for t in parts:
            s = t.shape
            if enqueue_many:
                s = unknown_shape() if s.ndims is None else TensorShape(
                    list(s.as_tuple())[1:])
            shape = shape.merge_with(s)
        out.append(shape)
    if not dynamic_pad and not all(s.is_fully_defined() for s in out):
        raise ValueError(f"All shapes must be fully defined: {out}{where()}")
    return out


def _kept(flats: list, keep_input, enqueue_many: bool) -> list:
    """maybe_batch's tensors as rows to enqueue_many: those whose keep_input is True (a
    scalar keep_input keeps or drops them all)."""
    keep = keep_input._as_tensor() if isinstance(keep_input, TensorLike) else \
        convert_to_tensor(keep_input, dtype=dt.bool_, name="keep_input")
    if keep.dtype is not dt.bool_:
        raise TypeError(f"keep_input must be a bool tensor, got {keep.dtype.name}{where()}")
    if keep.shape.ndims not in (0, 1) or keep.shape.ndims == 1 and not enqueue_many:
        raise ValueError(f"keep_input must be a scalar (a vector with enqueue_many=True), "
                         f"got shape {keep.shape}{where()}")
    out = []
    for parts in flats:
        rows = parts if enqueue_many else [array_ops.expand_dims(t, 0) for t in parts]
        masks = [keep if keep.shape.ndims == 1 else
                 generator_ops.fill(array_ops.shape(rows[0])[:1], keep)] * len(rows)
        out.append([slicing_ops.boolean_mask(t, m) for t, m in zip(rows, masks)])
    return out


def _batch(tensors_list: list, batch_size, capacity: int, enqueue_many: bool, shapes,
           dynamic_pad: bool, allow_smaller_final_batch: bool, shared_name, name: str,
           threads: int = 1, shuffle=None, keep_input=None):
    template = _as_nest(tensors_list[0])
    flats = [_flat(t) for t in tensors_list]
    dtypes = [t.dtype for t in flats[0]]
    for f in flats[1:]:
        if [t.dtype for t in f] != dtypes:
            raise TypeError(f"the tensor lists to batch have different dtypes{where()}")
    graph = get_default_graph()
    with graph.name_scope(name):
        qshapes = _queue_shapes(flats, shapes, enqueue_many, dynamic_pad)
        if shuffle is not None:
            min_after_dequeue, seed = shuffle
            queue = RandomShuffleQueue(capacity, min_after_dequeue, dtypes, qshapes, seed=seed,
                                       shared_name=shared_name)
        elif dynamic_pad:
            queue = PaddingFIFOQueue(capacity, dtypes, qshapes, shared_name=shared_name)
        else:
            queue = FIFOQueue(capacity, dtypes, qshapes, shared_name=shared_name)
        if keep_input is not None:
            flats, enqueue_many = _kept(flats, keep_input, enqueue_many), True
        enqueue = queue.enqueue_many if enqueue_many else queue.enqueue
        ops = [enqueue(f) for f in flats] * threads
        add_queue_runner(QueueRunner(queue, ops))
        out = queue.dequeue_up_to(batch_size) if allow_smaller_final_batch else \
            queue.dequeue_many(batch_size)
    out = [out] if isinstance(out, Tensor) else list(out)
    packed = S.pack(template, out)
    return list(packed) if isinstance(tensors_list[0], list) else packed


def batch(tensors, batch_size: int, num_threads: int = 1, capacity: int = 32,
          enqueue_many: bool = False, shapes=None, dynamic_pad: bool = False,
          allow_smaller_final_batch: bool = False, shared_name=None, name=None):
    """TF1 `tf.train.batch`: `batch_size` elements of `tensors` stacked (shape
    [batch_size, ...]; [None, ...] with allow_smaller_final_batch)."""
    return _batch([tensors], batch_size, capacity, enqueue_many, shapes, dynamic_pad,
                  allow_smaller_final_batch, shared_name, name or "batch", num_threads)


def batch_join(tensors_list, batch_size: int, capacity: int = 32, enqueue_many: bool = False,
               shapes=None, dynamic_pad: bool = False, allow_smaller_final_batch: bool = False,
               shared_name=None, name=None):
    """TF1 `tf.train.batch_join`: as batch, one enqueue thread per tensor list."""
    return _batch(list(tensors_list), batch_size, capacity, enqueue_many, shapes,
                  dynamic_pad, allow_smaller_final_batch, shared_name, name or "batch_join")


def shuffle_batch(tensors, batch_size: int, capacity: int, min_after_dequeue: int,
                  num_threads: int = 1, seed: Optional[int] = None,
                  enqueue_many: bool = False, shapes=None,
                  allow_smaller_final_batch: bool = False, shared_name=None, name=None):
    """TF1 `tf.train.shuffle_batch`: as batch, through a RandomShuffleQueue."""
    return _batch([tensors], batch_size, capacity, enqueue_many, shapes, False,
                  allow_smaller_final_batch, shared_name, name or "shuffle_batch",
                  num_threads, shuffle=(min_after_dequeue, seed))


def shuffle_batch_join(tensors_list, batch_size: int, capacity: int, min_after_dequeue: int,
                       seed: Optional[int] = None, enqueue_many: bool = False, shapes=None,
                       allow_smaller_final_batch: bool = False, shared_name=None,
                       name=None):
    """TF1 `tf.train.shuffle_batch_join`: shuffle_batch, one thread per tensor list."""
    return _batch(list(tensors_list), batch_size, capacity, enqueue_many, shapes, False,
                  allow_smaller_final_batch, shared_name, name or "shuffle_batch_join",
                  shuffle=(min_after_dequeue, seed))


def maybe_batch(tensors, keep_input, batch_size: int, num_threads: int = 1, capacity: int = 32,
                enqueue_many: bool = False, shapes=None, dynamic_pad: bool = False,
                allow_smaller_final_batch: bool = False, shared_name=None, name=None):
    """TF1 `tf.train.maybe_batch`: batch, enqueueing `tensors` only when `keep_input`
    (with enqueue_many, a bool per row) is True."""
    return _batch([tensors], batch_size, capacity, enqueue_many, shapes, dynamic_pad,
                  allow_smaller_final_batch, shared_name, name or "batch", num_threads,
                  keep_input=keep_input)


def maybe_batch_join(tensors_list, keep_input, batch_size: int, capacity: int = 32,
                     enqueue_many: bool = False, shapes=None, dynamic_pad: bool = False,
                     allow_smaller_final_batch: bool = False, shared_name=None, name=None):
    """TF1 `tf.train.maybe_batch_join`: batch_join, keeping what `keep_input` says."""
    return _batch(list(tensors_list), batch_size, capacity, enqueue_many, shapes,
                  dynamic_pad, allow_smaller_final_batch, shared_name, name or "batch_join",
                  keep_input=keep_input)


def maybe_shuffle_batch(tensors, batch_size: int, capacity: int, min_after_dequeue: int,
                        keep_input, num_threads: int = 1, seed: Optional[int] = None,
                        enqueue_many: bool = False, shapes=None,
                        allow_smaller_final_batch: bool = False, shared_name=None, name=None):
    """TF1 `tf.train.maybe_shuffle_batch`: shuffle_batch, keeping what `keep_input`
    says."""
    return _batch([tensors], batch_size, capacity, enqueue_many, shapes, False,
                  allow_smaller_final_batch, shared_name, name or "shuffle_batch",
                  num_threads, shuffle=(min_after_dequeue, seed), keep_input=keep_input)


def maybe_shuffle_batch_join(tensors_list, batch_size: int, capacity: int,
                             min_after_dequeue: int, keep_input, seed: Optional[int] = None,
                             enqueue_many: bool = False, shapes=None,
                             allow_smaller_final_batch: bool = False, shared_name=None,
                             name=None):
    """TF1 `tf.train.maybe_shuffle_batch_join`: shuffle_batch_join, keeping what
    `keep_input` says."""
    return _batch(list(tensors_list), batch_size, capacity, enqueue_many, shapes, False,
                  allow_smaller_final_batch, shared_name, name or "shuffle_batch_join",
                  shuffle=(min_after_dequeue, seed), keep_input=keep_input)


def match_filenames_once(pattern, name=None):
    """TF1 `tf.train.match_filenames_once` (`tf.io.match_filenames_once`): a local
    variable holding the file names matching `pattern` when it is initialized
    (`tf.local_variables_initializer()`), as TF1's."""
    from ..ir.ops.string_io_ops import matching_files
    from ..variables import GraphKeys, Variable
    return Variable(matching_files(pattern), trainable=False, validate_shape=False,
                    name=name or "matching_filenames",
                    collections=[GraphKeys.LOCAL_VARIABLES])
