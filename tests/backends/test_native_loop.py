"""The llvm backend runs a whole while loop natively when its step lowers fully
(backends/llvm/native_while.py). These tests check that it does, that its results are the
Python-driven loop's and the numpy interpreter's, and that what makes it stop early
(growing stacks, failing kernels, sequences read past their end, chunks) behaves."""
import os
import threading
import warnings

import numpy as np
import pytest

import graphc as tf
from graphc.backends.llvm import native_while as native_loop

HERE = os.path.basename(__file__)


def _run(build, feeds_of, backend="llvm", native=True, runs=1):
    """Build a graph with `build()` -> (fetches, feeds dict maker); run it; the results
    and how many loops ran natively."""
    old = native_loop.ENABLED
    native_loop.ENABLED = native
    try:
        with tf.Graph().as_default():
            tf.set_random_seed(3)
            fetches, placeholders = build()
            with tf.Session(backend=backend) as sess:
                sess.run(tf.global_variables_initializer())
                before = native_loop.STATS["loops"]
                for _ in range(runs):
                    out = sess.run(fetches, feeds_of(placeholders))
                return out, native_loop.STATS["loops"] - before
    finally:
        native_loop.ENABLED = old


def _same_everywhere(build, feeds_of, expect_native=1, runs=1, rtol=0.0):
    """Native llvm == Python-driven llvm (exactly) == numpy (to rtol); returns the value."""
    got, n_native = _run(build, feeds_of, runs=runs)
    assert n_native == expect_native * runs
    driven, n_driven = _run(build, feeds_of, native=False, runs=runs)
    assert n_driven == 0
    ref, _ = _run(build, feeds_of, backend="numpy", runs=runs)
    for g, d, r in zip(tf.nest.flatten(got), tf.nest.flatten(driven), tf.nest.flatten(ref)):
        np.testing.assert_array_equal(g, d)
        np.testing.assert_allclose(g, r, rtol=rtol or 1e-6, atol=1e-12)
        assert np.shape(g) == np.shape(r)
    return got


def test_data_dependent_trip_count_runs_natively():
    def build():
        x = tf.placeholder(tf.float64, [4])

        def body(i, v):
            return i + 1, v * 1.5 + tf.cast(i, tf.float64)

        i, v = tf.while_loop(lambda i, v: tf.reduce_sum(v) < 1000.0, body,
                             [tf.constant(0), x])
        return [i, v], x

    got = _same_everywhere(build, lambda x: {x: np.array([1.0, 2.0, 3.0, 4.0])})
    v = np.array([1.0, 2.0, 3.0, 4.0])
    i = 0
    while v.sum() < 1000:
        v, i = v * 1.5 + i, i + 1
    assert got[0] == i
    np.testing.assert_allclose(got[1], v)


def test_the_llvm_backend_lowers_while_itself(monkeypatch):
    """The lowering gives While the backend's own kernel (native_while.while_kernel), not
    the registry's numpy kernel: with that one made to fail, loops still run, natively,
    and no FallbackWarning is given."""
    from graphc.backends.llvm import lowering
    from graphc.ir.registry import get_opdef

    assert lowering.TABLE["While"].driver is native_loop.while_kernel

    def numpy_kernel(*args, **kwargs):
        raise AssertionError("the llvm backend ran While's numpy kernel")

    monkeypatch.setattr(get_opdef("While"), "compute", numpy_kernel)

    def build():
        x = tf.placeholder(tf.float64, [3])
        _, v = tf.while_loop(lambda i, v: i < 5, lambda i, v: (i + 1, v * 2.0 + 1.0),
                             [tf.constant(0), x])
        return v, x

    with warnings.catch_warnings():
        warnings.simplefilter("error", lowering.FallbackWarning)
        got, n_native = _run(build, lambda x: {x: np.array([0.0, 1.0, 2.0])})
    assert n_native == 1
    np.testing.assert_array_equal(got, np.array([0.0, 1.0, 2.0]) * 32.0 + 31.0)


def test_zero_iterations_and_loop_variables_passed_through_swapped_or_constant():
    def build():
        a = tf.placeholder(tf.float32, [3])
        b = tf.placeholder(tf.float32, [3])
        n = tf.placeholder(tf.int32, [])

        def body(i, a, b, c, keep):
            return i + 1, b, a + 1.0, tf.constant([7.0, 8.0]), keep

        out = tf.while_loop(lambda i, *_: i < n, body,
                            [tf.constant(0), a, b, tf.constant([0.0, 0.0]),
                             tf.constant(5)])
        return out, (a, b, n)

    for steps, native in ((0, 0), (1, 1), (5, 1)):
        feeds = lambda p, s=steps: {p[0]: [1, 2, 3], p[1]: [10, 20, 30], p[2]: s}  # noqa
        got = _same_everywhere(build, feeds, expect_native=native)
        a, b = np.array([1.0, 2, 3]), np.array([10.0, 20, 30])
        for _ in range(steps):
            a, b = b, a + 1
        np.testing.assert_array_equal(got[1], a)
        np.testing.assert_array_equal(got[2], b)
        assert got[0] == steps and got[4] == 5
        np.testing.assert_array_equal(got[3], [7, 8] if steps else [0, 0])


def test_captured_tensors_variables_and_sliced_sequences():
    def build():
        xs = tf.placeholder(tf.float64, [30, 2, 3])
        w = tf.Variable(np.arange(9.0).reshape(3, 3) / 10, dtype=tf.float64)
        scale = tf.placeholder(tf.float64, [])
        ys = tf.scan(lambda h, x: tf.tanh(tf.matmul(x, w) * scale + h), xs,
                     initializer=tf.zeros([2, 3], tf.float64))
        total = tf.foldl(lambda acc, x: acc + tf.reduce_sum(x), xs,
                         initializer=tf.constant(0.0, tf.float64))
        return [ys, total], (xs, scale)

    xv = np.random.RandomState(0).randn(30, 2, 3)
    got = _same_everywhere(build, lambda p: {p[0]: xv, p[1]: 0.5}, expect_native=2,
                           rtol=1e-12)
    assert got[0].shape == (30, 2, 3)
    np.testing.assert_allclose(got[1], xv.sum())


def test_stacks_grow_past_their_first_capacity_and_gradients_agree():
    """A loop of 300 iterations whose gradient needs per-iteration stacks: the stack
    buffers start at 16 entries and grow while the native loop runs."""
    def build():
        x = tf.placeholder(tf.float64, [300, 4])
        w = tf.Variable(np.eye(4) * 0.9, dtype=tf.float64)
        ys = tf.scan(lambda h, xt: tf.sin(tf.matmul(h[None], w)[0] + xt), x,
                     initializer=tf.zeros([4], tf.float64))
        loss = tf.reduce_sum(ys * ys)
        return [loss] + tf.gradients(loss, [x, w]), x

    xv = np.random.RandomState(1).randn(300, 4) * 0.1
    got = _same_everywhere(build, lambda x: {x: xv}, expect_native=2, runs=2, rtol=1e-10)
    assert got[1].shape == (300, 4) and np.abs(got[1]).max() > 0


def test_dynamic_rnn_training_runs_both_loops_natively():
    def build():
        x = tf.placeholder(tf.float32, [8, 12, 5])
        lengths = tf.placeholder(tf.int32, [8])
        out, state = tf.nn.dynamic_rnn(tf.nn.rnn_cell.BasicLSTMCell(6), x,
                                       sequence_length=lengths, dtype=tf.float32)
        loss = tf.reduce_mean(out) + tf.reduce_mean(state.h)
        train = tf.train.AdamOptimizer(0.01).minimize(loss)
        with tf.control_dependencies([train]):
            loss = tf.identity(loss)
        return [loss, out], (x, lengths)

    rng = np.random.RandomState(2)
    xv = rng.randn(8, 12, 5).astype(np.float32)
    feeds = lambda p: {p[0]: xv, p[1]: [12, 3, 5, 12, 1, 7, 9, 12]}  # noqa: E731
    _same_everywhere(build, feeds, expect_native=2, runs=3, rtol=1e-4)


def test_a_kernel_failing_inside_the_native_loop_raises_with_the_users_line():
    with tf.Graph().as_default():
        params = tf.constant([1.0, 2.0, 3.0, 4.0, 5.0])

        def body(i, acc):
            return i + 1, acc + tf.gather(params, i * 2)  # index 6 on the 4th iteration

        _, acc = tf.while_loop(lambda i, acc: i < 10, body, [tf.constant(0),
                                                               tf.constant(0.0)])
        line = body.__code__.co_firstlineno + 1
        with tf.Session(backend="llvm") as sess:
            before = native_loop.STATS["loops"]
            with pytest.raises(tf.errors.InvalidArgumentError) as err:
                sess.run(acc)
            assert native_loop.STATS["loops"] == before + 1
    message = str(err.value)
    assert "GatherV2" in message and "6" in message and "[0, 5)" in message
    assert f"{HERE}:{line}" in message or f"{HERE}\", line {line}" in message


def test_a_loop_reading_past_the_end_of_a_tensor_raises():
    with tf.Graph().as_default():
        xs = tf.placeholder(tf.float32, [5, 2])
        n = tf.placeholder(tf.int32, [])
        _, out = tf.while_loop(lambda i, a: i < n, lambda i, a: (i + 1, a + xs[i]),
                               [tf.constant(0), tf.zeros([2])])
        with tf.Session(backend="llvm") as sess:
            xv = np.ones((5, 2), np.float32)
            np.testing.assert_array_equal(sess.run(out, {xs: xv, n: 5}), [5, 5])
            with pytest.raises(tf.errors.InvalidArgumentError, match="out of bounds"):
                sess.run(out, {xs: xv, n: 6})


def test_long_loops_return_to_python_between_chunks(monkeypatch):
    monkeypatch.setattr(native_loop, "CHUNK", 7)

    def build():
        n = tf.placeholder(tf.int32, [])
        i, s = tf.while_loop(lambda i, s: i < n, lambda i, s: (i + 1, s + i),
                             [tf.constant(0), tf.constant(0)])
        return [i, s], n

    got = _same_everywhere(build, lambda n: {n: 100})
    assert got[0] == 100 and got[1] == sum(range(100))


def test_shape_changing_loop_variables_stay_on_the_python_driven_path():
    def build():
        i, v = tf.while_loop(lambda i, v: i < 4, lambda i, v: (i + 1, tf.concat([v, v], 0)),
                             [tf.constant(0), tf.constant([1.0])],
                             shape_invariants=[tf.TensorShape([]), tf.TensorShape([None])])
        return [i, v], None

    got = _same_everywhere(build, lambda _: {}, expect_native=0)
    assert got[1].shape == (16,)


@pytest.mark.timeout(120)
def test_threads_running_the_same_native_loop():
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float64, [50, 3])
        ys = tf.scan(lambda h, xt: tf.tanh(h + xt), x, initializer=tf.zeros([3], tf.float64))
        with tf.Session(backend="llvm") as sess:
            inputs = [np.random.RandomState(s).randn(50, 3) for s in range(4)]
            want = [sess.run(ys, {x: v}) for v in inputs]
            errors = []

            def worker(k):
                try:
                    for _ in range(20):
                        np.testing.assert_array_equal(sess.run(ys, {x: inputs[k]}), want[k])
                except BaseException as exc:  # pragma: no cover - reported below
                    errors.append(exc)

            threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert not errors, errors[0]


def test_arrays_the_driver_writes_outlive_the_loop(monkeypatch):
    """The fresh arrays a native loop's table points at (its step's outputs) stay alive
    while the driver runs: freed, they were written after free, and under threads one
    run's loop read another's condition (a scan came back empty)."""
    import weakref

    from graphc.backends.llvm.runtime import LLVMExecutable

    made = []
    binding = [False]  # within LLVMExecutable.run_loop: the arrays its table points at
    empty = np.empty

    def tracked(*args, **kwargs):
        a = empty(*args, **kwargs)
        if binding[0]:
            made.append(weakref.ref(a))
        return a

    exe_run_loop = LLVMExecutable.run_loop

    def binds(*args):
        binding[0] = True
        try:
            return exe_run_loop(*args)
        finally:
            binding[0] = False

    run_loop = native_loop.run_loop
    dead = []

    def checked(exe, spec, ws, loop, run):
        dead.extend(r for r in made if r() is None)
        return run_loop(exe, spec, ws, loop, run)

    with tf.Graph().as_default():
        x = tf.placeholder(tf.float64, [50, 3])
        ys = tf.scan(lambda h, xt: tf.tanh(h + xt), x, initializer=tf.zeros([3], tf.float64))
        with tf.Session(backend="llvm") as sess:
            v = np.random.RandomState(0).randn(50, 3)
            want = sess.run(ys, {x: v})
            monkeypatch.setattr(np, "empty", tracked)
            monkeypatch.setattr(native_loop, "run_loop", checked)
            monkeypatch.setattr(LLVMExecutable, "run_loop", binds)
            before = native_loop.STATS["loops"]
            np.testing.assert_array_equal(sess.run(ys, {x: v}), want)
            assert native_loop.STATS["loops"] == before + 1
    assert made and not dead, f"{len(dead)} of {len(made)} bound arrays freed before the loop"
