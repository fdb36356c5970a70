"""Run a serialized GraphDef in real TensorFlow (for the tests that skip without it)."""
from __future__ import annotations

import pytest


def run_in_tensorflow(data: bytes, fetches, feeds):
    """TensorFlow's outputs for `fetches` of the GraphDef bytes `data` fed `feeds`."""
    tfm = pytest.importorskip("tensorflow")
    tf1 = tfm.compat.v1
    graph = tfm.Graph()
    with graph.as_default():
        gd = tf1.GraphDef()
        gd.ParseFromString(data)
        tf1.import_graph_def(gd, name="")
        with tf1.Session(graph=graph) as sess:
            return sess.run(fetches, feeds)
