"""JPEG, GIF and BMP against TensorFlow (tests/fixtures/tf/image_codecs.npz, made by
tests/fixtures/tf/make_image_codec_fixtures.py): graphc decodes TensorFlow's files to the
same pixels bit for bit (every dct_method, fancy_upscaling, channels), its own files decode
to what TensorFlow's decode to, and decode_image dispatches on the first bytes."""
from __future__ import annotations

import os

import numpy as np
import pytest

import graphc as tf

FIXTURE = os.path.join(os.path.dirname(__file__), "..", "fixtures", "tf", "image_codecs.npz")
SETTINGS = {"q95": {}, "q75_444": {"quality": 75, "chroma_downsampling": False},
            "q20": {"quality": 20}, "q100_cm": {"quality": 100, "density_unit": "cm",
                                                "x_density": 72, "y_density": 96}}


@pytest.fixture(scope="module")
def fx():
    if not os.path.exists(FIXTURE):
        pytest.skip("tests/fixtures/tf/image_codecs.npz is missing")
    with np.load(FIXTURE) as data:
        return dict(data)


def _run(fetches, feeds=None, backend="numpy"):
    with tf.Session(backend=backend) as sess:
        return sess.run(fetches, feeds)


@pytest.mark.parametrize("name", ["rgb", "grey"])
@pytest.mark.parametrize("setting", sorted(SETTINGS))
def test_decode_jpeg_equals_tensorflow(fx, name, setting):
    key = f"{name}/{setting}"
    s = tf.placeholder(tf.string, [])
    outs = {"default": tf.image.decode_jpeg(s),
            "accurate": tf.io.decode_jpeg(s, dct_method="INTEGER_ACCURATE"),
            "plain": tf.image.decode_jpeg(s, fancy_upscaling=False),
            "grey": tf.image.decode_jpeg(s, channels=1),
            "rgb": tf.image.decode_jpeg(s, channels=3),
            "shape": tf.image.extract_jpeg_shape(s),
            "image": tf.image.decode_image(s, channels=3 if name == "rgb" else 1)}
    got = _run(outs, {s: fx[f"{key}/file"].tobytes()})
    for k, v in got.items():
        want = fx[f"{key}/{'rgb' if k == 'image' and name == 'rgb' else k}"] if k != "image" \
            else fx[f"{key}/{'rgb' if name == 'rgb' else 'grey'}"]
        np.testing.assert_array_equal(v, want, err_msg=k)


@pytest.mark.parametrize("backend", ["numpy", "llvm"])
@pytest.mark.parametrize("name", ["rgb", "grey"])
def test_encode_jpeg_decodes_as_tensorflows_file(fx, name, backend):
    img = fx[f"{name}/image"]
    x = tf.placeholder(tf.uint8, img.shape)
    for setting, kwargs in SETTINGS.items():
        data = _run(tf.image.encode_jpeg(x, **kwargs), {x: img}, backend)
        assert data[:2] == b"\xff\xd8"
        back = _run(tf.image.decode_jpeg(tf.constant(data)), backend=backend)
        np.testing.assert_array_equal(back, fx[f"{name}/{setting}/default"], err_msg=setting)
        unit = {"in": 1, "cm": 2}[kwargs.get("density_unit", "in")]
        density = kwargs.get("x_density", 300), kwargs.get("y_density", 300)
        assert data[13] == unit and data[14:18] == b"".join(
            d.to_bytes(2, "big") for d in density), setting


def test_gif_and_bmp_equal_tensorflow(fx):
    s = tf.placeholder(tf.string, [])
    gif = fx["gif/file"].tobytes()
    frames, first, any_ = _run([tf.image.decode_gif(s), tf.image.decode_image(
        s, expand_animations=False), tf.io.decode_image(s)], {s: gif})
    np.testing.assert_array_equal(frames, fx["gif/frames"])
    np.testing.assert_array_equal(first, fx["gif/frames"][0])
    np.testing.assert_array_equal(any_, fx["gif/frames"])
    for bpp in (24, 32):
        data = fx[f"bmp{bpp}/file"].tobytes()
        got = _run([tf.image.decode_bmp(s), tf.io.decode_image(s)], {s: data})
        for g in got:
            np.testing.assert_array_equal(g, fx[f"bmp{bpp}/image"])


def test_decode_image_png_float_and_errors(fx):
    img = fx["rgb/image"]
    png = _run(tf.image.encode_png(tf.constant(img)))
    s = tf.placeholder(tf.string, [])
    as_float = tf.image.decode_image(s, dtype=tf.float32)
    assert as_float.dtype is tf.float32
    np.testing.assert_allclose(_run(as_float, {s: png}), img / 255.0, rtol=1e-6)
    jpeg_flag, png_flag = _run([tf.image.is_jpeg(s), tf.io.is_jpeg(tf.constant(png))],
                               {s: fx["rgb/q95/file"].tobytes()})
    assert bool(jpeg_flag) and not bool(png_flag)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Unknown image file format"):
        _run(tf.image.decode_image(s), {s: b"not an image"})
    with pytest.raises(tf.errors.InvalidArgumentError, match="JPEG"):
        _run(tf.image.decode_jpeg(s), {s: b"\xff\xd8\xff\xe0 broken"})
    with pytest.raises(NotImplementedError, match="ratio"):
        tf.image.decode_jpeg(s, ratio=2)
    with pytest.raises(NotImplementedError, match="progressive"):
        tf.image.encode_jpeg(tf.constant(img), progressive=True)
    with pytest.raises(ValueError, match="format 'grayscale'"):
        tf.image.encode_jpeg(tf.constant(img), format="grayscale")
    crop = tf.image.decode_and_crop_jpeg(s, [1, 2, 5, 7])
    whole = tf.image.decode_jpeg(s)
    a, b = _run([crop, whole], {s: fx["rgb/q95/file"].tobytes()})
    np.testing.assert_array_equal(a, b[1:6, 2:9])
    with pytest.raises(tf.errors.InvalidArgumentError, match="crop window"):
        _run(tf.image.decode_and_crop_jpeg(s, [30, 0, 10, 10]),
             {s: fx["rgb/q95/file"].tobytes()})


def test_unsupported_files_are_refused_by_name(fx):
    from graphc.ir import jpeg
    data = fx["grey/q95/file"].tobytes()
    assert np.array_equal(jpeg.decode_jpeg(data, fast_idct=True), fx["grey/q95/default"])
    with pytest.raises(ValueError, match="progressive"):
        jpeg.decode_jpeg(data.replace(b"\xff\xc0", b"\xff\xc2", 1))
    with pytest.raises(ValueError, match="12-bit"):
        i = data.index(b"\xff\xc0") + 4
        jpeg.decode_jpeg(data[:i] + b"\x0c" + data[i + 1:])
