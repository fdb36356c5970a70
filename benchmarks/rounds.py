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
                settle: float = 0.02) -> dict:
    """{name: (median seconds per call, best seconds per call)} over interleaved rounds."""
    calls = {name: calls_per_round(fn, round_time) for name, fn in runners.items()}
    samples: dict = {name: [] for name in runners}
    for _ in range(rounds):
        for name, fn in runners.items():
            n = calls[name]
            t0 = time.perf_counter()
            for _ in range(n):
                fn()
            samples[name].append((time.perf_counter() - t0) / n)
            if settle and not name.startswith(("graphc", "numpy", "copy")):
                time.sleep(settle)
    return {name: (statistics.median(s), min(s)) for name, s in samples.items()}
