"""Graph files in TensorFlow's formats beside graphc's own: `.pb` (a binary GraphDef),
`.pbtxt` (protobuf text) and `.graphc` (graphc's zip, which keeps what GraphDefs cannot:
creation sites, nested graphs, collections)."""
from __future__ import annotations

import os

from google.protobuf import message as _message, text_format

from .. import protos
from ..ir.fileio import atomic_write

MAX_BYTES = 2 << 30  # protobuf's own limit for one message


class GraphDefFileError(ValueError):
    """A `.pb` / `.pbtxt` file that is no GraphDef; names the file and why."""


def is_graphc_file(path: str) -> bool:
    with open(path, "rb") as f:
        return f.read(4) == b"PK\x03\x04"


def read_graph_def(path: str) -> protos.GraphDef:
    """Parse a TensorFlow GraphDef file: binary, or text when the name ends in `.pbtxt` /
    `.txt` or the bytes are not a binary GraphDef."""
    path = str(path)
    size = os.path.getsize(path)
    if size > MAX_BYTES:
        raise GraphDefFileError(f"{path}: {size} bytes is more than a GraphDef can hold "
                                f"({MAX_BYTES})")
    with open(path, "rb") as f:
        data = f.read()
    gd = protos.GraphDef()
    text_first = path.endswith((".pbtxt", ".txt", ".prototxt"))
    binary_error = None
    if not text_first:
        try:
            gd.ParseFromString(data)
            return gd
        except _message.DecodeError as exc:
            binary_error = exc
    try:
        text_format.Parse(data.decode("utf-8"), gd)
        return gd
    except (UnicodeDecodeError, text_format.ParseError) as exc:
        why = f"not a binary GraphDef ({binary_error}) nor a text one ({exc})" \
            if not text_first else f"not a text GraphDef: {exc}"
        raise GraphDefFileError(f"{path}: {why}") from None


def write_graph_def(graph_def: protos.GraphDef, path: str, as_text: bool) -> str:
    """Write atomically (temporary file, then rename), as text or binary."""
    path = str(path)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    data = text_format.MessageToString(graph_def).encode() if as_text else \
        graph_def.SerializeToString(deterministic=True)
    atomic_write(path, lambda f: f.write(data))
    return path
