"""Gradients of If and While: new If and While nodes whose graphs are gradient graphs.

The gradient of a held graph is built by the ordinary autodiff walk, run over the forward
graph but creating its ops in a new function graph. Where a VJP rule reads a forward
value (an activation, a matmul operand), the gradient graph captures it, and the forward
node is extended to return it (TF2's rule; extending a node's outputs is the one mutation
the IR allows besides `set_shape`, made before the forward node has ever run in a plan
that needs the new outputs):

  If     the taken branch returns the value; the other branch returns zeros standing in
         (the gradient If takes the same branch, so it never reads them).
  While  the body's value in every iteration is stacked (an accumulated output); the
         gradient loop runs the forward trip count backwards, reading iteration k's
         values as stack[k - 1]. Gradients of captured tensors (weights) are summed
         over iterations in loop variables of their own.
"""
from __future__ import annotations

from graphc.ir.context import get_default_graph
from graphc.ir.func_graph import FuncGraph
from graphc.ir.graph import Operation, Tensor
from graphc.ir.ops import array_ops, core_ops, math_ops
from graphc.ir.ops.array_grads import unsorted_segment_sum
from graphc.ir.ops import generator_ops
from graphc.ir.ops import tile_pad_ops
from graphc.ir.ops.control_flow_ops import (BODY, ELSE, THEN, empty_like_shape, fn_outputs,
                                            fn_params, if_node, merge_shapes, while_node)
from graphc.ir.registry import set_vjp
from graphc.ir.shapes import TensorShape
from .gradients import gradients


def _differentiable(t: Tensor) -> bool:
    return t.dtype.is_floating or t.dtype.is_complex


def _extend_outputs(op: Operation, attrs: dict, new: list) -> None:
    """Append outputs (dtype, shape) to `op`, whose attrs become `attrs`."""
    op.attrs = attrs
    start = len(op.outputs)
    op.outputs = op.outputs + tuple(Tensor(op, start + i, d, s) for i, (d, s) in
                                    enumerate(new))
    op.graph._version += 1


def _copy_const(g, t: Tensor) -> Tensor:
    """A forward graph's constant, copied rather than passed in."""
    with g.as_default(), g.control_dependencies(None):
        return core_ops.constant(t.op.attrs["value"], name=t.op.name.rsplit("/", 1)[-1])


# ------------------------------------------------------------------ If
def _export_from_branch(op: Operation, key: str, t: Tensor) -> Tensor:
    """An output of the forward If giving branch `key`'s tensor `t` (zeros otherwise)."""
    other = ELSE if key == THEN else THEN
    mine = list(op.attrs[key + "_outputs"])
    ref = (t.op.name, t.value_index)
    for i in range(op.attrs["n_out"], len(mine)):
        if mine[i] == ref and dict(op.attrs.get("exported", ())).get(i) == key:
            return op.outputs[i]
    g_other = op.subgraphs[other]
    with g_other.as_default(), g_other.control_dependencies(None):
        dummy = core_ops.constant(empty_like_shape(t.shape, t.dtype), name="unused_" + key)
    theirs = list(op.attrs[other + "_outputs"]) + [(dummy.op.name, 0)]
    exported = tuple(op.attrs.get("exported", ())) + ((len(mine), key),)
    attrs = dict(op.attrs, **{key + "_outputs": tuple(mine + [ref]),
                              other + "_outputs": tuple(theirs), "exported": exported})
    _extend_outputs(op, attrs, [(t.dtype, merge_shapes(t.shape, dummy.shape))])
    return op.outputs[-1]


def _if_vjp(op: Operation, grads: list) -> list:
    n_out = op.attrs["n_out"]
    wanted = [i for i in range(n_out) if grads[i] is not None and
              _differentiable(op.outputs[i])]
    targets = [j for j in range(1, len(op.inputs)) if _differentiable(op.inputs[j])]
    result: list = [None] * len(op.inputs)
    if not wanted or not targets:
        return result
    target_graph = get_default_graph()
    branches = {}
    for key in (THEN, ELSE):
        branch = op.subgraphs[key]
        params = fn_params(op, key)
        where = dict(zip(params, op.attrs[key + "_inputs"]))

        def hook(g, t, branch=branch, where=where, key=key):
            if t.graph is not branch or t.op.type == "VariableV2":
                return None
            if t.op.type == "Const":
                return _copy_const(g, t)
            if t in where:  # a parameter: the If's own input
                return g.capture(op.inputs[where[t]])
            return g.capture(_export_from_branch(op, key, t))

        g = FuncGraph(f"{op.name}_grad/{key}", target_graph, hook)
        with g.as_default():
            seeds = [g.capture(grads[i]) for i in wanted]
            outs = fn_outputs(op, key)
            xs = [p for p in params if _differentiable(p)]
            gs = dict(zip(xs, gradients([outs[i] for i in wanted], xs, grad_ys=seeds,
                                        _graph=g))) if xs else {}
            by_input = {where[p]: gv for p, gv in gs.items() if gv is not None}
            g.outputs = [by_input[j] if j in by_input else
                         generator_ops.zeros_like(op.inputs[j]) for j in targets]
            g.outputs = [t if t.graph is g else core_ops.identity(t) for t in g.outputs]
        branches[key] = g
    grad_if = if_node(target_graph, f"{op.name}_grad/If", op.inputs[0], branches,
                      {"n_out": len(targets)})
    for j, t in zip(targets, grad_if.outputs):
        result[j] = t
    return result


# ------------------------------------------------------------------ While
def _accumulate(op: Operation, t: Tensor) -> Tensor:
    """The forward While's output stacking the body tensor `t` over iterations."""
    n = op.attrs["n_vars"]
    outs = list(op.attrs["body_outputs"])
    ref = (t.op.name, t.value_index)
    if ref in outs[n:]:
        return op.outputs[n + 1 + outs[n:].index(ref)]
    rest = None if t.shape.ndims is None else [None] + list(t.shape.as_tuple())
    attrs = dict(op.attrs, body_outputs=tuple(outs + [ref]))
    _extend_outputs(op, attrs, [(t.dtype, TensorShape(rest))])
    return op.outputs[-1]


def _while_vjp(op: Operation, grads: list) -> list:
    n = op.attrs["n_vars"]
    shapes = op.attrs["var_shapes"]
    body = op.subgraphs[BODY]
    params = fn_params(op, BODY)
    outs = fn_outputs(op, BODY)
    where = dict(zip(params, op.attrs["body_inputs"]))
    sliced = set(op.attrs.get("sliced", ()))
    var_ids = [i for i in range(n) if _differentiable(op.outputs[i])]
    stacked = [(a, g) for a, g in enumerate(grads[n + 1:]) if g is not None]
    result: list = [None] * len(op.inputs)
    if not stacked and all(grads[i] is None for i in var_ids):
        return result
    float_params = [p for p in params if _differentiable(p)]
    captured = sorted({where[p] for p in float_params if where[p] >= n and
                       where[p] not in sliced})
    slices = sorted({where[p] for p in float_params if where[p] in sliced})
    target_graph = get_default_graph()

    def hook(g, t):
        if t.graph is not body or t.op.type == "VariableV2":
            return None
        if t.op.type == "Const":
            return _copy_const(g, t)
        if t in where and where[t] >= n and where[t] not in sliced:
            return g.capture(op.inputs[where[t]])  # loop-invariant: the While's own input
        # A value of forward iteration k: stacked by the forward loop, read as slice k
        # by backward iteration k (the gradient loop counts down from the trip count).
        return g.sliced_capture(_accumulate(op, t))

    init = [op.outputs[n]]  # the trip count
    init += [grads[i] if grads[i] is not None else generator_ops.zeros_like(op.outputs[i])
             for i in var_ids]
    init += [generator_ops.zeros_like(op.inputs[pos]) for pos in captured]
    specs = [(init[0].dtype, TensorShape([]), "count")]
    specs += [(op.outputs[i].dtype, shapes[i], f"grad_var_{i}") for i in var_ids]
    specs += [(op.inputs[pos].dtype, op.inputs[pos].shape, f"grad_capture_{pos}")
              for pos in captured]
    name = f"{op.name}_grad"

    g_cond = FuncGraph(name + "/cond", target_graph)
    ps = [g_cond.add_param(d, s, nm) for d, s, nm in specs]
    with g_cond.as_default():
        g_cond.outputs = [math_ops.greater(ps[0], 0)]

    g_body = FuncGraph(name + "/body", target_graph, hook)
    g_body.slice_counter = (0, -1)
    ps = [g_body.add_param(d, s, nm) for d, s, nm in specs]
    k, var_grads, acc = ps[0], ps[1:1 + len(var_ids)], ps[1 + len(var_ids):]
    with g_body.as_default():
        ys = [outs[i] for i in var_ids] + [outs[n + a] for a, _ in stacked]
        seeds = list(var_grads) + [g_body.sliced_capture(g) for _, g in stacked]
        xs = [p for p in float_params if where[p] in var_ids or where[p] in captured or
              where[p] in sliced]
        gs = dict(zip(xs, gradients(ys, xs, grad_ys=seeds, _graph=g_body)))
        by_pos: dict = {}
        for p, gv in gs.items():
            if gv is not None:
                by_pos[where[p]] = gv if where[p] not in by_pos else math_ops.add(
                    by_pos[where[p]], gv)
        new = [math_ops.subtract(k, 1)]
        new += [by_pos[i] if i in by_pos else generator_ops.zeros_like(gv)
                for i, gv in zip(var_ids, var_grads)]
        new += [math_ops.add(a, by_pos[pos]) if pos in by_pos else a
                for pos, a in zip(captured, acc)]
        per_slice = [by_pos[pos] if pos in by_pos else
                     generator_ops.zeros_like(g_body.sliced_capture(op.inputs[pos]))
                     for pos in slices]  # this iteration's gradient of its slice
        g_body.outputs = [t if t.graph is g_body and t.op.type != "Placeholder"
                          else core_ops.identity(t) for t in new + per_slice]
    loop = while_node(target_graph, name + "/while", init, [s for _, s, _ in specs],
                      g_cond, g_body)
    for i, t in zip(var_ids, loop.outputs[1:1 + len(var_ids)]):
        result[i] = t
    for pos, t in zip(captured, loop.outputs[1 + len(var_ids):1 + len(var_ids) + len(captured)]):
        result[pos] = t
    if slices:
        counter, offset = op.attrs["slice_counter"]
        counter_param = next(p for p in params if where[p] == counter)
        index = _accumulate(op, counter_param)  # the slice each forward iteration read
        if offset:
            index = math_ops.add(index, offset)
        index = tile_pad_ops.reverse(index, [0])   # in the backward loop's order
        for pos, stack in zip(slices, loop.outputs[len(init) + 1:]):
            result[pos] = unsorted_segment_sum(stack, index,
                                               array_ops.shape(op.inputs[pos])[0])
    return result


def register_vjps() -> None:
    """Attach If's and While's VJP rules to their OpDefs. The rules run the autodiff walk
    (passes/gradients.py) over the held graphs, so they sit above it and are attached
    from outside it: passes/__init__.py calls this once, after importing both."""
    set_vjp("If", _if_vjp)
    set_vjp("While", _while_vjp)
