"""If and While: functional control flow, as nodes holding graphs (DESIGN.md "Nested graphs").

Each graph a node holds is described by three attrs, for key in (then, else) or
(cond, body):
  <key>_params   the graph's Placeholders, in the order its arguments are passed
  <key>_inputs   for each parameter, the position in the node's argument vector it takes
                 (If: the node's inputs; While: the current loop variables followed by
                 the node's remaining inputs, the captures)
  <key>_outputs  the graph's results, as (op name, output index) pairs
so a graph can be lowered, optimised and compiled as an ordinary program whose feeds are
its parameters and whose fetches are its results. The kernels here never compile or run
a graph themselves: they hand it to the GraphRunner (ir/runtime.py) that the backend
executing the plan bound to the node (NodeContext.functions; the Session's function
runner, graphc/functions.py, compiles each graph once per argument shapes).

If(pred, *args) runs one branch; its outputs are the branch's results. The other branch
never runs: its assignments and failing checks do not happen. An output only one branch
computes (an intermediate a cond's gradient reads: `exported`, ((output, key), ...), says
which branch computes it) is a stand-in in the other branch, zeros never read: only a
cond on the same predicate reads it, in its branch of the same side. Its static shape has
unknown dims 0, so the If's result shape would know no dim the stand-in leaves unknown
(the batch): a plan that knows the computing branch's shape in the If's inputs' dims sets
`stand_in_shapes`, ((output, dims), ...), each dim an int or an (input, axis) pair, and
the stand-in is made of those dims at run time (passes/lower.py).

While(*loop_vars, *captures) runs `body` while `cond` is true. Outputs: the final loop
variables (shapes: the loop's shape invariants), the iteration count (int32 scalar), and
one stack per accumulated body tensor (`<body>_outputs` after the first n_vars): its
value in every iteration, stacked on a new leading axis. dynamic_rnn's outputs and the
values the gradient loop reads are such stacks. `WhileLoop` states all of this as data
(its graphs, argument positions, sliced sequences, re-read variables, stacks, and one
iteration as a single step graph) and `WhileRun` is one run of it, iteration by
iteration: the numpy interpreter runs it so; the llvm backend lowers While itself and
runs the step natively where it can (backends/llvm/native_while.py), going on with
`WhileRun.iterate` where it cannot.

The VJP rules live in passes/control_flow_grad.py (they run the autodiff walk on the
held graphs, which the ir layer does not know).
"""
from __future__ import annotations

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
    stand_ins = attrs.get("stand_in_shapes")
    if stand_ins:
        computed_by = dict(attrs["exported"])
        outs = list(outs)
        for i, dims in stand_ins:
            if computed_by[i] != key:  # the other branch's value: zeros of its shape
                outs[i] = np.zeros([d if isinstance(d, int) else np.shape(values[d[0]])[d[1]]
                                    for d in dims], outs[i].dtype)
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
    """The interpreter's While: the loop driven from Python (WhileLoop.run), its graphs
    run by the runner the backend bound to the node (NodeContext.functions)."""
    return WhileLoop.of(ctx.op).run(ctx.runner(), args, ctx.read_variable_named)


class WhileLoop:
    """What a While node computes, stated as data, worked out once per node (`of`).

    cond, body  the held graphs as (graph, parameter names, output refs), with
                cond_positions / body_positions: for each parameter, its position among
                the loop's values (the loop variables, then the captures)
    step        one iteration as one graph: the body, then the condition on its results
                (so an iteration is one call: one plan run on the interpreter instead of
                two, the unit the llvm backend runs natively), with step_positions; None
                when the condition reads sliced sequences (it needs the next iteration's
                slices) or a variable is re-read (the condition must see the value read
                after the body ran)
    n           the number of loop variables
    sliced      the captures read a slice per iteration, at the value of loop variable
                `counter` plus `offset`
    reread      (position, variable name) of captured variable reads the loop assigns:
                read again before every iteration
    stacked     the node's outputs after the loop variables and the trip count: each
                accumulated body value, stacked over iterations on a new leading axis
                (a _Stacked each)

    `run` is the whole semantics, driven from Python; `start` and `WhileRun.iterate` are
    its pieces, for a backend that runs iterations its own way (the llvm backend runs
    the step natively, backends/llvm/native_while.py, and hands back to `iterate`).
    """

    __slots__ = ("input_names", "body_outputs", "n", "cond", "cond_positions", "body",
                 "body_positions", "step", "step_positions", "sliced", "counter", "offset",
                 "reread", "stacked")

    def __init__(self, op: Operation) -> None:
        # (nothing here refers to `op`: _LOOPS, keyed by it weakly, lets it go)
        attrs = op.attrs
        self.input_names = tuple(t.name for t in op.inputs)
        self.body_outputs = attrs["body_outputs"]
        self.n = attrs["n_vars"]
        self.cond = _function(op, COND)
        self.body = _function(op, BODY)
        self.cond_positions = tuple(attrs["cond_inputs"])
        self.body_positions = tuple(attrs["body_inputs"])
        self.sliced = frozenset(attrs.get("sliced", ()))
        self.counter, self.offset = attrs.get("slice_counter", (0, 0))
        self.reread = tuple(attrs.get("reread", ()))
        self.stacked = tuple(_Stacked(t, op) for t in op.outputs[self.n + 1:])
        self.step, self.step_positions = None, ()
        if not self.reread and not any(i in self.sliced for i in self.cond_positions):
            self.step, self.step_positions = _build_step(op)

    @classmethod
    def of(cls, op: Operation) -> "WhileLoop":
        """`op`'s WhileLoop, made on first use and kept with the node."""
        hit = _LOOPS.get(op)
        if hit is None or hit.body_outputs is not op.attrs["body_outputs"]:
            hit = _LOOPS[op] = cls(op)  # (gradients may add outputs to a graph's While)
        return hit

    def run(self, runner, args, read_variable) -> tuple:
        """The node's outputs for its inputs `args`: the body run while the condition
        holds, its graphs run by `runner` (ir/runtime.py's GraphRunner), captured
        variables re-read with `read_variable(name)`."""
        run = self.start(runner, args, read_variable)
        while run.go:
            run.iterate()
        return run.results()

    def start(self, runner, args, read_variable) -> "WhileRun":
        """A run of the loop on `args`, its condition tested once (`go`)."""
        return WhileRun(self, runner, args, read_variable)


_LOOPS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


class WhileRun:
    """One run of a WhileLoop: the loop's values (loop variables first, then the
    captures), the stacks of accumulated values, the iterations done (`count`) and
    whether the condition holds (`go`). A backend that runs iterations itself updates
    `values`, `count` and `go` and fills the stacks, then lets `iterate` go on."""

    __slots__ = ("loop", "runner", "read_variable", "values", "stacks", "count", "go")

    def __init__(self, loop: WhileLoop, runner, args, read_variable) -> None:
        self.loop, self.runner, self.read_variable = loop, runner, read_variable
        self.values = values = list(args)
        for i, name in loop.reread:
            values[i] = read_variable(name)
        self.stacks = [_Stack(s) for s in loop.stacked]
        self.count = 0
        cond = loop.cond
        (go,) = runner.run_graph(cond[0], cond[1], cond[2], self.args(loop.cond_positions))
        self.go = bool(go)

    def args(self, positions) -> list:
        """The values at `positions`, a sliced capture's at this iteration's index."""
        values, loop = self.values, self.loop
        if not loop.sliced:
            return [values[i] for i in positions]
        index = int(values[loop.counter]) + loop.offset
        out = []
        for i in positions:
            v = values[i]
            if i in loop.sliced:
                if not 0 <= index < v.shape[0]:
                    raise InvalidArgumentError(
                        None, None, f"the loop reads element {index} of "
                        f"{loop.input_names[i]}, which has {v.shape[0]} (the loop runs "
                        "longer than the sequence it reads)")
                v = v[index]
            out.append(v)
        return out

    def iterate(self) -> None:
        """One iteration: the body (and the condition on its results)."""
        loop, runner, count, n = self.loop, self.runner, self.count, self.loop.n
        stacks, values = self.stacks, self.values
        # the body writes stacked values straight into their stack's slot, where it can
        targets = [None] * n + [s.slot(count) for s in stacks] if stacks else None
        step = loop.step
        if step is not None:  # body and the next condition in one call
            outs = runner.run_graph(step[0], step[1], step[2], self.args(loop.step_positions),
                                    targets + [None] if targets else None)
            go = outs.pop()
        else:
            body = loop.body
            outs = runner.run_graph(body[0], body[1], body[2],
                                    self.args(loop.body_positions), targets)
        values[:n] = outs[:n]
        for i, name in loop.reread:
            values[i] = self.read_variable(name)
        for s, v in zip(stacks, outs[n:]):
            s.append(count, v)
        self.count = count = count + 1
        if count >= 2**31 - 1:
            raise InvalidArgumentError(None, None, "the loop ran 2**31 - 1 iterations")
        if step is None:
            cond = loop.cond
            (go,) = runner.run_graph(cond[0], cond[1], cond[2], self.args(loop.cond_positions))
        self.go = bool(go)

    def results(self) -> tuple:
        """The node's outputs: the loop variables, the trip count, the stacks."""
        count = self.count
        return tuple(self.values[:self.loop.n] + [np.array(count, np.int32)] +
                     [s.value(count) for s in self.stacks])


def _function(op: Operation, key: str) -> tuple:
    """`op.subgraphs[key]` as a GraphRunner runs it: (graph, parameter names, output refs)."""
    return op.subgraphs[key], op.attrs[key + "_params"], op.attrs[key + "_outputs"]


def _build_step(op: Operation) -> tuple:
    """WhileLoop.step: ((graph, parameter names, output refs), argument positions)."""
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
    return ((g, tuple(params), tuple((t.op.name, t.value_index) for t in results)),
            tuple(positions))


_CAPACITY: dict = {}  # (op name, output index) -> the trip count its last run needed
_SPARE: dict = {}     # (op name, output index) -> its last run's buffer, for reuse


class _Stacked:
    """One accumulated output of a While node: its name, dtype and shape, the key of its
    buffer's reuse across runs, and the shape of one iteration's value where known."""

    __slots__ = ("name", "dtype", "shape", "key", "elem")

    def __init__(self, t: Tensor, op: Operation) -> None:
        self.name, self.dtype, self.shape = t.name, t.dtype, t.shape
        self.key = (op.name, t.value_index)
        shape = t.shape
        self.elem = tuple(shape.as_tuple()[1:]) if shape.ndims is not None and all(
            isinstance(d, int) for d in shape.as_tuple()[1:]) else None  # (not a Sym)


class _Stack:
    """One accumulated output in one run: each iteration's value lands in a buffer that
    grows by doubling (sized by the last run's trip count). The body is asked to write it
    there directly (the llvm backend does), so nothing is copied or kept alive per
    iteration."""

    __slots__ = ("t", "key", "buf", "elem")

    def __init__(self, stacked: _Stacked) -> None:
        self.t = stacked
        self.key = stacked.key
        self.elem = stacked.elem
        self.buf = None

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


# (not numpy_by_design: the llvm backend lowers While itself, backends/llvm/native_while.py)
defop("While", _while_infer, _while_compute, vjp=None, pure=False, needs_context=True,
      sparse_grads=True, family="control", numpy_by_design="",
      doc="Runs a body graph while a cond graph returns true.")


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
