"""TF1's `tf.mixed_precision` (tf.compat.v1.mixed_precision): loss scaling for training in
reduced precision, and the graph-rewrite switch.

`FixedLossScale` multiplies the loss by a constant; `DynamicLossScale` keeps its scale in
two variables, doubling it (`multiplier`) after `increment_period` steps whose gradients
are all finite and halving it (never below 1) at a step with an Inf or NaN, which then
applies no update. `MixedPrecisionLossScaleOptimizer` wraps a TF1 optimizer: gradients
of the scaled loss, unscaled, applied only when the loss scale says so.
`enable_mixed_precision_graph_rewrite` returns that optimizer; TensorFlow's rewrite into
float16 targets GPUs (on the CPU it leaves graphs as they are), so graphc's graphs are left
in their dtypes too.
"""
from __future__ import annotations

import numpy as np

from .control_flow import cond
from .ir.graph import TensorLike
from .ir.ops import math_ops as M
from .ir.ops import reduce_ops as R
from .ir.ops._base import convert_to_tensor
from .ir.ops.core_ops import group, no_op
from .ir.ops.state_ops import assign
from .train.optimizer import Optimizer
from .variables import GraphKeys, Variable

__all__ = ["LossScale", "FixedLossScale", "DynamicLossScale",
           "MixedPrecisionLossScaleOptimizer", "enable_mixed_precision_graph_rewrite",
           "disable_mixed_precision_graph_rewrite"]


class LossScale:
    """TF1 `tf.mixed_precision.LossScale`: `loss_scale()` is the scale tensor,
    `update(grads)` returns (update op, whether to apply the gradients)."""

    def __init__(self) -> None:
        self._weights: dict = {}

    def __call__(self):
        raise NotImplementedError("LossScale subclasses define __call__")

    def update(self, grads):
        raise NotImplementedError("LossScale subclasses define update")

    def get_config(self) -> dict:
        raise NotImplementedError("LossScale subclasses define get_config")

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)


class FixedLossScale(LossScale):
    """TF1 `tf.mixed_precision.FixedLossScale`: a constant loss scale."""

    def __init__(self, loss_scale_value) -> None:
        super().__init__()
        if isinstance(loss_scale_value, TensorLike) or not isinstance(
                loss_scale_value, (int, float, np.integer, np.floating)):
            raise ValueError(f"loss_scale_value must be a Python int or float, but got "
                             f"{loss_scale_value!r}")
        self._loss_scale_value = float(loss_scale_value)

    def __call__(self):
        return convert_to_tensor(np.float32(self._loss_scale_value), name="loss_scale")

    def update(self, grads):
        del grads
        return no_op(), True

    def get_config(self) -> dict:
        return {"loss_scale_value": self._loss_scale_value}

    def __repr__(self) -> str:
        return f"FixedLossScale({self._loss_scale_value})"


def _all_finite(grads):
    checks = [R.reduce_all(M.is_finite(g)) for g in grads if g is not None]
    if not checks:
        return convert_to_tensor(True)
    return R.reduce_all(convert_to_tensor(checks) if len(checks) > 1 else checks[0])


class DynamicLossScale(LossScale):
    """TF1 `tf.mixed_precision.DynamicLossScale`: the scale grows by `multiplier` after
    `increment_period` finite steps and shrinks by it (to at least 1) at a non-finite one."""

    def __init__(self, initial_loss_scale=2 ** 15, increment_period=2000,
                 multiplier=2.0) -> None:
        super().__init__()
        self._initial_loss_scale = float(initial_loss_scale)
        self._increment_period = int(increment_period)
        self._multiplier = float(multiplier)
        collections = [GraphKeys.GLOBAL_VARIABLES]
        self._current_loss_scale = Variable(np.float32(self._initial_loss_scale),
                                            trainable=False, name="current_loss_scale",
                                            collections=collections)
        self._num_good_steps = Variable(np.int64(0), trainable=False, name="good_steps",
                                        collections=collections)

    @property
    def initial_loss_scale(self) -> float:
        return self._initial_loss_scale

    @property
    def increment_period(self) -> int:
        return self._increment_period

    @property
    def multiplier(self) -> float:
        return self._multiplier

    def __call__(self):
        return self._current_loss_scale._as_tensor()

    def update(self, grads):
        finite = _all_finite(list(grads))
        scale = self._current_loss_scale._as_tensor()
        good = self._num_good_steps._as_tensor()
        mult = np.float32(self._multiplier)
        next_good = M.add(good, np.int64(1))
        grow = M.greater_equal(next_good, np.int64(self._increment_period))
        grown = M.multiply(scale, mult)
        grown = M.where(M.is_finite(grown), grown, scale)  # (TF keeps a scale that would be inf)
        new_scale = M.where(finite, M.where(grow, grown, scale),
                            M.maximum(M.truediv(scale, mult), np.float32(1)))
        new_good = M.where(M.logical_and(finite, M.logical_not(grow)), next_good,
                           np.int64(0))
        update = group(assign(self._current_loss_scale, new_scale),
                       assign(self._num_good_steps, new_good))
        return update, finite

    def get_config(self) -> dict:
        return {"initial_loss_scale": self._initial_loss_scale,
                "increment_period": self._increment_period, "multiplier": self._multiplier}


def _loss_scale(value) -> LossScale:
    if isinstance(value, LossScale):
        return value
    if value == "dynamic":
        return DynamicLossScale()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return FixedLossScale(value)
    raise ValueError(f"Invalid loss_scale: {value!r}")


class MixedPrecisionLossScaleOptimizer(Optimizer):
    """TF1 `tf.mixed_precision.MixedPrecisionLossScaleOptimizer`: `opt` on the gradients of
    loss * loss_scale divided back by it, applied when the loss scale allows."""

    def __init__(self, opt, loss_scale) -> None:
        if not isinstance(opt, Optimizer):
            raise ValueError(f'"opt" must be an instance of Optimizer, but got: {type(opt)}')
        super().__init__(opt._use_locking, opt.get_name())
        self._optimizer = opt
        self._loss_scale = _loss_scale(loss_scale)

    def _scaled(self, loss):
        t = loss._as_tensor() if isinstance(loss, TensorLike) else convert_to_tensor(loss)
        return M.multiply(t, M.cast(self._loss_scale(), t.dtype))

    def compute_gradients(self, loss, var_list=None, gate_gradients=Optimizer.GATE_OP,
                          aggregation_method=None, colocate_gradients_with_ops=False,
                          grad_loss=None) -> list:
        pairs = self._optimizer.compute_gradients(
            self._scaled(loss), var_list=var_list, gate_gradients=gate_gradients,
            aggregation_method=aggregation_method,
            colocate_gradients_with_ops=colocate_gradients_with_ops, grad_loss=grad_loss)
        inverse = M.reciprocal(self._loss_scale())
        return [(None if g is None else M.multiply(g, M.cast(inverse, g.dtype)), v)
                for g, v in pairs]

    def apply_gradients(self, grads_and_vars, global_step=None, name=None):
        pairs = list(grads_and_vars)
        update, should_apply = self._loss_scale.update([g for g, _ in pairs])
        if should_apply is True:
            applied = self._optimizer.apply_gradients(pairs, global_step, name)
        else:
            applied = cond(should_apply,
                           lambda: self._optimizer.apply_gradients(pairs, global_step),
                           no_op)
        return group(applied, update, name=name)

    def get_slot(self, var, name):
        return self._optimizer.get_slot(var, name)

    def get_slot_names(self):
        return self._optimizer.get_slot_names()

    def variables(self):
        return self._optimizer.variables()


_REWRITE = {"enabled": False}


def enable_mixed_precision_graph_rewrite(opt, loss_scale="dynamic"):
    """TF1 `tf.mixed_precision.enable_mixed_precision_graph_rewrite`: `opt` wrapped in a
    MixedPrecisionLossScaleOptimizer (the float16 rewrite is TensorFlow's GPU pass; on the
    CPU graphs keep their dtypes, in TensorFlow and here)."""
    if _REWRITE["enabled"] is False:
        _REWRITE["enabled"] = True
    return MixedPrecisionLossScaleOptimizer(opt, loss_scale)


def disable_mixed_precision_graph_rewrite():
    """TF1 `tf.mixed_precision.disable_mixed_precision_graph_rewrite`."""
    _REWRITE["enabled"] = False


MIXED_PRECISION = {c.__name__: c for c in (
    LossScale, FixedLossScale, DynamicLossScale, MixedPrecisionLossScaleOptimizer,
    enable_mixed_precision_graph_rewrite, disable_mixed_precision_graph_rewrite)}
