"""The plan: what a backend compiles, an IR of its own, immutable.

The user's Graph is append-only and the passes rewrite a lowered copy of one run's
subgraph (passes/lower.py); the pipeline's last stage freezes the result, once, into a
Plan. A Plan is the run's signature (`feeds`, the values it takes in the order they are
passed; `fetches`, the values it returns; `targets`, the nodes run for their effects) and
its `nodes` in the order they run, computed once. A node is a PlanNode: frozen, its inputs,
control inputs and outputs tuples, its attrs and subgraphs read-only mappings, and it knows
the node of the user's graph it comes from (`user_op()`, for error messages naming the
user's line) and the nodes it was rewritten from (`original`). Its outputs are
PlanValues (dtype and specialised shape). Backends, the function runner and the tools
that trace or profile a run read a Plan and never change it; the numpy interpreter and
the llvm backend compile the same Plan.

A graph a node holds that the backends run inline, node by node, is frozen with it into
a Plan of its own (the op's OpDef.freeze_graphs says how): a Fused node's body is a Plan
whose `feeds` are the body's parameters (one per input of the node, in order), whose
`nodes` are its members in order and whose `fetches` are the node's results. The graphs
If and While hold are functions, compiled on their own when they run, and stay the graphs
lowering made.

PlanNode and PlanValue read like Operation and Tensor (type, name, inputs, outputs, attrs,
opdef, op, value_index, dtype, shape), so an OpDef's kernels and a backend's rules take
either. Both hash and compare by identity (object's C defaults), as the backends' value-
keyed dicts need. A Plan compares and hashes by its `structure()`: two plans are equal
when they run the same nodes (types, names, attrs, held graphs) on the same edges with the
same signature, whatever graph and creation sites they come from (the key a cache of
compiled plans needs).
"""
from __future__ import annotations

import hashlib
from types import MappingProxyType
from typing import Iterable, Sequence

import numpy as np

from .dtypes import DType
from .shapes import TensorShape
from .symbolic import Sym

_set = object.__setattr__
_NONE = MappingProxyType({})  # the held graphs of a node that holds none


class _Frozen:
    __slots__ = ()

    def __setattr__(self, name, value):
        raise AttributeError(f"{type(self).__name__} is immutable: a plan is never changed "
                             "after the pipeline froze it")

    __delattr__ = __setattr__


class PlanValue(_Frozen):
    """One output of a PlanNode: `op` (the node), `value_index`, `dtype`, `shape`."""

    __slots__ = ("op", "value_index", "dtype", "shape", "__weakref__")

    @property
    def name(self) -> str:
        return f"{self.op.name}:{self.value_index}"

    def get_shape(self):
        return self.shape

    def __repr__(self) -> str:
        return f"<PlanValue '{self.name}' shape={self.shape} dtype={self.dtype.name}>"


class PlanNode(_Frozen):
    """One node of a Plan (see the module doc); `index` is its position in run order."""

    __slots__ = ("type", "name", "inputs", "control_inputs", "attrs", "outputs", "subgraphs",
                 "site", "opdef", "original", "index", "_user", "__weakref__")

    def user_op(self):
        """The node of the user's graph this node comes from."""
        return self._user

    @property
    def stateful(self) -> bool:
        return not self.opdef.pure

    def get_attr(self, name: str):
        if name not in self.attrs:
            raise ValueError(f"Operation {self.name!r} has no attr named {name!r}.")
        return self.attrs[name]

    def describe(self) -> str:
        """'<type> op <name>', plus the user's line, for error messages."""
        where = f" (created at {self.site.describe()})" if self.site is not None else ""
        return f"{self.type} op '{self.name}'{where}"

    def __repr__(self) -> str:
        return f"<PlanNode '{self.name}' type={self.type}>"


class Plan(_Frozen):
    """A run's frozen IR: `nodes` in run order; `feeds`, `fetches` (PlanValues) and
    `targets` (PlanNodes), the signature."""

    __slots__ = ("nodes", "feeds", "fetches", "targets", "_structure")

    def __init__(self, nodes: tuple, feeds: tuple, fetches: tuple, targets: tuple) -> None:
        _set(self, "nodes", nodes)
        _set(self, "feeds", feeds)
        _set(self, "fetches", fetches)
        _set(self, "targets", targets)
        _set(self, "_structure", None)

    def structure(self) -> tuple:
        """The plan as nested tuples of plain values (computed once): per node its type,
        name, attrs, inputs (a feed's position, or the position of the node making it and
        the output's index), control inputs, outputs' dtypes and shapes, and held graphs;
        then the signature. No object ids (but of held graphs that are no Plan: If's and
        While's functions), no creation sites."""
        if self._structure is None:
            where = {v: ("feed", i) for i, v in enumerate(self.feeds)}
            for node in self.nodes:
                for v in node.outputs:
                    where.setdefault(v, (node.index, v.value_index))

            def ref(v):  # (a variable named by an assignment only: by its name)
                return where.get(v) or ("node", v.op.name, v.value_index)
            nodes = tuple([(n.type, n.name, _plain(n.attrs), tuple([ref(v) for v in n.inputs]),
                            tuple([c.index for c in n.control_inputs]),
                            tuple([(v.dtype.name, _plain(v.shape)) for v in n.outputs]),
                            _plain(n.subgraphs)) for n in self.nodes])
            _set(self, "_structure", (nodes, tuple([(v.dtype.name, _plain(v.shape))
                                                    for v in self.feeds]),
                                      tuple([ref(v) for v in self.fetches]),
                                      tuple([n.index for n in self.targets])))
        return self._structure

    def __eq__(self, other) -> bool:
        return self is other or isinstance(other, Plan) and \
            self.structure() == other.structure()

    def __hash__(self) -> int:
        return hash(self.structure())

    @classmethod
    def freeze(cls, ops: Sequence, feeds: Iterable, fetches: Iterable,
               targets: Iterable) -> "Plan":
        """The Plan of `ops` (Operations in the order they run) with the signature
        `feeds`, `fetches` (Tensors) and `targets` (some of `ops`)."""
        values: dict = {}   # Tensor -> PlanValue
        nodes: dict = {}    # Operation -> PlanNode
        order = tuple([_node(op, i, values, nodes) for i, op in enumerate(ops)])

        def value(t) -> PlanValue:
            v = values.get(t)
            if v is None:  # made by no node that runs: a feed, a variable an Assign names
                _set(_node(t.op, -1, values, nodes), "inputs", ())
                v = values[t]
            return v

        for op, node in zip(ops, order):
            _set(node, "inputs", tuple([value(t) for t in op.inputs]))
        return cls(order, tuple([value(t) for t in feeds]),
                   tuple([value(t) for t in fetches]), tuple([nodes[o] for o in targets]))

    def __len__(self) -> int:
        return len(self.nodes)

    def __repr__(self) -> str:
        return (f"<Plan of {len(self.nodes)} nodes: {len(self.feeds)} feeds, "
                f"{len(self.fetches)} fetches, {len(self.targets)} targets>")


def _plain(v):
    """An attr value (or a shape, a held graph) as plain, hashable values, tagged by kind
    (1, 1.0 and True differ; floats by repr, so -0.0 and nan are themselves)."""
    if v is None or isinstance(v, (str, bytes)):
        return v
    if isinstance(v, (np.ndarray, np.generic)):  # (before float: np.float64 is one)
        a = np.asarray(v)
        data = tuple(map(repr, a.ravel().tolist())) if a.dtype.kind == "O" else \
            hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()
        return ("array", a.dtype.str, a.shape, data)
    if isinstance(v, (bool, int)):
        return (type(v).__name__, v)
    if isinstance(v, float):
        return ("float", repr(v))
    if isinstance(v, DType):
        return ("dtype", v.name)
    if isinstance(v, TensorShape):
        dims = v.as_tuple()
        return ("shape", None if dims is None else tuple([_plain(d) for d in dims]))
    if isinstance(v, Sym):
        return ("sym", str(v))
    if isinstance(v, (list, tuple)):
        return (type(v).__name__, tuple([_plain(x) for x in v]))
    if isinstance(v, (dict, MappingProxyType)):
        return ("dict", tuple(sorted((str(k), _plain(x)) for k, x in v.items())))
    if isinstance(v, Plan):
        return ("plan", v.structure())
    return ("object", type(v).__name__, id(v))  # (a function graph, a callable: itself)


def _node(op, index: int, values: dict, nodes: dict) -> PlanNode:
    """The frozen copy of `op` but its inputs (set once every node exists: a variable may
    run after the assignment that names it), entered in `nodes`, its outputs in `values`."""
    node = PlanNode.__new__(PlanNode)
    _set(node, "type", op.type)
    _set(node, "name", op.name)
    _set(node, "control_inputs", tuple([nodes[c] for c in op.control_inputs if c in nodes]))
    _set(node, "attrs", MappingProxyType(dict(op.attrs)))
    held = op.subgraphs
    if held:
        freeze = op.opdef.freeze_graphs
        _set(node, "subgraphs", MappingProxyType(freeze(op) if freeze else dict(held)))
    else:
        _set(node, "subgraphs", _NONE)
    _set(node, "site", op.site)
    _set(node, "opdef", op.opdef)
    _set(node, "original", op.original)
    _set(node, "index", index)
    _set(node, "_user", op.user_op())
    outputs = []
    for t in op.outputs:
        v = PlanValue.__new__(PlanValue)
        _set(v, "op", node)
        _set(v, "value_index", t.value_index)
        _set(v, "dtype", t.dtype)
        _set(v, "shape", t.shape)
        values[t] = v
        outputs.append(v)
    _set(node, "outputs", tuple(outputs))
    nodes[op] = node
    return node
