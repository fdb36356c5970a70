"""tf.contrib.seq2seq decoding and attention: helpers, BasicDecoder, dynamic_decode,
Bahdanau and Luong attention in AttentionWrapper, against numpy unrolled by hand."""
import numpy as np
import pytest

import graphc as tf

R = np.random.RandomState(11)
s2s = tf.contrib.seq2seq


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _gru(x, h, vals, prefix):
    gk, gb = vals[prefix + "gates/kernel"], vals[prefix + "gates/bias"]
    ck, cb = vals[prefix + "candidate/kernel"], vals[prefix + "candidate/bias"]
    r, u = np.split(_sigmoid(np.concatenate([x, h], 1) @ gk + gb), 2, axis=1)
    c = np.tanh(np.concatenate([x, r * h], 1) @ ck + cb)
    return u * h + (1 - u) * c


def _values(sess):
    return {v.op.name: sess.run(v) for v in tf.trainable_variables()}


def test_training_helper_basic_decoder_matches_an_unrolled_gru():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [2, 4, 3])
        cell = tf.nn.rnn_cell.GRUCell(5)
        helper = s2s.TrainingHelper(x, [4, 2])
        dec = s2s.BasicDecoder(cell, helper, cell.zero_state(2, tf.float32),
                               output_layer=tf.layers.Dense(6, name="proj"))
        outs, state, lengths = s2s.dynamic_decode(dec)
        assert isinstance(outs, s2s.BasicDecoderOutput)
        xv = R.rand(2, 4, 3).astype(np.float32)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            o, st, ln = sess.run([outs, state, lengths], {x: xv})
            vals = _values(sess)
    h = np.zeros((2, 5), np.float32)
    logits = []
    for t in range(4):
        h = _gru(xv[:, t], h, vals, "decoder/gru_cell/")
        logits.append(h @ vals["decoder/proj/kernel"] + vals["decoder/proj/bias"])
    logits = np.stack(logits, 1)
    np.testing.assert_allclose(o.rnn_output, logits, rtol=1e-4, atol=1e-5)
    np.testing.assert_array_equal(o.sample_id, logits.argmax(-1))
    np.testing.assert_array_equal(ln, [4, 2])
    np.testing.assert_allclose(st, h, rtol=1e-4, atol=1e-5)


def test_greedy_embedding_helper_stops_at_the_end_token_and_max_iterations():
    with tf.Graph().as_default():
        emb = tf.constant(R.randn(6, 3).astype(np.float32))
        cell = tf.nn.rnn_cell.GRUCell(4)
        proj = tf.layers.Dense(6, name="proj")
        helper = s2s.GreedyEmbeddingHelper(emb, tf.constant([1, 2]), 3)
        dec = s2s.BasicDecoder(cell, helper, cell.zero_state(2, tf.float32), proj)
        outs, _, lengths = s2s.dynamic_decode(dec, maximum_iterations=6, impute_finished=True)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            o, ln, e = sess.run([outs, lengths, emb])
            vals = _values(sess)
    h = np.zeros((2, 4), np.float32)
    inputs = e[[1, 2]]
    finished = np.zeros(2, bool)
    want_len = np.zeros(2, int)
    for t in range(6):
        h_new = _gru(inputs, h, vals, "decoder/gru_cell/")
        ids = (h_new @ vals["decoder/proj/kernel"] + vals["decoder/proj/bias"]).argmax(-1)
        for b in range(2):
            if not finished[b]:
                want_len[b] = t + 1
                assert o.sample_id[b, t] == ids[b], (b, t)
            else:
                assert o.sample_id[b, t] == 0                  # impute_finished: zeros
        h = np.where(finished[:, None], h, h_new)
        finished |= ids == 3
        inputs = e[ids]
        if finished.all():
            break
    np.testing.assert_array_equal(ln, want_len)
    assert o.sample_id.shape[1] == t + 1


def _attention_reference(kind, xv, mem, lengths, vals, prefix):
    keys = mem @ vals["memory_layer/kernel"]
    mask = np.arange(mem.shape[1])[None, :] < np.asarray(lengths)[:, None]
    values = mem * mask[..., None]
    h = np.zeros((2, 6), np.float32)
    attention = np.zeros((2, 7), np.float32)
    outs = []
    for t in range(xv.shape[1]):
        h = _gru(np.concatenate([xv[:, t], attention], 1), h, vals, prefix + "gru_cell/")
        if kind == "luong":
            score = np.einsum("bu,btu->bt", h, keys) * vals[prefix + "luong_attention/attention_g"]
        else:
            q = h @ vals[prefix + "bahdanau_attention/query_layer/kernel"]
            score = np.tanh(keys + q[:, None]) @ vals[prefix + "bahdanau_attention/attention_v"]
        score = np.where(mask, score, -np.inf)
        align = np.exp(score - score.max(1, keepdims=True))
        align /= align.sum(1, keepdims=True)
        context = np.einsum("bt,btd->bd", align, values)
        attention = np.concatenate([h, context], 1) @ vals[prefix + "attention_layer/kernel"]
        outs.append(attention)
    return np.stack(outs, 1), align


@pytest.mark.parametrize("kind", ["bahdanau", "luong"])
def test_attention_wrapper_matches_numpy(kind):
    with tf.Graph().as_default():
        memv = R.randn(2, 5, 4).astype(np.float32)
        x = tf.placeholder(tf.float32, [2, 3, 3])
        if kind == "luong":
            mech = s2s.LuongAttention(6, memv, memory_sequence_length=[5, 2], scale=True)
        else:
            mech = s2s.BahdanauAttention(6, memv, memory_sequence_length=[5, 2])
        cell = s2s.AttentionWrapper(tf.nn.rnn_cell.GRUCell(6), mech, attention_layer_size=7)
        dec = s2s.BasicDecoder(cell, s2s.TrainingHelper(x, [3, 3]),
                               cell.zero_state(2, tf.float32))
        outs, state, _ = s2s.dynamic_decode(dec)
        assert isinstance(state, s2s.AttentionWrapperState)
        xv = R.rand(2, 3, 3).astype(np.float32)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            o, al, tm = sess.run([outs.rnn_output, state.alignments, state.time], {x: xv})
            vals = _values(sess)
    want, want_align = _attention_reference(kind, xv, memv, [5, 2], vals,
                                            "decoder/attention_wrapper/")
    np.testing.assert_allclose(o, want, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(al, want_align, rtol=1e-4, atol=1e-6)
    assert tm == 3 and np.all(al[1, 2:] == 0)
