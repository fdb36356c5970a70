"""tf.layers' class layers (Layer's build/call protocol, variables, losses, updates), their
functional forms as thin wrappers, and tf.make_template's sharing."""
import numpy as np
import pytest

import graphc as tf

R = np.random.RandomState(2)


def _run(fetches, feeds=None, init=True):
    with tf.Session() as sess:
        if init:
            sess.run(tf.global_variables_initializer())
        return sess.run(fetches, feeds)


def test_dense_builds_once_and_shares_its_weights_between_calls():
    with tf.Graph().as_default():
        layer = tf.layers.Dense(3, activation=tf.nn.relu, name="fc",
                                kernel_regularizer=tf.contrib.layers.l2_regularizer(0.1))
        assert not layer.built and layer.name == "fc"
        x1 = tf.placeholder(tf.float32, [None, 4])
        x2 = tf.placeholder(tf.float32, [None, 2, 4])
        y1, y2 = layer(x1), layer.apply(x2)
        assert layer.built and layer.scope_name == "fc"
        assert [v.name for v in layer.trainable_variables] == ["fc/kernel:0", "fc/bias:0"]
        assert layer.variables == layer.trainable_weights and layer.non_trainable_weights == []
        assert len(tf.global_variables()) == 2 and y2.shape.as_list() == [None, 2, 3]
        assert len(layer.losses) == 1 and \
            tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES) == layer.losses
        assert layer.count_params() == 4 * 3 + 3
        xv = R.rand(5, 4).astype(np.float32)
        a, b, k, bias, reg = _run([y1, y2, layer.kernel, layer.bias, layer.losses[0]],
                                  {x1: xv, x2: xv.reshape(5, 1, 4).repeat(2, 1)})
    np.testing.assert_allclose(a, np.maximum(xv @ k + bias, 0), rtol=1e-6)
    np.testing.assert_allclose(b[:, 1], a, rtol=1e-6)
    assert reg == pytest.approx(0.1 * np.sum(k ** 2) / 2, rel=1e-5)
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="expected axis -1 of input shape to have value 4"):
            layer = tf.layers.Dense(2)
            layer(tf.zeros([1, 4]))
            layer(tf.zeros([1, 5]))


def test_unnamed_layers_get_tf1s_scopes_and_functional_forms_match():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 6, 6, 2])
        conv = tf.layers.Conv2D(4, 3, padding="same")
        h = conv(x)
        h2 = tf.layers.conv2d(x, 4, 3, padding="same")
        d1, d2 = tf.layers.Dense(2), tf.layers.Dense(2)
        flat = tf.layers.Flatten()(h)
        d1(flat)
        d2(flat)
        names = [v.op.name for v in tf.trainable_variables()]
        assert names == ["conv2d/kernel", "conv2d/bias", "conv2d_1/kernel", "conv2d_1/bias",
                         "dense/kernel", "dense/bias", "dense_1/kernel", "dense_1/bias"]
        assert d2.name == "dense_1" and flat.shape.as_list() == [None, 144]
        xv = R.rand(2, 6, 6, 2).astype(np.float32)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            k = sess.run(conv.kernel)
            got = sess.run(h, {x: xv})
            want = sess.run(tf.nn.conv2d(x, k, [1, 1, 1, 1], "SAME") + conv.bias, {x: xv})
            np.testing.assert_allclose(got, want, rtol=1e-5)
            assert sess.run(h2, {x: xv}).shape == (2, 6, 6, 4)


def test_conv1d_and_1d_pooling_against_numpy():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float64, [None, 7, 3])
        layer = tf.layers.Conv1D(2, 3, strides=2, use_bias=False)
        y = layer(x)
        mp = tf.layers.MaxPooling1D(2, 2)(x)
        ap = tf.layers.average_pooling1d(x, 3, 1, padding="same")
        fn = tf.layers.conv1d(x, 2, 2, dilation_rate=2, name="dil")
        xv = R.rand(2, 7, 3)
        yv, k, mpv, apv, fv = _run([y, layer.kernel, mp, ap, fn], {x: xv})
    assert k.shape == (3, 3, 2) and yv.shape == (2, 3, 2) and fv.shape == (2, 5, 2)
    want = np.stack([np.einsum("bkc,kcf->bf", xv[:, 2 * i:2 * i + 3], k) for i in range(3)], 1)
    np.testing.assert_allclose(yv, want, rtol=1e-10)
    np.testing.assert_allclose(mpv, np.maximum(xv[:, 0:6:2], xv[:, 1:7:2]))
    pad = np.concatenate([np.full((2, 1, 3), np.nan), xv, np.full((2, 1, 3), np.nan)], 1)
    np.testing.assert_allclose(apv, np.stack([np.nanmean(pad[:, i:i + 3], 1)
                                              for i in range(7)], 1), rtol=1e-10)


def test_conv2d_transpose_and_pooling_classes():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 4, 4, 3])
        up = tf.layers.Conv2DTranspose(2, 3, strides=2, padding="same")
        y = up(x)
        assert y.shape.as_list() == [None, 8, 8, 2] and up.kernel.shape.as_list() == [3, 3, 2, 3]
        mp = tf.layers.MaxPooling2D(2, 2)(x)
        ap = tf.layers.AveragePooling2D(2, 2, name="avg")(x)
        xv = R.rand(1, 4, 4, 3).astype(np.float32)
        mpv, apv = _run([mp, ap], {x: xv})
    np.testing.assert_allclose(mpv, xv.reshape(1, 2, 2, 2, 2, 3).max((2, 4)))
    np.testing.assert_allclose(apv, xv.reshape(1, 2, 2, 2, 2, 3).mean((2, 4)), rtol=1e-6)


def test_batch_normalization_class_updates_and_training_flag():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 3])
        training = tf.placeholder(tf.bool, [])
        bn = tf.layers.BatchNormalization(momentum=0.5)
        y = bn(x, training=training)
        assert [v.op.name for v in bn.variables] == [
            "batch_normalization/gamma", "batch_normalization/beta",
            "batch_normalization/moving_mean", "batch_normalization/moving_variance"]
        assert len(bn.trainable_variables) == 2 and len(bn.non_trainable_variables) == 2
        assert bn.updates == tf.get_collection(tf.GraphKeys.UPDATE_OPS) and len(bn.updates) == 2
        xv = R.rand(8, 3).astype(np.float32) * 4
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            out = sess.run([y] + bn.updates, {x: xv, training: True})[0]
            mean = sess.run(bn.moving_mean)
            inference = sess.run(y, {x: xv, training: False})
    norm = (xv - xv.mean(0)) / np.sqrt(xv.var(0) + 1e-3)
    np.testing.assert_allclose(out, norm, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(mean, 0.5 * xv.mean(0), rtol=1e-5)
    np.testing.assert_allclose(inference, (xv - mean) / np.sqrt(
        0.5 + 0.5 * xv.var(0) + 1e-3), rtol=1e-4, atol=1e-5)


def test_dropout_class_and_a_custom_layer():
    class Scale(tf.layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight("w", [input_shape[-1].value],
                                     initializer=tf.constant_initializer(2.0))
            self.count = self.add_weight("count", [], trainable=False,
                                         initializer=tf.zeros_initializer())
            super().build(input_shape)

        def call(self, inputs):
            self.add_update(tf.assign_add(self.count, 1.0))
            return inputs * self.w

    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 2])
        layer = Scale(name="scale")
        y = layer(tf.layers.Dropout(0.5)(x, training=False))
        assert [v.op.name for v in layer.weights] == ["scale/w", "scale/count"]
        assert layer.trainable_weights == [layer.w]
        out, _ = _run([y, layer.updates], {x: [[1.0, 3.0]]})
        np.testing.assert_allclose(out, [[2.0, 6.0]])
        frozen = Scale(trainable=False, name="frozen")
        frozen(x)
        assert frozen.trainable_weights == [] and len(frozen.non_trainable_weights) == 2
    with pytest.raises(TypeError, match="unexpected keyword argument 'nmae'"):
        tf.layers.Dense(2, nmae="x")


def test_make_template_shares_variables_between_calls():
    def linear(x, units):
        w = tf.get_variable("w", [x.shape[-1].value, units])
        return tf.matmul(x, w) + tf.layers.dense(x, units, name="extra")

    with tf.Graph().as_default():
        tmpl = tf.make_template("linear", linear, units=2)
        x = tf.placeholder(tf.float32, [None, 3])
        a, b = tmpl(x), tmpl(x * 2.0)
        assert [v.op.name for v in tmpl.trainable_variables] == [
            "linear/w", "linear/extra/kernel", "linear/extra/bias"]
        assert tmpl.variable_scope_name == "linear"
        other = tf.make_template("linear", linear, units=2)
        other(x)
        assert other.variable_scope_name == "linear_1"
        av, bv = _run([a, b], {x: np.ones((1, 3), np.float32)})
        np.testing.assert_allclose(bv - av, av - _run(tmpl(x * 0.0), {x: np.ones((1, 3))}),
                                   rtol=1e-5)

        bad = tf.make_template("bad", lambda: tf.Variable(1.0))
        bad()
        with pytest.raises(ValueError, match="Trainable variable created when calling a "
                                             "template after the first time"):
            bad()
        now = tf.make_template("now", lambda: tf.get_variable("v", []),
                               create_scope_now_=True)
        assert now.variable_scope_name == "now" and now().op.name == "now/v"
