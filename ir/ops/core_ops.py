"""Graph-structure ops: Const, Placeholder, PlaceholderWithDefault, Identity, NoOp,
StopGradient, and their builders (TF1 names)."""
from __future__ import annotations

from typing import Optional

import numpy as np

from .. import dtypes as dt
from ..context import get_default_graph
from ..errors import InvalidArgumentError
from ..shapes import TensorShape, as_shape
from ._base import (NON_DIFFERENTIABLE, apply, convert_to_tensor, defop, np_value,
                    same_as_input)


# ------------------------------------------------------------------ Const
def _const_infer(op):
    value = op.attrs["value"]
    return [(op.attrs["dtype"], TensorShape(value.shape))]


def _const_compute(*, value, dtype):
    return value


defop("Const", _const_infer, _const_compute, NON_DIFFERENTIABLE, family="core")


def constant(value, dtype=None, shape=None, name: str = "Const", verify_shape: bool = False):
    """TF1 `tf.constant`: a scalar fills `shape`; a value of equal size is reshaped."""
    if hasattr(value, "_as_tensor"):
        raise TypeError("tf.constant takes a Python or numpy value, not a Tensor; use "
                        "tf.identity or tf.cast for tensors.")
    arr = np_value(value, dtype)
    if shape is not None:
        shape = [int(d) for d in as_shape(shape).as_list()]
        n = int(np.prod(shape)) if shape else 1
        if arr.shape == tuple(shape):
            pass
        elif verify_shape:
            raise TypeError(f"Expected Tensor's shape: {tuple(shape)}, got {arr.shape}.")
        elif arr.size == 1:
            arr = np.full(shape, arr.reshape(()), dtype=arr.dtype)
        elif arr.size == n:
            arr = arr.reshape(shape)
        else:
            raise TypeError(f"Eager execution of tf.constant with unsupported shape "
                            f"(value has {arr.size} elements, shape is {tuple(shape)} with "
                            f"{n} elements).")
    return apply("Const", (), {"value": arr, "dtype": dt.from_numpy(arr)}, name=name,
                 graph=get_default_graph())


# ------------------------------------------------------------------ Placeholder
def _placeholder_infer(op):
    return [(op.attrs["dtype"], op.attrs["shape"])]


def _placeholder_compute(*, dtype, shape):
    raise InvalidArgumentError(None, None, "You must feed a value for placeholder tensor "
                               f"with dtype {dtype.name} and shape {shape}")


defop("Placeholder", _placeholder_infer, _placeholder_compute, NON_DIFFERENTIABLE,
      pure=False, family="core")


def placeholder(dtype, shape=None, name: Optional[str] = None):
    """TF1 `tf.placeholder`: a value fed at run time; `shape` may be partial or None."""
    return apply("Placeholder", (), {"dtype": dt.as_dtype(dtype), "shape": as_shape(shape)},
                 name=name or "Placeholder", graph=get_default_graph())


def _pwd_infer(op):
    shape = op.attrs["shape"]
    x = op.inputs[0]
    if not x.shape.is_compatible_with(shape):
        raise ValueError(f"the default value has shape {x.shape}, which is not compatible "
                         f"with the placeholder shape {shape}")
    return [(x.dtype, shape)]


def _pwd_compute(x, *, shape):
    return x


defop("PlaceholderWithDefault", _pwd_infer, _pwd_compute, NON_DIFFERENTIABLE,
      family="core")


def placeholder_with_default(input, shape, name: Optional[str] = None):
    """TF1 `tf.placeholder_with_default`: `input` unless the tensor is fed."""
    x = convert_to_tensor(input)
    return apply("PlaceholderWithDefault", (x,), {"shape": as_shape(shape)},
                 name=name or "PlaceholderWithDefault")


# ------------------------------------------------------------------ Identity, NoOp, StopGradient
def _identity_compute(x):
    return x


defop("Identity", same_as_input, _identity_compute,
      lambda op, grads: [grads[0]], elementwise=True, family="core")


def identity(input, name: Optional[str] = None):
    x = convert_to_tensor(input)
    return apply("Identity", (x,), name=name or "Identity")


defop("StopGradient", same_as_input, _identity_compute, NON_DIFFERENTIABLE,
      elementwise=True, family="core")


def stop_gradient(input, name: Optional[str] = None):
    x = convert_to_tensor(input)
    return apply("StopGradient", (x,), name=name or "StopGradient")


# TF's GuaranteeConst: an identity promising the value is the same in every run (TF has
# no gradient for it and refuses to differentiate through it; here it is a constant).
defop("GuaranteeConst", same_as_input, _identity_compute, NON_DIFFERENTIABLE,
      elementwise=True, family="core")


def guarantee_const(input, name: Optional[str] = None):
    """TF's `tf.guarantee_const`: `input`, marked as the same in every run."""
    x = convert_to_tensor(input)
    return apply("GuaranteeConst", (x,), name=name or "GuaranteeConst")


defop("NoOp", lambda op: [], lambda: (), NON_DIFFERENTIABLE, family="core")


def no_op(name: Optional[str] = None):
    return get_default_graph().create_op("NoOp", (), name=name or "NoOp")


def group(*inputs, name: Optional[str] = None):
    """A NoOp that runs after all `inputs` (ops, tensors, or nested lists of them)."""
    ops = []

    def collect(x):
        if isinstance(x, (list, tuple, set)):
            for i in x:
                collect(i)
        elif isinstance(x, dict):
            for i in x.values():
                collect(i)
        elif x is not None:
            ops.append(x)

    collect(inputs)
    graph = get_default_graph()
    with graph.control_dependencies(ops):
        return graph.create_op("NoOp", (), name=name or "group_deps")


def tuple_(tensors, name: Optional[str] = None, control_inputs=None):
    """TF1 `tf.tuple`: each output is available only after all inputs are computed."""
    tensors = list(tensors)
    gate = group(*[t for t in tensors if t is not None], *(control_inputs or []),
                 name=(name or "tuple") + "_gate")
    graph = get_default_graph()
    out = []
    with graph.control_dependencies([gate]):
        for t in tensors:
            out.append(None if t is None else identity(t))
    return out
