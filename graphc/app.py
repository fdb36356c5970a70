"""`tf.app`: `tf.app.run` and `tf.app.flags` (graphc/flags.py, absl's behaviour)."""
from __future__ import annotations

import sys
from typing import Callable, Optional

from . import flags as _flags_module


class _FlagsNamespace:
    """`tf.app.flags` (also `tf.flags`): absl's DEFINE_* functions, FLAGS, the parsers,
    serializers and flag classes, validators, help helpers and errors."""

    def __init__(self) -> None:
        for name in _flags_module.__all__:
            setattr(self, name, getattr(_flags_module, name))


flags = _FlagsNamespace()


def run(main: Optional[Callable] = None, argv: Optional[list] = None) -> None:
    """Parse flags (tolerating unknown ones, as TF1), call main(argv), exit with its
    return value (TF1 `tf.app.run`)."""
    argv = sys.argv if argv is None else argv
    rest = flags.FLAGS(argv, known_only=True)
    if main is None:
        main = sys.modules["__main__"].main
    sys.exit(main(rest))
