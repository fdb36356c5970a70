"""What every dataset of tf.data is, below the public `Dataset` and its transformations:
a description of an element stream, built in the graph.

A DatasetNode holds its element structure (a nest of Specs), the datasets it reads and
the graph tensors it reads (`_captured`: sliced tensors, sizes given as tensors, tensors
its functions capture). Nothing runs when it is built. An iterator's initializer
(ir/ops/dataset_ops.py) evaluates the captured tensors in a Session and calls
`_make_elements`, which returns a Python iterator of flat tuples of arrays: each
dataset's `_elements(env)` generator pulls from its inputs'. The transformations
(transformations.py, cache.py) are DatasetNodes; dataset.py's public Dataset, a
DatasetNode with TF1's methods, wraps each one it returns.
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from ..ir.context import get_default_graph
from ..ir.graph import Tensor, TensorLike
from ..ir.ops._base import const_value, convert_to_tensor
from ..ir.site import where
from . import structure as S

AUTOTUNE = -1


class Env:
    """What a running pipeline reads: captured tensors' values, the Session's
    FunctionRunner, and per-run state of its datasets (shuffle epochs, caches)."""

    __slots__ = ("values", "runner", "state")

    def __init__(self, values: dict, runner, state: Optional[dict] = None) -> None:
        self.values = values
        self.runner = runner
        self.state = {} if state is None else state

    def scalar(self, t: Tensor) -> int:
        return int(np.asarray(self.values[t]).reshape(()))

    def child(self, values: dict) -> "Env":
        return Env(values, self.runner)


class DatasetNode(S.HasStructure):
    """A dataset: subclasses set `_structure` and define `_elements(env)`."""

    def __init__(self, inputs=(), tensors=()) -> None:
        self._inputs = tuple(inputs)
        self._tensors = tuple(tensors)
        self._graph = get_default_graph()
        captured: dict = {}
        for d in self._inputs:
            captured.update(dict.fromkeys(d._captured))
        captured.update(dict.fromkeys(self._tensors))
        self._captured = tuple(captured)

    def _elements(self, env: Env):
        raise NotImplementedError

    def _make_elements(self, values: dict, runner):
        """The running pipeline of this dataset (a prefetch at the end starts now)."""
        return self._elements(Env(values, runner))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} shapes: {self.output_shapes}, types: {self.output_types}>"

    def __iter__(self):
        raise RuntimeError("dataset.__iter__() is only supported when eager execution is "
                           "enabled; in graph mode use make_one_shot_iterator() or "
                           "make_initializable_iterator() and get_next()")


def scalar_arg(value, dtype, what: str) -> Tensor:
    """A scalar argument (count, size) as a tensor the dataset captures."""
    t = value._as_tensor() if isinstance(value, TensorLike) else convert_to_tensor(
        value, dtype=dtype)
    if t.shape.ndims not in (None, 0):
        raise ValueError(f"{what} must be a scalar, got {t.name} of shape {t.shape}"
                         f"{where()}")
    if not t.dtype.is_integer:
        raise TypeError(f"{what} must be an integer, got {t.dtype.name}{where()}")
    return t


def static_scalar(t: Tensor) -> Optional[int]:
    v = const_value(t)
    return None if v is None else int(np.asarray(v).reshape(()))
