"""graphc.passes: what happens to a graph between the user's program and a backend.

Autodiff (`gradients`, with `control_flow_grad` for If and While) adds gradient ops to the
user's graph. For each Session.run, `prune` finds what the fetches need and the order it runs
in, `lower` copies that into a graph of its own specialised to the fed shapes (its While
nodes too, as far as their bodies keep them), and `manager` runs the Lowered -> Lowered
pipeline over it, in order: prune, constant folding (`fold`), algebraic simplification
(`simplify`), common-subexpression elimination (`cse`), convolution epilogues
(`fuse_conv`), prune again, and fusion of elementwise groups (`fuse`); its last stage
freezes the result into the immutable Plan a backend compiles (ir/plan.py). `inline`
splices a held graph into the graph around it, for folding a cond whose predicate is a
constant.

Imports graphc.ir only; never a backend.
"""
from .prune import Program, build_program  # noqa: F401
from .gradients import gradients  # noqa: F401
