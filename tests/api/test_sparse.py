"""tf.SparseTensor, sparse placeholders and tf.sparse.*: values from TF1's documented
examples and against numpy on the dense form, on the session's default backend."""
from __future__ import annotations

import numpy as np
import pytest

import graphc as tf


def run(fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed)


def dense(v) -> np.ndarray:
    out = np.zeros(tuple(v.dense_shape), dtype=np.asarray(v.values).dtype)
    out[tuple(np.asarray(v.indices).T)] = v.values
    return out


# the 2x3 example of TF1's docs: [[1, ?, 1], [?, 1, ?]]
X = tf.SparseTensorValue(np.int64([[0, 0], [0, 2], [1, 1]]), np.float32([1, 1, 1]),
                         np.int64([2, 3]))


def test_placeholder_fed_a_value_or_a_tuple_and_fetched_as_a_value():
    tf.reset_default_graph()
    sp = tf.sparse_placeholder(tf.float32, name="sp")
    assert sp.indices.name == "sp/indices:0" and sp.values.name == "sp/values:0"
    doubled = tf.SparseTensor(sp.indices, sp.values * 2, sp.dense_shape)
    with tf.Session() as sess:
        got = sess.run(doubled, {sp: X})
        assert isinstance(got, tf.SparseTensorValue)
        np.testing.assert_array_equal(got.values, [2, 2, 2])
        got = sess.run(tf.sparse.to_dense(sp), {sp: (X.indices, X.values, X.dense_shape)})
        np.testing.assert_array_equal(got, [[1, 0, 1], [0, 1, 0]])


def test_placeholder_with_a_shape_knows_it_and_can_be_fed_another():
    tf.reset_default_graph()
    sp = tf.sparse.placeholder(tf.float32, shape=[None, 3])
    assert sp.shape.as_list() == [None, 3]
    assert sp.get_shape().as_list() == [None, 3]
    np.testing.assert_array_equal(run(tf.sparse.reduce_sum(sp, 1), {sp: X}), [2, 1])


def test_a_tensor_fed_to_a_sparse_placeholder_is_refused():
    tf.reset_default_graph()
    sp = tf.sparse_placeholder(tf.float32)
    with pytest.raises(TypeError, match="SparseTensorValue"):
        run(sp.values, {sp: np.zeros(3)})


def test_to_dense_checks_order_and_bounds():
    tf.reset_default_graph()
    st = tf.SparseTensor([[1, 0], [0, 1]], [1.0, 2.0], [2, 2])
    with pytest.raises(tf.errors.InvalidArgumentError, match="out of order"):
        run(tf.sparse.to_dense(st))
    np.testing.assert_array_equal(run(tf.sparse.to_dense(st, validate_indices=False)),
                                  [[0, 2], [1, 0]])
    np.testing.assert_array_equal(run(tf.sparse.to_dense(tf.sparse.reorder(st), -1.0)),
                                  [[-1, 2], [1, -1]])
    bad = tf.SparseTensor([[0, 5]], [1.0], [2, 2])
    with pytest.raises(tf.errors.InvalidArgumentError, match="out of bounds"):
        run(tf.sparse.to_dense(bad))


def test_sparse_to_dense_with_vector_indices_and_a_scalar_value():
    tf.reset_default_graph()
    np.testing.assert_array_equal(run(tf.sparse_to_dense([1, 3], [5], 7, default_value=-1)),
                                  [-1, 7, -1, 7, -1])


def test_reductions_follow_the_documented_examples():
    tf.reset_default_graph()
    x = tf.SparseTensor.from_value(X)
    got = run([tf.sparse.reduce_sum(x), tf.sparse.reduce_sum(x, 0), tf.sparse.reduce_sum(x, 1),
               tf.sparse.reduce_sum(x, 1, keepdims=True), tf.sparse.reduce_sum(x, [0, 1])])
    for g, want in zip(got, [3, [1, 1, 1], [2, 1], [[2], [1]], 3]):
        np.testing.assert_array_equal(g, want)
    y = tf.SparseTensor([[0, 0], [1, 0], [1, 1]], [-7, 4, 3], [3, 2])
    np.testing.assert_array_equal(run(tf.sparse.reduce_max(y, 1)), [-7, 4, 0])
    s = run(tf.sparse.reduce_sum_sparse(y, 1))
    np.testing.assert_array_equal(s.indices, [[0], [1]])
    np.testing.assert_array_equal(s.values, [-7, 7])
    np.testing.assert_array_equal(s.dense_shape, [3])


def test_reduce_sum_gradient_reaches_the_values():
    tf.reset_default_graph()
    v = tf.placeholder(tf.float64, [3])
    total = tf.sparse.reduce_sum(tf.SparseTensor(X.indices, v, X.dense_shape), 1)
    g = tf.gradients(total * tf.constant([1.0, 10.0], tf.float64), v)[0]
    np.testing.assert_array_equal(run(g, {v: [1.0, 2.0, 3.0]}), [1, 1, 10])


def test_dense_matmul_and_its_gradients_match_the_dense_product():
    tf.reset_default_graph()
    rng = np.random.RandomState(0)
    idx = np.int64([[0, 1], [1, 0], [1, 3], [2, 2]])
    vals = rng.randn(4)
    a = np.zeros((3, 4))
    a[tuple(idx.T)] = vals
    b = rng.randn(4, 2)
    v = tf.placeholder(tf.float64, [4])
    bt = tf.placeholder(tf.float64, [4, 2])
    y = tf.sparse.matmul(tf.SparseTensor(idx, v, [3, 4]), bt)
    c = tf.placeholder(tf.float64, [3, 2])
    yt = tf.sparse_tensor_dense_matmul(tf.SparseTensor(idx, v, [3, 4]), tf.transpose(c),
                                       adjoint_a=True, adjoint_b=True)
    gv, gb = tf.gradients(tf.reduce_sum(y * y), [v, bt])
    cv = rng.randn(3, 2)
    out, out_t, dv, db = run([y, yt, gv, gb], {v: vals, bt: b, c: cv})
    np.testing.assert_allclose(out, a @ b)
    np.testing.assert_allclose(out_t, a.T @ cv)
    np.testing.assert_allclose(dv, (2 * (a @ b) @ b.T)[tuple(idx.T)])
    np.testing.assert_allclose(db, a.T @ (2 * a @ b))


def test_add_sparse_sparse_with_threshold_and_sparse_dense():
    tf.reset_default_graph()
    a = tf.SparseTensor([[0, 0], [1, 1]], [1.0, 2.0], [2, 2])
    b = tf.SparseTensor([[0, 0], [0, 1]], [-0.95, 3.0], [2, 2])
    s, t = run([tf.sparse.add(a, b), tf.sparse.add(a, b, threshold=0.1)])
    np.testing.assert_array_equal(s.indices, [[0, 0], [0, 1], [1, 1]])
    np.testing.assert_allclose(s.values, [0.05, 3.0, 2.0], rtol=1e-6)
    np.testing.assert_array_equal(t.indices, [[0, 1], [1, 1]])
    np.testing.assert_array_equal(run(tf.sparse.add(a, tf.ones([2, 2]))), [[2, 1], [1, 3]])


def test_concat_follows_the_documented_example():
    tf.reset_default_graph()
    a = tf.SparseTensor([[0, 2], [1, 0], [1, 1]], ["a", "b", "c"], [2, 3])
    b = tf.SparseTensor([[0, 1], [0, 2]], ["d", "e"], [2, 4])
    got = run(tf.sparse.concat(1, [a, b]))
    np.testing.assert_array_equal(got.indices, [[0, 2], [0, 4], [0, 5], [1, 0], [1, 1]])
    assert list(got.values) == [b"a", b"d", b"e", b"b", b"c"]
    np.testing.assert_array_equal(got.dense_shape, [2, 7])


def test_slice_and_split():
    tf.reset_default_graph()
    st = tf.SparseTensor([[0, 2], [0, 4], [0, 5], [1, 0], [1, 1]], [1, 2, 3, 4, 5], [2, 7])
    left, right = run([tf.sparse.slice(st, [0, 0], [2, 4]), tf.sparse.slice(st, [0, 4], [2, 3])])
    np.testing.assert_array_equal(dense(left), [[0, 0, 1, 0], [4, 5, 0, 0]])
    np.testing.assert_array_equal(dense(right), [[2, 3, 0], [0, 0, 0]])
    parts = run(tf.sparse.split(sp_input=st, num_split=3, axis=1))
    assert [list(p.dense_shape) for p in parts] == [[2, 3], [2, 2], [2, 2]]
    np.testing.assert_array_equal(np.concatenate([dense(p) for p in parts], 1), dense(
        run(st)))
    with pytest.raises(ValueError, match="Keyword arguments"):
        tf.sparse.split(st, 3, 1)


def test_fill_empty_rows_follows_the_documented_example():
    tf.reset_default_graph()
    st = tf.SparseTensor([[0, 1], [0, 3], [2, 0], [3, 1]], [1.0, 2.0, 3.0, 4.0], [5, 6])
    filled, empty = run(tf.sparse.fill_empty_rows(st, -1.0))
    np.testing.assert_array_equal(filled.indices, [[0, 1], [0, 3], [1, 0], [2, 0], [3, 1],
                                                   [4, 0]])
    np.testing.assert_array_equal(filled.values, [1, 2, -1, 3, 4, -1])
    np.testing.assert_array_equal(empty, [False, True, False, False, True])


def test_fill_empty_rows_gradient():
    tf.reset_default_graph()
    v = tf.placeholder(tf.float64, [2])
    d = tf.placeholder(tf.float64, [])
    filled, _ = tf.sparse_fill_empty_rows(tf.SparseTensor([[1, 0], [1, 1]], v, [3, 2]), d)
    weights = tf.constant([1.0, 2.0, 3.0, 4.0], tf.float64)   # rows 0, 1, 1, 2
    gv, gd = tf.gradients(tf.reduce_sum(filled.values * weights), [v, d])
    got_v, got_d = run([gv, gd], {v: [5.0, 6.0], d: 0.0})
    np.testing.assert_array_equal(got_v, [2, 3])
    assert got_d == 5


def test_maximum_minimum_softmax():
    tf.reset_default_graph()
    zero = tf.SparseTensor([[0]], [0], [7])
    one = tf.SparseTensor([[1]], [1], [7])
    got = run(tf.sparse.maximum(zero, one))
    np.testing.assert_array_equal(got.indices, [[0], [1]])
    np.testing.assert_array_equal(got.values, [0, 1])
    np.testing.assert_array_equal(run(tf.sparse_minimum(one, zero)).values, [0, 0])
    values = np.asarray([[[0., np.e], [1., 0.]], [[np.e, 0.], [np.e, np.e]]])
    indices = np.vstack(np.where(values)).astype(np.int64).T
    result = run(tf.sparse.softmax(tf.SparseTensor(indices, values[values != 0], [2, 2, 2])))
    np.testing.assert_allclose(dense(result), [[[0, 1], [1, 0]], [[1, 0], [.5, .5]]])


def test_retain_transpose_reshape_expand_dims_eye_reset_shape():
    tf.reset_default_graph()
    st = tf.SparseTensor([[0, 1], [1, 0], [1, 2]], [1, 2, 3], [2, 3])
    kept = run(tf.sparse.retain(st, [True, False, True]))
    np.testing.assert_array_equal(kept.indices, [[0, 1], [1, 2]])
    t = run(tf.sparse.transpose(st))
    np.testing.assert_array_equal(dense(t), dense(run(st)).T)
    np.testing.assert_array_equal(t.indices, [[0, 1], [1, 0], [2, 1]])  # canonical order
    r = run(tf.sparse.reshape(st, [3, -1]))
    np.testing.assert_array_equal(dense(r), dense(run(st)).reshape(3, 2))
    e = run(tf.sparse.expand_dims(st, 1))
    np.testing.assert_array_equal(dense(e), dense(run(st))[:, None, :])
    np.testing.assert_array_equal(dense(run(tf.sparse.eye(2, 3))), np.eye(2, 3))
    np.testing.assert_array_equal(run(tf.sparse.reset_shape(st)).dense_shape, [2, 3])
    np.testing.assert_array_equal(run(tf.sparse_reset_shape(st, [4, 4])).dense_shape, [4, 4])


def test_from_dense_to_indicator_merge_and_mul():
    tf.reset_default_graph()
    x = np.float32([[0, 2], [3, 0]])
    sp = tf.sparse.from_dense(x)
    got = run(sp)
    np.testing.assert_array_equal(got.indices, [[0, 1], [1, 0]])
    np.testing.assert_array_equal(dense(run(sp * tf.constant([10.0, 100.0]))),
                                  [[0, 200], [30, 0]])
    ids = tf.SparseTensor([[0, 0, 0], [0, 0, 1], [0, 0, 2], [0, 1, 0], [1, 0, 3], [1, 0, 4]],
                          tf.constant([0, 10, 13, 14, 32, 33], tf.int64), [2, 3, 6])
    ind = run(tf.sparse.to_indicator(ids, 50))
    assert ind.shape == (2, 3, 50)
    assert sorted(zip(*np.nonzero(ind))) == [(0, 0, 0), (0, 0, 10), (0, 0, 13), (0, 1, 14),
                                            (1, 0, 32), (1, 0, 33)]


def test_embedding_lookup_sparse_follows_the_documented_example():
    tf.reset_default_graph()
    params = np.random.RandomState(1).randn(4, 5)
    p = tf.constant(params)
    ids = tf.SparseTensor([[0, 0], [0, 2], [1, 0], [2, 3]], tf.constant([1, 3, 0, 1],
                                                                       tf.int64), [3, 4])
    w = tf.SparseTensor([[0, 0], [0, 2], [1, 0], [2, 3]], tf.constant([2.0, 0.5, 1.0, 3.0],
                                                                      tf.float64), [3, 4])
    mean, total, plain = run([tf.nn.embedding_lookup_sparse(p, ids, w, combiner="mean"),
                              tf.nn.embedding_lookup_sparse(p, ids, w, combiner="sum"),
                              tf.nn.embedding_lookup_sparse(p, ids, None, combiner="sqrtn")])
    np.testing.assert_allclose(mean[0], (params[1] * 2 + params[3] * 0.5) / 2.5)
    np.testing.assert_allclose(mean[1:], params[[0, 1]])
    np.testing.assert_allclose(total[2], params[1] * 3)
    np.testing.assert_allclose(plain[0], (params[1] + params[3]) / np.sqrt(2))


def test_safe_embedding_lookup_sparse_prunes_and_fills():
    tf.reset_default_graph()
    params = np.random.RandomState(2).randn(4, 3)
    var = tf.Variable(params)
    ids = tf.SparseTensor([[0, 0], [0, 1], [2, 0]], tf.constant([1, -1, 2], tf.int64), [3, 2])
    out = tf.nn.safe_embedding_lookup_sparse(var, ids)
    with_default = tf.nn.safe_embedding_lookup_sparse([var], ids, combiner="sum",
                                                      default_id=3)
    grad = tf.gradients(tf.reduce_sum(out), var)[0]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        got, got_default, g = sess.run([out, with_default, grad])
    np.testing.assert_allclose(got, [params[1], np.zeros(3), params[2]])
    np.testing.assert_allclose(got_default, [params[1], params[3], params[2]])
    np.testing.assert_allclose(np.asarray(g), [[0] * 3, [1] * 3, [1] * 3, [0] * 3])
