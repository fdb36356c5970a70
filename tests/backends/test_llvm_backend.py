"""The llvm backend as a Session user sees it: same values as numpy, variables updated in
place with the interpreter's read-before-write semantics, checked feeds, fallbacks, the
memory plan, threads, and the code caches."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import warnings

import numpy as np
import pytest

import graphc as tf
from graphc.backends.llvm import cache
from graphc.backends.llvm import lowering
from graphc.backends.llvm.lowering import FallbackWarning

R = np.random.RandomState(0)


def _both(fetches, feed=None, setup=None):
    out = []
    for backend in ("numpy", "llvm"):
        with tf.Session(backend=backend) as sess, warnings.catch_warnings():
            warnings.simplefilter("ignore", FallbackWarning)
            if setup is not None:
                sess.run(setup)
            out.append(sess.run(fetches, feed))
    return out


def _executable(sess):
    return next(reversed(sess._plans.values())).executable


def test_variable_reads_and_writes_in_one_run_match_the_interpreter():
    v = tf.Variable(np.float32([1, 2, 3]))
    x = tf.placeholder(tf.float32, [3])
    read = tf.identity(v)
    upd = tf.assign_add(v, x)
    fetches = [v, read, upd, read * 2.0, tf.reduce_sum(v)]
    a, b = _both(fetches, {x: np.float32([10, 20, 30])}, tf.global_variables_initializer())
    for u, w in zip(a, b):
        np.testing.assert_array_equal(u, w)
    np.testing.assert_array_equal(b[0], [1, 2, 3])
    np.testing.assert_array_equal(b[2], [11, 22, 33])


def test_optimizer_updates_folded_into_their_kernels_match_the_interpreter():
    """AssignSub/AssignAdd whose value an elementwise kernel computes for them alone are
    folded into that kernel (var -= value in one pass, the variable written in place);
    the variables after a few Adam and momentum steps are the interpreter's, bit for bit
    where no transcendental is involved."""
    results = []
    w0 = R.randn(300, 40).astype(np.float32) * 0.1
    for backend in ("numpy", "llvm"):
        g = tf.Graph()
        with g.as_default():
            x = tf.placeholder(tf.float32, [64, 300])
            w = tf.Variable(w0)
            u = tf.Variable(np.zeros([40], np.float32))
            loss = tf.reduce_mean(tf.square(tf.matmul(x, w) + u))
            steps = [tf.train.AdamOptimizer(1e-2).minimize(loss, var_list=[w]),
                     tf.train.MomentumOptimizer(1e-2, 0.9).minimize(loss, var_list=[u]),
                     tf.assign_sub(u, tf.sqrt(tf.abs(u)) * 0.5),
                     tf.assign_add(w, tf.abs(w) * 0.01)]
            with tf.Session(graph=g, backend=backend) as sess:
                sess.run(tf.global_variables_initializer())
                xv = np.random.RandomState(3).randn(64, 300).astype(np.float32)
                for step in steps * 3:
                    sess.run(step, {x: xv})
                results.append(sess.run([w, u]))
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_fetched_results_are_fresh_arrays_and_feeds_are_not_written():
    x = tf.placeholder(tf.float32, [4])
    y = x * 2.0
    with tf.Session(backend="llvm") as sess:
        xv = np.arange(4, dtype=np.float32)
        first = sess.run([y, y, x], {x: xv})
        second = sess.run(y, {x: xv + 1})
        assert not np.shares_memory(first[2], xv) and not np.shares_memory(first[0], second)
        np.testing.assert_array_equal(first[0], [0, 2, 4, 6])
        np.testing.assert_array_equal(second, [2, 4, 6, 8])
        np.testing.assert_array_equal(xv, [0, 1, 2, 3])


def test_non_contiguous_feeds_and_odd_sizes():
    x = tf.placeholder(tf.float32, [None, None])
    y = tf.reduce_sum(x * x, axis=0) + tf.reduce_sum(tf.abs(x))
    base = R.randn(9, 14).astype(np.float32)
    for value in (base[:, ::2], base.T, base[:0, :3], base[:1, :1], base[:7, :13]):
        a, b = _both(y, {x: value})
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)


def test_bad_feeds_raise_the_same_errors_as_numpy():
    x = tf.placeholder(tf.float32, [None, 3], name="images")
    y = x * 2.0
    with tf.Session(backend="llvm") as sess:
        with pytest.raises(ValueError, match="images"):
            sess.run(y, {x: np.zeros((2, 4), np.float32)})
        with pytest.raises(tf.errors.InvalidArgumentError, match="images"):
            sess.run(y)


def test_uninitialized_variable_is_an_error_not_a_crash():
    v = tf.Variable(np.float32([1, 2]), name="weights")
    with tf.Session(backend="llvm") as sess:
        with pytest.raises(tf.errors.FailedPreconditionError, match="weights"):
            sess.run(v * 2.0)
        with pytest.raises(tf.errors.FailedPreconditionError, match="weights"):
            sess.run(tf.assign_add(v, [1.0, 1.0]))
        sess.run(v.initializer)
        np.testing.assert_array_equal(sess.run(v * 2.0), [2, 4])


def test_initializing_in_native_and_fallback_steps_of_one_run_keeps_every_value():
    # a float32 variable initialized by a native Assign, then a float16 one by a numpy
    # fallback step of the same run: re-binding the variables after the fallback must keep
    # the array the native step filled (it was replaced by zeros: silent wrong values)
    a = tf.Variable(np.float32([1, 2, 3]), name="a")
    b = tf.Variable(np.float16([4, 5]), name="b")
    c = tf.Variable(np.float64([6]), name="c")
    with tf.Session(backend="llvm") as sess, warnings.catch_warnings():
        warnings.simplefilter("ignore", FallbackWarning)
        sess.run(tf.global_variables_initializer())
        got = sess.run([a, b, c])
    np.testing.assert_array_equal(got[0], [1, 2, 3])
    np.testing.assert_array_equal(got[1], [4, 5])
    np.testing.assert_array_equal(got[2], [6])


def test_ops_without_lowering_run_through_numpy_with_one_warning():
    x = tf.placeholder(tf.int32, [5])
    table = tf.constant(np.arange(10, dtype=np.int32) * 3)
    y = tf.gather_nd(table, tf.reshape(x, [5, 1])) * 2  # GatherNd has no native kernel
    with tf.Session(backend="llvm") as sess:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            lowering._warned.discard(("GatherNd", "no native lowering"))
            r = sess.run(y, {x: np.arange(5, dtype=np.int32)})
            sess.run(y + 1, {x: np.arange(5, dtype=np.int32)})
        np.testing.assert_array_equal(r, np.arange(5) * 6)
        assert sum("GatherNd" in str(w.message) for w in caught) == 1


def test_a_fully_lowered_plan_is_one_native_call():
    x = tf.placeholder(tf.float32, [None, 8])
    w = tf.Variable(R.randn(8, 4).astype(np.float32))
    y = tf.nn.relu(tf.matmul(x, w) + 1.0)
    loss = tf.reduce_mean(tf.square(y))
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    with tf.Session(backend="llvm") as sess:
        sess.run(w.initializer)
        sess.run(train, {x: R.randn(5, 8).astype(np.float32)})
        exe = _executable(sess)
        kinds = [k for k, _ in exe._schedule]
        assert kinds == ["native"], kinds


def test_transpose_without_perm_reverses_the_dims_natively():
    x = tf.placeholder(tf.float32, [None, 3, 4])
    y = tf.transpose(tf.nn.relu(x)) * 2.0
    xv = R.randn(2, 3, 4).astype(np.float32)
    with tf.Session(backend="llvm") as sess, warnings.catch_warnings():
        warnings.simplefilter("error", FallbackWarning)
        got = sess.run(y, {x: xv})
        assert [k for k, _ in _executable(sess)._schedule] == ["native"]
    np.testing.assert_array_equal(got, np.transpose(np.maximum(xv, 0)) * 2)


@pytest.mark.skipif(os.environ.get("GRAPHC_ARENA_CHECK") == "1",
                    reason="the arena check gives every buffer bytes of its own")
def test_memory_plan_reuses_buffers():
    x = tf.placeholder(tf.float32, [256])
    h = x
    for _ in range(12):
        h = tf.matmul(tf.reshape(h, [16, 16]), tf.reshape(h, [16, 16]))
        h = tf.reshape(h, [256]) * 0.01
    with tf.Session(backend="llvm") as sess:
        sess.run(h, {x: np.ones(256, np.float32)})
        exe = _executable(sess)
        arena = [b for b in exe._lowering.buffer_plan.buffers.values() if b.kind == "arena"]
        total = sum(b.nbytes for b in {id(b): b for b in arena}.values())
        assert exe._arena_size < total / 3, (exe._arena_size, total)


def test_concurrent_runs_share_one_plan_safely():
    x = tf.placeholder(tf.float32, [None, 64])
    y = tf.reduce_sum(tf.matmul(x, tf.transpose(x)), axis=1) * 0.5
    sess = tf.Session(backend="llvm")
    errors = []

    def work(seed):
        rng = np.random.RandomState(seed)
        for _ in range(50):
            v = rng.randn(8, 64).astype(np.float32)
            got = sess.run(y, {x: v})
            if not np.allclose(got, (v @ v.T).sum(1) * 0.5, rtol=1e-4, atol=1e-3):
                errors.append(seed)
    threads = [threading.Thread(target=work, args=(s,)) for s in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    sess.close()


def test_new_process_loads_compiled_code_from_disk_and_rejects_corrupt_entries(tmp_path):
    script = (
        "import numpy as np, graphc as tf\n"
        "from graphc.backends.llvm import cache\n"
        "x = tf.placeholder(tf.float32, [3])\n"
        "y = tf.reduce_sum(x * 3.0 + 1.0)\n"
        "print(tf.Session(backend='llvm').run(y, {x: np.float32([1, 2, 3])}))\n"
        "print(cache.stats['disk_hits'], cache.stats['compiled'], cache.stats['rejected'])\n")
    env = dict(os.environ, GRAPHC_CACHE_DIR=str(tmp_path))

    def run():
        out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                             text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        value, counts = out.stdout.strip().splitlines()
        assert float(value) == 21.0
        return tuple(int(c) for c in counts.split())

    assert run() == (0, 1, 0)
    assert run() == (1, 0, 0)
    (entry,) = [p for p in tmp_path.rglob("*.o")]
    data = bytearray(entry.read_bytes())
    data[-10] ^= 0xFF
    entry.write_bytes(bytes(data))
    assert run() == (0, 1, 1)
    entry.write_bytes(entry.read_bytes()[:40])
    assert run() == (0, 1, 1)
    assert run() == (1, 0, 0)


def test_memory_cache_shares_code_between_sessions():
    x = tf.placeholder(tf.float32, [7])
    y = x * x + 2.0
    before = dict(cache.stats)
    for _ in range(3):
        with tf.Session(backend="llvm") as sess:
            np.testing.assert_array_equal(sess.run(y, {x: np.ones(7, np.float32)}),
                                          np.full(7, 3, np.float32))
    compiled = cache.stats["compiled"] - before["compiled"]
    assert compiled <= 1 and cache.stats["memory_hits"] - before["memory_hits"] >= 2


def test_large_kernels_split_across_cores_and_agree_with_numpy():
    from graphc.backends.llvm.target import host
    n = 1 << 20
    x = tf.placeholder(tf.float32, [n])
    a = tf.placeholder(tf.float32, [])
    y = tf.tanh(x * a + 1.0) * tf.sigmoid(x) + 0.5 * x * x
    s = tf.nn.softmax(tf.reshape(x, [1024, 1024]))
    xv = R.randn(n).astype(np.float32)
    with tf.Session(backend="llvm") as sess:
        got_y, got_s = sess.run([y, s], {x: xv, a: 2.0})
        text = _executable(sess).module_text
    assert ("graphc_parallel_for" in text) == (host().pool.threads > 1)
    with tf.Session(backend="numpy") as sess:
        want_y, want_s = sess.run([y, s], {x: xv, a: 2.0})
    np.testing.assert_allclose(got_y, want_y, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got_s, want_s, rtol=1e-5, atol=1e-9)


def test_row_reductions_propagate_nan_like_numpy():
    x = tf.placeholder(tf.float32, [3, 40])
    xv = R.randn(3, 40).astype(np.float32)
    xv[1, 17] = np.nan
    fetches = [tf.reduce_max(x, axis=1), tf.reduce_min(x, axis=1), tf.nn.softmax(x)]
    a, b = _both(fetches, {x: xv})
    for u, w in zip(a, b):
        np.testing.assert_allclose(u, w, rtol=1e-6, equal_nan=True)
    assert np.isnan(b[0][1]) and np.isnan(b[1][1]) and np.isnan(b[2][1]).all()


@pytest.mark.parametrize("case", ["int_division", "gather", "sparse_labels", "segments"])
def test_bad_data_in_native_code_raises_tf1_errors_naming_the_line(case):
    if case == "int_division":
        x = tf.placeholder(tf.int32, [3])
        y = tf.floordiv(x * 2, x) + 1
        feed, match = {x: np.int32([1, 0, 2])}, "Integer division by zero"
    elif case == "gather":
        x = tf.placeholder(tf.int32, [4])
        y = tf.gather(tf.constant(np.arange(10.0, dtype=np.float32)), x) * 2.0
        feed, match = {x: np.int32([1, 2, 12, 0])}, r"indices\[2\] = 12 is not in \[0, 10\)"
    elif case == "segments":
        x = tf.placeholder(tf.int32, [3])
        y = tf.unsorted_segment_sum(tf.constant(np.ones((3, 2), np.float32)), x, 4) * 2.0
        feed, match = {x: np.int32([0, 7, 1])}, r"segment id 7 is out of range \[0, 4\)"
    else:
        x = tf.placeholder(tf.int64, [2])
        logits = tf.constant(np.zeros((2, 3), np.float32))
        y = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=x, logits=logits)
        feed, match = {x: np.int64([0, 5])}, "label value of 5"
    with tf.Session(backend="llvm") as sess:
        with pytest.raises(tf.errors.InvalidArgumentError, match=match) as info:
            sess.run(y, feed)
        assert "test_llvm_backend.py" in str(info.value)
        kinds = [k for k, _ in _executable(sess)._schedule]
        assert kinds == ["native"]  # the check ran in native code, not a fallback


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32, np.int64])
@pytest.mark.parametrize("kind", ["min", "max", "prod"])
def test_unsorted_segment_min_max_prod_run_natively_as_the_interpreter(kind, dtype):
    # negative ids are skipped, empty rows hold the kind's identity (the dtype's highest
    # or lowest value, 1), NaN propagates; an id past the rows is TF1's error
    fn = getattr(tf.math, "unsorted_segment_" + kind)
    data = (R.randn(7, 3) * 3).astype(dtype)
    if dtype == np.float32:
        data[2, 1] = data[3, 0] = np.nan
    ids = np.int32([0, 2, -1, 2, 4, 0, 2])
    x = tf.placeholder(dtype, [None, 3])
    i = tf.placeholder(tf.int32, [None])
    y = fn(x, i, 6)
    with warnings.catch_warnings():
        warnings.simplefilter("error", FallbackWarning)
        with tf.Session(backend="llvm") as sess:
            got = sess.run(y, {x: data, i: ids})
            with pytest.raises(tf.errors.InvalidArgumentError, match=r"= 6 is out of range"):
                sess.run(y, {x: data, i: np.int32([0, 6, 1, 1, 1, 1, 1])})
    with tf.Session(backend="numpy") as sess:
        want = sess.run(y, {x: data, i: ids})
    np.testing.assert_array_equal(got, want)


@pytest.mark.timeout(120)
def test_native_calls_release_the_gil():
    import time
    n = 2048
    a = tf.placeholder(tf.float32, [n, n])
    c = tf.reduce_sum(tf.matmul(a, a))
    av = np.ones((n, n), np.float32)
    sess = tf.Session(backend="llvm")
    run = sess.make_callable(c, [a])
    run(av)
    t0 = time.perf_counter()
    run(av)
    one_call = time.perf_counter() - t0

    def longest_stall():
        done = threading.Event()
        worker = threading.Thread(target=lambda: (run(av), done.set()))
        gaps, last = [], time.perf_counter()
        worker.start()
        while not done.is_set():
            now = time.perf_counter()
            gaps.append(now - last)
            last = now
        worker.join()
        return max(gaps)

    # With the GIL held for the whole call, this loop would stall for about `one_call` in
    # every attempt; with it released, only a busy machine's scheduler stalls it, and not
    # in three attempts running (a behaviour check, not a timing: no bound on one_call)
    if one_call > 0.03:
        stalls = []
        for _ in range(3):
            stalls.append(longest_stall())
            if stalls[-1] < one_call * 0.6:
                break
        assert min(stalls) < one_call * 0.6, (stalls, one_call)
    sess.close()
