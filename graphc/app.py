"""`tf.app`: `tf.app.run` and `tf.app.flags` (graphc/flags.py, absl's behaviour)."""
from __future__ import annotations

import sys
from typing import Callable, Optional

from . import flags as _flags_module


class _FlagsNamespace:
    """`tf.app.flags` (also `tf.flags`): absl's DEFINE_* functions, FLAGS and errors."""

    def __init__(self) -> None:
        for name in ("FLAGS", "FlagValues", "Error", "DuplicateFlagError",
                     "IllegalFlagValueError", "UnrecognizedFlagError",
                     "UnparsedFlagAccessError", "ValidationError", "DEFINE_string",
                     "DEFINE_integer", "DEFINE_float", "DEFINE_boolean", "DEFINE_bool",
                     "DEFINE_list", "DEFINE_enum", "DEFINE_multi_string",
                     "DEFINE_multi_integer", "DEFINE_multi_float", "mark_flag_as_required",
                     "mark_flags_as_required"):
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
