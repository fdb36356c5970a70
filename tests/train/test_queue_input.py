"""TF1 queue input on graphc's queues: producers, readers sharing a file-name queue,
batch/shuffle_batch/batch_join, start_queue_runners with a Coordinator, num_epochs
ending in OutOfRangeError, and a TF1-era training program reading TFRecords through
string_input_producer -> TFRecordReader -> parse_single_example -> shuffle_batch."""
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


def test_producers_are_queues_filled_by_runners():
    queue = tf.train.string_input_producer(["a", "b", "c"], num_epochs=2, shuffle=False)
    assert isinstance(queue, tf.FIFOQueue) and queue.name == "input_producer/fifo_queue"
    runners = tf.get_collection(tf.GraphKeys.QUEUE_RUNNERS)
    assert len(runners) == 1 and runners[0].queue is queue
    ints = tf.train.range_input_producer(4, num_epochs=3, seed=2)
    rows = tf.train.input_producer(tf.constant([[1, 2], [3, 4]]), num_epochs=1,
                                   shuffle=False)
    limited = tf.train.limit_epochs(tf.constant(7), num_epochs=2)
    with tf.Session() as sess:
        tf.train.start_queue_runners(sess)
        assert drain(sess, queue.dequeue()) == [b"a", b"b", b"c"] * 2
        epochs = [int(v) for v in drain(sess, ints.dequeue())]
        assert drain(sess, rows.dequeue_many(2))[0].tolist() == [[1, 2], [3, 4]]
        assert drain(sess, limited) == [7, 7]
    assert [sorted(epochs[k:k + 4]) for k in (0, 4, 8)] == [[0, 1, 2, 3]] * 3
    assert len({tuple(epochs[k:k + 4]) for k in (0, 4, 8)}) > 1  # a new order per epoch


def test_two_readers_share_one_file_name_queue(tmp_path):
    names = []
    for i in range(4):
        path = str(tmp_path / f"{i}.tfrecord")
        with tf.python_io.TFRecordWriter(path) as w:
            w.write(b"file%d" % i)
        names.append(path)
    queue = tf.train.string_input_producer(names, num_epochs=1, shuffle=False)
    _, first = tf.TFRecordReader().read(queue)
    _, second = tf.TFRecordReader().read(queue)
    with tf.Session() as sess:
        tf.train.start_queue_runners(sess)
        got = [sess.run(first), sess.run(second), sess.run(first), sess.run(second)]
        with pytest.raises(tf.errors.OutOfRangeError):
            sess.run(first)
    assert got == [b"file0", b"file1", b"file2", b"file3"]  # each file read once


def test_a_reader_reads_a_fifo_queue_the_program_fills(tmp_path):
    path = str(tmp_path / "lines.txt")
    with open(path, "w") as f:
        f.write("x\ny\n")
    names = tf.FIFOQueue(2, [tf.string])
    fill, close = names.enqueue([path]), names.close()
    _, line = tf.TextLineReader().read(names)
    with tf.Session() as sess:
        sess.run(fill)
        sess.run(close)
        assert drain(sess, line) == [b"x", b"y"]


def test_batch_pads_joins_and_refuses_unknown_shapes():
    rows = [[1, 2, 3], [9], [4, 5]]
    v = tf.data.Dataset.from_generator(lambda: iter(rows), tf.int32, [None]) \
        .make_one_shot_iterator().get_next()
    padded = tf.train.batch([v], batch_size=2, dynamic_pad=True,
                            allow_smaller_final_batch=True)
    assert padded[0].shape.as_list() == [None, None]
    a = tf.train.limit_epochs(tf.constant([1, 1]), num_epochs=2)
    b = tf.train.limit_epochs(tf.constant([2, 2]), num_epochs=2)
    joined = tf.train.batch_join([{"v": a}, {"v": b}], batch_size=4)
    assert joined["v"].shape.as_list() == [4, 2]
    with tf.Session() as sess:
        tf.train.start_queue_runners(sess)
        assert [b.tolist() for (b,) in drain(sess, padded)] == [[[1, 2, 3], [9, 0, 0]],
                                                                 [[4, 5]]]
        assert sorted(sess.run(joined["v"])[:, 0].tolist()) == [1, 1, 2, 2]
    x = tf.placeholder(tf.float32, [None])
    with pytest.raises(ValueError, match="All shapes must be fully defined"):
        tf.train.batch([x], batch_size=2)


@pytest.mark.timeout(300)
@pytest.mark.parametrize("backend", ["numpy", "llvm"])
def test_tf1_era_program_trains_from_tfrecords_through_queues(tmp_path, backend,
                                                             monkeypatch):
    monkeypatch.setenv("GRAPHC_BACKEND", backend)
    rng = np.random.RandomState(0)
    X = rng.randn(64, 3).astype(np.float32)
    Y = X @ np.array([1.0, -2.0, 0.5], np.float32)
    paths = [str(tmp_path / f"part-{k}.tfrecord") for k in range(2)]
    for k, path in enumerate(paths):
        with tf.python_io.TFRecordWriter(path) as writer:
            for x, y in zip(X[k::2], Y[k::2]):
                writer.write(tf.train.Example(features=tf.train.Features(feature={
                    "x": tf.train.Feature(float_list=tf.train.FloatList(value=x)),
                    "y": tf.train.Feature(float_list=tf.train.FloatList(value=[y]))}))
                    .SerializeToString())
    files = tf.train.string_input_producer(paths, num_epochs=20, seed=1)
    _, record = tf.TFRecordReader().read(files)
    example = tf.parse_single_example(record, {"x": tf.FixedLenFeature([3], tf.float32),
                                               "y": tf.FixedLenFeature([], tf.float32)})
    xs, ys = tf.train.shuffle_batch([example["x"], example["y"]], batch_size=16,
                                    capacity=64, min_after_dequeue=16, num_threads=2,
                                    seed=2)
    w = tf.Variable(tf.zeros([3]))
    loss = tf.reduce_mean(tf.square(tf.reduce_sum(xs * w, axis=1) - ys))
    step = tf.train.get_or_create_global_step()
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss, global_step=step)
    with tf.train.MonitoredTrainingSession(log_step_count_steps=None) as sess:
        while not sess.should_stop():
            _, n, learned = sess.run([train, step, w])  # (the end of the input ends it)
    assert n + 1 == 64 * 20 // 16  # every example of every epoch, in whole batches
    np.testing.assert_allclose(learned, [1.0, -2.0, 0.5], atol=1e-2)
