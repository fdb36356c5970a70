"""TF1's training loops: Scaffold, session creators, MonitoredSession,
SingularMonitoredSession and MonitoredTrainingSession.

A MonitoredSession calls its hooks' `begin`, finalizes the graph (Scaffold.finalize
makes the init op, saver and summary op first), creates a Session (restoring the
latest checkpoint of `checkpoint_dir` if there is one, else running the init op), and
then wraps every `run` with the hooks (hooks.py): their fetches and feeds are added, the
RunOptions they ask for are merged into the caller's (TF1's rule: the highest trace level,
timeout and thread pool, any output_partition_graphs) and they all see the run's
RunMetadata (ProfilerHook traces a step that way). An OutOfRangeError from an input
ends the loop as in TF1: `should_stop()` turns True and leaving the `with` block
swallows it, calling the hooks' `end` (a final checkpoint).

graphc runs in one process: a worker (`is_chief=False`) initialises or restores its own
variables instead of waiting for a chief to do it.
"""
from __future__ import annotations

from typing import Optional

from .. import logging as _logging
from ..ir.context import get_default_graph
from ..ir.errors import OutOfRangeError
from ..variables import GraphKeys, global_variables_initializer, local_variables_initializer
from ..protos.run_metadata import RunMetadata, RunOptions
from .coordinator import Coordinator
from .hooks import (CheckpointSaverHook, SessionRunArgs, SessionRunContext, SessionRunValues,
                    StepCounterHook, SummarySaverHook)
from .saver import Saver, latest_checkpoint

USE_DEFAULT = object()


def _default_local_init_op():
    """TF1's default local init: the local variables and the lookup tables."""
    from ..ir.ops.core_ops import group
    from ..lookup import tables_initializer
    return group(local_variables_initializer(), tables_initializer())


class Scaffold:
    """What a training loop needs besides the model: init op (+ feeds, init_fn), local
    init op, summary op and saver; `finalize()` fills in TF1's defaults."""

    def __init__(self, init_op=None, init_feed_dict=None, init_fn=None, ready_op=None,
                 ready_for_local_init_op=None, local_init_op=None, summary_op=None,
                 saver=None, copy_from_scaffold=None, local_init_feed_dict=None) -> None:
        if copy_from_scaffold is not None:
            if not isinstance(copy_from_scaffold, Scaffold):
                raise TypeError("copy_from_scaffold is not a Scaffold instance.")
            init_op = init_op or copy_from_scaffold.init_op
            init_feed_dict = init_feed_dict or copy_from_scaffold._init_feed_dict
            init_fn = init_fn or copy_from_scaffold._user_init_fn
            local_init_op = local_init_op or copy_from_scaffold.local_init_op
            local_init_feed_dict = local_init_feed_dict or \
                copy_from_scaffold.local_init_feed_dict
            summary_op = summary_op or copy_from_scaffold.summary_op
            saver = saver or copy_from_scaffold.saver
        self._init_op, self._init_feed_dict = init_op, init_feed_dict
        self._user_init_fn = init_fn
        self._init_fn = (lambda sess: init_fn(self, sess)) if init_fn else None
        self._ready_op, self._ready_for_local_init_op = ready_op, ready_for_local_init_op
        self._local_init_op, self._summary_op, self._saver = local_init_op, summary_op, saver
        self._local_init_feed_dict = local_init_feed_dict

    def finalize(self) -> "Scaffold":
        graph = get_default_graph()
        if graph.finalized:
            return self
        if self._init_op is None:
            self._init_op = _one_of(graph, GraphKeys.INIT_OP, global_variables_initializer)
        if self._local_init_op is None:
            self._local_init_op = _one_of(graph, GraphKeys.LOCAL_INIT_OP,
                                          _default_local_init_op)
        if self._summary_op is None:
            self._summary_op = _one_of(graph, GraphKeys.SUMMARY_OP, _merge_all)
        if self._saver is None:
            self._saver = _one_of(graph, GraphKeys.SAVERS,
                                  lambda: Saver(sharded=True, allow_empty=True))
        graph.finalize()
        return self

    @property
    def init_op(self):
        return self._init_op

    @property
    def init_feed_dict(self):
        return self._init_feed_dict

    @property
    def init_fn(self):
        return self._init_fn

    @property
    def ready_op(self):
        return self._ready_op

    @property
    def ready_for_local_init_op(self):
        return self._ready_for_local_init_op

    @property
    def local_init_op(self):
        return self._local_init_op

    @property
    def local_init_feed_dict(self):
        return self._local_init_feed_dict

    @property
    def summary_op(self):
        return self._summary_op

    @property
    def saver(self):
        return self._saver

    @staticmethod
    def get_or_default(arg_name: str, collection_key: str, default_constructor):
        return _one_of(get_default_graph(), collection_key, default_constructor)


def _one_of(graph, key: str, make):
    """The collection's one element, or `make()` added to it (None is not added)."""
    found = graph.get_collection(key)
    if len(found) > 1:
        raise RuntimeError(f"More than one item in the collection {key!r}; please "
                           f"provide it to the Scaffold")
    if found:
        return found[0]
    value = make()
    if value is not None:
        graph.add_to_collection(key, value)
    return value


def _merge_all():
    from ..summary import merge_all
    return merge_all()


# ---------------------------------------------------------------------- session creators
class SessionCreator:
    def create_session(self):
        raise NotImplementedError


class ChiefSessionCreator(SessionCreator):
    """A Session restored from the latest checkpoint if there is one, else initialised."""

    def __init__(self, scaffold: Optional[Scaffold] = None, master: str = "", config=None,
                 checkpoint_dir: Optional[str] = None,
                 checkpoint_filename_with_path: Optional[str] = None) -> None:
        self._scaffold = scaffold or Scaffold()
        self._config, self._dir = config, checkpoint_dir
        self._path = checkpoint_filename_with_path

    def create_session(self):
        from ..session import Session
        scaffold = self._scaffold.finalize()
        sess = Session(config=self._config, graph=get_default_graph())
        path = self._path or (latest_checkpoint(self._dir) if self._dir else None)
        if path is not None:
            _logging.info(f"Restoring parameters from {path}")
            scaffold.saver.restore(sess, path)
        else:
            if scaffold.init_op is not None:
                sess.run(scaffold.init_op, feed_dict=scaffold.init_feed_dict)
            if scaffold.init_fn is not None:
                scaffold.init_fn(sess)
        if scaffold.local_init_op is not None:
            sess.run(scaffold.local_init_op, feed_dict=scaffold.local_init_feed_dict)
        return sess


class WorkerSessionCreator(ChiefSessionCreator):
    """TF1's session creator for a non-chief worker. graphc runs in one process, with no
    chief to wait for: the worker initialises its own variables, so `max_wait_secs` (how
    long TF1 waits for the chief) never comes into play."""

    def __init__(self, scaffold: Optional[Scaffold] = None, master: str = "", config=None,
                 max_wait_secs: float = 30 * 60) -> None:
        super().__init__(scaffold, master, config)


# ---------------------------------------------------------------------- MonitoredSession
class _MonitoredSession:
    def __init__(self, session_creator: SessionCreator, hooks, should_recover: bool,
                 stop_grace_period_secs: float = 120) -> None:
        self._hooks = list(hooks or [])
        for h in self._hooks:
            h.begin()
        self._graph = get_default_graph()
        self._coord = Coordinator()
        self._sess = session_creator.create_session()
        from .queue_runner import start_queue_runners
        start_queue_runners(self._sess, self._coord)  # (TF1 starts the queue runners)
        self._stop_grace = stop_grace_period_secs
        self._should_stop = False
        self._closed = False
        for h in self._hooks:
            h.after_create_session(self._sess, self._coord)

    @property
    def graph(self):
        return self._graph

    def _tf_sess(self):
        return self._sess

    def should_stop(self) -> bool:
        return self._closed or self._should_stop or self._coord.should_stop()

    def run(self, fetches, feed_dict=None, options=None, run_metadata=None):
        """Run `fetches` with the hooks' fetches and feeds added; hooks see the results."""
        if self._closed:
            raise RuntimeError("Run called even after should_stop requested.")
        context = SessionRunContext(SessionRunArgs(fetches, feed_dict, options), self._sess)
        feeds = dict(feed_dict or {})
        hook_fetches, hook_feeds = {}, set()
        merged = None  # the caller's options with every hook's merged in (TF1)
        for i, h in enumerate(self._hooks):
            request = h.before_run(context)
            if request is None:
                continue
            if request.feed_dict:
                for k, v in request.feed_dict.items():
                    if k in feeds:
                        who = "two hooks" if k in hook_feeds else "a SessionRunHook and user"
                        raise RuntimeError(f"Same tensor is fed by {who}. Conflict(s): "
                                           f"{k!r}")
                    feeds[k] = v
                    hook_feeds.add(k)
            if request.fetches is not None:
                hook_fetches[i] = request.fetches
            if request.options is not None:
                if merged is None:
                    merged = _copy_options(options)
                _merge_run_options(merged, request.options)
        if merged is not None:
            options = merged
        if run_metadata is None:  # hooks always see one, as in TF1 (empty unless traced)
            run_metadata = RunMetadata()
        order = sorted(hook_fetches)
        combined = {"hooks": [hook_fetches[i] for i in order]}
        if fetches is not None:
            combined["caller"] = fetches
        try:
            results = self._sess.run(combined, feed_dict=feeds or None, options=options,
                                     run_metadata=run_metadata)
        except OutOfRangeError as exc:
            self._coord.request_stop(exc)
            self._should_stop = True
            raise
        outputs = results.get("caller")
        shown = options if options is not None else RunOptions()  # (TF1: always one)
        hook_values = dict(zip(order, results["hooks"]))
        for i, h in enumerate(self._hooks):
            h.after_run(context, SessionRunValues(hook_values.get(i), shown, run_metadata))
        self._should_stop = self._should_stop or context.stop_requested
        return outputs

    def run_step_fn(self, step_fn):
        """TF1: `step_fn(step_context)`, with the raw Session and `run_with_hooks`."""
        return step_fn(_StepContext(self))

    def close(self) -> None:
        self._close(None)

    def _close(self, exception_type) -> None:
        if self._closed:
            return
        try:
            if exception_type is None:
                for h in self._hooks:
                    h.end(self._sess)
        finally:
            self._closed = True
            self._coord.request_stop()
            try:
                self._coord.join(stop_grace_period_secs=self._stop_grace,
                                 ignore_live_threads=True)
            finally:
                self._sess.close()

    def __enter__(self):
        return self

    def __exit__(self, exception_type, exception_value, traceback):
        if exception_type is not None and issubclass(exception_type,
                                                     (OutOfRangeError, StopIteration)):
            exception_type = None  # the input ended: a normal end of the loop (TF1)
        self._close(exception_type)
        return exception_type is None


def _copy_options(options) -> RunOptions:
    copy = RunOptions()
    if options is not None:
        copy.CopyFrom(options)
    return copy


def _merge_run_options(options: RunOptions, incoming: RunOptions) -> None:
    """TF1's _HookedSession._merge_run_options: the most asked for of each field."""
    options.trace_level = max(options.trace_level, incoming.trace_level)
    options.timeout_in_ms = max(options.timeout_in_ms, incoming.timeout_in_ms)
    options.inter_op_thread_pool = max(options.inter_op_thread_pool,
                                       incoming.inter_op_thread_pool)
    options.output_partition_graphs = max(options.output_partition_graphs,
                                          incoming.output_partition_graphs)
    options.debug_options.reset_disk_byte_usage = (
        options.debug_options.reset_disk_byte_usage or
        incoming.debug_options.reset_disk_byte_usage)
    options.report_tensor_allocations_upon_oom = (
        options.report_tensor_allocations_upon_oom or
        incoming.report_tensor_allocations_upon_oom)


class _StepContext:
    def __init__(self, monitored: _MonitoredSession) -> None:
        self._monitored = monitored

    @property
    def session(self):
        return self._monitored._sess

    def run_with_hooks(self, *args, **kwargs):
        return self._monitored.run(*args, **kwargs)

    def request_stop(self) -> None:
        self._monitored._should_stop = True


class MonitoredSession(_MonitoredSession):
    """TF1 `tf.train.MonitoredSession(session_creator, hooks)`."""

    def __init__(self, session_creator: Optional[SessionCreator] = None, hooks=None,
                 stop_grace_period_secs: float = 120) -> None:
        super().__init__(session_creator or ChiefSessionCreator(), hooks, True,
                         stop_grace_period_secs)


class SingularMonitoredSession(_MonitoredSession):
    """TF1 `tf.train.SingularMonitoredSession`: a chief session, with `raw_session()`."""

    def __init__(self, hooks=None, scaffold: Optional[Scaffold] = None, master: str = "",
                 config=None, checkpoint_dir: Optional[str] = None,
                 stop_grace_period_secs: float = 120,
                 checkpoint_filename_with_path: Optional[str] = None) -> None:
        creator = ChiefSessionCreator(scaffold, master, config, checkpoint_dir,
                                      checkpoint_filename_with_path)
        super().__init__(creator, hooks, False, stop_grace_period_secs)

    def raw_session(self):
        return self._sess


def MonitoredTrainingSession(master: str = "", is_chief: bool = True,  # noqa: N802 (TF1)
                             checkpoint_dir: Optional[str] = None,
                             scaffold: Optional[Scaffold] = None, hooks=None,
                             chief_only_hooks=None, save_checkpoint_secs=USE_DEFAULT,
                             save_summaries_steps=USE_DEFAULT,
                             save_summaries_secs=USE_DEFAULT, config=None,
                             stop_grace_period_secs: float = 120,
                             log_step_count_steps: int = 100, max_wait_secs: float = 7200,
                             save_checkpoint_steps=USE_DEFAULT,
                             summary_dir: Optional[str] = None, save_graph_def: bool = True):
    """TF1's MonitoredSession for training: restores from and saves to `checkpoint_dir`
    (every 600 s by default, or `save_checkpoint_steps`), writes summaries every 100
    steps and global_step/sec every `log_step_count_steps` to `summary_dir` (default:
    checkpoint_dir); `hooks` run on every worker, `chief_only_hooks` on the chief;
    `save_graph_def` goes to the CheckpointSaverHook."""
    if save_summaries_steps is USE_DEFAULT and save_summaries_secs is USE_DEFAULT:
        save_summaries_steps, save_summaries_secs = 100, None
    elif save_summaries_secs is USE_DEFAULT:
        save_summaries_secs = None
    elif save_summaries_steps is USE_DEFAULT:
        save_summaries_steps = None
    if save_checkpoint_steps is USE_DEFAULT and save_checkpoint_secs is USE_DEFAULT:
        save_checkpoint_steps, save_checkpoint_secs = None, 600
    elif save_checkpoint_secs is USE_DEFAULT:
        save_checkpoint_secs = None
    elif save_checkpoint_steps is USE_DEFAULT:
        save_checkpoint_steps = None
    scaffold = scaffold or Scaffold()
    creator = ChiefSessionCreator(scaffold, master, config, checkpoint_dir)
    if not is_chief:
        return MonitoredSession(creator, hooks or [], stop_grace_period_secs)
    all_hooks = list(chief_only_hooks or [])
    summary_dir = summary_dir or checkpoint_dir
    if summary_dir:
        if log_step_count_steps and log_step_count_steps > 0:
            all_hooks.append(StepCounterHook(output_dir=summary_dir,
                                             every_n_steps=log_step_count_steps))
        if (save_summaries_steps and save_summaries_steps > 0) or (
                save_summaries_secs and save_summaries_secs > 0):
            all_hooks.append(SummarySaverHook(scaffold=scaffold,
                                              save_steps=save_summaries_steps,
                                              save_secs=save_summaries_secs,
                                              output_dir=summary_dir))
    if checkpoint_dir and ((save_checkpoint_secs and save_checkpoint_secs > 0) or (
            save_checkpoint_steps and save_checkpoint_steps > 0)):
        all_hooks.append(CheckpointSaverHook(checkpoint_dir, save_steps=save_checkpoint_steps,
                                             save_secs=save_checkpoint_secs,
                                             scaffold=scaffold,
                                             save_graph_def=save_graph_def))
    all_hooks.extend(hooks or [])
    return MonitoredSession(creator, all_hooks, stop_grace_period_secs)


__all__ = ["Scaffold", "SessionCreator", "ChiefSessionCreator", "WorkerSessionCreator",
           "MonitoredSession", "SingularMonitoredSession", "MonitoredTrainingSession"]
