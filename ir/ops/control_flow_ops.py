"""If and While: functional control flow, as nodes holding graphs (DESIGN.md "Nested graphs").

Each graph a node holds is described by three attrs, for key in (then, else) or
(cond, body):
  <key>_params   the graph's Placeholders, in the order its arguments are passed
  <key>_inputs   for each parameter, the position in the node's argument vector it takes
                 (If: the node's inputs; While: the current loop variables followed by
                 the node's remaining inputs, the captures)
  <key>_outputs  the graph's results, as (op name, output index) pairs
so a graph can be lowered, optimised and compiled as an ordinary program whose feeds are
its parameters and whose fetches are its results (graphc/functions.py does that once per
argument shapes and runs it with the Session's backend).

If(pred, *args) runs one branch; its outputs are the branch's results. The other branch
never runs: its assignments and failing checks do not happen.

While(*loop_vars, *captures) runs `body` while `cond` is true. Outputs: the final loop
variables (shapes: the loop's shape invariants), the iteration count (int32 scalar), and
one stack per accumulated body tensor (`<body>_outputs` after the first n_vars): its
value in every iteration, stacked on a new leading axis. dynamic_rnn's outputs and the
values the gradient loop reads are such stacks.

The VJP rules live in passes/control_flow_grad.py (they run the autodiff walk on the
held graphs, which the ir layer does not know).
"""
from __future__ import annotations

import dataclasses
import sys
import weakref

import numpy as np

from .. import dtypes as dt
from ..errors import InvalidArgumentError
from ..graph import Graph, Operation, Tensor
from ..shapes import TensorShape, unknown_shape
from ._base import apply, convert_to_tensor, defop, NON_DIFFERENTIABLE
from .debug_ops import summarize_v1
from .core_ops import placeholder
from ..func_graph import copy_function

THEN, ELSE, COND, BODY = "then", "else", "cond", "body"


# ------------------------------------------------------------------ function attrs
def fn_params(op: Operation, key: str) -> list:
    g = op.subgraphs[key]
    return [g.get_operation_by_name(n).outputs[0] for n in op.attrs[key + "_params"]]


def fn_outputs(op: Operation, key: str) -> list:
    g = op.subgraphs[key]
    return [g.get_operation_by_name(n).outputs[i] for n, i in op.attrs[key + "_outputs"]]


def fn_attrs(key: str, graph: Graph, params: list, positions: list, outputs: list) -> dict:
    """The three attrs describing `graph` under `key` (see the module docstring)."""
    for p in params:
        if p.op.type != "Placeholder" or p.graph is not graph:
            raise AssertionError(f"{key} parameter {p.name} is not a Placeholder of its graph")
    return {key + "_params": tuple(p.op.name for p in params),
            key + "_inputs": tuple(int(i) for i in positions),
            key + "_outputs": tuple((t.op.name, t.value_index) for t in outputs)}


def if_node(graph: Graph, name: str, pred: Tensor, branches: dict, extra_attrs=None):
    """Append an If node running `branches[THEN]` or `branches[ELSE]` (FuncGraphs whose
    `outputs` are set); the branches' captures become the node's inputs."""
    args, attrs = [pred], dict(extra_attrs or {})
    for key in (THEN, ELSE):
        g = branches[key]
        if g.n_params:
            raise AssertionError("an If branch takes captures only")
        positions = []
        for t in g.captured_values():
            if t not in args[1:]:
                args.append(t)
            positions.append(1 + args[1:].index(t))
        attrs.update(fn_attrs(key, g, g.inputs, positions, g.outputs))
    return graph.create_op("If", args, attrs, name=name, subgraphs=dict(branches))


def while_node(graph: Graph, name: str, loop_vars: list, shapes: list, cond: Graph,
               body: Graph):
    """Append a While node over `loop_vars` (FuncGraphs whose first parameters are the
    loop variables and whose `outputs` are set); captures become the further inputs.
    Sliced captures (FuncGraph.sliced_capture) take one slice per iteration, indexed by
    the loop variable and offset in `body.slice_counter`."""
    n = len(loop_vars)
    args = list(loop_vars)
    keys: list = []          # (outer tensor, sliced?) per argument after the loop vars
    sliced: list = []
    attrs = {"n_vars": n, "var_shapes": tuple(shapes)}
    for key, g in ((COND, cond), (BODY, body)):
        positions = list(range(n))
        for p, t in zip(g.inputs[g.n_params:], g.captured_values()):
            k = (t, p in g.sliced)
            if k not in keys:
                keys.append(k)
                args.append(t)
                if k[1]:
                    sliced.append(len(args) - 1)
            positions.append(n + keys.index(k))
        attrs.update(fn_attrs(key, g, g.inputs, positions, g.outputs))
    # A variable read captured from outside but assigned inside the loop is read again
    # before every iteration, as TF1's loop reads its ref each time.
    written = _assigned_variables(cond) | _assigned_variables(body)
    reread = tuple((i, t.op.inputs[0].op.name) for i, t in enumerate(args)
                   if i >= n and i not in sliced and t.op.type == "Identity" and
                   t.op.inputs and t.op.inputs[0].op.type == "VariableV2" and
                   t.op.inputs[0].op.name in written)
    if reread:
        attrs["reread"] = reread
    if sliced:
        if cond.sliced and cond.slice_counter != body.slice_counter:
            raise AssertionError("cond and body slice by different counters")
        attrs["sliced"] = tuple(sliced)
        attrs["slice_counter"] = tuple(body.slice_counter if body.sliced else
                                       cond.slice_counter)
    return graph.create_op("While", args, attrs, name=name, subgraphs={COND: cond, BODY: body})


def _assigned_variables(graph: Graph) -> set:
    """Names of the variables that ops in `graph` (or graphs it holds) assign."""
    names = set()
    for op in graph.get_operations():
        names.update(op.inputs[i].op.name for i in op.opdef.ref_inputs)
        for sub in op.subgraphs.values():
            names |= _assigned_variables(sub)
    return names


def _check_args(op: Operation, key: str, args: list) -> None:
    for p, a in zip(fn_params(op, key), args):
        if p.dtype is not a.dtype:
            raise TypeError(f"the {key} graph's parameter {p.op.name} is {p.dtype.name}, but "
                            f"is passed {a.name} of dtype {a.dtype.name}")


def merge_shapes(a: TensorShape, b: TensorShape) -> TensorShape:
    """The most specific shape both `a` and `b` are instances of."""
    if a.ndims is None or b.ndims is None or a.ndims != b.ndims:
        return unknown_shape()
    return TensorShape([x if x == y else None for x, y in zip(a.as_tuple(), b.as_tuple())])


def empty_like_shape(shape: TensorShape, dtype: dt.DType) -> np.ndarray:
    """Zeros of `shape` with unknown dimensions 0: a value a graph can stand in with."""
    dims = () if shape.ndims is None else tuple(d if isinstance(d, int) else 0
                                                for d in shape.as_tuple())  # (None, a Sym)
    return np.zeros(dims, dtype.np)


def _check_pred(pred: Tensor) -> None:
    if pred.dtype is not dt.bool_:
        raise TypeError(f"the predicate {pred.name} must be bool, got {pred.dtype.name}")
    if pred.shape.ndims not in (None, 0):
        raise ValueError(f"the predicate {pred.name} must be a scalar, got shape {pred.shape}")


# ------------------------------------------------------------------ If
def _if_infer(op: Operation):
    for key in (THEN, ELSE):
        if key not in op.subgraphs:
            raise ValueError(f"an If op needs a '{key}' graph")
    _check_pred(op.inputs[0])
    for key in (THEN, ELSE):
        _check_args(op, key, [op.inputs[i] for i in op.attrs[key + "_inputs"]])
    then_out, else_out = fn_outputs(op, THEN), fn_outputs(op, ELSE)
    if len(then_out) != len(else_out):
        raise ValueError(f"the branches return {len(then_out)} and {len(else_out)} values")
    out = []
    for i, (a, b) in enumerate(zip(then_out, else_out)):
        if a.dtype is not b.dtype:
            raise TypeError(f"output {i}: the true branch returns {a.dtype.name} ({a.name}), "
                            f"the false branch {b.dtype.name} ({b.name})")
        out.append((a.dtype, merge_shapes(a.shape, b.shape)))
    return out


def _if_compute(ctx, pred, *args, **attrs):
    key = THEN if bool(pred) else ELSE
    values = (pred,) + args
    outs = ctx.run_function(key, [values[i] for i in attrs[key + "_inputs"]])
    return _results(outs)


def _results(outs: list):
    if not outs:
        return None
    return outs[0] if len(outs) == 1 else tuple(outs)


defop("If", _if_infer, _if_compute, vjp=None, pure=False, needs_context=True,
      sparse_grads=True,
      family="control", doc="Runs one of two graphs, chosen by a boolean scalar.")


# ------------------------------------------------------------------ While
def while_var_count(op: Operation) -> int:
    return op.attrs["n_vars"]


def _while_infer(op: Operation):
    for key in (COND, BODY):
        if key not in op.subgraphs:
            raise ValueError(f"a While op needs a '{key}' graph")
    n = op.attrs["n_vars"]
    shapes = op.attrs["var_shapes"]
    loop_vars = op.inputs[:n]
    sliced = set(op.attrs.get("sliced", ()))
    for key in (COND, BODY):
        args = [op.inputs[i] for i in op.attrs[key + "_inputs"]]
        _check_args(op, key, args)
        for p, i in zip(fn_params(op, key), op.attrs[key + "_inputs"]):
            if i in sliced:
                full = op.inputs[i].shape
                if full.ndims == 0 or (full.ndims is not None and not p.shape.is_compatible_with(
                        TensorShape(list(full.as_tuple())[1:]))):
                    raise ValueError(f"the {key} graph's parameter {p.op.name} takes slices "
                                     f"of {op.inputs[i].name} (shape {full}) but has shape "
                                     f"{p.shape}")
    cond_out = fn_outputs(op, COND)
    if len(cond_out) != 1:
        raise ValueError(f"the loop condition returns {len(cond_out)} values, not one")
    _check_pred(cond_out[0])
    body_out = fn_outputs(op, BODY)
    if len(body_out) < n:
        raise ValueError(f"the loop body returns {len(body_out)} values for {n} loop "
                         "variables")
    for v, shape, r in zip(loop_vars, shapes, body_out):
        if r.dtype is not v.dtype:
            raise TypeError(f"loop variable {v.name} enters the loop as {v.dtype.name} but "
                            f"the body returns {r.dtype.name} for it ({r.name})")
        for what, s in (("enters the loop with", v.shape), ("has", r.shape)):
            if not shape.is_compatible_with(s) or (
                    shape.ndims is not None and s.ndims is None):
                raise ValueError(
                    f"Input tensor '{v.name}' {what} shape {s}"
                    + (" after one iteration" if what == "has" else "")
                    + f", which is not compatible with its shape invariant {shape}. To "
                    "allow the shape to vary across iterations, use the `shape_invariants` "
                    "argument of tf.while_loop to specify a less-specific shape.")
    out = [(v.dtype, shape) for v, shape in zip(loop_vars, shapes)]
    out.append((dt.int32, TensorShape([])))
    # (a plan's While knows its accumulated values' shapes under its loop variables'
    # shapes: passes/loop_shapes.py; the body graph's own are the user's)
    stacked = op.attrs.get("stack_shapes") or [None] * len(body_out[n:])
    for t, known in zip(body_out[n:], stacked):
        each = t.shape if known is None or not known.is_compatible_with(t.shape) else \
            t.shape.merge_with(known)
        out.append((t.dtype, TensorShape([None] + list(each.as_tuple()))
                    if each.ndims is not None else unknown_shape()))
    return out


def _while_compute(ctx, *args, **attrs):
    n = attrs["n_vars"]
    values = list(args)
    cond_pos, body_pos = attrs["cond_inputs"], attrs["body_inputs"]
    stacks = [_Stack(t, ctx.op) for t in ctx.op.outputs[n + 1:]]
    sliced = frozenset(attrs.get("sliced", ()))
    counter, offset = attrs.get("slice_counter", (0, 0))

    def select(positions):
        if not sliced:
            return [values[i] for i in positions]
        index = int(values[counter]) + offset
        out = []
        for i in positions:
            v = values[i]
            if i in sliced:
                if not 0 <= index < v.shape[0]:
                    raise InvalidArgumentError(
                        None, None, f"the loop reads element {index} of "
                        f"{ctx.op.inputs[i].name}, which has {v.shape[0]} (the loop runs "
                        "longer than the sequence it reads)")
                v = v[index]
            out.append(v)
        return out

    reread = attrs.get("reread", ())
    for i, name in reread:
        values[i] = ctx.read_variable_named(name)
    # (the fused step would test the condition on the values read before the body ran)
    step = None if reread else _step_function(ctx.op)
    count = 0
    (go,) = ctx.run_function(COND, select(cond_pos))
    if bool(go) and step is not None:
        # The whole loop in one call where the backend can (llvm, when the step lowers
        # to native code only); it stops early, leaving the rest to the loop below, when
        # an iteration fails (run again below, to raise the error).
        loop = LoopState(values, n, step[2], sliced, counter, offset, stacks)
        ended = ctx.run_loop(step[0], step[1], step[3], select(step[2]), loop)
        if ended is not None:
            count = loop.count
            go = not ended
    while bool(go):
        targets = [None] * n + [s.slot(count) for s in stacks] if stacks else None
        if step is not None:  # body and the next condition in one call
            outs = ctx.run_graph(step[0], step[1], step[3], select(step[2]),
                                 targets + [None] if targets else None)
            go = outs.pop()
        else:
            outs = ctx.run_function(BODY, select(body_pos), targets)
        values[:n] = outs[:n]
        for i, name in reread:
            values[i] = ctx.read_variable_named(name)
        for s, v in zip(stacks, outs[n:]):
            s.append(count, v)
        count += 1
        if count >= 2**31 - 1:
            raise InvalidArgumentError(None, None, "the loop ran 2**31 - 1 iterations")
        if step is None:
            (go,) = ctx.run_function(COND, select(cond_pos))
    return tuple(values[:n] + [np.array(count, np.int32)] + [s.value(count) for s in stacks])


@dataclasses.dataclass(slots=True, eq=False)
class LoopState:
    """A While loop as a backend running it whole sees it: the values (loop variables
    first, then the captured ones; updated in place), the step's parameter positions in
    them, which captured values are read a slice per iteration (at the value of loop
    variable `counter` plus `offset`), the stacks and the iteration count."""

    values: list
    n: int
    positions: tuple
    sliced: frozenset
    counter: int
    offset: int
    stacks: list
    count: int = 0


_STEPS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _step_function(op: Operation):
    """The body followed by the condition on its results, as one graph, so an iteration
    is one call: (graph, parameter names, argument positions, output refs), or None when
    the condition reads sliced sequences (it needs the next iteration's slices)."""
    body_outputs = op.attrs["body_outputs"]
    hit = _STEPS.get(op)
    if hit is not None and hit[0] == body_outputs:  # (gradients may add outputs)
        return hit[1]
    sliced = set(op.attrs.get("sliced", ()))
    spec = None if any(i in sliced for i in op.attrs["cond_inputs"]) else _build_step(op)
    _STEPS[op] = (body_outputs, spec)
    return spec


def _build_step(op: Operation):
    n = op.attrs["n_vars"]
    g = Graph()
    tensors: dict = {}
    by_position: dict = {}
    params, positions = [], []
    with g.as_default():
        for p, pos in zip(fn_params(op, BODY), op.attrs["body_inputs"]):
            q = placeholder(p.dtype, p.shape, name=p.op.name)
            tensors[p] = by_position[pos] = q
            params.append(q.op.name)
            positions.append(pos)
        copy_function(g, op.subgraphs[BODY], tensors)
        results = [tensors[t] for t in fn_outputs(op, BODY)]
        for p, pos in zip(fn_params(op, COND), op.attrs["cond_inputs"]):
            if pos < n:
                tensors[p] = results[pos]
            elif pos in by_position:
                tensors[p] = by_position[pos]
            else:
                q = placeholder(p.dtype, p.shape, name=p.op.name)
                tensors[p] = by_position[pos] = q
                params.append(q.op.name)
                positions.append(pos)
        copy_function(g, op.subgraphs[COND], tensors)
        results.append(tensors[fn_outputs(op, COND)[0]])
    return (g, tuple(params), tuple(positions),
            tuple((t.op.name, t.value_index) for t in results))


_CAPACITY: dict = {}  # (op name, output index) -> the trip count its last run needed
_SPARE: dict = {}     # (op name, output index) -> its last run's buffer, for reuse


class _Stack:
    """One accumulated output: each iteration's value lands in a buffer that grows by
    doubling (sized by the last run's trip count). The body is asked to write it there
    directly (the llvm backend does), so nothing is copied or kept alive per iteration."""

    __slots__ = ("t", "key", "buf", "elem")

    def __init__(self, t: Tensor, op: Operation) -> None:
        self.t = t
        self.key = (op.name, t.value_index)
        self.buf = None
        shape = t.shape
        self.elem = tuple(shape.as_tuple()[1:]) if shape.ndims is not None and all(
            isinstance(d, int) for d in shape.as_tuple()[1:]) else None  # (not a Sym)

    def ensure(self, k: int, elem: tuple, dtype) -> np.ndarray:
        """The buffer, with room for iteration k's value of shape `elem`."""
        buf = self.buf
        if buf is None:
            cap = max(_CAPACITY.get(self.key, 16), k + 1)
            old = _SPARE.pop(self.key, None)
            # The last run's buffer, when nothing references it any more (a fresh
            # buffer of megabytes would cost page faults on every run).
            if old is not None and sys.getrefcount(old) == 2 and old.dtype == dtype and \
                    old.shape == (cap,) + elem:
                buf = self.buf = old
            else:
                buf = self.buf = np.empty((cap,) + elem, dtype)
        elif buf.shape[1:] != elem:
            raise InvalidArgumentError(
                None, None, f"the loop value accumulated as {self.t.name} changes shape "
                f"across iterations ({buf.shape[1:]} then {elem}); it cannot be stacked "
                "(gradients through this loop need it)")
        elif k >= buf.shape[0]:
            grown = np.empty((2 * k,) + elem, dtype)
            grown[:k] = buf[:k]
            buf = self.buf = grown
        return buf

    def slot(self, k: int):
        """Where iteration k's value should go (None until its shape is known)."""
        if self.elem is None:
            return None
        return self.ensure(k, self.elem, self.t.dtype.np)[k, ...]

    def append(self, k: int, v) -> None:
        v = np.asarray(v)
        buf = self.ensure(k, v.shape, v.dtype)
        if v.ctypes.data != buf[k, ...].ctypes.data:  # not written in place by the backend
            buf[k] = v

    def value(self, count: int):
        if self.buf is None:
            return empty_like_shape(self.t.shape, self.t.dtype)
        if len(_CAPACITY) < 4096:
            _CAPACITY[self.key] = count
            _SPARE[self.key] = self.buf
        return self.buf if count == self.buf.shape[0] else self.buf[:count]


defop("While", _while_infer, _while_compute, vjp=None, pure=False, needs_context=True,
      sparse_grads=True,
      family="control", doc="Runs a body graph while a cond graph returns true.")


# ------------------------------------------------------------------ Assert
def _assert_infer(op: Operation):
    _check_pred(op.inputs[0])
    return []


def _assert_compute(condition, *data, template, summarize):
    if bool(condition):
        return None
    parts = [value if kind == "s" else summarize_v1(data[value], summarize)
             for kind, value in template]
    raise InvalidArgumentError(None, None, "assertion failed: " + " ".join(
        f"[{p}]" for p in parts))


defop("Assert", _assert_infer, _assert_compute, vjp=NON_DIFFERENTIABLE, pure=False,
      family="control", doc="Raises InvalidArgumentError with its data when the condition "
      "is false.")


def assert_(condition, data, summarize=None, name=None):
    """TF1 `tf.Assert`: an op failing the run with `data` when `condition` is false."""
    cond = convert_to_tensor(condition)
    inputs, template = [cond], []
    for d in data:
        if isinstance(d, (str, bytes)):
            template.append(("s", d.decode() if isinstance(d, bytes) else d))
        else:
            template.append(("t", len(inputs) - 1))
            inputs.append(convert_to_tensor(d))
    return apply("Assert", inputs, {"template": tuple(template),
                                    "summarize": int(summarize or 3)}, name=name or "Assert")
