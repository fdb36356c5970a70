"""graphc.distributed across processes: each test runs a program in `mpiexec -np 2`
(through graphc.distributed.run) with a timeout. They skip, saying why, where mpi4py or an
mpiexec is missing (pip install -e ".[distributed]" brings both).

No test bounds the wall clock (two ranks importing graphc and compiling take seconds on a
quiet machine, a minute at load 20): a job that must end because a rank failed runs with
a collective deadline (GRAPHC_MPI_TIMEOUT) far beyond the hang guard (`limit`), so that
it ends at all shows the failure ended it, not the survivor waiting its deadline out
(on two hosts the deadline is what ends it: a short one, and no clock)."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from typing import Optional

import numpy as np
import pytest

from graphc.distributed import run as launcher

from . import workers

try:
    import mpi4py  # noqa: F401
    HAVE_MPI4PY = True
except ImportError:
    HAVE_MPI4PY = False

pytestmark = [
    pytest.mark.skipif(not HAVE_MPI4PY, reason="mpi4py is not installed "
                       "(pip install -e '.[distributed]')"),
    pytest.mark.skipif(launcher.find_mpiexec() is None, reason="no mpiexec/mpirun found "
                       "(pip install -e '.[distributed]' brings MPICH's)"),
]

OPEN_MPI = launcher.find_mpiexec() is not None and launcher.is_open_mpi(launcher.find_mpiexec())


NEVER = "100000"  # a collective deadline no job here reaches (seconds)


def mpirun(tmp_path, source: str, *args, timeout_env: str = "30", limit: float = 240,
           launch: tuple = (), env: Optional[dict] = None):
    """Run `source` in 2 processes through graphc's launcher (with `launch`, its options
    before the program), or with `launch=("plain",)` through `mpiexec -np 2 python`."""
    prog = tmp_path / "prog.py"
    prog.write_text(source)
    env = dict(os.environ, GRAPHC_MPI_TIMEOUT=timeout_env, OMP_NUM_THREADS="1",
               GRAPHC_NUM_THREADS="1", **(env or {}))
    if launch == ("plain",):
        cmd = [launcher.find_mpiexec(), "-np", "2"]
        if OPEN_MPI and os.geteuid() == 0:
            cmd.append("--allow-run-as-root")  # as a user running Open MPI's mpirun as root must
        cmd += [sys.executable, str(prog), *args]
    else:
        cmd = [sys.executable, "-m", "graphc.distributed.run", "-np", "2", *launch,
               str(prog), *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=limit)


def results(tmp_path, source: str, env: Optional[dict] = None) -> dict:
    proc = mpirun(tmp_path, source, str(tmp_path), env=env)
    assert proc.returncode == 0, f"mpirun failed ({proc.returncode}):\n{proc.stderr[-3000:]}"
    return {r: json.loads((tmp_path / f"result_{r}.json").read_text()) for r in (0, 1)}


def test_collective_values_and_gradients(tmp_path):
    res = results(tmp_path, workers.COLLECTIVES)
    for rank, r in res.items():
        assert (r["size"], r["local_rank"], r["local_size"]) == (2, rank, 2)
        for backend in ("numpy", "llvm"):
            red, red_sum, gat, bc, g_red, g_red_sum, g_gat, g_bc, fp16, s_red, s_bc = r[backend]
            assert (s_red, s_bc) == (1.5, 2.0)   # scalars stay scalars
            n_rows = rank + 1   # rank r feeds r + 1 everywhere (x has r + 1 rows)
            np.testing.assert_array_equal(red, np.full((2, 2), 1.5))
            np.testing.assert_array_equal(red_sum, np.full((2, 2), 3.0))
            np.testing.assert_array_equal(gat, [[1, 1], [2, 2], [2, 2]])
            np.testing.assert_array_equal(bc, np.full((2, 2), 2.0))
            # the job's loss is sum_r (r + 1) * sum(out): allreduce's gradient is the
            # allreduce of the upstream gradients (1 and 2): average 1.5, sum 3
            np.testing.assert_array_equal(g_red, np.full((2, 2), 1.5))
            np.testing.assert_array_equal(g_red_sum, np.full((2, 2), 3.0))
            # allgather's: this rank's rows of the summed gradient (1 + 2)
            np.testing.assert_array_equal(g_gat, np.full((n_rows, 2), 3.0))
            # broadcast's: the summed gradient at the root (rank 1), zero elsewhere
            np.testing.assert_array_equal(g_bc, np.full((2, 2), 3.0 if rank == 1 else 0.0))
            want = np.float16(np.float16(1 / 3) + np.float16(1 / 3 + 1)) / 2
            assert abs(fp16[0] - float(want)) < 1e-3, fp16


def test_mismatched_shapes_name_the_tensor(tmp_path):
    proc = mpirun(tmp_path, workers.MISMATCH)
    assert proc.returncode != 0
    assert "grad_of_features" in proc.stderr and "[2, 2]" in proc.stderr \
        and "[3, 2]" in proc.stderr, proc.stderr[-3000:]


def test_collectives_reached_in_another_order_name_the_tensors(tmp_path):
    proc = mpirun(tmp_path, workers.ORDER)
    assert proc.returncode != 0
    assert "rank 0 runs allreduce of 'grad_of_weights' where rank 1 runs 'grad_of_biases'" \
        in proc.stderr or "rank 1 runs allreduce of 'grad_of_biases' where rank 0 runs " \
        "'grad_of_weights'" in proc.stderr, proc.stderr[-3000:]
    assert "the same collectives in the same order" in proc.stderr


def test_two_workers_match_one_worker_at_twice_the_batch(tmp_path):
    res = results(tmp_path, workers.TRAINING)
    for backend in ("numpy", "llvm"):
        r0, r1 = res[0][backend], res[1][backend]
        # 64-byte buckets: w (120 bytes) alone, w2 (48) and b (16) fused into one call
        assert r0["allreduce_ops"] == 2, r0["allreduce_ops"]
        for a, b, single in zip(r0["distributed"], r1["distributed"], r0["single"]):
            np.testing.assert_array_equal(a, b)          # both ranks hold the same weights
            np.testing.assert_allclose(a, single, rtol=1e-10, atol=1e-12)


def test_overlapped_buckets_give_the_values_of_blocking_allreduces(tmp_path):
    # the default plan starts each bucket's allreduce after its last gradient and waits at
    # the update (MPI requests driven by the progress thread); GRAPHC_MPI_OVERLAP=0 runs
    # each allreduce whole where it stands
    overlapped = results(tmp_path, workers.TRAINING)
    blocking = results(tmp_path, workers.TRAINING, env={"GRAPHC_MPI_OVERLAP": "0"})
    for rank in (0, 1):
        for backend in ("numpy", "llvm"):
            for a, b in zip(overlapped[rank][backend]["distributed"],
                            blocking[rank][backend]["distributed"]):
                np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)


# a death is named by the launcher from hydra's exit codes ("rank 1 on <host>", MPICH) or by
# the rank's supervisor ("rank 1 of 2 (pid ...) died", Open MPI, whose mpirun reports no rank)
@pytest.mark.parametrize("how, expect", [("die", ("rank 1 on ", "rank 1 of 2 (pid ")),
                                         ("raise", ("rank 1 of 2 raised RuntimeError",))])
def test_a_failing_worker_ends_the_job(tmp_path, how, expect):
    proc = mpirun(tmp_path, workers.FAILING, how, timeout_env=NEVER)
    assert proc.returncode != 0
    assert any(e in proc.stderr for e in expect), proc.stderr[-3000:]


def test_plain_mpirun_runs_a_job_to_its_end_quietly(tmp_path):
    proc = mpirun(tmp_path, workers.FAILING, "finish", str(tmp_path), launch=("plain",))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "graphc.distributed" not in proc.stderr, proc.stderr[-3000:]  # no supervisor word


@pytest.mark.parametrize("how, expect", [
    ("die", "rank 1 of 2 (pid {pid} on host {host}) died: it exited with status 1 without "
            "finishing the program"),
    ("die0", "rank 1 of 2 (pid {pid} on host {host}) died: it exited with status 0 without "
             "finishing the program"),
    ("kill", "rank 1 of 2 (pid {pid} on host {host}) died: killed by signal 9 (SIGKILL)")])
def test_plain_mpirun_names_a_worker_that_dies(tmp_path, how, expect):
    # not graphc's launcher: MPICH's mpiexec as the user types it. hydra SIGKILLs the other
    # rank at once and names nobody; the dead rank's supervisor (supervisor.py) does.
    proc = mpirun(tmp_path, workers.FAILING, how, str(tmp_path), timeout_env=NEVER,
                  launch=("plain",))
    assert proc.returncode != 0, proc.stderr[-3000:]
    pid = (tmp_path / "pid_1.txt").read_text()
    assert expect.format(pid=pid, host=socket.gethostname()) in proc.stderr, \
        proc.stderr[-3000:]
    assert "rank 0 of 2" not in proc.stderr, proc.stderr[-3000:]   # only the dead rank


@pytest.mark.timeout(600)  # a hang guard over two jobs
@pytest.mark.skipif(OPEN_MPI, reason="Open MPI starts another host's daemon over ssh only "
                    "(no sshd here); MPICH's hydra has a fork launcher")
def test_a_job_on_two_hosts(tmp_path):
    # -H with two host names: hydra starts a proxy per host and PMI goes over TCP, as on
    # two machines; --launcher fork starts both proxies here, where no sshd runs
    hosts = ("-H", "host1:1,host2:1", "--launcher", "fork")
    proc = mpirun(tmp_path, workers.COLLECTIVES, str(tmp_path), launch=hosts)
    assert proc.returncode == 0, proc.stderr[-3000:]
    for rank in (0, 1):
        r = json.loads((tmp_path / f"result_{rank}.json").read_text())
        assert (r["size"], r["local_rank"], r["local_size"]) == (2, 0, 1)  # a host each
        np.testing.assert_array_equal(r["llvm"][0], np.full((2, 2), 1.5))
    assert "Exit codes: [host1] 0" in proc.stdout and "[host2] 0" in proc.stdout, proc.stdout
    # (here the survivor ends by its deadline: the other host's proxy is not torn down)
    proc = mpirun(tmp_path, workers.FAILING, "die", str(tmp_path), timeout_env="3",
                  launch=hosts)
    assert proc.returncode != 0
    assert "rank 1 of 2 (pid " in proc.stderr and "died: it exited with status 1" in \
        proc.stderr, proc.stderr[-3000:]
