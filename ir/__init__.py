"""graphc.ir: dtypes, shapes, the graph, the op registry, printer and verifier.

Imports only numpy (and networkx in the verifier). Every other layer builds on this one.
"""
from . import dtypes, errors, shapes  # noqa: F401
from .context import get_default_graph, reset_default_graph  # noqa: F401
from .dtypes import DType, as_dtype  # noqa: F401
from .graph import Graph, Operation, Tensor, TensorLike  # noqa: F401
from .registry import NON_DIFFERENTIABLE, OpDef, all_opdefs, get_opdef  # noqa: F401
from .shapes import Dimension, TensorShape  # noqa: F401
from . import ops  # noqa: F401  (registers every op)
from . import overloads  # noqa: F401
