"""Data-parallel training over MPI with Horovod's API: `import graphc.distributed as hvd`.

One process per worker, started by `mpirun -np N python prog.py` (or
`python -m graphc.distributed.run -np N prog.py`); `hvd.init()` joins the job. Gradients
are averaged by allreduce ops in the graph (`DistributedOptimizer`), variables start equal
through `broadcast_global_variables(0)`. Without mpi4py, or outside mpirun, the job is one
process: size 1, and every collective is the identity.
"""
from __future__ import annotations

import sys
import traceback
from typing import Optional

from ..ir.ops import collective_ops as _ops
from .comm import CollectiveMismatchError, abort, timeout_seconds
from .supervisor import supervise
from .optimizer import (BroadcastGlobalVariablesHook, DistributedOptimizer,  # noqa: F401
                        broadcast_global_variables, broadcast_variables)

Average, Sum = "average", "sum"   # Horovod's hvd.Average, hvd.Sum

__all__ = ["init", "shutdown", "is_initialized", "rank", "size", "local_rank", "local_size",
           "mpi_threads_supported", "allreduce", "allgather", "broadcast", "Average", "Sum",
           "Compression", "DistributedOptimizer", "broadcast_global_variables",
           "broadcast_variables", "BroadcastGlobalVariablesHook", "CollectiveMismatchError",
           "timeout_seconds"]


class Compression:
    """Horovod's `hvd.Compression.none` / `.fp16`: how floats travel in allreduce."""
    none = "none"
    fp16 = "fp16"


_state: dict = {"comm": None, "hook": None}


def init(comm=None) -> None:
    """Join the MPI job (a no-op when already joined). Installs the communicator the
    collective ops run on, and an excepthook: an uncaught exception on one rank prints
    the rank and aborts the whole job, so the others never wait for it."""
    if _state["comm"] is not None:
        return
    if comm is None:   # before MPI starts: a rank that dies is named by its supervisor
        supervise()
    try:
        from mpi4py import MPI
    except ImportError:
        MPI = None  # noqa: N806
    if MPI is None or MPI.COMM_WORLD.Get_size() == 1:   # one process: no MPI calls
        communicator = _ops.LocalCommunicator()
    else:
        from .comm import MPICommunicator
        communicator = MPICommunicator(MPI)
    _state["comm"] = communicator
    _ops.install_communicator(communicator)
    if MPI is not None and communicator.size > 1 and _state["hook"] is None:
        previous = sys.excepthook

        def hook(kind, value, tb):
            text = "".join(traceback.format_exception(kind, value, tb))
            sys.stderr.write(text)
            if kind is KeyboardInterrupt:
                previous(kind, value, tb)
            abort(f"rank {communicator.rank} of {communicator.size} raised "
                  f"{kind.__name__}: {value}; aborting the job")

        _state["hook"] = previous
        sys.excepthook = hook


def shutdown() -> None:
    """Leave the job: collectives become one-process again."""
    if _state["hook"] is not None:
        sys.excepthook = _state["hook"]
        _state["hook"] = None
    _state["comm"] = None
    _ops.install_communicator(None)


def is_initialized() -> bool:
    return _state["comm"] is not None


def _comm():
    if _state["comm"] is None:
        raise ValueError("Horovod has not been initialized; use hvd.init().")
    return _state["comm"]


def rank() -> int:
    return _comm().rank


def size() -> int:
    return _comm().size


def local_rank() -> int:
    return getattr(_comm(), "local_rank", 0)


def local_size() -> int:
    return getattr(_comm(), "local_size", 1)


def mpi_threads_supported() -> bool:
    """Whether MPI runs with MPI_THREAD_MULTIPLE (collectives from several threads)."""
    _comm()
    try:
        from mpi4py import MPI
    except ImportError:
        return False
    return MPI.Query_thread() == MPI.THREAD_MULTIPLE


def _reduce_op(op, average) -> str:
    if op is not None and average is not None:
        raise ValueError("op and average cannot both be given")
    if average is not None:
        return Average if average else Sum
    return Average if op is None else op


def allreduce(tensor, average: Optional[bool] = None, device_dense: str = "",
              device_sparse: str = "", compression=Compression.none, op=None,
              name: Optional[str] = None):
    """The tensor reduced over all ranks (op Average, the default, or Sum)."""
    names = None if name is None else [name]
    return _ops.allreduce([tensor], _reduce_op(op, average), compression, names=names)[0]


def grouped_allreduce(tensors, average: Optional[bool] = None, compression=Compression.none,
                      op=None):
    """Several tensors reduced in one fused call (Horovod's grouped_allreduce)."""
    return _ops.allreduce(list(tensors), _reduce_op(op, average), compression)


def allgather(tensor, name: Optional[str] = None):
    """The ranks' tensors concatenated along dim 0 (their first dims may differ)."""
    return _ops.allgather(tensor, name)


def broadcast(tensor, root_rank: int, name: Optional[str] = None):
    """`root_rank`'s value of the tensor, on every rank."""
    return _ops.broadcast(tensor, root_rank, name)
