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
