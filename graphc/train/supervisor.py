"""TF1's `tf.train.Supervisor`, `LooperThread` and `basic_train_loop`, in one process.

A Supervisor builds TF1's defaults from the graph (0 = USE_DEFAULT, None = none):
`ready_op` reports the uninitialized variables, `ready_for_local_init_op` the global ones,
`init_op` initializes the global variables, `local_init_op` the local variables and the
tables, `summary_op` merges all summaries, `saver` saves the global variables (the graph's
SAVERS collection first), `global_step` is the graph's. `managed_session()` gives a
Session prepared by its SessionManager (restored from `logdir`'s latest checkpoint, or
initialized), and, for the chief with standard services, threads that save a checkpoint
every `save_model_secs` (at once, then on the interval: TF1's timer), write summaries
every `save_summaries_secs` and the steps per second; the queue runners are started. An
exception in the `with` block stops them (OutOfRangeError is a clean stop, as TF1's);
leaving it joins them (`stop_grace_secs`) and closes the summary writer. A non-chief waits
for a ready Session (graphc/train/session_manager.py). The graph is finalized, as TF1's.
TF1's SessionLog events (START/STOP/CHECKPOINT) are not written.
"""
from __future__ import annotations

import contextlib
import os
import threading
import time
from typing import Optional

from .. import logging as _logging
from .. import summary as _summary
from ..framework_names import report_uninitialized_variables
from ..ir import context as _context
from ..ir.ops import core_ops
from ..lookup import tables_initializer
from ..variables import GraphKeys, global_variables, global_variables_initializer, \
    local_variables_initializer
from .coordinator import Coordinator
from .queue_runner import start_queue_runners as _start_queue_runners
from .saver import Saver
from .schedules import get_global_step
from .session_manager import SessionManager

USE_DEFAULT = 0


class LooperThread(threading.Thread):
    """TF1's thread that calls `target(*args, **kwargs)` (or `run_loop`) every
    `timer_interval_secs` (back to back when None) until the coordinator stops; an
    exception stops the coordinator with it."""

    def __init__(self, coord: Coordinator, timer_interval_secs, target=None, args=None,
                 kwargs=None) -> None:
        if not isinstance(coord, Coordinator):
            raise ValueError(f"'coord' argument must be a Coordinator: {coord}")
        super().__init__()
        self.daemon = True
        self._coord, self._timer_interval_secs = coord, timer_interval_secs
        self._target, self._args, self._kwargs = target, args or (), kwargs or {}
        if target is None and (args or kwargs):
            raise ValueError("'args' and 'kwargs' argument require that you also pass "
                             "'target'")
        self._coord.register_thread(self)

    @staticmethod
    def loop(coord, timer_interval_secs, target, args=None, kwargs=None) -> "LooperThread":
        """Start a LooperThread calling `target` and return it."""
        looper = LooperThread(coord, timer_interval_secs, target=target, args=args,
                              kwargs=kwargs)
        looper.start()
        return looper

    def run(self) -> None:
        with self._coord.stop_on_exception():
            self.start_loop()
            if self._timer_interval_secs is None:
                while not self._coord.should_stop():
                    self.run_loop()
            else:
                next_time = time.time()
                while not self._coord.wait_for_stop(max(0.0, next_time - time.time())):
                    next_time += self._timer_interval_secs
                    self.run_loop()
            self.stop_loop()

    def start_loop(self) -> None:
        """Called once when the thread starts."""

    def stop_loop(self) -> None:
        """Called once when the loop ends."""

    def run_loop(self) -> None:
        if self._target is not None:
            self._target(*self._args, **self._kwargs)


def _default(value, make):
    return make() if value is USE_DEFAULT else value


class Supervisor:
    """TF1 `tf.train.Supervisor` (see the module doc)."""

    USE_DEFAULT = USE_DEFAULT

    def __init__(self, graph=None, ready_op=USE_DEFAULT, ready_for_local_init_op=USE_DEFAULT,
                 is_chief=True, init_op=USE_DEFAULT, init_feed_dict=None,
                 local_init_op=USE_DEFAULT, logdir=None, summary_op=USE_DEFAULT,
                 saver=USE_DEFAULT, global_step=USE_DEFAULT, save_summaries_secs=120,
                 save_model_secs=600, recovery_wait_secs=30, stop_grace_secs=120,
                 checkpoint_basename="model.ckpt", session_manager=None,
                 summary_writer=USE_DEFAULT, init_fn=None, local_init_run_options=None):
        self._graph = graph if graph is not None else _context.get_default_graph()
        with self._graph.as_default():
            self._ready_op = _default(ready_op, report_uninitialized_variables)
            self._ready_for_local_init_op = _default(
                ready_for_local_init_op,
                lambda: report_uninitialized_variables(global_variables()))
            self._init_op = _default(init_op, global_variables_initializer)
            self._local_init_op = _default(local_init_op, lambda: core_ops.group(
                local_variables_initializer(), tables_initializer()))
            self._summary_op = _default(summary_op, _summary.merge_all)
            savers = self._graph.get_collection(GraphKeys.SAVERS)
            self._saver = _default(saver, lambda: savers[0] if savers else (
                Saver() if global_variables() else None))
            self._global_step = _default(global_step, lambda: get_global_step(self._graph))
        self._is_chief, self._init_feed_dict, self._init_fn = is_chief, init_feed_dict, init_fn
        self._logdir = logdir
        self._save_path = os.path.join(logdir, checkpoint_basename) if logdir else None
        self._summary_writer = _default(summary_writer, lambda: _summary.FileWriter(logdir)
                                        if logdir and is_chief else None)
        self._save_summaries_secs, self._save_model_secs = save_summaries_secs, save_model_secs
        self._stop_grace_secs = stop_grace_secs
        self._session_manager = session_manager or SessionManager(
            local_init_op=self._local_init_op, ready_op=self._ready_op,
            ready_for_local_init_op=self._ready_for_local_init_op, graph=self._graph,
            recovery_wait_secs=recovery_wait_secs,
            local_init_run_options=local_init_run_options)
        self._coord = Coordinator()
        self._started_threads: list = []
        self._graph.finalize()

    # ------------------------------------------------------------------ properties
    session_manager = property(lambda self: self._session_manager)
    coord = property(lambda self: self._coord)
    is_chief = property(lambda self: self._is_chief)
    ready_op = property(lambda self: self._ready_op)
    ready_for_local_init_op = property(lambda self: self._ready_for_local_init_op)
    init_op = property(lambda self: self._init_op)
    init_feed_dict = property(lambda self: self._init_feed_dict)
    local_init_op = property(lambda self: self._local_init_op)
    summary_op = property(lambda self: self._summary_op)
    summary_writer = property(lambda self: self._summary_writer)
    saver = property(lambda self: self._saver)
    global_step = property(lambda self: self._global_step)
    save_path = property(lambda self: self._save_path)
    save_model_secs = property(lambda self: self._save_model_secs)
    save_summaries_secs = property(lambda self: self._save_summaries_secs)

    # ------------------------------------------------------------------ sessions
    def prepare_or_wait_for_session(self, master="", config=None, wait_for_checkpoint=False,
                                    max_wait_secs=7200, start_standard_services=True):
        """The chief's prepared Session (and its services), or a worker's ready one."""
        if self._is_chief:
            sess = self._session_manager.prepare_session(
                master, init_op=self._init_op, saver=self._saver,
                checkpoint_dir=self._logdir, wait_for_checkpoint=wait_for_checkpoint,
                max_wait_secs=max_wait_secs, config=config,
                init_feed_dict=self._init_feed_dict, init_fn=self._init_fn)
            if self._summary_writer is not None:
                self._summary_writer.add_graph(self._graph)
            if start_standard_services:
                self.start_standard_services(sess)
        else:
            sess = self._session_manager.wait_for_session(master, config=config,
                                                          max_wait_secs=max_wait_secs)
        if start_standard_services:
            self.start_queue_runners(sess)
        return sess

    @contextlib.contextmanager
    def managed_session(self, master="", config=None, start_standard_services=True,
                        close_summary_writer=True):
        sess = None
        try:
            sess = self.prepare_or_wait_for_session(
                master=master, config=config, start_standard_services=start_standard_services)
            yield sess
        except Exception as exc:  # noqa: BLE001  (handed to the coordinator, as TF1's)
            self.request_stop(exc)
        finally:
            try:
                self.stop(close_summary_writer=close_summary_writer)
            finally:
                if sess is not None:
                    sess.close()

    def start_standard_services(self, sess) -> list:
        """The chief's checkpoint, summary and step-counter threads (started)."""
        if not self._is_chief:
            raise RuntimeError("Only chief supervisor can start standard services. Because "
                               "only chief supervisors can write events.")
        threads = []
        if self._summary_op is not None and self._save_summaries_secs and \
                self._summary_writer is not None:
            threads.append(LooperThread(self._coord, self._save_summaries_secs,
                                        target=self._write_summaries, args=(sess,)))
        if self._global_step is not None and self._summary_writer is not None and \
                self._save_summaries_secs:
            threads.append(_StepCounter(self, sess))
        if self._saver is not None and self._save_model_secs and self._save_path:
            threads.append(LooperThread(self._coord, self._save_model_secs,
                                        target=self._save, args=(sess,)))
        for t in threads:
            t.start()
        self._started_threads.extend(threads)
        return threads

    def _write_summaries(self, sess) -> None:
        if self._global_step is not None:
            summary, step = sess.run([self._summary_op, self._global_step])
        else:
            summary, step = sess.run(self._summary_op), None
        self._summary_writer.add_summary(summary, step)

    def _save(self, sess) -> None:
        self._saver.save(sess, self._save_path, global_step=self._global_step)

    def start_queue_runners(self, sess, queue_runners=None) -> list:
        if queue_runners is not None:
            threads = []
            for qr in queue_runners:
                threads.extend(qr.create_threads(sess, coord=self._coord, daemon=True,
                                                 start=True))
        else:
            threads = _start_queue_runners(sess, coord=self._coord)
        self._started_threads.extend(threads)
        return threads

    def loop(self, timer_interval_secs, target, args=None, kwargs=None) -> LooperThread:
        """Start a LooperThread calling `target` under this Supervisor's coordinator."""
        looper = LooperThread(self._coord, timer_interval_secs, target=target, args=args,
                              kwargs=kwargs)
        looper.start()
        self._started_threads.append(looper)
        return looper

    Loop = loop

    def summary_computed(self, sess, summary, global_step=None) -> None:
        """Write a summary computed by the caller (at the global step by default)."""
        if self._summary_writer is None:
            raise RuntimeError("Writing a summary requires a summary writer.")
        if global_step is None and self._global_step is not None:
            global_step = sess.run(self._global_step)
        self._summary_writer.add_summary(summary, global_step)

    # ------------------------------------------------------------------ stopping
    def should_stop(self) -> bool:
        return self._coord.should_stop()

    def request_stop(self, ex=None) -> None:
        self._coord.request_stop(ex)

    RequestStop = request_stop
    ShouldStop = should_stop

    def stop_on_exception(self):
        return self._coord.stop_on_exception()

    StopOnException = stop_on_exception

    def wait_for_stop(self) -> None:
        self._coord.wait_for_stop()

    WaitForStop = wait_for_stop

    def stop(self, threads=None, close_summary_writer=True, ignore_live_threads=False):
        """Stop the threads, join them (re-raising what stopped them, but OutOfRange)."""
        self._coord.request_stop()
        try:
            self._coord.join(threads, stop_grace_period_secs=self._stop_grace_secs,
                             ignore_live_threads=ignore_live_threads)
        finally:
            self._started_threads = []
            if close_summary_writer and self._summary_writer is not None:
                self._summary_writer.close()

    Stop = stop


class _StepCounter(LooperThread):
    """TF1's SVStepCounterThread: the global step's rate, as `global_step/sec`."""

    def __init__(self, sv: Supervisor, sess) -> None:
        super().__init__(sv.coord, sv.save_summaries_secs)
        self._sv, self._sess = sv, sess
        self._last_time, self._last_step = 0.0, 0
        self._tag = f"{sv.global_step.op.name}/sec"

    def start_loop(self) -> None:
        self._last_time = time.time()
        self._last_step = int(self._sess.run(self._sv.global_step))

    def run_loop(self) -> None:
        now, step = time.time(), int(self._sess.run(self._sv.global_step))
        elapsed = now - self._last_time
        if elapsed > 0:
            rate = (step - self._last_step) / elapsed
            self._sv.summary_writer.add_summary(_summary.Summary(value=[
                _summary.Summary.Value(tag=self._tag, simple_value=rate)]), step)
            _logging.log_first_n(_logging.INFO, f"{self._tag}: {rate:g}", 10)
        self._last_time, self._last_step = now, step


def basic_train_loop(supervisor: Supervisor, train_step_fn, args=None, kwargs=None,
                     master: str = "") -> None:
    """TF1: call `train_step_fn(session, *args, **kwargs)` until the supervisor stops."""
    with supervisor.managed_session(master) as sess:
        while not supervisor.should_stop():
            train_step_fn(sess, *(args or ()), **(kwargs or {}))


__all__ = ["Supervisor", "LooperThread", "basic_train_loop"]
