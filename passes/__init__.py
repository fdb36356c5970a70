"""graphc.passes: what happens to a graph between the user's program and a backend.

Autodiff (`gradients`, with `control_flow_grad` for If and While) adds gradient ops to the
user's graph; If's and While's VJP rules run the walk over their held graphs, so they sit
above it and are attached here, once, after both are imported. For each Session.run,
`prune` finds what the fetches need and the order it runs in, `lower` copies that into a
graph of its own specialised to the fed shapes (its While nodes too, as far as their
bodies keep them), and `manager` runs the Lowered -> Lowered pipeline over it, in order:
prune, constant folding (`fold`), algebraic simplification (`simplify`), common-
subexpression elimination (`cse`), convolution epilogues (`fuse_conv`), prune again, and
fusion of elementwise groups (`fuse`); its last stage freezes the result into the
immutable Plan a backend compiles (ir/plan.py). `inline` splices a held graph into the
graph around it, for folding a cond whose predicate is a constant.

Imports graphc.ir only; never a backend.
"""
from .prune import Program, build_program  # noqa: F401
from .gradients import gradients  # noqa: F401
from .control_flow_grad import register_vjps as _register_control_flow_vjps

_register_control_flow_vjps()  # If's and While's rules, which call the walk above
