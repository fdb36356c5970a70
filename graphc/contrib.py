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


class _Contrib:
    layers = _Layers()

    def __getattr__(self, name):
        raise AttributeError(f"tf.contrib.{name} is not available in graphc (tf.contrib was "
                             "removed after TF1; graphc provides contrib.layers' initializers "
                             "and regularizers only)")


contrib = _Contrib()
