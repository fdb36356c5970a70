"""The ops inside While and If bodies (tf.while_loop, dynamic_rnn, tf.cond) in checked
and traced runs: GRAPHC_CHECK_NUMERICS / ConfigProto(check_numerics=True) names the body
op that made a NaN or an Inf and the user's line in the body, and FULL_TRACE step stats
list every body op once per execution within the span of its While or If; on both
backends. Unchecked, untraced runs keep the native loop driver and their values."""
from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

import graphc as tf
from graphc.backends.llvm import native_while
from graphc.python.client import timeline

BACKENDS = ["numpy", "llvm"]
CHECKED = dict(config=tf.ConfigProto(check_numerics=True))
TRACE = tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE)


@pytest.fixture(autouse=True)
def _quiet_fallbacks():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _loop():
    """v goes 0.5, 1.5, 2.5, ...: log(|v - 1.5|) is -inf at the second iteration only,
    and the loop's results stay finite (a select drops the log's value), so nothing
    outside the body sees it."""
    x = tf.placeholder(tf.float32, [4], name="x")

    def body(i, v):
        w = tf.log(tf.abs(v - 1.5), name="planted")  # LINE: planted in the body
        return i + 1, v + 1.0 + tf.where(tf.is_finite(w), 0.0 * w, tf.zeros_like(w))
    i, v = tf.while_loop(lambda i, v: i < 5, body, [tf.constant(0), x], name="loop")
    return x, tf.reduce_sum(v * 2.0, name="y")


FEED = np.array([0.5, 2.0, 3.0, 4.0], np.float32)


@pytest.mark.parametrize("backend", BACKENDS)
def test_inf_planted_in_a_while_loop_body_names_the_body_op_and_line(backend):
    x, y = _loop()
    with tf.Session(backend=backend) as plain:
        assert np.isfinite(plain.run(y, {x: FEED}))  # the loop's results hide it
    with tf.Session(backend=backend, **CHECKED) as sess:
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            sess.run(y, {x: FEED})
    text = str(info.value)
    assert info.value.op.name == "loop/planted" and info.value.op.type == "Log", text
    assert "Log op 'loop/planted' produced Inf values" in text
    assert "input 0 (loop/Abs:0): float32 (4,) in [0, " in text
    assert "test_observed_bodies.py" in text and "# LINE: planted in the body" in text


class _LogCell(tf.nn.rnn_cell.RNNCell):
    """h' = h + log(x): an input of 0 at one time step makes -inf there."""

    @property
    def state_size(self):
        return 3

    @property
    def output_size(self):
        return 3

    def build_step(self, inputs, state):
        h = state + tf.log(inputs, name="cell_log")  # LINE: cell
        return h, h


@pytest.mark.parametrize("backend", BACKENDS)
def test_inf_made_inside_a_dynamic_rnn_cell_names_the_cell_line(backend):
    inputs = tf.placeholder(tf.float32, [2, 6, 3], name="inputs")
    outputs, _ = tf.nn.dynamic_rnn(_LogCell(), inputs, dtype=tf.float32)
    value = np.ones((2, 6, 3), np.float32)
    with tf.Session(backend=backend, **CHECKED) as sess:
        assert np.allclose(sess.run(outputs, {inputs: value}), 0.0)  # clean: runs
        value[1, 4, 2] = 0.0  # the fifth time step of the second sequence
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            sess.run(outputs, {inputs: value})
    text = str(info.value)
    assert info.value.op.type == "Log" and info.value.op.name.endswith("cell_log"), text
    assert "produced Inf values" in text and "with 1 -Inf" in text
    assert "# LINE: cell" in text


@pytest.mark.parametrize("backend", BACKENDS)
def test_nan_in_the_taken_branch_of_a_cond_is_named(backend):
    x = tf.placeholder(tf.float32, [3], name="x")
    p = tf.placeholder(tf.bool, [], name="p")
    y = tf.cond(p, lambda: tf.sqrt(x - 2.0, name="root") * 0.0 + 1.0,  # LINE: branch
                lambda: x * 2.0)
    z = tf.where(tf.is_nan(y), tf.ones_like(y), y)
    feed = np.array([1.0, 2.0, 3.0], np.float32)
    with tf.Session(backend=backend, **CHECKED) as sess:
        assert np.array_equal(sess.run(z, {x: feed, p: False}), feed * 2)
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            sess.run(z, {x: feed, p: True})
    text = str(info.value)
    assert info.value.op.type == "Sqrt" and info.value.op.name.endswith("root"), text
    assert "produced NaN values" in text and "# LINE: branch" in text


@pytest.mark.parametrize("backend", BACKENDS)
def test_nan_in_an_inner_loop_of_nested_loops_is_named(backend):
    x = tf.placeholder(tf.float32, [], name="x")

    def outer(i, v):
        def inner(j, u):
            bad = tf.sqrt(u - 3.0, name="inner_root")  # LINE: inner
            return j + 1, u + 1.0 + tf.where(tf.is_nan(bad), 0.0, 0.0 * bad)
        _, u = tf.while_loop(lambda j, u: j < 2, inner, [tf.constant(0), v])
        return i + 1, u
    _, v = tf.while_loop(lambda i, v: i < 3, outer, [tf.constant(0), x])
    with tf.Session(backend=backend) as plain:
        assert plain.run(v, {x: 4.0}) == 10.0
    with tf.Session(backend=backend, **CHECKED) as sess:
        assert sess.run(v, {x: 4.0}) == 10.0  # u >= 4 throughout: clean
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            sess.run(v, {x: 0.0})  # u = 0, 1, 2 ...: sqrt(-3) at once
    assert info.value.op.type == "Sqrt" and "# LINE: inner" in str(info.value)


@pytest.mark.parametrize("backend", BACKENDS)
def test_step_stats_list_each_body_op_once_per_iteration_inside_the_loop(backend):
    x, y = _loop()
    feed = np.array([5.0, 6.0, 7.0, 8.0], np.float32)  # clean
    with tf.Session(backend=backend) as sess:
        expected = sess.run(y, {x: feed})
        meta = tf.RunMetadata()
        assert sess.run(y, {x: feed}, options=TRACE, run_metadata=meta) == expected
    stats = [n for d in meta.step_stats.dev_stats for n in d.node_stats]
    names = [n.node_name for n in stats]
    (loop,) = [n for n in stats if n.node_name == "loop"]
    body = [n for n in stats if n.node_name.startswith("loop/")
            and n.node_name != "loop"]
    # one execution of the log per iteration: alone (numpy interprets the body) or in
    # the fused kernel holding it (llvm), which lists its members on the /fused device
    assert names.count("loop/planted") == 5, names
    begin = loop.all_start_nanos
    end = begin + loop.all_end_rel_nanos
    for n in body:
        assert begin <= n.all_start_nanos and \
            n.all_start_nanos + n.all_end_rel_nanos <= end, n.node_name
    trace = json.loads(timeline.Timeline(meta.step_stats).generate_chrome_trace_format())
    ops = [e for e in trace["traceEvents"] if e["ph"] == "X"]
    assert sum(e["args"]["name"] == "loop/planted" for e in ops) == 5


@pytest.mark.parametrize("backend", BACKENDS)
def test_traced_gradient_of_a_loop_lists_the_backward_body(backend):
    x = tf.placeholder(tf.float32, [3], name="x")
    w = tf.Variable(np.array([0.5, 1.0, 1.5], np.float32), name="w")
    _, h = tf.while_loop(lambda i, h: i < 4, lambda i, h: (i + 1, tf.tanh(h * w)),
                         [tf.constant(0), x], name="fwd")
    loss = tf.reduce_sum(h * h)
    (grad,) = tf.gradients(loss, [w])
    feed = np.array([0.1, 0.2, 0.3], np.float32)
    with tf.Session(backend=backend) as sess:
        sess.run(tf.global_variables_initializer())
        expected = sess.run(grad, {x: feed})
        meta = tf.RunMetadata()
        got = sess.run(grad, {x: feed}, options=TRACE, run_metadata=meta)
    np.testing.assert_array_equal(got, expected)
    names = [n.node_name for d in meta.step_stats.dev_stats for n in d.node_stats]
    assert sum(n.startswith("fwd/") and "Tanh" in n and "grad" not in n
               for n in names) >= 4, names
    assert sum("grad" in n and "Tanh" in n for n in names) >= 4, names


def test_unobserved_loops_still_run_natively_and_observed_ones_are_equal():
    x, y = _loop()
    feed = np.array([5.0, 6.0, 7.0, 8.0], np.float32)
    with tf.Session(backend="llvm") as sess:
        sess.run(y, {x: feed})
        before = native_while.STATS["loops"]
        plain = sess.run(y, {x: feed})
        assert native_while.STATS["loops"] == before + 1  # the native driver ran it
        meta = tf.RunMetadata()
        traced = sess.run(y, {x: feed}, options=TRACE, run_metadata=meta)
        assert native_while.STATS["loops"] == before + 1  # observed: iteration by iteration
        assert sess.run(y, {x: feed}) == plain and traced == plain
        assert native_while.STATS["loops"] == before + 2
    with tf.Session(backend="llvm", **CHECKED) as checked:
        assert checked.run(y, {x: feed}) == plain
