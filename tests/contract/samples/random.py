"""Contract samples for random ops (impure: checked for dtype and shape only)."""
import numpy as np

from graphc.ir.ops import array_ops, core_ops, random_ops as r

ph = core_ops.placeholder


def _normal():
    return r.random_normal([2, 3], seed=1).op.inputs[0].op.inputs[0], {}


def _normal_dynamic():
    x = ph("float32", [None, 2])
    return r.random_normal(array_ops.shape(x), dtype="float64", seed=2).op.inputs[0].op \
        .inputs[0], {x: np.zeros((3, 2), np.float32)}


def _uniform():
    return r.random_uniform([4], seed=3).op.inputs[0].op.inputs[0], {}


def _uniform_f16():
    return r.random_uniform([2, 2], dtype="float16", seed=3).op.inputs[0].op.inputs[0], {}


def _truncated():
    return r.truncated_normal([50], seed=4).op.inputs[0].op.inputs[0], {}


def _truncated_f64():
    return r.truncated_normal([3, 1], dtype="float64", seed=4).op.inputs[0].op.inputs[0], {}


def _uniform_int():
    return r.random_uniform([5], 0, 10, dtype="int32", seed=5), {}


def _uniform_int64():
    return r.random_uniform([2, 2], -3, 3, dtype="int64", seed=5), {}


def _shuffle():
    x = ph("float32", [None, 2])
    return r.random_shuffle(x, seed=6), {x: np.arange(8, dtype=np.float32).reshape(4, 2)}


def _shuffle_vec():
    return r.random_shuffle(np.int32([1, 2, 3]), seed=6), {}


SAMPLES = {
    "RandomStandardNormal": [_normal, _normal_dynamic],
    "RandomUniform": [_uniform, _uniform_f16],
    "TruncatedNormal": [_truncated, _truncated_f64],
    "RandomUniformInt": [_uniform_int, _uniform_int64],
    "RandomShuffle": [_shuffle, _shuffle_vec],
}
