"""What bounds issue 21's fused chain, tanh(x*a+b)*sigmoid(x)+0.5*x*x on 4M float32:
the instructions of its hot AVX loop, and its CPU time on one thread beside the memory
floor of the same data (a copy, and a fused x*a+b, which reads and writes as much).

Machine code: the plan's module as graphc compiles it (the Session's own IR, optimised
and assembled for this CPU by the host target), its hottest loop found as the backward
branch whose body has the most vector instructions; per 8 elements: instructions,
divisions, stack loads and stores (spills). With `llvm-mca` on the PATH (the newest
`llvm-mca-NN` that knows this CPU), also its simulation of that loop (cycles per 8
elements, why dispatch stalls, and the busiest execution resource: on Zen 4, LLVM 19's
model puts FMAs, multiplies, min/max, compares and the divider on pipes FP0/FP1, adds
and logic on FP2/FP3; its Zen 3 model counts a 256-bit FMA at half the rate the
hardware runs, so there read its cycles as an upper bound).

Time: CPU time of the calling thread (time.thread_time) with the pool at one thread, so
a loaded machine's waits for a core do not count; interleaved rounds, the best of each.
With --pool, also the chain as a Session runs it, split across the pool: wall time (best
and median), all threads' CPU per call, and what the pool did (splits, calls it ran
inline while a size class backed off: threadpool.py).

Run: python benchmarks/chain_profile.py [--rounds 9] [--n 4194304] [--pool]
"""
from __future__ import annotations

import argparse
import os
import re
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
    register operands, among the loops of one basic block (the vectorised body; a
    backward branch whose span holds other labels is an outer loop or the remainder's)
    when there are any."""
    lines = asm.splitlines()
    labels, best = {}, {True: (0, []), False: (0, [])}
    for i, line in enumerate(lines):
        m = re.match(r"^(\.LBB\S+):", line)
        if m:
            labels[m.group(1)] = i
        m = re.match(r"^\s+j\w+\s+(\.LBB\S+)", line)
        if m and labels.get(m.group(1), i) < i:
            span = lines[labels[m.group(1)] + 1:i + 1]
            one_block = not any(re.match(r"^\.LBB\S+:", x) for x in span)
            body = [x.strip() for x in span
                    if x.startswith("\t") and not x.strip().startswith(".")]
            vector = sum(("ymm" in x or "zmm" in x) for x in body)
            if vector > best[one_block][0]:
                best[one_block] = (vector, body)
    return (best[True] if best[True][0] else best[False])[1]


def elements_per_iteration(body: list) -> int:
    """Float32 elements stored per iteration: the vector stores that are not spills (to a
    fixed stack slot; a streamed kernel's loop stores into a stack tile by index)."""
    width = {"zmm": 16, "ymm": 8, "xmm": 4}
    total = 0
    for x in body:
        m = re.match(r"v?movn?t?u?ps\s+%(\w)mm\d+, (\S+)", x.replace("vmovaps", "vmovups"))
        if m and "(" in m.group(2) and not re.fullmatch(r"-?\d*\(%rsp\)", m.group(2)):
            total += width[m.group(1) + "mm"]
    return total or 8


def mca_tools() -> list:
    """llvm-mca executables on the PATH, the newest versioned one first (an older LLVM may
    not know this CPU: Debian's llvm-mca 14 has no znver4)."""
    found = {}
    for folder in os.environ.get("PATH", "").split(os.pathsep):
        for name in (os.listdir(folder) if os.path.isdir(folder) else ()):
            m = re.fullmatch(r"llvm-mca(?:-(\d+))?", name)
            if m and os.access(os.path.join(folder, name), os.X_OK):
                found.setdefault(name, (int(m.group(1) or 0), os.path.join(folder, name)))
    return [path for _, path in sorted(found.values(), reverse=True)]


def mca(body: list):
    """(cycles per iteration, share of dispatch stalls with the scheduler full, the busiest
    execution resource and its cycles per iteration) from the newest llvm-mca that knows
    this CPU, or None."""
    for tool in mca_tools():
        run = subprocess.run([tool, f"-mcpu={host().cpu}", "-iterations=300",
                              "-dispatch-stats", "-resource-pressure", "-timeline=false"],
                             input="\n".join(body), capture_output=True, text=True)
        m = re.search(r"Total Cycles:\s+(\d+)", run.stdout)
        if m and "not a recognized processor" not in run.stderr:
            break
    else:
        return None
    s = re.search(r"SCHEDQ\s+- Scheduler full:\s+\d+\s+\(([\d.]+)%\)", run.stdout)
    names = dict(re.findall(r"^\[([\d.]+)\]\s+- (\S+)", run.stdout, re.M))
    head = re.search(r"Resource pressure per iteration:\n(.*)\n(.*)\n", run.stdout)
    busiest = ("?", 0.0)
    if head:
        for key, value in zip(re.findall(r"\[([\d.]+)\]", head.group(1)), head.group(2).split()):
            if value != "-" and float(value) > busiest[1]:
                busiest = (names.get(key, key), float(value))
    return (int(m.group(1)) / 300, float(s.group(1)) if s else 0.0, *busiest,
            os.path.basename(tool))


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
    parser.add_argument("--pool", action="store_true",
                        help="also time the chain split across the thread pool")
    args = parser.parse_args()
    if not args.pool:
        tf.config.threading.set_intra_op_parallelism_threads(1)
    pool = host().pool
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
        print(f"{sim[4]} ({h.cpu}): {sim[0] / per:.1f} cycles per 8 elements; "
              f"{sim[1]:.0f}% of dispatch stalls with the FP scheduler full; busiest "
              f"resource {sim[2]}, {sim[3] / per:.1f} cycles per 8 elements")
    dst = np.empty_like(xv)

    def one_thread(fn):
        def run():
            with pool.threads_for_now(1):
                fn(xv, 2.0, 0.5)
        return run
    best = best_cpu_times({"chain": one_thread(chain), "x*a+b": one_thread(muladd),
                           "copy": lambda: np.copyto(dst, xv)}, args.rounds)
    for name, t in best.items():
        print(f"  {name:6s} {t * 1e3:7.3f} ms of CPU on one thread, "
              f"{t / (n / 8) * 1e9:6.2f} ns per 8 elements")
    print(f"chain at {best['copy'] / best['chain']:.0%} of one-thread copy bandwidth on one "
          f"thread's CPU time; the memory floor (x*a+b) is {best['x*a+b'] / best['chain']:.0%} "
          f"of the chain's time (load average {os.getloadavg()[0]:.1f} at the end)")
    if args.pool:
        split_across_pool(pool, lambda: chain(xv, 2.0, 0.5), args.rounds * 3, best)


def split_across_pool(pool, fn, calls: int, one_thread: dict) -> None:
    """The chain at the pool's own choice: wall time and all threads' CPU per call, and
    the pool's counts over these calls."""
    before, walls, cpus = pool.stats(), [], []
    for _ in range(calls):
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    after = pool.stats()
    count = {k: after[k] - before[k] for k in ("splits", "skipped", "backoffs")}
    print(f"split across the pool ({pool.threads} threads), {calls} calls: wall best "
          f"{min(walls) * 1e3:.3f} ms (copy at {one_thread['copy'] / min(walls):.0%} of it), "
          f"median {np.median(walls) * 1e3:.3f} ms; all threads' CPU median "
          f"{np.median(cpus) * 1e3:.3f} ms per call; {count['splits']} split, "
          f"{count['skipped']} inline while backing off, {count['backoffs']} back-offs "
          f"(load average {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
