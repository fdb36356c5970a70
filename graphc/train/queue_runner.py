"""`tf.train.QueueRunner`, `add_queue_runner`, `start_queue_runners` (also
`tf.train.queue_runner.*`): threads that run a queue's enqueue ops, as in TF1.

`create_threads(sess, coord)` starts one thread per enqueue op, each running its op
until the op's input ends (an exception of `queue_closed_exception_types`, by default
OutOfRangeError); the last to end runs `close_op` (the queue's close: its consumers
drain what is left, then get OutOfRangeError). With a Coordinator, one more thread
waits for a stop request and runs `cancel_op` (close with cancel_pending_enqueues), so
threads blocked on a full queue end; any other error stops the coordinator with it.
A runner starts its threads once per Session. A CancelledError (the queue was cancelled,
or the Session closed under a blocked enqueue) ends a thread quietly.

A runner may instead hold an `init_op` (graphc's own, for the input producers built on
tf.data): starting it runs that op, which starts the producer's prefetch thread.
"""
from __future__ import annotations

import threading
import weakref

from .. import logging as _logging
from ..ir.context import get_default_graph
from ..ir.errors import CancelledError, OutOfRangeError
from ..ir.ops._base import only_default
from ..variables import GraphKeys

QUEUE_RUNNERS = getattr(GraphKeys, "QUEUE_RUNNERS", "queue_runners")


class QueueRunner:
    """TF1 `tf.train.QueueRunner(queue, enqueue_ops, close_op, cancel_op,
    queue_closed_exception_types)`."""

    def __init__(self, queue=None, enqueue_ops=None, close_op=None, cancel_op=None,
                 queue_closed_exception_types=None, queue_runner_def=None, import_scope=None,
                 *, init_op=None) -> None:
        only_default("QueueRunner", queue_runner_def=(queue_runner_def, None),
                     import_scope=(import_scope, None))
        self._init_op = init_op
        self._queue = queue
        self._enqueue_ops = list(enqueue_ops or [])
        if init_op is None:
            if queue is None or not self._enqueue_ops:
                raise ValueError("Must provide queue and enqueue_ops.")
            close_op = queue.close() if close_op is None else close_op
            cancel_op = queue.close(cancel_pending_enqueues=True) if cancel_op is None \
                else cancel_op
        self._close_op, self._cancel_op = close_op, cancel_op
        self._closed_types = tuple(queue_closed_exception_types or (OutOfRangeError,))
        self._lock = threading.Lock()
        self._runs: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
        self._exceptions: list = []

    @property
    def queue(self):
        return self._queue

    @property
    def enqueue_ops(self) -> list:
        return self._enqueue_ops

    @property
    def close_op(self):
        return self._close_op

    @property
    def cancel_op(self):
        return self._cancel_op

    @property
    def queue_closed_exception_types(self) -> tuple:
        return self._closed_types

    @property
    def exceptions_raised(self) -> list:
        return list(self._exceptions)

    @property
    def name(self) -> str:
        return self._queue.name if self._queue is not None else self._init_op.name

    def create_threads(self, sess, coord=None, daemon: bool = False,
                       start: bool = False) -> list:
        """The threads running the enqueue ops in `sess` (none if they run already)."""
        if self._init_op is not None:
            sess.run(self._init_op)
            return []
        with self._lock:
            if self._runs.get(sess, 0) > 0:
                return []
            self._runs[sess] = len(self._enqueue_ops)
            self._exceptions = []
        threads = [threading.Thread(target=self._run, args=(sess, op, coord),
                                    name=f"QueueRunner:{self.name}:{i}", daemon=daemon)
                   for i, op in enumerate(self._enqueue_ops)]
        if coord is not None:
            threads.append(threading.Thread(target=self._close_on_stop,
                                            args=(sess, coord),
                                            name=f"QueueRunner:{self.name}:cancel",
                                            daemon=True))
        for t in threads:
            if coord is not None:
                coord.register_thread(t)
            if start:
                t.start()
        return threads

    def _run(self, sess, enqueue_op, coord) -> None:
        counted = True
        try:
            while coord is None or not coord.should_stop():
                try:
                    sess.run(enqueue_op)
                except self._closed_types:
                    with self._lock:  # this op's input ended: the last one closes
                        self._runs[sess] -= 1
                        counted = False
                        last = self._runs[sess] == 0
                    if last:
                        try:
                            sess.run(self._close_op)
                        except Exception as exc:  # noqa: BLE001 - TF1 logs it
                            _logging.info(f"Ignored exception: {exc}")
                    return
        except CancelledError:
            return  # the queue was cancelled or the Session closed under the enqueue
        except RuntimeError as exc:
            if getattr(sess, "_closed", False):
                return  # the Session was closed between two enqueues
            self._failed(exc, coord)
        except Exception as exc:  # noqa: BLE001 - handed to the coordinator, as in TF1
            self._failed(exc, coord)
        finally:
            if counted:
                with self._lock:
                    self._runs[sess] = max(self._runs.get(sess, 1) - 1, 0)

    def _failed(self, exc: Exception, coord) -> None:
        with self._lock:
            self._exceptions.append(exc)
        if coord is not None:
            coord.request_stop(exc)
        else:
            _logging.error(f"Exception in QueueRunner: {exc}")

    def _close_on_stop(self, sess, coord) -> None:
        coord.wait_for_stop()
        try:
            sess.run(self._cancel_op)
        except Exception as exc:  # noqa: BLE001 - TF1 ignores it (the Session may be gone)
            _logging.vlog(1, f"Ignored exception: {exc}")


def add_queue_runner(qr: QueueRunner, collection: str = QUEUE_RUNNERS) -> None:
    get_default_graph().add_to_collection(collection, qr)


def start_queue_runners(sess=None, coord=None, daemon: bool = True, start: bool = True,
                        collection: str = QUEUE_RUNNERS) -> list:
    """Start the threads of every queue runner of the graph in `sess` (each runner
    once per Session); returns them (join them with `coord.join`)."""
    from ..session import get_default_session
    sess = sess or get_default_session()
    if sess is None:
        raise ValueError("Cannot start queue runners: No default session is registered. "
                         "Use `with sess.as_default()` or pass an explicit session")
    threads = []
    for qr in sess.graph.get_collection(collection):
        threads.extend(qr.create_threads(sess, coord=coord, daemon=daemon, start=start))
    return threads
