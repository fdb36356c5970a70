"""Contract samples for EditDistance (ir/ops/edit_distance_ops.py): int and string values,
normalized or not, sequences present in one of the tensors only."""
import numpy as np

from graphc.ir.ops import core_ops
from graphc.ir.ops.edit_distance_ops import edit_distance_op

ph = core_ops.placeholder


def _sample(dtype, normalize):
    def build():
        hi, hv, hs = ph("int64", [None, 3]), ph(dtype, [None]), ph("int64", [3])
        ti, tv, ts = ph("int64", [None, 3]), ph(dtype, [None]), ph("int64", [3])
        vals = (np.array([1, 2, 3, 4, 5], dtype) if dtype != "string" else
                np.array([b"a", b"b", b"c", b"d", b"e"], object))
        feed = {hi: np.array([[0, 0, 0], [0, 0, 1], [0, 1, 0], [1, 0, 0], [1, 0, 1]]),
                hv: vals, hs: np.array([2, 2, 2]),
                ti: np.array([[0, 0, 0], [1, 0, 0], [1, 0, 1], [1, 1, 0]]),
                tv: vals[[0, 4, 3, 1]], ts: np.array([2, 3, 2])}
        return edit_distance_op((hi, hv, hs), (ti, tv, ts), normalize), feed
    build.__name__ = f"{dtype}_{'normalized' if normalize else 'counts'}"
    return build


SAMPLES = {"EditDistance": [_sample("int32", True), _sample("string", False),
                            _sample("float32", False)]}
