"""`tf.data.Options`, `ThreadingOptions`, `DatasetSpec` and `NumpyIterator`, and what
`Dataset.with_options`, `options`, `element_spec` and `as_numpy_iterator` do.

graphc's pipelines run element by element in the Session's thread, in order: they are
deterministic and use no thread pool, whatever the options say. The options are kept
and merged as TF's (`with_options` on a dataset, `options()` the merge over its inputs,
later settings winning; setting one option twice differently is a ValueError), so code
that sets and reads them runs unchanged.

`as_numpy_iterator` (TF: eager only) runs the dataset in a Session of its own over the
dataset's graph and yields each element as numpy values in the element's structure.
"""
from __future__ import annotations

from typing import Optional

from ..ir.site import where
from . import structure as S
from .base import DatasetNode

__all__ = ["Options", "ThreadingOptions", "DatasetSpec", "NumpyIterator"]


class _OptionsBase:
    """Named options, each None until set; `_merge` combines two such."""

    _FIELDS: tuple = ()

    def __init__(self) -> None:
        object.__setattr__(self, "_values", {})

    def __getattr__(self, name: str):
        if name in type(self)._FIELDS:
            return self._values[name] if name in self._values else self._default(name)
        raise AttributeError(f"'{type(self).__name__}' object has no attribute {name!r}")

    def __setattr__(self, name: str, value) -> None:
        if name not in type(self)._FIELDS:
            raise AttributeError(f"Cannot set the property {name} on "
                                 f"{type(self).__name__}.")
        self._values[name] = value

    def _default(self, name: str):
        return None

    def __eq__(self, other) -> bool:
        return type(other) is type(self) and other._values == self._values

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._values})"

    def _merge(self, other):
        out = type(self)()
        for name in type(self)._FIELDS:
            mine, theirs = self._values.get(name), other._values.get(name)
            if isinstance(mine, _OptionsBase) or isinstance(theirs, _OptionsBase):
                value = (mine if theirs is None else theirs if mine is None
                         else mine._merge(theirs))
            elif mine is not None and theirs is not None and mine != theirs:
                raise ValueError(f"Cannot merge incompatible values ({mine!r} and "
                                 f"{theirs!r}) of option: {name}")
            else:
                value = theirs if theirs is not None else mine
            if value is not None:
                out._values[name] = value
        return out


class ThreadingOptions(_OptionsBase):
    """TF1 `tf.data.ThreadingOptions`: max_intra_op_parallelism, private_threadpool_size
    (graphc's pipelines use no thread pool)."""

    _FIELDS = ("max_intra_op_parallelism", "private_threadpool_size")

    def __init__(self) -> None:
        super().__init__()


class Options(_OptionsBase):
    """TF1 `tf.data.Options`: deterministic, threading (experimental_threading),
    experimental_optimization, experimental_slack, ... ; `merge(options)` combines."""

    _FIELDS = ("deterministic", "experimental_deterministic", "experimental_distribute",
               "experimental_external_state_policy", "experimental_optimization",
               "experimental_slack", "experimental_symbolic_checkpoint",
               "experimental_threading", "experimental_warm_start", "threading", "autotune")

    def __init__(self) -> None:
        super().__init__()

    def _default(self, name: str):
        if name in ("threading", "experimental_threading"):
            threading = ThreadingOptions()
            self._values["threading"] = threading
            return threading
        return None

    def __getattr__(self, name: str):
        if name == "experimental_threading":
            name = "threading"
        if name == "experimental_deterministic":
            name = "deterministic"
        return super().__getattr__(name)

    def __setattr__(self, name: str, value) -> None:
        if name == "experimental_threading":
            name = "threading"
        if name == "experimental_deterministic":
            name = "deterministic"
        if name == "threading" and not isinstance(value, ThreadingOptions):
            raise TypeError(f"threading must be a tf.data.ThreadingOptions, got {value!r}")
        super().__setattr__(name, value)

    def merge(self, options) -> "Options":
        """These options with `options`' set ones added (conflicts: ValueError)."""
        return self._merge(options)


def dataset_options(dataset) -> Options:
    """The merge of the options set on `dataset` and on the datasets it reads."""
    merged = Options()
    for node in getattr(dataset, "_inputs", ()):
        merged = merged.merge(dataset_options(node))
    own = getattr(dataset, "_options_set", None)
    return merged.merge(own) if own is not None else merged


def element_spec(dataset):
    """The dataset's element structure as TensorSpecs."""
    from ..framework_names import TensorSpec
    return S.map_leaves(lambda spec: TensorSpec(spec.shape, spec.dtype), dataset._structure)


class DatasetSpec:
    """TF1 `tf.data.DatasetSpec(element_spec, dataset_shape=())`: the type of a dataset
    value: its element_spec (TensorSpecs) and shape."""

    def __init__(self, element_spec, dataset_shape=()) -> None:
        from ..ir.shapes import as_shape
        self._element_spec = element_spec
        self._dataset_shape = as_shape(dataset_shape)

    @property
    def element_spec(self):
        return self._element_spec

    @property
    def shape(self):
        return self._dataset_shape

    @staticmethod
    def from_value(value) -> "DatasetSpec":
        return DatasetSpec(element_spec(value))

    def is_compatible_with(self, spec_or_value) -> bool:
        other = spec_or_value if isinstance(spec_or_value, DatasetSpec) else \
            DatasetSpec.from_value(spec_or_value)
        mine, theirs = S.flatten(self._element_spec), S.flatten(other._element_spec)
        return len(mine) == len(theirs) and all(
            a.is_compatible_with(b) for a, b in zip(mine, theirs)) and \
            self._dataset_shape.is_compatible_with(other._dataset_shape)

    def __eq__(self, other) -> bool:
        return isinstance(other, DatasetSpec) and repr(self) == repr(other)

    def __repr__(self) -> str:
        flat = ", ".join(f"{s.dtype.name}{s.shape}" for s in S.flatten(self._element_spec))
        return f"DatasetSpec([{flat}], shape={self._dataset_shape})"


class NumpyIterator:
    """TF1 `tf.data.NumpyIterator(dataset)` (what `as_numpy_iterator()` returns): the
    dataset's elements as numpy values, read by a Session of the iterator's own."""

    def __init__(self, dataset) -> None:
        if not isinstance(dataset, DatasetNode):
            raise TypeError(f"NumpyIterator needs a tf.data.Dataset, got "
                            f"{type(dataset).__name__}{where()}")
        self._dataset = dataset
        self._session = None
        self._next = None
        self._done = False

    def _start(self) -> None:
        from ..ir.context import get_default_graph
        from ..session import Session
        from .iterator import make_one_shot_iterator
        captured = getattr(self._dataset, "_captured", ()) or ()
        graph = next((t.graph for t in captured if hasattr(t, "graph")), None) or \
            get_default_graph()
        with graph.as_default():
            self._next = make_one_shot_iterator(self._dataset).get_next()
        self._session = Session(graph=graph)

    def __iter__(self):
        return self

    def __next__(self):
        from ..ir.errors import OutOfRangeError
        if self._done:
            raise StopIteration
        if self._session is None:
            self._start()
        try:
            return self._session.run(self._next)
        except OutOfRangeError:
            self.close()
            raise StopIteration from None

    def next(self):
        return self.__next__()

    def close(self) -> None:
        self._done = True
        if self._session is not None:
            self._session.close()

    def __repr__(self) -> str:
        return f"NumpyIterator(iterator={self._dataset!r})"
