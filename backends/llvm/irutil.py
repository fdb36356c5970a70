"""Small llvmlite helpers every emitter uses: types of graphc dtypes, constants, loads and
stores, counted loops, intrinsics, and the error flag.

Storage and register types differ only for bool (one byte in memory, i1 in registers).
The error flag is how native code reports bad data (integer division by zero, an index
out of range) without trapping: a kernel's body starts one, scalar emitters raise it,
and the kernel returns it as its status (see DESIGN.md, "Native errors").
"""
from __future__ import annotations

import contextlib

import numpy as np
from llvmlite import ir

from graphc.ir.symbolic import Sym, SymbolicDimError

I1, I8, I32, I64 = ir.IntType(1), ir.IntType(8), ir.IntType(32), ir.IntType(64)
F32, F64 = ir.FloatType(), ir.DoubleType()
PTR = ir.PointerType(I8)
VOID = ir.VoidType()

_STORAGE = {
    "float32": F32, "float64": F64, "int8": I8, "uint8": I8, "int16": ir.IntType(16),
    "uint16": ir.IntType(16), "int32": I32, "uint32": I32, "int64": I64, "uint64": I64,
    "bool": I8,
}
LOWERABLE_DTYPES = frozenset(_STORAGE)


def storage_type(dtype) -> ir.Type:
    return _STORAGE[dtype.name]


def value_type(dtype) -> ir.Type:
    return I1 if dtype.name == "bool" else _STORAGE[dtype.name]


def is_float(dtype) -> bool:
    return dtype.name in ("float32", "float64")


def is_signed(dtype) -> bool:
    return dtype.name.startswith("int")


def const(dtype, value) -> ir.Constant:
    """A register constant of `dtype` holding `value` (numpy's conversion)."""
    v = np.asarray(value).astype(dtype.np)[()]
    t = value_type(dtype)
    if dtype.name == "bool":
        return ir.Constant(t, int(bool(v)))
    if is_float(dtype):
        return ir.Constant(t, float(v))
    return ir.Constant(t, int(v) & ((1 << t.width) - 1))


def load(builder: ir.IRBuilder, ptr, dtype, index) -> ir.Value:
    """Element `index` of a buffer of `dtype` at the i8* `ptr`."""
    typed = builder.bitcast(ptr, storage_type(dtype).as_pointer())
    value = builder.load(builder.gep(typed, [index], inbounds=True))
    if dtype.name == "bool":
        return builder.icmp_unsigned("!=", value, ir.Constant(I8, 0))
    return value


def store(builder: ir.IRBuilder, ptr, dtype, index, value) -> None:
    typed = builder.bitcast(ptr, storage_type(dtype).as_pointer())
    if dtype.name == "bool":
        value = builder.zext(value, I8)
    builder.store(value, builder.gep(typed, [index], inbounds=True))


def byte_offset(builder: ir.IRBuilder, base, offset):
    """`base` + `offset` bytes (an int or a Sym)."""
    if is_zero(offset):
        return base
    return builder.gep(base, [dim(builder, offset)], inbounds=True)


# ---------------------------------------------------------------- symbolic dims
# A plan with symbolic dims (graphc.ir.symbolic) keeps their sizes in the first bytes of
# the arena, as an int64 per symbol (runtime.py writes them per run). A function reading
# them is given that address as `dims` (`use_dims`); `dim` turns a size, an int or a Sym,
# into an i64 value, loading each symbol once, at the function's entry.
DIMS_BYTES = 64  # the arena's first bytes: up to 8 symbols


def use_dims(builder: ir.IRBuilder, dims_ptr, symbols: list) -> None:
    """Let `dim` read `symbols` (names, in dims order) from `dims_ptr` (i8*): loaded here,
    at the entry of the function `builder` builds (LLVM drops the ones never used)."""
    typed = builder.bitcast(dims_ptr, I64.as_pointer())
    builder.dims = {name: builder.load(builder.gep(typed, [ir.Constant(I64, i)],
                                                   inbounds=True), name=name)
                    for i, name in enumerate(symbols)}


def i64(v: int) -> ir.Constant:
    """The i64 constant `v` (offsets, counts, loop bounds)."""
    return ir.Constant(I64, v)


def dim(builder: ir.IRBuilder, size) -> ir.Value:
    """An i64 holding `size` (an int, a Sym evaluated from the run's dims, or a value)."""
    if isinstance(size, ir.Value):
        return size
    if not isinstance(size, Sym):
        return ir.Constant(I64, size)
    dims = getattr(builder, "dims", None)
    if dims is None:  # (an emitter not given the dims: its plan compiles per shape)
        raise SymbolicDimError(f"the dim {size} has no run-time value here",
                               symbols=size.symbols)
    total = None
    for mono, coef in sorted(size.terms.items()):
        term = ir.Constant(I64, coef)
        for name in mono:
            term = builder.mul(term, dims[name], flags=["nsw"])
        total = term if total is None else builder.add(total, term, flags=["nsw"])
    return total


def is_zero(size) -> bool:
    """`size` is the constant 0 (a Sym is not: it is known only at run time)."""
    return not isinstance(size, Sym) and size == 0


@contextlib.contextmanager
def for_range(builder: ir.IRBuilder, count, start=None, name: str = "i"):
    """`for (i = start; i < count; ++i)`; yields the induction variable (i64); `count`
    may be an int, a Sym or a value."""
    if not isinstance(count, ir.Value):
        count = dim(builder, count)
    start = start if start is not None else ir.Constant(I64, 0)
    pre = builder.block
    cond = builder.append_basic_block(f"{name}.cond")
    body = builder.append_basic_block(f"{name}.body")
    end = builder.append_basic_block(f"{name}.end")
    builder.branch(cond)
    builder.position_at_end(cond)
    index = builder.phi(I64, name=name)
    index.add_incoming(start, pre)
    builder.cbranch(builder.icmp_signed("<", index, count), body, end)
    builder.position_at_end(body)
    yield index
    nxt = builder.add(index, ir.Constant(I64, 1), name=f"{name}.next", flags=["nsw", "nuw"])
    index.add_incoming(nxt, builder.block)
    builder.branch(cond)
    builder.position_at_end(end)


def intrinsic(module: ir.Module, name: str, ret: ir.Type, args: list) -> ir.Function:
    """Declare (once) an LLVM intrinsic or external function."""
    fn = module.globals.get(name)
    if fn is None:
        fn = ir.Function(module, ir.FunctionType(ret, args), name=name)
    return fn


def call_intrinsic(builder: ir.IRBuilder, base: str, *args) -> ir.Value:
    """`llvm.<base>.<type>` on scalar float/int args, e.g. call_intrinsic(b, "sqrt", x)."""
    t = args[0].type
    suffix = {F32: "f32", F64: "f64"}.get(t) or f"i{t.width}"
    fn = intrinsic(builder.module, f"llvm.{base}.{suffix}", t, [a.type for a in args])
    return builder.call(fn, list(args))


# ---------------------------------------------------------------- the error flag
def start_error_flag(b: ir.IRBuilder) -> None:
    """Give the function `b` builds an error flag, cleared (call at its entry)."""
    b.error_flag = b.alloca(I1, name="error")
    b.store(ir.Constant(I1, 0), b.error_flag)


def raise_error_if(b: ir.IRBuilder, condition) -> None:
    """Mark the function failed where `condition` (i1) holds; it runs on (no trap)."""
    b.store(b.or_(b.load(b.error_flag), condition), b.error_flag)
    b.may_fail = True


def return_status(b: ir.IRBuilder) -> bool:
    """Return the error flag as the function's i32 status (1: failed); True when some
    emitter could raise it (the caller then checks the status)."""
    b.ret(b.zext(b.load(b.error_flag), I32))
    return bool(getattr(b, "may_fail", False))
