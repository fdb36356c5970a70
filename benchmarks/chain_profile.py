"""What bounds issue 21's fused chain, tanh(x*a+b)*sigmoid(x)+0.5*x*x on 4M float32:
the instructions of its hot AVX loop, and its CPU time on one thread beside the memory
floor of the same data (a copy, and a fused x*a+b, which reads and writes as much).

Machine code: the plan's module as graphc compiles it (the Session's own IR, optimised
and assembled for this CPU by the host target), its hottest loop found as the backward
branch whose body has the most vector instructions; per 8 elements: instructions,
divisions, stack loads and stores (spills). With `llvm-mca` on the PATH, also its
simulation of that loop for this CPU (cycles per 8 elements and why dispatch stalls;
its Zen 3 model counts a 256-bit FMA at half the rate the hardware runs, so read its
cycles as an upper bound).

Time: CPU time of the calling thread (time.thread_time) with the pool at one thread, so
a loaded machine's waits for a core do not count; interleaved rounds, the best of each.

Run: python benchmarks/chain_profile.py [--rounds 9] [--n 4194304]
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import llvm_backend as L  # noqa: E402
import numpy as np  # noqa: E402

import graphc as tf  # noqa: E402
from graphc.backends.llvm.target import host  # noqa: E402


def session(n: int, body):
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [n])
        a = tf.placeholder(tf.float32, [])
        b = tf.placeholder(tf.float32, [])
        y = body(x, a, b)
    sess = tf.Session(graph=g)
    return sess, sess.make_callable(y, [x, a, b])


def hot_loop(asm: str) -> list:
    """The instructions of the loop (label ... backward branch to it) with the most vector
    register operands."""
    lines = asm.splitlines()
    labels, best = {}, (0, [])
    for i, line in enumerate(lines):
        m = re.match(r"^(\.LBB\S+):", line)
        if m:
            labels[m.group(1)] = i
        m = re.match(r"^\s+j\w+\s+(\.LBB\S+)", line)
        if m and labels.get(m.group(1), i) < i:
            body = [x.strip() for x in lines[labels[m.group(1)] + 1:i + 1]
                    if x.startswith("\t") and not x.strip().startswith(".")]
            vector = sum(("ymm" in x or "zmm" in x) for x in body)
            if vector > best[0]:
                best = (vector, body)
    return best[1]


def elements_per_iteration(body: list) -> int:
    """Float32 elements stored per iteration: the vector stores not to the stack."""
    width = {"zmm": 16, "ymm": 8, "xmm": 4}
    total = 0
    for x in body:
        m = re.match(r"v?movn?t?u?ps\s+%(\w)mm\d+, (\S+)", x.replace("vmovaps", "vmovups"))
        if m and "(" in m.group(2) and "rsp" not in m.group(2):
            total += width[m.group(1) + "mm"]
    return total or 8


def mca(body: list):
    """(cycles per iteration, share of dispatch stalls with the scheduler full) or None."""
    tool = shutil.which("llvm-mca")
    if tool is None:
        return None
    out = subprocess.run([tool, f"-mcpu={host().cpu}", "-iterations=300", "-dispatch-stats"],
                         input="\n".join(body), capture_output=True, text=True).stdout
    m = re.search(r"Total Cycles:\s+(\d+)", out)
    s = re.search(r"SCHEDQ\s+- Scheduler full:\s+\d+\s+\(([\d.]+)%\)", out)
    if not m:
        return None
    return int(m.group(1)) / 300, float(s.group(1)) if s else 0.0


def best_cpu_times(runners: dict, rounds: int, calls: int = 3) -> dict:
    best = {name: float("inf") for name in runners}
    for _ in range(rounds):
        for name, fn in runners.items():
            for _ in range(calls):
                t0 = time.thread_time()
                fn()
                best[name] = min(best[name], time.thread_time() - t0)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--n", type=int, default=4 << 20)
    args = parser.parse_args()
    tf.config.threading.set_intra_op_parallelism_threads(1)
    n = args.n
    print(f"machine: {L.machine()}; load average {os.getloadavg()[0]:.1f} at the start")
    sess, chain = session(n, lambda x, a, b: tf.tanh(x * a + b) * tf.sigmoid(x) + 0.5 * x * x)
    _, muladd = session(n, lambda x, a, b: x * a + b)
    xv = np.random.RandomState(0).randn(n).astype(np.float32)
    chain(xv, 2.0, 0.5)
    h = host()
    (plan,) = sess._plans.values()
    with h.lock:
        ref = h.parse(plan.executable.module_text)
        h.optimize(ref)
        asm = h.emit_assembly(ref)
    body = hot_loop(asm)
    per = elements_per_iteration(body) / 8
    count = lambda pred: sum(map(pred, body)) / per  # noqa: E731
    print(f"hot loop: {len(body)} instructions for {int(per * 8)} elements; per 8 elements "
          f"{count(lambda x: True):.1f} instructions, {count(lambda x: 'div' in x):.1f} "
          f"divisions, {count(lambda x: 'rsp' in x):.1f} stack loads/stores, "
          f"{count(lambda x: 'fma' in x or 'fnm' in x or 'fms' in x):.1f} FMAs, "
          f"{count(lambda x: x.startswith('vmul')):.1f} multiplies")
    sim = mca(body)
    if sim:
        print(f"llvm-mca ({h.cpu}): {sim[0] / per:.1f} cycles per 8 elements; "
              f"{sim[1]:.0f}% of dispatch stalls with the FP scheduler full")
    dst = np.empty_like(xv)
    best = best_cpu_times({"chain": lambda: chain(xv, 2.0, 0.5),
                           "x*a+b": lambda: muladd(xv, 2.0, 0.5),
                           "copy": lambda: np.copyto(dst, xv)}, args.rounds)
    for name, t in best.items():
        print(f"  {name:6s} {t * 1e3:7.3f} ms of CPU on one thread, "
              f"{t / (n / 8) * 1e9:6.2f} ns per 8 elements")
    print(f"chain at {best['copy'] / best['chain']:.0%} of one-thread copy bandwidth on one "
          f"thread's CPU time; the memory floor (x*a+b) is {best['x*a+b'] / best['chain']:.0%} "
          f"of the chain's time (load average {os.getloadavg()[0]:.1f} at the end)")


if __name__ == "__main__":
    main()
