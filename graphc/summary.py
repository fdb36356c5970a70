"""`tf.summary`: scalar, histogram, image, audio, text and tensor summaries, merge/merge_all,
and FileWriter, which writes TensorBoard event files (TFRecord framing with masked CRC32C;
Event and Summary protocol buffers encoded by `graphc.ir.proto`, the GraphDef by
`graphc.protos`; PNG and WAV by `graphc.ir.media`). TensorBoard shows them over steps,
and the graph in its graph tab; `read_events` and `decode_summary` read them back.
"""
from __future__ import annotations

import os
import re
import socket
import threading
import time
from typing import Optional

import numpy as np

from . import protos
from .ir import context as _context
from .ir import media, proto, tensor_proto
from .ir.dtypes import DType
from .ir.ops import summary_ops as _ops
from .variables import GraphKeys



_INVALID_TAG_CHARACTERS = re.compile(r"[^-/\w.]")


def clean_tag(name: Optional[str]) -> Optional[str]:
    """TF1's summary-name cleaning: each character a tag may not hold becomes '_' and
    leading slashes go, so `tf.summary.histogram(var.name, var)` with 'W1:0' is tagged
    'W1_0' (TF1 logs the change at INFO level)."""
    if name is None:
        return None
    cleaned = _INVALID_TAG_CHARACTERS.sub("_", name).lstrip("/")
    if cleaned != name:
        from . import logging
        logging.info("Summary name %s is illegal; using %s instead.", name, cleaned)
    return cleaned


def _summary(builder, name: str, value, collections, family: Optional[str]):
    """Build a summary op in the scope `[family/]name`, whose string is its tag (TF1's
    summary_scope), and add it to `collections` (GraphKeys.SUMMARIES by default)."""
    graph = _context.get_default_graph()
    name, family = clean_tag(name), clean_tag(family)
    with graph.name_scope(f"{family}/{name}" if family else name) as scope:
        op = builder(scope.rstrip("/"), value, name=scope)
    for key in collections if collections is not None else [GraphKeys.SUMMARIES]:
        graph.add_to_collection(key, op)
    return op


def scalar(name: str, tensor, collections=None, family: Optional[str] = None):
    """A scalar summary of `tensor` tagged with the name scope (TF1's tag rule)."""
    return _summary(_ops.scalar_summary, name, tensor, collections, family)


def histogram(name: str, values, collections=None, family: Optional[str] = None):
    """A histogram summary of `values` (TF1's default bucket edges)."""
    return _summary(_ops.histogram_summary, name, values, collections, family)


def image(name: str, tensor, max_outputs: int = 3, collections=None,
          family: Optional[str] = None):
    """Up to `max_outputs` images of the 4-D `tensor` ([batch, height, width, 1|3|4]) as
    PNGs, tagged `name/image/i` (`name/image` when max_outputs is 1), as TF1."""
    return _summary(lambda tag, value, name: _ops.image_summary(tag, value, max_outputs, name),
                    name, tensor, collections, family)


def audio(name: str, tensor, sample_rate, max_outputs: int = 3, collections=None,
          family: Optional[str] = None):
    """Up to `max_outputs` clips of `tensor` ([batch, frames, channels] or [batch, frames],
    float32 in [-1, 1]) as 16-bit WAV at `sample_rate` Hz, tagged `name/audio/i`."""
    return _summary(lambda tag, value, name: _ops.audio_summary(tag, value, sample_rate,
                                                                max_outputs, name),
                    name, tensor, collections, family)


def text(name: str, tensor, collections=None):
    """A string tensor for TensorBoard's text tab (a tensor summary of plugin "text")."""
    from .ir.ops._base import convert_to_tensor
    tensor = convert_to_tensor(tensor)
    if not tensor.dtype.is_string:
        raise ValueError(f"Expected tensor {tensor.name} to have dtype string, got "
                         f"{tensor.dtype.name}")
    return _summary(lambda tag, value, name: _ops.tensor_summary(tag, value, "text",
                                                                 name=name),
                    name, tensor, collections, None)


def tensor_summary(name: str, tensor, summary_description: Optional[str] = None,
                   collections=None, summary_metadata=None, family: Optional[str] = None,
                   display_name: Optional[str] = None):
    """The tensor itself, as a TensorProto in the Summary (TF1's tensor_summary);
    `summary_metadata` may be an object with TF's SummaryMetadata fields."""
    plugin = ""
    if summary_metadata is not None:
        plugin = getattr(getattr(summary_metadata, "plugin_data", None), "plugin_name", "")
        display_name = display_name or getattr(summary_metadata, "display_name", "")
        summary_description = summary_description or getattr(summary_metadata,
                                                             "summary_description", "")
    return _summary(lambda tag, value, name: _ops.tensor_summary(
        tag, value, plugin or "", display_name or "", summary_description or "", name=name),
        name, tensor, collections, family)


def merge(inputs, collections=None, name: Optional[str] = None):
    """One serialized Summary holding all of `inputs`."""
    graph = _context.get_default_graph()
    op = _ops.merge_summary(list(inputs), name=name)
    for key in collections or []:
        graph.add_to_collection(key, op)
    return op


def merge_all(key: str = GraphKeys.SUMMARIES, scope: Optional[str] = None, name=None):
    """Merge every summary in the collection `key`; None when there are none (TF1)."""
    items = _context.get_default_graph().get_collection(key, scope)
    return merge(items, name=name) if items else None


class Summary:
    """TF1's `tf.Summary` message for summaries built in Python:
    `tf.Summary(value=[tf.Summary.Value(tag="acc", simple_value=0.9)])`."""

    class Value:
        def __init__(self, tag: str = "", simple_value: Optional[float] = None,
                     histo=None) -> None:
            self.tag = tag
            self.simple_value = simple_value
            self.histo = histo

    def __init__(self, value=None) -> None:
        self.value = list(value or [])

    def SerializeToString(self) -> bytes:  # noqa: N802 - TF1's name
        parts = []
        for v in self.value:
            if v.simple_value is not None:
                parts.append(_ops._scalar_bytes(v.tag, v.simple_value))
            elif v.histo is not None:
                parts.append(_ops.histogram_bytes(v.tag, v.histo))
        return b"".join(parts)


# ---------------------------------------------------------------- event files


def _event(step: int = 0, **what) -> bytes:
    fields = [(1, "double", time.time()), (2, "varint", int(step))]
    numbers = {"file_version": 3, "graph_def": 4, "summary": 5, "tagged_run_metadata": 8}
    for key, value in what.items():
        fields.append((numbers[key], "bytes", value))
    return proto.message(*fields)


def node_def(op, output_shapes: bool = False):
    """`op` as a TensorFlow NodeDef message: name, op type, inputs as TF writes them ("x",
    "x:1", "^ctrl"), the output dtype ("T"/"dtype"), its attributes, and with
    `output_shapes` the `_output_shapes` attribute (shapes on TensorBoard's edges). TF1
    prints an Operation as this message's text."""
    node = protos.NodeDef(name=op.name, op=op.type)
    node.input.extend([t.op.name if t.value_index == 0 else f"{t.op.name}:{t.value_index}"
                       for t in op.inputs] + [f"^{c.name}" for c in op.control_inputs])
    if op.outputs:
        code = protos.DATATYPES.get(op.outputs[0].dtype.name)
        if code is not None:
            node.attr["T" if op.inputs else "dtype"].type = code
        if output_shapes:
            node.attr["_output_shapes"].list.shape.extend(
                protos.shape_to_proto(t.shape) for t in op.outputs)
    for key, value in op.attrs.items():
        if isinstance(value, bool):
            node.attr[key].b = value
        elif isinstance(value, int):
            node.attr[key].i = value
        elif isinstance(value, str):
            node.attr[key].s = value.encode()
        elif isinstance(value, DType) and value.name in protos.DATATYPES:
            node.attr[key].type = protos.DATATYPES[value.name]
    return node


def tensorboard_graph_def(graph) -> bytes:
    """The graph as a TensorFlow GraphDef protocol buffer, for TensorBoard's graph tab:
    each op's node_def with `_output_shapes`."""
    gd = protos.GraphDef()
    gd.node.extend(node_def(op, output_shapes=True) for op in graph.get_operations())
    gd.versions.producer = 27
    return gd.SerializeToString(deterministic=True)


class FileWriter:
    """TF1 `tf.summary.FileWriter`: event files TensorBoard reads, in `logdir`."""

    def __init__(self, logdir: str, graph=None, max_queue: int = 10, flush_secs: int = 120,
                 graph_def=None, filename_suffix: Optional[str] = None, session=None) -> None:
        self._logdir = str(logdir)
        os.makedirs(self._logdir, exist_ok=True)
        name = f"events.out.tfevents.{int(time.time())}.{socket.gethostname()}"
        self._path = os.path.join(self._logdir, name + (filename_suffix or ""))
        self._file = open(self._path, "ab")
        self._lock = threading.Lock()
        self._closed = False
        self._write(_event(file_version="brain.Event:2"))
        if graph is not None or graph_def is not None:
            self.add_graph(graph, graph_def=graph_def)

    def get_logdir(self) -> str:
        return self._logdir

    def _write(self, event: bytes) -> None:
        with self._lock:
            if self._closed:
                raise RuntimeError("the FileWriter is closed")
            self._file.write(proto.record(event))  # TFRecord framing

    def add_summary(self, summary, global_step: Optional[int] = None) -> None:
        """Write a serialized Summary (what `sess.run` of a summary op returns) or a
        `tf.Summary` at step `global_step`."""
        if hasattr(summary, "SerializeToString"):
            summary = summary.SerializeToString()
        if hasattr(summary, "item") and not isinstance(summary, bytes):
            summary = summary.item()
        if not isinstance(summary, bytes):
            raise TypeError("add_summary needs a serialized Summary (bytes) or a tf.Summary, "
                            f"got {type(summary).__name__}")
        self._write(_event(int(global_step or 0), summary=summary))

    def add_graph(self, graph, global_step: Optional[int] = None, graph_def=None) -> None:
        if graph is None and isinstance(graph_def, protos.GraphDef):
            self._write(_event(int(global_step or 0), graph_def=graph_def.SerializeToString()))
            return
        if graph is None and graph_def is not None and hasattr(graph_def, "doc"):
            from .ir.graph import Graph
            from .ir.serialize import import_graph_def
            graph = Graph()
            import_graph_def(graph_def, graph)
        if graph is None:
            return
        self._write(_event(int(global_step or 0), graph_def=tensorboard_graph_def(graph)))

    def add_run_metadata(self, run_metadata, tag: str, global_step: Optional[int] = None
                         ) -> None:
        """TF1: write `run_metadata` (a RunMetadata a traced Session.run filled) as the
        event TensorBoard's graph tab shows under `tag` (its step stats per node)."""
        if not hasattr(run_metadata, "SerializeToString"):
            raise TypeError("add_run_metadata needs a tf.RunMetadata, got "
                            f"{type(run_metadata).__name__}")
        tagged = proto.message((1, "bytes", str(tag)),
                               (2, "bytes", run_metadata.SerializeToString()))
        self._write(_event(int(global_step or 0), tagged_run_metadata=tagged))

    def flush(self) -> None:
        with self._lock:
            if not self._closed:
                self._file.flush()

    def close(self) -> None:
        with self._lock:
            if not self._closed:
                self._file.close()
                self._closed = True

    def reopen(self) -> None:
        with self._lock:
            if self._closed:
                self._file = open(self._path, "ab")
                self._closed = False

    def __enter__(self) -> "FileWriter":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def read_events(path: str) -> list:
    """Decode an event file written by FileWriter, checking every record's length and
    CRC32C: [{"step", "wall_time", and "file_version" | "graph_def" | "summary" |
    "tagged_run_metadata" ({"tag", "run_metadata": serialized RunMetadata})}]."""
    events = []
    with open(path, "rb") as f:
        for body in proto.read_records(f.read):
            fields = proto.decode(body)
            event = {"wall_time": fields.get(1, [0.0])[0], "step": fields.get(2, [0])[0]}
            if 3 in fields:
                event["file_version"] = fields[3][0].decode()
            if 4 in fields:
                event["graph_def"] = fields[4][0]
            if 5 in fields:
                event["summary"] = decode_summary(fields[5][0])
            if 8 in fields:
                tagged = proto.decode(fields[8][0])
                event["tagged_run_metadata"] = {"tag": tagged.get(1, [b""])[0].decode(),
                                                "run_metadata": tagged.get(2, [b""])[0]}
            events.append(event)
    return events


def decode_summary(data: bytes) -> list:
    """The values of a serialized Summary, as (tag, what) pairs: a float for scalars;
    {"min", "max", "num", "sum", "bucket_limit", "bucket"} for histograms; {"height",
    "width", "colorspace", "pixels" (decoded PNG)} for images; {"sample_rate",
    "num_channels", "length_frames", "content_type", "samples" (decoded WAV)} for audio;
    {"tensor", "plugin_name", "display_name", "description"} for tensor summaries."""
    values = []
    for raw in proto.decode(data).get(1, []):
        v = proto.decode(raw)
        tag = v[1][0].decode()
        if 2 in v:
            values.append((tag, v[2][0]))
        elif 5 in v:
            h = proto.decode(v[5][0])
            values.append((tag, {"min": h.get(1, [0.0])[0], "max": h.get(2, [0.0])[0],
                                 "num": h.get(3, [0.0])[0], "sum": h.get(4, [0.0])[0],
                                 "bucket_limit": proto.packed_doubles(h.get(6, [b""])[0]),
                                 "bucket": proto.packed_doubles(h.get(7, [b""])[0])}))
        elif 4 in v:
            im = proto.decode(v[4][0])
            values.append((tag, {"height": im[1][0], "width": im[2][0],
                                 "colorspace": im[3][0],
                                 "pixels": media.decode_png(im[4][0])}))
        elif 6 in v:
            au = proto.decode(v[6][0])
            samples, _ = media.decode_wav(au[4][0])
            values.append((tag, {"sample_rate": au[1][0], "num_channels": au[2][0],
                                 "length_frames": au[3][0],
                                 "content_type": au[5][0].decode(), "samples": samples}))
        elif 8 in v:
            meta = proto.decode(v[9][0]) if 9 in v else {}
            plugin = proto.decode(meta[1][0]) if 1 in meta else {}
            values.append((tag, {"tensor": decode_tensor(v[8][0]),
                                 "plugin_name": plugin.get(1, [b""])[0].decode(),
                                 "display_name": meta.get(2, [b""])[0].decode(),
                                 "description": meta.get(3, [b""])[0].decode()}))
    return values


def decode_tensor(data: bytes) -> np.ndarray:
    """A serialized TensorProto as an array."""
    return tensor_proto.decode(data)[2]
