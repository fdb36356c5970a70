"""Variables and assignments: the ops that touch state kept by the Session.

A VariableV2 node reads the variable's current value; Assign/AssignAdd/AssignSub write
it. The target of an assignment is input 0, a *ref* input: backends resolve it to the
variable it names and never read it as a value. Writes replace the stored value, so a
value read earlier in the same run stays what it was (read-before-assign, as the design
fixes), and a consumer ordered after an assignment by control dependencies sees the
new value (TF1's ref semantics). AssignAdd/AssignSub read, compute and write under the
variable's lock, so concurrent runs lose no update; `use_locking=True` puts a plain Assign
under the same lock (see NodeContext in ir/runtime.py).
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from .. import dtypes as dt
from ..context import get_default_graph
from ..shapes import TensorShape, as_shape
from ._base import NON_DIFFERENTIABLE, apply, convert_to_tensor, defop


def _variable_infer(op):
    return [(op.attrs["dtype"], op.attrs["shape"])]


def _variable_compute(ctx, *, dtype, shape):
    return ctx.read_variable()


defop("VariableV2", _variable_infer, _variable_compute, NON_DIFFERENTIABLE, pure=False,
      needs_context=True, family="state", default_name="Variable")


def variable_op(shape, dtype, name: Optional[str] = None):
    return apply("VariableV2", (), {"shape": as_shape(shape), "dtype": dt.as_dtype(dtype)},
                 name=name or "Variable", graph=get_default_graph())


def _assign_infer(op):
    ref, value = op.inputs
    if ref.op.type != "VariableV2":
        raise TypeError(f"the target '{ref.name}' of {op.type} must be a variable, but it is "
                        f"produced by a {ref.op.type} op")
    if value.dtype is not ref.dtype:
        raise TypeError(f"cannot assign a {value.dtype.name} value '{value.name}' to the "
                        f"{ref.dtype.name} variable '{ref.op.name}'")
    validate = op.attrs.get("validate_shape", True)
    if validate and not ref.shape.is_compatible_with(value.shape):
        raise ValueError(f"cannot assign a value of shape {value.shape} to the variable "
                         f"'{ref.op.name}' of shape {ref.shape}")
    shape = ref.shape.merge_with(value.shape) if validate else value.shape
    return [(ref.dtype, shape)]


def _assign_compute(ctx, ref, value, **attrs):
    return ctx.write_variable(np.array(value, copy=True))


def _assign_add_compute(ctx, ref, value, **attrs):
    return ctx.update_variable(lambda v: v + value)


def _assign_sub_compute(ctx, ref, value, **attrs):
    return ctx.update_variable(lambda v: v - value)


for _name, _compute in (("Assign", _assign_compute), ("AssignAdd", _assign_add_compute),
                        ("AssignSub", _assign_sub_compute)):
    defop(_name, _assign_infer, _compute, NON_DIFFERENTIABLE, pure=False,
          needs_context=True, ref_inputs=(0,), writes_state=True, family="state")


def _assign(op_type: str, ref, value, name, validate_shape=True, use_locking=None):
    ref_t = ref._variable_tensor() if hasattr(ref, "_variable_tensor") else ref
    value = convert_to_tensor(value, dtype=ref_t.dtype)
    attrs = {"use_locking": bool(use_locking)}
    if op_type == "Assign":
        attrs["validate_shape"] = bool(validate_shape)
    return apply(op_type, (ref_t, value), attrs, name=name or op_type)


def assign(ref, value, validate_shape=None, use_locking=None, name=None):
    return _assign("Assign", ref, value, name, validate_shape is not False, use_locking)


def assign_add(ref, value, use_locking=None, name=None):
    return _assign("AssignAdd", ref, value, name, use_locking=use_locking)


def assign_sub(ref, value, use_locking=None, name=None):
    return _assign("AssignSub", ref, value, name, use_locking=use_locking)


def _is_initialized_compute(ctx, ref, **attrs):
    return np.array(ctx.variable_initialized())


defop("IsVariableInitialized", lambda op: [(dt.bool_, TensorShape(()))],
      _is_initialized_compute, NON_DIFFERENTIABLE, pure=False, needs_context=True,
      ref_inputs=(0,), family="state")


def is_variable_initialized(variable, name=None):
    ref_t = variable._variable_tensor() if hasattr(variable, "_variable_tensor") else variable
    return apply("IsVariableInitialized", (ref_t,), name=name or "IsVariableInitialized")
