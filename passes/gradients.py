"""Reverse-mode autodiff by graph rewriting: `gradients(ys, xs)` adds gradient ops.

The walk is generic; what each op contributes is its OpDef's VJP rule, which builds
ordinary ops (so gradients of gradients work). TF1 semantics: several ys are summed,
fan-in is summed, an x with no path to any y gets None (or zeros with
unconnected_gradients="zero"), `stop_gradients` and non-differentiable ops end paths.
Gradient ops are created under `gradients/<op>_grad/` and record the forward op as
their origin. An op on a path with no VJP rule is an error naming it and its line.

An op created under `Graph.gradient_override_map` uses the gradient registered under its
override name (`tf.RegisterGradient`'s TF1-style fn(op, *grads), or a built-in op type's
rule) before its own type's; an override naming no gradient is an error, never ignored.
"""
from __future__ import annotations

from typing import Optional, Sequence

import numpy as np

from graphc.ir.graph import Operation, Tensor, TensorLike
from graphc.ir.registry import NON_DIFFERENTIABLE, NoGradient, lookup_gradient
from graphc.ir.ops import array_ops, core_ops
from graphc.ir.ops import matmul_ops
from graphc.ir.ops import generator_ops
from graphc.ir.ops import _base


def _as_list(x) -> list:
    if x is None:
        return []
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _y_tensor(y) -> Tensor:
    if isinstance(y, Tensor):
        return y
    if isinstance(y, TensorLike):
        return y._as_tensor()
    raise TypeError(f"gradients: ys must be tensors, got {y!r}")


def _x_tensor(x) -> Tensor:
    if isinstance(x, Tensor):
        return x
    if hasattr(x, "_variable_tensor"):
        return x._variable_tensor()  # a variable: its value tensor, read through /read
    if isinstance(x, TensorLike):
        return x._as_tensor()
    raise TypeError(f"gradients: xs must be tensors or variables, got {x!r}")


def _backpropagatable(t: Tensor) -> bool:
    return t.dtype.is_floating or t.dtype.is_complex


def _consumers(graph) -> dict:
    users: dict = {}
    for op in graph.get_operations():
        for t in op.inputs:
            users.setdefault(t.op, []).append(op)
    return users


def _between(ys: list, xs: list, stops: set, graph) -> set:
    """Ops on some data path from an x to a y (not passing a stop tensor)."""
    users = _consumers(graph)
    reached = set()
    stack = [x.op for x in xs]
    while stack:
        op = stack.pop()
        if op in reached:
            continue
        reached.add(op)
        stack.extend(users.get(op, ()))
    between = set()
    stack = [y.op for y in ys]
    while stack:
        op = stack.pop()
        if op in between or op not in reached:
            continue
        between.add(op)
        for t in op.inputs:
            if t not in stops:
                stack.append(t.op)
    return between


def _aggregate(grads: list, name: str = "AddN") -> Optional[Tensor]:
    grads = [g for g in grads if g is not None]
    if not grads:
        return None
    if len(grads) == 1:
        return grads[0]
    return matmul_ops.add_n(grads, name=name)


def gradients(ys, xs, grad_ys=None, name: str = "gradients",
              colocate_gradients_with_ops: bool = False, gate_gradients: bool = False,
              aggregation_method=None, stop_gradients=None,
              unconnected_gradients: str = "none", _graph=None) -> list:
    """TF1 `tf.gradients`: symbolic d(sum ys)/d(xs), added to the graph.

    `_graph` (internal) is where the gradient ops go when it is not the ys' graph: the
    gradient of a loop body or a branch is built in a function graph of its own that
    reads the forward graph's values (passes/control_flow_grad.py)."""
    ys = [_y_tensor(y) for y in _as_list(ys)]
    xs = [_x_tensor(x) for x in _as_list(xs)]
    unconnected = str(getattr(unconnected_gradients, "value", unconnected_gradients)).lower()
    if unconnected not in ("none", "zero"):
        raise ValueError(f"Unknown value for unconnected_gradients: {unconnected_gradients!r}")
    grad_ys = _as_list(grad_ys) if grad_ys is not None else [None] * len(ys)
    if len(grad_ys) != len(ys):
        raise ValueError(f"Passed {len(grad_ys)} grad_ys for {len(ys)} ys")
    if not ys:  # TF1: nothing to differentiate, every x is unconnected
        return [generator_ops.zeros_like(x) if unconnected == "zero" else None for x in xs]
    forward = ys[0].graph
    graph = forward if _graph is None else _graph
    stops = {_x_tensor(s) for s in _as_list(stop_gradients)}
    between = _between(ys, xs, stops, forward)
    grads: dict = {}
    with graph.as_default(), graph.name_scope(name):
        for i, (y, gy) in enumerate(zip(ys, grad_ys)):
            if gy is None:
                if not y.dtype.is_floating:
                    raise TypeError(f"gradients of the non-floating tensor '{y.name}' "
                                    f"({y.dtype.name}) need explicit grad_ys")
                gy = _ones_like(y, name=f"grad_ys_{i}")
            else:
                gy = _base.convert_to_tensor(gy, dtype=y.dtype) if not isinstance(
                    gy, TensorLike) else gy._as_tensor()
                if gy.dtype is not y.dtype:
                    raise TypeError(f"grad_ys[{i}] has dtype {gy.dtype.name}, but ys[{i}] "
                                    f"'{y.name}' is {y.dtype.name}")
            grads.setdefault(y, []).append(gy)
        xs_set = set(xs)
        for op in sorted(between, key=lambda o: o.id, reverse=True):
            if any(t in stops for t in op.outputs) and not any(t in xs_set for t in op.outputs):
                continue
            _backprop_op(op, grads, between, xs_set, stops, graph)
        results = []
        for x in xs:
            g = _aggregate(grads.get(x, []), name=f"{x.op.name}_grad_sum")
            if g is None and unconnected == "zero":
                g = generator_ops.zeros_like(x)
            results.append(g)
    return results


def _backprop_op(op: Operation, grads: dict, between: set, xs_set: set, stops: set,
                 graph) -> None:
    if op.type in ("VariableV2", "Placeholder", "Const"):
        return  # sources: their gradient is what accumulated on their outputs
    out_grads = []
    with graph.name_scope(f"{op.name}_grad"):
        for t in op.outputs:
            out_grads.append(_aggregate(grads.get(t, [])))
        if all(g is None for g in out_grads):
            return
        rule = gradient_rule(op)
        if rule is NON_DIFFERENTIABLE:
            return
        if rule is None:
            raise LookupError(f"No gradient defined for operation '{op.name}' (op type: "
                              f"{op.type}). It lies on a path from xs to ys; wrap its input "
                              f"in tf.stop_gradient if no gradient should flow through it."
                              f"{_where(op)}")
        for i, t in enumerate(op.outputs):
            if out_grads[i] is None and _backpropagatable(t) and not op.opdef.sparse_grads:
                out_grads[i] = generator_ops.zeros_like(t)
        with graph.origin(op):
            in_grads = rule(op, out_grads)
    in_grads = list(in_grads)
    whose = _rule_name(op)
    if len(in_grads) != len(op.inputs):
        raise ValueError(f"Num gradients {len(in_grads)} generated by {whose} for op "
                         f"'{op.name}' do not match num inputs {len(op.inputs)}{_where(op)}")
    for i, (t, g) in enumerate(zip(op.inputs, in_grads)):
        if g is None or t in stops and t not in xs_set:
            continue
        if not (t.op in between or t in xs_set) or not _backpropagatable(t):
            continue
        if isinstance(g, NoGradient):
            raise LookupError(f"No gradient defined for input {i} ('{t.name}') of operation "
                              f"'{op.name}' (op type: {op.type}): {g.why}. It lies on a path "
                              f"from xs to ys; wrap it in tf.stop_gradient if no gradient "
                              f"should flow through it.{_where(op)}")
        if g.dtype is not t.dtype:
            raise TypeError(f"{whose} gave a {g.dtype.name} gradient for the "
                            f"{t.dtype.name} input '{t.name}' of op '{op.name}'{_where(op)}")
        if not g.shape.is_compatible_with(t.shape):
            raise ValueError(f"Incompatible shapes between op input and calculated input "
                             f"gradient: {whose} gave a gradient of shape {g.shape} for "
                             f"input '{t.name}' of shape {t.shape}{_where(op)}")
        grads.setdefault(t, []).append(g)


def _where(op: Operation) -> str:
    return f"\n  {op.site.describe()}" if op.site is not None else ""


def _rule_name(op: Operation) -> str:
    if op.gradient_op_type is None:
        return f"the gradient of {op.type}"
    return f"the gradient '{op.gradient_op_type}' (overriding {op.type}'s)"


def gradient_rule(op: Operation):
    """The VJP rule tf.gradients uses for `op`: rule(op, grads) -> one gradient per input,
    NON_DIFFERENTIABLE, or None (no rule). An override comes first (TF1's order)."""
    name = op.gradient_op_type
    if name is None:
        if op.opdef.vjp is not None:
            return op.opdef.vjp
        found = lookup_gradient(op.type)  # registered by the user for a rule-less type
        if found is None:
            return None
    else:
        found = lookup_gradient(name)
        if found is None:
            raise LookupError(
                f"No gradient is registered under the name '{name}', which "
                f"gradient_override_map gives the {op.type} op '{op.name}'. Register one "
                f"with @tf.RegisterGradient('{name}') before calling tf.gradients, or map "
                f"{op.type!r} to an op type that has a gradient (such as 'Identity')."
                f"{_where(op)}")
    kind, fn = found
    if fn is NON_DIFFERENTIABLE or kind == "vjp":
        return fn
    return lambda op_, grads: _tf1_grads(fn, op_, grads)


def _tf1_grads(fn, op: Operation, grads: list) -> list:
    """Call a TF1 gradient function fn(op, *grads); its result as one entry per input."""
    out = fn(op, *grads)
    out = list(out) if isinstance(out, (list, tuple)) else [out]
    result = []
    for g, t in zip(out, op.inputs):
        if g is not None and not isinstance(g, Tensor):
            g = g._as_tensor() if isinstance(g, TensorLike) else \
                _base.convert_to_tensor(g, dtype=t.dtype)
        result.append(g)
    return result + out[len(op.inputs):]


def _ones_like(y: Tensor, name: str) -> Tensor:
    if y.shape.is_fully_defined():
        return core_ops.constant(np.ones(y.shape.as_list(), y.dtype.np), name=name)
    return generator_ops.fill(array_ops.shape(y), core_ops.constant(1, dtype=y.dtype), name=name)


def explain_disconnected(ys: Sequence, x) -> str:
    """Why no gradient flows from `ys` to `x`: no path, or which ops block every path."""
    ys = [_y_tensor(y) for y in _as_list(ys)]
    xt = _x_tensor(x)
    graph = ys[0].graph
    if not xt.dtype.is_floating:
        return f"it is {xt.dtype.name}; gradients flow only to floating-point tensors"
    between = _between(ys, [xt], set(), graph)
    if not between:
        return "no path of ops leads from it to the loss"
    blockers = [op for op in sorted(between, key=lambda o: o.id)
                if _blocks(op) and op is not xt.op]
    if blockers:
        names = ", ".join(f"{op.type} op '{op.name}'" + (f" ({op.site.short()})"
                                                         if op.site else "")
                          for op in blockers[:3])
        return f"every path to the loss passes through a non-differentiable op: {names}"
    return "its paths to the loss carry only non-floating tensors"


def _blocks(op: Operation) -> bool:
    try:
        return gradient_rule(op) is NON_DIFFERENTIABLE
    except LookupError:
        return False

