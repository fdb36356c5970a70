"""Interleaved timing for benchmarks that compare frameworks in one run.

The runners take turns: `rounds` rounds, each giving every runner about `round_time`
seconds of calls, so a loaded machine's slow phases (other jobs, thermal steps) fall on
all of them alike; the median round is the figure, the best round shown beside it.
A framework whose thread pools keep spinning after its calls (TensorFlow, XLA) gets
`settle` seconds of idle time after its turn, so the next runner does not pay for it.
"""
from __future__ import annotations

import statistics
import time


def calls_per_round(fn, round_time: float) -> int:
    """How many calls of `fn` last about `round_time` (after two warm-up calls)."""
    fn()
    fn()
    t0 = time.perf_counter()
    fn()
    one = max(time.perf_counter() - t0, 1e-7)
    if one < round_time / 50:  # fast calls: time a batch for a steadier estimate
        n = max(1, int(round_time / 10 / one))
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        one = max((time.perf_counter() - t0) / n, 1e-7)
    return max(1, int(round_time / one))


def interleaved(runners: dict, rounds: int = 7, round_time: float = 0.3,
                settle: float = 0.02, cpu: dict | None = None) -> dict:
    """{name: (median seconds per call, best seconds per call)} over interleaved rounds.
    `cpu`, when given, gets {name: (the process's CPU seconds per call, all its threads,
    over every round; the cores' worth it held meanwhile: CPU over wall time)}."""
    calls = {name: calls_per_round(fn, round_time) for name, fn in runners.items()}
    samples: dict = {name: [] for name in runners}
    used = {name: [0.0, 0.0] for name in runners}
    for _ in range(rounds):
        for name, fn in runners.items():
            n = calls[name]
            c0 = time.process_time()
            t0 = time.perf_counter()
            for _ in range(n):
                fn()
            wall = time.perf_counter() - t0
            used[name][0] += time.process_time() - c0
            used[name][1] += wall
            samples[name].append(wall / n)
            if settle and not name.startswith(("graphc", "numpy", "copy")):
                time.sleep(settle)
    if cpu is not None:
        for name, (seconds, wall) in used.items():
            cpu[name] = (seconds / (calls[name] * rounds), seconds / max(wall, 1e-9))
    return {name: (statistics.median(s), min(s)) for name, s in samples.items()}
