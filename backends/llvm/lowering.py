"""Stage 2 of the llvm backend: lowering. It receives the Plan (ir/plan.py: the optimized
nodes in run order) and walks it once, deciding per op, through one table (TABLE),
whether it runs as native kernels or through its numpy kernel, while it fills the buffer
plan (buffers.py). It hands on a list of Steps in run order (each a native step with a
function that emits its kernels, or an op for the numpy fallback), split by `segments`
into maximal runs of native steps: one native call each at run time. A split op
(OpDef.start: an allreduce) is two fallback steps, its start where it stands and its
finish right before the first op that reads its results, so the native segments between
them run while its transfer is under way.

TABLE maps an op type to a Rule: `lower(lw, op)` appends the op's native step and returns
True, or returns False for shapes and dtypes it does not handle (the rules live in
lowering_rules.py and, for convolutions, ops that index by data and variable writes,
conv_lowering.py, index_lowering.py and update_lowering.py); `pointwise` says the op has
a scalar emitter (scalar_ops), so that it also lowers inside a fused loop nest; `driver`
makes the backend's own kernel of an op that runs from Python between native segments
(While: native_while.py runs its loop's step natively). An op missing from TABLE runs
through its numpy kernel, with one FallbackWarning per op type, unless the registry
marks it numpy_by_design (OpDef.numpy_by_design says why).
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np

from graphc.ir.ops.fused_ops import body_inputs, body_outputs, members as fused_members, \
    trailing_reduction, updates
from graphc.ir.registry import all_opdefs
from graphc.ir.runtime import check_output_sizes
from . import conv_lowering as C
from . import index_lowering as X
from . import loops as L
from . import lowering_rules as R
from . import native_while
from . import update_lowering as W
from .buffers import Buffer, BufferPlan, shape_of, static
from .irutil import is_float
from .lowering_rules import REDUCTIONS
from .scalar_ops import SCALAR


@dataclass(frozen=True)
class Rule:
    """How one op type runs natively (see the module's opening comment)."""
    lower: Optional[Callable] = None  # (Lowering, op) -> bool
    pointwise: str = ""        # "any" | "float": its scalar emitter takes these inputs
    driver: Optional[Callable] = None  # (op, NodeContext) -> its kernel, run from Python


# Pointwise ops whose scalar emitters take floating-point inputs only.
_FLOAT_ONLY = frozenset({
    "RealDiv", "Pow", "Sqrt", "Rsqrt", "Reciprocal", "Floor", "Ceil", "Rint", "Exp",
    "Expm1", "Log", "Log1p", "Tanh", "Sigmoid", "Sin", "Cos", "Tan", "Erf", "Softplus",
    "IsNan", "IsInf", "IsFinite", "Relu", "Relu6", "Elu", "Selu", "LeakyRelu", "Softsign",
    "SigmoidCrossEntropyWithLogits"})


def _table() -> dict:
    table = {name: Rule(R.lower_elementwise, "float" if name in _FLOAT_ONLY else "any")
             for name in SCALAR}
    for lower, names in (
            (R.lower_view, R.VIEW_OPS),
            (R.lower_identity_n, ("IdentityN",)),
            (R.lower_reduce, REDUCTIONS),
            (R.lower_l2loss, ("L2Loss",)),
            (R.lower_sum_to_shape, ("SumToShape",)),
            (R.lower_softmax, ("Softmax", "LogSoftmax")),
            (R.lower_matmul, ("MatMul", "BatchMatMulV2")),
            (R.lower_transpose, ("Transpose",)),
            (R.lower_broadcast, ("BroadcastTo", "Tile")),
            (R.lower_concat, ("ConcatV2", "Pack")),
            (R.lower_slice, ("Slice",)),
            (R.lower_fill, ("Fill",)),
            (R.lower_range, ("Range",)),
            (R.lower_shape, ("Shape", "Size")),
            (R.lower_known_values, ("DynamicStitch",)),
            (W.lower_assign, ("Assign", "AssignAdd", "AssignSub")),
            (R.lower_along_axis, ("ArgMax", "ArgMin", "Cumsum")),
            (R.lower_xent, ("SoftmaxCrossEntropyWithLogits",
                            "SparseSoftmaxCrossEntropyWithLogits")),
            (R.lower_gather, ("GatherV2",)),
            (X.lower_scatter_nd, tuple(X.SCATTER_KINDS)),
            (X.lower_variable_scatter, tuple(X.VARIABLE_SCATTER_KINDS)),
            (R.lower_ensure_shape, ("EnsureShape",)),
            (X.lower_one_hot, ("OneHot",)),
            (R.lower_movement, R.MOVEMENT_OPS),
            (R.lower_movement, R.SPACE_MOVEMENT_OPS),
            (R.lower_slice_grad, ("SliceGrad", "StridedSliceGrad")),
            (R.lower_tile_grad, ("TileGrad",)),
            (X.lower_segment_reduce, tuple(X.SEGMENT_KINDS)),
            (C.lower_conv, ("Conv2D", "Conv2DBackpropInput", "Conv2DBackpropFilter")),
            (C.lower_depthwise, ("DepthwiseConv2dNative", "DepthwiseConv2dNativeBackpropInput",
                                 "DepthwiseConv2dNativeBackpropFilter")),
            (C.lower_fused_conv, ("_FusedConv2D", "_FusedDepthwiseConv2dNative")),
            (C.lower_pool, ("MaxPool", "AvgPool", "MaxPoolGrad", "AvgPoolGrad"))):
        for name in names:  # (Identity and its kind stay pointwise inside fused bodies)
            table[name] = Rule(lower, table[name].pointwise if name in table else "")
    table["While"] = Rule(driver=native_while.while_kernel)
    return table


TABLE: dict = _table()
# Op types the walk plans itself: constants, variables, feeds, ordering, fused groups.
PLANNED_BY_THE_WALK = frozenset({"Const", "VariableV2", "Placeholder", "NoOp", "Fused"})


def numpy_kernel_ops() -> tuple[list[str], dict[str, list[str]]]:
    """What always runs through its numpy kernel on this backend: (the op types with no
    rule in TABLE, each with a FallbackWarning; {reason: the op types the registry marks
    numpy_by_design}). The README's list is generated from this."""
    fallbacks, by_design = [], {}
    for name, opdef in sorted(all_opdefs().items()):
        if opdef.numpy_by_design:
            by_design.setdefault(opdef.numpy_by_design, []).append(name)
        elif name not in TABLE and name not in PLANNED_BY_THE_WALK:
            fallbacks.append(name)
    return fallbacks, by_design


class FallbackWarning(UserWarning):
    """An op has no native lowering and runs through its numpy kernel."""


_warned: set = set()


def _warn_fallback(op, why: str) -> None:
    key = (op.type, why)
    if key in _warned:
        return
    _warned.add(key)
    warnings.warn(f"graphc llvm backend: {op.type} ({why}) runs through its numpy kernel "
                  "between native segments", FallbackWarning, stacklevel=2)


@dataclass
class Step:
    """One native kernel, or one op run through its numpy kernel."""
    native: bool
    op: object
    kernel: Optional[L.Kernel] = None
    emit: object = None       # (module, name) -> Kernel, for native steps
    inputs: list = field(default_factory=list)
    outputs: list = field(default_factory=list)
    scratch: list = field(default_factory=list)  # arena buffers used only by this step
    phase: str = ""           # "start" | "finish": a split op's halves (OpDef.start)
    driver: Optional[Callable] = None  # a host step's own kernel maker (Rule.driver)


class Lowering:
    """The walk: decides, op by op, what runs natively, and records the steps."""

    def __init__(self, plan) -> None:
        self.plan = plan
        self.buffer_plan = BufferPlan(plan)
        self.steps: list[Step] = []
        self.index = -1           # position of the op being lowered in plan order
        self.producer: dict = {}  # tensor -> index of the native step computing it
        self.blas_single = False  # some kernel calls BLAS: it runs on one thread meanwhile
        self.conv_outputs: dict = {}  # conv/matmul output -> (its step, its op's position)
        self.epilogues: dict = {}     # conv output tensor -> (Epilogue, extra operands)
        self.padded: dict = {}        # (tensor, padded geometry) -> its zero-padded copy
        self.var_ops: dict = {}       # variable name -> its VariableV2 op
        self.assign_first: dict = {}  # variable name -> its first native use assigns it
        self.variables: dict = {}     # variable name -> its Buffer (a Fused body's copies too)
        for t in plan.feeds:
            self.buffer_plan.define(t, "feed")
        self.started: dict = {}  # split ops started, not yet finished (in start order)
        for i, op in enumerate(plan.nodes):
            self.index = i
            if self.started:
                self.finish_read_by(op)
            self.visit(op)
        for split in list(self.started):
            self.finish_split(split)
        self._finish()

    def _finish(self) -> None:
        """After the walk: fetched values get fresh per-run arrays, a fetched variable
        written in the run is copied before any write (as the interpreter reads it)."""
        plan = self.buffer_plan
        for t in self.plan.fetches:
            buf = plan.buffers[t]
            if buf.kind == "arena":
                buf.kind = "out"
                buf.slot = plan.new_slot()
            elif buf.kind == "var" and t.op.type == "VariableV2" and buf.var in plan.writes:
                snap = Buffer("out", t.dtype, buf.shape, slot=plan.new_slot(), op=t.op)
                cs = L.contiguous_strides(buf.shape)
                buf.native_used = True
                self.steps.insert(0, Step(True, t.op, emit=lambda m, n, s=buf, d=snap, t=t,
                                          cs=cs: L.emit_copy(m, n, t.dtype, s.shape, cs, cs,
                                                             operands=[s, d])))
                buf = snap
            plan.fetch_buffers.append(buf)
        self.var_ops = {op.name: op for op in self.plan.nodes if op.type == "VariableV2"}
        for op in self.plan.nodes:
            for i in op.opdef.ref_inputs:
                self.var_ops.setdefault(op.inputs[i].op.name, op.inputs[i].op)
            for u in updates(op):
                self.var_ops.setdefault(u.inputs[0].op.name, u.inputs[0].op)
        for step in self.steps:
            if not step.native:
                continue
            op = step.op
            if op.type in ("Assign", "AssignAdd", "AssignSub"):
                self.assign_first.setdefault(op.inputs[0].op.name, op.type == "Assign")
            for t in step.inputs:
                b = plan.buffers.get(t)
                if b is not None and b.kind == "var":
                    self.assign_first.setdefault(b.var, False)
            for t in step.outputs:  # a kernel writing a variable directly (forward_assign)
                b = plan.buffers.get(t)
                if b is not None and b.kind == "var":
                    self.assign_first.setdefault(b.var, True)

    # ------------------------------------------------------------ split ops
    def finish_read_by(self, op) -> None:
        """A split op's finish step goes right before the first op that reads one of its
        results or waits for it: the steps between run while its transfer is under way."""
        waits = {t.op for t in op.inputs}.union(op.control_inputs)
        for split in [s for s in self.started if s in waits]:
            self.finish_split(split)

    def finish_split(self, split) -> None:
        del self.started[split]
        self.steps.append(Step(False, split, outputs=list(split.outputs), phase="finish"))

    # ------------------------------------------------------------ the walk
    def visit(self, op) -> None:
        plan = self.buffer_plan
        if op.type == "Const":
            t = op.outputs[0]
            if t not in plan.buffers:
                buf = plan.define(t, "const")
                value = np.asarray(op.attrs["value"])
                if not value.flags.c_contiguous:  # (ascontiguousarray would make 0-d 1-d)
                    value = value.copy(order="C")
                buf.value = value
            return
        if op.type == "VariableV2":
            if op.name in self.variables:  # (a Fused body's copy: the same variable)
                plan.buffers[op.outputs[0]] = self.variables[op.name]
                return
            buf = self.variables[op.name] = plan.define(op.outputs[0], "var")
            buf.var = op.name  # also for a "py" variable (shape known only at run time)
            return
        if op.type == "Placeholder":
            return  # fed (handled above); an unfed one was refused by pruning
        if op.type == "NoOp":
            return  # ordering only: the schedule already respects control edges
        check_output_sizes(op)  # before any buffer of this size is planned
        if op.type == "Fused" and updates(op):
            if not W.lower_fused_updates(self, op):
                self.expand_fused(op)
            return
        if op.type == "Fused":
            body = fused_members(op)
            if trailing_reduction(op) is not None:  # computed on the fly (fused_ops)
                body = body[:-1]
            if all(self.pointwise_ok(m) for m in body) and plan.native_inputs(op) and \
                    all(static(t) for t in op.outputs):
                self.lower_fused(op)
            else:
                self.expand_fused(op)
            return
        for i in op.opdef.ref_inputs:  # pruning skips ref edges: define the variable here
            if op.inputs[i] not in plan.buffers:
                self.visit(op.inputs[i].op)
        rule = TABLE.get(op.type)
        if rule is not None and rule.driver is not None:
            self.host(op, rule.driver)
        elif rule is None or not (plan.native_inputs(op) and all(static(t) for t in op.outputs)
                                  and rule.lower(self, op)):
            self.fallback(op, rule is not None)

    def pointwise_ok(self, op) -> bool:
        """`op` can be computed point by point inside a loop nest (scalar_ops)."""
        rule = TABLE.get(op.type)
        if rule is None or not rule.pointwise or rule.pointwise == "float" and \
                not all(is_float(t.dtype) for t in op.inputs):
            return False
        return all(static(t) for t in list(op.inputs) + list(op.outputs))

    def expand_fused(self, op) -> None:
        """Run a Fused node's body op by op (some body op has no lowering)."""
        for p, t in zip(body_inputs(op), op.inputs):
            self.buffer_plan.buffers[p] = self.buffer_plan.buffers[t]
        for inner in fused_members(op):
            self.visit(inner)
        for t, inner in zip(op.outputs, body_outputs(op)):
            self.alias(t, self.buffer_plan.buffers[inner], op)

    def fallback(self, op, known: bool) -> None:
        """`op` runs through its numpy kernel (`known`: TABLE has a rule that declined)."""
        # An op the registry marks numpy_by_design (control flow, sparse, random, ...:
        # OpDef.numpy_by_design says why) is no fallback, nor is any op on strings or
        # complex numbers (no native storage, by design: ir/ops/complex_ops.py).
        strings = any(t.dtype.is_string or t.dtype.is_complex
                      for t in list(op.inputs) + list(op.outputs))
        if not op.opdef.numpy_by_design and not strings:
            _warn_fallback(op, "these shapes or dtypes" if known else "no native lowering")
        self.host(op)

    def host(self, op, driver: Optional[Callable] = None) -> None:
        """`op` runs from Python between native segments: through its numpy kernel, or
        the backend's own kernel that `driver` makes (Rule.driver)."""
        for t in op.outputs:
            self.buffer_plan.define(t)
        if op.opdef.start is not None:  # its results exist from its finish step on
            self.started[op] = None
            self.steps.append(Step(False, op, inputs=list(op.inputs), phase="start"))
            return
        self.steps.append(Step(False, op, inputs=list(op.inputs), outputs=list(op.outputs),
                               driver=driver))

    # ------------------------------------------------------------ what rules call
    def native(self, op, emit, inputs, outputs, define=True, scratch=()) -> bool:
        """Append `op`'s native step; `emit(module, name)` makes its kernel(s) later."""
        for t in inputs:
            self.buffer_plan.buffers[t].native_used = True
        for b in scratch:
            b.op = op
        if define:
            for t in outputs:
                self.buffer_plan.define(t)
        self.steps.append(Step(True, op, emit=emit, inputs=list(inputs), outputs=list(outputs),
                               scratch=list(scratch)))
        for t in outputs:
            self.producer[t] = len(self.steps) - 1
        return True

    def view(self, op) -> None:
        """`op`'s output is its input (a step with no code, for the buffers' lifetimes)."""
        self.steps.append(Step(True, op, emit=None, inputs=[op.inputs[0]], outputs=[]))
        self.alias(op.outputs[0], self.buffer_plan.buffer(op.inputs[0]), op)

    def views(self, op) -> None:
        """Each output of `op` is the input of the same position (IdentityN)."""
        for x, t in zip(op.inputs, op.outputs):
            self.steps.append(Step(True, op, emit=None, inputs=[x], outputs=[]))
            self.alias(t, self.buffer_plan.buffer(x), op)

    def alias(self, t, src: Buffer, op) -> None:
        """`t` shares `src`, or gets a copy of it when `src` is a variable written later."""
        if src.kind == "var" and self.buffer_plan.needs_snapshot(src.var, t, self.index):
            src.native_used = True
            dst = self.buffer_plan.define(t)
            shape = shape_of(t)
            cs = L.contiguous_strides(shape)
            self.steps.append(Step(True, op, emit=lambda m, n: L.emit_copy(
                m, n, t.dtype, shape, cs, cs, operands=[src, dst]), inputs=[], outputs=[t]))
            return
        self.buffer_plan.buffers[t] = src

    def lower_fused(self, op) -> bool:
        """A Fused node as one loop nest: its elementwise body, computed on the fly by a
        trailing reduction when it ends in one, or folded into the convolution before it."""
        params, outs = body_inputs(op), body_outputs(op)
        members = fused_members(op)
        domain = shape_of(op.outputs[0])
        red = trailing_reduction(op)
        if red is not None:
            in_shape = shape_of(red.inputs[0])
            axes = R.reduce_axes(red, in_shape)
            return R.native_reduce(self, op, red, red.type, in_shape, axes, op.inputs,
                                   list(op.inputs) + list(op.outputs),
                                   body=(members[:-1], params))

        if C.fold_epilogue(self, op, members, params, outs, domain):
            return True

        def emit(m, n):
            return self.emit_elementwise(m, n, members, params, list(op.inputs), outs,
                                         list(op.outputs), domain)
        return self.native(op, emit, op.inputs, op.outputs)

    def emit_elementwise(self, module, name, members, params, param_keys, outputs,
                         output_keys, domain) -> L.Kernel:
        """L.emit_elementwise with operands `param_keys` and `output_keys` (tensors or
        buffers, resolved now that the lowering is done): an output whose buffer is a
        param's of the domain's shape (a variable updated in place) is written in place."""
        def buf(t):
            return t if isinstance(t, Buffer) else self.buffer_plan.buffers[t]
        inplace = {}
        for j, key in enumerate(output_keys):
            for i, (p, pk) in enumerate(zip(params, param_keys)):
                if buf(pk) is buf(key) and tuple(shape_of(p)) == tuple(domain):
                    inplace[j] = i
                    break
        k = L.emit_elementwise(module, name, members, params, outputs, domain, inplace)
        k.operands = list(param_keys) + [t for j, t in enumerate(output_keys)
                                         if j not in inplace]
        return k


def segments(steps: list) -> tuple:
    """(segments, schedule): the maximal runs of native steps with code (views have
    none), and the run order as ("native", segment index) and ("fallback", step)."""
    found, schedule = [], []
    current: list = []
    for step in steps:
        if step.native:
            if step.emit is not None:
                current.append(step)
            continue
        if current:
            found.append(current)
            schedule.append(("native", len(found) - 1))
            current = []
        schedule.append(("fallback", step))
    if current:
        found.append(current)
        schedule.append(("native", len(found) - 1))
    return found, schedule
