"""The llvm backend's process-wide thread pool (backends/llvm/threadpool.py): the same
results on 1 and 2 threads, the thread-count knobs (GRAPHC_THREADS, ConfigProto's
intra_op_parallelism_threads), forked children, several Python threads at once, and a
run beside processes whose BLAS threads keep the cores busy.

The pool is made once per process, so tests of its size run in fresh interpreters; each
has a timeout (a deadlock fails the test instead of hanging the suite), none times
anything."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading

import numpy as np
import pytest

import graphc as tf

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


def test_a_run_beside_busy_blas_processes_finishes():
    """Three processes keep OpenBLAS's threads multiplying while 40 training steps run;
    the timeout is the bound (an oversubscribed, spinning pool took minutes)."""
    load = ("import numpy as np\na = np.random.rand(300, 300)\n"
            "while True:\n    a = np.dot(a, a); a /= abs(a).max() + 1.0\n")
    procs = [subprocess.Popen([sys.executable, "-c", load]) for _ in range(3)]
    try:
        got = _run("""
            loss, train, extra, feed = build(batch=64)
            losses, _ = steps(tf.Session(), loss, train, extra, feed, n=40)
            print(json.dumps({"losses": losses}))
        """, timeout=300)
    finally:
        for p in procs:
            p.kill()
            p.wait()
    assert np.all(np.isfinite(got["losses"])) and got["losses"][-1] < got["losses"][0]


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
