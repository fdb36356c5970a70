"""graphc.ir: the two IRs and what defines them, the layer every other one builds on.

The user's IR: dtypes, shapes (with symbolic dims, `symbolic`), the append-only Graph of
Operations and Tensors (`graph`; the graphs a node holds, `func_graph`), creation sites,
the default graph (`context`). The op registry (`registry`: one OpDef per op, its facets)
and the op families (`ops`, listed bottom up in its __init__). The backends' IR: `plan`,
the immutable Plan the passes' last stage freezes and every backend compiles (a Fused
node's body a Plan of its own). Shared by the layers above: the one constant evaluator
(`evaluate`), run-time state, the kernels' context and the GraphRunner protocol through
which backends run held graphs (`runtime`), TF1's error classes, the printer, the
verifier, the `.graphc` file (`serialize`, `fileio`), Philox, the tolerances of
equivalence tests (`numerics`), and numpy codecs of what TensorFlow reads and writes
(JPEG, PNG, GIF, BMP, WAV, CRC-32C, protobuf's wire format).

Imports only numpy (and networkx in the verifier).
"""
from . import dtypes, errors, shapes  # noqa: F401
from .context import get_default_graph, reset_default_graph  # noqa: F401
from .dtypes import DType, as_dtype  # noqa: F401
from .graph import Graph, Operation, Tensor, TensorLike  # noqa: F401
from .registry import NON_DIFFERENTIABLE, OpDef, all_opdefs, get_opdef  # noqa: F401
from .shapes import Dimension, TensorShape  # noqa: F401
from . import ops  # noqa: F401  (registers every op)
from . import overloads  # noqa: F401
