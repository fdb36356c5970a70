"""The `.graphc` graph file: a zip holding `graph.json` (the structure) and one `.npy`
entry per array attribute. No pickle anywhere; writes are atomic (temporary file, then
rename); loading validates everything and never executes anything from the file.

graph.json:
    {"format": "graphc-graph", "version": 1, "seed": null | int,
     "ops": [{"name": str, "type": str, "inputs": ["op:0", ...], "control_inputs": [str],
              "attrs": {key: value}, "site": [file, line, function] | null,
              "subgraphs": {key: {"ops": [...]}}}, ...],
     "collections": {key: ["op" | "op:0", ...]}}

Attribute values are tagged: {"b": bool}, {"i": int}, {"f": float | "nan" | "inf" |
"-inf"}, {"s": str}, {"none": true}, {"dtype": name}, {"shape": null | [int | null]},
{"tensor": "arrays/N.npy"}, {"strings": [base64], "shape": [int]}, {"list": [...]},
{"tuple": [...]}.

A loaded file becomes a `GraphDef` (validated JSON plus its arrays); `import_graph_def`
adds its ops to a Graph through `Graph.create_op`, so every op is inferred and checked
exactly as when a program builds it. A malformed or hostile file (truncated, wrong types,
unknown ops, dangling inputs, huge or pickled arrays, zip bombs) raises `GraphFileError`
naming the file, the op and what is wrong.
"""
from __future__ import annotations

import base64
import io
import json
import math
import os
import tempfile
import zipfile
from typing import Optional

import numpy as np

from . import dtypes as dt
from .fileio import ZipArchive, atomic_write, check_dims, expansion_allowed, parse_json
from .graph import DerivedGraph, Graph, Operation, Tensor
from .registry import get_opdef
from .shapes import TensorShape
from .site import Site

FORMAT = "graphc-graph"
VERSION = 1
LIMITS = {
    "file_bytes": 4 << 30,        # the whole zip
    "json_bytes": 512 << 20,      # graph.json uncompressed
    "array_bytes": 2 << 30,       # one array, uncompressed
    "total_bytes": 8 << 30,       # all entries, uncompressed
    "ops": 2_000_000,
    "depth": 16,                  # nested subgraphs
    "compression_ratio": 50,      # uncompressed : file (graph.json compresses about 25:1)
    "expansion_floor": 16 << 20,  # ... or up to this (fileio.expansion_allowed)
}


class GraphFileError(ValueError):
    """A `.graphc` file that cannot be loaded; says which file, which op, and why."""


# ---------------------------------------------------------------- writing
class _Writer:
    def __init__(self) -> None:
        self.arrays: list[np.ndarray] = []

    def value(self, v):
        if isinstance(v, bool) or isinstance(v, np.bool_):
            return {"b": bool(v)}
        if isinstance(v, (int, np.integer)):
            return {"i": int(v)}
        if isinstance(v, (float, np.floating)):
            f = float(v)
            return {"f": f if math.isfinite(f) else repr(f)}
        if isinstance(v, str):
            return {"s": v}
        if v is None:
            return {"none": True}
        if isinstance(v, dt.DType):
            return {"dtype": v.name}
        if isinstance(v, TensorShape):
            dims = v.as_tuple()
            return {"shape": None if dims is None else list(dims)}
        if isinstance(v, np.ndarray):
            if v.dtype.kind == "O":
                flat = [base64.b64encode(x if isinstance(x, bytes) else str(x).encode())
                        .decode("ascii") for x in v.reshape(-1)]
                return {"strings": flat, "shape": list(v.shape)}
            self.arrays.append(v)  # (np.ascontiguousarray would make a 0-d array 1-d)
            return {"tensor": f"arrays/{len(self.arrays) - 1}.npy"}
        if isinstance(v, list):
            return {"list": [self.value(x) for x in v]}
        if isinstance(v, tuple):
            return {"tuple": [self.value(x) for x in v]}
        raise TypeError(f"cannot write an attribute value of type {type(v).__name__}")

    def graph(self, graph: Graph) -> dict:
        ops = []
        for op in graph.get_operations():
            entry = {"name": op.name, "type": op.type,
                     "inputs": [t.name for t in op.inputs],
                     "control_inputs": [c.name for c in op.control_inputs],
                     "attrs": {k: self.value(v) for k, v in op.attrs.items()}}
            if op.gradient_op_type is not None:  # TF1's attr; create_op takes it back
                entry["attrs"]["_gradient_op_type"] = self.value(op.gradient_op_type)
            if op.site is not None:
                entry["site"] = [op.site.filename, op.site.lineno, op.site.function]
            if op.subgraphs:
                entry["subgraphs"] = {k: self.graph(g) for k, g in op.subgraphs.items()}
            ops.append(entry)
        return {"ops": ops}


def graph_to_json(graph: Graph) -> tuple[dict, list]:
    """(graph.json's document, the arrays it refers to) for `graph`."""
    w = _Writer()
    doc = {"format": FORMAT, "version": VERSION, "seed": graph.seed}
    doc.update(w.graph(graph))
    collections = {}
    for key in graph.get_all_collection_keys():
        names = [item.name for item in graph.get_collection(key)
                 if isinstance(item, (Tensor, Operation))]
        if names:
            collections[key] = names
    doc["collections"] = collections
    return doc, w.arrays


def _write_zip(f, doc: dict, arrays: list) -> None:
    """Write the zip to `f` deflated, or stored when deflating would make a file that
    expands more than a reader allows (large constant arrays of zeros)."""
    start = f.tell()
    for method in (zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED):
        f.seek(start)
        f.truncate()
        with zipfile.ZipFile(f, "w", method) as z:
            z.writestr("graph.json", json.dumps(doc, indent=1, allow_nan=False))
            for i, a in enumerate(arrays):
                buf = io.BytesIO()
                np.save(buf, a, allow_pickle=False)
                z.writestr(f"arrays/{i}.npy", buf.getvalue())
            total = sum(info.file_size for info in z.infolist())
        if total <= expansion_allowed(f.tell() - start, LIMITS):
            return


def write_graph_file(graph, path: str) -> str:
    """Write `graph` (a Graph or GraphDef) to `path` atomically; returns the path."""
    if isinstance(graph, GraphDef):
        doc, arrays = graph.doc, [graph.arrays[f"arrays/{i}.npy"]
                                  for i in range(len(graph.arrays))]
    else:
        doc, arrays = graph_to_json(graph)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    atomic_write(path, lambda f: _write_zip(f, doc, arrays))
    return path


# ---------------------------------------------------------------- reading
class GraphDef:
    """A validated `.graphc` document and its arrays; `import_graph_def` builds it."""

    def __init__(self, doc: Optional[dict] = None, arrays: Optional[dict] = None,
                 source: str = "<memory>") -> None:
        self.doc = doc if doc is not None else {"format": FORMAT, "version": VERSION,
                                                "seed": None, "ops": [], "collections": {}}
        self.arrays = arrays or {}
        self.source = source

    @property
    def ops(self) -> list:
        return self.doc["ops"]

    @classmethod
    def from_graph(cls, graph: Graph) -> "GraphDef":
        doc, arrays = graph_to_json(graph)
        return cls(doc, {f"arrays/{i}.npy": a for i, a in enumerate(arrays)})

    @property
    def node(self) -> list:
        """TF1's `graph_def.node`: the ops, as dicts with name, type (op), inputs."""
        return self.ops

    def SerializeToString(self) -> bytes:  # noqa: N802 - TF1's name
        buf = io.BytesIO()
        _write_zip(buf, self.doc, [self.arrays[f"arrays/{i}.npy"]
                                   for i in range(len(self.arrays))])
        return buf.getvalue()

    def ParseFromString(self, data: bytes) -> None:  # noqa: N802 - TF1's name
        with tempfile.NamedTemporaryFile(suffix=".graphc") as f:
            f.write(data)
            f.flush()
            loaded = read_graph_file(f.name)
        self.doc, self.arrays, self.source = loaded.doc, loaded.arrays, "<bytes>"

    def __repr__(self) -> str:
        return f"<GraphDef {len(self.ops)} ops from {self.source}>"


def read_graph_file(path: str, limits: Optional[dict] = None) -> GraphDef:
    """Open, check and decode a `.graphc` file (nothing in it is executed)."""
    lim = dict(LIMITS, **(limits or {}))
    where = str(path)

    def fail(message: str) -> GraphFileError:
        return GraphFileError(f"{where}: {message}")

    zip_limits = {"file_bytes": lim["file_bytes"], "total_bytes": lim["total_bytes"],
                  "entry_bytes": max(lim["array_bytes"], lim["json_bytes"]),
                  "compression_ratio": lim["compression_ratio"],
                  "expansion_floor": lim["expansion_floor"]}
    with ZipArchive(path, fail, zip_limits,
                    kind="a graphc graph file (a zip holding graph.json)") as z:
        info = z.entries.get("graph.json")
        if info is None:
            raise fail("graph.json is missing")
        if info.file_size > lim["json_bytes"]:
            raise fail(f"graph.json is {info.file_size} bytes, more than the limit of "
                       f"{lim['json_bytes']}")
        doc = parse_json(z.read("graph.json"), fail, "graph.json")
        _check_document(doc, fail, lim)
        arrays = {}
        for ref in _tensor_refs(doc["ops"]):
            if ref in arrays:
                continue
            if ref not in z.entries:
                raise fail(f"the array entry {ref} is missing")
            if z.entries[ref].file_size > lim["array_bytes"]:
                raise fail(f"array {ref} is {z.entries[ref].file_size} bytes, more than the "
                           f"limit of {lim['array_bytes']}")
            arrays[ref] = z.read_npy(ref)
    return GraphDef(doc, arrays, where)


def _tensor_refs(ops):
    for op in ops:
        for value in op.get("attrs", {}).values():
            yield from _refs_in(value)
        for sub in op.get("subgraphs", {}).values():
            yield from _tensor_refs(sub["ops"])


def _refs_in(value):
    if isinstance(value, dict):
        if "tensor" in value:
            yield value["tensor"]
        for key in ("list", "tuple"):
            for v in value.get(key, ()):
                yield from _refs_in(v)


_TAGS = {"b", "i", "f", "s", "none", "dtype", "shape", "tensor", "strings", "list", "tuple"}


def _check_document(doc, fail, lim) -> None:
    if not isinstance(doc, dict):
        raise fail("graph.json must hold an object")
    if doc.get("format") != FORMAT:
        raise fail(f"format is {doc.get('format')!r}, expected {FORMAT!r}")
    version = doc.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise fail("version must be an integer")
    if version > VERSION:
        raise fail(f"version {version} is newer than this graphc reads ({VERSION}); "
                   "upgrade graphc")
    seed = doc.get("seed")
    if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool)):
        raise fail("seed must be an integer or null")
    collections = doc.get("collections", {})
    if not isinstance(collections, dict) or not all(
            isinstance(k, str) and isinstance(v, list) and all(isinstance(n, str) for n in v)
            for k, v in collections.items()):
        raise fail("collections must map names to lists of op or tensor names")
    count = [0]
    _check_ops(doc.get("ops"), fail, lim, count, 0, "graph")


def _check_ops(ops, fail, lim, count, depth, where) -> None:
    if depth > lim["depth"]:
        raise fail(f"subgraphs nest deeper than {lim['depth']}")
    if not isinstance(ops, list):
        raise fail(f"{where}: 'ops' must be a list")
    for i, op in enumerate(ops):
        count[0] += 1
        if count[0] > lim["ops"]:
            raise fail(f"more than {lim['ops']} ops")
        label = f"{where} op #{i}"
        if not isinstance(op, dict):
            raise fail(f"{label} must be an object")
        name, kind = op.get("name"), op.get("type")
        if not isinstance(name, str) or not name or len(name) > 1024:
            raise fail(f"{label}: 'name' must be a non-empty string")
        label = f"{where} op '{name}'"
        if not isinstance(kind, str) or not kind:
            raise fail(f"{label}: 'type' must be a non-empty string")
        for key in ("inputs", "control_inputs"):
            items = op.get(key, [])
            if not isinstance(items, list) or not all(isinstance(x, str) for x in items):
                raise fail(f"{label}: '{key}' must be a list of names")
        attrs = op.get("attrs", {})
        if not isinstance(attrs, dict):
            raise fail(f"{label}: 'attrs' must be an object")
        for key, value in attrs.items():
            try:
                _check_value(value, 0)
            except ValueError as exc:
                raise fail(f"{label}: attribute '{key}': {exc}") from None
        site = op.get("site")
        if site is not None and not (isinstance(site, list) and len(site) == 3 and
                                     isinstance(site[0], str) and isinstance(site[1], int)
                                     and isinstance(site[2], str)):
            raise fail(f"{label}: 'site' must be [file, line, function]")
        subgraphs = op.get("subgraphs", {})
        if not isinstance(subgraphs, dict):
            raise fail(f"{label}: 'subgraphs' must be an object")
        for key, sub in subgraphs.items():
            if not isinstance(sub, dict):
                raise fail(f"{label}: subgraph '{key}' must be an object")
            _check_ops(sub.get("ops"), fail, lim, count, depth + 1, f"{label} / {key}")


def _check_value(value, depth: int) -> None:
    if depth > 32:
        raise ValueError("nested too deeply")
    if not isinstance(value, dict) or len(value) not in (1, 2) or not set(value) <= _TAGS:
        raise ValueError(f"not a tagged value: {str(value)[:80]}")
    (tag, v), *rest = value.items()
    if tag == "strings":
        shape = value.get("shape")
        if not (isinstance(v, list) and all(isinstance(x, str) for x in v)):
            raise ValueError("'strings' must be a list of base64 strings")
        check_dims(shape, allow_unknown=False)
        if int(np.prod(shape, dtype=object)) != len(v):
            raise ValueError("'strings' does not hold shape's number of entries")
        return
    if rest:
        raise ValueError(f"unexpected keys {sorted(value)}")
    ok = {"b": lambda: isinstance(v, bool),
          "i": lambda: isinstance(v, int) and not isinstance(v, bool),
          "f": lambda: (isinstance(v, (int, float)) and not isinstance(v, bool)) or
          v in ("nan", "inf", "-inf"),
          "s": lambda: isinstance(v, str),
          "none": lambda: v is True,
          "dtype": lambda: isinstance(v, str),
          "tensor": lambda: isinstance(v, str) and v.startswith("arrays/") and
          v.endswith(".npy") and ".." not in v,
          "list": lambda: isinstance(v, list), "tuple": lambda: isinstance(v, list),
          "shape": lambda: True}[tag]()
    if not ok:
        raise ValueError(f"bad '{tag}' value {str(v)[:80]}")
    if tag == "dtype":
        try:
            dt.as_dtype(v)
        except (TypeError, ValueError, KeyError):
            raise ValueError(f"unknown dtype {v!r}") from None
    if tag == "shape" and v is not None:
        check_dims(v, allow_unknown=True)
    if tag in ("list", "tuple"):
        for x in v:
            _check_value(x, depth + 1)


def _decode(value, arrays):
    (tag, v), *_ = value.items()
    if tag == "b" or tag == "i" or tag == "s":
        return v
    if tag == "f":
        return float(v)
    if tag == "none":
        return None
    if tag == "dtype":
        return dt.as_dtype(v)
    if tag == "shape":
        return TensorShape(None if v is None else v)
    if tag == "tensor":
        return arrays[v]
    if tag == "strings":
        return np.array([base64.b64decode(x, validate=True) for x in v],
                        dtype=object).reshape(value["shape"])
    if tag == "list":
        return [_decode(x, arrays) for x in v]
    return tuple(_decode(x, arrays) for x in v)


# ---------------------------------------------------------------- importing
def import_graph_def(graph_def: GraphDef, graph: Graph, input_map: Optional[dict] = None,
                     prefix: str = "") -> dict:
    """Add `graph_def`'s ops to `graph` (names prefixed by `prefix/` when given); returns
    {name in the file: Operation}. `input_map` maps "op:0" names to existing Tensors."""
    input_map = dict(input_map or {})
    created: dict = {}
    _build(graph_def, graph_def.ops, graph, input_map, prefix, created, "graph")
    if graph_def.doc.get("seed") is not None and graph.seed is None:
        graph.seed = graph_def.doc["seed"]
    for key, names in graph_def.doc.get("collections", {}).items():
        for name in names:
            op_name, _, index = name.partition(":")
            op = created.get(op_name)
            if op is None:
                continue
            item = op if not index else op.outputs[int(index)] if index.isdigit() and \
                int(index) < len(op.outputs) else None
            if item is not None:
                graph.add_to_collection(key, item)
    return created


def _build(gd, ops, graph, input_map, prefix, created, where) -> None:
    source = gd.source
    for spec in ops:
        name, kind = spec["name"], spec["type"]
        label = f"{source}: {where} op '{name}' ({kind})"
        try:
            get_opdef(kind)
        except LookupError:
            raise GraphFileError(f"{label}: unknown op type {kind!r}") from None
        inputs = []
        for ref in spec.get("inputs", []):
            if ref in input_map:
                inputs.append(input_map[ref])
                continue
            op_name, _, index = ref.partition(":")
            producer = created.get(op_name)
            if producer is None or not index.isdigit() or int(index) >= len(producer.outputs):
                raise GraphFileError(f"{label}: input {ref!r} is not an output of an "
                                     "earlier op")
            inputs.append(producer.outputs[int(index)])
        controls = []
        for ref in spec.get("control_inputs", []):
            if ref not in created:
                raise GraphFileError(f"{label}: control input {ref!r} is not an earlier op")
            controls.append(created[ref])
        try:
            attrs = {k: _decode(v, gd.arrays) for k, v in spec.get("attrs", {}).items()}
        except (ValueError, KeyError, TypeError) as exc:
            raise GraphFileError(f"{label}: bad attribute: {exc}") from None
        subgraphs = {}
        for key, sub in spec.get("subgraphs", {}).items():
            body = DerivedGraph()  # node bodies (fused groups) are derived graphs
            body_created: dict = {}
            _build(gd, sub["ops"], body, {}, "", body_created, f"{where} op '{name}' / {key}")
            subgraphs[key] = body
        site = Site(*spec["site"]) if spec.get("site") else None
        full = f"{prefix}/{name}" if prefix else name
        try:
            op = graph.create_op(kind, inputs, attrs, name=full + "/", control_inputs=controls,
                                 subgraphs=subgraphs or None, site=site)
        except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
            message = str(exc).split("\n  File ")[0]
            raise GraphFileError(f"{label}: {message}") from None
        created[name] = op
