"""Steps/s of the digits convnet's training step (conv 5x5x32, pool, conv 5x5x64, pool,
dense 1024, dense 10, Adam; 8x8x1 images, batch 64) fed by tf.data
(from_tensor_slices -> shuffle -> repeat -> batch -> prefetch) against the same loop fed
through feed_dict, and the pipeline alone (get_next only), on graphc's llvm backend and
on TensorFlow 1 (graph mode, when installed) in the same run. The pipeline must not be
the bottleneck: its rate alone is far above the step rate.

Run: python benchmarks/input_pipeline.py [--steps 200] [--batch 64]
"""
from __future__ import annotations

import argparse
import os
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from llvm_backend import frameworks  # noqa: E402

import graphc  # noqa: E402
from graphc.cli import table  # noqa: E402

warnings.simplefilter("ignore")


def data(n=1797, seed=0):
    rng = np.random.RandomState(seed)
    return rng.rand(n, 8, 8, 1).astype(np.float32), rng.randint(0, 10, n).astype(np.int64)


def model(tf, x, y):
    def var(shape, scale=0.05):
        return tf.Variable(tf.random.truncated_normal(shape, stddev=scale, seed=1)
                           if hasattr(tf, "random") and hasattr(tf.random, "truncated_normal")
                           else tf.truncated_normal(shape, stddev=scale, seed=1))
    h = tf.nn.relu(tf.nn.conv2d(x, var([5, 5, 1, 32]), [1, 1, 1, 1], "SAME"))
    h = tf.nn.max_pool(h, [1, 2, 2, 1], [1, 2, 2, 1], "SAME")
    h = tf.nn.relu(tf.nn.conv2d(h, var([5, 5, 32, 64]), [1, 1, 1, 1], "SAME"))
    h = tf.nn.max_pool(h, [1, 2, 2, 1], [1, 2, 2, 1], "SAME")
    h = tf.nn.relu(tf.matmul(tf.reshape(h, [-1, 2 * 2 * 64]), var([256, 1024])))
    logits = tf.matmul(h, var([1024, 10]))
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y,
                                                                        logits=logits))
    return tf.train.AdamOptimizer(1e-3).minimize(loss)


def rate(run, steps: int) -> float:
    for _ in range(5):
        run()
    t0 = time.perf_counter()
    for _ in range(steps):
        run()
    return steps / (time.perf_counter() - t0)


def measure(tf, session_kwargs, steps, batch) -> dict:
    images, labels = data()
    out = {}
    g = tf.Graph()
    with g.as_default():  # feed_dict
        x = tf.placeholder(tf.float32, [None, 8, 8, 1])
        y = tf.placeholder(tf.int64, [None])
        train = model(tf, x, y)
        sess = tf.Session(graph=g, **session_kwargs)
        sess.run(tf.global_variables_initializer())
        rng = np.random.RandomState(0)
        state = {"perm": rng.permutation(len(images)), "i": 0}

        def feed_step():
            i = state["i"]
            if i + batch > len(images):
                state["perm"], i = rng.permutation(len(images)), 0
            idx = state["perm"][i:i + batch]
            state["i"] = i + batch
            sess.run(train, {x: images[idx], y: labels[idx]})
        out["feed_dict"] = rate(feed_step, steps)
        sess.close()
    g = tf.Graph()
    with g.as_default():  # tf.data
        ds = tf.data.Dataset.from_tensor_slices((images, labels)).shuffle(
            len(images), seed=1).repeat().batch(batch).prefetch(2)
        it = tf.compat.v1.data.make_one_shot_iterator(ds) if hasattr(tf, "compat") and \
            hasattr(tf.compat.v1, "data") else ds.make_one_shot_iterator()
        bx, by = it.get_next()
        train = model(tf, bx, by)
        sess = tf.Session(graph=g, **session_kwargs)
        sess.run(tf.global_variables_initializer())
        out["tf.data"] = rate(lambda: sess.run(train), steps)
        out["pipeline alone"] = rate(lambda: sess.run([bx, by]), steps * 5)
        sess.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--batch", type=int, default=64)
    args = parser.parse_args()
    columns = {"graphc llvm": (graphc, {"backend": "llvm"})}
    found = frameworks(True).get("tensorflow")
    if found is not None:
        tf1 = found.compat.v1
        tf1.disable_eager_execution()
        columns["TensorFlow 1 (graph mode)"] = (tf1, {})
    results = {}
    for name, (tf, kwargs) in columns.items():
        print(f"  measuring {name} ...", file=sys.stderr, flush=True)
        results[name] = measure(tf, kwargs, args.steps, args.batch)
    rows = [[what] + [f"{results[c][what]:.0f}" for c in columns]
            for what in ("feed_dict", "tf.data", "pipeline alone")]
    print(f"digits convnet training steps/s (batch {args.batch}, {args.steps} steps; "
          f"'pipeline alone' is batches/s of get_next)")
    print(table(["input"] + list(columns), rows))


if __name__ == "__main__":
    main()
