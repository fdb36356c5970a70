"""Shape arithmetic on partial values (ops._base.partial_value): the entry-by-entry
integer ops and DynamicStitch that TF's gradients compute shapes with, over ints, None
(unknown when the graph is built) and a plan's Syms (ir/symbolic.py, known at run time),
so a reduction gradient's Reshape and BroadcastTo or Tile get shapes a plan knows.
This module imports no op family and nothing of ops._base, which calls it.
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from ..symbolic import Sym, SymbolicDimError


def ints(v: Optional[np.ndarray]) -> Optional[np.ndarray]:
    """A partial value with every entry an int, as int64 (else None)."""
    if v is None or not all(isinstance(e, int) and not isinstance(e, bool)
                            for e in v.reshape(-1)):
        return None
    return v.astype(np.int64)


def short(t) -> bool:
    """Whether `t` could be a shape vector (a few static entries): the only values the
    arithmetic and stitches here compute, entry by entry in Python; the values of an int
    tensor of data are the run's."""
    dims = t.shape.as_tuple()
    return dims is not None and all(isinstance(d, int) for d in dims) and \
        int(np.prod(dims, dtype=np.int64)) <= 64


def stitch(indices: list, data: list) -> Optional[np.ndarray]:
    """DynamicStitch of int `indices` on partial `data` (TF's reduction gradients: the
    kept shape is stitch([range(rank), axes], [shape(x), ones]), x's shape with 1 at the
    reduced axes), or None where the kernel would refuse or leave a row its zero."""
    rows = max([int(i.max()) + 1 for i in indices if i.size] + [0])
    if any(i.size and i.min() < 0 for i in indices) or \
            any(d.shape[:i.ndim] != i.shape for i, d in zip(indices, data)):
        return None  # (what the kernel refuses at run time)
    inner = data[0].shape[indices[0].ndim:]
    out = np.full((rows,) + inner, None, dtype=object)
    written = np.zeros(rows, dtype=bool)
    for i, d in zip(indices, data):
        if d.shape[i.ndim:] != inner:
            return None
        out[i.reshape(-1)] = d.reshape((i.size,) + inner)
        written[i.reshape(-1)] = True
    if not written.all():
        return None  # (rows no index names are the kernel's zeros; leave them unknown)
    return out


def _known_extreme(a, b, larger: bool):
    """max(a, b) (min with not `larger`) where it holds for every run-time size: a Sym
    against an int no larger than its smallest value (a kept batch dim against Maximum's 1)."""
    if isinstance(a, int) and isinstance(b, int):
        return max(a, b) if larger else min(a, b)
    sym, n = (a, b) if isinstance(a, Sym) else (b, a)
    if isinstance(n, int) and sym.smallest() is not None and sym.smallest() >= n:
        return sym if larger else n
    return None


def _known_floordiv(a, b):
    if isinstance(b, int) and b == 0:
        return None  # (the kernel's error, at run time)
    if isinstance(a, Sym) and isinstance(b, Sym) and a == b:
        return 1  # (a size divided by itself: a dim is never 0 with a plan's floors >= 1)
    return a // b


# Integer arithmetic on shape vectors that TF's gradients emit (Mean_grad's
# FloorDiv(shape, Maximum(kept shape, 1)) in TF1, the reductions' `(axes + rank) % rank`):
# entry by entry over ints and a plan's Syms; an entry whose value only the run time
# knows (a build-time None or SymbolicDim, a Sym the answer depends on) stays None.
SHAPE_ARITHMETIC = {
    "Add": lambda a, b: a + b, "AddV2": lambda a, b: a + b, "Sub": lambda a, b: a - b,
    "Mul": lambda a, b: a * b, "Maximum": lambda a, b: _known_extreme(a, b, True),
    "Minimum": lambda a, b: _known_extreme(a, b, False),
    "FloorDiv": _known_floordiv,
    "FloorMod": lambda a, b: None if isinstance(b, int) and b == 0 else a % b}


def elementwise(kind: str, a: np.ndarray, b: np.ndarray) -> Optional[np.ndarray]:
    """SHAPE_ARITHMETIC[kind] of two partial values, broadcast (None if they do not)."""
    fn = SHAPE_ARITHMETIC[kind]
    try:
        a, b = np.broadcast_arrays(a, b)
    except ValueError:
        return None
    out = np.empty(a.shape, dtype=object)
    flat_a, flat_b, flat_out = a.reshape(-1), b.reshape(-1), out.reshape(-1)
    for k, (x, y) in enumerate(zip(flat_a, flat_b)):
        if not all(isinstance(v, (int, Sym)) and not isinstance(v, bool) for v in (x, y)):
            flat_out[k] = None
            continue
        try:
            flat_out[k] = fn(x, y)
        except (SymbolicDimError, TypeError):  # (TypeError: an int % a Sym)
            flat_out[k] = None
    return out
