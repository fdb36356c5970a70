"""Contract samples for the ConditionalAccumulator ops: setup ops apply gradients where
the op under test takes or counts them."""
import numpy as np

import graphc as tf
from graphc.ir.ops import core_ops

ph = core_ops.placeholder
R = np.random.RandomState(11)


def _filled(n=2, dtype=tf.float32, reduction="MEAN"):
    acc = tf.ConditionalAccumulator(dtype, shape=[3], reduction_type=reduction)
    setup = [acc.apply_grad(tf.constant(R.randn(3).astype(dtype.np)), local_step=k)
             for k in range(n)]
    return acc, setup


def _apply():
    acc = tf.ConditionalAccumulator(tf.float32, shape=[2])
    g = ph("float32", [2])
    return [acc.apply_grad(g, local_step=3), acc.num_accumulated()], \
        {g: R.randn(2).astype(np.float32)}


def _apply_unknown_shape():
    acc = tf.ConditionalAccumulator(tf.float64)
    g, step = ph("float64", [None, 2]), ph("int64", [])
    return [acc.apply_grad(g, local_step=step)], {g: R.randn(3, 2), step: np.int64(0)}


def _take_mean():
    acc, setup = _filled()
    return [acc.take_grad(2) * 2.0], {}, setup


def _take_sum():
    acc, setup = _filled(3, tf.float64, "SUM")
    n = ph("int32", [])
    return [acc.take_grad(n)], {n: np.int32(3)}, setup


def _num():
    acc, setup = _filled()
    return [acc.num_accumulated()], {}, setup


def _num_empty():
    acc = tf.ConditionalAccumulator(tf.float16, shape=[1])
    return [acc.num_accumulated() + 1], {}


def _set_step():
    acc, setup = _filled()
    return [acc.set_global_step(5)], {}, setup


def _set_step_fed():
    acc = tf.ConditionalAccumulator(tf.float32)
    step = ph("int32", [])
    return [acc.set_global_step(step)], {step: np.int32(2)}


SAMPLES = {
    "AccumulatorApplyGradient": [_apply, _apply_unknown_shape],
    "AccumulatorTakeGradient": [_take_mean, _take_sum],
    "AccumulatorNumAccumulated": [_num, _num_empty],
    "AccumulatorSetGlobalStep": [_set_step, _set_step_fed],
}
