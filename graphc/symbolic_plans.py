"""Plans with symbolic dims (ir/symbolic.py): which fed dims become symbols, and the one
way the Session and the FunctionRunner (the graphs of If/While nodes) compile such a
plan or learn that it must be compiled per shape.

The dims a graph leaves unknown become symbols b0, b1, ... (one per distinct fed size, so
equal sizes share a symbol and the key says which dims are equal). A plan is tried first
for every size; when an op asks a question only "the size is not 1" answers (squeeze()
of the batch, SymbolicDimError.floor == 2), it is tried again for every size but 1, with
the dims fed 1 left concrete (a batch of 1 then has a plan of its own, as its results'
shapes differ). When an op needs the value of some symbols (a dim broadcast against a
fixed size n > 1, which only 1 or n can be: DESIGN.md's "specialise where the graph fixes
a dim"), the dims holding them are made concrete and the others stay symbolic (a
[None, None] input times a bias of 6: one plan for every batch of width 6). When nothing
is left to try, the key is remembered as per shape.
GRAPHC_SYMBOLIC_DIMS=0 turns symbolic plans off; =raise shows why one failed.
"""
from __future__ import annotations

import os
from typing import Callable, Optional

from .ir.symbolic import Sym, SymbolicDimError

_ENABLED = os.environ.get("GRAPHC_SYMBOLIC_DIMS", "1") != "0"
# The size a symbolic plan's heuristics (how many threads a kernel splits across) assume
# for every symbolic dim: fixed, not the first fed size, so the plan's native code is the
# same whichever batch came first, and a new process finds it in the disk cache.
NOMINAL_SIZE = 64
PER_SHAPE = object()  # a symbolic key whose plan must be compiled per shape
FLOORS = (1, 2)


def enabled() -> bool:
    """Plans keep unknown dims symbolic (GRAPHC_SYMBOLIC_DIMS=0 at import turns it off)."""
    return _ENABLED


def symbolic_shapes(tensors, values, floor: int = 1, pinned: frozenset = frozenset()) -> tuple:
    """(shapes, env): each value's shape with the dims its tensor's static shape leaves
    unknown as symbols (sizes below `floor` and the dims at the positions `pinned`, pairs
    (value index, axis), stay concrete), and the symbols' sizes this run. env is empty
    when nothing is symbolic (or a size is 0)."""
    by_size: dict = {}
    shapes = []
    for i, (t, v) in enumerate(zip(tensors, values)):
        static = t.shape.as_tuple()
        if static is None or len(static) != v.ndim:
            shapes.append(v.shape)
            continue
        dims = []
        for axis, (s, n) in enumerate(zip(static, v.shape)):
            if s is not None or 0 < n < floor or (i, axis) in pinned:
                dims.append(n)
                continue
            if n == 0:
                return (), {}
            sym = by_size.get(n)
            if sym is None:
                sym = by_size[n] = Sym.symbol(f"b{len(by_size)}", NOMINAL_SIZE, floor)
            dims.append(sym)
        shapes.append(tuple(dims))
    return shapes, {f"b{i}": n for i, n in enumerate(by_size)}


class _Retry:
    """A symbolic key whose plan did not compile: try again with the symbols' floor
    `floor`, and the dims at `pinned` concrete."""

    __slots__ = ("floor", "pinned")

    def __init__(self, floor: int, pinned: frozenset) -> None:
        self.floor, self.pinned = floor, pinned


def _symbolic_error(exc: BaseException) -> Optional[SymbolicDimError]:
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, SymbolicDimError):
            return exc
        exc = exc.__cause__ or exc.__context__
    return None


def _next_try(exc: BaseException, floor: int, pinned: frozenset, shapes) -> object:
    """What to try after `exc` compiling a plan for `shapes`: the next floor when the
    question was "is this dim 1?" (squeeze() of the batch); else the dims holding the
    symbols the question was about made concrete (a dim broadcast against a fixed n > 1
    can only be 1 or n: the plan specialises it, and the other dims stay symbolic); else
    per shape."""
    error = _symbolic_error(exc)
    if error is None:
        return PER_SHAPE
    if floor != FLOORS[-1] and error.floor > floor:
        return _Retry(FLOORS[FLOORS.index(floor) + 1], pinned)
    more = frozenset((i, axis) for i, dims in enumerate(shapes)
                     for axis, d in enumerate(dims)
                     if isinstance(d, Sym) and d.symbols & error.symbols)
    if not more - pinned:
        return PER_SHAPE
    return _Retry(floor, pinned | more)


def symbolic_plan(compile_shapes: Callable, tensors, values, key: tuple, plans,
                  remember: Callable) -> Optional[object]:
    """The plan `compile_shapes(shapes)` makes for `values` fed to `tensors` with their
    unknown dims symbolic, found in `plans` under `key` + the symbolic shapes (and kept
    there with `remember(key, plan)`), or None when it must be compiled per shape. (Each
    retry raises the floor or pins more dims, so the tries end.)"""
    floor, pinned = FLOORS[0], frozenset()
    while True:
        shapes, env = symbolic_shapes(tensors, values, floor, pinned)
        if not env:
            return None
        skey = key + (floor, pinned, tuple((s, v.dtype.str) for s, v in zip(shapes, values)))
        plan = plans.get(skey)
        if plan is None:
            try:
                plan = compile_shapes(shapes)
            except Exception as exc:  # noqa: BLE001 - per-shape compilation reports errors
                plan = _next_try(exc, floor, pinned, shapes)
                if plan is PER_SHAPE and os.environ.get("GRAPHC_SYMBOLIC_DIMS") == "raise":
                    raise  # (to see why)
            remember(skey, plan)
        if isinstance(plan, _Retry):
            floor, pinned = plan.floor, plan.pinned
            continue
        return None if plan is PER_SHAPE else plan
