"""TF1 `tf.train.ExponentialMovingAverage`: shadow variables that follow others.

`apply(var_list)` creates one shadow per variable (`<var>/ExponentialMovingAverage`, not
trainable, started at the variable's initial value; a tensor's starts at zero) and returns
the op that moves each shadow toward its value: shadow -= (1 - decay) * (shadow - value),
with decay = min(decay, (1 + num_updates) / (10 + num_updates)) when `num_updates` is given.
`zero_debias=True` debiases the averages of tensors (not variables), as TF1 does.
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from ..ir import context as _context
from ..ir import dtypes as _dt
from ..ir.graph import TensorLike
from ..ir.ops import core_ops, math_ops as M, state_ops
from ..ir.ops._base import convert_to_tensor
from ..variables import (GraphKeys, Variable, global_variables, moving_average_variables,
                         trainable_variables)


def _shadow(primary_name: str, suffix: str, init) -> Variable:
    graph = _context.get_default_graph().outermost
    with graph.as_default(), graph.name_scope(None), graph.control_dependencies(None):
        return Variable(init, trainable=False,
                        _exact_name=graph.unique_name(f"{primary_name}/{suffix}"))


def _op_name(value) -> str:
    return value.op.name


class ExponentialMovingAverage:
    """Maintains moving averages of variables (and tensors) by exponential decay."""

    def __init__(self, decay, num_updates=None, zero_debias=False,
                 name="ExponentialMovingAverage") -> None:
        self._decay = decay
        self._num_updates = num_updates
        self._zero_debias = zero_debias
        self._name = name
        self._averages: dict = {}

    @property
    def name(self) -> str:
        return self._name

    def apply(self, var_list=None):
        """Creates the shadows (once per value) and returns the op updating them all."""
        if var_list is None:
            var_list = trainable_variables()
        var_list = list(var_list)
        graph = _context.get_default_graph()
        debiased = set()
        for var in var_list:
            dtype = var.dtype
            if not dtype.is_floating:
                raise TypeError(f"The variables must be half, float, or double: {var.name}")
            if var in self._averages:
                continue
            if isinstance(var, Variable):
                avg = _shadow(_op_name(var), self._name, var.initialized_value())
                graph.add_to_collection(GraphKeys.MOVING_AVERAGE_VARIABLES, var)
            else:
                if var.shape.is_fully_defined() is False:
                    raise ValueError(f"ExponentialMovingAverage of {var.name} needs a fully "
                                     f"defined shape, got {var.shape}")
                avg = _shadow(_op_name(var), self._name,
                              np.zeros(var.shape.as_list(), dtype.np))
                if self._zero_debias:
                    debiased.add(avg)
            self._averages[var] = avg
        with graph.name_scope(self._name) as scope:
            decay = self._decay_tensor()
            updates = []
            for var in var_list:
                avg = self._averages[var]
                # a variable is read here, after the caller's control dependencies (TF1
                # reads its reference variables when the update runs)
                value = var.read_value() if isinstance(var, Variable) else var
                d = decay if decay.dtype is avg.dtype else M.cast(decay, avg.dtype)
                if avg in debiased:
                    updates.append(self._debiased_update(avg, value, d))
                else:
                    delta = M.multiply(M.subtract(avg, value), M.subtract(
                        np.ones((), avg.dtype.np), d))
                    updates.append(state_ops.assign_sub(avg, delta))
            return core_ops.group(*updates, name=scope)

    def _decay_tensor(self):
        decay = convert_to_tensor(self._decay, dtype_hint=_dt.float32, name="decay")
        if self._num_updates is None:
            return decay
        n = self._num_updates
        n = M.cast(n._as_tensor() if isinstance(n, TensorLike) else convert_to_tensor(n),
                   decay.dtype)
        one, ten = np.ones((), decay.dtype.np), np.asarray(10.0, decay.dtype.np)
        return M.minimum(decay, M.truediv(M.add(one, n), M.add(ten, n)))

    def _debiased_update(self, avg: Variable, value, decay):
        """TF1's zero-debiased EMA: a biased average and a step count beside the shadow;
        the shadow becomes biased / (1 - decay^t)."""
        biased = _shadow(_op_name(avg), "biased", np.zeros(avg.shape.as_list(), avg.dtype.np))
        local_step = _shadow(_op_name(avg), "local_step", np.zeros((), avg.dtype.np))
        one = np.ones((), avg.dtype.np)
        biased_t = state_ops.assign_sub(biased, M.multiply(M.subtract(biased, value),
                                                           M.subtract(one, decay)))
        step_t = state_ops.assign_add(local_step, one)
        factor = M.subtract(one, M.pow(decay, step_t))
        return state_ops.assign(avg, M.truediv(biased_t, factor))

    def average(self, var) -> Optional[Variable]:
        """The shadow of `var` (None when `apply` has not seen it)."""
        return self._averages.get(var)

    def average_name(self, var) -> str:
        """The name of `var`'s shadow in checkpoints: `<var op name>/<name>`."""
        if var in self._averages:
            return _op_name(self._averages[var])
        return _context.get_default_graph().unique_name(f"{_op_name(var)}/{self._name}",
                                                        mark_as_used=False)

    def variables_to_restore(self, moving_avg_variables=None) -> dict:
        """A Saver var_list that restores each shadow into its variable, and every other
        global variable by its own name (TF1's map)."""
        if moving_avg_variables is None:
            moving_avg_variables = trainable_variables() + moving_average_variables()
        unique = list(dict.fromkeys(moving_avg_variables))
        name_map = {self.average_name(v): v for v in unique}
        names = {v.name for v in unique}
        for v in global_variables():
            if v.name not in names and _op_name(v) not in name_map:
                name_map[_op_name(v)] = v
        return name_map
