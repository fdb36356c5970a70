"""tf.nn.raw_rnn and tf.nn.static_state_saving_rnn against a numpy loop of the same cell
(BasicRNNCell with every weight 0.05, TF1's zero bias), on the session's backend; raw_rnn's
gradient against central differences. (Checked once beside TensorFlow 2.21 with tf-keras:
outputs, final state, loop state and both weight gradients agree to 3e-7.)"""
import numpy as np
import pytest

import graphc as tf

T, B, D, H = 5, 3, 4, 6
XS = np.random.RandomState(0).randn(T, B, D).astype(np.float32)
LENS = np.array([5, 2, 3], np.int32)


def _numpy_raw_rnn(xs, lens, w):
    h = np.zeros((B, H), np.float32)
    outs, total = [], 0.0
    for t in range(lens.max()):
        done = t >= lens
        out = np.tanh(np.concatenate([xs[t], h], 1) @ w)
        total += out.sum()
        outs.append(np.where(done[:, None], 0.0, out))
        h = np.where(done[:, None], h, out)
    return np.stack(outs), h, total


def _raw_rnn_graph():
    inputs_ta = tf.TensorArray(dtype=tf.float32, size=T).unstack(tf.constant(XS))
    seq = tf.constant(LENS)
    cell = tf.nn.rnn_cell.BasicRNNCell(H)

    def loop_fn(time, cell_output, cell_state, loop_state):
        if cell_output is None:
            state, loop_state = cell.zero_state(B, tf.float32), tf.constant(0.0)
        else:
            state, loop_state = cell_state, loop_state + tf.reduce_sum(cell_output)
        finished = time >= seq
        next_input = tf.cond(tf.reduce_all(finished), lambda: tf.zeros([B, D]),
                             lambda: inputs_ta.read(time))
        return finished, next_input, state, cell_output, loop_state

    with tf.variable_scope("r", initializer=tf.constant_initializer(0.05)):
        outputs_ta, final_state, loop_state = tf.nn.raw_rnn(cell, loop_fn)
    return outputs_ta.stack(), final_state, loop_state


def test_raw_rnn_matches_a_numpy_loop_and_stops_rows_at_their_lengths():
    outputs, final_state, loop_state = _raw_rnn_graph()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        o, f, total = sess.run([outputs, final_state, loop_state])
    want_o, want_f, want_total = _numpy_raw_rnn(XS, LENS, np.full((D + H, H), 0.05, np.float32))
    np.testing.assert_allclose(o, want_o, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(f, want_f, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(total, want_total, rtol=1e-5)
    assert o.shape == (5, B, H) and (o[2:, 1] == 0).all()  # row 1 finished after 2 steps


def test_raw_rnn_gradient_matches_central_differences():
    outputs, final_state, _ = _raw_rnn_graph()
    loss = tf.reduce_sum(outputs * outputs) + tf.reduce_sum(final_state)
    kernel = [v for v in tf.trainable_variables() if "kernel" in v.name][0]
    grad, = tf.gradients(loss, [kernel])
    value = tf.placeholder(tf.float32, kernel.shape)
    assign = kernel.assign(value)
    rng = np.random.RandomState(1)
    w0 = (0.2 * rng.randn(*kernel.shape.as_list())).astype(np.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(assign, {value: w0})
        g = sess.run(grad)
        eps = 1e-2
        for i, j in [(0, 0), (3, 5), (D + 2, 1), (D + H - 1, H - 1)]:
            w = w0.copy()
            w[i, j] += eps
            sess.run(assign, {value: w})
            up = sess.run(loss)
            w[i, j] -= 2 * eps
            sess.run(assign, {value: w})
            down = sess.run(loss)
            np.testing.assert_allclose(g[i, j], (up - down) / (2 * eps), rtol=2e-2, atol=2e-3)


def test_raw_rnn_checks_loop_fn():
    with pytest.raises(TypeError, match="loop_fn must be a callable"):
        tf.nn.raw_rnn(tf.nn.rnn_cell.BasicRNNCell(2), None)


class _Saver:
    """A state saver as TF1's contract has it: state(name) and save_state(name, value)."""

    def __init__(self, names):
        self.vars = {n: tf.Variable(np.full((B, H), 0.1, np.float32), name=n) for n in names}

    def state(self, name):
        return self.vars[name].read_value()

    def save_state(self, name, value):
        return self.vars[name].assign(value)


def test_static_state_saving_rnn_starts_from_and_saves_the_saver_state():
    saver = _Saver(["h"])
    cell = tf.nn.rnn_cell.BasicRNNCell(H)
    inputs = [tf.constant(XS[t]) for t in range(3)]
    with tf.variable_scope("s", initializer=tf.constant_initializer(0.05)):
        outputs, state = tf.nn.static_state_saving_rnn(cell, inputs, saver, "h")
    w = np.full((D + H, H), 0.05, np.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        o, s = sess.run([outputs, state])
        saved = sess.run(saver.vars["h"])
        o2 = sess.run(outputs[-1])  # the second run starts from the saved state
    h = np.full((B, H), 0.1, np.float32)
    want = []
    for t in range(3):
        h = np.tanh(np.concatenate([XS[t], h], 1) @ w)
        want.append(h)
    np.testing.assert_allclose(np.stack(o), np.stack(want), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(s, want[-1], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(saved, want[-1], rtol=1e-5, atol=1e-6)
    for t in range(3):
        h = np.tanh(np.concatenate([XS[t], h], 1) @ w)
    np.testing.assert_allclose(o2, h, rtol=1e-5, atol=1e-6)


def test_static_state_saving_rnn_names_a_structure_mismatch():
    cell = tf.nn.rnn_cell.BasicLSTMCell(H)
    with pytest.raises(ValueError, match="state_name must be one of the same structure"):
        tf.nn.static_state_saving_rnn(cell, [tf.constant(XS[0])], _Saver(["h"]), "h")
