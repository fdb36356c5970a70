"""TF1's dataset iterators: one-shot, initializable, reinitializable (from_structure) and
feedable (from_string_handle), over the ops of ir/ops/dataset_ops.py.

An iterator is a string handle (its name) plus an element structure; its state lives in
each Session. `get_next()` returns graph tensors in the element's nesting; running one
past the end raises tf.errors.OutOfRangeError naming the iterator.
"""
from __future__ import annotations

from typing import Optional

from ..ir import dtypes as dt
from ..ir.context import get_default_graph
from ..ir.graph import Tensor, TensorLike
from ..ir.ops import core_ops
from ..ir.ops._base import const_value
from ..ir.ops.dataset_ops import iterator_get_next, make_iterator
from ..ir.shapes import TensorShape
from ..ir.site import where
from . import structure as S
from .base import DatasetNode


class Iterator(S.HasStructure):
    """TF1 `tf.data.Iterator`."""

    def __init__(self, handle: Tensor, structure, name: str, initializer=None,
                 one_shot=None) -> None:
        self._handle = handle
        self._structure = structure
        self._name = name
        self._initializer = initializer
        self._one_shot = one_shot

    # ------------------------------------------------------------ constructors
    @staticmethod
    def from_structure(output_types, output_shapes=None, shared_name: Optional[str] = None,
                       output_classes=None) -> "Iterator":
        """An iterator with no dataset yet: `make_initializer(ds)` (re)starts it on `ds`
        (train and validation datasets of one structure, switched by initializers)."""
        structure = S.from_types_and_shapes(output_types, output_shapes)
        return _new_iterator(structure, shared_name)

    @staticmethod
    def from_string_handle(string_handle, output_types, output_shapes=None,
                           output_classes=None) -> "Iterator":
        """An iterator chosen by feeding `string_handle` another iterator's
        `string_handle()` value (a feedable iterator)."""
        handle = string_handle._as_tensor() if isinstance(string_handle, TensorLike) else \
            core_ops.constant(string_handle, dtype=dt.string)
        if handle.dtype is not dt.string:
            raise TypeError(f"from_string_handle: string_handle must be a string tensor, "
                            f"got {handle.dtype.name}{where()}")
        structure = S.from_types_and_shapes(output_types, output_shapes)
        return Iterator(handle, structure, handle.op.name)

    # ------------------------------------------------------------ TF1 surface
    @property
    def initializer(self):
        if self._initializer is None:
            raise ValueError(f"Iterator '{self._name}' does not have an initializer: make "
                             "it with make_initializable_iterator(), or use "
                             "make_initializer(dataset)")
        return self._initializer

    def make_initializer(self, dataset: DatasetNode, name: Optional[str] = None):
        """The op starting this iterator (over again) on `dataset`."""
        if not isinstance(dataset, DatasetNode):
            raise TypeError(f"make_initializer expects a Dataset, got "
                            f"{type(dataset).__name__}{where()}")
        _check_compatible(self._structure, dataset._structure, self._name)
        graph = get_default_graph()
        if graph.is_function:
            raise ValueError(f"make_initializer: iterators are made at the top level of the "
                             f"graph, not inside a function{where()}")
        return make_iterator(self._handle, dataset, name=name or "make_initializer")

    def get_next(self, name: Optional[str] = None):
        """Tensors of the next element, nested as the dataset's elements."""
        specs = S.flatten(self._structure)
        outs = iterator_get_next(self._handle, [s.dtype for s in specs],
                                 [s.shape for s in specs], self._name, self._one_shot,
                                 name=name)
        return S.pack(self._structure, list(outs))

    def string_handle(self, name: Optional[str] = None) -> Tensor:
        """A string scalar naming this iterator, to feed a from_string_handle iterator."""
        if self._one_shot is not None:  # running the handle initialises (TF1)
            dataset, _ = self._one_shot
            with get_default_graph().control_dependencies([make_iterator(
                    self._handle, dataset, once=True, name=self._name + "/init_once")]):
                return core_ops.identity(self._handle, name=name or "IteratorToStringHandle")
        return self._handle if name is None else core_ops.identity(self._handle, name=name)

    def __repr__(self) -> str:
        return f"<graphc.data.Iterator '{self._name}' {S.describe(self._structure)}>"


def _new_iterator(structure, shared_name, one_shot_dataset=None,
                  initializable_dataset=None) -> Iterator:
    graph = get_default_graph()
    name = shared_name or graph.unique_name("Iterator", mark_as_used=True)
    handle = core_ops.constant(name.encode(), dtype=dt.string, name=name + "/handle")
    one_shot = None
    if one_shot_dataset is not None:
        one_shot = (one_shot_dataset, _build_time_values(one_shot_dataset))
    it = Iterator(handle, structure, name, one_shot=one_shot)
    if initializable_dataset is not None:
        it._initializer = make_iterator(handle, initializable_dataset,
                                        name=name + "/MakeIterator")
    return it


def _build_time_values(dataset: DatasetNode) -> tuple:
    """A one-shot iterator's captured values, which must be known in the graph (TF1
    refuses placeholders and stateful tensors there)."""
    values = []
    for t in dataset._captured:
        v = const_value(t)
        if v is None:
            kind = "a placeholder" if t.op.type == "Placeholder" else "a stateful or " \
                "run-time computed tensor"
            raise ValueError(
                f"Failed to create a one-shot iterator for a dataset: it captures {kind} "
                f"({t.name}, type {t.op.type}) by value. `make_one_shot_iterator()` does "
                f"not support datasets that capture placeholders or stateful objects; "
                f"use `make_initializable_iterator()`{where()}")
        values.append(v)
    return tuple(values)


def _check_compatible(expected, actual, name: str) -> None:
    try:
        S.assert_same(expected, actual, "make_initializer")
    except TypeError:
        raise TypeError(f"Expected output types and structure {S.describe(expected)} of "
                        f"iterator '{name}' but got dataset with {S.describe(actual)}"
                        f"{where()}") from None
    for e, a in zip(S.flatten(expected), S.flatten(actual)):
        if e.dtype is not a.dtype:
            raise TypeError(f"Expected output types {S.types_of(expected)} of iterator "
                            f"'{name}' but got dataset with output types "
                            f"{S.types_of(actual)}{where()}")
        if not e.shape.is_compatible_with(a.shape):
            raise TypeError(f"Expected output shapes compatible with "
                            f"{S.shapes_of(expected)} of iterator '{name}' but got dataset "
                            f"with output shapes {S.shapes_of(actual)}{where()}")


def make_one_shot_iterator(dataset: DatasetNode) -> Iterator:
    """TF1 `dataset.make_one_shot_iterator()`: initialised on its first get_next."""
    return _new_iterator(dataset._structure, None, one_shot_dataset=dataset)


def make_initializable_iterator(dataset: DatasetNode,
                                shared_name: Optional[str] = None) -> Iterator:
    """TF1 `dataset.make_initializable_iterator()`: run `iterator.initializer` (feeding
    the placeholders the dataset reads) before get_next, and again to start over."""
    return _new_iterator(dataset._structure, shared_name, initializable_dataset=dataset)


def get_output_types(dataset_or_iterator):
    return dataset_or_iterator.output_types


def get_output_shapes(dataset_or_iterator):
    return dataset_or_iterator.output_shapes


def get_output_classes(dataset_or_iterator):
    return dataset_or_iterator.output_classes


__all__ = ["Iterator", "make_one_shot_iterator", "make_initializable_iterator",
           "get_output_types", "get_output_shapes", "get_output_classes", "TensorShape"]
