"""GRAPHC_CHECK_NUMERICS=1 / ConfigProto(check_numerics=True): every float result of a
run is checked; the first NaN or Inf raises TF1's InvalidArgumentError naming the op that
produced it (also inside a fused llvm kernel), its inputs' ranges and the user's line;
clean runs give the values of unchecked ones."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import graphc as tf

BACKENDS = ["numpy", "llvm"]


@pytest.fixture(autouse=True)
def _quiet_fallbacks():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _chain():
    """A log(0) planted in the middle of a chain the fusion pass makes one kernel of;
    the tanh after it turns the -inf back into a finite -1, so the result is finite."""
    x = tf.placeholder(tf.float32, [8], name="x")
    a = tf.exp(x) * 2.0
    b = a - 2.0                       # 0 where x == 0
    c = tf.log(b, name="planted_log")  # LINE: planted
    d = tf.tanh(c * 3.0 + 1.0)
    y = tf.reduce_sum(d * d, name="y")
    return x, y


@pytest.mark.parametrize("backend", BACKENDS)
def test_planted_log_of_zero_inside_a_fused_chain_is_named_with_its_line(backend):
    x, y = _chain()
    with tf.Session(backend=backend, config=tf.ConfigProto(check_numerics=True)) as sess:
        clean = np.arange(1, 9, dtype=np.float32)
        value = sess.run(y, {x: clean})
        plan = sess._plans[next(iter(sess._plans))].executable.plan
        assert "Fused" in [op.type for op in plan.nodes]  # the chain is one kernel
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            sess.run(y, {x: np.arange(8, dtype=np.float32)})
    text = str(info.value)
    assert info.value.op.name == "planted_log" and info.value.op.type == "Log"
    assert "Log op 'planted_log' produced Inf values" in text
    assert "input 0 (sub:0): float32 (8,) in [0, " in text
    assert "inside the fused kernel" in text
    assert "test_numerics_check.py" in text and "# LINE: planted" in text
    with tf.Session(backend=backend) as plain:  # unchecked: the same value, no error
        assert plain.run(y, {x: clean}) == value
        assert np.isfinite(plain.run(y, {x: np.arange(8, dtype=np.float32)}))


@pytest.mark.parametrize("backend", BACKENDS)
def test_environment_variable_turns_checks_on(backend, monkeypatch):
    x = tf.placeholder(tf.float32, [3], name="x")
    w = tf.Variable(np.array([1.0, 2.0, 3.0], np.float32), name="w")
    q = tf.div(x, w - 2.0, name="ratio")  # 1/0 for x[1]
    out = tf.reduce_max(tf.minimum(q, 5.0))
    monkeypatch.setenv("GRAPHC_CHECK_NUMERICS", "1")
    with tf.Session(backend=backend) as sess:
        sess.run(w.initializer)
        with pytest.raises(tf.errors.InvalidArgumentError, match="'ratio' produced Inf"):
            sess.run(out, {x: [1.0, 1.0, 1.0]})
    monkeypatch.setenv("GRAPHC_CHECK_NUMERICS", "0")
    with tf.Session(backend=backend) as sess:
        sess.run(w.initializer)
        assert sess.run(out, {x: [1.0, 1.0, 1.0]}) == 5.0


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_fed_nan_names_its_placeholder(backend):
    x = tf.placeholder(tf.float32, [2], name="x")
    y = x * 2.0
    with tf.Session(backend=backend, config=tf.ConfigProto(check_numerics=True)) as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="'x' was fed NaN"):
            sess.run(y, {x: [1.0, np.nan]})


@pytest.mark.parametrize("backend", BACKENDS)
def test_clean_checked_training_matches_unchecked(backend):
    def train(check):
        tf.reset_default_graph()
        tf.set_random_seed(1)
        x = tf.placeholder(tf.float32, [16, 4])
        y = tf.placeholder(tf.int32, [16])
        logits = tf.layers.dense(tf.layers.dense(x, 8, tf.nn.relu), 3)
        loss = tf.losses.sparse_softmax_cross_entropy(y, logits)
        step = tf.train.AdamOptimizer(0.05).minimize(loss)
        rng = np.random.RandomState(0)
        feed = {x: rng.randn(16, 4).astype(np.float32), y: rng.randint(0, 3, 16)}
        with tf.Session(backend=backend,
                        config=tf.ConfigProto(check_numerics=check)) as sess:
            sess.run(tf.global_variables_initializer())
            losses = [sess.run([loss, step], feed)[0] for _ in range(4)]
            return losses, sess.run(tf.trainable_variables())

    plain, plain_vars = train(False)
    checked, checked_vars = train(True)
    assert plain == checked
    for a, b in zip(plain_vars, checked_vars):
        np.testing.assert_array_equal(a, b)
