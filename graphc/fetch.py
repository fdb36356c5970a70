"""Fetch structures: flatten any nesting of lists, tuples, dicts and namedtuples of graph
elements into unique targets, and rebuild the user's structure from the results
(TF `client/session.py`'s `_FetchMapper`, in one small class)."""
from __future__ import annotations

from typing import Any, Callable

from .ir.graph import Operation
from .session_handles import TensorHandle


class FetchMapper:
    """`elements` are the unique Tensors/Operations to run; `build(values)` rebuilds."""

    iterator_sources = None  # the iterators a run of these elements pulls (Session's)

    def __init__(self, fetches: Any, graph) -> None:
        self.graph = graph
        self.elements: list = []
        self._index: dict = {}
        self._build: Callable = self._map(fetches)

    def _element_index(self, element) -> int:
        i = self._index.get(element)
        if i is None:
            i = self._index[element] = len(self.elements)
            self.elements.append(element)
        return i

    def _map(self, fetch) -> Callable:
        if isinstance(fetch, (list, tuple)) and not hasattr(fetch, "_as_graph_element"):
            builders = [self._map(f) for f in fetch]
            if hasattr(fetch, "_fields"):  # namedtuple
                kind = type(fetch)
                return lambda vals: kind(*[b(vals) for b in builders])
            kind = type(fetch)
            if kind is list:
                return lambda vals: [b(vals) for b in builders]
            if kind is tuple:
                return lambda vals: tuple(b(vals) for b in builders)
            return lambda vals: kind([b(vals) for b in builders])
        if isinstance(fetch, dict):
            keys = list(fetch.keys())
            builders = [self._map(fetch[k]) for k in keys]
            kind = type(fetch)
            return lambda vals: kind(zip(keys, [b(vals) for b in builders]))
        element = self._as_element(fetch)
        i = self._element_index(element)
        if isinstance(element, Operation):
            return lambda vals: None
        if element.op.type == "GetSessionHandle":  # TF1 fetches a TensorHandle
            dtype = element.op.inputs[0].dtype
            return lambda vals: TensorHandle(getattr(vals[i], "item", lambda: vals[i])(), dtype)
        return lambda vals: vals[i]

    def _as_element(self, fetch):
        if fetch is None:
            raise TypeError(f"Fetch argument None has invalid type {type(None)}")
        try:
            element = self.graph.as_graph_element(fetch)
        except TypeError:
            raise TypeError(f"Fetch argument {fetch!r} has invalid type {type(fetch)}, must "
                            "be a string or Tensor. (Can not convert a "
                            f"{type(fetch).__name__} into a Tensor or Operation.)") from None
        except (KeyError, ValueError) as exc:
            raise ValueError(f"Fetch argument {fetch!r} cannot be interpreted as a Tensor. "
                             f"({exc})") from None
        if not self.graph.is_fetchable(element):
            raise ValueError(f"Operation {element.name!r} has been marked as not fetchable.")
        return element

    def build(self, values: list) -> Any:
        return self._build(values)
