"""Every contract sample of every registered op runs on both backends and agrees, within
the one tolerance table (graphc.ir.numerics), with the numpy reference interpreter."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import graphc
from graphc.ir import all_opdefs
from graphc.ir.graph import Graph, Tensor
from graphc.ir.numerics import assert_close

from ..contract.registry_samples import sample_cases

CASES = sample_cases()


def _run(graph, outs, feeds, setup, backend):
    with graph.as_default(), graphc.Session(graph=graph, backend=backend) as sess:
        if setup:
            sess.run(setup)
        return sess.run(list(outs), feed_dict=feeds) if outs else []


@pytest.mark.parametrize("case_id,op_type,build", CASES, ids=[c[0] for c in CASES])
def test_llvm_matches_numpy(case_id, op_type, build):
    graph = Graph()
    with graph.as_default():
        graphc.set_random_seed(1234)
        built = build()
    outputs, feeds = built[0], built[1]
    setup = built[2] if len(built) > 2 else []
    outs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
    want = _run(graph, outs, feeds, setup, "numpy")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = _run(graph, outs, feeds, setup, "llvm")
    family = all_opdefs()[op_type].family
    for t, a, b in zip(outs, got, want):
        if not isinstance(t, Tensor):
            continue
        if t.dtype.is_string:
            assert np.array_equal(np.asarray(a, object), np.asarray(b, object))
            continue
        assert_close(a, b, family, err_msg=f"{case_id}: {t.name}")
