"""TensorArray ops (TF1's TensorArrayV3 family): a list of tensors written and read by
index, as a resource threaded by a `flow` scalar.

`TensorArrayV3(size)` makes a handle (a resource scalar: at run time, the `Storage` below,
a fresh one per run) and a float32 flow. Every write returns a new flow and every read
takes one, so data dependencies order the accesses, inside a loop body too: a TensorArray
passed through tf.while_loop is its flow as a loop variable, its handle a captured input.
The ops are impure (they are never folded, CSE'd or moved) and run through these numpy
kernels on both backends; a loop using them is driven from Python.

Gradients follow TF1: the gradient of a TensorArray is another one (`TensorArrayGradV3`,
made once per run and source, the same size) into which the gradients of reads are written,
summed when one index is read twice, and from which the gradients of writes are read.
"""
from __future__ import annotations

import numpy as np

from .. import dtypes as dt
from ..errors import InvalidArgumentError
from ..graph import Operation
from ..shapes import TensorShape, unknown_shape
from ._base import NON_DIFFERENTIABLE, apply, defop

SCALAR = TensorShape([])


class Storage:
    """One TensorArray's values in one run."""

    __slots__ = ("dtype", "size", "dynamic", "clear_after_read", "element_shape", "values",
                 "shapes", "cleared", "grads", "is_grad", "name", "infer_shape")

    def __init__(self, dtype, size: int, dynamic: bool, clear_after_read: bool,
                 element_shape, name: str, infer_shape: bool = True,
                 is_grad: bool = False) -> None:
        self.dtype = dtype
        self.size = size
        self.dynamic = dynamic
        self.clear_after_read = clear_after_read
        self.element_shape = element_shape  # a tuple with None for unknown dims, or None
        self.infer_shape = infer_shape
        self.values: list = [None] * size
        self.shapes: list = [None] * size  # each written element's shape (kept after reads)
        self.cleared: set = set()
        self.grads: dict = {}
        self.is_grad = is_grad
        self.name = name

    def _index(self, index, writing: bool) -> int:
        i = int(index)
        if i < 0:
            raise InvalidArgumentError(None, None, f"TensorArray {self.name}: Tried to "
                                       f"{'write to' if writing else 'read from'} index "
                                       f"{i} which is negative")
        if i >= len(self.values):
            if writing and self.dynamic:
                self.values.extend([None] * (i + 1 - len(self.values)))
                self.shapes.extend([None] * (i + 1 - len(self.shapes)))
            elif writing:
                raise InvalidArgumentError(
                    None, None, f"TensorArray {self.name}: Tried to write to index {i} but "
                    f"array is not resizeable and size is: {len(self.values)}")
            else:
                raise InvalidArgumentError(
                    None, None, f"TensorArray {self.name}: Tried to read from index {i} "
                    f"but array size is: {len(self.values)}")
        return i

    def _check_shape(self, i: int, value: np.ndarray) -> None:
        if not self.infer_shape:  # elements may differ in shape (concat of pieces)
            return
        known = self.element_shape
        if known is not None and (len(known) != value.ndim or any(
                k is not None and k != d for k, d in zip(known, value.shape))):
            raise InvalidArgumentError(
                None, None, f"TensorArray {self.name}: Could not write to TensorArray index "
                f"{i} because the value shape is {list(value.shape)} which is incompatible "
                f"with the TensorArray's inferred element shape: "
                f"{[d if d is not None else -1 for d in known]} (consider setting "
                "infer_shape=False).")
        self.element_shape = value.shape

    def write(self, index, value) -> None:
        i = self._index(index, True)
        # a copy: a backend may hand over a buffer it reuses (a loop body's output)
        value = np.array(value, copy=True)
        if value.dtype != self.dtype.np:
            raise InvalidArgumentError(
                None, None, f"TensorArray {self.name}: Could not write to TensorArray index "
                f"{i} because the value dtype is {dt.as_dtype(value.dtype).name} but "
                f"TensorArray dtype is {self.dtype.name}.")
        self._check_shape(i, value)
        old = self.values[i]
        if old is not None or i in self.cleared:
            if not self.is_grad:
                raise InvalidArgumentError(
                    None, None, f"TensorArray {self.name}: Could not write to TensorArray "
                    f"index {i} because it has already been written to.")
            if old is not None:  # gradients of several reads of one index add up
                value = old + value
        self.values[i] = value
        self.shapes[i] = value.shape

    def read(self, index) -> np.ndarray:
        i = self._index(index, False)
        value = self.values[i]
        if value is None:
            if i in self.cleared:
                raise InvalidArgumentError(
                    None, None, f"TensorArray {self.name}: Could not read index {i} twice "
                    "because it was cleared after a previous read (perhaps try setting "
                    "clear_after_read = false?)")
            return self._zeros(f"Could not read from TensorArray index {i}", self.shapes[i])
        if self.clear_after_read:
            self.values[i] = None
            self.cleared.add(i)
        return value

    def _zeros(self, what: str, shape=None) -> np.ndarray:
        """Zeros for an element never written (a gradient nothing flowed into)."""
        shape = shape if shape is not None else self.element_shape
        if shape is None or any(d is None for d in shape):
            raise InvalidArgumentError(
                None, None, f"TensorArray {self.name}: {what}. It has not been written to "
                f"and its element shape is not fully defined: "
                f"{'<unknown>' if shape is None else list(shape)}")
        return np.zeros(shape, self.dtype.np)

    def gather(self, indices) -> np.ndarray:
        items = [self.read(i) for i in np.asarray(indices).reshape(-1)]
        if not items:
            self._zeros("Tried to gather no elements")
            return np.zeros((0,) + tuple(self.element_shape), self.dtype.np)
        shapes = {v.shape for v in items}
        if len(shapes) > 1:
            raise InvalidArgumentError(
                None, None, f"TensorArray {self.name}: Could not stack elements of different "
                f"shapes: {sorted(shapes)}")
        return np.stack(items)

    def grad(self, source: str) -> "Storage":
        g = self.grads.get(source)
        if g is None:
            g = self.grads[source] = Storage(
                self.dtype, len(self.values), self.dynamic, False, self.element_shape,
                f"{self.name}_grad_{source}", self.infer_shape, is_grad=True)
            g.shapes = list(self.shapes)  # zeros for what no gradient reaches
        return g


def storage_of(handle) -> Storage:
    value = handle.item() if isinstance(handle, np.ndarray) else handle
    if not isinstance(value, Storage):
        raise InvalidArgumentError(None, None, "a TensorArray handle was expected")
    return value


def _flow() -> np.ndarray:
    return np.array(0.0, np.float32)


def _element_shape(op: Operation) -> TensorShape:
    shape = op.attrs.get("element_shape")
    return shape if shape is not None else unknown_shape()


# ------------------------------------------------------------------ create
def _create_infer(op: Operation):
    return [(dt.resource, SCALAR), (dt.float32, SCALAR)]


def _create_compute(size, *, dtype, element_shape, dynamic_size, clear_after_read,
                    tensor_array_name, identical_element_shapes):
    n = int(size)
    if n < 0:
        raise InvalidArgumentError(None, None, f"Size should be >= 0, got {n}")
    known = None if element_shape is None or element_shape.ndims is None else \
        tuple(element_shape.as_tuple())
    handle = np.empty((), object)
    handle[()] = Storage(dtype, n, bool(dynamic_size), bool(clear_after_read), known,
                         tensor_array_name, infer_shape=bool(identical_element_shapes))
    return handle, _flow()


defop("TensorArrayV3", _create_infer, _create_compute, vjp=NON_DIFFERENTIABLE, pure=False,
      family="tensor_array", doc="Makes an empty TensorArray of a size (per run).")


# ------------------------------------------------------------------ write / read
def _flow_infer(op: Operation):
    return [(dt.float32, SCALAR)]


def _write_compute(handle, index, value, flow):
    storage_of(handle).write(index, value)
    return _flow()


def _grad_ta(op: Operation, flow):
    """The gradient TensorArray of the forward op's array: (handle, flow)."""
    return apply("TensorArrayGradV3", [op.inputs[0], flow], {"source": "gradients"},
                 name="TensorArrayGrad")


def _writer_vjp(reader: str, element_shape):
    """The VJP of a write (Write, Scatter: handle, index(es), value, flow): the value's
    gradient is read back from the gradient array at the same index(es)."""
    def vjp(op: Operation, grads):
        g_flow = grads[0]
        if g_flow is None:
            return [None] * 4
        gh, gf = _grad_ta(op, g_flow)
        value = op.inputs[2]
        grad = apply(reader, [gh, op.inputs[1], gf],
                     {"dtype": value.dtype, "element_shape": element_shape(value.shape)})
        return [None, None, grad, g_flow]
    return vjp


def _reader_vjp(writer: str):
    """The VJP of a read (Read, Gather: handle, index(es), flow): its gradient is written
    into the gradient array at the same index(es)."""
    def vjp(op: Operation, grads):
        if grads[0] is None:
            return [None] * 3
        gh, gf = _grad_ta(op, op.inputs[2])
        return [None, None, apply(writer, [gh, op.inputs[1], grads[0], gf])]
    return vjp


def _rows(shape: TensorShape) -> TensorShape:
    """The shape of a row of `shape` (the element shape of an unstacked value)."""
    return TensorShape(list(shape.as_tuple())[1:]) if shape.ndims else unknown_shape()


defop("TensorArrayWriteV3", _flow_infer, _write_compute,
      vjp=_writer_vjp("TensorArrayReadV3", lambda shape: shape), pure=False,
      family="tensor_array", doc="Writes a value at an index.")


def _read_infer(op: Operation):
    return [(op.attrs["dtype"], _element_shape(op))]


def _read_compute(handle, index, flow, *, dtype, element_shape):
    return storage_of(handle).read(index)


defop("TensorArrayReadV3", _read_infer, _read_compute,
      vjp=_reader_vjp("TensorArrayWriteV3"), pure=False,
      family="tensor_array", doc="Reads the value at an index.")


# ------------------------------------------------------------------ gather / scatter
def _gather_infer(op: Operation):
    n = op.inputs[1].shape
    lead = n.as_tuple()[0] if n.ndims == 1 else None
    elem = _element_shape(op)
    return [(op.attrs["dtype"], TensorShape([lead] + list(elem.as_tuple()))
             if elem.ndims is not None else unknown_shape())]


def _gather_compute(handle, indices, flow, *, dtype, element_shape):
    return storage_of(handle).gather(indices)


defop("TensorArrayGatherV3", _gather_infer, _gather_compute,
      vjp=_reader_vjp("TensorArrayScatterV3"), pure=False,
      family="tensor_array", doc="Stacks the values at some indices (stack: all of them).")


def _scatter_compute(handle, indices, value, flow):
    ta = storage_of(handle)
    indices = np.asarray(indices).reshape(-1)
    value = np.asarray(value)
    if value.ndim == 0 or value.shape[0] != indices.size:
        raise InvalidArgumentError(
            None, None, f"TensorArray {ta.name}: Expected len(indices) == values.shape[0], "
            f"but saw: {indices.size} vs. {value.shape[0] if value.ndim else 'a scalar'}")
    for i, v in zip(indices, value):
        ta.write(i, v)
    return _flow()


defop("TensorArrayScatterV3", _flow_infer, _scatter_compute,
      vjp=_writer_vjp("TensorArrayGatherV3", _rows), pure=False,
      family="tensor_array", doc="Writes the rows of a value at some indices (unstack).")


# ------------------------------------------------------------------ concat / split
def _concat_infer(op: Operation):
    elem = _element_shape(op)
    rest = list(elem.as_tuple())[1:] if elem.ndims else None
    return [(op.attrs["dtype"], TensorShape([None] + rest) if rest is not None
             else unknown_shape()), (dt.int64, TensorShape([None]))]


def _concat_compute(handle, flow, *, dtype, element_shape):
    ta = storage_of(handle)
    items = [ta.read(i) for i in range(len(ta.values))]
    if not items:
        return np.zeros((0,), dtype.np), np.zeros((0,), np.int64)
    if any(v.ndim == 0 for v in items):
        raise InvalidArgumentError(None, None, f"TensorArray {ta.name}: Concat saw a scalar "
                                   "shape at index 0 but requires at least vectors.")
    return np.concatenate(items), np.array([v.shape[0] for v in items], np.int64)


def _concat_vjp(op: Operation, grads):
    if grads[0] is None:
        return [None] * 2
    gh, gf = _grad_ta(op, op.inputs[1])
    flow = apply("TensorArraySplitV3", [gh, grads[0], op.outputs[1], gf])
    return [None, flow]


defop("TensorArrayConcatV3", _concat_infer, _concat_compute, vjp=_concat_vjp, pure=False,
      family="tensor_array", doc="Concatenates all values along their first axis.")


def _split_compute(handle, value, lengths, flow):
    ta = storage_of(handle)
    value = np.asarray(value)
    lengths = np.asarray(lengths).reshape(-1)
    if value.ndim == 0 or int(lengths.sum()) != value.shape[0]:
        raise InvalidArgumentError(
            None, None, f"TensorArray {ta.name}: Expected sum of lengths to be equal to "
            f"values.shape[0], but sum of lengths is {int(lengths.sum())} and value's shape "
            f"is: {list(value.shape)}")
    start = 0
    for i, n in enumerate(lengths):
        ta.write(i, value[start:start + int(n)])
        start += int(n)
    return _flow()


def _split_vjp(op: Operation, grads):
    if grads[0] is None:
        return [None] * 4
    gh, gf = _grad_ta(op, grads[0])
    value = apply("TensorArrayConcatV3", [gh, gf], {"dtype": op.inputs[1].dtype,
                                                   "element_shape": unknown_shape()})[0]
    return [None, value, None, grads[0]]


defop("TensorArraySplitV3", _flow_infer, _split_compute, vjp=_split_vjp, pure=False,
      family="tensor_array", doc="Writes consecutive pieces of a value, by lengths.")


# ------------------------------------------------------------------ size, grad, close
def _size_infer(op: Operation):
    return [(dt.int32, SCALAR)]


def _size_compute(handle, flow):
    return np.array(len(storage_of(handle).values), np.int32)


defop("TensorArraySizeV3", _size_infer, _size_compute, vjp=NON_DIFFERENTIABLE, pure=False,
      family="tensor_array", doc="The number of elements.")


def _grad_infer(op: Operation):
    return [(dt.resource, SCALAR), (dt.float32, SCALAR)]


def _grad_compute(handle, flow, *, source):
    out = np.empty((), object)
    out[()] = storage_of(handle).grad(source)
    return out, _flow()


defop("TensorArrayGradV3", _grad_infer, _grad_compute, vjp=NON_DIFFERENTIABLE, pure=False,
      family="tensor_array", doc="The gradient TensorArray of a TensorArray (per source).")


def _close_infer(op: Operation):
    return []


def _close_compute(handle):
    return None


defop("TensorArrayCloseV3", _close_infer, _close_compute, vjp=NON_DIFFERENTIABLE, pure=False,
      family="tensor_array", doc="Releases a TensorArray (its values go with the run).")
