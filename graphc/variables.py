"""TF1 variables: `tf.Variable` and the variable collections and initializers.

A Variable is a VariableV2 node (its value, kept by the Session), an Assign node that
initializes it (`initializer`), and an Identity snapshot `<name>/read` that ordinary
consumers use, exactly TF1's layout, so names like `Variable:0` and `w/read:0` match.
"""
from __future__ import annotations

import contextlib
import inspect
import weakref
from typing import Optional

from .ir import context as _context
from .ir import dtypes as _dt
from .ir.graph import Tensor, TensorLike
from .ir.ops import core_ops, scatter_state_ops, state_ops
from .ir.ops._base import convert_to_tensor
from .ir.shapes import TensorShape, as_shape
from .indexed_slices import IndexedSlices


class GraphKeys:
    """Standard collection names (TF1 `tf.GraphKeys`)."""

    GLOBAL_VARIABLES = "variables"
    LOCAL_VARIABLES = "local_variables"
    METRIC_VARIABLES = "metric_variables"
    MODEL_VARIABLES = "model_variables"
    TRAINABLE_VARIABLES = "trainable_variables"
    SUMMARIES = "summaries"
    QUEUE_RUNNERS = "queue_runners"
    TABLE_INITIALIZERS = "table_initializer"
    ASSET_FILEPATHS = "asset_filepaths"
    MOVING_AVERAGE_VARIABLES = "moving_average_variables"
    REGULARIZATION_LOSSES = "regularization_losses"
    CONCATENATED_VARIABLES = "concatenated_variables"
    SAVERS = "savers"
    WEIGHTS = "weights"
    BIASES = "biases"
    ACTIVATIONS = "activations"
    UPDATE_OPS = "update_ops"
    LOSSES = "losses"
    SAVEABLE_OBJECTS = "saveable_objects"
    RESOURCES = "resources"
    LOCAL_RESOURCES = "local_resources"
    TRAINABLE_RESOURCE_VARIABLES = "trainable_resource_variables"
    INIT_OP = "init_op"
    LOCAL_INIT_OP = "local_init_op"
    READY_OP = "ready_op"
    READY_FOR_LOCAL_INIT_OP = "ready_for_local_init_op"
    SUMMARY_OP = "summary_op"
    GLOBAL_STEP = "global_step"
    EVAL_STEP = "eval_step"
    TRAIN_OP = "train_op"
    COND_CONTEXT = "cond_context"
    WHILE_CONTEXT = "while_context"


# graph -> the variable creators of the variable_creator_scopes open on it, innermost last
_CREATORS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


class _CreatedThroughScopes(type):
    """Makes `Variable(...)` (and so get_variable) go through the creators of the
    open `variable_creator_scope`s, innermost first, as TF1's."""

    def __call__(cls, *args, **kwargs):
        creators = _CREATORS.get(_context.get_default_graph().outermost)
        if not creators or cls is not Variable or kwargs.get("variable_def") is not None:
            return super().__call__(*args, **kwargs)
        bound = _VARIABLE_PARAMS.bind(None, *args, **kwargs)
        bound.apply_defaults()
        kw = dict(list(bound.arguments.items())[1:])
        exact = kw.pop("_exact_name")
        if exact is not None:
            kw["name"] = exact  # (a creator sees get_variable's full name)

        def chain(i: int):
            def next_creator(**given):
                if i >= 0:
                    return creators[i](chain(i - 1), **given)
                if exact is not None and given.get("name") == exact:
                    given["_exact_name"] = exact
                return type.__call__(cls, **given)
            return next_creator
        return chain(len(creators) - 1)(**kw)


@contextlib.contextmanager
def variable_creator_scope(variable_creator):
    """TF1 `tf.variable_creator_scope(variable_creator)`: inside, every variable made
    (tf.Variable, get_variable, layers) is `variable_creator(next_creator, **kwargs)`,
    with the Variable's arguments; `next_creator(**kwargs)` makes it (through the outer
    scopes' creators)."""
    graph = _context.get_default_graph().outermost
    stack = _CREATORS.setdefault(graph, [])
    stack.append(variable_creator)
    try:
        yield
    finally:
        stack.remove(variable_creator)


class Variable(TensorLike, metaclass=_CreatedThroughScopes):
    """TF1 `tf.Variable` (a reference variable)."""

    def __init__(self, initial_value=None, trainable: Optional[bool] = None,
                 collections=None, validate_shape: bool = True, caching_device=None,
                 name: Optional[str] = None, variable_def=None, dtype=None,
                 expected_shape=None, import_scope=None, constraint=None,
                 use_resource=None, synchronization=None, aggregation=None, shape=None,
                 _exact_name: Optional[str] = None) -> None:
        if variable_def is not None:
            self._init_from_proto(variable_def, import_scope)
            return
        if initial_value is None:
            raise ValueError("initial_value must be specified.")
        # Variables live in the outermost graph, also when created while a cond branch or
        # loop body is built (TF1's init_scope); the function captures their value.
        graph = _context.get_default_graph().outermost
        self.trainable = True if trainable is None else bool(trainable)
        self.constraint = constraint
        if collections is None:
            collections = [GraphKeys.GLOBAL_VARIABLES]
        collections = list(collections)
        if self.trainable and GraphKeys.TRAINABLE_VARIABLES not in collections:
            collections.append(GraphKeys.TRAINABLE_VARIABLES)
        dtype = None if dtype is None else _dt.as_dtype(dtype)

        with graph.as_default(), graph.control_dependencies(None):
            scope_ctx = (graph.name_scope(_exact_name + "/") if _exact_name is not None
                         else graph.name_scope(name or "Variable"))
            with scope_ctx as scope:
                if callable(initial_value):
                    with graph.name_scope("Initializer"):
                        initial_value = initial_value()
                init = convert_to_tensor(initial_value, dtype=dtype, name="initial_value")
                if dtype is not None and init.dtype is not dtype:
                    raise ValueError(f"initial_value has dtype {init.dtype.name}, but the "
                                     f"variable was given dtype {dtype.name}")
                var_shape = as_shape(shape) if shape is not None else init.shape
                if validate_shape and not var_shape.is_fully_defined():
                    raise ValueError(
                        f"initial_value of variable '{scope[:-1]}' must have a fully defined "
                        f"shape when validate_shape=True, but has shape {init.shape}. Pass "
                        "validate_shape=False or a value of known shape.")
                self._variable = state_ops.variable_op(var_shape if validate_shape else
                                                       TensorShape(None), init.dtype,
                                                       name=scope)
                self._initial_value = init
                self._initializer_op = state_ops.assign(
                    self._variable, init, validate_shape=validate_shape, name="Assign").op
                self._snapshot = core_ops.identity(self._variable, name="read")
        graph.add_to_collections(collections, self)
        self._graph = graph
        self._save_slice_info = None

    def _init_from_proto(self, variable_def, import_scope: Optional[str]) -> None:
        """The Variable a VariableDef names in the default graph (its ops already imported,
        under `import_scope/`), as TF1's `Variable(variable_def=...)`. A resource
        variable's names are those of its handle, its AssignVariableOp and a
        ReadVariableOp, which graphc's GraphDef import made a variable, an Assign and an
        Identity of it."""
        graph = _context.get_default_graph()

        def scoped(name: str) -> str:
            return f"{import_scope}/{name}" if import_scope else name

        self._variable = graph.get_tensor_by_name(scoped(variable_def.variable_name))
        self._initializer_op = graph.get_operation_by_name(
            scoped(variable_def.initializer_name))
        self._snapshot = (graph.get_tensor_by_name(scoped(variable_def.snapshot_name))
                          if variable_def.snapshot_name else self._variable)
        self._initial_value = (graph.get_tensor_by_name(scoped(
            variable_def.initial_value_name)) if variable_def.initial_value_name else None)
        self.trainable = bool(variable_def.trainable)
        self.constraint = None
        self._graph = graph
        self._save_slice_info = None

    @staticmethod
    def from_proto(variable_def, import_scope: Optional[str] = None) -> "Variable":
        return Variable(variable_def=variable_def, import_scope=import_scope)

    def to_proto(self, export_scope: Optional[str] = None):
        """This variable as TF1's VariableDef (names relative to `export_scope`), or None
        when it lies outside that scope."""
        from .protos import VariableDef

        def strip(name: str) -> Optional[str]:
            if not export_scope:
                return name
            return name[len(export_scope) + 1:] if name.startswith(export_scope + "/") \
                else None

        if strip(self._variable.name) is None:
            return None
        return VariableDef(
            variable_name=strip(self._variable.name),
            initial_value_name=strip(self._initial_value.name) or "",
            initializer_name=strip(self._initializer_op.name) or "",
            snapshot_name=strip(self._snapshot.name) or "", trainable=self.trainable)

    # ------------------------------------------------------------------ conversions
    def _as_tensor(self) -> Tensor:
        return self._snapshot

    def _variable_tensor(self) -> Tensor:
        return self._variable

    def _as_graph_element(self) -> Tensor:
        return self._variable

    def _as_control_op(self):
        return self._variable.op

    # ------------------------------------------------------------------ properties
    @property
    def name(self) -> str:
        return self._variable.name

    @property
    def op(self):
        return self._variable.op

    @property
    def graph(self):
        return self._graph

    @property
    def dtype(self) -> _dt.DType:
        return self._variable.dtype

    @property
    def shape(self) -> TensorShape:
        return self._variable.shape

    def get_shape(self) -> TensorShape:
        return self._variable.shape

    @property
    def initializer(self):
        return self._initializer_op

    @property
    def initial_value(self) -> Tensor:
        return self._initial_value

    @property
    def device(self) -> str:
        return ""

    def value(self) -> Tensor:
        return self._snapshot

    def read_value(self) -> Tensor:
        """The value read where this call is made (inside the current control deps)."""
        return core_ops.identity(self._variable, name="read")

    def initialized_value(self) -> Tensor:
        """The initial value, for initializing other variables from this one."""
        return self._initial_value

    # ------------------------------------------------------------------ updates
    def assign(self, value, use_locking=None, name=None, read_value: bool = True):
        out = state_ops.assign(self._variable, value, use_locking=use_locking, name=name)
        return out if read_value else out.op

    def assign_add(self, delta, use_locking=None, name=None, read_value: bool = True):
        out = state_ops.assign_add(self._variable, delta, use_locking=use_locking, name=name)
        return out if read_value else out.op

    def assign_sub(self, delta, use_locking=None, name=None, read_value: bool = True):
        out = state_ops.assign_sub(self._variable, delta, use_locking=use_locking, name=name)
        return out if read_value else out.op

    def _sparse_update(builder, method: str):
        def update(self, sparse_delta, use_locking=False, name=None):
            if not isinstance(sparse_delta, IndexedSlices):
                raise TypeError(f"sparse_delta is not IndexedSlices: {sparse_delta} "
                                f"(Variable.{method} of '{self.op.name}')")
            return builder(self._variable, sparse_delta.indices, sparse_delta.values,
                           use_locking=use_locking, name=name)
        update.__name__ = update.__qualname__ = method
        update.__doc__ = f"TF1's `Variable.{method}`: `tf.{method}` of the rows " \
            "`sparse_delta` (an IndexedSlices) names."
        return update

    def _nd_update(builder, method: str):
        def update(self, indices, updates, name=None):
            return builder(self._variable, indices, updates, use_locking=True, name=name)
        update.__name__ = update.__qualname__ = method
        update.__doc__ = f"TF1's `Variable.{method}`: `tf.{method}` of this variable."
        return update

    S = scatter_state_ops
    scatter_update = _sparse_update(S.scatter_update, "scatter_update")
    scatter_add = _sparse_update(S.scatter_add, "scatter_add")
    scatter_sub = _sparse_update(S.scatter_sub, "scatter_sub")
    scatter_mul = _sparse_update(S.scatter_mul, "scatter_mul")
    scatter_div = _sparse_update(S.scatter_div, "scatter_div")
    scatter_min = _sparse_update(S.scatter_min, "scatter_min")
    scatter_max = _sparse_update(S.scatter_max, "scatter_max")
    batch_scatter_update = _sparse_update(S.batch_scatter_update, "batch_scatter_update")
    scatter_nd_update = _nd_update(S.scatter_nd_update, "scatter_nd_update")
    scatter_nd_add = _nd_update(S.scatter_nd_add, "scatter_nd_add")
    scatter_nd_sub = _nd_update(S.scatter_nd_sub, "scatter_nd_sub")
    del S, _sparse_update, _nd_update

    def count_up_to(self, limit: int):
        return scatter_state_ops.count_up_to(self._variable, limit)

    def eval(self, session=None):
        return self._variable.eval(session=session)

    def load(self, value, session=None) -> None:
        """Write `value` into the variable in `session` without adding ops (TF1)."""
        from .ir.ops._base import np_value
        session = _context.default_session(session, self._variable)
        arr = np_value(value, self.dtype)
        if not self.shape.is_compatible_with(arr.shape):
            raise ValueError(f"Cannot load a value of shape {arr.shape} into variable "
                             f"'{self.op.name}' of shape {self.shape}")
        session._set_variable_value(self.op.name, arr.copy())

    def set_shape(self, shape) -> None:
        self._variable.set_shape(shape)
        self._snapshot.set_shape(shape)

    def __repr__(self) -> str:
        return (f"<tf.Variable '{self.name}' shape={self.shape} "
                f"dtype={self.dtype.name}_ref>")


_VARIABLE_PARAMS = inspect.signature(Variable.__init__)


def global_variables(scope: Optional[str] = None) -> list:
    return _context.get_default_graph().get_collection(GraphKeys.GLOBAL_VARIABLES, scope)


all_variables = global_variables


def trainable_variables(scope: Optional[str] = None) -> list:
    return _context.get_default_graph().get_collection(GraphKeys.TRAINABLE_VARIABLES, scope)


def local_variables(scope: Optional[str] = None) -> list:
    return _context.get_default_graph().get_collection(GraphKeys.LOCAL_VARIABLES, scope)


def model_variables(scope: Optional[str] = None) -> list:
    return _context.get_default_graph().get_collection(GraphKeys.MODEL_VARIABLES, scope)


def moving_average_variables(scope: Optional[str] = None) -> list:
    return _context.get_default_graph().get_collection(GraphKeys.MOVING_AVERAGE_VARIABLES,
                                                       scope)


def variables_initializer(var_list, name: str = "init"):
    """One op that runs the initializers of `var_list` (a NoOp if the list is empty)."""
    var_list = list(var_list)
    if not var_list:
        return core_ops.no_op(name=name)
    return core_ops.group(*[v.initializer for v in var_list], name=name)


def global_variables_initializer():
    return variables_initializer(global_variables(), name="init")


def local_variables_initializer():
    return variables_initializer(local_variables(), name="init")


def initialize_all_variables():
    """Deprecated TF1 alias of global_variables_initializer."""
    return global_variables_initializer()


def initialize_variables(var_list, name: str = "init"):
    return variables_initializer(var_list, name)


def initialize_local_variables():
    return local_variables_initializer()


def is_variable_initialized(variable):
    return state_ops.is_variable_initialized(variable)


