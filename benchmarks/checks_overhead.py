"""What the numerics checks and tracing cost: a training step with the checks off (the
default), with ConfigProto(check_numerics=True), and traced (FULL_TRACE), on both
backends, for an MLP step and an LSTM step through dynamic_rnn (While loops, whose body
ops the checks and traces see one by one).

With the checks off a run takes the path of a run without options: the only code the
checks add to it is one thread-local read per loop or cond body call (graphc/functions.py).
The script counts those calls per step and times the read, and prints their share of the
step: the checks-off overhead, measured rather than assumed.

Run: python benchmarks/checks_overhead.py [--quick]
"""
from __future__ import annotations

import argparse
import os
import sys
import timeit
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from llvm_backend import machine  # noqa: E402
from llvm_backend import timeit as time_step  # noqa: E402

import graphc as tf  # noqa: E402
from graphc import functions  # noqa: E402
from graphc.cli import table  # noqa: E402

warnings.simplefilter("ignore")


def mlp(batch: int):
    x = tf.placeholder(tf.float32, [batch, 64])
    y = tf.placeholder(tf.int32, [batch])
    h = tf.layers.dense(x, 256, tf.nn.relu)
    h = tf.layers.dense(h, 256, tf.nn.relu)
    logits = tf.layers.dense(h, 10)
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y,
                                                                        logits=logits))
    rng = np.random.RandomState(0)
    feed = {x: rng.randn(batch, 64).astype(np.float32),
            y: rng.randint(0, 10, batch).astype(np.int32)}
    return tf.train.AdamOptimizer(1e-3).minimize(loss), feed


def lstm(batch: int, steps: int = 20, units: int = 64):
    x = tf.placeholder(tf.float32, [batch, steps, 16])
    y = tf.placeholder(tf.int32, [batch])
    _, state = tf.nn.dynamic_rnn(tf.nn.rnn_cell.BasicLSTMCell(units), x, dtype=tf.float32)
    logits = tf.layers.dense(state.h, 10)
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y,
                                                                        logits=logits))
    rng = np.random.RandomState(0)
    feed = {x: rng.randn(batch, steps, 16).astype(np.float32),
            y: rng.randint(0, 10, batch).astype(np.int32)}
    return tf.train.AdamOptimizer(1e-3).minimize(loss), feed


def body_calls_per_step(sess, train, feed) -> int:
    """How many loop/cond body calls (each one thread-local read) a step makes."""
    runner = sess._functions
    counts = [0]
    original_graph, original_compiled = runner.run_graph, runner.compiled

    def counted_graph(*args, **kwargs):
        counts[0] += 1
        return original_graph(*args, **kwargs)

    def counted_compiled(*args, **kwargs):  # (a native loop's step, run whole)
        counts[0] += 1
        return original_compiled(*args, **kwargs)
    runner.run_graph, runner.compiled = counted_graph, counted_compiled
    try:
        sess.run(train, feed)
    finally:
        del runner.run_graph, runner.compiled
    return counts[0]


def measure(model, backend: str, batch: int, min_time: float) -> dict:
    out = {}
    for mode in ("off", "checks", "traced"):
        g = tf.Graph()
        with g.as_default():
            tf.set_random_seed(0)
            train, feed = model(batch)
            config = tf.ConfigProto(check_numerics=True) if mode == "checks" else None
            sess = tf.Session(backend=backend, config=config)
            sess.run(tf.global_variables_initializer())
            if mode == "traced":
                options = tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE)

                def step():
                    sess.run(train, feed, options=options, run_metadata=tf.RunMetadata())
            else:
                def step():
                    sess.run(train, feed)
            out[mode] = time_step(step, min_time=min_time)
            if mode == "off":
                out["calls"] = body_calls_per_step(sess, train, feed)
            sess.close()
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args(argv)
    batch, min_time = (16, 0.2) if args.quick else (64, 1.0)
    local = functions._ThreadObserver()  # the read a run without checks makes
    read = min(timeit.repeat(lambda: local.observer, number=100_000, repeat=5)) / 100_000
    rows = []
    for name, model in (("MLP 64-256-256-10, Adam", mlp), ("LSTM(64) x 20 steps, Adam", lstm)):
        for backend in ("llvm", "numpy"):
            print(f"  {name} on {backend} ...", file=sys.stderr, flush=True)
            r = measure(model, backend, batch, min_time)
            hooks = r["calls"] * read
            rows.append([name, backend, f"{r['off'] * 1e3:.3f}", f"{r['checks'] * 1e3:.3f}",
                         f"{r['checks'] / r['off']:.1f}x", f"{r['traced'] * 1e3:.3f}",
                         f"{r['calls']}", f"{hooks * 1e6:.2f} us "
                         f"({100 * hooks / r['off']:.3f}%)"])
    print(f"training step, batch {batch}: ms per step (median); one thread-local read "
          f"costs {read * 1e9:.0f} ns; {machine()}")
    print(table(["model", "backend", "checks off", "checks on", "on/off", "traced",
                 "body calls", "checks-off hook cost"], rows))


if __name__ == "__main__":
    main()
