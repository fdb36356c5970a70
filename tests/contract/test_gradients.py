"""Gradient contract tests generated from the op registry.

Every op has a VJP rule or is declared non-differentiable. For every sample of a
differentiable op that feeds float64 placeholders, the gradient that `tf.gradients` builds
(with random `grad_ys`, so the op's rule is tested alone) matches a central-difference
numerical gradient of sum(grad_ys * outputs).
"""
from __future__ import annotations

import numpy as np
import pytest

import graphc
from graphc.ir import NON_DIFFERENTIABLE, all_opdefs
from graphc.ir.graph import Graph, Tensor
from graphc.ir.ops.fake_quant_ops import STRAIGHT_THROUGH
from graphc.ir.shapes import TensorShape

from .registry_samples import sample_cases

EPS = 1e-6
RTOL, ATOL = 2e-4, 2e-6
MAX_ELEMENTS = 64  # per input, to keep central differences cheap


def test_every_op_has_a_vjp_rule_or_is_non_differentiable():
    missing = sorted(name for name, d in all_opdefs().items() if d.vjp is None)
    assert not missing, f"ops with neither a VJP rule nor a non-differentiable mark: {missing}"


def _functional(opdef) -> bool:
    """Pure ops, control flow (its graphs may hold state, its samples do not) and
    TensorArrays (their state lives for one run)."""
    return opdef.pure or opdef.family in ("control", "tensor_array", "collective")


def _feeds_float64(build) -> bool:
    graph = Graph()
    with graph.as_default():
        return bool(_float64_feeds(build()[1]))


def _grad_cases():
    """Samples of differentiable ops that feed float64 (central differences need it)."""
    cases = []
    for case_id, op_type, build in sample_cases():
        opdef = all_opdefs().get(op_type)
        if opdef is None or opdef.vjp is NON_DIFFERENTIABLE or not _functional(opdef):
            continue
        if _feeds_float64(build):
            cases.append((case_id, op_type, build))
    return cases


def test_every_differentiable_op_has_a_float64_gradient_sample():
    covered = {op_type for _, op_type, _ in CASES}
    wanted = {name for name, d in all_opdefs().items()
              if _functional(d) and d.vjp is not None and d.vjp is not NON_DIFFERENTIABLE
              and name not in STRAIGHT_THROUGH}  # (not derivatives: compared with TF)
    missing = sorted(wanted - covered)
    assert not missing, f"differentiable ops without a sample feeding float64: {missing}"


def _float64_feeds(feeds: dict) -> list:
    return [t for t, v in feeds.items() if isinstance(t, Tensor) and t.dtype.name == "float64"
            and np.asarray(v).size <= MAX_ELEMENTS]


CASES = _grad_cases()


@pytest.mark.parametrize("case_id,op_type,build", CASES, ids=[c[0] for c in CASES])
def test_gradient_matches_central_differences(case_id, op_type, build):
    _check_gradient(case_id, op_type, build, Graph())


class _RelaxedGraph(Graph):
    """A graph whose Placeholders forget their static shape: the rank (`rank`) or every
    dim (`dims`), as a program feeding batches of any shape builds them."""

    def __init__(self, mode: str) -> None:
        super().__init__()
        self.mode = mode
        self.relaxed = 0

    def create_op(self, op_type, inputs=(), attrs=None, *args, **kwargs):
        if op_type == "Placeholder" and attrs and attrs.get("shape") is not None:
            shape = TensorShape(attrs["shape"])
            relaxed = TensorShape(None) if self.mode == "rank" else TensorShape(
                None if shape.ndims is None else [None] * shape.ndims)
            if relaxed.as_tuple() != shape.as_tuple():
                attrs = {**attrs, "shape": relaxed}
                self.relaxed += 1
        return super().create_op(op_type, inputs, attrs, *args, **kwargs)


@pytest.mark.parametrize("mode", ["rank", "dims"])
@pytest.mark.parametrize("case_id,op_type,build", CASES, ids=[c[0] for c in CASES])
def test_gradient_with_unknown_rank_or_dims_matches_central_differences(
        case_id, op_type, build, mode):
    """The same samples with every placeholder of unknown rank (or unknown dims): the VJP
    rules must not need static shapes the forward op does not need (issue 15 item 7)."""
    graph = _RelaxedGraph(mode)
    with graph.as_default():
        try:
            build()
        except (ValueError, TypeError) as exc:
            pytest.skip(f"the op needs static shapes here: {str(exc).splitlines()[0]}")
    if not graph.relaxed:
        pytest.skip("no placeholder has a static shape to forget")
    _check_gradient(case_id, op_type, build, _RelaxedGraph(mode))


def _check_gradient(case_id, op_type, build, graph):
    with graph.as_default():
        built = build()
        outputs, feeds = built[0], dict(built[1])
        setup = built[2] if len(built) > 2 else []
        xs = _float64_feeds(feeds)
        if not xs:
            pytest.skip("sample feeds no float64 tensor")
        outs = [t for t in (outputs if isinstance(outputs, (list, tuple)) else [outputs])
                if isinstance(t, Tensor) and t.dtype.name == "float64" and t.op.type == op_type]
        if not outs:
            pytest.skip("no float64 output of the op under test (central differences need it)")
        sess = graphc.Session(graph=graph)
        if setup:
            sess.run(setup)
        values = sess.run(outs, feeds)
        rng = np.random.RandomState(1)
        weights = [rng.uniform(0.5, 1.5, np.shape(v)).astype(t.dtype.np)
                   for t, v in zip(outs, values)]
        grad_ys = [graphc.constant(w) for w in weights]
        grads = graphc.gradients(outs, xs, grad_ys=grad_ys)
        fetch = [g for g in grads if g is not None]
        analytic = dict(zip([x for x, g in zip(xs, grads) if g is not None],
                            sess.run(fetch, feeds)))

    def objective(fd) -> float:
        vals = sess.run(outs, fd)
        return float(sum(np.sum(w.astype(np.float64) * np.asarray(v, np.float64))
                         for w, v in zip(weights, vals)))

    for x in xs:
        base = np.array(feeds[x], dtype=np.float64)
        numeric = np.zeros_like(base)
        for i in np.ndindex(base.shape):
            plus, minus = base.copy(), base.copy()
            plus[i] += EPS
            minus[i] -= EPS
            numeric[i] = (objective({**feeds, x: plus}) - objective({**feeds, x: minus})) / (
                2 * EPS)
        got = analytic.get(x)
        if got is None:
            assert np.allclose(numeric, 0.0, atol=ATOL), (
                f"{case_id}: tf.gradients gave None for {x.name}, numeric gradient is "
                f"{numeric}")
            continue
        got = np.asarray(got, np.float64)
        assert got.shape == base.shape, (
            f"{case_id}: gradient w.r.t. {x.name} has shape {got.shape}, input {base.shape}")
        np.testing.assert_allclose(got, numeric, rtol=RTOL, atol=ATOL,
                                   err_msg=f"{case_id}: gradient w.r.t. {x.name}")
    sess.close()
