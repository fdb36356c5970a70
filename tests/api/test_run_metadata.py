"""Run tracing on both backends: RunOptions(trace_level=FULL_TRACE) fills RunMetadata's
step stats (every op of the plan, fused kernels with their members) and partition graphs;
timeline.Timeline turns them into Chrome trace JSON; tf.profiler.profile tabulates them;
FileWriter.add_run_metadata writes them for TensorBoard; Session.profile gives the
per-kernel profile."""
from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

import graphc as tf
from graphc.python.client import timeline

BACKENDS = ["numpy", "llvm"]
CPU = "/job:localhost/replica:0/task:0/device:CPU:0"


@pytest.fixture(autouse=True)
def _quiet_fallbacks():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _model():
    x = tf.placeholder(tf.float32, [4, 3], name="x")
    with tf.variable_scope("layer"):
        w = tf.get_variable("w", [3, 2], initializer=tf.ones_initializer())
        h = tf.tanh(tf.matmul(x, w) * 2.0 + 1.0)
    y = tf.reduce_sum(h, name="y")
    return x, y


def _traced_run(backend):
    x, y = _model()
    feed = {x: np.arange(12, dtype=np.float32).reshape(4, 3) / 10}
    sess = tf.Session(backend=backend)
    sess.run(tf.global_variables_initializer())
    plain = sess.run(y, feed)
    md = tf.RunMetadata()
    traced = sess.run(y, feed, options=tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE),
                      run_metadata=md)
    return sess, plain, traced, md


@pytest.mark.parametrize("backend", BACKENDS)
def test_step_stats_list_every_op_of_the_plan_with_times_shapes_and_bytes(backend):
    sess, plain, traced, md = _traced_run(backend)
    assert traced == plain
    devices = {d.device: d for d in md.step_stats.dev_stats}
    assert set(devices) == {CPU, CPU + "/fused"}
    stats = {s.node_name: s for s in devices[CPU].node_stats}
    plan = sess._plans[next(reversed(sess._plans))].executable.plan
    assert {op.name for op in plan.nodes} <= set(stats)
    mm = stats["layer/MatMul"]
    assert mm.timeline_label == "layer/MatMul = MatMul(x:0, layer/w/read:0)"
    assert mm.all_start_micros > 1_600_000_000 * 10**6  # epoch micros
    assert 0 <= mm.op_start_rel_micros <= mm.op_end_rel_micros <= mm.all_end_rel_micros
    assert mm.all_end_rel_nanos > 0
    (out,) = mm.output
    assert [d.size for d in out.tensor_description.shape.dim] == [4, 2]
    assert out.tensor_description.dtype == 1  # DT_FLOAT
    assert out.tensor_description.allocation_description.requested_bytes == 32
    assert mm.memory[0].total_bytes == 32
    # the fused kernel reports itself and the ops it holds
    fused = [s for s in stats.values() if "Fused[" in s.timeline_label]
    assert len(fused) == 1 and fused[0].timeline_label.startswith(
        f"{fused[0].node_name} = Fused[Mul+Add+Tanh+Sum](layer/MatMul:0")
    members = {s.node_name: s for s in devices[CPU + "/fused"].node_stats}
    assert set(members) == {"layer/mul", "layer/add", "layer/Tanh", "y"}
    assert members["layer/mul"].timeline_label.startswith("layer/mul = Mul(layer/MatMul:0")
    f = fused[0]
    for m in members.values():
        assert f.all_start_nanos <= m.all_start_nanos
        assert m.all_start_nanos + m.all_end_rel_nanos <= f.all_start_nanos + \
            f.all_end_rel_nanos
    # the optimized plan as a GraphDef
    (gd,) = md.partition_graphs
    assert {n.name for n in gd.node} == {op.name for op in plan.nodes}
    assert "Fused" in {n.op for n in gd.node}
    # the message is TensorFlow's: it round-trips through the wire format
    again = tf.RunMetadata.FromString(md.SerializeToString())
    assert again == md
    sess.close()


@pytest.mark.parametrize("backend", BACKENDS)
def test_without_tracing_run_metadata_stays_empty(backend):
    x, y = _model()
    with tf.Session(backend=backend) as sess:
        sess.run(tf.global_variables_initializer())
        md = tf.RunMetadata()
        sess.run(y, {x: np.ones((4, 3), np.float32)}, run_metadata=md)
        assert not md.step_stats.dev_stats and not md.partition_graphs
        sess.run(y, {x: np.ones((4, 3), np.float32)},
                 options=tf.RunOptions(output_partition_graphs=True), run_metadata=md)
        assert not md.step_stats.dev_stats and len(md.partition_graphs) == 1


@pytest.mark.parametrize("backend", BACKENDS)
def test_traced_training_steps_update_variables_as_untraced_ones(backend):
    def train(trace):
        tf.reset_default_graph()
        x = tf.placeholder(tf.float32, [8, 3])
        w = tf.get_variable("w", [3, 1], initializer=tf.ones_initializer())
        loss = tf.reduce_mean(tf.square(tf.matmul(x, w) - 1.0))
        step = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
        feed = {x: np.linspace(-1, 1, 24, dtype=np.float32).reshape(8, 3)}
        with tf.Session(backend=backend) as sess:
            sess.run(tf.global_variables_initializer())
            for _ in range(3):
                md = tf.RunMetadata()
                sess.run(step, feed, options=tf.RunOptions(trace_level=3) if trace else None,
                         run_metadata=md)
            return sess.run(w), md

    plain, _ = train(False)
    traced, md = train(True)
    np.testing.assert_array_equal(plain, traced)
    labels = [s.timeline_label for d in md.step_stats.dev_stats for s in d.node_stats]
    assert any("MatMul" in label for label in labels)


@pytest.mark.parametrize("backend", BACKENDS)
def test_make_callable_accepts_options_and_run_metadata(backend):
    x, y = _model()
    with tf.Session(backend=backend) as sess:
        sess.run(tf.global_variables_initializer())
        call = sess.make_callable(y, [x], accept_options=True)
        md = tf.RunMetadata()
        value = call(np.ones((4, 3), np.float32),
                     options=tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE),
                     run_metadata=md)
        assert value == sess.run(y, {x: np.ones((4, 3), np.float32)})
        assert any(s.node_name == "layer/MatMul" for s in md.step_stats.dev_stats[0].node_stats)


@pytest.mark.parametrize("backend", BACKENDS)
def test_timeline_is_chrome_trace_json(backend):
    sess, _, _, md = _traced_run(backend)
    trace = json.loads(timeline.Timeline(md.step_stats).generate_chrome_trace_format(
        show_dataflow=True, show_memory=True))
    events = trace["traceEvents"]
    ops = [e for e in events if e["ph"] == "X"]
    n_stats = sum(len(d.node_stats) for d in md.step_stats.dev_stats)
    assert len(ops) == n_stats
    for e in ops:
        assert isinstance(e["pid"], int) and isinstance(e["tid"], int)
        assert isinstance(e["ts"], float) and e["dur"] >= 0 and e["name"] and e["args"]["name"]
    assert {e["args"]["name"] for e in ops if e["pid"] == 0} >= {"layer/MatMul", "x"} - {"x"}
    names = {e["args"]["name"] for e in events if e["ph"] == "M" and e["name"] ==
             "process_name"}
    assert f"{CPU} Compute" in names and f"{CPU}/fused Compute" in names
    starts = [e for e in events if e["ph"] == "s"]
    ends = {e["id"] for e in events if e["ph"] == "t"}
    assert starts and {e["id"] for e in starts} == ends
    assert any(e["name"] == "layer/MatMul:0" for e in starts)
    assert any(e["ph"] == "C" for e in events)
    plain = json.loads(timeline.Timeline(md.step_stats).generate_chrome_trace_format(
        show_dataflow=False))
    assert not any(e["ph"] in "st" for e in plain["traceEvents"])
    sess.close()


@pytest.mark.parametrize("backend", BACKENDS)
def test_profiler_op_and_scope_views(backend, capsys):
    sess, _, _, md = _traced_run(backend)
    options = tf.profiler.ProfileOptionBuilder.time_and_memory(min_micros=0, min_bytes=0)
    by_op = tf.profiler.profile(sess.graph, run_meta=md, cmd="op", options=options)
    table = capsys.readouterr().out
    assert isinstance(by_op, tf.profiler.MultiGraphNodeProto)
    kinds = {c.name: c for c in by_op.children}
    assert kinds["MatMul"].exec_micros == sum(
        s.all_end_rel_nanos // 1000 for s in md.step_stats.dev_stats[0].node_stats
        if s.node_name == "layer/MatMul")
    assert kinds["MatMul"].requested_bytes == 32 and "Fused" in kinds
    assert by_op.total_exec_micros == sum(c.total_exec_micros for c in by_op.children)
    assert "MatMul" in table and "total execution time" in table
    by_scope = tf.profiler.profile(sess.graph, run_meta=md, cmd="scope", options=options)
    layer = next(c for c in by_scope.children if c.name == "layer")
    assert layer.total_exec_micros == sum(c.total_exec_micros for c in layer.children)
    assert "layer/MatMul" in {c.name for c in layer.children}
    assert "  layer/MatMul" in capsys.readouterr().out
    quiet = tf.profiler.ProfileOptionBuilder(options).with_empty_output().build()
    tf.profiler.profile(sess.graph, run_meta=md, cmd="code", options=quiet)
    assert capsys.readouterr().out == ""
    sess.close()


def test_profiler_counts_trainable_parameters():
    x = tf.placeholder(tf.float32, [None, 5])
    h = tf.layers.dense(x, 7, name="d1")
    tf.layers.dense(h, 2, name="d2")
    tf.Variable(np.zeros(100), trainable=False, name="not_trainable")
    result = tf.profiler.profile(
        tf.get_default_graph(), cmd="scope",
        options=tf.profiler.ProfileOptionBuilder.trainable_variables_parameter())
    assert result.total_parameters == 5 * 7 + 7 + 7 * 2 + 2
    d1 = next(c for c in result.children if c.name == "d1")
    assert d1.total_parameters == 42


@pytest.mark.parametrize("backend", BACKENDS)
def test_session_profile_gives_per_kernel_rows(backend):
    x, y = _model()
    with tf.Session(backend=backend) as sess:
        sess.run(tf.global_variables_initializer())
        prof = sess.profile(y, {x: np.ones((4, 3), np.float32)}, runs=3)
    assert prof.runs == 3 and prof.backend == backend
    assert abs(sum(r.share for r in prof.rows) - 1) < 1e-9
    types = {r.type for r in prof.rows}
    assert "MatMul" in types
    if backend == "llvm":
        assert all(r.cycles > 0 for r in prof.rows)
        fused = next(r for r in prof.rows if r.type == "Fused")
        assert fused.members == ["Mul", "Add", "Tanh", "Sum"]
    assert "test_run_metadata.py" in next(r for r in prof.rows if r.type == "MatMul").line
    assert "layer/MatMul" in str(prof)


def test_file_writer_writes_tagged_run_metadata(tmp_path):
    sess, _, _, md = _traced_run("numpy")
    writer = tf.summary.FileWriter(str(tmp_path), sess.graph)
    writer.add_run_metadata(md, "step_7", global_step=7)
    writer.close()
    (path,) = tmp_path.iterdir()
    events = tf.summary.read_events(str(path))
    tagged = [e for e in events if "tagged_run_metadata" in e]
    assert len(tagged) == 1 and tagged[0]["step"] == 7
    assert tagged[0]["tagged_run_metadata"]["tag"] == "step_7"
    assert tf.RunMetadata.FromString(tagged[0]["tagged_run_metadata"]["run_metadata"]) == md
    sess.close()


def test_file_writer_run_metadata_read_by_tensorboard(tmp_path):
    ea = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator")
    sess, _, _, md = _traced_run("numpy")
    writer = tf.summary.FileWriter(str(tmp_path), sess.graph)
    writer.add_run_metadata(md, "step_1", global_step=1)
    writer.close()
    acc = ea.EventAccumulator(str(tmp_path))
    acc.Reload()
    assert "step_1" in acc.Tags()["run_metadata"]
    read = acc.RunMetadata("step_1")
    assert len(read.step_stats.dev_stats[0].node_stats) == len(
        md.step_stats.dev_stats[0].node_stats)
    sess.close()


@pytest.mark.parametrize("backend", BACKENDS)
def test_tracing_a_plan_with_an_unknown_batch_reports_each_run_s_shapes(backend):
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    w = tf.Variable(np.ones((3, 2), np.float32), name="w")
    y = tf.reduce_sum(tf.tanh(tf.matmul(x, w)), name="y")
    with tf.Session(backend=backend) as sess:
        sess.run(w.initializer)
        for batch in (4, 7):
            md = tf.RunMetadata()
            value = sess.run(y, {x: np.ones((batch, 3), np.float32)},
                             options=tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE),
                             run_metadata=md)
            assert value == pytest.approx(batch * 2 * np.tanh(3.0), rel=1e-5)
            mm = next(s for s in md.step_stats.dev_stats[0].node_stats
                      if s.node_name == "MatMul")
            assert [d.size for d in mm.output[0].tensor_description.shape.dim] == [batch, 2]
            node = next(n for n in md.partition_graphs[0].node if n.name == "MatMul")
            dims = [d.size for d in node.attr["_output_shapes"].list.shape[0].dim]
            assert dims in ([batch, 2], [-1, 2])  # -1: a run-time dim of a symbolic plan
