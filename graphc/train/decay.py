"""TF1's remaining learning-rate schedules (`tf.train.*_decay`), as graph ops of the step.

Each computes in the learning rate's float dtype (global_step is cast to it), as TF1's:
natural_exp_decay, polynomial_decay (with `cycle`), cosine_decay, cosine_decay_restarts
(SGDR), linear_cosine_decay, noisy_linear_cosine_decay and piecewise_constant_decay.
"""
from __future__ import annotations

import math

import numpy as np

from ..ir import context as _context
from ..ir.ops import math_ops as M
from ..ir.ops import generator_ops as G
from .schedules import _float, _progress, piecewise_constant


def _require_step(global_step, what: str) -> None:
    if global_step is None:
        raise ValueError(f"global_step is required for {what}.")


def _scope(name, default):
    return _context.get_default_graph().name_scope(name or default)


def _const(value, like):
    return np.asarray(value, like.dtype.np)


def natural_exp_decay(learning_rate, global_step, decay_steps, decay_rate, staircase=False,
                      name=None):
    """lr * exp(-decay_rate * global_step / decay_steps) (floored ratio if staircase)."""
    _require_step(global_step, "natural_exp_decay")
    with _scope(name, "NaturalExpDecay"):
        lr, p = _progress(learning_rate, global_step, decay_steps, staircase)
        return M.multiply(lr, M.exp(M.negative(M.multiply(_float(decay_rate, lr.dtype), p))))


def polynomial_decay(learning_rate, global_step, decay_steps, end_learning_rate=0.0001,
                     power=1.0, cycle=False, name=None):
    """(lr - end) * (1 - step / decay_steps) ^ power + end, the step held at decay_steps;
    with `cycle`, decay_steps grows to the next multiple of itself above the step."""
    _require_step(global_step, "polynomial_decay")
    with _scope(name, "PolynomialDecay"):
        lr, _ = _progress(learning_rate, global_step, 1, False)
        step = _float(global_step, lr.dtype)
        steps = _float(decay_steps, lr.dtype)
        end = _float(end_learning_rate, lr.dtype)
        if cycle:
            multiplier = M.where_v2(M.equal(step, _const(0.0, lr)), G.ones_like(step),
                                    M.ceil(M.truediv(step, steps)))
            steps = M.multiply(steps, multiplier)
        else:
            step = M.minimum(step, steps)
        fraction = M.subtract(_const(1.0, lr), M.truediv(step, steps))
        return M.add(M.multiply(M.subtract(lr, end), M.pow(fraction, _float(power, lr.dtype))),
                     end)


def _cosine(fraction, like):
    """0.5 * (1 + cos(pi * fraction))."""
    return M.multiply(_const(0.5, like), M.add(_const(1.0, like), M.cos(
        M.multiply(_const(math.pi, like), fraction))))


def cosine_decay(learning_rate, global_step, decay_steps, alpha=0.0, name=None):
    """lr * ((1 - alpha) * 0.5 * (1 + cos(pi * min(step, decay_steps) / decay_steps))
    + alpha)."""
    _require_step(global_step, "cosine decay")
    with _scope(name, "CosineDecay"):
        lr, _ = _progress(learning_rate, global_step, 1, False)
        steps = _float(decay_steps, lr.dtype)
        step = M.minimum(_float(global_step, lr.dtype), steps)
        alpha_t = _float(alpha, lr.dtype)
        decayed = M.add(M.multiply(M.subtract(_const(1.0, lr), alpha_t),
                                   _cosine(M.truediv(step, steps), lr)), alpha_t)
        return M.multiply(lr, decayed)


def cosine_decay_restarts(learning_rate, global_step, first_decay_steps, t_mul=2.0,
                          m_mul=1.0, alpha=0.0, name=None):
    """SGDR: cosine decay restarted after first_decay_steps, each period t_mul times
    longer than the last and each restart m_mul times lower."""
    _require_step(global_step, "cosine decay restarts")
    with _scope(name, "SGDRDecay"):
        lr, _ = _progress(learning_rate, global_step, 1, False)
        one = _const(1.0, lr)
        fraction = M.truediv(_float(global_step, lr.dtype), _float(first_decay_steps, lr.dtype))
        t_mul_t, m_mul_t = _float(t_mul, lr.dtype), _float(m_mul, lr.dtype)
        alpha_t = _float(alpha, lr.dtype)
        if not hasattr(t_mul, "dtype") and t_mul == 1.0:
            restarts = M.floor(fraction)
            fraction = M.subtract(fraction, restarts)
        else:
            restarts = M.floor(M.truediv(
                M.log(M.subtract(one, M.multiply(fraction, M.subtract(one, t_mul_t)))),
                M.log(t_mul_t)))
            done = M.truediv(M.subtract(one, M.pow(t_mul_t, restarts)), M.subtract(one, t_mul_t))
            fraction = M.truediv(M.subtract(fraction, done), M.pow(t_mul_t, restarts))
        cosine = M.multiply(M.pow(m_mul_t, restarts), _cosine(fraction, lr))
        decayed = M.add(M.multiply(M.subtract(one, alpha_t), cosine), alpha_t)
        return M.multiply(lr, decayed)


def _linear_cosine(lr, global_step, decay_steps, num_periods, alpha, beta, noise=None):
    steps = _float(decay_steps, lr.dtype)
    step = M.minimum(_float(global_step, lr.dtype), steps)
    linear = M.truediv(M.subtract(steps, step), steps)
    if noise is not None:
        linear = M.add(linear, noise(step))
    periods = M.multiply(M.multiply(_const(2.0, lr), _float(num_periods, lr.dtype)),
                         M.truediv(step, steps))
    cosine = _cosine(periods, lr)
    decayed = M.add(M.multiply(M.add(_float(alpha, lr.dtype), linear), cosine),
                    _float(beta, lr.dtype))
    return M.multiply(lr, decayed)


def linear_cosine_decay(learning_rate, global_step, decay_steps, num_periods=0.5, alpha=0.0,
                        beta=0.001, name=None):
    """lr * ((alpha + linear) * cosine + beta), linear = (decay_steps - step) / decay_steps,
    cosine = 0.5 * (1 + cos(2 pi num_periods step / decay_steps)), step <= decay_steps."""
    _require_step(global_step, "linear cosine decay")
    with _scope(name, "LinearCosineDecay"):
        lr, _ = _progress(learning_rate, global_step, 1, False)
        return _linear_cosine(lr, global_step, decay_steps, num_periods, alpha, beta)


def noisy_linear_cosine_decay(learning_rate, global_step, decay_steps, initial_variance=1.0,
                              variance_decay=0.55, num_periods=0.5, alpha=0.0, beta=0.001,
                              name=None):
    """linear_cosine_decay with Gaussian noise of variance
    initial_variance / (1 + step) ^ variance_decay added to the linear term."""
    from ..ir.ops.random_ops import random_normal
    _require_step(global_step, "noisy linear cosine decay")
    with _scope(name, "NoisyLinearCosineDecay"):
        lr, _ = _progress(learning_rate, global_step, 1, False)

        def noise(step):
            variance = M.truediv(_float(initial_variance, lr.dtype), M.pow(
                M.add(_const(1.0, lr), step), _float(variance_decay, lr.dtype)))
            return random_normal([], stddev=M.sqrt(variance), dtype=lr.dtype)
        return _linear_cosine(lr, global_step, decay_steps, num_periods, alpha, beta, noise)


def piecewise_constant_decay(x, boundaries, values, name=None):
    """TF1's other name of piecewise_constant."""
    return piecewise_constant(x, boundaries, values, name)
