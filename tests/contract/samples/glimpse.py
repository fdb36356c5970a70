"""Contract samples for ExtractGlimpse (ir/ops/glimpse_ops.py): windows inside the image,
and partly outside it (noise)."""
import numpy as np

from graphc.ir.ops import core_ops
from graphc.ir.ops.glimpse_ops import extract_glimpse

ph = core_ops.placeholder


def _sample(offsets, **kw):
    def build():
        x, off = ph("float32", [2, 9, 8, 3]), ph("float32", [2, 2])
        rng = np.random.RandomState(59)
        return extract_glimpse(x, [4, 5], off, **kw), {
            x: rng.rand(2, 9, 8, 3).astype(np.float32), off: np.float32(offsets)}
    build.__name__ = "_".join(f"{k}_{v}" for k, v in kw.items()) or "defaults"
    return build


SAMPLES = {"ExtractGlimpse": [
    _sample([[0.1, -0.2], [0.0, 0.3]]),
    _sample([[0.0, 0.0], [9.0, 1.0]], centered=False, normalized=False, uniform_noise=False),
    _sample([[-0.9, 0.9], [0.5, 0.5]], centered=True, normalized=True)]}
