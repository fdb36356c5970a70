"""Gradient accumulators of TF1's synchronous training: `tf.ConditionalAccumulator`.

An accumulator is named by a string handle (a Const scalar, as a queue is); its state
lives in each Session (`RuntimeState.resources`), made on first use from the
AccumulatorSpec every accumulator op carries (`accumulator` attr). The state is a sum,
a count of the gradients in it and a global step: `apply_grad` with a `local_step`
older than the global step is dropped (a stale gradient); `take_grad(n)` blocks until n
gradients are in, returns their mean (reduction MEAN) or sum (SUM), empties the sum and
advances the global step by one; `set_global_step` sets it.

AccumulatorApplyGradient(handle, local_step, gradient) {accumulator}
AccumulatorTakeGradient(handle, num_required) {accumulator} -> the aggregate
AccumulatorNumAccumulated(handle) {accumulator} -> int32
AccumulatorSetGlobalStep(handle, new_global_step) {accumulator}

`KINDS` maps an AccumulatorSpec's kind to its Session state's class; another kind of
accumulator (the sparse one) registers a subclass of AccumulatorResource there and
shares NumAccumulated and SetGlobalStep. All ops are stateful and not differentiable;
on llvm they run as numpy kernels between native segments (family "dataset").
"""
from __future__ import annotations

import dataclasses
import threading
from typing import Optional

import numpy as np

from .. import dtypes as dt
from ..errors import CancelledError, InvalidArgumentError
from ..shapes import TensorShape
from ._base import NON_DIFFERENTIABLE, apply, check_dtype, defop

__all__ = ["AccumulatorSpec", "AccumulatorResource", "KINDS", "accumulator_resource",
           "accumulator_apply_gradient", "accumulator_take_gradient",
           "accumulator_num_accumulated", "accumulator_set_global_step"]

GRADIENT_DTYPES = (dt.float16, dt.float32, dt.float64)


@dataclasses.dataclass(frozen=True, eq=False)
class AccumulatorSpec:
    """What an accumulator is: its kind ("dense"), name, dtype, shape (maybe partial)
    and reduction ("MEAN" or "SUM")."""

    kind: str
    name: str
    dtype: dt.DType
    shape: TensorShape
    reduction_type: str = "MEAN"

    @property
    def type_name(self) -> str:
        return "ConditionalAccumulator" if self.kind == "dense" else \
            "SparseConditionalAccumulator"


class AccumulatorResource:
    """One Session's state of one accumulator. Subclasses define what a gradient is
    (`_check`, `_add`, `_aggregate`); the staleness, counting, blocking and stepping are
    here."""

    def __init__(self, spec: AccumulatorSpec) -> None:
        self.spec = spec
        self._cond = threading.Condition()
        self._count = 0
        self._global_step = 0
        self._sum = None
        self._closed = False

    def _label(self) -> str:
        return f"{self.spec.type_name} '{self.spec.name}'"

    # ------------------------------------------------------------ per kind
    def _check(self, op, grad) -> None:
        shape = self.spec.shape
        if not shape.is_compatible_with(np.shape(grad)):
            raise InvalidArgumentError(None, op, f"Shape mismatch: expected {shape}, got "
                                       f"{list(np.shape(grad))} ({self._label()})")
        if self._sum is not None and np.shape(self._sum) != np.shape(grad):
            raise InvalidArgumentError(
                None, op, f"Shape of tensor to accumulate ({list(np.shape(grad))}) does "
                f"not equal shape of accumulated gradient ({list(np.shape(self._sum))})")

    def _add(self, grad) -> None:
        self._sum = np.array(grad, copy=True) if self._sum is None else self._sum + grad

    def _aggregate(self):
        if self.spec.reduction_type == "MEAN":
            return (self._sum / np.asarray(self._count, self._sum.dtype)).astype(
                self._sum.dtype)
        return self._sum

    # ------------------------------------------------------------ shared
    def apply(self, op, local_step: int, grad) -> None:
        """Add `grad` unless it is stale (computed at a step older than the global
        step; TF1 logs it and drops it)."""
        with self._cond:
            if local_step < self._global_step:
                return
            self._check(op, grad)
            self._add(grad)
            self._count += 1
            self._cond.notify_all()

    def take(self, op, num_required: int):
        if num_required < 1:
            raise InvalidArgumentError(None, op, f"Argument num_required must be "
                                       f"positive, but was {num_required}")
        with self._cond:
            while self._count < num_required:
                if self._closed:
                    raise CancelledError(None, op, f"{self._label()}: the Session was "
                                         "closed")
                self._cond.wait()
            out = self._aggregate()
            self._sum, self._count = None, 0
            self._global_step += 1
            return out

    def num_accumulated(self) -> int:
        with self._cond:
            return self._count

    def set_global_step(self, step: int) -> None:
        with self._cond:
            self._global_step = step  # (TF1 warns when it goes back, and sets it)

    def close(self) -> None:
        """The Session is closing: a blocked take_grad is cancelled."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()


KINDS: dict = {"dense": AccumulatorResource}


def accumulator_resource(ctx, handle, spec: AccumulatorSpec) -> AccumulatorResource:
    """The Session's state of the accumulator `handle` names."""
    name = handle.item() if isinstance(handle, np.ndarray) else handle
    name = name.decode() if isinstance(name, bytes) else str(name)
    return ctx.resource("accumulator:" + name, lambda: KINDS[spec.kind](spec))


# ------------------------------------------------------------------ inference
def _check_handle(op) -> None:
    h = op.inputs[0]
    check_dtype(op, h, (dt.string,), "the accumulator's handle")
    if h.shape.ndims not in (None, 0):
        raise ValueError(f"the accumulator handle '{h.name}' must be a scalar, got shape "
                         f"{h.shape}")


def _check_scalar(op, t, what: str) -> None:
    check_dtype(op, t, (dt.int32, dt.int64), what)
    if t.shape.ndims not in (None, 0):
        raise ValueError(f"{op.type} '{op.name}': {what} must be a scalar, got shape "
                         f"{t.shape} ({t.name})")


def _apply_infer(op):
    _check_handle(op)
    _check_scalar(op, op.inputs[1], "local_step")
    spec, grad = op.attrs["accumulator"], op.inputs[2]
    if grad.dtype is not spec.dtype:
        raise TypeError(f"{spec.type_name} '{spec.name}' accumulates {spec.dtype.name}, "
                        f"apply_grad gives {grad.dtype.name} ({grad.name})")
    if not spec.shape.is_compatible_with(grad.shape):
        raise ValueError(f"Shapes {spec.shape} and {grad.shape} are incompatible: "
                         f"apply_grad to {spec.type_name} '{spec.name}' ({grad.name})")
    return []


def _take_infer(op):
    _check_handle(op)
    _check_scalar(op, op.inputs[1], "num_required")
    spec = op.attrs["accumulator"]
    return [(spec.dtype, spec.shape)]


def _num_infer(op):
    _check_handle(op)
    return [(dt.int32, TensorShape([]))]


def _set_step_infer(op):
    _check_handle(op)
    _check_scalar(op, op.inputs[1], "new_global_step")
    return []


# ------------------------------------------------------------------ kernels
def _apply_compute(ctx, handle, local_step, grad, *, accumulator):
    accumulator_resource(ctx, handle, accumulator).apply(
        ctx.op, int(np.asarray(local_step)), np.asarray(grad, accumulator.dtype.np))


def _take_compute(ctx, handle, num_required, *, accumulator):
    out = accumulator_resource(ctx, handle, accumulator).take(
        ctx.op, int(np.asarray(num_required)))
    return np.asarray(out, accumulator.dtype.np)


def _num_compute(ctx, handle, *, accumulator):
    return np.array(accumulator_resource(ctx, handle, accumulator).num_accumulated(),
                    np.int32)


def _set_step_compute(ctx, handle, new_global_step, *, accumulator):
    accumulator_resource(ctx, handle, accumulator).set_global_step(
        int(np.asarray(new_global_step)))


_FLAGS = dict(pure=False, needs_context=True, family="dataset")
defop("AccumulatorApplyGradient", _apply_infer, _apply_compute, NON_DIFFERENTIABLE,
      default_name="AccumulatorApplyGradient", **_FLAGS)
defop("AccumulatorTakeGradient", _take_infer, _take_compute, NON_DIFFERENTIABLE,
      default_name="AccumulatorTakeGradient", **_FLAGS)
defop("AccumulatorNumAccumulated", _num_infer, _num_compute, NON_DIFFERENTIABLE,
      default_name="AccumulatorNumAccumulated", **_FLAGS)
defop("AccumulatorSetGlobalStep", _set_step_infer, _set_step_compute, NON_DIFFERENTIABLE,
      default_name="AccumulatorSetGlobalStep", **_FLAGS)


# ------------------------------------------------------------------ builders
def accumulator_apply_gradient(handle, spec: AccumulatorSpec, local_step, gradient,
                               name: Optional[str] = None):
    return apply("AccumulatorApplyGradient", [handle, local_step, gradient],
                 {"accumulator": spec}, name=name)


def accumulator_take_gradient(handle, spec: AccumulatorSpec, num_required,
                              name: Optional[str] = None):
    return apply("AccumulatorTakeGradient", [handle, num_required], {"accumulator": spec},
                 name=name)


def accumulator_num_accumulated(handle, spec: AccumulatorSpec, name: Optional[str] = None):
    return apply("AccumulatorNumAccumulated", [handle], {"accumulator": spec}, name=name)


def accumulator_set_global_step(handle, spec: AccumulatorSpec, new_global_step,
                                name: Optional[str] = None):
    return apply("AccumulatorSetGlobalStep", [handle, new_global_step],
                 {"accumulator": spec}, name=name)
