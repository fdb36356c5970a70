"""TF1 queue input on tf.data's machinery: producers, readers, batch/shuffle_batch,
start_queue_runners with a Coordinator, num_epochs ending in OutOfRangeError."""
import numpy as np
import pytest

import graphc as tf


def drain(sess, fetches):
    out = []
    while True:
        try:
            out.append(sess.run(fetches))
        except tf.errors.OutOfRangeError:
            return out


@pytest.mark.parametrize("backend", ["numpy", "llvm"])
def test_slice_input_producer_and_batch(backend):
    x = np.arange(10, dtype=np.float32)
    y = np.arange(10, dtype=np.int64) * 10
    xs, ys = tf.train.slice_input_producer([x, y], num_epochs=2, shuffle=False)
    assert xs.shape.as_list() == [] and ys.dtype == tf.int64
    bx, by = tf.train.batch([xs * 2.0, ys], batch_size=4)
    assert bx.shape.as_list() == [4]
    with tf.Session(backend=backend) as sess:
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(sess=sess, coord=coord)
        got = drain(sess, [bx, by])
        coord.request_stop()
        coord.join(threads)
    assert [b[0].tolist() for b in got] == [[0, 2, 4, 6], [8, 10, 12, 14], [16, 18, 0, 2],
                                            [4, 6, 8, 10], [12, 14, 16, 18]]
    assert all((b[1] == b[0] * 5).all() for b in got)


def test_shuffled_epochs_are_permutations_and_smaller_final_batch():
    (v,) = tf.train.slice_input_producer([np.arange(12)], num_epochs=2, seed=3)
    b = tf.train.shuffle_batch([v], batch_size=5, capacity=20, min_after_dequeue=4, seed=1,
                               allow_smaller_final_batch=True)
    assert b[0].shape.as_list() == [None]
    with tf.Session() as sess:
        tf.train.start_queue_runners(sess)
        got = np.concatenate([r[0] for r in drain(sess, b)])
    assert sorted(got.tolist()) == sorted(list(range(12)) * 2)
    assert got.tolist() != sorted(got.tolist())


def test_string_input_producer_with_readers(tmp_path):
    for i in range(2):
        with tf.python_io.TFRecordWriter(str(tmp_path / f"{i}.tfrecord")) as w:
            for j in range(3):
                w.write(b"%d-%d" % (i, j))
        (tmp_path / f"{i}.txt").write_text(f"header\nline{i}a\nline{i}b\n")
    files = [str(tmp_path / f"{i}.tfrecord") for i in range(2)]
    queue = tf.train.string_input_producer(files, num_epochs=1, shuffle=False)
    key, value = tf.TFRecordReader().read(queue)
    texts = tf.train.string_input_producer([str(tmp_path / f"{i}.txt") for i in range(2)],
                                           num_epochs=1, shuffle=False)
    _, line = tf.TextLineReader(skip_header_lines=1).read(texts)
    with tf.Session() as sess:
        tf.train.start_queue_runners(sess)
        records = drain(sess, [key, value])
        lines = drain(sess, line)
    assert [r[1] for r in records] == [b"0-0", b"0-1", b"0-2", b"1-0", b"1-1", b"1-2"]
    assert records[4][0] == (files[1] + ":1").encode()
    assert lines == [b"line0a", b"line0b", b"line1a", b"line1b"]


def test_monitored_session_starts_queue_runners_and_stops_at_the_end():
    x = tf.constant(np.arange(6, dtype=np.float32))
    (v,) = tf.train.slice_input_producer([x], num_epochs=1, shuffle=False)
    (b,) = tf.train.batch([v], batch_size=2)
    total = tf.Variable(0.0)
    step = tf.assign_add(total, tf.reduce_sum(b))
    with tf.train.MonitoredSession() as sess:
        while not sess.should_stop():
            last = sess.run(step)
    assert last == 15.0
