"""Time of lowering + the pass pipeline on generated graphs of 1k, 10k and 100k nodes.

The graphs are chains of elementwise layers with redundancy for every pass to find:
duplicate subexpressions (CSE), x*1 and x+0 (simplify), constant subtrees (folding) and
dead branches (pruning). Prints a table; near-constant time per node means linear growth.

Run: python benchmarks/pipeline_scaling.py [--sizes 1000,10000,100000]
"""
from __future__ import annotations

import argparse
import time

import numpy as np

import graphc as tf
from graphc.passes.manager import PassManager
from graphc.passes.lower import lower
from graphc.passes.prune import build_program


def make_graph(n_nodes: int):
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 8], name="x")
        h = x
        while len(g.get_operations()) < n_nodes:
            a = tf.exp(h) * 1.0                   # simplify: x * 1
            b = tf.exp(h) + 0.0                   # CSE with a's exp; simplify: x + 0
            c = tf.constant(2.0) * tf.constant(3.0)  # folding
            tf.sqrt(h)                            # dead: pruned
            h = tf.tanh(a - b + c)
    return g, x, h


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000,100000")
    args = parser.parse_args()
    print(f"{'nodes':>8s} {'after':>8s} {'lower s':>9s} {'passes s':>9s} {'us/node':>8s}  "
          "per pass (s)")
    for n in [int(s) for s in args.sizes.split(",")]:
        g, x, h = make_graph(n)
        with g.as_default():
            t0 = time.perf_counter()
            program = build_program([h], [], [x])
            lowered = lower(program, [((4, 8), tf.float32)])
            t1 = time.perf_counter()
            manager = PassManager()
            out = manager.run(lowered)
            t2 = time.perf_counter()
        total = t2 - t0
        detail = ", ".join(f"{name} {sec:.2f}" for name, sec, _, _ in manager.timings)
        print(f"{len(g.get_operations()):8d} {len(out.graph):8d} {t1 - t0:9.2f} {t2 - t1:9.2f} "
              f"{1e6 * total / len(g.get_operations()):8.1f}  {detail}")
        with tf.Session(graph=g) as sess:  # and it still computes the same thing
            v = sess.run(h, {x: np.zeros((4, 8), np.float32)})
        assert np.all(np.isfinite(v))


if __name__ == "__main__":
    main()
