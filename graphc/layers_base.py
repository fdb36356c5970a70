"""`tf.layers.Layer`: TF1's base class of the class layers (graph mode).

A layer is built once, on its first call: `__call__` opens a variable scope named after the
layer (`name`, or the snake-case class name made unique: `dense`, `dense_1`, ...), calls
`build(input_shape)`, which creates the weights with `add_weight` (ordinary
`get_variable`s, so `scope/kernel:0` as TF1), then `call(inputs)`. Later calls reuse the
weights. Weight regularizer and activity losses go to `losses` and the
REGULARIZATION_LOSSES collection, `add_update` ops (batch norm's moving averages) to
`updates` and UPDATE_OPS, as TF1's tf.layers do. The functional forms in graphc/layers.py
are thin wrappers: they build a layer and call it once.
"""
from __future__ import annotations

import re
from typing import Optional

from .ir import context as _context
from .ir import dtypes as _dt
from .ir.ops._base import convert_to_tensor
from .ir.shapes import TensorShape
from .variable_scope import get_variable, variable_scope
from .variables import GraphKeys

# TF1's Layer takes these keyword arguments besides its own (Keras's base arguments).
_LAYER_KWARGS = {"_scope", "_reuse", "input_shape", "batch_input_shape", "batch_size",
                 "activity_regularizer", "autocast", "dynamic", "weights"}


def _snake_case(name: str) -> str:
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


class InputSpec:
    """TF1 `tf.layers.InputSpec`: the dtype, shape or rank a layer's input must have."""

    def __init__(self, dtype=None, shape=None, ndim=None, max_ndim=None, min_ndim=None,
                 axes=None, allow_last_axis_squeeze=False, name=None, optional=False):
        self.dtype = None if dtype is None else _dt.as_dtype(dtype)
        self.shape = None if shape is None else tuple(shape)
        self.ndim = len(shape) if shape is not None else ndim
        self.max_ndim, self.min_ndim = max_ndim, min_ndim
        self.axes = dict(axes or {})
        self.allow_last_axis_squeeze, self.name, self.optional = (allow_last_axis_squeeze,
                                                                  name, optional)

    def check(self, layer: str, x) -> None:
        """Raises ValueError naming the layer when `x` does not fit."""
        rank = x.shape.ndims
        if rank is None:
            return
        if self.ndim is not None and rank != self.ndim:
            raise ValueError(f"Input 0 of layer {layer} is incompatible with the layer: "
                             f"expected ndim={self.ndim}, found ndim={rank}. Full shape "
                             f"received: {x.shape}")
        if self.min_ndim is not None and rank < self.min_ndim:
            raise ValueError(f"Input 0 of layer {layer} is incompatible with the layer: "
                             f"expected min_ndim={self.min_ndim}, found ndim={rank}. Full "
                             f"shape received: {x.shape}")
        dims = x.shape.as_tuple()
        for axis, value in self.axes.items():
            if dims[axis] is not None and dims[axis] != value:
                raise ValueError(f"Input 0 of layer {layer} is incompatible with the layer: "
                                 f"expected axis {axis} of input shape to have value "
                                 f"{value}, but received input with shape {x.shape}")


class Layer:
    """Base class of TF1's class layers: subclasses define `build` and `call`."""

    def __init__(self, trainable=True, name=None, dtype=None, **kwargs) -> None:
        unknown = sorted(set(kwargs) - _LAYER_KWARGS)
        if unknown:
            raise TypeError(f"{type(self).__name__}.__init__() got an unexpected keyword "
                            f"argument {unknown[0]!r}")
        self.trainable = bool(trainable)
        self._given_name = name
        self._base_name = name or _snake_case(type(self).__name__)
        self._dtype = None if dtype is None else _dt.as_dtype(dtype)
        self._scope_arg = kwargs.get("_scope", name)
        self._reuse = kwargs.get("_reuse")
        self._activity_regularizer = kwargs.get("activity_regularizer")
        self._scope = None
        self.built = False
        self.input_spec: Optional[InputSpec] = None
        self._trainable_weights: list = []
        self._non_trainable_weights: list = []
        self._losses: list = []
        self._updates: list = []

    # ------------------------------------------------------------------ properties
    @property
    def name(self) -> str:
        return self._scope.name.rsplit("/", 1)[-1] if self._scope is not None else \
            self._base_name

    @property
    def scope_name(self) -> str:
        if self._scope is None:
            raise ValueError(f"No name available for layer scope because the layer "
                             f"{self._base_name!r} has not been used yet. The scope name is "
                             "determined the first time the layer instance is called.")
        return self._scope.name

    @property
    def dtype(self):
        return None if self._dtype is None else self._dtype.name

    @property
    def activity_regularizer(self):
        return self._activity_regularizer

    @property
    def trainable_weights(self) -> list:
        return list(self._trainable_weights) if self.trainable else []

    @property
    def non_trainable_weights(self) -> list:
        if self.trainable:
            return list(self._non_trainable_weights)
        return self._trainable_weights + self._non_trainable_weights

    trainable_variables = trainable_weights
    non_trainable_variables = non_trainable_weights

    @property
    def weights(self) -> list:
        return self.trainable_weights + self.non_trainable_weights

    variables = weights

    @property
    def losses(self) -> list:
        return list(self._losses)

    @property
    def updates(self) -> list:
        return list(self._updates)

    # ------------------------------------------------------------------ for subclasses
    def build(self, input_shape) -> None:
        self.built = True

    def call(self, inputs, **kwargs):
        return inputs

    def compute_output_shape(self, input_shape):
        raise NotImplementedError(f"{type(self).__name__}.compute_output_shape")

    def add_weight(self, name, shape, dtype=None, initializer=None, regularizer=None,
                   trainable=None, constraint=None, use_resource=None, synchronization=None,
                   aggregation=None, partitioner=None, **kwargs):
        """A variable of this layer (`get_variable` in the layer's scope). Its regularizer
        loss is added when the variable is created, not when a reuse finds it (TF1)."""
        trainable = (True if trainable is None else bool(trainable)) and self.trainable
        graph = _context.get_default_graph()
        before = set(id(v) for v in graph.get_collection(GraphKeys.GLOBAL_VARIABLES))
        var = get_variable(name, shape, dtype=dtype or self._dtype or _dt.float32,
                           initializer=initializer, trainable=trainable,
                           constraint=constraint, partitioner=partitioner)
        if regularizer is not None and id(var) not in before:
            with graph.name_scope(f"{name}/Regularizer"):
                loss = regularizer(var)
            if loss is not None:
                self.add_loss(loss)
        (self._trainable_weights if trainable else self._non_trainable_weights).append(var)
        return var

    def add_variable(self, *args, **kwargs):
        """TF1's older name of add_weight."""
        return self.add_weight(*args, **kwargs)

    def add_loss(self, losses, inputs=None) -> None:
        graph = _context.get_default_graph()
        for loss in losses if isinstance(losses, (list, tuple)) else [losses]:
            self._losses.append(loss)
            graph.add_to_collection(GraphKeys.REGULARIZATION_LOSSES, loss)

    def add_update(self, updates, inputs=None) -> None:
        graph = _context.get_default_graph()
        for update in updates if isinstance(updates, (list, tuple)) else [updates]:
            self._updates.append(update)
            graph.add_to_collection(GraphKeys.UPDATE_OPS, update)

    def get_losses_for(self, inputs) -> list:
        return self.losses

    def get_updates_for(self, inputs) -> list:
        return self.updates

    def count_params(self) -> int:
        total = 0
        for v in self.weights:
            total += TensorShape(v.shape).num_elements()
        return total

    # ------------------------------------------------------------------ calling
    def __call__(self, inputs, *args, **kwargs):
        """Builds the layer on its first call (in its own variable scope), then calls it."""
        if self._scope is None:
            scope_ctx = variable_scope(self._scope_arg, default_name=self._base_name,
                                       reuse=self._reuse)
        else:
            scope_ctx = variable_scope(self._scope, reuse=True)
        with scope_ctx as scope:
            if self._scope is None:
                self._scope = scope
            x = inputs if isinstance(inputs, (list, tuple)) else convert_to_tensor(inputs)
            if not self.built:
                if self._dtype is None and hasattr(x, "dtype") and x.dtype.is_floating:
                    self._dtype = x.dtype
                if self.input_spec is not None and hasattr(x, "shape"):
                    self.input_spec.check(self.name, x)
                self.build(x.shape if hasattr(x, "shape") else [t.shape for t in x])
                self.built = True
            elif self.input_spec is not None and hasattr(x, "shape"):
                self.input_spec.check(self.name, x)
            out = self.call(x, *args, **kwargs)
            if self._activity_regularizer is not None:
                with _context.get_default_graph().name_scope("ActivityRegularizer"):
                    loss = self._activity_regularizer(out)
                if loss is not None:
                    self.add_loss(loss)
            return out

    def apply(self, inputs, *args, **kwargs):
        """TF1's other name of `__call__`."""
        return self.__call__(inputs, *args, **kwargs)

    def __repr__(self) -> str:
        return f"<graphc.layers.{type(self).__name__} {self.name!r}>"
