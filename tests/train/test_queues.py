"""TF1's queues (FIFOQueue, PaddingFIFOQueue, RandomShuffleQueue) as graph ops, and
QueueRunner threads feeding them: order, blocking, closing (drain, then
OutOfRangeError), cancellation, padding, shuffling, names; on both backends."""
import threading

import numpy as np
import pytest

import graphc as tf

BACKENDS = ["numpy", "llvm"]


def drain(sess, fetch):
    out = []
    while True:
        try:
            out.append(sess.run(fetch))
        except tf.errors.OutOfRangeError:
            return out


@pytest.mark.timeout(120)
@pytest.mark.parametrize("backend", BACKENDS)
def test_fifo_order_close_drains_then_out_of_range(backend):
    q = tf.FIFOQueue(4, [tf.float32, tf.int64], shapes=[[2], []])
    x, i = tf.placeholder(tf.float32, [2]), tf.placeholder(tf.int64, [])
    enqueue, (a, b) = q.enqueue([x, i]), q.dequeue()
    many, up_to, close = q.dequeue_many(3), q.dequeue_up_to(3), q.close()
    assert a.shape.as_list() == [2] and many[0].shape.as_list() == [3, 2]
    assert up_to[1].shape.as_list() == [None] and q.name == "fifo_queue"
    with tf.Session(backend=backend) as sess:
        for k in range(4):
            sess.run(enqueue, {x: [k, -k], i: k})
        assert sess.run(q.size()) == 4
        got = sess.run([a * 2.0, b])
        np.testing.assert_array_equal(got[0], [0, 0]) and got[1] == 0
        # a full queue blocks the enqueue until a dequeue makes room
        sess.run(enqueue, {x: [4, -4], i: 4})
        writer = threading.Thread(target=sess.run, args=(enqueue, {x: [5, -5], i: 5}))
        writer.start()
        np.testing.assert_array_equal(sess.run(many)[1], [1, 2, 3])
        writer.join(60)
        assert not writer.is_alive()
        sess.run(close)
        assert sess.run(q.is_closed())
        with pytest.raises(tf.errors.CancelledError, match="is closed"):
            sess.run(enqueue, {x: [6, 6], i: 6})
        with pytest.raises(tf.errors.OutOfRangeError, match=r"FIFOQueue 'fifo_queue' is "
                           r"closed and has insufficient elements \(requested 3, current "
                           r"size 2\)"):
            sess.run(many)
        np.testing.assert_array_equal(sess.run(up_to)[1], [4, 5])  # what is left
        with pytest.raises(tf.errors.OutOfRangeError):
            sess.run(up_to)


@pytest.mark.timeout(120)
@pytest.mark.parametrize("backend", BACKENDS)
def test_queue_runner_fills_a_queue_from_an_input_that_ends(backend):
    nxt = tf.data.Dataset.range(10).make_one_shot_iterator().get_next()
    q = tf.FIFOQueue(3, [tf.int64], shapes=[[]])
    tf.train.add_queue_runner(tf.train.QueueRunner(q, [q.enqueue([nxt * 10])]))
    batch, rest = q.dequeue_many(3), q.dequeue_up_to(3)
    with tf.Session(backend=backend) as sess:
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(sess, coord)
        got = drain(sess, batch)  # the runner closes the queue when its input ends
        assert [b.tolist() for b in got] == [[0, 10, 20], [30, 40, 50], [60, 70, 80]]
        assert sess.run(rest).tolist() == [90]
        coord.request_stop()
        coord.join(threads)


@pytest.mark.timeout(120)
def test_runner_threads_blocked_on_a_full_queue_end_on_stop():
    counter = tf.Variable(0, dtype=tf.int64)
    q = tf.FIFOQueue(5, [tf.int64], shapes=[[]])
    # (use_locking: the two threads' increments exclude each other, so each is distinct)
    increment = tf.assign_add(counter, 1, use_locking=True)
    runner = tf.train.QueueRunner(q, [q.enqueue([increment])] * 2)
    assert len(runner.enqueue_ops) == 2 and runner.queue is q
    tf.train.add_queue_runner(runner)
    dequeue = q.dequeue()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        coord = tf.train.Coordinator()
        threads = tf.train.start_queue_runners(sess, coord)
        assert len(threads) == 3  # two enqueue threads and the one cancelling on stop
        assert tf.train.start_queue_runners(sess, coord) == []  # once per Session
        got = [int(sess.run(dequeue)) for _ in range(20)]
        assert len(set(got)) == 20 and min(got) >= 1  # every increment once
        coord.request_stop()
        coord.join(threads, stop_grace_period_secs=30)  # none is left blocked
        assert not any(t.is_alive() for t in threads) and not runner.exceptions_raised


@pytest.mark.timeout(120)
def test_closing_the_session_cancels_a_blocked_dequeue():
    q = tf.FIFOQueue(2, [tf.float32])
    dequeue = q.dequeue()
    sess = tf.Session()
    errors = []

    def take():
        try:
            sess.run(dequeue)
        except tf.errors.CancelledError as exc:
            errors.append(exc)
    t = threading.Thread(target=take)
    t.start()
    while sess._state.resources.get("queue:fifo_queue") is None:
        t.join(0.01)
    sess.close()
    t.join(60)
    assert not t.is_alive() and "the Session was closed" in str(errors[0])


@pytest.mark.parametrize("backend", BACKENDS)
def test_random_shuffle_queue_keeps_min_after_dequeue_and_is_seeded(backend):
    def order(seed_graph):
        with tf.Graph().as_default() as g:
            g.seed = seed_graph
            q = tf.RandomShuffleQueue(20, 5, tf.int32, shapes=[[]])
            fill, take, size, close = q.enqueue_many([tf.range(12)]), q.dequeue(), \
                q.size(), q.close()
            with tf.Session(backend=backend) as sess:
                sess.run(fill)
                out = [int(sess.run(take)) for _ in range(7)]  # 12 - 7 = 5 stay
                assert sess.run(size) == 5
                sess.run(close)  # closed: the last 5 may go too
                out += [int(v) for v in drain(sess, take)]
            return out
    a = order(1)
    assert sorted(a) == list(range(12)) and a != list(range(12))
    assert order(1) == a and order(2) != a


@pytest.mark.parametrize("backend", BACKENDS)
def test_padding_queue_pads_each_batch_to_its_longest(backend):
    q = tf.PaddingFIFOQueue(6, [tf.int32, tf.string], shapes=[[None], []])
    v = tf.placeholder(tf.int32, [None])
    s = tf.placeholder(tf.string, [])
    fill = q.enqueue([v, s])
    ints, strs = q.dequeue_many(2)
    assert ints.shape.as_list() == [2, None]
    with tf.Session(backend=backend) as sess:
        for row, name in (([1, 2, 3], b"a"), ([4], b"b"), ([5, 6], b"c"), ([7], b"d")):
            sess.run(fill, {v: row, s: name})
        first = sess.run([ints, strs])
        second = sess.run(ints)
    assert first[0].tolist() == [[1, 2, 3], [4, 0, 0]] and first[1].tolist() == [b"a", b"b"]
    assert second.tolist() == [[5, 6], [7, 0]]


def test_names_dict_components_and_build_time_errors():
    q = tf.FIFOQueue(3, [tf.float32, tf.int32], shapes=[[], [2]], names=["w", "ids"])
    fill = q.enqueue({"w": 1.5, "ids": [1, 2]})
    out = q.dequeue()
    assert sorted(out) == ["ids", "w"]
    with tf.Session() as sess:
        sess.run(fill)
        got = sess.run(out)
    assert got["w"] == 1.5 and got["ids"].tolist() == [1, 2]
    with pytest.raises(ValueError, match="must enqueue a dictionary"):
        q.enqueue([1.0, [1, 2]])
    plain = tf.FIFOQueue(3, [tf.float32], shapes=[[2]])
    with pytest.raises(ValueError, match="Shape mismatch in tuple component 0"):
        plain.enqueue(tf.zeros([3]))
    with pytest.raises(TypeError, match="component 0 of FIFOQueue 'fifo_queue_1' is float32"):
        plain.enqueue(tf.zeros([2], tf.int32))
    with pytest.raises(ValueError, match="needs the shapes"):
        tf.PaddingFIFOQueue(3, [tf.int32], shapes=None)
    with pytest.raises(ValueError, match="Must provide queue and enqueue_ops"):
        tf.train.QueueRunner(plain, [])
    assert tf.queue.FIFOQueue is tf.FIFOQueue and tf.io.RandomShuffleQueue is \
        tf.RandomShuffleQueue and tf.train.queue_runner.QueueRunner is tf.train.QueueRunner


@pytest.mark.timeout(120)
def test_monitored_session_runs_a_queue_runner_and_stops_cleanly():
    x = np.arange(24, dtype=np.float32).reshape(12, 2)
    nxt = tf.data.Dataset.from_tensor_slices(x).make_one_shot_iterator().get_next()
    q = tf.RandomShuffleQueue(8, 2, [tf.float32], shapes=[[2]], seed=4)
    tf.train.add_queue_runner(tf.train.QueueRunner(q, [q.enqueue([nxt])]))
    batch = q.dequeue_many(4)
    total = tf.reduce_sum(batch)
    seen = []
    with tf.train.MonitoredSession() as sess:
        while not sess.should_stop():
            seen.append(sess.run(total))
    assert len(seen) == 3 and sum(seen) == x.sum()
