"""Per-run cost of Session.run on the numpy backend, against the same math in plain numpy.

Two workloads, each measured in this one run:
  tiny   scalar linear regression, one GradientDescent step per run, two scalar feeds
  mlp    MLP 64-128-128-10 inference, batch 100 (matmul-bound)
Prints microseconds per run (median of repeats) and the ratio graphc / plain numpy.

Run: python benchmarks/session_overhead.py [--runs N]
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

import graphc as tf


def _time(fn, runs: int, repeats: int = 5) -> float:
    for _ in range(min(runs, 50)):
        fn()
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(runs):
            fn()
        samples.append((time.perf_counter() - t0) / runs)
    return statistics.median(samples) * 1e6


def tiny(runs: int):
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [])
        y = tf.placeholder(tf.float32, [])
        w = tf.Variable(0.0)
        b = tf.Variable(0.0)
        loss = tf.square(w * x + b - y)
        train = tf.train.GradientDescentOptimizer(0.01).minimize(loss)
        init = tf.global_variables_initializer()
    sess = tf.Session(graph=g)
    sess.run(init)
    step = sess.make_callable(train, [x, y])
    graphc_us = _time(lambda: step(1.0, 3.0), runs)
    run_us = _time(lambda: sess.run(train, {x: 1.0, y: 3.0}), runs)
    state = {"w": np.float32(0), "b": np.float32(0)}

    def numpy_step():
        err = state["w"] * np.float32(1.0) + state["b"] - np.float32(3.0)
        state["w"] = state["w"] - np.float32(0.01) * np.float32(2) * err * np.float32(1.0)
        state["b"] = state["b"] - np.float32(0.01) * np.float32(2) * err
    numpy_us = _time(numpy_step, runs)
    return [("tiny: make_callable", graphc_us, numpy_us), ("tiny: Session.run", run_us,
                                                          numpy_us)]


def mlp(runs: int):
    rng = np.random.RandomState(0)
    ws = [rng.randn(a, b).astype(np.float32) * 0.1 for a, b in ((64, 128), (128, 128),
                                                                (128, 10))]
    data = rng.rand(100, 64).astype(np.float32)
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 64])
        h = x
        for i, w in enumerate(ws):
            h = tf.matmul(h, tf.constant(w))
            if i < 2:
                h = tf.nn.relu(h)
        out = tf.nn.softmax(h)
    sess = tf.Session(graph=g)
    graphc_us = _time(lambda: sess.run(out, {x: data}), runs)

    def numpy_mlp():
        h = data
        for i, w in enumerate(ws):
            h = h @ w
            if i < 2:
                h = np.maximum(h, 0)
        e = np.exp(h - h.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    numpy_us = _time(numpy_mlp, runs)
    return [("mlp inference b=100", graphc_us, numpy_us)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=2000)
    args = parser.parse_args()
    rows = tiny(args.runs) + mlp(max(args.runs // 10, 50))
    print(f"{'workload':26s} {'graphc-numpy us':>16s} {'plain numpy us':>15s} {'ratio':>7s}")
    for name, ours, ref in rows:
        print(f"{name:26s} {ours:16.1f} {ref:15.1f} {ours / ref:7.2f}")


if __name__ == "__main__":
    main()
