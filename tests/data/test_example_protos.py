"""tf.train.Example and friends as protobuf messages (graphc/protos/example.py): built,
serialized, parsed by graphc's parsing ops, and byte-identical to TensorFlow's."""
import os

import numpy as np
import pytest

import graphc as tf


def _example(i: int):
    f = tf.train.Feature
    return tf.train.Example(features=tf.train.Features(feature={
        "label": f(int64_list=tf.train.Int64List(value=[i, -i])),
        "x": f(float_list=tf.train.FloatList(value=[0.5 * i, 2.0])),
        "name": f(bytes_list=tf.train.BytesList(value=[b"n%d" % i]))}))


def test_examples_round_trip_through_tfrecords_and_parse_example(tmp_path):
    path = str(tmp_path / "e.tfrecord")
    with tf.python_io.TFRecordWriter(path) as w:
        for i in range(3):
            w.write(_example(i).SerializeToString())
    records = list(tf.python_io.tf_record_iterator(path))
    assert tf.train.Example.FromString(records[2]) == _example(2)
    parsed = tf.parse_example(tf.constant(records), {
        "label": tf.FixedLenFeature([2], tf.int64), "x": tf.VarLenFeature(tf.float32),
        "name": tf.FixedLenFeature([], tf.string)})
    with tf.Session() as sess:
        v = sess.run(parsed)
    assert v["label"].tolist() == [[0, 0], [1, -1], [2, -2]]
    assert v["x"].values.tolist() == [0.0, 2.0, 0.5, 2.0, 1.0, 2.0]
    assert v["name"].tolist() == [b"n0", b"n1", b"n2"]


def test_sequence_example_message():
    s = tf.train.SequenceExample()
    s.context.feature["id"].int64_list.value.append(7)
    for t in range(3):
        s.feature_lists.feature_list["f"].feature.add().float_list.value.extend([t, -t])
    context, seq = tf.parse_single_sequence_example(
        tf.constant(s.SerializeToString()), {"id": tf.FixedLenFeature([], tf.int64)},
        {"f": tf.FixedLenSequenceFeature([2], tf.float32)})
    with tf.Session() as sess:
        c, q = sess.run([context, seq])
    assert c["id"] == 7 and q["f"].tolist() == [[0, 0], [1, -1], [2, -2]]


def test_example_bytes_equal_tensorflows():
    tensorflow = pytest.importorskip("tensorflow")
    ours = _example(3).SerializeToString(deterministic=True)
    f = tensorflow.train.Feature
    theirs = tensorflow.train.Example(features=tensorflow.train.Features(feature={
        "label": f(int64_list=tensorflow.train.Int64List(value=[3, -3])),
        "x": f(float_list=tensorflow.train.FloatList(value=[1.5, 2.0])),
        "name": f(bytes_list=tensorflow.train.BytesList(value=[b"n3"]))}))
    assert ours == theirs.SerializeToString(deterministic=True)


def test_tensorflows_fixture_parses_into_messages():
    path = os.path.join(os.path.dirname(__file__), "fixtures", "examples.tfrecord")
    first = tf.train.Example.FromString(next(iter(tf.python_io.tf_record_iterator(path))))
    assert list(first.features.feature["name"].bytes_list.value) == [b"example-0"]
    np.testing.assert_array_equal(first.features.feature["x"].float_list.value, [0, 0, 0])
