"""graphc's nodes that hold graphs, written as TensorFlow ops: an If as TF1's tf.cond
(`Switch` per value its branches read, both branches' ops, a `Merge` per result), a While
as TF1's while frame (`Enter` / `Merge` / `Switch` / `LoopCond` / `Identity` /
`NextIteration` / `Exit`, captures entering as constants, per-iteration stacks written
to TensorArrays as TF1's dynamic_rnn does), and a Fused node as the ops it fused.

TF1's frames need no function library, so TensorFlow's import_graph_def and Session run
them as they run any TF1 graph, and graphc imports them back through `frames.py`. Every
input-less op of a branch or body waits for the branch's or frame's pivot (an `Identity`
of the Switch), as TF1's CondContext and WhileContext make it, so it runs in the branch
or in each iteration.
"""
from __future__ import annotations

import numpy as np

from .. import protos
from ..ir import dtypes as dt
from ..ir.graph import Operation
from ..ir.ops.control_flow_ops import BODY, COND, ELSE, THEN, fn_outputs, fn_params
from ..ir.ops.fused_ops import body_inputs, body_outputs
from . import attrs as A
from .exporter import EXPORTERS, _Exporter, export_graph, export_op

PARALLEL_ITERATIONS = 10


def _T(dtype) -> dict:
    return {"T": A.encode(dtype, A.DTYPE)}


def _if(op: Operation, ex: _Exporter) -> None:
    base = ex.name(op)
    pred_id = ex.fresh(f"{base}/pred_id")
    ex.node(pred_id, "Identity", [ex.ref(op.inputs[0])], _T(dt.bool_), source=op)
    pivot = ex.fresh(f"{base}/Switch")
    ex.node(pivot, "Switch", [pred_id, pred_id], _T(dt.bool_))
    pivots = {1: ex.fresh(f"{base}/switch_t"), 0: ex.fresh(f"{base}/switch_f")}
    ex.node(pivots[1], "Identity", [f"{pivot}:1"], _T(dt.bool_))
    ex.node(pivots[0], "Identity", [pivot], _T(dt.bool_))
    switches = []
    for j, t in enumerate(op.inputs[1:]):
        switches.append(ex.fresh(f"{base}/Switch_{j + 1}"))
        ex.node(switches[-1], "Switch", [ex.ref(t), pred_id], _T(t.dtype))
    results = {}
    for key, k in ((THEN, 1), (ELSE, 0)):
        bound = {p: f"{switches[pos - 1]}:{k}" if k else switches[pos - 1]
                 for p, pos in zip(fn_params(op, key), op.attrs[key + "_inputs"])}
        export_graph(op.subgraphs[key], ex, f"{base}/{key}/", bound, pivots[k])
        results[key] = [_result(ex, f"{base}/{key}/", t) for t in fn_outputs(op, key)]
    for i, t in enumerate(op.outputs):
        name = base if i == 0 else ex.fresh(f"{base}/Merge_{i}")
        ex.node(name, "Merge", [results[ELSE][i], results[THEN][i]],
                {**_T(t.dtype), "N": A.encode(2, A.INT)})
        ex.bound[t] = name


class _Frame:
    """The nodes of one exported while frame."""

    def __init__(self, ex: _Exporter, base: str) -> None:
        self.ex, self.base = ex, base
        self.attrs = {"frame_name": A.encode(base + "/while_context", A.STR),
                      "parallel_iterations": A.encode(PARALLEL_ITERATIONS, A.INT)}
        self.vars: list = []   # [suffix, dtype] per loop variable
        self.names: dict = {}

    def name(self, kind: str, suffix: str) -> str:
        """The node `kind` (Enter, Merge, ...) of variable `suffix`, named once, fresh."""
        key = (kind, suffix)
        if key not in self.names:
            self.names[key] = self.base if (kind, suffix) == ("Exit", "") else \
                self.ex.fresh(f"{self.base}/{kind}{suffix}")
        return self.names[key]

    def enter(self, suffix: str, ref: str, dtype, constant: bool, source=None) -> str:
        name = self.name("Enter", suffix)
        self.ex.node(name, "Enter", [ref], {**_T(dtype), **self.attrs,
                                            "is_constant": A.encode(constant, A.BOOL)},
                     source=source)
        return name

    def var(self, suffix: str, ref: str, dtype, source=None) -> None:
        """A loop variable: Enter, and the Merge with its NextIteration."""
        enter = self.enter(suffix, ref, dtype, False, source)
        self.ex.node(self.merge(suffix), "Merge", [enter, self.name("NextIteration", suffix)],
                     {**_T(dtype), "N": A.encode(2, A.INT)})
        self.vars.append([suffix, dtype])

    def merge(self, suffix: str) -> str:
        return self.name("Merge", suffix)

    def identity(self, suffix: str) -> str:
        return self.name("Identity", suffix)

    def split(self, loop_cond: str) -> None:
        """Each variable's Switch on the condition, its Identity (body) and Exit."""
        for suffix, dtype in self.vars:
            switch = self.name("Switch", suffix)
            self.ex.node(switch, "Switch", [self.merge(suffix), loop_cond], _T(dtype))
            self.ex.node(self.identity(suffix), "Identity", [switch + ":1"], _T(dtype))
            self.ex.node(self.exit(suffix), "Exit", [switch], _T(dtype))

    def exit(self, suffix: str) -> str:
        return self.name("Exit", suffix)

    def next(self, suffix: str, ref: str, dtype) -> None:
        self.ex.node(self.name("NextIteration", suffix), "NextIteration", [ref], _T(dtype))


def _while(op: Operation, ex: _Exporter) -> None:
    base, n = ex.name(op), op.attrs["n_vars"]
    body_results = fn_outputs(op, BODY)
    stacks = body_results[n:]
    frame = _Frame(ex, base)
    for i, t in enumerate(op.inputs[:n]):
        frame.var("" if i == 0 else f"_{i}", ex.ref(t), t.dtype, op if i == 0 else None)
    counter = ex.const(f"{base}/iteration_counter", np.int32(0), dt.int32)
    frame.var("_counter", counter, dt.int32)
    arrays = []
    for k, t in enumerate(stacks):  # each iteration's value, written at the counter
        ta = ex.fresh(f"{base}/stack_{k}")
        size = ex.const(f"{ta}/size", np.int32(0), dt.int32)
        ex.node(ta, "TensorArrayV3", [size], {
            "dtype": A.encode(t.dtype, A.DTYPE), "dynamic_size": A.encode(True, A.BOOL),
            "clear_after_read": A.encode(True, A.BOOL),
            "identical_element_shapes": A.encode(True, A.BOOL),
            "tensor_array_name": A.encode(ta, A.STR)})
        frame.var(f"_stack_{k}", f"{ta}:1", dt.float32)
        arrays.append((ta, frame.enter(f"_stack_{k}_handle", ta, dt.resource, True)))
    captures = {}
    for j, t in enumerate(op.inputs[n:]):
        captures[n + j] = frame.enter(f"_capture_{j}", ex.ref(t), t.dtype, True)

    def bound(key: str, pivot: str) -> dict:
        out = {}
        sliced = set(op.attrs.get("sliced", ()))
        for p, pos in zip(fn_params(op, key), op.attrs[key + "_inputs"]):
            if pos < n:
                out[p] = var_ref_name(frame, pos, key)
            elif pos in sliced:
                out[p] = _slice(ex, frame, op, key, pos, captures[pos], p, pivot)
            else:
                out[p] = captures[pos]
        return out

    cond_bound = bound(COND, frame.merge(""))
    export_graph(op.subgraphs[COND], ex, f"{base}/cond/", cond_bound, frame.merge(""))
    go = _result(ex, f"{base}/cond/", fn_outputs(op, COND)[0])
    loop_cond = ex.fresh(f"{base}/LoopCond")
    ex.node(loop_cond, "LoopCond", [go])
    frame.split(loop_cond)
    pivot = frame.identity("")
    body_bound = bound(BODY, pivot)
    export_graph(op.subgraphs[BODY], ex, f"{base}/body/", body_bound, pivot)
    for i, t in enumerate(body_results[:n]):
        frame.next("" if i == 0 else f"_{i}", _result(ex, f"{base}/body/", t),
                   t.dtype)
    one = _const(ex, f"{base}/body/one", np.int32(1), pivot)
    step = ex.fresh(f"{base}/body/next_counter")
    ex.node(step, "AddV2", [frame.identity("_counter"), one], _T(dt.int32))
    frame.next("_counter", step, dt.int32)
    for k, ((_, handle), t) in enumerate(zip(arrays, stacks)):
        write = ex.fresh(f"{base}/body/stack_{k}_write")
        ex.node(write, "TensorArrayWriteV3", [
            handle, frame.identity("_counter"), _result(ex, f"{base}/body/", t),
            frame.identity(f"_stack_{k}")], _T(t.dtype))
        frame.next(f"_stack_{k}", write, dt.float32)
    for i, t in enumerate(op.outputs[:n]):
        ex.bound[t] = frame.exit("" if i == 0 else f"_{i}")
    ex.bound[op.outputs[n]] = frame.exit("_counter")
    for k, ((ta, _), t) in enumerate(zip(arrays, stacks)):
        flow = frame.exit(f"_stack_{k}")
        size = ex.fresh(f"{ta}/final_size")
        ex.node(size, "TensorArraySizeV3", [ta, flow])
        start = ex.const(f"{ta}/start", np.int32(0), dt.int32)
        delta = ex.const(f"{ta}/delta", np.int32(1), dt.int32)
        indices, stacked = ex.fresh(f"{ta}/indices"), ex.fresh(f"{ta}/stacked")
        ex.node(indices, "Range", [start, size, delta], {"Tidx": A.encode(dt.int32, A.DTYPE)})
        ex.node(stacked, "TensorArrayGatherV3", [ta, indices, flow], {
            "dtype": A.encode(t.dtype, A.DTYPE), "element_shape": A.encode(t.shape, A.SHAPE)})
        ex.bound[op.outputs[n + 1 + k]] = stacked


def _result(ex: _Exporter, prefix: str, t) -> str:
    """The input string of a result `t` of a held graph exported under `prefix`."""
    saved, ex.prefix = ex.prefix, prefix
    try:
        return ex.ref(t)
    finally:
        ex.prefix = saved


def _slice(ex: _Exporter, frame: _Frame, op: Operation, key: str, pos: int, enter: str,
           param, pivot: str) -> str:
    """A sliced capture's value in this iteration: row (loop variable + offset) of it."""
    var, offset = op.attrs["slice_counter"]
    name = ex.fresh(f"{frame.base}/{key}/slice_{pos}")
    at = _const(ex, f"{name}/offset", np.int32(offset), pivot)
    index = ex.fresh(f"{name}/index")
    ex.node(index, "AddV2", [var_ref_name(frame, var, key), at], _T(dt.int32))
    axis = _const(ex, f"{name}/axis", np.int32(0), pivot)
    ex.node(name, "GatherV2", [enter, index, axis], {
        "Tparams": A.encode(param.dtype, A.DTYPE), "Tindices": A.encode(dt.int32, A.DTYPE),
        "Taxis": A.encode(dt.int32, A.DTYPE), "batch_dims": A.encode(0, A.INT)})
    return name


def _const(ex: _Exporter, name: str, value: np.ndarray, pivot: str) -> str:
    """An int32 Const inside a frame (waiting for its pivot)."""
    saved, ex.pivot = ex.pivot, pivot
    try:
        return ex.const(name, value, dt.int32)
    finally:
        ex.pivot = saved


def var_ref_name(frame: _Frame, i: int, key: str) -> str:
    """Loop variable i as the cond (its Merge) or the body (its Identity) reads it."""
    suffix = "" if i == 0 else f"_{i}"
    return frame.merge(suffix) if key == COND else frame.identity(suffix)


def _fused(op: Operation, ex: _Exporter) -> None:
    """A fused group as its member ops (TensorFlow has no such node), and an IdentityN
    of its results under its own name; its updates write the variables' own nodes."""
    body = op.subgraphs["body"]
    bound = {p: ex.ref(t) for p, t in zip(body_inputs(op), op.inputs)}
    for v in body.get_operations():  # an update's target: the variable's own node
        if v.type == "VariableV2":
            outer = ex.graph._by_name.get(v.name)
            if outer is None or outer.type != "VariableV2":
                export_op(v, ex)  # (the plan reads it nowhere else)
                outer = v
            bound[v.outputs[0]] = ex.ref(outer.outputs[0])
    clash = any(o.name in ex.names for o in body.get_operations()
                if o.type not in ("Placeholder", "VariableV2"))
    prefix = ex.prefix + (f"{op.name}/" if clash else "")
    export_graph(body, ex, prefix, bound, ex.pivot)
    refs = [_result(ex, prefix, t) for t in body_outputs(op)]
    for t, ref in zip(op.outputs, refs):
        ex.bound[t] = ref
    types = protos.AttrValue()  # the node's own name still fetches its outputs
    types.list.type.extend(protos.as_datatype_enum(t.dtype) for t in op.outputs)
    ex.node(ex.name(op), "IdentityN", refs, {"T": types}, source=op)


EXPORTERS.update({"If": _if, "While": _while, "Fused": _fused})
