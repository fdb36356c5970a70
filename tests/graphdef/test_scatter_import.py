"""TensorFlow's scatters into variables on import (tests/fixtures/tf/scatter_graphs.json,
made by make_scatter_graph_fixtures.py from the cases of tests/api/state_cases.py): the
GraphDefs TensorFlow wrote over reference variables (ScatterAdd, ScatterNdUpdate, ...)
and resource variables (ResourceScatterAdd, ...) become graphc's own scatter ops, not
compositions, and run to TensorFlow's results on both backends (repeated indices, an
index out of range an InvalidArgumentError)."""
from __future__ import annotations

import base64
import json
import os

import numpy as np
import pytest

import graphc as tf
from graphc import protos

from ..api.state_cases import M43, run_by_name

FIXTURE = os.path.join(os.path.dirname(os.path.dirname(__file__)), "fixtures", "tf",
                       "scatter_graphs.json")
with open(FIXTURE) as _f:
    CASES = json.load(_f)["cases"]
BACKENDS = ["numpy", "llvm"]
SCATTERS = {"ScatterUpdate", "ScatterAdd", "ScatterSub", "ScatterMul", "ScatterDiv",
            "ScatterMin", "ScatterMax", "ScatterNdUpdate", "ScatterNdAdd", "ScatterNdSub",
            "TensorScatterMax", "TensorScatterMin"}


def _graph(case: dict) -> tf.Graph:
    gd = protos.GraphDef.FromString(base64.b64decode(case["graph_def"]))
    g = tf.Graph()
    with g.as_default():
        tf.import_graph_def(gd, name="")
    return g


def test_the_fixture_covers_every_variable_scatter_in_both_forms():
    ops = set().union(*(c["ops"] for c in CASES.values()))
    assert SCATTERS <= ops
    assert {"Resource" + s for s in SCATTERS if not s.startswith("Tensor")} <= ops


@pytest.mark.parametrize("name", sorted(CASES))
def test_imports_as_graphcs_scatter_op(name):
    case = CASES[name]
    imported = {op.type for op in _graph(case).get_operations()}
    tf_scatters = {t.replace("Resource", "", 1) for t in case["ops"]} & SCATTERS
    assert tf_scatters <= imported  # the op itself, not a gather/TensorScatter composition
    if not name.endswith("tensor_scatter_nd_min_max"):
        assert not {"TensorScatterUpdate", "TensorScatterAdd", "TensorScatterSub"} & imported


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", sorted(CASES))
def test_runs_to_tensorflows_results(name, backend):
    case = CASES[name]
    with tf.Session(graph=_graph(case), backend=backend) as sess:
        got = run_by_name(sess.run, case, tf.errors.OpError)
    want = case["want"]
    if name == "resource_scatter_div":
        # TensorFlow's resource kernel alone refuses a zero in the updates ("updates must
        # not contain 0"); graphc's ScatterDiv divides as the reference kernel does
        assert want["error"] == "InvalidArgumentError"
        want = CASES["scatter_div"]["want"]
    assert got.get("error") == want.get("error")
    assert len(got["updates"]) == len(want["updates"])
    for g_run, w_run in zip(got["updates"], want["updates"]):
        for g, w in zip(g_run, w_run):
            np.testing.assert_allclose(np.float64(g), np.float64(w), rtol=1e-6)
    if "error" in want:
        # TensorFlow's kernel has written the rows before the bad index when it fails;
        # graphc checks every index first, so a failed scatter writes nothing
        np.testing.assert_array_equal(got["variables"][0], M43)
        return
    for g, w in zip(got["variables"], want["variables"]):
        np.testing.assert_allclose(np.float64(g), np.float64(w), rtol=1e-6)
