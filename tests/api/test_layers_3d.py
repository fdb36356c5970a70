"""tf.layers Conv3D, Conv3DTranspose, SeparableConv1D/2D, MaxPooling3D, AveragePooling3D:
TF1's variable names and shapes, values equal to the tf.nn ops they wrap, reuse."""
from __future__ import annotations

import numpy as np

import graphc as tf

R = np.random.RandomState(0)


def _values(fetches, feed):
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return sess.run(fetches, feed)


def test_conv3d_and_pooling_match_the_nn_ops():
    tf.reset_default_graph()
    x = tf.placeholder(tf.float32, [None, 4, 5, 6, 2])
    layer = tf.layers.Conv3D(3, (2, 3, 2), strides=(1, 2, 1), padding="same",
                             activation=tf.nn.relu, bias_initializer=tf.ones_initializer())
    y = layer(x)
    want = tf.nn.relu(tf.nn.conv3d(x, layer.kernel, [1, 1, 2, 1, 1], "SAME") + layer.bias)
    pooled = tf.layers.max_pooling3d(y, 2, 2)
    avg = tf.layers.AveragePooling3D([1, 2, 2], 1, padding="same")(y)
    assert [v.name for v in layer.variables] == ["conv3d/kernel:0", "conv3d/bias:0"]
    assert layer.kernel.shape.as_list() == [2, 3, 2, 2, 3]
    feed = {x: R.randn(2, 4, 5, 6, 2).astype(np.float32)}
    got, ref, p, a = _values([y, want, pooled, avg], feed)
    np.testing.assert_allclose(got, ref, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(p, _values(tf.nn.max_pool3d(y, [1, 2, 2, 2, 1],
                                                           [1, 2, 2, 2, 1], "VALID"), feed))
    assert a.shape == got.shape


def test_conv3d_transpose_output_sizes_and_reuse():
    tf.reset_default_graph()
    x = tf.placeholder(tf.float32, [None, 2, 3, 3, 4])
    same = tf.layers.conv3d_transpose(x, 5, 3, strides=2, padding="same", name="up")
    valid = tf.layers.conv3d_transpose(x, 5, 3, strides=2, name="up", reuse=True)
    assert same.shape.as_list() == [None, 4, 6, 6, 5]
    assert valid.shape.as_list() == [None, 5, 7, 7, 5]
    assert len(tf.trainable_variables()) == 2
    assert tf.trainable_variables()[0].shape.as_list() == [3, 3, 3, 5, 4]
    out = _values(valid, {x: np.ones((1, 2, 3, 3, 4), np.float32)})
    assert out.shape == (1, 5, 7, 7, 5)


def test_separable_convolutions_match_tf_nn_separable_conv2d():
    tf.reset_default_graph()
    im = tf.placeholder(tf.float32, [None, 7, 7, 3])
    layer = tf.layers.SeparableConv2D(4, 3, depth_multiplier=2, padding="same",
                                      dilation_rate=2)
    y = layer(im)
    want = tf.nn.separable_conv2d(im, layer.depthwise_kernel, layer.pointwise_kernel,
                                  [1, 1, 1, 1], "SAME", rate=[2, 2]) + layer.bias
    assert [v.name for v in layer.variables] == [
        "separable_conv2d/depthwise_kernel:0", "separable_conv2d/pointwise_kernel:0",
        "separable_conv2d/bias:0"]
    assert layer.depthwise_kernel.shape.as_list() == [3, 3, 3, 2]
    assert layer.pointwise_kernel.shape.as_list() == [1, 1, 6, 4]
    seq = tf.placeholder(tf.float32, [None, 9, 3])
    s1 = tf.layers.separable_conv1d(seq, 2, 3, strides=2, name="sep1")
    dw = tf.get_default_graph().get_tensor_by_name("sep1/depthwise_kernel:0")
    pw = tf.get_default_graph().get_tensor_by_name("sep1/pointwise_kernel:0")
    s1_want = tf.squeeze(tf.nn.separable_conv2d(tf.expand_dims(seq, 1), tf.expand_dims(dw, 0),
                                                tf.expand_dims(pw, 0), [1, 1, 2, 1], "VALID"),
                         [1])
    feed = {im: R.randn(2, 7, 7, 3).astype(np.float32),
            seq: R.randn(2, 9, 3).astype(np.float32)}
    got, ref, g1, r1 = _values([y, want, s1, s1_want], feed)
    np.testing.assert_allclose(got, ref, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(g1, r1, rtol=1e-5, atol=1e-6)
    assert g1.shape == (2, 4, 2)
    loss = tf.reduce_sum(y)
    grads = tf.gradients(loss, layer.trainable_variables)
    assert all(g is not None for g in grads)
