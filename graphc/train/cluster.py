"""TF1's cluster names in one process: `tf.train.ClusterSpec`, `tf.train.Server` and
`tf.train.replica_device_setter`.

A ClusterSpec is TF1's description of jobs and their tasks' addresses, with its queries.
graphc runs a program in one process (its collectives, graphc/distributed/, join
processes through MPI instead): a Server is this process's in-process server. It opens no
port; its `target` is a `grpc://host:port` string naming its task's address
(`create_local_server()` picks a free local port, as TF1's), which graphc's Sessions
accept as `master` and run in this process. `join()` blocks until the process ends, as a
TF1 parameter server's does. replica_device_setter computes TF1's device strings (the
variables round-robin over the ps tasks, other ops on the worker); graphc accepts device
strings and runs every op on the CPU, so placement is a no-op.
"""
from __future__ import annotations

import socket
import threading
from typing import Optional

from ..framework_names import DeviceSpec

__all__ = ["ClusterSpec", "Server", "replica_device_setter"]


class ClusterSpec:
    """TF1 `tf.train.ClusterSpec({job: [address, ...] or {index: address}})`."""

    def __init__(self, cluster) -> None:
        if isinstance(cluster, ClusterSpec):
            cluster = cluster.as_dict()
        if not isinstance(cluster, dict):
            raise TypeError("`cluster` must be a dictionary mapping one or more job names "
                            "to lists of network addresses, or a `ClusterSpec`.")
        self._jobs: dict = {}
        for job, tasks in cluster.items():
            if not isinstance(job, str):
                raise TypeError(f"Job names must be strings, got {job!r}")
            if isinstance(tasks, (list, tuple)):
                tasks = dict(enumerate(tasks))
            elif not isinstance(tasks, dict):
                raise TypeError(f"The tasks for job {job!r} must be a list or a dictionary "
                                "from integers to strings.")
            self._jobs[job] = {int(i): str(a) for i, a in tasks.items()}

    def as_dict(self) -> dict:
        """{job: [addresses]} when a job's task indices are 0..n-1, else {index: address}."""
        out = {}
        for job, tasks in self._jobs.items():
            indices = sorted(tasks)
            out[job] = [tasks[i] for i in indices] if indices == list(range(len(indices))) \
                else dict(tasks)
        return out

    @property
    def jobs(self) -> list:
        return list(self._jobs)

    def _tasks(self, job_name: str) -> dict:
        try:
            return self._jobs[job_name]
        except KeyError:
            raise ValueError(f"No such job in cluster: {job_name!r}") from None

    def num_tasks(self, job_name: str) -> int:
        return len(self._tasks(job_name))

    def task_indices(self, job_name: str) -> list:
        return sorted(self._tasks(job_name))

    def task_address(self, job_name: str, task_index: int) -> str:
        tasks = self._tasks(job_name)
        if task_index not in tasks:
            raise ValueError(f"No task with index {task_index!r} in job {job_name!r}")
        return tasks[task_index]

    def job_tasks(self, job_name: str) -> list:
        """The addresses by task index (None where an index has no task)."""
        tasks = self._tasks(job_name)
        return [tasks.get(i) for i in range(max(tasks) + 1)] if tasks else []

    def __bool__(self) -> bool:
        return bool(self._jobs)

    def __eq__(self, other) -> bool:
        return isinstance(other, ClusterSpec) and self._jobs == other._jobs

    def __ne__(self, other) -> bool:
        return not self == other

    def __repr__(self) -> str:
        return f"ClusterSpec({self.as_dict()!r})"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("localhost", 0))
        return s.getsockname()[1]


class Server:
    """TF1 `tf.train.Server(server_or_cluster_def, job_name=None, task_index=None,
    protocol=None, config=None, start=True)`: this process's server (see the module
    doc)."""

    def __init__(self, server_or_cluster_def, job_name: Optional[str] = None,
                 task_index: Optional[int] = None, protocol: Optional[str] = None,
                 config=None, start: bool = True) -> None:
        cluster = ClusterSpec(server_or_cluster_def)
        if job_name is None:
            if len(cluster.jobs) != 1:
                raise ValueError("Must specify an explicit `job_name`.")
            job_name = cluster.jobs[0]
        if task_index is None:
            indices = cluster.task_indices(job_name)
            if len(indices) != 1:
                raise ValueError("Must specify an explicit `task_index`.")
            task_index = indices[0]
        self._address = cluster.task_address(job_name, task_index)
        if protocol not in (None, "grpc"):
            raise ValueError(f"Unknown protocol {protocol!r}: graphc's servers speak 'grpc' "
                             "names only")
        self._cluster, self._job_name, self._task_index = cluster, job_name, task_index
        self._config, self._started, self._stopped = config, False, threading.Event()
        if start:
            self.start()

    @staticmethod
    def create_local_server(config=None, start: bool = True) -> "Server":
        """A one-task server on a free port of localhost (TF1's job "localhost")."""
        return Server({"localhost": [f"localhost:{_free_port()}"]}, protocol="grpc",
                      config=config, start=start)

    def start(self) -> None:
        self._started = True

    def join(self) -> None:
        """Block until the process ends (a TF1 server serves until it is killed)."""
        self._stopped.wait()

    @property
    def target(self) -> str:
        return f"grpc://{self._address}"

    @property
    def server_def(self) -> dict:
        """The server's description: its cluster, job, task and protocol."""
        return {"cluster": self._cluster.as_dict(), "job_name": self._job_name,
                "task_index": self._task_index, "protocol": "grpc"}


_PS_OPS = ("Variable", "VariableV2", "AutoReloadVariable", "MutableHashTable",
           "MutableHashTableV2", "MutableHashTableOfTensors", "MutableHashTableOfTensorsV2",
           "MutableDenseHashTable", "MutableDenseHashTableV2", "VarHandleOp",
           "BoostedTreesEnsembleResourceHandleOp", "BoostedTreesQuantileStreamResourceHandleOp")


class _RoundRobin:
    def __init__(self, ps_tasks: int) -> None:
        self._ps_tasks, self._next = ps_tasks, 0

    def __call__(self, unused_op) -> int:
        task = self._next
        self._next = (self._next + 1) % self._ps_tasks
        return task


def replica_device_setter(ps_tasks=0, ps_device="/job:ps", worker_device="/job:worker",
                          merge_devices=True, cluster=None, ps_ops=None, ps_strategy=None):
    """TF1: a device function placing variables on the ps tasks (round-robin, or by
    `ps_strategy(op)`) and other ops on `worker_device`; None without ps tasks."""
    if cluster is not None:
        cluster_spec = ClusterSpec(cluster)
        if "ps" not in cluster_spec.jobs:
            return None
        ps_tasks = cluster_spec.num_tasks("ps")
    if ps_tasks == 0:
        return None
    if ps_ops is None:
        ps_ops = list(_PS_OPS)
    if not merge_devices:
        raise NotImplementedError("replica_device_setter(merge_devices=False) is deprecated "
                                  "in TF1 and not supported by graphc")
    strategy = ps_strategy if ps_strategy is not None else _RoundRobin(ps_tasks)

    def device_function(op) -> str:
        current = DeviceSpec.from_string(getattr(op, "device", "") or "")
        node_type = getattr(op, "type", "")
        if ps_device and node_type in ps_ops:
            spec = DeviceSpec.from_string(ps_device)
            if spec.task is None:
                spec.task = strategy(op)
        else:
            spec = DeviceSpec.from_string(worker_device or "")
        spec.merge_from(current)
        return spec.to_string()
    return device_function
