"""TF1's graph-level names that programs use around their models: the gradient and
variable enums, variable reports and asserts, init_scope, op_scope, get_static_value,
DeviceSpec, TensorSpec/TypeSpec, tf.Module, and the TF2-behaviour switches, with what
they mean in graphc.

graphc is TF1 graph mode and nothing else. The switches that ask for graph mode or
TF1's behaviour (`disable_v2_behavior`, `disable_tensor_equality`,
`disable_v2_tensorshape`, `disable_resource_variables`) are accepted, since that is what
graphc does; those that ask for TF2's (`enable_v2_behavior`: eager execution;
`enable_tensor_equality`: `==` building an op, which would make tensors unhashable where
graphc keys its graphs by them; `enable_v2_tensorshape`: ints for Dimensions) are refused
with a NotImplementedError that says so. `enable_resource_variables` is accepted and
`resource_variables_enabled` reports it: graphc has one kind of variable, whose reads are
already snapshots (a value read in a run stays what it was when the variable is assigned
later in the run, ir/ops/state_ops.py), the property resource variables add.
"""
from __future__ import annotations

import contextlib
import enum
import re
from typing import Optional

import numpy as np

from .api import name_scope
from .ir import context as _context
from .ir import dtypes as _dt
from .ir.graph import Tensor, TensorLike
from .ir.ops import core_ops
from .ir.ops._base import const_value, const_value_as_shape, convert_to_tensor, \
    partial_value
from .ir.ops.array_ops import stack
from .ir.ops.control_flow_ops import assert_
from .ir.ops.math_ops import logical_not
from .ir.ops.reduce_ops import reduce_all
from .ir.ops.slicing_ops import boolean_mask
from .ir.ops.state_ops import is_variable_initialized
from .ir.shapes import TensorShape, as_shape
from .variables import Variable, global_variables, local_variables

__all__ = ["AggregationMethod", "UnconnectedGradients", "VariableAggregation",
           "VariableSynchronization", "report_uninitialized_variables",
           "assert_variables_initialized", "init_scope", "op_scope", "no_regularizer",
           "get_static_value", "executing_eagerly_outside_functions",
           "enable_v2_behavior", "enable_tensor_equality", "disable_tensor_equality",
           "enable_v2_tensorshape", "disable_v2_tensorshape", "enable_resource_variables",
           "disable_resource_variables", "resource_variables_enabled", "DeviceSpec",
           "TypeSpec", "TensorSpec", "Module"]


class AggregationMethod:
    """TF1's ways of summing a gradient's contributions (tf.gradients' aggregation_method).
    graphc sums them with one AddN whichever is asked: the values are the same."""

    ADD_N = 0
    DEFAULT = ADD_N
    EXPERIMENTAL_TREE = 1
    EXPERIMENTAL_ACCUMULATE_N = 2


class UnconnectedGradients(enum.Enum):
    """tf.gradients' answer for an x no y depends on: None, or zeros."""

    NONE = "none"
    ZERO = "zero"


class VariableAggregation(enum.Enum):
    """How a distributed variable's replicas combine updates (TF1's names; graphc has one
    replica, kept for the Variable and get_variable arguments)."""

    NONE = 0
    SUM = 1
    MEAN = 2
    ONLY_FIRST_REPLICA = 3
    ONLY_FIRST_TOWER = 3  # (TF1's alias)


class VariableSynchronization(enum.Enum):
    AUTO = 0
    NONE = 1
    ON_WRITE = 2
    ON_READ = 3


def _all_variables(var_list) -> list:
    return global_variables() + local_variables() if var_list is None else list(var_list)


def report_uninitialized_variables(var_list=None, name: str = "report_uninitialized_variables"):
    """TF1: a 1-D string tensor of the names of the variables in `var_list` (all global
    and local ones by default) not initialized when it runs."""
    var_list = _all_variables(var_list)
    with name_scope(name):
        if not var_list:
            return core_ops.constant(np.array([], dtype=object), dtype=_dt.string)
        names = core_ops.constant(np.array([v.op.name.encode() for v in var_list],
                                           dtype=object), name="names")
        initialized = stack([is_variable_initialized(v) for v in var_list])
        return boolean_mask(names, logical_not(initialized))


def assert_variables_initialized(var_list=None):
    """TF1: an op that fails when run while a variable of `var_list` (all global and
    local ones by default) is not initialized; None when there are none. TF1's raises
    FailedPreconditionError reading the first one; graphc's is an InvalidArgumentError
    naming all of them."""
    var_list = _all_variables(var_list)
    if not var_list:
        return None
    with name_scope("assert_variables_initialized"):
        missing = report_uninitialized_variables(var_list, name="uninitialized")
        done = reduce_all(stack([is_variable_initialized(v) for v in var_list]))
        return assert_(done, ["Attempting to use uninitialized values:", missing],
                       summarize=len(var_list))


@contextlib.contextmanager
def init_scope():
    """TF1 `tf.init_scope`: build in the outermost graph (out of a cond branch or loop
    body being built), with no control dependencies, as variables' initializers are."""
    graph = _context.get_default_graph().outermost
    with graph.as_default(), graph.control_dependencies(None):
        yield


@contextlib.contextmanager
def op_scope(values, name, default_name=None):
    """TF1's deprecated `tf.op_scope(values, name, default_name)`: tf.name_scope."""
    with name_scope(name, default_name, values) as scope:
        yield scope


def no_regularizer(_):
    """TF1: the regularizer that adds no loss (None)."""
    return None


def get_static_value(tensor, partial: bool = False):
    """TF1 `tf.get_static_value`: a tensor's value as numpy if it is known when the graph
    is built, else None (with `partial`, a Shape's known entries and None elsewhere)."""
    if isinstance(tensor, TensorLike):
        t = convert_to_tensor(tensor)
        value = const_value(t)
        if value is None and partial:
            value = partial_value(t)
            if value is None and t.dtype.is_integer and t.shape.ndims == 1:
                dims = const_value_as_shape(t)  # (a shape's known entries, None elsewhere)
                value = None if dims.ndims is None else np.array(dims.as_list(), dtype=object)
        return None if value is None else np.array(value)
    return tensor


def executing_eagerly_outside_functions() -> bool:
    return False


def _refuse(what: str):
    def switch() -> None:
        raise NotImplementedError(f"graphc is TF1 graph mode only: {what}")
    return switch


enable_v2_behavior = _refuse("TF2 behaviour (eager execution) cannot be enabled")
enable_tensor_equality = _refuse("Tensor == stays identity (graphc keys its graphs by "
                                 "tensors); use tf.equal for elementwise equality")
enable_v2_tensorshape = _refuse("TensorShape entries stay Dimension objects (TF1's); use "
                                "tf.compat.dimension_value for ints")


def disable_tensor_equality() -> None:
    """Accepted: Tensor == is identity in graphc, as TF1's."""


def disable_v2_tensorshape() -> None:
    """Accepted: TensorShape entries are Dimensions in graphc, as TF1's."""


_resource = {"enabled": False}


def enable_resource_variables() -> None:
    """Accepted (see the module doc: graphc's variable reads are snapshots already)."""
    _resource["enabled"] = True


def disable_resource_variables() -> None:
    _resource["enabled"] = False


def resource_variables_enabled() -> bool:
    return _resource["enabled"]


_DEVICE = re.compile(r"^(?:/?(?:job:(?P<job>[^/]+)|replica:(?P<replica>\d+)|"
                     r"task:(?P<task>\d+)|device:(?P<type>[^:/]+):(?P<index>\d+|\*)|"
                     r"(?P<short>cpu|gpu|CPU|GPU):(?P<sindex>\d+|\*)))")


class DeviceSpec:
    """TF1 `tf.DeviceSpec`: a parsed device string /job:<j>/replica:<r>/task:<t>/device:
    <type>:<index> (graphc accepts device strings and places everything on the CPU)."""

    def __init__(self, job=None, replica=None, task=None, device_type=None,
                 device_index=None) -> None:
        self.job = job
        self.replica = None if replica is None else int(replica)
        self.task = None if task is None else int(task)
        self.device_type = None if device_type is None else (
            device_type.upper() if device_type.lower() in ("cpu", "gpu") else device_type)
        self.device_index = None if device_index is None else int(device_index)

    @classmethod
    def from_string(cls, spec: str) -> "DeviceSpec":
        return cls().parse_from_string(spec)

    def parse_from_string(self, spec: str) -> "DeviceSpec":
        """Set the fields `spec` names (the others stay), as TF1's."""
        for part in [p for p in (spec or "").split("/") if p]:
            m = _DEVICE.match(part)
            if m is None or m.end() != len(part):
                raise ValueError(f"Unknown attribute: '{part}' in '{spec}'")
            if m["job"] is not None:
                self.job = m["job"]
            elif m["replica"] is not None:
                self.replica = int(m["replica"])
            elif m["task"] is not None:
                self.task = int(m["task"])
            else:
                kind = m["type"] or m["short"].upper()
                index = m["index"] if m["type"] else m["sindex"]
                self.device_type = kind.upper() if kind.lower() in ("cpu", "gpu") else kind
                self.device_index = None if index == "*" else int(index)
        return self

    def merge_from(self, dev: "DeviceSpec") -> None:
        for field in ("job", "replica", "task", "device_type", "device_index"):
            if getattr(dev, field) is not None:
                setattr(self, field, getattr(dev, field))

    def to_string(self) -> str:
        out = ""
        if self.job is not None:
            out += f"/job:{self.job}"
        if self.replica is not None:
            out += f"/replica:{self.replica}"
        if self.task is not None:
            out += f"/task:{self.task}"
        if self.device_type is not None:
            index = "*" if self.device_index is None else self.device_index
            out += f"/device:{self.device_type}:{index}"
        return out

    def __eq__(self, other) -> bool:
        return isinstance(other, DeviceSpec) and self.to_string() == other.to_string()

    def __hash__(self) -> int:
        return hash(self.to_string())

    def __repr__(self) -> str:
        return f"<DeviceSpec {self.to_string()!r}>"


class TypeSpec:
    """TF's base of value specifications (TensorSpec here)."""

    def is_compatible_with(self, spec_or_value) -> bool:
        raise NotImplementedError(f"{type(self).__name__} defines is_compatible_with")


class TensorSpec(TypeSpec):
    """TF's `tf.TensorSpec(shape, dtype=tf.float32, name=None)`: a tensor's shape and
    dtype (what a placeholder declares)."""

    def __init__(self, shape, dtype=_dt.float32, name: Optional[str] = None) -> None:
        self.shape = as_shape(shape)
        self.dtype = _dt.as_dtype(dtype)
        self.name = name

    @classmethod
    def from_tensor(cls, tensor, name: Optional[str] = None) -> "TensorSpec":
        t = convert_to_tensor(tensor)
        return cls(t.shape, t.dtype, name if name is not None else t.op.name)

    @classmethod
    def from_spec(cls, spec, name: Optional[str] = None) -> "TensorSpec":
        return cls(spec.shape, spec.dtype, name if name is not None else spec.name)

    def is_compatible_with(self, spec_or_value) -> bool:
        if isinstance(spec_or_value, (TensorSpec, Tensor)):
            dtype, shape = spec_or_value.dtype, spec_or_value.shape
        elif isinstance(spec_or_value, TensorLike):
            t = convert_to_tensor(spec_or_value)
            dtype, shape = t.dtype, t.shape
        else:
            arr = np.asarray(spec_or_value)
            dtype, shape = _dt.from_numpy(arr), TensorShape(arr.shape)
        return dtype is self.dtype and self.shape.is_compatible_with(shape)

    def __eq__(self, other) -> bool:
        return isinstance(other, TensorSpec) and (self.shape.as_tuple(), self.dtype,
                                                  self.name) == (other.shape.as_tuple(),
                                                                 other.dtype, other.name)

    def __hash__(self) -> int:
        return hash((self.shape.as_tuple(), self.dtype, self.name))

    def __repr__(self) -> str:
        return (f"TensorSpec(shape={self.shape}, dtype=tf.{self.dtype.name}, "
                f"name={self.name!r})")


_MODULE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_CAMEL_TO_SNAKE = re.compile(r"((?<=[a-z0-9])[A-Z]|(?!^)[A-Z](?=[a-z]))")


class Module:
    """TF's `tf.Module(name=None)`: a named container of variables and other modules.
    `variables`, `trainable_variables` and `submodules` are found by walking the
    attributes (lists, tuples and dicts too), in attribute-name order, without
    repeats, as TF's; variables made under `with self.name_scope:` get the module's
    name as their prefix."""

    def __init__(self, name: Optional[str] = None) -> None:
        if name is None:
            name = _CAMEL_TO_SNAKE.sub(r"_\1", type(self).__name__).lower()  # (TF's rule)
        if not _MODULE_NAME.match(name):
            raise ValueError(f"'{name}' is not a valid module name. Module names must be "
                             "valid Python 3 identifiers.")
        self._name = name
        graph = _context.get_default_graph()
        with graph.name_scope(name) as scope:
            self._scope_name = scope

    @property
    def name(self) -> str:
        return self._name

    @property
    def name_scope(self):
        """Re-enters the module's name scope (made once, at construction)."""
        return _context.get_default_graph().name_scope(self._scope_name)

    def _flatten(self, predicate) -> list:
        """TF's _flatten_module: a module's own attributes (sorted by name, nested lists,
        tuples and dicts flattened) first, then each submodule found, recursively; each
        object once."""
        found, seen = [], set()

        def leaves(value):
            if isinstance(value, dict):
                for key in sorted(value, key=str):
                    yield from leaves(value[key])
            elif isinstance(value, (list, tuple)):
                for item in value:
                    yield from leaves(item)
            else:
                yield value

        def walk(module) -> None:
            submodules = []
            for key in sorted(vars(module)):
                for leaf in leaves(vars(module)[key]):
                    if id(leaf) in seen:
                        continue
                    seen.add(id(leaf))
                    if predicate(leaf):
                        found.append(leaf)
                    if isinstance(leaf, Module):
                        submodules.append(leaf)
            for sub in submodules:
                walk(sub)

        seen.add(id(self))
        walk(self)
        return found

    @property
    def variables(self) -> tuple:
        return tuple(self._flatten(lambda v: isinstance(v, Variable)))

    @property
    def trainable_variables(self) -> tuple:
        return tuple(self._flatten(lambda v: isinstance(v, Variable) and v.trainable))

    @property
    def submodules(self) -> tuple:
        return tuple(self._flatten(lambda v: isinstance(v, Module)))

    @classmethod
    def with_name_scope(cls, method):
        """Decorator: run `method` inside the module's name scope."""
        def wrapped(self, *args, **kwargs):
            with self.name_scope:
                return method(self, *args, **kwargs)
        wrapped.__name__, wrapped.__doc__ = method.__name__, method.__doc__
        return wrapped


from .ir.naming import name_builders  # noqa: E402

name_builders(globals())
