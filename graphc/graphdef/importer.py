"""`tf.import_graph_def` for TensorFlow's GraphDef messages: each NodeDef becomes graphc ops
through the op table (`specs.SPECS`, read TensorFlow -> graphc) or an import function of
its own (`IMPORTERS`), in dependency order, with `^ctrl` control inputs, `name:k` output
references, `input_map` and `return_elements` as TensorFlow does them.

Attributes that only place or describe (`_output_shapes`, `_class`, `device`, `T` and the
other type attributes, which graphc infers from the inputs) are read where they matter and
ignored where harmless. An op type graphc lacks is an error naming every missing type in
the graph at once, with the nodes that use it, before anything is built.
"""
from __future__ import annotations

from typing import Callable, Optional

import numpy as np

from .. import protos

from ..ir.graph import Graph, Operation, Tensor
from ..ir.ops._base import apply, const_value
from . import attrs as A
from . import frames
from .output_args import OUTPUT_ARGS as TF_OUTPUT_ARGS
from .specs import BY_TF, VARIADIC, X, In, Spec


class GraphDefImportError(ValueError):
    """A TensorFlow GraphDef graphc cannot import; says which node and why."""


_MISSING = object()


class NodeContext:
    """What an import function sees of one NodeDef: its attributes, its input tensors and
    the graphc name it must give its main op."""

    def __init__(self, node: protos.NodeDef, name: str, inputs: list, graph: Graph,
                 library: Optional[dict] = None) -> None:
        self.node, self.name, self.inputs, self.graph = node, name, inputs, graph
        self.library = library or {}  # function name -> FunctionDef

    def function(self, key: str) -> protos.FunctionDef:
        """The FunctionDef the `func` attribute `key` names."""
        if key not in self.node.attr:
            raise GraphDefImportError(f"{self.label}: missing function attribute '{key}'")
        name = self.node.attr[key].func.name
        if name not in self.library:
            raise GraphDefImportError(f"{self.label}: attribute '{key}' names function "
                                      f"'{name}', which the GraphDef's library lacks")
        return self.library[name]

    @property
    def label(self) -> str:
        return f"TensorFlow node '{self.node.name}' ({self.node.op})"

    def attr(self, key: str, kind: str, default=_MISSING):
        if key not in self.node.attr:
            if default is _MISSING:
                raise GraphDefImportError(f"{self.label}: missing attribute '{key}'")
            return default
        return A.decode(self.node.attr[key], kind, f"{self.label} attribute '{key}'")

    def const(self, index: int, kind: str, what: str):
        """The value of constant input `index` read as `kind` (graphc keeps it as an
        attribute, so it must be known when the graph is built)."""
        t = self.inputs[index]
        value = const_value(t)
        if value is None:
            raise GraphDefImportError(
                f"{self.label}: graphc needs input {index} ({what}) to be a constant known "
                f"when the graph is built; it comes from '{t.op.name}' ({t.op.type})")
        return A.from_constant(value, kind, f"{self.label} input {index} ({what})")

    def op(self, op_type: str, inputs, attrs: Optional[dict] = None, suffix: str = ""):
        """Create a graphc op named after the node (or `node/suffix`)."""
        name = f"{self.name}/{suffix}" if suffix else self.name
        attrs = dict(attrs or {})
        if not suffix and "_gradient_op_type" in self.node.attr:  # TF1's gradient override
            attrs["_gradient_op_type"] = self.node.attr["_gradient_op_type"].s.decode()
        return apply(op_type, list(inputs), attrs, name=name + "/", graph=self.graph)


# ---------------------------------------------------------------- table-driven import
def import_spec(spec: Spec, ctx: NodeContext):
    tensors, attrs, i = [], {}, 0
    n_after = {k: sum(1 for e in spec.inputs[k + 1:]) for k in range(len(spec.inputs))}
    for k, entry in enumerate(spec.inputs):
        if entry == X:
            if i >= len(ctx.inputs):
                raise GraphDefImportError(f"{ctx.label}: expected at least {i + 1} inputs, "
                                          f"got {len(ctx.inputs)}")
            tensors.append(ctx.inputs[i])
            i += 1
        elif entry == VARIADIC:
            end = len(ctx.inputs) - n_after[k]
            tensors.extend(ctx.inputs[i:end])
            i = end
        elif isinstance(entry, In):
            attrs[entry.attr] = ctx.const(i, entry.kind, entry.tf_name)
            i += 1
    if i != len(ctx.inputs):
        raise GraphDefImportError(f"{ctx.label}: expected {i} inputs, got {len(ctx.inputs)}")
    for tf_name, graphc_name, kind in spec.attrs:
        value = ctx.attr(tf_name, kind, None)
        if value is not None:
            attrs[graphc_name] = value
    attrs.update(dict(spec.fixed))
    return ctx.op(spec.graphc, tensors, attrs)


def _check_nhwc(ctx: NodeContext) -> None:
    fmt = ctx.attr("data_format", A.STR, "NHWC")
    if fmt != "NHWC":
        raise GraphDefImportError(f"{ctx.label}: data_format {fmt!r} is not supported "
                                  "(graphc runs NHWC, as TensorFlow 1 on the CPU)")


def _check_padding(ctx: NodeContext) -> None:
    if ctx.attr("padding", A.STR, "VALID") == "EXPLICIT":
        raise GraphDefImportError(f"{ctx.label}: padding 'EXPLICIT' (explicit_paddings "
                                  f"{ctx.attr('explicit_paddings', A.INTS, [])}) is not "
                                  "supported; graphc takes 'SAME' and 'VALID'")


_CHECKS: dict = {t: (_check_nhwc, _check_padding) for t in (
    "Conv2D", "DepthwiseConv2dNative", "Conv2DBackpropInput", "Conv2DBackpropFilter",
    "MaxPool", "AvgPool", "MaxPoolGrad", "AvgPoolGrad")}
_CHECKS["BiasAdd"] = (_check_nhwc,)


# ---------------------------------------------------------------- import functions
def _const(ctx: NodeContext):
    value = protos.make_ndarray(ctx.node.attr["value"].tensor)
    dtype = ctx.attr("dtype", A.DTYPE)
    if value.dtype != object:
        value = value.astype(dtype.np)
    return ctx.op("Const", [], {"value": value, "dtype": dtype})


def _placeholder(ctx: NodeContext):
    from ..ir.shapes import TensorShape
    shape = ctx.attr("shape", A.SHAPE, TensorShape(None))
    return ctx.op("Placeholder", [], {"dtype": ctx.attr("dtype", A.DTYPE), "shape": shape})


def _div(ctx: NodeContext):
    # TensorFlow's raw Div: true division of floats, C's truncating division of integers.
    x = ctx.inputs[0]
    return ctx.op("RealDiv" if x.dtype.is_floating else "TruncateDiv", ctx.inputs[:2])


def _concat_v1(ctx: NodeContext):
    return ctx.op("ConcatV2", ctx.inputs[1:], {"axis": ctx.const(0, A.AXIS, "concat_dim")})


def _gather_v1(ctx: NodeContext):
    return ctx.op("GatherV2", ctx.inputs[:2], {"axis": 0})


def _pad(ctx: NodeContext):
    x = ctx.inputs[0]
    fill = ctx.const(2, A.SCALAR, "constant_values") if len(ctx.inputs) > 2 else 0
    return ctx.op("Pad", [x], {"paddings": ctx.const(1, A.PAIRS, "paddings"),
                               "constant_values": np.asarray(fill, dtype=x.dtype.np)})


def _one_hot(ctx: NodeContext):
    on, off = ctx.inputs[2], ctx.inputs[3]
    return ctx.op("OneHot", ctx.inputs[:1], {
        "depth": ctx.const(1, A.AXIS, "depth"), "on_value": ctx.const(2, A.SCALAR, "on_value"),
        "off_value": ctx.const(3, A.SCALAR, "off_value"), "axis": ctx.attr("axis", A.INT, -1),
        "dtype": on.dtype if on.dtype == off.dtype else on.dtype})


def _batch_matmul_v3(ctx: NodeContext):
    a, b = ctx.inputs[:2]
    out = ctx.attr("Tout", A.DTYPE, a.dtype)
    if not a.dtype == b.dtype == out:
        raise GraphDefImportError(f"{ctx.label}: mixed types {a.dtype.name} x {b.dtype.name} "
                                  f"-> {out.name} are not supported")
    return ctx.op("BatchMatMulV2", [a, b], {"adj_x": ctx.attr("adj_x", A.BOOL, False),
                                            "adj_y": ctx.attr("adj_y", A.BOOL, False)})


def _identity_n(ctx: NodeContext):
    return [ctx.op("Identity", [t], suffix=f"output_{i}") if i else ctx.op("Identity", [t])
            for i, t in enumerate(ctx.inputs)]


def _fused_batch_norm(ctx: NodeContext):
    """FusedBatchNorm{,V2,V3}: y, batch mean, batch variance, then the reserve outputs
    (the same statistics: nothing in graphc reads them). NCHW, which Keras'
    LayerNormalization writes (its rows as the channels of a [1, rows, features, 1]
    tensor), is normalized as NHWC between two transposes."""
    from ..ir.ops.norm_ops import fused_batch_norm
    fmt = ctx.attr("data_format", A.STR, "NHWC")
    if fmt not in ("NHWC", "NCHW"):
        _check_nhwc(ctx)
    x, scale, offset, mean, variance = ctx.inputs[:5]
    if fmt == "NCHW":
        if x.shape.rank not in (None, 4):
            raise GraphDefImportError(f"{ctx.label}: NCHW input of rank {x.shape.rank}, "
                                      "expected 4")
        x = ctx.op("Transpose", [x], {"perm": (0, 2, 3, 1), "conjugate": False},
                  suffix="to_nhwc")
    training = ctx.attr("is_training", A.BOOL, True)
    factor = ctx.attr("exponential_avg_factor", A.FLOAT, 1.0)
    if training and factor != 1.0:
        raise GraphDefImportError(f"{ctx.label}: is_training with exponential_avg_factor "
                                  f"{factor} (running statistics inside the op) is not supported")
    with ctx.graph.name_scope(ctx.name + "/"):
        y, m, v = fused_batch_norm(
            x, scale, offset, None if training else mean, None if training else variance,
            epsilon=ctx.attr("epsilon", A.FLOAT, 1e-4), is_training=training, name="bn")
    if fmt == "NCHW":
        y = ctx.op("Transpose", [y], {"perm": (0, 3, 1, 2), "conjugate": False},
                  suffix="to_nchw")
    y = ctx.op("Identity", [y])
    extra = [m, v] * (3 if ctx.node.op == "FusedBatchNormV3" else 2)
    return [y, m, v] + extra[:(3 if ctx.node.op == "FusedBatchNormV3" else 2)]


def _einsum(ctx: NodeContext):
    """Einsum (Keras' MultiHeadAttention and EinsumDense write it): graphc's einsum, the
    transposes, reshapes and (batch) matmuls it composes, named under the node."""
    from ..ir.ops.einsum_ops import einsum
    equation = ctx.attr("equation", A.STR)
    try:
        with ctx.graph.name_scope(ctx.name + "/"):
            y = einsum(equation, *ctx.inputs, name="einsum")
    except ValueError as exc:
        raise GraphDefImportError(f"{ctx.label}: {exc}") from None
    return ctx.op("Identity", [y])


def _assert(ctx: NodeContext):
    from ..ir.ops.control_flow_ops import assert_
    return assert_(ctx.inputs[0], ctx.inputs[1:], summarize=ctx.attr("summarize", A.INT, 3),
                   name=ctx.name + "/")


IMPORTERS: dict[str, Callable] = {
    "Assert": _assert,
    "Const": _const, "Placeholder": _placeholder, "Div": _div, "Concat": _concat_v1,
    "Gather": _gather_v1, "Pad": _pad, "PadV2": _pad, "OneHot": _one_hot,
    "BatchMatMulV3": _batch_matmul_v3, "IdentityN": _identity_n,
    "FusedBatchNorm": _fused_batch_norm, "FusedBatchNormV2": _fused_batch_norm,
    "FusedBatchNormV3": _fused_batch_norm, "Einsum": _einsum,
}


def importable_op_types() -> list[str]:
    """Every TensorFlow op type graphc imports (TF1's frame ops as parts of If/While)."""
    return sorted(set(BY_TF) | set(IMPORTERS) | frames.FRAME_OPS)


# ---------------------------------------------------------------- the graph walk
# Output argument names of ops with more than one (function bodies name outputs
# "node:arg:k"), from TensorFlow's table; every other op's outputs are one argument,
# indexed from 0.
OUTPUT_ARGS = {op: tuple(name for name, _ in args) for op, args in TF_OUTPUT_ARGS.items()
               if len(args) > 1}


_parse_ref = frames.parse_ref


class Walk:
    """One namespace of NodeDefs being imported into a graph: a GraphDef's nodes
    ("node:k" inputs), a function body's ("arg", "node:out_arg:k" inputs), or the nodes
    of one TF1 loop body or branch (`parent`: the walk whose tensors it reads; `mapped`:
    its boundary, the loop variables or switched values)."""

    def __init__(self, graph: Graph, prefix: str, library: dict, args: Optional[dict] = None,
                 mapped: Optional[dict] = None, parent: Optional["Walk"] = None) -> None:
        self.graph, self.prefix, self.library = graph, prefix, library
        self.args = args            # a function body's input arg name -> Tensor, else None
        self.mapped = mapped or {}  # (name, index, control) -> Tensor | Operation | None
        self.parent = parent
        self.ops: dict = {}
        self.outputs: dict = {}
        self.types: dict = {}
        self.hidden: dict = {}      # node name -> where a functionalized frame put it

    def child(self, mapped: dict) -> "Walk":
        """A walk over a loop body or branch traced into the current default graph."""
        from ..ir import context as _context
        return Walk(_context.get_default_graph(), self.prefix, self.library,
                    mapped=mapped, parent=self)

    def source(self, ref: str) -> Optional[str]:
        """The node a ref depends on (None for a function's argument)."""
        if ref.startswith("^"):
            return ref[1:]
        if self.args is None:
            return _parse_ref(ref)[0]
        head = ref.split(":")[0]
        return None if head in self.args else head

    def resolve(self, ref: str, node):
        if self.args is None:
            name, index, control = _parse_ref(ref)
            if (name, index, control) in self.mapped:
                return self.mapped[(name, index, control)]
            if name not in self.outputs and self.parent is not None:
                return self.parent.resolve(ref, node)
        elif not ref.startswith("^"):
            parts = ref.split(":")
            if parts[0] in self.args:
                return self.args[parts[0]]
            name = parts[0]
            names = OUTPUT_ARGS.get(self.types.get(name), ())
            base = names.index(parts[1]) if len(parts) > 1 and parts[1] in names else 0
            index, control = base + (int(parts[2]) if len(parts) > 2 else 0), False
        else:
            name, index, control = ref[1:], -1, True
        if name in self.hidden and name not in self.outputs:
            raise GraphDefImportError(f"TensorFlow node '{node.name}' ({node.op}): input "
                                      f"'{ref}' is {self.hidden[name]}")
        if control:
            return self.ops[name]
        outs = self.outputs[name]
        if index >= len(outs) or outs[index] is None:
            raise GraphDefImportError(f"TensorFlow node '{node.name}' ({node.op}): input "
                                      f"'{ref}' asks for output {index} of '{name}', which "
                                      f"has {len(outs)} output{'s' if len(outs) != 1 else ''}")
        return outs[index]

    def order(self, units: list) -> list:
        """The units in an order where every input comes first (Kahn's algorithm)."""
        provider: dict = {}
        for u in units:
            for name in frames.unit_io(u)[0]:
                provider[name] = u
        waiting = {id(u): 0 for u in units}
        users: dict = {}
        for u in units:
            for ref in frames.unit_io(u)[1]:
                src = self.source(ref)
                if src is None:
                    continue
                if src not in provider:
                    if self.parent is not None or (_parse_ref(ref) in self.mapped):
                        continue  # read from the enclosing walk, or mapped
                    what = (f"is {self.hidden[src]}" if src in self.hidden
                            else "names no node of the graph")
                    label = f"TensorFlow node '{u.name}' ({u.op})" if isinstance(
                        u, protos.NodeDef) else f"TF1 control flow '{u.name}'"
                    raise GraphDefImportError(f"{label}: input '{ref}' {what}")
                waiting[id(u)] += 1
                users.setdefault(id(provider[src]), []).append(u)
        ready = [u for u in reversed(units) if waiting[id(u)] == 0]
        out = []
        while ready:
            u = ready.pop()
            out.append(u)
            for user in users.get(id(u), ()):
                waiting[id(user)] -= 1
                if waiting[id(user)] == 0:
                    ready.append(user)
        if len(out) != len(units):
            stuck = sorted(u.name for u in units if waiting[id(u)] > 0)[:8]
            raise GraphDefImportError(f"the GraphDef has a cycle: graphc cannot order "
                                      f"nodes {stuck}")
        return out

    def run(self, nodes) -> None:
        nodes = list(nodes)
        if self.args is None:
            try:
                units, hidden = frames.split(nodes)
            except frames.FrameError as exc:
                raise GraphDefImportError(str(exc)) from None
            self.hidden.update(hidden)
        else:
            units = nodes
        for unit in self.order(units):
            if isinstance(unit, protos.NodeDef):
                self.types[unit.name] = unit.op
                self.ops[unit.name], self.outputs[unit.name] = self.import_node(unit)
            else:
                UNIT_IMPORTERS[type(unit).__name__](self, unit)

    def import_node(self, node):
        data, controls = [], []
        for ref in node.input:
            value = self.resolve(ref, node)
            if ref.startswith("^"):
                op = value if isinstance(value, Operation) or value is None else value.op
                if op is not None and op.graph is self.graph:
                    controls.append(op)  # (an outer op's control edge is its unit's)
            else:
                data.append(value)
        if node.op in frames.FRAME_OPS:
            raise GraphDefImportError(
                f"TensorFlow node '{node.name}' ({node.op}) is TF1 control flow outside any "
                "tf.cond or tf.while_loop graphc could turn into an If or While node")
        name = f"{self.prefix}/{node.name}" if self.prefix else node.name
        ctx = NodeContext(node, name, data, self.graph, self.library)
        try:
            for check in _CHECKS.get(node.op, ()):
                check(ctx)
            with self.graph.control_dependencies(controls):
                if node.op not in OPTIONAL_AWARE and OPTIONALS and \
                        OPTIONALS[0].has_optionals(data):
                    result = OPTIONALS[0].import_per_side(ctx)
                elif node.op in IMPORTERS:
                    result = IMPORTERS[node.op](ctx)
                elif node.op in BY_TF:
                    result = import_spec(BY_TF[node.op], ctx)
                else:  # a call of a library function by its name
                    result = CALL_IMPORTER[0](ctx, self.library[node.op])
        except GraphDefImportError:
            raise
        except (ValueError, TypeError, KeyError, IndexError) as exc:
            message = str(exc).split("\n  File ")[0]
            raise GraphDefImportError(f"TensorFlow node '{node.name}' ({node.op}): "
                                      f"{message}") from None
        if isinstance(result, Operation):
            return result, list(result.outputs)
        result = [result] if isinstance(result, Tensor) else list(result)
        try:
            main = self.graph.get_operation_by_name(name)
        except KeyError:
            main = result[0].op if result else None
        return main, result


# Set by `optionals`: the module handling a cond's optional results, and the op types
# whose importers take them themselves.
OPTIONALS: list = []
OPTIONAL_AWARE: set = set()
# Set by `functions`: how a Loop and a Cond unit (TF1 frames) are imported.
UNIT_IMPORTERS: dict = {}
# Set by `functions`: how a node whose op is a library function's name is imported.
CALL_IMPORTER: list = []


def check_supported(graph_def: protos.GraphDef) -> None:
    """Raise naming every op type of `graph_def` (and of its library's functions) graphc
    cannot import, with its nodes."""
    library = {f.signature.name for f in graph_def.library.function}
    missing: dict = {}
    bodies = [("", graph_def.node)] + [(f"{f.signature.name}/", f.node_def)
                                       for f in graph_def.library.function]
    for where, nodes in bodies:
        for n in nodes:
            if n.op not in BY_TF and n.op not in IMPORTERS and n.op not in library and \
                    n.op not in frames.FRAME_OPS:
                missing.setdefault(n.op, []).append(where + n.name)
    if missing:
        lines = [f"  {op}: node{'s' if len(names) > 1 else ''} "
                 + ", ".join(f"'{x}'" for x in names[:5]) + (" ..." if len(names) > 5 else "")
                 for op, names in sorted(missing.items())]
        raise GraphDefImportError(
            f"graphc cannot import this GraphDef: {len(missing)} TensorFlow op type"
            f"{'s have' if len(missing) > 1 else ' has'} no graphc equivalent:\n"
            + "\n".join(lines))


def _without_unused_variants(nodes) -> list:
    """`nodes` but the DT_VARIANT Placeholders nothing reads: TF2's
    `convert_variables_to_constants_v2` leaves one `unused_control_flow_input_<k>` per
    input of a lowered loop or cond it dropped, of the input's type (a TensorList's is
    DT_VARIANT, a type graphc has no tensors of)."""
    read = {_parse_ref(ref.lstrip("^"))[0] for n in nodes for ref in n.input}
    return [n for n in nodes if not (n.op == "Placeholder" and n.name not in read and
                                     n.attr["dtype"].type == protos.DataType.DT_VARIANT)]


def import_graph_def(graph_def: protos.GraphDef, graph: Graph, input_map: Optional[dict],
                     prefix: str) -> tuple[dict, dict]:
    """Add `graph_def`'s nodes to `graph` under `prefix/`; returns ({node name: main
    Operation}, {node name: [output tensors]})."""
    check_supported(graph_def)
    input_map = dict(input_map or {})
    known = {n.name for n in graph_def.node}
    unused = [k for k in input_map if _parse_ref(k)[0] not in known]
    if unused:
        raise ValueError(f"Attempted to map inputs that were not found in graph_def: "
                         f"[{', '.join(unused)}]")
    library = {f.signature.name: f for f in graph_def.library.function}
    walk = Walk(graph, prefix, library,
                mapped={_parse_ref(k): v for k, v in input_map.items()})
    with graph.as_default(), graph.name_scope(None):
        walk.run(_without_unused_variants(graph_def.node))
    return walk.ops, walk.outputs
