"""Frozen-model inference: the Keras MobileNetV2 (alpha 0.35, 96x96, random weights) that
TensorFlow froze into tests/fixtures/tf/mobilenet_v2.pb, imported by graphc and run on the
llvm backend, against TensorFlow running the same GraphDef, at batch 1 and 32 (one run;
graphc-numpy too with --numpy). Each framework's outputs are checked against TensorFlow's
stored ones first.

Run: python benchmarks/frozen_mobilenet.py [--numpy] [--no-frameworks]
"""
from __future__ import annotations

import argparse
import os
import sys
import warnings

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(os.path.dirname(HERE), "tests", "fixtures", "tf")
sys.path.insert(0, HERE)
sys.path.insert(0, FIXTURES)
from llvm_backend import frameworks, machine, timeit  # noqa: E402
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--numpy", action="store_true", help="graphc-numpy as well")
    parser.add_argument("--no-frameworks", action="store_true")
    args = parser.parse_args()
    runners = {"graphc-llvm": graphc_runner("llvm")}
    if args.numpy:
        runners["graphc-numpy"] = graphc_runner("numpy")
    fw = frameworks(not args.no_frameworks)
    if "tensorflow" in fw:
        runners["tensorflow"] = tensorflow_runner(fw["tensorflow"])
    rows = []
    for batch in M.BATCHES:
        images = M.inputs(batch)
        times = {}
        for name, run in runners.items():
            print(f"  measuring {name} at batch {batch} ...", file=sys.stderr, flush=True)
            _check(run(images), batch)
            times[name] = timeit(lambda: run(images), min_time=2.0)
        base = times.get("tensorflow")
        for name, seconds in times.items():
            rows.append([str(batch), name, f"{seconds * 1e3:.2f}",
                         f"{batch / seconds:.0f}",
                         f"{base / seconds:.2f}x" if base else "-"])
    print(f"frozen MobileNetV2 (alpha 0.35, 96x96x3) inference on {machine()}")
    print(table(["batch", "", "ms/batch", "images/s", "speed vs tensorflow"], rows))


if __name__ == "__main__":
    main()
