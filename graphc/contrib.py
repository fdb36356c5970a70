"""The parts of `tf.contrib` that TF1 models use most: layers' initializers and regularizers.

Anything else under `tf.contrib` is refused with an AttributeError that says so.
"""
from __future__ import annotations

import numpy as np

from . import init_ops
from .ir.ops import math_ops as M, nn_ops


def l2_regularizer(scale, scope=None):
    """scale * l2_loss(weights) (tf.contrib.layers.l2_regularizer)."""
    if scale < 0:
        raise ValueError(f"Setting a scale less than 0 on a regularizer: {scale}")
    if scale == 0:
        return lambda weights: None
    return lambda weights: M.multiply(nn_ops.l2_loss(weights),
                                      np.asarray(scale, weights.dtype.as_numpy_dtype))


def l1_regularizer(scale, scope=None):
    if scale < 0:
        raise ValueError(f"Setting a scale less than 0 on a regularizer: {scale}")
    if scale == 0:
        return lambda weights: None
    return lambda weights: M.multiply(M.reduce_sum(M.abs(weights)),
                                      np.asarray(scale, weights.dtype.as_numpy_dtype))


def variance_scaling_initializer(factor=2.0, mode="FAN_IN", uniform=False, seed=None,
                                 dtype=init_ops._dt.float32):
    """tf.contrib.layers.variance_scaling_initializer (factor/mode in capitals)."""
    return init_ops.VarianceScaling(factor, mode.lower(),
                                    "uniform" if uniform else "truncated_normal", seed, dtype)


class _Layers:
    xavier_initializer = staticmethod(init_ops.xavier_initializer)
    xavier_initializer_conv2d = staticmethod(init_ops.xavier_initializer)
    variance_scaling_initializer = staticmethod(variance_scaling_initializer)
    l2_regularizer = staticmethod(l2_regularizer)
    l1_regularizer = staticmethod(l1_regularizer)

    def __getattr__(self, name):
        raise AttributeError(f"tf.contrib.layers.{name} is not available in graphc")


class _Lookup:
    """`tf.contrib.lookup` (graphc/lookup.py)."""

    def __init__(self) -> None:
        from . import lookup
        for name in ("HashTable", "KeyValueTensorInitializer", "index_table_from_tensor",
                     "index_to_string_table_from_tensor"):
            setattr(self, name, getattr(lookup, name))

    def __getattr__(self, name):
        raise AttributeError(f"tf.contrib.lookup.{name} is not available in graphc")


def get_variables(scope=None, suffix=None, collection="variables") -> list:
    """tf.contrib.framework.get_variables: the variables of `collection` under `scope`
    (a name or a VariableScope) whose names end in `suffix`."""
    from .ir.context import get_default_graph
    if scope is not None and not isinstance(scope, str):
        scope = scope.name
    found = get_default_graph().get_collection(collection, scope)
    if suffix is not None:
        found = [v for v in found if v.op.name.endswith(suffix)]
    return found


def get_variables_by_name(given_name, scope=None) -> list:
    """The variables whose last name component is `given_name`."""
    return [v for v in get_variables(scope) if v.op.name.split("/")[-1] == given_name]


class _Framework:
    """`tf.contrib.framework`: variable and global-step helpers."""

    def __init__(self) -> None:
        from .train import schedules
        self.get_or_create_global_step = schedules.get_or_create_global_step
        self.get_global_step = schedules.get_global_step
        self.create_global_step = schedules.create_global_step

    get_variables = staticmethod(get_variables)
    get_variables_by_name = staticmethod(get_variables_by_name)

    @staticmethod
    def get_model_variables(scope=None, suffix=None):
        return get_variables(scope, suffix, "model_variables")

    @staticmethod
    def get_local_variables(scope=None, suffix=None):
        return get_variables(scope, suffix, "local_variables")

    @staticmethod
    def get_trainable_variables(scope=None, suffix=None):
        return get_variables(scope, suffix, "trainable_variables")

    def __getattr__(self, name):
        raise AttributeError(f"tf.contrib.framework.{name} is not available in graphc")


class _Contrib:
    layers = _Layers()
    lookup = _Lookup()
    framework = _Framework()

    def __getattr__(self, name):
        raise AttributeError(f"tf.contrib.{name} is not available in graphc (tf.contrib was "
                             "removed after TF1; graphc provides contrib.layers' initializers "
                             "and regularizers, contrib.lookup and contrib.framework only)")


contrib = _Contrib()
