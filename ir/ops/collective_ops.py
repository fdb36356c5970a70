"""Collective ops across the processes of a data-parallel job (Horovod's ops).

HorovodAllreduce(x1, ..., xn) {op, compression, names}   each xi reduced over all ranks
    (op "sum" or "average"); several tensors make one fused call (Horovod's tensor fusion:
    one flat buffer per dtype). Its kernel runs in two halves (OpDef.start/finish): the
    plan starts it as soon as its inputs exist and waits for it where a result is first
    read, so a gradient bucket's transfer overlaps the rest of the backward pass
HorovodAllgather(x) {name}        the ranks' x concatenated along dim 0 (first dims may vary)
HorovodBroadcast(x) {root_rank, name}      root's x on every rank
HorovodAllgatherGrad(g, x)        allgather's gradient: this rank's rows of sum(g)
HorovodBroadcastGrad(g) {root_rank}        broadcast's gradient: sum(g) at root, 0 elsewhere

The ir knows no MPI: a kernel calls the process-wide communicator installed with
`install_communicator` (graphc.distributed installs one over mpi4py). Without one, the job
is one process (size 1): every collective is the identity. The ops are impure, so they are
never folded, CSE'd or reordered across each other: every rank runs them in program order.
"""
from __future__ import annotations

import os
from typing import Optional, Sequence

import numpy as np

from ..shapes import TensorShape
from ._base import apply, convert_to_tensor, defop

REDUCE_OPS = ("average", "sum")
COMPRESSIONS = ("none", "fp16")


class LocalCommunicator:
    """The communicator of a job of one process: collectives are the identity."""

    rank, size = 0, 1

    def allreduce(self, arrays: list, op: str, compression: str, names: tuple) -> list:
        return [_compressed_roundtrip(a, compression) for a in arrays]

    def start_allreduce(self, arrays: list, op: str, compression: str, names: tuple):
        """Begin an allreduce; `finish_allreduce` of the value returned gives its result."""
        return self.allreduce(arrays, op, compression, names)

    def finish_allreduce(self, pending) -> list:
        return pending

    def allgather(self, array: np.ndarray, name: str) -> tuple:
        """(the gathered array, the first dim of each rank's array)."""
        return array.copy(), [array.shape[0]]

    def broadcast(self, array: np.ndarray, root_rank: int, name: str) -> np.ndarray:
        if root_rank != 0:
            raise ValueError(f"broadcast '{name}': root_rank {root_rank} is not a rank of a "
                             "job of 1 process")
        return array.copy()


def _compressed_roundtrip(a: np.ndarray, compression: str) -> np.ndarray:
    if compression == "fp16" and a.dtype.kind == "f":
        return a.astype(np.float16).astype(a.dtype)
    return a.copy()


_LOCAL = LocalCommunicator()
_communicator = _LOCAL


def install_communicator(comm) -> None:
    """Make `comm` (None: the one-process communicator) run every collective kernel."""
    global _communicator
    _communicator = _LOCAL if comm is None else comm


def communicator():
    return _communicator


# ---------------------------------------------------------------- inference
def _numeric(op, t) -> None:
    if t.dtype.is_string or t.dtype.is_bool:
        raise TypeError(f"{op.type} op '{op.name}' reduces numbers; '{t.name}' is "
                        f"{t.dtype.name}")


def _allreduce_infer(op):
    for t in op.inputs:
        _numeric(op, t)
    return [(t.dtype, t.shape) for t in op.inputs]


def _not_string(op, t) -> None:
    if t.dtype.is_string:
        raise TypeError(f"{op.type} op '{op.name}' moves numbers; '{t.name}' is string")


def _allgather_infer(op):
    x = op.inputs[0]
    _not_string(op, x)
    if x.shape.ndims == 0:
        raise ValueError(f"allgather of '{x.name}' needs at least one dimension, got a scalar")
    rest = [] if x.shape.ndims is None else x.shape.as_list()[1:]
    return [(x.dtype, TensorShape([None] + rest) if x.shape.ndims is not None
             else x.shape)]


def _same(op):
    _not_string(op, op.inputs[0])
    return [(op.inputs[0].dtype, op.inputs[0].shape)]


# ---------------------------------------------------------------- numpy semantics
def _contiguous(a) -> np.ndarray:
    """A C-contiguous array of the same shape (np.ascontiguousarray makes scalars 1-d)."""
    return np.asarray(a, order="C")


def _allreduce_compute(*arrays, op, compression, names):
    return _allreduce_finish(_allreduce_start(*arrays, op=op, compression=compression,
                                              names=names))


def _allreduce_start(*arrays, op, compression, names):
    comm = _communicator
    return comm, comm.start_allreduce([_contiguous(a) for a in arrays], op, compression,
                                      names)


def _allreduce_finish(pending):
    comm, started = pending
    out = comm.finish_allreduce(started)
    return out[0] if len(out) == 1 else tuple(out)


def _allgather_compute(x, *, name):
    return _communicator.allgather(_contiguous(x), name)[0]


def _broadcast_compute(x, *, root_rank, name):
    return _communicator.broadcast(_contiguous(x), root_rank, name)


def _allgather_grad_compute(g, x, *, name):
    comm = _communicator
    total = comm.allreduce([_contiguous(g)], "sum", "none", (name,))[0]
    sizes = comm.allgather(np.zeros((x.shape[0], 0), g.dtype), name + "/sizes")[1]
    start = int(sum(sizes[:comm.rank]))
    return total[start:start + x.shape[0]].copy()


def _broadcast_grad_compute(g, *, root_rank, name):
    comm = _communicator
    total = comm.allreduce([_contiguous(g)], "sum", "none", (name,))[0]
    return total if comm.rank == root_rank else np.zeros_like(total)


# ---------------------------------------------------------------- VJPs (Horovod's)
def _allreduce_vjp(op, grads):
    """The gradient of an allreduce is the allreduce (same op) of the gradients."""
    attrs = op.attrs
    pairs = [(i, g) for i, g in enumerate(grads) if g is not None]
    if not pairs:
        return [None] * len(grads)
    outs = allreduce([g for _, g in pairs], attrs["op"], attrs["compression"],
                     names=[attrs["names"][i] + "_grad" for i, _ in pairs])
    result = [None] * len(grads)
    for (i, _), o in zip(pairs, outs):
        result[i] = o
    return result


def _allgather_vjp(op, grads):
    return [allgather_grad(grads[0], op.inputs[0], op.attrs["name"] + "_grad")]


def _allgather_grad_vjp(op, grads):
    return [allgather(grads[0], op.attrs["name"] + "_grad"), None]


def _broadcast_vjp(op, grads):
    return [broadcast_grad(grads[0], op.attrs["root_rank"], op.attrs["name"] + "_grad")]


def _broadcast_grad_vjp(op, grads):
    return [broadcast(grads[0], op.attrs["root_rank"], op.attrs["name"] + "_grad")]


_FLAGS = dict(pure=False, family="collective")
# GRAPHC_MPI_OVERLAP=0 (read once, at import): allreduce runs whole, where it stands
_SPLIT = dict(start=_allreduce_start, finish=_allreduce_finish) \
    if os.environ.get("GRAPHC_MPI_OVERLAP", "1") != "0" else {}
defop("HorovodAllreduce", _allreduce_infer, _allreduce_compute, _allreduce_vjp, **_SPLIT,
      **_FLAGS)
defop("HorovodAllgather", _allgather_infer, _allgather_compute, _allgather_vjp, **_FLAGS)
defop("HorovodBroadcast", _same, _broadcast_compute, _broadcast_vjp, **_FLAGS)
defop("HorovodAllgatherGrad", _same, _allgather_grad_compute, _allgather_grad_vjp, **_FLAGS)
defop("HorovodBroadcastGrad", _same, _broadcast_grad_compute, _broadcast_grad_vjp, **_FLAGS)


# ---------------------------------------------------------------- builders
def _check(op: str, compression: str) -> None:
    if op not in REDUCE_OPS:
        raise ValueError(f"allreduce op must be one of {REDUCE_OPS}, got {op!r}")
    if compression not in COMPRESSIONS:
        raise ValueError(f"compression must be one of {COMPRESSIONS}, got {compression!r}")


def allreduce(tensors: Sequence, op: str = "average", compression: str = "none",
              names: Optional[Sequence[str]] = None, name: Optional[str] = None) -> list:
    """One fused allreduce of `tensors`; the reduced tensors, in order."""
    _check(op, compression)
    ts = [convert_to_tensor(t) for t in tensors]
    if not ts:
        raise ValueError("allreduce needs at least one tensor")
    names = tuple(names) if names is not None else tuple(t.op.name for t in ts)
    if len(names) != len(ts):
        raise ValueError(f"allreduce got {len(ts)} tensors and {len(names)} names")
    out = apply("HorovodAllreduce", ts, {"op": op, "compression": compression,
                                         "names": names}, name=name or "HorovodAllreduce")
    return list(out) if isinstance(out, tuple) else [out]


def allgather(tensor, name: Optional[str] = None):
    x = convert_to_tensor(tensor)
    name = name or "HorovodAllgather_" + x.op.name
    return apply("HorovodAllgather", (x,), {"name": name}, name="HorovodAllgather")


def broadcast(tensor, root_rank: int, name: Optional[str] = None):
    x = convert_to_tensor(tensor)
    name = name or "HorovodBroadcast_" + x.op.name
    return apply("HorovodBroadcast", (x,), {"root_rank": int(root_rank), "name": name},
                 name="HorovodBroadcast")


def allgather_grad(grad, x, name: str):
    return apply("HorovodAllgatherGrad", (convert_to_tensor(grad), x), {"name": name},
                 name="HorovodAllgatherGrad")


def broadcast_grad(grad, root_rank: int, name: str):
    return apply("HorovodBroadcastGrad", (convert_to_tensor(grad),),
                 {"root_rank": int(root_rank), "name": name}, name="HorovodBroadcastGrad")


__all__ = ["allreduce", "allgather", "broadcast", "install_communicator", "communicator",
           "LocalCommunicator"]
