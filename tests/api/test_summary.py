"""tf.summary and FileWriter: event files that TensorBoard reads (checked with its own
reader when installed, and always with graphc's reader of the record format)."""
from __future__ import annotations

import glob

import numpy as np
import pytest

import graphc as tf
from graphc.summary import decode_summary, read_events

R = np.random.RandomState(0)


def _write(logdir):
    x = tf.placeholder(tf.float32, [None], name="x")
    with tf.name_scope("train"):
        loss = tf.reduce_mean(tf.square(x))
        tf.summary.scalar("loss", loss)
    tf.summary.histogram("activations", x)
    merged = tf.summary.merge_all()
    values = []
    with tf.Session() as sess, tf.summary.FileWriter(logdir, sess.graph) as writer:
        for step in range(4):
            xv = R.randn(200).astype(np.float32) * (step + 1)
            values.append(xv)
            writer.add_summary(sess.run(merged, {x: xv}), global_step=step)
        writer.add_summary(tf.Summary(value=[tf.Summary.Value(tag="accuracy",
                                                              simple_value=0.75)]), 4)
    return values


def test_event_files_hold_scalars_histograms_and_the_graph(tmp_path):
    values = _write(str(tmp_path))
    (path,) = glob.glob(str(tmp_path / "events.out.tfevents.*"))
    events = read_events(path)
    assert events[0]["file_version"] == "brain.Event:2"
    assert "graph_def" in events[1]
    steps = [e for e in events if "summary" in e]
    assert [e["step"] for e in steps] == [0, 1, 2, 3, 4]
    for e, xv in zip(steps, values):
        (tag_l, loss), (tag_h, histo) = e["summary"]
        assert tag_l == "train/loss" and tag_h == "activations"
        assert loss == pytest.approx(float(np.mean(xv.astype(np.float64) ** 2)), rel=1e-5)
        assert histo["num"] == 200 and sum(histo["bucket"]) == 200
        assert histo["min"] == pytest.approx(xv.min()) and histo["max"] == pytest.approx(
            xv.max())
        assert all(a < b for a, b in zip(histo["bucket_limit"], histo["bucket_limit"][1:]))
    assert steps[-1]["summary"] == [("accuracy", 0.75)]


def test_tensorboard_reads_the_files(tmp_path):
    accumulator = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator")
    _write(str(tmp_path))
    ea = accumulator.EventAccumulator(str(tmp_path), size_guidance={
        accumulator.HISTOGRAMS: 0, accumulator.SCALARS: 0})
    ea.Reload()
    tags = ea.Tags()
    assert set(tags["scalars"]) == {"train/loss", "accuracy"}
    assert tags["histograms"] == ["activations"] and tags["graph"]
    assert [s.step for s in ea.Scalars("train/loss")] == [0, 1, 2, 3]
    assert [h.histogram_value.num for h in ea.Histograms("activations")] == [200] * 4
    names = {n.name for n in ea.Graph().node}
    assert {"x", "train/Square", "train/loss"} <= names


def test_merge_all_is_none_without_summaries_and_merge_concatenates():
    assert tf.summary.merge_all() is None
    a = tf.summary.scalar("a", tf.constant(1.0))
    b = tf.summary.scalar("b", tf.constant(2.0))
    with tf.Session() as sess:
        data = sess.run(tf.summary.merge([a, b]))
    assert decode_summary(data) == [("a", 1.0), ("b", 2.0)]


def test_corrupt_event_files_are_detected(tmp_path):
    _write(str(tmp_path))
    (path,) = glob.glob(str(tmp_path / "events.out.tfevents.*"))
    data = bytearray(open(path, "rb").read())
    data[40] ^= 0x55
    open(path, "wb").write(bytes(data))
    with pytest.raises(ValueError, match="CRC"):
        read_events(path)
    open(path, "wb").write(bytes(data[:30]))
    with pytest.raises(ValueError):
        read_events(path)


def test_histogram_refuses_nan_and_scalar_needs_one_value():
    x = tf.placeholder(tf.float32, [None])
    h = tf.summary.histogram("h", x)
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="Nan in summary histogram"):
            sess.run(h, {x: np.float32([1, np.nan])})
    with pytest.raises(ValueError, match="scalar summary needs one value"):
        tf.summary.scalar("bad", tf.zeros([3]))


# ---------------------------------------------------------------- images, audio, text, tensors
def _media_summaries():
    images = tf.placeholder(tf.float32, [None, 6, 5, 3], name="images")
    grey = tf.placeholder(tf.uint8, [None, 4, 4, 1], name="greys")
    sound = tf.placeholder(tf.float32, [None, 80, 2], name="sound")
    tf.summary.image("pics", images, max_outputs=2)
    tf.summary.image("grey", grey, max_outputs=1)
    tf.summary.audio("clip", sound, 16000, max_outputs=1)
    tf.summary.text("notes", tf.constant(["first **step**", "zweiter Schritt ü"]))
    tf.summary.tensor_summary("weights", tf.constant([[1.5, -2.0], [3.0, 4.25]]),
                              summary_description="a matrix", display_name="W")
    feeds = {images: R.randn(3, 6, 5, 3).astype(np.float32),
             grey: R.randint(0, 256, (2, 4, 4, 1)).astype(np.uint8),
             sound: np.clip(R.randn(2, 80, 2) * 0.3, -1, 1).astype(np.float32)}
    feeds[images][1] = np.abs(feeds[images][1])        # an all-positive image
    feeds[images][0, 2, 3, 1] = np.nan                 # a bad pixel: red
    return tf.summary.merge_all(), feeds


def _expected_pixels(image):
    """TF1's ImageSummary scaling, written out for one float image."""
    finite = np.all(np.isfinite(image), axis=-1)
    lo, hi = image[finite].min(), image[finite].max()
    if lo < 0:
        scaled = image * np.float32(127.0 / max(-lo, hi)) + np.float32(128.0)
    else:
        scaled = image * np.float32(255.0 / hi)
    out = np.where(finite[..., None], np.nan_to_num(scaled), 0).astype(np.uint8)
    out[~finite] = [255, 0, 0]
    return out


def test_image_audio_text_and_tensor_summaries_decode_to_their_values():
    merged, feeds = _media_summaries()
    with tf.Session() as sess:
        data = sess.run(merged, feeds)
    got = dict(decode_summary(data))
    assert sorted(got) == ["clip/audio", "grey/image", "notes", "pics/image/0",
                           "pics/image/1", "weights"]
    images = feeds[[k for k in feeds if k.name == "images:0"][0]]
    for i in range(2):
        value = got[f"pics/image/{i}"]
        assert (value["height"], value["width"], value["colorspace"]) == (6, 5, 3)
        np.testing.assert_array_equal(value["pixels"], _expected_pixels(images[i]))
    assert got["pics/image/0"]["pixels"][2, 3].tolist() == [255, 0, 0]
    assert got["pics/image/1"]["pixels"].max() == 255          # largest value -> 255
    grey = feeds[[k for k in feeds if k.name == "greys:0"][0]]
    np.testing.assert_array_equal(got["grey/image"]["pixels"], grey[0])   # uint8 unchanged
    sound = feeds[[k for k in feeds if k.name == "sound:0"][0]]
    clip = got["clip/audio"]
    assert (clip["sample_rate"], clip["num_channels"], clip["length_frames"],
            clip["content_type"]) == (16000.0, 2, 80, "audio/wav")
    np.testing.assert_allclose(clip["samples"], sound[0], atol=1 / 32768)
    notes = got["notes"]
    assert notes["plugin_name"] == "text"
    assert notes["tensor"].tolist() == ["first **step**".encode(), "zweiter Schritt ü".encode()]
    w = got["weights"]
    assert (w["display_name"], w["description"]) == ("W", "a matrix")
    np.testing.assert_array_equal(w["tensor"], np.float32([[1.5, -2.0], [3.0, 4.25]]))


def test_png_and_wav_round_trip_through_every_png_row_filter():
    from graphc.ir import media
    pixels = R.randint(0, 256, (7, 9, 4)).astype(np.uint8)
    assert media.decode_png(media.encode_png(pixels)).tolist() == pixels.tolist()
    # Rows written with each of PNG's five filters (encoders such as libpng pick per row).
    import struct
    import zlib
    flat = pixels.reshape(7, 36).astype(np.int32)
    rows = []
    for y in range(7):
        kind = y % 5
        prev = flat[y - 1] if y else np.zeros(36, np.int32)
        line = []
        for x in range(36):
            left = flat[y, x - 4] if x >= 4 else 0
            up, corner = prev[x], (prev[x - 4] if x >= 4 else 0)
            p = left + up - corner
            pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
            paeth = left if pa <= pb and pa <= pc else up if pb <= pc else corner
            pred = [0, left, up, (left + up) // 2, paeth][kind]
            line.append((flat[y, x] - pred) & 0xFF)
        rows.append(bytes([kind] + line))
    png = bytearray(media.encode_png(pixels))
    start = png.index(b"IDAT") - 4
    (length,) = struct.unpack(">I", png[start:start + 4])
    body = zlib.compress(b"".join(rows))
    idat = struct.pack(">I", len(body)) + b"IDAT" + body + \
        struct.pack(">I", zlib.crc32(b"IDAT" + body))
    png = bytes(png[:start]) + idat + bytes(png[start + 12 + length:])
    assert media.decode_png(png).tolist() == pixels.tolist()
    with pytest.raises(ValueError, match="CRC"):
        media.decode_png(png[:20] + bytes([png[20] ^ 1]) + png[21:])
    audio = np.float32([[0.0, 1.0], [-1.0, 0.5], [0.25, -0.75]])
    samples, rate = media.decode_wav(media.encode_wav(audio, 22050))
    assert rate == 22050
    np.testing.assert_array_equal(samples, np.float32([[0, 32767 / 32768], [-1, 0.5],
                                                       [0.25, -0.75]]))


def test_media_summaries_refuse_bad_input_naming_it():
    with pytest.raises(ValueError, match="4-D with last dim 1, 3, or 4"):
        tf.summary.image("bad", tf.zeros([2, 3, 3, 2]))
    with pytest.raises(TypeError, match="float32"):
        tf.summary.audio("bad", tf.zeros([2, 3], tf.int32), 100)
    with pytest.raises(ValueError, match="to have dtype string"):
        tf.summary.text("bad", tf.zeros([2]))
    rate = tf.placeholder(tf.float32, [])
    clip = tf.summary.audio("clip", tf.zeros([1, 10]), rate)
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match="sample_rate must be > 0"):
            sess.run(clip, {rate: 0.0})


def test_tensorboard_reads_images_audio_text_and_tensors(tmp_path):
    accumulator = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator")
    from tensorboard.util import tensor_util
    merged, feeds = _media_summaries()
    with tf.Session() as sess, tf.summary.FileWriter(str(tmp_path)) as writer:
        for step in range(2):
            writer.add_summary(sess.run(merged, feeds), step)
    ea = accumulator.EventAccumulator(str(tmp_path), size_guidance={
        accumulator.IMAGES: 0, accumulator.AUDIO: 0, accumulator.TENSORS: 0})
    ea.Reload()
    tags = ea.Tags()
    assert set(tags["images"]) == {"pics/image/0", "pics/image/1", "grey/image"}
    assert tags["audio"] == ["clip/audio"]
    assert set(tags["tensors"]) == {"notes", "weights"}
    image = ea.Images("pics/image/1")[1]
    assert (image.step, image.width, image.height) == (1, 5, 6)
    assert image.encoded_image_string.startswith(b"\x89PNG")
    clip = ea.Audio("clip/audio")[0]
    assert (clip.sample_rate, clip.length_frames, clip.content_type) == (16000, 80,
                                                                         "audio/wav")
    notes = tensor_util.make_ndarray(ea.Tensors("notes")[0].tensor_proto)
    assert notes.tolist() == [b"first **step**", "zweiter Schritt ü".encode()]
    assert ea.SummaryMetadata("notes").plugin_data.plugin_name == "text"
    w = tensor_util.make_ndarray(ea.Tensors("weights")[0].tensor_proto)
    np.testing.assert_array_equal(w, np.float32([[1.5, -2.0], [3.0, 4.25]]))
