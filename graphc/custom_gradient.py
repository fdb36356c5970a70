"""TF1 `tf.custom_gradient` and `tf.hessians`.

`@tf.custom_gradient` wraps `f(*xs) -> (y, grad_fn)`: the forward value is y, and the
gradient of y with respect to the xs is whatever `grad_fn(*dys)` returns (one gradient per
x). As in TF1's graph mode, the outputs and inputs pass through one IdentityN op whose
gradient is overridden by a function registered for this call; it hands `grad_fn`'s
results to the inputs and stops the ordinary gradient of the forward computation. When f
reads variables (through `get_variable`, a layer), `grad_fn` must take a `variables`
keyword and return `(input_grads, variable_grads)`, as TF1's.
"""
from __future__ import annotations

import functools
import itertools

from .ir import context as _context
from .ir.graph import TensorLike
from .ir.ops._base import convert_to_tensor
from .ir.ops.identity_n_ops import identity_n
from .ir.registry import register_gradient
from .variables import GraphKeys

_ids = itertools.count()


def _flat(value) -> list:
    return list(value) if isinstance(value, (list, tuple)) else [value]


def custom_gradient(f=None):
    """Decorator: `f` returns (y, grad_fn); tf.gradients of y uses grad_fn (see module)."""
    if f is None:
        return custom_gradient

    @functools.wraps(f)
    def decorated(*args, **kwargs):
        return _call(f, args, kwargs)
    return decorated


def _variables_read(graph, first_op: int) -> list:
    """The trainable variables the ops f built read (TF1's graph mode watches the
    variables f reads the same way)."""
    by_tensor = {}
    for v in graph.get_collection(GraphKeys.TRAINABLE_VARIABLES):
        by_tensor[id(v._as_tensor())] = v
        by_tensor[id(v._variable_tensor())] = v
    found = []
    for op in graph.get_operations()[first_op:]:
        for t in op.inputs:
            v = by_tensor.get(id(t))
            if v is not None and v not in found:
                found.append(v)
    return found


def _call(f, args, kwargs):
    graph = _context.get_default_graph()
    inputs = [convert_to_tensor(a) for a in args]
    start = len(graph.get_operations())
    result, grad_fn = f(*inputs, **kwargs)
    variables = _variables_read(graph, start)
    flat = [convert_to_tensor(r) for r in _flat(result)]
    takes_variables = "variables" in getattr(grad_fn, "__code__", _NoCode).co_varnames
    if variables and not takes_variables:
        raise TypeError("If using @custom_gradient with a function that uses variables, "
                        "then grad_fn must accept a keyword argument 'variables'.")
    n_out, n_in = len(flat), len(inputs)
    name = f"CustomGradient-{next(_ids)}"

    def gradient(op, *grads):
        dys = list(grads[:n_out])
        if takes_variables:
            input_grads, variable_grads = grad_fn(*dys, variables=variables)
            variable_grads = _flat(variable_grads)
            if len(variable_grads) != len(variables):
                raise ValueError(f"custom_gradient: grad_fn returned {len(variable_grads)} "
                                 f"variable gradients for {len(variables)} variables")
        else:
            input_grads, variable_grads = grad_fn(*dys), []
        input_grads = _flat(input_grads)
        if len(input_grads) != n_in:
            raise ValueError(f"custom_gradient: grad_fn returned {len(input_grads)} "
                             f"gradients for {n_in} inputs")
        return [None] * n_out + input_grads + list(variable_grads)

    register_gradient(name, gradient, getattr(f, "__qualname__", repr(f)))
    var_tensors = [v._as_tensor() for v in variables]
    with graph.gradient_override_map({"IdentityN": name}):
        passed = identity_n(flat + inputs + var_tensors)
    out = passed[:n_out]
    if isinstance(result, (list, tuple)):
        return type(result)(out) if isinstance(result, tuple) else out
    return out[0]


class _NoCode:
    co_varnames = ()


def hessians(ys, xs, name="hessians", colocate_gradients_with_ops=False,
             gate_gradients=False, aggregation_method=None) -> list:
    """The Hessian of sum(ys) with respect to each x: a tensor of shape x.shape + x.shape
    (x's size must be known: one gradient per element of the first gradient)."""
    from .ir.ops.array_ops import reshape, stack
    from .passes.gradients import gradients
    xs = _flat(xs)
    graph = _context.get_default_graph()
    out = []
    with graph.name_scope(name):
        for x in xs:
            xt = x._as_tensor() if isinstance(x, TensorLike) else convert_to_tensor(x)
            if not xt.shape.is_fully_defined():
                raise ValueError(f"hessians needs {xt.name} of a fully defined shape, got "
                                 f"{xt.shape}")
            (grad,) = gradients(ys, [x])
            if grad is None:
                out.append(None)
                continue
            size = xt.shape.num_elements()
            flat = reshape(grad, [size])
            rows = []
            for i in range(size):
                (row,) = gradients(flat[i], [x])
                rows.append(reshape(row, [size]) if row is not None else
                            reshape(grad * 0, [size]))
            dims = xt.shape.as_list()
            out.append(reshape(stack(rows), dims + dims))
    return out
