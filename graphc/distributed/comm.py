"""The communicator the collective kernels call: MPI through mpi4py, never a hang.

Every collective first exchanges a small header (name, shape, dtype) of each tensor, so
ranks that disagree (another tensor, shape or dtype; collectives reached in another order)
fail with an error naming the tensor instead of reducing garbage. Every MPI call is
non-blocking and polled against a deadline (GRAPHC_MPI_TIMEOUT seconds, default 60): a
rank that died, raised or never reaches the collective makes the others print what they
waited for and abort the whole job (MPI_Abort), so mpirun tears everything down.
"""
from __future__ import annotations

import hashlib
import json
import os
import sys
import threading
import time

import numpy as np

from . import supervisor

DEFAULT_TIMEOUT = 60.0


def timeout_seconds() -> float:
    text = os.environ.get("GRAPHC_MPI_TIMEOUT", "")
    try:
        value = float(text) if text else DEFAULT_TIMEOUT
    except ValueError:
        raise ValueError(f"GRAPHC_MPI_TIMEOUT must be a number of seconds, got {text!r}") \
            from None
    return value if value > 0 else DEFAULT_TIMEOUT


class CollectiveMismatchError(ValueError):
    """Ranks reached a collective with different tensors."""


class MPICommunicator:
    """Collectives over `MPI.COMM_WORLD` (the job started by mpirun)."""

    def __init__(self, MPI) -> None:  # noqa: N803 (the module's name)
        self.MPI = MPI
        self.comm = MPI.COMM_WORLD
        self.rank, self.size = self.comm.Get_rank(), self.comm.Get_size()
        self.local = self.comm.Split_type(MPI.COMM_TYPE_SHARED, key=self.rank)
        self.local_rank, self.local_size = self.local.Get_rank(), self.local.Get_size()
        self.check = self.comm.Dup()   # where the ranks compare what they are about to run
        self.timeout = timeout_seconds()
        self.bytes_moved = 0   # payload bytes this rank sent into collectives (benchmarks)
        # allreduces under way progress in a thread of their own where MPI allows threads
        self.progress = Progress() if MPI.Query_thread() == MPI.THREAD_MULTIPLE and \
            os.environ.get("GRAPHC_MPI_PROGRESS_THREAD", "1") != "0" else None

    # ------------------------------------------------------------ waiting with a deadline
    def wait(self, request, what: str) -> None:
        """Poll `request` until done; past the deadline, report and abort the job."""
        start = time.monotonic()
        deadline = start + self.timeout
        while not request.Test():
            now = time.monotonic()
            if now > deadline:
                abort(f"rank {self.rank} of {self.size}: {what} did not complete within "
                      f"{self.timeout:g} s (GRAPHC_MPI_TIMEOUT): another rank died, raised "
                      "or never reached it; aborting the job")
            # spin (each Test drives MPI's progress) for 50 ms, then poll every ms
            time.sleep(0 if now - start < 0.05 else 1e-3)

    def _headers(self, kind: str, entries: list, first_dim: int = 0) -> list:
        """Check that every rank runs `kind` of the same [(name, shape, dtype)] (shapes
        compared without dim 0 for allgather, whose first dims may differ); return each
        rank's `first_dim`. One small exchange of digests; the full descriptions travel
        only when they differ, for an error naming the tensor."""
        return self._check_header(self._post_header(kind, entries, first_dim))

    def _post_header(self, kind: str, entries: list, first_dim: int = 0) -> tuple:
        """Start the exchange of digests `_check_header` checks. It runs on a communicator
        of its own, so that ranks that disagree meet there in the same order even when
        their data collectives (on COMM_WORLD) do not match."""
        text = json.dumps([kind] + [[n, s[1:] if kind == "allgather" else s, d]
                                    for n, s, d in entries]).encode()
        buf = np.zeros(40, np.uint8)
        buf[:20] = np.frombuffer(hashlib.sha1(text).digest(), np.uint8)
        buf[24:40] = np.array([len(text), first_dim], np.int64).view(np.uint8)
        every = np.empty((self.size, 40), np.uint8)
        return kind, text, buf, every, self.check.Iallgather(buf, every), \
            f"{kind} of '{entries[0][0]}'"

    def _check_header(self, posted: tuple) -> list:
        kind, text, buf, every, request, what = posted
        self.wait(request, what)
        numbers = every[:, 24:40].copy().view(np.int64)
        if all((row[:20] == buf[:20]).all() for row in every):
            return [int(f) for f in numbers[:, 1]]
        lengths = [int(n) for n in numbers[:, 0]]
        full = np.empty(sum(lengths), np.uint8)
        self.wait(self.check.Iallgatherv(np.frombuffer(text, np.uint8),
                                         [full, lengths, None, self.MPI.BYTE]), what)
        offsets = np.cumsum([0] + lengths)
        theirs_all = [json.loads(bytes(full[offsets[r]:offsets[r + 1]]).decode())
                      for r in range(self.size)]
        mine = theirs_all[self.rank]
        for r, h in enumerate(theirs_all):
            if h == mine:
                continue
            if h[0] != kind or len(h) != len(mine):
                raise CollectiveMismatchError(
                    f"rank {self.rank} runs {kind} of {_describe(mine[1:])} while rank {r} "
                    f"runs {h[0]} of {_describe(h[1:])}: the ranks must run the same "
                    "collectives in the same order")
            for m, t in zip(mine[1:], h[1:]):
                if m[0] != t[0]:
                    raise CollectiveMismatchError(
                        f"rank {self.rank} runs {kind} of '{m[0]}' where rank {r} runs "
                        f"'{t[0]}': the ranks must run the same collectives in the same "
                        "order")
                if m != t:
                    raise CollectiveMismatchError(
                        f"{kind} of tensor '{m[0]}': rank {self.rank} has shape {m[1]} "
                        f"dtype {m[2]}, rank {r} has tensor '{t[0]}' of shape {t[1]} dtype "
                        f"{t[2]}" + (" (dims after the first)" if kind == "allgather" else ""))
        return [int(f) for f in numbers[:, 1]]

    # ------------------------------------------------------------ the collectives
    def allreduce(self, arrays: list, op: str, compression: str, names: tuple) -> list:
        return self.finish_allreduce(self.start_allreduce(arrays, op, compression, names))

    def start_allreduce(self, arrays: list, op: str, compression: str,
                        names: tuple) -> "_Allreduce":
        """Post the exchange of the tensors' description with the other ranks' and their
        allreduce (one call per dtype), without waiting for either: `finish_allreduce`
        checks the descriptions first, then waits for the data. The inputs are copied
        into the send buffer first, so their memory may be reused at once. (Ranks that
        disagree may have posted allreduces of other sizes: MPI never writes past a
        receive buffer, and the check raises before the data is waited for.)"""
        header = self._post_header("allreduce", [[n, list(a.shape), a.dtype.str]
                                                 for n, a in zip(names, arrays)])
        what = f"allreduce of '{names[0]}'" + (f" (+{len(names) - 1} fused)"
                                                if len(names) > 1 else "")
        pending = _Allreduce(arrays, op, what, header)
        groups: dict = {}
        for i, a in enumerate(arrays):
            wire = np.dtype(np.float16) if compression == "fp16" and a.dtype.kind == "f" \
                else a.dtype
            groups.setdefault((wire, a.dtype), []).append(i)
        for (wire, _), members in groups.items():
            flat = np.concatenate([arrays[i].reshape(-1) for i in members]).astype(
                wire, copy=False) if len(members) > 1 else \
                arrays[members[0]].reshape(-1).astype(wire)   # (a copy)
            total = np.empty_like(flat)
            self.bytes_moved += flat.nbytes
            request = self.comm.Iallreduce(flat, total, op=self.MPI.SUM)
            pending.parts.append((members, flat, total, request))
        if self.progress is not None:
            self.progress.add(pending)
        return pending

    def finish_allreduce(self, pending: "_Allreduce") -> list:
        self._check_header(pending.header)
        if self.progress is not None:
            self.progress.wait(pending, self)
        else:
            for _, _, _, request in pending.parts:
                self.wait(request, pending.what)
        out = [None] * len(pending.shapes)
        for members, _, total, _ in pending.parts:
            start = 0
            for i in members:
                shape, dtype = pending.shapes[i], pending.dtypes[i]
                n = int(np.prod(shape, dtype=np.int64))
                part = total[start:start + n].reshape(shape).astype(dtype)
                start += n
                if pending.op == "average":
                    part = part / self.size if dtype.kind == "f" else part // self.size
                out[i] = np.asarray(part, dtype=dtype)  # 0-d stays an array
        return out

    def allgather(self, array: np.ndarray, name: str) -> tuple:
        firsts = self._headers("allgather", [[name, list(array.shape), array.dtype.str]],
                               array.shape[0])
        row = int(np.prod(array.shape[1:], dtype=np.int64))
        counts = [f * row for f in firsts]
        out = np.empty((sum(firsts),) + array.shape[1:], array.dtype)
        self.bytes_moved += array.nbytes
        mpi_type = self.MPI._typedict[array.dtype.char]
        self.wait(self.comm.Iallgatherv(np.asarray(array, order="C"),
                                        [out, counts, None, mpi_type]),
                  f"allgather of '{name}'")
        return out, firsts

    def broadcast(self, array: np.ndarray, root_rank: int, name: str) -> np.ndarray:
        if not 0 <= root_rank < self.size:
            raise ValueError(f"broadcast '{name}': root_rank {root_rank} is not a rank of a "
                             f"job of {self.size} processes")
        self._headers("broadcast", [[name, list(array.shape), array.dtype.str]])
        out = array.copy()
        self.bytes_moved += array.nbytes
        self.wait(self.comm.Ibcast(out, root=root_rank), f"broadcast of '{name}'")
        return out

    def barrier(self) -> None:
        self.wait(self.comm.Ibarrier(), "barrier")


class _Allreduce:
    """An allreduce under way: per dtype, the members, send and receive buffers (kept
    alive here until MPI is done with them) and the request."""

    def __init__(self, arrays: list, op: str, what: str, header: tuple) -> None:
        self.header = header   # (the description exchange under way: _post_header)
        self.shapes = [a.shape for a in arrays]
        self.dtypes = [a.dtype for a in arrays]
        self.op, self.what = op, what
        self.parts: list = []
        self.done = threading.Event()
        self.error = None   # an MPI error the progress thread met


def _test(pending: _Allreduce) -> bool:
    """Whether every request of `pending` is complete (or failed: then `error` says how)."""
    try:
        return all(r.Test() for _, _, _, r in pending.parts)
    except Exception as exc:   # (mpi4py's MPI.Exception: data of ranks that disagree)
        pending.error = exc
        return True


class Progress:
    """The thread that drives the allreduces under way while the rank computes.

    MPI moves a large message only inside MPI calls, so an allreduce posted at the start
    of a bucket and waited for at the optimizer update would otherwise move at the wait.
    With MPI_THREAD_MULTIPLE this thread Test()s the requests under way (mpi4py releases
    the GIL in MPI calls, native segments and BLAS run without it) every POLL seconds,
    and sets each allreduce's `done` when its last request completes. Only the main thread
    posts collectives, so every rank posts them in its plan's order."""

    POLL = 1e-4

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._under_way: list = []
        self._thread = threading.Thread(target=self._run, name="graphc-mpi-progress",
                                        daemon=True)
        self._thread.start()

    def add(self, pending: _Allreduce) -> None:
        with self._cond:
            self._under_way.append(pending)
            self._cond.notify()

    def wait(self, pending: _Allreduce, comm: "MPICommunicator") -> None:
        if pending.done.wait(comm.timeout):
            if pending.error is not None:
                raise RuntimeError(f"{pending.what}: {pending.error}")
        else:
            abort(f"rank {comm.rank} of {comm.size}: {pending.what} did not complete "
                  f"within {comm.timeout:g} s (GRAPHC_MPI_TIMEOUT): another rank died, "
                  "raised or never reached it; aborting the job")

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._under_way:
                    self._cond.wait()
                under_way = list(self._under_way)
            finished = [p for p in under_way if _test(p)]
            if finished:
                with self._cond:
                    for p in finished:
                        self._under_way.remove(p)
                for p in finished:
                    p.done.set()
            else:
                time.sleep(self.POLL)


def _describe(entries: list) -> str:
    return ", ".join(f"'{e[0]}'" for e in entries[:3]) + (" ..." if len(entries) > 3 else "")


REPORT_DIR_ENV = "GRAPHC_MPI_REPORT_DIR"


def abort(message: str, code: int = 1) -> None:
    """Print `message` and end the whole MPI job (mpirun kills every rank).

    MPI_Abort tears the job down at once, and mpiexec's stdio forwarding may drop what the
    ranks wrote last, so under graphc.distributed.run the message also goes to a file in
    $GRAPHC_MPI_REPORT_DIR, which the launcher prints after the job ends."""
    sys.stderr.write(f"graphc.distributed: {message}\n")
    sys.stderr.flush()
    supervisor.mark(supervisor.ABORTED)   # this rank says why: its supervisor stays quiet
    report_dir = os.environ.get(REPORT_DIR_ENV)
    if report_dir:
        try:
            path = os.path.join(report_dir, f"rank-{os.getpid()}.txt")
            with open(path + ".tmp", "w") as f:
                f.write(message)
            os.replace(path + ".tmp", path)
        except OSError:
            pass
    try:
        from mpi4py import MPI
        MPI.COMM_WORLD.Abort(code)
    finally:
        os._exit(code)
