"""graphc.passes: what happens to a graph between the user's program and a backend.

Autodiff (`gradients`, with `control_flow_grad` for If and While) adds gradient ops to the
user's graph. For each Session.run, `prune` finds what the fetches need and the order it runs
in, `plan` copies that into a plan of its own (`loop_shapes` giving its While nodes the
fed shapes their bodies keep), and `manager` runs the plan -> plan pipeline
over it, in order: prune, constant folding (`fold`), algebraic simplification (`simplify`),
common-subexpression elimination (`cse`), prune again, and fusion of elementwise groups
(`fuse`). `inline` splices a held graph into the graph around it, for folding a cond whose
predicate is a constant.

Imports graphc.ir only; never a backend.
"""
from .prune import Program, build_program  # noqa: F401
from .gradients import gradients  # noqa: F401
