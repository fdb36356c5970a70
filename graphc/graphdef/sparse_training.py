"""TensorFlow's sparse updates on import: what TF1's optimizers write for a gradient that
touches some rows of a variable (an embedding lookup's): `SparseApplyMomentum`,
`SparseApplyAdagrad`, `SparseApplyRMSProp` (and `ResourceSparseApply*`), and the
`ResourceScatter*` forms of the variable scatters (`ScatterAdd`, `ScatterNdUpdate`, ...:
graphc's own ops of those names, imported through specs.py's table).

Each sparse apply becomes a composition of graphc ops: the rows named by `indices`
gathered, updated as TensorFlow's CPU kernel updates them, and written back with a
TensorScatter op into an Assign of the whole variable (the new value is the assign's
output, as TF1's ref semantics). The optimizers pass unique indices (TensorFlow sums
repeated rows first), as the kernels require.
"""
from __future__ import annotations

from functools import partial

import numpy as np

from ..ir.ops import array_ops as Arr
from ..ir.ops import math_ops as M
from ..ir.ops import scatter_ops as S
from ..ir.ops.slicing_ops import gather
from . import attrs as A
from .importer import IMPORTERS, NodeContext, import_spec
from .resources import _handle
from .specs import BY_TF, VARIABLE_SCATTERS


def _c(t, value):
    return np.asarray(value, t.dtype.np)


def _assign(ctx: NodeContext, ref, value, suffix: str = ""):
    return ctx.op("Assign", [ref, value], {
        "use_locking": ctx.attr("use_locking", A.BOOL, False), "validate_shape": True},
        suffix=suffix)


def _rows(indices):
    """indices as TensorScatter's [..., 1] index tensor of rows."""
    return Arr.expand_dims(indices, -1)


def _write_rows(ctx: NodeContext, ref, indices, rows, suffix: str = ""):
    return _assign(ctx, ref, S.tensor_scatter_nd_update(ref, _rows(indices), rows), suffix)


def _write_var(ctx: NodeContext, var, indices, rows, slots: list):
    """The variable's rows written under the node's name, after the slots' writes (which
    nothing else reads: the node's control inputs wait for them through it)."""
    with ctx.graph.control_dependencies([t.op for t in slots]):
        return _write_rows(ctx, var, indices, rows)


def _sparse_momentum(ctx: NodeContext):
    """accum[i] = accum[i] * momentum + grad; var[i] -= accum[i] * lr (Nesterov: var[i]
    -= grad * lr + accum[i] * momentum * lr)."""
    var, accum, lr, grad, indices, momentum = ctx.inputs[:6]
    with ctx.graph.name_scope(ctx.name + "/"):
        acc = M.add(M.multiply(gather(accum, indices), momentum), grad)
        slots = [_write_rows(ctx, accum, indices, acc, "accum")]
        if ctx.attr("use_nesterov", A.BOOL, False):
            step = M.add(M.multiply(grad, lr), M.multiply(M.multiply(acc, momentum), lr))
        else:
            step = M.multiply(acc, lr)
        rows = M.subtract(gather(var, indices), step)
    return _write_var(ctx, var, indices, rows, slots)


def _sparse_adagrad(ctx: NodeContext):
    """accum[i] += grad^2 (with update_slots); var[i] -= grad * lr * rsqrt(accum[i])."""
    var, accum, lr, grad, indices = ctx.inputs[:5]
    with ctx.graph.name_scope(ctx.name + "/"):
        acc, slots = gather(accum, indices), []
        if ctx.attr("update_slots", A.BOOL, True):
            acc = M.add(acc, M.square(grad))
            slots.append(_write_rows(ctx, accum, indices, acc, "accum"))
        rows = M.subtract(gather(var, indices),
                          M.multiply(M.multiply(grad, lr), M.rsqrt(acc)))
    return _write_var(ctx, var, indices, rows, slots)


def _sparse_rmsprop(ctx: NodeContext):
    """ms[i] += (grad^2 - ms[i]) * (1 - rho); mom[i] = mom[i] * momentum + grad * lr /
    sqrt(ms[i] + eps); var[i] -= mom[i]."""
    var, ms, mom, lr, rho, momentum, eps, grad, indices = ctx.inputs[:9]
    one = _c(var, 1)
    with ctx.graph.name_scope(ctx.name + "/"):
        ms_rows = gather(ms, indices)
        ms_rows = M.add(ms_rows, M.multiply(M.subtract(M.square(grad), ms_rows),
                                            M.subtract(one, rho)))
        slots = [_write_rows(ctx, ms, indices, ms_rows, "ms")]
        mom_rows = M.add(M.multiply(gather(mom, indices), momentum),
                         M.truediv(M.multiply(grad, lr), M.sqrt(M.add(ms_rows, eps))))
        slots.append(_write_rows(ctx, mom, indices, mom_rows, "mom"))
        rows = M.subtract(gather(var, indices), mom_rows)
    return _write_var(ctx, var, indices, rows, slots)


def _resource(update, handles: int):
    def apply(ctx: NodeContext):
        for k in range(handles):
            _handle(ctx, k)
        return update(ctx)
    return apply


UPDATES = {
    "SparseApplyMomentum": (_sparse_momentum, 2),
    "SparseApplyAdagrad": (_sparse_adagrad, 2),
    "SparseApplyRMSProp": (_sparse_rmsprop, 3),
}
IMPORTERS.update({name: fn for name, (fn, _) in UPDATES.items()})
IMPORTERS.update({"Resource" + name: _resource(fn, n) for name, (fn, n) in UPDATES.items()})
IMPORTERS.update({"Resource" + name: _resource(partial(import_spec, BY_TF[name]), 1)
                  for name in VARIABLE_SCATTERS})
