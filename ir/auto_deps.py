"""TF's automatic control dependencies (tf.function's): inside
`automatic_control_dependencies(graph)` every op created runs after the newest stateful
op created before it inside, so stateful ops run in program order and what follows one
sees its effect.

The frame is a live control-dependency frame of the graph (`live`): Graph.create_op reads
it at each op, and it scans the ops appended since its last read for stateful ones. Ops
created within `frame.excluding()` (a variable's initializer, which runs once by the init
op, not at every call) neither depend on it nor count.
"""
from __future__ import annotations

import contextlib

__all__ = ["automatic_control_dependencies"]


class AfterStateful:
    """The newest stateful op (`last`) its graph made since the frame opened."""

    live = True

    def __init__(self, graph) -> None:
        self.ops = graph.operations  # (the graph's own list: appended to, never rebuilt)
        self.seen, self.last, self._paused = len(self.ops), None, 0

    def _scan(self) -> None:
        for op in self.ops[self.seen:]:
            if op.stateful:
                self.last = op
        self.seen = len(self.ops)

    def __iter__(self):
        if self._paused:
            return iter(())
        self._scan()
        return iter(() if self.last is None else (self.last,))

    @contextlib.contextmanager
    def excluding(self):
        self._scan()
        self._paused += 1
        try:
            yield
        finally:
            self._paused -= 1
            self.seen = len(self.ops)


@contextlib.contextmanager
def automatic_control_dependencies(graph):
    """Yields the frame (its `last` is the newest stateful op so far)."""
    frame = AfterStateful(graph)
    with graph.control_dependencies(frame):
        yield frame
