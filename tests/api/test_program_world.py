"""tf.custom_gradient, tf.hessians, lookup tables, Session.partial_run, tf.test.TestCase,
tf.sysconfig and version facts."""
import os
import unittest

import numpy as np
import pytest

import graphc as tf


def _run(fetches, feeds=None, init=True):
    with tf.Session() as sess:
        if init:
            sess.run([tf.global_variables_initializer(), tf.tables_initializer()])
        return sess.run(fetches, feeds)


def test_custom_gradient_replaces_the_gradient():
    @tf.custom_gradient
    def log1pexp(x):
        e = tf.exp(x)

        def grad(dy):
            return dy * (1 - 1 / (1 + e))
        return tf.log(1 + e), grad

    @tf.custom_gradient
    def clip_grad(x, y):
        def grad(dy):
            return tf.clip_by_value(dy, -0.1, 0.1), dy * 3.0
        return x * y, grad

    with tf.Graph().as_default():
        x = tf.constant([0.0, 50.0, -3.0], tf.float64)
        y = log1pexp(x)
        (g,) = tf.gradients(y, x)
        a, b = tf.constant(2.0), tf.constant(5.0)
        z = clip_grad(a, b)
        ga, gb = tf.gradients(z * 10.0, [a, b])
        yv, gv, zv, gav, gbv = _run([y, g, z, ga, gb])
    np.testing.assert_allclose(yv, np.log1p(np.exp([0.0, 50.0, -3.0])))
    np.testing.assert_allclose(gv, 1 - 1 / (1 + np.exp([0.0, 50.0, -3.0])))
    assert zv == 10.0 and gav == pytest.approx(0.1) and gbv == pytest.approx(30.0)


def test_custom_gradient_with_variables():
    @tf.custom_gradient
    def scaled(x):
        w = tf.get_variable("w", initializer=tf.constant(3.0))

        def grad(dy, variables=None):
            return dy * 0.0, [dy * 7.0]
        return x * w, grad

    with tf.Graph().as_default():
        x = tf.constant(2.0)
        y = scaled(x)
        w = tf.trainable_variables()[0]
        gx, gw = tf.gradients(y, [x, w])
        assert _run([y, gx, gw]) == [6.0, 0.0, 7.0]
        train = tf.train.GradientDescentOptimizer(0.5).minimize(y)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(train)
            assert sess.run(w) == pytest.approx(3.0 - 0.5 * 7.0)

    @tf.custom_gradient
    def no_variables_kwarg(x):
        w = tf.get_variable("w2", initializer=tf.constant(3.0))
        return x * w, lambda dy: dy
    with tf.Graph().as_default():
        with pytest.raises(TypeError, match="must accept a keyword argument 'variables'"):
            no_variables_kwarg(tf.constant(1.0))


def test_hessians_against_the_analytic_hessian():
    with tf.Graph().as_default():
        a = np.array([[2.0, 1.0], [1.0, 3.0]])
        x = tf.Variable(np.array([0.5, -1.0]))
        f = 0.5 * tf.reduce_sum(x * tf.matmul(tf.constant(a), tf.reshape(x, [2, 1]))[:, 0]) + \
            tf.reduce_sum(x ** 3)
        (h,) = tf.hessians(f, x)
        assert h.shape.as_list() == [2, 2]
        m = tf.Variable(np.ones((2, 2)))
        (hm,) = tf.hessians(tf.reduce_sum(m * m), m)
        hv, hmv = _run([h, hm])
    np.testing.assert_allclose(hv, a + np.diag(6 * np.array([0.5, -1.0])))
    np.testing.assert_allclose(hmv.reshape(4, 4), 2 * np.eye(4))


def test_hash_table_and_contrib_lookup():
    with tf.Graph().as_default():
        init = tf.lookup.KeyValueTensorInitializer(["a", "b", "c"], [1, 2, 3], value_dtype=tf.int64)
        table = tf.lookup.StaticHashTable(init, -1)
        out = table.lookup(tf.constant([["b", "z"], ["a", "c"]]))
        size = table.size()
        index = tf.contrib.lookup.index_table_from_tensor(["x", "y"])
        words = tf.contrib.lookup.index_to_string_table_from_tensor(["x", "y"])
        ids = index.lookup(tf.constant(["y", "q", "x"]))
        back = words.lookup(tf.constant([1, 0, 5], tf.int64))
        ht = tf.contrib.lookup.HashTable(tf.contrib.lookup.KeyValueTensorInitializer(
            [1, 5], [0.5, 1.5]), 0.0)
        fl = ht.lookup(tf.constant([5, 2]))
        o, s, i, b, f = _run([out, size, ids, back, fl])
        np.testing.assert_array_equal(o, [[2, -1], [1, 3]])
        assert s == 3 and list(i) == [1, -1, 0] and list(b) == [b"y", b"x", b"UNK"]
        np.testing.assert_allclose(f, [1.5, 0.0])
        with tf.Session() as sess:
            with pytest.raises(tf.errors.FailedPreconditionError):
                sess.run(out)   # before tables_initializer
        assert tf.global_variables() == []


def test_partial_run_runs_each_op_once_per_step():
    with tf.Graph().as_default():
        a = tf.placeholder(tf.float32, [])
        b = tf.placeholder(tf.float32, [])
        c = tf.placeholder(tf.float32, [])
        noise = tf.random_uniform([])
        r1 = a + b + noise
        r2 = r1 * c + noise
        with tf.Session() as sess:
            h = sess.partial_run_setup([r1, r2], [a, b, c])
            v1 = sess.partial_run(h, r1, feed_dict={a: 1.0, b: 2.0})
            v2 = sess.partial_run(h, r2, feed_dict={c: 10.0})
            n = v1 - 3.0
            assert v2 == pytest.approx(v1 * 10.0 + n, rel=1e-6)
            with pytest.raises(tf.errors.InvalidArgumentError, match="already been fed"):
                h2 = sess.partial_run_setup([r1], [a, b])
                sess.partial_run(h2, r1, feed_dict={a: 1.0, b: 1.0})
                sess.partial_run(h2, r1, feed_dict={a: 1.0})
            with pytest.raises(tf.errors.InvalidArgumentError, match="not specified"):
                h3 = sess.partial_run_setup([r1], [a, b])
                sess.partial_run(h3, r2, feed_dict={a: 1.0, b: 1.0})


class _Example(tf.test.TestCase):
    __test__ = False  # run by test_tf_test_testcase_runs_under_unittest
    def test_everything(self):
        x = tf.constant([1.0, 2.0])
        with self.session() as sess:
            self.assertAllClose(x, [1.0, 2.0 + 1e-8])
            self.assertAllEqual(sess.run(x), [1.0, 2.0])
            self.assertAllInRange(x, 1.0, 2.0)
            with self.assertRaises(AssertionError):
                self.assertAllInRange(x, 1.0, 2.0, open_upper_bound=True)
            self.assertShapeEqual(np.zeros(2), x)
            self.assertEqual(x.eval().tolist(), [1.0, 2.0])
        with self.cached_session() as s1, self.cached_session() as s2:
            self.assertIs(s1, s2)
        self.assertAllClose(self.evaluate({"x": x}), {"x": np.array([1.0, 2.0])})
        with self.test_session():
            self.assertAllClose(self.evaluate(x * 2), [2.0, 4.0])


def test_tf_test_testcase_runs_under_unittest():
    result = unittest.TestResult()
    unittest.defaultTestLoader.loadTestsFromTestCase(_Example).run(result)
    assert result.wasSuccessful(), result.errors + result.failures
    assert not tf.test.is_gpu_available() and tf.test.gpu_device_name() == ""
    assert os.path.isdir(tf.test.get_temp_dir())


def test_sysconfig_and_version_facts():
    assert os.path.isdir(tf.sysconfig.get_lib())
    assert os.path.isdir(tf.sysconfig.get_include())
    assert tf.sysconfig.get_build_info()["is_cuda_build"] is False
    assert tf.VERSION == tf.__version__ and "LLVM" in tf.COMPILER_VERSION
    assert tf.version.VERSION == tf.VERSION and tf.GIT_VERSION


def test_monitored_training_session_initializes_tables():
    with tf.Graph().as_default():
        table = tf.lookup.StaticHashTable(tf.lookup.KeyValueTensorInitializer([3, 4], [30, 40]),
                                          0)
        out = table.lookup(tf.constant([4, 9]))
        tf.train.get_or_create_global_step()
        with tf.train.MonitoredTrainingSession() as sess:
            assert list(sess.run(out)) == [40, 0]
