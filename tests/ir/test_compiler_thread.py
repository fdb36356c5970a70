"""Compiles run on a compiler thread with a large stack (ir/compiler_thread.py): a first,
compiling run on a thread of threading.stack_size's least (32 KiB) killed the process
inside LLVM's passes; deep graphs compile without overflowing any stack."""
import os
import subprocess
import sys
import textwrap
import threading

import numpy as np
import pytest

import graphc as tf
from graphc.ir.compiler_thread import on_compiler_thread

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BACKENDS = ["numpy", "llvm"]

_SMALL_STACK_PROGRAM = textwrap.dedent("""
    import threading, sys
    import numpy as np
    import graphc as tf
    backend, precompile = sys.argv[1], sys.argv[2] == "1"
    R = np.random.RandomState(0)
    x = tf.placeholder(tf.float32, [None, 6, 6, 2])
    labels = tf.placeholder(tf.float32, [None, 3])
    h = tf.layers.conv2d(x, 3, 3, activation=tf.nn.relu)
    logits = tf.layers.dense(tf.layers.flatten(h), 3)
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=labels,
                                                                      logits=logits))
    train = tf.train.AdamOptimizer(0.01).minimize(loss)
    seq = tf.placeholder(tf.float32, [None, 4, 3])
    outs, _ = tf.nn.dynamic_rnn(tf.nn.rnn_cell.BasicRNNCell(5), seq, dtype=tf.float32)
    picked = tf.cond(tf.reduce_sum(outs) > 0, lambda: outs * 2.0, lambda: outs - 1.0)
    feed = {x: R.rand(4, 6, 6, 2).astype(np.float32),
            labels: np.eye(3, dtype=np.float32)[[0, 1, 2, 0]]}
    seqs = {seq: R.rand(2, 4, 3).astype(np.float32)}
    results = {}

    def work():
        sess = tf.Session(backend=backend)
        sess.run(tf.global_variables_initializer())
        results["losses"] = [float(sess.run([loss, train], feed)[0]) for _ in range(3)]
        results["rnn"] = sess.run(picked, seqs)

    if precompile:  # compiled on the main thread; the small thread only runs the plans
        work()
        want = results.pop("rnn")
    threading.stack_size(32 * 1024)
    t = threading.Thread(target=work)
    t.start()
    t.join()
    print(len(results["losses"]), results["rnn"].shape, np.isfinite(results["rnn"]).all())
    if precompile:
        np.testing.assert_allclose(results["rnn"], want, rtol=1e-6)
    """)


@pytest.mark.parametrize("precompile", [False, True], ids=["compiling", "compiled"])
@pytest.mark.parametrize("backend", BACKENDS)
def test_a_run_on_a_thread_of_the_least_stack_does_not_crash(backend, precompile):
    """The reproducer runs in a subprocess so that a crash fails the test, not the suite:
    Session() (the llvm host compiles its thread pool), the compile of a training step
    (conv, dense, Adam), a dynamic_rnn (its loop body compiled at run time) and a cond,
    all on a 32 KiB thread; or the same plans compiled before on the main thread."""
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run([sys.executable, "-c", _SMALL_STACK_PROGRAM, backend,
                           str(int(precompile))], capture_output=True, text=True, env=env,
                          timeout=600)
    assert proc.returncode == 0, f"exit {proc.returncode}; stderr:\n{proc.stderr[-3000:]}"
    assert proc.stdout.split() == ["3", "(2,", "4,", "5)", "True"], proc.stdout


def test_a_compile_s_exception_reaches_the_caller_with_its_traceback():
    def failing():
        raise ValueError("from the compile")
    with pytest.raises(ValueError, match="from the compile") as info:
        on_compiler_thread(failing)
    names = [entry.name for entry in info.traceback]
    assert "failing" in names and names.index("failing") > names.index(
        "test_a_compile_s_exception_reaches_the_caller_with_its_traceback"), names


def test_compiles_run_on_one_large_stack_thread_nested_ones_inline():
    seen = []

    def inner():
        seen.append(threading.current_thread())
        return 7

    def outer():
        seen.append(threading.current_thread())
        return on_compiler_thread(inner) + 1
    assert on_compiler_thread(outer) == 8
    assert seen[0] is seen[1] and seen[0] is not threading.current_thread()
    assert seen[0].name == "graphc-compiler"


def test_concurrent_compiles_do_not_wait_for_each_other():
    """Two compiles at once, the first waiting for the second to start: a single shared
    compiler thread would deadlock here (a compile that waits on a lock that another
    caller holds while it waits for its own compile)."""
    second_started = threading.Event()
    out = {}

    def first():
        assert second_started.wait(60), "the second compile never started"
        return "first"

    def second():
        second_started.set()
        return "second"
    t = threading.Thread(target=lambda: out.update(a=on_compiler_thread(first)))
    t.start()
    out["b"] = on_compiler_thread(second)
    t.join(60)
    assert out == {"a": "first", "b": "second"}


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_3000_op_chain_compiles_and_runs_on_the_main_thread(backend):
    """No pass (nor LLVM) recurses once per op: a chain of 3000 elementwise ops, with its
    gradient, matches numpy's float64 evaluation of the same recurrence."""
    n = 3000
    x = tf.placeholder(tf.float32, [None, 4])
    steps = [(lambda h: h * 1.0001, lambda h: h * 1.0001),
             (lambda h: h + 0.001, lambda h: h + 0.001),
             (tf.tanh, np.tanh),
             (lambda h: h - 0.0005, lambda h: h - 0.0005)]
    h = x
    for i in range(n):
        h = steps[i % 4][0](h)
    (grad,) = tf.gradients(tf.reduce_sum(h), [x])
    xv = np.linspace(-1, 1, 8).reshape(2, 4).astype(np.float32)
    with tf.Session(backend=backend) as sess:
        got, got_grad = sess.run([h, grad], {x: xv})
    want, dwant = xv.astype(np.float64), np.ones_like(xv, np.float64)
    for i in range(n):
        if i % 4 == 2:
            want = np.tanh(want)
            dwant = dwant * (1 - want ** 2)
        else:
            if i % 4 == 0:
                dwant = dwant * 1.0001
            want = steps[i % 4][1](want)
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(got_grad, dwant, rtol=1e-3, atol=1e-5)
