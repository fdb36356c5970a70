"""The pass pipeline: each pass's transformation, unchanged results, and the manager."""
import warnings

import numpy as np
import pytest

import graphc as tf
from graphc.passes.manager import DEFAULT_PIPELINE, PassError, PassManager
from graphc.passes.lower import lower
from graphc.passes.prune import build_program


def _plan(fetches, feeds, targets=()):
    program = build_program(list(fetches), list(targets), [t for t, _ in feeds])
    return lower(program, [(np.shape(v), t.dtype) for t, v in feeds])


def _types(plan):
    return sorted(op.type for op in plan.graph.get_operations())


def _run_both(fetches, feed_dict):
    """Values with the full pipeline and with every optional pass disabled."""
    off = tf.ConfigProto(graph_options=tf.GraphOptions(
        disabled_passes=["fold_constants", "simplify", "cse", "prune_after", "fuse"]))
    with tf.Session() as a, tf.Session(config=off) as b:
        return a.run(fetches, feed_dict), b.run(fetches, feed_dict)


def test_shapes_are_specialised_and_shape_ops_fold():
    x = tf.placeholder(tf.float32, [None, 3])
    n = tf.cast(tf.shape(x)[0], tf.float32)
    y = tf.reduce_sum(x) / n
    plan = _plan([y], [(x, np.zeros((4, 3), np.float32))])
    assert plan.graph.get_operation_by_name(x.op.name).outputs[0].shape.as_list() == [4, 3]
    out = PassManager(disabled=["fuse"]).run(plan)
    assert "Shape" not in _types(out) and "StridedSlice" not in _types(out)
    assert _types(out) == ["Const", "Placeholder", "RealDiv", "Sum"]
    a, b = _run_both(y, {x: np.arange(12, dtype=np.float32).reshape(4, 3)})
    assert a == b == pytest.approx(66 / 4)


def test_fold_never_touches_impure_ops_and_respects_the_size_limit():
    tf.set_random_seed(0)
    r = tf.random_uniform([3]) * 1.0
    big = tf.zeros([512, 512]) + 1.0
    v = tf.Variable(2.0)
    y = v * 3.0
    out = PassManager(disabled=["fuse"]).run(_plan([r, big, y], []))
    types = _types(out)
    assert "RandomUniform" in types and "VariableV2" in types and "Fill" in types


def test_cse_merges_pure_ops_but_not_random_ones():
    x = tf.placeholder(tf.float32, [2])
    a = tf.exp(x) + tf.exp(x)
    r1, r2 = tf.random_normal([2], seed=1), tf.random_normal([2], seed=1)
    out = PassManager(disabled=["fuse"]).run(_plan([a, r1, r2], [(x, np.zeros(2, np.float32))]))
    types = _types(out)
    assert types.count("Exp") == 1 and types.count("RandomStandardNormal") == 2


def test_simplify_identities_and_safer_forms():
    x = tf.placeholder(tf.float32, [2, 3])
    y = tf.transpose(tf.transpose(tf.negative(-x) * 1.0 + 0.0)) / 1.0
    z = tf.log(tf.nn.softmax(x))
    w = tf.reshape(tf.reshape(x, [3, 2]), [6])
    out = PassManager(disabled=["fuse"]).run(_plan([y, z, w], [(x, np.zeros((2, 3), np.float32))]))
    assert out.fetches[0] is out.feeds[0]  # y is x itself
    assert _types(out) == ["Const", "LogSoftmax", "Placeholder", "Reshape"]
    xv = np.random.RandomState(0).randn(2, 3).astype(np.float32)
    a, b = _run_both([y, z, w], {x: xv})
    for u, v in zip(a, b):
        np.testing.assert_allclose(u, v, rtol=1e-6)
    np.testing.assert_allclose(a[1], np.log(np.exp(xv) / np.exp(xv).sum(1, keepdims=True)),
                               rtol=1e-5)


def test_x_times_one_that_broadcasts_is_kept():
    x = tf.placeholder(tf.float32, [3])
    y = x * tf.ones([2, 3])
    out = PassManager(disabled=["fuse"]).run(_plan([y], [(x, np.zeros(3, np.float32))]))
    assert "Mul" in _types(out)


def test_variable_reads_keep_their_place():
    v = tf.Variable(1.0)
    inc = v.assign_add(1.0)
    with tf.control_dependencies([inc]):
        after = v.read_value()
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run([v, inc]) == [1.0, 2.0]
        assert sess.run(after) == 3.0


def test_training_graph_shrinks_and_trains_the_same():
    x = tf.placeholder(tf.float32, [None, 4])
    y = tf.placeholder(tf.float32, [None, 2])
    w = tf.Variable(np.full((4, 2), 0.1, np.float32))
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(
        labels=y, logits=tf.matmul(x, w)))
    train = tf.train.AdamOptimizer(0.1).minimize(loss)
    feeds = {x: np.random.RandomState(0).rand(8, 4).astype(np.float32),
             y: np.eye(2, dtype=np.float32)[[0, 1] * 4]}
    plan = _plan([loss], [(x, feeds[x]), (y, feeds[y])], [train])
    manager = PassManager()
    out = manager.run(plan)
    assert len(out.graph) < len(plan.graph)
    assert [name for name, *_ in manager.timings] == [n for n, _ in DEFAULT_PIPELINE]
    off = tf.ConfigProto(graph_options=tf.GraphOptions(
        disabled_passes=["fold_constants", "simplify", "cse", "prune_after", "fuse"]))
    results = []
    for config in (None, off):
        with tf.Session(config=config) as sess:
            sess.run(tf.global_variables_initializer())
            for _ in range(5):
                sess.run(train, feeds)
            results.append(sess.run([w, loss], feeds))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-6)


def test_manager_disables_by_name_reports_failing_pass_and_dumps(monkeypatch):
    x = tf.placeholder(tf.float32, [2])
    plan = _plan([tf.exp(x) * 1.0], [(x, np.zeros(2, np.float32))])
    dumps = []
    manager = PassManager(disabled=["simplify", "fuse"], dump="all", dump_to=dumps.append)
    out = manager.run(plan)
    assert "Mul" in _types(out) and "simplify" not in [n for n, *_ in manager.timings]
    assert dumps and dumps[0].startswith("after prune")
    monkeypatch.setenv("GRAPHC_DISABLE_PASSES", "cse")
    assert "cse" in PassManager().disabled
    with pytest.raises(ValueError, match="unknown pass name"):
        PassManager(disabled=["nope"])

    def broken(p):
        raise RuntimeError("boom")
    with pytest.raises(PassError, match=r"pass 'broken' failed \(after: prune\): "
                                        r"RuntimeError: boom"):
        PassManager(pipeline=[("prune", DEFAULT_PIPELINE[0][1]), ("broken", broken)]).run(plan)


def test_runtime_errors_still_name_the_users_node():
    idx = tf.placeholder(tf.int32, [None])
    g = tf.gather(tf.constant(np.arange(3.0)), idx)
    with tf.Session() as sess:
        with pytest.raises(tf.errors.InvalidArgumentError) as info:
            sess.run(g, {idx: [5]})
    assert info.value.op is g.op


def test_hand_written_cross_entropies_become_stable_fused_forms():
    logits = tf.placeholder(tf.float32, [4, 3])
    labels = tf.placeholder(tf.float32, [4, 3])
    softmax_xent = -tf.reduce_sum(labels * tf.log(tf.nn.softmax(logits)), axis=1)
    z = tf.placeholder(tf.float32, [4, 3])
    p = tf.sigmoid(logits)
    sigmoid_xent = -(z * tf.log(p) + (1.0 - z) * tf.log(1.0 - p))
    feeds = {logits: np.float32([[200, -200, 0]] * 4), labels: np.eye(3, dtype=np.float32)[
        [0, 1, 2, 0]], z: np.float32([[1, 0, 1]] * 4)}
    plan = _plan([softmax_xent, sigmoid_xent], [(t, v) for t, v in feeds.items()])
    out = PassManager(disabled=["fuse"]).run(plan)
    types = _types(out)
    assert "SoftmaxCrossEntropyWithLogits" in types and "Softplus" in types
    assert "Log" not in types and "Softmax" not in types
    with tf.Session() as sess:
        sx, gx = sess.run([softmax_xent, sigmoid_xent], feeds)
    # the naive forms give inf/nan here (log(0)); the fused forms are exact
    np.testing.assert_allclose(sx, [0, 400, 200, 0], rtol=1e-6)
    np.testing.assert_allclose(gx, [[0, 0, np.log(2)]] * 4, rtol=1e-6, atol=1e-6)


def test_broadcast_scalars_are_not_materialised():
    x = tf.placeholder(tf.float32, [None, 3])
    y = tf.maximum(x, tf.fill(tf.shape(x), 0.5)) * tf.broadcast_to(2.0, [4, 3])
    xv = np.random.RandomState(1).randn(4, 3).astype(np.float32)
    out = PassManager(disabled=["fuse"]).run(_plan([y], [(x, xv)]))
    assert "Fill" not in _types(out) and "BroadcastTo" not in _types(out)
    a, b = _run_both(y, {x: xv})
    np.testing.assert_allclose(a, np.maximum(xv, 0.5) * 2.0)
    np.testing.assert_allclose(a, b)


@pytest.mark.parametrize("env", ["GRAPHC_DISABLE_PASSES", "GRAPHC_DUMP_PASSES"])
def test_unknown_pass_names_in_environment_warn_once_listing_valid_names(monkeypatch, env):
    from graphc.passes import manager
    monkeypatch.setattr(manager, "_warned", set())
    monkeypatch.setenv(env, "cse, no_such_pass,fold_constans")
    with pytest.warns(manager.UnknownPassWarning) as caught:
        pm = PassManager()
    messages = sorted(str(w.message) for w in caught)
    assert len(messages) == 2, messages
    assert "'fold_constans'" in messages[0] and "'no_such_pass'" in messages[1]
    valid = ", ".join(n for n, _ in DEFAULT_PIPELINE)
    assert all(f"{env} names an unknown pass" in m and valid in m for m in messages)
    if env == "GRAPHC_DISABLE_PASSES":
        assert "cse" in pm.disabled  # the known name still takes effect
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a second manager (the next compile) stays quiet
        PassManager()


def test_dump_passes_all_is_a_valid_name(monkeypatch):
    from graphc.passes import manager
    monkeypatch.setattr(manager, "_warned", set())
    monkeypatch.setenv("GRAPHC_DUMP_PASSES", "all")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert "all" in PassManager(dump_to=lambda text: None).dump


@pytest.mark.parametrize("depthwise", [False, True])
def test_inference_batch_norm_folds_into_the_convolution(depthwise):
    rng = np.random.RandomState(3)
    x = tf.placeholder(tf.float32, [2, 6, 6, 3])
    shape = [3, 3, 3, 2] if depthwise else [3, 3, 3, 4]
    w = tf.constant(rng.randn(*shape).astype(np.float32))
    conv = (tf.nn.depthwise_conv2d if depthwise else tf.nn.conv2d)(x, w, [1, 1, 1, 1], "SAME")
    n = shape[2] * shape[3] if depthwise else shape[3]
    stats = [tf.constant(v.astype(np.float32)) for v in (
        rng.randn(n), rng.uniform(0.5, 2, n), rng.randn(n), 1 + 0.2 * rng.randn(n))]
    y, _, _ = tf.nn.fused_batch_norm(conv, stats[3], stats[2], stats[0], stats[1],
                                     is_training=False)
    feeds = [(x, np.zeros((2, 6, 6, 3), np.float32))]
    out = PassManager(disabled=["fuse", "fuse_conv"]).run(_plan([y], feeds))
    kind = "DepthwiseConv2dNative" if depthwise else "Conv2D"
    assert _types(out) == ["Add", "Const", "Const", kind, "Placeholder"]
    xv = rng.randn(2, 6, 6, 3).astype(np.float32)
    a, b = _run_both(y, {x: xv})
    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)


def test_a_convolution_read_twice_keeps_its_scale_apart():
    x = tf.placeholder(tf.float32, [1, 4, 4, 2])
    conv = tf.nn.conv2d(x, tf.ones([1, 1, 2, 2]), [1, 1, 1, 1], "VALID")
    y = conv * tf.constant([2.0, 3.0]) + conv
    out = PassManager(disabled=["fuse"]).run(_plan([y], [(x, np.zeros((1, 4, 4, 2),
                                                                       np.float32))]))
    assert _types(out).count("Conv2D") == 1 and "Mul" in _types(out)
