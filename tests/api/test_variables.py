"""Variables, initializers, variable_scope/get_variable against TF1 semantics."""
import numpy as np
import pytest

import graphc as tf


def test_variable_names_layout_and_collections():
    w = tf.Variable(np.ones((2, 3), np.float32), name="W")
    c = tf.Variable(0, trainable=False, name="counter")
    assert w.name == "W:0" and w.op.name == "W"
    assert w.value().name == "W/read:0" and w.initializer.name == "W/Assign"
    assert w.initial_value.name == "W/initial_value:0"
    assert w.get_shape().as_list() == [2, 3] and w.dtype == tf.float32
    assert tf.global_variables() == [w, c] and tf.trainable_variables() == [w]
    assert c.dtype == tf.int32
    assert repr(w) == "<tf.Variable 'W:0' shape=(2, 3) dtype=float32_ref>"


def test_initial_values_from_python_numpy_tensor_callable():
    a = tf.Variable([1.0, 2.0])
    b = tf.Variable(np.arange(3, dtype=np.int64))
    c = tf.Variable(tf.zeros([2]) + 5.0)
    d = tf.Variable(lambda: tf.ones([1]), dtype=tf.float32)
    e = tf.Variable(3, dtype=tf.float64)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        av, bv, cv, dv, ev = sess.run([a, b, c, d, e])
    assert av.dtype == np.float32 and bv.dtype == np.int64 and ev.dtype == np.float64
    np.testing.assert_array_equal(cv, [5, 5])
    np.testing.assert_array_equal(dv, [1])


def test_assignments_return_new_values():
    v = tf.Variable(10.0)
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(v.assign(3.0)) == 3.0
        assert sess.run(v.assign_add(2.0)) == 5.0
        assert sess.run(tf.assign_sub(v, 1.0)) == 4.0
        assert sess.run(v) == 4.0
        with pytest.raises(ValueError, match="cannot assign a value of shape"):
            v.assign([1.0, 2.0])


def test_read_before_assign_and_control_dependencies():
    v = tf.Variable(1.0)
    inc = v.assign_add(1.0)
    with tf.control_dependencies([inc]):
        after = v.read_value()
    with tf.Session() as sess:
        sess.run(v.initializer)
        old, new = sess.run([v, inc])
        assert (old, new) == (1.0, 2.0)
        assert sess.run(after) == 3.0
        assert sess.run(v) == 3.0


def test_uninitialized_error_lists_all_with_lines():
    a = tf.Variable(1.0, name="alpha")  # alpha line
    b = tf.Variable(2.0, name="beta")  # beta line
    with tf.Session() as sess:
        with pytest.raises(tf.errors.FailedPreconditionError) as info:
            sess.run(a + b)
    text = str(info.value)
    assert "Attempting to use uninitialized value alpha" in text
    assert "2 uninitialized variable(s)" in text
    assert "# alpha line" in text and "# beta line" in text


def test_variables_initializer_subset_and_is_initialized():
    a = tf.Variable(1.0)
    b = tf.Variable(2.0)
    with tf.Session() as sess:
        sess.run(tf.variables_initializer([a]))
        assert sess.run(tf.is_variable_initialized(a))
        assert not sess.run(tf.is_variable_initialized(b))
        assert sess.run(a) == 1.0
        with pytest.raises(tf.errors.FailedPreconditionError):
            sess.run(b)
        sess.run(tf.initialize_all_variables())
        assert sess.run(b) == 2.0


def test_initialized_value_and_load():
    w = tf.Variable(tf.constant([1.0, 2.0]))
    w2 = tf.Variable(w.initialized_value() * 2.0)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_array_equal(sess.run(w2), [2, 4])
        w.load([5.0, 6.0], sess)
        np.testing.assert_array_equal(sess.run(w), [5, 6])
        with pytest.raises(ValueError, match="Cannot load a value of shape"):
            w.load([1.0], sess)


def test_get_variable_initializers():
    z = tf.get_variable("z", [2], initializer=tf.zeros_initializer())
    o = tf.get_variable("o", [2], initializer=tf.ones_initializer())
    c = tf.get_variable("c", [2, 2], initializer=tf.constant_initializer(3.0))
    d = tf.get_variable("d", [20, 30])  # glorot_uniform by default
    i = tf.get_variable("i", [3], dtype=tf.int32)  # zeros for ints
    k = tf.get_variable("k", initializer=tf.constant([1.0, 2.0, 3.0]))
    n = tf.get_variable("n", [1000], initializer=tf.random_normal_initializer(1.0, 0.5,
                                                                              seed=1))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        zv, ov, cv, dv, iv, kv, nv = sess.run([z, o, c, d, i, k, n])
    np.testing.assert_array_equal(zv, [0, 0])
    np.testing.assert_array_equal(ov, [1, 1])
    np.testing.assert_array_equal(cv, np.full((2, 2), 3.0))
    limit = np.sqrt(6.0 / (20 + 30))
    assert np.abs(dv).max() <= limit and np.abs(dv).max() > 0.8 * limit
    assert iv.dtype == np.int32 and not iv.any()
    np.testing.assert_array_equal(kv, [1, 2, 3])
    assert abs(nv.mean() - 1.0) < 0.1 and abs(nv.std() - 0.5) < 0.1


def test_variable_scope_reuse_rules_and_messages():
    with tf.variable_scope("layer"):
        w = tf.get_variable("w", [2])
    with pytest.raises(ValueError, match="Variable layer/w already exists, disallowed. Did "
                                         "you mean to set reuse=True"):
        with tf.variable_scope("layer"):
            tf.get_variable("w", [2])
    with tf.variable_scope("layer", reuse=True):
        assert tf.get_variable("w") is w
        with pytest.raises(ValueError, match="Variable layer/q does not exist"):
            tf.get_variable("q", [1])
    with tf.variable_scope("layer", reuse=tf.AUTO_REUSE):
        assert tf.get_variable("w", [2]) is w
        fresh = tf.get_variable("fresh", [1])
    assert fresh.name == "layer/fresh:0"
    with pytest.raises(ValueError, match="specified shape"):
        with tf.variable_scope("layer", reuse=True):
            tf.get_variable("w", [3])


def test_nested_scopes_reentry_and_name_scopes():
    with tf.variable_scope("a") as scope_a:
        with tf.variable_scope("b"):
            w = tf.get_variable("w", [1])
            op1 = tf.constant(1.0, name="c")
    assert w.name == "a/b/w:0" and op1.name == "a/b/c:0"
    with tf.variable_scope(scope_a, reuse=True):
        with tf.variable_scope("b"):
            assert tf.get_variable("w") is w
            op2 = tf.constant(1.0, name="c")
    assert op2.name.startswith("a/b_1/") or op2.name.startswith("a_1/")
    scope_a.reuse_variables()
    assert scope_a.reuse
    with tf.variable_scope(None, default_name="dense"):
        d1 = tf.get_variable("k", [1])
    with tf.variable_scope(None, default_name="dense"):
        d2 = tf.get_variable("k", [1])
    assert (d1.name, d2.name) == ("dense/k:0", "dense_1/k:0")


def test_scope_initializer_and_regularizer():
    def reg(v):
        return tf.reduce_sum(tf.square(v))
    with tf.variable_scope("s", initializer=tf.constant_initializer(2.0), regularizer=reg):
        v = tf.get_variable("v", [2])
    losses = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert sess.run(v).tolist() == [2.0, 2.0]
        assert sess.run(losses[0]) == 8.0


def test_get_variable_takes_a_constant_initializers_dtype():
    # TF1 (_get_single_variable): a non-callable initializer is the initial value, and the
    # variable takes its dtype; only callable initializers use dtype / the scope's float32
    with tf.Graph().as_default():
        assert tf.get_variable("i64", initializer=np.array([1, 2], np.int64)).dtype == tf.int64
        assert tf.get_variable("i32", initializer=3).dtype == tf.int32
        assert tf.get_variable("f32", initializer=[1.0, 2.0]).dtype == tf.float32
        assert tf.get_variable("f64", initializer=tf.constant(2.0, tf.float64)).dtype \
            == tf.float64
        assert tf.get_variable("dflt", [2]).dtype == tf.float32


def test_gather_of_a_run_time_scalar_index_is_an_array_on_both_backends():
    # np.take with a 0-d index gives a numpy scalar; kernels return arrays (GRAPHC_DEBUG
    # checks it), so GatherV2 wraps it
    from graphc.ir.registry import get_opdef
    kernel = get_opdef("GatherV2").compute
    out = kernel(np.float32([6, 2, 4]), np.asarray(1), axis=0)
    assert isinstance(out, np.ndarray) and out.shape == () and out == 2
    x = tf.placeholder(tf.float32, [3])
    y = tf.gather(x * 2.0, tf.argmin(x, 0))
    with tf.Session() as sess:
        assert sess.run(y, {x: [3.0, 1.0, 2.0]}) == 2.0
