"""A readable text form of a graph, one line per op, nested graphs indented.

    %h = MatMul(%x, %W/read) {transpose_a=False, transpose_b=False} : f32[?,256]  # mlp.py:12
        ^init                       (control inputs follow a caret)

Tensor references print as `%op` for output 0 and `%op:i` otherwise.
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from .dtypes import DType
from .shapes import TensorShape

_SHORT = {"float16": "f16", "float32": "f32", "float64": "f64", "int8": "i8", "int16": "i16",
          "int32": "i32", "int64": "i64", "uint8": "u8", "bool": "bool", "string": "str"}


def type_str(dtype: DType, shape: TensorShape) -> str:
    name = _SHORT.get(dtype.name, dtype.name)
    dims = shape.as_tuple()
    if dims is None:
        return f"{name}[*]"
    return f"{name}[" + ",".join("?" if d is None else str(d) for d in dims) + "]"


def ref(t) -> str:
    return f"%{t.op.name}" if t.value_index == 0 else f"%{t.op.name}:{t.value_index}"


def _attr_str(value) -> str:
    if isinstance(value, np.ndarray):
        if value.size <= 6:
            body = np.array2string(value.reshape(-1), separator=",", threshold=6)
            return body if value.ndim <= 1 else f"{body}.reshape{value.shape}"
        return f"<{value.dtype}{list(value.shape)}>"
    if isinstance(value, DType):
        return value.name
    if isinstance(value, TensorShape):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    return repr(value) if isinstance(value, str) else str(value)


def format_op(op, with_sites: bool = True) -> str:
    args = ", ".join(ref(t) for t in op.inputs)
    attrs = {k: v for k, v in op.attrs.items() if k not in ("dtype",) or op.type == "Cast"}
    if op.gradient_op_type is not None:
        attrs["_gradient_op_type"] = op.gradient_op_type
    attr_text = (" {" + ", ".join(f"{k}={_attr_str(v)}" for k, v in attrs.items()) + "}"
                 if attrs else "")
    outs = ", ".join(type_str(t.dtype, t.shape) for t in op.outputs) or "()"
    line = f"%{op.name} = {op.type}({args}){attr_text} : {outs}"
    if op.control_inputs:
        line += "  ^" + " ^".join(c.name for c in op.control_inputs)
    if with_sites and op.site is not None:
        line += f"  # {op.site.short()}"
    return line


def format_graph(graph, with_sites: bool = True, indent: int = 0,
                 title: Optional[str] = None) -> str:
    pad = "  " * indent
    ops = graph.get_operations()
    lines = [f"{pad}{title or 'graph'} ({len(ops)} ops) {{"]
    for op in ops:
        lines.append(pad + "  " + format_op(op, with_sites))
        for name, sub in op.subgraphs.items():
            lines.append(format_graph(sub, with_sites, indent + 2, title=f"{name}:"))
    lines.append(pad + "}")
    return "\n".join(lines)


def print_graph(graph, with_sites: bool = True) -> None:
    print(format_graph(graph, with_sites))
