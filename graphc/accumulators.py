"""TF1's gradient accumulators: `tf.ConditionalAccumulatorBase` and
`tf.ConditionalAccumulator`, over the ops of ir/ops/accumulator_ops.py.

An accumulator is a handle (a string Const named as TF1 names the accumulator op,
`conditional_accumulator`) and its spec. Workers `apply_grad(grad, local_step)`; the
chief `take_grad(num_required)`s the average of the gradients computed at the current
step or later, which advances the accumulator's step (`SyncReplicasOptimizer`'s
protocol). Each Session has accumulators of its own.
"""
from __future__ import annotations

from typing import Optional

from .ir import dtypes as dt
from .ir.context import get_default_graph
from .ir.graph import TensorLike
from .ir.ops import core_ops, math_ops
from .ir.ops._base import convert_to_tensor
from .ir.ops.accumulator_ops import (GRADIENT_DTYPES, AccumulatorSpec,
                                     accumulator_apply_gradient, accumulator_num_accumulated,
                                     accumulator_set_global_step, accumulator_take_gradient)
from .ir.shapes import TensorShape, as_shape
from .ir.site import where

__all__ = ["ConditionalAccumulatorBase", "ConditionalAccumulator", "new_accumulator",
           "as_step"]


def as_step(value, what: str):
    """`value` as an int64 scalar tensor (TF1 casts local and global steps)."""
    t = value._as_tensor() if isinstance(value, TensorLike) else convert_to_tensor(value)
    if not t.dtype.is_integer:
        raise TypeError(f"{what} must be an integer, got {t.dtype.name}{where()}")
    return t if t.dtype is dt.int64 else math_ops.cast(t, dt.int64)


def new_accumulator(kind: str, dtype, shape, shared_name, name: str, reduction_type: str):
    """(handle, spec) of a new accumulator of `kind` ("dense", or a kind another module
    registers in ir.ops.accumulator_ops.KINDS)."""
    dtype = dt.as_dtype(dtype)
    if dtype not in GRADIENT_DTYPES:
        raise TypeError(f"an accumulator's dtype must be one of "
                        f"{[d.name for d in GRADIENT_DTYPES]}, got {dtype.name}{where()}")
    if reduction_type not in ("MEAN", "SUM"):
        raise ValueError(f"reduction_type must be 'MEAN' or 'SUM', got {reduction_type!r}"
                         f"{where()}")
    shape = TensorShape(None) if shape is None else as_shape(shape)
    key = shared_name or get_default_graph().unique_name(name, mark_as_used=False)
    handle = core_ops.constant(key.encode(), dtype=dt.string, name=name)
    return handle, AccumulatorSpec(kind, handle.op.name, dtype, shape, reduction_type)


class ConditionalAccumulatorBase:
    """TF1 `tf.ConditionalAccumulatorBase(dtype, shape, accumulator_ref)`: what every
    accumulator has (its handle, step and count)."""

    def __init__(self, dtype, shape, accumulator_ref, *, _spec=None) -> None:
        self._dtype = dt.as_dtype(dtype)
        self._shape = TensorShape(None) if shape is None else as_shape(shape)
        self._accumulator_ref = accumulator_ref
        if _spec is None:  # a handle made elsewhere: a dense accumulator of that name
            _spec = AccumulatorSpec("dense", accumulator_ref.op.name, self._dtype,
                                    self._shape)
        self._spec = _spec

    @property
    def accumulator_ref(self):
        return self._accumulator_ref

    @property
    def name(self) -> str:
        return self._accumulator_ref.op.name

    @property
    def dtype(self) -> dt.DType:
        return self._dtype

    def num_accumulated(self, name: Optional[str] = None):
        """The number of gradients accumulated since the last take_grad (int32)."""
        return accumulator_num_accumulated(self._accumulator_ref, self._spec,
                                           name=name or "num_accumulated")

    def set_global_step(self, new_global_step, name: Optional[str] = None):
        """The op setting the accumulator's step: later gradients older than it are
        dropped."""
        return accumulator_set_global_step(
            self._accumulator_ref, self._spec, as_step(new_global_step, "new_global_step"),
            name=name or "set_global_step")

    def __repr__(self) -> str:
        return f"<{self._spec.type_name} '{self.name}' {self._dtype.name} {self._shape}>"


class ConditionalAccumulator(ConditionalAccumulatorBase):
    """TF1 `tf.ConditionalAccumulator(dtype, shape=None, ...)`: averages (or sums) dense
    gradients that are not stale."""

    def __init__(self, dtype, shape=None, shared_name=None,
                 name: str = "conditional_accumulator",
                 reduction_type: str = "MEAN") -> None:
        handle, spec = new_accumulator("dense", dtype, shape, shared_name, name,
                                       reduction_type)
        super().__init__(spec.dtype, spec.shape, handle, _spec=spec)

    def apply_grad(self, grad, local_step=0, name: Optional[str] = None):
        """The op adding `grad`, computed at `local_step`, unless that step is older
        than the accumulator's."""
        grad = grad._as_tensor() if isinstance(grad, TensorLike) else \
            convert_to_tensor(grad, dtype=self._dtype)
        if not self._shape.is_compatible_with(grad.shape):
            raise ValueError(f"Shapes {self._shape} and {grad.shape} are incompatible: "
                             f"apply_grad to accumulator '{self.name}'{where()}")
        return accumulator_apply_gradient(self._accumulator_ref, self._spec,
                                          as_step(local_step, "local_step"), grad,
                                          name=name or "apply_grad")

    def take_grad(self, num_required, name: Optional[str] = None):
        """The mean (or sum) of the gradients, once `num_required` are in (blocks until
        then); empties the accumulator and advances its step."""
        n = num_required._as_tensor() if isinstance(num_required, TensorLike) else \
            convert_to_tensor(num_required, dtype=dt.int32)
        return accumulator_take_gradient(self._accumulator_ref, self._spec, n,
                                         name=name or "take_grad")
