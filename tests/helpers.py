"""Helpers shared by test modules."""
import numpy as np

import graphc


def run(fetches, feed_dict=None):
    """Run `fetches` in a fresh Session on the default graph."""
    with graphc.Session() as sess:
        return sess.run(fetches, feed_dict)


def central_difference(f, x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """The numerical gradient of the scalar function `f` at `x` (central differences)."""
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[i] += eps
        down[i] -= eps
        g[i] = (f(up) - f(down)) / (2 * eps)
    return g
