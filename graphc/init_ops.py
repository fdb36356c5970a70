"""Variable initializers (TF1 `tf.*_initializer` and `tf.initializers.*`).

An initializer is called as `init(shape, dtype=None, partition_info=None)` and builds the
ops that compute the initial value, so random initializers follow the graph seed rules.
"""
from __future__ import annotations

import math
from typing import Optional

import numpy as np

from .ir import dtypes as _dt
from .ir.ops import array_ops, core_ops, math_ops
from .ir.ops.diag_ops import diag_part
from .ir.ops.linalg_ops import qr
from .lookup import tables_initializer
from .variables import (global_variables_initializer, local_variables_initializer,
                        variables_initializer)


def _random():
    from .ir.ops import random_ops
    return random_ops


def _shape_list(shape) -> list:
    from .ir.shapes import as_shape
    s = as_shape(shape)
    if not s.is_fully_defined():
        raise ValueError(f"An initializer needs a fully defined shape, got {s}")
    return s.as_list()


class Initializer:
    """Base class; subclasses implement __call__(shape, dtype, partition_info)."""

    def __call__(self, shape, dtype=None, partition_info=None):
        raise NotImplementedError

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class Zeros(Initializer):
    def __init__(self, dtype=_dt.float32) -> None:
        self.dtype = _dt.as_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        dtype = _dt.as_dtype(dtype or self.dtype)
        return core_ops.constant(np.zeros(_shape_list(shape), dtype.np), name="zeros")


class Ones(Initializer):
    def __init__(self, dtype=_dt.float32) -> None:
        self.dtype = _dt.as_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        dtype = _dt.as_dtype(dtype or self.dtype)
        return core_ops.constant(np.ones(_shape_list(shape), dtype.np), name="ones")


class Constant(Initializer):
    def __init__(self, value=0, dtype=_dt.float32, verify_shape: bool = False) -> None:
        self.value = value
        self.dtype = _dt.as_dtype(dtype)
        self.verify_shape = verify_shape

    def __call__(self, shape, dtype=None, partition_info=None, verify_shape=None):
        dtype = _dt.as_dtype(dtype or self.dtype)
        return core_ops.constant(self.value, dtype=dtype, shape=_shape_list(shape),
                                 verify_shape=bool(verify_shape or self.verify_shape))


class RandomNormal(Initializer):
    def __init__(self, mean=0.0, stddev=1.0, seed=None, dtype=_dt.float32) -> None:
        self.mean, self.stddev, self.seed = mean, stddev, seed
        self.dtype = _dt.as_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        return _random().random_normal(_shape_list(shape), self.mean, self.stddev,
                                       _dt.as_dtype(dtype or self.dtype), seed=self.seed)


class TruncatedNormal(RandomNormal):
    def __call__(self, shape, dtype=None, partition_info=None):
        return _random().truncated_normal(_shape_list(shape), self.mean, self.stddev,
                                          _dt.as_dtype(dtype or self.dtype), seed=self.seed)


class RandomUniform(Initializer):
    def __init__(self, minval=0, maxval=None, seed=None, dtype=_dt.float32) -> None:
        self.minval, self.maxval, self.seed = minval, maxval, seed
        self.dtype = _dt.as_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        dtype = _dt.as_dtype(dtype or self.dtype)
        maxval = self.maxval
        if maxval is None and dtype.is_floating:
            maxval = 1.0
        return _random().random_uniform(_shape_list(shape), self.minval, maxval, dtype,
                                        seed=self.seed)


def _compute_fans(shape: list) -> tuple[float, float]:
    if len(shape) < 1:
        return 1.0, 1.0
    if len(shape) == 1:
        return float(shape[0]), float(shape[0])
    if len(shape) == 2:
        return float(shape[0]), float(shape[1])
    receptive = float(np.prod(shape[:-2]))
    return shape[-2] * receptive, shape[-1] * receptive


class VarianceScaling(Initializer):
    """TF1 VarianceScaling: scale / fan, sampled truncated-normal, normal or uniform."""

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None,
                 dtype=_dt.float32) -> None:
        if scale <= 0.0:
            raise ValueError("`scale` must be positive float.")
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError(f"Invalid `mode` argument: {mode}")
        distribution = distribution.lower()
        if distribution == "normal":
            distribution = "truncated_normal"
        if distribution not in ("uniform", "truncated_normal", "untruncated_normal"):
            raise ValueError(f"Invalid `distribution` argument: {distribution}")
        self.scale, self.mode, self.distribution, self.seed = scale, mode, distribution, seed
        self.dtype = _dt.as_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        shape = _shape_list(shape)
        dtype = _dt.as_dtype(dtype or self.dtype)
        # a partition's scale is the whole variable's (TF1's partition_info.full_shape)
        fan_in, fan_out = _compute_fans(list(partition_info.full_shape) if partition_info
                                        is not None else shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[
            self.mode]
        scale = self.scale / max(1.0, n)
        r = _random()
        if self.distribution == "truncated_normal":
            stddev = math.sqrt(scale) / 0.87962566103423978
            return r.truncated_normal(shape, 0.0, stddev, dtype, seed=self.seed)
        if self.distribution == "untruncated_normal":
            return r.random_normal(shape, 0.0, math.sqrt(scale), dtype, seed=self.seed)
        limit = math.sqrt(3.0 * scale)
        return r.random_uniform(shape, -limit, limit, dtype, seed=self.seed)


class Orthogonal(Initializer):
    """TF1 `tf.orthogonal_initializer(gain=1.0, seed=None, dtype=tf.float32)`: a random
    orthogonal matrix (rows or columns orthonormal, whichever are fewer) for the shape
    flattened to [prod(shape[:-1]), shape[-1]], times `gain`: TF1's QR of a normal
    sample with the signs of R's diagonal moved into Q."""

    def __init__(self, gain=1.0, seed=None, dtype=_dt.float32) -> None:
        self.gain, self.seed, self.dtype = gain, seed, _dt.as_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        shape = _shape_list(shape)
        dtype = _dt.as_dtype(dtype or self.dtype)
        if not dtype.is_floating:
            raise ValueError("Expected floating point type, got %s." % dtype.name)
        if len(shape) < 2:
            raise ValueError("The tensor to initialize must be at least two-dimensional")
        rows, cols = int(np.prod(shape[:-1])), shape[-1]
        flat = (cols, rows) if rows < cols else (rows, cols)
        a = _random().random_normal(list(flat), dtype=dtype, seed=self.seed)
        q, r = qr(a, full_matrices=False)
        q = math_ops.multiply(q, math_ops.sign(diag_part(r)))
        if rows < cols:
            q = array_ops.transpose(q)
        return math_ops.multiply(np.asarray(self.gain, dtype.np), array_ops.reshape(q, shape))

    def get_config(self) -> dict:
        return {"gain": self.gain, "seed": self.seed, "dtype": self.dtype.name}


class UniformUnitScaling(Initializer):
    """TF1's deprecated `tf.uniform_unit_scaling_initializer(factor=1.0, seed=None,
    dtype=tf.float32)`: uniform in [-m, m], m = factor * sqrt(3 / input size), the input
    size being the product of all dims but the last (of the whole variable when
    partitioned)."""

    def __init__(self, factor=1.0, seed=None, dtype=_dt.float32) -> None:
        self.factor, self.seed, self.dtype = factor, seed, _dt.as_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        shape = _shape_list(shape)
        dtype = _dt.as_dtype(dtype or self.dtype)
        full = partition_info.full_shape if partition_info is not None else shape
        input_size = max(float(np.prod([float(d) for d in full[:-1]])), 1.0)
        limit = math.sqrt(3 / input_size) * self.factor
        return _random().random_uniform(shape, -limit, limit, dtype, seed=self.seed)

    def get_config(self) -> dict:
        return {"factor": self.factor, "seed": self.seed, "dtype": self.dtype.name}


class GlorotUniform(VarianceScaling):
    def __init__(self, seed=None, dtype=_dt.float32) -> None:
        super().__init__(1.0, "fan_avg", "uniform", seed, dtype)


class GlorotNormal(VarianceScaling):
    def __init__(self, seed=None, dtype=_dt.float32) -> None:
        super().__init__(1.0, "fan_avg", "truncated_normal", seed, dtype)


class Identity(Initializer):
    def __init__(self, gain=1.0, dtype=_dt.float32) -> None:
        self.gain, self.dtype = gain, _dt.as_dtype(dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        shape = _shape_list(shape)
        if len(shape) != 2:
            raise ValueError("Identity matrix initializer can only be used for 2D matrices.")
        dtype = _dt.as_dtype(dtype or self.dtype)
        return core_ops.constant(self.gain * np.eye(*shape), dtype=dtype)


def xavier_initializer(uniform: bool = True, seed=None, dtype=_dt.float32):
    """tf.contrib.layers.xavier_initializer."""
    return VarianceScaling(1.0, "fan_avg", "uniform" if uniform else "truncated_normal",
                           seed, dtype)


def he_normal(seed=None):
    return VarianceScaling(2.0, "fan_in", "truncated_normal", seed)


def he_uniform(seed=None):
    return VarianceScaling(2.0, "fan_in", "uniform", seed)


def lecun_normal(seed=None):
    return VarianceScaling(1.0, "fan_in", "truncated_normal", seed)


def lecun_uniform(seed=None):
    return VarianceScaling(1.0, "fan_in", "uniform", seed)


# TF1 lower-case names (classes are callable constructors in TF1 too).
zeros_initializer = Zeros
ones_initializer = Ones
constant_initializer = Constant
random_normal_initializer = RandomNormal
truncated_normal_initializer = TruncatedNormal
random_uniform_initializer = RandomUniform
variance_scaling_initializer = VarianceScaling
glorot_uniform_initializer = GlorotUniform
glorot_normal_initializer = GlorotNormal
identity_initializer = Identity
orthogonal_initializer = Orthogonal
uniform_unit_scaling_initializer = UniformUnitScaling


class _InitializersNamespace:
    """`tf.initializers.*` / `tf.keras.initializers.*`-style names."""

    zeros = Zeros
    ones = Ones
    constant = Constant
    random_normal = RandomNormal
    truncated_normal = TruncatedNormal
    random_uniform = RandomUniform
    variance_scaling = VarianceScaling
    glorot_uniform = GlorotUniform
    glorot_normal = GlorotNormal
    identity = Identity
    orthogonal = Orthogonal
    uniform_unit_scaling = UniformUnitScaling
    he_normal = staticmethod(he_normal)
    he_uniform = staticmethod(he_uniform)
    lecun_normal = staticmethod(lecun_normal)
    lecun_uniform = staticmethod(lecun_uniform)
    global_variables = staticmethod(global_variables_initializer)  # TF1's aliases
    variables = staticmethod(variables_initializer)
    local_variables = staticmethod(local_variables_initializer)
    tables_initializer = staticmethod(tables_initializer)


initializers = _InitializersNamespace()


def default_initializer(dtype: _dt.DType) -> Optional[Initializer]:
    """get_variable's default: glorot_uniform for floats, zeros for ints and bools."""
    if dtype.is_floating:
        return GlorotUniform()
    if dtype.is_integer or dtype.is_bool:
        return Zeros(dtype)
    return None
