"""`tf.train.Coordinator`: threads that stop together, and the first error they hit."""
from __future__ import annotations

import contextlib
import sys
import threading
import time
from typing import Optional

from ..ir.errors import OutOfRangeError


class Coordinator:
    """TF1's coordinator: `request_stop(ex)`, `should_stop()`, `join(threads)`; an
    exception passed to request_stop is re-raised by join (OutOfRangeError is not an
    error: it ends the input)."""

    def __init__(self, clean_stop_exception_types=None) -> None:
        self._clean = tuple(clean_stop_exception_types or (OutOfRangeError,))
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._exc_info = None
        self._threads: set = set()
        self._joined = False

    def request_stop(self, ex=None) -> None:
        with self._lock:
            if ex is not None and self._exc_info is None and not self._stop.is_set():
                if isinstance(ex, tuple):
                    info = ex
                else:
                    info = (type(ex), ex, ex.__traceback__)
                if not issubclass(info[0], self._clean):
                    self._exc_info = info
            self._stop.set()

    def clear_stop(self) -> None:
        with self._lock:
            self._joined = False
            self._exc_info = None
            self._stop.clear()

    def should_stop(self) -> bool:
        return self._stop.is_set()

    @contextlib.contextmanager
    def stop_on_exception(self):
        try:
            yield
        except BaseException:  # noqa: B902 - recorded for join(), as in TF1
            self.request_stop(ex=sys.exc_info())

    def wait_for_stop(self, timeout: Optional[float] = None) -> bool:
        return self._stop.wait(timeout)

    def register_thread(self, thread) -> None:
        with self._lock:
            self._threads.add(thread)

    def join(self, threads=None, stop_grace_period_secs: float = 120,
             ignore_live_threads: bool = False) -> None:
        """Wait for `threads` (and registered ones) after a stop request; raise the
        recorded exception, or RuntimeError naming threads still alive after the grace
        period."""
        with self._lock:
            threads = set(threads or ()) | self._threads
        while any(t.is_alive() for t in threads) and not self.wait_for_stop(0.01):
            pass
        deadline = time.time() + stop_grace_period_secs
        for t in threads:
            t.join(max(0.0, deadline - time.time()))
        alive = [t.name for t in threads if t.is_alive()]
        with self._lock:
            self._joined = True
            self._threads = set()
            info = self._exc_info
        if info is not None:
            raise info[1].with_traceback(info[2])
        if alive and not ignore_live_threads:
            raise RuntimeError(f"Coordinator stopped with threads still running: "
                               f"{' '.join(alive)}")

    @property
    def joined(self) -> bool:
        return self._joined

    def raise_requested_exception(self) -> None:
        with self._lock:
            if self._exc_info is not None:
                raise self._exc_info[1].with_traceback(self._exc_info[2])
