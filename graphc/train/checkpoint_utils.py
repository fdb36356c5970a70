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

import collections

import numpy as np

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


def _set_initializer(var: Variable, value, backup=None) -> None:
    """Make the variable's initializer assign `value` (where `backup` is given: `value`
    where backup[0] is True, else the tensor backup[1]() builds)."""
    graph = var.graph
    with graph.as_default(), graph.control_dependencies(None), \
            graph.name_scope(var.op.name + "/"):
        restored = core_ops.constant(value, dtype=var.dtype, name="checkpoint_initializer")
        if backup is not None:
            from ..ir.ops.math_ops import where
            keep, fresh = backup
            restored = where(core_ops.constant(keep), restored, fresh(), name="warm_started")
        var._initializer_op = state_ops.assign(var._variable_tensor(), restored,
                                               name="Assign").op
        var._initial_value = restored


def _summary(shapes: dict) -> str:
    names = sorted(shapes)
    return "{" + ", ".join(f"{n}: {shapes[n]}" for n in names[:20]) + \
        (", ..." if len(names) > 20 else "") + "}"


class VocabInfo(collections.namedtuple("VocabInfo", [
        "new_vocab", "new_vocab_size", "num_oov_buckets", "old_vocab", "old_vocab_size",
        "backup_initializer", "axis"])):
    """TF1 `tf.train.VocabInfo`: how `warm_start` remaps a vocabulary-indexed variable:
    the vocabulary files (one token per line; the first `new_vocab_size` / `old_vocab_size`
    lines, -1: all), the OOV rows after the new vocabulary, the initializer of rows
    without an old value (None: zeros), and the axis the vocabulary indexes (0 or 1)."""

    def __new__(cls, new_vocab, new_vocab_size, num_oov_buckets, old_vocab,
                old_vocab_size=-1, backup_initializer=None, axis=0):
        if axis not in (0, 1):
            raise ValueError(f"The only supported values for the axis argument are 0 and "
                             f"1.  Provided axis: {axis}")
        return super().__new__(cls, new_vocab, new_vocab_size, num_oov_buckets, old_vocab,
                               old_vocab_size, backup_initializer, axis)


def _vocab(path: str, size: int) -> list:
    with open(path, "rb") as f:
        words = [w.strip() for w in f.read().splitlines()]
    return words if size is None or size < 0 else words[:size]


def _remapped(var: Variable, old: np.ndarray, info: VocabInfo) -> tuple:
    """(value, rows that have an old value) of a vocabulary variable."""
    new_words = _vocab(info.new_vocab, info.new_vocab_size)
    old_rows = {w: i for i, w in enumerate(_vocab(info.old_vocab, info.old_vocab_size))}
    shape = var.shape.as_list()
    axis = info.axis
    if len(new_words) != info.new_vocab_size:
        raise ValueError(f"VocabInfo for {var.op.name}: the new vocabulary "
                         f"{info.new_vocab} has {len(new_words)} tokens, new_vocab_size is "
                         f"{info.new_vocab_size}")
    if shape[axis] != info.new_vocab_size + info.num_oov_buckets:
        raise ValueError(f"Variable {var.op.name} has shape {shape}: dimension {axis} must "
                         f"be new_vocab_size + num_oov_buckets = "
                         f"{info.new_vocab_size + info.num_oov_buckets}")
    moved = np.moveaxis(old, axis, 0)
    value = np.zeros([shape[axis]] + list(moved.shape[1:]), var.dtype.np)
    found = np.zeros(value.shape, bool)
    for i, w in enumerate(new_words):
        j = old_rows.get(w)
        if j is not None and j < moved.shape[0]:
            value[i], found[i] = moved[j], True
    return np.moveaxis(value, 0, axis), np.moveaxis(found, 0, axis)


def _vars_to_warm_start(vars_to_warm_start) -> list:
    from ..ir.context import get_default_graph
    from ..variables import GraphKeys
    graph = get_default_graph()
    if vars_to_warm_start is None:
        return []
    if isinstance(vars_to_warm_start, str):
        return graph.get_collection(GraphKeys.TRAINABLE_VARIABLES, scope=vars_to_warm_start)
    items = list(vars_to_warm_start)
    if all(isinstance(v, str) for v in items):
        out: list = []
        for pattern in items:
            out += [v for v in graph.get_collection(GraphKeys.GLOBAL_VARIABLES, scope=pattern)
                    if v not in out]
        return out
    if all(isinstance(v, Variable) for v in items):
        return items
    raise ValueError("vars_to_warm_start must be a regular expression, a list of them or "
                     "a list of Variables")


def warm_start(ckpt_to_initialize_from: str, vars_to_warm_start=".*",
               var_name_to_vocab_info=None, var_name_to_prev_var_name=None) -> None:
    """TF1 `tf.train.warm_start`: make the chosen variables' initializers load their
    values from a checkpoint (a regex selects trainable variables; a list of regexes,
    global ones), under their previous names where `var_name_to_prev_var_name` says, and
    remapped by vocabulary where `var_name_to_vocab_info` gives a VocabInfo."""
    from .saver import NewCheckpointReader, _resolve
    vocab_infos = dict(var_name_to_vocab_info or {})
    prev_names = dict(var_name_to_prev_var_name or {})
    used_vocab, used_prev = set(), set()
    reader = NewCheckpointReader(_resolve(ckpt_to_initialize_from))
    for var in _vars_to_warm_start(vars_to_warm_start):
        name = var.op.name
        prev = prev_names.get(name, name)
        used_prev.add(name)
        info = vocab_infos.get(name)
        if info is None:
            init_from_checkpoint(ckpt_to_initialize_from, {prev: var})
            continue
        used_vocab.add(name)
        if not reader.has_tensor(prev):
            raise ValueError(f"Tensor {prev} is not found in {ckpt_to_initialize_from} "
                             f"checkpoint")
        value, found = _remapped(var, reader.get_tensor(prev), info)
        init = info.backup_initializer
        shape, dtype = var.shape.as_list(), var.dtype

        def fresh(init=init, shape=shape, dtype=dtype):
            from ..ir.ops.generator_ops import zeros
            return zeros(shape, dtype) if init is None else init(shape, dtype=dtype)
        _set_initializer(var, value, None if found.all() else (found, fresh))
    unused = sorted(set(vocab_infos) - used_vocab)
    if unused:
        raise ValueError(f"You provided the following variables in var_name_to_vocab_info "
                         f"that were not used: {unused}.  Perhaps you misspelled them?  Here "
                         f"is the list of viable variable names: "
                         f"{sorted(v.op.name for v in _vars_to_warm_start(vars_to_warm_start))}")
    unused = sorted(set(prev_names) - used_prev)
    if unused:
        raise ValueError(f"You provided the following variables in var_name_to_prev_var_name "
                         f"that were not used: {unused}.  Perhaps you misspelled them?")
