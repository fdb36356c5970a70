"""The first run at a new batch size: graphc-llvm (one plan for every batch size, its
unknown dims symbolic), graphc-llvm compiling per shape (GRAPHC_SYMBOLIC_DIMS=0, as
before issue 21) and TensorFlow 1 graphs (tf.compat.v1) when installed, in one run.

Workloads (placeholders [None, ...], one training step per run):
  mlp      784-256-128-10, Adam, sparse softmax cross-entropy (issue 21's MLP)
  convnet  the classic TF1 convnet: conv 5x5x32, max-pool, conv 5x5x64, max-pool,
           dense 1024, dense 10, Adam, softmax cross-entropy
  rnn      dynamic_rnn of a BasicLSTMCell(32) over 24 steps of 8 features with sequence
           lengths, dense 10, Adam (its While loop's body and gradient body are graphs
           of their own, compiled by the FunctionRunner)

Conditions, each in a fresh process:
  warm   after a first step at batch 64, the first step at each of 63, 17, 100, 1
  cold   a new process whose first step is at batch 17, after another process ran
         batch 64 (graphc's disk cache holds what that process compiled)
  step   a steady step at batch 64, for scale

Run: python benchmarks/new_batch_size.py [--only mlp,convnet,rnn]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

NEW_SIZES = (63, 17, 100, 1)


def _framework(name: str):
    if name == "tensorflow":
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")  # (rnn_cell needs tf-keras)
        import tensorflow.compat.v1 as tf
        tf.disable_eager_execution()
        return tf
    import graphc as tf
    return tf


def _dense(tf, h, n_in, n_out, rs, act=True):
    w = tf.Variable(rs.normal(0, 0.05, (n_in, n_out)).astype(np.float32))
    b = tf.Variable(np.zeros(n_out, np.float32))
    z = tf.nn.bias_add(tf.matmul(h, w), b)
    return tf.nn.relu(z) if act else z


def build(tf, model: str):
    """(x, y, loss, train, feeds(batch)) for `model`, built in tf's default graph."""
    rs = np.random.RandomState(0)
    if model == "mlp":
        x = tf.placeholder(tf.float32, [None, 784])
        y = tf.placeholder(tf.int64, [None])
        h = _dense(tf, _dense(tf, x, 784, 256, rs), 256, 128, rs)
        logits = _dense(tf, h, 128, 10, rs, act=False)
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
            labels=y, logits=logits))

        def feeds(n):
            return {x: rs.rand(n, 784).astype(np.float32), y: rs.randint(0, 10, n)}
    elif model == "rnn":
        x = tf.placeholder(tf.float32, [None, 24, 8])
        lengths = tf.placeholder(tf.int32, [None])
        y = tf.placeholder(tf.int64, [None])
        _, state = tf.nn.dynamic_rnn(tf.nn.rnn_cell.BasicLSTMCell(32), x,
                                     sequence_length=lengths, dtype=tf.float32)
        logits = _dense(tf, state.h, 32, 10, rs, act=False)
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
            labels=y, logits=logits))

        def feeds(n):
            return {x: rs.rand(n, 24, 8).astype(np.float32),
                    lengths: rs.randint(6, 25, n).astype(np.int32),
                    y: rs.randint(0, 10, n)}
    else:
        x = tf.placeholder(tf.float32, [None, 28, 28, 1])
        y = tf.placeholder(tf.float32, [None, 10])
        h = x
        for c_in, c_out in ((1, 32), (32, 64)):
            f = tf.Variable(rs.normal(0, 0.1, (5, 5, c_in, c_out)).astype(np.float32))
            b = tf.Variable(np.zeros(c_out, np.float32))
            h = tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(h, f, [1, 1, 1, 1], "SAME"), b))
            h = tf.nn.max_pool(h, [1, 2, 2, 1], [1, 2, 2, 1], "SAME")
        h = _dense(tf, tf.reshape(h, [-1, 7 * 7 * 64]), 7 * 7 * 64, 1024, rs)
        logits = _dense(tf, h, 1024, 10, rs, act=False)
        loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(
            labels=y, logits=logits))

        def feeds(n):
            return {x: rs.rand(n, 28, 28, 1).astype(np.float32),
                    y: np.eye(10, dtype=np.float32)[rs.randint(0, 10, n)]}
    train = tf.train.AdamOptimizer(1e-4).minimize(loss)
    return loss, train, feeds


def worker(framework: str, model: str, condition: str) -> dict:
    """Runs in its own process: the seconds each timed first step took."""
    tf = _framework(framework)
    graph = tf.Graph()
    with graph.as_default():
        loss, train, feeds = build(tf, model)
        init = tf.global_variables_initializer()
    sess = tf.Session(graph=graph)
    sess.run(init)

    def step(n):
        fd = feeds(n)
        t0 = time.perf_counter()
        sess.run([loss, train], fd)
        return time.perf_counter() - t0

    if condition == "cold":
        return {"new process: first at 17": step(17)}
    out = {"first at 64": step(64)}
    for n in NEW_SIZES:
        out[f"first at {n}"] = step(n)
    runs = [step(64) for _ in range(20)]
    out["step at 64"] = float(np.median(runs))
    return out


def _run(framework: str, model: str, condition: str, env: dict) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--worker", framework, model, condition],
                          env=env, capture_output=True, text=True, timeout=900)
    if proc.returncode != 0:
        raise RuntimeError(f"{framework} {model} {condition} failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", default="mlp,convnet,rnn")
    parser.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        import warnings
        warnings.simplefilter("ignore")
        print(json.dumps(worker(*args.worker)))
        return
    try:
        import importlib.util
        have_tf = importlib.util.find_spec("tensorflow") is not None
    except ValueError:
        have_tf = False
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from llvm_backend import machine
    print(f"machine: {machine()}; load average {os.getloadavg()[0]:.1f} at the start")
    cache = tempfile.mkdtemp(prefix="graphc-cache-")
    setups = [("graphc-llvm", "graphc", {"GRAPHC_SYMBOLIC_DIMS": "1"}),
              ("graphc-llvm per shape", "graphc", {"GRAPHC_SYMBOLIC_DIMS": "0"})]
    if have_tf:
        setups.append(("tensorflow", "tensorflow", {}))
    for model in args.only.split(","):
        results = {}
        for label, framework, extra in setups:
            env = dict(os.environ, GRAPHC_BACKEND="llvm", GRAPHC_CACHE_DIR=os.path.join(
                cache, label.replace(" ", "_")), **extra)
            warm = _run(framework, model, "warm", env)  # (fills the disk cache for cold)
            warm.update(_run(framework, model, "cold", env))
            results[label] = warm
        keys = list(results["graphc-llvm"])
        print(f"\n{model}: seconds per step (first run at a batch size includes any "
              "compile)")
        width = max(len(k) for k in keys) + 2
        head = "".join(f"{label:>24s}" for label in results)
        ratio_tf = "tensorflow" in results
        print(f"{'':{width}s}{head}" + ("   graphc/TF  per-shape/TF" if ratio_tf else ""))
        for k in keys:
            row = "".join(f"{results[label][k]:24.4f}" for label in results)
            if ratio_tf:
                tf_s = results["tensorflow"][k]
                row += (f"   {results['graphc-llvm'][k] / tf_s:9.2f}"
                        f"  {results['graphc-llvm per shape'][k] / tf_s:12.2f}")
            print(f"{k:{width}s}{row}")
        print(f"load average {os.getloadavg()[0]:.1f}")
        if not ratio_tf:
            print("(TensorFlow is not installed: pip install tensorflow-cpu tf-keras for its "
                  "column)")


if __name__ == "__main__":
    main()
