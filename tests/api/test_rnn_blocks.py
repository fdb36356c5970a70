"""tf.contrib.rnn's LSTMBlockCell, LSTMBlockFusedCell and GRUBlockCell against
TensorFlow's kernels (tests/fixtures/tf/rnn_blocks.npz, made by
tests/fixtures/tf/make_rnn_block_fixtures.py with tf.raw_ops.BlockLSTM / GRUBlockCell and
fixed weights, loaded here into graphc's variables): values and the LSTM's gradients;
LayerNormBasicLSTMCell against a numpy reference of TF1's code; TF1's variable names;
on both backends."""
from __future__ import annotations

import os

import numpy as np
import pytest

import graphc as tf

from .tf_case_runner import load_fixture

FIXTURE = os.path.join(os.path.dirname(__file__), "..", "fixtures", "tf", "rnn_blocks.npz")
BACKENDS = ["numpy", "llvm"]
TOL = dict(rtol=2e-5, atol=2e-6)


@pytest.fixture(scope="module")
def want():
    return load_fixture(FIXTURE, "tests/fixtures/tf/make_rnn_block_fixtures.py")


def _load(sess, pairs):
    for var, value in pairs:
        var.load(value, sess)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("tag", ["plain", "peep"])
def test_lstm_block_cells_match_tensorflows_kernel(want, backend, tag):
    x = tf.constant(want["x"])
    peep = tag == "peep"
    clip = 0.8 if peep else None
    cell = tf.contrib.rnn.LSTMBlockCell(4, cell_clip=clip, use_peephole=peep)
    outputs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32, time_major=True)
    fused = tf.contrib.rnn.LSTMBlockFusedCell(4, cell_clip=clip, use_peephole=peep)
    f_out, f_state = fused(x, dtype=tf.float32)
    names = sorted(v.name for v in tf.global_variables())
    expected = ["lstm_fused_cell/bias:0", "lstm_fused_cell/kernel:0",
                "rnn/lstm_cell/bias:0", "rnn/lstm_cell/kernel:0"]
    if peep:
        expected += [f"{s}/{d}:0" for s in ("lstm_fused_cell", "rnn/lstm_cell")
                     for d in ("w_f_diag", "w_i_diag", "w_o_diag")]
    assert names == sorted(expected)
    loss = tf.reduce_sum(outputs * outputs) + tf.reduce_sum(state.c)
    grads = tf.gradients(loss, [x, tf.global_variables()[0]])
    by_name = {v.name: v for v in tf.global_variables()}
    with tf.Session(backend=backend) as sess:
        sess.run(tf.global_variables_initializer())
        for scope in ("rnn/lstm_cell", "lstm_fused_cell"):
            _load(sess, [(by_name[f"{scope}/kernel:0"], want["lstm_w"]),
                         (by_name[f"{scope}/bias:0"], want["lstm_b"])])
            if peep:
                _load(sess, [(by_name[f"{scope}/w_{g}_diag:0"], want[k]) for g, k in
                             (("i", "wci"), ("f", "wcf"), ("o", "wco"))])
        h, c, fh, fc, (dx, dw) = sess.run([outputs, state.c, f_out, f_state.c, grads])
    np.testing.assert_allclose(h, want[f"lstm_{tag}_h"], **TOL)
    np.testing.assert_allclose(c, want[f"lstm_{tag}_c"][-1], **TOL)
    np.testing.assert_allclose(fh, want[f"lstm_{tag}_h"], **TOL)
    np.testing.assert_allclose(fc, want[f"lstm_{tag}_c"][-1], **TOL)
    np.testing.assert_allclose(dx, want[f"lstm_{tag}_dx"], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(dw, want[f"lstm_{tag}_dw"], rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("backend", BACKENDS)
def test_gru_block_cell_matches_tensorflows_kernel(want, backend):
    cell = tf.contrib.rnn.GRUBlockCell(4)
    outputs, _ = tf.nn.dynamic_rnn(cell, tf.constant(want["x"]), dtype=tf.float32,
                                   time_major=True)
    by_name = {v.name: v for v in tf.global_variables()}
    assert sorted(by_name) == ["rnn/gru_cell/candidate/bias:0", "rnn/gru_cell/candidate/kernel:0",
                               "rnn/gru_cell/gates/bias:0", "rnn/gru_cell/gates/kernel:0"]
    with tf.Session(backend=backend) as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_array_equal(sess.run(by_name["rnn/gru_cell/gates/bias:0"]), 1.0)
        _load(sess, [(by_name["rnn/gru_cell/gates/kernel:0"], want["gru_w_ru"]),
                     (by_name["rnn/gru_cell/candidate/kernel:0"], want["gru_w_c"]),
                     (by_name["rnn/gru_cell/candidate/bias:0"], want["gru_b_c"])])
        np.testing.assert_allclose(sess.run(outputs), want["gru_h"], **TOL)


@pytest.mark.parametrize("backend", BACKENDS)
def test_fused_cell_stops_each_row_at_its_length(want, backend):
    x = tf.constant(want["x"])
    lengths = tf.constant([3, 1])
    fused = tf.contrib.rnn.LSTMBlockFusedCell(4)
    out, state = fused(x, dtype=tf.float32, sequence_length=lengths)
    again, _ = fused(x, dtype=tf.float32)  # the same variables
    assert len(tf.global_variables()) == 2
    with tf.Session(backend=backend) as sess:
        sess.run(tf.global_variables_initializer())
        o, h, full = sess.run([out, state.h, again])
    np.testing.assert_array_equal(o[1:, 1], 0.0)
    np.testing.assert_allclose(o[0, 1], full[0, 1], **TOL)
    np.testing.assert_allclose(h, [full[2, 0], full[0, 1]], **TOL)


def _layer_norm(v, gain, shift):
    mean = v.mean(1, keepdims=True)
    var = ((v - mean) ** 2).mean(1, keepdims=True)
    return (v - mean) / np.sqrt(var + 1e-12) * gain + shift


@pytest.mark.parametrize("backend", BACKENDS)
def test_layer_norm_basic_lstm_cell_is_tf1s_math(backend):
    r = np.random.RandomState(3)
    x_val = r.randn(2, 3).astype(np.float64)
    c0, h0 = r.randn(2, 4), r.randn(2, 4)
    cell = tf.contrib.rnn.LayerNormBasicLSTMCell(4, norm_gain=1.5, norm_shift=0.25)
    h, state = cell(tf.constant(x_val), tf.nn.rnn_cell.LSTMStateTuple(
        tf.constant(c0), tf.constant(h0)))
    names = sorted(v.name for v in tf.global_variables())
    assert names == sorted(["layer_norm_basic_lstm_cell/kernel:0"] + [
        f"layer_norm_basic_lstm_cell/{g}/{p}:0" for g in
        ("input", "transform", "forget", "output", "state") for p in ("gamma", "beta")])
    kernel = tf.global_variables()[0]
    with tf.Session(backend=backend) as sess:
        sess.run(tf.global_variables_initializer())
        k = sess.run(kernel)
        got_h, got_c = sess.run([h, state.c])
    gates = np.concatenate([x_val, h0], 1) @ k
    i, j, f, o = (_layer_norm(g, 1.5, 0.25) for g in np.split(gates, 4, 1))
    sig = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    c = _layer_norm(c0 * sig(f + 1.0) + sig(i) * np.tanh(j), 1.5, 0.25)
    np.testing.assert_allclose(got_c, c, rtol=1e-10)
    np.testing.assert_allclose(got_h, np.tanh(c) * sig(o), rtol=1e-10)
