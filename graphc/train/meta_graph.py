"""MetaGraphDef files (`.meta`): `tf.train.export_meta_graph`, the import's parts that
`tf.train.import_meta_graph` (graphc/train/saver.py, as it returns a Saver) puts together,
and the meta graph `Saver.save` writes beside each checkpoint.

A MetaGraphDef is the graph (graphc's GraphDef exporter), a SaverDef, the collections and
signatures. graphc's Saver keeps no ops in the graph, so the export adds TF1's saver
subgraph to the GraphDef (`save/Const` holding the prefix, `SaveV2` and `RestoreV2` with
the checkpoint keys, one `Assign` per variable, `save/restore_all`): TensorFlow imports a
graphc `.meta`, its `Saver(saver_def=...)` restores and saves with those nodes.

Import does the reverse: the saver's nodes (everything under its scope, `save/`; TF1 has
no other way to run SaveV2/RestoreV2) are left out of the import and read instead for the
checkpoint key of each variable, which gives the returned `tf.train.Saver` its var_list.
The variable collections (VariableDef bytes) become graphc Variables over the imported ops;
node lists become the named operations and tensors; bytes, int64 and float lists are kept
as values.
"""
from __future__ import annotations

from typing import Optional

import numpy as np
from google.protobuf import message as _message, text_format

from .. import protos
from .._version import __version__
from ..graphdef import attrs as A
from ..ir import context as _context
from ..ir import fileio
from ..ir.graph import Operation, Tensor
from ..variables import GraphKeys, Variable

MAX_BYTES = 2 << 30
_VARIABLE_COLLECTIONS = (GraphKeys.GLOBAL_VARIABLES, GraphKeys.TRAINABLE_VARIABLES,
                         GraphKeys.LOCAL_VARIABLES, GraphKeys.MODEL_VARIABLES,
                         GraphKeys.MOVING_AVERAGE_VARIABLES, GraphKeys.GLOBAL_STEP)


class MetaGraphFileError(ValueError):
    """A `.meta` file (or saved_model.pb) that cannot be read; names the file and why."""


# ---------------------------------------------------------------- files
def read_message(path: str, cls):
    """A binary or text protobuf message of class `cls` from `path` (bounded, named
    errors)."""
    path = str(path)

    def fail(message: str) -> MetaGraphFileError:
        return MetaGraphFileError(f"{path}: {message}")

    data = fileio.read_file(path, fail, MAX_BYTES)
    out = cls()
    try:
        out.ParseFromString(data)
        return out
    except (_message.DecodeError, RuntimeError) as exc:
        binary_error = exc
    try:
        text_format.Parse(data.decode("utf-8"), out)
        return out
    except (UnicodeDecodeError, text_format.ParseError) as exc:
        raise fail(f"not a {cls.DESCRIPTOR.name}: not binary ({binary_error}) nor text "
                   f"({str(exc)[:200]})") from None


def _write_message(message, path: str, as_text: bool) -> None:
    data = text_format.MessageToString(message).encode() if as_text else \
        message.SerializeToString(deterministic=True)
    fileio.atomic_write(path, lambda f: f.write(data))


# ---------------------------------------------------------------- export
def saver_scope(graph, base: str = "save") -> str:
    """A name scope for a Saver's nodes that no op of `graph` uses ("save", "save_1"...)."""
    names = {op.name.split("/")[0] for op in graph.get_operations()}
    scope, k = base, 0
    while scope in names:
        k += 1
        scope = f"{base}_{k}"
    return scope


def saver_def_for(scope: str, max_to_keep: int, keep_hours: float) -> protos.SaverDef:
    return protos.SaverDef(filename_tensor_name=f"{scope}/Const:0",
                           save_tensor_name=f"{scope}/control_dependency:0",
                           restore_op_name=f"{scope}/restore_all", max_to_keep=max_to_keep,
                           sharded=False, keep_checkpoint_every_n_hours=keep_hours,
                           version=protos.SaverDef.V2)


def _node(gd, name: str, op: str, inputs=(), **attrs) -> None:
    node = gd.node.add(name=name, op=op)
    node.input.extend(inputs)
    for key, value in attrs.items():
        node.attr[key].CopyFrom(value)


def _tensor(value) -> protos.AttrValue:
    out = protos.AttrValue()
    out.tensor.CopyFrom(protos.make_tensor_proto(value))
    return out


def _types(dtypes) -> protos.AttrValue:
    out = protos.AttrValue()
    out.list.type.extend(protos.as_datatype_enum(d) for d in dtypes)
    return out


def _colocated(name: str) -> protos.AttrValue:
    out = protos.AttrValue()
    out.list.s.append(f"loc:@{name}".encode())
    return out


def add_saver_nodes(gd: protos.GraphDef, scope: str, entries: list,
                    export_scope: Optional[str] = None) -> None:
    """Append TF1's V2 saver subgraph for [(checkpoint key, Variable, slice spec)] to
    `gd`: what `tf.train.Saver` builds, so TensorFlow's `Saver(saver_def=...)` runs it
    (only the variables under `export_scope`, named relative to it; a partitioned
    variable's parts are saved as slices of its key, TF1's shape_and_slices)."""
    string, scalar = A.encode("string", A.DTYPE), A.encode([], A.SHAPE)
    entries = sorted((e for e in entries if _strip_scope(e[1].op.name, export_scope)
                      is not None), key=lambda e: (e[0], e[2]))
    keys = [key for key, _, _ in entries]
    dtypes = [var.dtype for _, var, _ in entries]
    refs = [_strip_scope(var.op.name, export_scope) for _, var, _ in entries]

    def strings(values) -> protos.AttrValue:
        return _tensor(np.array([v.encode() for v in values], dtype=object))

    _node(gd, f"{scope}/filename/input", "Const", dtype=string,
          value=_tensor(np.array(b"model", dtype=object)))
    _node(gd, f"{scope}/filename", "PlaceholderWithDefault", [f"{scope}/filename/input"],
          dtype=string, shape=scalar)
    _node(gd, f"{scope}/Const", "PlaceholderWithDefault", [f"{scope}/filename"],
          dtype=string, shape=scalar)
    for kind in ("SaveV2", "RestoreV2"):
        _node(gd, f"{scope}/{kind}/tensor_names", "Const", dtype=string, value=strings(keys))
        _node(gd, f"{scope}/{kind}/shape_and_slices", "Const", dtype=string,
              value=strings([spec for _, _, spec in entries]))
    _node(gd, f"{scope}/SaveV2", "SaveV2", [f"{scope}/Const", f"{scope}/SaveV2/tensor_names",
                                            f"{scope}/SaveV2/shape_and_slices"] + refs,
          dtypes=_types(dtypes))
    _node(gd, f"{scope}/control_dependency", "Identity", [f"{scope}/Const", f"^{scope}/SaveV2"],
          T=string, _class=_colocated(f"{scope}/Const"))
    _node(gd, f"{scope}/RestoreV2", "RestoreV2", [f"{scope}/Const",
                                                  f"{scope}/RestoreV2/tensor_names",
                                                  f"{scope}/RestoreV2/shape_and_slices"],
          dtypes=_types(dtypes))
    assigns = []
    for i, (ref, dtype) in enumerate(zip(refs, dtypes)):
        name = f"{scope}/Assign" + (f"_{i}" if i else "")
        _node(gd, name, "Assign", [ref, f"{scope}/RestoreV2" + (f":{i}" if i else "")],
              T=A.encode(dtype, A.DTYPE), validate_shape=A.encode(True, A.BOOL),
              use_locking=A.encode(True, A.BOOL), _class=_colocated(ref))
        assigns.append(f"^{name}")
    _node(gd, f"{scope}/restore_all", "NoOp", assigns)


def _collection(meta: protos.MetaGraphDef, key: str, values: list, export_scope) -> None:
    if key in _VARIABLE_COLLECTIONS or all(isinstance(v, Variable) for v in values):
        defs = [v.to_proto(export_scope) for v in values if isinstance(v, Variable)]
        if defs and len(defs) == len(values):
            meta.collection_def[key].bytes_list.value.extend(
                d.SerializeToString() for d in defs if d is not None)
        return
    if all(isinstance(v, (Operation, Tensor)) for v in values):
        names = [_strip_scope(v.name, export_scope) for v in values]
        if any(n is not None for n in names):
            meta.collection_def[key].node_list.value.extend(n for n in names if n is not None)
    elif all(isinstance(v, (bytes, str)) for v in values):
        meta.collection_def[key].bytes_list.value.extend(
            v.encode() if isinstance(v, str) else v for v in values)
    elif all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        meta.collection_def[key].int64_list.value.extend(values)
    elif all(isinstance(v, float) for v in values):
        meta.collection_def[key].float_list.value.extend(values)
    # anything else (queue runners, summaries' writers, Python objects) is left out, as TF1


def export_meta_graph(filename: Optional[str] = None, meta_info_def=None, graph_def=None,
                      saver_def=None, collection_list=None, as_text: bool = False,
                      graph=None, export_scope: Optional[str] = None,
                      clear_devices: bool = False, clear_extraneous_savers: bool = False,
                      strip_default_attrs: bool = False, save_debug_info: bool = False,
                      **kwargs) -> protos.MetaGraphDef:
    """TF1 `tf.train.export_meta_graph`: the graph, its collections and `saver_def` (copied
    as is) as a MetaGraphDef, written to `filename` when given. (`Saver.export_meta_graph`
    and `Saver.save` add the Saver's own nodes and SaverDef.)"""
    return export_with_saver(filename, None, meta_info_def=meta_info_def,
                             graph_def=graph_def, saver_def=saver_def,
                             collection_list=collection_list, as_text=as_text, graph=graph,
                             export_scope=export_scope, clear_devices=clear_devices)


def _strip_scope(name: str, scope: Optional[str]) -> Optional[str]:
    """`name` relative to `scope` (None: outside it); a `^control` ref keeps its mark."""
    if not scope:
        return name
    mark, bare = ("^", name[1:]) if name.startswith("^") else ("", name)
    return mark + bare[len(scope) + 1:] if bare.startswith(scope + "/") else None


def scoped_graph_def(gd: protos.GraphDef, scope: Optional[str],
                     clear_devices: bool) -> protos.GraphDef:
    """TF1's export_scope: the nodes under `scope/` with the scope taken off their names
    and inputs (a node reading from outside the scope is an error naming it: the graph
    would not be whole); clear_devices: every node's device emptied."""
    if not scope and not clear_devices:
        return gd
    out = protos.GraphDef()
    out.versions.CopyFrom(gd.versions)
    out.library.CopyFrom(gd.library)
    for node in gd.node:
        name = _strip_scope(node.name, scope)
        if name is None:
            continue
        new = out.node.add()
        new.CopyFrom(node)
        new.name = name
        del new.input[:]
        for ref in node.input:
            inner = _strip_scope(ref, scope)
            if inner is None:
                raise ValueError(f"export_meta_graph(export_scope={scope!r}): node "
                                 f"'{node.name}' reads '{ref}', which is outside the scope")
            new.input.append(inner)
        if "_class" in new.attr:  # colocation with nodes, which are renamed too
            values = [v.decode() for v in new.attr["_class"].list.s]
            kept = [f"loc:@{_strip_scope(v[5:], scope)}" for v in values
                    if v.startswith("loc:@") and _strip_scope(v[5:], scope) is not None]
            del new.attr["_class"].list.s[:]
            new.attr["_class"].list.s.extend(v.encode() for v in kept)
        if clear_devices:
            new.device = ""
    return out


def export_with_saver(filename: Optional[str], saver, meta_info_def=None, graph_def=None,
                      saver_def=None, collection_list=None, as_text: bool = False,
                      graph=None, export_scope: Optional[str] = None,
                      clear_devices: bool = False) -> protos.MetaGraphDef:
    """The MetaGraphDef of `graph`; a graphc `saver` adds its save and restore nodes to the
    GraphDef and gives the SaverDef."""
    graph = graph or _context.get_default_graph()
    meta = protos.MetaGraphDef()
    if meta_info_def is not None:
        meta.meta_info_def.CopyFrom(meta_info_def)
    meta.meta_info_def.tensorflow_git_version = f"graphc-{__version__}"  # (the writer)
    gd = graph_def if graph_def is not None else graph.as_graph_def(add_shapes=True)
    meta.graph_def.CopyFrom(scoped_graph_def(gd, export_scope, clear_devices))
    if saver is not None:
        scope = saver_scope(graph)
        add_saver_nodes(meta.graph_def, scope, saver._save_entries(), export_scope)
        meta.saver_def.CopyFrom(saver_def_for(scope, saver._max_to_keep or 0,
                                              saver._keep_hours))
    elif saver_def is not None:
        meta.saver_def.CopyFrom(saver_def)
    keys = collection_list if collection_list is not None else graph.get_all_collection_keys()
    for key in keys:
        values = graph.get_collection(key)
        if values:
            _collection(meta, key, values, export_scope)
    if filename:
        _write_message(meta, filename, as_text)
    return meta


# ---------------------------------------------------------------- import
def _node_name(ref: str) -> str:
    ref = ref[1:] if ref.startswith("^") else ref
    head, sep, tail = ref.rpartition(":")
    return head if sep and tail.isdigit() else ref


_SAVER_OPS = ("SaveV2", "RestoreV2", "MergeV2Checkpoints", "ShardedFilename", "Save",
              "SaveSlices", "Restore", "RestoreSlice")


def split_saver(meta: protos.MetaGraphDef) -> tuple:
    """(the GraphDef without any saver's nodes, {checkpoint key: variable node name} of the
    saver the SaverDef names). A saver's nodes are those under the name scope of a node
    that saves or restores (`save/`, `save_1/`, ...)."""
    gd = meta.graph_def
    scopes = {n.name[:n.name.rindex("/") + 1] for n in gd.node
              if n.op in _SAVER_OPS and "/" in n.name}
    restore = meta.saver_def.restore_op_name
    main = restore[:restore.rindex("/") + 1] if "/" in restore else None
    if main:
        scopes.add(main)
    inside = {n.name: n for n in gd.node if any(n.name.startswith(s) for s in scopes)}
    keys: dict = {}
    for node in inside.values():
        if node.op != "RestoreV2" or not node.name.startswith(main or "\0"):
            continue
        names_node = inside.get(_node_name(node.input[1])) if len(node.input) > 1 else None
        if names_node is None or names_node.op != "Const":
            continue
        names = protos.make_ndarray(names_node.attr["value"].tensor).reshape(-1)
        for user in inside.values():
            if user.op not in ("Assign", "AssignVariableOp") or len(user.input) < 2:
                continue
            value = user.input[1]
            source = inside.get(_node_name(value))
            if source is not None and source.op == "Identity" and source.input:
                value = source.input[0]  # resource variables restore through an Identity
            if _node_name(value) == node.name:
                head, _, index = value.rpartition(":")
                k = int(index) if head and index.isdigit() else 0
                keys[names[k].decode()] = _node_name(user.input[0])
    kept = protos.GraphDef()
    kept.versions.CopyFrom(gd.versions)
    kept.library.CopyFrom(gd.library)
    for node in gd.node:
        if node.name in inside:
            continue
        needs = [_node_name(r) for r in node.input if _node_name(r) in inside]
        if needs:
            raise MetaGraphFileError(f"node '{node.name}' ({node.op}) reads the saver's node "
                                     f"'{needs[0]}'; graphc runs the saver's nodes itself")
        kept.node.add().CopyFrom(node)
    return kept, keys


def restore_collections(meta, graph, import_scope: Optional[str]) -> None:
    def scoped(name: str) -> str:
        return f"{import_scope}/{name}" if import_scope else name

    variables: dict = {}
    for key in sorted(meta.collection_def):
        col = meta.collection_def[key]
        kind = col.WhichOneof("kind")
        if kind == "bytes_list" and key in _VARIABLE_COLLECTIONS:
            for raw in col.bytes_list.value:
                vdef = protos.VariableDef.FromString(raw)
                if vdef.variable_name not in variables:
                    with graph.as_default():
                        variables[vdef.variable_name] = Variable(variable_def=vdef,
                                                                 import_scope=import_scope)
                graph.add_to_collection(key, variables[vdef.variable_name])
        elif kind == "node_list":
            for name in col.node_list.value:
                graph.add_to_collection(key, graph.as_graph_element(scoped(name)))
        elif kind is not None:
            for value in getattr(col, kind).value:
                graph.add_to_collection(key, value)
