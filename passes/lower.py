"""Lowering: the pruned subgraph of one run copied into a graph of its own, for the passes.

`lower` copies the nodes a Program needs into a fresh DerivedGraph (the user's graph is
never touched), turning every fed tensor into a Placeholder of the fed shape and dtype, so
re-running inference on the copies specialises every shape. Copies keep their names (the
Session's variable store is keyed by variable name), attrs, creation sites, and record the
user's node as their origin. The result, a `Lowered` (that graph and the run's signature),
is what every pass takes and returns; `rebuild` is the one sweep every pass uses. The
pipeline's last stage freezes it into the Plan a backend compiles (ir/plan.py).

A While node's results have its shape invariants' shapes, which keep the dims the user's
graph leaves unknown (`dynamic_rnn`'s state is `(?, units)`). Lowered, its loop variables
enter with the fed shapes, and a body that maps those shapes to themselves keeps them on
every iteration: the invariants can be the entering shapes, so the ops after the loop get
known shapes (and native kernels) instead of unknown ones. `refined_var_shapes` finds the
most specific such invariants: it starts from the entering shapes, infers the body on them
(lowered on its own, as graphc/functions.py runs it: lowering a While lowers its body,
which is why both live here), relaxes every variable whose result differs to the dims
both agree on, and repeats until nothing changes (sound by induction: the body maps
shapes within the invariants into them, and the loop starts within them).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

from graphc.ir.errors import InvalidArgumentError, OpError
from graphc.ir.graph import DerivedGraph, Graph, Operation, Tensor
from graphc.ir.ops.control_flow_ops import (BODY, ELSE, THEN, fn_outputs, fn_params,
                                            merge_shapes)
from graphc.ir.shapes import TensorShape
from graphc.ir.symbolic import Sym
from .prune import build_program


@dataclass(frozen=True)
class Lowered:
    """A run's subgraph as the passes rewrite it: its own graph and the run's signature."""

    graph: DerivedGraph
    feeds: tuple      # Placeholders of `graph`, one per fed value, in feed order
    fetches: tuple    # Tensors of `graph`, one per fetched tensor
    targets: tuple    # Operations of `graph` run for their effects


def exact_or_unique(graph: Graph, name: str) -> str:
    """`name` itself when free in `graph` (as create_op's exact form), else a unique one."""
    return name + "/" if name not in graph._by_name else name


def copy_op(graph: Graph, op: Operation, inputs, controls, attrs=None) -> Operation:
    """`op` copied into `graph` on `inputs` and `controls`, knowing what it copies (also
    fusion's copy of the ops it leaves alone)."""
    name = op.name + "/" if op.type == "VariableV2" else exact_or_unique(graph, op.name)
    try:
        new = graph.create_op(op.type, inputs, op.attrs if attrs is None else attrs,
                              name=name, control_inputs=controls,
                              subgraphs=op.subgraphs, site=op.site, original=(op,))
    except (ValueError, TypeError) as exc:
        # Inference on the fed shapes failed: a run-time error, found before any kernel
        # runs. The message already names the op; the error adds the user's line once.
        message = str(exc).split("\n  File ")[0]
        raise InvalidArgumentError(None, op.user_op(), message) from None
    if op.type in ("While", "If"):
        for t, nt in zip(op.outputs, new.outputs):
            # What the copied graph knew of a loop's or cond's results stays known: a
            # set_shape (dynamic_rnn's of its stacked time, `refined_if_shapes`) holds
            # for every fed shape the plan accepted. (Only there: elsewhere inference on
            # the fed shapes knows more.)
            if t.shape != nt.shape and t.shape.is_compatible_with(nt.shape):
                nt.set_shape(t.shape)
    return new


def lower(program, feed_specs) -> Lowered:
    """Copy `program` (over the user's graph) into a new graph specialised to the feeds."""
    graph = DerivedGraph()
    tensors: dict = {}
    ops: dict = {}
    feeds = []
    for t, (shape, dtype) in zip(program.feeds, feed_specs):
        name = t.op.name if t.op.type == "Placeholder" else f"{t.op.name}/fed_{t.value_index}"
        p = graph.create_op("Placeholder", (), {"dtype": dtype, "shape": TensorShape(shape)},
                            name=name + "/", site=t.op.site, original=(t.op,))
        tensors[t] = p.outputs[0]
        feeds.append(p.outputs[0])

    def var_ref(t: Tensor) -> Tensor:
        """A ref input's variable, copied on first use (pruning skips ref edges)."""
        if t not in tensors:
            ops[t.op] = new = copy_op(graph, t.op, (), ())
            tensors[t] = new.outputs[0]
        return tensors[t]

    for op in program.nodes:
        refs = op.opdef.ref_inputs
        inputs = [var_ref(t) if i in refs else tensors[t] for i, t in enumerate(op.inputs)]
        controls = [ops[c] for c in op.control_inputs if c in ops]
        if op.type == "VariableV2" and op.outputs[0] in tensors:
            ops[op] = tensors[op.outputs[0]].op
            continue
        attrs = None
        if op.type == "While":  # results as specific as the fed shapes allow
            shapes = refined_var_shapes(op, inputs)
            stacked = stack_shapes(op, inputs, shapes or op.attrs["var_shapes"])
            if shapes is not None or stacked is not None:
                attrs = dict(op.attrs, var_shapes=shapes or op.attrs["var_shapes"],
                             stack_shapes=stacked)
        refined = []
        if op.type == "If":
            refined, stand_ins = refined_if_shapes(op, inputs)
            if stand_ins:
                attrs = dict(op.attrs, stand_in_shapes=stand_ins)
        new = copy_op(graph, op, inputs, controls, attrs)
        if op.type == "If":
            for nt, shape in zip(new.outputs, refined):
                if shape.is_compatible_with(nt.shape):
                    nt.set_shape(shape)
        ops[op] = new
        for t, nt in zip(op.outputs, new.outputs):
            tensors.setdefault(t, nt)
    return Lowered(graph, tuple(feeds), tuple(tensors[t] for t in program.fetches),
                   tuple(ops[o] for o in program.targets))


Visit = Callable[[Operation, list, list, Graph], Optional[list]]


def rebuild(lowered: Lowered, visit: Optional[Visit] = None,
            keep: Optional[set] = None) -> Lowered:
    """One topological sweep into a new graph. `visit(op, inputs, controls, graph)` may
    return replacement tensors for op's outputs (already in the new graph), or None to
    copy op; `keep` restricts the copy to those ops (pruning)."""
    graph = DerivedGraph()
    tensors: dict = {}
    ops: dict = {}
    for op in lowered.graph.get_operations():
        if keep is not None and op not in keep:
            continue
        inputs = [tensors[t] for t in op.inputs]
        controls = [ops[c] for c in op.control_inputs if c in ops]
        replaced = visit(op, inputs, controls, graph) if visit is not None else None
        if replaced is not None:
            for t, nt in zip(op.outputs, replaced):
                tensors[t] = nt
            ops[op] = replaced[0].op if replaced else None
            continue
        new = copy_op(graph, op, inputs, controls)
        ops[op] = new
        tensors.update(zip(op.outputs, new.outputs))
    return Lowered(graph, tuple(tensors[t] for t in lowered.feeds),
                   tuple(tensors[t] for t in lowered.fetches),
                   tuple(ops[o] for o in lowered.targets))


# ------------------------------------------------------------------ If shapes
def refined_if_shapes(op, inputs: list) -> tuple:
    """(the shapes both branches of `op` (an If of the user's graph) give their results
    when its inputs, lowered, are `inputs`; the If's `stand_in_shapes`). A
    `tf.cond(training, ...)` on a [None, 784] batch gives [b0, 512] results in a plan, as
    its branches do, not [?, 512] (and the ops after it native code). A result only one
    branch computes (`exported`) has that branch's shape when each of its dims is an int
    or a dim of one of the If's inputs: the other branch's stand-in is made of those
    dims at run time (ir/ops/control_flow_ops.py). ([], ()) when a branch's shapes cannot
    be inferred."""
    per_branch = {}
    for key in (THEN, ELSE):
        specs = []
        for i in op.attrs[key + "_inputs"]:
            if inputs[i].shape.ndims is None:
                return [], ()
            specs.append((tuple(inputs[i].shape.as_tuple()), inputs[i].dtype))
        try:
            lowered = lower(build_program(fn_outputs(op, key), [], fn_params(op, key)), specs)
        except (ValueError, TypeError, OpError):
            return [], ()
        per_branch[key] = [t.shape for t in lowered.fetches]
    merged = [merge_shapes(a, b) for a, b in zip(per_branch[THEN], per_branch[ELSE])]
    stand_ins = []
    for i, key in op.attrs.get("exported", ()):
        dims = _dims_from_inputs(per_branch[key][i], inputs)
        if dims is not None:
            merged[i] = per_branch[key][i]
            stand_ins.append((i, dims))
    return merged, tuple(stand_ins)


def _dims_from_inputs(shape: TensorShape, inputs: list) -> Optional[tuple]:
    """`shape`'s dims, each an int or the (input, axis) of an If input having that
    run-time dim; None if some dim is unknown or no input has it."""
    if shape.ndims is None:
        return None
    found = {}
    for j, t in enumerate(inputs[1:], 1):
        for a, d in enumerate(t.shape.as_tuple() or ()):
            if isinstance(d, Sym):
                found.setdefault(d, (j, a))
    dims = []
    for d in shape.as_tuple():
        if isinstance(d, Sym):
            d = next((where for sym, where in found.items() if sym == d), None)
        if d is None:
            return None
        dims.append(d)
    return tuple(dims)


# ------------------------------------------------------------------ While loop shapes
_ROUNDS = 4


def refined_var_shapes(op, inputs: list) -> Optional[tuple]:
    """Shape invariants for `op` (a While of the user's graph) whose inputs, lowered,
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


def stack_shapes(op, inputs: list, var_shapes) -> Optional[tuple]:
    """The shapes of one iteration's accumulated values (the body's results after the
    loop variables) when the loop variables have `var_shapes` (the While's invariants,
    lowered), or None when inference fails or there are none."""
    n = op.attrs["n_vars"]
    if len(fn_outputs(op, BODY)) == n:
        return None
    results = _body_shapes(op, inputs, list(var_shapes), set(op.attrs.get("sliced", ())),
                           every=True)
    return None if results is None else tuple(results[n:])


def _body_shapes(op, inputs: list, shapes: list, sliced: set,
                 every: bool = False) -> Optional[list]:
    """The shapes of the body's first len(shapes) results (`every`: of all its results)
    when its loop variables have `shapes` (and its other arguments their lowered shapes),
    or None if inference fails."""
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
    outputs = fn_outputs(op, BODY) if every else fn_outputs(op, BODY)[:n]
    try:
        lowered = lower(build_program(outputs, [], params), specs)
    except (ValueError, TypeError, OpError):
        return None
    return [t.shape for t in lowered.fetches]
