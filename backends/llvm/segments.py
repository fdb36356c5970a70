"""Stage 4 of the llvm backend: the plan's LLVM module. It receives the segments lowering
made (maximal runs of native steps) and the buffer plan, and hands on to the JIT one
module with a function per segment, `i32 segment<i>(i8** table, i8* arena)`:

for each kernel of each step, the function gathers the kernel's operand pointers (a table
slot for feeds, constants, variables and results; an offset into the arena for
intermediates), calls the kernel (split across the cores by `parallel.emit_call` when it
is large), and returns early with the number of the failing step when a kernel that can
meet bad data reports it (the runtime then names the op and the user's line).
"""
from __future__ import annotations

from dataclasses import dataclass

from llvmlite import ir

from . import irutil as U
from .buffers import Buffer
from .parallel import emit_call


@dataclass
class PlanModule:
    module: ir.Module
    names: list           # the segment functions, in order
    error_sites: list     # status - 1 -> the step whose kernel failed
    profiled: list        # (step, kernel) per profile counter


def emit_segments(segments: list, buffers: dict, profile_slot: int = -1,
                  symbols: tuple = ()) -> PlanModule:
    """One function per segment. With `profile_slot`, every kernel call adds its elapsed
    cycle count (rdtsc) to counters[kernel index], an int64 array at that table slot.
    With `symbols` (a plan's symbolic dims), every kernel gets the run's dims (the
    arena's first bytes, irutil.use_dims) as its last operand."""
    module = ir.Module(name="graphc_plan")
    module.graphc_symbols = list(symbols)
    counter = 0
    kernels_seen: list = []
    error_sites: list = []
    for si, seg in enumerate(segments):
        fn = ir.Function(module, ir.FunctionType(U.I32, [U.PTR.as_pointer(), U.PTR]),
                         name=f"segment{si}")
        table, arena = fn.args
        b = ir.IRBuilder(fn.append_basic_block("entry"))
        if symbols:
            U.use_dims(b, arena, symbols)
        for step in seg:
            kernels = step.emit(module, f"k{counter}")
            counter += 1
            for k in kernels if isinstance(kernels, list) else [kernels]:
                step.kernel = k
                _mark_noalias(module, k, buffers)
                ptrs = b.alloca(ir.ArrayType(U.PTR, len(k.operands) + bool(symbols)))
                for i, t in enumerate(k.operands):
                    buf = t if isinstance(t, Buffer) else buffers[t]
                    if buf.kind == "arena":
                        p = U.byte_offset(b, arena, buf.offset)
                    else:
                        p = b.load(b.gep(table, [ir.Constant(U.I64, buf.slot)], inbounds=True))
                    b.store(p, b.gep(ptrs, [ir.Constant(U.I32, 0), ir.Constant(U.I32, i)]))
                if symbols:  # the dims, last
                    b.store(arena, b.gep(ptrs, [ir.Constant(U.I32, 0),
                                                ir.Constant(U.I32, len(k.operands))]))
                first = b.gep(ptrs, [ir.Constant(U.I32, 0), ir.Constant(U.I32, 0)])
                if profile_slot >= 0:
                    clock = U.intrinsic(module, "llvm.readcyclecounter", U.I64, [])
                    t0 = b.call(clock, [])
                status = emit_call(b, module.globals[k.name], first, k)
                if profile_slot >= 0:
                    spent = b.sub(b.call(clock, []), t0)
                    counts = b.bitcast(b.load(b.gep(table, [ir.Constant(U.I64,
                                                                        profile_slot)])),
                                       U.I64.as_pointer())
                    cell = b.gep(counts, [ir.Constant(U.I64, len(kernels_seen))])
                    b.store(b.add(b.load(cell), spent), cell)
                kernels_seen.append((step, k))
                if k.can_fail:  # stop the segment; Python reports the op and its line
                    error_sites.append(step)
                    failed = b.icmp_signed("!=", status, ir.Constant(U.I32, 0))
                    with b.if_then(failed):
                        b.ret(ir.Constant(U.I32, len(error_sites)))
        b.ret(ir.Constant(U.I32, 0))
    return PlanModule(module, [f"segment{i}" for i in range(len(segments))], error_sites,
                      kernels_seen)


def _mark_noalias(module, k, buffers: dict) -> None:
    """Operands whose buffer no other operand of the kernel shares are `noalias`."""
    bufs = [t if isinstance(t, Buffer) else buffers[t] for t in k.operands]
    body = module.globals[k.name + "_body"]
    for arg, buf in zip(body.args, bufs):
        if sum(b is buf for b in bufs) == 1:
            arg.add_attribute("noalias")
