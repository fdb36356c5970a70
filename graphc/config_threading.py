"""`tf.config.threading`: the thread counts as TF's functions set and read them.

The intra-op count is the one knob GRAPHC_THREADS and `ConfigProto(
intra_op_parallelism_threads=...)` also set: the size of the llvm backend's process-wide
thread pool (backends/llvm/threadpool.py; 0 = one thread per core). Set before the pool's
workers start it decides over both; once they run, changing it is TF's RuntimeError (TF's
context, like this pool, is made once). The inter-op count is kept and returned, as TF
does, and changes nothing: one run is one native call, with no independent ops to schedule
across threads (as `ConfigProto(inter_op_parallelism_threads=...)`).
"""
from __future__ import annotations

_settings = {"intra": None, "inter": 0}


def _count(num_threads, what: str) -> int:
    if isinstance(num_threads, bool) or not hasattr(num_threads, "__index__"):
        raise TypeError(f"{what}: num_threads must be an integer, got "
                        f"{type(num_threads).__name__} {num_threads!r}")
    return int(num_threads.__index__())


def _pool():
    """The llvm backend's pool (None where llvmlite cannot target the CPU)."""
    from .backends.llvm import available
    if not available():
        return None
    from .backends.llvm.target import host
    return host().pool


def set_intra_op_parallelism_threads(num_threads: int) -> None:
    """Threads one op (kernel) splits across; 0 lets the system pick (one per core)."""
    n = _count(num_threads, "set_intra_op_parallelism_threads")
    pool = _pool()
    if pool is not None:
        pool.set_threads(n)  # (RuntimeError once the workers run)
    _settings["intra"] = n


def get_intra_op_parallelism_threads() -> int:
    """The intra-op count asked for (set here, by a Session's ConfigProto or by
    GRAPHC_THREADS); 0 means the system picks."""
    pool = _pool()
    if pool is not None:
        return pool.requested
    if _settings["intra"] is not None:
        return _settings["intra"]
    from .backends.llvm.threadpool import threads_from_env
    return threads_from_env() or 0


def set_inter_op_parallelism_threads(num_threads: int) -> None:
    """Accepted and kept (graphc runs a step as one native call: see the module doc)."""
    _settings["inter"] = _count(num_threads, "set_inter_op_parallelism_threads")


def get_inter_op_parallelism_threads() -> int:
    return _settings["inter"]
