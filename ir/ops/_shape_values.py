"""Values of shape-like tensors known when the graph is built.

`fold_constant` evaluates an array op whose inputs are all constants (TF1's
`constant_value` does the same for Shape/Pack/Concat/Fill/Range/...), so
`tf.reshape(x, tf.concat([[2], [3]], 0))` or `tf.range(3)` are known statically.

`partial_value` goes further, like TF1's `constant_value_as_shape` and TF's shape
refiner: it returns an object array with Python ints where an entry is known and None
where it is not. `tf.shape(x)` with x of shape (?, 3) is [None, 3]; slicing, gathering,
stacking and concatenating such vectors keeps what is known, so `tf.shape(x)[1]` is 3
and `[tf.shape(x)[0], -1]` is [None, -1].
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from ..errors import OpError
from ..symbolic import is_symbolic

# Ops whose value const_value may compute from constant inputs (cheap, pure, shape-like).
FOLDABLE = frozenset({
    "Slice", "StridedSlice", "GatherV2", "GatherNd", "Reshape", "ExpandDims", "Squeeze",
    "Fill", "Range", "Tile", "Transpose", "ReverseV2", "Unpack", "Split", "SplitV",
    "ZerosLike", "OnesLike", "BroadcastTo", "OneHot", "SequenceMask", "Pad", "MirrorPad",
    "BooleanMask",
})
_FOLD_LIMIT = 1 << 16  # elements; larger values are left to the run


def fold_constant(t) -> Optional[np.ndarray]:
    """The value of an array op's output when all its inputs are constants, else None."""
    from ._base import const_value
    op = t.op
    if op.type not in FOLDABLE or op.opdef is None or op.opdef.compute is None:
        return None
    n = t.shape.num_elements()
    if n is None or is_symbolic(n) or n > _FOLD_LIMIT:
        return None
    values = []
    for i in op.inputs:
        v = const_value(i)
        if v is None:
            return None
        values.append(v)
    try:
        out = op.opdef.compute(*values, **op.attrs)
    except (OpError, ValueError, TypeError, IndexError):
        return None  # the run reports the error, naming the node
    if isinstance(out, tuple):
        out = out[t.value_index]
    return np.asarray(out)


class SymbolicDim:
    """Dim `index` of `tensor`, unknown at build time (what `tf.shape(tensor)[index]` is).

    Reshape uses it the way TF's shape inference uses dimension handles: in
    `tf.reshape(x, [tf.shape(x)[0], -1])` the unknown batch dims cancel, so the -1 is known.
    """

    __slots__ = ("tensor", "index")

    def __init__(self, tensor, index: int) -> None:
        self.tensor, self.index = tensor, index

    def __eq__(self, other) -> bool:
        return (isinstance(other, SymbolicDim) and other.tensor is self.tensor
                and other.index == self.index)

    def __hash__(self) -> int:
        return hash((id(self.tensor), self.index))

    def __repr__(self) -> str:
        return f"shape({self.tensor.name})[{self.index}]"


def partial_value(t, symbolic: bool = False) -> Optional[np.ndarray]:
    """An object array of ints with None for entries unknown at build time, or None.

    With `symbolic`, unknown dims read from a Shape op are `SymbolicDim`s instead of None.
    """
    v = _partial(t, 0)
    if v is None or symbolic:
        return v
    return _desymbolize(v)


def _desymbolize(v: np.ndarray) -> np.ndarray:
    if v.dtype != object:
        return v
    out = np.empty(v.shape, dtype=object)
    flat_in, flat_out = v.reshape(-1), out.reshape(-1)
    for i, e in enumerate(flat_in):
        flat_out[i] = None if isinstance(e, SymbolicDim) else e
    return out


def _partial(t, _depth: int) -> Optional[np.ndarray]:
    from ._base import const_value
    if _depth > 64 or not t.dtype.is_integer:
        return None
    v = const_value(t)
    if v is not None:
        return np.asarray(v).astype(object)
    op = t.op
    kind = op.type
    recurse = lambda i: _input_partial(op.inputs[i], _depth + 1)  # noqa: E731
    if kind == "Shape":
        dims = op.inputs[0].shape.as_tuple()
        return None if dims is None else _objects(
            [SymbolicDim(op.inputs[0], i) if d is None else d for i, d in enumerate(dims)])
    if kind in ("Identity", "StopGradient") or (kind == "Cast" and t.dtype.is_integer):
        return _partial(op.inputs[0], _depth + 1)
    if kind == "Pack":
        parts = [recurse(i) for i in range(len(op.inputs))]
        if any(p is None for p in parts):
            return None
        return _stack(parts, op.attrs["axis"])
    if kind == "ConcatV2":
        parts = [recurse(i) for i in range(len(op.inputs))]
        if any(p is None for p in parts):
            return None
        return np.concatenate(parts, axis=op.attrs["axis"])
    if kind == "StridedSlice":
        return _partial_strided_slice(op, _depth)
    if kind == "Slice":
        x = recurse(0)
        begin, size = const_value(op.inputs[1]), const_value(op.inputs[2])
        if x is None or begin is None or size is None or x.ndim != len(begin):
            return None
        index = tuple(slice(int(b), None if s == -1 else int(b) + int(s))
                      for b, s in zip(begin, size))
        return x[index]
    if kind == "GatherV2":
        x, idx = recurse(0), const_value(op.inputs[1])
        if x is None or idx is None:
            return None
        axis = op.attrs["axis"]
        if x.ndim == 0 or np.any((idx < 0) | (idx >= x.shape[axis])):
            return None
        return np.take(x, idx, axis=axis)
    if kind in ("Reshape", "ExpandDims", "Squeeze"):
        x = recurse(0)
        if x is None or t.shape.as_tuple() is None or None in t.shape.as_tuple():
            return None
        return x.reshape(t.shape.as_tuple())
    return None


def _input_partial(t, depth: int) -> Optional[np.ndarray]:
    """An input's partial value; a tensor of known shape with unknown values is all None."""
    v = _partial(t, depth)
    if v is not None:
        return v
    dims = t.shape.as_tuple()
    if dims is None or None in dims or not t.dtype.is_integer:
        return None
    return np.full(dims, None, dtype=object)


def _objects(values: list) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _stack(parts: list, axis: int) -> np.ndarray:
    if all(p.ndim == 0 for p in parts) and axis in (0, -1):
        return _objects([p.item() if p.ndim == 0 else p for p in parts])
    return np.stack(parts, axis=axis)


def _partial_strided_slice(op, depth: int) -> Optional[np.ndarray]:
    from ._base import const_value
    from .slicing_ops import SliceSpecError, _ss_masks, apply_strided_slice, \
        strided_slice_plan
    x = _input_partial(op.inputs[0], depth + 1)
    consts = [const_value(i) for i in op.inputs[1:]]
    if x is None or any(c is None for c in consts):
        return None
    begin, end, strides = ([int(v) for v in np.asarray(c).reshape(-1)] for c in consts)
    try:
        final, plan = strided_slice_plan(list(x.shape), begin, end, strides,
                                         *_ss_masks(op.attrs))
    except SliceSpecError:
        return None
    if any(p is None for p in plan):
        return None
    return apply_strided_slice(x, plan, final)
