"""TF1's `Session.partial_run_setup` / `Session.partial_run`: one step run in pieces.

`partial_run_setup(fetches, feeds)` names everything the step will fetch and feed and
returns a handle; each `partial_run(handle, fetches, feed_dict)` feeds some of the
placeholders and fetches some of the values. As in TF1 an op runs at most once per step:
whatever a piece computed that a later piece needs (its fetches and the values on the
boundary to the rest of the step) is kept and fed to the later pieces, so a random number
or a variable read is the same value in every piece. Feeds and fetches must have been
named at setup, a feed is given once and a fetch is made once.
"""
from __future__ import annotations

import itertools

from .ir.errors import InvalidArgumentError
from .ir.graph import Operation, Tensor, TensorLike

_handles = itertools.count()
# ops whose outputs are never carried between pieces: state and graph inputs
_NOT_CARRIED = {"VariableV2", "Const", "Placeholder", "PlaceholderWithDefault"}


def _element(graph, x):
    if isinstance(x, str):
        return graph.as_graph_element(x)
    if isinstance(x, TensorLike) and not isinstance(x, Tensor):
        return x._as_tensor()
    return x


def _flat(fetches) -> list:
    return list(fetches) if isinstance(fetches, (list, tuple)) else [fetches]


def _ancestors(roots, cut: set) -> set:
    """The ops the roots need, not walking through tensors in `cut` (fed or carried)."""
    seen, todo = set(), [r.op if isinstance(r, Tensor) else r for r in roots]
    while todo:
        op = todo.pop()
        if op in seen:
            continue
        seen.add(op)
        todo.extend(t.op for t in op.inputs if t not in cut)
        todo.extend(op.control_inputs)
    return seen


class _PartialRun:
    def __init__(self, session, fetches, feeds) -> None:
        graph = session.graph
        self.session = session
        self.fetches = [_element(graph, f) for f in fetches]
        self.feeds = [_element(graph, f) for f in feeds]
        self.fed: dict = {}       # feeds given so far
        self.carried: dict = {}   # values computed by earlier pieces
        self.fetched: set = set()

    def run(self, fetches, feed_dict):
        graph = self.session.graph
        feed_dict = {_element(graph, k): v for k, v in (feed_dict or {}).items()}
        for t in feed_dict:
            if t not in self.feeds:
                raise InvalidArgumentError(None, None, f"Input to feed {t.name} was not "
                                           "specified in partial_run_setup.")
            if t in self.fed:
                raise InvalidArgumentError(None, None, f"Input {t.name} has already been "
                                           "fed.")
        wanted = [_element(graph, f) for f in _flat(fetches)]
        for t in wanted:
            if t not in self.fetches:
                raise InvalidArgumentError(None, None, f"Fetch {getattr(t, 'name', t)} was "
                                           "not specified in partial_run_setup.")
            if t in self.fetched:
                raise InvalidArgumentError(None, None, f"Fetch {t.name} has already been "
                                           "fetched.")
        self.fed.update(feed_dict)
        cut = set(self.fed) | set(self.carried)
        ran = _ancestors(wanted, cut)
        later = _ancestors([f for f in self.fetches if f not in self.fetched
                            and f not in wanted], cut)
        boundary = [t for op in later if op not in ran for t in op.inputs
                    if t.op in ran and t not in cut and t.op.type not in _NOT_CARRIED]
        boundary = list(dict.fromkeys(boundary))
        tensors = [t for t in wanted if isinstance(t, Tensor)]
        values = self.session.run(list(dict.fromkeys(tensors + boundary)) +
                                  [t for t in wanted if isinstance(t, Operation)],
                                  feed_dict={**self.fed, **self.carried})
        by_tensor = dict(zip(list(dict.fromkeys(tensors + boundary)), values))
        for t in list(dict.fromkeys(tensors + boundary)):
            if t.op.type not in _NOT_CARRIED:
                self.carried[t] = by_tensor[t]
        self.fetched.update(wanted)
        out = [by_tensor.get(t) if isinstance(t, Tensor) else None for t in wanted]
        return out if isinstance(fetches, (list, tuple)) else out[0]


def partial_run_setup(session, fetches, feeds=None) -> str:
    """A handle for a step whose `fetches` and `feeds` are given over several calls."""
    handle = f"partial_run_{next(_handles)}"
    session._partial_runs = getattr(session, "_partial_runs", {})
    session._partial_runs[handle] = _PartialRun(session, _flat(fetches), _flat(feeds or []))
    return handle


def partial_run(session, handle, fetches, feed_dict=None):
    """Fetches `fetches` of the partial run `handle`, feeding `feed_dict`."""
    runs = getattr(session, "_partial_runs", {})
    if handle not in runs:
        raise InvalidArgumentError(None, None, f"partial_run: unknown handle {handle!r} (use "
                                   "the one partial_run_setup returned)")
    return runs[handle].run(fetches, feed_dict)
