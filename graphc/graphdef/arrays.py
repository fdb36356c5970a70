"""TensorFlow's TensorArrays and TensorLists on import, as graphc's TensorArray ops.

TF1's `TensorArrayV3` family maps one to one (a resource handle and a float32 flow; inside
a loop the flow is a loop variable and the handle a captured input, as graphc's own
TensorArray in tf.while_loop). Read and gather carry no element shape in TensorFlow; the
element shape the array was made with is looked up through the captures, so shapes stay
known inside a loop body.

TF2's TensorLists (`TensorListReserve` / `FromTensor` / `SetItem` / `GetItem` / `Stack` /
`Length`, `EmptyTensorList` / `PushBack` / `PopBack`, which TF2-style while loops write
into v1 graphs) are values in TensorFlow; graphc
imports each list as a TensorArray's flow, with the TensorArray's handle remembered for
the flow (and for the loop variables and loop outputs it becomes). This holds for lists
used linearly (each version written or read once more, as tf.while_loop and dynamic_rnn
build them); a list forked into two different updates is refused. A push writes at the
array's size; a pop reads the last item and tracks the shorter length beside the list, in
straight-line code (a pop of a list from outside a loop body, or a popped list entering
a loop, is refused: an array does not shrink).
"""
from __future__ import annotations

import weakref

from ..ir import dtypes as dt
from ..ir.graph import Tensor
from ..ir.ops import tensor_array_ops  # noqa: F401  (registers the ops)
from ..ir.shapes import TensorShape
from . import attrs as A
from .importer import IMPORTERS, GraphDefImportError, NodeContext

# a TensorList's flow -> (the TensorArray handle, element dtype, element shape)
_LISTS: "weakref.WeakKeyDictionary[Tensor, tuple]" = weakref.WeakKeyDictionary()
_WRITTEN: "weakref.WeakSet[Tensor]" = weakref.WeakSet()
# a list's flow after a TensorListPopBack -> its length (the array keeps the popped items)
_LENGTH: "weakref.WeakKeyDictionary[Tensor, Tensor]" = weakref.WeakKeyDictionary()


def outer_tensor(t: Tensor) -> Tensor:
    """The outer tensor a function graph's capture stands for (else `t`)."""
    while getattr(t.graph, "is_function", False):
        outer = next((o for o, p in t.graph.captures.items() if p is t), None)
        if not isinstance(outer, Tensor):
            break
        t = outer
    return t


def _array_op(handle: Tensor):
    t = outer_tensor(handle)
    while t.op.type == "Identity":
        t = outer_tensor(t.op.inputs[0])
    return t.op if t.op.type == "TensorArrayV3" else None


def _element_shape(ctx: NodeContext, handle: Tensor) -> TensorShape:
    shape = ctx.attr("element_shape", A.SHAPE, None)
    creator = _array_op(handle)
    known = creator.attrs.get("element_shape") if creator is not None else None
    if known is not None and (shape is None or shape.ndims is None):
        return known
    return shape if shape is not None else TensorShape(None)


# ---------------------------------------------------------------- TensorArrayV3
def _tensor_array(ctx: NodeContext):
    shape = ctx.attr("element_shape", A.SHAPE, TensorShape(None))
    return ctx.op("TensorArrayV3", ctx.inputs[:1], {
        "dtype": ctx.attr("dtype", A.DTYPE),
        "element_shape": shape if shape.ndims is not None else None,
        "dynamic_size": ctx.attr("dynamic_size", A.BOOL, False),
        "clear_after_read": ctx.attr("clear_after_read", A.BOOL, True),
        "identical_element_shapes": ctx.attr("identical_element_shapes", A.BOOL, False),
        "tensor_array_name": ctx.attr("tensor_array_name", A.STR, "") or ctx.name})


def _reader(op_type: str):
    def read(ctx: NodeContext):
        return ctx.op(op_type, ctx.inputs[:3], {
            "dtype": ctx.attr("dtype", A.DTYPE),
            "element_shape": _element_shape(ctx, ctx.inputs[0])})
    return read


def _writer(op_type: str, n: int):
    def write(ctx: NodeContext):
        return ctx.op(op_type, ctx.inputs[:n])
    return write


def _concat(ctx: NodeContext):
    rest = ctx.attr("element_shape_except0", A.SHAPE, TensorShape(None))
    shape = TensorShape([None] + list(rest.as_tuple())) if rest.ndims is not None else \
        _element_shape(ctx, ctx.inputs[0])
    return ctx.op("TensorArrayConcatV3", ctx.inputs[:2],
                  {"dtype": ctx.attr("dtype", A.DTYPE), "element_shape": shape})


def _split(ctx: NodeContext):
    from ..ir.ops.math_ops import cast
    handle, value, lengths, flow = ctx.inputs[:4]
    lengths = cast(lengths, dt.int64, name=ctx.name + "/lengths/")
    return ctx.op("TensorArraySplitV3", [handle, value, lengths, flow])


def _close(ctx: NodeContext):
    return ctx.op("TensorArrayCloseV3", ctx.inputs[:1])


# ---------------------------------------------------------------- TensorLists
def _listed(t: Tensor) -> Tensor:
    """The tensor `t` passes on through Identities and loop captures, in any interleaving
    (a TF2 function inlined into a v1 graph, as `convert_variables_to_constants_v2` writes a
    Keras LSTM, passes its inputs through `Func/.../input` Identities), stopping at a list."""
    while t not in _LISTS:
        outer = outer_tensor(t)
        if outer is not t:
            t = outer
        elif t.op.type == "Identity":
            t = t.op.inputs[0]
        else:
            break
    return t


def list_of(flow: Tensor, ctx: NodeContext) -> tuple:
    """(handle, element dtype, element shape) of the TensorList `flow` stands for."""
    t = _listed(flow)
    if t not in _LISTS:
        raise GraphDefImportError(f"{ctx.label}: graphc cannot follow this TensorList "
                                  f"('{flow.name}') back to the TensorListReserve or "
                                  "TensorListFromTensor that made it")
    return _LISTS[t]


def carry(outer: Tensor, inner: Tensor) -> None:
    """`inner` (a loop variable, a loop output) is the list `outer` is, if it is one."""
    outer = _listed(outer)
    if outer in _LENGTH:
        raise GraphDefImportError(f"TensorList '{outer.name}' enters a loop after a "
                                  "TensorListPopBack; graphc imports TensorLists as "
                                  "TensorArrays, which do not shrink inside a loop")
    if outer in _LISTS:
        _LISTS[inner] = _LISTS[outer]


def _shape_input(ctx: NodeContext, index: int) -> TensorShape:
    value = ctx.const(index, A.SCALAR if ctx.inputs[index].shape.ndims == 0 else A.INT_LIST,
                      "element_shape")
    if isinstance(value, tuple):
        return TensorShape([None if d < 0 else d for d in value])
    return TensorShape(None)  # a scalar -1: unknown rank


def _new_list(ctx: NodeContext, size: Tensor, dtype, shape: TensorShape):
    handle, flow = ctx.op("TensorArrayV3", [size], {
        "dtype": dtype, "element_shape": shape if shape.ndims is not None else None,
        "dynamic_size": False, "clear_after_read": False,
        "identical_element_shapes": shape.ndims is not None,
        "tensor_array_name": ctx.name}, suffix="array")
    return handle, flow


def _list_reserve(ctx: NodeContext):
    from ..ir.ops.math_ops import cast
    dtype = ctx.attr("element_dtype", A.DTYPE)
    shape = _shape_input(ctx, 0)
    size = cast(ctx.inputs[1], dt.int32, name=ctx.name + "/size/")
    handle, flow = _new_list(ctx, size, dtype, shape)
    out = ctx.op("Identity", [flow])
    _LISTS[out] = (handle, dtype, shape)
    return out


def _list_from_tensor(ctx: NodeContext):
    from ..ir.ops.array_ops import shape as shape_of
    from ..ir.ops.generator_ops import range as range_op
    tensor = ctx.inputs[0]
    shape = TensorShape(list(tensor.shape.as_tuple())[1:]) if tensor.shape.ndims else \
        _shape_input(ctx, 1)
    n = shape_of(tensor, name=ctx.name + "/n/")[0]
    handle, flow = _new_list(ctx, n, tensor.dtype, shape)
    indices = range_op(0, n, name=ctx.name + "/indices/")
    out = ctx.op("TensorArrayScatterV3", [handle, indices, tensor, flow])
    _LISTS[out] = (handle, tensor.dtype, shape)
    return out


def _list_get_item(ctx: NodeContext):
    handle, dtype, shape = list_of(ctx.inputs[0], ctx)
    return ctx.op("TensorArrayReadV3", [handle, ctx.inputs[1], ctx.inputs[0]],
                  {"dtype": dtype, "element_shape": shape})


def _list_set_item(ctx: NodeContext):
    flow = ctx.inputs[0]
    handle, dtype, shape = list_of(flow, ctx)
    if flow in _WRITTEN:
        raise GraphDefImportError(f"{ctx.label}: TensorList '{flow.name}' is updated twice; "
                                  "graphc imports TensorLists as TensorArrays, which hold "
                                  "one value per index (a list forked into two versions "
                                  "is not supported)")
    _WRITTEN.add(flow)
    out = ctx.op("TensorArrayWriteV3", [handle, ctx.inputs[1], ctx.inputs[2], flow])
    _LISTS[out] = (handle, dtype, shape)
    return out


def _length(ctx: NodeContext, handle: Tensor, flow: Tensor, suffix: str = "size"):
    """The number of items of the list `flow`: the array's size, or what pops left."""
    t = flow
    while t not in _LENGTH and t.op.type == "Identity":
        t = t.op.inputs[0]
    if t in _LENGTH:
        return _LENGTH[t]
    return ctx.op("TensorArraySizeV3", [handle, flow], suffix=suffix)


def _empty_list(ctx: NodeContext):
    """EmptyTensorList: a dynamic-size array (max_num_elements, a bound, is not kept)."""
    from ..ir.ops.generator_ops import zeros
    dtype = ctx.attr("element_dtype", A.DTYPE)
    shape = _shape_input(ctx, 0)
    handle, flow = ctx.op("TensorArrayV3", [zeros([], dt.int32, name=ctx.name + "/size/")], {
        "dtype": dtype, "element_shape": shape if shape.ndims is not None else None,
        "dynamic_size": True, "clear_after_read": False,
        "identical_element_shapes": shape.ndims is not None,
        "tensor_array_name": ctx.name}, suffix="array")
    out = ctx.op("Identity", [flow])
    _LISTS[out] = (handle, dtype, shape)
    return out


def _list_push_back(ctx: NodeContext):
    flow, value = ctx.inputs[:2]
    handle, dtype, shape = list_of(flow, ctx)
    if flow in _LENGTH:
        raise GraphDefImportError(f"{ctx.label}: a push after a TensorListPopBack is not "
                                  "supported (graphc's TensorArrays write each index once)")
    if flow in _WRITTEN:
        raise GraphDefImportError(f"{ctx.label}: TensorList '{flow.name}' is updated twice "
                                  "(a list forked into two versions is not supported)")
    _WRITTEN.add(flow)
    index = ctx.op("TensorArraySizeV3", [handle, flow], suffix="index")
    out = ctx.op("TensorArrayWriteV3", [handle, index, value, flow])
    _LISTS[out] = (handle, dtype, shape)
    return out


def _list_pop_back(ctx: NodeContext):
    """(the list without its last item, that item): read at length - 1; the list's
    length is then tracked beside it (straight-line code: not across a loop)."""
    from ..ir.ops.math_ops import subtract
    flow = ctx.inputs[0]
    handle, dtype, shape = list_of(flow, ctx)
    if handle.graph is not ctx.graph:
        raise GraphDefImportError(f"{ctx.label}: TensorListPopBack of a list made outside "
                                  "this loop body or branch is not supported (graphc imports "
                                  "TensorLists as TensorArrays, which do not shrink)")
    if flow in _WRITTEN:
        raise GraphDefImportError(f"{ctx.label}: TensorList '{flow.name}' is updated twice "
                                  "(a list forked into two versions is not supported)")
    _WRITTEN.add(flow)
    length = subtract(_length(ctx, handle, flow), 1, name=ctx.name + "/length/")
    item = ctx.op("TensorArrayReadV3", [handle, length, flow],
                  {"dtype": dtype, "element_shape": shape}, suffix="item")
    out = ctx.op("Identity", [flow])
    _LISTS[out], _LENGTH[out] = (handle, dtype, shape), length
    return [out, item]


def _list_stack(ctx: NodeContext):
    from ..ir.ops.generator_ops import range as range_op
    flow = ctx.inputs[0]
    handle, dtype, shape = list_of(flow, ctx)
    size = _length(ctx, handle, flow)
    indices = range_op(0, size, name=ctx.name + "/indices/")
    out = ctx.op("TensorArrayGatherV3", [handle, indices, flow],
                 {"dtype": dtype, "element_shape": shape})
    n = ctx.attr("num_elements", A.INT, -1)
    if n >= 0 and out.shape.ndims is not None:
        out.set_shape([n] + [None] * (out.shape.ndims - 1))
    return out


def _list_length(ctx: NodeContext):
    handle, _, _ = list_of(ctx.inputs[0], ctx)
    length = _length(ctx, handle, ctx.inputs[0], suffix="")
    return length if length.op.type == "TensorArraySizeV3" else ctx.op("Identity", [length])


IMPORTERS.update({
    "TensorArrayV3": _tensor_array,
    "TensorArrayReadV3": _reader("TensorArrayReadV3"),
    "TensorArrayGatherV3": _reader("TensorArrayGatherV3"),
    "TensorArrayWriteV3": _writer("TensorArrayWriteV3", 4),
    "TensorArrayScatterV3": _writer("TensorArrayScatterV3", 4),
    "TensorArraySizeV3": _writer("TensorArraySizeV3", 2),
    "TensorArrayConcatV3": _concat, "TensorArraySplitV3": _split,
    "TensorArrayCloseV3": _close,
    "TensorListReserve": _list_reserve, "TensorListFromTensor": _list_from_tensor,
    "TensorListGetItem": _list_get_item, "TensorListSetItem": _list_set_item,
    "TensorListStack": _list_stack, "TensorListLength": _list_length,
    "EmptyTensorList": _empty_list, "TensorListPushBack": _list_push_back,
    "TensorListPopBack": _list_pop_back,
})
