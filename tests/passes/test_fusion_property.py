"""Property: fusion never fails on differentiated graphs and never changes their values.

Random DAGs of elementwise, broadcast and reduction ops over inputs whose batch dim is
unknown, a scalar loss over some of their values, and its gradients: the plan with every
pass (and with every pass but simplify, which keeps the SumToShape nodes a gradient of a
broadcast leaves when the batch becomes known) must fuse without error and compute what
the plan with no optimization computes (derandomized, bounded examples).

This is the class of issue 15's item 6: two groups, each convex, that reach each other
through ops outside both (an LSTM gradient) made the fused graph cyclic.
"""
import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import graphc as tf
from graphc.ir.verify import verify
from graphc.passes.manager import PassManager
from graphc.passes.lower import lower
from graphc.passes.prune import build_program

UNARY = [tf.sigmoid, tf.tanh, tf.square, tf.nn.relu, tf.negative,
         lambda t: tf.exp(-tf.square(t)), lambda t: tf.identity(t)]
BINARY = [tf.add, tf.subtract, tf.multiply, tf.maximum, lambda a, b: a * tf.sigmoid(b)]
ALL = ["fold_constants", "simplify", "cse", "prune_after", "fuse"]


def _config(disabled):
    return tf.ConfigProto(graph_options=tf.GraphOptions(disabled_passes=disabled))


step = st.tuples(st.sampled_from(["unary", "binary", "binary", "reduce", "lstm"]),
                 st.integers(0, 1000), st.integers(0, 1000))


def _build(steps, loss_picks):
    x = tf.placeholder(tf.float32, [None, 4], name="x")
    y = tf.placeholder(tf.float32, [None, 4], name="y")
    bias = tf.placeholder(tf.float32, [4], name="bias")
    col = tf.placeholder(tf.float32, [None, 1], name="col")
    pool = [x, y, bias, col]
    for kind, a, b in steps:
        t, u = pool[a % len(pool)], pool[b % len(pool)]
        if kind == "unary":
            pool.append(UNARY[b % len(UNARY)](t))
        elif kind == "binary":
            pool.append(BINARY[a % len(BINARY)](t, u))
        elif kind == "reduce" and t.shape.ndims == 2:
            if b % 3 == 0:
                pool.append(tf.reduce_sum(t, axis=1, keepdims=True))
            elif b % 3 == 1:
                pool.append(tf.reduce_mean(t, axis=0))
            else:
                pool.append(tf.reduce_max(t, axis=1, keepdims=True))
        else:  # an LSTM cell's output gate: sigmoid(i) * tanh(j), both batch-shaped
            pool.append(tf.sigmoid(t + x) * tf.tanh(u + y))
    picked = [pool[4 + p % (len(pool) - 4)] for p in loss_picks] if len(pool) > 4 else [x]
    loss = tf.add_n([tf.reduce_sum(p) * (k + 1.0) for k, p in enumerate(picked)])
    inputs = [x, y, bias, col]
    grads = [g for g in tf.gradients(loss, inputs) if g is not None]
    return inputs, [loss] + grads


@settings(derandomize=True, max_examples=70, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(step, min_size=1, max_size=12), st.lists(st.integers(0, 100), min_size=1,
                                                          max_size=3), st.integers(1, 4))
def test_differentiated_random_graphs_fuse_and_keep_their_values(steps, loss_picks, batch):
    g = tf.Graph()
    with g.as_default():
        inputs, fetches = _build(steps, loss_picks)
        rs = np.random.RandomState(batch)
        shapes = [(batch, 4), (batch, 4), (4,), (batch, 1)]
        feed = {t: rs.randn(*s).astype(np.float32) for t, s in zip(inputs, shapes)}
        # The fused plans verify (no cycle, every node re-inferred) before anything runs.
        program = build_program(fetches, [], inputs)
        for disabled in ([], ["simplify"]):
            plan = lower(program, [(s, tf.float32) for s in shapes])
            verify(PassManager(disabled=disabled, verify=True).run(plan).graph)
        with tf.Session(graph=g, backend="numpy", config=_config(ALL)) as reference:
            want = reference.run(fetches, feed)
        for disabled in ([], ["simplify"]):
            with tf.Session(graph=g, backend="numpy", config=_config(disabled)) as sess:
                got = sess.run(fetches, feed)
            for i, (a, b) in enumerate(zip(got, want)):
                assert np.shape(a) == np.shape(b), f"fetch {i}: {np.shape(a)} vs {np.shape(b)}"
                np.testing.assert_allclose(a, b, rtol=2e-5, atol=1e-5,
                                           err_msg=f"fetch {i} (disabled: {disabled})")


def test_lstm_output_gate_gradient_fuses_with_an_unknown_batch():
    # Issue 15 item 6: the gradient of sum(sigmoid(i) * tanh(j)) makes two groups, each
    # feeding the other through a SumToShape; fusing both made a cycle.
    for disabled in ([], ["simplify"]):
        g = tf.Graph()
        with g.as_default():
            i = tf.placeholder(tf.float32, [None, 4])
            j = tf.placeholder(tf.float32, [None, 4])
            gi, gj = tf.gradients(tf.reduce_sum(tf.sigmoid(i) * tf.tanh(j)), [i, j])
            vi, vj = np.linspace(-2, 2, 8).reshape(2, 4), np.linspace(1, -1, 8).reshape(2, 4)
            with tf.Session(config=_config(disabled)) as sess:
                got_i, got_j = sess.run([gi, gj], {i: vi, j: vj})
        s = 1 / (1 + np.exp(-vi))
        np.testing.assert_allclose(got_i, s * (1 - s) * np.tanh(vj), rtol=1e-5)
        np.testing.assert_allclose(got_j, s * (1 - np.tanh(vj) ** 2), rtol=1e-5)


def test_static_rnn_lstm_loss_on_the_last_output_trains_on_both_backends():
    results = []
    for backend in ("numpy", "llvm"):
        g = tf.Graph()
        with g.as_default():
            tf.set_random_seed(3)
            x = tf.placeholder(tf.float32, [None, 3, 4])
            cell = tf.nn.rnn_cell.BasicLSTMCell(5)
            outputs, _ = tf.nn.static_rnn(cell, tf.unstack(x, axis=1), dtype=tf.float32)
            loss = tf.reduce_sum(outputs[-1])
            grads = tf.gradients(loss, tf.trainable_variables())
            with tf.Session(backend=backend) as sess:
                sess.run(tf.global_variables_initializer())
                feed = {x: np.random.RandomState(0).randn(2, 3, 4)}
                results.append(sess.run(grads, feed))
    for a, b in zip(*results):
        assert a.shape == b.shape and np.all(np.isfinite(a))
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
