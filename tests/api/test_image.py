"""tf.image against TF1's definitions: the resizes' sampling rules (align_corners,
half_pixel_centers) on hand-derived values, colour conversions against Python's colorsys,
dtype conversions, adjustments, crops and pads against numpy, on both backends; gradients
of the resizes against central differences."""
import colorsys

import numpy as np
import pytest

import graphc as tf
from tests.helpers import central_difference, run_both

R = np.random.RandomState(21)


def _run(fetch, feed=None, exact=False):
    out = run_both(fetch, feed)
    pairs = zip(out[0], out[1]) if isinstance(fetch, (list, tuple)) else [(out[0], out[1])]
    for a, b in pairs:
        if exact:
            np.testing.assert_array_equal(a, b)
        else:
            np.testing.assert_allclose(a, b, rtol=2e-6, atol=2e-6)
    return out[0]


def _img(rows):
    return np.asarray(rows, np.float32)[None, :, :, None]


def _resized(fn, image, size, **kw):
    x = tf.placeholder(tf.as_dtype(image.dtype), image.shape)
    y = fn(x, size, **kw)
    assert y.shape.as_list() == [image.shape[0], *size, image.shape[3]]
    return _run(y, {x: image})[0, :, :, 0]


def test_resize_bilinear_sampling_rules():
    img = _img([[0, 1], [2, 3]])
    np.testing.assert_allclose(_resized(tf.image.resize_bilinear, img, [4, 4]),
                               [[0, .5, 1, 1], [1, 1.5, 2, 2], [2, 2.5, 3, 3], [2, 2.5, 3, 3]])
    np.testing.assert_allclose(_resized(tf.image.resize_bilinear, img, [3, 3],
                                        align_corners=True),
                               [[0, .5, 1], [1, 1.5, 2], [2, 2.5, 3]])
    rows = _resized(tf.image.resize_bilinear, img, [4, 1], half_pixel_centers=True)[:, 0]
    np.testing.assert_allclose(rows, [.5, 1, 2, 2.5])   # columns average at width 1
    with pytest.raises(ValueError, match="half_pixel_centers"):
        tf.image.resize_bilinear(img, [3, 3], align_corners=True, half_pixel_centers=True)


def test_resize_nearest_sampling_rules_keep_the_dtype():
    img = np.arange(16, dtype=np.uint8).reshape(1, 4, 4, 1)
    x = tf.placeholder(tf.uint8, img.shape)
    down = tf.image.resize_nearest_neighbor(x, [2, 2])
    half = tf.image.resize_nearest_neighbor(x, [2, 2], half_pixel_centers=True)
    corners = tf.image.resize_nearest_neighbor(x, [2, 2], align_corners=True)
    assert down.dtype == tf.uint8
    a, b, c = _run([down, half, corners], {x: img}, exact=True)
    np.testing.assert_array_equal(a[0, :, :, 0], [[0, 2], [8, 10]])
    np.testing.assert_array_equal(b[0, :, :, 0], [[5, 7], [13, 15]])
    np.testing.assert_array_equal(c[0, :, :, 0], [[0, 3], [12, 15]])
    up = _resized(tf.image.resize_nearest_neighbor, _img([[0, 1], [2, 3]]), [4, 4])
    np.testing.assert_array_equal(up, np.kron([[0, 1], [2, 3]], np.ones((2, 2))))


def test_resize_area_averages_the_covered_pixels():
    img = _img([[0, 3, 6], [9, 12, 15], [18, 21, 24]])
    got = _resized(tf.image.resize_area, img, [2, 2])
    w = np.array([[1, .5, 0], [0, .5, 1]]) / 1.5
    np.testing.assert_allclose(got, w @ img[0, :, :, 0] @ w.T, rtol=1e-6)
    four = np.arange(16, dtype=np.float32).reshape(1, 4, 4, 1)
    np.testing.assert_allclose(_resized(tf.image.resize_area, four, [2, 2]),
                               four[0, :, :, 0].reshape(2, 2, 2, 2).mean(axis=(1, 3)))


def test_resize_bicubic_identity_constants_and_ramps():
    img = R.rand(1, 5, 4, 1).astype(np.float32)
    np.testing.assert_allclose(_resized(tf.image.resize_bicubic, img, [5, 4]),
                               img[0, :, :, 0], rtol=1e-6)
    flat = np.full((1, 3, 3, 1), 7, np.float32)
    np.testing.assert_allclose(_resized(tf.image.resize_bicubic, flat, [7, 5]), 7, rtol=1e-5)
    ramp = np.tile(np.arange(8, dtype=np.float32)[None, :, None, None], (1, 1, 8, 1))
    got = _resized(tf.image.resize_bicubic, ramp, [16, 8], half_pixel_centers=True)[:, 0]
    centres = (np.arange(16) + 0.5) / 2 - 0.5      # Keys' cubic reproduces a ramp inside
    np.testing.assert_allclose(got[3:-3], centres[3:-3], atol=2e-3)


def test_resize_images_method_rank_and_same_size():
    img = R.rand(4, 6, 3).astype(np.float32)
    x = tf.placeholder(tf.float32, img.shape)
    a = tf.image.resize_images(x, [8, 12])
    b = tf.image.resize_images(x, [2, 3], method=tf.image.ResizeMethod.AREA)
    c = tf.image.resize(x, [8, 12], method=1)
    same = tf.image.resize_images(x, [4, 6])
    assert same is x or same.op.type in ("Squeeze", "Identity", "Placeholder")
    asp = tf.image.resize_images(x, [8, 8], preserve_aspect_ratio=True)
    assert a.shape.as_list() == [8, 12, 3] and asp.shape.as_list() == [5, 8, 3]
    ga, gb, gc = _run([a, b, c], {x: img})
    np.testing.assert_allclose(gb, img.reshape(2, 2, 3, 2, 3).mean(axis=(1, 3)), rtol=1e-5)
    np.testing.assert_array_equal(gc, img.repeat(2, 0).repeat(2, 1))
    np.testing.assert_allclose(ga[::2, ::2], img, rtol=1e-6)


@pytest.mark.parametrize("method", ["resize_bilinear", "resize_nearest_neighbor",
                                    "resize_bicubic"])
@pytest.mark.parametrize("flags", [{}, {"align_corners": True}, {"half_pixel_centers": True}])
def test_resize_gradients_match_central_differences(method, flags):
    xv = R.rand(2, 3, 4, 2).astype(np.float32)
    x = tf.placeholder(tf.float32, xv.shape)
    y = getattr(tf.image, method)(x, [5, 3], **flags)
    wv = R.randn(2, 5, 3, 2).astype(np.float32)
    loss = tf.reduce_sum(tf.cast(y, tf.float32) * wv)
    g = tf.gradients(loss, x)[0]
    with tf.Session() as sess:
        got = sess.run(g, {x: xv})
        numeric = central_difference(lambda v: float(sess.run(loss, {x: v.astype(np.float32)})),
                                     xv.astype(np.float64), eps=1e-2)
    np.testing.assert_allclose(got, numeric, rtol=1e-3, atol=1e-3)


def test_colour_spaces_match_colorsys():
    rgb = R.rand(5, 4, 3)
    rgb[0, 0] = [0.5, 0.5, 0.5]
    rgb[0, 1] = [0, 0, 0]
    rgb[0, 2] = [1, 1, 0.2]
    x = tf.placeholder(tf.float64, rgb.shape)
    hsv = _run(tf.image.rgb_to_hsv(x), {x: rgb})
    want = np.array([colorsys.rgb_to_hsv(*p) for p in rgb.reshape(-1, 3)]).reshape(rgb.shape)
    np.testing.assert_allclose(hsv, want, atol=1e-12)
    h = tf.placeholder(tf.float64, rgb.shape)
    back = _run(tf.image.hsv_to_rgb(h), {h: want})
    np.testing.assert_allclose(back, rgb, atol=1e-12)
    gray = _run(tf.image.rgb_to_grayscale(x), {x: rgb})
    np.testing.assert_allclose(gray[..., 0], rgb @ [0.2989, 0.5870, 0.1140], atol=1e-12)
    np.testing.assert_allclose(_run(tf.image.grayscale_to_rgb(tf.constant(gray))),
                               np.repeat(gray, 3, -1))
    yiq = _run(tf.image.yiq_to_rgb(tf.image.rgb_to_yiq(x)), {x: rgb})
    np.testing.assert_allclose(yiq, rgb, atol=1e-6)
    yuv = _run(tf.image.rgb_to_yuv(x), {x: rgb})
    np.testing.assert_allclose(yuv[..., 0], rgb @ [0.299, 0.587, 0.114], atol=1e-12)


def test_convert_image_dtype_rules():
    u8 = tf.constant(np.uint8([0, 128, 255]))
    f = tf.constant(np.float32([0.0, 0.5, 1.2]))
    got = _run([tf.image.convert_image_dtype(u8, tf.float32),
                tf.image.convert_image_dtype(f, tf.uint8, saturate=True),
                tf.image.convert_image_dtype(u8, tf.int32),
                tf.image.convert_image_dtype(tf.constant(np.int32([2 ** 31 - 1, 2 ** 23])),
                                             tf.uint8),
                tf.image.convert_image_dtype(f, tf.float64)], exact=True)
    np.testing.assert_allclose(got[0], np.float32([0, 128, 255]) * np.float32(1 / 255))
    np.testing.assert_array_equal(got[1], [0, 127, 255])
    np.testing.assert_array_equal(got[2], np.int32([0, 128, 255]) * 2 ** 23)
    np.testing.assert_array_equal(got[3], [255, 1])
    assert got[4].dtype == np.float64


def test_adjustments_follow_tf1_formulas():
    img = R.rand(2, 4, 5, 3).astype(np.float32)
    x = tf.placeholder(tf.float32, img.shape)
    outs = _run([tf.image.adjust_brightness(x, 0.25), tf.image.adjust_contrast(x, 1.7),
                 tf.image.adjust_gamma(x, 2.0, 0.5), tf.image.adjust_saturation(x, 0.4),
                 tf.image.adjust_hue(x, 0.3), tf.image.per_image_standardization(x)], {x: img})
    np.testing.assert_allclose(outs[0], img + 0.25, rtol=1e-6)
    mean = img.mean(axis=(1, 2), keepdims=True)
    np.testing.assert_allclose(outs[1], (img - mean) * 1.7 + mean, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(outs[2], 0.5 * img ** 2, rtol=1e-5)

    def in_hsv(change):
        out = []
        for p in img.reshape(-1, 3).astype(np.float64):
            h, s, v = change(*colorsys.rgb_to_hsv(*p))
            out.append(colorsys.hsv_to_rgb(h, s, v))
        return np.array(out).reshape(img.shape)
    np.testing.assert_allclose(outs[3], in_hsv(lambda h, s, v: (h, min(s * 0.4, 1), v)),
                               atol=2e-6)
    np.testing.assert_allclose(outs[4], in_hsv(lambda h, s, v: ((h + 0.3) % 1, s, v)),
                               atol=2e-6)
    flat = img.reshape(2, -1)
    std = np.maximum(flat.std(axis=1), 1 / np.sqrt(flat.shape[1]))
    np.testing.assert_allclose(outs[5].reshape(2, -1),
                               (flat - flat.mean(axis=1, keepdims=True)) / std[:, None],
                               rtol=1e-4, atol=1e-5)
    u8 = tf.constant(np.uint8([[[250, 10, 0]]]))
    np.testing.assert_array_equal(_run(tf.image.adjust_brightness(u8, 0.1), exact=True),
                                  [[[255, 35, 25]]])


def test_random_adjustments_are_seeded_and_bounded():
    img = R.rand(3, 4, 3).astype(np.float32)
    x = tf.placeholder(tf.float32, img.shape)
    b = tf.image.random_brightness(x, 0.2, seed=1)
    c = tf.image.random_contrast(x, 0.5, 1.5, seed=2)
    s = tf.image.random_saturation(x, 0.5, 1.5, seed=3)
    h = tf.image.random_hue(x, 0.1, seed=4)
    got = _run([b, c, s, h], {x: img})
    delta = got[0] - img
    assert np.allclose(delta, delta.flat[0], atol=1e-6) and abs(delta.flat[0]) <= 0.2
    for bad in (lambda: tf.image.random_hue(x, 0.6), lambda: tf.image.random_contrast(x, 1, 1),
                lambda: tf.image.random_saturation(x, -1, 1),
                lambda: tf.image.random_brightness(x, -1)):
        with pytest.raises(ValueError):
            bad()


def test_flips_rotations_and_transpose_match_numpy():
    img = R.rand(2, 3, 4, 2).astype(np.float32)
    x = tf.placeholder(tf.float32, img.shape)
    x3 = tf.placeholder(tf.float32, img.shape[1:])
    outs = _run([tf.image.flip_left_right(x), tf.image.flip_up_down(x3),
                 tf.image.transpose_image(x), tf.image.transpose(x3)] +
                [tf.image.rot90(x3, k) for k in range(4)] + [tf.image.rot90(x, 3)],
                {x: img, x3: img[0]}, exact=True)
    np.testing.assert_array_equal(outs[0], img[:, :, ::-1])
    np.testing.assert_array_equal(outs[1], img[0, ::-1])
    np.testing.assert_array_equal(outs[2], img.transpose(0, 2, 1, 3))
    np.testing.assert_array_equal(outs[3], img[0].transpose(1, 0, 2))
    for k in range(4):
        np.testing.assert_array_equal(outs[4 + k], np.rot90(img[0], k))
    np.testing.assert_array_equal(outs[8], np.rot90(img, 3, axes=(1, 2)))
    k = tf.placeholder(tf.int32, [])
    sq = tf.placeholder(tf.float32, [3, 3, 1])
    v = R.rand(3, 3, 1).astype(np.float32)
    with tf.Session() as sess:
        for turns in (1, 2, 7):
            np.testing.assert_array_equal(sess.run(tf.image.rot90(sq, k), {sq: v, k: turns}),
                                          np.rot90(v, turns))


def test_random_flips_flip_each_image_or_not():
    img = R.rand(16, 2, 3, 1).astype(np.float32)
    x = tf.placeholder(tf.float32, img.shape)
    got = _run(tf.image.random_flip_left_right(x, seed=5), {x: img}, exact=True)
    flipped = [np.array_equal(g, i[:, ::-1]) for g, i in zip(got, img)]
    kept = [np.array_equal(g, i) for g, i in zip(got, img)]
    assert all(f or k for f, k in zip(flipped, kept)) and any(flipped) and any(kept)
    one = _run(tf.image.random_flip_up_down(tf.constant(img[0]), seed=6), exact=True)
    assert np.array_equal(one, img[0]) or np.array_equal(one, img[0, ::-1])


def test_crops_and_pads_match_numpy():
    img = R.rand(4, 6, 2).astype(np.float32)
    x = tf.placeholder(tf.float32, img.shape)
    crop = tf.image.crop_to_bounding_box(x, 1, 2, 2, 3)
    padded = tf.image.pad_to_bounding_box(x, 1, 0, 7, 8)
    both = tf.image.resize_image_with_crop_or_pad(x, 6, 4)
    centre = tf.image.central_crop(x, 0.5)
    assert both.shape.as_list() == [6, 4, 2] and centre.shape.as_list() == [2, 4, 2]
    got = _run([crop, padded, both, centre], {x: img}, exact=True)
    np.testing.assert_array_equal(got[0], img[1:3, 2:5])
    want = np.zeros((7, 8, 2), np.float32)
    want[1:5, 0:6] = img
    np.testing.assert_array_equal(got[1], want)
    want = np.zeros((6, 4, 2), np.float32)
    want[1:5] = img[:, 1:5]
    np.testing.assert_array_equal(got[2], want)
    np.testing.assert_array_equal(got[3], img[1:3, 1:5])  # int((6 - 3) / 2) = 1 a side
    with pytest.raises(ValueError, match="width must be >= target"):
        tf.image.crop_to_bounding_box(x, 0, 4, 2, 3)
    with pytest.raises(ValueError, match="central_fraction"):
        tf.image.central_crop(x, 0.0)
    dyn = tf.placeholder(tf.float32, [None, None, 2])
    out = tf.image.resize_image_with_crop_or_pad(dyn, 6, 4)
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(out, {dyn: img}), got[2])


def test_random_crop_takes_a_window():
    img = np.arange(60, dtype=np.float32).reshape(5, 4, 3)
    x = tf.placeholder(tf.float32, img.shape)
    crop = tf.random_crop(x, [3, 2, 3], seed=7)
    assert crop.shape.as_list() == [3, 2, 3]
    got = _run(tf.image.random_crop(x, [3, 2, 3], seed=7), {x: img}, exact=True)
    i, j = int(got[0, 0, 0]) // 12, (int(got[0, 0, 0]) % 12) // 3
    np.testing.assert_array_equal(got, img[i:i + 3, j:j + 2])


def test_measures():
    a, b = R.rand(2, 4, 5, 3).astype(np.float32), R.rand(2, 4, 5, 3).astype(np.float32)
    tv, p, (dy, dx) = _run([tf.image.total_variation(tf.constant(a)),
                            tf.image.psnr(tf.constant(a), tf.constant(b), 1.0),
                            tf.image.image_gradients(tf.constant(a))])
    want = np.abs(np.diff(a, axis=1)).sum(axis=(1, 2, 3)) + \
        np.abs(np.diff(a, axis=2)).sum(axis=(1, 2, 3))
    np.testing.assert_allclose(tv, want, rtol=1e-5)
    np.testing.assert_allclose(p, 10 * np.log10(1 / ((a - b) ** 2).mean(axis=(1, 2, 3))),
                               rtol=1e-5)
    np.testing.assert_allclose(dy[:, :-1], np.diff(a, axis=1), rtol=1e-6)
    assert not dx[:, :, -1].any()
