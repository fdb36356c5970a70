"""`tf.function` and `tf.compat.v1.wrap_function` with their graph-mode meaning.

In a TF1 graph, calling a `tf.function` adds its computation to the graph. graphc
traces the Python function into the calling graph at each call (under a name scope of
the function's name), after checking the arguments against `input_signature`; the
variables the first call in a graph makes are the function's: later calls in that graph
get the same ones back (through a variable creator), and making a new one then is TF's
ValueError. As TF's, a call's ops get automatic control dependencies
(ir/auto_deps.py): each runs after the newest stateful op built
before it in the call, and the call's tensors after its last, so its stateful ops run in
program order whenever its outputs are fetched. Python control flow on tensors needs
tf.cond/while_loop (autograph is accepted and does not convert code).

`wrap_function(fn, signature)` traces `fn` once into a graph of its own, fed by
placeholders made from `signature` (`.graph`, `.inputs`, `.outputs`,
`.structured_outputs`); calling it adds fn's computation to the calling graph, and
`prune(feeds, fetches)` gives a function computing `fetches` of that graph from `feeds`
(imported into the calling graph with `tf.import_graph_def`).
"""
from __future__ import annotations

import functools
import re
import weakref
from typing import Optional

from . import nest
from .api import import_graph_def
from .framework_names import TensorSpec
from .ir import context as _context
from .ir.auto_deps import automatic_control_dependencies
from .ir.graph import Graph, Operation, Tensor, TensorLike
from .ir.ops import core_ops
from .ir.ops._base import convert_to_tensor
from .ir.site import where
from .variables import variable_creator_scope

__all__ = ["function", "wrap_function", "Function", "WrappedFunction"]


def _check_signature(name: str, signature, args) -> list:
    """`args` as tensors of `signature`'s dtypes, or TF's error."""
    specs = nest.flatten(signature)
    flat = nest.flatten(list(args))
    if len(flat) != len(specs):
        raise TypeError(f"{name}: the input_signature has {len(specs)} tensors, the call "
                        f"gives {len(flat)}{where()}")
    out = []
    for i, (spec, a) in enumerate(zip(specs, flat)):
        t = a._as_tensor() if isinstance(a, TensorLike) else \
            convert_to_tensor(a, dtype=spec.dtype)
        if t.dtype is not spec.dtype or not spec.shape.is_compatible_with(t.shape):
            raise ValueError(f"Python inputs incompatible with input_signature: argument "
                             f"{i} of {name} is {t.dtype.name} {t.shape}, the signature "
                             f"says {spec}{where()}")
        out.append(t)
    return nest.pack_sequence_as(list(args), out)


def _scope_name(name: str, default: str) -> str:
    """A Python function's name as a name scope: '<lambda>' is 'lambda' (the characters a
    scope refuses dropped)."""
    return re.sub(r"^[^A-Za-z0-9.]+|[^A-Za-z0-9_.\-]", "", name) or default


class Function:
    """What `tf.function(f)` returns (see module)."""

    def __init__(self, python_function, name: str, input_signature=None) -> None:
        self._python_function = python_function
        self._name = name
        self._input_signature = None if input_signature is None else \
            list(input_signature)
        if self._input_signature is not None:
            for s in nest.flatten(self._input_signature):
                if not isinstance(s, TensorSpec):
                    raise TypeError(f"input_signature must hold tf.TensorSpec, got {s!r}")
        self._variables: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
        self._bound: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
        functools.update_wrapper(self, python_function)

    @property
    def python_function(self):
        return self._python_function

    @property
    def input_signature(self):
        return self._input_signature

    def __get__(self, instance, owner):
        """A method: bound to its instance (one Function per instance, as TF's)."""
        if instance is None:
            return self
        bound = self._bound.get(instance)
        if bound is None:
            bound = Function(functools.partial(self._python_function, instance),
                             self._name, self._input_signature)
            self._bound[instance] = bound
        return bound

    def __call__(self, *args, **kwargs):
        if self._input_signature is not None:
            if kwargs:
                raise TypeError(f"{self._name}: a function with an input_signature takes "
                                f"positional arguments only{where()}")
            args = _check_signature(self._name, self._input_signature, args)
        graph = _context.get_default_graph().outermost
        made = self._variables.get(graph)
        first = made is None
        if first:
            made = []
        reuse = iter(made)

        def creator(next_creator, **kw):
            if not first:
                v = next(reuse, None)
                if v is None:
                    raise ValueError(
                        f"tf.function only supports singleton tf.Variables created on the "
                        f"first call. Make sure the tf.Variable is only created once or "
                        f"created outside tf.function ({self._name})")
                return v
            with autodeps.excluding():  # (its initializer runs once, by the init op)
                v = next_creator(**kw)
            made.append(v)
            return v
        here = _context.get_default_graph()
        with variable_creator_scope(creator), here.name_scope(self._name), \
                automatic_control_dependencies(here) as autodeps:
            out = self._python_function(*args, **kwargs)
        if first:
            self._variables[graph] = made
        if autodeps.last is None:
            return out
        with here.control_dependencies([autodeps.last]):  # a call runs its stateful ops
            return nest.map_structure(
                lambda o: core_ops.identity(o) if isinstance(o, Tensor) else o, out)

    def __repr__(self) -> str:
        return f"<graphc.Function {self._name}>"


def function(func=None, input_signature=None, autograph=True, jit_compile=None,
             reduce_retracing=False, experimental_implements=None,
             experimental_autograph_options=None, experimental_attributes=None,
             experimental_relax_shapes=None, experimental_compile=None,
             experimental_follow_type_hints=None):
    """TF's `tf.function` in a graph (see module); a decorator with or without
    arguments. The compilation options are accepted: graphc compiles every graph."""
    def decorate(f):
        return Function(f, _scope_name(getattr(f, "__name__", ""), "function"),
                        input_signature)
    return decorate if func is None else decorate(func)


class WrappedFunction:
    """What `wrap_function(fn, signature)` returns (see module)."""

    def __init__(self, fn, signature, name: Optional[str]) -> None:
        self._fn = fn
        self._signature = list(signature or [])
        self.name = name or _scope_name(getattr(fn, "__name__", ""), "wrapped_function")
        self.graph = Graph()
        with self.graph.as_default():
            flat = [core_ops.placeholder(s.dtype, s.shape, name=s.name or f"input_{i}")
                    for i, s in enumerate(nest.flatten(self._signature))]
            self.inputs = flat
            self.structured_outputs = fn(*nest.pack_sequence_as(self._signature, flat))
        self.outputs = [o._as_tensor() if isinstance(o, TensorLike) else o
                        for o in nest.flatten(self.structured_outputs)
                        if isinstance(o, (TensorLike, Operation))]
        self._call = Function(fn, self.name, self._signature or None)

    @property
    def structured_input_signature(self) -> tuple:
        return (tuple(self._signature), {})

    def __call__(self, *args):
        return self._call(*args)

    def prune(self, feeds, fetches, name: Optional[str] = None, input_signature=None):
        """A function computing `fetches` (tensors or ops of `.graph`, or their names;
        a nest) from `feeds` (tensors of `.graph`), by importing `.graph`'s GraphDef
        into the calling graph with the feeds mapped to the call's arguments."""
        feeds = [self._element(f) for f in nest.flatten(feeds)]
        flat_fetches = [self._element(f) for f in nest.flatten(fetches)]
        graph_def = self.graph.as_graph_def()
        scope = name or self.name + "_pruned"

        def pruned(*args):
            if len(args) != len(feeds):
                raise TypeError(f"{scope}: {len(feeds)} feeds, {len(args)} arguments"
                                f"{where()}")
            got = import_graph_def(graph_def, input_map={
                f.name: a for f, a in zip(feeds, args)}, return_elements=[
                f.name for f in flat_fetches], name=scope)
            return nest.pack_sequence_as(fetches, list(got))
        return pruned

    def _element(self, x):
        if isinstance(x, str):
            return self.graph.as_graph_element(x)
        if isinstance(x, (Tensor, Operation)) and x.graph is self.graph:
            return x
        raise ValueError(f"prune: {x!r} is not an element of the wrapped function's graph"
                         f"{where()}")


def wrap_function(fn, signature, name: Optional[str] = None) -> WrappedFunction:
    """TF1 `tf.compat.v1.wrap_function(fn, signature, name=None)` (see module)."""
    return WrappedFunction(fn, signature, name)
