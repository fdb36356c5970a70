"""Stage 2 of the llvm backend, the rules for variable writes: Assign, AssignAdd and
AssignSub, each in place in its variable's buffer. A lone one is a copy or an
elementwise update; where the kernel computing its value has no other reader, that
kernel writes the variable itself (`_forward_assign`, `_forward_update`: an optimizer's
`var -= lr * m / (sqrt(v) + eps)` in one pass); and a Fused node holding updates
(passes/fuse.py: an optimizer's m, v and var together) is one loop nest that reads each
operand once and writes each variable once (`lower_fused_updates`). Like lowering_rules,
each rule receives the Lowering and the op and returns False for what it leaves to
the numpy kernel.
"""
from __future__ import annotations

from graphc.ir.ops.fused_ops import UPDATES, body_inputs, body_outputs, \
    members as fused_members, trailing_reduction, updates
from . import loops as L
from .scalar_ops import can_fail
from .buffers import shape_of, static


class Update:
    """An AssignAdd/AssignSub as the elementwise Add/Sub of the variable and the value
    (`inner`: the value's tensor, or its register's in the fused body computing it;
    `current`: the tensor the variable's value loads through, by default its target)."""

    def __init__(self, op, inner, current=None) -> None:
        self.type, self.attrs = {"AssignAdd": "Add", "AssignSub": "Sub"}[op.type], {}
        self.inputs = [op.inputs[0] if current is None else current, inner]
        self.outputs = list(op.outputs)


class _Written:
    """An Assign inside a fused body: its output is the value it writes."""

    def __init__(self, op) -> None:
        self.type, self.attrs = "Identity", {}
        self.inputs, self.outputs = [op.inputs[1]], list(op.outputs)


def lower_assign(lw, op) -> bool:
    """Assign/AssignAdd/AssignSub of a variable, in place. The kernel computing the value
    writes straight into the variable where it can (see `_forward_assign`)."""
    ref, value = op.inputs
    var = lw.buffer_plan.buffer(ref)
    if var.kind != "var" or shape_of(value) != var.shape:
        return False
    var.native_used = True
    shape = var.shape
    if op.type == "Assign" and _forward_assign(lw, value, var) or \
            op.type != "Assign" and _forward_update(lw, op, var):
        lw.alias(op.outputs[0], var, op)
        return True
    if op.type == "Assign":
        def emit(m, n):
            cs = L.contiguous_strides(shape)
            return L.emit_copy(m, n, value.dtype, shape, cs, cs, operands=[value, var])
    else:
        def emit(m, n):
            return lw.emit_elementwise(m, n, [Update(op, value)], [ref, value], [var, value],
                                       [op.outputs[0]], [var], shape)
    lw.native(op, emit, [value] if op.type == "Assign" else [ref, value], [], define=False)
    lw.alias(op.outputs[0], var, op)
    return True


def lower_fused_updates(lw, op) -> bool:
    """A Fused node holding updates (fused_ops.UPDATES: an optimizer's m, v and var) as
    one loop nest that reads each operand once and writes each variable once, in place;
    its update outputs are the variables' buffers (their new values, as TF1's refs).
    False when some member has no scalar emitter: the body then runs op by op."""
    plan = lw.buffer_plan
    if not plan.native_inputs(op) or not all(static(t) for t in op.outputs):
        return False
    params, keys = list(body_inputs(op)), list(op.inputs)
    domain = shape_of(op.outputs[0])
    computed, written, targets = [], [], []
    for m in fused_members(op):
        if m.type == "VariableV2":
            lw.visit(m)  # the variable's own buffer, shared with every read of it
            continue
        if m.type in UPDATES:
            ref = m.inputs[0]
            var = plan.buffers[ref]
            if var.kind != "var" or var.shape != domain:
                return False
            if m.type == "Assign":
                m = _Written(m)
            else:  # the variable's value: through the param reading its buffer, if any
                current = next((p for p, k in zip(params, keys) if plan.buffers[k] is var), None)
                if current is None:
                    params.append(ref)
                    keys.append(ref)
                m = Update(m, m.inputs[1], current)
            written.append(m.outputs[0])
            targets.append(ref)
        if not lw.pointwise_ok(m) or can_fail(m):  # (a failure must find the state unwritten)
            return False
        computed.append(m)
    outs = body_outputs(op)
    update_outs = dict(zip(written, targets))
    kept = [(o, t) for o, t in zip(outs, op.outputs) if o not in update_outs]
    for _, t in kept:
        plan.define(t)
    for ref in targets:
        plan.buffers[ref].native_used = True

    def emit(m, n):
        return lw.emit_elementwise(m, n, computed, params, keys, [o for o, _ in kept] + written,
                                   [t for _, t in kept] + targets, domain)
    lw.native(op, emit, keys, [t for _, t in kept] + targets, define=False)
    for o, t in zip(outs, op.outputs):
        if o in update_outs:
            lw.alias(t, plan.buffers[update_outs[o]], op)
    return True


def _sole_producer(lw, value, var):
    """The step of the elementwise kernel computing `value` when the op being lowered
    is the value's only reader and nothing touches `var` in between; else None."""
    i = lw.producer.get(value)
    buf = lw.buffer_plan.buffers.get(value)
    if i is None or buf is None or buf.kind != "arena" or buf.shape != var.shape:
        return None
    step = lw.steps[i]
    if step.op.type not in ("Fused", "AssignAdd", "AssignSub") and \
            not lw.pointwise_ok(step.op) or updates(step.op):  # (an update already forwarded
        return None                                          # into a kernel, or fused)
    if lw.buffer_plan.last_use.get(value) != lw.index or not lw.buffer_plan.only_tensor_of(buf):
        return None
    if any(can_fail(m) for m in (fused_members(step.op) if step.op.type == "Fused"
                                 else [step.op])):
        return None  # (its error would come after some writes: numpy's leaves the variable)
    buffers = lw.buffer_plan.buffers
    for later in lw.steps[i + 1:]:
        if any(buffers.get(t) is var for t in later.inputs + later.outputs):
            return None
    return step


def _forward_assign(lw, value, var) -> bool:
    """Let the elementwise kernel computing `value` write straight into the variable
    when the Assign is the value's only reader and nothing touches the variable in
    between (an optimizer's `m = b1*m + (1-b1)*g`): no temporary, no copy."""
    if _sole_producer(lw, value, var) is None:
        return False
    lw.buffer_plan.buffers[value] = var
    return True


def _forward_update(lw, op, var) -> bool:
    """AssignAdd/AssignSub(ref, value) under the conditions of `_forward_assign`: the
    kernel computing `value` also reads the variable and writes var -/+ value into it
    (an optimizer's `var -= lr * m / (sqrt(v) + eps)`): one pass, no temporary."""
    ref, value = op.inputs
    step = _sole_producer(lw, value, var)
    if step is None:
        return False
    producer = step.op
    if producer.type in ("AssignAdd", "AssignSub"):
        return False  # the step already ends in an update: one per kernel
    if producer.type == "Fused":
        if trailing_reduction(producer) is not None:
            return False
        members = list(fused_members(producer))
        params, outs = list(body_inputs(producer)), body_outputs(producer)
        keys = list(producer.inputs)
        kept = [(o, t) for o, t in zip(outs, producer.outputs) if t is not value]
        inner = outs[list(producer.outputs).index(value)]
    else:
        members, params, keys = [producer], list(producer.inputs), list(producer.inputs)
        kept, inner = [], value
    update = Update(op, inner)
    outputs = [o for o, _ in kept] + [update.outputs[0]]
    domain = shape_of(value)

    def emit(m, n):
        return lw.emit_elementwise(m, n, members + [update], params + [ref],
                                   keys + [var], outputs, [t for _, t in kept] + [var],
                                   domain)
    step.emit = emit
    step.op = op  # errors and the profile name the update; the producer is inside
    step.outputs = [t for _, t in kept]
    var.native_used = True
    return True
