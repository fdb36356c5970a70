"""The llvm backend's process-wide thread pool (backends/llvm/threadpool.py): the same
results on 1 and 2 threads, the thread-count knobs (GRAPHC_THREADS, ConfigProto's
intra_op_parallelism_threads), forked children, several Python threads at once, and a
run beside processes whose BLAS threads keep the cores busy.

The pool is made once per process, so tests of its size run in fresh interpreters; each
has a timeout (a deadlock fails the test instead of hanging the suite), none times
anything."""
from __future__ import annotations

import ctypes
import json
import os
import subprocess
import sys
import textwrap
import threading
import time

import numpy as np
import pytest

import graphc as tf
from graphc.backends.llvm.target import host

pytestmark = pytest.mark.skipif(tf.Session().backend != "llvm",
                                reason="the thread pool belongs to the llvm backend")

# An MLP training step large enough that its matmuls and elementwise kernels split, and a
# fused elementwise chain and a row softmax of 256K elements.
PROGRAM = """
import json, os, sys
import numpy as np
import graphc as tf
from graphc.backends.llvm.target import host

def build(batch=256):
    rng = np.random.RandomState(0)
    x = tf.placeholder(tf.float32, [None, 784])
    y = tf.placeholder(tf.float32, [None, 10])
    h = x
    for i, (a, b) in enumerate(((784, 256), (256, 128), (128, 10))):
        w = tf.Variable((rng.randn(a, b) * np.sqrt(2 / a)).astype(np.float32))
        h = tf.matmul(h, w) + tf.Variable(np.zeros(b, np.float32))
        if i < 2:
            h = tf.nn.relu(h)
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=h))
    train = tf.train.AdamOptimizer(1e-3).minimize(loss)
    z = tf.placeholder(tf.float32, [512, 512])
    chain = tf.tanh(z * 2.0 + 1.0) * tf.sigmoid(z) + 0.5 * z * z
    feed = {x: rng.rand(batch, 784).astype(np.float32),
            y: np.eye(10, dtype=np.float32)[rng.randint(0, 10, batch)],
            z: rng.randn(512, 512).astype(np.float32)}
    return loss, train, [chain, tf.nn.softmax(z)], feed

def steps(sess, loss, train, extra, feed, n=3):
    sess.run(tf.global_variables_initializer())
    losses = [float(sess.run([loss, train], feed)[0]) for _ in range(n)]
    return losses, [v.tolist() for v in sess.run(extra, feed)] + \\
        [v.tolist() for v in sess.run(tf.trainable_variables())]
"""


def _run(script: str, env=None, timeout: float = 240) -> dict:
    full = dict(os.environ)
    full.pop("GRAPHC_THREADS", None)
    full.update(env or {})
    out = subprocess.run([sys.executable, "-c", PROGRAM + textwrap.dedent(script)],
                         env=full, capture_output=True, text=True, timeout=timeout)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_results_are_the_same_on_one_thread_and_on_two():
    script = """
        loss, train, extra, feed = build()
        sess = tf.Session()
        losses, values = steps(sess, loss, train, extra, feed)
        print(json.dumps({"threads": host().pool.threads, "started": host().pool.started,
                          "losses": losses, "values": values}))
    """
    one = _run(script, {"GRAPHC_THREADS": "1"})
    two = _run(script, {"GRAPHC_THREADS": "2"})
    assert one["threads"] == 1 and one["started"] == 0
    if (os.cpu_count() or 1) >= 2:
        assert two["threads"] == 2 and two["started"] == 1
    np.testing.assert_allclose(one["losses"], two["losses"], rtol=1e-6)
    for a, b in zip(one["values"], two["values"]):
        # (Adam divides by sqrt(v): matmuls summed in other bands move weights by ~1e-6)
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-4, atol=1e-5)


def test_config_proto_sets_the_pool_size_once_as_tf1():
    script = """
        first = tf.Session(config=tf.ConfigProto(intra_op_parallelism_threads=1,
                                                 inter_op_parallelism_threads=2))
        later = tf.Session(config=tf.ConfigProto(intra_op_parallelism_threads=2))
        loss, train, extra, feed = build()
        losses, _ = steps(later, loss, train, extra, feed, n=1)
        print(json.dumps({"threads": host().pool.threads, "started": host().pool.started}))
    """
    got = _run(script, {"GRAPHC_THREADS": "2"})  # the session's setting wins over the env
    assert got == {"threads": 1, "started": 0}
    automatic = _run("""
        sess = tf.Session(config=tf.ConfigProto(intra_op_parallelism_threads=0))
        print(json.dumps({"threads": host().pool.threads, "cores": len(os.sched_getaffinity(0))}))
    """)
    assert automatic["threads"] == automatic["cores"]


def test_tf_config_threading_sets_the_same_pool_as_tf():
    """tf.config.threading's intra-op count is the pool's size: it decides over
    GRAPHC_THREADS and a later Session's ConfigProto, reads back what was asked (0 =
    automatic), and once the workers run only the same count is accepted (TF's
    RuntimeError otherwise); the inter-op count is kept and read back."""
    got = _run("""
        threading_ = tf.config.threading
        seen = {"env": threading_.get_intra_op_parallelism_threads()}
        threading_.set_intra_op_parallelism_threads(1)
        threading_.set_inter_op_parallelism_threads(3)
        sess = tf.Session(config=tf.ConfigProto(intra_op_parallelism_threads=2))
        seen["one"] = [threading_.get_intra_op_parallelism_threads(), host().pool.threads,
                       threading_.get_inter_op_parallelism_threads()]
        threading_.set_intra_op_parallelism_threads(2)  # (the workers have not started)
        loss, train, extra, feed = build()
        steps(sess, loss, train, extra, feed, n=1)
        seen["two"] = [threading_.get_intra_op_parallelism_threads(), host().pool.threads,
                       host().pool.started]
        threading_.set_intra_op_parallelism_threads(2)  # the same count: accepted
        try:
            threading_.set_intra_op_parallelism_threads(1)
            seen["error"] = None
        except RuntimeError as exc:
            seen["error"] = str(exc)
        try:
            threading_.set_intra_op_parallelism_threads("two")
        except TypeError as exc:
            seen["type"] = str(exc)
        print(json.dumps(seen))
    """, {"GRAPHC_THREADS": "2"})
    assert got["env"] == 2
    assert got["one"] == [1, 1, 3]
    if (os.cpu_count() or 1) >= 2:
        assert got["two"] == [2, 2, 1]
        assert got["error"] == "Intra op parallelism cannot be modified after initialization."
    assert "set_intra_op_parallelism_threads: num_threads must be an integer" in got["type"]
    automatic = _run("""
        print(json.dumps([tf.config.threading.get_intra_op_parallelism_threads(),
                          tf.config.threading.get_inter_op_parallelism_threads()]))
    """)
    assert automatic == [0, 0]


def test_graphc_threads_must_be_a_count():
    out = subprocess.run([sys.executable, "-c", "import graphc as tf; tf.Session()"],
                         env=dict(os.environ, GRAPHC_THREADS="many"), capture_output=True,
                         text=True, timeout=120)
    assert out.returncode != 0 and "GRAPHC_THREADS must be a whole number" in out.stderr


def test_forked_children_get_a_pool_of_their_own():
    """Fork while another Python thread is inside a split kernel (the child's copy of the
    pool's state says busy), in a child that never ran the session, and through
    multiprocessing: no child deadlocks, every one computes the right values."""
    got = _run("""
        import multiprocessing, threading
        loss, train, extra, feed = build()
        sess = tf.Session()
        want = sess.run(extra, feed)

        def child_sum(_):
            return float(sess.run(extra, feed)[0].sum())

        stop = threading.Event()

        def busy():
            while not stop.is_set():
                sess.run(extra, feed)
        t = threading.Thread(target=busy)
        t.start()
        codes = []
        for _ in range(3):
            pid = os.fork()
            if pid == 0:
                got = sess.run(extra, feed)
                ok = all(np.array_equal(a, b) for a, b in zip(got, want))
                ok = ok and host().pool.started == host().pool.threads - 1
                os._exit(0 if ok else 1)
            codes.append(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
        stop.set()
        t.join()
        with multiprocessing.get_context("fork").Pool(2) as workers:
            sums = workers.map(child_sum, range(2))
        print(json.dumps({"codes": codes, "sums": sums, "want": float(want[0].sum())}))
    """)
    assert got["codes"] == [0, 0, 0]
    assert got["sums"] == [got["want"]] * 2


# A plan whose matmuls call the BLAS on every host (graphc's own GEMM is float32 only),
# and the process's threads: {tid: (state, CPU ticks)}.
BLAS_PROGRAM = """
import threading, time

def blas_plan(batch=256, n=384):
    rng = np.random.RandomState(2)
    x = tf.placeholder(tf.float64, [None, n])
    w = tf.Variable(rng.randn(n, n) / np.sqrt(n))
    y = tf.matmul(tf.nn.relu(tf.matmul(x, w)), w, transpose_b=True)
    loss = tf.reduce_mean(y * y)
    train = tf.train.GradientDescentOptimizer(0.01).minimize(loss)
    return loss, train, {x: rng.rand(batch, n)}

def threads():
    out = {}
    for tid in os.listdir("/proc/self/task"):
        with open(f"/proc/self/task/{tid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        out[int(tid)] = (fields[0], int(fields[11]) + int(fields[12]))
    return out

def all_asleep_but_me(bound=60.0):
    # every other thread off the CPU (state S/D): a spinning one stays R. Polled, up to a
    # bound for a loaded machine, where a spinner may wait long for a core to spin on.
    me, end = threading.get_native_id(), time.monotonic() + bound
    while time.monotonic() < end:
        if all(state not in "R" for tid, (state, _) in threads().items() if tid != me):
            return True
        time.sleep(0.01)
    return False
"""


def test_a_run_beside_busy_blas_processes_finishes():
    """Three processes keep OpenBLAS's threads multiplying while 40 training steps run,
    those of the float32 MLP (graphc's own GEMM where the host has it) and of a float64
    one whose matmuls call the BLAS; the timeout is the bound (an oversubscribed,
    spinning pool took minutes)."""
    load = ("import numpy as np\na = np.random.rand(300, 300)\n"
            "while True:\n    a = np.dot(a, a); a /= abs(a).max() + 1.0\n")
    procs = [subprocess.Popen([sys.executable, "-c", load]) for _ in range(3)]
    try:
        got = _run(BLAS_PROGRAM + textwrap.dedent("""
            loss, train, extra, feed = build(batch=64)
            losses, _ = steps(tf.Session(), loss, train, extra, feed, n=40)
            loss, train, feed = blas_plan(batch=64)
            sess = tf.Session()
            sess.run(tf.global_variables_initializer())
            blas = [float(sess.run([loss, train], feed)[0]) for _ in range(40)]
            print(json.dumps({"losses": losses, "blas": blas}))
        """), timeout=300)
    finally:
        for p in procs:
            p.kill()
            p.wait()
    for losses in (got["losses"], got["blas"]):
        assert np.all(np.isfinite(losses)) and losses[-1] < losses[0], losses


def test_blas_calls_run_on_the_pools_threads_and_openblas_workers_stay_asleep():
    """OpenBLAS (numpy's, with a worker thread of its own: OPENBLAS_NUM_THREADS=2) runs
    at one thread while graphc's kernels call it (target.BlasThreads), so graphc's pool
    is the one pool at work: the threads the process had before graphc's session
    (OpenBLAS's workers) get no CPU during graphc's runs (they would take half of each
    dgemm and spin after it), the session adds no thread but the pool's workers (and
    its compiler thread: ir/compiler_thread.py), and
    once the runs end every thread but the caller sleeps (the pool's spin is bounded).
    OpenBLAS has its two threads back after the runs, for numpy's own matmuls."""
    if not host().blas_threads.available or len(os.sched_getaffinity(0)) < 2:
        pytest.skip("needs a BLAS with thread control and two cores")
    got = _run(BLAS_PROGRAM + textwrap.dedent("""
        me = threading.get_native_id()
        others = [t for t in threads() if t != me]  # numpy's import started OpenBLAS's
        loss, train, feed = blas_plan()
        sess = tf.Session()
        sess.run(tf.global_variables_initializer())
        sess.run([loss, train], feed)  # (compiled: the runs below only run)
        lowering = next(reversed(sess._plans.values())).executable._lowering
        seen = {"blas_single": lowering.blas_single, "asleep_before": all_asleep_but_me()}
        before = threads()
        losses = [float(sess.run([loss, train], feed)[0]) for _ in range(40)]
        after = threads()
        seen["other_ticks"] = [after[t][1] - before[t][1] for t in others if t in after]
        seen["new_threads"] = len(set(after) - set(others) - {me})
        from graphc.ir import compiler_thread
        seen["pool_workers"] = host().pool.started + compiler_thread.started
        seen["asleep_after"] = all_asleep_but_me()
        seen["openblas_threads"] = host().blas_threads._get()
        seen["finite"] = bool(np.all(np.isfinite(losses)))
        print(json.dumps(seen))
    """), {"OPENBLAS_NUM_THREADS": "2"})
    assert got["blas_single"] and got["asleep_before"] and got["finite"], got
    assert got["other_ticks"] and all(t == 0 for t in got["other_ticks"]), got
    assert got["new_threads"] <= got["pool_workers"], got
    assert got["asleep_after"], "a thread kept running after the runs ended"
    assert got["openblas_threads"] == 2


def test_python_threads_share_the_pool_and_agree_with_numpy():
    """Four Python threads run split kernels at once: one holds the pool, the others run
    theirs inline; every result is right."""
    z = tf.placeholder(tf.float32, [512, 512])
    y = tf.tanh(z * 2.0 + 1.0) * tf.sigmoid(z) + 0.5 * z * z
    s = tf.nn.softmax(z)
    rng = np.random.RandomState(1)
    values = [rng.randn(512, 512).astype(np.float32) for _ in range(4)]
    with tf.Session(backend="numpy") as ref:
        want = [ref.run([y, s], {z: v}) for v in values]
    sess = tf.Session(backend="llvm")
    errors = []

    def work(i):
        try:
            for _ in range(30):
                got = sess.run([y, s], {z: values[i]})
                for a, b in zip(got, want[i]):
                    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=240)
    assert not any(t.is_alive() for t in threads) and not errors, errors


# ---------------------------------------------------------------- the dispatch itself
# The pool's graphc_parallel_for called directly with a Python kernel (ctypes releases the
# GIL around the call; a worker's chunk takes it): each test sees which thread ran which
# chunk, and plays a late worker by holding the workers back (ThreadPool.hold) or by a
# chunk that sleeps on a worker.
KERNEL = ctypes.CFUNCTYPE(ctypes.c_int32, ctypes.c_void_p, ctypes.c_int64, ctypes.c_int64)
DISPATCH = ctypes.CFUNCTYPE(None, KERNEL, ctypes.c_void_p, ctypes.c_int64, ctypes.c_int64,
                            ctypes.c_int64)
BIG = 1 << 24  # work units far above the pool's threshold


@pytest.fixture
def two_threads():
    if host().pool.threads < 2:
        pytest.skip("the pool has one thread: no worker to be late")


def _dispatch(extent: int, work: int, chunks: int = 0, chunk=None, timeout: float = 60):
    """Dispatch on a fresh Python thread (the caller); [(lo, hi, ran on the caller)] in
    the order the chunks began. `chunk(lo, hi, on_caller)` runs inside each chunk. A
    dispatch that does not return within `timeout` fails the test (a deadlock)."""
    ran, lock, caller = [], threading.Lock(), []

    def kernel(args, lo, hi):
        mine = threading.get_native_id() == caller[0]
        with lock:
            ran.append((lo, hi, mine))
        if chunk is not None:
            chunk(lo, hi, mine)
        return 0
    fn = KERNEL(kernel)
    dispatch = DISPATCH(host().pool.dispatch_address)

    def call():
        caller.append(threading.get_native_id())
        dispatch(fn, None, extent, work, chunks)
    t = threading.Thread(target=call, daemon=True)
    t.start()
    t.join(timeout)
    assert not t.is_alive(), "the dispatch did not return"
    return ran


def _assert_covers(ran, extent: int, chunks: int = 0) -> None:
    """Every index of [0, extent) in exactly one chunk; a fixed split runs each of its
    `chunks` chunk indices once (empty ones too)."""
    seen = np.zeros(extent, np.int64)
    for lo, hi, _ in ran:
        seen[lo:max(lo, hi)] += 1
    assert seen.tolist() == [1] * extent, ran
    if chunks:
        size = -(-extent // chunks)
        assert sorted(lo for lo, _, _ in ran) == [i * size for i in range(chunks)]


@pytest.fixture
def pool():
    p = host().pool
    p.forget()
    yield p
    p.hold(False)
    p.forget()


CASES = [(1, 0), (2, 0), (7, 0), (100, 0), (1000, 0), (100, 2), (3, 5), (64, 3), (1, 4)]


@pytest.mark.parametrize("workers", ["free", "held", "released mid-call"])
def test_chunks_cover_every_index_exactly_once(pool, workers):
    rng = np.random.RandomState(21)
    cases = CASES + [(int(rng.randint(1, 500)), int(rng.choice([0, 0, 2, 3, 7])))
                     for _ in range(12)]
    for extent, chunks in cases:
        pool.hold(workers != "free")
        release = (lambda lo, hi, mine: pool.hold(False)) \
            if workers == "released mid-call" else None
        ran = _dispatch(extent, BIG, chunks, release)
        _assert_covers(ran, extent, chunks)
        if workers == "held":
            assert all(mine for _, _, mine in ran)


def test_a_worker_that_never_starts_does_not_delay_the_join(pool, two_threads):
    """Workers held back (as if descheduled before claiming): the caller runs every chunk
    itself and returns; let go, a worker takes chunks again."""
    pool.hold(True)
    before = pool.stats()
    ran = _dispatch(64, BIG)
    _assert_covers(ran, 64)
    assert len(ran) > 1 and all(mine for _, _, mine in ran)
    assert pool.stats()["splits"] == before["splits"] + 1
    pool.hold(False)
    worker_in = threading.Event()

    def chunk(lo, hi, mine):  # the caller's chunks wait for a worker to claim one
        if mine:
            worker_in.wait(30)
        else:
            worker_in.set()
    ran = _dispatch(64, BIG, chunk=chunk)
    _assert_covers(ran, 64)
    assert worker_in.is_set() and not all(mine for _, _, mine in ran)


def test_the_caller_claims_chunks_from_the_front_and_workers_from_the_back(pool, two_threads):
    """So a thread keeps about the same chunks from one run of a kernel to the next (the
    same band of a variable and its optimizer slots stays in its core's cache): the
    caller's chunks are the first ones, in order, the workers' the last ones, last first.
    Each chunk waits until the other side has claimed one, so both sides take part."""
    both = {True: threading.Event(), False: threading.Event()}

    def chunk(lo, hi, mine):
        both[mine].set()
        both[not mine].wait(30)
    ran = _dispatch(64, BIG, chunk=chunk)
    _assert_covers(ran, 64)
    caller = [lo for lo, _, mine in ran if mine]
    workers = [lo for lo, _, mine in ran if not mine]
    assert caller and workers, ran
    assert caller == sorted(caller) and max(caller) < min(workers), ran
    if host().pool.threads == 2:  # (one worker: its chunks from the end, in turn)
        assert workers == sorted(workers, reverse=True), ran


def test_a_late_worker_is_waited_for_and_its_size_class_backs_off(pool, two_threads):
    """A worker that sleeps inside its chunk (as if descheduled holding it): the join
    waits for it, the split lost time, so that size class runs inline for a while;
    another size class still splits; forgetting splits it again."""
    worker_in, finished = threading.Event(), []

    def chunk(lo, hi, mine):
        if mine:
            worker_in.wait(30)
        else:
            worker_in.set()
            time.sleep(0.2)
            finished.append(lo)
    pool.forget(backoff=2.0)  # the longest back-off, 400x the first: outlasts a loaded machine's pauses
    before = pool.stats()
    ran = _dispatch(64, BIG, chunk=chunk)
    _assert_covers(ran, 64)
    assert len(finished) == sum(not mine for _, _, mine in ran) >= 1  # joined after them
    after = pool.stats()
    assert after["backoffs"] == before["backoffs"] + 1
    ran = _dispatch(64, BIG)
    _assert_covers(ran, 64)
    assert all(mine for _, _, mine in ran)
    assert [lo for lo, _, _ in ran] == sorted(lo for lo, _, _ in ran)  # inline, in order
    assert pool.stats()["skipped"] == after["skipped"] + 1
    assert pool.stats()["splits"] == after["splits"]
    _assert_covers(_dispatch(64, BIG * 4), 64)  # another size class
    assert pool.stats()["splits"] == after["splits"] + 1
    pool.forget()
    _assert_covers(_dispatch(64, BIG), 64)
    assert pool.stats()["splits"] == after["splits"] + 2
    pool.adaptive = False  # (benchmarks' graphc-static: no back-off)
    try:
        worker_in.clear()
        _assert_covers(_dispatch(64, BIG, chunk=chunk), 64)
        _assert_covers(_dispatch(64, BIG), 64)
        assert pool.stats()["splits"] == after["splits"] + 4
    finally:
        pool.adaptive = True


def test_a_threshold_below_two_work_units_still_splits():
    """min_work 0 and 1 (the chunk size divides by min_work / 2): no division by zero."""
    got = _run("""
        import ctypes
        from graphc.backends.llvm.target import host
        KERNEL = ctypes.CFUNCTYPE(ctypes.c_int32, ctypes.c_void_p, ctypes.c_int64,
                                  ctypes.c_int64)
        pool = host().pool
        dispatch = ctypes.CFUNCTYPE(None, KERNEL, ctypes.c_void_p, ctypes.c_int64,
                                    ctypes.c_int64, ctypes.c_int64)(pool.dispatch_address)
        covered = []
        kernel = KERNEL(lambda args, lo, hi: covered.extend(range(lo, hi)) or 0)
        for min_work in (0, 1):
            pool.min_work = min_work
            for work in (0, 1, 5):
                dispatch(kernel, None, 9, work, 0)
        print(json.dumps(sorted(covered)))
    """)
    assert got == sorted(list(range(9)) * 6)


def test_results_do_not_depend_on_which_thread_runs_a_chunk(pool):
    """The same values with the workers free, held (every chunk on the caller) and the
    size classes backing off: a fused chain, a softmax and a matmul against numpy's."""
    z = tf.placeholder(tf.float32, [512, 512])
    outs = [tf.tanh(z * 2.0 + 1.0) * tf.sigmoid(z) + 0.5 * z * z, tf.nn.softmax(z),
            tf.matmul(z, z)]
    value = np.random.RandomState(3).randn(512, 512).astype(np.float32)
    with tf.Session(backend="numpy") as ref:
        want = ref.run(outs, {z: value})
    sess = tf.Session(backend="llvm")
    for mode in ("free", "held", "free"):
        pool.hold(mode == "held")
        for got, w in zip(sess.run(outs, {z: value}), want):
            np.testing.assert_allclose(got, w, rtol=1e-4, atol=1e-4)
