"""Frozen-model inference: the Keras MobileNetV2 (alpha 0.35, 96x96, random weights) that
TensorFlow froze into tests/fixtures/tf/mobilenet_v2.pb, imported by graphc and run on the
llvm and numpy backends, against TensorFlow running the same GraphDef, at batch 1 and 32,
all in one run. Each framework's outputs are checked against TensorFlow's stored ones first.

cold: the first call at each batch size after building the session (graphc-llvm compiles
its one symbolic plan at the first size, from the disk cache as found unless --fresh-cache;
the next size reuses it; TensorFlow optimises its graph on the first call).
warm: the frameworks take turns, `--rounds` rounds of calls each lasting about
`--round-time` seconds, so a busy machine's slow phases hit them alike; the best round
(ms/batch) is the figure, the median round beside it; ratios are TensorFlow's time over
each framework's (above 1: faster than TensorFlow).

Run: python benchmarks/frozen_mobilenet.py [--no-numpy] [--no-frameworks] [--fresh-cache]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import warnings

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(os.path.dirname(HERE), "tests", "fixtures", "tf")
sys.path.insert(0, HERE)
sys.path.insert(0, FIXTURES)
from llvm_backend import frameworks, machine  # noqa: E402
import make_mobilenet as M  # noqa: E402

import graphc as tf  # noqa: E402
from graphc.cli import table  # noqa: E402

warnings.simplefilter("ignore")
PB = os.path.join(FIXTURES, "mobilenet_v2.pb")


def _check(outputs, batch):
    with np.load(os.path.join(FIXTURES, "mobilenet_v2.outputs.npz")) as f:
        np.testing.assert_allclose(outputs, f[f"{M.FETCHES[1]}@{batch}"], rtol=1e-4,
                                   atol=1e-4)


def graphc_runner(backend):
    g = tf.Graph()
    with g.as_default():
        (probs,) = tf.import_graph_def(tf.train.read_graph(PB), name="",
                                       return_elements=[M.FETCHES[1]])
        x = g.get_tensor_by_name(M.INPUT)
        run = tf.Session(graph=g, backend=backend).make_callable(probs, [x])
    return run


def tensorflow_runner(tfm):
    t1 = tfm.compat.v1
    gd = t1.GraphDef()
    with open(PB, "rb") as f:
        gd.ParseFromString(f.read())
    g = tfm.Graph()
    with g.as_default():
        t1.import_graph_def(gd, name="")
    sess = t1.Session(graph=g)
    return lambda images: sess.run(M.FETCHES[1], {M.INPUT: images})


def _round(run, images, calls: int) -> float:
    """Seconds per call over `calls` calls (at least one)."""
    t0 = time.perf_counter()
    for _ in range(calls):
        run(images)
    return (time.perf_counter() - t0) / calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--no-numpy", action="store_true", help="skip graphc-numpy")
    parser.add_argument("--no-frameworks", action="store_true")
    parser.add_argument("--fresh-cache", action="store_true",
                        help="compile into an empty disk cache (a truly cold first run)")
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--round-time", type=float, default=0.5)
    args = parser.parse_args()
    if args.fresh_cache:
        os.environ["GRAPHC_CACHE_DIR"] = tempfile.mkdtemp(prefix="graphc-cache-")
    makers = {"graphc-llvm": lambda: graphc_runner("llvm")}
    if not args.no_numpy:
        makers["graphc-numpy"] = lambda: graphc_runner("numpy")
    fw = frameworks(not args.no_frameworks)
    if "tensorflow" in fw:
        makers["tensorflow"] = lambda: tensorflow_runner(fw["tensorflow"])
    runners, cold = {}, {}
    for name, make in makers.items():
        print(f"  building {name} ...", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        runners[name] = make()
        for batch in M.BATCHES:
            images = M.inputs(batch)
            t1 = time.perf_counter()
            out = runners[name](images)
            cold[name, batch] = time.perf_counter() - t1 + (t1 - t0 if batch == 1 else 0)
            _check(out, batch)
    rows = []
    for batch in M.BATCHES:
        images = M.inputs(batch)
        calls = {n: max(1, int(args.round_time / max(_round(r, images, 1), 1e-6)))
                 for n, r in runners.items()}
        samples: dict = {n: [] for n in runners}
        print(f"  measuring batch {batch}: {args.rounds} rounds of "
              f"{', '.join(f'{n} x{c}' for n, c in calls.items())} ...", file=sys.stderr,
              flush=True)
        for _ in range(args.rounds):
            for name, run in runners.items():
                samples[name].append(_round(run, images, calls[name]))
        best = {n: min(s) for n, s in samples.items()}
        middle = {n: statistics.median(s) for n, s in samples.items()}
        base, base_mid = best.get("tensorflow"), middle.get("tensorflow")
        for name in runners:
            rows.append([str(batch), name, f"{cold[name, batch] * 1e3:.0f}",
                         f"{best[name] * 1e3:.2f}", f"{middle[name] * 1e3:.2f}",
                         f"{batch / best[name]:.0f}",
                         f"{base / best[name]:.2f}x" if base else "-",
                         f"{base_mid / middle[name]:.2f}x" if base else "-"])
    print(f"frozen MobileNetV2 (alpha 0.35, 96x96x3) inference on {machine()}, "
          f"load average {os.getloadavg()[0]:.1f} at the end")
    print(table(["batch", "", "cold ms", "warm ms/batch", "median round", "images/s",
                 "vs tensorflow", "median vs tf"], rows))


if __name__ == "__main__":
    main()
