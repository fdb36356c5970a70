"""A Saver killed or failing at any point of `save` leaves `latest_checkpoint` naming a
checkpoint that restores completely (issue 15, item 1: with max_to_keep=1 the old
checkpoint was deleted before the state file named the new one, so a restarted job found
none and silently started over).

Two probes: every failure point of one save in turn (an exception from the k-th file
operation, deterministic), and kill -9 of a process saving in a loop after derandomized
short delays (what a machine or a scheduler actually does)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import graphc as tf
import graphc.train.saver as saver_mod

KEEP = [1, 2, None, 0]
SIZE = 1 << 16  # elements per variable: big enough that a kill often lands mid-write
RUNS = 6  # kills per max_to_keep


def _check_latest(directory: str, seen_any: bool) -> bool:
    """Assert that `directory`'s latest checkpoint (if one ever existed) restores
    completely and holds the values saved under its step; returns whether one exists."""
    latest = tf.train.latest_checkpoint(directory)
    if latest is None:
        assert not seen_any, f"latest_checkpoint is None although a checkpoint was complete " \
            f"before; files: {sorted(os.listdir(directory))}, state: {_state_text(directory)!r}"
        return False
    step = int(latest.rsplit("-", 1)[1])
    reader = tf.train.NewCheckpointReader(latest)
    w, v = reader.get_tensor("w"), reader.get_tensor("v")
    assert w.shape == (SIZE,) and np.all(w == step), f"{latest}: w is not step {step}"
    np.testing.assert_array_equal(v, [-step, step])
    return True


def _state_text(directory: str) -> str:
    try:
        with open(os.path.join(directory, "checkpoint")) as f:
            return f.read()
    except OSError as exc:
        return str(exc)


def _program():
    g = tf.Graph()
    with g.as_default():
        w = tf.Variable(np.zeros(SIZE, np.float32), name="w")
        v = tf.Variable(np.zeros(2, np.int64), name="v")
        step = tf.placeholder(tf.int64, [], name="step")
        set_all = tf.group(w.assign(tf.fill([SIZE], tf.cast(step, tf.float32))),
                           v.assign(tf.stack([-step, step])))
        init = tf.global_variables_initializer()
    return g, step, set_all, init


class _Crash(Exception):
    pass


@pytest.mark.parametrize("max_to_keep", KEEP)
def test_a_failure_at_every_file_operation_of_save_keeps_a_complete_latest(
        tmp_path, monkeypatch, max_to_keep):
    g, step, set_all, init = _program()
    real = {"replace": os.replace, "unlink": os.unlink}
    budget = [None]

    def failing(name):
        def op(*args, **kwargs):
            if budget[0] is not None:
                if budget[0] == 0:
                    raise _Crash(name)
                budget[0] -= 1
            return real[name](*args, **kwargs)
        return op

    monkeypatch.setattr(saver_mod.os, "replace", failing("replace"))
    monkeypatch.setattr(saver_mod.os, "unlink", failing("unlink"))
    with tf.Session(graph=g, backend="numpy") as sess:
        sess.run(init)
        seen = False
        n = 0
        for fail_at in range(7):  # one save renames 3 files and deletes 2 per old checkpoint
            with g.as_default():
                saver = tf.train.Saver(max_to_keep=max_to_keep)  # a restarted job's Saver
            for _ in range(2):  # saves that succeed, then one that fails at `fail_at`
                n += 1
                sess.run(set_all, {step: n})
                saver.save(sess, str(tmp_path / "m"), global_step=n)
                seen = _check_latest(str(tmp_path), seen)
            n += 1
            sess.run(set_all, {step: n})
            budget[0] = fail_at
            try:
                saver.save(sess, str(tmp_path / "m"), global_step=n)
            except _Crash:
                pass
            finally:
                budget[0] = None
            seen = _check_latest(str(tmp_path), seen)
            assert seen


_SAVER_LOOP = textwrap.dedent("""
    # A zygote: builds the program once, then for each line "DIR KEEP FIRST" on stdin
    # forks a child that saves steps FIRST, FIRST+1, ... until it is killed.
    import os, sys, time
    import numpy as np
    import graphc as tf
    sys.path.insert(0, sys.argv[1])
    from test_saver_crash import _program
    g, step, set_all, init = _program()
    sess = tf.Session(graph=g, backend="numpy")
    sess.run(init)
    sess.run(set_all, {step: 0})  # (compiles the plan before any fork)
    child = None
    for line in sys.stdin:
        if child is not None:
            os.waitpid(child, 0)
        directory, keep, first = line.split()
        keep = None if keep == "None" else int(keep)
        child = os.fork()
        if child == 0:
            with g.as_default():
                saver = tf.train.Saver(max_to_keep=keep)
            n = int(first)
            while True:
                start = time.perf_counter()
                sess.run(set_all, {step: n})
                saver.save(sess, os.path.join(directory, "m"), global_step=n)
                print("saved", n, time.perf_counter() - start, flush=True)
                n += 1
        print("pid", child, flush=True)
""")


@pytest.mark.timeout(120)
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork and /proc")
def test_kill_9_during_saves_keeps_a_complete_latest(tmp_path):
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    zygote = subprocess.Popen([sys.executable, "-c", _SAVER_LOOP, os.path.dirname(__file__)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
    rng = np.random.RandomState(15)
    kills = 0
    try:
        for keep in KEEP:
            directory = tmp_path / f"keep-{keep}"
            directory.mkdir()
            seen = False
            first = 1
            for _ in range(RUNS):
                zygote.stdin.write(f"{directory} {keep} {first}\n")
                zygote.stdin.flush()
                pid = _read(zygote, "pid")
                # let it complete 1-3 saves, then kill it at a random point of the next
                # (in proportion to how long a save takes on this machine now)
                for _ in range(rng.randint(1, 4)):
                    seconds = _read(zygote, "saved")
                time.sleep(rng.uniform(0.0, 1.5) * seconds)
                os.kill(pid, signal.SIGKILL)
                kills += 1
                # (the zygote reaps the child before it forks the next one; wait for the
                # kill to take effect before looking at the files)
                _wait_dead(pid)
                seen = _check_latest(str(directory), seen)
                if seen:
                    latest = tf.train.latest_checkpoint(str(directory))
                    first = int(latest.rsplit("-", 1)[1]) + 1  # a restarted job resumes
            assert seen, f"no save completed in {RUNS} runs with max_to_keep={keep}"
    finally:
        zygote.stdin.close()
        zygote.kill()
        zygote.wait(timeout=30)
    assert kills == RUNS * len(KEEP)


def _read(zygote, kind: str):
    """The next line of `kind` from the zygote or its child: a pid, or how many seconds
    the last save took (lines a killed child left in the pipe are skipped)."""
    while True:
        line = zygote.stdout.readline().split()
        if not line:
            raise AssertionError(f"the saver process ended while {kind!r} was awaited")
        if line[0] == kind == "pid":
            return int(line[1])
        if line[0] == kind == "saved":
            return float(line[2])


def _wait_dead(pid: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as f:
                if f.read().split(")")[-1].split()[0] in ("Z", "X"):
                    return
        except FileNotFoundError:
            return
        time.sleep(0.001)
    raise AssertionError(f"saver process {pid} did not die")
