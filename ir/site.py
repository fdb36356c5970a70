"""Creation sites: where in the user's program a node was made.

A site is the first stack frame outside graphc's own source folders. Each layer
registers its folder; when installed they all live under the `graphc` package.
"""
from __future__ import annotations

import linecache
import os
import sys
from typing import Optional

_INTERNAL_DIRS: list[str] = [os.path.dirname(os.path.abspath(__file__)) + os.sep]


def register_internal_dir(path: str) -> None:
    """Frames from files under `path` are graphc's own and never a creation site."""
    path = os.path.dirname(os.path.abspath(path)) + os.sep if os.path.isfile(path) else \
        os.path.abspath(path) + os.sep
    if path not in _INTERNAL_DIRS:
        _INTERNAL_DIRS.append(path)


def _is_internal(filename: str) -> bool:
    return any(filename.startswith(d) for d in _INTERNAL_DIRS) or filename.startswith("<frozen")


class Site:
    """A frame of the user's program: file, line, function (TF1 keeps this as `_traceback`)."""

    __slots__ = ("filename", "lineno", "function")

    def __init__(self, filename: str, lineno: int, function: str) -> None:
        self.filename = filename
        self.lineno = lineno
        self.function = function

    @property
    def line(self) -> str:
        return linecache.getline(self.filename, self.lineno).strip()

    def describe(self) -> str:
        text = f'File "{self.filename}", line {self.lineno}, in {self.function}'
        line = self.line
        return f"{text}: {line}" if line else text

    def short(self) -> str:
        return f"{os.path.basename(self.filename)}:{self.lineno}"

    def __repr__(self) -> str:
        return f"Site({self.short()} in {self.function})"

    def __eq__(self, other) -> bool:
        return isinstance(other, Site) and (self.filename, self.lineno, self.function) == (
            other.filename, other.lineno, other.function)

    def __hash__(self) -> int:
        return hash((self.filename, self.lineno))


_absolute_cache: dict[str, str] = {}


def current_site() -> Optional[Site]:
    """The innermost frame of the caller's stack that lies outside graphc."""
    frame = sys._getframe(1)
    while frame is not None:
        filename = frame.f_code.co_filename
        absolute = _absolute_cache.get(filename)
        if absolute is None:
            absolute = os.path.abspath(filename) if not filename.startswith("<") else filename
            _absolute_cache[filename] = absolute
        if not _is_internal(absolute):
            return Site(absolute, frame.f_lineno, frame.f_code.co_name)
        frame = frame.f_back
    return None


def where() -> str:
    """The user's line, as a suffix for a build-time error message ("" outside user code)."""
    site = current_site()
    return f"\n  {site.describe()}" if site is not None else ""
