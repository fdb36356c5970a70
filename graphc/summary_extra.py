"""The rest of TF1's `tf.summary`: FileWriterCache, SessionLog, TaggedRunMetadata,
SummaryDescription, get_summary_description, and the v2-summary entry points TF1 keeps
(`all_v2_summary_ops`, `initialize`), which in graphc's graphs have no v2 summary ops."""
from __future__ import annotations

import json
import threading

from .ir.context import get_default_graph
from .protos.event import SessionLog, SummaryDescription, TaggedRunMetadata
from .summary import FileWriter

__all__ = ["FileWriterCache", "SessionLog", "SummaryDescription", "TaggedRunMetadata",
           "all_v2_summary_ops", "get_summary_description", "initialize"]


class FileWriterCache:
    """TF1 `tf.summary.FileWriterCache`: one FileWriter per log directory, made on first
    `get` with the default graph."""

    _cache: dict = {}
    _lock = threading.RLock()

    @staticmethod
    def clear() -> None:
        """Close and forget every cached writer."""
        with FileWriterCache._lock:
            for writer in FileWriterCache._cache.values():
                writer.close()
            FileWriterCache._cache = {}

    @staticmethod
    def get(logdir) -> FileWriter:
        """The FileWriter of `logdir` (made with the default graph the first time)."""
        with FileWriterCache._lock:
            writer = FileWriterCache._cache.get(logdir)
            if writer is None:
                writer = FileWriter(logdir, graph=get_default_graph())
                FileWriterCache._cache[logdir] = writer
            return writer


def all_v2_summary_ops():
    """TF1 `tf.summary.all_v2_summary_ops`: the default graph's v2 summary ops; graphc
    builds TF1 summaries only, so the list is empty (TF: the `_SUMMARY_V2` collection)."""
    return list(get_default_graph().get_collection("_SUMMARY_V2"))


def initialize(graph=None, session=None):
    """TF1 `tf.summary.initialize`: runs the v2 summary writers' initializers; graphc has
    none, so it checks its arguments and runs nothing."""
    if graph is not None and not hasattr(graph, "get_operations"):
        raise TypeError(f"graph must be a tf.Graph, got {type(graph).__name__}")
    if session is not None and not hasattr(session, "run"):
        raise TypeError(f"session must be a tf.Session, got {type(session).__name__}")


def get_summary_description(node_def) -> SummaryDescription:
    """TF1 `tf.summary.get_summary_description`: the SummaryDescription a TensorSummary
    NodeDef holds (its `description` attribute, JSON)."""
    if node_def.op != "TensorSummary":
        raise ValueError(f"Can't get_summary_description on {node_def.op}")
    text = node_def.attr["description"].s.decode()
    description = SummaryDescription()
    if text:
        fields = json.loads(text)
        unknown = set(fields) - {"typeHint", "type_hint"}
        if unknown:
            raise ValueError(f"unknown SummaryDescription fields {sorted(unknown)}")
        description.type_hint = fields.get("typeHint", fields.get("type_hint", ""))
    return description


def summary_iterator(path: str):
    """TF1 `tf.train.summary_iterator`: each record of an event file (graphc's
    FileWriter's or TensorFlow's) as an `Event` message."""
    from .protos.summary import Event
    from .tfrecord import tf_record_iterator
    for record in tf_record_iterator(path):
        yield Event.FromString(record)
