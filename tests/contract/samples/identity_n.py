"""Contract samples for IdentityN (tf.identity_n, the op tf.custom_gradient overrides)."""
import numpy as np

from graphc.ir.ops import core_ops
from graphc.ir.ops.identity_n_ops import identity_n

ph = core_ops.placeholder
R = np.random.RandomState(0)


def _two_dtypes():
    x = ph("float64", [None, 2])
    y = ph("int32", [3])
    return identity_n([x, y]), {x: R.randn(4, 2), y: np.arange(3, dtype=np.int32)}


def _one_unknown_rank():
    x = ph("float32", None)
    return identity_n([x]), {x: R.randn(2, 3).astype(np.float32)}


SAMPLES = {"IdentityN": [_two_dtypes, _one_unknown_rank]}
