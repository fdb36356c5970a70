"""`tf.variable_scope` and `tf.get_variable`, with TF1's naming and reuse rules.

Variable scopes name variables (`scope/name:0`); each scope also opens a name scope for
ops, which, as in TF1, is made unique (`scope_1/`) when a scope is entered again while
variable names stay the same. State lives on the Graph (per graph, never global).
"""
from __future__ import annotations

import contextlib
import enum
from typing import Optional

from .ir import context as _context
from .ir import dtypes as _dt
from .ir.graph import Graph, TensorLike
from .ir.ops._base import np_value
from .ir.shapes import as_shape
from . import init_ops
from .partitioned_variables import PartitionInfo, PartitionedVariable, SaveSliceInfo, \
    slice_partitions
from .variables import GraphKeys, Variable


class _ReuseMode(enum.Enum):
    AUTO_REUSE = 1


AUTO_REUSE = _ReuseMode.AUTO_REUSE


class VariableScope:
    """TF1 `tf.VariableScope`: a variable-name prefix plus defaults for get_variable."""

    def __init__(self, reuse, name: str = "", initializer=None, regularizer=None,
                 caching_device=None, partitioner=None, custom_getter=None,
                 name_scope: str = "", dtype=_dt.float32, use_resource=None,
                 constraint=None) -> None:
        self._name = name
        self._reuse = reuse
        self._initializer = initializer
        self._regularizer = regularizer
        self._custom_getter = custom_getter
        self._partitioner = partitioner
        self._name_scope = name_scope
        self._dtype = _dt.as_dtype(dtype)
        self._constraint = constraint

    @property
    def name(self) -> str:
        return self._name

    @property
    def original_name_scope(self) -> str:
        return self._name_scope

    @property
    def reuse(self):
        return self._reuse

    @property
    def initializer(self):
        return self._initializer

    @property
    def regularizer(self):
        return self._regularizer

    @property
    def dtype(self):
        return self._dtype

    @property
    def custom_getter(self):
        return self._custom_getter

    @property
    def partitioner(self):
        return self._partitioner

    def set_partitioner(self, partitioner) -> None:
        self._partitioner = partitioner

    def reuse_variables(self) -> None:
        self._reuse = True

    def set_initializer(self, initializer) -> None:
        self._initializer = initializer

    def set_regularizer(self, regularizer) -> None:
        self._regularizer = regularizer

    def set_dtype(self, dtype) -> None:
        self._dtype = _dt.as_dtype(dtype)

    def get_variable(self, name, shape=None, dtype=None, initializer=None, **kwargs):
        return _get_variable_in(self, name, shape, dtype, initializer, **kwargs)

    def __repr__(self) -> str:
        return f"<VariableScope name={self._name!r} reuse={self._reuse}>"


class _ScopeState:
    def __init__(self) -> None:
        self.stack: list[VariableScope] = [VariableScope(False)]
        self.variables: dict[str, Variable] = {}
        self.partitioned: dict[str, PartitionedVariable] = {}
        self.scope_counts: dict[str, int] = {}


def _state(graph: Optional[Graph] = None) -> _ScopeState:
    # Scopes and variables belong to the outermost graph: a cond branch or loop body
    # builds in a function graph but creates and shares its variables there (TF1).
    graph = (graph or _context.get_default_graph()).outermost
    st = graph.facade_state.get("variable_scope")
    if st is None:
        st = graph.facade_state["variable_scope"] = _ScopeState()
    return st


def get_variable_scope() -> VariableScope:
    return _state().stack[-1]


@contextlib.contextmanager
def variable_scope(name_or_scope=None, default_name: Optional[str] = None, values=None,
                   initializer=None, regularizer=None, caching_device=None, partitioner=None,
                   custom_getter=None, reuse=None, dtype=None, use_resource=None,
                   constraint=None, auxiliary_name_scope: bool = True):
    """Open a variable scope (and a name scope for ops), TF1 semantics."""
    graph = _context.get_default_graph()
    st = _state(graph)
    parent = st.stack[-1]
    if name_or_scope is None and default_name is None:
        raise TypeError("If default_name is None then name_or_scope is required")
    if reuse is False:
        reuse = None
    inherited = parent.reuse if reuse is None else reuse
    if isinstance(name_or_scope, VariableScope):
        full = name_or_scope.name
        name_scope_ctx = graph.name_scope(name_or_scope.original_name_scope or None)
        base = name_or_scope
    else:
        if name_or_scope is not None:
            if not isinstance(name_or_scope, str):
                raise TypeError(f"VariableScope: name_or_scope must be a string or "
                                f"VariableScope, got {name_or_scope!r}")
            short = name_or_scope
        else:  # default_name is made unique among variable scopes
            prefix = f"{parent.name}/" if parent.name else ""
            short, i = default_name, 0
            while st.scope_counts.get(f"{prefix}{short}", 0) > 0:
                i += 1
                short = f"{default_name}_{i}"
            if reuse is None and parent.reuse is not True:
                inherited = parent.reuse
        full = f"{parent.name}/{short}" if parent.name else short
        name_scope_ctx = graph.name_scope(short) if auxiliary_name_scope else \
            contextlib.nullcontext(graph.get_name_scope() + "/")
        base = parent
    st.scope_counts[full] = st.scope_counts.get(full, 0) + 1
    # TF1's scope store: leaving a scope entered by name frees its sub-scopes' names, and
    # leaving one entered as an object restores the counts, so a second pass through a
    # model (reuse=True) meets `dense` again, not `dense_2`.
    saved = dict(st.scope_counts) if isinstance(name_or_scope, VariableScope) else None
    with name_scope_ctx as ns:
        scope = VariableScope(
            inherited, full,
            initializer if initializer is not None else base.initializer,
            regularizer if regularizer is not None else base.regularizer,
            custom_getter=custom_getter if custom_getter is not None else base.custom_getter,
            partitioner=partitioner if partitioner is not None else base.partitioner,
            name_scope=ns if isinstance(ns, str) else "",
            dtype=dtype if dtype is not None else base.dtype, constraint=constraint)
        if isinstance(name_or_scope, VariableScope):
            scope._name_scope = name_or_scope.original_name_scope
        st.stack.append(scope)
        try:
            yield scope
        finally:
            st.stack.pop()
            if saved is not None:
                st.scope_counts = saved
            else:
                for key in st.scope_counts:
                    if key.startswith(full + "/"):
                        st.scope_counts[key] = 0


def variable_op_scope(values, name_or_scope, default_name=None, initializer=None,
                      regularizer=None, caching_device=None, partitioner=None,
                      custom_getter=None, reuse=None, dtype=None, use_resource=None,
                      constraint=None):
    """TF1's deprecated `tf.variable_op_scope`: `variable_scope` with `values` first."""
    return variable_scope(name_or_scope, default_name=default_name, values=values,
                          initializer=initializer, regularizer=regularizer,
                          caching_device=caching_device, partitioner=partitioner,
                          custom_getter=custom_getter, reuse=reuse, dtype=dtype,
                          use_resource=use_resource, constraint=constraint)


def get_variable(name: str, shape=None, dtype=None, initializer=None, regularizer=None,
                 trainable=None, collections=None, caching_device=None, partitioner=None,
                 validate_shape: bool = True, use_resource=None, custom_getter=None,
                 constraint=None, synchronization=None, aggregation=None) -> Variable:
    """Get an existing variable (reuse) or create a new one, TF1 semantics; with a
    partitioner (here or the scope's), a PartitionedVariable of parts."""
    return _get_variable_in(get_variable_scope(), name, shape, dtype, initializer,
                            regularizer=regularizer, trainable=trainable,
                            collections=collections, validate_shape=validate_shape,
                            custom_getter=custom_getter, constraint=constraint,
                            partitioner=partitioner)


def _get_variable_in(scope: VariableScope, name, shape=None, dtype=None, initializer=None,
                     regularizer=None, trainable=None, collections=None,
                     validate_shape=True, custom_getter=None, constraint=None,
                     partitioner=None, **ignored) -> Variable:
    full = f"{scope.name}/{name}" if scope.name else name
    getter = custom_getter or scope.custom_getter
    partitioner = partitioner if partitioner is not None else scope.partitioner
    if partitioner is not None:
        return _get_partitioned(scope, full, shape, dtype, initializer, regularizer,
                                trainable, collections, validate_shape, constraint,
                                partitioner)

    def true_getter(name=full, shape=shape, dtype=dtype, initializer=initializer,
                    regularizer=regularizer, trainable=trainable, collections=collections,
                    validate_shape=validate_shape, **kw):
        return _get_or_create(scope, name, shape, dtype, initializer, regularizer, trainable,
                              collections, validate_shape, constraint)

    if getter is not None:
        return getter(true_getter, full, shape=shape, dtype=dtype, initializer=initializer,
                      regularizer=regularizer, trainable=trainable, collections=collections,
                      validate_shape=validate_shape)
    return true_getter()


def _get_partitioned(scope, full, shape, dtype, initializer, regularizer, trainable,
                     collections, validate_shape, constraint, partitioner):
    """TF1's _get_partitioned_variable: the parts `partitioner(shape=, dtype=)` asks for,
    each a Variable `<full>/part_<i>` (graphc/partitioned_variables.py)."""
    st = _state()
    existing = st.partitioned.get(full)
    if existing is not None:
        if scope.reuse is None or scope.reuse is False:
            raise ValueError(f"Partitioned variable with name {full} already exists. Did you "
                             "mean to set reuse=True or reuse=tf.AUTO_REUSE in VarScope?")
        if shape is not None and not as_shape(shape).is_compatible_with(existing.shape):
            raise ValueError(f"Trying to reuse partitioned variable {full}, but specified "
                             f"shape {as_shape(shape)} and found shape {existing.shape}.")
        return existing
    if scope.reuse is True:
        raise ValueError(f"PartitionedVariable {full} does not exist, or was not created with "
                         "tf.get_variable(). Did you mean to set reuse=None in VarScope?")
    if shape is None or not as_shape(shape).is_fully_defined():
        raise ValueError(f"Shape of a new partitioned variable ({full}) must be fully "
                         f"defined, but instead was {shape}.")
    if as_shape(shape).ndims < 1:
        raise ValueError(f"A partitioned Variable must have rank at least 1, shape: {shape}")
    shape = as_shape(shape)
    dtype = _dt.as_dtype(dtype) if dtype is not None else scope.dtype
    partitions = partitioner(shape=shape, dtype=dtype)
    slices = slice_partitions(shape.as_list(), partitions)
    value = None
    if initializer is not None and not callable(initializer):
        if isinstance(initializer, TensorLike):
            raise ValueError(f"A partitioned variable ({full}) needs an initializer function "
                             "or a constant value, not a tensor")
        value = np_value(initializer, dtype)
        if tuple(value.shape) != tuple(shape.as_list()):
            raise ValueError(f"Initializer for partitioned variable {full} has shape "
                             f"{value.shape}, the variable {shape}")
    parts = []
    for i, (offset, part_shape) in enumerate(slices):
        info = PartitionInfo(shape.as_list(), offset)
        if value is not None:
            where = tuple(slice(o, o + n) for o, n in zip(offset, part_shape))
            part_init = value[where]
        else:
            base = initializer if initializer is not None else scope.initializer
            if base is None:
                base = init_ops.default_initializer(dtype)
            if isinstance(base, type) and issubclass(base, init_ops.Initializer):
                base = base(dtype=dtype)
            part_init = _part_initializer(base, info)
        part = _get_or_create(scope, f"{full}/part_{i}", part_shape, dtype, part_init,
                              regularizer, trainable, collections, validate_shape,
                              constraint)
        part._save_slice_info = SaveSliceInfo(full, shape.as_list(), offset, part_shape)
        parts.append(part)
    pv = PartitionedVariable(full, shape, dtype, parts, partitions)
    st.partitioned[full] = pv
    return pv


def _part_initializer(base, info: PartitionInfo):
    """`base` called for one part, told where the part lies (TF1's partition_info)."""
    def initializer(shape, dtype=None, partition_info=None):
        return base(shape, dtype=dtype, partition_info=info)
    return initializer


def create_partitioned_variables(shape, slicing, initializer, dtype=_dt.float32,
                                 trainable: bool = True, collections=None, name=None,
                                 reuse=None) -> list:
    """TF1's deprecated `tf.create_partitioned_variables`: the parts (a list of Variables)
    of a variable of `shape` split as `slicing` says, under variable scope `name`
    ("PartitionedVariable" by default)."""
    if len(shape) != len(slicing):
        raise ValueError(f"The 'shape' and 'slicing' of a partitioned Variable must have the "
                         f"length: shape: {shape}, slicing: {slicing}")
    if len(shape) < 1:
        raise ValueError(f"A partitioned Variable must have rank at least 1: shape: {shape}")
    with variable_scope(name, "PartitionedVariable", reuse=reuse) as scope:
        return list(_get_partitioned(scope, scope.name, shape, dtype, initializer, None,
                                     trainable, collections, True, None,
                                     lambda **unused: list(slicing)))


def _get_or_create(scope, full, shape, dtype, initializer, regularizer, trainable,
                   collections, validate_shape, constraint) -> Variable:
    st = _state()
    reuse = scope.reuse
    existing = st.variables.get(full)
    if existing is not None:
        if reuse is None or reuse is False:
            raise ValueError(
                f"Variable {full} already exists, disallowed. Did you mean to set reuse=True "
                f"or reuse=tf.AUTO_REUSE in VarScope? Originally defined at:\n  "
                + (existing.op.site.describe() if existing.op.site else "<unknown>"))
        if shape is not None and not as_shape(shape).is_compatible_with(existing.shape):
            raise ValueError(f"Trying to share variable {full}, but specified shape "
                             f"{as_shape(shape)} and found shape {existing.shape}.")
        if dtype is not None and _dt.as_dtype(dtype) is not existing.dtype:
            raise ValueError(f"Trying to share variable {full}, but specified dtype "
                             f"{_dt.as_dtype(dtype).name} and found dtype "
                             f"{existing.dtype.name}.")
        return existing
    if reuse is True:
        raise ValueError(f"Variable {full} does not exist, or was not created with "
                         "tf.get_variable(). Did you mean to set reuse=tf.AUTO_REUSE in "
                         "VarScope?")
    if dtype is None and isinstance(initializer, TensorLike):
        dtype = initializer._as_tensor().dtype  # TF1: a tensor initializer gives the dtype
    elif dtype is None and initializer is not None and not callable(initializer):
        dtype = _dt.as_dtype(np_value(initializer).dtype)  # so does a constant (int64 stays)
    dtype = _dt.as_dtype(dtype) if dtype is not None else scope.dtype
    if initializer is None:
        initializer = scope.initializer
    if initializer is None:
        initializer = init_ops.default_initializer(dtype)
        if initializer is None:
            raise ValueError(f"An initializer for variable {full} of {dtype.name} is required")
    if isinstance(initializer, type) and issubclass(initializer, init_ops.Initializer):
        initializer = initializer(dtype=dtype)
    if callable(initializer) and not isinstance(initializer, TensorLike):
        if shape is None:
            raise ValueError(f"Shape of a new variable ({full}) must be fully defined, but "
                             "instead was None.")
        shape = as_shape(shape)
        if not shape.is_fully_defined():
            raise ValueError(f"Shape of a new variable ({full}) must be fully defined, but "
                             f"instead was {shape}.")
        init_value = (lambda: initializer(shape.as_list(), dtype=dtype))
    else:
        if shape is not None and validate_shape:
            from .ir.ops._base import convert_to_tensor
            value = convert_to_tensor(initializer, dtype=dtype)
            if not as_shape(shape).is_compatible_with(value.shape):
                raise ValueError(f"If initializer is a constant, do not specify shape "
                                 f"(variable {full}: shape {as_shape(shape)} vs value "
                                 f"shape {value.shape}).")
            initializer = value
        init_value = initializer
    graph = _context.get_default_graph().outermost
    with graph.as_default(), graph.name_scope(None):
        var = Variable(init_value, trainable=trainable, collections=collections,
                       validate_shape=validate_shape, dtype=dtype, constraint=constraint,
                       _exact_name=full)
    st.variables[full] = var
    if regularizer is None:
        regularizer = scope.regularizer
    if regularizer is not None:
        with graph.name_scope(full + "/Regularizer/"):
            loss = regularizer(var)
        if loss is not None:
            graph.add_to_collection(GraphKeys.REGULARIZATION_LOSSES, loss)
    return var

