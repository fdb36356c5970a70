"""Dataset.map(num_parallel_calls=n): up to n elements mapped at once on a thread pool,
results and errors in input order (TF's deterministic order), the same values as a
sequential map, on both backends."""
import threading

import numpy as np
import pytest

import graphc as tf


def _all(ds, backend=None):
    nxt = ds.make_one_shot_iterator().get_next()
    out = []
    with tf.Session(backend=backend) as sess:
        while True:
            try:
                out.append(sess.run(nxt))
            except tf.errors.OutOfRangeError:
                return out


@pytest.mark.parametrize("backend", ["numpy", "llvm"])
@pytest.mark.parametrize("calls", [1, 3, tf.data.AUTOTUNE])
def test_parallel_map_gives_the_sequential_values_in_order(backend, calls):
    x = np.random.RandomState(0).rand(40, 6).astype(np.float32)

    def f(row, i):
        return tf.tanh(tf.matmul(tf.reshape(row, [1, 6]), tf.ones([6, 3]))) * 2.0, i * 10
    source = tf.data.Dataset.from_tensor_slices((x, np.arange(40, dtype=np.int64)))
    expected = _all(source.map(f).batch(7), backend)
    got = _all(source.map(f, num_parallel_calls=calls).batch(7), backend)
    assert len(got) == len(expected) == 6
    for (a, i), (b, j) in zip(got, expected):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(i, j)


@pytest.mark.timeout(60)
def test_calls_overlap_up_to_num_parallel_calls():
    """Two calls must be in flight at once to pass the barrier (a sequential map would
    break it after its timeout); never more than 2 at once with num_parallel_calls=2."""
    ds = tf.data.Dataset.range(12).map(lambda v: v * 2, num_parallel_calls=2)
    barrier = threading.Barrier(2, timeout=20)
    lock, state = threading.Lock(), {"now": 0, "most": 0, "threads": set()}
    run = ds._node._fn.run  # (the MapDataset node the Dataset wraps)

    def observed(element, env):
        with lock:
            state["now"] += 1
            state["most"] = max(state["most"], state["now"])
            state["threads"].add(threading.get_ident())
        barrier.wait()
        try:
            return run(element, env)
        finally:
            with lock:
                state["now"] -= 1
    ds._node._fn.run = observed
    assert [int(v) for v in _all(ds)] == [2 * i for i in range(12)]
    assert state["most"] == 2 and len(state["threads"]) == 2


def test_an_error_arrives_after_the_elements_before_it():
    x = np.array([4.0, 1.0, 0.0, 9.0], np.float32)
    ds = tf.data.Dataset.from_tensor_slices(x).map(
        lambda v: tf.check_numerics(1.0 / v, "inverse"), num_parallel_calls=3)
    nxt = ds.make_one_shot_iterator().get_next()
    with tf.Session() as sess:
        assert sess.run(nxt) == 0.25 and sess.run(nxt) == 1.0
        with pytest.raises(tf.errors.InvalidArgumentError, match="inverse"):
            sess.run(nxt)


def test_num_parallel_calls_must_be_positive():
    ds = tf.data.Dataset.range(3).map(lambda v: v, num_parallel_calls=0)
    with pytest.raises(tf.errors.InvalidArgumentError, match="greater than zero"):
        _all(ds)
    with pytest.raises(TypeError, match="int64"):
        tf.data.Dataset.range(3).map(lambda v: v, num_parallel_calls=1.5)
