"""Stage 2 of the llvm backend, its rules for ops that index by data: one-hot, segment
sums, scatters by index rows (TensorScatter*, ScatterNd) and the variable scatters
(ScatterAdd, ScatterNdUpdate, ..., in place), lowered to kernels of kernels.py that
check every index in native code (a bad one fails the kernel, and the runtime lets the
op's numpy kernel name it). Like lowering_rules, each rule receives the
Lowering and the op and appends the op's native step (True) or leaves the op to its
numpy kernel (False).
"""
from __future__ import annotations

from graphc.ir.symbolic import has_symbolic, is_symbolic, product
from . import kernels as K
from .buffers import shape_of


def lower_one_hot(lw, op) -> bool:
    indices = op.inputs[0]
    if op.attrs["axis"] not in (-1, len(shape_of(indices))):
        return False
    n = product(shape_of(indices)) if shape_of(indices) else 1
    depth = op.attrs["depth"]
    if n * depth == 0:
        return False
    on, off = op.attrs["on_value"], op.attrs["off_value"]
    return lw.native(op, lambda m, name: K.emit_one_hot(m, name, op, n, depth, on, off,
                                                        [indices, op.outputs[0]]),
                     [indices], op.outputs)


SEGMENT_KINDS = {"UnsortedSegmentSum": "sum", "UnsortedSegmentMax": "max",
                 "UnsortedSegmentMin": "min", "UnsortedSegmentProd": "prod"}


def lower_segment_reduce(lw, op) -> bool:
    """The unsorted segment reductions (ids of any shape that prefixes data's; the sum's
    along its `axis`), in one sequential pass in the ids' order."""
    data, ids = op.inputs[:2]
    if data.dtype.name == "bool":
        return False
    shape, id_shape = shape_of(data), shape_of(ids)
    axis = op.attrs.get("axis", 0)
    lead = product(shape[:axis]) if axis else 1
    n_ids = product(id_shape) if id_shape else 1
    rest = product(shape[axis + len(id_shape):]) if axis + len(id_shape) < len(shape) \
        else 1
    n_segments = shape_of(op.outputs[0])[axis]
    return lw.native(op, lambda m, n: K.emit_segment_reduce(
        m, n, op, SEGMENT_KINDS[op.type], lead, n_ids, rest, n_segments,
        [data, ids, op.outputs[0]]), [data, ids], op.outputs)


SCATTER_KINDS = {"TensorScatterUpdate": "update", "TensorScatterAdd": "add",
                 "TensorScatterSub": "sub", "TensorScatterMax": "max",
                 "TensorScatterMin": "min", "ScatterNd": "add"}


def lower_scatter_nd(lw, op) -> bool:
    """TensorScatter* (into a copy of the tensor) and ScatterNd (into zeros) of static
    shapes, duplicates combined in order; bad shapes run the numpy kernel, which names
    them."""
    if op.type == "ScatterNd":
        indices, updates = op.inputs[:2]
        sources = [indices, updates]
    else:
        tensor, indices, updates = op.inputs
        sources = [tensor, indices, updates]
    out = op.outputs[0]
    shape, i_shape, u_shape = shape_of(out), shape_of(indices), shape_of(updates)
    kind = SCATTER_KINDS[op.type]
    if any(has_symbolic(s) for s in (shape, i_shape, u_shape)) or not i_shape or \
            out.dtype.name == "bool" and kind != "update":
        return False
    depth = i_shape[-1]
    if depth > len(shape) or tuple(u_shape) != tuple(i_shape[:-1]) + tuple(shape[depth:]):
        return False
    n_rows, inner = product(i_shape[:-1]), product(shape[depth:])
    if product(shape) == 0 or n_rows * inner == 0:
        return False
    return lw.native(op, lambda m, n: K.emit_scatter_nd(
        m, n, out.dtype, indices.dtype, kind, list(shape[:depth]), n_rows, inner,
        sources + [out], op.type == "ScatterNd"), sources, op.outputs)


VARIABLE_SCATTER_KINDS = {"ScatterUpdate": "update", "ScatterAdd": "add",
                          "ScatterSub": "sub", "ScatterMul": "mul", "ScatterDiv": "div",
                          "ScatterMax": "max", "ScatterMin": "min",
                          "ScatterNdUpdate": "update", "ScatterNdAdd": "add",
                          "ScatterNdSub": "sub"}


def lower_variable_scatter(lw, op) -> bool:
    """A variable scatter, in place in the variable's buffer (as lower_assign: the op's
    output is the variable); the number of index rows may be symbolic (a batch of ids).
    Every index is checked before the first write, so a bad one leaves the variable as
    it was. Updates that share the variable's buffer, and bad shapes, run the numpy
    kernel (which names them)."""
    ref, indices, updates = op.inputs
    var = lw.buffer_plan.buffer(ref)
    kind = VARIABLE_SCATTER_KINDS[op.type]
    shape, i_shape, u_shape = var.shape, shape_of(indices), shape_of(updates)
    if var.kind != "var" or has_symbolic(shape) or not shape or \
            var.dtype.name == "bool" and kind != "update":
        return False
    if lw.buffer_plan.buffers[updates] is var or lw.buffer_plan.buffers[indices] is var:
        return False  # (the numpy kernel reads them before its write)
    nd = op.type.startswith("ScatterNd")
    depth = (i_shape[-1] if i_shape else 0) if nd else 1
    lead = i_shape[:-1] if nd else i_shape
    scalar = not nd and not u_shape
    if is_symbolic(depth) or not 0 < depth <= len(shape) or not scalar and \
            tuple(u_shape) != tuple(lead) + tuple(shape[depth:]):
        return False
    n_rows, inner = product(lead), product(shape[depth:])
    if product(shape) == 0 or inner == 0:  # (no index rows: the kernel writes nothing)
        return False
    var.native_used = True
    lw.native(op, lambda m, n: K.emit_variable_scatter(
        m, n, var.dtype, indices.dtype, kind, list(shape[:depth]), n_rows, inner, scalar,
        [var, indices, updates]), [ref, indices, updates], [], define=False)
    lw.alias(op.outputs[0], var, op)
    return True
