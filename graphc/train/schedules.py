"""Global step and learning-rate schedules (TF1 `tf.train.*_decay`)."""
from __future__ import annotations

import numpy as np

from ..ir import context as _context
from ..ir import dtypes as _dt
from ..ir.graph import TensorLike
from ..ir.ops import core_ops, math_ops
from ..ir.ops._base import convert_to_tensor
from ..variables import GraphKeys, Variable


def get_global_step(graph=None):
    graph = graph or _context.get_default_graph()
    found = graph.get_collection(GraphKeys.GLOBAL_STEP)
    if len(found) > 1:
        raise TypeError("Multiple tensors in global_step collection.")
    return found[0] if found else None


def create_global_step(graph=None):
    graph = graph or _context.get_default_graph()
    if get_global_step(graph) is not None:
        raise ValueError("\"global_step\" already exists.")
    with graph.as_default(), graph.name_scope(None), graph.control_dependencies(None):
        return Variable(np.int64(0), trainable=False, name="global_step",
                        collections=[GraphKeys.GLOBAL_VARIABLES, GraphKeys.GLOBAL_STEP])


def get_or_create_global_step(graph=None):
    return get_global_step(graph) or create_global_step(graph)


def global_step(sess, global_step_tensor) -> int:
    return int(sess.run(global_step_tensor))


def _float(x, dtype):
    t = x._as_tensor() if isinstance(x, TensorLike) else convert_to_tensor(x, dtype=dtype)
    return t if t.dtype is dtype else math_ops.cast(t, dtype)


def exponential_decay(learning_rate, global_step, decay_steps, decay_rate, staircase=False,
                      name=None):
    """lr * decay_rate ^ (global_step / decay_steps), floored exponent if staircase."""
    if global_step is None:
        raise ValueError("global_step is required for exponential_decay.")
    graph = _context.get_default_graph()
    with graph.name_scope(name or "ExponentialDecay"):
        lr, p = _progress(learning_rate, global_step, decay_steps, staircase)
        return math_ops.multiply(lr, math_ops.pow(_float(decay_rate, lr.dtype), p))


def _progress(learning_rate, global_step, decay_steps, staircase):
    """The learning rate tensor and global_step / decay_steps (floored if staircase)."""
    lr = convert_to_tensor(learning_rate, dtype_hint=_dt.float32, name="learning_rate")
    p = math_ops.truediv(_float(global_step, lr.dtype), _float(decay_steps, lr.dtype))
    return lr, (math_ops.floor(p) if staircase else p)


def inverse_time_decay(learning_rate, global_step, decay_steps, decay_rate, staircase=False,
                       name=None):
    """lr / (1 + decay_rate * global_step / decay_steps)."""
    graph = _context.get_default_graph()
    with graph.name_scope(name or "InverseTimeDecay"):
        lr, p = _progress(learning_rate, global_step, decay_steps, staircase)
        dtype = lr.dtype
        one = core_ops.constant(np.ones((), dtype.np))
        return math_ops.truediv(lr, math_ops.add(one, math_ops.multiply(
            _float(decay_rate, dtype), p)))


def piecewise_constant(x, boundaries, values, name=None):
    """values[i] where boundaries[i-1] < x <= boundaries[i] (TF1)."""
    if len(values) != len(boundaries) + 1:
        raise ValueError("The length of boundaries should be 1 less than the length of values")
    graph = _context.get_default_graph()
    with graph.name_scope(name or "PiecewiseConstant"):
        xt = x._as_tensor() if isinstance(x, TensorLike) else convert_to_tensor(x)
        vals = [convert_to_tensor(v, dtype_hint=_dt.float32) for v in values]
        result = vals[-1]
        for b, v in reversed(list(zip(boundaries, vals[:-1]))):
            cond = math_ops.less_equal(xt, convert_to_tensor(b, dtype=xt.dtype))
            result = math_ops.where(cond, v, result)
        return result
