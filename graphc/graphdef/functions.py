"""TensorFlow's functional control flow and function calls on import: `If` /
`StatelessIf` become graphc's `tf.cond`, `While` / `StatelessWhile` its `tf.while_loop`,
with the branch, cond and body graphs imported from the GraphDef's FunctionDefLibrary;
`PartitionedCall`, `StatefulPartitionedCall` and a node naming a library function are
inlined."""
from __future__ import annotations

from .. import protos
from ..ir.shapes import TensorShape
from .importer import CALL_IMPORTER, IMPORTERS, GraphDefImportError, NodeContext, Walk


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
    with ctx.graph.name_scope(None):
        out = cond(pred, lambda: import_function(ctx, then_f, inputs, ctx.name + "/then"),
                   lambda: import_function(ctx, else_f, inputs, ctx.name + "/else"),
                   strict=True, name=ctx.name)
    return list(out)


def _while(ctx: NodeContext):
    from ..control_flow import while_loop
    cond_f, body_f = ctx.function("cond"), ctx.function("body")
    if "output_shapes" in ctx.node.attr and len(ctx.node.attr["output_shapes"].list.shape) \
            == len(ctx.inputs):
        shapes = [protos.shape_from_proto(s) for s in ctx.node.attr["output_shapes"].list.shape]
    else:
        shapes = [TensorShape(None) if t.shape.ndims is None else t.shape for t in ctx.inputs]

    def cond_fn(*loop_vars):
        (go,) = import_function(ctx, cond_f, list(loop_vars), ctx.name + "/cond")
        return go

    def body_fn(*loop_vars):
        return import_function(ctx, body_f, list(loop_vars), ctx.name + "/body")

    with ctx.graph.name_scope(None):
        out = while_loop(cond_fn, body_fn, list(ctx.inputs), shape_invariants=shapes,
                         name=ctx.name, return_same_structure=True)
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
