"""`Graph.as_graph_def()`: a graphc graph as TensorFlow's GraphDef message, which
TensorFlow parses, imports and runs. Each graphc op becomes TensorFlow's op type with the
attributes TensorFlow's OpDef asks for: through the op table (`specs.SPECS`, read
graphc -> TensorFlow; graphc's attribute axes become Const inputs) or an export function of
its own (`EXPORTERS`). An op TensorFlow has no counterpart for is an error naming every
such op at once.
"""
from __future__ import annotations

from typing import Callable, Optional

import numpy as np

from .. import protos
from ..ir import dtypes as dt
from ..ir.graph import Graph, Operation, Tensor
from ..ir.shapes import TensorShape
from . import attrs as A
from .specs import BY_GRAPHC, VARIADIC, X, In, Spec

PRODUCER = 27  # the GraphDef version graphc writes (TensorFlow reads every version >= 0)


class GraphDefExportError(ValueError):
    """A graphc graph with ops TensorFlow has no counterpart for."""


def _plain(value) -> protos.AttrValue:
    """An AttrValue for a Python default (bool, int, float, str, list of ints)."""
    if isinstance(value, bool):
        return A.encode(value, A.BOOL)
    if isinstance(value, int):
        return A.encode(value, A.INT)
    if isinstance(value, float):
        return A.encode(value, A.FLOAT)
    if isinstance(value, str):
        return A.encode(value, A.STR)
    return A.encode(list(value), A.INTS)


class _Exporter:
    def __init__(self, graph: Graph, add_shapes: bool) -> None:
        self.graph, self.add_shapes = graph, add_shapes
        self.gd = protos.GraphDef()
        self.gd.versions.producer = PRODUCER
        self.names = {op.name for op in graph.get_operations()}
        # inside a graph a node holds (a branch, a loop body, a fused group):
        self.prefix = ""      # what its ops' names start with
        self.bound: dict = {}  # its parameters (and a fused node's outputs) -> refs
        self.pivot = None      # the node its input-less ops wait for (a frame's pivot)
        self.functional = False  # If/While as functional ops (functional_export.py)
        self.library = self.gd.library  # where their functions go
        self.functions: set = set()     # the function names taken

    def name(self, op: Operation) -> str:
        """The NodeDef name of a graphc op."""
        return self.prefix + op.name

    def ref(self, t: Tensor) -> str:
        """The input string for a graphc tensor."""
        if t in self.bound:
            return self.bound[t]
        name = self.name(t.op)
        return name if t.value_index == 0 else f"{name}:{t.value_index}"

    def node(self, name: str, op_type: str, inputs=(), attrs=None, source: Operation = None):
        node = self.gd.node.add(name=name, op=op_type)
        node.input.extend(inputs)
        for key, value in (attrs or {}).items():
            node.attr[key].CopyFrom(value)
        if self.pivot is not None and all(r.startswith("^") for r in node.input):
            node.input.append("^" + self.pivot)  # runs in the frame or branch, not always
        if source is not None:
            node.input.extend(f"^{self.name(c)}" for c in source.control_inputs
                              if c.graph is source.graph)
            if source.gradient_op_type is not None and name == self.name(source):
                node.attr["_gradient_op_type"].s = source.gradient_op_type.encode()
            if self.add_shapes and source.outputs and name == self.name(source):
                node.attr["_output_shapes"].list.shape.extend(
                    protos.shape_to_proto(t.shape) for t in source.outputs)
        return node

    def fresh(self, name: str) -> str:
        """An unused node name near `name` (for the Const inputs graphc keeps as attrs)."""
        out, k = name, 0
        while out in self.names:
            k += 1
            out = f"{name}_{k}"
        self.names.add(out)
        return out

    def const(self, name: str, value: np.ndarray, dtype: dt.DType) -> str:
        name = self.fresh(name)
        self.node(name, "Const", (), {"dtype": A.encode(dtype, A.DTYPE),
                                      "value": _tensor_attr(np.asarray(value, dtype.np))})
        return name


def _tensor_attr(value: np.ndarray) -> protos.AttrValue:
    out = protos.AttrValue()
    out.tensor.CopyFrom(protos.make_tensor_proto(value))
    return out


# ---------------------------------------------------------------- table-driven export
def _check_fixed(spec: Spec, op: Operation) -> None:
    for key, want in spec.fixed:
        got = op.attrs.get(key, want)
        if got == want:
            continue
        rank = op.inputs[0].shape.ndims if op.inputs else None
        if key == "axis" and want == -1 and rank is not None and got == rank - 1:
            continue
        raise GraphDefExportError(f"graphc op '{op.name}' ({op.type}) with {key}={got!r} has "
                                  f"no TensorFlow {spec.tf} equivalent ({key} must be {want!r})")


def _input_attr(op: Operation, entry: In):
    """The attribute graphc keeps for a TensorFlow input; None (every axis, the reversed
    permutation) spelled out, which needs the input's rank."""
    value = op.attrs.get(entry.attr)
    if value is not None:
        return value
    rank = op.inputs[0].shape.ndims
    if rank is None:
        raise GraphDefExportError(f"graphc op '{op.name}' ({op.type}): {entry.attr}=None over "
                                  "an input of unknown rank has no constant TensorFlow "
                                  f"{entry.tf_name}")
    return tuple(range(rank))[::-1] if entry.attr == "perm" else tuple(range(rank))


def _export_spec(spec: Spec, op: Operation, ex: _Exporter) -> None:
    _check_fixed(spec, op)
    refs, dtypes, attrs = [], [], {}
    gi = 0
    n_x_after = [sum(1 for e in spec.inputs[k + 1:] if e == X) for k in range(len(spec.inputs))]
    variadic = 0
    for k, entry in enumerate(spec.inputs):
        if entry == X:
            t = op.inputs[gi]
            gi += 1
            refs.append(ex.ref(t))
            dtypes.append(t.dtype)
        elif entry == VARIADIC:
            end = len(op.inputs) - n_x_after[k]
            for t in op.inputs[gi:end]:
                refs.append(ex.ref(t))
                dtypes.append(t.dtype)
            variadic = end - gi
            gi = end
        elif isinstance(entry, In):
            dtype = entry.dtype or op.inputs[0].dtype
            refs.append(ex.const(f"{ex.name(op)}/{entry.tf_name}",
                                 A.to_constant(_input_attr(op, entry), entry.kind, dtype), dtype))
            dtypes.append(dtype)
            if entry.type_attr:
                attrs[entry.type_attr] = A.encode(dtype, A.DTYPE)
    for tf_name, graphc_name, kind in spec.attrs:
        if graphc_name in op.attrs and op.attrs[graphc_name] is not None:
            attrs[tf_name] = A.encode(op.attrs[graphc_name], kind)
    for tf_name, source in spec.types:
        dtype = op.outputs[0].dtype if source == "out" else dtypes[source]
        attrs[tf_name] = A.encode(dtype, A.DTYPE)
    if spec.count:
        attrs[spec.count] = A.encode(variadic, A.INT)
    if spec.outputs_attr:
        attrs[spec.outputs_attr] = A.encode(len(op.outputs), A.INT)
    for key, value in spec.tf_defaults.items():
        attrs.setdefault(key, _plain(value))
    ex.node(ex.name(op), spec.tf, refs, attrs, source=op)


# ---------------------------------------------------------------- export functions
def _const(op: Operation, ex: _Exporter) -> None:
    ex.node(ex.name(op), "Const", (), {"dtype": A.encode(op.attrs["dtype"], A.DTYPE),
                                   "value": _tensor_attr(op.attrs["value"])}, source=op)


def _placeholder(op: Operation, ex: _Exporter) -> None:
    ex.node(ex.name(op), "Placeholder", (), {"dtype": A.encode(op.attrs["dtype"], A.DTYPE),
                                         "shape": A.encode(op.attrs["shape"], A.SHAPE)},
            source=op)


def _pad(op: Operation, ex: _Exporter) -> None:
    x = op.inputs[0]
    paddings = ex.const(f"{ex.name(op)}/paddings", A.to_constant(op.attrs["paddings"], A.PAIRS),
                        dt.int32)
    attrs = {"T": A.encode(x.dtype, A.DTYPE), "Tpaddings": A.encode(dt.int32, A.DTYPE)}
    fill = np.asarray(op.attrs.get("constant_values", 0))
    if not fill.any():
        ex.node(ex.name(op), "Pad", [ex.ref(x), paddings], attrs, source=op)
        return
    value = ex.const(f"{ex.name(op)}/constant_values", fill, x.dtype)
    ex.node(ex.name(op), "PadV2", [ex.ref(x), paddings, value], attrs, source=op)


def _one_hot(op: Operation, ex: _Exporter) -> None:
    dtype, indices = op.attrs["dtype"], op.inputs[0]
    refs = [ex.ref(indices),
            ex.const(f"{ex.name(op)}/depth", np.asarray(op.attrs["depth"]), dt.int32),
            ex.const(f"{ex.name(op)}/on_value", np.asarray(op.attrs["on_value"]), dtype),
            ex.const(f"{ex.name(op)}/off_value", np.asarray(op.attrs["off_value"]), dtype)]
    ex.node(ex.name(op), "OneHot", refs, {"T": A.encode(dtype, A.DTYPE),
                                      "TI": A.encode(indices.dtype, A.DTYPE),
                                      "axis": A.encode(op.attrs.get("axis", -1), A.INT)},
            source=op)


def _sum_to_shape(op: Operation, ex: _Exporter) -> None:
    """g summed to `shape`: TensorFlow's own broadcast-gradient pattern (the axes from
    BroadcastGradientArgs, a Sum over them, a Reshape to the shape)."""
    g, shape = op.inputs
    T = A.encode(g.dtype, A.DTYPE)
    index = A.encode(shape.dtype, A.DTYPE)
    g_shape = ex.fresh(f"{ex.name(op)}/g_shape")
    ex.node(g_shape, "Shape", [ex.ref(g)], {"T": T, "out_type": index})
    args = ex.fresh(f"{ex.name(op)}/axes")
    ex.node(args, "BroadcastGradientArgs", [ex.ref(shape), g_shape], {"T": index})
    total = ex.fresh(f"{ex.name(op)}/sum")
    ex.node(total, "Sum", [ex.ref(g), args], {"T": T, "Tidx": index,
                                            "keep_dims": A.encode(False, A.BOOL)})
    ex.node(ex.name(op), "Reshape", [total, ex.ref(shape)], {"T": T, "Tshape": index},
            source=op)


def _assert(op: Operation, ex: _Exporter) -> None:
    """graphc's message template as TensorFlow's data inputs (strings become Consts)."""
    refs, types = [ex.ref(op.inputs[0])], protos.AttrValue()
    for k, (kind, value) in enumerate(op.attrs["template"]):
        if kind == "s":
            refs.append(ex.const(f"{ex.name(op)}/data_{k}", np.asarray(value, object),
                                 dt.string))
            types.list.type.append(protos.as_datatype_enum(dt.string))
        else:
            refs.append(ex.ref(op.inputs[1 + value]))
            types.list.type.append(protos.as_datatype_enum(op.inputs[1 + value].dtype))
    ex.node(ex.name(op), "Assert", refs, {"T": types, "summarize": A.encode(
        op.attrs.get("summarize", 3), A.INT)}, source=op)


def _tensor_array_concat(op: Operation, ex: _Exporter) -> None:
    """TensorFlow takes the element shape without its first dim (element_shape_except0)."""
    shape = op.attrs.get("element_shape")
    rest = TensorShape(list(shape.as_tuple())[1:]) if shape is not None and \
        shape.ndims else TensorShape(None)
    ex.node(ex.name(op), "TensorArrayConcatV3", [ex.ref(t) for t in op.inputs[:2]], {
        "dtype": A.encode(op.attrs["dtype"], A.DTYPE),
        "element_shape_except0": A.encode(rest, A.SHAPE)}, source=op)


def _dynamic_stitch(op: Operation, ex: _Exporter) -> None:
    """indices (N int32 tensors) then data (N tensors), as graphc keeps them."""
    n = len(op.inputs) // 2
    ex.node(ex.name(op), "DynamicStitch", [ex.ref(t) for t in op.inputs], {
        "N": A.encode(n, A.INT), "T": A.encode(op.inputs[n].dtype, A.DTYPE)}, source=op)


EXPORTERS: dict[str, Callable] = {
    "Assert": _assert, "TensorArrayConcatV3": _tensor_array_concat,
    "DynamicStitch": _dynamic_stitch,
    "Const": _const, "Placeholder": _placeholder, "Pad": _pad, "OneHot": _one_hot,
    "SumToShape": _sum_to_shape,
}


# Set by `functional_export`: whether If/While are written as functional ops by default.
FUNCTIONAL: list = []


def exportable_op_types() -> list[str]:
    """Every graphc op type `as_graph_def` writes as TensorFlow ops."""
    return sorted(set(BY_GRAPHC) | set(EXPORTERS))


def _missing(graph: Graph, missing: dict) -> dict:
    for op in graph.get_operations():
        if op.type not in EXPORTERS and op.type not in BY_GRAPHC:
            missing.setdefault(op.type, []).append(op.name)
        for sub in op.subgraphs.values():
            _missing(sub, missing)
    return missing


def export_op(op: Operation, ex: _Exporter) -> None:
    if op.type in EXPORTERS:
        EXPORTERS[op.type](op, ex)
    else:
        _export_spec(BY_GRAPHC[op.type], op, ex)


def export_graph(graph: Graph, ex: _Exporter, prefix: str, bound: dict,
                 pivot=None) -> None:
    """Write the ops of a graph a node holds, named under `prefix`, its parameters read
    from `bound` (graphc tensor -> input string), input-less ops waiting for `pivot`."""
    saved = ex.prefix, ex.pivot
    ex.prefix, ex.pivot = prefix, pivot
    ex.bound.update(bound)  # (keys are the held graph's own tensors: one dict serves all)
    ex.names.update(prefix + op.name for op in graph.get_operations())
    try:
        for op in graph.get_operations():
            if op.type in ("Placeholder", "VariableV2") and op.outputs[0] in bound:
                continue  # (a parameter, or a fused update's target: its node is outside)
            export_op(op, ex)
    finally:
        ex.prefix, ex.pivot = saved


def graph_to_graph_def(graph: Graph, add_shapes: bool = False,
                       functional: Optional[bool] = None) -> protos.GraphDef:
    """`graph` as TensorFlow's GraphDef message (`add_shapes`: `_output_shapes` attrs;
    `functional`: If/While as TF2's functional ops with a function library, default
    whether `enable_control_flow_v2()` was called; else TF1's frames)."""
    missing = _missing(graph, {})
    if missing:
        lines = [f"  {t}: " + ", ".join(f"'{n}'" for n in names[:5])
                 + (" ..." if len(names) > 5 else "") for t, names in sorted(missing.items())]
        raise GraphDefExportError(
            f"graphc cannot write this graph as a TensorFlow GraphDef: {len(missing)} op "
            f"type{'s have' if len(missing) > 1 else ' has'} no TensorFlow counterpart:\n"
            + "\n".join(lines))
    ex = _Exporter(graph, add_shapes)
    ex.functional = FUNCTIONAL[0]() if functional is None and FUNCTIONAL else bool(functional)
    for op in graph.get_operations():
        export_op(op, ex)
    return ex.gd
