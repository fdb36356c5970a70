"""Issue 20's nn / image / quantization leftovers beyond the TensorFlow fixture
(test_nn_image_tf.py): tf.fake_quant_*, tf.edit_distance, sample_distorted_bounding_box,
random_jpeg_quality.
Bad input is a clear error naming the op and what was expected, at graph building or
at run time as TF; fake quantization's gradient is the straight-through estimator TF1
trains with."""
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


def test_sample_distorted_bounding_box_checks_its_arguments():
    sample = tf.image.sample_distorted_bounding_box
    with pytest.raises(ValueError, match="area_range must be"):
        sample([10, 10, 3], [[[0.0, 0.0, 1.0, 1.0]]], area_range=[0.5, 1.5])
    with pytest.raises(TypeError, match="float32 .*image_size"):
        sample(tf.constant([10.0, 10.0, 3.0]), [[[0.0, 0.0, 1.0, 1.0]]])
    with pytest.raises(ValueError, match=r"bounding_boxes .* \[batch, N, 4\]"):
        sample([10, 10, 3], [[0.0, 0.0, 1.0, 1.0]])
    begin, _, _ = sample([10, 10, 3], tf.zeros([1, 0, 4]), seed=1)
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError,
                                             match="No bounding boxes provided"):
        sess.run(begin)


def test_sample_distorted_bounding_box_crops_a_covering_window():
    """The crop holds at least min_object_covered of the box, has an aspect ratio and
    area within the ranges (up to rounding), and slices the image as TF1's pipelines do."""
    image = tf.constant(np.arange(60 * 80 * 3, dtype=np.float32).reshape(60, 80, 3))
    box = [0.2, 0.25, 0.6, 0.75]
    begin, size, bbox = tf.image.sample_distorted_bounding_box(
        tf.shape(image), [[box]], seed=3, seed2=4, min_object_covered=0.5,
        aspect_ratio_range=[0.8, 1.25], area_range=[0.1, 0.5])
    crop = tf.slice(image, begin, size)
    with tf.Session() as sess:
        for _ in range(20):
            b, s, bb, c = sess.run([begin, size, bbox, crop])
            h, w = s[:2]
            assert c.shape == (h, w, 3) and c[0, 0, 0] == (b[0] * 80 + b[1]) * 3
            assert 0.1 * 4800 <= h * w <= 0.5 * 4800 and 0.75 < w / h < 1.33
            inter_h = min(b[0] + h, 36) - max(b[0], 12)
            inter_w = min(b[1] + w, 60) - max(b[1], 20)
            assert max(inter_h, 0) * max(inter_w, 0) >= 0.5 * 24 * 40
            np.testing.assert_allclose(bb[0, 0], [b[0] / 60, b[1] / 80, (b[0] + h) / 60,
                                                  (b[1] + w) / 80], rtol=1e-6)


def test_random_jpeg_quality_is_adjust_jpeg_quality_at_a_quality_in_the_range():
    rng = np.random.RandomState(3)
    pixels = rng.randint(0, 256, (16, 16, 3)).astype(np.uint8)
    image = tf.constant(pixels)
    q = tf.placeholder(tf.int32, [])
    adjusted = tf.image.adjust_jpeg_quality(image, q)
    randomized = tf.image.random_jpeg_quality(image, 20, 24, seed=5)
    with tf.Session() as sess:
        candidates = [sess.run(adjusted, {q: k}) for k in range(20, 24)]
        seen = set()
        for _ in range(12):
            got = sess.run(randomized)
            hits = [k for k, c in enumerate(candidates) if np.array_equal(got, c)]
            assert hits, "random_jpeg_quality matches no quality in [20, 24)"
            seen.update(hits)
    assert len(seen) > 1
    with pytest.raises(ValueError, match="must be less than"):
        tf.image.random_jpeg_quality(image, 50, 50)
    with pytest.raises(ValueError, match="between 0 and 100"):
        tf.image.random_jpeg_quality(image, 50, 101)


def test_adjust_jpeg_quality_refuses_a_quality_out_of_range_at_run_time():
    q = tf.placeholder(tf.int32, [])
    out = tf.image.adjust_jpeg_quality(tf.zeros([8, 8, 3], tf.uint8), q)
    with tf.Session() as sess, pytest.raises(tf.errors.InvalidArgumentError,
                                             match=r"quality must be in \[0,100\]"):
        sess.run(out, {q: 101})


def test_raw_conv_groups_and_channels_first_are_their_compositions():
    """TF's CPU Conv kernel has neither groups nor CHANNELS_FIRST: compared with conv2d of
    each group and of the transposed input."""
    rng = np.random.RandomState(8)
    x = tf.constant(rng.randn(2, 6, 5, 4))
    f = tf.constant(rng.randn(3, 2, 2, 6))
    grouped = tf.conv(x, f, [1, 1, 1, 1], "SAME", groups=2)
    by_hand = tf.concat([tf.nn.conv2d(x[..., :2], f[..., :3], [1, 1, 1, 1], "SAME"),
                         tf.nn.conv2d(x[..., 2:], f[..., 3:], [1, 1, 1, 1], "SAME")], 3)
    full = tf.constant(rng.randn(3, 2, 4, 6))
    first = tf.conv(tf.transpose(x, [0, 3, 1, 2]), full, [1, 1, 2, 1], "VALID",
                    data_format="CHANNELS_FIRST")
    last = tf.transpose(tf.nn.conv2d(x, full, [1, 2, 1, 1], "VALID"), [0, 3, 1, 2])
    one_d = tf.conv(x[:, 0], full[0], [1, 2, 1], "SAME")
    one_d_ref = tf.nn.conv1d(x[:, 0], full[0], 2, "SAME")
    with tf.Session() as sess:
        a, b, c, d, e, g = sess.run([grouped, by_hand, first, last, one_d, one_d_ref])
    np.testing.assert_allclose(a, b, rtol=1e-12)
    np.testing.assert_allclose(c, d, rtol=1e-12)
    np.testing.assert_allclose(e, g, rtol=1e-12)
    with pytest.raises(ValueError, match="groups=3 must divide"):
        tf.conv(x, f, [1, 1, 1, 1], "SAME", groups=3)
    with pytest.raises(ValueError, match="explicit_paddings must be empty"):
        tf.conv(x, full, [1, 1, 1, 1], "SAME", explicit_paddings=[0] * 8)
    with pytest.raises(ValueError, match="batch and channel dimensions must be 0"):
        tf.conv2d_backprop_filter_v2(x, full, x, [1, 1, 1, 1], "EXPLICIT",
                                     explicit_paddings=[1, 0, 0, 0, 0, 0, 0, 0])


def test_ctc_loss_v2_needs_blank_index_for_sparse_labels_and_unique_labels_pad():
    logits = tf.zeros([4, 2, 3])
    with pytest.raises(ValueError, match="blank_index"):
        tf.nn.ctc_loss_v2(tf.SparseTensor([[0, 0]], [1], [2, 1]), logits, None, [4, 4])
    with pytest.raises(ValueError, match="blank_index 3 is out of range for 3 classes"):
        tf.nn.ctc_loss_v2([[1], [1]], logits, [1, 1], [4, 4], blank_index=3)
    y, idx = tf.nn.ctc_unique_labels(tf.constant([[3, 3, 1, 3], [2, 2, 2, 2]]))
    with tf.Session() as sess:
        y, idx = sess.run([y, idx])
    np.testing.assert_array_equal(y, [[3, 1, 0, 0], [2, 0, 0, 0]])
    np.testing.assert_array_equal(idx, [[0, 0, 1, 0], [0, 0, 0, 0]])
    assert y.dtype == np.int64 and idx.dtype == np.int32
