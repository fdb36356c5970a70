"""graphc's If and While written as TensorFlow 2's functional ops (`If` / `StatelessIf`,
`While` / `StatelessWhile`), their branches, cond and body as FunctionDefs in the
GraphDef's library, when control flow v2 is asked for (`tf.enable_control_flow_v2()`, as
TF1 builds cond and while_loop as those ops then, or `graph_to_graph_def(...,
functional=True)`); otherwise `frames_export.py` writes TF1's frames.

A function's arguments are the node's inputs in order; its nodes are exported as any
graph's, then their inputs renamed to FunctionDef references ("node:arg:k", by
TensorFlow's output argument names in `output_args.py`). A While's function arguments
are its loop variables, the iteration counter graphc's While keeps, then its captures,
which the body returns unchanged (what TensorFlow's while_v2 does). The stateless forms
are written when no op inside is stateful. A While whose body stacks per-iteration values
or reads sliced inputs (dynamic_rnn, map_fn as graphc builds them), and an If or While
holding one, is still written as TF1's frames (which cannot sit inside a function), beside
the functional ops.
"""
from __future__ import annotations

import re

import numpy as np

from .. import protos
from ..ir import dtypes as dt
from ..ir.graph import Graph, Operation
from ..ir.shapes import TensorShape
from ..ir.ops.control_flow_ops import BODY, COND, ELSE, THEN, fn_outputs, fn_params
from . import attrs as A
from .exporter import EXPORTERS, FUNCTIONAL, GraphDefExportError, _Exporter, export_graph
from .frames import parse_ref
from .output_args import OUTPUT_ARGS

_STATE = {"v2": False}


def enable_control_flow_v2() -> None:
    """TF1 `tf.enable_control_flow_v2`: GraphDefs graphc writes hold If/While ops with a
    function library instead of TF1's Switch/Merge/Enter/Exit frames."""
    _STATE["v2"] = True


def disable_control_flow_v2() -> None:
    """TF1 `tf.disable_control_flow_v2`: GraphDefs hold TF1's frames (the default)."""
    _STATE["v2"] = False


def control_flow_v2_enabled() -> bool:
    return _STATE["v2"]


def _types(dtypes) -> protos.AttrValue:
    out = protos.AttrValue()
    out.list.type.extend(protos.as_datatype_enum(d) for d in dtypes)
    return out


def _shapes(shapes) -> protos.AttrValue:
    out = protos.AttrValue()
    out.list.shape.extend(protos.shape_to_proto(s) for s in shapes)
    return out


def _func(name: str) -> protos.AttrValue:
    out = protos.AttrValue()
    out.func.name = name
    return out


def _stateless(graph: Graph) -> bool:
    for op in graph.get_operations():
        if not op.opdef.pure and op.type not in ("Placeholder", "If", "While"):
            return False
        if any(not _stateless(g) for g in op.subgraphs.values()):
            return False
    return True


def function_ref(node: protos.NodeDef, index: int) -> str:
    """Output `index` of `node` as a FunctionDef names it: "node:arg:k"."""
    if node.op not in OUTPUT_ARGS:
        raise GraphDefExportError(f"graphc cannot name output {index} of '{node.name}' "
                                  f"({node.op}) inside a function: its output arguments "
                                  "are not in graphc's table")
    k = index
    for arg, count_attr in OUTPUT_ARGS[node.op]:
        if not count_attr:
            count = 1
        elif count_attr.startswith("*"):
            count = len(node.attr[count_attr[1:]].list.type)
        else:
            count = node.attr[count_attr].i
        if k < count:
            return f"{node.name}:{arg}:{k}"
        k -= count
    raise GraphDefExportError(f"'{node.name}' ({node.op}) has no output {index}")


class _Function:
    """One FunctionDef being written: its arguments, its nodes (an exporter of its own,
    sharing the library and the function names of the enclosing one)."""

    def __init__(self, ex: _Exporter, graph: Graph, name: str, arg_types: list) -> None:
        self.outer = ex
        self.sub = _Exporter(graph, ex.add_shapes)
        self.sub.functional = True
        self.sub.functions = ex.functions
        self.sub.library = ex.library
        self.name = _function_name(ex, name)
        self.args = [self.sub.fresh(f"arg_{i}") for i in range(len(arg_types))]
        self.arg_types = arg_types

    def export(self, graph: Graph, bound: dict) -> None:
        export_graph(graph, self.sub, "", bound, None)

    def ref(self, t) -> str:
        return self.sub.ref(t)

    def finish(self, results: list, result_types: list) -> str:
        """Write the FunctionDef returning the refs `results`; returns its name."""
        nodes = {n.name: n for n in self.sub.gd.node}

        def convert(ref: str) -> str:
            if ref.startswith("^") or ref in self.args:
                return ref
            name, index, _ = parse_ref(ref)
            if name in self.args:
                return name
            return function_ref(nodes[name], index)

        fdef = self.outer.library.function.add()
        fdef.signature.name = self.name
        for arg, dtype in zip(self.args, self.arg_types):
            fdef.signature.input_arg.add(name=arg, type=protos.as_datatype_enum(dtype))
        for node in self.sub.gd.node:
            copy = fdef.node_def.add()
            copy.CopyFrom(node)
            del copy.input[:]
            copy.input.extend(convert(r) for r in node.input)
        for i, (ref, dtype) in enumerate(zip(results, result_types)):
            fdef.signature.output_arg.add(name=f"output_{i}",
                                          type=protos.as_datatype_enum(dtype))
            fdef.ret[f"output_{i}"] = convert(ref)
        if any(n.op in ("Assign", "AssignAdd", "AssignSub", "VariableV2")
               for n in fdef.node_def):
            fdef.signature.is_stateful = True
        return self.name


def _function_name(ex: _Exporter, name: str) -> str:
    base = re.sub(r"[^A-Za-z0-9_]", "_", name).strip("_") or "f"
    out, k = base, 0
    while out in ex.functions:
        k += 1
        out = f"{base}_{k}"
    ex.functions.add(out)
    return out


def _functional_if(op: Operation, ex: _Exporter) -> None:
    base, args = ex.name(op), op.inputs[1:]
    names = {}
    for key in (THEN, ELSE):
        fn = _Function(ex, op.subgraphs[key], f"{base}_{key}", [t.dtype for t in args])
        fn.export(op.subgraphs[key], {p: fn.args[pos - 1] for p, pos in
                                      zip(fn_params(op, key), op.attrs[key + "_inputs"])})
        outs = fn_outputs(op, key)
        names[key] = fn.finish([fn.ref(t) for t in outs], [t.dtype for t in op.outputs])
    stateless = all(_stateless(op.subgraphs[k]) for k in (THEN, ELSE))
    ex.node(base, "StatelessIf" if stateless else "If",
            [ex.ref(op.inputs[0])] + [ex.ref(t) for t in args], {
                "Tcond": A.encode(op.inputs[0].dtype, A.DTYPE),
                "Tin": _types([t.dtype for t in args]),
                "Tout": _types([t.dtype for t in op.outputs]),
                "then_branch": _func(names[THEN]), "else_branch": _func(names[ELSE]),
                "output_shapes": _shapes([t.shape for t in op.outputs])}, source=op)


def needs_frames(op: Operation) -> bool:
    """Whether `op`, or a loop inside it, stacks per-iteration values or reads sliced
    inputs: graphc writes those as TF1's frames, which cannot sit inside a function."""
    if op.type == "While" and (len(fn_outputs(op, BODY)) > op.attrs["n_vars"] or
                               op.attrs.get("sliced")):
        return True
    return any(needs_frames(inner) for g in op.subgraphs.values()
               for inner in g.get_operations())


def _functional_while(op: Operation, ex: _Exporter) -> None:
    n = op.attrs["n_vars"]
    base = ex.name(op)
    loop_vars, captures = list(op.inputs[:n]), list(op.inputs[n:])
    types = [t.dtype for t in loop_vars] + [dt.int32] + [t.dtype for t in captures]

    def arg_of(fn: _Function, pos: int) -> str:  # an input position of op -> its argument
        return fn.args[pos] if pos < n else fn.args[pos + 1]

    names = {}
    for key in (COND, BODY):
        fn = _Function(ex, op.subgraphs[key], f"{base}_{key}", types)
        fn.export(op.subgraphs[key], {p: arg_of(fn, pos) for p, pos in
                                      zip(fn_params(op, key), op.attrs[key + "_inputs"])})
        outs = [fn.ref(t) for t in fn_outputs(op, key)]
        if key == COND:
            names[key] = fn.finish(outs, [dt.bool_])
            continue
        one = fn.sub.const("one", np.int32(1), dt.int32)
        step = fn.sub.fresh("next_counter")
        fn.sub.node(step, "AddV2", [fn.args[n], one], {"T": A.encode(dt.int32, A.DTYPE)})
        names[key] = fn.finish(outs + [step] + fn.args[n + 1:], types)
    counter = ex.const(f"{base}/iteration_counter", np.int32(0), dt.int32)
    stateless = all(_stateless(op.subgraphs[k]) for k in (COND, BODY))
    shapes = [t.shape for t in loop_vars] + [TensorShape([])] + [t.shape for t in captures]
    ex.node(base, "StatelessWhile" if stateless else "While",
            [ex.ref(t) for t in loop_vars] + [counter] + [ex.ref(t) for t in captures], {
                "T": _types(types), "cond": _func(names[COND]), "body": _func(names[BODY]),
                "output_shapes": _shapes(shapes),
                "parallel_iterations": A.encode(10, A.INT)}, source=op)


def _dispatch(op_type: str, frames_export):
    def export(op: Operation, ex: _Exporter) -> None:
        if ex.functional and not needs_frames(op):
            return (_functional_if if op_type == "If" else _functional_while)(op, ex)
        return frames_export(op, ex)
    return export


EXPORTERS.update({t: _dispatch(t, EXPORTERS[t]) for t in ("If", "While")})
FUNCTIONAL.append(control_flow_v2_enabled)
