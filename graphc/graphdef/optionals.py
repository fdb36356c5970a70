"""TensorFlow's optionals on import, as TF2's `tf.cond` gradient writes them.

When a `StatelessIf`/`If`'s gradient is taken outside XLA, TensorFlow rewrites the forward
cond's branches to also return the intermediates the gradient needs, each wrapped in
`OptionalFromValue`; a branch with fewer intermediates pads its results with
`OptionalNone`. The results are DT_VARIANT, so the two branches share result slots: slot
k holds the then branch's k-th intermediate when the then branch ran and the else
branch's when it did not, of whatever dtypes and shapes they have. The gradient's If, on
the same predicate, takes the slots as inputs and unwraps them with `OptionalGetValue` in
the branch of the same side.

graphc has no variant tensors. A slot becomes an `OptionalSlot`: one graphc result per
side, the value that side's branch put there, and in the other branch a placeholder of
the same dtype and static shape (unknown dims 0: empty, never read). An If reading a slot
binds, in its then branch, the then side's tensor, in its else branch the else side's;
`ZerosLike` and `Identity` of a slot are taken per side (TensorFlow's gradient of the
optional results). Any other use of a slot is refused by name.
"""
from __future__ import annotations

import sys
from typing import Optional

import numpy as np

from .. import protos
from ..ir import dtypes as dt
from ..ir.graph import Tensor, TensorLike
from .importer import IMPORTERS, OPTIONAL_AWARE, OPTIONALS, GraphDefImportError, NodeContext

WRAP, NONE, UNWRAP = "OptionalFromValue", "OptionalNone", "OptionalGetValue"


class Wrapped:
    """What `OptionalFromValue` (a value) or `OptionalNone` (None) gives inside a branch."""

    def __init__(self, value: Optional[Tensor]) -> None:
        self.value = value

    @property
    def op(self):  # what a control input on the node waits for
        return self.value.op if self.value is not None else None


class OptionalSlot:
    """A DT_VARIANT result of an If whose branches return optionals: `sides[k]` is the
    graphc tensor branch k (0 then, 1 else) put there."""

    def __init__(self, sides: tuple) -> None:
        self.sides = sides

    @property
    def op(self):  # what a control input on the node waits for (both sides: one If)
        return self.sides[0].op


def _wrap(ctx: NodeContext):
    if len(ctx.inputs) != 1:
        raise GraphDefImportError(f"{ctx.label}: an optional of {len(ctx.inputs)} "
                                  "components is not supported (TensorFlow's cond gradient "
                                  "wraps each intermediate alone)")
    return [Wrapped(ctx.op("Identity", ctx.inputs))]


def _none(ctx: NodeContext):
    return [Wrapped(None)]


def _unwrap(ctx: NodeContext):
    (x,) = ctx.inputs
    if isinstance(x, Wrapped):
        if x.value is None:
            raise GraphDefImportError(f"{ctx.label}: reads an OptionalNone")
        x = x.value
    if not isinstance(x, Tensor):
        raise GraphDefImportError(f"{ctx.label}: reads an optional outside the branch of a "
                                  "cond (graphc imports optionals only as TensorFlow's cond "
                                  "gradient uses them)")
    types = [protos.as_graphc_dtype(t, ctx.label) for t in
             ctx.node.attr["output_types"].list.type] or [x.dtype]
    if types != [x.dtype]:
        raise GraphDefImportError(f"{ctx.label}: expects {[t.name for t in types]}, the "
                                  f"optional holds {x.dtype.name}")
    return [ctx.op("Identity", [x])]


IMPORTERS.update({WRAP: _wrap, NONE: _none, UNWRAP: _unwrap})
OPTIONAL_AWARE.update({WRAP, UNWRAP, "If", "StatelessIf"})
PER_SIDE = {"ZerosLike", "Identity"}  # ops taken per side of a slot


def has_optionals(values) -> bool:
    return any(isinstance(v, (OptionalSlot, Wrapped)) for v in values)


def import_per_side(ctx: NodeContext):
    """A node reading an OptionalSlot: `ZerosLike` / `Identity` per side, else refused."""
    if ctx.node.op not in PER_SIDE or len(ctx.inputs) != 1 or \
            not isinstance(ctx.inputs[0], OptionalSlot):
        raise GraphDefImportError(
            f"{ctx.label}: reads a cond's optional result; graphc imports those only as "
            "inputs of the cond's gradient If (and their ZerosLike / Identity)")
    sides = ctx.inputs[0].sides
    return [OptionalSlot(tuple(ctx.op(ctx.node.op, [t], suffix=f"side_{k}")
                               for k, t in enumerate(sides)))]


def branch_inputs(inputs: list, side: int, where: str) -> list:
    """An If's inputs as its branch `side` reads them: each slot as that side's tensor."""
    return [side_value(v, side, where) if isinstance(v, OptionalSlot) else v for v in inputs]


def side_value(slot: OptionalSlot, side: int, where: str) -> Tensor:
    if slot.sides[side] is None:
        raise GraphDefImportError(f"{where}: its {'false' if side else 'true'} branch reads "
                                  "a value only the other branch of an earlier cond computes")
    return slot.sides[side]


def _ret_node(fdef: protos.FunctionDef, arg) -> Optional[protos.NodeDef]:
    ref = fdef.ret.get(arg.name, "")
    name = ref.split(":")[0]
    return next((n for n in fdef.node_def if n.name == name), None)


def slot_indices(*fdefs: protos.FunctionDef) -> list:
    """The results of an If (branches `fdefs`) that either branch returns as an optional."""
    out = set()
    for fdef in fdefs:
        for i, arg in enumerate(fdef.signature.output_arg):
            node = _ret_node(fdef, arg) if arg.type == protos.DataType.DT_VARIANT else None
            if node is not None and node.op in (WRAP, NONE):
                out.add(i)
    return sorted(out)


class StandIn(TensorLike):
    """A branch's result for a value only the other branch computes (`source`, set when
    that branch is traced): zeros of its dtype and static shape, unknown dims 0, made
    when cond turns the branches' results into tensors, after both are traced. Never
    read: the If reading it runs the other side."""

    __slots__ = ("source", "name")
    is_stand_in = True  # graphc's cond marks the result `exported` by the other branch

    def __init__(self, name: str) -> None:
        self.source: Optional[Tensor] = None
        self.name = name

    def _as_tensor(self) -> Tensor:
        from ..ir.ops._base import constant_op
        t = self.source
        dtype = t.dtype if t is not None else dt.float32
        dims = [d or 0 for d in t.shape.as_list()] if t is not None and \
            t.shape.ndims is not None else []
        return constant_op(np.zeros(dims, dtype.np), name=self.name)


class SideResults:
    """Results of a cond that one side computes: `owners[i]` is the side (0 true, 1 false)
    computing result i, or None where each side computes its own (a functional If's
    optional slot). A one-sided result is one result of graphc's cond, a StandIn in the
    other branch; a two-sided one is two, side 0's then side 1's."""

    def __init__(self, owners: list, name: str) -> None:
        self.owners = owners
        self.stand_ins = [[StandIn(f"{name}/side_result_{i}_{k}") for k in (0, 1)]
                          for i in range(len(owners))]

    def results(self, side: int, values: list) -> list:
        """Branch `side`'s results for its values (None: it computes none there)."""
        flat = []
        for i, (v, owner) in enumerate(zip(values, self.owners)):
            for k in (0, 1) if owner is None else (owner,):
                if k == side and v is not None:
                    self.stand_ins[i][k].source = v
                    flat.append(v)
                else:
                    flat.append(self.stand_ins[i][k])
        return flat

    def regroup(self, flat: list) -> list:
        """graphc's cond results of these as OptionalSlots (None on a side computing none)."""
        out, p = [], 0
        for owner in self.owners:
            if owner is None:
                out.append(OptionalSlot((flat[p], flat[p + 1])))
                p += 2
            else:
                out.append(OptionalSlot((flat[p], None) if owner == 0 else (None, flat[p])))
                p += 1
        return out


def branch_results(outs: list, side: int, slots: list, sides: SideResults) -> list:
    """A functional If's branch `side` results for graphc's cond: the others first, then
    each optional as two (its own side's value, the other's StandIn)."""
    plain = [v for i, v in enumerate(outs) if i not in slots]
    wrapped = [outs[i].value if isinstance(outs[i], Wrapped) else None for i in slots]
    return plain + sides.results(side, wrapped)


def slot_results(flat: list, n: int, slots: list, sides: SideResults) -> list:
    """graphc's cond results in the If's order, each optional as one OptionalSlot."""
    n_plain = n - len(slots)
    grouped = iter(sides.regroup(flat[n_plain:]))
    plain = iter(flat[:n_plain])
    return [next(grouped) if i in slots else next(plain) for i in range(n)]


OPTIONALS.append(sys.modules[__name__])
