"""TF1 `tf.train.init_from_checkpoint`: initialize variables from a checkpoint instead of
their initializers (warm starts, fine-tuning a pretrained backbone).

The assignment map follows TF1: `{"ckpt/name": "graph/name" or Variable}` maps one tensor
to one variable; `{"ckpt_scope/": "graph_scope/"}` maps every `tf.get_variable` variable
under `graph_scope/` to the tensor of the same relative name under `ckpt_scope/` ("/" is
the root on either side). Each variable's initializer is replaced by an assignment of the
checkpoint's value, so `tf.global_variables_initializer()` created afterwards loads it.
The values are read when `init_from_checkpoint` is called (TensorFlow reads them when the
initializer runs; they differ only if the file changes in between).
"""
from __future__ import annotations

from ..ir.ops import core_ops, state_ops
from ..variables import Variable


def _store() -> dict:
    from ..variable_scope import _state
    return _state().variables


def init_from_checkpoint(ckpt_dir_or_file: str, assignment_map: dict) -> None:
    """TF1 `tf.train.init_from_checkpoint` (see the module doc)."""
    from .saver import NewCheckpointReader, _resolve
    prefix = _resolve(ckpt_dir_or_file)
    reader = NewCheckpointReader(prefix)
    shapes = reader.get_variable_to_shape_map()
    store = _store()
    pairs = []  # (checkpoint tensor name, Variable)
    for ckpt_name, current in sorted(assignment_map.items(), key=lambda kv: kv[0]):
        var = current if isinstance(current, Variable) else store.get(current)
        if var is not None:
            if ckpt_name not in shapes:
                raise ValueError(f"Tensor {ckpt_name} is not found in {ckpt_dir_or_file} "
                                 f"checkpoint {_summary(shapes)}")
            pairs.append((ckpt_name, var))
            continue
        if not isinstance(current, str):
            raise TypeError(f"assignment_map values must be variable names, scopes or "
                            f"Variables, got {current!r} for {ckpt_name!r}")
        scope = current[:current.rindex("/")] if "/" in current else ""
        if not ckpt_name.endswith("/"):
            raise ValueError(f"Assignment map with scope only name {scope} should map to "
                             f"scope only {ckpt_name}. Should be 'scope/': 'other_scope/'.")
        for var_name in sorted(n for n in store if not scope or n.startswith(scope + "/")):
            full = var_name[len(scope):]
            if current != "/":
                full = full[1:]
            if ckpt_name != "/":
                full = ckpt_name + full
            full = full[:-1] if full.endswith("/") else full
            if full not in shapes:
                raise ValueError(f"Tensor {full} ({var_name[len(scope) + 1:]} in "
                                 f"{ckpt_name}) is not found in {ckpt_dir_or_file} checkpoint")
            pairs.append((full, store[var_name]))
    for ckpt_name, var in pairs:
        if not var.shape.is_compatible_with(shapes[ckpt_name]):
            raise ValueError(f"Shape of variable {var.name} ({var.shape}) doesn't match with "
                             f"shape of tensor {ckpt_name} ({shapes[ckpt_name]}) from "
                             "checkpoint reader.")
        dtype = reader.get_variable_to_dtype_map()[ckpt_name]
        if dtype is not var.dtype:
            raise ValueError(f"Variable {var.name} has dtype {var.dtype.name}; tensor "
                             f"{ckpt_name} of checkpoint {prefix} is {dtype.name}")
    for ckpt_name, var in pairs:
        _set_initializer(var, reader.get_tensor(ckpt_name))


def _set_initializer(var: Variable, value) -> None:
    graph = var.graph
    with graph.as_default(), graph.control_dependencies(None), \
            graph.name_scope(var.op.name + "/"):
        restored = core_ops.constant(value, dtype=var.dtype, name="checkpoint_initializer")
        var._initializer_op = state_ops.assign(var._variable_tensor(), restored,
                                               name="Assign").op
        var._initial_value = restored


def _summary(shapes: dict) -> str:
    names = sorted(shapes)
    return "{" + ", ".join(f"{n}: {shapes[n]}" for n in names[:20]) + \
        (", ..." if len(names) > 20 else "") + "}"
