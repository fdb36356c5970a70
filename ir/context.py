"""The default graph and default session (TF1's global state, kept thread-local)."""
from __future__ import annotations

import threading

_local = threading.local()
_global_default_graph = None
_global_lock = threading.Lock()


def _graph_stack() -> list:
    stack = getattr(_local, "graphs", None)
    if stack is None:
        stack = _local.graphs = []
    return stack


def _session_stack() -> list:
    stack = getattr(_local, "sessions", None)
    if stack is None:
        stack = _local.sessions = []
    return stack


def get_default_graph():
    """The innermost `as_default()` graph of this thread, else the global default graph."""
    stack = _graph_stack()
    if stack:
        return stack[-1]
    global _global_default_graph
    if _global_default_graph is None:
        with _global_lock:
            if _global_default_graph is None:
                from .graph import Graph
                _global_default_graph = Graph()
    return _global_default_graph


def reset_default_graph() -> None:
    """Replace the global default graph with a new, empty one (TF1 semantics)."""
    if _graph_stack():
        raise AssertionError("Do not use tf.reset_default_graph() to clear nested graphs. "
                             "If you need a cleared graph, exit the nesting and create a "
                             "new graph.")
    global _global_default_graph
    from .graph import Graph
    _global_default_graph = Graph()


def get_default_session():
    stack = _session_stack()
    return stack[-1] if stack else None


def default_session(session, element):
    """The session `Tensor.eval`/`Operation.run` should use, or a clear error."""
    if session is None:
        session = get_default_session()
        if session is None:
            raise ValueError(
                f"Cannot evaluate {element.name!r} using `eval()` or `run()`: no default "
                "session is registered. Use `with sess.as_default():` or pass an explicit "
                "session to `eval(session=sess)`.")
    if session.graph is not element.graph:
        raise ValueError(f"Cannot use the given session to evaluate {element.name!r}: the "
                         "tensor's graph is different from the session's graph.")
    return session


def push_session(session) -> None:
    _session_stack().append(session)


def pop_session(session) -> None:
    stack = _session_stack()
    if stack and stack[-1] is session:
        stack.pop()
    elif session in stack:
        stack.remove(session)
