"""tf.fake_quant_* and tf.edit_distance beyond the TensorFlow fixture (test_nn_image_tf.py):
bad input is a clear error naming the op and what was expected, at graph building or at
run time as TF; fake quantization's gradient is the straight-through estimator TF1 trains
with."""
import numpy as np
import pytest

import graphc as tf


def test_fake_quant_takes_float32_only():
    x = tf.placeholder(tf.float64, [3])
    with pytest.raises(TypeError, match="FakeQuantWithMinMaxArgs.*float64"):
        tf.fake_quant_with_min_max_args(x)


def test_fake_quant_args_needs_min_below_max_and_2_to_16_bits():
    x = tf.placeholder(tf.float32, [3])
    with pytest.raises(ValueError, match="min has to be smaller than max"):
        tf.fake_quant_with_min_max_args(x, 1.0, 1.0)
    with pytest.raises(ValueError, match="num_bits must be between 2 and 16"):
        tf.fake_quant_with_min_max_args(x, num_bits=17)


def test_fake_quant_per_channel_checks_the_channels():
    x = tf.placeholder(tf.float32, [2, 3])
    with pytest.raises(ValueError, match="2 channels, the last axis .* has 3"):
        tf.fake_quant_with_min_max_vars_per_channel(x, [0.0, 0.0], [1.0, 1.0])
    with pytest.raises(ValueError, match="min .* must be a scalar"):
        tf.fake_quant_with_min_max_vars(x, [0.0], 1.0)


def test_fake_quant_vars_refuses_min_above_max_at_run_time():
    lo = tf.placeholder(tf.float32, [])
    y = tf.fake_quant_with_min_max_vars(tf.constant([1.0, 2.0]), lo, 1.0)
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError,
                                             match="min must be <= max"):
        sess.run(y, {lo: 3.0})


def test_quantization_aware_training_moves_min_and_max():
    """The Vars op's min and max are trained by the gradients of the clipped values."""
    x = tf.constant(np.linspace(-3, 3, 13, dtype=np.float32))
    lo, hi = tf.Variable(-1.0), tf.Variable(1.0)
    loss = tf.reduce_sum(tf.square(tf.fake_quant_with_min_max_vars(x, lo, hi) - x))
    step = tf.train.GradientDescentOptimizer(0.01).minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(20):
            sess.run(step)
        low, high = sess.run([lo, hi])
    assert low < -1.5 and high > 1.5, (low, high)


def test_edit_distance_needs_sparse_tensors_of_rank_2_and_one_dtype():
    st = tf.SparseTensor([[0, 0]], [1], [1, 1])
    with pytest.raises(TypeError, match="Hypothesis must be a SparseTensor"):
        tf.edit_distance(tf.constant([[1]]), st)
    with pytest.raises(ValueError, match="rank at least 2"):
        tf.edit_distance(tf.SparseTensor([[0]], [1], [1]), tf.SparseTensor([[0]], [1], [1]))
    with pytest.raises(TypeError, match="truth values .* int64"):
        tf.edit_distance(st, tf.SparseTensor([[0, 0]], np.array([1], np.int64), [1, 1]))


def test_edit_distance_of_fed_sparse_tensors():
    hyp = tf.sparse_placeholder(tf.int32)
    truth = tf.sparse_placeholder(tf.int32)
    d = tf.edit_distance(hyp, truth, normalize=False)
    value = tf.SparseTensorValue
    with tf.Session() as sess:
        got = sess.run(d, {hyp: value([[0, 0], [0, 1], [1, 0]], [1, 2, 3], [2, 2]),
                           truth: value([[0, 0], [1, 0], [1, 1]], [3, 3, 4], [2, 2])})
    np.testing.assert_array_equal(got, [2.0, 1.0])
