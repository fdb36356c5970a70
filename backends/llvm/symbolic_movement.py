"""Movement ops (StridedSlice, Split, Unpack, ReverseV2, Pad, ...) on tensors with symbolic
dims (ir/symbolic.py), for lowering_rules.lower_movement.

With static shapes lower_movement learns where each output element comes from by running
the op's numpy kernel on the input's element numbers. A symbolic dim has no numbers to
run on, so `affine_copies` runs the kernel at two probe sizes of the symbols and accepts
the op only when both give the same copy, described in the input's index space: output
axis d steps `t` elements along input axis k (or stays), starting at input index `start`.
Those integers are the op's static arguments, the same at every size, so with the input's
symbolic element strides they give the copy at every size (an offset and strides that are
polynomials, read at run time). An op whose copy depends on the size (reversing or
slicing the batch, padding it) is not accepted: its plan runs the op's numpy kernel.
Constant padding is a fill of the output and a copy of the input into its interior; the
gradient of a slice (SliceGrad, StridedSliceGrad) likewise zeros and a copy of g into the
slice's positions, found by probing the forward slice.
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from graphc.ir.registry import get_opdef
from graphc.ir.symbolic import evaluate_shape, is_symbolic
from . import loops as L

PROBES = (5, 7)  # sizes the symbols take to probe an op (distinct, neither 0 nor 1)
PROBE_LIMIT = 1 << 20  # elements of a probe input (larger: the op runs through numpy)


def _symbols(shape) -> list:
    return sorted({n for d in shape if is_symbolic(d) for n in d.symbols})


def _decompose(table: np.ndarray, shape: tuple) -> Optional[tuple]:
    """(start index per input axis, (axis, step) per output axis) of an affine `table`
    of element numbers of an input of `shape`, or None."""
    found = affine(table)
    if found is None:
        return None
    offset, strides = found
    size = int(np.prod(shape, dtype=np.int64))
    if not 0 <= offset < max(size, 1):
        return None
    start = tuple(int(i) for i in np.unravel_index(offset, shape)) if shape else ()
    cs = L.contiguous_strides(shape)
    steps = []
    for d, s in enumerate(strides):
        if s == 0 or table.shape[d] <= 1:
            steps.append(None)
            continue
        # s = t * cs[k] with |t| < shape[k] names one axis k (mixed radix)
        axis = next((k for k in range(len(shape)) if cs[k] and s % cs[k] == 0 and
                     abs(s // cs[k]) < shape[k]), None)
        if axis is None:
            return None
        steps.append((axis, s // cs[axis]))
    return start, tuple(steps)


def affine(table: np.ndarray):
    """(offset, strides) when table[idx] == offset + idx . strides, else None."""
    if table.size == 0:
        return 0, [0] * table.ndim
    flat0 = (0,) * table.ndim
    offset = int(table[flat0]) if table.ndim else int(table)
    strides = []
    for d in range(table.ndim):
        if table.shape[d] > 1:
            one = list(flat0)
            one[d] = 1
            strides.append(int(table[tuple(one)]) - offset)
        else:
            strides.append(0)
    grid = offset + sum(np.arange(n).reshape([-1 if i == d else 1 for i in range(table.ndim)])
                        * s for d, (n, s) in enumerate(zip(table.shape, strides)))
    return (offset, strides) if np.array_equal(grid, table) else None


def affine_copies(op, shape: tuple, others: list, attrs: dict) -> Optional[list]:
    """Per output of `op` (its input of symbolic `shape`, its other inputs' values
    `others`), (src_offset, src_strides) over the output's dims, polynomials in the
    symbols; None when the op is no size-independent copy."""
    symbols = _symbols(shape)
    outs = [tuple(t.shape.as_tuple()) for t in op.outputs]
    found = None
    for probe in PROBES:
        env = {name: probe + 2 * i for i, name in enumerate(symbols)}
        concrete = evaluate_shape(shape, env)
        if int(np.prod(concrete, dtype=np.int64)) > PROBE_LIMIT:
            return None
        numbers = np.arange(int(np.prod(concrete, dtype=np.int64)),
                            dtype=np.int64).reshape(concrete)
        try:
            tables = op.opdef.compute(numbers, *others, **attrs)
        except Exception:  # noqa: BLE001 - bad static arguments: numpy reports them
            return None
        tables = tables if isinstance(tables, tuple) else (tables,)
        parts = []
        for out, table in zip(outs, tables):
            table = np.asarray(table, np.int64)
            if table.shape != evaluate_shape(out, env):
                return None
            part = _decompose(table, concrete)
            if part is None:
                return None
            parts.append(part)
        if found is not None and parts != found:
            return None  # (the copy depends on the size)
        found = parts
    cs = L.contiguous_strides(shape)
    copies = []
    for start, steps in found:
        offset = sum((i * s for i, s in zip(start, cs)), 0)
        strides = [0 if st is None else st[1] * cs[st[0]] for st in steps]
        copies.append((offset, strides))
    return copies


def pad_copy(op, shape: tuple) -> tuple:
    """(dst_offset, dst_strides) of a constant Pad's input inside its output."""
    out = tuple(op.outputs[0].shape.as_tuple())
    co = L.contiguous_strides(out)
    offset = sum((before * s for (before, _), s in zip(op.attrs["paddings"], co)), 0)
    return offset, co


class _ForwardSlice:
    """The StridedSlice a StridedSliceGrad is the adjoint of (for `affine_copies`): its
    input has the gradient's output shape, its output is the gradient's `g`."""

    def __init__(self, grad_op) -> None:
        self.opdef = get_opdef("StridedSlice")
        self.outputs = [grad_op.inputs[-1]]


def slice_grad_copy(op, out_shape: tuple, others: list) -> Optional[tuple]:
    """(dst_offset, dst_strides) over g's dims of the positions in the output (of
    symbolic `out_shape`) that the SliceGrad or StridedSliceGrad `op` copies g into;
    `others` are the values of its arguments between the shape and g. None when they
    are not known, or the slice depends on the size (then the op runs through numpy)."""
    if any(v is None for v in others):
        return None
    co = L.contiguous_strides(out_shape)
    if op.type == "SliceGrad":  # g lands at `begin`, its rows those of the output
        begin, = others
        return sum((int(b) * s for b, s in zip(begin, co)), 0), co
    copies = affine_copies(_ForwardSlice(op), out_shape, others, dict(op.attrs))
    return None if copies is None else copies[0]
