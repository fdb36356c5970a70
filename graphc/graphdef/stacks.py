"""TF1's stacks on import (`StackV2`, `StackPushV2`, `StackPopV2`, `StackCloseV2`), as
graphc's stack ops, and `ControlTrigger` as a NoOp.

TF1's while-loop gradient (control flow v1) pushes each forward value its gradient loop
needs onto a stack in the forward loop and pops it in the gradient loop, the handle
entering both frames as a loop invariant (a captured input of each While). A pop carries
no element shape in TensorFlow; the pushes' static shape (the forward loop is imported
first) is given to the pops of the same stack, so shapes stay known in the gradient loop.
`ControlTrigger` (the gradient loop's sync point the pops wait for) runs even when its
inputs are dead in TensorFlow; graphc has no dead tensors: a NoOp.
"""
from __future__ import annotations

import weakref

from ..ir.graph import Tensor
from ..ir.ops import stack_ops  # noqa: F401  (registers the ops)
from ..ir.ops.control_flow_ops import merge_shapes
from . import attrs as A
from .arrays import outer_tensor
from .importer import IMPORTERS, NodeContext

# a StackV2's handle -> the static shape of what was pushed onto it
_PUSHED: "weakref.WeakKeyDictionary[Tensor, object]" = weakref.WeakKeyDictionary()


def _stack(ctx: NodeContext):
    return ctx.op("StackV2", ctx.inputs, {"elem_type": ctx.attr("elem_type", A.DTYPE),
                                          "stack_name": ctx.attr("stack_name", A.STR, "")})


def _push(ctx: NodeContext):
    handle, elem = ctx.inputs
    source = outer_tensor(handle)
    known = _PUSHED.get(source)
    _PUSHED[source] = elem.shape if known is None else merge_shapes(known, elem.shape)
    return ctx.op("StackPushV2", [handle, elem],
                  {"swap_memory": ctx.attr("swap_memory", A.BOOL, False)})


def _pop(ctx: NodeContext):
    (handle,) = ctx.inputs
    return ctx.op("StackPopV2", [handle], {"elem_type": ctx.attr("elem_type", A.DTYPE),
                                           "elem_shape": _PUSHED.get(outer_tensor(handle))})


def _close(ctx: NodeContext):
    return ctx.op("StackCloseV2", ctx.inputs)


def _control_trigger(ctx: NodeContext):
    return ctx.op("NoOp", [])


IMPORTERS.update({"StackV2": _stack, "StackPushV2": _push, "StackPopV2": _pop,
                  "StackCloseV2": _close, "ControlTrigger": _control_trigger})
