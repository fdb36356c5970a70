"""`tf.train.write_graph` and graphc's `read_graph`: graphs as `.graphc` files."""
from __future__ import annotations

import os

from ..ir.graph import Graph
from ..ir.serialize import GraphDef, read_graph_file, write_graph_file


def write_graph(graph_or_graph_def, logdir: str, name: str, as_text: bool = True) -> str:
    """TF1 `tf.train.write_graph`: write the graph to `logdir/name` and return the path.

    The file is graphc's own format (a zip of JSON and .npy entries, whatever `name`'s
    extension); `as_text` is accepted for compatibility (the JSON inside is text)."""
    if not isinstance(graph_or_graph_def, (Graph, GraphDef)):
        raise TypeError("write_graph needs a Graph or a GraphDef, got "
                        f"{type(graph_or_graph_def).__name__}")
    return write_graph_file(graph_or_graph_def, os.path.join(logdir, name))


def read_graph(path: str) -> GraphDef:
    """Load and validate a `.graphc` file (nothing in it runs); import it with
    `tf.import_graph_def`."""
    return read_graph_file(path)
