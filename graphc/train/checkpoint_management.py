"""TF1's checkpoint-directory functions beside the Saver's: `checkpoints_iterator`,
`get_checkpoint_mtimes`, `update_checkpoint_state` and `generate_checkpoint_state_proto`
(the state file is the Saver's, graphc/train/saver.py)."""
from __future__ import annotations

import os
import time
from typing import Optional

from .. import logging as _logging
from .checkpoint_format import FORMATS
from .saver import CheckpointState, _state_path, _write_state, latest_checkpoint

__all__ = ["checkpoints_iterator", "wait_for_new_checkpoint", "get_checkpoint_mtimes",
           "update_checkpoint_state", "generate_checkpoint_state_proto"]


def wait_for_new_checkpoint(checkpoint_dir: str, last_checkpoint: Optional[str] = None,
                            seconds_to_sleep: float = 1, timeout: Optional[float] = None):
    """TF1: the directory's latest checkpoint once it is not `last_checkpoint` (None after
    `timeout` seconds)."""
    _logging.info(f"Waiting for new checkpoint at {checkpoint_dir}")
    stop = None if timeout is None else time.time() + timeout
    while True:
        path = latest_checkpoint(checkpoint_dir)
        if path is not None and path != last_checkpoint:
            _logging.info(f"Found new checkpoint at {path}")
            return path
        if stop is not None and time.time() + seconds_to_sleep > stop:
            return None
        time.sleep(seconds_to_sleep)


def checkpoints_iterator(checkpoint_dir: str, min_interval_secs: float = 0,
                         timeout: Optional[float] = None, timeout_fn=None):
    """TF1: yield each new checkpoint of `checkpoint_dir` as it appears (at most one per
    `min_interval_secs`); after `timeout` seconds without one, stop unless `timeout_fn()`
    says more may come."""
    path = None
    while True:
        new = wait_for_new_checkpoint(checkpoint_dir, path, timeout=timeout)
        if new is None:
            if not timeout_fn:
                _logging.info("Timed-out waiting for a checkpoint.")
                return
            if timeout_fn():
                return
            continue
        start = time.time()
        path = new
        yield path
        wait = start + min_interval_secs - time.time()
        if wait > 0:
            time.sleep(wait)


def get_checkpoint_mtimes(checkpoint_prefixes) -> list:
    """TF1: the modification time of each checkpoint's index (prefixes without one are
    skipped, with TF1's warning)."""
    out = []
    for prefix in checkpoint_prefixes:
        found = [fmt.files(prefix)[0] for fmt in FORMATS if os.path.exists(fmt.files(prefix)[0])]
        if found:
            out.append(os.stat(found[0]).st_mtime)
        else:
            _logging.warning(f"Couldn't match files for checkpoint {prefix}")
    return out


def generate_checkpoint_state_proto(save_dir: str, model_checkpoint_path: str,
                                    all_model_checkpoint_paths=None,
                                    all_model_checkpoint_timestamps=None,
                                    last_preserved_timestamp=None) -> CheckpointState:
    """TF1: the CheckpointState naming `model_checkpoint_path` (appended to the list when
    it is not its last; relative paths made relative to a relative `save_dir`)."""
    paths = list(all_model_checkpoint_paths or [])
    if not paths or paths[-1] != model_checkpoint_path:
        _logging.info(f"{model_checkpoint_path} is not in all_model_checkpoint_paths. "
                      "Manually adding it.")
        paths.append(model_checkpoint_path)
    if all_model_checkpoint_timestamps and len(all_model_checkpoint_timestamps) != len(paths):
        raise ValueError(f"Checkpoint timestamps, if provided, must match checkpoint paths "
                         f"({len(all_model_checkpoint_timestamps)} vs {len(paths)})")
    if not os.path.isabs(save_dir):
        if not os.path.isabs(model_checkpoint_path):
            model_checkpoint_path = os.path.relpath(model_checkpoint_path, save_dir)
        paths = [p if os.path.isabs(p) else os.path.relpath(p, save_dir) for p in paths]
    state = CheckpointState(model_checkpoint_path, paths)
    state.all_model_checkpoint_timestamps = list(all_model_checkpoint_timestamps or [])
    state.last_preserved_timestamp = last_preserved_timestamp
    return state


def update_checkpoint_state(save_dir: str, model_checkpoint_path: str,
                            all_model_checkpoint_paths=None, latest_filename=None,
                            all_model_checkpoint_timestamps=None,
                            last_preserved_timestamp=None) -> None:
    """TF1: rewrite `save_dir`'s state file (atomically) to name these checkpoints."""
    state = generate_checkpoint_state_proto(save_dir, model_checkpoint_path,
                                            all_model_checkpoint_paths,
                                            all_model_checkpoint_timestamps,
                                            last_preserved_timestamp)
    if os.path.abspath(_state_path(save_dir, latest_filename)) == \
            os.path.abspath(os.path.join(save_dir, state.model_checkpoint_path)):
        raise RuntimeError(f"Save path '{model_checkpoint_path}' conflicts with path used "
                           "for checkpoint state.  Please use a different save path.")

    def absolute(p: str) -> str:
        return p if os.path.isabs(p) else os.path.join(save_dir, p)
    _write_state(save_dir, absolute(state.model_checkpoint_path),
                 [absolute(p) for p in state.all_model_checkpoint_paths], latest_filename)
