"""Horovod's training pieces: DistributedOptimizer (gradients allreduced in fused buckets),
broadcast_global_variables and BroadcastGlobalVariablesHook."""
from __future__ import annotations

import os
from typing import Optional

from ..ir.ops import collective_ops as _ops
from ..ir.ops import core_ops
from ..train.hooks import SessionRunHook
from ..train.optimizer import Optimizer

# Horovod's HOROVOD_FUSION_THRESHOLD: gradients are packed into buckets of at most this
# many bytes; each bucket is one allreduce call.
DEFAULT_FUSION_THRESHOLD = 64 * 1024 * 1024


def fusion_threshold() -> int:
    text = os.environ.get("HOROVOD_FUSION_THRESHOLD", "")
    return int(text) if text.strip().isdigit() else DEFAULT_FUSION_THRESHOLD


def _bytes(t) -> int:
    n = t.shape.num_elements() if t.shape.ndims is not None else None
    return (n if n is not None else 1 << 20) * t.dtype.size


def fused_allreduce(grads: list, op: str, compression: str,
                    threshold: Optional[int] = None) -> list:
    """Allreduce `grads` (tensors or None) in buckets: one call per run of same-dtype
    tensors up to `threshold` bytes, filled in the order the backward pass computes them
    (creation order is a topological order, and the plan runs ready ops in it: the last
    layer's gradients come first). Each bucket's allreduce starts as soon as its last
    gradient exists and is waited for at the optimizer's update (HorovodAllreduce runs in
    two halves), so its transfer overlaps the rest of the backward pass."""
    threshold = fusion_threshold() if threshold is None else threshold
    out = list(grads)
    order = sorted((i for i in range(len(grads)) if grads[i] is not None),
                   key=lambda i: grads[i].op.id)
    buckets: list = []
    for i in order:
        g = grads[i]
        last = buckets[-1] if buckets else None
        if last is not None and last["dtype"] == g.dtype and \
                last["bytes"] + _bytes(g) <= threshold:
            last["members"].append(i)
            last["bytes"] += _bytes(g)
        else:
            buckets.append({"dtype": g.dtype, "bytes": _bytes(g), "members": [i]})
    for b in buckets:
        reduced = _ops.allreduce([grads[i] for i in b["members"]], op, compression,
                                 names=[grads[i].op.name for i in b["members"]],
                                 name="DistributedOptimizer_Allreduce")
        for i, r in zip(b["members"], reduced):
            out[i] = r
    return out


class DistributedOptimizer(Optimizer):
    """Horovod's `hvd.DistributedOptimizer(opt)`: `compute_gradients` averages (op=Average)
    or sums (op=Sum) each gradient over all ranks before `opt` applies it."""

    def __init__(self, optimizer: Optimizer, name: Optional[str] = None,
                 use_locking: bool = False, device_dense: str = "", device_sparse: str = "",
                 compression="none", sparse_as_dense: bool = False, op="average",
                 fusion_threshold_bytes: Optional[int] = None) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"DistributedOptimizer wraps a graphc optimizer, got {optimizer!r}")
        super().__init__(use_locking, name or "Distributed" + type(optimizer).__name__)
        self._optimizer = optimizer
        self._compression = compression
        self._op = op
        self._threshold = fusion_threshold_bytes
        _ops._check(op, compression)

    def compute_gradients(self, *args, **kwargs) -> list:
        grads_and_vars = self._optimizer.compute_gradients(*args, **kwargs)
        grads = fused_allreduce([g for g, _ in grads_and_vars], self._op, self._compression,
                                self._threshold)
        return list(zip(grads, [v for _, v in grads_and_vars]))

    def apply_gradients(self, *args, **kwargs):
        return self._optimizer.apply_gradients(*args, **kwargs)

    def get_slot(self, *args, **kwargs):
        return self._optimizer.get_slot(*args, **kwargs)

    def get_slot_names(self, *args, **kwargs):
        return self._optimizer.get_slot_names(*args, **kwargs)

    def variables(self, *args, **kwargs):
        return self._optimizer.variables(*args, **kwargs)


def broadcast_variables(variables, root_rank: int):
    """One op assigning `root_rank`'s value to each of `variables` on every rank."""
    assigns = [v.assign(_ops.broadcast(v.value() if hasattr(v, "value") else v, root_rank,
                                       name="broadcast_" + v.op.name), read_value=False)
               for v in variables]
    return core_ops.group(*assigns, name="broadcast_global_variables")


def broadcast_global_variables(root_rank: int):
    """Horovod's op giving every global variable `root_rank`'s value (run after init)."""
    from ..variables import global_variables
    return broadcast_variables(global_variables(), root_rank)


class BroadcastGlobalVariablesHook(SessionRunHook):
    """Broadcasts the global variables from `root_rank` once the session exists (after
    initialisation or restore), as Horovod's hook does for MonitoredTrainingSession."""

    def __init__(self, root_rank: int, device: str = "") -> None:
        self.root_rank = root_rank
        self.bcast_op = None

    def begin(self) -> None:
        from ..ir.context import get_default_graph
        graph = get_default_graph()
        if self.bcast_op is None or self.bcast_op.graph is not graph:
            self.bcast_op = broadcast_global_variables(self.root_rank)

    def after_create_session(self, session, coord) -> None:
        session.run(self.bcast_op)
