"""The llvm backend: fused, vectorised CPU kernels JIT-compiled with llvmlite.

Its modules read in the order a Plan (ir/plan.py) flows through them (pipeline.py runs
the stages):

 1. buffers.py        the buffer plan: a Buffer per tensor (feed, const, var, out, arena,
                      py), views sharing their input's, liveness, the arena layout
 2. lowering.py       the walk and its one table (TABLE): per op, native kernels, the
                      numpy kernel, or the backend's own host kernel (While's loop,
                      stage 7); the steps, split into native segments
    lowering_rules.py   the rules of TABLE for every op but convolutions
    conv_lowering.py    the rules for convolutions and pooling, and conv epilogues
    index_lowering.py   the rules for ops that index by data: one-hot, segment sums,
                        scatters
    update_lowering.py  the rules for variable writes: alone, forwarded into the kernel
                        of their value, or a Fused node's updates in one loop nest
    symbolic_movement.py  movement ops on symbolic shapes: copies found at probe sizes
 3. loops.py          emission of loop nests: elementwise and fused bodies, copies,
                      reductions (the Kernel calling convention)
    streaming.py        large elementwise outputs written past the caches: tiles in
                        an L1 scratch, copied out as nontemporal whole-line stores
    kernels.py          the other kernels: softmax, cross-entropy, matmul, gathers,
                        scatters
    gemm.py             the float32 GEMM matmuls call on AVX-512 hosts (else the BLAS)
    conv_kernels.py     convolution kernels: geometry, im2col blocks around the BLAS
    direct_conv_kernels.py  register-blocked direct convolutions and their gradients
    winograd_kernels.py  Winograd F(2x2, 5x5) convolutions (5x5, stride 1)
    depthwise_kernels.py  depthwise convolution kernels and their gradients
    fused_conv_kernels.py  fused convolutions' kernels: epilogues, depthwise in registers
    pool_kernels.py     pooling kernels
    scalar_ops.py       one scalar emitter per pointwise op (the body of a loop nest)
    special_scalar.py   the emitters of the special functions (erfc, lgamma, digamma, ...)
    vmath.py            the math library: vectorisable exp, log, tanh, sin, ...
    irutil.py           llvmlite helpers (types, loops, the error flag)
 4. segments.py       the plan's LLVM module: a function per segment calling its kernels,
    parallel.py         split across the cores (calls into the thread pool)
 5. cache.py          JIT compilation and the object cache, for the host of target.py
    threadpool.py       the process's one thread pool (native code of its own, built
                        with the host target; the BLAS runs on it)
    pool_ir.py          the pool's native code: workers, dispatch, the split back-off
 6. runtime.py        the executable: per-run workspaces, the native calls, the numpy
                      fallback between them, native errors named by op and user line
    guard.py            bound checks of every buffer after every segment (tests and
                        GRAPHC_ARENA_CHECK=1)
 7. native_while.py   While, lowered by the backend: the loop ir states (WhileLoop), its
                      step (body then condition) run by the native while-loop driver
                      where it lowers to one segment, from Python where it does not
 8. tracing.py        observed runs (run tracing, numerics checks): a segment per step,
                      each step's results reported as it finishes
"""
from __future__ import annotations


def available() -> bool:
    """True when llvmlite imports and can target this CPU."""
    try:
        from .target import host  # imported here: llvmlite may be missing
        host()
    except Exception:  # noqa: BLE001 - any failure means "use numpy"
        return False
    return True


def compile_plan(plan, state, validate: bool = False, profile: bool = False,
                 observed: bool = False, functions=None):
    from .pipeline import compile_plan as _compile  # (llvmlite only when used)
    return _compile(plan, state, validate=validate, profile=profile, observed=observed,
                    functions=functions)
