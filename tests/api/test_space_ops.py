"""space_to_depth, depth_to_space, space_to_batch(_nd), batch_to_space(_nd) and
extract_image_patches against the examples of TF1's documentation, on both backends, and
lowered natively on llvm (pure data movement: strided copies or table gathers)."""
import numpy as np
import pytest

import graphc as tf
from tests.helpers import run_both


def _both(fetch, feed=None):
    out = run_both(fetch, feed, strict=True)   # native, never a fallback
    np.testing.assert_array_equal(out[0], out[1])
    return out[0]


def test_space_to_depth_and_back_as_tf1_documents():
    x = tf.placeholder(tf.float32, [1, 2, 2, 3])
    v = np.float32([[[[1, 2, 3], [4, 5, 6]], [[7, 8, 9], [10, 11, 12]]]])
    y = tf.space_to_depth(x, 2)
    assert y.shape.as_list() == [1, 1, 1, 12]
    np.testing.assert_array_equal(_both(y, {x: v}), np.arange(1, 13).reshape(1, 1, 1, 12))
    z = tf.nn.depth_to_space(y, 2)
    np.testing.assert_array_equal(_both(z, {x: v}), v)
    w = tf.depth_to_space(tf.constant(np.arange(16, dtype=np.float32).reshape(1, 2, 2, 4)), 2)
    want = [[0, 1, 4, 5], [2, 3, 6, 7], [8, 9, 12, 13], [10, 11, 14, 15]]
    np.testing.assert_array_equal(_both(w)[0, :, :, 0], want)


def test_space_to_batch_nd_with_paddings_as_tf1_documents():
    x = tf.placeholder(tf.int32, [2, 2, 4, 1])
    v = np.arange(1, 17, dtype=np.int32).reshape(2, 2, 4, 1)
    y = tf.space_to_batch_nd(x, [2, 2], [[0, 0], [2, 0]])
    assert y.shape.as_list() == [8, 1, 3, 1]
    want = [[0, 1, 3], [0, 9, 11], [0, 2, 4], [0, 10, 12], [0, 5, 7], [0, 13, 15],
            [0, 6, 8], [0, 14, 16]]
    np.testing.assert_array_equal(_both(y, {x: v})[:, 0, :, 0], want)
    back = tf.batch_to_space_nd(y, [2, 2], [[0, 0], [2, 0]])
    np.testing.assert_array_equal(_both(back, {x: v}), v)
    sq = tf.space_to_batch(tf.constant(np.float32([[[[1], [2]], [[3], [4]]]])), [[0, 0], [0, 0]],
                           block_size=2)
    np.testing.assert_array_equal(_both(sq).reshape(-1), [1, 2, 3, 4])
    assert sq.shape.as_list() == [4, 1, 1, 1]
    np.testing.assert_array_equal(_both(tf.batch_to_space(sq, [[0, 0], [0, 0]], 2)),
                                  [[[[1], [2]], [[3], [4]]]])


def test_extract_image_patches_as_tf1_documents():
    img = tf.placeholder(tf.float32, [1, 10, 10, 1])
    feed = {img: np.arange(1, 101, dtype=np.float32).reshape(1, 10, 10, 1)}
    p = tf.extract_image_patches(img, ksizes=[1, 3, 3, 1], strides=[1, 5, 5, 1],
                                 rates=[1, 1, 1, 1], padding="VALID")
    assert p.shape.as_list() == [1, 2, 2, 9]
    got = _both(p, feed)
    np.testing.assert_array_equal(got[0, 0, 0], [1, 2, 3, 11, 12, 13, 21, 22, 23])
    np.testing.assert_array_equal(got[0, 1, 1], [56, 57, 58, 66, 67, 68, 76, 77, 78])
    dil = tf.image.extract_patches(img, sizes=[1, 3, 3, 1], strides=[1, 5, 5, 1],
                                   rates=[1, 2, 2, 1], padding="VALID")
    np.testing.assert_array_equal(_both(dil, feed)[0, 0, 0], [1, 3, 5, 21, 23, 25, 41, 43, 45])
    same = tf.extract_image_patches(img, [1, 2, 2, 1], [1, 3, 3, 1], [1, 1, 1, 1], "SAME")
    assert same.shape.as_list() == [1, 4, 4, 4]
    np.testing.assert_array_equal(_both(same, feed)[0, 3, 3], [100, 0, 0, 0])  # zero padding


def test_extract_image_patches_gradient_counts_each_pixel_use():
    x = tf.placeholder(tf.float64, [2, 4, 4, 3])
    p = tf.extract_image_patches(x, [1, 3, 3, 1], [1, 1, 1, 1], [1, 1, 1, 1], "SAME")
    g = tf.gradients(tf.reduce_sum(p), x)[0]
    got = _both(g, {x: np.zeros((2, 4, 4, 3))})
    uses = np.array([2, 3, 3, 2])  # windows covering each row (and column) position
    np.testing.assert_array_equal(got[1, :, :, 2], np.outer(uses, uses))


def test_bad_arguments_name_the_op():
    x = tf.placeholder(tf.float32, [1, 3, 4, 1])
    with pytest.raises(ValueError, match="SpaceToDepth.*height 3.*block_size 2"):
        tf.space_to_depth(x, 2)
    with pytest.raises(ValueError, match="DepthToSpace.*depth 1"):
        tf.depth_to_space(x, 2)
    with pytest.raises(ValueError, match="SpaceToBatchND.*not divisible"):
        tf.space_to_batch_nd(x, [2, 2], [[0, 0], [0, 0]])
    with pytest.raises(ValueError, match="data_format"):
        tf.space_to_depth(tf.placeholder(tf.float32, [1, 4, 4, 1]), 2, data_format="NCHW")
