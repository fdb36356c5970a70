"""`tf.train.write_graph` / `tf.io.write_graph` and graphc's `read_graph`: graphs as
TensorFlow's GraphDef files (`.pb`, `.pbtxt`) or graphc's own `.graphc` files."""
from __future__ import annotations

import os

from .. import protos
from ..ir.graph import Graph
from ..ir.serialize import GraphDef, read_graph_file, write_graph_file


def write_graph(graph_or_graph_def, logdir: str, name: str, as_text: bool = True) -> str:
    """TF1 `tf.train.write_graph`: write the graph to `logdir/name` and return the path.

    A name ending in `.graphc` (or graphc's GraphDef document) gets graphc's own format,
    which keeps creation sites, nested graphs and collections; anything else is TensorFlow's
    GraphDef, as text when `as_text` (TF1's default) and binary otherwise."""
    path = os.path.join(logdir, name)
    if isinstance(graph_or_graph_def, GraphDef) or (
            isinstance(graph_or_graph_def, Graph) and name.endswith(".graphc")):
        return write_graph_file(graph_or_graph_def, path)
    from ..graphdef.files import write_graph_def
    if isinstance(graph_or_graph_def, Graph):
        graph_or_graph_def = graph_or_graph_def.as_graph_def()
    if not isinstance(graph_or_graph_def, protos.GraphDef):
        raise TypeError("write_graph needs a Graph or a GraphDef, got "
                        f"{type(graph_or_graph_def).__name__}")
    return write_graph_def(graph_or_graph_def, path, as_text)


def read_graph(path: str):
    """Load a graph file for `tf.import_graph_def`: a `.graphc` file (validated; nothing in
    it runs) as graphc's document, a TensorFlow `.pb` / `.pbtxt` as a `tf.GraphDef`."""
    from ..graphdef.files import is_graphc_file, read_graph_def
    if is_graphc_file(path):
        return read_graph_file(path)
    return read_graph_def(path)
