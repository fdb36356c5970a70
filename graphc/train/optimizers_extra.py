"""TF1's remaining optimizers: Adadelta, FTRL, the proximal pair and AdagradDA.

Each update is the one TF1's kernel (`Apply<Name>` in training_ops) computes, built from
ordinary ops; slots carry TF1's names (`<var>/<Optimizer>`, `<var>/<Optimizer>_1`). New
values go through `Optimizer._update`, so a sparse gradient (an embedding_lookup's) changes
only the rows it names, as TF1's `SparseApply<Name>` kernels do.
"""
from __future__ import annotations

import numpy as np

from ..ir.ops import math_ops as M
from ..ir.ops import generator_ops as G
from ..ir.ops import core_ops
from .optimizer import Optimizer


def _check_non_negative(**values) -> None:
    for name, value in values.items():
        if value is not None and not hasattr(value, "dtype") and value < 0.0:
            raise ValueError(f"{name} {value} needs to be positive or zero")


def _shrink(prox, lr_l1, lr_l2, one):
    """The proximal step shared by ProximalGradientDescent and ProximalAdagrad:
    sign(prox) * max(|prox| - lr*l1, 0) / (1 + lr*l2) (exactly prox / (1 + lr*l2) at l1=0)."""
    zero = np.zeros((), one.dtype)
    return M.truediv(M.multiply(M.sign(prox), M.maximum(M.subtract(M.abs(prox), lr_l1), zero)),
                     M.add(one, lr_l2))


def _init_adagrad_family(opt, use_locking, name, learning_rate, initial_name, initial, l1,
                         l2) -> None:
    """The constructor ProximalAdagrad and AdagradDA share: a positive initial accumulator
    value, a learning rate and l1/l2 strengths."""
    if initial <= 0.0:
        raise ValueError(f"{initial_name} must be positive: {initial}")
    Optimizer.__init__(opt, use_locking, name)
    opt._lr, opt._initial, opt._l1, opt._l2 = learning_rate, initial, l1, l2


class AdadeltaOptimizer(Optimizer):
    """accum = rho*accum + (1-rho)*g^2; update = sqrt(accum_update + eps) / sqrt(accum + eps)
    * g; accum_update = rho*accum_update + (1-rho)*update^2; var -= lr * update."""

    _row_wise = True

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-08, use_locking=False,
                 name="Adadelta") -> None:
        super().__init__(use_locking, name)
        self._lr, self._rho, self._epsilon = learning_rate, rho, epsilon

    def _create_slots(self, var_list):
        for v in var_list:
            self._slot(v, "accum", 0.0)
            self._slot(v, "accum_update", 0.0)

    def _apply_dense(self, grad, var):
        lr = self._hyper(self._lr, var, "lr")
        rho = self._hyper(self._rho, var, "rho")
        eps = self._hyper(self._epsilon, var, "epsilon")
        one = np.ones((), var.dtype.np)
        accum, accum_update = self.get_slot(var, "accum"), self.get_slot(var, "accum_update")
        accum_t = M.add(M.multiply(accum, rho), M.multiply(M.square(grad), M.subtract(one, rho)))
        update = M.multiply(M.multiply(M.sqrt(M.add(accum_update, eps)),
                                       M.rsqrt(M.add(accum_t, eps))), grad)
        update_t = M.add(M.multiply(accum_update, rho),
                         M.multiply(M.square(update), M.subtract(one, rho)))
        return core_ops.group(self._update(accum, accum_t), self._update(accum_update, update_t),
                              self._update(var, M.subtract(var, M.multiply(update, lr))))


class FtrlOptimizer(Optimizer):
    """FTRL-proximal (TF1 ApplyFtrl / ApplyFtrlV2 with l2 shrinkage):
    g_s = g + 2*l2_shrinkage*var; accum_new = accum + g^2;
    linear += g_s - (accum_new^-p - accum^-p) / lr * var;
    var = (sign(linear)*l1 - linear) / (accum_new^-p / lr + 2*l2) if |linear| > l1 else 0."""

    _row_wise = True

    def __init__(self, learning_rate, learning_rate_power=-0.5, initial_accumulator_value=0.1,
                 l1_regularization_strength=0.0, l2_regularization_strength=0.0,
                 use_locking=False, name="Ftrl", accum_name=None, linear_name=None,
                 l2_shrinkage_regularization_strength=0.0, beta=None) -> None:
        super().__init__(use_locking, name)
        if initial_accumulator_value < 0.0:
            raise ValueError(f"initial_accumulator_value {initial_accumulator_value} needs to "
                             "be positive or zero")
        if not hasattr(learning_rate_power, "dtype") and learning_rate_power > 0.0:
            raise ValueError(f"learning_rate_power {learning_rate_power} needs to be negative "
                             "or zero")
        _check_non_negative(l1_regularization_strength=l1_regularization_strength,
                            l2_regularization_strength=l2_regularization_strength,
                            l2_shrinkage_regularization_strength=(
                                l2_shrinkage_regularization_strength))
        self._lr, self._lr_power = learning_rate, learning_rate_power
        self._initial = initial_accumulator_value
        self._l1, self._l2 = l1_regularization_strength, l2_regularization_strength
        self._shrinkage = l2_shrinkage_regularization_strength
        self._beta = 0.0 if beta is None else beta
        self._accum_name, self._linear_name = accum_name, linear_name

    def _create_slots(self, var_list):
        for v in var_list:
            self._slot(v, "accum", self._initial, self._accum_name or self._name)
            self._slot(v, "linear", 0.0, self._linear_name or self._name + "_1")

    def _power(self, x, neg_p):
        """x ** -learning_rate_power (a square root at TF1's default -0.5, as its kernel)."""
        if not hasattr(self._lr_power, "dtype") and self._lr_power == -0.5:
            return M.sqrt(x)
        return M.pow(x, neg_p)

    def _apply_dense(self, grad, var):
        lr = self._hyper(self._lr, var, "learning_rate")
        l1 = self._hyper(self._l1, var, "l1")
        two = np.asarray(2.0, var.dtype.np)
        # TF1: l2 + beta / (2 * lr), the `beta` of the FTRL paper folded into the l2 term
        l2 = M.add(self._hyper(self._l2, var, "l2"),
                   M.truediv(self._hyper(self._beta, var, "beta"), M.multiply(two, lr)))
        neg_p = M.negative(self._hyper(self._lr_power, var, "learning_rate_power"))
        accum, linear = self.get_slot(var, "accum"), self.get_slot(var, "linear")
        g_s = M.add(grad, M.multiply(M.multiply(two, self._hyper(self._shrinkage, var,
                                                                  "l2_shrinkage")), var))
        accum_t = M.add(accum, M.square(grad))
        sigma = M.truediv(M.subtract(self._power(accum_t, neg_p), self._power(accum, neg_p)), lr)
        linear_t = M.add(linear, M.subtract(g_s, M.multiply(sigma, var)))
        quadratic = M.add(M.truediv(self._power(accum_t, neg_p), lr), M.multiply(two, l2))
        shrunk = M.truediv(M.subtract(M.multiply(M.sign(linear_t), l1), linear_t), quadratic)
        var_t = M.where_v2(M.greater(M.abs(linear_t), l1), shrunk, G.zeros_like(shrunk))
        return core_ops.group(self._update(linear, linear_t), self._update(var, var_t),
                              self._update(accum, accum_t))


class ProximalGradientDescentOptimizer(Optimizer):
    """prox = var - lr*g; var = sign(prox) * max(|prox| - lr*l1, 0) / (1 + lr*l2)."""

    _row_wise = True

    def __init__(self, learning_rate, l1_regularization_strength=0.0,
                 l2_regularization_strength=0.0, use_locking=False,
                 name="ProximalGradientDescent") -> None:
        super().__init__(use_locking, name)
        self._lr = learning_rate
        self._l1, self._l2 = l1_regularization_strength, l2_regularization_strength

    def _apply_dense(self, grad, var):
        lr = self._hyper(self._lr, var, "learning_rate")
        l1, l2 = self._hyper(self._l1, var, "l1"), self._hyper(self._l2, var, "l2")
        prox = M.subtract(var, M.multiply(lr, grad))
        new = _shrink(prox, M.multiply(lr, l1), M.multiply(lr, l2), np.ones((), var.dtype.np))
        return self._update(var, new).op


class ProximalAdagradOptimizer(Optimizer):
    """accum += g^2; lr_t = lr / sqrt(accum); prox = var - lr_t*g;
    var = sign(prox) * max(|prox| - lr_t*l1, 0) / (1 + lr_t*l2)."""

    _row_wise = True

    def __init__(self, learning_rate, initial_accumulator_value=0.1,
                 l1_regularization_strength=0.0, l2_regularization_strength=0.0,
                 use_locking=False, name="ProximalAdagrad") -> None:
        _init_adagrad_family(self, use_locking, name, learning_rate,
                             "initial_accumulator_value", initial_accumulator_value,
                             l1_regularization_strength, l2_regularization_strength)

    def _create_slots(self, var_list):
        for v in var_list:
            self._slot(v, "accumulator", self._initial)

    def _apply_dense(self, grad, var):
        lr = self._hyper(self._lr, var, "learning_rate")
        l1, l2 = self._hyper(self._l1, var, "l1"), self._hyper(self._l2, var, "l2")
        acc = self.get_slot(var, "accumulator")
        acc_t = M.add(acc, M.square(grad))
        lr_t = M.multiply(lr, M.rsqrt(acc_t))
        prox = M.subtract(var, M.multiply(grad, lr_t))
        new = _shrink(prox, M.multiply(lr_t, l1), M.multiply(lr_t, l2),
                      np.ones((), var.dtype.np))
        return core_ops.group(self._update(acc, acc_t), self._update(var, new))


class AdagradDAOptimizer(Optimizer):
    """Adagrad dual averaging. With T = global_step + 1, g_acc += g, gg_acc += g^2:
    var = lr * sign(-g_acc) * max(|g_acc| - l1*T, 0) / (l2*T*lr + sqrt(gg_acc))."""

    _row_wise = True

    def __init__(self, learning_rate, global_step,
                 initial_gradient_squared_accumulator_value=0.1,
                 l1_regularization_strength=0.0, l2_regularization_strength=0.0,
                 use_locking=False, name="AdagradDA") -> None:
        _init_adagrad_family(self, use_locking, name, learning_rate,
                             "initial_gradient_squared_accumulator_value",
                             initial_gradient_squared_accumulator_value,
                             l1_regularization_strength, l2_regularization_strength)
        self._global_step = global_step

    def _create_slots(self, var_list):
        for v in var_list:
            self._slot(v, "gradient_accumulator", 0.0)
            self._slot(v, "gradient_squared_accumulator", self._initial)

    def _prepare(self):
        step = self._global_step
        step = step._as_tensor() if hasattr(step, "_as_tensor") else step
        self._step_on_worker = M.add(core_ops.identity(step), np.ones((), step.dtype.np))

    def _apply_dense(self, grad, var):
        lr = self._hyper(self._lr, var, "learning_rate")
        l1, l2 = self._hyper(self._l1, var, "l1"), self._hyper(self._l2, var, "l2")
        t = M.cast(self._step_on_worker, var.dtype)
        g_acc = self.get_slot(var, "gradient_accumulator")
        gg_acc = self.get_slot(var, "gradient_squared_accumulator")
        g_acc_t = M.add(g_acc, grad)
        gg_acc_t = M.add(gg_acc, M.square(grad))
        zero = np.zeros((), var.dtype.np)
        shrunk = M.multiply(M.sign(M.negative(g_acc_t)),
                            M.maximum(M.subtract(M.abs(g_acc_t), M.multiply(l1, t)), zero))
        new = M.truediv(M.multiply(lr, shrunk),
                        M.add(M.multiply(M.multiply(l2, t), lr), M.sqrt(gg_acc_t)))
        return core_ops.group(self._update(g_acc, g_acc_t), self._update(gg_acc, gg_acc_t),
                              self._update(var, new))
