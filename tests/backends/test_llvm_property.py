"""Property: random graphs of registry ops give the same values on llvm as on the numpy
interpreter, for odd sizes (0, 1, primes), broadcasting and non-contiguous feeds
(derandomized, bounded examples; tolerances from graphc.ir.numerics)."""
from __future__ import annotations

import warnings

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import graphc as tf

UNARY = [tf.tanh, tf.sigmoid, tf.exp, tf.square, tf.abs, tf.negative, tf.nn.relu,
         lambda t: tf.log(tf.abs(t) + 1.0), tf.sin, lambda t: tf.sqrt(tf.abs(t)),
         tf.nn.softplus, tf.nn.elu, lambda t: tf.transpose(t),
         lambda t: tf.cast(tf.cast(t, tf.float64) * 2.0, tf.float32),
         lambda t: tf.reverse(t, [0]), lambda t: tf.nn.softmax(t),
         lambda t: t[:, ::2] if t.shape[1] is not None and t.shape[1] > 1 else t]
BINARY = [tf.add, tf.subtract, tf.multiply, tf.maximum, tf.minimum,
          lambda a, b: tf.where(a > b, a, b * 0.5), lambda a, b: a / (tf.abs(b) + 1.0)]
REDUCE = [tf.reduce_sum, tf.reduce_max, tf.reduce_mean, tf.reduce_min]

step = st.tuples(st.sampled_from(["unary", "binary", "reduce", "row", "matmul"]),
                 st.integers(0, 1000), st.integers(0, 1000))
SIZES = [0, 1, 2, 3, 5, 7, 13, 31]


@settings(derandomize=True, max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(step, min_size=1, max_size=10), st.sampled_from(SIZES),
       st.sampled_from(SIZES[1:]), st.booleans())
def test_llvm_matches_numpy_on_random_graphs(steps, rows, cols, strided_feed):
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, cols], name="x")
        r = tf.placeholder(tf.float32, [cols], name="row")
        pool = [x]
        for kind, a, b in steps:
            t = pool[a % len(pool)]
            u = pool[b % len(pool)]
            if t.shape.as_list() != u.shape.as_list():
                u = t
            if kind == "unary":
                out = UNARY[b % len(UNARY)](t)
            elif kind == "binary":
                out = BINARY[b % len(BINARY)](t, u)
            elif kind == "reduce":
                out = REDUCE[b % len(REDUCE)](t, axis=b % 2, keepdims=True) + t
            elif kind == "row":
                out = t * r if t.shape[-1] == cols else t + 1.0  # broadcasting
            else:
                out = tf.reduce_sum(tf.matmul(t, t, transpose_b=True), axis=1,
                                    keepdims=True) * 0.1 + t
            if out.shape.ndims == 2:
                pool.append(out)
        rng = np.random.RandomState(rows * 100 + cols)
        base = rng.randn(rows, 2 * cols).astype(np.float32)
        xv = base[:, ::2] if strided_feed else np.ascontiguousarray(base[:, :cols])
        feed = {x: xv, r: rng.randn(cols).astype(np.float32)}
        fetches = pool[1:] or [x]
        results = {}
        for backend in ("numpy", "llvm"):
            with tf.Session(graph=g, backend=backend) as sess, warnings.catch_warnings():
                warnings.simplefilter("ignore")
                results[backend] = sess.run(fetches, feed)
    for i, (a, b) in enumerate(zip(results["llvm"], results["numpy"])):
        assert a.shape == b.shape and a.dtype == b.dtype, f"fetch {i}"
        scale = float(np.nanmax(np.abs(b[np.isfinite(b)]), initial=1.0))
        np.testing.assert_allclose(a, b, rtol=2e-5, atol=2e-5 * scale, equal_nan=True,
                                   err_msg=f"fetch {i} of {len(fetches)}")
