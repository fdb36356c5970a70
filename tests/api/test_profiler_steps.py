"""tf.profiler.Profiler (TF1's multi-step profiler: add_step, the four views, a step
chosen by with_step or the average of all) and tf.profiler.advise (AdviceProto), over
step stats of traced runs, on both backends."""
import numpy as np
import pytest

import graphc as tf

BACKENDS = ["numpy", "llvm"]
TRACE = tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE)


def _traced_steps(backend, n=3):
    x = tf.placeholder(tf.float32, [16, 8], name="x")
    with tf.variable_scope("dense"):
        w = tf.get_variable("w", [8, 8], initializer=tf.ones_initializer())
        h = tf.tanh(tf.matmul(x, w) * 0.1)
    loss = tf.reduce_sum(h, name="loss")
    train = tf.train.GradientDescentOptimizer(0.01).minimize(loss)
    sess = tf.Session(backend=backend)
    sess.run(tf.global_variables_initializer())
    profiler = tf.profiler.Profiler(sess.graph)
    metas = []
    for step in range(n):
        md = tf.RunMetadata()
        sess.run(train, {x: np.ones((16, 8), np.float32)}, options=TRACE, run_metadata=md)
        profiler.add_step(step, md)
        metas.append(md)
    sess.close()
    return profiler, metas


def _micros(md, name):
    return sum(s.all_end_rel_nanos // 1000 for d in md.step_stats.dev_stats
               if not d.device.endswith("/fused") for s in d.node_stats
               if s.node_name == name)


@pytest.mark.parametrize("backend", BACKENDS)
def test_profiler_views_of_one_step_and_of_the_average(backend, capsys):
    profiler, metas = _traced_steps(backend)
    options = tf.profiler.ProfileOptionBuilder.time_and_memory(min_micros=0, min_bytes=0)
    one = tf.profiler.ProfileOptionBuilder(options).with_step(1).build()
    by_op = profiler.profile_operations(one)
    kinds = {c.name: c for c in by_op.children}
    assert kinds["MatMul"].exec_micros == sum(
        _micros(metas[1], g.name) for g in kinds["MatMul"].graph_nodes)
    assert "MatMul" in capsys.readouterr().out
    average = profiler.profile_operations(options)
    (avg,) = [c for c in average.children if c.name == "MatMul"]
    per_node = {g.name: g.exec_micros for g in avg.graph_nodes}
    for name, us in per_node.items():
        assert us == sum(_micros(m, name) for m in metas) // 3
    scope = profiler.profile_name_scope(options)
    assert "dense" in {c.name for c in scope.children}
    graph = profiler.profile_graph(options)
    assert graph.total_exec_micros == scope.total_exec_micros
    code = profiler.profile_python(options)
    assert any("test_profiler_steps.py" in c.name for c in code.children)
    with pytest.raises(ValueError, match="no step 7"):
        profiler.profile_operations(tf.profiler.ProfileOptionBuilder(options)
                                    .with_step(7).build())


@pytest.mark.parametrize("backend", BACKENDS)
def test_advise_names_the_most_expensive_types_nodes_and_lines(backend, capsys):
    profiler, metas = _traced_steps(backend, n=2)
    advice = profiler.advise()
    assert isinstance(advice, tf.profiler.AdviceProto)
    assert set(advice.checkers) == set(tf.profiler.ALL_ADVICE)
    reports = list(advice.checkers["ExpensiveOperationChecker"].reports)
    assert reports[0].startswith("top 1 operation type: ")
    kinds = [r for r in reports if " operation type: " in r]
    shares = [float(r.rsplit("(", 1)[1].rstrip("%)")) for r in kinds]
    assert shares == sorted(shares, reverse=True) and 0 < sum(shares) <= 100.01
    assert any(" graph node: " in r for r in reports)
    assert any(" code: " in r and "test_profiler_steps.py" in r for r in reports)
    assert "CPU" in advice.checkers["AcceleratorUtilizationChecker"].reports[0]
    out = capsys.readouterr().out
    assert "ExpensiveOperationChecker:" in out and reports[0] in out
    once = tf.profiler.advise(run_meta=metas[0],
                              options={"ExpensiveOperationChecker": {}})
    assert list(once.checkers) == ["ExpensiveOperationChecker"]
    assert tf.profiler.AdviceProto.FromString(advice.SerializeToString()) == advice


def test_advise_without_step_stats_says_what_to_do():
    tf.placeholder(tf.float32, [2])
    advice = tf.profiler.advise(options={"ExpensiveOperationChecker": {}})
    assert "FULL_TRACE" in advice.checkers["ExpensiveOperationChecker"].reports[0]
    with pytest.raises(ValueError, match="unknown checker"):
        tf.profiler.advise(options={"GpuChecker": {}})
