"""tf.contrib.layers' layer functions, tf.contrib.seq2seq.sequence_loss,
tf.contrib.rnn.stack_bidirectional_dynamic_rnn, DeviceWrapper and tf.contrib.framework,
against numpy and TF1's names."""
import numpy as np
import pytest

import graphc as tf

R = np.random.RandomState(5)


def _run(fetches, feeds=None):
    with tf.Session() as sess:
        sess.run([tf.global_variables_initializer(), tf.local_variables_initializer()])
        return sess.run(fetches, feeds)


def test_fully_connected_conv2d_flatten_names_and_values():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 5, 5, 2])
        h = tf.contrib.layers.conv2d(x, 3, 3)
        f = tf.contrib.layers.flatten(h)
        y = tf.contrib.layers.fully_connected(f, 4, activation_fn=None,
                                              weights_regularizer=tf.contrib.layers
                                              .l2_regularizer(0.5))
        names = [v.op.name for v in tf.trainable_variables()]
        assert names == ["Conv/weights", "Conv/biases", "fully_connected/weights",
                         "fully_connected/biases"]
        assert tf.model_variables() == tf.trainable_variables()
        assert len(tf.losses.get_regularization_losses()) == 1
        assert tf.contrib.framework.get_variables("Conv") == tf.trainable_variables()[:2]
        assert [v.op.name for v in tf.contrib.framework.get_variables_by_name("weights")] == [
            "Conv/weights", "fully_connected/weights"]
        xv = R.rand(2, 5, 5, 2).astype(np.float32)
        hv, yv, fv, w, b = _run([h, y, f, tf.trainable_variables()[2],
                                 tf.trainable_variables()[3]], {x: xv})
    assert hv.shape == (2, 5, 5, 3) and hv.min() >= 0          # SAME padding, ReLU
    # (float32 sums of 75 products in another order: ~1e-8 apart, so an absolute floor for
    # the entries that cancel to near zero)
    np.testing.assert_allclose(yv, fv @ w + b, rtol=1e-5, atol=1e-6)


def test_contrib_batch_norm_and_layer_norm():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 3])
        bn = tf.contrib.layers.batch_norm(x, updates_collections=None, decay=0.5)
        ln = tf.contrib.layers.layer_norm(x)
        assert [v.op.name for v in tf.global_variables()] == [
            "BatchNorm/beta", "BatchNorm/moving_mean", "BatchNorm/moving_variance",
            "LayerNorm/beta", "LayerNorm/gamma"]
        assert tf.get_collection(tf.GraphKeys.UPDATE_OPS) == []
        mm = tf.global_variables()[1]
        xv = R.rand(6, 3).astype(np.float32)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            bv, lv = sess.run([bn, ln], {x: xv})
            np.testing.assert_allclose(sess.run(mm), 0.5 * xv.mean(0), rtol=1e-5)
    np.testing.assert_allclose(bv, (xv - xv.mean(0)) / np.sqrt(xv.var(0) + 1e-3), rtol=1e-4,
                               atol=1e-5)
    np.testing.assert_allclose(lv, (xv - xv.mean(1, keepdims=True)) / np.sqrt(
        xv.var(1, keepdims=True) + 1e-12), rtol=1e-4, atol=1e-5)


def test_embed_sequence():
    with tf.Graph().as_default():
        ids = tf.constant([[0, 2], [1, 1]])
        emb = tf.contrib.layers.embed_sequence(ids, vocab_size=3, embed_dim=4)
        table = tf.global_variables()[0]
        assert table.op.name == "EmbedSequence/embeddings"
        e, t = _run([emb, table])
    np.testing.assert_allclose(e, t[[[0, 2], [1, 1]]])


def _xent(logits, targets):
    logp = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    return -np.take_along_axis(logp, targets[..., None], -1)[..., 0]


@pytest.mark.parametrize("flags", [dict(), dict(average_across_timesteps=False),
                                   dict(average_across_batch=False),
                                   dict(average_across_timesteps=False,
                                        average_across_batch=False),
                                   dict(average_across_timesteps=False, average_across_batch=False,
                                        sum_over_timesteps=True, sum_over_batch=True),
                                   dict(average_across_timesteps=False, sum_over_timesteps=True)])
def test_sequence_loss(flags):
    logits = R.randn(2, 3, 4)
    targets = R.randint(0, 4, (2, 3))
    weights = np.array([[1.0, 1.0, 0.0], [1.0, 0.5, 0.0]])
    with tf.Graph().as_default():
        got = _run(tf.contrib.seq2seq.sequence_loss(logits, targets, weights, **flags))
    ce = _xent(logits, targets) * weights
    at = flags.get("average_across_timesteps", True)
    ab = flags.get("average_across_batch", True)
    st, sb = flags.get("sum_over_timesteps", False), flags.get("sum_over_batch", False)
    nz = (weights != 0).astype(float)

    def div(a, b):  # TF1's div_no_nan
        return np.where(b != 0, a / np.where(b != 0, b, 1), 0.0)
    if at and ab:
        want = div(ce.sum(), weights.sum())
    elif st and sb:
        want = div(ce.sum(), nz.sum())
    elif at or ab:
        axis = 0 if ab else 1
        want = div(ce.sum(axis), weights.sum(axis))
    elif st or sb:
        axis = 0 if sb else 1
        want = div(ce.sum(axis), nz.sum(axis))
    else:
        want = ce
    np.testing.assert_allclose(got, want, rtol=1e-10)


def test_stack_bidirectional_dynamic_rnn_and_device_wrapper():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [2, 4, 3])
        cells_fw = [tf.nn.rnn_cell.DeviceWrapper(tf.nn.rnn_cell.GRUCell(5), "/cpu:0"),
                    tf.nn.rnn_cell.GRUCell(2)]
        cells_bw = [tf.nn.rnn_cell.GRUCell(5), tf.nn.rnn_cell.GRUCell(2)]
        out, s_fw, s_bw = tf.contrib.rnn.stack_bidirectional_dynamic_rnn(
            cells_fw, cells_bw, x, dtype=tf.float32, sequence_length=[4, 2])
        assert out.shape.as_list() == [2, 4, 4] and len(s_fw) == 2 and len(s_bw) == 2
        names = sorted({v.op.name.rsplit("/", 2)[0] for v in tf.trainable_variables()})
        assert names[:2] == ["stack_bidirectional_rnn/cell_0/bidirectional_rnn/bw/gru_cell",
                             "stack_bidirectional_rnn/cell_0/bidirectional_rnn/fw/gru_cell"]
        ov, fw = _run([out, s_fw[1]], {x: R.rand(2, 4, 3).astype(np.float32)})
    np.testing.assert_array_equal(ov[1, 2:], 0)   # past sequence_length
    np.testing.assert_allclose(ov[0, -1, :2], fw[0], rtol=1e-6)


def test_contrib_dropout_keeps_keep_prob_while_training():
    """tf.contrib.layers.dropout (hunkim's lab-10-7, under arg_scope): the kept inputs
    scaled by 1 / keep_prob while is_training (a bool tensor here), the input otherwise."""
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 400])
        training = tf.placeholder(tf.bool, [])
        with tf.contrib.framework.arg_scope([tf.contrib.layers.dropout], keep_prob=0.25):
            d = tf.contrib.layers.dropout(x, is_training=training, seed=3)
        fixed = tf.contrib.layers.dropout(x, 0.5, is_training=False, scope="eval")
        assert d.name.startswith("Dropout/")
        xv = R.rand(3, 400).astype(np.float32) + 1.0
        with tf.Session() as sess:
            on = sess.run(d, {x: xv, training: True})
            off, same = sess.run([d, fixed], {x: xv, training: False})
    kept = on != 0
    np.testing.assert_allclose(on[kept], xv[kept] * 4.0, rtol=1e-6)
    assert 0.15 < kept.mean() < 0.35
    np.testing.assert_array_equal(off, xv)
    np.testing.assert_array_equal(same, xv)
