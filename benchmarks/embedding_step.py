"""One training step of an embedding table: the dense update against TF1's sparse one.

The model: a [rows, dim] float32 table, a batch of ids looked up (tf.nn.embedding_lookup)
and a squared error against a fed target. Two graphs of it, stepped in interleaved rounds
in one process:
- dense: `var -= lr * grad` with the lookup's gradient as graphc's gather VJP builds it,
  a [rows, dim] UnsortedSegmentSum (what GradientDescentOptimizer built before it took
  the sparse path);
- sparse: GradientDescentOptimizer(lr).minimize(loss), which now updates the named rows
  only, as TF1's `_apply_sparse` (a ScatterSub of lr * the looked-up rows' gradient:
  native on llvm, in place).
With --optimizer momentum, adagrad or rmsprop, the same pair for that optimizer: dense
is the optimizer given the gradient as a dense tensor (every row and slot updated), sparse
is minimize(loss), which updates only the named rows and their slots as TF1's
SparseApply kernels (repeated ids' slices summed first; optimizer.py's `_sparse_rows`).
It checks the two give the same table after a step (from fresh slots, the rows no id
names do not move either way), then prints per backend the best and the median wall and
CPU (process) time of a step, and the load average.

Run: python benchmarks/embedding_step.py [--rows 50000] [--dim 64] [--batch 256]
     [--rounds 9] [--steps 20] [--backends llvm,numpy] [--unknown-batch]
     [--optimizer gd|momentum|adagrad|rmsprop]
"""
from __future__ import annotations

import argparse
import os
import time
import warnings

import numpy as np

warnings.simplefilter("ignore")
import graphc as tf  # noqa: E402


OPTIMIZERS = {"gd": lambda lr: tf.train.GradientDescentOptimizer(lr),
              "momentum": lambda lr: tf.train.MomentumOptimizer(lr, 0.9),
              "adagrad": lambda lr: tf.train.AdagradOptimizer(lr),
              "rmsprop": lambda lr: tf.train.RMSPropOptimizer(lr, momentum=0.5)}


def _step(backend: str, sparse: bool, rows: int, dim: int, batch, lr: float = 0.1,
          optimizer: str = "gd"):
    """(one training step taking (ids, target), the table's value, the session); `batch`
    None: the ids' placeholder leaves the batch unknown (a symbolic plan)."""
    g = tf.Graph()
    with g.as_default():
        table = tf.Variable(np.random.RandomState(0).randn(rows, dim).astype(np.float32))
        ids = tf.placeholder(tf.int32, [batch])
        target = tf.placeholder(tf.float32, [batch, dim])
        loss = tf.reduce_sum(tf.square(tf.nn.embedding_lookup(table, ids) - target))
        opt = OPTIMIZERS[optimizer](lr)
        if sparse:
            train = opt.minimize(loss)
        elif optimizer == "gd":
            grad = tf.gradients(loss, [table])[0]
            train = tf.assign_sub(table, lr * grad).op
        else:  # (a sum with 0 hides the gradient's origin: the optimizer sees it dense)
            grad = tf.gradients(loss, [table])[0]
            train = opt.apply_gradients([(tf.add(grad, 0.0), table)])
        sess = tf.Session(graph=g, backend=backend)
        sess.run(tf.global_variables_initializer())
    return sess.make_callable(train, [ids, target]), lambda: sess.run(table), sess


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=50000)
    ap.add_argument("--dim", type=int, default=64)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--rounds", type=int, default=9)
    ap.add_argument("--steps", type=int, default=20, help="timed steps per graph a round")
    ap.add_argument("--backends", default="llvm,numpy")
    ap.add_argument("--unknown-batch", action="store_true",
                    help="placeholders of shape [None] (the batch read at run time)")
    ap.add_argument("--optimizer", choices=sorted(OPTIMIZERS), default="gd")
    args = ap.parse_args(argv)
    placeholder_batch = None if args.unknown_batch else args.batch
    r = np.random.RandomState(1)
    ids = r.randint(0, args.rows, args.batch).astype(np.int32)
    ids[:8] = ids[0]  # (a repeated id, as real batches have)
    target = r.randn(args.batch, args.dim).astype(np.float32)
    print(f"{args.optimizer}: table [{args.rows}, {args.dim}], batch {args.batch}, "
          f"{args.rounds} interleaved "
          f"rounds of {args.steps} steps, load average {os.getloadavg()[0]:.1f}")
    print(f"{'backend':8s} {'update':7s} {'wall best':>10s} {'(median)':>9s} "
          f"{'cpu best':>10s} {'(median)':>9s}   (ms a step)")
    for backend in args.backends.split(","):
        steps = {mode: _step(backend, mode == "sparse", args.rows, args.dim, placeholder_batch,
                             optimizer=args.optimizer) for mode in ("dense", "sparse")}
        for run, _, _ in steps.values():
            run(ids, target)
        a, b = (steps[m][1]() for m in ("dense", "sparse"))
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)  # (one step each so far)
        wall: dict = {m: [] for m in steps}
        cpu: dict = {m: [] for m in steps}
        for _ in range(args.rounds):
            for mode, (run, _, _) in steps.items():
                for _ in range(args.steps):
                    w0, c0 = time.perf_counter(), time.process_time()
                    run(ids, target)
                    wall[mode].append(time.perf_counter() - w0)
                    cpu[mode].append(time.process_time() - c0)
        for mode in steps:
            w, c = np.array(wall[mode]) * 1e3, np.array(cpu[mode]) * 1e3
            print(f"{backend:8s} {mode:7s} {w.min():10.3f} {np.median(w):9.3f} "
                  f"{c.min():10.3f} {np.median(c):9.3f}", flush=True)
        for _, _, sess in steps.values():
            sess.close()
    print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
