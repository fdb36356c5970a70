"""Compile a Program for the llvm backend: lower ops to kernels, plan buffers, emit one
LLVM module whose segment functions each run a maximal run of native kernels.

Every tensor gets a buffer:
  feed   the fed array (table slot, written per run)
  const  a Const's array (table slot, fixed)
  var    a variable's array in the Session's store (table slot, refreshed when replaced)
  out    a fetched result, a fresh array per run (table slot, written per run)
  arena  an intermediate: an offset into the workspace arena, shared by tensors whose
         lifetimes do not overlap (the memory plan)
  py     a value only Python handles (strings, shapes known only at run time)
View ops (Identity, Reshape, Squeeze, ExpandDims, StopGradient) share their input's
buffer. Ops without a lowering run their numpy kernel between native segments, reading
and writing the same buffers; a plan that lowers fully is one native call per run.

Variables are updated in place, so a value that aliases a variable (its read, an
assignment's result) and is used after a later write to that variable is copied where
the numpy interpreter would have read it: both backends see the same values.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Optional

import numpy as np
from llvmlite import ir

from graphc.ir.ops._base import const_value
from graphc.ir.ops.fused_ops import BODY, body_inputs, body_outputs
from . import irutil as U
from . import conv_kernels as CK
from . import kernels as K
from .scalar_ops import SCALAR, lowerable

VIEW_OPS = frozenset({"Identity", "StopGradient", "Snapshot", "Reshape", "Squeeze",
                      "ExpandDims", "PlaceholderWithDefault"})
# Pure data movement whose numpy kernel, run once on an array of element numbers,
# gives the index each output element reads: lowered to a strided copy when that
# pattern is affine, else to a gather through the precomputed table.
MOVEMENT_OPS = frozenset({"StridedSlice", "ReverseV2", "MirrorPad", "Pad", "Split", "SplitV",
                          "Unpack"})
REDUCE_OPS = frozenset({"Sum", "Mean", "Max", "Min", "Prod", "Any", "All"})
ALIGN = 64


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


@dataclass(eq=False)
class Buffer:
    kind: str                 # feed | const | var | out | arena | py
    dtype: object
    shape: Optional[tuple]
    slot: int = -1            # table slot (feed, const, var, out)
    offset: int = -1          # arena offset
    var: Optional[str] = None
    value: object = None      # const array
    first: int = 0            # lifetime in steps (arena)
    last: int = 0
    size_aligned: int = 0
    native_used: bool = False  # a native kernel reads or writes it (variables)

    @property
    def nbytes(self) -> int:
        n = 1
        for d in self.shape:
            n *= d
        return n * np.dtype(self.dtype.np).itemsize


@dataclass
class Step:
    """One native kernel, or one op run through its numpy kernel."""
    native: bool
    op: object
    kernel: Optional[K.Kernel] = None
    emit: object = None       # (module, name) -> Kernel, for native steps
    inputs: list = field(default_factory=list)
    outputs: list = field(default_factory=list)
    scratch: list = field(default_factory=list)  # arena buffers used only by this step


def static(t) -> bool:
    return t.shape.is_fully_defined() and t.dtype.name in U.LOWERABLE_DTYPES


def shape_of(t) -> tuple:
    return tuple(t.shape.as_tuple())


class Lowering:
    """Decides, op by op, what runs natively and emits the kernels."""

    def __init__(self, program) -> None:
        self.program = program
        self.buffers: dict = {}   # tensor -> Buffer
        self.steps: list[Step] = []
        self.n_slots = 0
        self.written_vars: set = set()
        self.index = -1           # position of the op being lowered in program order
        self.producer: dict = {}  # tensor -> index of the native step computing it
        self.extra_buffers: list = []  # constants made by lowering (index tables)
        self.last_use: dict = {}  # tensor -> position of its last reader (inf if fetched)
        self.writes: dict = {}    # variable name -> positions of the ops writing it
        self.blas_single = False  # some kernel splits BLAS calls across graphc's threads
        self.conv_outputs: dict = {}  # conv output tensor -> (its step, its op's position)
        self.epilogues: dict = {}     # conv output tensor -> (Epilogue, extra operands)
        for i, op in enumerate(program.nodes):
            for j, t in enumerate(op.inputs):
                if j in op.opdef.ref_inputs:
                    self.writes.setdefault(t.op.name, []).append(i)
                else:
                    self.last_use[t] = i
        for t in program.fetches:
            self.last_use[t] = float("inf")

    # ------------------------------------------------------------ buffers
    def new_slot(self) -> int:
        self.n_slots += 1
        return self.n_slots - 1

    def buffer(self, t) -> Buffer:
        return self.buffers[t]

    def define(self, t, kind: str = "arena") -> Buffer:
        if not static(t):
            kind = "py"
        buf = Buffer(kind, t.dtype, shape_of(t) if kind != "py" else None)
        if kind in ("feed", "out", "const", "var"):
            buf.slot = self.new_slot()
        self.buffers[t] = buf
        return buf

    def native_inputs(self, op) -> bool:
        return all(t in self.buffers and self.buffers[t].kind != "py" for t in op.inputs)

    # ------------------------------------------------------------ walk
    def run(self) -> None:
        for t in self.program.feeds:
            self.define(t, "feed")
        for i, op in enumerate(self.program.nodes):
            self.index = i
            self.visit(op)

    def finish(self) -> None:
        """After the walk: fetched values get fresh per-run arrays, a fetched variable
        written in the run is copied before any write (as the interpreter reads it)."""
        self.fetch_buffers = []
        for t in self.program.fetches:
            buf = self.buffers[t]
            if buf.kind == "arena":
                buf.kind = "out"
                buf.slot = self.new_slot()
            elif buf.kind == "var" and t.op.type == "VariableV2" and buf.var in self.writes:
                snap = Buffer("out", t.dtype, buf.shape, slot=self.new_slot())
                cs = K.contiguous_strides(buf.shape)
                buf.native_used = True
                self.steps.insert(0, Step(True, t.op, emit=lambda m, n, s=buf, d=snap, t=t:
                                          K.emit_copy(m, n, t.dtype, s.shape, cs, cs,
                                                      operands=[s, d])))
                buf = snap
            self.fetch_buffers.append(buf)
        self.var_ops = {op.name: op for op in self.program.nodes if op.type == "VariableV2"}
        for op in self.program.nodes:
            for i in op.opdef.ref_inputs:
                self.var_ops.setdefault(op.inputs[i].op.name, op.inputs[i].op)
        self.assign_first = {}
        for step in self.steps:
            if not step.native:
                continue
            op = step.op
            if op.type in ("Assign", "AssignAdd", "AssignSub"):
                self.assign_first.setdefault(op.inputs[0].op.name, op.type == "Assign")
            for t in step.inputs:
                b = self.buffers.get(t)
                if b is not None and b.kind == "var":
                    self.assign_first.setdefault(b.var, False)
            for t in step.outputs:  # a kernel writing a variable directly (forward_assign)
                b = self.buffers.get(t)
                if b is not None and b.kind == "var":
                    self.assign_first.setdefault(b.var, True)

    def needs_snapshot(self, var: str, t) -> bool:
        """Would a write to `var` land between `t`'s definition and its last reader?"""
        last = self.last_use.get(t, self.index)
        return any(self.index < w < last for w in self.writes.get(var, ()))

    def alias(self, t, src: Buffer, op) -> None:
        """`t` shares `src`, or gets a copy of it when `src` is a variable written later."""
        if src.kind == "var" and self.needs_snapshot(src.var, t):
            src.native_used = True
            dst = self.define(t)
            shape = shape_of(t)
            cs = K.contiguous_strides(shape)
            self.steps.append(Step(True, op, emit=lambda m, n: K.emit_copy(
                m, n, t.dtype, shape, cs, cs, operands=[src, dst]), inputs=[], outputs=[t]))
            return
        self.buffers[t] = src

    def visit(self, op) -> None:
        if op.type == "Const":
            t = op.outputs[0]
            if t not in self.buffers:
                buf = self.define(t, "const")
                value = np.asarray(op.attrs["value"])
                if not value.flags.c_contiguous:  # (ascontiguousarray would make 0-d 1-d)
                    value = value.copy(order="C")
                buf.value = value
            return
        if op.type == "VariableV2":
            buf = self.define(op.outputs[0], "var")
            buf.var = op.name  # also for a "py" variable (shape known only at run time)
            return
        if op.type == "Placeholder":
            return  # fed (handled above); an unfed one was refused by pruning
        if op.type == "NoOp":
            return  # ordering only: the schedule already respects control edges
        if op.type == "Fused":
            body = [m for m in op.subgraphs[BODY].get_operations() if m.type != "Placeholder"]
            if body[-1].type in REDUCE_OPS:  # a trailing reduction (see passes/fuse.py)
                body = body[:-1]
            if all(self._elementwise_ok(m) for m in body) and self.native_inputs(op) and \
                    all(static(t) for t in op.outputs):
                self.lower_fused(op)
            else:
                self.expand_fused(op)
            return
        for i in op.opdef.ref_inputs:  # pruning skips ref edges: define the variable here
            if op.inputs[i] not in self.buffers:
                self.visit(op.inputs[i].op)
        lowered = False
        if self.native_inputs(op) and all(static(t) for t in op.outputs):
            lowered = self.lower(op)
        if not lowered:
            self.fallback(op)

    def _elementwise_ok(self, op) -> bool:
        return lowerable(op) and all(static(t) for t in list(op.inputs) + list(op.outputs))

    def expand_fused(self, op) -> None:
        """Run a Fused node's body op by op (some body op has no lowering)."""
        for p, t in zip(body_inputs(op), op.inputs):
            self.buffers[p] = self.buffers[t]
        for inner in op.subgraphs[BODY].get_operations():
            if inner.type != "Placeholder":
                self.visit(inner)
        for t, inner in zip(op.outputs, body_outputs(op)):
            self.alias(t, self.buffers[inner], op)

    def const_buffer(self, value: np.ndarray) -> Buffer:
        from graphc.ir import dtypes as dt
        buf = Buffer("const", dt.as_dtype(value.dtype), value.shape, slot=self.new_slot(),
                     value=np.ascontiguousarray(value))
        self.extra_buffers.append(buf)
        return buf

    def fallback(self, op) -> None:
        strings = any(t.dtype.is_string for t in list(op.inputs) + list(op.outputs))
        # Control flow (If, While) is driven from Python by design: the graphs it holds
        # are compiled natively by the Session's FunctionRunner, so it is no fallback;
        # TensorArray ops keep lists of arrays, which only Python holds; dataset iterators
        # run Python pipelines.
        if not op.type.startswith(("Random", "TruncatedNormal")) and not strings and \
                op.opdef.family not in ("control", "tensor_array", "dataset"):
            known = op.type in _LOWERED or op.type in SCALAR
            why = "these shapes or dtypes" if known else "no native lowering"
            _warn_fallback(op, why)
        for t in op.outputs:
            self.define(t)
        for i in op.opdef.ref_inputs:
            self.written_vars.add(op.inputs[i].op.name)
        self.steps.append(Step(False, op, inputs=list(op.inputs), outputs=list(op.outputs)))

    def native(self, op, emit, inputs, outputs, define=True, scratch=()) -> bool:
        for t in inputs:
            self.buffers[t].native_used = True
        if define:
            for t in outputs:
                self.define(t)
        self.steps.append(Step(True, op, emit=emit, inputs=list(inputs), outputs=list(outputs),
                               scratch=list(scratch)))
        for t in outputs:
            self.producer[t] = len(self.steps) - 1
        return True

    def _sole_producer(self, value, var: Buffer):
        """The step of the elementwise kernel computing `value` when the op being lowered
        is the value's only reader and nothing touches `var` in between; else None."""
        i = self.producer.get(value)
        buf = self.buffers.get(value)
        if i is None or buf is None or buf.kind != "arena" or buf.shape != var.shape:
            return None
        step = self.steps[i]
        if step.op.type != "Fused" and not self._elementwise_ok(step.op):
            return None
        if self.last_use.get(value) != self.index or sum(
                self.buffers.get(t) is buf for t in self.buffers) != 1:
            return None
        for later in self.steps[i + 1:]:
            if any(self.buffers.get(t) is var for t in later.inputs + later.outputs):
                return None
        return step

    def forward_assign(self, value, var: Buffer) -> bool:
        """Let the elementwise kernel computing `value` write straight into the variable
        when the Assign is the value's only reader and nothing touches the variable in
        between (an optimizer's `m = b1*m + (1-b1)*g`): no temporary, no copy."""
        if self._sole_producer(value, var) is None:
            return False
        self.buffers[value] = var
        return True

    def forward_update(self, op, var: Buffer) -> bool:
        """AssignAdd/AssignSub(ref, value) under the conditions of `forward_assign`: the
        kernel computing `value` also reads the variable and writes var -/+ value into it
        (an optimizer's `var -= lr * m / (sqrt(v) + eps)`): one pass, no temporary."""
        ref, value = op.inputs
        step = self._sole_producer(value, var)
        if step is None:
            return False
        producer = step.op
        if producer.type == "Fused":
            members = [m for m in producer.subgraphs[BODY].get_operations()
                       if m.type != "Placeholder"]
            if members[-1].type in REDUCE_OPS:
                return False
            params, outs = body_inputs(producer), body_outputs(producer)
            keys = list(producer.inputs)
            kept = [(o, t) for o, t in zip(outs, producer.outputs) if t is not value]
            inner = outs[list(producer.outputs).index(value)]
        else:
            members, params, keys = [producer], list(producer.inputs), list(producer.inputs)
            kept, inner = [], value
        update = _Update(op, inner)
        outputs = [o for o, _ in kept] + [update.outputs[0]]
        domain = shape_of(value)

        def emit(m, n):
            return self.emit_elementwise(m, n, members + [update], params + [ref],
                                         keys + [var], outputs, [t for _, t in kept] + [var],
                                         domain)
        step.emit = emit
        step.op = op  # errors and the profile name the update; the producer is inside
        step.outputs = [t for _, t in kept]
        var.native_used = True
        return True

    # ------------------------------------------------------------ per-op lowering
    def lower(self, op) -> bool:
        fn = _LOWERED.get(op.type)
        if fn is not None:
            return fn(self, op)
        if self._elementwise_ok(op):
            return self.native(op, lambda m, n, op=op: K.emit_elementwise(
                m, n, [op], list(op.inputs), [op.outputs[0]], shape_of(op.outputs[0])),
                op.inputs, op.outputs)
        return False

    def lower_fused(self, op) -> bool:
        params, outs = body_inputs(op), body_outputs(op)
        members = [m for m in op.subgraphs[BODY].get_operations() if m.type != "Placeholder"]
        domain = shape_of(op.outputs[0])
        if members[-1].type in REDUCE_OPS:
            red = members[-1]
            in_shape = shape_of(red.inputs[0])
            axes = _reduce_axes(red, in_shape)

            def emit_reduce(m, n):
                return K.emit_reduce(m, n, red, red.type, in_shape, axes,
                                     list(op.inputs) + list(op.outputs),
                                     body=(members[:-1], params))
            return self.native(op, emit_reduce, op.inputs, op.outputs)

        if self.conv_epilogue(op, members, params, outs, domain):
            return True

        def emit(m, n):
            return self.emit_elementwise(m, n, members, params, list(op.inputs), outs,
                                         list(op.outputs), domain)
        return self.native(op, emit, op.inputs, op.outputs)

    def conv_epilogue(self, op, members, params, outs, domain) -> bool:
        """Fold a fused elementwise node into the convolution computing one of its inputs
        (a bias add and activation after a conv), applied to each block of the output
        while it is in cache and written over it: when the node is the conv output's only
        reader, has one output of the conv's shape, reads its other inputs along the
        channel (or not at all), and nothing writes those between the conv and here."""
        if len(domain) != 4 or any(shape_of(o) != tuple(domain) or o.dtype != op.outputs[0].dtype
                                   for o in op.outputs):
            return False
        conv = next((i for i, t in enumerate(op.inputs) if t in self.conv_outputs), None)
        if conv is None:
            return False
        t = op.inputs[conv]
        step_index, position = self.conv_outputs[t]
        buf = self.buffers[t]
        if self.last_use.get(t) != self.index or shape_of(t) != tuple(domain) or \
                t.dtype != op.outputs[0].dtype or buf.kind != "arena" or \
                sum(b is buf for b in self.buffers.values()) != 1:
            return False
        accesses, sets = K._accesses(members, params, domain)
        n, oh, ow, m = domain
        strides = []
        for (pi, _), st in zip(accesses, sets):
            pixel = st[2]
            if st[:3] != [pixel * oh * ow, pixel * ow, pixel] and n * oh * ow > 1:
                return False
            if pi == conv and (pixel, st[3]) != (m, 1):
                return False
            strides.append((pixel, st[3]))
        later = self.steps[step_index + 1:]
        others = [u for i, u in enumerate(op.inputs) if i != conv]
        for u in others:
            ub = self.buffers[u]
            made = self.producer.get(u)
            if made is not None and made > step_index:
                return False
            if ub.var is not None and any(position < w < self.index
                                          for w in self.writes.get(ub.var, ())):
                return False
            if any(not s.native or any(self.buffers.get(v) is ub for v in s.outputs)
                   for s in later):
                return False
        epi = CK.Epilogue(members, params, conv, domain, accesses, strides, outs)
        self.buffers[op.outputs[0]] = buf  # the first output overwrites the conv's
        for o in op.outputs[1:]:
            self.define(o)
        self.epilogues[t] = (epi, others + list(op.outputs[1:]))
        step = self.steps[step_index]
        step.inputs += others
        step.outputs += list(op.outputs)
        for u in others:
            self.buffers[u].native_used = True
        for o in op.outputs:
            self.producer[o] = step_index
        return True

    def emit_elementwise(self, module, name, members, params, param_keys, outputs,
                         output_keys, domain) -> K.Kernel:
        """K.emit_elementwise with operands `param_keys` and `output_keys` (tensors or
        buffers, resolved now that the lowering is done): an output whose buffer is a
        param's of the domain's shape (a variable updated in place) is written in place."""
        def buf(t):
            return t if isinstance(t, Buffer) else self.buffers[t]
        inplace = {}
        for j, key in enumerate(output_keys):
            for i, (p, pk) in enumerate(zip(params, param_keys)):
                if buf(pk) is buf(key) and tuple(shape_of(p)) == tuple(domain):
                    inplace[j] = i
                    break
        k = K.emit_elementwise(module, name, members, params, outputs, domain, inplace)
        k.operands = list(param_keys) + [t for j, t in enumerate(output_keys)
                                         if j not in inplace]
        return k


_LOWERED: dict = {}


def _lowers(*names):
    def deco(fn):
        for n in names:
            _LOWERED[n] = fn
        return fn
    return deco


@_lowers(*VIEW_OPS)
def _view(lw: Lowering, op) -> bool:
    lw.steps.append(Step(True, op, emit=None, inputs=[op.inputs[0]], outputs=[]))
    lw.alias(op.outputs[0], lw.buffer(op.inputs[0]), op)
    return True


def _reduce_axes(op, shape) -> list:
    axis = op.attrs["axis"]
    if not shape:
        return []
    return sorted({a % len(shape) for a in (range(len(shape)) if axis is None else axis)})


@_lowers(*REDUCE_OPS)
def _reduce(lw: Lowering, op) -> bool:
    x = op.inputs[0]
    if op.type == "Mean" and not U.is_float(x.dtype):
        return False
    shape = shape_of(x)
    axes = _reduce_axes(op, shape)
    count = int(np.prod([shape[a] for a in axes])) if axes else 1
    if op.type in ("Max", "Min") and count == 0:
        return False
    if op.type in ("Sum", "Prod", "Mean", "Max", "Min") and x.dtype.name == "bool":
        return False
    return lw.native(op, lambda m, n: K.emit_reduce(m, n, op, op.type, shape, axes,
                                                    [x, op.outputs[0]]),
                     [x], op.outputs)


@_lowers("L2Loss")
def _l2loss(lw: Lowering, op) -> bool:
    x = op.inputs[0]
    shape = shape_of(x)
    return lw.native(op, lambda m, n: K.emit_reduce(m, n, op, "L2Loss", shape,
                                                    list(range(len(shape))),
                                                    [x, op.outputs[0]]), [x], op.outputs)


@_lowers("SumToShape")
def _sum_to_shape(lw: Lowering, op) -> bool:
    g = op.inputs[0]
    shape, target = shape_of(g), shape_of(op.outputs[0])
    if not U.is_float(g.dtype) and g.dtype.name == "bool":
        return False
    pad = len(shape) - len(target)
    axes = [d for d in range(len(shape))
            if d < pad or (target[d - pad] == 1 and shape[d] != 1)]
    if not axes and shape == target:  # the gradient of an operand of the result's shape
        return _view(lw, op)
    return lw.native(op, lambda m, n: K.emit_reduce(m, n, _AsSum(op), "Sum", shape, axes,
                                                    [g, op.outputs[0]]), [g], op.outputs)


class _Update:
    """An AssignAdd/AssignSub folded into the kernel computing its value: the elementwise
    add/sub of the variable and the value's register (`inner`, a fused body's tensor)."""

    def __init__(self, op, inner) -> None:
        self.type, self.attrs = op.type, {}
        self.inputs, self.outputs = [op.inputs[0], inner], list(op.outputs)


class _AsSum:
    """SumToShape reduces like Sum; the reduce emitter only needs inputs and type."""

    def __init__(self, op) -> None:
        self.inputs, self.outputs, self.type, self.attrs = op.inputs, op.outputs, "Sum", {}


@_lowers("Softmax", "LogSoftmax")
def _softmax(lw: Lowering, op) -> bool:
    x = op.inputs[0]
    shape = shape_of(x)
    if not U.is_float(x.dtype) or not shape or op.attrs["axis"] not in (-1, len(shape) - 1):
        return False
    cols = shape[-1]
    rows = int(np.prod(shape[:-1])) if len(shape) > 1 else 1
    if cols == 0 or rows == 0:
        return False
    return lw.native(op, lambda m, n: K.emit_softmax(m, n, op, rows, cols, [x, op.outputs[0]],
                                                     op.type == "LogSoftmax"), [x], op.outputs)


@_lowers("MatMul", "BatchMatMulV2")
def _matmul(lw: Lowering, op) -> bool:
    a, b = op.inputs
    if a.dtype.name not in ("float32", "float64") or not _has_blas():
        return False
    sa, sb, sc = shape_of(a), shape_of(b), shape_of(op.outputs[0])
    if op.type == "MatMul":
        ta, tb = op.attrs["transpose_a"], op.attrs["transpose_b"]
    else:
        ta, tb = op.attrs.get("adj_x", False), op.attrs.get("adj_y", False)
    m, n = sc[-2], sc[-1]
    k = sa[-2] if ta else sa[-1]
    batch = sc[:-2]
    strides = []
    for s, mat in ((sa, sa[-2] * sa[-1]), (sb, sb[-2] * sb[-1]), (sc, m * n)):
        bs = K.broadcast_strides(s[:-2] or (1,), batch) if batch else []
        strides.append([st * mat for st in bs])
    if m == 0 or n == 0:
        return False
    work = 2 * m * n * k * int(np.prod(batch, dtype=np.int64))
    units = -(-max(m, n) // K.MATMUL_SPLIT_UNIT)

    def emit(mod, name):
        # In a plan whose convolutions split BLAS calls across graphc's threads, BLAS runs
        # single-threaded (target.BlasThreads): large matmuls split themselves too.
        threads = _threads(work, units, blas=True) if lw.blas_single else 1
        return K.emit_matmul(mod, name, a.dtype, m, n, k, ta, tb, batch, strides,
                             [a, b, op.outputs[0]], threads)
    return lw.native(op, emit, [a, b], op.outputs)


def _has_blas() -> bool:
    from .target import host
    return host().blas is not None


@_lowers("Transpose")
def _transpose(lw: Lowering, op) -> bool:
    x = op.inputs[0]
    perm = op.attrs.get("perm")
    if perm is None:
        perm = const_value(op.inputs[1]) if len(op.inputs) > 1 else None
    if perm is None:
        return False
    perm = [int(p) for p in perm]
    shape = shape_of(x)
    out = shape_of(op.outputs[0])
    cs = K.contiguous_strides(shape)
    src = [cs[p] for p in perm]
    dst = K.contiguous_strides(out)
    return lw.native(op, lambda m, n: K.emit_copy(m, n, x.dtype, out, src, dst,
                                                  operands=[x, op.outputs[0]]), [x], op.outputs)


@_lowers("BroadcastTo", "Tile")
def _broadcast(lw: Lowering, op) -> bool:
    x = op.inputs[0]
    shape, out = shape_of(x), shape_of(op.outputs[0])
    if op.type == "BroadcastTo":
        src = K.broadcast_strides(shape, out)
        return lw.native(op, lambda m, n: K.emit_copy(
            m, n, x.dtype, out, src, K.contiguous_strides(out), operands=[x, op.outputs[0]]),
            [x], op.outputs)
    if any(s == 0 for s in shape) or len(shape) != len(out):
        return False
    # out viewed as [m0, d0, m1, d1, ...]: the input repeats along every m axis.
    it, src, dst = [], [], []
    cs, co = K.contiguous_strides(shape), K.contiguous_strides(out)
    for d, (s, o) in enumerate(zip(shape, out)):
        it += [o // s, s]
        src += [0, cs[d]]
        dst += [s * co[d], co[d]]
    return lw.native(op, lambda m, n: K.emit_copy(m, n, x.dtype, it, src, dst,
                                                  operands=[x, op.outputs[0]]), [x], op.outputs)


@_lowers("ConcatV2", "Pack")
def _concat(lw: Lowering, op) -> bool:
    pieces = list(op.inputs)  # both take the axis as an attribute
    out_t = op.outputs[0]
    out = shape_of(out_t)
    axis = op.attrs["axis"] % len(out)
    co = K.contiguous_strides(out)
    offset, copies = 0, []
    for t in pieces:
        s = shape_of(t)
        if op.type == "Pack":
            s = s[:axis] + (1,) + s[axis:]
        copies.append((t, s, offset * co[axis]))
        offset += s[axis]

    def emit(m, n):
        fn_kernels = []
        for i, (t, s, off) in enumerate(copies):
            fn_kernels.append(K.emit_copy(m, f"{n}_{i}", t.dtype, s, K.contiguous_strides(s),
                                          co, dst_offset=off, operands=[t, out_t]))
        return fn_kernels
    return lw.native(op, emit, pieces, op.outputs)


@_lowers("Slice")
def _slice(lw: Lowering, op) -> bool:
    x = op.inputs[0]
    begin = const_value(op.inputs[1])
    if begin is None:
        return False
    out = shape_of(op.outputs[0])
    cs = K.contiguous_strides(shape_of(x))
    start = int(sum(int(b) * s for b, s in zip(begin, cs)))
    return lw.native(op, lambda m, n: K.emit_copy(m, n, x.dtype, out, cs,
                                                  K.contiguous_strides(out), src_offset=start,
                                                  operands=[x, op.outputs[0]]), [x], op.outputs)


@_lowers("Fill")
def _fill(lw: Lowering, op) -> bool:
    value = op.inputs[1]
    out = shape_of(op.outputs[0])
    return lw.native(op, lambda m, n: K.emit_copy(
        m, n, value.dtype, out, [0] * len(out), K.contiguous_strides(out),
        operands=[value, op.outputs[0]]), [value], op.outputs)


@_lowers("Assign", "AssignAdd", "AssignSub")
def _assign(lw: Lowering, op) -> bool:
    ref, value = op.inputs
    var = lw.buffer(ref)
    if var.kind != "var" or shape_of(value) != var.shape:
        return False
    lw.written_vars.add(ref.op.name)
    var.native_used = True
    shape = var.shape
    if op.type == "Assign" and lw.forward_assign(value, var) or \
            op.type != "Assign" and lw.forward_update(op, var):
        lw.alias(op.outputs[0], var, op)
        return True
    if op.type == "Assign":
        def emit(m, n):
            cs = K.contiguous_strides(shape)
            return K.emit_copy(m, n, value.dtype, shape, cs, cs, operands=[value, var])
    else:
        def emit(m, n):
            return lw.emit_elementwise(m, n, [op], [ref, value], [var, value],
                                       [op.outputs[0]], [var], shape)
    lw.native(op, emit, [value] if op.type == "Assign" else [ref, value], [], define=False)
    lw.alias(op.outputs[0], var, op)
    return True


def _around(shape, axis) -> tuple:
    """(product of dims before axis, dim at axis, product of dims after)."""
    a = axis % len(shape)
    return int(np.prod(shape[:a])), shape[a], int(np.prod(shape[a + 1:]))


@_lowers("ArgMax", "ArgMin", "Cumsum")
def _along_axis(lw: Lowering, op) -> bool:
    x = op.inputs[0]
    shape = shape_of(x)
    if not shape or x.dtype.name == "bool":
        return False
    outer, n, inner = _around(shape, op.attrs["axis"])
    operands = [x, op.outputs[0]]
    if op.type == "Cumsum":
        def emit(m, name):
            return K.emit_cumsum(m, name, x.dtype, outer, n, inner, op.attrs["exclusive"],
                                 op.attrs["reverse"], operands)
    elif n == 0 or outer * inner == 0:
        return False  # argmax of nothing: numpy reports it
    else:
        def emit(m, name):
            return K.emit_argminmax(m, name, op, outer, n, inner, operands)
    return lw.native(op, emit, [x], op.outputs)


@_lowers("SoftmaxCrossEntropyWithLogits", "SparseSoftmaxCrossEntropyWithLogits")
def _xent(lw: Lowering, op) -> bool:
    logits, labels = op.inputs
    shape = shape_of(logits)
    sparse = op.type.startswith("Sparse")
    if len(shape) != 2 or not U.is_float(logits.dtype) or 0 in shape:
        return False
    if not sparse and shape_of(labels) != shape:
        return False
    rows, cols = shape
    operands = [logits, labels] + list(op.outputs)
    return lw.native(op, lambda m, n: K.emit_xent(m, n, op, rows, cols, operands, sparse),
                     [logits, labels], op.outputs)


@_lowers("GatherV2")
def _gather(lw: Lowering, op) -> bool:
    params, indices = op.inputs[:2]
    if op.attrs.get("batch_dims", 0):
        return False
    shape = shape_of(params)
    axis = op.attrs["axis"] % len(shape)
    outer, _, inner = _around(shape, axis)
    n_idx = int(np.prod(shape_of(indices))) if shape_of(indices) else 1
    if outer * n_idx * inner == 0:
        return False
    return lw.native(op, lambda m, n: K.emit_gather(
        m, n, params.dtype, indices.dtype, outer, shape[axis], n_idx, inner,
        [params, indices, op.outputs[0]]), [params, indices], op.outputs)


@_lowers("OneHot")
def _one_hot(lw: Lowering, op) -> bool:
    indices = op.inputs[0]
    if op.attrs["axis"] not in (-1, len(shape_of(indices))):
        return False
    n = int(np.prod(shape_of(indices))) if shape_of(indices) else 1
    depth = op.attrs["depth"]
    if n * depth == 0:
        return False
    on, off = op.attrs["on_value"], op.attrs["off_value"]
    return lw.native(op, lambda m, name: K.emit_one_hot(m, name, op, n, depth, on, off,
                                                        [indices, op.outputs[0]]),
                     [indices], op.outputs)


@_lowers(*MOVEMENT_OPS)
def _movement(lw: Lowering, op) -> bool:
    x = op.inputs[0]
    shape = shape_of(x)
    size = int(np.prod(shape)) if shape else 1
    if size >= 1 << 31:
        return False
    others = [const_value(t) for t in op.inputs[1:]]
    if any(v is None for v in others):
        return False
    attrs = dict(op.attrs)
    fill = None
    numbers = np.arange(size, dtype=np.int64).reshape(shape)
    if op.type == "Pad":  # padded positions read -1: the kernel writes the constant there
        fill = np.asarray(attrs["constant_values"]).astype(x.dtype.np)[()].item()
        attrs["constant_values"] = 0
        numbers = numbers + 1
    try:
        tables = op.opdef.compute(numbers, *others, **attrs)
    except Exception:  # noqa: BLE001 - bad static arguments: let numpy report them
        return False
    tables = tables if isinstance(tables, tuple) else (tables,)
    if op.type == "Pad":
        tables = tuple(t - 1 for t in tables)
    kernels = []
    for out, table in zip(op.outputs, tables):
        table = np.asarray(table, np.int64)
        if table.shape != shape_of(out):
            return False
        kernels.append((out, table))

    def emit(m, n):
        made = []
        for i, (out, table) in enumerate(kernels):
            name = f"{n}_{i}"
            strides = _affine(table)
            if strides is not None and (fill is None or table.min(initial=0) >= 0):
                offset, src = strides
                made.append(K.emit_copy(m, name, x.dtype, table.shape, src,
                                        K.contiguous_strides(table.shape), src_offset=offset,
                                        operands=[x, out]))
            else:
                tbl = lw.const_buffer(table.reshape(-1))
                made.append(K.emit_table_gather(m, name, x.dtype, table.size,
                                                [x, tbl, out], fill=fill))
        return made
    return lw.native(op, emit, [x], op.outputs)


def _affine(table: np.ndarray):
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


@_lowers("SliceGrad", "StridedSliceGrad")
def _slice_grad(lw: Lowering, op) -> bool:
    """The adjoint of a slice is a gather from g with zeros elsewhere: run the numpy kernel
    once on g's element numbers (1-based) to learn which g element lands where."""
    g = op.inputs[-1]
    others = [const_value(t) for t in op.inputs[:-1]]
    gshape = shape_of(g)
    n = int(np.prod(gshape)) if gshape else 1
    if any(v is None for v in others) or n >= 1 << 31:
        return False
    try:
        table = op.opdef.compute(*others, np.arange(1, n + 1, dtype=np.int64).reshape(gshape),
                                 **op.attrs) - 1
    except Exception:  # noqa: BLE001 - bad static arguments: numpy reports them
        return False
    out = op.outputs[0]
    if table.shape != shape_of(out):
        return False
    zero = 0.0 if U.is_float(g.dtype) else 0

    def emit(m, name):
        tbl = lw.const_buffer(np.asarray(table, np.int64).reshape(-1))
        return K.emit_table_gather(m, name, g.dtype, table.size, [g, tbl, out], fill=zero)
    return lw.native(op, emit, [g], op.outputs)


@_lowers("TileGrad")
def _tile_grad(lw: Lowering, op) -> bool:
    """Sum g viewed as [m0, d0, m1, d1, ...] over the m axes."""
    g = op.inputs[0]
    shape, out = shape_of(g), shape_of(op.outputs[0])
    if len(shape) != len(out) or any(d == 0 for d in out) or g.dtype.name == "bool":
        return False
    view, axes = [], []
    for s, o in zip(shape, out):
        axes.append(len(view))
        view += [s // o, o]
    return lw.native(op, lambda m, n: K.emit_reduce(m, n, _AsSum(op), "Sum", view, axes,
                                                    [g, op.outputs[0]]), [g], op.outputs)


@_lowers("UnsortedSegmentSum")
def _segment_sum(lw: Lowering, op) -> bool:
    data, ids = op.inputs[:2]
    if data.dtype.name == "bool":
        return False
    shape, id_shape = shape_of(data), shape_of(ids)
    axis = op.attrs["axis"]
    lead = int(np.prod(shape[:axis])) if axis else 1
    n_ids = int(np.prod(id_shape)) if id_shape else 1
    rest = int(np.prod(shape[axis + len(id_shape):])) if axis + len(id_shape) < len(shape) \
        else 1
    n_segments = shape_of(op.outputs[0])[axis]
    return lw.native(op, lambda m, n: K.emit_segment_sum(
        m, n, data.dtype, ids.dtype, lead, n_ids, rest, n_segments,
        [data, ids, op.outputs[0]]), [data, ids], op.outputs)


def _conv_shape(op, x_shape, k_hw) -> "CK.ConvShape":
    from graphc.ir.ops.conv_ops import Geometry, _pair
    a = op.attrs
    stride = _pair(a["strides"], "strides", op.name)
    dilation = _pair(a.get("dilations", [1, 1, 1, 1]), "dilations", op.name)
    g = Geometry(x_shape[1:3], k_hw, stride, dilation, a["padding"])
    return CK.ConvShape(x_shape, k_hw[0], k_hw[1], stride[0], stride[1], dilation[0],
                        dilation[1], g.pad_h[0], g.pad_w[0], g.oh, g.ow)


CONV_BLOCK_BYTES = 1048576
DIRECT_CONV_CHANNELS = 4  # input channels up to which a convolution runs as direct loops


def _threads(work: int, extent: int, blas: bool = False) -> int:
    """Threads for a kernel graphc splits itself (the rule of executable.emit_call); one
    that calls BLAS splits only where BLAS's own threads can be turned off meanwhile."""
    from .target import host
    cores = host().cores
    if blas and not host().blas_threads.available:
        return 1
    return cores if cores > 1 and work >= K.PARALLEL_WORK and extent >= 2 else 1


def _lanes(dtype) -> int:
    """Elements per vector register on this host (its widest enabled vector unit)."""
    from .target import host
    width = 64 if "+avx512f" in host().features.split(",") else 32
    return width // np.dtype(dtype.np).itemsize


@_lowers("Conv2D", "Conv2DBackpropInput", "Conv2DBackpropFilter")
def _conv(lw: Lowering, op) -> bool:
    """Convolutions as im2col (or col2im) kernels around BLAS matmuls, or as direct loops
    when the input has only a few channels (see conv_kernels)."""
    if not _has_blas() or op.outputs[0].dtype.name not in ("float32", "float64"):
        return False
    dtype = op.outputs[0].dtype
    if op.type == "Conv2D":
        x, f = op.inputs
        x_shape, f_shape = shape_of(x), shape_of(f)
    elif op.type == "Conv2DBackpropInput":
        _, f, dy = op.inputs
        x_shape, f_shape = shape_of(op.outputs[0]), shape_of(f)
    else:
        x, _, dy = op.inputs
        x_shape, f_shape = shape_of(x), shape_of(op.outputs[0])
    if x_shape[3] != f_shape[2]:
        return False  # the numpy kernel reports the mismatch
    g = _conv_shape(op, x_shape, f_shape[:2])
    rows, m = g.rows * g.ow, f_shape[3]
    if rows == 0 or g.k == 0 or m == 0:
        return False
    if op.type != "Conv2D" and shape_of(dy) != (g.n, g.oh, g.ow, m):
        return False  # the numpy kernel reports the mismatch; native code never sees it
    out = op.outputs[0]
    size = np.dtype(dtype.np).itemsize
    work = 2 * rows * g.k * m
    if g.c <= DIRECT_CONV_CHANNELS and op.type != "Conv2DBackpropInput":
        lanes = _lanes(dtype)
        xp = Buffer("arena", dtype, CK.padded_shape(g))
        if op.type == "Conv2D":
            def emit_direct(mod, n):
                epi, extra = lw.epilogues.get(out, (None, []))
                return [CK.emit_pad(mod, n + "_pad", dtype, g, [x, xp]),
                        CK.emit_conv_direct(mod, n, dtype, g, m, lanes, [xp, f, out] + extra,
                                            epi)]
            lw.native(op, emit_direct, [x, f], op.outputs, scratch=[xp])
            lw.conv_outputs[out] = (len(lw.steps) - 1, lw.index)
            return True
        threads = _threads(work, g.rows)
        parts = Buffer("arena", dtype, (max(threads - 1, 1) * g.k * m,))

        def emit_filter(mod, n):
            return [CK.emit_pad(mod, n + "_pad", dtype, g, [x, xp])] + \
                CK.emit_conv_filter_direct(mod, n, dtype, g, m, lanes, threads,
                                           [xp, dy, out, parts])
        return lw.native(op, emit_filter, [x, dy], op.outputs, scratch=[xp, parts])
    # Blocks of output rows whose patches fit in about 1 MB stay in cache between the
    # im2col and the matmul (see conv_kernels.emit_conv_blocked).
    block = max(1, min(g.rows, CONV_BLOCK_BYTES // max(g.ow * g.k * size, 1)))
    kind = {"Conv2D": "forward", "Conv2DBackpropFilter": "filter"}.get(op.type, "input")
    plan = CK.ConvPlan(g, kind, block, 1)
    plan = CK.ConvPlan(g, kind, block, _threads(work, plan.extent, blas=True))
    if plan.threads > 1:
        lw.blas_single = True
    cols = Buffer("arena", dtype, (plan.threads * block * g.ow, g.k))
    scratch = [cols]
    inputs = [x, f] if kind == "forward" else [x, dy] if kind == "filter" else [dy, f]
    operands = inputs + [out, cols]
    if kind == "filter":
        parts = Buffer("arena", dtype, (max(plan.threads - 1, 1) * g.k * m,))
        scratch.append(parts)
        operands.append(parts)

    def emit(mod, n):
        epi, extra = lw.epilogues.get(out, (None, []))
        return CK.emit_conv_blocked(mod, n, dtype, g, m, plan, kind, operands + extra, epi)
    lw.native(op, emit, inputs, op.outputs, scratch=scratch)
    if kind == "forward":
        lw.conv_outputs[out] = (len(lw.steps) - 1, lw.index)
    return True


@_lowers("DepthwiseConv2dNative", "DepthwiseConv2dNativeBackpropInput",
         "DepthwiseConv2dNativeBackpropFilter")
def _depthwise(lw: Lowering, op) -> bool:
    """Depthwise convolutions as direct loops over channels (see conv_kernels)."""
    dtype = op.outputs[0].dtype
    if dtype.name not in ("float32", "float64"):
        return False
    out = op.outputs[0]
    if op.type == "DepthwiseConv2dNative":
        x, f = op.inputs
        x_shape, f_shape = shape_of(x), shape_of(f)
    elif op.type == "DepthwiseConv2dNativeBackpropInput":
        _, f, dy = op.inputs
        x_shape, f_shape = shape_of(out), shape_of(f)
    else:
        x, _, dy = op.inputs
        x_shape, f_shape = shape_of(x), shape_of(out)
    if x_shape[3] != f_shape[2]:
        return False  # the numpy kernel reports the mismatch
    g = _conv_shape(op, x_shape, f_shape[:2])
    mult = f_shape[3]
    if g.rows * g.ow == 0 or g.k * mult == 0:
        return False
    if op.type != "DepthwiseConv2dNative" and shape_of(dy) != (g.n, g.oh, g.ow, g.c * mult):
        return False  # the numpy kernel reports the mismatch; native code never sees it
    if op.type == "DepthwiseConv2dNativeBackpropInput":
        return lw.native(op, lambda mod, n: CK.emit_depthwise_input(
            mod, n, dtype, g, mult, [f, dy, out]), [f, dy], op.outputs)
    xp = Buffer("arena", dtype, CK.padded_shape(g))
    if op.type == "DepthwiseConv2dNative":
        def emit_forward(mod, n):
            return [CK.emit_pad(mod, n + "_pad", dtype, g, [x, xp]),
                    CK.emit_depthwise(mod, n, dtype, g, mult, [xp, f, out])]
        return lw.native(op, emit_forward, [x, f], op.outputs, scratch=[xp])
    threads = _threads(2 * g.rows * g.ow * g.k * mult, g.rows)
    parts = Buffer("arena", dtype, (max(threads - 1, 1) * g.k * mult,))

    def emit_filter(mod, n):
        return [CK.emit_pad(mod, n + "_pad", dtype, g, [x, xp])] + \
            CK.emit_depthwise_filter(mod, n, dtype, g, mult, threads, [xp, dy, out, parts])
    return lw.native(op, emit_filter, [x, dy], op.outputs, scratch=[xp, parts])


@_lowers("MaxPool", "AvgPool", "MaxPoolGrad", "AvgPoolGrad")
def _pool(lw: Lowering, op) -> bool:
    from graphc.ir.ops.conv_ops import _pair
    x = op.inputs[0] if op.type != "AvgPoolGrad" else op.outputs[0]
    x_shape = shape_of(x)
    k = _pair(op.attrs["ksize"], "ksize", op.name)
    g = _conv_shape(op, x_shape, k)
    if g.n * g.oh * g.ow * g.c == 0 or op.outputs[0].dtype.name not in ("float32", "float64"):
        return False
    pooled = (g.n, g.oh, g.ow, g.c)
    if op.type in ("MaxPoolGrad", "AvgPoolGrad") and shape_of(op.inputs[-1]) != pooled:
        return False  # the numpy kernel reports the mismatch; native code never sees it
    if op.type == "AvgPoolGrad":
        dy = op.inputs[1]
        return lw.native(op, lambda m, n: CK.emit_avg_pool_grad(
            m, n, dy.dtype, g, [dy, op.outputs[0]]), [dy], op.outputs)
    if op.type == "MaxPoolGrad":
        dy = op.inputs[2]
        return lw.native(op, lambda m, n: CK.emit_max_pool_grad(
            m, n, x.dtype, g, [x, dy, op.outputs[0]]), [x, dy], op.outputs)
    kind = "max" if op.type == "MaxPool" else "avg"
    return lw.native(op, lambda m, n: CK.emit_pool(m, n, x.dtype, g, kind,
                                                   [x, op.outputs[0]]), [x], op.outputs)


SCALAR.setdefault("AssignAdd", SCALAR["Add"])
SCALAR.setdefault("AssignSub", SCALAR["Sub"])


def lowering_table() -> dict:
    """Op type -> how the llvm backend runs it (for docs and the coverage test)."""
    table = {name: "elementwise" for name in SCALAR}
    table.update({name: fn.__name__.strip("_") for name, fn in _LOWERED.items()})
    return table


__all__ = ["Lowering", "Buffer", "Step", "FallbackWarning", "lowering_table", "ir"]
