"""MonitoredTrainingSession, MonitoredSession, Scaffold and the hooks, with TF1's
semantics: stop conditions, checkpoints and restore, summaries, user hooks, the end of
an input, and a job killed (SIGKILL) and restarted resuming at its checkpointed step."""
import os
import signal
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import graphc as tf
from graphc.summary import read_events


def _model():
    """A linear regression fed by a repeating dataset; returns (train_op, loss, w)."""
    X = np.linspace(-1, 1, 32, dtype=np.float32).reshape(16, 2)
    Y = X @ np.array([[2.0], [-1.0]], np.float32)
    x, y = tf.data.Dataset.from_tensor_slices((X, Y)).repeat().batch(4) \
        .make_one_shot_iterator().get_next()
    w = tf.get_variable("w", [2, 1], initializer=tf.zeros_initializer())
    loss = tf.reduce_mean(tf.square(tf.matmul(x, w) - y))
    gs = tf.train.get_or_create_global_step()
    train = tf.train.GradientDescentOptimizer(0.2).minimize(loss, global_step=gs)
    return train, loss, w


@pytest.mark.parametrize("backend", ["numpy", "llvm"])
def test_stop_at_step_and_checkpoints_then_restore(tmp_path, monkeypatch, backend):
    monkeypatch.setenv("GRAPHC_BACKEND", backend)
    train, loss, w = _model()
    ckpt = str(tmp_path)
    with tf.train.MonitoredTrainingSession(checkpoint_dir=ckpt, save_checkpoint_steps=10,
                                           hooks=[tf.train.StopAtStepHook(last_step=25)],
                                           log_step_count_steps=None) as sess:
        steps = 0
        while not sess.should_stop():
            sess.run(train)
            steps += 1
    assert steps == 25
    assert tf.train.latest_checkpoint(ckpt).endswith("model.ckpt-25")  # saved at the end
    names = sorted(f for f in os.listdir(ckpt) if f.endswith(".index"))
    assert names == [f"model.ckpt-{s}.index" for s in (0, 10, 20, 25)]
    w25 = tf.train.load_variable(ckpt, "w")

    tf.reset_default_graph()
    train, loss, w = _model()
    with tf.train.MonitoredTrainingSession(checkpoint_dir=ckpt, save_checkpoint_secs=None,
                                           hooks=[tf.train.StopAtStepHook(num_steps=5)],
                                           log_step_count_steps=None) as sess:
        raw = sess._tf_sess()
        assert raw.run(tf.train.get_global_step()) == 25  # restored, not re-initialised
        np.testing.assert_array_equal(raw.run(w), w25)
        n = 0
        while not sess.should_stop():
            sess.run(train)
            n += 1
    assert n == 5


def test_out_of_range_ends_the_loop_and_calls_end(tmp_path):
    ds = tf.data.Dataset.range(7).map(lambda v: tf.cast(v, tf.float32))
    x = ds.make_one_shot_iterator().get_next()
    total = tf.Variable(0.0)
    add = tf.assign_add(total, x)
    final = tf.train.FinalOpsHook(total * 1.0)
    seen = []
    with tf.train.MonitoredSession(hooks=[final]) as sess:
        while not sess.should_stop():
            seen.append(sess.run(add))
    assert seen == [0.0, 1.0, 3.0, 6.0, 10.0, 15.0, 21.0]
    assert final.final_ops_values == 21.0


def test_user_hook_sees_runs_and_can_stop():
    x = tf.placeholder(tf.float32, [])
    v = tf.Variable(1.0)
    y = v * x
    calls = []

    class Hook(tf.train.SessionRunHook):
        def begin(self):
            calls.append("begin")

        def after_create_session(self, session, coord):
            calls.append(("created", float(session.run(v))))

        def before_run(self, run_context):
            assert run_context.original_args.fetches is y
            return tf.train.SessionRunArgs({"v": v}, feed_dict={x: 3.0})

        def after_run(self, run_context, run_values):
            calls.append(run_values.results["v"])
            if len(calls) == 4:
                run_context.request_stop()

        def end(self, session):
            calls.append("end")

    with tf.train.SingularMonitoredSession(hooks=[Hook()]) as sess:
        outs = []
        while not sess.should_stop():
            outs.append(sess.run(y))
        assert sess.raw_session() is sess._tf_sess()
    assert outs == [3.0, 3.0]
    assert calls == ["begin", ("created", 1.0), 1.0, 1.0, "end"]


def test_feed_fn_logging_and_nan_hooks(caplog):
    x = tf.placeholder(tf.float32, [])
    loss = tf.log(x)
    feeds = iter([1.0, 2.0, -1.0])
    gs = tf.train.get_or_create_global_step()
    step = tf.assign_add(gs, 1)
    hooks = [tf.train.FeedFnHook(lambda: {x: next(feeds)}),
             tf.train.LoggingTensorHook({"loss": loss}, every_n_iter=1),
             tf.train.NanTensorHook(loss)]
    with pytest.raises(tf.train.NanLossDuringTrainingError):
        with tf.train.MonitoredSession(hooks=hooks) as sess:
            while not sess.should_stop():
                sess.run(step)
    tf.reset_default_graph()
    x = tf.placeholder(tf.float32, [])
    stop_hook = tf.train.NanTensorHook(tf.log(x), fail_on_nan_loss=False)
    with tf.train.MonitoredSession(hooks=[stop_hook]) as sess:
        sess.run(x, {x: 2.0})
        assert not sess.should_stop()
        sess.run(x, {x: -2.0})
        assert sess.should_stop()


def test_summary_saver_and_step_counter_write_events(tmp_path):
    train, loss, w = _model()
    tf.summary.scalar("loss", loss)
    with tf.train.MonitoredTrainingSession(checkpoint_dir=str(tmp_path),
                                           save_summaries_steps=3, save_checkpoint_secs=None,
                                           log_step_count_steps=4,
                                           hooks=[tf.train.StopAtStepHook(last_step=10)]) \
            as sess:
        while not sess.should_stop():
            sess.run(train)
    files = [f for f in os.listdir(tmp_path) if f.startswith("events.out.tfevents")]
    assert len(files) == 1
    events = read_events(os.path.join(tmp_path, files[0]))
    loss_steps = [e["step"] for e in events if "summary" in e and e["summary"][0][0] == "loss"]
    rate_steps = [e["step"] for e in events if "summary" in e and
                  e["summary"][0][0] == "global_step/sec"]
    assert loss_steps == [1, 4, 7, 10]
    assert rate_steps == [5, 9]


def test_scaffold_init_fn_and_feed_dict():
    p = tf.placeholder(tf.float32, [])
    v = tf.Variable(p, name="v")
    u = tf.Variable(0.0, name="u")
    set_u = tf.assign(u, 9.0)
    scaffold = tf.train.Scaffold(init_feed_dict={p: 4.0},
                                 init_fn=lambda scaffold, sess: sess.run(set_u))
    with tf.train.MonitoredSession(
            session_creator=tf.train.ChiefSessionCreator(scaffold=scaffold)) as sess:
        assert sess.run(v) == 4.0 and sess.run(u) == 9.0
        assert tf.get_default_graph().finalized
    with pytest.raises(RuntimeError, match="Global step should be created"):
        tf.reset_default_graph()
        tf.Variable(1.0)
        tf.train.MonitoredSession(hooks=[tf.train.StopAtStepHook(num_steps=1)])


def test_coordinator_records_the_first_error_and_joins():
    import threading
    coord = tf.train.Coordinator()

    def worker(fail):
        with coord.stop_on_exception():
            if fail:
                raise ValueError("worker failed")
            coord.wait_for_stop(5)

    threads = [threading.Thread(target=worker, args=(i == 1,)) for i in range(3)]
    for t in threads:
        t.start()
    with pytest.raises(ValueError, match="worker failed"):
        coord.join(threads, stop_grace_period_secs=5)
    assert coord.should_stop() and coord.joined


_JOB = textwrap.dedent('''
    import sys, time
    import numpy as np
    import graphc as tf

    ckpt, mode = sys.argv[1], sys.argv[2]
    X = np.linspace(-1, 1, 32, dtype=np.float32).reshape(16, 2)
    Y = X @ np.array([[2.0], [-1.0]], np.float32)
    x, y = tf.data.Dataset.from_tensor_slices((X, Y)).repeat().batch(4) \\
        .make_one_shot_iterator().get_next()
    w = tf.get_variable("w", [2, 1], initializer=tf.zeros_initializer())
    loss = tf.reduce_mean(tf.square(tf.matmul(x, w) - y))
    gs = tf.train.get_or_create_global_step()
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss, global_step=gs)

    class Report(tf.train.SessionRunHook):
        def after_create_session(self, session, coord):
            print("start", int(session.run(gs)), *session.run(w).ravel(), flush=True)
            if mode == "report":
                sys.exit(0)

    with tf.train.MonitoredTrainingSession(checkpoint_dir=ckpt, save_checkpoint_steps=5,
                                           log_step_count_steps=None,
                                           hooks=[Report()]) as sess:
        while True:
            _, step = sess.run([train, gs])
            if step == 12:
                print("ready", flush=True)
                time.sleep(600)  # killed here, after the checkpoint of step 10
''')


@pytest.mark.timeout(120)
def test_killed_job_resumes_at_its_checkpointed_step(tmp_path):
    script = tmp_path / "job.py"
    script.write_text(_JOB)
    ckpt = str(tmp_path / "ckpt")
    env = dict(os.environ, GRAPHC_BACKEND="numpy")
    job = subprocess.Popen([sys.executable, str(script), ckpt, "train"], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        lines = []
        for line in job.stdout:
            lines.append(line.split())
            if line.startswith("ready"):
                break
        job.send_signal(signal.SIGKILL)
        job.wait(timeout=30)
    finally:
        if job.poll() is None:
            job.kill()
    assert lines[0][:2] == ["start", "0"] and lines[-1] == ["ready"]
    assert job.returncode == -signal.SIGKILL
    assert tf.train.latest_checkpoint(ckpt).endswith("model.ckpt-10")
    out = subprocess.run([sys.executable, str(script), ckpt, "report"], env=env,
                         capture_output=True, text=True, timeout=60)
    start = out.stdout.split()
    assert start[:2] == ["start", "10"], out.stderr[-2000:]
    np.testing.assert_array_equal(np.array(start[2:], np.float32),  # (float32 repr)
                                  tf.train.load_variable(ckpt, "w").ravel())


@pytest.mark.parametrize("save_graph_def", [True, False])
def test_save_graph_def_is_accepted_and_false_writes_no_graph(tmp_path, save_graph_def):
    train, loss, w = _model()
    ckpt = str(tmp_path)
    with tf.train.MonitoredTrainingSession(checkpoint_dir=ckpt, save_checkpoint_steps=2,
                                           hooks=[tf.train.StopAtStepHook(last_step=3)],
                                           log_step_count_steps=None,
                                           save_graph_def=save_graph_def) as sess:
        while not sess.should_stop():
            sess.run(train)
    assert tf.train.latest_checkpoint(ckpt).endswith("model.ckpt-3")
    assert sorted(f for f in os.listdir(ckpt) if f.endswith(".index")) == \
        ["model.ckpt-0.index", "model.ckpt-2.index", "model.ckpt-3.index"]
    if not save_graph_def:
        assert not [f for f in os.listdir(ckpt) if f.endswith((".meta", ".pbtxt"))]


def test_scaffold_local_init_feed_dict_and_worker_session_creator():
    p = tf.placeholder(tf.float32, [])
    g = tf.Variable(1.0, name="g")
    local = tf.Variable(0.0, name="local", collections=[tf.GraphKeys.LOCAL_VARIABLES])
    scaffold = tf.train.Scaffold(local_init_op=tf.assign(local, p),
                                 local_init_feed_dict={p: 7.0})
    assert tf.train.Scaffold(copy_from_scaffold=scaffold).local_init_feed_dict == {p: 7.0}
    creator = tf.train.WorkerSessionCreator(scaffold, "", None, 60)
    with tf.train.MonitoredSession(session_creator=creator) as sess:
        assert sess.run(local) == 7.0 and sess.run(g) == 1.0
    with pytest.raises(TypeError, match=r"WorkerSessionCreator.__init__\(\) got an unexpected "
                                        r"keyword argument 'checkpoint_dir'"):
        tf.train.WorkerSessionCreator(checkpoint_dir="x")


def test_queue_runner_refuses_what_graphc_cannot_run():
    with pytest.raises(NotImplementedError, match="queue_runner_def"):
        tf.train.QueueRunner(queue_runner_def=object())
    with pytest.raises(ValueError, match="Must provide queue and enqueue_ops"):
        tf.train.QueueRunner(None, [], None, None, None, None, None)
