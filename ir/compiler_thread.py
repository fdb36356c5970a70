"""Compiling on a thread with a stack of its own: `on_compiler_thread(fn, *args)`.

A plan's compile recurses deeply in native code (LLVM's passes and code generation) and
in the passes over a deep graph, and the caller's thread may have as little stack as
`threading.stack_size(32768)` gives it (Python's least): a first `Session.run` there
overflowed it and killed the process. So every compile runs on a compiler thread
created with `STACK_BYTES` of stack (reserved address space; pages are touched only as
deep as a compile goes), and the caller waits for it. Compiler threads are reused; one
more is started only when every one is busy (two user threads compiling at once, or a
compile waiting on a lock that another caller holds while it waits for its own compile),
so a compile never waits for a thread. A compile that itself compiles (a loop body, the
llvm backend's JIT) runs inline on the compiler thread it is on. An exception raised by
the compile is re-raised in the caller with its own traceback, the caller's frames
above it.
"""
from __future__ import annotations

import queue
import threading

STACK_BYTES = 256 << 20
_KEEP_IDLE = 4  # idle compiler threads kept for reuse; more exit once their job is done

_lock = threading.Lock()  # the idle list, and threading.stack_size around a thread's start
_idle: list = []
started = 0  # compiler threads started in this process (tests count the process's threads)
_local = threading.local()  # .compiler: this thread is a compiler thread


class _Job:
    __slots__ = ("fn", "args", "kwargs", "done", "result", "error")

    def __init__(self, fn, args, kwargs) -> None:
        self.fn, self.args, self.kwargs = fn, args, kwargs
        self.done = threading.Event()
        self.result = self.error = None


class _CompilerThread:
    def __init__(self) -> None:
        global started
        self.jobs: queue.SimpleQueue = queue.SimpleQueue()
        started += 1
        old = threading.stack_size(STACK_BYTES)  # (under _lock: the setting is global)
        try:
            threading.Thread(target=self._serve, name="graphc-compiler", daemon=True).start()
        finally:
            threading.stack_size(old)

    def _serve(self) -> None:
        _local.compiler = True
        while True:
            job = self.jobs.get()
            try:
                job.result = job.fn(*job.args, **job.kwargs)
            except BaseException as e:  # (handed to the caller, raised there)
                job.error = e
            job.fn = job.args = job.kwargs = None
            job.done.set()
            del job  # (an idle thread must not keep the last compile's plan and graph alive)
            with _lock:
                if len(_idle) >= _KEEP_IDLE:
                    return
                _idle.append(self)


def on_compiler_thread(fn, *args, **kwargs):
    """fn(*args, **kwargs), run on a compiler thread (see the module doc); inline when
    this thread is one."""
    if getattr(_local, "compiler", False):
        return fn(*args, **kwargs)
    job = _Job(fn, args, kwargs)
    with _lock:
        worker = _idle.pop() if _idle else _CompilerThread()
    worker.jobs.put(job)
    job.done.wait()
    if job.error is not None:
        error, job.error = job.error, None
        raise error  # (its __traceback__ is the compile's; this frame is added above it)
    return job.result
