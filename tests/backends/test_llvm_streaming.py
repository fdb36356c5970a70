"""Streaming stores of large elementwise outputs (backends/llvm/streaming.py): the same
bits as plain stores, at every length and output alignment, for several outputs of
different widths, rows of a broadcast, symbolic batch dims and in-place updates, and no
byte written outside the output. Most tests lower the size threshold so that small
kernels take the streaming loop; one runs it at its real size."""
from __future__ import annotations

import numpy as np
import pytest

import graphc as tf
from graphc.backends.llvm import streaming

pytestmark = pytest.mark.skipif(tf.Session().backend != "llvm",
                                reason="streaming stores belong to the llvm backend")


@pytest.fixture
def stream_everything(monkeypatch):
    monkeypatch.setattr(streaming, "STREAM_MIN_BYTES", 0)


def _module_text(sess) -> str:
    return "\n".join(p.executable.module_text for p in sess._plans.values())


def _chain_session(n):
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [n])
        y = tf.tanh(x * 2.0 + 0.5) * tf.sigmoid(x) + 0.5 * x * x
    return tf.Session(graph=g), x, y


def test_a_large_output_streams_the_same_bits_as_plain_stores(monkeypatch):
    n = streaming.STREAM_MIN_BYTES // 4 + 1000  # just above the threshold, not a line multiple
    xv = np.random.RandomState(0).randn(n).astype(np.float32)
    sess, x, y = _chain_session(n)
    streamed = sess.run(y, {x: xv})
    assert "!nontemporal" in _module_text(sess)
    monkeypatch.setattr(streaming, "STREAM_MIN_BYTES", 1 << 62)
    plain_sess, px, py = _chain_session(n)
    plain = plain_sess.run(py, {px: xv})
    assert "!nontemporal" not in _module_text(plain_sess)
    np.testing.assert_array_equal(streamed, plain)
    want = np.tanh(xv * 2 + 0.5) / (1 + np.exp(-xv.astype(np.float64))) + 0.5 * xv * xv
    np.testing.assert_allclose(streamed, want, rtol=1e-5, atol=1e-6)


def test_a_small_output_is_not_streamed():
    sess, x, y = _chain_session(4096)
    sess.run(y, {x: np.ones(4096, np.float32)})
    assert "!nontemporal" not in _module_text(sess)


@pytest.mark.parametrize("n", [1, 15, 16, 17, 63, 64, 65, 127, 128, 129, 130, 300, 1031])
def test_every_length_and_output_alignment_gives_numpys_values(stream_everything, n):
    """Outputs given at every 4-byte offset of a line (and one not aligned to its
    elements, which never reaches a line boundary): exact values, guard bytes intact."""
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [n])
        y = x * 3.0 + 1.0
    sess = tf.Session(graph=g)
    xv = np.random.RandomState(n).randn(n).astype(np.float32)
    sess.run(y, {x: xv})
    assert "!nontemporal" in _module_text(sess)
    (plan,) = sess._plans.values()
    want = xv * np.float32(3) + np.float32(1)
    raw = np.zeros(4 * n + 256, np.uint8)
    start = (-raw.ctypes.data) % 64 + 64  # a line boundary, with room before it
    for offset in list(range(0, 64, 4)) + [2]:
        raw[:] = 0xAB
        out = raw[start + offset:start + offset + 4 * n].view(np.float32)
        (got,) = plan.executable.run([xv], outs=[out])
        assert np.shares_memory(got, out) or n == 1  # (one element: copied out)
        np.testing.assert_array_equal(got, want)
        assert (raw[:start + offset] == 0xAB).all() and (raw[start + offset + 4 * n:] == 0xAB).all()


def test_outputs_of_different_widths(stream_everything):
    n = 1000
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [n])
        y = x * 3.0 - 1.0
        fetches = [y, y > 0.0, tf.cast(y, tf.float64), tf.cast(y, tf.int8)]
    sess = tf.Session(graph=g)
    xv = np.random.RandomState(1).randn(n).astype(np.float32)
    got = sess.run(fetches, {x: xv})
    assert "!nontemporal" in _module_text(sess)
    yv = xv * np.float32(3) - np.float32(1)
    for value, want in zip(got, [yv, yv > 0, yv.astype(np.float64), yv.astype(np.int8)]):
        assert value.dtype == want.dtype
        np.testing.assert_array_equal(value, want)


@pytest.mark.parametrize("cols", [7, 300, 1024])
def test_rows_of_a_broadcast_stream_their_inner_loop(stream_everything, cols):
    rows = 9
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [rows, cols])
        b = tf.placeholder(tf.float32, [cols])
        y = tf.nn.relu(x * 2.0 + b)
    rng = np.random.RandomState(cols)
    xv, bv = rng.randn(rows, cols).astype(np.float32), rng.randn(cols).astype(np.float32)
    sess = tf.Session(graph=g)
    got = sess.run(y, {x: xv, b: bv})
    assert "!nontemporal" in _module_text(sess)
    np.testing.assert_array_equal(got, np.maximum(xv * np.float32(2) + bv, 0))


def test_a_symbolic_batch_streams_only_when_large(monkeypatch):
    """The plan is compiled once; its kernel tests the run's size: a batch below the
    threshold and one above give numpy's values."""
    monkeypatch.setattr(streaming, "STREAM_MIN_BYTES", 64 << 10)
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 1000])
        y = tf.sigmoid(x) * 2.0 + x
    sess = tf.Session(graph=g)
    rng = np.random.RandomState(2)
    for batch in (3, 40, 17):
        xv = rng.randn(batch, 1000).astype(np.float32)
        got = sess.run(y, {x: xv})
        want = np.float32(2) / (1 + np.exp(-xv.astype(np.float64))) + xv
        np.testing.assert_allclose(got, want, rtol=3e-7, atol=1e-7)
    assert len({id(p.executable) for p in sess._plans.values()}) == 1
    assert "!nontemporal" in _module_text(sess)


def test_an_update_in_place_streams_over_its_variable(stream_everything):
    n = 5000
    init = np.random.RandomState(3).randn(n).astype(np.float32)
    g = tf.Graph()
    with g.as_default():
        w = tf.Variable(init)
        step = tf.assign(w, w * 0.5 + 1.0)
        init_op = tf.variables_initializer([w])
    sess = tf.Session(graph=g)
    sess.run(init_op)
    want = init.copy()
    for _ in range(3):
        sess.run(step)
        want = want * np.float32(0.5) + np.float32(1)
    assert "!nontemporal" in _module_text(sess)
    np.testing.assert_array_equal(sess.run(w), want)
