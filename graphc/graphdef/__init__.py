"""TensorFlow's GraphDef in and out: `importer` (tf.import_graph_def of TensorFlow's
messages), `exporter` (Graph.as_graph_def), `specs` (the op table both read), `attrs`
(AttrValue conversions) and `files` (`.pb` / `.pbtxt` / `.graphc` files)."""
from ..ir import graph as _graph
from .exporter import GraphDefExportError, exportable_op_types, graph_to_graph_def  # noqa: F401
from .importer import GraphDefImportError, importable_op_types  # noqa: F401
from . import functions as _functions  # noqa: F401,E402  (If/While/calls join the import table)
from . import arrays as _arrays  # noqa: F401,E402  (TensorArrays and TensorLists too)
from . import stacks as _stacks  # noqa: F401,E402  (TF1 stacks: while-loop gradients)
from . import optionals as _optionals  # noqa: F401,E402  (a cond gradient's optionals)
from . import training as _training  # noqa: F401,E402  (gradient and optimizer kernels)
from . import resources as _resources  # noqa: F401,E402  (resource variables)
from . import sparse_training as _sparse_training  # noqa: F401,E402  (sparse updates)
from . import frames_export as _frames_export  # noqa: F401,E402  (If/While/Fused exported)
from . import functional_export as _functional_export  # noqa: F401,E402  (control flow v2)

if not _graph.GRAPH_DEF_EXPORTER:
    _graph.GRAPH_DEF_EXPORTER.append(graph_to_graph_def)
