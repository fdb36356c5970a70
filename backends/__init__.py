"""graphc.backends: what compiles a Plan (ir/plan.py) and runs it. numpy/ is the reference
interpreter (a flat schedule over the OpDefs' numpy semantics, a Fused node's body
inlined op by op); llvm/ the JIT backend, in stages read in the order a Plan flows
through them (its __init__ lists them). Both read the Plan and never change it.

Each imports graphc.ir only, never a pass."""
