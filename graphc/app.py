"""`tf.app.flags` and `tf.app.run`: TF1's command-line flags, on argparse."""
from __future__ import annotations

import argparse
import sys
from typing import Callable, Optional


class _FlagValues:
    """`tf.app.flags.FLAGS`: parses sys.argv on first attribute access."""

    def __init__(self) -> None:
        object.__setattr__(self, "_parser", argparse.ArgumentParser(allow_abbrev=False))
        object.__setattr__(self, "_values", {})
        object.__setattr__(self, "_parsed", False)
        object.__setattr__(self, "_defaults", {})
        object.__setattr__(self, "_bools", set())

    def _define(self, name: str, default, help_: str, type_: Callable, **kw) -> None:
        self._defaults[name] = default
        if type_ is bool:
            self._bools.add(name)
            self._parser.add_argument(f"--{name}", dest=name, action="store_true",
                                      default=default, help=help_)
            self._parser.add_argument(f"--no{name}", dest=name, action="store_false")
        else:
            self._parser.add_argument(f"--{name}", default=default, type=type_, help=help_,
                                      **kw)
        if self._parsed:
            self._values[name] = default

    def _parse(self, argv: Optional[list] = None) -> list:
        argv = sys.argv[1:] if argv is None else argv
        argv = [self._bool_token(a) for a in argv]
        known, rest = self._parser.parse_known_args(argv)
        self._values.update(vars(known))
        object.__setattr__(self, "_parsed", True)
        return rest

    def _bool_token(self, arg: str) -> str:
        """--flag=false / --flag=true for boolean flags (absl accepts both forms)."""
        if arg.startswith("--") and "=" in arg:
            name, value = arg[2:].split("=", 1)
            if name in self._bools:
                return f"--{name}" if _parse_bool(value) else f"--no{name}"
        return arg

    def __call__(self, argv: list) -> list:
        return [argv[0]] + self._parse(argv[1:])

    def __getattr__(self, name: str):
        if not self._parsed:
            self._parse()
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(f"Flag --{name} is not defined") from None

    def __setattr__(self, name: str, value) -> None:
        self._values[name] = value

    def __contains__(self, name: str) -> bool:
        return name in self._defaults

    def flag_values_dict(self) -> dict:
        if not self._parsed:
            self._parse()
        return dict(self._values)


def _parse_bool(text) -> bool:
    if isinstance(text, bool):
        return text
    if text.lower() in ("true", "t", "1", "yes"):
        return True
    if text.lower() in ("false", "f", "0", "no"):
        return False
    raise argparse.ArgumentTypeError(f"expected a boolean, got {text!r}")


class _Flags:
    def __init__(self) -> None:
        self.FLAGS = _FlagValues()

    def DEFINE_string(self, name, default, help=None, **kw):
        self.FLAGS._define(name, default, help, str)

    def DEFINE_integer(self, name, default, help=None, **kw):
        self.FLAGS._define(name, default, help, int)

    def DEFINE_float(self, name, default, help=None, **kw):
        self.FLAGS._define(name, default, help, float)

    def DEFINE_boolean(self, name, default, help=None, **kw):
        self.FLAGS._define(name, default, help, bool)

    DEFINE_bool = DEFINE_boolean

    def DEFINE_list(self, name, default, help=None, **kw):
        self.FLAGS._define(name, default, help, lambda s: s.split(","))

    def DEFINE_enum(self, name, default, enum_values, help=None, **kw):
        self.FLAGS._define(name, default, help, str, choices=list(enum_values))


flags = _Flags()


def run(main: Optional[Callable] = None, argv: Optional[list] = None) -> None:
    """Parse flags, call main(argv), exit with its return value (TF1 `tf.app.run`)."""
    argv = sys.argv if argv is None else argv
    rest = flags.FLAGS._parse(argv[1:])
    if main is None:
        main = sys.modules["__main__"].main
    sys.exit(main([argv[0]] + rest))
