"""Graphs real TensorFlow wrote (tests/fixtures/tf, made by make_fixtures.py there): frozen
`.pb` and `.pbtxt` files imported and run by graphc on both backends, equal to
TensorFlow's outputs saved beside them; and, where TensorFlow is installed, graphc's own
GraphDef of the imported graph run by TensorFlow."""
from __future__ import annotations

import os

import numpy as np
import pytest

import graphc as tf

from .fixtures import HERE, arrays
from .tensorflow_run import run_in_tensorflow

BACKENDS = ["numpy", "llvm"]
CASES = [("mlp", "mlp.pb"), ("convnet_bn", "convnet_bn.pb"),
         ("convnet_bn", "convnet_bn.pbtxt")]


def _run_graphc(graph_def, feeds, fetches, backend):
    with tf.Graph().as_default():
        tensors = tf.import_graph_def(graph_def, return_elements=fetches, name="")
        with tf.Session(backend=backend) as sess:
            return sess.run(tensors, feeds)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name, filename", CASES)
def test_tensorflow_graphs_run_in_graphc(name, filename, backend):
    feeds, want = arrays(name)
    gd = tf.train.read_graph(os.path.join(HERE, filename))
    got = _run_graphc(gd, feeds, list(want), backend)
    for key, value in zip(want, got):
        np.testing.assert_allclose(value, want[key], rtol=2e-5, atol=2e-5, err_msg=key)


def test_fixture_ops_are_the_ones_tensorflow_writes():
    gd = tf.train.read_graph(os.path.join(HERE, "convnet_bn.pb"))
    ops = {n.op for n in gd.node}
    assert {"FusedBatchNormV3", "DepthwiseConv2dNative", "Relu6", "Pad", "Mean", "Squeeze",
            "StridedSlice", "Shape", "Pack", "ConcatV2", "Identity", "ExpandDims"} <= ops
    assert gd == tf.train.read_graph(os.path.join(HERE, "convnet_bn.pbtxt"))


ROUND_TRIPS = CASES[:2] + [(n, f"{n}.pb") for n in (
    "cond_v1", "while_v1", "dynamic_rnn_v1", "nested_v1", "cond_v2", "while_v2",
    "dynamic_rnn_v2")]


@pytest.mark.parametrize("name, filename", ROUND_TRIPS)
def test_tensorflow_runs_graphcs_graph_def(name, filename):
    pytest.importorskip("tensorflow")
    feeds, want = arrays(name)
    fetches = list(want)
    with tf.Graph().as_default() as g:
        tf.import_graph_def(tf.train.read_graph(os.path.join(HERE, filename)), name="")
        data = g.as_graph_def().SerializeToString()
        with tf.Session() as sess:
            ours = sess.run(fetches, feeds)
    theirs = run_in_tensorflow(data, fetches, feeds)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=2e-5, atol=2e-5)
