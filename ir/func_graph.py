"""FuncGraph: the graph of a function held by a node (a cond branch, a loop's cond or body).

A FuncGraph is built by calling the user's Python function with the FuncGraph as the
default graph. Tensors of enclosing graphs used inside are *captured*: each becomes a
Placeholder of the FuncGraph, and the outer tensor becomes an input of the node that
will hold the graph (TF2's functional control flow, without TF1's Switch/Merge frames).
The node's inputs then list exactly what its graphs read, so pruning, autodiff and
scheduling of the outer graph need no knowledge of what is inside.

Two kinds of outer tensor are special:
  - a variable itself (a VariableV2 ref, e.g. the target of `tf.assign` in a branch) is
    not a value: it is re-created inside under the same name, so the assignment writes
    the Session's variable when, and only when, the branch or body runs;
  - a `capture_hook` may map tensors of one graph differently (the gradient of a loop
    reads the forward body's values from per-iteration stacks);
  - a small integer tensor whose value is known when the graph is built (TF1's
    constant_value: a Const, the Shape of a static shape) is copied in as a Const, so
    that inference inside knows it: TF1's gradient of `y + b` in a cond reshapes to
    `tf.shape(b)`, computed outside the branch, and a parameter there would leave the
    gradient's shape unknown (and its ops to numpy on the llvm backend).
Variables created inside (tf.Variable, tf.get_variable) are lifted to the outermost graph
(TF1's init_scope), so their initializers run with `global_variables_initializer`.
"""
from __future__ import annotations

from typing import Callable, Optional

import numpy as np

from .graph import Graph, Tensor
from .ops import core_ops
from .ops._base import const_value
from .shapes import TensorShape

_SMALL_KNOWN = 64  # elements: a shape or a few indices, not data


class FuncGraph(Graph):
    is_function = True

    def __init__(self, name: str, outer: Graph,
                 capture_hook: Optional[Callable] = None) -> None:
        super().__init__()
        self.name = name
        self.outer = outer
        self.capture_hook = capture_hook
        self.captures: dict = {}          # outer Tensor -> the Tensor standing for it here
        self._sources: dict = {}          # capture Placeholder -> the outer Tensor it takes
        self.sliced: set = set()          # capture Placeholders taking one slice per iteration
        self.slice_counter = (0, 0)       # slice index: loop variable #i's value + offset
        self.inputs: list = []            # Placeholders: declared parameters, then captures
        self.n_params = 0
        self.outputs: list = []           # Tensors the function returns (set by the builder)
        self.seed = outer.seed
        self._name_stack = outer.get_name_scope()
        self._gradient_override = dict(outer._gradient_override)  # ops in a branch or body
        # Reads see the enclosing graph's collections; additions stay local (TF2 rule).
        self._collections = {k: list(v) for k, v in outer._collections.items()}

    @property
    def outermost(self) -> Graph:
        return self.outer.outermost

    def add_param(self, dtype, shape, name: str) -> Tensor:
        """A declared parameter (a loop variable, an output gradient), before any capture."""
        if self.captures:
            raise AssertionError("parameters must be declared before captures")
        with self.as_default(), self.control_dependencies(None):
            p = core_ops.placeholder(dtype, shape, name=name)
        self.inputs.append(p)
        self.n_params += 1
        return p

    def capture(self, t: Tensor) -> Tensor:
        """The tensor of this graph standing for the outer tensor `t`."""
        if t.graph is self:
            return t
        hit = self.captures.get(t)
        if hit is not None:
            return hit
        if self.capture_hook is not None:
            mapped = self.capture_hook(self, t)
            if mapped is not None:
                self.captures[t] = mapped
                return mapped
        if t.op.type == "VariableV2":
            with self.as_default(), self.control_dependencies(None):
                p = self.create_op("VariableV2", (), dict(t.op.attrs), name=t.op.name + "/",
                                   site=t.op.site).outputs[0]
            self.captures[t] = p
            return p
        value = const_value(t) if t.dtype.is_integer else None
        if value is not None and np.size(value) <= _SMALL_KNOWN:
            with self.as_default(), self.control_dependencies(None):
                c = core_ops.constant(value, t.dtype, name="known_" + t.op.name.replace("/", "_"))
            self.captures[t] = c
            return c
        # Any other graph's tensor becomes a parameter; the node holding this graph takes
        # `t` as an input, so its own graph captures it in turn (or, at the outermost
        # graph, refuses a tensor that is not its own).
        return self.placeholder_for(t)

    def placeholder_for(self, t: Tensor) -> Tensor:
        """A new capture Placeholder standing for the outer tensor `t`."""
        with self.as_default(), self.control_dependencies(None):
            p = core_ops.placeholder(t.dtype, t.shape,
                                     name="capture_" + t.op.name.replace("/", "_"))
        self.inputs.append(p)
        self.captures[t] = p
        self._sources[p] = t
        return p

    def sliced_capture(self, t: Tensor) -> Tensor:
        """A parameter taking `t[index]` in each loop iteration (index: `slice_counter`),
        a view of the outer tensor: a loop reads its input sequence without a gather and
        its gradient writes the slice's gradient, not a dense one, per iteration."""
        key = ("sliced", t)
        hit = self.captures.get(key)
        if hit is not None:
            return hit
        if t.shape.ndims == 0:
            raise ValueError(f"cannot slice the scalar {t.name} per iteration")
        elem = None if t.shape.ndims is None else TensorShape(list(t.shape.as_tuple())[1:])
        with self.as_default(), self.control_dependencies(None):
            p = core_ops.placeholder(t.dtype, elem,
                                     name="slice_" + t.op.name.replace("/", "_"))
        self.inputs.append(p)
        self.captures[key] = p
        self._sources[p] = t
        self.sliced.add(p)
        return p

    def captured_values(self) -> list:
        """Outer tensors passed for each capture Placeholder, in `inputs` order."""
        return [self._sources[p] for p in self.inputs[self.n_params:]]

    @property
    def variables_written(self) -> list:
        """Names of the variables this graph (or a graph inside it) writes."""
        return sorted({op.inputs[i].op.name for op in _walk(self)
                       for i in op.opdef.ref_inputs})

    def _capture_input(self, t: Tensor, site) -> Tensor:
        return self.capture(t)


def build_function(name: str, fn: Callable, outer: Graph, params=(),
                   capture_hook=None) -> tuple:
    """Call `fn(*param_tensors)` inside a new FuncGraph; returns (graph, fn's result).

    `params` are (dtype, shape, name) triples for the declared parameters."""
    g = FuncGraph(name, outer, capture_hook)
    args = [g.add_param(d, s, n) for d, s, n in params]
    with g.as_default():
        result = fn(*args)
    return g, result


def _walk(graph: Graph):
    for op in graph.get_operations():
        yield op
        for sub in op.subgraphs.values():
            yield from _walk(sub)


def copy_function(graph: Graph, source: Graph, tensors: dict, exact_names: bool = True):
    """Copy `source`'s ops but its Placeholders into `graph`; `tensors` maps each
    Placeholder to the tensor of `graph` it stands for, and receives every copied output.
    A variable is one node per name in a graph: an existing one is reused. Copies keep
    names (a taken name gets a suffix), sites and provenance."""
    ops: dict = {}
    for inner in source.get_operations():
        if inner.type == "Placeholder":
            continue
        if inner.type == "VariableV2":
            existing = graph._by_name.get(inner.name)
            new = existing if existing is not None and existing.type == "VariableV2" else \
                graph.create_op("VariableV2", (), inner.attrs, name=inner.name + "/",
                                site=inner.site, original=(inner,))
        else:
            free = exact_names and inner.name not in graph._by_name
            new = graph.create_op(inner.type, [tensors[t] for t in inner.inputs], inner.attrs,
                                  name=inner.name + "/" if free else inner.name,
                                  control_inputs=[ops[c] for c in inner.control_inputs
                                                  if c in ops],
                                  subgraphs=inner.subgraphs, site=inner.site,
                                  original=(inner,))
        ops[inner] = new
        tensors.update(zip(inner.outputs, new.outputs))
    return tensors
