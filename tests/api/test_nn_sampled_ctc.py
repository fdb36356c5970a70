"""Candidate samplers, nce_loss and sampled_softmax_loss against TF1's formulas written in
numpy; ctc_loss and the CTC decoders against brute force over every path; gradients by
central differences; both backends agree (the samplers are seeded Philox draws)."""
import itertools
import numpy as np
import pytest

import graphc as tf
from tests.helpers import central_difference, run_both

R = np.random.RandomState(31)


_both = run_both


# ---------------------------------------------------------------- samplers
def test_samplers_are_seeded_and_follow_tf1s_probabilities():
    labels = tf.constant(np.int64([[0, 3], [7, 19]]))
    uni = tf.nn.uniform_candidate_sampler(labels, 2, 6, True, 20, seed=1)
    logu = tf.random.log_uniform_candidate_sampler(labels, 2, 50, False, 20, seed=2)
    fixed = tf.nn.fixed_unigram_candidate_sampler(labels, 2, 8, False, 6, unigrams=[0, 4, 1, 1],
                                                  num_reserved_ids=2, distortion=0.5, seed=3)
    a, b = _both([uni, logu, fixed])
    for x, y in zip(a, b):
        for u, v in zip(x, y):
            np.testing.assert_array_equal(u, v)
    (s, te, se), (ls, lte, lse), (fs, fte, fse) = a
    assert len(set(s.tolist())) == 6 and s.min() >= 0 and s.max() < 20
    assert np.allclose(se, se[0]) and 6 / 20 <= se[0] <= 1
    p = (np.log(np.arange(20) + 2) - np.log(np.arange(20) + 1)) / np.log(21)
    np.testing.assert_allclose(lse, p[ls] * 50, rtol=1e-6)
    np.testing.assert_allclose(lte, p[[[0, 3], [7, 19]]] * 50, rtol=1e-6)
    assert set(fs.tolist()) <= {3, 4, 5} and len(fs) == 8  # reserved ids and count 0: never
    q = np.sqrt([0, 0, 0, 4, 1, 1]) / np.sqrt([4, 1, 1]).sum()
    np.testing.assert_allclose(fse, q[fs] * 8, rtol=1e-6)
    with tf.Session() as sess:   # a new run draws new candidates
        first, second = sess.run(uni[0]), sess.run(uni[0])
    assert not np.array_equal(first, second) or len(set(first)) == 6


def test_compute_accidental_hits():
    t = tf.constant(np.int64([[1, 2], [3, 3]]))
    s = tf.constant(np.int64([2, 3, 9, 1]))
    idx, ids, w = _both(tf.nn.compute_accidental_hits(t, s, 2))[0]
    np.testing.assert_array_equal(idx, [0, 0, 1])
    np.testing.assert_array_equal(ids, [0, 3, 1])
    assert np.all(w == -np.finfo(np.float32).max)


# ---------------------------------------------------------------- sampled losses
def _np_logits(x, w, b, labels, sampled, te, se):
    true = np.einsum("bd,btd->bt", x, w[labels]) + b[labels] - np.log(te)
    samp = x @ w[sampled].T + b[sampled] - np.log(se)
    return true, samp


def _setup(num_true=1):
    x, w, b = R.randn(4, 3), R.randn(10, 3), R.randn(10)
    labels = R.randint(0, 10, (4, num_true)).astype(np.int64)
    sampled = np.int64([1, 4, 7, 8, 2])
    te = R.uniform(0.2, 0.9, (4, num_true)).astype(np.float32)
    se = R.uniform(0.2, 0.9, 5).astype(np.float32)
    return x, w, b, labels, sampled, te, se


def test_nce_loss_is_tf1s_sigmoid_cross_entropy_sum():
    x, w, b, labels, sampled, te, se = _setup(num_true=2)
    vals = (tf.constant(sampled), tf.constant(te), tf.constant(se))
    loss = tf.nn.nce_loss(w, b, labels, x, 5, 10, num_true=2, sampled_values=vals)
    true, samp = _np_logits(x, w, b, labels, sampled, te, se)
    logits = np.concatenate([true, samp], 1)
    z = np.concatenate([np.full_like(true, 0.5), np.zeros_like(samp)], 1)
    want = (np.maximum(logits, 0) - logits * z + np.log1p(np.exp(-np.abs(logits)))).sum(1)
    for got in _both(loss):
        np.testing.assert_allclose(got, want, rtol=1e-6)


def test_sampled_softmax_loss_removes_accidental_hits():
    x, w, b, labels, sampled, te, se = _setup()
    labels[0, 0] = 4   # sampled candidate 1 is row 0's true class: an accidental hit
    vals = (tf.constant(sampled), tf.constant(te), tf.constant(se))
    loss = tf.nn.sampled_softmax_loss(w, b, labels, x, 5, 10, sampled_values=vals)
    true, samp = _np_logits(x, w, b, labels, sampled, te, se)
    samp[labels[:, :1] == sampled[None]] -= np.finfo(np.float32).max
    logits = np.concatenate([true, samp], 1)
    m = logits.max(1, keepdims=True)
    want = -(logits[:, 0] - m[:, 0] - np.log(np.exp(logits - m).sum(1)))
    for got in _both(loss):
        np.testing.assert_allclose(got, want, rtol=1e-6)


def test_sampled_losses_train_with_the_default_sampler():
    x = tf.placeholder(tf.float64, [4, 3])
    w = tf.placeholder(tf.float64, [10, 3])
    labels = tf.constant(np.int64([[1], [2], [3], [9]]))
    vals = tf.nn.log_uniform_candidate_sampler(labels, 1, 5, True, 10, seed=4)
    loss = tf.reduce_sum(tf.nn.nce_loss(w, tf.zeros([10], tf.float64), labels, x, 5, 10,
                                        sampled_values=vals)) + \
        tf.reduce_sum(tf.nn.sampled_softmax_loss(w, tf.zeros([10], tf.float64), labels, x, 5,
                                                 10, sampled_values=vals))
    gx, gw = tf.gradients(loss, [x, w])
    xv, wv = R.randn(4, 3), R.randn(10, 3)
    with tf.Session() as sess:
        fixed = sess.run(list(vals))
        feed = {x: xv, w: wv, **dict(zip(vals, fixed))}
        got_x, got_w = sess.run([gx, gw], feed)
        num_x = central_difference(lambda v: sess.run(loss, {**feed, x: v}), xv)
        num_w = central_difference(lambda v: sess.run(loss, {**feed, w: v}), wv)
    np.testing.assert_allclose(got_x, num_x, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(got_w, num_w, rtol=1e-5, atol=1e-7)
    default = tf.nn.sampled_softmax_loss(tf.constant(wv), tf.zeros([10], tf.float64), labels,
                                         tf.constant(xv), 5, 10, seed=8)
    a, b = _both(default)
    np.testing.assert_allclose(a, b, rtol=1e-12)


# ---------------------------------------------------------------- CTC
def _collapse(path, blank, merge):
    out, prev = [], None
    for c in path:
        if c != blank and not (merge and c == prev):
            out.append(c)
        prev = c
    return tuple(out)


def _brute(logits, label, merge=True):
    """-log of the summed probability of every path that maps to `label`."""
    p = np.exp(logits - logits.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    t_len, classes = p.shape
    total = 0.0
    for path in itertools.product(range(classes), repeat=t_len):
        if _collapse(path, classes - 1, merge) == tuple(label):
            total += np.prod(p[np.arange(t_len), path])
    return -np.log(total)


def _sparse(rows):
    idx = [[b, i] for b, r in enumerate(rows) for i in range(len(r))]
    return tf.SparseTensor(np.int64(idx), np.int32([c for r in rows for c in r]),
                           np.int64([len(rows), max(map(len, rows))]))


@pytest.mark.parametrize("merge", [True, False])
def test_ctc_loss_is_the_sum_over_paths(merge):
    rows = [[1, 1], [0], [2, 0, 1]]
    x = R.randn(5, 3, 4)
    seq = np.int32([5, 4, 5])
    loss = tf.nn.ctc_loss(_sparse(rows), tf.constant(x), seq, ctc_merge_repeated=merge)
    want = [_brute(x[:n, b], r, merge) for b, (r, n) in enumerate(zip(rows, seq))]
    for got in _both(loss):
        np.testing.assert_allclose(got, want, rtol=1e-10)


def test_ctc_loss_gradient_options_and_batch_major():
    rows = [[1, 0], [0, 0]]
    xv = R.randn(2, 4, 3)   # batch major
    x = tf.placeholder(tf.float64, xv.shape)
    loss = tf.nn.ctc_loss(_sparse(rows), x, [4, 3], time_major=False,
                          preprocess_collapse_repeated=True)
    wv = np.array([0.7, 1.3])
    total = tf.reduce_sum(loss * wv)
    g = tf.gradients(total, x)[0]
    with tf.Session() as sess:
        got = sess.run(g, {x: xv})
        numeric = central_difference(lambda v: sess.run(total, {x: v}), xv)
        values = sess.run(loss, {x: xv})
    np.testing.assert_allclose(got, numeric, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(values[1], _brute(xv[1, :3], [0]), rtol=1e-10)  # collapsed
    assert not got[1, 3].any()   # past the sequence's end
    short = tf.nn.ctc_loss(_sparse([[1, 1, 1]]), tf.constant(R.randn(3, 1, 3)), [3],
                           ignore_longer_outputs_than_inputs=True)
    np.testing.assert_array_equal(_both(short)[0], [0.0])
    bad = tf.nn.ctc_loss(_sparse([[1, 1, 1]]), tf.constant(R.randn(3, 1, 3)), [3])
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError,
                                             match="Not enough time"):
        sess.run(bad)
    with pytest.raises(LookupError, match="second derivative"):
        tf.gradients(tf.gradients(total, x)[0], x)


def test_ctc_greedy_decoder():
    # per step best classes (blank = 3): 1 1 3 1 0 0 | 2 3 2 (length 3)
    best = [[1, 2], [1, 3], [3, 2], [1, 0], [0, 0], [0, 0]]
    x = np.full((6, 2, 4), -1.0, np.float32)
    for t, row in enumerate(best):
        for b, c in enumerate(row):
            x[t, b, c] = 2.0 + t
    (dec,), score = tf.nn.ctc_greedy_decoder(tf.constant(x), [6, 3])
    (dec2,), _ = tf.nn.ctc_greedy_decoder(tf.constant(x), [6, 3], merge_repeated=False)
    out, out2, s = _both([dec, dec2, score])[0]
    np.testing.assert_array_equal(out.values, [1, 1, 0, 2, 2])
    np.testing.assert_array_equal(out.indices, [[0, 0], [0, 1], [0, 2], [1, 0], [1, 1]])
    np.testing.assert_array_equal(out.dense_shape, [2, 3])
    np.testing.assert_array_equal(out2.values, [1, 1, 1, 0, 0, 2, 2])
    np.testing.assert_allclose(s[:, 0], [-sum(2.0 + t for t in range(6)), -(2 + 3 + 4)])
    (shifted,), _ = tf.nn.ctc_greedy_decoder(tf.constant(x), [6, 3], blank_index=0)
    # class 0 is now the blank: 3 is a label again
    np.testing.assert_array_equal(_both(shifted)[0].values, [1, 3, 1, 2, 3, 2])


def test_ctc_beam_search_finds_the_most_probable_labelling():
    x = R.randn(4, 2, 3)
    (top, second), logp = tf.nn.ctc_beam_search_decoder(tf.constant(x), [4, 3], beam_width=50,
                                                        top_paths=2, merge_repeated=False)
    t, s, lp = _both([top, second, logp])[0]
    for b, n in enumerate([4, 3]):
        labellings = {_collapse(p, 2, True) for p in itertools.product(range(3), repeat=n)}
        scored = sorted(((-_brute(x[:n, b], lab), lab) for lab in labellings), reverse=True)
        np.testing.assert_allclose(lp[b], [scored[0][0], scored[1][0]], rtol=1e-8)
        assert tuple(t.values[t.indices[:, 0] == b]) == scored[0][1]
        assert tuple(s.values[s.indices[:, 0] == b]) == scored[1][1]


def test_learned_unigram_sampler_learns_the_true_classes_per_session():
    labels = tf.constant(np.int64([[3], [3], [5]]))
    s, te, se = tf.nn.learned_unigram_candidate_sampler(labels, 1, 4, False, 10, seed=9)
    with tf.Session() as sess:
        first = sess.run(te)
        second = sess.run(te)
    np.testing.assert_allclose(first[:, 0], [0.4, 0.4, 0.4], rtol=1e-6)  # 4 * 1/10
    np.testing.assert_allclose(second[:, 0], [4 * 3 / 13, 4 * 3 / 13, 4 * 2 / 13], rtol=1e-6)
    with tf.Session() as sess:   # a new Session starts counting again
        np.testing.assert_allclose(sess.run(te), first)
