"""tf.gradients semantics (TF1): multiple ys, fan-in, unconnected, stop_gradient, scopes,
errors, and a Hessian-vector product."""
import numpy as np
import pytest

import graphc as tf
from tests.helpers import central_difference


def _run(fetches, feeds=None):
    with tf.Session() as sess:
        return sess.run(fetches, feeds)


def test_multiple_ys_are_summed_and_fan_in_accumulates():
    x = tf.placeholder(tf.float64, [3])
    y1 = x * x          # x used twice in one op
    y2 = 3.0 * x
    g, = tf.gradients([y1, y2], [x])
    xv = np.array([1.0, -2.0, 0.5])
    np.testing.assert_allclose(_run(g, {x: xv}), 2 * xv + 3.0)


def test_unconnected_gives_none_or_zeros():
    x = tf.placeholder(tf.float32, [2])
    z = tf.placeholder(tf.float32, [2])
    y = tf.reduce_sum(x * 2.0)
    assert tf.gradients(y, [z]) == [None]
    g, = tf.gradients(y, [z], unconnected_gradients="zero")
    np.testing.assert_array_equal(_run(g, {z: [1, 1]}), [0, 0])


def test_stop_gradient_and_stop_gradients_argument():
    x = tf.placeholder(tf.float64, [])
    a = x * x
    y = a + tf.stop_gradient(a) * x
    g, = tf.gradients(y, [x])
    assert _run(g, {x: 3.0}) == pytest.approx(2 * 3.0 + 9.0)
    g2, = tf.gradients(y, [x], stop_gradients=[a])
    assert _run(g2, {x: 3.0}) == pytest.approx(9.0)


def test_gradient_ops_are_scoped_and_know_their_forward_op():
    x = tf.placeholder(tf.float32, [2], name="x")
    y = tf.exp(x, name="e")
    g, = tf.gradients(y, [x])
    grad_ops = [op for op in tf.get_default_graph().get_operations()
                if op.name.startswith("gradients/e_grad/")]
    assert grad_ops and all(op.original == (y.op,) for op in grad_ops)


def test_gradient_wrt_variable_and_intermediate():
    w = tf.Variable(np.array([1.0, 2.0]))
    h = w * w
    y = tf.reduce_sum(h * 3.0)
    gw, gh = tf.gradients(y, [w, h])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        gwv, ghv = sess.run([gw, gh])
    np.testing.assert_allclose(gwv, [6.0, 12.0])
    np.testing.assert_allclose(ghv, [3.0, 3.0])


def test_broadcast_gradient_with_runtime_shapes():
    x = tf.placeholder(tf.float64, [None, 3])
    b = tf.placeholder(tf.float64, [None])  # broadcast against the last axis at run time
    y = tf.reduce_sum(x * tf.reshape(b, [1, -1]))
    gb, = tf.gradients(y, [b])
    xv = np.arange(6.0).reshape(2, 3)
    np.testing.assert_allclose(_run(gb, {x: xv, b: [1.0, 1.0, 1.0]}), xv.sum(axis=0))


def test_hessian_vector_product():
    x = tf.placeholder(tf.float64, [3])
    v = tf.placeholder(tf.float64, [3])
    a = np.array([[2.0, 1.0, 0.0], [1.0, 3.0, 1.0], [0.0, 1.0, 4.0]])
    f = tf.reduce_sum(tf.exp(x)) + 0.5 * tf.reduce_sum(x * tf.matmul(
        tf.constant(a), tf.reshape(x, [3, 1]))[:, 0])
    g, = tf.gradients(f, [x])
    hv, = tf.gradients(g, [x], grad_ys=[v])
    xv, vv = np.array([0.1, -0.2, 0.3]), np.array([1.0, 2.0, -1.0])
    expected = (np.diag(np.exp(xv)) + a) @ vv
    np.testing.assert_allclose(_run(hv, {x: xv, v: vv}), expected, rtol=1e-10)


def test_op_without_rule_names_op_and_line():
    from graphc.ir.registry import get_opdef
    x = tf.placeholder(tf.float32, [2])
    y = tf.exp(x)
    opdef = get_opdef("Exp")
    saved = opdef.vjp
    opdef.vjp = None
    try:
        with pytest.raises(LookupError, match=r"(?s)No gradient defined for operation 'Exp' "
                                              r"\(op type: Exp\).*test_gradients.py"):
            tf.gradients(y, [x])
    finally:
        opdef.vjp = saved


def test_transpose_without_perm_and_prod_over_an_unknown_rank_have_gradients():
    # Issue 15 item 7: both failed to build; TensorFlow returns both.
    xv = np.arange(1.0, 7.0).reshape(2, 3)
    for shape in ([2, 3], None):
        x = tf.placeholder(tf.float64, shape)
        (dt,) = tf.gradients(tf.transpose(x) * np.arange(2.0), x)
        (dp,) = tf.gradients(tf.reduce_prod(x, [0]), x)
        (dk,) = tf.gradients(tf.reduce_prod(x, [1], keepdims=True), x)
        (dm,) = tf.gradients(tf.reduce_max(x, [1]) + tf.reduce_mean(x, [0])[0], x)
        got_t, got_p, got_k, got_m = _run([dt, dp, dk, dm], {x: xv})
        np.testing.assert_array_equal(got_t, [[0, 0, 0], [1, 1, 1]])
        np.testing.assert_allclose(got_p, [[4, 5, 6], [1, 2, 3]])
        np.testing.assert_allclose(got_k, np.prod(xv, 1, keepdims=True) / xv)
        np.testing.assert_allclose(got_m, [[1, 0, 1], [1, 0, 1]])  # mean[0] broadcasts twice


def test_gradients_with_no_xs_or_no_ys_follow_tf1():
    x = tf.placeholder(tf.float32, [2])
    assert tf.gradients(x * 2.0, []) == []
    assert tf.gradients(tf.reduce_sum(x), ()) == []
    assert tf.gradients([], [x]) == [None]  # nothing to differentiate: unconnected
    (zero,) = tf.gradients([], [x], unconnected_gradients="zero")
    np.testing.assert_array_equal(_run(zero, {x: [1, 2]}), [0, 0])


def test_prod_gradient_at_zeros_is_the_product_of_the_others_to_second_order():
    # TF1's rule (exclusive cumprods) is exact at zeros; prod / x gave nan there.
    rows = np.array([[0.0, 2.0, 3.0], [0.0, 0.0, 5.0], [1.5, -2.0, 3.0], [0.0, 0.0, 0.0]])
    for shape in ([4, 3], None):
        for axis, keep in (([1], False), (None, False), ([0], True)):
            x = tf.placeholder(tf.float64, shape)
            y = tf.reduce_prod(x, axis, keepdims=keep)
            (g,) = tf.gradients(tf.reduce_sum(y * y), x)
            (h,) = tf.gradients(tf.reduce_sum(g * g), x)
            with tf.Session(backend="numpy") as sess:  # the rule is the subject
                got_g, got_h = sess.run([g, h], {x: rows})
                want_h = central_difference(lambda v: float(np.sum(sess.run(g, {x: v}) ** 2)), rows)
            ax = None if axis is None else tuple(axis)
            want_g = central_difference(lambda v: float(np.sum(np.prod(v, ax, keepdims=keep) ** 2)),
                              rows)
            np.testing.assert_allclose(got_g, want_g, atol=1e-6, err_msg=f"{shape} {axis}")
            np.testing.assert_allclose(got_h, want_h, atol=1e-5, err_msg=f"{shape} {axis}")
