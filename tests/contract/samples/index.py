"""Contract samples for UnravelIndex, EnsureShape and Timestamp (ir/ops/index_ops.py)."""
import numpy as np

from graphc.ir.ops import core_ops, index_ops as X, math_ops as M

ph = core_ops.placeholder
R = np.random.RandomState(43)


def _unravel(indices, dims, dtype="int32"):
    def build():
        i = ph(dtype, list(np.shape(indices)))
        return X.unravel_index(i, np.asarray(dims, dtype)), {i: np.asarray(indices, dtype)}
    build.__name__ = f"unravel_{np.ndim(indices)}d_{dtype}"
    return build


def _ensure(shape, want, dtype="float64"):
    def build():
        x = ph(dtype, [None] * len(shape))
        return X.ensure_shape(x, want), {x: R.randn(*shape).astype(dtype)}
    build.__name__ = f"ensure_{'x'.join(map(str, shape))}_{dtype}"
    return build


def _timestamp_after_2020():  # (outputs that agree between runs, for backend comparisons)
    return M.greater(X.timestamp(), np.float64(1.577e9)), {}


def _timestamp_minus_itself():
    t = X.timestamp()
    return M.subtract(t, t), {}


SAMPLES = {
    "UnravelIndex": [_unravel([0, 5, 11, 7], [3, 4]), _unravel(17, [2, 3, 4], "int64"),
                     _unravel([], [2, 2])],
    "EnsureShape": [_ensure((2, 3), [None, 3]), _ensure((4,), [4], "float32"),
                    _ensure((1, 2, 2), None)],
    "Timestamp": [_timestamp_after_2020, _timestamp_minus_itself],
}
