"""TF1 iterators: one-shot, initializable (fed placeholders), reinitializable, feedable;
their ends, re-initialisation, per-session state, and a training loop fed only by one."""
import threading
import warnings

import numpy as np
import pytest

import graphc as tf

BACKENDS = ["numpy", "llvm"]


def drain(sess, nxt, feed=None):
    out = []
    while True:
        try:
            out.append(sess.run(nxt, feed))
        except tf.errors.OutOfRangeError:
            return out


@pytest.mark.parametrize("backend", BACKENDS)
def test_initializable_iterator_with_placeholders_and_reinit(backend):
    data = tf.placeholder(tf.float32, [None, 2])
    n = tf.placeholder(tf.int64, [])
    ds = tf.data.Dataset.from_tensor_slices(data).batch(n)
    it = ds.make_initializable_iterator()
    nxt = it.get_next()
    assert nxt.shape.as_list() == [None, 2]
    with tf.Session(backend=backend) as sess:
        with pytest.raises(tf.errors.FailedPreconditionError, match="not been initialized"):
            sess.run(nxt)
        x = np.arange(10, dtype=np.float32).reshape(5, 2)
        sess.run(it.initializer, {data: x, n: 2})
        got = drain(sess, nxt)
        assert [b.shape[0] for b in got] == [2, 2, 1]
        np.testing.assert_array_equal(np.concatenate(got), x)
        with pytest.raises(tf.errors.OutOfRangeError, match="Iterator"):
            sess.run(nxt)  # stays at the end
        sess.run(it.initializer, {data: x[:3] * 2, n: 3})
        got = drain(sess, nxt)
        assert len(got) == 1
        np.testing.assert_array_equal(got[0], x[:3] * 2)


def test_out_of_range_names_the_iterator_and_line():
    it = tf.data.Dataset.range(1).make_initializable_iterator(shared_name="my_input")
    nxt = it.get_next()
    with tf.Session() as sess:
        sess.run(it.initializer)
        assert sess.run(nxt) == 0
        with pytest.raises(tf.errors.OutOfRangeError) as info:
            sess.run(nxt)
    assert "my_input" in str(info.value) and "test_iterators.py" in str(info.value)


def test_one_shot_iterator_refuses_placeholders():
    p = tf.placeholder(tf.float32, [None])
    with pytest.raises(ValueError, match="placeholder"):
        tf.data.Dataset.from_tensor_slices(p).make_one_shot_iterator()
    with pytest.raises(ValueError, match="does not have an initializer"):
        _ = tf.data.Dataset.range(2).make_one_shot_iterator().initializer


@pytest.mark.parametrize("backend", BACKENDS)
def test_reinitializable_iterator_switches_train_and_validation(backend):
    train = tf.data.Dataset.range(100).map(lambda x: tf.cast(x, tf.float32)).batch(4)
    valid = tf.data.Dataset.range(3).map(lambda x: -tf.cast(x, tf.float32)).batch(4)
    it = tf.data.Iterator.from_structure(train.output_types, train.output_shapes)
    nxt = it.get_next()
    train_init, valid_init = it.make_initializer(train), it.make_initializer(valid)
    with tf.Session(backend=backend) as sess:
        sess.run(train_init)
        assert sess.run(nxt).tolist() == [0, 1, 2, 3]
        sess.run(valid_init)
        assert [b.tolist() for b in drain(sess, nxt)] == [[0, -1, -2]]
        sess.run(train_init)
        assert sess.run(nxt).tolist() == [0, 1, 2, 3]  # starts over
    with pytest.raises(TypeError, match="types"):
        it.make_initializer(tf.data.Dataset.range(3).batch(2))
    with pytest.raises(TypeError, match="shapes"):
        it.make_initializer(tf.data.Dataset.from_tensors(np.zeros((2, 2), np.float32)))


@pytest.mark.parametrize("backend", BACKENDS)
def test_feedable_iterator_from_string_handle(backend):
    a = tf.data.Dataset.range(0, 100).repeat()
    b = tf.data.Dataset.range(1000, 1003)
    handle = tf.placeholder(tf.string, [])
    it = tf.data.Iterator.from_string_handle(handle, a.output_types, a.output_shapes)
    nxt = it.get_next() * 2
    ia, ib = a.make_one_shot_iterator(), b.make_initializable_iterator()
    with tf.Session(backend=backend) as sess:
        ha, hb = sess.run([ia.string_handle(), ib.string_handle()])
        sess.run(ib.initializer)
        assert [sess.run(nxt, {handle: ha}) for _ in range(3)] == [0, 2, 4]
        assert sess.run(nxt, {handle: hb}) == 2000
        assert sess.run(nxt, {handle: ha}) == 6  # each iterator keeps its position
        assert drain(sess, nxt, {handle: hb}) == [2002, 2004]


@pytest.mark.parametrize("backend", BACKENDS)
def test_get_next_as_a_kernel_runs_without_fallback_warnings(backend):
    # A handle computed in the run: the get_next runs as an op of the plan (on llvm
    # through the numpy-kernel fallback, by design and without a FallbackWarning).
    ds = tf.data.Dataset.from_tensor_slices(np.arange(6, dtype=np.float32).reshape(3, 2))
    it = ds.make_initializable_iterator()
    computed = tf.data.Iterator.from_string_handle(tf.identity(it.string_handle()),
                                                   ds.output_types, ds.output_shapes)
    y = tf.reduce_sum(computed.get_next() * 3.0)
    with tf.Session(backend=backend) as sess, warnings.catch_warnings():
        warnings.simplefilter("error")
        sess.run(it.initializer)
        assert drain(sess, y) == [3.0, 15.0, 27.0]
        assert sess._sources(sess._run_entry(y, None)[0], []) == ()


def test_get_next_inside_a_while_loop_body():
    it = tf.data.Dataset.range(10).make_initializable_iterator()

    def body(i, acc):
        return i + 1, acc + it.get_next()

    _, total = tf.while_loop(lambda i, acc: i < 4, body, [0, tf.constant(0, tf.int64)])
    with tf.Session() as sess:
        sess.run(it.initializer)
        assert sess.run(total) == 0 + 1 + 2 + 3
        assert sess.run(total) == 4 + 5 + 6 + 7
        with pytest.raises(tf.errors.OutOfRangeError):
            sess.run(total)


def test_iterator_state_is_per_session():
    nxt = tf.data.Dataset.range(5).make_one_shot_iterator().get_next()
    with tf.Session() as s1, tf.Session() as s2:
        assert [s1.run(nxt), s1.run(nxt)] == [0, 1]
        assert s2.run(nxt) == 0
        assert s1.run(nxt) == 2


def test_every_run_takes_one_element_even_for_several_fetches():
    x, y = tf.data.Dataset.from_tensor_slices((np.arange(4), np.arange(4) * 10)) \
        .make_one_shot_iterator().get_next()
    with tf.Session() as sess:
        assert sess.run([x, y, x + y]) == [0, 0, 0]
        assert sess.run(y) == 10
        f = sess.make_callable([x, y])
        assert [int(v) for v in f()] == [2, 20]


@pytest.mark.timeout(60)
def _threads() -> int:
    """Live threads but graphc's compiler threads (ir/compiler_thread.py: started by the
    first compile of the process, kept for the next)."""
    return sum(t.name != "graphc-compiler" for t in threading.enumerate())


def test_prefetch_thread_stops_on_close_and_reinit():
    before = _threads()
    ds = tf.data.Dataset.range(10**9).prefetch(3)
    it = ds.make_initializable_iterator()
    nxt = it.get_next()
    sess = tf.Session()
    for _ in range(3):
        sess.run(it.initializer)
        assert sess.run(nxt) == 0
    sess.close()
    for t in threading.enumerate():
        if t.name == "graphc-prefetch":
            t.join(timeout=5)
    assert _threads() <= before


@pytest.mark.parametrize("backend", BACKENDS)
def test_training_loop_fed_only_by_an_iterator(backend):
    rng = np.random.RandomState(0)
    X = rng.randn(64, 3).astype(np.float32)
    w_true = np.array([[1.0], [-2.0], [0.5]], np.float32)
    Y = X @ w_true
    ds = tf.data.Dataset.from_tensor_slices((X, Y)).shuffle(64, seed=1).repeat(30) \
        .batch(16).prefetch(2)
    x, y = ds.make_one_shot_iterator().get_next()
    w = tf.Variable(tf.zeros([3, 1]))
    loss = tf.reduce_mean(tf.square(tf.matmul(x, w) - y))
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    with tf.Session(backend=backend) as sess:
        sess.run(tf.global_variables_initializer())
        steps = 0
        while True:
            try:
                sess.run(train)
                steps += 1
            except tf.errors.OutOfRangeError:
                break
        np.testing.assert_allclose(sess.run(w), w_true, atol=1e-3)
    assert steps == 30 * 64 // 16
