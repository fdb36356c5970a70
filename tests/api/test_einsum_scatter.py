"""einsum, tensordot, norms, tensor scatters and gathers with batch_dims (issue 20):
values against numpy (and TF1's definitions), the errors, static shapes and gradients."""
import numpy as np
import pytest

import graphc as tf

from ..helpers import central_difference

R = np.random.RandomState(0)

EQUATIONS = [
    ("ij,jk->ik", [(2, 3), (3, 4)]), ("ij,jk", [(2, 3), (3, 4)]),
    ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]), ("ii->i", [(3, 3)]), ("ii", [(3, 3)]),
    ("ij->ji", [(2, 3)]), ("ij->", [(2, 3)]), ("i,i->", [(3,), (3,)]),
    ("i,j->ij", [(3,), (4,)]), ("...ij,...jk->...ik", [(2, 5, 3, 4), (2, 5, 4, 2)]),
    ("abc,cd,de->abe", [(2, 3, 4), (4, 5), (5, 2)]),
    ("bhqd,bhkd->bhqk", [(2, 3, 4, 5), (2, 3, 6, 5)]), ("ijk,ikj->i", [(2, 3, 4), (2, 4, 3)]),
    ("ab,ab->ab", [(2, 3), (2, 3)]), ("iij->j", [(3, 3, 2)]), ("ab,bc,ca->", [(2, 3), (3, 4),
                                                                             (4, 2)]),
    # `...` dims of 1 broadcast against the other operand's (numpy's and TF's rule)
    ("...ij,...jk->...ik", [(1, 3, 4), (5, 4, 2)]), ("...ij,...jk->...ik", [(5, 3, 4), (1, 4, 2)]),
    ("...ij,...jk->...ik", [(2, 1, 3, 4), (1, 5, 4, 2)]),
    ("...ij,...jk->...ik", [(3, 4), (5, 4, 2)]),
    ("...i,...i->...", [(1, 3), (4, 3)]), ("b...,b...->b...", [(2, 1, 3), (2, 4, 1)]),
    ("...ij,...jk,...kl->...il", [(1, 2, 3), (4, 3, 2), (1, 2, 2)]),
]


def _run(fetches, feeds=None):
    with tf.Session() as sess:
        return sess.run(fetches, feeds)


@pytest.mark.parametrize("equation, shapes", EQUATIONS, ids=[e for e, _ in EQUATIONS])
def test_einsum_matches_numpy_with_static_and_fed_shapes(equation, shapes):
    xs = [R.randn(*s) for s in shapes]
    want = np.einsum(equation, *xs)
    const = tf.einsum(equation, *[tf.constant(x) for x in xs])
    assert const.shape.as_list() == list(want.shape)
    phs = [tf.placeholder(tf.float64, [None] * len(s)) for s in shapes]
    fed = tf.linalg.einsum(equation, *phs)
    a, b = _run([const, fed], dict(zip(phs, xs)))
    np.testing.assert_allclose(a, want, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(b, want, rtol=1e-12, atol=1e-12)


def test_einsum_gradient_and_errors():
    a = tf.placeholder(tf.float64, [2, 3])
    b = tf.placeholder(tf.float64, [3, 3])
    y = tf.einsum("ij,jj->i", a, b)
    av, bv = R.randn(2, 3), R.randn(3, 3)
    ga, gb = tf.gradients(tf.reduce_sum(y * [1.0, -2.0]), [a, b])
    with tf.Session() as sess:
        def f_a(v):
            return float(sess.run(y, {a: v, b: bv}) @ [1.0, -2.0])

        def f_b(v):
            return float(sess.run(y, {a: av, b: v}) @ [1.0, -2.0])
        got_a, got_b = sess.run([ga, gb], {a: av, b: bv})
        np.testing.assert_allclose(got_a, central_difference(f_a, av), rtol=1e-6)
        np.testing.assert_allclose(got_b, central_difference(f_b, bv), rtol=1e-6)
    with pytest.raises(ValueError, match="appears in no input"):
        tf.einsum("ij->k", a)
    with pytest.raises(ValueError, match="names 2 operands"):
        tf.einsum("ij,jk->ik", a)
    with pytest.raises(TypeError, match="unexpected keyword argument 'nmae'"):
        tf.einsum("ij->ji", a, nmae="x")
    assert tf.einsum("ij->ji", a, name="swap").name.startswith("swap")


@pytest.mark.parametrize("known", [True, False], ids=["static", "fed"])
def test_einsum_broadcast_gradient_sums_the_broadcast_dims(known):
    av, bv = R.randn(1, 2, 3, 4), R.randn(3, 1, 4, 2)
    a = tf.placeholder(tf.float64, av.shape if known else [None] * 4)
    b = tf.placeholder(tf.float64, bv.shape if known else [None] * 4)
    y = tf.einsum("...ij,...jk->...ik", a, b)
    w = R.randn(3, 2, 3, 2)
    ga, gb = tf.gradients(tf.reduce_sum(y * w), [a, b])
    with tf.Session() as sess:
        def f_a(v):
            return float(np.sum(sess.run(y, {a: v, b: bv}) * w))

        def f_b(v):
            return float(np.sum(sess.run(y, {a: av, b: v}) * w))
        got_a, got_b = sess.run([ga, gb], {a: av, b: bv})
        np.testing.assert_allclose(got_a, central_difference(f_a, av), rtol=1e-6)
        np.testing.assert_allclose(got_b, central_difference(f_b, bv), rtol=1e-6)
        if not known:   # dims the graph leaves unknown that do not broadcast fail at run time
            with pytest.raises(tf.errors.InvalidArgumentError, match="einsum"):
                sess.run(y, {a: R.randn(2, 2, 3, 4), b: R.randn(3, 1, 4, 2)})


def test_einsum_refuses_dims_that_do_not_broadcast():
    with pytest.raises(ValueError, match=r"einsum: the operands of '\.\.\.ij,\.\.\.jk->\.\.\."
                       r"ik' have shapes \(3, 3, 4\), \(5, 4, 2\).*do not broadcast"):
        tf.einsum("...ij,...jk->...ik", tf.zeros([3, 3, 4]), tf.zeros([5, 4, 2]))
    with pytest.raises(ValueError, match=r"shapes \(3, 3\), \(5, 4\), which disagree in "
                       r"label 'j'"):
        tf.einsum("ij,jk->ik", tf.zeros([3, 3]), tf.zeros([5, 4]))
    with pytest.raises(ValueError, match="has no '...' for the 1 dim"):   # as TF
        tf.einsum("...ij,...jk->ik", tf.zeros([1, 3, 4]), tf.zeros([5, 4, 2]))


def test_tensordot_matches_numpy():
    a, b = R.randn(2, 3, 4), R.randn(4, 3, 5)
    x, y = _run([tf.tensordot(a, b, [[1, 2], [1, 0]]), tf.linalg.tensordot(a, b, 1)])
    np.testing.assert_allclose(x, np.tensordot(a, b, [[1, 2], [1, 0]]))
    np.testing.assert_allclose(y, np.tensordot(a, b, 1))


@pytest.mark.parametrize("ord", ["euclidean", 1, 2, np.inf, 3.5])
@pytest.mark.parametrize("axis", [None, 1, -1])
def test_vector_norms_match_numpy(ord, axis):
    x = R.randn(3, 4, 5)
    got = _run(tf.norm(x, ord=ord, axis=axis))
    o = 2 if ord == "euclidean" else ord
    want = np.linalg.norm(x.reshape(-1), o) if axis is None else np.linalg.norm(x, o, axis)
    np.testing.assert_allclose(got, want, rtol=1e-12)


@pytest.mark.parametrize("ord", ["fro", "euclidean", 1, 2, np.inf])
@pytest.mark.parametrize("axis", [(0, 1), (1, 2), (-1, 0)])
def test_matrix_norms_match_numpy(ord, axis):
    x = R.randn(3, 4, 5)
    got = _run(tf.linalg.norm(x, ord=ord, axis=axis, keepdims=True))
    want = np.linalg.norm(x, "fro" if ord == "euclidean" else ord, axis, keepdims=True)
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_norm_refuses_what_tf1_refuses():
    with pytest.raises(ValueError, match="supported vector norm"):
        tf.norm([1.0, 2.0], ord=-1)
    with pytest.raises(ValueError, match="supported matrix norm"):
        tf.norm(np.ones((2, 2)), ord=3, axis=(0, 1))
    with pytest.raises(ValueError, match="2 unique integers"):
        tf.norm(np.ones((2, 2)), axis=(1, 1))


def test_matvec_cross_normalize():
    a, b = R.randn(2, 3, 3), R.randn(2, 3)
    u, v = R.randn(4, 3), R.randn(4, 3)
    mv, cr, (n, nn), en = _run([tf.linalg.matvec(a, b), tf.cross(u, v),
                                tf.linalg.normalize(u, axis=1),
                                tf.math.reduce_euclidean_norm(u, 0)])
    np.testing.assert_allclose(mv, np.einsum("bij,bj->bi", a, b))
    np.testing.assert_allclose(cr, np.cross(u, v))
    np.testing.assert_allclose(n, u / np.linalg.norm(u, axis=1, keepdims=True))
    np.testing.assert_allclose(en, np.linalg.norm(u, axis=0))


def test_tensor_scatter_nd_update_add_sub():
    t = np.arange(12.0).reshape(4, 3)
    idx = [[2], [0]]
    upd = [[-1.0, -2.0, -3.0], [7.0, 8.0, 9.0]]
    a, b, c, d = _run([tf.tensor_scatter_nd_update(t, idx, upd),
                       tf.tensor_scatter_nd_add(t, idx, upd),
                       tf.tensor_scatter_sub(t, idx, upd),
                       tf.tensor_scatter_add(t, [[0, 1], [0, 1]], [1.0, 2.0])])
    want = t.copy()
    want[[2, 0]] = upd
    np.testing.assert_array_equal(a, want)
    np.testing.assert_array_equal(b, t + np.array([[7, 8, 9], [0, 0, 0], [-1, -2, -3],
                                                   [0, 0, 0]]))
    np.testing.assert_array_equal(c, t - np.array([[7, 8, 9], [0, 0, 0], [-1, -2, -3],
                                                   [0, 0, 0]]))
    assert d[0, 1] == t[0, 1] + 3
    with pytest.raises(tf.errors.InvalidArgumentError, match="does not index into shape"):
        _run(tf.tensor_scatter_nd_update(t, [[4]], [upd[0]]))
    with pytest.raises(ValueError, match="updates .* must have shape"):
        tf.tensor_scatter_nd_update(t, idx, [1.0, 2.0])


def _gather_reference(p, idx, b, axis):
    rows = [np.take(p[i], idx[i], axis=axis - b) for i in np.ndindex(*p.shape[:b])]
    return np.array(rows).reshape(p.shape[:b] + rows[0].shape)


def test_gather_with_batch_dims_is_tf1s():
    p = R.randn(2, 3, 4, 5)
    i1, i2 = R.randint(0, 4, (2, 3, 6)), R.randint(0, 5, (2, 7))
    a, b, c = tf.gather(p, i1, batch_dims=2), tf.gather(p, i2, batch_dims=1, axis=3), \
        tf.batch_gather(p[:, 0], R.randint(0, 4, (2, 3)))
    assert a.shape.as_list() == [2, 3, 6, 5] and b.shape.as_list() == [2, 3, 4, 7]
    av, bv, _ = _run([a, b, c])
    np.testing.assert_array_equal(av, _gather_reference(p, i1, 2, 2))
    np.testing.assert_array_equal(bv, _gather_reference(p, i2, 1, 3))
    with pytest.raises(tf.errors.InvalidArgumentError):  # checked per batch, never read
        _run(tf.gather(p, np.full((2, 3, 1), 4), batch_dims=2))  # from the next batch


def test_gather_nd_with_batch_dims_is_tf1s_and_differentiable():
    p = tf.placeholder(tf.float64, [2, 3, 4])
    idx = np.array([[[0, 1], [2, 3]], [[1, 0], [0, 0]]])
    y = tf.gather_nd(p, idx, batch_dims=1)
    pv = R.randn(2, 3, 4)
    want = np.array([[pv[b][tuple(ix)] for ix in idx[b]] for b in range(2)])
    (g,) = tf.gradients(tf.reduce_sum(y * [[1.0, 2.0], [3.0, 4.0]]), [p])
    got, gv = _run([y, g], {p: pv})
    np.testing.assert_array_equal(got, want)
    expected = np.zeros_like(pv)
    for b_, w in ((0, [1.0, 2.0]), (1, [3.0, 4.0])):
        for ix, wi in zip(idx[b_], w):
            expected[b_][tuple(ix)] += wi
    np.testing.assert_array_equal(gv, expected)
    assert y.shape.as_list() == [2, 2]
