"""TF1's session-run hooks (`tf.train.SessionRunHook` and the standard ones).

A hook sees every `MonitoredSession.run`: `before_run` may add fetches and feeds
(`SessionRunArgs`), `after_run` gets their values (`SessionRunValues`) and may ask the
loop to stop (`run_context.request_stop()`); `begin` runs before the graph is
finalized, `after_create_session` once the Session exists, `end` when the loop ends
normally (an OutOfRangeError from the input counts as normal, as in TF1).
"""
from __future__ import annotations

import collections
import os
import time
from typing import Optional

import numpy as np

from .. import logging as _logging
from ..ir.graph import Tensor, TensorLike
from .schedules import get_global_step


class SessionRunArgs(collections.namedtuple("SessionRunArgs",
                                            ["fetches", "feed_dict", "options"])):
    """What a hook adds to a run: fetches (any nesting), feeds, options."""

    def __new__(cls, fetches, feed_dict=None, options=None):
        return super().__new__(cls, fetches, feed_dict, options)


class SessionRunValues(collections.namedtuple("SessionRunValues",
                                              ["results", "options", "run_metadata"])):
    """The values of a hook's fetches, in the structure it asked for."""


class SessionRunContext:
    """The run a hook is called for: the caller's arguments and the raw Session."""

    def __init__(self, original_args: SessionRunArgs, session) -> None:
        self._original_args = original_args
        self._session = session
        self._stop_requested = False

    @property
    def original_args(self) -> SessionRunArgs:
        return self._original_args

    @property
    def session(self):
        return self._session

    @property
    def stop_requested(self) -> bool:
        return self._stop_requested

    def request_stop(self) -> None:
        self._stop_requested = True


class SessionRunHook:
    """Base class of hooks: every method is optional."""

    def begin(self) -> None:
        pass

    def after_create_session(self, session, coord) -> None:
        pass

    def before_run(self, run_context: SessionRunContext) -> Optional[SessionRunArgs]:
        return None

    def after_run(self, run_context: SessionRunContext, run_values: SessionRunValues) -> None:
        pass

    def end(self, session) -> None:
        pass


class SecondOrStepTimer:
    """Triggers every `every_steps` steps or every `every_secs` seconds (TF1)."""

    def __init__(self, every_secs: Optional[float] = None,
                 every_steps: Optional[int] = None) -> None:
        if (every_secs is None) == (every_steps is None):
            raise ValueError("exactly one of every_secs and every_steps should be provided.")
        self._every_secs, self._every_steps = every_secs, every_steps
        self._last_time: Optional[float] = None
        self._last_step: Optional[int] = None

    def reset(self) -> None:
        self._last_time = self._last_step = None

    def should_trigger_for_step(self, step: int) -> bool:
        if self._last_step is None:
            return True
        if self._last_step == step:
            return False
        if self._every_secs is not None:
            return time.time() >= self._last_time + self._every_secs
        return step >= self._last_step + self._every_steps

    def update_last_triggered_step(self, step: int):
        """Mark `step` as triggered; returns (seconds, steps) since the last trigger."""
        now = time.time()
        elapsed = None if self._last_time is None else (now - self._last_time,
                                                        step - self._last_step)
        self._last_time, self._last_step = now, step
        return elapsed if elapsed is not None else (None, None)

    def last_triggered_step(self) -> Optional[int]:
        return self._last_step


def _global_step_tensor(hook: str) -> Tensor:
    gs = get_global_step()
    if gs is None:
        raise RuntimeError(f"Global step should be created to use {hook}.")
    return gs._as_tensor() if isinstance(gs, TensorLike) else gs


def _timer(every_secs, every_steps) -> SecondOrStepTimer:
    return SecondOrStepTimer(every_secs=every_secs, every_steps=every_steps)


# ---------------------------------------------------------------------- stopping
class StopAtStepHook(SessionRunHook):
    """Stops after `num_steps` more steps, or once the global step reaches `last_step`."""

    def __init__(self, num_steps: Optional[int] = None, last_step: Optional[int] = None):
        if (num_steps is None) == (last_step is None):
            raise ValueError("One of num_steps or last_step must be specified.")
        if num_steps is not None and num_steps < 0:
            raise ValueError("Undefined behavior for negative num_steps.")
        self._num_steps, self._last_step = num_steps, last_step

    def begin(self) -> None:
        self._gs = _global_step_tensor("StopAtStepHook")

    def after_create_session(self, session, coord) -> None:
        step = int(session.run(self._gs))
        if self._last_step is None:
            self._last_step = step + self._num_steps
        if step >= self._last_step:
            self._stop_at_start = True

    def before_run(self, run_context):
        if getattr(self, "_stop_at_start", False):
            run_context.request_stop()
        return SessionRunArgs(self._gs)

    def after_run(self, run_context, run_values) -> None:
        if int(run_values.results) + 1 >= self._last_step:
            if int(run_context.session.run(self._gs)) >= self._last_step:
                run_context.request_stop()


class NanLossDuringTrainingError(RuntimeError):
    def __str__(self) -> str:
        return "NaN loss during training."


class NanTensorHook(SessionRunHook):
    """Fails (or stops the loop) when `loss_tensor` is NaN."""

    def __init__(self, loss_tensor, fail_on_nan_loss: bool = True) -> None:
        self._loss, self._fail = loss_tensor, fail_on_nan_loss

    def before_run(self, run_context):
        return SessionRunArgs(self._loss)

    def after_run(self, run_context, run_values) -> None:
        if np.isnan(run_values.results):
            if self._fail:
                _logging.error("Model diverged with loss = NaN.")
                raise NanLossDuringTrainingError
            _logging.warning("Model diverged with loss = NaN.")
            run_context.request_stop()


# ---------------------------------------------------------------------- logging
class LoggingTensorHook(SessionRunHook):
    """Logs tensors (a dict tag -> tensor or name, or a list) every N steps or seconds,
    and at the end with `at_end`."""

    def __init__(self, tensors, every_n_iter: Optional[int] = None,
                 every_n_secs: Optional[float] = None, at_end: bool = False,
                 formatter=None) -> None:
        only_log_at_end = at_end and every_n_iter is None and every_n_secs is None
        if not only_log_at_end and (every_n_iter is None) == (every_n_secs is None):
            raise ValueError("either at_end and/or exactly one of every_n_iter and "
                             "every_n_secs must be provided.")
        if every_n_iter is not None and every_n_iter <= 0:
            raise ValueError(f"invalid every_n_iter={every_n_iter}.")
        if not isinstance(tensors, dict):
            self._tag_order = list(tensors)
            tensors = {item: item for item in tensors}
        else:
            self._tag_order = sorted(tensors)
        self._tensors = tensors
        self._formatter = formatter
        self._log_at_end = at_end
        self._timer = None if only_log_at_end else _timer(every_n_secs, every_n_iter)
        self._iter = 0
        self._should_trigger = False

    def begin(self) -> None:
        from ..ir.context import get_default_graph
        graph = get_default_graph()
        self._current = {tag: graph.as_graph_element(t) if isinstance(t, str) else
                         (t._as_tensor() if isinstance(t, TensorLike) else t)
                         for tag, t in self._tensors.items()}
        if self._timer is not None:
            self._timer.reset()
        self._iter = 0

    def before_run(self, run_context):
        self._should_trigger = self._timer is not None and \
            self._timer.should_trigger_for_step(self._iter)
        return SessionRunArgs(self._current) if self._should_trigger else None

    def _log(self, values: dict) -> None:
        if self._formatter is not None:
            _logging.info(self._formatter(values))
            return
        with np.printoptions(suppress=True):
            _logging.info(", ".join(f"{tag} = {values[tag]}" for tag in self._tag_order))

    def after_run(self, run_context, run_values) -> None:
        if self._should_trigger:
            self._timer.update_last_triggered_step(self._iter)
            self._log(run_values.results)
        self._iter += 1

    def end(self, session) -> None:
        if self._log_at_end:
            self._log(session.run(self._current))


class StepCounterHook(SessionRunHook):
    """Logs and writes `global_step/sec` every N steps or seconds."""

    def __init__(self, every_n_steps: int = 100, every_n_secs: Optional[float] = None,
                 output_dir: Optional[str] = None, summary_writer=None) -> None:
        if (every_n_steps is None) == (every_n_secs is None):
            raise ValueError("exactly one of every_n_steps and every_n_secs should be "
                             "provided.")
        self._timer = _timer(every_n_secs, every_n_steps)
        self._output_dir, self._writer = output_dir, summary_writer
        self._tag = "global_step/sec"

    def begin(self) -> None:
        if self._writer is None and self._output_dir:
            self._writer = writer_for(self._output_dir)
        self._gs = _global_step_tensor("StepCounterHook")

    def before_run(self, run_context):
        return SessionRunArgs(self._gs)

    def after_run(self, run_context, run_values) -> None:
        if not self._timer.should_trigger_for_step(int(run_values.results) + 1):
            return
        step = int(run_context.session.run(self._gs))  # the step this run made
        if self._timer.should_trigger_for_step(step):
            secs, steps = self._timer.update_last_triggered_step(step)
            if secs is not None and secs > 0:
                rate = steps / secs
                _logging.info(f"{self._tag}: {rate:g}")
                if self._writer is not None:
                    from ..summary import Summary
                    self._writer.add_summary(Summary(value=[Summary.Value(
                        tag=self._tag, simple_value=rate)]), step)


# ---------------------------------------------------------------------- files
_WRITERS: dict = {}


def writer_for(logdir: str):
    """One FileWriter per directory, shared by the hooks (TF1's FileWriterCache)."""
    from ..summary import FileWriter
    key = os.path.abspath(logdir)
    w = _WRITERS.get(key)
    if w is None or w._closed:
        w = _WRITERS[key] = FileWriter(logdir)
    return w


class CheckpointSaverHook(SessionRunHook):
    """Saves a checkpoint when the session is created, every N steps or seconds, and at
    the end (TF1's `model.ckpt-<global step>` files and `checkpoint` state).

    `save_graph_def` is passed to the saver as `write_meta_graph` (a `.meta` beside each
    checkpoint; a graph with ops TensorFlow lacks, dataset iterators for one, gets a
    warning instead); graphc writes no graph.pbtxt, so False is always honoured."""

    def __init__(self, checkpoint_dir: str, save_secs: Optional[float] = None,
                 save_steps: Optional[int] = None, saver=None,
                 checkpoint_basename: str = "model.ckpt", scaffold=None,
                 listeners=None, save_graph_def: bool = True) -> None:
        if saver is not None and scaffold is not None:
            raise ValueError("You cannot provide both saver and scaffold.")
        self._dir, self._saver, self._scaffold = checkpoint_dir, saver, scaffold
        self._path = os.path.join(checkpoint_dir, checkpoint_basename)
        self._timer = _timer(save_secs, save_steps)
        self._listeners = list(listeners or [])
        self._save_graph_def = bool(save_graph_def)

    def begin(self) -> None:
        self._gs = _global_step_tensor("CheckpointSaverHook")
        for listener in self._listeners:
            listener.begin()

    def after_create_session(self, session, coord) -> None:
        step = int(session.run(self._gs))
        self._save(session, step)
        self._timer.update_last_triggered_step(step)

    def before_run(self, run_context):
        return SessionRunArgs(self._gs)

    def after_run(self, run_context, run_values) -> None:
        if self._timer.should_trigger_for_step(int(run_values.results) + 1):
            step = int(run_context.session.run(self._gs))
            if self._timer.should_trigger_for_step(step):
                self._timer.update_last_triggered_step(step)
                if self._save(run_context.session, step):
                    run_context.request_stop()

    def end(self, session) -> None:
        step = int(session.run(self._gs))
        if step != self._timer.last_triggered_step():
            self._save(session, step)
        for listener in self._listeners:
            listener.end(session, step)

    def _get_saver(self):
        if self._saver is not None:
            return self._saver
        if self._scaffold is not None:
            return self._scaffold.saver
        from ..ir.context import get_default_graph
        from ..variables import GraphKeys
        savers = get_default_graph().get_collection(GraphKeys.SAVERS)
        if len(savers) != 1:
            raise RuntimeError(f"CheckpointSaverHook needs one Saver in the SAVERS "
                               f"collection (found {len(savers)}); pass saver= or scaffold=")
        return savers[0]

    def _save(self, session, step: int) -> bool:
        _logging.info(f"Saving checkpoints for {step} into {self._path}.")
        for listener in self._listeners:
            listener.before_save(session, step)
        os.makedirs(self._dir, exist_ok=True)
        self._get_saver().save(session, self._path, global_step=step,
                               write_meta_graph=self._save_graph_def)
        stop = False
        for listener in self._listeners:
            stop = bool(listener.after_save(session, step)) or stop
        return stop


class CheckpointSaverListener:
    """Called around each save of a CheckpointSaverHook; after_save returning True stops
    the loop."""

    def begin(self) -> None:
        pass

    def before_save(self, session, global_step_value) -> None:
        pass

    def after_save(self, session, global_step_value):
        return None

    def end(self, session, global_step_value) -> None:
        pass


class SummarySaverHook(SessionRunHook):
    """Runs the summary op every N steps or seconds and writes its value to the event
    file of `output_dir` at the global step."""

    def __init__(self, save_steps: Optional[int] = None, save_secs: Optional[float] = None,
                 output_dir: Optional[str] = None, summary_writer=None, scaffold=None,
                 summary_op=None) -> None:
        if (scaffold is None) == (summary_op is None):
            raise ValueError("Exactly one of scaffold or summary_op must be provided.")
        self._summary_op, self._scaffold = summary_op, scaffold
        self._writer, self._output_dir = summary_writer, output_dir
        self._timer = _timer(save_secs, save_steps)

    def begin(self) -> None:
        if self._writer is None and self._output_dir:
            self._writer = writer_for(self._output_dir)
        self._next_step = None
        self._gs = _global_step_tensor("SummarySaverHook")

    def _summaries(self):
        op = self._summary_op if self._summary_op is not None else self._scaffold.summary_op
        if op is None:
            return None
        return list(op) if isinstance(op, (list, tuple)) else [op]

    def before_run(self, run_context):
        self._request = self._next_step is None or \
            self._timer.should_trigger_for_step(self._next_step)
        requests = {"global_step": self._gs}
        summaries = self._summaries() if self._request else None
        if summaries:
            requests["summary"] = summaries
        return SessionRunArgs(requests)

    def after_run(self, run_context, run_values) -> None:
        results = run_values.results
        step = int(results["global_step"]) + 1
        if self._next_step is None or self._request:
            step = int(run_context.session.run(self._gs))
        if "summary" in results and self._writer is not None:
            self._timer.update_last_triggered_step(step)
            for s in results["summary"]:
                self._writer.add_summary(s, step)
        self._next_step = step + 1

    def end(self, session=None) -> None:
        if self._writer is not None:
            self._writer.flush()


class ProfilerHook(SessionRunHook):
    """Traces a step every N steps or seconds (it asks for RunOptions(FULL_TRACE)
    through SessionRunArgs) and writes its Chrome trace to
    `output_dir/timeline-<global step>.json` and its run metadata to the event file."""

    def __init__(self, save_steps: Optional[int] = None, save_secs: Optional[float] = None,
                 output_dir: str = "", show_dataflow: bool = True,
                 show_memory: bool = False) -> None:
        self._output_file = os.path.join(output_dir, "timeline-{}.json")
        self._output_dir = output_dir
        self._show_dataflow, self._show_memory = show_dataflow, show_memory
        self._timer = _timer(save_secs, save_steps)

    def begin(self) -> None:
        self._writer = writer_for(self._output_dir or ".")
        self._next_step = None
        self._gs = _global_step_tensor("ProfilerHook")

    def before_run(self, run_context):
        from ..protos.run_metadata import RunOptions
        self._request = self._next_step is not None and \
            self._timer.should_trigger_for_step(self._next_step)
        options = RunOptions(trace_level=RunOptions.FULL_TRACE) if self._request else None
        return SessionRunArgs({"global_step": self._gs}, options=options)

    def after_run(self, run_context, run_values) -> None:
        stale = int(run_values.results["global_step"])
        if self._next_step is None:  # the first trace comes N steps or seconds from now
            self._timer.update_last_triggered_step(stale)
        step = stale + 1
        if self._request:
            from ..python.client import timeline
            step = int(run_context.session.run(self._gs))
            self._timer.update_last_triggered_step(step)
            path = self._output_file.format(step)
            _logging.info(f"Saving timeline for {step} into '{path}'.")
            trace = timeline.Timeline(run_values.run_metadata.step_stats)
            with open(path, "w") as f:
                f.write(trace.generate_chrome_trace_format(
                    show_dataflow=self._show_dataflow, show_memory=self._show_memory))
            self._writer.add_run_metadata(run_values.run_metadata, f"step_{step}", step)
        self._next_step = step + 1

    def end(self, session=None) -> None:
        self._writer.flush()


# ---------------------------------------------------------------------- feeds and final ops
class FeedFnHook(SessionRunHook):
    """Adds `feed_fn()`'s feeds to every run."""

    def __init__(self, feed_fn) -> None:
        self.feed_fn = feed_fn

    def before_run(self, run_context):
        return SessionRunArgs(fetches=None, feed_dict=self.feed_fn())


class FinalOpsHook(SessionRunHook):
    """Runs `final_ops` when the loop ends; their values are `final_ops_values`."""

    def __init__(self, final_ops, final_ops_feed_dict=None) -> None:
        self._final_ops, self._feed = final_ops, final_ops_feed_dict
        self._values = None

    @property
    def final_ops_values(self):
        return self._values

    def end(self, session) -> None:
        if self._final_ops is not None:
            self._values = session.run(self._final_ops, feed_dict=self._feed)
