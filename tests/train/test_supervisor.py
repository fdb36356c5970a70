"""tf.train's SessionManager, Supervisor, LooperThread, basic_train_loop, the cluster names
(ClusterSpec, Server, replica_device_setter), the checkpoint-directory functions and
GlobalStepWaiterHook, with TF1's semantics in one process."""
from __future__ import annotations

import os
import threading
import time

import numpy as np
import pytest

import graphc as tf


def _model():
    gs = tf.train.get_or_create_global_step()
    w = tf.Variable(1.0, name="w")
    step = tf.group(tf.assign_add(w, 1.0), tf.assign_add(gs, 1))
    return gs, w, step


def test_session_manager_prepare_recover_and_wait(tmp_path):
    with tf.Graph().as_default():
        gs, w, step = _model()
        local = tf.Variable(5, name="local", collections=[tf.GraphKeys.LOCAL_VARIABLES])
        ready = tf.report_uninitialized_variables()
        sm = tf.train.SessionManager(local_init_op=local.initializer, ready_op=ready,
                                     recovery_wait_secs=0.01)
        saver = tf.train.Saver([w, gs])
        sess, restored = sm.recover_session("", saver=saver, checkpoint_dir=str(tmp_path))
        assert restored is False
        with pytest.raises(RuntimeError, match="did not make model ready.*not initialized: w"):
            sm.prepare_session("", init_op=gs.initializer)
        sess = sm.prepare_session("", init_op=tf.global_variables_initializer(),
                                  saver=saver, checkpoint_dir=str(tmp_path))
        sess.run(step)
        assert sess.run(local) == 5
        saver.save(sess, str(tmp_path / "model"), global_step=gs)
        sess2, restored = sm.recover_session("", saver=saver, checkpoint_dir=str(tmp_path))
        assert restored is True and sess2.run([w, gs]) == [2.0, 1]
        assert sm.prepare_session("", saver=saver, checkpoint_dir=str(tmp_path)).run(w) == 2.0
        # a new Session of this process holds no values: a worker waits, then gives up
        with pytest.raises(tf.errors.DeadlineExceededError, match="not ready"):
            sm.wait_for_session("", max_wait_secs=0.05)
        with pytest.raises(ValueError, match="must also pass a local_init_op"):
            tf.train.SessionManager(ready_for_local_init_op=ready)
        with pytest.raises(RuntimeError, match="no init_op"):
            tf.train.SessionManager().prepare_session("")


def test_supervisor_managed_session_saves_summarizes_and_restores(tmp_path):
    logdir = str(tmp_path)
    with tf.Graph().as_default():
        gs, w, step = _model()
        tf.summary.scalar("w", w)
        sv = tf.train.Supervisor(logdir=logdir, save_model_secs=3600, save_summaries_secs=3600)
        assert tf.get_default_graph().finalized
        with sv.managed_session() as sess:
            # the timer's first save runs on its own thread (as TF1's): wait for it, so the
            # step-0 checkpoint holds step 0's values whichever thread the machine runs first
            deadline = time.time() + 60
            while tf.train.latest_checkpoint(logdir) is None and time.time() < deadline:
                time.sleep(0.01)
            for _ in range(3):
                sess.run(step)
            assert sess.run([w, gs]) == [4.0, 3]
        assert sv.should_stop()
    files = os.listdir(logdir)
    assert "checkpoint" in files and any(f.startswith("events.out.tfevents") for f in files)
    # TF1's timer saves at once (step 0), then every save_model_secs
    assert tf.train.latest_checkpoint(logdir) == os.path.join(logdir, "model.ckpt-0")
    with tf.Graph().as_default():
        gs, w, step = _model()
        calls = []
        sv = tf.train.Supervisor(logdir=logdir, save_model_secs=0, save_summaries_secs=0)
        tf.train.basic_train_loop(sv, lambda sess: (calls.append(sess.run(w)),
                                                    sv.request_stop()))
        assert calls == [1.0]  # restored from model.ckpt-0
    with tf.Graph().as_default():
        _model()
        sv = tf.train.Supervisor(logdir=None)
        with sv.managed_session() as sess:
            raise tf.errors.OutOfRangeError(None, None, "input done")  # a clean stop
    with tf.Graph().as_default():
        _model()
        sv = tf.train.Supervisor(logdir=None, init_op=None, ready_op=None)
        assert sv.init_op is None and sv.saver is not None


def test_supervisor_reraises_errors_of_the_block():
    with tf.Graph().as_default():
        _model()
        sv = tf.train.Supervisor(logdir=None)
        with pytest.raises(ValueError, match="boom"):
            with sv.managed_session():
                raise ValueError("boom")


def test_looper_thread_runs_until_stop():
    coord = tf.train.Coordinator()
    seen = []
    looper = tf.train.LooperThread.loop(coord, 0.001, target=seen.append, args=(1,))
    deadline = time.time() + 10
    while len(seen) < 3 and time.time() < deadline:
        time.sleep(0.005)
    coord.request_stop()
    coord.join([looper], stop_grace_period_secs=10)
    assert len(seen) >= 3
    with pytest.raises(ValueError, match="require that you also pass 'target'"):
        tf.train.LooperThread(tf.train.Coordinator(), 1, args=(1,))


def test_cluster_spec_queries():
    spec = tf.train.ClusterSpec({"ps": ["ps0:2222", "ps1:2222"],
                                 "worker": {1: "w1:2222", 3: "w3:2222"}})
    assert spec.jobs == ["ps", "worker"]
    assert spec.num_tasks("ps") == 2 and spec.task_indices("worker") == [1, 3]
    assert spec.task_address("worker", 3) == "w3:2222"
    assert spec.job_tasks("worker") == [None, "w1:2222", None, "w3:2222"]
    assert spec.as_dict() == {"ps": ["ps0:2222", "ps1:2222"],
                              "worker": {1: "w1:2222", 3: "w3:2222"}}
    assert tf.train.ClusterSpec(spec) == spec
    with pytest.raises(ValueError, match="No such job"):
        spec.num_tasks("chief")
    with pytest.raises(ValueError, match="No task with index 0"):
        spec.task_address("worker", 0)


def test_local_server_target_runs_sessions():
    server = tf.train.Server.create_local_server()
    assert server.target.startswith("grpc://localhost:")
    with tf.Graph().as_default():
        with tf.Session(server.target) as sess:
            assert sess.run(tf.constant(2) * 3) == 6
    server = tf.train.Server({"ps": ["a:1"], "worker": ["b:2", "c:3"]}, job_name="worker",
                             task_index=1)
    assert server.target == "grpc://c:3"
    with pytest.raises(ValueError, match="explicit `job_name`"):
        tf.train.Server({"ps": ["a:1"], "worker": ["b:2"]})


def test_replica_device_setter_devices():
    with tf.Graph().as_default():
        setter = tf.train.replica_device_setter(ps_tasks=2)
        v = [tf.Variable(float(i)).op for i in range(3)]
        assert [setter(op) for op in v] == ["/job:ps/task:0", "/job:ps/task:1",
                                            "/job:ps/task:0"]
        assert setter(tf.constant(1.0).op) == "/job:worker"
        setter = tf.train.replica_device_setter(cluster={"ps": ["a:1"], "worker": ["b:2"]},
                                                worker_device="/job:worker/task:0/cpu:0")
        assert setter(tf.constant(1.0).op) == "/job:worker/task:0/device:CPU:0"
        assert tf.train.replica_device_setter(ps_tasks=0) is None
        with tf.device(setter):  # placement is a no-op: the op runs on the CPU
            x = tf.Variable(3.0) * 2
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            assert sess.run(x) == 6.0


def test_checkpoint_directory_functions(tmp_path):
    d = str(tmp_path)
    with tf.Graph().as_default():
        v = tf.Variable(1.0)
        saver = tf.train.Saver()
        with tf.Session() as sess:
            sess.run(v.initializer)
            first = saver.save(sess, os.path.join(d, "m"), global_step=1)
            assert list(tf.train.checkpoints_iterator(d, timeout=0.01)) == [first]

            found = []

            def later():
                time.sleep(0.3)
                found.append(saver.save(sess, os.path.join(d, "m"), global_step=2))
            t = threading.Thread(target=later)
            t.start()
            it = tf.train.checkpoints_iterator(d, timeout=20)
            assert next(it) == first and next(it) == os.path.join(d, "m-2")
            t.join(timeout=30)
    mtimes = tf.train.get_checkpoint_mtimes([first, os.path.join(d, "m-2"),
                                             os.path.join(d, "nothing")])
    assert len(mtimes) == 2 and all(isinstance(t, float) for t in mtimes)
    tf.train.update_checkpoint_state(d, first, [first])
    assert tf.train.latest_checkpoint(d) == first
    state = tf.train.generate_checkpoint_state_proto("rel", "rel/m-3", ["rel/m-1"])
    assert state.model_checkpoint_path == "m-3"
    assert state.all_model_checkpoint_paths == ["m-1", "m-3"]
    with pytest.raises(RuntimeError, match="conflicts"):
        tf.train.update_checkpoint_state(d, os.path.join(d, "checkpoint"))


def test_assert_global_step_and_waiter_hook():
    with tf.Graph().as_default():
        gs = tf.train.get_or_create_global_step()
        tf.train.assert_global_step(gs)
        with pytest.raises(TypeError, match="integer type"):
            tf.train.assert_global_step(tf.Variable(1.0))
        with pytest.raises(TypeError, match="not scalar"):
            tf.train.assert_global_step(tf.Variable([1, 2]))
        with pytest.raises(TypeError, match="Variable or Tensor"):
            tf.train.assert_global_step(3)
        hook = tf.train.GlobalStepWaiterHook(2)
        hook.begin()
        bump = tf.assign_add(gs, 1)
        with tf.Session() as sess:
            sess.run(gs.initializer)

            def steps():
                for _ in range(2):
                    time.sleep(0.2)
                    sess.run(bump)
            t = threading.Thread(target=steps)
            t.start()
            start = time.time()
            hook.before_run(tf.train.SessionRunContext(None, sess))  # waits for step 2
            waited = time.time() - start
            t.join(timeout=30)
            assert sess.run(gs) == 2 and waited >= 0.3
            start = time.time()
            hook.before_run(tf.train.SessionRunContext(None, sess))  # started: no wait
            assert time.time() - start < 0.4
