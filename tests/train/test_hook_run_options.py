"""MonitoredSession honours the RunOptions hooks ask for (SessionRunArgs(options=...)),
merged with the caller's by TF1's rule, and every hook sees the run's RunMetadata;
tf.train.ProfilerHook traces a step every N steps into timeline-<step>.json files and
the event file, on both backends."""
import glob
import json
import os

import numpy as np
import pytest

import graphc as tf
from graphc.summary import read_events


def _model():
    X = np.linspace(-1, 1, 32, dtype=np.float32).reshape(16, 2)
    x = tf.data.Dataset.from_tensor_slices(X).repeat().batch(4) \
        .make_one_shot_iterator().get_next()
    w = tf.get_variable("w", [2, 1], initializer=tf.ones_initializer())
    loss = tf.reduce_mean(tf.square(tf.matmul(x, w)), name="loss")
    gs = tf.train.get_or_create_global_step()
    return tf.train.GradientDescentOptimizer(0.1).minimize(loss, global_step=gs), loss


class _Asks(tf.train.SessionRunHook):
    """Asks for `options` on every run and records what each run gave it."""

    def __init__(self, options):
        self.options, self.seen = options, []

    def before_run(self, run_context):
        return tf.train.SessionRunArgs(None, options=self.options)

    def after_run(self, run_context, run_values):
        md = run_values.run_metadata
        names = [n.node_name for d in md.step_stats.dev_stats for n in d.node_stats]
        self.seen.append((run_values.options.trace_level,
                          run_values.options.output_partition_graphs,
                          run_values.options.timeout_in_ms, names,
                          len(md.partition_graphs)))


@pytest.mark.parametrize("backend", ["numpy", "llvm"])
def test_a_hook_s_full_trace_fills_the_run_metadata_every_hook_sees(backend, monkeypatch):
    monkeypatch.setenv("GRAPHC_BACKEND", backend)
    train, loss = _model()
    tracer = _Asks(tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE, timeout_in_ms=5))
    watcher = _Asks(None)
    with tf.train.MonitoredSession(hooks=[tracer, watcher]) as sess:
        sess.run(train, options=tf.RunOptions(timeout_in_ms=9,
                                               output_partition_graphs=True))
    for seen in (tracer.seen, watcher.seen):
        ((level, partitions, timeout, names, n_graphs),) = seen
        assert level == tf.RunOptions.FULL_TRACE and partitions and timeout == 9
        assert "MatMul" in names and n_graphs == 1


def test_without_options_hooks_see_an_empty_run_metadata():
    train, _ = _model()
    watcher = _Asks(None)
    with tf.train.MonitoredSession(hooks=[watcher]) as sess:
        sess.run(train)
    assert watcher.seen == [(0, False, 0, [], 0)]


def test_two_hooks_feeding_one_tensor_is_an_error():
    x = tf.placeholder(tf.float32, [], name="x")
    y = x * 2.0

    class Feeds(tf.train.SessionRunHook):
        def before_run(self, run_context):
            return tf.train.SessionRunArgs(None, feed_dict={x: 1.0})
    with tf.train.MonitoredSession(hooks=[Feeds(), Feeds()]) as sess:
        with pytest.raises(RuntimeError, match="Same tensor is fed by two hooks"):
            sess.run(y)


@pytest.mark.parametrize("backend", ["numpy", "llvm"])
def test_profiler_hook_writes_a_timeline_every_n_steps(backend, monkeypatch, tmp_path):
    monkeypatch.setenv("GRAPHC_BACKEND", backend)
    train, _ = _model()
    out = str(tmp_path)
    hook = tf.train.ProfilerHook(save_steps=3, output_dir=out, show_memory=True)
    with tf.train.MonitoredSession(hooks=[hook, tf.train.StopAtStepHook(last_step=8)]) \
            as sess:
        while not sess.should_stop():
            sess.run(train)
    files = sorted(os.path.basename(p) for p in glob.glob(os.path.join(out, "timeline-*")))
    assert files == ["timeline-3.json", "timeline-6.json"]  # TF1: every 3 from step 0
    with open(os.path.join(out, "timeline-3.json")) as f:
        trace = json.load(f)
    ops = {e["args"]["name"] for e in trace["traceEvents"] if e["ph"] == "X"}
    assert "MatMul" in ops and any(e["ph"] == "C" for e in trace["traceEvents"])
    tagged = [e for path in glob.glob(os.path.join(out, "events.*"))
              for e in read_events(path) if "tagged_run_metadata" in e]
    assert sorted(e["tagged_run_metadata"]["tag"] for e in tagged) == ["step_3", "step_6"]
    md = tf.RunMetadata.FromString(tagged[0]["tagged_run_metadata"]["run_metadata"])
    assert any(n.node_name == "w/read" for d in md.step_stats.dev_stats
               for n in d.node_stats)
