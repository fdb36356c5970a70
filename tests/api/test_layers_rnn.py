"""tf.layers helpers and recurrent cells: TF1 names, shapes and math (against TensorFlow
itself when installed), sequence_length masking, and gradients through time."""
from __future__ import annotations

import os

import numpy as np
import pytest

import graphc as tf

R = np.random.RandomState(0)
os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")  # TF1's cells need tf-keras under TF 2.16+


def test_layers_create_tf1_variables_and_compute_the_same_as_nn_ops():
    x = tf.placeholder(tf.float32, [None, 6, 6, 2])
    training = tf.placeholder_with_default(False, [])
    h = tf.layers.conv2d(x, 3, 3, padding="same", activation=tf.nn.relu)
    p = tf.layers.max_pooling2d(h, 2, 2)
    f = tf.layers.flatten(p)
    d = tf.layers.dropout(tf.layers.dense(f, 8, activation=tf.nn.relu), 0.5, training=training)
    out = tf.layers.dense(d, 2, name="logits")
    names = [v.name for v in tf.trainable_variables()]
    assert names == ["conv2d/kernel:0", "conv2d/bias:0", "dense/kernel:0", "dense/bias:0",
                     "logits/kernel:0", "logits/bias:0"]
    assert f.shape.as_list() == [None, 27] and out.shape.as_list() == [None, 2]
    kernel = tf.trainable_variables()[0]
    direct = tf.nn.relu(tf.nn.conv2d(x, kernel, [1, 1, 1, 1], "SAME"))
    xv = R.rand(2, 6, 6, 2).astype(np.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        a, b = sess.run([h, direct], {x: xv})
        np.testing.assert_allclose(a, b, rtol=1e-6)
        eval1, eval2 = sess.run(out, {x: xv}), sess.run(out, {x: xv})
        np.testing.assert_array_equal(eval1, eval2)  # training=False: no dropout
        trained = [sess.run(d, {x: xv, training: True}) for _ in range(3)]
        assert any(np.count_nonzero(t == 0) > np.count_nonzero(sess.run(d, {x: xv}) == 0)
                   for t in trained)


def _rnn_graph(lib, cell_kind, xs_value, lengths, weights=None):
    """outputs, final h, and d(sum of last outputs)/d(kernel) for one cell kind."""
    T, B, D = xs_value.shape
    xs = [lib.constant(xs_value[t]) for t in range(T)]
    cells = {"lstm": lambda: lib.nn.rnn_cell.BasicLSTMCell(4),
             "gru": lambda: lib.nn.rnn_cell.GRUCell(4),
             "rnn": lambda: lib.nn.rnn_cell.BasicRNNCell(4),
             "peephole": lambda: lib.nn.rnn_cell.LSTMCell(4, use_peepholes=True, num_proj=3)}
    outs, state = lib.nn.static_rnn(cells[cell_kind](), xs, dtype=lib.float64,
                                    sequence_length=lib.constant(lengths))
    variables = lib.trainable_variables()
    assigns = []
    if weights is not None:
        assigns = [v.assign(weights[v.name]) for v in variables]
    loss = lib.reduce_sum(outs[-1] ** 2) + lib.reduce_sum(outs[1])
    grads = lib.gradients(loss, variables)
    h = state.h if hasattr(state, "h") else state
    return outs, h, grads, variables, assigns


@pytest.mark.parametrize("kind", ["lstm", "gru", "rnn", "peephole"])
def test_static_rnn_matches_tensorflow(kind):
    tf1 = pytest.importorskip("tensorflow").compat.v1
    tf1.disable_eager_execution()
    try:
        getattr(tf1.nn.rnn_cell, "BasicLSTMCell")  # noqa: B009 - raises without tf-keras
    except AttributeError:
        pytest.skip("TensorFlow's TF1 cells need the tf-keras package")
    xs = R.randn(5, 3, 2)
    lengths = np.int32([5, 3, 1])
    g = tf1.Graph()
    with g.as_default():
        outs, h, grads, variables, _ = _rnn_graph(tf1, kind, xs, lengths)
        sess = tf1.Session(graph=g)
        sess.run(tf1.global_variables_initializer())
        want = sess.run([outs, h, grads])
        weights = {v.name: sess.run(v) for v in variables}
    with tf.Graph().as_default():
        outs, h, grads, variables, assigns = _rnn_graph(tf, kind, xs, lengths, weights)
        assert sorted(v.name for v in variables) == sorted(weights)
        with tf.Session() as sess:
            sess.run(assigns)
            got = sess.run([outs, h, grads])
    np.testing.assert_allclose(np.array(got[0]), np.array(want[0]), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(got[1], want[1], rtol=1e-9, atol=1e-12)
    for a, b in zip(got[2], want[2]):
        np.testing.assert_allclose(a, b, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_gradients_through_time_match_central_differences(kind):
    xs = R.randn(4, 2, 3)
    lengths = np.int32([4, 2])
    outs, h, grads, variables, _ = _rnn_graph(tf, kind, xs, lengths)
    loss = tf.reduce_sum(outs[-1] ** 2) + tf.reduce_sum(outs[1])
    kernel = variables[0]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        analytic = sess.run(grads[0])
        w = sess.run(kernel)
        numeric = np.zeros_like(w)
        for idx in np.ndindex(*w.shape):
            for sign in (1, -1):
                w2 = w.copy()
                w2[idx] += sign * 1e-6
                sess.run(kernel.assign(w2))
                numeric[idx] += sign * sess.run(loss) / 2e-6
        np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-7)


def test_sequence_length_zeroes_outputs_and_freezes_state():
    xs = R.randn(4, 3, 2)
    outs, h, _, _, _ = _rnn_graph(tf, "gru", xs, np.int32([4, 2, 0]))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        o, last = sess.run([outs, h])
    assert np.all(o[2][1] == 0) and np.all(o[3][1] == 0) and np.all(np.array(o)[:, 2] == 0)
    np.testing.assert_array_equal(last[1], o[1][1])  # the state stops at length 2
    np.testing.assert_array_equal(last[2], 0)


def test_multi_rnn_cell_refuses_one_cell_twice():
    cell = tf.nn.rnn_cell.BasicLSTMCell(3)
    with pytest.raises(ValueError, match="same cell object twice"):
        tf.nn.rnn_cell.MultiRNNCell([cell, cell])
