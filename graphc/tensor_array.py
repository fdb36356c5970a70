"""TF1's `tf.TensorArray`: a list of tensors written and read by index in a graph.

Each method adds a TensorArray op (ir/ops/tensor_array_ops.py). Writes return a new
TensorArray object with the new flow, as in TF1; use the returned one. Inside
`tf.while_loop` a TensorArray is a loop variable like any tensor (its flow is carried, its
handle captured), so the usual pattern works unchanged:

    ta = tf.TensorArray(tf.float32, size=n)
    _, ta = tf.while_loop(lambda i, ta: i < n, lambda i, ta: (i + 1, ta.write(i, f(i))),
                          [0, ta])
    out = ta.stack()
"""
from __future__ import annotations

from .ir import dtypes as dt
from .ir.ops import tensor_array_ops  # noqa: F401  (registers the ops)
from .ir.graph import Tensor
from .ir.ops import array_ops, generator_ops, math_ops
from .ir.ops import core_ops
from .ir.ops._base import apply, const_value, convert_to_tensor, graph_of
from .ir.shapes import TensorShape, unknown_shape
from .ir.site import where


class TensorArray:
    """TF1 `tf.TensorArray` (dtype, size, dynamic_size, clear_after_read, element_shape,
    infer_shape): read, write, stack, unstack, gather, scatter, concat, split, size,
    identity, grad, close."""

    def __init__(self, dtype, size=None, dynamic_size=None, clear_after_read=None,
                 tensor_array_name=None, handle=None, flow=None, infer_shape=True,
                 element_shape=None, colocate_with_first_write_call=True, name=None):
        self._dtype = dt.as_dtype(dtype)
        self._dynamic_size = bool(dynamic_size)
        self._infer_shape = infer_shape
        if handle is not None:
            if flow is None:
                raise ValueError(f"flow must not be None if handle is not None.{where()}")
            self._handle, self._flow = handle, flow
            self._static_size = None
            self._shape_box = [TensorShape(element_shape) if element_shape is not None
                               else unknown_shape()]
            return
        if size is None:
            raise ValueError(f"Size must be provided if handle is not provided{where()}")
        if flow is not None:
            raise ValueError(f"flow must be None if handle is None{where()}")
        shape = TensorShape(element_shape) if element_shape is not None else unknown_shape()
        clear = True if clear_after_read is None else bool(clear_after_read)
        attrs = {"dtype": self._dtype, "element_shape": shape if shape.ndims is not None
                 else None, "dynamic_size": self._dynamic_size, "clear_after_read": clear,
                 "identical_element_shapes": bool(infer_shape)}
        size = convert_to_tensor(size, dtype=dt.int32)
        g = graph_of([size])
        scope = g.unique_name(name or "TensorArray", mark_as_used=False)
        attrs["tensor_array_name"] = tensor_array_name or scope
        self._handle, self._flow = apply("TensorArrayV3", [size], attrs,
                                         name=name or "TensorArray")
        value = const_value(size)
        self._static_size = None if value is None or dynamic_size else int(value)
        # shared by every TensorArray object derived from this one (writes, loops), so a
        # shape learned by a write in a loop body is known after the loop (as in TF1)
        self._shape_box = [shape]

    # ------------------------------------------------------------ properties
    @property
    def handle(self):
        return self._handle

    @property
    def flow(self):
        return self._flow

    @property
    def dtype(self):
        return self._dtype

    @property
    def dynamic_size(self) -> bool:
        return self._dynamic_size

    @property
    def element_shape(self) -> TensorShape:
        return self._shape_box[0]

    def _with_flow(self, flow) -> "TensorArray":
        ta = TensorArray.__new__(TensorArray)
        ta._dtype, ta._dynamic_size, ta._infer_shape = (self._dtype, self._dynamic_size,
                                                        self._infer_shape)
        ta._handle, ta._flow, ta._shape_box = self._handle, flow, self._shape_box
        ta._static_size = self._static_size
        return ta

    def _merge_shape(self, shape: TensorShape) -> None:
        if not self._infer_shape:
            return
        known = self._shape_box[0]
        if not known.is_compatible_with(shape):
            raise ValueError(f"Inconsistent shapes: saw {shape} but expected {known} "
                             f"(and infer_shape=True){where()}")
        self._shape_box[0] = known.merge_with(shape)

    def _attrs(self) -> dict:
        return {"dtype": self._dtype, "element_shape": self.element_shape}

    def _value(self, value, what: str):
        value = value if isinstance(value, Tensor) else convert_to_tensor(value, self._dtype)
        if value.dtype is not self._dtype:
            raise ValueError(f"TensorArray dtype is {self._dtype.name} but Op is trying to "
                             f"{what} dtype {value.dtype.name}.{where()}")
        return value

    # ------------------------------------------------------------ methods
    def identity(self) -> "TensorArray":
        return self._with_flow(core_ops.identity(self._flow))

    def read(self, index, name=None):
        index = convert_to_tensor(index, dtype=dt.int32)
        return apply("TensorArrayReadV3", [self._handle, index, self._flow], self._attrs(),
                     name=name or "TensorArrayReadV3")

    def write(self, index, value, name=None) -> "TensorArray":
        index = convert_to_tensor(index, dtype=dt.int32)
        value = self._value(value, "write")
        self._merge_shape(value.shape)
        flow = apply("TensorArrayWriteV3", [self._handle, index, value, self._flow],
                     name=name or "TensorArrayWrite")
        return self._with_flow(flow)

    def gather(self, indices, name=None):
        indices = convert_to_tensor(indices, dtype=dt.int32)
        return apply("TensorArrayGatherV3", [self._handle, indices, self._flow],
                     self._attrs(), name=name or "TensorArrayGatherV3")

    def stack(self, name=None):
        out = self.gather(generator_ops.range(0, self.size()), name=name or "TensorArrayStack")
        if self._static_size is not None and out.shape.ndims is not None:
            out.set_shape([self._static_size] + [None] * (out.shape.ndims - 1))
        return out

    def scatter(self, indices, value, name=None) -> "TensorArray":
        indices = convert_to_tensor(indices, dtype=dt.int32)
        value = self._value(value, "scatter")
        if value.shape.ndims:
            self._merge_shape(TensorShape(list(value.shape.as_tuple())[1:]))
        flow = apply("TensorArrayScatterV3", [self._handle, indices, value, self._flow],
                     name=name or "TensorArrayScatter")
        return self._with_flow(flow)

    def unstack(self, value, name=None) -> "TensorArray":
        value = self._value(value, "unstack")
        if value.shape.ndims == 0:
            raise ValueError(f"Shape must be at least rank 1 but is rank 0 (unstack of a "
                             f"scalar){where()}")
        return self.scatter(generator_ops.range(0, array_ops.shape(value)[0]), value,
                            name=name or "TensorArrayUnstack")

    def concat(self, name=None):
        value, _ = apply("TensorArrayConcatV3", [self._handle, self._flow], self._attrs(),
                         name=name or "TensorArrayConcat")
        return value

    def split(self, value, lengths, name=None) -> "TensorArray":
        value = self._value(value, "split")
        lengths = math_ops.cast(lengths, dt.int64) if isinstance(lengths, Tensor) else \
            convert_to_tensor(lengths, dtype=dt.int64)
        flow = apply("TensorArraySplitV3", [self._handle, value, lengths, self._flow],
                     name=name or "TensorArraySplit")
        return self._with_flow(flow)

    def size(self, name=None):
        return apply("TensorArraySizeV3", [self._handle, self._flow],
                     name=name or "TensorArraySize")

    def grad(self, source, flow=None, name=None) -> "TensorArray":
        handle, flow = apply("TensorArrayGradV3", [self._handle,
                                                   flow if flow is not None else self._flow],
                             {"source": source}, name=name or "TensorArrayGrad")
        ta = TensorArray(self._dtype, handle=handle, flow=flow, infer_shape=self._infer_shape)
        ta._shape_box = self._shape_box
        return ta

    def close(self, name=None):
        return apply("TensorArrayCloseV3", [self._handle], name=name or "TensorArrayClose")

    def __repr__(self) -> str:
        return f"<tf.TensorArray '{self._handle.op.name}' dtype={self._dtype.name}>"
