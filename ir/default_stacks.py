"""The thread-local stacks of default graphs and sessions (TF1's global state).

The lowest of the three modules around the default graph: `graph` pushes itself here
(`Graph.as_default`) and asks for the default session (`Tensor.eval`), and `context`
(above `graph`) creates the global default graph and keeps TF1's API for both.
"""
from __future__ import annotations

import threading

_local = threading.local()


def graph_stack() -> list:
    """This thread's `as_default()` graphs, innermost last."""
    stack = getattr(_local, "graphs", None)
    if stack is None:
        stack = _local.graphs = []
    return stack


def _session_stack() -> list:
    stack = getattr(_local, "sessions", None)
    if stack is None:
        stack = _local.sessions = []
    return stack


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
