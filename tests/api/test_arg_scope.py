"""tf.contrib.framework.arg_scope over graphc's contrib.layers functions, and a Layer's
add_variable (TF1's older name of add_weight)."""
import numpy as np
import pytest

import graphc as tf

fw, layers = tf.contrib.framework, tf.contrib.layers


def test_arg_scope_sets_defaults_nests_and_yields_to_explicit_keywords():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 4])
        with fw.arg_scope([layers.fully_connected], activation_fn=None,
                          weights_initializer=tf.ones_initializer()) as outer:
            a = layers.fully_connected(x, 2)
            with fw.arg_scope([layers.fully_connected], activation_fn=tf.nn.relu):
                b = layers.fully_connected(x, 2)
            c = layers.fully_connected(x, 2, activation_fn=tf.nn.sigmoid)
        with fw.arg_scope(outer):
            d = layers.fully_connected(x, 2)
        e = layers.fully_connected(x, 2)          # outside: contrib's ReLU default
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            xv = -np.ones((1, 4), np.float32)
            av, bv, cv, dv = sess.run([a, b, c, d], {x: xv})
        assert e.op.type == "Relu" and a.op.type != "Relu"
    np.testing.assert_allclose(av, [[-4.0, -4.0]])
    np.testing.assert_allclose(bv, [[0.0, 0.0]])
    np.testing.assert_allclose(cv, 1 / (1 + np.exp(4.0)) * np.ones((1, 2)), rtol=1e-6)
    np.testing.assert_allclose(dv, av)
    assert fw.has_arg_scope(layers.conv2d) and "activation_fn" in fw.arg_scoped_arguments(
        layers.conv2d)


def test_arg_scope_refuses_undecorated_functions():
    with pytest.raises(ValueError, match="is not decorated with @add_arg_scope"):
        with fw.arg_scope([tf.nn.relu], name="x"):
            pass

    @fw.add_arg_scope
    def scaled(x, factor=1.0):
        return x * factor
    with fw.arg_scope([scaled], factor=3.0):
        assert scaled(2.0) == 6.0
    assert scaled(2.0) == 2.0


def test_layer_add_variable_is_add_weight():
    class Bias(tf.layers.Layer):
        def build(self, input_shape):
            self.b = self.add_variable("b", [input_shape[-1].value],
                                       initializer=tf.constant_initializer(1.5))

        def call(self, inputs):
            return inputs + self.b
    with tf.Graph().as_default():
        layer = Bias()
        y = layer(tf.zeros([1, 2]))
        assert [v.op.name for v in layer.weights] == ["bias/b"]
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            np.testing.assert_allclose(sess.run(y), [[1.5, 1.5]])
