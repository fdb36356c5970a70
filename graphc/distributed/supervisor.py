"""Naming a rank that dies, under any launcher: each rank's supervisor process.

A rank that ends without leaving the job (os._exit, a signal such as SIGKILL, a crash in
native code) cannot say so itself, and MPICH's hydra then kills every other rank with
SIGKILL at once, printing the pid of a rank killed by a signal and nothing at all for one
that exited with a status (and exit status 0 for a rank that called os._exit(0) in the
middle of training). So `hvd.init()`, before MPI starts, forks: the process the launcher
started becomes this small supervisor, which waits for the rank (its child, which goes on
with the program) and, when the rank ended without finishing, writes

    graphc.distributed: rank 1 of 2 (pid 4242 on host vm) died: killed by signal 9 (SIGKILL)

before it hands the same status on to the launcher. The message is in the launcher's
output stream before the launcher learns of any death, so it comes through before the job
is torn down, on every host of the job.

The rank dies with its supervisor (PR_SET_PDEATHSIG), so a launcher that kills the process
it started ends the rank too; signals sent to the supervisor (SIGINT, SIGTERM, ...) are
passed on to the rank. A rank that finishes the program (the marker its atexit handler
writes) or aborts the job itself with its own message (comm.abort) ends silently.

Not supervised: a job of one process, a process started without a launcher (no rank in
the environment), a process where MPI is already initialized (a fork after MPI_Init is
unsafe: import mpi4py's MPI after hvd.init()), and GRAPHC_MPI_SUPERVISOR=0.
"""
from __future__ import annotations

import atexit
import ctypes
import os
import signal
import socket
import sys
import warnings
from typing import Optional

FINISHED, ABORTED = b"F", b"A"
FORWARDED = ("SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2")
_PR_SET_PDEATHSIG = 1

_marker: dict = {"fd": None}


def launcher_rank() -> Optional[tuple]:
    """(rank, size) the launcher put in the environment (MPICH/Intel MPI's PMI, Open MPI,
    PMIx), or None outside a launcher."""
    for rank_var, size_var in (("PMI_RANK", "PMI_SIZE"),
                               ("OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE"),
                               ("PMIX_RANK", "OMPI_COMM_WORLD_SIZE")):
        rank, size = os.environ.get(rank_var, ""), os.environ.get(size_var, "")
        if rank.isdigit() and size.isdigit():
            return int(rank), int(size)
    return None


def _mpi_initialized() -> bool:
    mpi = sys.modules.get("mpi4py.MPI")
    return mpi is not None and (mpi.Is_initialized() and not mpi.Is_finalized())


def supervise() -> bool:
    """Become the supervisor of this rank (in the parent; never returns there) and go on
    as the rank in the child; False when the rank is not supervised (see the module)."""
    where = launcher_rank()
    if os.environ.get("GRAPHC_MPI_SUPERVISOR", "1") == "0" or where is None or \
            where[1] < 2 or _marker["fd"] is not None or _mpi_initialized() or \
            not hasattr(os, "fork"):
        return False
    read_end, write_end = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    with warnings.catch_warnings():
        # Python 3.12 warns about fork in a threaded process: the threads here are
        # OpenBLAS's and graphc's pools, which both reset themselves in a forked child.
        warnings.simplefilter("ignore", DeprecationWarning)
        supervisor = os.getpid()
        child = os.fork()
    if child == 0:
        os.close(read_end)
        _die_with(supervisor)
        _marker["fd"] = write_end
        atexit.register(mark, FINISHED)
        return True
    os.close(write_end)
    os.set_blocking(read_end, False)   # (a grandchild may hold the write end)
    _wait_and_report(child, read_end, *where)   # never returns


def mark(what: bytes) -> None:
    """Tell the supervisor how this rank ends (FINISHED or ABORTED with its own message)."""
    fd = _marker["fd"]
    if fd is not None:
        try:
            os.write(fd, what)
        except OSError:
            pass


def _die_with(supervisor: int) -> None:
    """Make the kernel kill this process when the supervisor goes (Linux)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass
    if os.getppid() != supervisor:  # the supervisor went before prctl took effect
        os._exit(1)


def _wait_and_report(child: int, marker_fd: int, rank: int, size: int) -> None:
    for name in FORWARDED:
        sig = getattr(signal, name, None)
        if sig is not None:
            signal.signal(sig, lambda s, _f: _forward(child, s))
    while True:
        try:
            _, status = os.waitpid(child, 0)
            break
        except ChildProcessError:
            status = 1 << 8
            break
    code = os.waitstatus_to_exitcode(status)
    marks = _read_all(marker_fd)
    # a rank ended by the signal the launcher sent its supervisor (Open MPI's mpirun SIGTERMs
    # the other ranks when one dies) was stopped, not dead: the dead rank speaks for the job
    message = None if -code in _forwarded else describe_end(code, marks)
    if message is not None:
        text = (f"graphc.distributed: rank {rank} of {size} (pid {child} on host "
                f"{socket.gethostname()}) {message}\n")
        try:
            os.write(2, text.encode())
        except OSError:
            pass
    if code < 0:   # end as the rank did, so the launcher reports the same signal
        try:
            signal.signal(-code, signal.SIG_DFL)
        except (OSError, ValueError):
            pass   # SIGKILL and SIGSTOP keep their default
        os.kill(os.getpid(), -code)
        os._exit(128 - code)
    os._exit(code if code > 0 else (1 if message is not None else 0))


_forwarded: set = set()   # the signals the supervisor passed on to its rank


def _forward(child: int, sig: int) -> None:
    _forwarded.add(sig)
    try:
        os.kill(child, sig)
    except ProcessLookupError:
        pass


def _read_all(fd: int) -> bytes:
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 64)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def describe_end(code: int, marks: bytes) -> Optional[str]:
    """What the supervisor says about a rank that ended with `code` (negative: killed by
    that signal) after writing `marks`; None when there is nothing to say."""
    if ABORTED in marks or (FINISHED in marks and code == 0):
        return None
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = "an unknown signal"
        return f"died: killed by signal {-code} ({name}); the job ends"
    if FINISHED in marks:
        return f"exited with status {code}; the job ends"
    return (f"died: it exited with status {code} without finishing the program (os._exit, "
            "or a crash); the job ends")
