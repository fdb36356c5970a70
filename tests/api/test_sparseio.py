"""Issue 20's tf.io / tf.train / tf.data leftovers: FixedLengthRecordReader and
FixedLengthRecordDataset (headers, footers, hops, ZLIB/GZIP), IdentityReader, the
maybe_batch family, match_filenames_once, tf.io.write_graph and tf.graph_util's
helpers. Expected values are TensorFlow 1's (the records and keys below are what
tensorflow.compat.v1 produced for the same files); test_readers_match_tensorflow
checks them against TensorFlow itself where it is installed."""
from __future__ import annotations

import gzip
import os
import zlib

import numpy as np
import pytest

import graphc as tf

DATA = bytes(range(23))


@pytest.fixture()
def files(tmp_path):
    paths = {"a.bin": DATA, "b.bin": bytes(range(100, 109)), "a.gz": gzip.compress(DATA),
             "a.z": zlib.compress(DATA)}
    for name, data in paths.items():
        (tmp_path / name).write_bytes(data)
    return {k: str(tmp_path / k) for k in paths}


def _read_all(tf_, names, reader_of):
    with tf_.Graph().as_default():
        queue = tf_.train.string_input_producer(names, num_epochs=1, shuffle=False)
        key, value = reader_of().read(queue)
        out = []
        with tf_.Session() as sess:
            sess.run(tf_.local_variables_initializer())
            coord = tf_.train.Coordinator()
            threads = tf_.train.start_queue_runners(sess, coord)
            try:
                while True:
                    out.append(tuple(sess.run([key, value])))
            except tf_.errors.OutOfRangeError:
                pass
            coord.request_stop()
            coord.join(threads)
    return out


READS = [  # (files, reader arguments, [(file, record number, first byte, length)])
    (["a.bin", "b.bin"], dict(record_bytes=5, header_bytes=2, footer_bytes=3),
     [("a.bin", 0, 2, 5), ("a.bin", 1, 7, 5), ("a.bin", 2, 12, 5)]),
    (["a.bin"], dict(record_bytes=5, header_bytes=2, footer_bytes=3, hop_bytes=3),
     [("a.bin", i, 2 + 3 * i, 5) for i in range(5)]),
    (["a.bin"], dict(record_bytes=4, hop_bytes=6), [("a.bin", i, 6 * i, 4) for i in range(4)]),
    (["a.gz"], dict(record_bytes=5, header_bytes=2, footer_bytes=3, encoding="GZIP"),
     [("a.gz", 0, 2, 5), ("a.gz", 1, 7, 5), ("a.gz", 2, 12, 5)]),
    (["a.z"], dict(record_bytes=5, encoding="ZLIB"), [("a.z", i, 5 * i, 5) for i in range(4)]),
]


@pytest.mark.parametrize("names,kwargs,want", READS)
def test_fixed_length_record_reader(files, names, kwargs, want):
    got = _read_all(tf, [files[n] for n in names],
                    lambda: tf.FixedLengthRecordReader(**kwargs))
    assert got == [(f"{files[f]}:{i}".encode(), DATA[s:s + n]) for f, i, s, n in want]


def test_readers_match_tensorflow(files):
    real = pytest.importorskip("tensorflow")
    tf1 = real.compat.v1
    tf1.disable_v2_behavior()
    for names, kwargs, _ in READS:
        paths = [files[n] for n in names]
        assert _read_all(tf, paths, lambda: tf.FixedLengthRecordReader(**kwargs)) == \
            _read_all(tf1, paths, lambda: tf1.FixedLengthRecordReader(**kwargs))


def test_identity_reader():
    with tf.Graph().as_default():
        q = tf.FIFOQueue(5, [tf.string])
        fill = q.enqueue_many([["x", "yy", "zzz"]])
        key, value = tf.IdentityReader().read(q)
        with tf.Session() as sess:
            sess.run(fill)
            sess.run(q.close())
            assert [tuple(sess.run([key, value])) for _ in range(3)] == \
                [(b"x", b"x"), (b"yy", b"yy"), (b"zzz", b"zzz")]
            with pytest.raises(tf.errors.OutOfRangeError):
                sess.run(value)


def _dataset(path, **kwargs):
    ds = tf.data.FixedLengthRecordDataset(path, **kwargs)
    it = tf.data.make_one_shot_iterator(ds)
    nxt = it.get_next()
    out = []
    with tf.Session() as sess:
        try:
            while True:
                out.append(sess.run(nxt))
        except tf.errors.OutOfRangeError:
            return out


def test_fixed_length_record_dataset(files):
    with tf.Graph().as_default():
        assert _dataset(files["a.bin"], record_bytes=6, header_bytes=2, footer_bytes=3) == \
            [DATA[2:8], DATA[8:14], DATA[14:20]]
        assert _dataset([files["a.z"]], record_bytes=4, header_bytes=1, footer_bytes=2,
                        compression_type="ZLIB") == [DATA[i:i + 4] for i in (1, 5, 9, 13, 17)]
        assert _dataset(files["a.gz"], record_bytes=23, compression_type="GZIP") == [DATA]
        # TF: a body that is no whole number of records is an error
        with pytest.raises(tf.errors.InvalidArgumentError, match="not an exact multiple"):
            _dataset(files["a.bin"], record_bytes=5, header_bytes=2, footer_bytes=3)
        with pytest.raises(tf.errors.DataLossError, match="not an exact multiple"):
            _dataset(files["a.gz"], record_bytes=5, compression_type="GZIP")
        with pytest.raises(ValueError, match="record_bytes"):
            tf.data.FixedLengthRecordDataset(files["a.bin"], 0)


def _batches(make, n):
    with tf.Graph().as_default():
        out = make()
        with tf.Session() as sess:
            coord = tf.train.Coordinator()
            threads = tf.train.start_queue_runners(sess, coord)
            got = [sess.run(out) for _ in range(n)]
            coord.request_stop()
            sess.run(tf.get_collection(tf.GraphKeys.QUEUE_RUNNERS)[0].cancel_op)
            coord.join(threads)
    return got


def test_maybe_batch_keeps_what_keep_input_says():
    def scalar_keep():
        q = tf.train.range_input_producer(100, shuffle=False)
        i = q.dequeue()
        return tf.train.maybe_batch([i, i * 10], tf.equal(i % 3, 0), 4)
    got = _batches(scalar_keep, 2)
    np.testing.assert_array_equal(got[0][0], [0, 3, 6, 9])
    np.testing.assert_array_equal(got[1][1], [120, 150, 180, 210])

    def vector_keep():
        rows = tf.constant(np.arange(12, dtype=np.int32).reshape(6, 2))
        keep = tf.constant([True, False, True, True, False, False])
        return tf.train.maybe_batch_join([[rows]], keep, 3, enqueue_many=True)
    got = _batches(vector_keep, 2)
    np.testing.assert_array_equal(got[0][0], [[0, 1], [4, 5], [6, 7]])

    def shuffled():
        q = tf.train.range_input_producer(50, shuffle=False)
        i = q.dequeue()
        return tf.train.maybe_shuffle_batch({"i": i}, 5, 20, 2, i % 2 > 0, seed=3)
    got = _batches(shuffled, 3)
    values = np.concatenate([g["i"] for g in got])
    assert values.size == 15 and all(v % 2 == 1 for v in values)

    def shuffled_join():
        q = tf.train.range_input_producer(50, shuffle=False)
        i = q.dequeue()
        return tf.train.maybe_shuffle_batch_join([[i], [i + 1000]], 4, 20, 2, i < 30, seed=1)
    got = _batches(shuffled_join, 2)
    assert all(v % 1000 < 30 for g in got for v in g[0])
    with tf.Graph().as_default(), pytest.raises(ValueError, match="keep_input"):
        tf.train.maybe_batch([tf.constant(1)], tf.constant([True, False]), 2)


def test_match_filenames_once(files):
    with tf.Graph().as_default():
        names = tf.train.match_filenames_once(os.path.join(os.path.dirname(files["a.bin"]),
                                                           "a.*"))
        assert names in tf.local_variables() and names not in tf.trainable_variables()
        assert tf.io.match_filenames_once is tf.train.match_filenames_once
        with tf.Session() as sess:
            sess.run(tf.local_variables_initializer())
            assert sess.run(names).tolist() == sorted(
                files[k].encode() for k in ("a.bin", "a.gz", "a.z"))


def test_write_graph_and_graph_util(tmp_path):
    with tf.Graph().as_default() as g:
        x = tf.placeholder(tf.float32, [None, 3], name="x")
        tf.cast(tf.constant([1, 2]), tf.float32, name="c")
        tf.identity(x * 2.0, name="y")
        text = tf.io.write_graph(g, str(tmp_path), "g.pbtxt")
        binary = tf.io.write_graph(g.as_graph_def(), str(tmp_path), "g.pb", as_text=False)
        assert tf.graph_util.tensor_shape_from_node_def_name(g, "y").as_list() == [None, 3]
        assert tf.graph_util.tensor_shape_from_node_def_name(g, "x:0").as_list() == [None, 3]
        assert tf.graph_util.must_run_on_cpu(g.get_operation_by_name("c"))
        assert not tf.graph_util.must_run_on_cpu(g.get_operation_by_name("y"))
        nodes = {n.name: n for n in g.as_graph_def().node}
        assert tf.graph_util.must_run_on_cpu(nodes["Const"])
        assert not tf.graph_util.must_run_on_cpu(nodes["x"])
    gd = tf.GraphDef()
    with open(binary, "rb") as f:
        gd.ParseFromString(f.read())
    assert "y" in [n.name for n in gd.node] and os.path.getsize(text) > 0
    with tf.Graph().as_default():
        y, = tf.graph_util.import_graph_def(gd, return_elements=["y:0"], name="")
        with tf.Session() as sess:
            np.testing.assert_array_equal(sess.run(y, {"x:0": np.ones((1, 3))}), [[2, 2, 2]])


def test_a_string_scalar_taken_from_a_vector_keeps_its_trailing_nuls():
    # (serialized protos often end in a zero byte; numpy's bytes_ scalars drop them)
    with tf.Graph().as_default():
        x = tf.placeholder(tf.string, [2])
        with tf.Session() as sess:
            got = sess.run([tf.gather(x, 1), x[1], x[-1:]],
                           {x: np.array([b"a", b"b\x00\x00"], object)})
    assert got[0] == got[1] == b"b\x00\x00" and got[2].tolist() == [b"b\x00\x00"]
