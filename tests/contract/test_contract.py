"""Contract tests generated from the op registry.

For every registered op and every sample of it: the graph verifies, and running it on
the numpy backend gives, for every node, exactly the inferred dtype and a shape
compatible with the inferred one (the executor's debug validation), and the op under
test really is in the graph.
"""
from __future__ import annotations

import numpy as np
import pytest

import graphc
from graphc.ir import all_opdefs
from graphc.ir.graph import Graph, Tensor
from graphc.ir.verify import verify

from .registry_samples import all_samples, sample_cases

CASES = sample_cases()


def test_every_registered_op_has_samples():
    samples = all_samples()
    missing = sorted(name for name in all_opdefs() if len(samples.get(name, [])) < 2)
    assert not missing, f"ops without at least two contract samples: {missing}"


def test_samples_name_registered_ops():
    unknown = sorted(set(all_samples()) - set(all_opdefs()))
    assert not unknown, f"samples for unregistered op types: {unknown}"


def _run_sample(build):
    graph = Graph()
    with graph.as_default():
        built = build()
        outputs, feeds = built[0], built[1]
        setup = built[2] if len(built) > 2 else []  # e.g. variable initializers
        outs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
        sess = graphc.Session(graph=graph)
        if setup:
            sess.run(setup)
        values = sess.run(list(outs), feed_dict=feeds) if outs else []
    sess.close()
    return graph, outs, values


@pytest.mark.parametrize("case_id,op_type,build", CASES, ids=[c[0] for c in CASES])
def test_inferred_type_matches_numpy_semantics(case_id, op_type, build, monkeypatch):
    monkeypatch.setenv("GRAPHC_DEBUG", "1")  # the executor checks every node's output
    graph, outs, values = _run_sample(build)
    assert any(op.type == op_type for op in graph.get_operations()), (
        f"sample {case_id} builds no {op_type} op")
    verify(graph)
    for t, v in zip(outs, values):
        if not isinstance(t, Tensor):
            continue
        arr = np.asarray(v) if not isinstance(v, bytes) else np.asarray(v, dtype=object)
        if t.dtype.is_string:
            assert arr.dtype.kind in "OS", f"{t.name}: expected strings, got {arr.dtype}"
        else:
            assert arr.dtype == t.dtype.np, f"{t.name}: inferred {t.dtype.name}, got {arr.dtype}"
        assert t.shape.is_compatible_with(arr.shape), (
            f"{t.name}: inferred shape {t.shape}, got {arr.shape}")
