"""The Plan (ir/plan.py): the immutable IR the pipeline's last stage freezes and the
backends compile; and the provenance the passes' derived graphs keep (ir/graph.py)."""
from __future__ import annotations

import numpy as np
import pytest

import graphc as tf
from graphc import backends_registry
from graphc.backends.llvm import available as llvm_available
from graphc.ir.graph import DerivedGraph, Operation
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
