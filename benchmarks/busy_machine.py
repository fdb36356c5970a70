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
after warm-up steps, beside the CPU time all the process's threads spent per step (what
a step costs the machine; a busy machine's scheduler decides how fast it gets it).
TensorFlow runs the same TF1 program through tf.compat.v1. With --repeats N every
measurement is taken N times, the runners taking turns (a shared machine's other load
falls on all alike); the tables show the median and the best.

Runners: graphc (graphc-llvm as shipped), tensorflow, and two graphc variants for
comparison: graphc-static (the pool splits every large kernel, without backing off size
classes whose splits lose time: threadpool.py) and graphc-1thread (GRAPHC_THREADS=1).

Run: python benchmarks/busy_machine.py [--seconds 4] [--batches 64,256] [--repeats 1]
     [--only graphc,graphc-static,graphc-1thread,tensorflow]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
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


def measure(framework: str, batch: int, seconds: float) -> tuple:
    """(mean seconds per step, mean CPU seconds per step over all the process's threads)
    over `seconds` of wall clock, after warm-up."""
    if framework == "tensorflow":
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        import tensorflow as tf_full
        tfm = tf_full.compat.v1
        tfm.disable_eager_execution()
    else:
        import graphc as tfm
        if framework == "graphc-static":
            from graphc.backends.llvm.target import host
            host().pool.adaptive = False
    step = mlp_step(tfm, batch)
    for _ in range(20):
        step()
    n = 0
    t0, c0 = time.perf_counter(), time.process_time()
    while True:
        step()
        n += 1
        elapsed = time.perf_counter() - t0
        if elapsed >= seconds:
            return elapsed / n, (time.process_time() - c0) / n


def run_one(framework: str, batch: int, seconds: float, busy: bool) -> tuple | None:
    """(seconds, CPU seconds) per step in a fresh process, or None when it failed."""
    procs = start_load(cores() + 1) if busy else []
    env = dict(os.environ)
    if framework == "graphc-1thread":
        env["GRAPHC_THREADS"] = "1"
    try:
        out = subprocess.run([sys.executable, __file__, "--measure", framework, str(batch),
                              str(seconds)], capture_output=True, text=True, env=env,
                             timeout=600 + 20 * seconds)
    finally:
        stop_load(procs)
    if out.returncode != 0:
        print(f"  {framework} batch {batch} failed:\n{out.stderr[-2000:]}", file=sys.stderr)
        return None
    got = json.loads(out.stdout.strip().splitlines()[-1])
    return got["seconds"], got["cpu"]


NAMES = {"graphc": "graphc-llvm", "graphc-static": "graphc-static",
         "graphc-1thread": "graphc-1thread", "tensorflow": "tensorflow"}


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
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--load", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--measure", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.load:
        load()
        return
    if args.measure:
        framework, batch, seconds = args.measure
        wall, cpu = measure(framework, int(batch), float(seconds))
        print(json.dumps({"seconds": wall, "cpu": cpu}))
        return
    frameworks = [f for f in args.only.split(",") if available(f)]
    unknown = [f for f in frameworks if f not in NAMES]
    if unknown:
        parser.error(f"unknown runner(s) {unknown}: choose from {sorted(NAMES)}")
    batches = [int(b) for b in args.batches.split(",")]
    env = {k: v for k, v in os.environ.items() if "THREADS" in k}
    from llvm_backend import machine
    print(f"machine: {machine()}")
    print(f"MLP 784-256-128-10 Adam step, {cores()} cores, busy = beside {cores() + 1} "
          f"numpy matmul processes; mean ms/step over {args.seconds:g} s, {args.repeats} "
          f"repeat(s), load average {os.getloadavg()[0]:.1f} at the start"
          + (f"; env {env}" if env else ""))
    samples: dict = {}
    for r in range(args.repeats):
        for batch in batches:
            for busy in (False, True):
                for framework in frameworks:
                    t = run_one(framework, batch, args.seconds, busy)
                    print(f"  [{r + 1}/{args.repeats}] {framework} batch {batch} "
                          f"{'busy' if busy else 'quiet'}: "
                          + (f"{t[0] * 1e3:.2f} ms (CPU {t[1] * 1e3:.2f} ms)"
                             if t is not None else "failed"), file=sys.stderr, flush=True)
                    if t is not None:
                        samples.setdefault((framework, batch, busy), []).append(t)
    for label, pick in (("median", statistics.median), ("best", min)):
        rows = {key: pick([w for w, _ in v]) for key, v in samples.items()}
        cpu = {key: pick([c for _, c in v]) for key, v in samples.items()}
        print(f"\n{label} of {args.repeats} repeat(s); CPU: ms of all the process's "
              "threads per step")
        print(f"{'runner':15s} {'batch':>5s} {'quiet ms':>9s} {'CPU':>6s} {'busy ms':>9s} "
              f"{'CPU':>6s} {'busy/quiet':>10s} {'vs TF quiet':>11s} {'vs TF busy':>10s}")

        def fmt(v, width, digits=2):
            return f"{v:{width}.{digits}f}" if v is not None else f"{'-':>{width}s}"
        for batch in batches:
            for framework in frameworks:
                q, b = rows.get((framework, batch, False)), rows.get((framework, batch, True))
                tq = rows.get(("tensorflow", batch, False))
                tb = rows.get(("tensorflow", batch, True))
                # "vs TF": TensorFlow's time / this one's (> 1: faster than TensorFlow)
                cq, cb = cpu.get((framework, batch, False)), cpu.get((framework, batch, True))
                print(f"{NAMES[framework]:15s} {batch:5d} {fmt(q and q * 1e3, 9)} "
                      f"{fmt(cq and cq * 1e3, 6)} {fmt(b and b * 1e3, 9)} "
                      f"{fmt(cb and cb * 1e3, 6)} {fmt(b / q if q and b else None, 10, 1)} "
                      f"{fmt(tq / q if tq and q else None, 11)} "
                      f"{fmt(tb / b if tb and b else None, 10)}")
    print(f"load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
