"""`tf.graph_util` (TF1): GraphDef surgery for deployment. `extract_sub_graph` keeps what
the named nodes need, `convert_variables_to_constants` freezes variables into Const nodes
with the session's values, `remove_training_nodes` splices out Identity and CheckNumerics
nodes as TensorFlow 1 does."""
from __future__ import annotations

import re
from typing import Iterable, Optional

import numpy as np

from .. import protos


_VARIABLE_OPS = ("VariableV2", "Variable", "VarHandleOp")


def _node_name(ref: str) -> str:
    name = ref[1:] if ref.startswith("^") else ref
    head, sep, tail = name.rpartition(":")
    return head if sep and tail.isdigit() else name


def _check_graph_def(graph_def, fn: str) -> None:
    if not isinstance(graph_def, protos.GraphDef):
        raise TypeError(f"{fn}: graph_def must be a tf.GraphDef, got "
                        f"{type(graph_def).__name__}")


def extract_sub_graph(graph_def: protos.GraphDef, dest_nodes) -> protos.GraphDef:
    """TF1 `tf.graph_util.extract_sub_graph`: the nodes `dest_nodes` (names) reach through
    data and control inputs, in their original order, with the library and versions."""
    _check_graph_def(graph_def, "extract_sub_graph")
    if isinstance(dest_nodes, str):
        raise TypeError("dest_nodes must be a list of node names, got a string")
    by_name = {n.name: n for n in graph_def.node}
    for d in dest_nodes:
        if d not in by_name:
            raise AssertionError(f"{d} is not in graph")
    keep, todo = set(), list(dest_nodes)
    while todo:
        name = todo.pop()
        if name in keep:
            continue
        keep.add(name)
        todo.extend(_node_name(ref) for ref in by_name[name].input)
    out = protos.GraphDef()
    out.node.extend(n for n in graph_def.node if n.name in keep)
    out.library.CopyFrom(graph_def.library)
    out.versions.CopyFrom(graph_def.versions)
    return out


def convert_variables_to_constants(sess, input_graph_def: protos.GraphDef, output_node_names,
                                   variable_names_whitelist: Optional[Iterable[str]] = None,
                                   variable_names_blacklist: Optional[Iterable[str]] = None
                                   ) -> protos.GraphDef:
    """TF1 `tf.graph_util.convert_variables_to_constants`: the subgraph `output_node_names`
    need, with every variable it reads replaced by a Const holding its value in `sess`
    (only the whitelisted ones, none of the blacklisted; names without ":0")."""
    _check_graph_def(input_graph_def, "convert_variables_to_constants")
    graph_def = extract_sub_graph(input_graph_def, output_node_names)
    allow = set(variable_names_whitelist) if variable_names_whitelist is not None else None
    deny = set(variable_names_blacklist or ())
    names = [n.name for n in graph_def.node if n.op in _VARIABLE_OPS
             and (allow is None or n.name in allow) and n.name not in deny]
    values = dict(zip(names, sess.run([f"{n}:0" for n in names]))) if names else {}
    out = protos.GraphDef()
    for node in graph_def.node:
        new = out.node.add()
        if node.name in values:
            value = np.asarray(values[node.name])
            new.name, new.op = node.name, "Const"
            dtype = node.attr["dtype"]
            new.attr["dtype"].CopyFrom(dtype)
            new.attr["value"].tensor.CopyFrom(protos.make_tensor_proto(
                value.astype(protos.as_graphc_dtype(dtype.type).np)
                if value.dtype != object else value))
        elif node.op == "ReadVariableOp" and _node_name(node.input[0]) in values:
            new.name, new.op = node.name, "Identity"
            new.input.extend(node.input)
            new.attr["T"].CopyFrom(node.attr["dtype"])
        else:
            new.CopyFrom(node)
    out.library.CopyFrom(graph_def.library)
    out.versions.CopyFrom(graph_def.versions)
    return out


def remove_training_nodes(input_graph: protos.GraphDef, protected_nodes=None) -> protos.GraphDef:
    """TF1 `tf.graph_util.remove_training_nodes`: drop CheckNumerics nodes and splice out
    Identity nodes (an input naming one is rewired to what it forwards), except protected
    nodes and nodes that take or give control edges."""
    _check_graph_def(input_graph, "remove_training_nodes")
    protected = set(protected_nodes or ())
    removed = {n.name for n in input_graph.node if n.op == "CheckNumerics"
               and n.name not in protected}
    kept = []
    for node in input_graph.node:
        if node.name in removed:
            continue
        new = protos.NodeDef()
        new.CopyFrom(node)
        del new.input[:]
        new.input.extend(r for r in node.input if _strip(r) not in removed)
        kept.append(new)
    control_targets, with_controls = set(), set()
    for node in kept:
        for ref in node.input:
            if ref.startswith("^"):
                control_targets.add(ref[1:])
                with_controls.add(node.name)
    splice = {n.name: n.input[0] for n in kept if n.op == "Identity" and n.input
              and n.name not in protected and n.name not in with_controls
              and n.name not in control_targets}
    out = protos.GraphDef()
    for node in kept:
        if node.name in splice:
            continue
        new = out.node.add()
        new.CopyFrom(node)
        del new.input[:]
        for ref in node.input:
            while _strip(ref) in splice:  # a control edge never names a spliced node
                ref = splice[_strip(ref)]
            new.input.append(ref)
    return out


def _strip(ref: str) -> str:
    return re.sub(r"^\^", "", ref)




# TF1's graph_util._VARIABLE_OPS: the ops `must_run_on_cpu` pins with pin_variables_on_cpu.
_PINNED_VARIABLE_OPS = frozenset((
    "Assign", "AssignAdd", "AssignSub", "Queue", "ScatterAdd", "ScatterSub", "ScatterUpdate",
    "TruncatedNormal", "Variable", "VariableV2"))


def tensor_shape_from_node_def_name(graph, input_name: str):
    """TF1 `tf.graph_util.tensor_shape_from_node_def_name`: the static shape of the
    tensor `input_name` names (a node name means its output 0)."""
    name = input_name if ":" in input_name else input_name + ":0"
    return graph.get_tensor_by_name(name).get_shape()


def must_run_on_cpu(node, pin_variables_on_cpu: bool = False) -> bool:
    """TF1 `tf.graph_util.must_run_on_cpu`: whether TF1 keeps the op (an Operation or a
    NodeDef) on the CPU: string and int32 constants, int32 DynamicStitch and Cast from
    int32, and with pin_variables_on_cpu the variable ops."""
    if isinstance(node, protos.NodeDef):
        op_type = node.op

        def dtype_of(attr):
            return protos.as_graphc_dtype(node.attr[attr].type).name \
                if attr in node.attr else None
    else:
        op_type = node.type

        def dtype_of(attr):
            t = node.inputs[0] if attr == "SrcT" else node.outputs[0]
            return t.dtype.name
    if pin_variables_on_cpu and op_type in _PINNED_VARIABLE_OPS:
        return True
    if op_type == "Const":
        return dtype_of("dtype") in ("string", "int32")
    if op_type in ("DynamicStitch", "ParallelDynamicStitch"):
        return dtype_of("T") == "int32"
    if op_type == "Cast":
        return dtype_of("SrcT") == "int32"
    return False
