"""Control flow and function calls on import: `If` / `StatelessIf` become graphc's
`tf.cond`, `While` / `StatelessWhile` its `tf.while_loop`, with the branch, cond and body
graphs imported from the GraphDef's FunctionDefLibrary; `PartitionedCall`,
`StatefulPartitionedCall` and a node naming a library function are inlined. TF1's frames
(found and grouped by `frames.split`) become the same: a `Loop` a `tf.while_loop` whose
cond and body import the frame's nodes with the loop variables bound, a `Cond` a
`tf.cond` whose branches import each branch's nodes with the switched values bound."""
from __future__ import annotations

from .. import protos
from ..ir.graph import Tensor
from ..ir.shapes import TensorShape
from . import frames, optionals
from .arrays import carry
from .importer import (CALL_IMPORTER, IMPORTERS, UNIT_IMPORTERS, GraphDefImportError,
                       NodeContext, Walk)


def import_function(ctx: NodeContext, fdef: protos.FunctionDef, args: list, prefix: str,
                    graph=None) -> list:
    """Import `fdef`'s body into `graph` (the default graph: a branch or loop body being
    traced) with its input args bound to `args`; returns its outputs in signature order."""
    from ..ir import context as _context
    sig = fdef.signature
    if len(args) != len(sig.input_arg):
        raise GraphDefImportError(f"{ctx.label}: function '{sig.name}' takes "
                                  f"{len(sig.input_arg)} inputs, got {len(args)}")
    graph = graph if graph is not None else _context.get_default_graph()
    walk = Walk(graph, prefix, ctx.library, args={a.name: t for a, t in zip(sig.input_arg,
                                                                          args)})
    with graph.name_scope(None):
        walk.run(fdef.node_def)
    outputs = []
    for arg in sig.output_arg:
        if arg.name not in fdef.ret:
            raise GraphDefImportError(f"{ctx.label}: function '{sig.name}' has no return "
                                      f"value for output '{arg.name}'")
        value = walk.resolve(fdef.ret[arg.name], ctx.node)
        outputs.append(value)
    return outputs


def _if(ctx: NodeContext):
    from ..control_flow import cond
    pred, inputs = ctx.inputs[0], ctx.inputs[1:]
    then_f, else_f = ctx.function("then_branch"), ctx.function("else_branch")
    if pred.dtype.name != "bool":
        from ..ir.ops.math_ops import cast
        pred = cast(pred, "bool", name=ctx.name + "/pred/")
    if not then_f.signature.output_arg:
        raise GraphDefImportError(f"{ctx.label}: an If without outputs is not supported")
    slots = optionals.slot_indices(then_f, else_f)
    sides = optionals.SideResults([None] * len(slots), ctx.name)

    def branch(side: int, fdef, where: str):
        def fn():
            outs = import_function(ctx, fdef, optionals.branch_inputs(inputs, side, ctx.label),
                                   ctx.name + where)
            return optionals.branch_results(outs, side, slots, sides)
        return fn

    with ctx.graph.name_scope(None):
        out = cond(pred, branch(0, then_f, "/then"), branch(1, else_f, "/else"),
                   strict=True, name=ctx.name)
    return optionals.slot_results(list(out), len(then_f.signature.output_arg), slots, sides)


def _while(ctx: NodeContext):
    from ..control_flow import while_loop
    cond_f, body_f = ctx.function("cond"), ctx.function("body")
    if "output_shapes" in ctx.node.attr and len(ctx.node.attr["output_shapes"].list.shape) \
            == len(ctx.inputs):
        shapes = [protos.shape_from_proto(s) for s in ctx.node.attr["output_shapes"].list.shape]
    else:
        shapes = [TensorShape(None) if t.shape.ndims is None else t.shape for t in ctx.inputs]

    def cond_fn(*loop_vars):
        for outer, inner in zip(ctx.inputs, loop_vars):
            carry(outer, inner)
        (go,) = import_function(ctx, cond_f, list(loop_vars), ctx.name + "/cond")
        return go

    def body_fn(*loop_vars):
        for outer, inner in zip(ctx.inputs, loop_vars):
            carry(outer, inner)
        return import_function(ctx, body_f, list(loop_vars), ctx.name + "/body")

    with ctx.graph.name_scope(None):
        out = while_loop(cond_fn, body_fn, list(ctx.inputs), shape_invariants=shapes,
                         name=ctx.name, return_same_structure=True)
    for outer, final in zip(ctx.inputs, out):
        carry(outer, final)
    return list(out)


def _call(ctx: NodeContext, fdef: protos.FunctionDef):
    from ..ir.ops.core_ops import identity
    outs = import_function(ctx, fdef, ctx.inputs, ctx.name, ctx.graph)
    if outs:  # output 0 under the node's own name, as TensorFlow names the call
        outs[0] = identity(outs[0], name=ctx.name + "/")
    return outs


def _partitioned_call(ctx: NodeContext):
    return _call(ctx, ctx.function("f"))


IMPORTERS.update({"If": _if, "StatelessIf": _if, "While": _while, "StatelessWhile": _while,
                  "PartitionedCall": _partitioned_call,
                  "StatefulPartitionedCall": _partitioned_call})
CALL_IMPORTER.append(_call)


# ---------------------------------------------------------------- TF1 frames
def _outer_controls(walk: Walk, unit) -> list:
    """The ops of the enclosing walk a unit's nodes wait for (control inputs)."""
    out = []
    for ref in unit.refs:
        if ref.startswith("^"):
            value = walk.resolve(ref, unit.nodes[0])
            op = value if value is None or not hasattr(value, "op") else value.op
            if op is not None and op.graph is walk.graph:
                out.append(op)
    return out


def _relaxed(shapes: list, seen: list) -> list:
    """Loop-variable shapes general enough for the body's results (TF1 frames carry no
    shape invariants: the Merge takes whatever comes around)."""
    out = []
    for s, r in zip(shapes, seen):
        if s.is_compatible_with(r) and not (s.ndims is not None and r.ndims is None):
            out.append(s)
        elif s.ndims is None or r.ndims is None or s.ndims != r.ndims:
            out.append(TensorShape(None))
        else:
            out.append(TensorShape([a if a == b else None for a, b in
                                    zip(s.as_tuple(), r.as_tuple())]))
    return out


def _after(sub: Walk, var: frames.LoopVar, value):
    """A loop variable's next value, after what its NextIteration waits for."""
    from ..ir.ops.core_ops import identity
    ops = [sub.resolve(r, var.enter) for r in var.next_controls]
    ops = [o if o is None or not hasattr(o, "op") else o.op for o in ops]
    ops = [o for o in ops if o is not None and o.graph is sub.graph]
    if not ops or not isinstance(value, Tensor):
        return value
    with sub.graph.control_dependencies(ops):
        return identity(value, name=f"{var.merge}/next_after")


def _import_loop(walk: Walk, loop: frames.Loop) -> None:
    from ..control_flow import while_loop
    init = [walk.resolve(v.enter.input[0], v.enter) for v in loop.vars]
    fixed = {}
    for enter, ref in loop.invariants.items():
        fixed[(enter, 0, False)] = walk.resolve(ref, loop.nodes[0])
        fixed[(enter, -1, True)] = None

    def bound(values) -> dict:
        mapped = dict(fixed)
        for v, t in zip(loop.vars, values):
            mapped.update({(v.merge, 0, False): t, (v.switch, 1, False): t,
                           (v.merge, -1, True): None, (v.switch, -1, True): None})
        return mapped

    seen: list = []

    def carried(values) -> None:  # a TensorList loop variable stays its TensorArray
        for outer, inner in zip(init, values):
            carry(outer, inner)

    def cond_fn(*values):
        carried(values)
        sub = walk.child(bound(values))
        sub.run(loop.cond_nodes)
        return sub.resolve(loop.pred_ref, loop.nodes[0])

    def body_fn(*values):
        carried(values)
        sub = walk.child(bound(values))
        sub.run(loop.body_nodes)
        out = [_after(sub, v, sub.resolve(v.next_ref, v.enter)) for v in loop.vars]
        seen[:] = [t.shape for t in out]
        return out

    shapes = [t.shape for t in init]
    name = f"{walk.prefix}/{loop.name}" if walk.prefix else loop.name
    with walk.graph.name_scope(None), walk.graph.control_dependencies(
            _outer_controls(walk, loop)):
        for attempt in range(4):
            try:
                outs = while_loop(cond_fn, body_fn, init, shape_invariants=shapes, name=name,
                                  return_same_structure=True)
                break
            except ValueError:
                relaxed = _relaxed(shapes, seen) if len(seen) == len(shapes) else shapes
                if relaxed == shapes or attempt == 3:
                    raise
                shapes, seen[:] = relaxed, []
    op = outs[0].op
    carried(outs)
    for v, t in zip(loop.vars, outs):
        if v.exit:
            walk.ops[v.exit], walk.outputs[v.exit] = op, [t]


def _import_cond(walk: Walk, cond: frames.Cond) -> None:
    """A Cond unit as graphc's cond: its Merges' values, then (`cond.exports`) each branch
    intermediate a later unit reads (a TF1 gradient cond reads the forward cond's) as an
    OptionalSlot, one result per side. A cond reading such a slot takes in each branch
    the side of the same predicate value."""
    from ..control_flow import cond as make_cond
    pred = walk.resolve(cond.pred_ref, cond.nodes[0])
    name = f"{walk.prefix}/{cond.name}" if walk.prefix else cond.name
    exports = list(cond.exports)
    sides = optionals.SideResults([1 - k for k in cond.exports.values()], name)

    def branch(k: int):
        def fn():
            mapped = {}
            for switch, ref in cond.switches[k].items():
                mapped[(switch, k, False)] = walk.resolve(ref, cond.nodes[0])
                mapped[(switch, -1, True)] = None
            for ref in cond.refs:  # a slot of an earlier cond: the side this branch runs
                value = None if ref.startswith("^") else walk.resolve(ref, cond.nodes[0])
                if isinstance(value, optionals.OptionalSlot) and \
                        value.sides[1 - k] is not None:  # (else: read by the other branch)
                    mapped[frames.parse_ref(ref)] = value.sides[1 - k]
            sub = walk.child(mapped)
            sub.run(cond.branch_nodes[k])
            results = [sub.resolve(ref, cond.nodes[0]) for ref in cond.outputs[k]]
            return results + sides.results(1 - k, [
                sub.resolve(ref, cond.nodes[0]) if side == k else None
                for ref, side in cond.exports.items()])
        return fn

    with walk.graph.name_scope(None), walk.graph.control_dependencies(
            _outer_controls(walk, cond)):
        outs = make_cond(pred, branch(1), branch(0), strict=True, name=name)
    op = outs[0].op
    with walk.graph.name_scope(None):
        taken = _value_index(pred, name)
    for merge, t in zip(cond.merges, outs):
        index = taken[0] if cond.true_input.get(merge, 1) == 1 else taken[1]
        walk.ops[merge], walk.outputs[merge] = op, [t, index]
    for ref, slot in zip(exports, sides.regroup(outs[len(cond.merges):])):
        node, index, _ = frames.parse_ref(ref)
        walk.ops[node] = op
        got = walk.outputs.setdefault(node, [])
        got.extend([None] * (index + 1 - len(got)))
        got[index] = slot


def _value_index(pred, name: str) -> tuple:
    """A Merge's second output, the index of the input it took: (pred as 0/1, 1 - that),
    for the Merges whose true side is input 1 and input 0."""
    from ..ir import dtypes as dt
    from ..ir.ops.math_ops import cast, subtract
    true_is_1 = cast(pred, dt.int32, name=f"{name}/value_index/")
    true_is_0 = subtract(1, true_is_1, name=f"{name}/value_index_1/")
    return (true_is_1, true_is_0)


UNIT_IMPORTERS.update({"Loop": _import_loop, "Cond": _import_cond})
