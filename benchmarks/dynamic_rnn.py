"""An LSTM training step through `tf.nn.dynamic_rnn` (one While loop, and its gradient
loop) against the same model unrolled with `tf.nn.static_rnn`, in graphc on both
backends, and against TensorFlow 1 when installed. One run; ratios from that run.

Model: BasicLSTMCell(128) over 50 steps of 32 features, batch 64, final output through a
dense layer to 10 classes, softmax cross-entropy, Adam.

Run: python benchmarks/dynamic_rnn.py [--quick] [--no-frameworks]
"""
from __future__ import annotations

import argparse
import os
import sys
import warnings

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")  # TF1's rnn_cell needs tf-keras
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from llvm_backend import frameworks, progress, timeit  # noqa: E402

import graphc as tf  # noqa: E402
from graphc.cli import table  # noqa: E402

warnings.simplefilter("ignore")


def build(tfm, dynamic: bool, batch: int, steps: int, depth: int, units: int):
    """The training step in module `tfm` (graphc, or tensorflow.compat.v1)."""
    x = tfm.placeholder(tfm.float32, [batch, steps, depth])
    y = tfm.placeholder(tfm.int32, [batch])
    cell = tfm.nn.rnn_cell.BasicLSTMCell(units)
    if dynamic:
        outputs, state = tfm.nn.dynamic_rnn(cell, x, dtype=tfm.float32)
    else:
        outputs, state = tfm.nn.static_rnn(cell, tfm.unstack(x, axis=1), dtype=tfm.float32)
    w = tfm.Variable(np.random.RandomState(1).randn(units, 10).astype(np.float32) * 0.1)
    logits = tfm.matmul(state.h, w)
    loss = tfm.reduce_mean(tfm.nn.sparse_softmax_cross_entropy_with_logits(
        labels=y, logits=logits))
    train = tfm.train.AdamOptimizer(1e-3).minimize(loss)
    return x, y, loss, train


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="smaller model, shorter timing")
    ap.add_argument("--no-frameworks", action="store_true", help="graphc only")
    args = ap.parse_args(argv)
    batch, steps, depth, units = (16, 10, 8, 32) if args.quick else (64, 50, 32, 128)
    rng = np.random.RandomState(0)
    xs = rng.randn(batch, steps, depth).astype(np.float32)
    ys = rng.randint(0, 10, batch).astype(np.int32)
    min_time = 0.2 if args.quick else 1.0
    times, losses = {}, {}
    for backend in ("llvm", "numpy"):
        for dynamic in (True, False):
            name = f"graphc-{backend} {'dynamic_rnn' if dynamic else 'static_rnn'}"
            progress(name)
            g = tf.Graph()
            with g.as_default():
                tf.set_random_seed(0)
                x, y, loss, train = build(tf, dynamic, batch, steps, depth, units)
                sess = tf.Session(graph=g, backend=backend)
                sess.run(tf.global_variables_initializer())
            step = sess.make_callable([loss, train], [x, y])
            losses[name] = step(xs, ys)[0]
            times[name] = timeit(lambda: step(xs, ys), min_time=min_time)
    fws = frameworks(not args.no_frameworks)
    if "tensorflow" in fws:
        tf1 = fws["tensorflow"].compat.v1
        tf1.disable_eager_execution()
        for dynamic in (True, False):
            name = f"tensorflow {'dynamic_rnn' if dynamic else 'static_rnn'}"
            progress(name)
            g = tf1.Graph()
            with g.as_default():
                x, y, loss, train = build(tf1, dynamic, batch, steps, depth, units)
                sess = tf1.Session(graph=g)
                sess.run(tf1.global_variables_initializer())
            step = sess.make_callable([loss, train], [x, y])
            step(xs, ys)
            times[name] = timeit(lambda: step(xs, ys), min_time=min_time)
    base = times["graphc-llvm dynamic_rnn"]
    rows = [[name, f"{t * 1e3:.2f}", f"{1 / t:.1f}", f"{t / base:.2f}"]
            for name, t in times.items()]
    print(f"LSTM({units}) training step, batch {batch}, {steps} steps, Adam "
          f"(one run{'; --quick' if args.quick else ''})")
    print(table(["variant", "ms/step", "steps/s", "time vs graphc-llvm dynamic_rnn"], rows))
    dyn, unrolled = times["graphc-llvm dynamic_rnn"], times["graphc-llvm static_rnn"]
    print(f"\ndynamic_rnn / static_rnn on llvm: {dyn / unrolled:.2f}x (aim: <= 1.3x)")
    if "tensorflow dynamic_rnn" in times:
        print(f"graphc-llvm dynamic_rnn vs TensorFlow dynamic_rnn: "
              f"{times['tensorflow dynamic_rnn'] / dyn:.2f}x the steps per second")
    for kind in ("dynamic_rnn", "static_rnn"):
        a, b = losses[f"graphc-llvm {kind}"], losses[f"graphc-numpy {kind}"]
        print(f"{kind}: first-step loss llvm {a:.6f}, numpy {b:.6f}")


if __name__ == "__main__":
    main()
