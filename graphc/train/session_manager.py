"""TF1's `tf.train.SessionManager`: a Session restored from a checkpoint or initialized,
and checked ready (TF1's semantics, in one process).

`prepare_session` restores the latest checkpoint of `checkpoint_dir` (or the one named)
when there is one, else runs `init_op` / `init_fn`; then `local_init_op` once
`ready_for_local_init_op` reports nothing uninitialized, then checks `ready_op`. A model
still not ready is TF1's RuntimeError. `recover_session` only restores: (session, whether
a checkpoint made it ready). `wait_for_session` makes Sessions until one is ready
(another thread of this process initializing the variables of a shared graph does not
make a new Session ready: graphc's Sessions hold their own variables, so in one process
it waits out `max_wait_secs` and raises DeadlineExceededError, as TF1's worker whose
chief never comes). A ready op is ready when it gives an empty 1-D tensor (or None, or an
int32 value: TF1's old form); else its strings are the uninitialized variables' names.
"""
from __future__ import annotations

import time
from typing import Optional

import numpy as np

from .. import logging as _logging
from ..ir import context as _context
from ..ir.errors import DeadlineExceededError, FailedPreconditionError
from .saver import get_checkpoint_state


def _ready(op, sess, message: str) -> tuple:
    if op is None:
        return True, None
    try:
        value = sess.run(op)
    except FailedPreconditionError as exc:
        if "uninitialized" not in str(exc):
            _logging.warning(f"{message} raised: {exc}")
            raise
        return False, str(exc)
    if value is None or np.asarray(value).dtype == np.int32 or np.asarray(value).size == 0:
        return True, None
    names = ", ".join(v.decode() if isinstance(v, bytes) else str(v)
                      for v in np.asarray(value).reshape(-1))
    return False, "Variables not initialized: " + names


def _op_name(op) -> str:
    return "None" if op is None else op.name


class SessionManager:
    """TF1 `tf.train.SessionManager`."""

    def __init__(self, local_init_op=None, ready_op=None, ready_for_local_init_op=None,
                 graph=None, recovery_wait_secs=30, local_init_run_options=None,
                 local_init_feed_dict=None) -> None:
        if ready_for_local_init_op is not None and local_init_op is None:
            raise ValueError("If you pass a ready_for_local_init_op you must also pass a "
                             f"local_init_op , ready_for_local_init_op "
                             f"[{ready_for_local_init_op}]")
        self._graph = graph if graph is not None else _context.get_default_graph()
        self._local_init_op, self._ready_op = local_init_op, ready_op
        self._ready_for_local_init_op = ready_for_local_init_op
        self._recovery_wait_secs = recovery_wait_secs
        self._local_init_run_options = local_init_run_options
        self._local_init_feed_dict = local_init_feed_dict

    def _session(self, master: str, config):
        from ..session import Session  # (the facade's Session sits above tf.train)
        return Session(master, graph=self._graph, config=config)

    def _restore_checkpoint(self, master, saver, checkpoint_dir, checkpoint_filename_with_path,
                            wait_for_checkpoint, max_wait_secs, config) -> tuple:
        sess = self._session(master, config)
        if checkpoint_dir and checkpoint_filename_with_path:
            raise ValueError("Can not provide both checkpoint_dir and "
                             "checkpoint_filename_with_path.")
        if not saver or not (checkpoint_dir or checkpoint_filename_with_path):
            return sess, False
        if checkpoint_filename_with_path:
            saver.restore(sess, checkpoint_filename_with_path)
            return sess, True
        waited = 0
        state = get_checkpoint_state(checkpoint_dir)
        while not state or not state.model_checkpoint_path:
            if not (wait_for_checkpoint and waited < max_wait_secs):
                return sess, False
            _logging.info("Waiting for checkpoint to be available.")
            time.sleep(self._recovery_wait_secs)
            waited += self._recovery_wait_secs
            state = get_checkpoint_state(checkpoint_dir)
        saver.restore(sess, state.model_checkpoint_path)
        saver.recover_last_checkpoints(state.all_model_checkpoint_paths)
        return sess, True

    def _try_run_local_init_op(self, sess) -> tuple:
        if self._local_init_op is None:
            return True, None
        ready, message = _ready(self._ready_for_local_init_op, sess,
                                "Model not ready for local init")
        if not ready:
            return False, message
        _logging.info("Running local_init_op.")
        sess.run(self._local_init_op, feed_dict=self._local_init_feed_dict,
                 options=self._local_init_run_options)
        _logging.info("Done running local_init_op.")
        return True, None

    def prepare_session(self, master, init_op=None, saver=None, checkpoint_dir=None,
                        checkpoint_filename_with_path=None, wait_for_checkpoint=False,
                        max_wait_secs=7200, config=None, init_feed_dict=None, init_fn=None):
        """A Session restored or initialized and ready (TF1; see the module doc)."""
        sess, restored = self._restore_checkpoint(master, saver, checkpoint_dir,
                                                  checkpoint_filename_with_path,
                                                  wait_for_checkpoint, max_wait_secs, config)
        if not restored:
            if init_op is None and not init_fn and self._local_init_op is None:
                raise RuntimeError("Model is not initialized and no init_op or init_fn or "
                                   "local_init_op was given")
            if init_op is not None:
                sess.run(init_op, feed_dict=init_feed_dict)
            if init_fn:
                init_fn(sess)
        ok, message = self._try_run_local_init_op(sess)
        if not ok:
            raise RuntimeError(f"Init operations did not make model ready for local_init.  "
                               f"Init op: {_op_name(init_op)}, init fn: {init_fn}, error: "
                               f"{message}")
        ready, message = _ready(self._ready_op, sess, "Model not ready")
        if not ready:
            raise RuntimeError(f"Init operations did not make model ready.  Init op: "
                               f"{_op_name(init_op)}, init fn: {init_fn}, local_init_op: "
                               f"{_op_name(self._local_init_op)}, error: {message}")
        return sess

    def recover_session(self, master, saver=None, checkpoint_dir=None,
                        checkpoint_filename_with_path=None, wait_for_checkpoint=False,
                        max_wait_secs=7200, config=None):
        """(a Session, True) when a checkpoint made the model ready, else (it, False)."""
        sess, restored = self._restore_checkpoint(master, saver, checkpoint_dir,
                                                  checkpoint_filename_with_path,
                                                  wait_for_checkpoint, max_wait_secs, config)
        ok, message = self._try_run_local_init_op(sess)
        if not restored:
            return sess, False
        source = checkpoint_dir or checkpoint_filename_with_path
        if not ok:
            _logging.info(f"Restoring model from {source} did not make model ready for "
                          f"local init: {message}")
            return sess, False
        ready, message = _ready(self._ready_op, sess, "Model not ready")
        if not ready:
            _logging.info(f"Restoring model from {source} did not make model ready: "
                          f"{message}")
            return sess, False
        _logging.info(f"Restored model from {source}")
        return sess, True

    def wait_for_session(self, master, config=None, max_wait_secs=float("Inf")):
        """A ready Session, trying every recovery_wait_secs for up to max_wait_secs."""
        max_wait_secs = float("Inf") if max_wait_secs is None else max_wait_secs
        deadline = time.time() + max_wait_secs
        while True:
            sess = self._session(master, config)
            ok, local_message = self._try_run_local_init_op(sess)
            message = None
            if ok:
                ready, message = _ready(self._ready_op, sess, "Model not ready")
                if ready:
                    return sess
            sess.close()
            if deadline - time.time() - self._recovery_wait_secs < 0:
                raise DeadlineExceededError(None, None, f"Session was not ready after "
                                            f"waiting {max_wait_secs} secs.")
            _logging.info(f"Waiting for model to be ready.  Ready_for_local_init_op:  "
                          f"{local_message}, ready: {message}")
            time.sleep(self._recovery_wait_secs)
