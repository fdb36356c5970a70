"""A plan's While nodes get loop-variable shapes as specific as the fed shapes allow
(passes/lower.py): the ops after a loop whose body keeps its variables' shapes see
known shapes and lower natively; a variable whose shape changes keeps its invariant."""
from __future__ import annotations

import numpy as np
import pytest

import graphc as tf
from graphc.passes import build_program
from graphc.passes.lower import lower


def _plan_while(fetch, feeds):
    program = build_program([fetch], [], [t for t, _ in feeds])
    plan = lower(program, [(shape, t.dtype) for t, shape in feeds])
    return next(op for op in plan.graph.get_operations() if op.type == "While")


def test_a_shape_keeping_loop_gets_the_fed_shapes():
    x = tf.placeholder(tf.float32, [None, 4])
    _, h = tf.while_loop(lambda i, h: i < 3, lambda i, h: (i + 1, tf.tanh(h * 2.0)),
                         [tf.constant(0), x])
    assert h.shape.as_list() == [None, 4]
    op = _plan_while(h, [(x, (5, 4))])
    assert [s.as_list() for s in op.attrs["var_shapes"]] == [[], [5, 4]]
    assert op.outputs[1].shape.as_list() == [5, 4]


def test_a_growing_loop_variable_keeps_its_invariant():
    x = tf.placeholder(tf.float32, [None])
    _, v = tf.while_loop(lambda i, v: i < 3, lambda i, v: (i + 1, tf.concat([v, v], 0)),
                         [tf.constant(0), x], shape_invariants=[tf.TensorShape([]),
                                                                tf.TensorShape([None])])
    op = _plan_while(v, [(x, (2,))])
    assert op.outputs[1].shape.as_list() == [None]
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(v, {x: [1.0, 2.0]}), [1.0, 2.0] * 8)


def test_a_variable_that_loses_a_dim_relaxes_to_what_both_agree_on():
    x = tf.placeholder(tf.float32, [None, None])
    _, m = tf.while_loop(lambda i, m: i < 2,
                         lambda i, m: (i + 1, tf.concat([m, m], 1)),
                         [tf.constant(0), x],
                         shape_invariants=[tf.TensorShape([]), tf.TensorShape([None, None])])
    op = _plan_while(m, [(x, (3, 2))])
    assert op.outputs[1].shape.as_list() == [3, None]
    with tf.Session() as sess:
        assert sess.run(m, {x: np.ones((3, 2), np.float32)}).shape == (3, 8)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_dynamic_rnn_classifier_trains_with_no_fallback_on_llvm(cell):
    tf.set_random_seed(0)
    x = tf.placeholder(tf.float32, [None, 6, 2])
    lengths = tf.placeholder(tf.int32, [None])
    y = tf.placeholder(tf.int64, [None])
    rnn = tf.nn.rnn_cell.BasicLSTMCell(5) if cell == "lstm" else tf.nn.rnn_cell.GRUCell(5)
    _, state = tf.nn.dynamic_rnn(rnn, x, sequence_length=lengths, dtype=tf.float32)
    logits = tf.layers.dense(state.h if cell == "lstm" else state, 3)
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y,
                                                                         logits=logits))
    step = tf.train.AdamOptimizer(0.01).minimize(loss)
    accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), y), tf.float32))
    rng = np.random.RandomState(0)
    feed = {x: rng.randn(4, 6, 2).astype(np.float32), lengths: [6, 3, 1, 5],
            y: [0, 1, 2, 1]}
    results = {}
    for backend in ("numpy", "llvm"):
        with tf.Session(backend=backend) as sess:
            sess.run(tf.global_variables_initializer())
            results[backend] = [sess.run([loss, step], feed)[0] for _ in range(3)] + \
                [sess.run(accuracy, feed)]
            if backend == "llvm":  # (FallbackWarning is once per op type and process)
                fallbacks = {s.op.type for plan in sess._plans.values()
                             if hasattr(plan, "executable")
                             for s in plan.executable._lowering.steps if not s.native}
                assert not fallbacks & {"MatMul", "BiasAdd", "Softmax", "Sub", "ZerosLike",
                                        "SparseSoftmaxCrossEntropyWithLogits", "ArgMax",
                                        "Equal"}, fallbacks
    np.testing.assert_allclose(results["llvm"], results["numpy"], rtol=1e-4, atol=1e-5)
