"""TF1 `tf.train.SyncReplicasOptimizer` in one process.

TF1 aggregates the gradients of `replicas_to_aggregate` workers in accumulators and applies
their mean once enough have arrived. In one process each run of the train op is one
replica's contribution: the gradients are added to accumulators (local variables, so
`local_variables_initializer` and MonitoredTrainingSession start them at zero), and every
`replicas_to_aggregate`-th run applies their mean through the wrapped optimizer (which
also increments `global_step`) and empties them. With `replicas_to_aggregate=1`, TF1's
usual single-worker setting, every run applies its own gradients.
`make_session_run_hook` gives the hook MonitoredTrainingSession takes.
"""
from __future__ import annotations

import numpy as np

from ..ir import context as _context
from ..ir.ops import core_ops, math_ops as M, state_ops
from ..ir.ops import generator_ops as G
from ..variables import GraphKeys, Variable
from .hooks import SessionRunHook
from .optimizer import Optimizer


class SyncReplicasOptimizer(Optimizer):
    """Aggregates `replicas_to_aggregate` gradients, then applies their mean with `opt`."""

    def __init__(self, opt, replicas_to_aggregate, total_num_replicas=None,
                 variable_averages=None, variables_to_average=None, use_locking=False,
                 name="sync_replicas") -> None:
        super().__init__(use_locking, name)
        if int(replicas_to_aggregate) < 1:
            raise ValueError(f"replicas_to_aggregate must be >= 1, got {replicas_to_aggregate}")
        self._opt = opt
        self._replicas_to_aggregate = int(replicas_to_aggregate)
        self._total_num_replicas = (self._replicas_to_aggregate if total_num_replicas is None
                                    else int(total_num_replicas))
        self._variable_averages = variable_averages
        self._variables_to_average = variables_to_average
        self._gradients_applied = False

    def compute_gradients(self, *args, **kwargs):
        """The wrapped optimizer's compute_gradients."""
        return self._opt.compute_gradients(*args, **kwargs)

    def apply_gradients(self, grads_and_vars, global_step=None, name=None):
        grads_and_vars = [(g, v) for g, v in grads_and_vars]
        if not grads_and_vars:
            raise ValueError("Must supply at least one variable")
        if global_step is None:
            raise ValueError("Global step is required to check staleness")
        if self._replicas_to_aggregate == 1:
            train_op = self._opt.apply_gradients(grads_and_vars, global_step, name)
        else:
            train_op = self._aggregate(grads_and_vars, global_step, name)
        if self._variable_averages is not None:
            graph = _context.get_default_graph()
            with graph.control_dependencies([train_op]):
                train_op = self._variable_averages.apply(self._variables_to_average)
        self._gradients_applied = True
        return train_op

    def _aggregate(self, grads_and_vars, global_step, name):
        from ..control_flow import cond
        graph = _context.get_default_graph()
        pairs = [(g, v) for g, v in grads_and_vars if g is not None]
        local = [GraphKeys.LOCAL_VARIABLES]
        with graph.control_dependencies(None), graph.name_scope(None):
            accumulators = [Variable(np.zeros(v.shape.as_list(), v.dtype.np), trainable=False,
                                     collections=local,
                                     _exact_name=graph.unique_name(f"{v.op.name}/{self._name}"))
                            for _, v in pairs]
            count = Variable(np.int64(0), trainable=False, collections=local,
                             _exact_name=graph.unique_name(f"{self._name}/replicas_seen"))
            # the wrapped optimizer's slots live outside the branch that updates them
            self._opt._create_slots([v for _, v in pairs])
        n = self._replicas_to_aggregate
        with graph.name_scope(name or self._name):
            sums = [state_ops.assign_add(acc, g) for acc, (g, _) in zip(accumulators, pairs)]
            seen = state_ops.assign_add(count, np.int64(1))

            def apply_mean():
                scale = [np.asarray(1.0 / n, v.dtype.np) for _, v in pairs]
                mean = [(M.multiply(s, k), v) for s, k, (_, v) in zip(sums, scale, pairs)]
                branch = _context.get_default_graph()
                with branch.control_dependencies([self._opt.apply_gradients(mean, global_step)]):
                    resets = [state_ops.assign(acc, G.zeros_like(acc)) for acc in accumulators]
                    resets.append(state_ops.assign(count, np.int64(0)))
                    with branch.control_dependencies(resets):
                        return core_ops.constant(True)

            with graph.control_dependencies(sums):
                ready = M.greater_equal(seen, np.int64(n))
            applied = cond(ready, apply_mean, lambda: core_ops.constant(False))
            return core_ops.group(applied, *sums, name="train")

    def make_session_run_hook(self, is_chief, num_tokens=-1):
        """The hook for MonitoredTrainingSession (TF1 takes it with `hooks=`)."""
        return _SyncReplicasOptimizerHook(self, is_chief, num_tokens)

    def get_init_tokens_op(self, num_tokens=-1):
        """TF1 fills the workers' token queue; one process has no queue: a no-op."""
        if num_tokens < -1:
            raise ValueError(f"num_tokens must be >= -1, got {num_tokens}")
        return core_ops.no_op(name="sync_token_init")

    def get_slot(self, *args, **kwargs):
        return self._opt.get_slot(*args, **kwargs)

    def get_slot_names(self, *args, **kwargs):
        return self._opt.get_slot_names(*args, **kwargs)

    def variables(self):
        return self._opt.variables()


class _SyncReplicasOptimizerHook(SessionRunHook):
    """Checks the optimizer was applied before the session starts (TF1's hook also starts
    the chief's queue runner, which one process does not have)."""

    def __init__(self, sync_optimizer, is_chief, num_tokens) -> None:
        self._sync_optimizer = sync_optimizer
        self._is_chief = is_chief
        self._num_tokens = num_tokens

    def begin(self):
        if not self._sync_optimizer._gradients_applied:
            raise ValueError("SyncReplicasOptimizer.apply_gradient should be called before "
                             "using the hook.")
