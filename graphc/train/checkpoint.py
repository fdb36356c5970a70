"""TF1's object-based checkpoints in graph mode: `tf.train.Checkpoint`,
`tf.train.CheckpointManager` and `tf.train.CheckpointOptions`, on the Saver's files
(graphc/train/saver.py).

A Checkpoint tracks the objects it is given by keyword: Variables, other Checkpoints,
lists, tuples and dicts of them, and objects holding variables (`variables` or
`weights`: layers, optimizers, templates). Each variable is stored under TensorFlow's
object-path key, `<attribute>/<...>/.ATTRIBUTES/VARIABLE_VALUE` (an object holding
variables adds each variable's op name), beside the `save_counter` that `save` advances.
Graph-mode semantics as TF1's: `save` and `write` run in `session` (default: the
default session); `restore` returns a status whose `run_restore_ops(session)` or
`initialize_or_restore(session)` assigns the values. The object graph TensorFlow's own
Checkpoint writes beside the values (`_CHECKPOINTABLE_OBJECT_GRAPH`) is not written, so
TensorFlow reads these files by name (tf.train.load_variable, Saver with a name map).
"""
from __future__ import annotations

import os
import time
from numbers import Integral
from typing import Optional

from ..ir import dtypes as dt
from ..ir.site import where
from ..variables import Variable, is_variable_initialized
from .checkpoint_management import update_checkpoint_state
from .saver import Saver, checkpoint_exists, format_of, get_checkpoint_state, \
    remove_checkpoint

_VALUE = ".ATTRIBUTES/VARIABLE_VALUE"
_OBJECT_GRAPH = "_CHECKPOINTABLE_OBJECT_GRAPH"  # (TensorFlow's own Checkpoint writes it)


def _session(session, what: str):
    from ..session import get_default_session
    sess = session if session is not None else get_default_session()
    if sess is None:
        raise ValueError(f"{what} needs a session in graph mode: pass session= or run it "
                         f"inside `with tf.Session():`{where()}")
    return sess


def _held_variables(obj) -> Optional[list]:
    for attr in ("variables", "weights"):
        held = getattr(obj, attr, None)
        if held is None:
            continue
        held = held() if callable(held) else held
        if isinstance(held, (list, tuple)) and all(isinstance(v, Variable) for v in held):
            return list(held)
    return None


def _track(path: str, obj, out: dict, seen: set) -> None:
    """Fill {key: Variable} with what `obj`, found at `path`, holds."""
    if isinstance(obj, Variable):
        out[f"{path}/{_VALUE}"] = obj
    elif isinstance(obj, Checkpoint):
        if id(obj) in seen:
            return
        seen.add(id(obj))
        for name, child in obj._children.items():
            _track(f"{path}/{name}", child, out, seen)
    elif isinstance(obj, dict):
        for key, child in obj.items():
            _track(f"{path}/{key}", child, out, seen)
    elif isinstance(obj, (list, tuple)):
        for i, child in enumerate(obj):
            _track(f"{path}/{i}", child, out, seen)
    else:
        held = _held_variables(obj)
        if held is None:
            raise ValueError(f"Checkpoint cannot track {path.rsplit('/', 1)[-1]}={obj!r}: "
                             f"give it Variables, Checkpoints, lists or dicts of them, or "
                             f"objects with `variables`{where()}")
        for v in held:
            out[f"{path}/{v.op.name}/{_VALUE}"] = v


class CheckpointOptions:
    """TF1 `tf.train.CheckpointOptions`: graphc writes on the host, synchronously; the
    options are kept and only their defaults are supported."""

    def __init__(self, experimental_io_device=None,
                 experimental_enable_async_checkpoint: bool = False,
                 experimental_write_callbacks=None, enable_async: bool = False,
                 experimental_skip_slot_variables: bool = False,
                 experimental_sharding_callback=None) -> None:
        if experimental_enable_async_checkpoint or enable_async:
            raise NotImplementedError("CheckpointOptions(enable_async=True) is not supported "
                                      "by graphc (checkpoints are written synchronously)")
        if experimental_sharding_callback is not None:
            raise NotImplementedError("CheckpointOptions(experimental_sharding_callback=...) "
                                      "is not supported by graphc")
        self.experimental_io_device = experimental_io_device
        self.experimental_enable_async_checkpoint = False
        self.enable_async = False
        self.experimental_write_callbacks = experimental_write_callbacks
        self.experimental_skip_slot_variables = experimental_skip_slot_variables
        self.experimental_sharding_callback = None


class _LoadStatus:
    """What `Checkpoint.restore` returns: the values are assigned by run_restore_ops or
    initialize_or_restore (graph mode)."""

    def __init__(self, tracked: dict, save_path: Optional[str]) -> None:
        self._tracked = tracked
        self._path = save_path
        self._stored = set(format_of(save_path).read_index(save_path)) if save_path else set()
        self._matched = {k: v for k, v in tracked.items() if k in self._stored}

    def assert_consumed(self):
        """Every stored value has its object, and every tracked object its value."""
        self.assert_existing_objects_matched()
        unused = sorted(self._stored - set(self._tracked) - {_OBJECT_GRAPH})
        if unused:
            raise AssertionError(f"Unresolved values in checkpoint {self._path}: {unused}")
        return self

    def assert_existing_objects_matched(self):
        """Every tracked variable has a value in the checkpoint."""
        missing = sorted(set(self._tracked) - set(self._matched))
        if self._path is None or missing:
            raise AssertionError(f"Objects without a value in checkpoint {self._path}: "
                                 f"{missing}")
        return self

    def assert_nontrivial_match(self):
        if not self._matched:
            raise AssertionError(f"Nothing in checkpoint {self._path} matches the tracked "
                                 f"objects")
        return self

    def expect_partial(self):
        return self

    def run_restore_ops(self, session=None) -> None:
        """Assign the checkpoint's values to the tracked variables it holds."""
        if self._matched:
            Saver(self._matched).restore(_session(session, "run_restore_ops"), self._path)

    def initialize_or_restore(self, session=None) -> None:
        """Restore what the checkpoint holds; initialize the other tracked variables."""
        sess = _session(session, "initialize_or_restore")
        fresh = [v for k, v in self._tracked.items() if k not in self._matched]
        if fresh:
            sess.run([v.initializer for v in fresh])
        self.run_restore_ops(sess)


class Checkpoint:
    """TF1 `tf.train.Checkpoint(**kwargs)`: saves and restores the variables of the
    objects given by keyword (graph mode: in a session)."""

    def __init__(self, **kwargs) -> None:
        for name in kwargs:
            if name == "save_counter":
                raise ValueError("'save_counter' is the Checkpoint's own counter; choose "
                                 "another name")
        self._children = dict(kwargs)
        self._counter: Optional[Variable] = None
        self._increment = None
        _track("", self, {}, set())  # (refuses untrackable objects now, as TF1)

    def __setattr__(self, name: str, value) -> None:
        if name.startswith("_"):
            object.__setattr__(self, name, value)
        else:
            self._children[name] = value

    def __getattr__(self, name: str):
        children = self.__dict__.get("_children", {})
        if name in children:
            return children[name]
        raise AttributeError(f"'Checkpoint' object has no attribute {name!r}")

    @property
    def save_counter(self) -> Variable:
        """The number of `save` calls (an int64 variable, made on first use)."""
        if self._counter is None:
            self._counter = Variable(0, dtype=dt.int64, trainable=False, name="save_counter")
        return self._counter

    def _tracked(self) -> dict:
        out: dict = {}
        _track("", self, out, set())
        tracked = {k.lstrip("/"): v for k, v in out.items()}
        if self._counter is not None:
            tracked[f"save_counter/{_VALUE}"] = self._counter
        return tracked

    def write(self, file_prefix: str, session=None, options=None) -> str:
        """Write the tracked variables to `file_prefix` (no counter, no state file)."""
        sess = _session(session, "Checkpoint.write")
        tracked = self._tracked()
        os.makedirs(os.path.dirname(os.path.abspath(file_prefix)), exist_ok=True)  # (as TF's)
        return Saver(tracked, allow_empty=True).save(sess, file_prefix,
                                                     write_meta_graph=False,
                                                     write_state=False)

    def _advance(self, sess) -> int:
        counter = self.save_counter
        if not sess.run(is_variable_initialized(counter)):
            sess.run(counter.initializer)
        if self._increment is None:
            self._increment = counter.assign_add(1)
        return int(sess.run(self._increment))

    def save(self, file_prefix: str, session=None, options=None) -> str:
        """Advance save_counter, write `<file_prefix>-<counter>` and name it in the
        directory's `checkpoint` state file; returns the path."""
        sess = _session(session, "Checkpoint.save")
        number = self._advance(sess)
        path = self.write(f"{file_prefix}-{number}", sess)
        update_checkpoint_state(os.path.dirname(os.path.abspath(path)), path, [path])
        return path

    def read(self, save_path: str, options=None) -> _LoadStatus:
        return self.restore(save_path)

    def restore(self, save_path: Optional[str], options=None) -> _LoadStatus:
        """A status for `save_path` (None: nothing to restore, initialize_or_restore
        initializes); its run_restore_ops(session) assigns the values."""
        if save_path is not None:
            self.save_counter  # noqa: B018  (restored too, as TF1's)
            if not checkpoint_exists(save_path):
                from ..ir.errors import NotFoundError
                raise NotFoundError(None, None, f"Failed to restore from checkpoint "
                                    f"{save_path}: no such checkpoint")
        return _LoadStatus(self._tracked(), save_path)


class CheckpointManager:
    """TF1 `tf.train.CheckpointManager`: numbered saves of a Checkpoint in `directory`
    that keep the `max_to_keep` newest (None: all; with keep_checkpoint_every_n_hours,
    also one per that many hours), recorded in the directory's `checkpoint` file."""

    def __init__(self, checkpoint, directory: str, max_to_keep,
                 keep_checkpoint_every_n_hours=None, checkpoint_name: str = "ckpt",
                 step_counter=None, checkpoint_interval=None, init_fn=None,
                 last_checkpoint_step=None) -> None:
        if not isinstance(checkpoint, Checkpoint):
            raise TypeError(f"CheckpointManager needs a tf.train.Checkpoint, got "
                            f"{type(checkpoint).__name__}{where()}")
        if max_to_keep is not None and max_to_keep <= 0:
            raise ValueError(f"Expected a positive integer or `None` for `max_to_keep`, got "
                             f"{max_to_keep}.")
        if checkpoint_interval is not None and step_counter is None:
            raise ValueError("`step_counter` should be passed if `checkpoint_interval` is "
                             "not None.")
        self._checkpoint = checkpoint
        self._directory = directory
        self._max_to_keep = max_to_keep
        self._keep_hours = keep_checkpoint_every_n_hours
        self._prefix = os.path.join(directory, checkpoint_name)
        self._step_counter = step_counter
        self._interval = checkpoint_interval
        self._init_fn = init_fn
        self._last_step = last_checkpoint_step
        self._kept: dict = {}  # path -> time saved, oldest first
        self._last_preserved = time.time()
        self._latest = None
        state = get_checkpoint_state(directory)
        if state is not None:
            for path in state.all_model_checkpoint_paths:
                if checkpoint_exists(path):
                    self._kept[path] = _mtime(path)
            self._latest = state.model_checkpoint_path \
                if checkpoint_exists(state.model_checkpoint_path) else None

    @property
    def directory(self) -> str:
        return self._directory

    @property
    def checkpoint(self):
        return self._checkpoint

    @property
    def checkpoint_interval(self):
        return self._interval

    @property
    def latest_checkpoint(self) -> Optional[str]:
        """The newest checkpoint's prefix, or None."""
        return self._latest

    @property
    def checkpoints(self) -> list:
        """The checkpoints kept, oldest first."""
        return list(self._kept)

    def save(self, checkpoint_number=None, check_interval: bool = True, options=None,
             session=None) -> Optional[str]:
        """Save `<directory>/<checkpoint_name>-<n>` (n: checkpoint_number, else the
        Checkpoint's save_counter after this save); None when checkpoint_interval steps
        have not passed since the last save."""
        sess = _session(session, "CheckpointManager.save")
        step = None
        if self._interval is not None:
            step = int(sess.run(self._step_counter) if not isinstance(
                self._step_counter, Integral) else self._step_counter)
            if check_interval and self._last_step is not None and \
                    step < self._last_step + self._interval:
                return None
        counter = self._checkpoint._advance(sess)
        if checkpoint_number is not None and not isinstance(checkpoint_number, Integral):
            checkpoint_number = int(sess.run(checkpoint_number))
        number = counter if checkpoint_number is None else int(checkpoint_number)
        path = self._checkpoint.write(f"{self._prefix}-{number}", sess)
        self._kept.pop(path, None)
        self._kept[path] = time.time()
        self._latest = path
        self._record()
        self._sweep()
        self._record()
        if step is not None:
            self._last_step = step
        return path

    def restore_or_initialize(self, session=None) -> Optional[str]:
        """Restore the latest checkpoint (returns its path), else run init_fn."""
        if self._latest is not None:
            self._checkpoint.restore(self._latest).run_restore_ops(session)
            return self._latest
        if self._init_fn is not None:
            self._init_fn()
        return None

    def _sweep(self) -> None:
        if self._max_to_keep is None:
            return
        while len(self._kept) > self._max_to_keep:
            path, saved = next(iter(self._kept.items()))
            del self._kept[path]
            if self._keep_hours is not None and \
                    saved - self._keep_hours * 3600.0 >= self._last_preserved:
                self._last_preserved = saved
                continue
            remove_checkpoint(path)

    def _record(self) -> None:
        if self._latest is not None:
            paths = list(self._kept)
            update_checkpoint_state(self._directory, self._latest, paths,
                                    all_model_checkpoint_timestamps=[self._kept[p]
                                                                     for p in paths],
                                    last_preserved_timestamp=self._last_preserved)


def _mtime(prefix: str) -> float:
    files = format_of(prefix).files(prefix)
    return max((os.path.getmtime(f) for f in files if os.path.exists(f)), default=0.0)
