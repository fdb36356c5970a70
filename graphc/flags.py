"""`tf.flags` / `tf.app.flags`: TF1's command-line flags, with absl's behaviour.

`FLAGS` parses `sys.argv` on the first attribute access, tolerating flags nobody defined
(TF1's wrapper parses with known_only=True, so other parsers can take them); `FLAGS(argv)`
parses explicitly and returns the arguments left. Forms: `--name=value`, `--name value`,
`-name=value`; booleans also `--name`, `--noname`, `--name=false`; `DEFINE_list` splits
on commas, `DEFINE_multi_*` collect every occurrence. A value that does not parse, is out
of bounds or not among an enum's values is an IllegalFlagValueError naming the flag; a
flag defined twice is a DuplicateFlagError; a required flag left unset fails the parse.
"""
from __future__ import annotations

import sys
from typing import Callable, Optional


class Error(Exception):
    """absl's base flags error."""


class DuplicateFlagError(Error):
    pass


class IllegalFlagValueError(Error):
    pass


class UnrecognizedFlagError(Error):
    def __init__(self, flagname, flagvalue="", suggestions=()):
        self.flagname, self.flagvalue = flagname, flagvalue
        hint = f". Did you mean: {', '.join(suggestions)} ?" if suggestions else ""
        super().__init__(f"Unknown command line flag '{flagname}'{hint}")


class UnparsedFlagAccessError(Error):
    pass


class ValidationError(Error):
    pass


def _parse_bool(text) -> bool:
    if isinstance(text, bool):
        return text
    low = str(text).lower()
    if low in ("true", "t", "1", "yes", "y"):
        return True
    if low in ("false", "f", "0", "no", "n"):
        return False
    raise ValueError(f"Non-boolean argument to boolean flag: {text!r}")


class Flag:
    """One flag: its name, default, help, parser and current value."""

    def __init__(self, name: str, default, help: Optional[str], parser: Callable,
                 boolean: bool = False, multi: bool = False) -> None:
        self.name, self.help, self.parser = name, help, parser
        self.boolean, self.multi = boolean, multi
        self.present = 0
        self.default = self._convert(default) if default is not None else None
        self.value = self.default

    def _convert(self, value):
        if self.multi:
            items = value if isinstance(value, (list, tuple)) else [value]
            return [self._one(v) for v in items]
        return self._one(value)

    def _one(self, value):
        try:
            return self.parser(value)
        except (TypeError, ValueError) as e:
            raise IllegalFlagValueError(f"flag --{self.name}={value}: {e}") from None

    def parse(self, text) -> None:
        value = self._one(text)
        if self.multi:
            self.value = (self.value if self.present else []) + [value]
        else:
            self.value = value
        self.present += 1


class FlagValues:
    """absl's FlagValues: the registry of flags and their values (`FLAGS`)."""

    def __init__(self) -> None:
        object.__setattr__(self, "_flags", {})
        object.__setattr__(self, "_parsed", False)
        object.__setattr__(self, "_required", [])

    # ------------------------------------------------------------------ defining
    def _define(self, flag: Flag) -> None:
        if flag.name in self._flags:
            raise DuplicateFlagError(f"The flag '{flag.name}' is defined twice.")
        self._flags[flag.name] = flag

    # ------------------------------------------------------------------ parsing
    def __call__(self, argv, known_only: bool = False) -> list:
        """Parses `argv` (argv[0] is the program); returns argv[0] and what is left."""
        argv = list(argv)
        rest = [argv[0]] if argv else []
        args = argv[1:]
        i = 0
        while i < len(args):
            arg = args[i]
            i += 1
            if arg == "--":
                rest.extend(args[i - 1:])
                break
            if not arg.startswith("-") or arg == "-":
                rest.append(arg)
                continue
            name, eq, value = arg.lstrip("-").partition("=")
            flag = self._flags.get(name)
            if flag is None and name.startswith("no") and not eq:
                negated = self._flags.get(name[2:])
                if negated is not None and negated.boolean:
                    negated.parse(False)
                    continue
            if flag is None:
                if known_only:
                    rest.append(arg)
                    continue
                raise UnrecognizedFlagError(name, value)
            if flag.boolean and not eq:
                flag.parse(True)
                continue
            if not eq:
                if i >= len(args):
                    raise IllegalFlagValueError(f"Flag --{name} needs a value")
                value = args[i]
                i += 1
            flag.parse(value)
        object.__setattr__(self, "_parsed", True)
        for name in self._required:
            if self._flags[name].value is None:
                raise IllegalFlagValueError(f"flag --{name}=None: Flag --{name} must have a "
                                            "value other than None.")
        return rest

    def is_parsed(self) -> bool:
        return self._parsed

    def mark_as_parsed(self) -> None:
        object.__setattr__(self, "_parsed", True)

    def unparse_flags(self) -> None:
        for flag in self._flags.values():
            flag.value, flag.present = flag.default, 0
        object.__setattr__(self, "_parsed", False)

    # ------------------------------------------------------------------ values
    def __getattr__(self, name: str):
        flags = object.__getattribute__(self, "_flags")
        if name not in flags:
            raise AttributeError(name)
        if not object.__getattribute__(self, "_parsed"):
            # TF1's wrapper: parse sys.argv on first use, leaving unknown flags alone
            self(sys.argv, known_only=True)
        return flags[name].value

    def __setattr__(self, name: str, value) -> None:
        if name not in self._flags:
            raise AttributeError(f"Flag --{name} is not defined")
        self._flags[name].value = value

    def __getitem__(self, name: str) -> Flag:
        return self._flags[name]

    def __contains__(self, name: str) -> bool:
        return name in self._flags

    def __iter__(self):
        return iter(self._flags)

    def set_default(self, name: str, value) -> None:
        flag = self._flags[name]
        flag.default = flag._convert(value)
        if not flag.present:
            flag.value = flag.default

    def flag_values_dict(self) -> dict:
        if not self._parsed:
            self(sys.argv, known_only=True)
        return {name: flag.value for name, flag in self._flags.items()}


FLAGS = FlagValues()
# the registry is an object, named as the attribute TF1 programs use
object.__setattr__(FLAGS, "__name__", "FLAGS")
object.__setattr__(FLAGS, "__qualname__", "FLAGS")


def _bounded(kind, lower, upper):
    def parse(text):
        value = kind(text)
        if lower is not None and value < lower or upper is not None and value > upper:
            bounds = " and ".join(b for b in (
                None if lower is None else f">= {lower}",
                None if upper is None else f"<= {upper}") if b)
            raise ValueError(f"{value} is not {bounds}")
        return value
    return parse


def _int(text):
    if isinstance(text, bool):
        raise ValueError(f"Expect argument to be an int, got {text!r}")
    return int(text, 0) if isinstance(text, str) else int(text)


def _list(text):
    if isinstance(text, (list, tuple)):
        return list(text)
    return [s.strip() for s in str(text).split(",") if s.strip()] if text != "" else []


def _add(flag_values, name, default, help, parser, required, **kw):
    fv = FLAGS if flag_values is None else flag_values
    fv._define(Flag(name, default, help, parser, **kw))
    if required:
        fv._required.append(name)


def DEFINE_string(name, default, help, flag_values=None, required=False, **args):  # noqa: N802
    _add(flag_values, name, default, help, str, required)


def DEFINE_integer(name, default, help, lower_bound=None, upper_bound=None,  # noqa: N802
                   flag_values=None, required=False, **args):
    _add(flag_values, name, default, help, _bounded(_int, lower_bound, upper_bound), required)


def DEFINE_float(name, default, help, lower_bound=None, upper_bound=None,  # noqa: N802
                 flag_values=None, required=False, **args):
    _add(flag_values, name, default, help, _bounded(float, lower_bound, upper_bound), required)


def DEFINE_boolean(name, default, help, flag_values=None, module_name=None,  # noqa: N802
                   required=False, **args):
    _add(flag_values, name, default, help, _parse_bool, required, boolean=True)


DEFINE_bool = DEFINE_boolean


def DEFINE_list(name, default, help, flag_values=None, required=False, **args):  # noqa: N802
    _add(flag_values, name, default, help, _list, required)


def DEFINE_enum(name, default, enum_values, help, flag_values=None,  # noqa: N802
                module_name=None, required=False, **args):
    values = list(enum_values)

    def parse(text):
        if text not in values:
            raise ValueError(f"value should be one of <{'|'.join(values)}>")
        return text
    _add(flag_values, name, default, help, parse, required)


def DEFINE_multi_string(name, default, help, flag_values=None, required=False,  # noqa: N802
                        **args):
    _add(flag_values, name, default, help, str, required, multi=True)


def DEFINE_multi_integer(name, default, help, lower_bound=None, upper_bound=None,  # noqa: N802
                         flag_values=None, required=False, **args):
    _add(flag_values, name, default, help, _bounded(_int, lower_bound, upper_bound), required,
         multi=True)


def DEFINE_multi_float(name, default, help, lower_bound=None, upper_bound=None,  # noqa: N802
                       flag_values=None, required=False, **args):
    _add(flag_values, name, default, help, _bounded(float, lower_bound, upper_bound),
         required, multi=True)


def mark_flag_as_required(flag_name, flag_values=None) -> None:
    fv = FLAGS if flag_values is None else flag_values
    if flag_name not in fv:
        raise Error(f"Flag --{flag_name} is not defined")
    fv._required.append(flag_name)


def mark_flags_as_required(flag_names, flag_values=None) -> None:
    for name in flag_names:
        mark_flag_as_required(name, flag_values)
