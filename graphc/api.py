"""Graph-context functions of the TF1 API that act on the default graph."""
from __future__ import annotations

import contextlib
from typing import Optional

from .ir import context as _context
from .ir.graph import TensorLike


@contextlib.contextmanager
def name_scope(name: Optional[str], default_name: Optional[str] = None, values=None):
    """TF1 `tf.name_scope(name, default_name=None, values=None)`."""
    graph = _context.get_default_graph()
    if values and not graph.is_function:  # (inside a function, outer values are captured)
        for v in values:
            if isinstance(v, TensorLike):
                graph = v._as_tensor().graph
                break
    if name is None and default_name is not None:
        name = default_name
    with graph.as_default(), graph.name_scope(name) as scope:
        yield scope


def control_dependencies(control_inputs):
    return _context.get_default_graph().control_dependencies(control_inputs)


@contextlib.contextmanager
def device(device_name_or_function):
    """Accepted and ignored: graphc runs every op on the CPU."""
    yield


def container(container_name):
    return device(container_name)


def colocate_with(op, ignore_existing: bool = False):
    return _context.get_default_graph().colocate_with(op, ignore_existing)


def get_collection(key, scope=None):
    return _context.get_default_graph().get_collection(key, scope)


def get_collection_ref(key):
    return _context.get_default_graph().get_collection_ref(key)


def add_to_collection(name, value) -> None:
    _context.get_default_graph().add_to_collection(name, value)


def add_to_collections(names, value) -> None:
    _context.get_default_graph().add_to_collections(names, value)


def executing_eagerly() -> bool:
    return False


def disable_eager_execution() -> None:
    """graphc is always define-then-run; accepted for TF1-on-TF2 code."""


def disable_v2_behavior() -> None:
    """graphc is always TF1; accepted so `tf.compat.v1` programs run unchanged."""


def enable_eager_execution(config=None, device_policy=None, execution_mode=None) -> None:
    raise NotImplementedError("graphc is a define-then-run graph compiler; eager execution "
                              "is not supported. Build a graph and run it in a tf.Session.")


def reset_default_graph() -> None:
    _context.reset_default_graph()


def get_default_graph():
    return _context.get_default_graph()


def get_default_session():
    return _context.get_default_session()


def import_graph_def(graph_def, input_map=None, return_elements=None, name=None,
                     op_dict=None, producer_op_list=None):
    """TF1 `tf.import_graph_def`: add a GraphDef's ops to the default graph, under the
    name scope `name` ("import" by default, as TF1; "" for none). `graph_def` is
    TensorFlow's GraphDef message (`tf.GraphDef`, parsed from a `.pb` or `.pbtxt`) or
    graphc's own `.graphc` document (`tf.train.read_graph`). `input_map` maps names in the
    GraphDef ("x:0", "^init") to tensors or ops of this graph; `return_elements` names the
    ops or tensors to return. `op_dict` and `producer_op_list` are accepted and unused."""
    from . import protos
    from .graphdef.importer import import_graph_def as _import_tf
    from .ir.serialize import GraphDef, import_graph_def as _import
    if not isinstance(graph_def, (GraphDef, protos.GraphDef)):
        raise TypeError(f"graph_def must be a GraphDef (tf.GraphDef, or graphc's document "
                        f"from tf.train.read_graph), got {type(graph_def).__name__}")
    graph = _context.get_default_graph()
    prefix = "import" if name is None else name.rstrip("/")
    if prefix:
        prefix = graph.unique_name(prefix)
    mapped = {k: (v._as_tensor() if isinstance(v, TensorLike) else v)
              for k, v in (input_map or {}).items()}
    if isinstance(graph_def, protos.GraphDef):
        created, outputs = _import_tf(graph_def, graph, mapped, prefix)
    else:
        created = _import(graph_def, graph, mapped, prefix)
        outputs = {k: list(op.outputs) for k, op in created.items()}
    if return_elements is None:
        return None
    out = []
    for ref in return_elements:
        op_name, _, index = ref.partition(":")
        if op_name not in created or (index and (not index.isdigit() or int(index) >= len(
                outputs[op_name]))):
            raise ValueError(f"Requested return_element {ref!r} not found in graph_def.")
        out.append(outputs[op_name][int(index)] if index else created[op_name])
    return out
