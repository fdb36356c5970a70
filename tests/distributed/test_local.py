"""graphc.distributed in one process (no mpirun): size 1, collectives are the identity,
DistributedOptimizer trains exactly as the optimizer it wraps; the launcher's command."""
import os
import sys

import numpy as np
import pytest

import graphc as tf
import graphc.distributed as hvd
from graphc.distributed import run as launcher
from graphc.distributed import supervisor
from graphc.ir.ops.fused_ops import members as fused_members


@pytest.fixture
def one_process():
    hvd.init()
    yield
    hvd.shutdown()


def test_rank_and_size_need_init():
    hvd.shutdown()
    with pytest.raises(ValueError, match="hvd.init"):
        hvd.size()


def test_one_process_job(one_process):
    assert (hvd.rank(), hvd.size(), hvd.local_rank(), hvd.local_size()) == (0, 1, 0, 1)
    assert hvd.is_initialized()
    assert isinstance(hvd.mpi_threads_supported(), bool)


def _train(distributed: bool, backend: str):
    tf.reset_default_graph()
    x = tf.placeholder(tf.float64, [None, 3])
    w = tf.Variable(np.random.RandomState(1).randn(3, 2))
    loss = tf.reduce_mean(tf.square(tf.matmul(x, w)))
    opt = tf.train.MomentumOptimizer(0.1, 0.9)
    if distributed:
        opt = hvd.DistributedOptimizer(opt, op=hvd.Sum)
    train = opt.minimize(loss)
    with tf.Session(backend=backend) as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(hvd.broadcast_global_variables(0))
        for i in range(3):
            sess.run(train, {x: np.random.RandomState(i).randn(4, 3)})
        return sess.run(w)


@pytest.mark.parametrize("backend", ["numpy", "llvm"])
def test_distributed_optimizer_on_one_process_is_the_optimizer(one_process, backend):
    np.testing.assert_array_equal(_train(True, backend), _train(False, backend))


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="allreduce op must be one of"):
        hvd.DistributedOptimizer(tf.train.GradientDescentOptimizer(0.1), op="max")
    with pytest.raises(ValueError, match="compression must be one of"):
        hvd.allreduce(tf.constant([1.0]), compression="zip")
    with pytest.raises(TypeError, match="reduces numbers"):
        hvd.allreduce(tf.constant([True]))
    with pytest.raises(TypeError, match="moves numbers"):
        hvd.broadcast(tf.constant(["a"]), 0)
    with pytest.raises(ValueError, match="scalar"):
        hvd.allgather(tf.constant(1.0))


def test_broadcast_from_a_rank_that_does_not_exist(one_process):
    with tf.Session() as sess, pytest.raises(Exception, match="root_rank 3"):
        sess.run(hvd.broadcast(tf.constant([1.0]), 3))


def test_launcher_maps_hosts_to_the_mpi_syntax(tmp_path):
    fake = tmp_path / "mpiexec"
    fake.write_text("#!/bin/sh\necho 'HYDRA build details'\n")
    fake.chmod(0o755)
    cmd = launcher.command(4, ["prog.py", "--x"], "a:2,b:2", mpiexec=str(fake))
    assert cmd[:3] == [str(fake), "-np", "4"] and cmd[-2:] == ["prog.py", "--x"]
    assert cmd[cmd.index("-hosts") + 1] == "a:2,b:2"
    fake.write_text("#!/bin/sh\necho 'mpirun (Open MPI) 4.1.6'\n")
    cmd = launcher.command(2, ["prog.py"], "a:1,b:1", mpiexec=str(fake))
    assert cmd[cmd.index("-H") + 1] == "a:1,b:1"
    assert ("--allow-run-as-root" in cmd) == (os.geteuid() == 0)


def test_broadcast_hook_runs_in_a_monitored_training_session(one_process, tmp_path):
    w = tf.Variable(np.arange(3.0), name="w")
    step = tf.train.get_or_create_global_step()
    train = tf.group(tf.assign_add(w, np.ones(3)), tf.assign_add(step, 1))
    hook = hvd.BroadcastGlobalVariablesHook(0)
    with tf.train.MonitoredTrainingSession(checkpoint_dir=str(tmp_path), hooks=[
            hook, tf.train.StopAtStepHook(last_step=2)]) as sess:
        while not sess.should_stop():
            sess.run(train)
    assert hook.bcast_op is not None and hook.bcast_op.type == "NoOp"
    assert tf.train.latest_checkpoint(str(tmp_path)) is not None


@pytest.mark.parametrize("also_on_stderr", [False, True])
def test_launcher_prints_an_abort_message_that_mpiexec_dropped(tmp_path, capfd,
                                                               also_on_stderr):
    # a "job" that aborts the way comm.abort does, where the MPI's stdio forwarding lost the
    # rank's stderr (as MPICH's hydra can under load): the launcher prints it from the report
    # directory, once, whether or not it also came through
    job = tmp_path / "job.py"
    job.write_text(
        "import os, sys\n"
        "from graphc.distributed import comm\n"
        f"if not {also_on_stderr}:\n"
        "    sys.stderr = open(os.devnull, 'w')\n"
        "comm.abort('rank 1 of 2 raised RuntimeError: boom; aborting the job')\n")
    rc = launcher.run_and_report([sys.executable, str(job)])
    err = capfd.readouterr().err
    assert rc == 1
    assert err.count("graphc.distributed: rank 1 of 2 raised RuntimeError: boom") == 1, err


def test_launcher_passes_hydras_launcher_and_refuses_it_for_open_mpi(tmp_path):
    fake = tmp_path / "mpiexec"
    fake.write_text("#!/bin/sh\necho 'HYDRA build details'\n")
    fake.chmod(0o755)
    cmd = launcher.command(2, ["prog.py"], "h1:1,h2:1", mpiexec=str(fake), launcher="fork")
    assert cmd[cmd.index("-launcher") + 1] == "fork"
    fake.write_text("#!/bin/sh\necho 'mpirun (Open MPI) 4.1.6'\n")
    with pytest.raises(RuntimeError, match="hydra's option"):
        launcher.command(2, ["prog.py"], mpiexec=str(fake), launcher="fork")


def test_launcher_reads_hydras_exit_codes_of_every_host():
    lines = ["rank output\n", "[mpiexec@vm] Exit codes: [host1] 0,0\n", "[host2] 256,9\n",
             "[host3] 0\n"]
    assert launcher.failed_ranks(lines) == [(2, "host2", "256"), (3, "host2", "9")]
    assert launcher.failed_ranks(["[mpiexec@vm] Exit codes: [vm] 0,256\n"]) == \
        [(1, "vm", "256")]
    assert launcher.failed_ranks(["no report\n"]) == []


def test_what_a_supervisor_says_about_how_its_rank_ended():
    assert supervisor.describe_end(0, supervisor.FINISHED) is None
    assert supervisor.describe_end(1, supervisor.ABORTED) is None  # it said why itself
    assert supervisor.describe_end(-9, b"") == \
        "died: killed by signal 9 (SIGKILL); the job ends"
    assert "exited with status 0 without finishing" in supervisor.describe_end(0, b"")
    assert supervisor.describe_end(2, supervisor.FINISHED) == \
        "exited with status 2; the job ends"


def test_no_supervisor_outside_a_launcher(monkeypatch):
    for var in ("PMI_RANK", "PMI_SIZE", "OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE",
                "PMIX_RANK"):
        monkeypatch.delenv(var, raising=False)
    assert supervisor.launcher_rank() is None and supervisor.supervise() is False
    monkeypatch.setenv("PMI_RANK", "0")
    monkeypatch.setenv("PMI_SIZE", "1")
    assert supervisor.launcher_rank() == (0, 1) and supervisor.supervise() is False


def _mlp_training(backend: str):
    """A 3-layer MLP under DistributedOptimizer with buckets of at most 600 bytes (b2, w2
    and b1 in the first; w1, b0 in the second; w0 alone): the session after one step."""
    tf.reset_default_graph()
    x = tf.placeholder(tf.float64, [None, 4])
    y = tf.placeholder(tf.float64, [None, 2])
    h = x
    for i, n in enumerate([8, 8, 2]):
        w = tf.Variable(np.random.RandomState(i).randn(h.shape[1].value, n), name=f"w{i}")
        b = tf.Variable(np.zeros(n), name=f"b{i}")
        h = tf.matmul(h, w) + b
        h = tf.tanh(h) if i < 2 else h
    loss = tf.reduce_mean(tf.square(h - y))
    opt = hvd.DistributedOptimizer(tf.train.AdamOptimizer(0.01), fusion_threshold_bytes=600)
    train = opt.minimize(loss)
    sess = tf.Session(backend=backend)
    sess.run(tf.global_variables_initializer())
    sess.run(train, {x: np.ones((3, 4)), y: np.ones((3, 2))})
    return sess, sess._plans[next(reversed(sess._plans))].executable


def _run_order(exe) -> list:
    """The plan's steps in run order as (what, op): what is "start" / "finish" for a split
    op's halves, "kernel" for any other step (on llvm: the native steps, in segments)."""
    if exe.backend == "numpy":
        seen, order = set(), []
        for *_, op in exe._steps:
            op = exe._fused_of.get(op, op)   # (the interpreter inlines Fused bodies)
            split = op.opdef.start is not None
            order.append(("start" if split and op not in seen else "finish" if split
                          else "kernel", op))
            seen.add(op)
        return order
    return [(s.phase or "kernel", s.op) for s in exe._lowering.steps
            if s.phase or s.native and s.emit is not None]


@pytest.mark.parametrize("backend", ["numpy", "llvm"])
def test_gradient_buckets_start_early_and_are_waited_for_at_the_update(one_process,
                                                                       backend):
    sess, exe = _mlp_training(backend)
    with sess:
        order = _run_order(exe)
    starts = [i for i, (what, _) in enumerate(order) if what == "start"]
    buckets = [order[i][1] for i in starts]
    assert [b.name for b in buckets] == ["DistributedOptimizer_Allreduce",
                                         "DistributedOptimizer_Allreduce_1",
                                         "DistributedOptimizer_Allreduce_2"]
    # in reverse topological order of the gradients: the last layer's first
    assert [len(b.inputs) for b in buckets] == [3, 2, 1]
    assert buckets[0].attrs["names"][:2] == ("gradients/add_2_grad/SumToShape_1",
                                             "gradients/MatMul_2_grad/MatMul_1")
    for start, bucket in zip(starts, buckets):
        finish = next(i for i, (what, op) in enumerate(order)
                      if what == "finish" and op is bucket)
        between = [op for what, op in order[start + 1:finish] if what == "kernel"]
        # started right after its last gradient (no backward kernel it waits for later)...
        last_input = max(i for i, (what, op) in enumerate(order)
                         if any(op is t.op or op.type == "Fused" and t in op.outputs
                                for t in bucket.inputs))
        assert last_input < start
        if bucket is not buckets[-1]:
            # ...while backward kernels of earlier layers still run before its finish
            assert any(op.name.startswith("gradients/") or op.type == "Fused" and any(
                m.name.startswith("gradients/") for m in fused_members(op))
                for op in between), [op.name for op in between]
        # finished before the first step that reads a reduced gradient (an Adam update)
        readers = [i for i, (what, op) in enumerate(order) if what != "finish" and any(
            t.op is bucket for t in op.inputs)]
        assert readers and finish < min(readers)
        assert not any(op.name.startswith("gradients/") for op in
                       (o for w, o in order[finish:] if w == "kernel"))


@pytest.mark.parametrize("backend", ["numpy", "llvm"])
def test_a_traced_step_reports_each_bucket_once(one_process, backend):
    # traced runs walk the plan step by step (backends/llvm/tracing.py): a split op is
    # reported once, at its finish, with the values it produced
    sess, _ = _mlp_training(backend)
    g = tf.get_default_graph()
    x, y = [op.outputs[0] for op in g.get_operations() if op.type == "Placeholder"]
    md = tf.RunMetadata()
    with sess:
        before = sess.run(tf.trainable_variables())
        sess.run(g.get_operation_by_name("Adam"), {x: np.ones((3, 4)), y: np.ones((3, 2))},
                 options=tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE),
                 run_metadata=md)
        after = sess.run(tf.trainable_variables())
    names = [n.node_name for d in md.step_stats.dev_stats for n in d.node_stats]
    assert sorted(n for n in names if "Allreduce" in n) == [
        "DistributedOptimizer_Allreduce", "DistributedOptimizer_Allreduce_1",
        "DistributedOptimizer_Allreduce_2"]
    assert all((a != b).any() for a, b in zip(before, after))   # every variable updated
