"""The default graph and default session (TF1's global state, kept thread-local).

Above `graph` (it creates the global default graph); the stacks themselves live below
it, in `default_stacks`, which `Graph.as_default` and `Tensor.eval` use.
"""
from __future__ import annotations

import threading

from .default_stacks import (default_session, get_default_session, graph_stack,  # noqa: F401
                             pop_session, push_session)
from .graph import Graph

_global_default_graph = None
_global_lock = threading.Lock()


def get_default_graph() -> Graph:
    """The innermost `as_default()` graph of this thread, else the global default graph."""
    stack = graph_stack()
    if stack:
        return stack[-1]
    global _global_default_graph
    if _global_default_graph is None:
        with _global_lock:
            if _global_default_graph is None:
                _global_default_graph = Graph()
    return _global_default_graph


def reset_default_graph() -> None:
    """Replace the global default graph with a new, empty one (TF1 semantics)."""
    if graph_stack():
        raise AssertionError("Do not use tf.reset_default_graph() to clear nested graphs. "
                             "If you need a cleared graph, exit the nesting and create a "
                             "new graph.")
    global _global_default_graph
    _global_default_graph = Graph()
