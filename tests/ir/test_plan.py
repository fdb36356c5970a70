"""The Plan (ir/plan.py): the immutable IR the pipeline's last stage freezes and the
backends compile; and the provenance the passes' derived graphs keep (ir/graph.py)."""
from __future__ import annotations

import numpy as np
import pytest

import graphc as tf
from graphc import backends_registry
from graphc.backends.llvm import available as llvm_available
from graphc.ir.graph import DerivedGraph, Operation
from graphc.ir.ops.fused_ops import BODY, body_inputs, body_outputs, members
from graphc.ir.plan import Plan, PlanNode, PlanValue
from graphc.ir.runtime import RuntimeState
from graphc.passes.lower import lower
from graphc.passes.manager import PassManager
from graphc.passes.prune import build_program


def _plan(fetches, feeds, targets=()):
    program = build_program(list(fetches), list(targets), [t for t, _ in feeds])
    return PassManager().plan(lower(program, [(np.shape(v), t.dtype) for t, v in feeds]))


def test_a_plan_is_frozen_in_run_order_with_its_signature():
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    w = tf.constant(np.arange(6, dtype=np.float32).reshape(3, 2))
    y = tf.nn.relu(tf.matmul(x, w) + 1.0, name="y")
    z = tf.reduce_sum(y, name="z")
    plan = _plan([y, z], [(x, np.zeros((5, 3), np.float32))])
    assert isinstance(plan, Plan) and all(isinstance(n, PlanNode) for n in plan.nodes)
    assert [n.index for n in plan.nodes] == list(range(len(plan.nodes)))
    # the signature: one fed value (specialised to the fed shape), the two fetches
    (feed,) = plan.feeds
    assert isinstance(feed, PlanValue) and feed.shape.as_list() == [5, 3]
    assert feed.op not in plan.nodes and feed.op.user_op() is x.op
    assert [v.shape.as_list() for v in plan.fetches] == [[5, 2], []]
    assert plan.targets == ()
    # run order: every input is a feed or made by an earlier node
    seen = set(plan.feeds)
    for node in plan.nodes:
        assert all(v in seen for v in node.inputs), node
        assert all(c.index < node.index for c in node.control_inputs)
        assert all(v.op is node for v in node.outputs)
        seen.update(node.outputs)
    assert all(isinstance(n.inputs, tuple) and isinstance(n.outputs, tuple)
               for n in plan.nodes)


def test_nothing_in_a_plan_can_be_changed():
    x = tf.placeholder(tf.float32, [2], name="x")
    y = tf.reduce_max(x * 2.0, axis=0)
    plan = _plan([y], [(x, np.zeros(2, np.float32))])
    node = plan.nodes[-1]
    with pytest.raises(AttributeError, match="immutable"):
        node.name = "other"
    with pytest.raises(AttributeError, match="immutable"):
        node.outputs[0].shape = None
    with pytest.raises(AttributeError, match="immutable"):
        plan.nodes = ()
    with pytest.raises(TypeError):
        node.attrs["keep_dims"] = True  # a read-only mapping
    with pytest.raises(TypeError):
        node.subgraphs["body"] = None


def test_nodes_know_the_users_op_and_what_they_were_rewritten_from():
    x = tf.placeholder(tf.float32, [4], name="x")
    y = tf.sigmoid(tf.tanh(x, name="t"), name="s")
    plan = _plan([y], [(x, np.zeros(4, np.float32))])
    (fused,) = [n for n in plan.nodes if n.type == "Fused"]
    assert fused.user_op() in (y.op, y.op.inputs[0].op)  # a user's op of the group
    assert {op.name for op in fused.original} == {"t", "s"}
    assert all(isinstance(op, Operation) and op.graph.derived for op in fused.original)
    assert "created at" in fused.describe()


def test_a_variable_run_after_the_assignment_naming_it_is_one_node():
    v = tf.Variable(np.float32(1.0), name="v")
    read = tf.identity(v, name="read")
    with tf.control_dependencies([read]):
        update = tf.assign_add(v, 2.0, name="update")
    plan = _plan([read], [], [update.op])
    var_nodes = [n for n in plan.nodes if n.type == "VariableV2"]
    (assign,) = [n for n in plan.nodes if n.type == "AssignAdd"]
    ref = assign.inputs[0]
    assert isinstance(ref.op, PlanNode) and ref.op.name == "v"
    assert all(n is ref.op for n in var_nodes)  # the reader's variable is the ref's
    assert plan.targets == (assign,)


@pytest.mark.parametrize("backend", ["numpy", "llvm"])
def test_both_backends_compile_the_same_plan(backend):
    if backend == "llvm" and not llvm_available():
        pytest.skip("llvmlite cannot target this CPU")
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    y = tf.reduce_mean(tf.exp(x) * 0.5, axis=1)
    value = np.arange(6, dtype=np.float32).reshape(2, 3)
    plan = _plan([y], [(x, value)])
    exe = backends_registry.compile(backend, plan, RuntimeState())
    assert exe.plan is plan
    np.testing.assert_allclose(exe.run([value])[0], np.mean(np.exp(value) * 0.5, 1),
                               rtol=1e-6)


@pytest.mark.parametrize("backend", ["numpy", "llvm"])
def test_a_fused_body_is_frozen_in_the_plan_a_backend_compiled(backend):
    if backend == "llvm" and not llvm_available():
        pytest.skip("llvmlite cannot target this CPU")
    x = tf.placeholder(tf.float32, [3, 4], name="x")
    b = tf.placeholder(tf.float32, [4], name="b")
    y = tf.tanh(x * b + 1.0, name="y")
    z = tf.reduce_sum(tf.square(x - b), axis=1, name="z")  # a group ending in a reduction
    feeds = [(x, np.zeros((3, 4), np.float32)), (b, np.ones(4, np.float32))]
    plan = backends_registry.compile(backend, _plan([y, z], feeds), RuntimeState()).plan
    fused = [n for n in plan.nodes if n.type == "Fused"]
    assert len(fused) == 2
    for node in fused:
        body = node.subgraphs[BODY]
        assert isinstance(body, Plan) and body.targets == ()
        # the body's signature is the node's: a parameter per input, a result per output
        assert (body.feeds, body.nodes, body.fetches) == (
            body_inputs(node), members(node), body_outputs(node))
        assert [(p.dtype, p.shape) for p in body.feeds] == [(t.dtype, t.shape)
                                                            for t in node.inputs]
        assert [(v.dtype, v.shape) for v in body.fetches] == [(t.dtype, t.shape)
                                                              for t in node.outputs]
        assert all(p.op.type == "Placeholder" and p.op not in body.nodes for p in body.feeds)
        assert [m.index for m in body.nodes] == list(range(len(body.nodes)))
        assert all(isinstance(m, PlanNode) and isinstance(m.inputs, tuple) and
                   m.user_op().graph is x.graph for m in body.nodes)
        member = body.nodes[0]
        with pytest.raises(AttributeError, match="immutable"):
            body.nodes = body.nodes[1:]
        with pytest.raises(AttributeError, match="immutable"):
            member.inputs = ()
        with pytest.raises(AttributeError, match="immutable"):
            body.fetches[0].shape = None
        with pytest.raises(TypeError):
            member.attrs["T"] = tf.float64
        with pytest.raises(TypeError):
            node.subgraphs[BODY] = body
        with pytest.raises(AttributeError):
            body.create_op("Neg", [body.feeds[0]])  # no Graph to append to
    assert members(fused[1])[-1].type == "Sum"


def _agree(fetches, feeds):
    """`fetches` of one Plan compiled by both backends: (numpy's, llvm's, llvm's schedule)."""
    plan = _plan(fetches, feeds)
    assert any(n.type == "Fused" for n in plan.nodes)
    exes = [backends_registry.compile(b, plan, RuntimeState()) for b in ("numpy", "llvm")]
    assert all(e.plan is plan for e in exes)
    values = [v for _, v in feeds]
    return exes[0].run(values), exes[1].run(values), [k for k, _ in exes[1]._schedule]


@pytest.mark.skipif(not llvm_available(), reason="llvmlite cannot target this CPU")
def test_both_backends_agree_on_fused_bodies():
    r = np.random.RandomState(3)
    x = tf.placeholder(tf.float32, [5, 6], name="x")
    bias = tf.placeholder(tf.float32, [6], name="bias")
    k = tf.placeholder(tf.int32, [5, 6], name="k")
    xv, bv = r.randn(5, 6).astype(np.float32), r.randn(6).astype(np.float32)
    kv = r.randint(-9, 9, (5, 6)).astype(np.int32)
    h = tf.nn.relu(tf.nn.bias_add(x, bias))            # BiasAdd's broadcast in the body
    y = tf.sigmoid(h) * 2.0 - h                         # h also leaves the group
    m = tf.reduce_mean(tf.square(x - bias), axis=1)     # ends in a reduction
    q = tf.cast(tf.floordiv(k, 4) + k % 3, tf.float32) * x
    feeds = [(x, xv), (bias, bv), (k, kv)]
    got_numpy, got_llvm, schedule = _agree([h, y, m, q, tf.matmul(h, h, transpose_b=True)],
                                           feeds)
    assert schedule == ["native"]  # every fused body lowered to loop nests
    hv = np.maximum(xv + bv, 0)
    want = [hv, 2 / (1 + np.exp(-hv)) - hv, np.mean((xv - bv) ** 2, axis=1),
            (kv // 4 + kv % 3).astype(np.float32) * xv, hv @ hv.T]
    for a, b, w in zip(got_numpy, got_llvm, want):
        np.testing.assert_allclose(a, w, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-6)


def _dense_plan(scale=1.0, batch=4, name="y", act=tf.tanh, elsewhere=False):
    """A dense layer's plan, built in a graph of its own (at another line: `elsewhere`)."""
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 3], name="x")
        w = tf.Variable(np.ones((3, 2), np.float32), name="w")
        if elsewhere:
            y = act(tf.matmul(x, w) * scale + 1.0, name=name)
        else:
            y = act(tf.matmul(x, w) * scale + 1.0, name=name)
        return _plan([y], [(x, np.zeros((batch, 3), np.float32))])


def test_plans_compare_and_hash_by_their_structure():
    a, b = _dense_plan(), _dense_plan(elsewhere=True)
    assert a is not b and a.nodes[-1].site != b.nodes[-1].site
    assert a == b and hash(a) == hash(b) and len({a, b}) == 1
    assert a.structure() is a.structure()  # computed once
    assert any(n.type == "Fused" for n in a.nodes)
    for other in (_dense_plan(scale=2.0),      # a constant
                  _dense_plan(batch=5),        # a fed shape
                  _dense_plan(name="z"),       # a name
                  _dense_plan(act=tf.sigmoid)):  # a member of the Fused body
        assert other != a
    assert a != a.nodes and a != _plan([], [])


def test_user_op_follows_derived_provenance_and_stops_at_a_users_gradient_link():
    x = tf.placeholder(tf.float32, [3], name="x")
    y = tf.square(x, name="sq")
    (g,) = tf.gradients(y, [x])
    grad_op = g.op
    assert grad_op.original and not grad_op.graph.derived
    assert grad_op.user_op() is grad_op  # a user's gradient op is its own user op
    derived = DerivedGraph()
    p = derived.create_op("Placeholder", (), {"dtype": tf.float32, "shape": x.shape},
                          name="x", original=(x.op,))
    copy = derived.create_op("Square", (p.outputs[0],), name="sq", original=(y.op,))
    again = DerivedGraph().create_op("Placeholder", (), {"dtype": tf.float32,
                                                         "shape": x.shape},
                                     original=(copy,))
    assert again.user_op() is y.op
