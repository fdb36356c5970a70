"""Where graphc read differently from TF1 to a new user (issue 20's semantics list): summary
names made from variable names, and how tensors, variables and ops print."""
import numpy as np
import pytest

import graphc as tf
from graphc.summary import decode_summary


def test_a_summary_named_after_a_variable_is_cleaned_as_tf1():
    # TF1's summary_scope: characters outside [-/\w.] become '_', leading '/' go
    w = tf.Variable(np.ones((2, 2), np.float32), name="W1")
    h = tf.summary.histogram(w.name, w)
    s = tf.summary.scalar("/loss (train)", tf.reduce_sum(w))
    tf.summary.scalar("acc", tf.constant(0.5), family="eval:1")
    assert h.name == "W1_0:0" and s.name == "loss__train_:0"
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        values = decode_summary(sess.run(tf.summary.merge_all()))
    tags = [tag for tag, _ in values]
    assert tags[:2] == ["W1_0", "loss__train_"] and tags[2].startswith("eval_1")
    assert values[0][1]["num"] == 4 and values[1][1] == 4.0


def test_tensors_print_as_tf1s():
    c = tf.constant("a")
    assert str(c) == 'Tensor("Const:0", shape=(), dtype=string)'
    assert repr(c) == "<tf.Tensor 'Const:0' shape=() dtype=string>"
    p = tf.placeholder(tf.float32, [None, 3])
    assert str(p) == 'Tensor("Placeholder:0", shape=(?, 3), dtype=float32)'
    u = tf.placeholder(tf.int32)  # TF1 leaves an unknown rank out of str, not of repr
    assert str(u) == 'Tensor("Placeholder_1:0", dtype=int32)'
    assert repr(u) == "<tf.Tensor 'Placeholder_1:0' shape=<unknown> dtype=int32>"


def test_variables_print_as_tf1s():
    w = tf.Variable(np.zeros((2, 2), np.float32), name="w")
    assert str(w) == repr(w) == "<tf.Variable 'w:0' shape=(2, 2) dtype=float32_ref>"


def test_an_operation_prints_as_its_node_def():
    a = tf.placeholder(tf.float32, [None, 3], name="a")
    b = tf.ones([3, 2], name="b")
    m = tf.matmul(a, b)
    with tf.control_dependencies([b.op]):
        tf.identity(m, name="out")
    assert repr(m.op) == "<tf.Operation 'MatMul' type=MatMul>"
    # TF1 1.15's text for the same op (attribute keys sorted)
    assert str(m.op) == (
        'name: "MatMul"\nop: "MatMul"\ninput: "a"\ninput: "b"\n'
        'attr {\n  key: "T"\n  value {\n    type: DT_FLOAT\n  }\n}\n'
        'attr {\n  key: "transpose_a"\n  value {\n    b: false\n  }\n}\n'
        'attr {\n  key: "transpose_b"\n  value {\n    b: false\n  }\n}\n')
    out = tf.get_default_graph().get_operation_by_name("out")
    assert 'input: "MatMul"\ninput: "^b"\n' in str(out)


def test_matmul_of_an_unshaped_placeholder_is_a_matrix():
    x = tf.placeholder(tf.float32)  # TF1 tutorials: tf.placeholder("float")
    w = tf.Variable(np.arange(6.0, dtype=np.float32).reshape(3, 2))
    logits = tf.matmul(x, w)
    assert logits.shape.as_list() == [None, 2] and logits.op.type == "MatMul"
    labels = np.array([[0.0, 1.0], [1.0, 0.0]], np.float32)
    loss = tf.reduce_sum(tf.nn.softmax_cross_entropy_with_logits_v2(labels=labels,
                                                                    logits=logits))
    gx, gw = tf.gradients(loss, [x, w])
    xv = np.array([[1.0, 0.5, -1.0], [0.0, 2.0, 1.0]], np.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        got_loss, got_gx, got_gw = sess.run([loss, gx, gw], {x: xv})
        z = xv @ np.arange(6.0).reshape(3, 2)
        p = np.exp(z - z.max(1, keepdims=True))
        p /= p.sum(1, keepdims=True)
        np.testing.assert_allclose(got_loss, -(labels * np.log(p)).sum(), rtol=1e-5)
        np.testing.assert_allclose(got_gx, (p - labels) @ np.arange(6.0).reshape(3, 2).T,
                                   rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(got_gw, xv.T @ (p - labels), rtol=1e-5, atol=1e-6)
        with pytest.raises(tf.errors.InvalidArgumentError, match="must have rank 2"):
            sess.run(logits, {x: np.ones((2, 1, 3), np.float32)})


def _log_softmax(z):
    z = np.asarray(z, np.float64)
    return z - z.max(-1, keepdims=True) - np.log(np.exp(z - z.max(-1, keepdims=True))
                                                 .sum(-1, keepdims=True))


def test_softmax_cross_entropy_takes_integer_labels_and_broadcasts_them():
    z = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 1.0]], np.float32)
    logits = tf.constant(z)
    onehot = np.array([[0, 0, 1], [1, 0, 0]])  # int64 one-hot labels: TF1 casts them
    row = tf.constant([[0.0, 1.0, 0.0]])  # one label row for every example
    a = tf.nn.softmax_cross_entropy_with_logits_v2(labels=onehot, logits=logits)
    b = tf.nn.softmax_cross_entropy_with_logits(labels=row, logits=logits)
    c = tf.nn.softmax_cross_entropy_with_logits_v2(labels=np.array([0.0, 0.0, 1.0]),
                                                   logits=logits)
    assert a.dtype == tf.float32 and a.shape.as_list() == [2]
    g_row, g_logits = tf.gradients(
        tf.reduce_sum(tf.nn.softmax_cross_entropy_with_logits_v2(labels=row, logits=logits)),
        [row, logits])
    with tf.Session() as sess:
        va, vb, vc, vgr, vgl = sess.run([a, b, c, g_row, g_logits])
    lsm = _log_softmax(z)
    np.testing.assert_allclose(va, -(onehot * lsm).sum(1), rtol=1e-6)
    np.testing.assert_allclose(vb, -lsm[:, 1], rtol=1e-6)
    np.testing.assert_allclose(vc, -lsm[:, 2], rtol=1e-6)
    np.testing.assert_allclose(vgr, -lsm.sum(0, keepdims=True), rtol=1e-6)  # summed back
    np.testing.assert_allclose(vgl, np.exp(lsm) - [[0, 1, 0]], rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match=r"labels of shape \(2,\) do not broadcast"):
        tf.nn.softmax_cross_entropy_with_logits_v2(labels=[1.0, 0.0], logits=logits)


def test_reentering_a_variable_scope_restarts_layer_names():
    x = tf.placeholder(tf.float32, [None, 3])

    def model(inputs):
        return tf.layers.dense(tf.layers.dense(inputs, 4, tf.nn.relu), 2)

    with tf.variable_scope("model") as scope:
        y1 = model(x)
    with tf.variable_scope("model", reuse=True):  # by name
        y2 = model(x)
    with tf.variable_scope(scope, reuse=True):  # by object
        y3 = model(x)
    assert [v.name for v in tf.global_variables()] == [
        "model/dense/kernel:0", "model/dense/bias:0",
        "model/dense_1/kernel:0", "model/dense_1/bias:0"]
    with tf.variable_scope("model"):  # a new pass without reuse finds the names taken
        with pytest.raises(ValueError, match="model/dense/kernel already exists"):
            model(x)
    xv = np.random.RandomState(0).rand(5, 3).astype(np.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        a, b, c = sess.run([y1, y2, y3], {x: xv})
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a, c)


def test_a_default_name_counts_again_after_its_parent_scope_is_left():
    for _ in range(2):
        with tf.variable_scope("outer"):
            with tf.variable_scope(None, default_name="block") as first:
                pass
            with tf.variable_scope(None, default_name="block") as second:
                pass
        assert (first.name, second.name) == ("outer/block", "outer/block_1")
