"""Run-time state shared by the Session (owner) and the backends (users).

The Session owns one `RuntimeState`: variable values, the per-op counters of random ops
and per-session resources. Backends bind a `NodeContext` to each stateful node when they
build a plan, so a kernel reaches exactly the state its node names, without a lookup by
name per run.

Nodes that hold graphs (If, While, a dataset's functions) have them run by a
`GraphRunner`: whoever compiles a plan passes one down to the backend (the Session and
the function runner pass the function runner, graphc/functions.py, which compiles each
graph with the Session's pipeline and backend), and the backend hands it to each such
node's context. Nothing in ir reaches up for it: a plan compiled without one runs every
op but those.
"""
from __future__ import annotations

import itertools
import os
import threading
from typing import Optional, Protocol

import numpy as np

from .errors import FailedPreconditionError, InvalidArgumentError
from .symbolic import is_symbolic


class VariableStore:
    """Variable values by variable (op) name. Writes replace the array; they never mutate it.

    Replacing keeps every value read earlier in a run unchanged (read-before-assign), and
    makes a fetched value safe from later updates. `persistent_ids` lets a backend tell
    whether an array it is about to hand to the user aliases stored state.
    """

    def __init__(self) -> None:
        self._values: dict[str, np.ndarray] = {}
        self._ids: set[int] = set()
        self._lock = threading.Lock()
        self._update_locks: dict[str, threading.RLock] = {}
        self.version = 0  # bumped on every replacement (backends cache array addresses)

    def update_lock(self, name: str) -> threading.RLock:
        """The lock that makes a read-modify-write of variable `name` atomic (one per
        variable, made on first use and kept, so a plan can bind it once). Re-entrant: a
        run holding it (see `holding`) may run an update kernel that takes it again."""
        with self._lock:
            lock = self._update_locks.get(name)
            if lock is None:
                lock = self._update_locks[name] = threading.RLock()
            return lock

    def holding(self, names, fn):
        """`fn` wrapped to run holding the update locks of the variables `names`, taken
        in sorted order (so two holders never wait for each other)."""
        locks = [self.update_lock(n) for n in sorted(names)]

        def held(*args, **kwargs):
            for lock in locks:
                lock.acquire()
            try:
                return fn(*args, **kwargs)
            finally:
                for lock in reversed(locks):
                    lock.release()
        return held

    def get(self, name: str) -> Optional[np.ndarray]:
        return self._values.get(name)

    def set(self, name: str, value: np.ndarray) -> None:
        with self._lock:
            old = self._values.get(name)
            if old is not None:
                self._ids.discard(id(old))
            self._values[name] = value
            self._ids.add(id(value))
            self.version += 1

    def __contains__(self, name: str) -> bool:
        return name in self._values

    def names(self) -> set:
        return set(self._values)

    def is_persistent(self, array: np.ndarray) -> bool:
        return id(array) in self._ids

    def items(self):
        return list(self._values.items())


class RuntimeState:
    """Everything a Session keeps across runs."""

    def __init__(self) -> None:
        self.variables = VariableStore()
        self._random_counters: dict[str, itertools.count] = {}
        self._lock = threading.Lock()
        # Per-session resources by name (dataset iterators): state a kernel keeps across
        # runs that is not a variable. Each may have a close() the Session calls.
        self.resources: dict = {}

    def close_resources(self) -> None:
        with self._lock:
            resources, self.resources = list(self.resources.values()), {}
        for r in resources:
            close = getattr(r, "close", None)
            if close is not None:
                close()

    def random_counter(self, op_name: str) -> itertools.count:
        with self._lock:
            counter = self._random_counters.get(op_name)
            if counter is None:
                counter = self._random_counters[op_name] = itertools.count()
            return counter


class GraphRunner(Protocol):
    """Runs graphs held by nodes as programs: their Placeholders named `params` fed, the
    values of `outputs` ((op name, output index) pairs) fetched."""

    def run_graph(self, graph, params: tuple, outputs: tuple, args: list,
                  outs=None) -> list:
        """The outputs' values for `args` (`outs`: optional arrays, per output, the
        backend may write them into)."""

    def compiled(self, graph, params: tuple, outputs: tuple, args: list):
        """(the executable run_graph would run for `args`, the position of each output
        among its fetches), for a backend that runs it its own way (a native loop); None
        when every run must go through run_graph (an observed run reports each op)."""


class NodeContext:
    """What a stateful kernel may touch: its variable, its random stream, the Session's
    resources, and `functions`, the GraphRunner for the graphs its node holds."""

    __slots__ = ("op", "variable", "functions", "_store", "_counter", "_shape",
                 "_check_shape", "_must_exist", "_state", "_update_lock", "_exclusive")

    def __init__(self, op, state: RuntimeState, variable: Optional[str] = None,
                 functions: Optional[GraphRunner] = None) -> None:
        self.op = op
        self.variable = variable
        self.functions = functions
        self._state = state
        self._store = state.variables
        self._counter = state.random_counter(op.name)
        var_op = op.inputs[0].op if op.inputs else op
        shape = var_op.attrs.get("shape") if var_op.type == "VariableV2" else None
        self._shape = None if shape is None else shape.as_tuple()
        self._check_shape = op.attrs.get("validate_shape", True) and self._shape is not None
        self._must_exist = op.type != "Assign"
        self._update_lock = None if variable is None else self._store.update_lock(variable)
        # TF1's use_locking: the write excludes concurrent updates of the same variable
        self._exclusive = bool(op.attrs.get("use_locking", False))

    def read_variable(self) -> np.ndarray:
        return self.read_variable_named(self.variable)

    def write_variable(self, value: np.ndarray) -> np.ndarray:
        """Replace the variable's value by `value` (under its lock with use_locking)."""
        if not self._exclusive:
            return self._write(value)
        with self._update_lock:
            return self._write(value)

    def update_variable(self, update) -> np.ndarray:
        """Replace the variable's value v by `update(v)` atomically: a concurrent update
        of the same variable waits, so none is lost (AssignAdd/AssignSub). The lock is
        taken whatever use_locking says: TF1's native kernels leave a race window of a
        few instructions, the interpreter's would span whole numpy calls."""
        with self._update_lock:
            return self._write(np.asarray(update(self.read_variable())))

    def _write(self, value: np.ndarray) -> np.ndarray:
        if self._check_shape and value.shape != self._shape and not _compatible(
                self._shape, value.shape):
            raise InvalidArgumentError(
                None, None, f"Assign requires shapes of both tensors to match. lhs shape= "
                f"{list(self._shape)} rhs shape= {list(value.shape)}")
        if self._must_exist and self.variable not in self._store:
            raise FailedPreconditionError(
                None, None, f"Attempting to use uninitialized value {self.variable}")
        self._store.set(self.variable, value)
        return value

    def read_variable_named(self, name: str) -> np.ndarray:
        """The value of variable `name` now (its own, or one a loop re-reads)."""
        value = self._store.get(name)
        if value is None:
            raise FailedPreconditionError(
                None, None, f"Attempting to use uninitialized value {name}")
        return value

    def variable_initialized(self) -> bool:
        return self.variable in self._store

    def resource(self, name: str, create):
        """The Session's resource `name`, made by `create()` on first use."""
        state = self._state
        with state._lock:
            r = state.resources.get(name)
            if r is None:
                r = state.resources[name] = create()
            return r

    def next_random_call(self) -> int:
        return next(self._counter)

    def runner(self) -> GraphRunner:
        """`functions`, or the error of a plan compiled without a GraphRunner."""
        runner = self.functions
        if runner is None:
            raise FailedPreconditionError(
                None, None, f"{self.op.type} op '{self.op.name}' runs graphs of its own and "
                "needs a Session to run them")
        return runner

    def run_function(self, key: str, args: list, outs=None) -> list:
        """Run the graph `op.subgraphs[key]` on `args`; its outputs, as arrays (`outs`:
        optional arrays, per output, the backend may write them into)."""
        op = self.op
        return self.runner().run_graph(op.subgraphs[key], op.attrs[key + "_params"],
                                       op.attrs[key + "_outputs"], args, outs)


def exclusive_variables(plan) -> tuple:
    """The variables `plan` writes with use_locking=True (TF1's exclusive lock), for
    a backend whose updates happen in place within one native call to hold their locks
    for the run."""
    return tuple(sorted({op.inputs[0].op.name for op in plan.nodes
                         if op.opdef.writes_state and op.attrs.get("use_locking")}))


def _compatible(static: tuple, actual: tuple) -> bool:
    return len(static) == len(actual) and all(s is None or s == a
                                              for s, a in zip(static, actual))


def uninitialized_error(missing: list) -> FailedPreconditionError:
    """TF1's error for reading uninitialized variables, listing each with its line."""
    lines = "\n".join(f"  {op.name}" + (f" (created at {op.site.describe()})"
                                         if op.site else "") for op in missing)
    return FailedPreconditionError(
        None, missing[0].user_op(), f"Attempting to use uninitialized value "
        f"{missing[0].name}. {len(missing)} uninitialized variable(s) are read by "
        f"this run:\n{lines}\nRun tf.global_variables_initializer() (or the "
        f"variables' initializers) first.")


# ---------------------------------------------------------------- memory limit
def _memory_limit() -> int:
    """Bytes a plan's buffers may take: the machine's memory (or the container's limit)."""
    limit = 1 << 62
    try:
        limit = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        pass
    try:
        with open("/sys/fs/cgroup/memory.max") as f:
            text = f.read().strip()
        if text.isdigit():
            limit = min(limit, int(text))
    except OSError:
        pass
    return limit


MEMORY_LIMIT = _memory_limit()


def nbytes_of(shape, dtype) -> int:
    """Bytes of an array of `shape` (static dims) and `dtype`, in Python ints (no overflow)."""
    n = 1
    for d in shape:
        n *= d if is_symbolic(d) else int(d)  # (a symbolic dim: a polynomial of bytes)
    return n * np.dtype(dtype.np).itemsize


def too_large_error(op, what: str, nbytes: int, free: bool = False) -> InvalidArgumentError:
    """`op` needs `nbytes` for `what`: more than the machine has (or, `free`, than it
    could allocate now)."""
    limit = "is free now" if free else f"this machine's memory ({MEMORY_LIMIT} bytes)"
    user = op.user_op()
    return InvalidArgumentError(
        None, user, f"{user.type} op '{user.name}' needs {nbytes} bytes for {what}, "
        f"more than {limit}")


def check_output_sizes(op) -> None:
    """Refuse, before anything is allocated, an op whose static output shape takes more
    bytes than the machine has (InvalidArgumentError naming the op and the user's line)."""
    for i, t in enumerate(op.outputs):
        if t.dtype.is_string or not t.shape.is_fully_defined():
            continue
        nbytes = nbytes_of(t.shape.as_tuple(), t.dtype)
        if not is_symbolic(nbytes) and nbytes > MEMORY_LIMIT:  # (else checked per run)
            raise too_large_error(op, f"output {i} of shape {t.shape.as_tuple()} "
                                  f"({t.dtype.name})", nbytes)
