"""graphc.passes: Graph -> Graph transformations, pruning, scheduling and (later) autodiff.

Imports graphc.ir only; never a backend.
"""
from .prune import Program, build_program  # noqa: F401
from .gradients import gradients  # noqa: F401
