"""tf.contrib.rnn's cells and wrappers (graphc/rnn_contrib.py) against numpy versions of
TF1's math, with TF1's variable names."""
from __future__ import annotations

import numpy as np
import pytest

import graphc as tf

rnn = tf.contrib.rnn


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def _lstm(x, c, h, kernel, bias):
    gates = np.concatenate([x, h], 1) @ kernel + bias
    i, j, f, o = np.split(gates, 4, axis=1)
    c = c * _sigmoid(f + 1.0) + _sigmoid(i) * np.tanh(j)
    return np.tanh(c) * _sigmoid(o), c


def _values(sess):
    return {v.op.name: sess.run(v) for v in tf.global_variables()}


def _attention_reference(xs, v, units, attn_length, attn_size):
    """TF1's AttentionCellWrapper around a BasicLSTMCell, step by step in numpy."""
    p = "rnn/attention_cell_wrapper/"
    batch = xs.shape[0]
    c = h = np.zeros((batch, units))
    attns = np.zeros((batch, attn_size))
    window = np.zeros((batch, attn_length, attn_size))
    outputs = []
    for t in range(xs.shape[1]):
        x = np.concatenate([xs[:, t], attns], 1) @ v[p + "kernel"] + v[p + "bias"]
        out, c = _lstm(x, c, h, v[p + "basic_lstm_cell/kernel"], v[p + "basic_lstm_cell/bias"])
        h = out
        query = np.concatenate([c, h], 1)
        hidden = window @ v[p + "attention/attn_w"][0, 0]
        y = query @ v[p + "attention/kernel"] + v[p + "attention/bias"]
        scores = (v[p + "attention/attn_v"] * np.tanh(hidden + y[:, None])).sum(2)
        attns = (_softmax(scores)[:, :, None] * window).sum(1)
        output = np.concatenate([out, attns], 1) @ v[p + "attn_output_projection/kernel"] + \
            v[p + "attn_output_projection/bias"]
        window = np.concatenate([window[:, 1:], output[:, None]], 1)
        outputs.append(output)
    return np.stack(outputs, 1), (c, h), attns, window.reshape(batch, -1)


@pytest.mark.parametrize("state_is_tuple", [True, False])
def test_attention_cell_wrapper_matches_tf1_math(state_is_tuple):
    units, attn_length, attn_size = 4, 3, 5
    xs = np.random.RandomState(0).randn(2, 6, 3)
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float64, [None, 6, 3])
        lstm = tf.nn.rnn_cell.BasicLSTMCell(units, state_is_tuple=state_is_tuple)
        cell = rnn.AttentionCellWrapper(lstm, attn_length, attn_size=attn_size,
                                        state_is_tuple=state_is_tuple)
        assert cell.output_size == attn_size
        outputs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float64)
        names = sorted(v.op.name for v in tf.global_variables())
        assert names == sorted("rnn/attention_cell_wrapper/" + n for n in (
            "kernel", "bias", "basic_lstm_cell/kernel", "basic_lstm_cell/bias",
            "attention/attn_w", "attention/attn_v", "attention/kernel", "attention/bias",
            "attn_output_projection/kernel", "attn_output_projection/bias"))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            got, got_state = sess.run([outputs, state], {x: xs})
            v = _values(sess)
    want, (c, h), attns, window = _attention_reference(xs, v, units, attn_length, attn_size)
    np.testing.assert_allclose(got, want, rtol=1e-10)
    if state_is_tuple:
        np.testing.assert_allclose(got_state[0].c, c, rtol=1e-10)
        np.testing.assert_allclose(got_state[0].h, h, rtol=1e-10)
        np.testing.assert_allclose(got_state[1], attns, rtol=1e-10)
        np.testing.assert_allclose(got_state[2], window, rtol=1e-10)
    else:
        np.testing.assert_allclose(got_state, np.concatenate([c, h, attns, window], 1),
                                   rtol=1e-10)


def test_attention_cell_wrapper_checks_its_arguments():
    cell = tf.nn.rnn_cell.BasicLSTMCell(3)
    with pytest.raises(ValueError, match="attn_length should be greater than zero"):
        rnn.AttentionCellWrapper(cell, 0)
    with pytest.raises(ValueError, match="state_is_tuple is not set"):
        rnn.AttentionCellWrapper(cell, 2, state_is_tuple=False)
    wrapped = rnn.AttentionCellWrapper(cell, 2)
    assert wrapped.state_size == (tf.nn.rnn_cell.LSTMStateTuple(3, 3), 3, 6)


def test_attention_cell_wrapper_trains():
    xs = np.random.RandomState(1).randn(4, 5, 2).astype(np.float32)
    with tf.Graph().as_default():
        tf.set_random_seed(3)
        x = tf.placeholder(tf.float32, [None, 5, 2])
        cell = rnn.AttentionCellWrapper(tf.nn.rnn_cell.GRUCell(3), 2)
        outputs, _ = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
        loss = tf.reduce_mean(tf.square(outputs - 0.5))
        train = tf.train.AdamOptimizer(0.05).minimize(loss)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            first = sess.run(loss, {x: xs})
            for _ in range(30):
                sess.run(train, {x: xs})
            assert sess.run(loss, {x: xs}) < 0.5 * first


def test_projection_and_embedding_wrappers():
    with tf.Graph().as_default():
        ids = tf.placeholder(tf.int32, [None])
        cell = rnn.OutputProjectionWrapper(
            rnn.EmbeddingWrapper(tf.nn.rnn_cell.BasicRNNCell(3), 7, 4), 5,
            activation=tf.nn.relu)
        out, state = cell(ids, cell.zero_state(2, tf.float64))
        names = sorted(v.op.name for v in tf.global_variables())
        assert names == ["output_projection_wrapper/bias",
                         "output_projection_wrapper/embedding_wrapper/basic_rnn_cell/bias",
                         "output_projection_wrapper/embedding_wrapper/basic_rnn_cell/kernel",
                         "output_projection_wrapper/embedding_wrapper/embedding",
                         "output_projection_wrapper/kernel"]
        assert cell.output_size == 5 and cell.state_size == 3
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            got_out, got_state = sess.run([out, state], {ids: [1, 6]})
            v = _values(sess)
    p = "output_projection_wrapper/"
    emb = v[p + "embedding_wrapper/embedding"]
    assert np.all(np.abs(emb) <= np.sqrt(3))
    h = np.tanh(np.concatenate([emb[[1, 6]], np.zeros((2, 3))], 1) @
                v[p + "embedding_wrapper/basic_rnn_cell/kernel"] +
                v[p + "embedding_wrapper/basic_rnn_cell/bias"])
    np.testing.assert_allclose(got_state, h, rtol=1e-12)
    np.testing.assert_allclose(got_out, np.maximum(h @ v[p + "kernel"] + v[p + "bias"], 0),
                               rtol=1e-12)


def test_input_projection_and_highway_wrappers():
    xs = np.random.RandomState(2).randn(3, 4)
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float64, [None, 4])
        inner = rnn.InputProjectionWrapper(tf.nn.rnn_cell.BasicRNNCell(4), 2)
        cell = rnn.HighwayWrapper(inner, couple_carry_transform_gates=False,
                                  carry_bias_init=0.5)
        out, state = cell(x, inner.zero_state(3, tf.float64))
        names = sorted(v.op.name for v in tf.global_variables())
        assert names == ["carry_b", "carry_w", "input_projection_wrapper/basic_rnn_cell/bias",
                         "input_projection_wrapper/basic_rnn_cell/kernel",
                         "input_projection_wrapper/bias", "input_projection_wrapper/kernel",
                         "transform_b", "transform_w"]
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            got_out, got_state = sess.run([out, state], {x: xs})
            v = _values(sess)
    np.testing.assert_allclose(v["carry_b"], 0.5)
    np.testing.assert_allclose(v["transform_b"], -0.5)
    p = "input_projection_wrapper/"
    proj = xs @ v[p + "kernel"] + v[p + "bias"]
    h = np.tanh(np.concatenate([proj, np.zeros((3, 4))], 1) @ v[p + "basic_rnn_cell/kernel"]
                + v[p + "basic_rnn_cell/bias"])
    carry = _sigmoid(xs @ v["carry_w"] + v["carry_b"])
    transform = _sigmoid(xs @ v["transform_w"] + v["transform_b"])
    np.testing.assert_allclose(got_state, h, rtol=1e-12)
    np.testing.assert_allclose(got_out, xs * carry + h * transform, rtol=1e-12)


def test_stack_bidirectional_rnn_layers_feed_each_other():
    xs = np.random.RandomState(3).randn(4, 2, 3)  # [time, batch, depth]
    lengths = np.array([4, 2])
    with tf.Graph().as_default():
        inputs = [tf.placeholder(tf.float64, [None, 3]) for _ in range(4)]
        seq = tf.placeholder(tf.int32, [None])
        cells_fw = [tf.nn.rnn_cell.BasicRNNCell(2), tf.nn.rnn_cell.BasicRNNCell(3)]
        cells_bw = [tf.nn.rnn_cell.BasicRNNCell(2), tf.nn.rnn_cell.BasicRNNCell(3)]
        outputs, states_fw, states_bw = rnn.stack_bidirectional_rnn(
            cells_fw, cells_bw, inputs, dtype=tf.float64, sequence_length=seq)
        assert len(outputs) == 4 and outputs[0].shape.as_list() == [None, 6]
        names = sorted(v.op.name for v in tf.global_variables())
        assert names == sorted(f"stack_bidirectional_rnn/cell_{i}/{d}/basic_rnn_cell/{w}"
                               for i in (0, 1) for d in ("fw", "bw") for w in ("kernel", "bias"))
        feed = {**{p: xs[t] for t, p in enumerate(inputs)}, seq: lengths}
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            got, got_fw, got_bw = sess.run([outputs, states_fw, states_bw], feed)
            v = _values(sess)

    def run(layer, prefix, units, reverse):
        out = np.zeros((4, 2, units))
        for b in range(2):
            h = np.zeros(units)
            steps = range(lengths[b])
            for t in (reversed(steps) if reverse else steps):
                h = np.tanh(np.concatenate([layer[t, b], h]) @ v[prefix + "kernel"] +
                            v[prefix + "bias"])
                out[t, b] = h
        return out
    layer = xs
    for i, units in enumerate((2, 3)):
        p = f"stack_bidirectional_rnn/cell_{i}/"
        fw = run(layer, p + "fw/basic_rnn_cell/", units, False)
        bw = run(layer, p + "bw/basic_rnn_cell/", units, True)
        layer = np.concatenate([fw, bw], 2)
        np.testing.assert_allclose(got_fw[i], [fw[lengths[b] - 1, b] for b in range(2)],
                                   rtol=1e-10)
        np.testing.assert_allclose(got_bw[i], bw[0], rtol=1e-10)
    np.testing.assert_allclose(np.stack(got), layer, rtol=1e-10)


def test_stack_bidirectional_rnn_refuses_unequal_depths():
    with tf.Graph().as_default():
        x = [tf.placeholder(tf.float32, [2, 3])]
        with pytest.raises(ValueError, match="at least one bw cell"):
            rnn.stack_bidirectional_rnn([tf.nn.rnn_cell.BasicRNNCell(2)], [], x)
        with pytest.raises(ValueError, match="same depth"):
            rnn.stack_bidirectional_rnn(
                [tf.nn.rnn_cell.BasicRNNCell(2)],
                [tf.nn.rnn_cell.BasicRNNCell(2), tf.nn.rnn_cell.BasicRNNCell(2)], x)


def test_transpose_batch_time_and_batch_size():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [5, None, 3])
        y = tf.placeholder(tf.float32, [5, 7, 3])
        assert rnn.transpose_batch_time(x).shape.as_list() == [None, 5, 3]
        assert rnn.best_effort_input_batch_size([x, y]) == 7
        dynamic = rnn.best_effort_input_batch_size([x])
        with tf.Session() as sess:
            assert sess.run(dynamic, {x: np.zeros((5, 4, 3))}) == 4
