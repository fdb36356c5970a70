"""Graph, Operation and Tensor: the IR users build and passes rewrite.

The user's Graph is append-only, as in TF1: `create_op` is the single place where a node
is born. It names the node uniquely under the current name scope, adds the control
dependencies of the current context, infers output dtypes and shapes through the op's
OpDef (so shape errors are raised here, naming the op and the user's line), and records
the creation site. A node is never mutated after creation (except TF1's `set_shape`
refinement of a tensor's static shape); rewrites build new nodes in a new Graph.
"""
from __future__ import annotations

import contextlib
import re
import threading
from typing import Any, Iterable, Optional, Sequence

from . import dtypes as _dt
from .default_stacks import default_session, graph_stack
from .registry import get_opdef
from .shapes import TensorShape, as_shape
from .site import Site, current_site


class TensorLike:
    """Marker base of everything that converts to a Tensor (Tensor, Variable)."""

    __slots__ = ()
    # Operator overloads (+, *, [], ...) are attached by `ir.overloads`.

    def __bool__(self):
        raise TypeError(
            "Using a `graphc.Tensor` as a Python `bool` is not allowed: the tensor is "
            "symbolic and has no value until Session.run. Use `tf.cond` to branch on it, or "
            "compare its value after running it.")

    def __iter__(self):
        raise TypeError(
            "A `graphc.Tensor` is not iterable: it is symbolic and its elements exist only "
            "when the graph runs. Use `tf.unstack(x)` to split it, or index it with `x[i]`.")

    def __array__(self, *args, **kwargs):
        raise TypeError(
            f"Cannot convert the symbolic tensor {getattr(self, 'name', self)!r} to a numpy "
            "array: run it in a Session first (`sess.run(t)` or `t.eval()`).")

    def __len__(self):
        raise TypeError("len() is not supported on a symbolic tensor; use tf.shape(x)[0] or "
                        "x.get_shape()[0] instead.")

    __array_priority__ = 100


class Tensor(TensorLike):
    """One output of an Operation (TF1 `tf.Tensor`).

    Tensors (and Operations, and Variables) hash and compare by identity, as in TF1 graph
    mode: `==` is object's own, not an elementwise op, and `__hash__`/`__eq__` stay object's
    C defaults so the tensor-keyed dicts of passes and executors look up at C speed.
    """

    __slots__ = ("op", "value_index", "dtype", "_shape", "__weakref__")

    def __init__(self, op: "Operation", value_index: int, dtype: _dt.DType,
                 shape: TensorShape) -> None:
        self.op = op
        self.value_index = value_index
        self.dtype = dtype
        self._shape = shape

    @property
    def name(self) -> str:
        return f"{self.op.name}:{self.value_index}"

    @property
    def graph(self) -> "Graph":
        return self.op.graph

    @property
    def shape(self) -> TensorShape:
        return self._shape

    def get_shape(self) -> TensorShape:
        return self._shape

    def set_shape(self, shape) -> None:
        """Refine the static shape (TF1 semantics: must be compatible)."""
        shape = as_shape(shape)
        if not self._shape.is_compatible_with(shape):
            raise ValueError(f"Tensor {self.name} has shape {self._shape}, which is not "
                             f"compatible with the requested shape {shape}")
        self._shape = self._shape.merge_with(shape)

    @property
    def device(self) -> str:
        return ""

    def consumers(self) -> list["Operation"]:
        return [op for op in self.op.graph.get_operations()
                if any(t is self for t in op.inputs)]

    def eval(self, feed_dict=None, session=None):
        """Run this tensor in `session` (default: the default session)."""
        return default_session(session, self).run(self, feed_dict)

    def __repr__(self) -> str:  # TF1's text: programs print tensors
        return f"<tf.Tensor '{self.name}' shape={self._shape} dtype={self.dtype.name}>"

    def __str__(self) -> str:  # (TF1 leaves an unknown rank's shape out)
        shape = "" if self._shape.ndims is None else f", shape={self._shape}"
        return f'Tensor("{self.name}"{shape}, dtype={self.dtype.name})'

    def _as_tensor(self) -> "Tensor":
        return self


class Operation:
    """A node of the graph (TF1 `tf.Operation`).

    `attrs` holds the op's static parameters (axis, transpose flags, constant values),
    `subgraphs` the graphs a node holds (a fused node's body, control-flow branches),
    `original` the nodes a rewrite replaced (provenance), `site` the user's line.
    `gradient_op_type` is the name of the gradient tf.gradients uses for this op instead
    of its type's (set under `Graph.gradient_override_map`; TF1's `_gradient_op_type`
    attr, which `get_attr` and `node_def` show). It is kept apart from `attrs`, which are
    the kernel's parameters, and copies of the op keep it.
    """

    __slots__ = ("graph", "type", "name", "inputs", "control_inputs", "attrs", "outputs",
                 "site", "id", "subgraphs", "original", "opdef", "gradient_op_type",
                 "__weakref__")

    def __init__(self, graph: "Graph", type_: str, name: str, inputs: Sequence[Tensor],
                 control_inputs: Sequence["Operation"], attrs: dict, site: Optional[Site],
                 opdef, subgraphs: Optional[dict] = None, original: tuple = ()) -> None:
        self.graph = graph
        self.type = type_
        self.name = name
        self.inputs = tuple(inputs)
        self.control_inputs = tuple(control_inputs)
        self.attrs = attrs
        self.outputs: tuple[Tensor, ...] = ()
        self.site = site
        self.id = -1
        self.subgraphs = subgraphs or {}
        self.original = original
        self.opdef = opdef
        self.gradient_op_type: Optional[str] = None

    # TF1 accessors ---------------------------------------------------------------------
    @property
    def node_def(self) -> dict:
        attr = dict(self.attrs)
        if self.gradient_op_type is not None:
            attr["_gradient_op_type"] = self.gradient_op_type
        return {"name": self.name, "op": self.type, "input": [t.name for t in self.inputs]
                + ["^" + c.name for c in self.control_inputs], "attr": attr}

    @property
    def device(self) -> str:
        return ""

    @property
    def traceback(self):
        return [] if self.site is None else [(self.site.filename, self.site.lineno,
                                              self.site.function, self.site.line)]

    def get_attr(self, name: str) -> Any:
        if name == "_gradient_op_type" and self.gradient_op_type is not None:
            return self.gradient_op_type
        if name not in self.attrs:
            raise ValueError(f"Operation {self.name!r} has no attr named {name!r}.")
        return self.attrs[name]

    def values(self) -> tuple[Tensor, ...]:
        return self.outputs

    def run(self, feed_dict=None, session=None) -> None:
        default_session(session, self).run(self, feed_dict)

    def __repr__(self) -> str:
        return f"<tf.Operation '{self.name}' type={self.type}>"

    def __str__(self) -> str:
        """TF1 prints an op as its NodeDef's text; the printer is the facade's (graphc
        installs one with set_operation_printer: ir has no protocol buffers)."""
        return _OPERATION_PRINTER[0](self) if _OPERATION_PRINTER else repr(self)

    @property
    def stateful(self) -> bool:
        return self.opdef is not None and not self.opdef.pure

    def user_op(self) -> "Operation":
        """The node of the user's graph this op comes from (follows the provenance of the
        graphs the passes derive: DerivedGraph)."""
        op = self
        while op.graph.derived and op.original:
            op = op.original[0]
        return op

    def describe(self) -> str:
        """'<type> op <name>', plus the user's line, for error messages."""
        where = f" (created at {self.site.describe()})" if self.site is not None else ""
        return f"{self.type} op '{self.name}'{where}"


# The function `Graph.as_graph_def` calls: TensorFlow's GraphDef messages live in the facade
# (`graphc.graphdef`), which `ir` must not import; graphc puts its exporter here.
GRAPH_DEF_EXPORTER: list = []

_OPERATION_PRINTER: list = []  # [fn(op) -> str] once the facade installs one


def set_operation_printer(printer) -> None:
    """How `str(op)` reads: graphc installs TF1's (the op's NodeDef in text format)."""
    _OPERATION_PRINTER[:] = [printer]


_VALID_NAME = re.compile(r"^[A-Za-z0-9.][A-Za-z0-9_.\-/>]*$")
_VALID_SCOPE = re.compile(r"^[A-Za-z0-9_.\-/>]*$")


class Graph:
    """A TF1 graph: an append-only list of Operations plus naming and collection state."""

    def __init__(self) -> None:
        self._ops: list[Operation] = []
        self._by_name: dict[str, Operation] = {}
        self._names_in_use: dict[str, int] = {}
        self._name_stack = ""
        self._control_stack: list[Optional[list[Operation]]] = []
        self._collections: dict[str, list] = {}
        self._finalized = False
        self._lock = threading.RLock()
        self._unfeedable: set = set()
        self._unfetchable: set = set()
        self.seed: Optional[int] = None
        self._version = 0
        self._gradient_override: dict[str, str] = {}
        self._origin: tuple = ()
        # State the layers above ir keep per graph (graphc's variable scopes and the
        # variables get_variable made), keyed by owner: it lives and dies with the graph.
        # A module-level table keyed by graph kept every graph alive (its values point
        # back at it), even a weak-keyed one.
        self.facade_state: dict = {}

    is_function = False  # a FuncGraph (ir/func_graph.py) held by a control-flow node
    derived = False      # a DerivedGraph: made by the passes, not by the user

    @property
    def outermost(self) -> "Graph":
        """The graph variables are created in (a function graph's outermost enclosing)."""
        return self

    # ---------------------------------------------------------------- default-graph context
    @contextlib.contextmanager
    def as_default(self):
        """Make this the default graph inside a `with` block (thread-local, TF1 semantics)."""
        stack = graph_stack()
        stack.append(self)
        try:
            yield self
        finally:
            stack.pop()

    # ---------------------------------------------------------------- node creation
    def create_op(self, op_type: str, inputs: Sequence = (), attrs: Optional[dict] = None,
                  name: Optional[str] = None, control_inputs: Iterable[Operation] = (),
                  subgraphs: Optional[dict] = None, site: Optional[Site] = None,
                  original: tuple = ()) -> Operation:
        """Append a node; run its OpDef's inference; return the Operation."""
        if self._finalized:
            raise RuntimeError(
                "Graph is finalized and cannot be modified: a call creating a "
                f"'{op_type}' op was made after Graph.finalize(). Build every op before the "
                "training loop and only run them inside it.")
        opdef = get_opdef(op_type)
        attrs = dict(attrs or {})
        gradient_op_type = self._gradient_op_type(op_type, attrs, original)
        site = site if site is not None else current_site()
        inputs = list(inputs)
        for i, t in enumerate(inputs):
            if not isinstance(t, Tensor):
                raise TypeError(f"Inputs of {op_type} must be Tensors, got {t!r}")
            if t.graph is not self and getattr(self, "is_function", False):
                inputs[i] = self._capture_input(t, site)  # see ir/func_graph.py
            elif t.graph is not self:
                raise ValueError(
                    f"Tensor {t.name} must be from the same graph as the new {op_type} op. "
                    "Did you mix ops from two graphs (for example after reset_default_graph)?"
                    + (f"\n  {site.describe()}" if site is not None else ""))
        with self._lock:
            if name and name.endswith("/"):
                # TF1: a name ending in '/' is an exact, already reserved name (the op a
                # name scope is named after, e.g. a Variable inside its own scope).
                full_name = name[:-1]
                if full_name in self._by_name:
                    raise ValueError(f"Duplicate node name in graph: '{full_name}'")
                key = full_name.lower()
                self._names_in_use[key] = max(1, self._names_in_use.get(key, 0))
            else:
                full_name = self.unique_name(name or opdef.default_name or op_type)
            controls = list(control_inputs)
            for frame in self._control_stack:
                if frame is None:
                    continue
                for c in frame:
                    if c not in controls:
                        controls.append(c)
            # Drop control deps already implied by a data input (TF1 does the same).
            data_ops = {t.op for t in inputs}
            controls = [c for c in controls if c not in data_ops]
            op = Operation(self, op_type, full_name, inputs, controls, attrs, site, opdef,
                           subgraphs, original or self._origin)
            op.gradient_op_type = gradient_op_type
            out_types = opdef.run_infer(op)
            op.outputs = tuple(Tensor(op, i, dt, sh) for i, (dt, sh) in enumerate(out_types))
            op.id = len(self._ops)
            self._ops.append(op)
            self._by_name[full_name] = op
            self._version += 1
        return op

    # ---------------------------------------------------------------- names
    def unique_name(self, name: str, mark_as_used: bool = True) -> str:
        """TF1 naming: prefix the scope, then suffix `_1`, `_2`, ... until unused."""
        if self._name_stack:
            name = f"{self._name_stack}/{name}"
        key = name.lower()
        count = self._names_in_use.get(key, 0)
        if mark_as_used:
            self._names_in_use[key] = count + 1
        if count > 0:
            base = name
            while True:
                name = f"{base}_{count}"
                key = name.lower()
                if key not in self._names_in_use:
                    break
                count += 1
            if mark_as_used:
                self._names_in_use[key] = 1
        return name

    def get_name_scope(self) -> str:
        return self._name_stack

    @contextlib.contextmanager
    def name_scope(self, name: Optional[str]):
        """Enter a name scope; yields the scope string with a trailing '/' (TF1)."""
        old = self._name_stack
        if name is None or name == "":
            new = ""
        elif name.endswith("/"):
            new = name[:-1]  # an absolute scope, reused as is
        else:
            if not _VALID_SCOPE.match(name):
                raise ValueError(f"'{name}' is not a valid scope name")
            new = self.unique_name(name)
        self._name_stack = new
        try:
            yield (new + "/") if new else ""
        finally:
            self._name_stack = old

    @contextlib.contextmanager
    def origin(self, *ops: Operation):
        """Ops created inside record `ops` as their origin (gradient ops: the forward op)."""
        saved = self._origin
        self._origin = tuple(ops)
        try:
            yield
        finally:
            self._origin = saved

    # ---------------------------------------------------------------- control dependencies
    @contextlib.contextmanager
    def control_dependencies(self, control_inputs):
        """Ops created inside run after `control_inputs`; `None` clears outer deps (TF1)."""
        if control_inputs is None:
            saved = self._control_stack
            self._control_stack = []
            try:
                yield
            finally:
                self._control_stack = saved
            return
        live = getattr(control_inputs, "live", False)  # a frame read at each op: ir/auto_deps.py
        ops, control_inputs = (control_inputs, ()) if live else ([], control_inputs)
        for c in control_inputs:
            if hasattr(c, "_as_control_op"):
                c = c._as_control_op()
            elif isinstance(c, Tensor):
                c = c.op
            elif hasattr(c, "op") and isinstance(c.op, Operation):
                c = c.op
            if not isinstance(c, Operation):
                raise TypeError(f"Control input must be an Operation or Tensor, got {c!r}")
            if c.graph is not self:
                raise ValueError(f"Control input {c.name} is from a different graph")
            ops.append(c)
        self._control_stack.append(ops)
        try:
            yield
        finally:
            self._control_stack.pop()

    # ---------------------------------------------------------------- lookup
    def get_operations(self) -> list[Operation]:
        return list(self._ops)

    @property
    def operations(self) -> list[Operation]:
        return self._ops

    def __len__(self) -> int:
        return len(self._ops)

    def get_operation_by_name(self, name: str) -> Operation:
        if not isinstance(name, str):
            raise TypeError(f"Operation names are strings, got {name!r}")
        op = self._by_name.get(name)
        if op is None:
            raise KeyError(f"The name '{name}' refers to an Operation not in the graph.")
        return op

    def get_tensor_by_name(self, name: str) -> Tensor:
        if not isinstance(name, str):
            raise TypeError(f"Tensor names are strings, got {name!r}")
        op_name, sep, index = name.rpartition(":")
        if not sep or not index.isdigit():
            raise ValueError(
                f"The name '{name}' looks like an Operation name, not a Tensor name. Tensor "
                f"names must be of the form \"<op_name>:<output_index>\".")
        op = self._by_name.get(op_name)
        if op is None:
            raise KeyError(f"The name '{name}' refers to a Tensor which does not exist. The "
                           f"operation, '{op_name}', does not exist in the graph.")
        i = int(index)
        if i >= len(op.outputs):
            raise KeyError(f"The name '{name}' refers to a Tensor which does not exist. The "
                           f"operation, '{op_name}', exists but only has "
                           f"{len(op.outputs)} outputs.")
        return op.outputs[i]

    def as_graph_element(self, obj, allow_tensor: bool = True, allow_operation: bool = True):
        if isinstance(obj, str):
            if ":" in obj and allow_tensor:
                return self.get_tensor_by_name(obj)
            if allow_operation:
                return self.get_operation_by_name(obj)
            return self.get_tensor_by_name(obj)
        if hasattr(obj, "_as_graph_element"):
            obj = obj._as_graph_element()
        if isinstance(obj, Tensor) and allow_tensor:
            if obj.graph is not self:
                raise ValueError(f"Tensor {obj.name} is not an element of this graph.")
            return obj
        if isinstance(obj, Operation) and allow_operation:
            if obj.graph is not self:
                raise ValueError(f"Operation {obj.name} is not an element of this graph.")
            return obj
        raise TypeError(f"Can not convert a {type(obj).__name__} into a Tensor or Operation.")

    # ---------------------------------------------------------------- collections
    def add_to_collection(self, name: str, value) -> None:
        with self._lock:
            self._collections.setdefault(name, []).append(value)

    def add_to_collections(self, names, value) -> None:
        if isinstance(names, str):
            names = [names]
        for n in dict.fromkeys(names):
            self.add_to_collection(n, value)

    def get_collection(self, name: str, scope: Optional[str] = None) -> list:
        items = list(self._collections.get(name, []))
        if scope is None:
            return items
        pattern = re.compile(scope)
        return [i for i in items if hasattr(i, "name") and pattern.match(i.name)]

    def get_collection_ref(self, name: str) -> list:
        return self._collections.setdefault(name, [])

    def as_graph_def(self, add_shapes: bool = False):
        """TF1 `Graph.as_graph_def`: the graph as TensorFlow's GraphDef message (written by
        the exporter graphc's facade registers in `GRAPH_DEF_EXPORTER`; `add_shapes` adds
        `_output_shapes`); importing graphc registers it."""
        if not GRAPH_DEF_EXPORTER:
            raise RuntimeError("Graph.as_graph_def writes TensorFlow's GraphDef, which graphc's "
                               "facade provides: import graphc (graphc's own .graphc "
                               "document: graphc.ir.serialize.GraphDef.from_graph(graph))")
        return GRAPH_DEF_EXPORTER[0](self, add_shapes)

    def get_all_collection_keys(self) -> list[str]:
        return [k for k, v in self._collections.items() if v]

    def clear_collection(self, name: str) -> None:
        self._collections.pop(name, None)

    # ---------------------------------------------------------------- feeding
    def prevent_feeding(self, tensor: Tensor) -> None:
        self._unfeedable.add(tensor)

    def is_feedable(self, tensor: Tensor) -> bool:
        return tensor not in self._unfeedable

    def prevent_fetching(self, op: Operation) -> None:
        self._unfetchable.add(op)

    def is_fetchable(self, obj) -> bool:
        op = obj.op if isinstance(obj, Tensor) else obj
        return op not in self._unfetchable

    # ---------------------------------------------------------------- misc TF1 surface
    def finalize(self) -> None:
        """Make the graph read-only: creating an op afterwards raises (TF1)."""
        self._finalized = True

    @property
    def finalized(self) -> bool:
        return self._finalized

    def _unsafe_unfinalize(self) -> None:
        self._finalized = False

    @property
    def version(self) -> int:
        return self._version

    @property
    def building_function(self) -> bool:
        return False

    @contextlib.contextmanager
    def device(self, device_name):
        """Accepted and ignored: graphc places everything on the CPU."""
        yield

    @contextlib.contextmanager
    def colocate_with(self, op, ignore_existing: bool = False):
        yield

    @contextlib.contextmanager
    def gradient_override_map(self, op_type_map: dict):
        """TF1: ops of a type in `op_type_map` created inside use the gradient registered
        under the mapped name (`tf.RegisterGradient`, or a built-in op type's) instead of
        their own. Maps nest; an inner one adds to (and may redefine) the outer."""
        if not isinstance(op_type_map, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in op_type_map.items()):
            raise TypeError("op_type_map must be a dictionary mapping strings to strings")
        saved = dict(self._gradient_override)
        self._gradient_override.update(op_type_map)
        try:
            yield
        finally:
            self._gradient_override = saved

    def _gradient_op_type(self, op_type: str, attrs: dict, original: tuple):
        """A new op's gradient override: a `_gradient_op_type` attr (a graph file's, a
        GraphDef's), the current override map, or what the op it copies had."""
        name = attrs.pop("_gradient_op_type", None)
        if name is not None:
            if isinstance(name, bytes):
                name = name.decode()
            if not isinstance(name, str):
                raise TypeError(f"the _gradient_op_type attr of a {op_type} op must be a "
                                f"string, got {name!r}")
            return name
        if op_type in self._gradient_override:
            return self._gradient_override[op_type]
        if original and original[0].type == op_type:
            return original[0].gradient_op_type
        return None

    def __repr__(self) -> str:
        return f"<graphc.Graph with {len(self._ops)} ops>"


class DerivedGraph(Graph):
    """A graph the passes derive from another, never one a user builds: the lowered copy
    of a run's subgraph that the pipeline rewrites (passes/lower.py), a fused node's body.
    Its ops' `original` is provenance (the nodes each was copied or rewritten from), which
    `Operation.user_op` follows back to the user's graph; in a user's graph `original`
    links a gradient op to its forward op instead, and the walk stops there."""

    derived = True
