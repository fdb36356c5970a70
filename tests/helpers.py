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


def run_both(fetches, feed_dict=None, setup=None, strict: bool = False) -> list:
    """[numpy result, llvm result] of `fetches` on the default graph, each in a fresh
    Session (after running `setup`); llvm's FallbackWarnings are ignored, or errors with
    `strict` (the ops must lower natively)."""
    import warnings
    from graphc.backends.llvm.lowering import FallbackWarning
    out = []
    for backend in ("numpy", "llvm"):
        with graphc.Session(backend=backend) as sess, warnings.catch_warnings():
            warnings.simplefilter("error" if strict else "ignore", FallbackWarning)
            if setup is not None:
                sess.run(setup)
            out.append(sess.run(fetches, feed_dict))
    return out
