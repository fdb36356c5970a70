"""`tf.logging`: TF1's logging module, on Python's `logging` under the name 'graphc'."""
from __future__ import annotations

import logging as _logging

DEBUG = _logging.DEBUG
INFO = _logging.INFO
WARN = _logging.WARNING
WARNING = _logging.WARNING
ERROR = _logging.ERROR
FATAL = _logging.FATAL

_logger = _logging.getLogger("graphc")
if not _logger.handlers:
    _handler = _logging.StreamHandler()
    _handler.setFormatter(_logging.Formatter("%(levelname)s:graphc:%(message)s"))
    _logger.addHandler(_handler)
    _logger.setLevel(WARN)
    _logger.propagate = False


def get_logger():
    return _logger


def set_verbosity(v) -> None:
    _logger.setLevel(v)


def get_verbosity() -> int:
    return _logger.getEffectiveLevel()


def debug(msg, *args, **kwargs) -> None:
    _logger.debug(msg, *args, **kwargs)


def info(msg, *args, **kwargs) -> None:
    _logger.info(msg, *args, **kwargs)


def warning(msg, *args, **kwargs) -> None:
    _logger.warning(msg, *args, **kwargs)


warn = warning


def error(msg, *args, **kwargs) -> None:
    _logger.error(msg, *args, **kwargs)


def fatal(msg, *args, **kwargs) -> None:
    _logger.critical(msg, *args, **kwargs)


_counts: dict = {}


def log_every_n(level, msg, n, *args) -> None:
    key = (msg, level)
    count = _counts.get(key, 0)
    _counts[key] = count + 1
    if count % n == 0:
        _logger.log(level, msg, *args)


def log_first_n(level, msg, n, *args) -> None:
    key = (msg, level, "first")
    count = _counts.get(key, 0)
    _counts[key] = count + 1
    if count < n:
        _logger.log(level, msg, *args)


def log(level, msg, *args, **kwargs) -> None:
    """Logs `msg` at the Python logging `level` (TF1 `tf.logging.log`)."""
    _logger.log(level, msg, *args, **kwargs)


def vlog(level, msg, *args, **kwargs) -> None:
    """TF1's `vlog`: the same as `log` (TF1's logger takes the level as is)."""
    _logger.log(level, msg, *args, **kwargs)


def log_if(level, msg, condition, *args) -> None:
    """Logs `msg` at `level` when `condition` holds."""
    if condition:
        vlog(level, msg, *args)


def flush() -> None:
    """Flushes the handlers of graphc's logger."""
    for handler in _logger.handlers:
        handler.flush()


def TaskLevelStatusMessage(msg) -> None:  # noqa: N802 (TF1's name)
    """TF1 logs a task's status message as an error."""
    error(msg)
