"""Sharper loop-variable shapes for a plan's While nodes.

A While node's results have its shape invariants' shapes, which keep the dims the user's
graph leaves unknown (`dynamic_rnn`'s state is `(?, units)`). In a plan the loop variables
enter with the fed shapes, and a body that maps those shapes to themselves keeps them on
every iteration: the invariants can be the entering shapes, so the ops after the loop
get known shapes (and native kernels) instead of unknown ones.

`refined_var_shapes` finds the most specific such invariants: it starts from the
entering shapes, infers the body on them (lowered as a plan of its own, as
graphc/functions.py runs it), relaxes every variable whose result differs to the dims
both agree on, and repeats until nothing changes (sound by induction: the body maps
shapes within the invariants into them, and the loop starts within them).
"""
from __future__ import annotations

from typing import Optional

from graphc.ir.errors import OpError
from graphc.ir.ops.control_flow_ops import BODY, fn_outputs, fn_params, merge_shapes

_ROUNDS = 4


def refined_var_shapes(op, inputs: list) -> Optional[tuple]:
    """Shape invariants for `op` (a While of the user's graph) whose inputs in the plan
    are `inputs`, more specific than its own; None when they cannot be sharper."""
    n = op.attrs["n_vars"]
    invariants = list(op.attrs["var_shapes"])
    current = []
    for inv, t in zip(invariants, inputs[:n]):
        if not inv.is_compatible_with(t.shape):
            return None  # _while_infer reports it
        current.append(inv.merge_with(t.shape))
    if current == invariants:
        return None
    sliced = set(op.attrs.get("sliced", ()))
    # The While node checks its invariants against the body graph's own result shapes:
    # an invariant of known rank needs a result of known rank there.
    static = [t.shape for t in fn_outputs(op, BODY)[:n]]
    for _ in range(_ROUNDS):
        results = _body_shapes(op, inputs, current, sliced)
        if results is None:
            return None
        relaxed = [c if c == r else merge_shapes(c, r) for c, r in zip(current, results)]
        relaxed = [inv.merge_with(r) if r.is_compatible_with(s) and (
            s.ndims is not None or r.ndims is None) else inv
            for inv, r, s in zip(invariants, relaxed, static)]
        if relaxed == current:
            return tuple(current) if current != invariants else None
        current = relaxed
    return None


def _body_shapes(op, inputs: list, shapes: list, sliced: set) -> Optional[list]:
    """The shapes of the body's first len(shapes) results when its loop variables have
    `shapes` (and its other arguments their plan shapes), or None if inference fails."""
    from .plan import lower
    from .prune import build_program
    n = len(shapes)
    specs = []
    for i in op.attrs[BODY + "_inputs"]:
        if i < n:
            shape = shapes[i]
        elif i in sliced:
            shape = inputs[i].shape[1:]
        else:
            shape = inputs[i].shape
        if shape.ndims is None:
            return None
        specs.append((tuple(shape.as_tuple()), inputs[i].dtype))
    params = fn_params(op, BODY)
    outputs = fn_outputs(op, BODY)[:n]
    try:
        plan = lower(build_program(outputs, [], params), specs)
    except (ValueError, TypeError, OpError):
        return None
    return [t.shape for t in plan.fetches]
