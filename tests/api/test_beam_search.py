"""tf.contrib.seq2seq's beam search (graphc/seq2seq_beam.py, ir/ops/beam_search_ops.py):
gather_tree on TF1's own test cases, tile_batch, and BeamSearchDecoder under dynamic_decode
against a beam search written out in numpy, against greedy decoding at beam width 1, and
with AttentionWrapper over a tiled memory.

TensorFlow 2 has no GatherTree op and no tf.contrib, so there is no TF fixture here: the
numpy search below follows TF1's beam_search_decoder.py step for step (log-softmax, the
end-token mask, the length penalty, top_k over beam * vocab with ties to the lower index,
parents' lengths and finished flags)."""
from __future__ import annotations

import numpy as np
import pytest

import graphc as tf

s2s = tf.contrib.seq2seq


def _time_major(x):
    return np.transpose(np.asarray(x, np.int32), [1, 0, 2])


def _gather(step_ids, parent_ids, lengths, end_token):
    with tf.Graph().as_default():
        out = s2s.gather_tree(step_ids, parent_ids, lengths, end_token)
        with tf.Session() as sess:
            return out, sess.run(out)


def test_gather_tree_tf1_example():
    step_ids = _time_major([[[1, 2, 3], [4, 5, 6], [7, 8, 9], [-1, -1, -1]]])
    parent_ids = _time_major([[[0, 0, 0], [0, 1, 1], [2, 1, 2], [-1, -1, -1]]])
    out, got = _gather(step_ids, parent_ids, np.int32([3]), 10)
    assert out.shape.as_list() == [4, 1, 3] and out.dtype == tf.int32
    np.testing.assert_array_equal(
        got, _time_major([[[2, 2, 2], [6, 5, 6], [7, 8, 9], [10, 10, 10]]]))


def test_gather_tree_batch_and_end_tokens():
    # batch 0 stops at its length 2; batch 1's beam 1 emits the end token at step 1, and
    # the ids after it become end tokens
    step_ids = np.int32([[[1, 2], [3, 4]], [[5, 6], [7, 0]], [[8, 9], [1, 2]]])
    parent_ids = np.int32([[[0, 0], [0, 0]], [[1, 0], [0, 1]], [[0, 1], [1, 1]]])
    _, got = _gather(step_ids, parent_ids, np.int32([2, 3]), 0)
    want = np.full((3, 2, 2), 0, np.int32)
    want[:2, 0, 0] = [2, 5]
    want[:2, 0, 1] = [1, 6]
    want[:, 1, 0] = [4, 0, 0]    # parent chain 1 -> 1 -> 0: ids 4, 0 (end), then end
    want[:, 1, 1] = [4, 0, 0]
    np.testing.assert_array_equal(got, want)


def test_gather_tree_refuses_bad_parents_and_shapes():
    step_ids = _time_major([[[1, 2, 3], [4, 5, 6], [7, 8, 9]]])
    parent_ids = _time_major([[[0, 0, 0], [0, -1, 1], [2, 1, 2]]])
    with pytest.raises(tf.errors.InvalidArgumentError, match="Saw invalid parent id -1"):
        _gather(step_ids, parent_ids, np.int32([3]), 10)
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="must match"):
            s2s.gather_tree(step_ids, parent_ids, np.int32([3, 3]), 10)
        with pytest.raises(ValueError, match="must be rank 3"):
            s2s.gather_tree(step_ids[0], parent_ids[0], np.int32([3]), 10)
        with pytest.raises(TypeError, match="int32"):
            wide = tf.placeholder(tf.int64, [3, 1, 3])
            s2s.gather_tree(wide, wide, np.int32([3]), tf.constant(10, tf.int64))


def test_gather_tree_is_not_differentiable():
    with tf.Graph().as_default():
        ids = tf.placeholder(tf.int32, [2, 1, 2])
        out = s2s.gather_tree(ids, ids, [2], 0)
        assert tf.gradients(tf.cast(out, tf.float32), ids) == [None]


def test_tile_batch_repeats_rows_in_place():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 2])
        y = tf.constant(np.arange(6.0).reshape(3, 2))
        tx, (ty,) = s2s.tile_batch((x, (y,)), 2)
        assert tx.shape.as_list() == [None, 2] and ty.shape.as_list() == [6, 2]
        with tf.Session() as sess:
            got = sess.run(tx, {x: [[1, 2], [3, 4]]})
            np.testing.assert_array_equal(got, [[1, 2], [1, 2], [3, 4], [3, 4]])
            np.testing.assert_array_equal(sess.run(ty), np.repeat(np.arange(6.0).reshape(3, 2),
                                                                  2, 0))
        with pytest.raises(ValueError, match="statically known rank"):
            s2s.tile_batch(tf.placeholder(tf.float32), 2)


class DecayCell(tf.nn.rnn_cell.RNNCell):
    """h' = decay * h + x; logits = h' W: the next step's scores depend on the history,
    so the beams' states must move with their parents."""

    def __init__(self, weights, decay=0.5):
        super().__init__()
        self._w = weights
        self._decay = decay

    state_size = property(lambda self: self._w.shape[0])
    output_size = property(lambda self: self._w.shape[1])

    def build_step(self, inputs, state):
        h = self._decay * state + inputs
        return tf.matmul(h, tf.constant(self._w)), h


def _log_softmax(x):
    m = x.max(-1, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(-1, keepdims=True))


def _reference_beam_search(weights, start, end, beam, steps, penalty, decay=0.5):
    """TF1's beam search over DecayCell, one batch row, in numpy."""
    vocab = weights.shape[1]
    emb = np.eye(vocab)
    h = np.zeros((beam, vocab))
    log_probs = np.full(beam, -np.inf)
    log_probs[0] = 0.0
    finished = np.zeros(beam, bool)
    lengths = np.zeros(beam, np.int64)
    tokens = np.full(beam, start)
    history = []
    for _ in range(steps):
        h = decay * h + emb[tokens]
        step = _log_softmax(h @ weights)
        masked = np.where(finished[:, None],
                          np.where(np.arange(vocab) == end, 0.0, np.finfo(np.float64).min),
                          step)
        total = log_probs[:, None] + masked
        new_len = lengths[:, None] + np.where(finished[:, None] | (np.arange(vocab) == end),
                                              0, 1)
        scores = total if penalty == 0 else total / (((5 + new_len) / 6.0) ** penalty)
        flat = scores.reshape(-1)
        order = np.argsort(-flat, kind="stable")[:beam]
        parents, words = order // vocab, order % vocab
        log_probs = total.reshape(-1)[order]
        parent_finished = finished[parents]
        lengths = lengths[parents] + (~parent_finished)
        finished = parent_finished | (words == end)
        h = h[parents]
        tokens = words
        history.append((flat[order], words, parents))
        if finished.all():
            break
    return history, lengths


def _beam_graph(weights, start, end, beam, batch, penalty, maximum_iterations):
    cell = DecayCell(weights)
    vocab = weights.shape[1]
    decoder = s2s.BeamSearchDecoder(
        cell, np.eye(vocab), tf.fill([batch], np.int32(start)), end,
        cell.zero_state(batch * beam, tf.float64), beam, length_penalty_weight=penalty)
    return s2s.dynamic_decode(decoder, maximum_iterations=maximum_iterations)


@pytest.mark.parametrize("penalty", [0.0, 0.8])
def test_beam_search_matches_numpy_search(penalty):
    rng = np.random.RandomState(4)
    vocab, beam, end, start, steps = 5, 3, 4, 0, 6
    weights = rng.randn(vocab, vocab) * 2
    with tf.Graph().as_default():
        outputs, state, lengths = _beam_graph(weights, start, end, beam, 2, penalty, steps)
        assert isinstance(outputs, s2s.FinalBeamSearchDecoderOutput)
        assert isinstance(state, s2s.BeamSearchDecoderState)
        assert outputs.predicted_ids.shape.as_list() == [2, None, beam]
        with tf.Session() as sess:
            got, got_state, got_lengths = sess.run([outputs, state, lengths])
    history, want_lengths = _reference_beam_search(weights, start, end, beam, steps, penalty)
    raw = got.beam_search_decoder_output
    assert raw.scores.shape == (2, len(history), beam)
    for t, (scores, words, parents) in enumerate(history):
        for b in range(2):  # both rows decode the same problem
            np.testing.assert_allclose(raw.scores[b, t], scores, rtol=1e-12)
            np.testing.assert_array_equal(raw.predicted_ids[b, t], words)
            np.testing.assert_array_equal(raw.parent_ids[b, t], parents)
    np.testing.assert_array_equal(got_state.lengths[0], want_lengths)
    # the beams read back by gather_tree follow the parents from the last step
    ids = np.stack([w for _, w, _ in history])[:, None].repeat(2, 1)
    par = np.stack([p for _, _, p in history])[:, None].repeat(2, 1)
    _, want_ids = _gather(ids.astype(np.int32), par.astype(np.int32),
                          np.int32([want_lengths.max()] * 2), end)
    np.testing.assert_array_equal(got.predicted_ids, np.transpose(want_ids, [1, 0, 2]))
    assert got_lengths.shape == (2, beam)


def test_beam_search_hand_computed():
    """vocab {0, 1, 2=end}, beam 2. With W = diag-ish logits the first step from token
    0 scores log_softmax([2, 1, 0]); beam 0 takes 0 then ... computed by hand below."""
    weights = np.array([[2.0, 1.0, 0.0], [0.0, 0.0, 3.0], [0.0, 0.0, 0.0]])
    with tf.Graph().as_default():
        outputs, state, _ = _beam_graph(weights, 0, 2, 2, 1, 0.0, 2)
        with tf.Session() as sess:
            got, got_state = sess.run([outputs, state])
    ls0 = _log_softmax(np.array([2.0, 1.0, 0.0]))
    raw = got.beam_search_decoder_output
    # step 0: only beam 0 is alive: its two best words, 0 and 1
    np.testing.assert_allclose(raw.scores[0, 0], ls0[:2])
    np.testing.assert_array_equal(raw.predicted_ids[0, 0], [0, 1])
    np.testing.assert_array_equal(raw.parent_ids[0, 0], [0, 0])
    # step 1: beam 0 (after token 0) has h = 0.5 e0 + e0 -> logits [3, 1.5, 0];
    # beam 1 (after token 1) has h = 0.5 e0 + e1 -> logits [1, 0.5, 3]
    a = ls0[0] + _log_softmax(np.array([3.0, 1.5, 0.0]))
    b = ls0[1] + _log_softmax(np.array([1.0, 0.5, 3.0]))
    flat = np.concatenate([a, b])
    best = np.argsort(-flat, kind="stable")[:2]
    np.testing.assert_allclose(raw.scores[0, 1], flat[best])
    np.testing.assert_array_equal(raw.predicted_ids[0, 1], best % 3)
    np.testing.assert_array_equal(raw.parent_ids[0, 1], best // 3)
    assert list(best) == [0, 5]  # 0 -> 0 (score -0.61) and 1 -> end (-1.54)
    np.testing.assert_array_equal(got.predicted_ids[0], [[0, 1], [0, 2]])
    np.testing.assert_array_equal(got_state.finished[0], [False, True])
    np.testing.assert_array_equal(got_state.lengths[0], [2, 2])


def test_beam_width_one_is_greedy_decoding():
    rng = np.random.RandomState(5)
    vocab, end = 6, 5
    weights = rng.randn(vocab, vocab) * 2
    with tf.Graph().as_default():
        beam_out, _, _ = _beam_graph(weights, 1, end, 1, 1, 0.0, 8)
        cell = DecayCell(weights)
        helper = s2s.GreedyEmbeddingHelper(np.eye(vocab), tf.fill([1], np.int32(1)), end)
        greedy = s2s.BasicDecoder(cell, helper, cell.zero_state(1, tf.float64))
        greedy_out, _, _ = s2s.dynamic_decode(greedy, maximum_iterations=8)
        with tf.Session() as sess:
            got_beam, got_greedy = sess.run([beam_out.predicted_ids, greedy_out.sample_id])
    np.testing.assert_array_equal(got_beam[0, :, 0], got_greedy[0])


def test_beam_search_with_attention_over_a_tiled_memory():
    rng = np.random.RandomState(6)
    batch, beam, time, depth, vocab, units = 2, 3, 5, 4, 7, 6
    with tf.Graph().as_default():
        memory = tf.placeholder(tf.float32, [None, time, depth])
        memory_len = tf.placeholder(tf.int32, [None])
        tiled = s2s.tile_batch(memory, beam)
        tiled_len = s2s.tile_batch(memory_len, beam)
        mechanism = s2s.LuongAttention(units, tiled, memory_sequence_length=tiled_len)
        cell = s2s.AttentionWrapper(tf.nn.rnn_cell.LSTMCell(units), mechanism,
                                    attention_layer_size=units)
        embedding = tf.get_variable("embedding", [vocab, 3])
        rows = tf.shape(memory)[0]
        init = cell.zero_state(rows * beam, tf.float32)
        decoder = s2s.BeamSearchDecoder(
            cell, embedding, tf.fill([rows], 1), 0, init, beam,
            output_layer=tf.layers.Dense(vocab), length_penalty_weight=0.6,
            coverage_penalty_weight=0.2)
        outputs, state, lengths = s2s.dynamic_decode(decoder, maximum_iterations=6)
        feed = {memory: rng.randn(batch, time, depth), memory_len: [5, 3]}
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            got, got_state, got_lengths = sess.run([outputs, state, lengths], feed)
    ids = got.predicted_ids
    assert ids.shape[0] == batch and ids.shape[2] == beam and ids.shape[1] <= 6
    scores = got.beam_search_decoder_output.scores
    assert np.all(np.diff(scores[:, -1], axis=1) <= 0)  # beams sorted best first
    assert got_state.accumulated_attention_probs.shape == (batch, beam, time)
    assert np.all(got_lengths <= 6) and ids.min() >= 0 and ids.max() < vocab


def test_beam_search_decoder_checks_its_arguments():
    with tf.Graph().as_default():
        cell = tf.nn.rnn_cell.GRUCell(3)
        emb = np.eye(4)
        with pytest.raises(ValueError, match="start_tokens must be a vector"):
            s2s.BeamSearchDecoder(cell, emb, 1, 0, cell.zero_state(2, tf.float32), 2)
        with pytest.raises(ValueError, match="end_token must be a scalar"):
            s2s.BeamSearchDecoder(cell, emb, [1, 1], [0], cell.zero_state(4, tf.float32), 2)
        with pytest.raises(ValueError, match="tile_batch"):
            s2s.BeamSearchDecoder(cell, emb, [1, 1], 0, cell.zero_state(2, tf.float32), 2)
