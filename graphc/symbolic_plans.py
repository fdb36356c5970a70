"""Plans with symbolic dims (ir/symbolic.py): which fed dims become symbols, and the one
way the Session and the FunctionRunner (the graphs of If/While nodes) compile such a
plan or learn that it must be compiled per shape.

The dims a graph leaves unknown become symbols b0, b1, ... (one per distinct fed size, so
equal sizes share a symbol and the key says which dims are equal). A plan is tried first
for every size; when an op asks a question only "the size is not 1" answers (squeeze()
of the batch, SymbolicDimError.floor == 2), it is tried again for every size but 1, with
the dims fed 1 left concrete (a batch of 1 then has a plan of its own, as its results'
shapes differ); when neither compiles, the key is remembered as per shape.
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
_RETRY = object()     # ... whose plan needs its symbols' floor 2 (the next try)
FLOORS = (1, 2)


def enabled() -> bool:
    """Plans keep unknown dims symbolic (GRAPHC_SYMBOLIC_DIMS=0 at import turns it off)."""
    return _ENABLED


def symbolic_shapes(tensors, values, floor: int = 1) -> tuple:
    """(shapes, env): each value's shape with the dims its tensor's static shape leaves
    unknown as symbols (sizes below `floor` stay concrete), and the symbols' sizes this
    run. env is empty when nothing is symbolic (or a size is 0)."""
    by_size: dict = {}
    shapes = []
    for t, v in zip(tensors, values):
        static = t.shape.as_tuple()
        if static is None or len(static) != v.ndim:
            shapes.append(v.shape)
            continue
        dims = []
        for s, n in zip(static, v.shape):
            if s is not None or 0 < n < floor:
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


def _floor_needed(exc: BaseException) -> int:
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, SymbolicDimError):
            return exc.floor
        exc = exc.__cause__ or exc.__context__
    return 0


def symbolic_plan(compile_shapes: Callable, tensors, values, key: tuple, plans,
                  remember: Callable) -> Optional[object]:
    """The plan `compile_shapes(shapes)` makes for `values` fed to `tensors` with their
    unknown dims symbolic, found in `plans` under `key` + the symbolic shapes (and kept
    there with `remember(key, plan)`), or None when it must be compiled per shape."""
    for floor in FLOORS:
        shapes, env = symbolic_shapes(tensors, values, floor)
        if not env:
            return None
        skey = key + (floor, tuple((s, v.dtype.str) for s, v in zip(shapes, values)))
        plan = plans.get(skey)
        if plan is None:
            try:
                plan = compile_shapes(shapes)
            except Exception as exc:  # noqa: BLE001 - per-shape compilation reports errors
                retry = floor != FLOORS[-1] and _floor_needed(exc) > floor
                if not retry and os.environ.get("GRAPHC_SYMBOLIC_DIMS") == "raise":
                    raise  # (to see why)
                plan = _RETRY if retry else PER_SHAPE
            remember(skey, plan)
        if plan is _RETRY:
            continue
        return None if plan is PER_SHAPE else plan
    return None
