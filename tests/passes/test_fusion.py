"""The fusion pass: which ops group, convexity, outputs, provenance, unchanged results."""
import inspect

import numpy as np
import pytest

import graphc as tf
from graphc.ir.ops.fused_ops import body_outputs
from graphc.ir.verify import verify
from graphc.passes.fuse import find_groups, fuse
from graphc.passes.manager import PassManager
from graphc.passes.lower import lower
from graphc.passes.prune import build_program

R = np.random.RandomState(0)


def _optimized(fetches, feeds, fuse_on=True):
    program = build_program(list(fetches), [], [t for t, _ in feeds])
    plan = lower(program, [(np.shape(v), t.dtype) for t, v in feeds])
    return PassManager(disabled=[] if fuse_on else ["fuse"], verify=True).run(plan)


def _fused_nodes(plan):
    return [op for op in plan.graph.get_operations() if op.type == "Fused"]


def _run(fetches, feed, fuse_on):
    off = ["fuse"] if not fuse_on else []
    config = tf.ConfigProto(graph_options=tf.GraphOptions(disabled_passes=off))
    with tf.Session(config=config) as sess:
        return sess.run(fetches, feed)


def test_elementwise_chain_becomes_one_fused_node():
    x = tf.placeholder(tf.float32, [1000])
    a, b = tf.placeholder(tf.float32, []), tf.placeholder(tf.float32, [])
    y = tf.tanh(x * a + b) * tf.sigmoid(x) + 0.5 * x * x
    feeds = [(x, R.randn(1000).astype(np.float32)), (a, np.float32(2)), (b, np.float32(.5))]
    plan = _optimized([y], feeds)
    fused = _fused_nodes(plan)
    assert len(fused) == 1
    body_types = sorted(op.type for op in fused[0].subgraphs["body"].get_operations())
    assert body_types.count("Mul") == 4 and "Tanh" in body_types and "Sigmoid" in body_types
    assert plan.fetches[0].op is fused[0]
    # Provenance: the fused node and each body op know the user's ops and lines.
    assert {op.name for op in fused[0].original} >= {"Tanh", "Sigmoid"}
    assert fused[0].user_op().graph is y.graph
    feed = dict(feeds)
    np.testing.assert_array_equal(_run(y, feed, True), _run(y, feed, False))


def test_group_never_wraps_around_an_outside_op():
    # e = exp(x) feeds both a reduction (not fusible) and a product with that reduction:
    # fusing e with the product would make a cycle through the reduction.
    x = tf.placeholder(tf.float32, [8])
    e = tf.exp(x) + 1.0
    s = tf.reduce_sum(e)
    y = tf.tanh(e * s) - 2.0
    feeds = [(x, R.randn(8).astype(np.float32))]
    plan = _optimized([y], feeds)
    verify(plan.graph)
    fused = _fused_nodes(plan)
    assert len(fused) == 2
    first, second = fused
    assert any(t.op is first for t in second.inputs)
    sum_op = next(op for op in plan.graph.get_operations() if op.type == "Sum")
    assert sum_op.inputs[0].op is first and any(t.op is sum_op for t in second.inputs)
    feed = dict(feeds)
    np.testing.assert_allclose(_run(y, feed, True), _run(y, feed, False), rtol=1e-6)


def test_fetched_intermediates_are_extra_outputs():
    x = tf.placeholder(tf.float64, [3, 4])
    h = tf.nn.relu(x * 2.0)
    y = tf.square(h) + h
    feeds = [(x, R.randn(3, 4))]
    plan = _optimized([h, y], feeds)
    (fused,) = _fused_nodes(plan)
    assert len(fused.outputs) == 2
    assert [t.op.type for t in body_outputs(fused)] == ["Relu", "Add"]
    feed = dict(feeds)
    for a, b in zip(_run([h, y], feed, True), _run([h, y], feed, False)):
        np.testing.assert_array_equal(a, b)


def test_bias_add_and_broadcasts_join_but_shapes_must_match_the_domain():
    x = tf.placeholder(tf.float32, [4, 3])
    bias = tf.placeholder(tf.float32, [3])
    row = tf.exp(bias) * 2.0  # shape [3]: its own group, not the [4, 3] one
    y = tf.nn.relu(tf.nn.bias_add(x, bias) * row)
    plan = _optimized([y], [(x, R.randn(4, 3).astype(np.float32)),
                            (bias, np.float32([1, 2, 3]))])
    groups = find_groups(plan) or []
    assert groups == []  # already fused: nothing left to group
    fused = _fused_nodes(plan)
    shapes = sorted(tuple(f.outputs[0].shape.as_list()) for f in fused)
    assert shapes == [(3,), (4, 3)]
    big = next(f for f in fused if f.outputs[0].shape.as_list() == [4, 3])
    assert "BiasAdd" in {op.type for op in big.subgraphs["body"].get_operations()}


def test_ops_with_control_inputs_join_and_the_fused_node_keeps_their_order():
    """A control input no longer keeps an op out of fusion (passes/sink_controls.py moves
    a pure op's to its consumers): the Fused node runs after the initializer."""
    v = tf.Variable(np.float32([1, 2]))
    x = tf.placeholder(tf.float32, [2])
    with tf.control_dependencies([v.initializer]):
        a = tf.exp(x)
    y = tf.tanh(a) * 2.0
    plan = _optimized([y], [(x, np.float32([0.5, 1]))])
    fused = _fused_nodes(plan)
    body = {op.type for op in fused[0].subgraphs["body"].get_operations()}
    assert len(fused) == 1 and "Exp" in body
    # the initializer runs first: an input of the node's, or in its body (it reads no v)
    assert "Assign" in body or [c.type for c in fused[0].control_inputs] == ["Assign"]
    for backend in ("numpy", "llvm"):
        with tf.Session(backend=backend) as sess:
            np.testing.assert_allclose(sess.run(y, {x: [0.5, 1]}),
                                       np.tanh(np.exp([0.5, 1])) * 2, rtol=1e-6)
            np.testing.assert_array_equal(sess.run(v.value()), [1, 2])


def test_fusion_keeps_training_results_identical():
    x = tf.placeholder(tf.float32, [16, 5])
    y = tf.placeholder(tf.float32, [16, 2])
    w = tf.Variable(R.randn(5, 2).astype(np.float32))
    b = tf.Variable(np.zeros(2, np.float32))
    logits = tf.nn.bias_add(tf.matmul(x, w), b)
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=logits))
    train = tf.train.AdamOptimizer(0.05).minimize(loss)
    feed = {x: R.randn(16, 5).astype(np.float32),
            y: np.eye(2, dtype=np.float32)[R.randint(0, 2, 16)]}
    results = []
    for off in ([], ["fuse"]):
        config = tf.ConfigProto(graph_options=tf.GraphOptions(disabled_passes=off))
        with tf.Session(config=config) as sess:
            sess.run(tf.global_variables_initializer())
            for _ in range(5):
                sess.run(train, feed)
            results.append(sess.run([w, b, loss], feed))
    for a, c in zip(*results):
        np.testing.assert_allclose(a, c, rtol=1e-6)


def test_runtime_error_inside_a_fused_node_names_the_users_line():
    x = tf.placeholder(tf.int32, [3])
    quotient = tf.floordiv(x * 2, x)  # integer division by zero raises (TF1)
    line = inspect.currentframe().f_lineno - 1
    y = quotient + 1
    feed = np.int32([1, 0, 2])
    plan = _optimized([y], [(x, feed)])
    (node,) = _fused_nodes(plan)  # the division runs inside the fused node
    assert {"Mul", "FloorDiv", "Add"} <= {op.type for op in node.subgraphs["body"]
                                            .get_operations()}
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match="Integer division by zero") as info:
            sess.run(y, {x: feed})
        assert sess.run(y, {x: np.int32([1, 3, -2])}).tolist() == [3, 3, 3]
    assert info.value.op is quotient.op  # the user's op, not the fused node
    assert f'test_fusion.py", line {line}' in str(info.value)
    assert "tf.floordiv(x * 2, x)" in str(info.value)


def test_fuse_on_a_plan_without_groups_is_the_same_plan():
    x = tf.placeholder(tf.float32, [2, 2])
    plan = _optimized([tf.matmul(x, x)], [(x, np.eye(2, dtype=np.float32))], fuse_on=False)
    assert fuse(plan) is plan


def test_trailing_reductions_join_the_chain_that_feeds_only_them():
    p = tf.placeholder(tf.float32, [16, 5])
    y = tf.placeholder(tf.float32, [16, 5])
    loss = tf.reduce_mean(tf.square(p - y))
    colmax = tf.reduce_max(tf.exp(p) * 2.0, axis=0)
    used_twice = tf.tanh(p)
    both = tf.reduce_sum(used_twice) + used_twice  # tanh escapes: no reduction root
    feeds = [(p, R.randn(16, 5).astype(np.float32)), (y, R.randn(16, 5).astype(np.float32))]
    plan = _optimized([loss, colmax, both], feeds)
    fused = _fused_nodes(plan)
    rooted = [f for f in fused if f.subgraphs["body"].get_operations()[-1].type in (
        "Mean", "Max")]
    assert len(rooted) == 2
    for f in rooted:
        assert len(f.outputs) == 1
    assert not any(f.subgraphs["body"].get_operations()[-1].type == "Sum" and
                   "Tanh" in {o.type for o in f.subgraphs["body"].get_operations()}
                   for f in fused)
    feed = dict(feeds)
    for a, b in zip(_run([loss, colmax, both], feed, True),
                    _run([loss, colmax, both], feed, False)):
        np.testing.assert_allclose(a, b, rtol=1e-5)
