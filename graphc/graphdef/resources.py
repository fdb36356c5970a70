"""TensorFlow's resource variables on import (`tf.compat.v1.get_variable(...,
use_resource=True)`, TF2-style graphs): each `VarHandleOp` becomes the graphc variable it
names (a `VariableV2` of its shape and dtype, under the node's name, so checkpoints keep
their keys), and the ops on the handle the ops graphc has on that variable:
`ReadVariableOp` an Identity of it, `AssignVariableOp` / `AssignAddVariableOp` /
`AssignSubVariableOp` Assign / AssignAdd / AssignSub, `VarIsInitializedOp`
IsVariableInitialized, `ResourceGather` a GatherV2 of its value, and `ResourceApply*` the
reference forms' updates (`training.py`).

Resource semantics hold: graphc reads a variable where each consumer runs, so a
ReadVariableOp ordered after an assignment by a control input sees the new value, and one
that is not ordered reads before any assignment in the same run, as TensorFlow's.
"""
from __future__ import annotations

from . import attrs as A
from .importer import IMPORTERS, GraphDefImportError, NodeContext
from .training import UPDATES


def _handle(ctx: NodeContext, index: int = 0):
    t = ctx.inputs[index]
    if t.op.type != "VariableV2":
        raise GraphDefImportError(f"{ctx.label}: input {index} must be a variable handle "
                                  f"(a VarHandleOp), it comes from '{t.op.name}' ({t.op.type})")
    return t


def _var_handle(ctx: NodeContext):
    dtype = ctx.attr("dtype", A.DTYPE)
    if dtype.kind in ("string", "resource"):
        raise GraphDefImportError(f"{ctx.label}: resource variables of dtype {dtype.name} "
                                  "are not supported")
    shape = ctx.attr("shape", A.SHAPE)
    if not shape.is_fully_defined():
        raise GraphDefImportError(f"{ctx.label}: a variable of shape {shape} (not fully "
                                  "known) is not supported")
    return ctx.op("VariableV2", [], {"shape": shape, "dtype": dtype})


def _read(ctx: NodeContext):
    return ctx.op("Identity", [_handle(ctx)])


def _assigner(op_type: str):
    def assign(ctx: NodeContext):
        attrs = {"use_locking": False}
        if op_type == "Assign":
            attrs["validate_shape"] = True
        return ctx.op(op_type, [_handle(ctx), ctx.inputs[1]], attrs)
    return assign


def _is_initialized(ctx: NodeContext):
    return ctx.op("IsVariableInitialized", [_handle(ctx)])


def _gather(ctx: NodeContext):
    if ctx.attr("batch_dims", A.INT, 0):
        raise GraphDefImportError(f"{ctx.label}: batch_dims != 0 is not supported")
    handle, indices = _handle(ctx), ctx.inputs[1]
    dtype = ctx.attr("dtype", A.DTYPE, handle.dtype)
    if dtype is not handle.dtype:
        raise GraphDefImportError(f"{ctx.label}: dtype {dtype.name} of a {handle.dtype.name} "
                                  "variable")
    return ctx.op("GatherV2", [handle, indices], {"axis": 0})


def _resource_update(update):
    def apply(ctx: NodeContext):
        _handle(ctx)
        return update(ctx)
    return apply


IMPORTERS.update({
    "VarHandleOp": _var_handle, "ReadVariableOp": _read,
    "AssignVariableOp": _assigner("Assign"), "AssignAddVariableOp": _assigner("AssignAdd"),
    "AssignSubVariableOp": _assigner("AssignSub"), "VarIsInitializedOp": _is_initialized,
    "ResourceGather": _gather,
})
IMPORTERS.update({"Resource" + name: _resource_update(fn) for name, fn in UPDATES.items()})
