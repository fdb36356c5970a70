"""Property: for random graphs of registry ops, the optimized plan computes the same values
as the unoptimized one (derandomized, bounded examples)."""
import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import graphc as tf

UNARY = [tf.tanh, tf.sigmoid, tf.square, tf.abs, tf.negative, tf.identity, tf.stop_gradient,
         lambda t: tf.nn.relu(t), lambda t: tf.transpose(tf.transpose(t)),
         lambda t: tf.reshape(tf.reshape(t, [-1]), tf.shape(t)),
         lambda t: tf.cast(tf.cast(t, tf.float64), tf.float32)]
BINARY = [tf.add, tf.subtract, tf.multiply, tf.maximum, tf.minimum]
CONSTS = [0.0, 1.0, 2.0, -0.5]

OFF = tf.ConfigProto(graph_options=tf.GraphOptions(
    disabled_passes=["fold_constants", "simplify", "cse", "prune_after", "fuse"]))

step = st.tuples(st.sampled_from(["unary", "binary", "const", "reduce", "dup"]),
                 st.integers(0, 100), st.integers(0, 100))


@settings(derandomize=True, max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(step, min_size=1, max_size=14), st.integers(1, 5))
def test_optimized_plan_matches_unoptimized(steps, batch):
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 3], name="x")
        pool = [x, tf.constant(np.float32([1.0, 2.0, 3.0]))]
        for kind, a, b in steps:
            t = pool[a % len(pool)]
            u = pool[b % len(pool)]
            if kind == "unary":
                pool.append(UNARY[b % len(UNARY)](t))
            elif kind == "binary":
                pool.append(BINARY[b % len(BINARY)](t, u))
            elif kind == "const":
                pool.append(tf.multiply(t, CONSTS[b % len(CONSTS)]) + CONSTS[a % len(CONSTS)])
            elif kind == "reduce" and t.shape.ndims == 2:
                pool.append(tf.reduce_sum(t, axis=b % 2, keepdims=True))
            else:
                pool.append(tf.tanh(t) + tf.tanh(t))  # a duplicate subexpression
        # All values (every group output escapes), or only the last two (groups grow).
        fetches = (pool[2:] if batch % 2 else pool[-2:]) or [x]
        feed = {x: np.random.RandomState(batch).randn(batch, 3).astype(np.float32)}
        with tf.Session(graph=g) as on, tf.Session(graph=g, config=OFF) as off:
            got, want = on.run(fetches, feed), off.run(fetches, feed)
    for i, (a, b) in enumerate(zip(got, want)):
        assert np.shape(a) == np.shape(b), f"fetch {i}: {np.shape(a)} vs {np.shape(b)}"
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6, err_msg=f"fetch {i}")
