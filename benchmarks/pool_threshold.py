"""Where splitting a kernel across the thread pool starts to pay: the data behind
backends/llvm/threadpool.py's MIN_WORK.

For elementwise kernels of N elements (a cheap add, a multiply-add with a square root, a
chain with tanh and a sigmoid) and reductions (a row sum, a column sum, a full mean), one
process compiles each size once with every kernel routed through the pool's dispatch,
then times the kernel (the cycle counter around its call, GRAPHC_PROFILE's) in
interleaved rounds in two modes: the pool's run-time threshold above any work (every
kernel inline on the caller's thread; the dispatch is a test and a call), and equal to
the kernel's own work (split as the pool splits a kernel at its threshold: two chunks).
It prints the best and the median of every call in each mode, their ratios, each
kernel's work units (elements loaded and stored), and per kernel kind the smallest work
from which splitting wins in both.

Run: python benchmarks/pool_threshold.py [--rounds 9] [--calls 40]
(GRAPHC_THREADS sets the pool size; the default is one thread per core.)

With --large, it times instead whole runs of a few large reductions (a row sum, column
sums in bands and in blocks, a full mean: loops.ReduceLayout's splits) on one
thread (`threads_for_now(1)`) and split across the pool, wall time, interleaved rounds,
best and median of every call.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
import warnings

import numpy as np

warnings.simplefilter("ignore")
import graphc as tf  # noqa: E402
from graphc.backends.llvm import parallel  # noqa: E402
from graphc.backends.llvm.target import host  # noqa: E402

KINDS = {
    "add": lambda z: z + 1.0,
    "muladd": lambda z: z * tf.sqrt(tf.abs(z) + 1.0) + z,
    "tanh-chain": lambda z: tf.tanh(z * 2.0 + 1.0) * tf.sigmoid(z) + 0.5 * z * z,
    "row-sum": lambda z: tf.reduce_sum(tf.reshape(z, [-1, 64]), axis=1),
    "col-sum": lambda z: tf.reduce_sum(tf.reshape(z, [-1, 256]), axis=0),  # (in bands)
    "mean": tf.reduce_mean,  # (in blocks, then their combine)
}
SIZES = [1 << k for k in range(10, 21)]  # 1K .. 1M elements
LARGE = {  # (shape, the reduction): --large
    "reduce_sum([4096, 1000], axis=1)": ((4096, 1000), lambda z: tf.reduce_sum(z, axis=1)),
    "reduce_sum([256, 4096], axis=0)": ((256, 4096), lambda z: tf.reduce_sum(z, axis=0)),
    "reduce_sum([16384, 256], axis=0)": ((16384, 256), lambda z: tf.reduce_sum(z, axis=0)),
    "reduce_mean([4M])": ((1 << 22,), tf.reduce_mean),
    "l2_loss([2048, 2048])": ((2048, 2048), tf.nn.l2_loss),
}


def _set_min_work(value: int) -> None:
    host().pool.min_work = value


def _callable(kind: str, n: int):
    """(one run, the run's kernel cycles, the kernel's work, the session)."""
    g = tf.Graph()
    with g.as_default():
        z = tf.placeholder(tf.float32, [n])
        y = KINDS[kind](z)
    sess = tf.Session(graph=g, backend="llvm")
    value = np.random.RandomState(0).randn(n).astype(np.float32)
    run = sess.make_callable(y, [z])
    run(value)
    exe = next(p.executable for p in sess._plans.values() if hasattr(p, "executable"))
    profile = exe.profile
    work = max(k.work for _, k in profile.kernels)
    if not any(k.splittable and k.extent >= 2 for _, k in profile.kernels):
        work = 0  # (no kernel the pool can split: both modes would time the same code)

    def cycles() -> int:
        profile.reset()
        run(value)
        return int(profile.counts.sum())
    return cycles, work, sess


def _cycles(fn, calls: int) -> list:
    fn()
    return [fn() for _ in range(calls)]


def large(rounds: int, calls: int) -> None:
    """Wall time of whole runs of LARGE's reductions, one thread against the pool's."""
    pool = host().pool
    print(f"pool threads {pool.threads}, load average "
          f"{', '.join(f'{v:.1f}' for v in os.getloadavg())}, {rounds} interleaved rounds "
          f"of {calls} calls a mode; milliseconds a run, best and median of every call")
    print(f"{'reduction':34s} {'1 thread':>9s} {'(median)':>9s} {'split':>9s} "
          f"{'(median)':>9s} {'ratio':>7s} {'(median)':>8s}   (pool.stats() meanwhile)")
    for label, (shape, reduce) in LARGE.items():
        g = tf.Graph()
        with g.as_default():
            z = tf.placeholder(tf.float32, shape)
            y = reduce(z)
        sess = tf.Session(graph=g, backend="llvm")
        run = sess.make_callable(y, [z])
        value = np.random.RandomState(0).rand(*shape).astype(np.float32)
        run(value)
        times = {"one": [], "split": []}
        before = pool.stats()
        for _ in range(rounds):
            for mode in times:
                with pool.threads_for_now(1 if mode == "one" else pool.threads):
                    run(value)
                    for _ in range(calls):
                        t0 = time.perf_counter()
                        run(value)
                        times[mode].append(time.perf_counter() - t0)
        after = pool.stats()
        splits, skipped = (after[k] - before[k] for k in ("splits", "skipped"))
        best = {m: min(v) * 1e3 for m, v in times.items()}
        median = {m: float(np.median(v)) * 1e3 for m, v in times.items()}
        print(f"{label:34s} {best['one']:9.3f} {median['one']:9.3f} {best['split']:9.3f} "
              f"{median['split']:9.3f} {best['split'] / best['one']:7.2f} "
              f"{median['split'] / median['one']:8.2f}   splits {splits}, inline in "
              f"back-off {skipped}", flush=True)
        sess.close()


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=9)
    ap.add_argument("--calls", type=int, default=40, help="timed calls per mode a round")
    ap.add_argument("--kinds", default=",".join(KINDS))
    ap.add_argument("--large", action="store_true", help="time LARGE's reductions instead")
    args = ap.parse_args(argv)
    pool = host().pool
    if pool.threads < 2:
        sys.exit(f"the pool has {pool.threads} thread: nothing to split")
    if args.large:
        return large(args.rounds, args.calls)
    parallel.MIN_WORK = 1  # (compile every kernel through the pool's dispatch)
    pool.adaptive = False  # (split whenever the threshold says so: no back-off)
    os.environ["GRAPHC_PROFILE"] = "1"  # (only to read each kernel's work units)
    print(f"pool threads {pool.threads}, load average {os.getloadavg()[0]:.1f}, "
          f"{args.rounds} interleaved rounds of {args.calls} calls a mode")
    print("kernel times in thousands of cycles (the cycle counter around the kernel's "
          "call): best and median of every call")
    print(f"{'kernel':11s} {'N':>8s} {'work':>8s} {'inline':>9s} {'(median)':>9s} "
          f"{'split':>9s} {'(median)':>9s} {'ratio':>7s} {'(median)':>8s}")
    wins: dict = {}
    for kind in args.kinds.split(","):
        for n in SIZES:
            fn, work, sess = _callable(kind, n)
            if not work:
                print(f"{kind:11s} {n:8d}   its kernel does not split (one chunk)")
                sess.close()
                continue
            cycles = {"inline": [], "split": []}
            for _ in range(args.rounds):
                # (split at a threshold equal to the kernel's work: the pool's policy
                # there, two chunks, one per thread of a two-core machine)
                for mode, threshold in (("inline", 1 << 62), ("split", max(work, 2))):
                    _set_min_work(threshold)
                    cycles[mode] += _cycles(fn, args.calls)
            best = {m: min(v) / 1e3 for m, v in cycles.items()}
            median = {m: float(np.median(v)) / 1e3 for m, v in cycles.items()}
            ratio_b, ratio_m = best["split"] / best["inline"], median["split"] / median["inline"]
            print(f"{kind:11s} {n:8d} {work:8d} {best['inline']:9.2f} {median['inline']:9.2f} "
                  f"{best['split']:9.2f} {median['split']:9.2f} {ratio_b:7.2f} {ratio_m:7.2f}",
                  flush=True)
            if ratio_m < 1.0 and ratio_b < 1.0:
                wins.setdefault(kind, work)
            elif work > wins.get(kind, work):
                wins.pop(kind)  # (a win that does not hold at the next size: not yet)
            sess.close()
    _set_min_work(parallel.MIN_WORK)
    print("smallest work from which splitting wins (best and median):",
          ", ".join(f"{k} {v}" for k, v in wins.items()) or "none")


if __name__ == "__main__":
    main()
