"""TF's top-level gradient helpers: `tf.grad_pass_through`, `tf.recompute_grad`, and
`tf.is_symbolic_tensor`.

`grad_pass_through(f)` computes f forward and passes the gradient straight through to
f's inputs (the straight-through estimator). `recompute_grad(f)` computes f forward and,
in the gradient, builds f again on its inputs and differentiates that copy, which runs
only once the incoming gradient is there (TF saves memory this way; graphc's values are
the same as f's ordinary gradient). Both go through `tf.custom_gradient`.
"""
from __future__ import annotations

import functools

from .custom_gradient import custom_gradient
from .indexed_slices import IndexedSlices
from .ir.graph import Tensor
from .api import control_dependencies
from .ir.ops import core_ops
from .passes.gradients import gradients
from .ragged import RaggedTensor
from .sparse_tensor import SparseTensor
from .variable_scope import get_variable_scope, variable_scope
from .variables import Variable

__all__ = ["grad_pass_through", "recompute_grad", "is_symbolic_tensor"]


def _flat(value) -> list:
    return list(value) if isinstance(value, (list, tuple)) else [value]


def grad_pass_through(f):
    """`f`, with the gradient of its result handed to its inputs unchanged (f's result
    and inputs must have matching shapes; variables f reads get no gradient)."""

    @functools.wraps(f)
    def wrapped(*args):
        @custom_gradient
        def passed(*xs):
            def grad(*dys, variables=None):
                if len(dys) != len(xs):
                    raise ValueError(f"grad_pass_through: {f.__name__} returns {len(dys)} "
                                     f"values for {len(xs)} inputs")
                return (list(dys) if len(dys) > 1 else dys[0],
                        [None] * len(variables or []))
            return f(*xs), grad
        return passed(*args)
    return wrapped


def recompute_grad(f):
    """`f`, whose gradient recomputes f's forward pass inside the gradient (see
    module); the variables f reads get their gradients too."""

    @functools.wraps(f)
    def wrapped(*args, **kwargs):
        scope = get_variable_scope()

        @custom_gradient
        def inner(*xs):
            result = f(*xs, **kwargs)

            def grad(*dresult, variables=None):
                variables = list(variables or [])
                with control_dependencies([d for d in dresult if d is not None]):
                    again = [core_ops.identity(x) for x in xs]
                with variable_scope(scope, reuse=True):
                    recomputed = f(*again, **kwargs)
                grads = gradients(_flat(recomputed), again + variables,
                                  grad_ys=list(dresult), unconnected_gradients="zero")
                n = len(again)
                return (grads[:n] if n != 1 else grads[0]), grads[n:]
            return result, grad
        return inner(*args)
    return wrapped


def is_symbolic_tensor(tensor) -> bool:
    """TF's `tf.is_symbolic_tensor`: True for graph values (tensors, variables, sparse,
    ragged and indexed-slices tensors), False for Python and numpy values."""
    return isinstance(tensor, (Tensor, Variable, SparseTensor, RaggedTensor, IndexedSlices))
