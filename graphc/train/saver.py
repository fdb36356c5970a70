"""Checkpoints without pickle: `tf.train.Saver`, `latest_checkpoint`, checkpoint readers.

The files of one checkpoint are a format's business (`checkpoint_format.py`), each file
written to a temporary name and renamed into place, index last. A Saver writes TensorFlow's
V2 format (`tensor_bundle.py`, TF1's default, so TensorFlow restores graphc's checkpoints)
unless asked for graphc's own (`write_version="graphc"`: a JSON index and a zip of `.npy`
entries); readers take either, by what the index holds. This module keeps the directory's
`checkpoint` state file (TF1's text format, so `latest_checkpoint` works as users expect)
and the order of a save: new files, then the state file (atomically), then deletion of
checkpoints beyond max_to_keep, so at every instant the state file names a complete
checkpoint.
"""
from __future__ import annotations

import os
import re
from typing import Optional

import numpy as np

from .. import logging as _logging
from .. import protos
from ..api import import_graph_def
from ..ir import context as _context
from ..ir import fileio
from ..ir.errors import DataLossError, InvalidArgumentError, NotFoundError
from ..ir.shapes import TensorShape
from ..partitioned_variables import PartitionedVariable
from ..variables import GraphKeys, Variable, global_variables
from .checkpoint_format import GRAPHC, checkpoint_exists, format_of
from .meta_graph import (MetaGraphFileError, export_with_saver, read_message,
                         restore_collections, saver_def_for, saver_scope, scoped_graph_def,
                         split_saver)
from .tensor_bundle import TENSOR_BUNDLE

STATE_BYTES = 16 << 20  # the `checkpoint` state file: a few lines per checkpoint kept


# ---------------------------------------------------------------------- checkpoint state
def _state_path(directory: str, latest_filename: Optional[str]) -> str:
    return os.path.join(directory, latest_filename or "checkpoint")


def get_checkpoint_state(checkpoint_dir: str, latest_filename: Optional[str] = None):
    path = _state_path(checkpoint_dir, latest_filename)
    if not os.path.lexists(path):
        return None

    def fail(message: str) -> DataLossError:
        return DataLossError(None, None, f"Checkpoint state file {path}: {message}")

    try:
        text = fileio.read_file(path, fail, STATE_BYTES).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise fail(f"not text: {exc}") from None
    latest = re.search(r'^model_checkpoint_path:\s*"(.*)"\s*$', text, re.M)
    if latest is None:
        return None
    all_paths = re.findall(r'^all_model_checkpoint_paths:\s*"(.*)"\s*$', text, re.M)

    def absolute(p):
        return p if os.path.isabs(p) else os.path.join(checkpoint_dir, p)

    return CheckpointState(absolute(latest.group(1)), [absolute(p) for p in all_paths])


class CheckpointState:
    def __init__(self, model_checkpoint_path: str, all_model_checkpoint_paths: list) -> None:
        self.model_checkpoint_path = model_checkpoint_path
        self.all_model_checkpoint_paths = all_model_checkpoint_paths

    def __repr__(self) -> str:
        return f"CheckpointState(model_checkpoint_path={self.model_checkpoint_path!r})"


def _write_state(directory: str, latest: str, all_paths: list,
                 latest_filename: Optional[str]) -> None:
    def rel(p):
        return os.path.relpath(p, directory) if os.path.dirname(os.path.abspath(p)) == \
            os.path.abspath(directory) else p

    if not all_paths or all_paths[-1] != latest:  # (TF1: the latest is always listed)
        all_paths = list(all_paths) + [latest]
    lines = [f'model_checkpoint_path: "{rel(latest)}"']
    lines += [f'all_model_checkpoint_paths: "{rel(p)}"' for p in all_paths]
    text = "\n".join(lines) + "\n"
    fileio.atomic_write(_state_path(directory, latest_filename),
                        lambda f: f.write(text.encode()))


def _delete_checkpoint(prefix: str, fmt, meta_suffix: str = "meta") -> None:
    """Remove checkpoint `prefix`, index first: a half-deleted checkpoint has no index and
    never looks complete; then its `.meta`, as TF1."""
    for path in fmt.files(prefix) + [f"{prefix}.{meta_suffix}"]:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass


def latest_checkpoint(checkpoint_dir: str, latest_filename: Optional[str] = None):
    state = get_checkpoint_state(checkpoint_dir, latest_filename)
    if state and checkpoint_exists(state.model_checkpoint_path):
        return state.model_checkpoint_path
    return None


def list_variables(ckpt_dir_or_file: str) -> list:
    prefix = _resolve(ckpt_dir_or_file)
    return sorted((n, m.shape) for n, m in format_of(prefix).read_index(prefix).items())


def load_variable(ckpt_dir_or_file: str, name: str) -> np.ndarray:
    prefix = _resolve(ckpt_dir_or_file)
    name = name[:-2] if name.endswith(":0") else name
    fmt = format_of(prefix)
    if name not in fmt.read_index(prefix):
        raise NotFoundError(None, None, f"Key {name} not found in checkpoint {prefix}")
    return fmt.read_tensors(prefix, [name])[name]


def _resolve(path: str) -> str:
    if os.path.isdir(path):
        found = latest_checkpoint(path)
        if found is None:
            raise ValueError(f"Couldn't find 'checkpoint' file or checkpoints in given "
                             f"directory {path}")
        return found
    return path


def load_checkpoint(ckpt_dir_or_file: str) -> "CheckpointReader":
    """TF1 `tf.train.load_checkpoint`: a reader of the checkpoint (or a directory's latest)."""
    return CheckpointReader(_resolve(ckpt_dir_or_file))


def remove_checkpoint(checkpoint_prefix: str, checkpoint_format_version=2,
                      meta_graph_suffix: str = "meta") -> None:
    """TF1 `tf.train.remove_checkpoint`: delete a checkpoint's files (index first) and its
    meta graph."""
    _delete_checkpoint(checkpoint_prefix, format_of(checkpoint_prefix), meta_graph_suffix)


class CheckpointReader:
    """TF1 `tf.train.NewCheckpointReader`."""

    def __init__(self, prefix: str) -> None:
        self._prefix = prefix
        self._format = format_of(prefix)
        self._index = self._format.read_index(prefix)

    def has_tensor(self, name: str) -> bool:
        return name in self._index

    def get_tensor(self, name: str) -> np.ndarray:
        if not self.has_tensor(name):
            raise NotFoundError(None, None, f"Key {name} not found in checkpoint")
        return self._format.read_tensors(self._prefix, [name])[name]

    def get_variable_to_shape_map(self) -> dict:
        return {n: list(m.shape) for n, m in self._index.items()}

    def get_variable_to_dtype_map(self) -> dict:
        return {n: m.dtype for n, m in self._index.items()}


def NewCheckpointReader(filepattern: str) -> CheckpointReader:
    """TF1 `tf.train.NewCheckpointReader`: a reader of the checkpoint `filepattern`."""
    return CheckpointReader(filepattern)


# ---------------------------------------------------------------------- Saver
def _write_format(write_version):
    """The format of `Saver(write_version=...)`: TF1's SaverDef.V2 (2, the default) is
    TensorFlow's tensor bundle; "graphc" is graphc's own format. V1 is refused: TF1
    deprecated it and graphc does not write it."""
    if write_version == "graphc":
        return GRAPHC
    if write_version == 2:
        return TENSOR_BUNDLE
    raise ValueError(f"Saver(write_version={write_version!r}): graphc writes TensorFlow's V2 "
                     "checkpoints (tf.train.SaverDef.V2, TF1's default) or, with "
                     "write_version='graphc', its own format; V1 is not written")


class Sliced:
    """The parts of one partitioned variable, saved as one entry of its whole shape."""

    def __init__(self, parts: list) -> None:
        self.parts = parts
        info = parts[0]._save_slice_info
        self.full_shape, self.dtype = tuple(info.full_shape), parts[0].dtype
        self.shape = TensorShape(self.full_shape)
        self.graph, self.device = parts[0].graph, ""

    @classmethod
    def of(cls, parts: list) -> "Sliced":
        return cls(list(parts))

    def add(self, part) -> None:
        self.parts.append(part)

    def check(self, key: str) -> None:
        """The parts tile the whole shape exactly once."""
        covered = np.zeros(self.full_shape, np.int8)
        for p in self.parts:
            info = p._save_slice_info
            if tuple(info.full_shape) != self.full_shape or p.dtype is not self.dtype:
                raise ValueError(f"The partitions of {key} disagree on the whole variable's "
                                 "shape or dtype")
            covered[self._where(p)] += 1
        if covered.size and (covered.min() != 1 or covered.max() != 1):
            raise ValueError(f"The saved partitions of {key} do not cover it exactly once")

    @staticmethod
    def _where(part) -> tuple:
        info = part._save_slice_info
        return tuple(slice(o, o + n) for o, n in zip(info.var_offset, info.var_shape))

    def gather(self, store, missing: list):
        full = np.zeros(self.full_shape, self.dtype.np)
        for p in self.parts:
            value = store.get(p.op.name)
            if value is None:
                missing.append(p.op.name)
            else:
                full[self._where(p)] = value
        return full

    def scatter(self, sess, value: np.ndarray) -> None:
        for p in self.parts:
            sess._set_variable_value(p.op.name, np.array(value[self._where(p)]))


class Saver:
    """TF1 `tf.train.Saver`: save and restore variables of a Session."""

    def __init__(self, var_list=None, reshape: bool = False, sharded: bool = False,
                 max_to_keep: Optional[int] = 5, keep_checkpoint_every_n_hours: float = 10000.0,
                 name: Optional[str] = None, restore_sequentially: bool = False,
                 saver_def=None, builder=None, defer_build: bool = False,
                 allow_empty: bool = False, write_version=2, pad_step_number: bool = False,
                 save_relative_paths: bool = False, filename: Optional[str] = None) -> None:
        self._format = _write_format(write_version)  # the on-disk format this Saver writes
        self._names = self._name_map(var_list)
        if not self._names and not allow_empty:
            raise ValueError("No variables to save")
        self._max_to_keep = max_to_keep
        self._keep_hours = keep_checkpoint_every_n_hours
        self._meta_cache = None  # (graph state, the serialized MetaGraphDef or None)
        self._pad_step_number = pad_step_number
        self._sharded = bool(sharded)
        self._last: list[str] = []

    @staticmethod
    def _name_map(var_list) -> dict:
        """{checkpoint key: Variable or Sliced}: a partitioned variable's parts (their
        `_save_slice_info`) are one entry under the whole variable's name, as TF1's."""
        if var_list is None:
            var_list = global_variables()
        if isinstance(var_list, dict):
            items = list(var_list.items())
        else:
            items = []
            for v in var_list:
                if isinstance(v, PartitionedVariable):
                    items.append((v.name, v))
                    continue
                if not isinstance(v, Variable):
                    raise TypeError(f"Saver var_list entries must be Variables, got {v!r}")
                info = v._save_slice_info
                items.append((info.full_name if info is not None else v.op.name, v))
        names: dict = {}
        for key, v in items:
            if isinstance(v, PartitionedVariable):
                v = Sliced.of(list(v))
            elif not isinstance(v, Variable):
                raise TypeError(f"Saver var_list values must be Variables, got {v!r}")
            elif v._save_slice_info is not None:
                if isinstance(names.get(key), Sliced):
                    names[key].add(v)
                    continue
                v = Sliced.of([v])
            if key in names:
                raise ValueError(f"At least two variables have the same name: {key}")
            names[key] = v
        for key, v in names.items():
            if isinstance(v, Sliced):
                v.check(key)
        return names

    def _save_entries(self) -> list:
        """[(key, Variable, slice spec)]: what TF1's SaveV2 node lists."""
        out = []
        for key, v in self._names.items():
            if isinstance(v, Sliced):
                out.extend((key, part, part._save_slice_info.spec) for part in v.parts)
            else:
                out.append((key, v, ""))
        return out

    @property
    def last_checkpoints(self) -> list:
        return list(self._last)

    def save(self, sess, save_path: str, global_step=None, latest_filename=None,
             meta_graph_filename=None, write_meta_graph: bool = True,
             write_state: bool = True, strip_default_attrs: bool = False,
             save_debug_info: bool = False) -> str:
        if global_step is not None:
            step = global_step if isinstance(global_step, (int, np.integer)) else \
                int(sess.run(global_step))
            prefix = f"{save_path}-{step:08d}" if self._pad_step_number else \
                f"{save_path}-{step}"
        else:
            prefix = save_path
        directory = os.path.dirname(os.path.abspath(prefix))
        if not os.path.isdir(directory):
            raise ValueError(f"Parent directory of {save_path} doesn't exist, can't save.")
        values = {}
        store = sess._state.variables
        missing = []
        for name, var in self._names.items():
            if isinstance(var, Sliced):
                value = var.gather(store, missing)
            else:
                value = store.get(var.op.name)
                if value is None:
                    missing.append(var.op.name)
            if value is not None:
                values[name] = value
        if missing:
            from ..ir.errors import FailedPreconditionError
            raise FailedPreconditionError(None, None, "Attempting to save uninitialized "
                                          f"variables: {', '.join(missing)}")
        if self._sharded and self._format is TENSOR_BUNDLE:
            self._format.write(prefix, values, shards=self._shards())
        else:
            self._format.write(prefix, values)
        if write_meta_graph:
            self._write_meta_graph(meta_graph_filename or prefix + ".meta")
        if write_state:
            # TF1's order, so that at every instant the state file names a complete
            # checkpoint: the new files are in place (index last), then the state file is
            # replaced atomically, and only then are checkpoints beyond max_to_keep deleted.
            doomed = self._record_last_checkpoint(prefix)
            _write_state(directory, prefix, self._last, latest_filename)
            for old in doomed:
                _delete_checkpoint(old, self._format)
        return prefix

    def _shards(self) -> list:
        """TF1's sharded Saver: one data file per device the variables are on (graphc
        places every variable on the CPU, so one unless their devices say otherwise)."""
        by_device: dict = {}
        for name, var in sorted(self._names.items()):
            by_device.setdefault(getattr(var, "device", "") or "", []).append(name)
        return [by_device[d] for d in sorted(by_device)]

    def _record_last_checkpoint(self, prefix: str) -> list:
        """Append `prefix` to the checkpoints kept; returns those now beyond max_to_keep.
        With max_to_keep None or 0 nothing is recorded or deleted (TF1)."""
        if not self._max_to_keep:
            return []
        if prefix in self._last:
            self._last.remove(prefix)
        self._last.append(prefix)
        doomed = self._last[:-self._max_to_keep]
        self._last = self._last[-self._max_to_keep:]
        return doomed

    def restore(self, sess, save_path: str) -> None:
        if save_path is None:
            raise ValueError("Can't load save_path when it is None.")
        fmt = format_of(save_path)
        index = fmt.read_index(save_path)
        missing = [name for name in self._names if name not in index]
        if missing:
            unexpected = sorted(set(index) - set(self._names))
            raise NotFoundError(
                None, None, f"Restoring from checkpoint failed: key(s) not found in checkpoint "
                f"{save_path}: {missing}. The checkpoint holds keys the graph does not ask "
                f"for: {unexpected}. Did the variable names change (scopes, layer names)?")
        problems = []
        for name, var in self._names.items():
            meta = index[name]
            if not var.shape.is_compatible_with(meta.shape):
                problems.append(f"{name}: graph shape {var.shape}, checkpoint shape "
                                f"{tuple(meta.shape)}")
            elif meta.dtype is not var.dtype:
                problems.append(f"{name}: graph dtype {var.dtype.name}, checkpoint dtype "
                                f"{meta.dtype.name}")
        if problems:
            raise InvalidArgumentError(None, None, "Restoring from checkpoint failed: "
                                       "shape or dtype mismatch:\n  " + "\n  ".join(problems))
        values = fmt.read_tensors(save_path, list(self._names))
        for name, var in self._names.items():
            if isinstance(var, Sliced):
                var.scatter(sess, values[name])
            else:
                sess._set_variable_value(var.op.name, values[name])

    def recover_last_checkpoints(self, checkpoint_paths: list) -> None:
        self._last = [p for p in checkpoint_paths if checkpoint_exists(p)]

    def set_last_checkpoints_with_time(self, last_checkpoints_with_time) -> None:
        self._last = [p for p, _ in last_checkpoints_with_time]

    def _graph(self):
        return next(iter(self._names.values())).graph if self._names else \
            _context.get_default_graph()

    def _write_meta_graph(self, path: str) -> None:
        """The `.meta` beside a checkpoint; a graph with ops TensorFlow has no counterpart
        for gets none (a warning says why) instead of failing the save. The graph is
        append-only, so the bytes are exported again only when it or its collections grew
        (an export costs about as much as saving a small model)."""
        from ..graphdef import GraphDefExportError
        graph = self._graph()
        key = (id(graph), len(graph.get_operations()),
               tuple((k, len(graph.get_collection(k)))
                     for k in sorted(graph.get_all_collection_keys())))
        if self._meta_cache is None or self._meta_cache[0] != key:
            try:
                data = export_with_saver(None, self, graph=graph).SerializeToString(
                    deterministic=True)
            except GraphDefExportError as exc:
                _logging.warning("Saver: no meta graph written to %s: %s", path, exc)
                data = None
            self._meta_cache = (key, data)
        data = self._meta_cache[1]
        if data is not None:
            fileio.atomic_write(path, lambda f: f.write(data))

    def export_meta_graph(self, filename=None, collection_list=None, as_text: bool = False,
                          export_scope=None, clear_devices: bool = False,
                          clear_extraneous_savers: bool = False,
                          strip_default_attrs: bool = False, save_debug_info: bool = False):
        return export_with_saver(filename, self, collection_list=collection_list,
                                 as_text=as_text, graph=self._graph(), export_scope=export_scope,
                                 clear_devices=clear_devices)

    def as_saver_def(self):
        """TF1's SaverDef: the names of the save and restore nodes the meta graph export
        adds for this Saver."""
        return saver_def_for(saver_scope(self._graph()), self._max_to_keep or 0,
                             self._keep_hours)


def import_meta_graph(meta_graph_or_file, clear_devices: bool = False,
                      import_scope: Optional[str] = None, **kwargs):
    """TF1 `tf.train.import_meta_graph`: import a `.meta` file's (or MetaGraphDef's) graph
    and collections into the default graph; returns a `tf.train.Saver` over its variables
    (None when it has none)."""
    meta = meta_graph_or_file
    if not isinstance(meta, protos.MetaGraphDef):
        meta = read_message(os.fspath(meta), protos.MetaGraphDef)
    graph = _context.get_default_graph()
    gd, keys = split_saver(meta)
    if clear_devices:  # (graphc places everything on the CPU: devices are never used)
        gd = scoped_graph_def(gd, None, True)
    import_graph_def(gd, name=import_scope or "")
    restore_collections(meta, graph, import_scope)
    by_op = {v.op.name: v for v in graph.get_collection(GraphKeys.GLOBAL_VARIABLES)}
    prefix = f"{import_scope}/" if import_scope else ""
    if keys:
        missing = sorted(n for n in keys.values() if prefix + n not in by_op)
        if missing:
            raise MetaGraphFileError(f"the saver restores {missing[:5]}, which the meta "
                                     "graph's variables collection does not hold")
        return Saver({key: by_op[prefix + name] for key, name in keys.items()},
                     max_to_keep=meta.saver_def.max_to_keep or 5)
    return Saver(list(by_op.values())) if by_op else None
