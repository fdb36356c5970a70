"""An MLP training step on a quiet machine and on a busy one: graphc-llvm beside TensorFlow.

A user's machine is rarely idle: data loaders, other jobs, a second training share its
cores. This script measures one Adam step of an MLP 784-256-128-10 (softmax
cross-entropy, float32) at batch 64 and 256, in two conditions:

  quiet  nothing else runs (beyond what the machine was doing already)
  busy   the measured process starts beside cores+1 processes that do numpy (OpenBLAS)
         float64 matmuls in a loop with OpenBLAS's default threads

Each (framework, batch, condition) runs in a fresh process, so one framework's threads
never slow the next. A measurement is the mean ms per step over a fixed wall-clock window
(the slow phases of an oversubscribed machine come and go: a median would hide them),
after warm-up steps. TensorFlow runs the same TF1 program through tf.compat.v1.

Run: python benchmarks/busy_machine.py [--seconds 4] [--batches 64,256] [--only graphc]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

LOAD_SIZE = 384  # float64 matmul per iteration of a load process (multi-threaded OpenBLAS)


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else \
        (os.cpu_count() or 1)


# ---------------------------------------------------------------- the load
def load() -> None:
    import numpy as np
    a = np.random.RandomState(0).rand(LOAD_SIZE, LOAD_SIZE)
    while True:
        a = np.dot(a, a)
        a /= np.abs(a).max() + 1.0


def start_load(n: int) -> list:
    procs = [subprocess.Popen([sys.executable, __file__, "--load"]) for _ in range(n)]
    time.sleep(1.0)  # let them import numpy and start multiplying
    return procs


def stop_load(procs: list) -> None:
    for p in procs:
        p.kill()
    for p in procs:
        p.wait()


# ---------------------------------------------------------------- the measured step
def mlp_step(tfm, batch: int):
    """The TF1 program (the same text for graphc and tf.compat.v1): a step callable."""
    import numpy as np
    rng = np.random.RandomState(0)
    xs = rng.rand(batch, 784).astype(np.float32)
    ys = np.eye(10, dtype=np.float32)[rng.randint(0, 10, batch)]
    g = tfm.Graph()
    with g.as_default():
        x = tfm.placeholder(tfm.float32, [None, 784])
        y = tfm.placeholder(tfm.float32, [None, 10])
        h = x
        for i, (n_in, n_out) in enumerate(((784, 256), (256, 128), (128, 10))):
            w = tfm.Variable((rng.randn(n_in, n_out) * np.sqrt(2 / n_in)).astype(np.float32))
            b = tfm.Variable(np.zeros(n_out, np.float32))
            h = tfm.matmul(h, w) + b
            if i < 2:
                h = tfm.nn.relu(h)
        loss = tfm.reduce_mean(tfm.nn.softmax_cross_entropy_with_logits_v2(labels=y,
                                                                           logits=h))
        train = tfm.train.AdamOptimizer(1e-3).minimize(loss)
        init = tfm.global_variables_initializer()
    sess = tfm.Session(graph=g)
    sess.run(init)
    feed = {x: xs, y: ys}
    return lambda: sess.run(train, feed)


def measure(framework: str, batch: int, seconds: float) -> float:
    """Mean seconds per step over `seconds` of wall clock, after warm-up."""
    if framework == "tensorflow":
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        import tensorflow as tf_full
        tfm = tf_full.compat.v1
        tfm.disable_eager_execution()
    else:
        import graphc as tfm
    step = mlp_step(tfm, batch)
    for _ in range(20):
        step()
    n = 0
    t0 = time.perf_counter()
    while True:
        step()
        n += 1
        elapsed = time.perf_counter() - t0
        if elapsed >= seconds:
            return elapsed / n


def run_one(framework: str, batch: int, seconds: float, busy: bool) -> float | None:
    procs = start_load(cores() + 1) if busy else []
    try:
        out = subprocess.run([sys.executable, __file__, "--measure", framework, str(batch),
                              str(seconds)], capture_output=True, text=True,
                             timeout=600 + 20 * seconds)
    finally:
        stop_load(procs)
    if out.returncode != 0:
        print(f"  {framework} batch {batch} failed:\n{out.stderr[-2000:]}", file=sys.stderr)
        return None
    return json.loads(out.stdout.strip().splitlines()[-1])["seconds"]


def available(framework: str) -> bool:
    if framework != "tensorflow":
        return True
    probe = subprocess.run([sys.executable, "-c", "import tensorflow"], capture_output=True)
    return probe.returncode == 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--batches", default="64,256")
    parser.add_argument("--only", default="graphc,tensorflow")
    parser.add_argument("--load", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--measure", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.load:
        load()
        return
    if args.measure:
        framework, batch, seconds = args.measure
        print(json.dumps({"seconds": measure(framework, int(batch), float(seconds))}))
        return
    frameworks = [f for f in args.only.split(",") if available(f)]
    batches = [int(b) for b in args.batches.split(",")]
    env = {k: v for k, v in os.environ.items() if "THREADS" in k}
    print(f"MLP 784-256-128-10 Adam step, {cores()} cores, busy = beside {cores() + 1} "
          f"numpy matmul processes; mean ms/step over {args.seconds:g} s"
          + (f"; env {env}" if env else ""))
    rows = {}
    for batch in batches:
        for framework in frameworks:
            for busy in (False, True):
                print(f"  measuring {framework} batch {batch} {'busy' if busy else 'quiet'}"
                      " ...", file=sys.stderr, flush=True)
                rows[framework, batch, busy] = run_one(framework, batch, args.seconds, busy)
    name = {"graphc": "graphc-llvm", "tensorflow": "tensorflow"}
    print(f"{'framework':12s} {'batch':>5s} {'quiet ms':>9s} {'busy ms':>9s} "
          f"{'busy/quiet':>10s} {'vs TF quiet':>11s} {'vs TF busy':>10s}")

    def fmt(v, width, digits=2):
        return f"{v:{width}.{digits}f}" if v is not None else f"{'-':>{width}s}"
    for batch in batches:
        for framework in frameworks:
            q, b = rows[framework, batch, False], rows[framework, batch, True]
            tq, tb = rows.get(("tensorflow", batch, False)), rows.get(("tensorflow", batch, True))
            # "vs TF": TensorFlow's time / this one's (> 1: faster than TensorFlow)
            print(f"{name[framework]:12s} {batch:5d} {fmt(q and q * 1e3, 9)} "
                  f"{fmt(b and b * 1e3, 9)} {fmt(b / q if q and b else None, 10, 1)} "
                  f"{fmt(tq / q if tq and q else None, 11)} "
                  f"{fmt(tb / b if tb and b else None, 10)}")


if __name__ == "__main__":
    main()
