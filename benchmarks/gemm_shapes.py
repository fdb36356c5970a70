"""graphc's JIT float32 GEMM (backends/llvm/gemm.py) against numpy's OpenBLAS sgemm on
this host, per matmul shape the workloads use: the data behind `gemm.handles`.

Each shape is one static-shape `tf.matmul` plan on the llvm backend, compiled twice in one
process: once with its matmul on the JIT GEMM and once on the BLAS (lowering's choice
forced either way), then run as graphc runs it, on one thread (`pool.threads_for_now(1)`;
the BLAS on one thread, as in every graphc run) and split over graphc's pool (bands of
rows or columns, one BLAS thread each), the four modes taking turns over interleaved
rounds. The time is the kernel's own (GRAPHC_PROFILE's cycle counter around its call:
no Session overhead; on one thread, the thread's CPU time when less, which a wait for
the core does not count); a loaded machine only adds to it, so the best call is the
figure to read, the median beside it. Prints GFLOP/s and jit/blas.

Shapes: the MLP 784-256-256-10's forward matmuls and both gradient forms (dX = dY W^T, the
B^T form; dW = X^T dY, the A^T form) at batch 64, 100 and 256; the classic convnet's dense
layer [128, 3136] x [3136, 1024] and its gradients; an LSTM cell's [16, 128] x [40, 128]^T;
1024^3.

Run: python benchmarks/gemm_shapes.py [--rounds 7] [--calls N] [--only mlp100,conv,lstm,big]
"""
from __future__ import annotations

import argparse
import os
import time
import warnings

import numpy as np


warnings.simplefilter("ignore")
os.environ["GRAPHC_PROFILE"] = "1"  # (the cycle counter around each kernel's call)
import graphc as tf  # noqa: E402
from graphc.backends.llvm import lowering_rules  # noqa: E402
from graphc.backends.llvm.target import host  # noqa: E402


def shapes() -> list:
    """[(group, label, m, n, k, trans_a, trans_b)]: C[m, n] = op(A) op(B), inner dim k."""
    out = []
    for batch in (64, 100, 256):
        g = f"mlp{batch}"
        out += [(g, "fwd x@W1", batch, 256, 784, False, False),
                (g, "fwd h@W2", batch, 256, 256, False, False),
                (g, "fwd h@W3", batch, 10, 256, False, False),
                (g, "dW1 x^T@g", 784, 256, batch, True, False),
                (g, "dW2 h^T@g", 256, 256, batch, True, False),
                (g, "dW3 h^T@g", 256, 10, batch, True, False),
                (g, "dh g@W2^T", batch, 256, 256, False, True),
                (g, "dh g@W3^T", batch, 256, 10, False, True)]
    out += [("conv", "dense fwd", 128, 1024, 3136, False, False),
            ("conv", "dense dX g@W^T", 128, 3136, 1024, False, True),
            ("conv", "dense dW x^T@g", 3136, 1024, 128, True, False),
            ("conv", "logits fwd", 128, 10, 1024, False, False),
            ("conv", "logits dX g@W^T", 128, 1024, 10, False, True),
            ("lstm", "[16,128]@[40,128]^T", 16, 40, 128, False, True),
            ("lstm", "[16,40]@[40,128]", 16, 128, 40, False, False),
            ("big", "1024^3", 1024, 1024, 1024, False, False)]
    return out


def runner(m, n, k, ta, tb, jit: bool):
    """A zero-argument call of the plan for op(A) @ op(B), its matmul forced onto the JIT
    GEMM (`jit`) or the BLAS, returning the kernel's cycles (the plan's only kernel)."""
    rng = np.random.RandomState(0)
    a = rng.randn(*((k, m) if ta else (m, k))).astype(np.float32)
    b = rng.randn(*((n, k) if tb else (k, n))).astype(np.float32)
    g = tf.Graph()
    with g.as_default():
        pa = tf.placeholder(tf.float32, a.shape)
        pb = tf.placeholder(tf.float32, b.shape)
        y = tf.matmul(pa, pb, transpose_a=ta, transpose_b=tb)
    sess = tf.Session(graph=g, backend="llvm")
    run = sess.make_callable(y, [pa, pb])
    saved = lowering_rules.gemm_handles
    lowering_rules.gemm_handles = lambda *args: jit
    try:
        got = run(a, b)  # (compiles)
    finally:
        lowering_rules.gemm_handles = saved
    want = (a.T if ta else a) @ (b.T if tb else b)
    err = np.abs(got - want).max() / max(1.0, np.abs(want).max())
    assert err < 1e-4, f"{'jit' if jit else 'blas'} {m}x{n}x{k}: relative error {err}"
    exe = next(p.executable for p in sess._plans.values() if hasattr(p, "executable"))
    profile = exe.profile
    assert len(profile.kernels) == 1, profile.rows()

    def call() -> int:
        profile.reset()
        t0 = time.thread_time_ns()
        run(a, b)
        return int(profile.counts[0]), time.thread_time_ns() - t0
    return call


def cycle_rate() -> float:
    """The cycle counter's ticks per second: a 1024^3 matmul's kernel cycles over the
    wall time of its whole call (~20 ms, of which the call's own cost is microseconds)."""
    fn = runner(1024, 1024, 1024, False, False, False)
    rates = []
    for _ in range(5):
        t0 = time.perf_counter()
        cycles = fn()[0]
        rates.append(cycles / (time.perf_counter() - t0))
    return max(rates)


def measure(fns: dict, rounds: int, calls: int, rate: float) -> dict:
    """{mode: [seconds of every call]}, the modes taking turns each round; modes ending in
    1 run on one thread of the pool, where a call's time is the least of the kernel's
    cycles and the thread's CPU time over the whole call (each is at least the kernel's
    time: the cycles count waits for the core, the CPU time the call's own overhead)."""
    pool = host().pool
    got = {mode: [] for mode in fns}
    for _ in range(rounds):
        for mode, fn in fns.items():
            one = mode.endswith("1")
            with pool.threads_for_now(1 if one else pool.threads):
                fn()
                for _ in range(calls):
                    cycles, cpu = fn()
                    got[mode].append(min(cycles / rate, cpu * 1e-9) if one else
                                     cycles / rate)
    return got


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--calls", type=int, default=0,
                    help="calls a mode a round (default: ~30 ms of each)")
    ap.add_argument("--only", default="", help="groups: mlp64,mlp100,mlp256,conv,lstm,big")
    args = ap.parse_args()
    h = host()
    print(f"machine: LLVM CPU {h.cpu}, {h.cores} cores, pool {h.pool.threads} threads; "
          f"load average {os.getloadavg()[0]:.1f}")
    try:
        import threadpoolctl
        info = [i for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"]
        print("BLAS:", ", ".join(f"{i['internal_api']} {i.get('architecture')}"
                                 for i in info))
    except ImportError:
        pass
    only = set(filter(None, args.only.split(",")))
    rate = cycle_rate()
    print(f"GFLOP/s of the matmul kernel (cycle counter {rate / 1e9:.2f}G a second): best "
          f"call / median call, {args.rounds} interleaved rounds")
    print(f"{'group':7} {'matmul':22} {'M':>5} {'N':>5} {'K':>5} {'op':2} | "
          f"{'1 thread: jit':>16} {'blas':>12} {'jit/blas':>11} | "
          f"{'pool: jit':>12} {'blas':>12} {'jit/blas':>11}")
    for group, label, m, n, k, ta, tb in shapes():
        if only and group not in only and group.rstrip("0123456789") not in only:
            continue
        jit, blas = runner(m, n, k, ta, tb, True), runner(m, n, k, ta, tb, False)
        calls = args.calls or max(3, min(300, int(0.03 * rate / max(jit()[0], blas()[0]))))
        got = measure({"jit1": jit, "blas1": blas, "jit": jit, "blas": blas}, args.rounds,
                      calls, rate)
        flops = 2e-9 * m * n * k
        best = {mode: flops / min(c) for mode, c in got.items()}
        med = {mode: flops / float(np.median(c)) for mode, c in got.items()}
        op = ("T" if ta else "N") + ("T" if tb else "N")

        def pair(j, bl):
            return (f"{best[j]:6.1f}/{med[j]:<5.1f} {best[bl]:6.1f}/{med[bl]:<5.1f} "
                    f"{best[j] / best[bl]:5.2f}/{med[j] / med[bl]:<5.2f}")
        print(f"{group:7} {label:22} {m:5} {n:5} {k:5} {op} | {pair('jit1', 'blas1')} | "
              f"{pair('jit', 'blas')}", flush=True)


if __name__ == "__main__":
    main()
