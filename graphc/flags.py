"""`tf.flags` / `tf.app.flags`: TF1's command-line flags, with absl's behaviour (graphc
does not depend on absl; graphc/flags_parsers.py has the parsers, serializers and flag
classes).

`FLAGS` parses `sys.argv` on the first attribute access, tolerating flags nobody defined
(TF1's wrapper parses with known_only=True, so other parsers can take them); `FLAGS(argv)`
parses explicitly and returns the arguments left. Forms: `--name=value`, `--name value`,
`-name=value`; booleans also `--name`, `--noname`, `--name=false`; `--flagfile=path`
reads more arguments from a file. `DEFINE_list` splits on commas, `DEFINE_multi_*`
collect every occurrence; every DEFINE returns a FlagHolder. A value that does not
parse, is out of bounds or not among an enum's values is an IllegalFlagValueError naming
the flag; a flag defined twice is a DuplicateFlagError; validators (register_validator,
the mutual-exclusion marks, required flags) run after each parse and on assignment.
"""
from __future__ import annotations

import os
import re
import sys
import textwrap
from typing import Optional

from .flags_parsers import (ArgumentParser, ArgumentSerializer, BaseListParser,  # noqa: F401
                            BooleanFlag, BooleanParser, CsvListSerializer, EnumClassFlag,
                            EnumClassListSerializer, EnumClassParser, EnumClassSerializer,
                            EnumFlag, EnumParser, Error, Flag, FloatParser,
                            IllegalFlagValueError, IntegerParser, ListParser,
                            ListSerializer, MultiEnumClassFlag, MultiFlag,
                            WhitespaceSeparatedListParser)


class DuplicateFlagError(Error):
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


class CantOpenFlagFileError(Error):
    """A --flagfile that cannot be read."""


class FlagNameConflictsWithMethodError(Error):
    """A flag named as a FlagValues method (allow_using_method_names=True allows it)."""


class _Validator:
    """A check of one or more flags' values: `checker(value)` (one flag) or
    `checker({name: value})`; a False result or a ValidationError fails it."""

    def __init__(self, names: list, checker, message: str, multi: bool) -> None:
        self.names, self.checker, self.message, self.multi = names, checker, message, multi

    def verify(self, fv) -> None:
        flags = object.__getattribute__(fv, "_flags")
        values = {n: flags[n].value for n in self.names}
        try:
            ok = self.checker(values if self.multi else values[self.names[0]])
            message = self.message
        except ValidationError as e:
            ok, message = False, str(e)
        if not ok:
            shown = ", ".join(f"--{n}={v}" for n, v in values.items())
            raise IllegalFlagValueError(f"{shown}: {message}")


class FlagValues:
    """absl's FlagValues: the registry of flags and their values (`FLAGS`)."""

    def __init__(self) -> None:
        object.__setattr__(self, "_flags", {})
        object.__setattr__(self, "_parsed", False)
        object.__setattr__(self, "_validators", [])
        object.__setattr__(self, "_key_flags", {})

    # ------------------------------------------------------------------ defining
    def _define(self, flag: Flag) -> None:
        if flag.name in self._flags:
            raise DuplicateFlagError(f"The flag '{flag.name}' is defined twice.")
        if flag.name in _METHODS and not flag.allow_using_method_names:
            raise FlagNameConflictsWithMethodError(
                f"Cannot define a flag named \"{flag.name}\". It conflicts with a method on "
                "class \"FlagValues\".")
        self._flags[flag.name] = flag
        if flag.short_name:
            self._flags.setdefault(flag.short_name, flag)

    def __setitem__(self, name: str, flag: Flag) -> None:
        self._define(flag)

    def _add_validator(self, validator: _Validator) -> None:
        for n in validator.names:
            if n not in self._flags:
                raise KeyError(f"Flag --{n} does not exist.")
        self._validators.append(validator)

    # ------------------------------------------------------------------ parsing
    def __call__(self, argv, known_only: bool = False) -> list:
        """Parses `argv` (argv[0] is the program); returns argv[0] and what is left."""
        argv = list(argv)
        if isinstance(argv, str) or not argv and argv != []:
            raise TypeError("argv should be a tuple/list.")
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
            if name == "flagfile" and "flagfile" not in self._flags:
                if not eq:
                    if i >= len(args):
                        raise IllegalFlagValueError("Flag --flagfile needs a value")
                    value, i = args[i], i + 1
                args[i:i] = _read_flagfile(value)
                continue
            flag = self._flags.get(name)
            if flag is None and name.startswith("no") and not eq:
                negated = self._flags.get(name[2:])
                if negated is not None and negated.boolean:
                    negated.parse("false")
                    continue
            if flag is None:
                if known_only:
                    rest.append(arg)
                    continue
                raise UnrecognizedFlagError(name, value)
            if flag.boolean and not eq:
                flag.parse("true")
                continue
            if not eq:
                if i >= len(args):
                    raise IllegalFlagValueError(f"Flag --{name} needs a value")
                value, i = args[i], i + 1
            flag.parse(value)
        object.__setattr__(self, "_parsed", True)
        self.validate_all_flags()
        return rest

    def validate_all_flags(self) -> None:
        for v in self._validators:
            v.verify(self)

    def is_parsed(self) -> bool:
        return self._parsed

    def mark_as_parsed(self) -> None:
        object.__setattr__(self, "_parsed", True)

    def unparse_flags(self) -> None:
        for flag in set(self._flags.values()):
            flag.unparse()
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
        flag = self._flags[name]
        flag.value, flag.using_default_value = value, False
        for v in self._validators:
            if name in v.names:
                v.verify(self)

    def __getitem__(self, name: str) -> Flag:
        return self._flags[name]

    def __contains__(self, name: str) -> bool:
        return name in self._flags

    def __iter__(self):
        return iter(list(self._flags))

    def __len__(self) -> int:
        return len(self._flags)

    def _flag(self, name: str) -> Flag:
        if name not in self._flags:
            raise UnrecognizedFlagError(name)
        return self._flags[name]

    def set_default(self, name: str, value) -> None:
        flag = self._flag(name)
        flag._set_default(value)
        for v in self._validators:
            if name in v.names:
                v.verify(self)

    def flag_values_dict(self) -> dict:
        if not self._parsed:
            self(sys.argv, known_only=True)
        return {name: flag.value for name, flag in self._flags.items()}

    def get_flag_value(self, name: str, default):
        flag = self._flags.get(name)
        return default if flag is None else flag.value

    def get_key_flags_for_module(self, module) -> list:
        name = module if isinstance(module, str) else module.__name__
        return list(self._key_flags.get(name, []))

    def flags_into_string(self) -> str:
        lines = [self._flags[n].serialize() for n in sorted(self._flags)
                 if self._flags[n].value is not None]
        return "".join(s + "\n" for s in lines if s)


FLAGS = FlagValues()
# the registry is an object, named as the attribute TF1 programs use
object.__setattr__(FLAGS, "__name__", "FLAGS")
object.__setattr__(FLAGS, "__qualname__", "FLAGS")
_METHODS = frozenset(n for n in dir(FlagValues) if not n.startswith("_"))


def _read_flagfile(path: str) -> list:
    """The arguments a --flagfile holds: one a line, '#' and '//' lines skipped."""
    try:
        with open(os.path.expanduser(path)) as f:
            lines = f.read().splitlines()
    except OSError as e:
        raise CantOpenFlagFileError(f"ERROR:: Unable to open flagfile: {e}") from None
    return [s.strip() for s in lines if s.strip() and not s.strip().startswith(("#", "//"))]


class FlagHolder:
    """absl's FlagHolder: what DEFINE returns; `.value` reads the flag through its
    FlagValues (parsing sys.argv first, as FLAGS.name does)."""

    def __init__(self, flag_values, flag, ensure_non_none_value: bool = False) -> None:
        self._flagvalues, self._name = flag_values, flag.name
        self._ensure_non_none_value = ensure_non_none_value

    @property
    def name(self) -> str:
        return self._name

    @property
    def value(self):
        value = getattr(self._flagvalues, self._name)
        if self._ensure_non_none_value and value is None:
            raise IllegalFlagValueError(f"Unexpected None value for flag {self._name}")
        return value

    @property
    def default(self):
        return self._flagvalues[self._name].default

    @property
    def present(self) -> bool:
        return bool(self._flagvalues[self._name].present)

    def serialize(self) -> str:
        return self._flagvalues[self._name].serialize()

    def __bool__(self):
        raise TypeError("FlagHolder's truth value is ambiguous: use .value")

    def __eq__(self, other):
        raise TypeError(f"unsupported operand type(s) for ==: 'FlagHolder' and "
                        f"'{type(other).__name__}' (did you mean to use "
                        "'FlagHolder.value' instead?)")

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return f"FlagHolder(name={self._name!r})"


def _fv(flag_values) -> FlagValues:
    return FLAGS if flag_values is None else flag_values


def DEFINE_flag(flag, flag_values=None, module_name=None, required=False):  # noqa: N802
    """Register `flag` (a Flag); its FlagHolder."""
    fv = _fv(flag_values)
    fv._define(flag)
    module = module_name or _caller_module()
    fv._key_flags.setdefault(module, []).append(flag)
    if required:
        mark_flag_as_required(flag.name, fv)
    return FlagHolder(fv, flag, ensure_non_none_value=required)


def DEFINE(parser, name, default, help, flag_values=None, serializer=None,  # noqa: N802
           module_name=None, required=False, **args):
    """A flag of `parser` (and `serializer`)."""
    return DEFINE_flag(Flag(parser, serializer, name, default, help, **args), flag_values,
                       module_name, required)


def DEFINE_string(name, default, help, flag_values=None, required=False, **args):  # noqa: N802
    return DEFINE(ArgumentParser(), name, default, help, flag_values, ArgumentSerializer(),
                  required=required, **args)


def DEFINE_boolean(name, default, help, flag_values=None, module_name=None,  # noqa: N802
                   required=False, **args):
    return DEFINE_flag(BooleanFlag(name, default, help, **args), flag_values, module_name,
                       required)


DEFINE_bool = DEFINE_boolean


def DEFINE_integer(name, default, help, lower_bound=None, upper_bound=None,  # noqa: N802
                   flag_values=None, required=False, **args):
    return DEFINE(IntegerParser(lower_bound, upper_bound), name, default, help, flag_values,
                  ArgumentSerializer(), required=required, **args)


def DEFINE_float(name, default, help, lower_bound=None, upper_bound=None,  # noqa: N802
                 flag_values=None, required=False, **args):
    return DEFINE(FloatParser(lower_bound, upper_bound), name, default, help, flag_values,
                  ArgumentSerializer(), required=required, **args)


def DEFINE_enum(name, default, enum_values, help, flag_values=None,  # noqa: N802
                module_name=None, required=False, **args):
    return DEFINE_flag(EnumFlag(name, default, help, enum_values, **args), flag_values,
                       module_name, required)


def DEFINE_enum_class(name, default, enum_class, help, flag_values=None,  # noqa: N802
                      module_name=None, case_sensitive=False, required=False, **args):
    return DEFINE_flag(EnumClassFlag(name, default, help, enum_class,
                                     case_sensitive=case_sensitive, **args),
                       flag_values, module_name, required)


def DEFINE_list(name, default, help, flag_values=None, required=False, **args):  # noqa: N802
    return DEFINE(ListParser(), name, default, help, flag_values, CsvListSerializer(","),
                  required=required, **args)


def DEFINE_spaceseplist(name, default, help, comma_compat=False,  # noqa: N802
                        flag_values=None, required=False, **args):
    return DEFINE(WhitespaceSeparatedListParser(comma_compat), name, default, help,
                  flag_values, ListSerializer(" "), required=required, **args)


def DEFINE_multi(parser, serializer, name, default, help, flag_values=None,  # noqa: N802
                 module_name=None, required=False, **args):
    return DEFINE_flag(MultiFlag(parser, serializer, name, default, help, **args),
                       flag_values, module_name, required)


def DEFINE_multi_string(name, default, help, flag_values=None, required=False,  # noqa: N802
                        **args):
    return DEFINE_multi(ArgumentParser(), ArgumentSerializer(), name, default, help,
                        flag_values, required=required, **args)


def DEFINE_multi_integer(name, default, help, lower_bound=None, upper_bound=None,  # noqa: N802
                         flag_values=None, required=False, **args):
    return DEFINE_multi(IntegerParser(lower_bound, upper_bound), ArgumentSerializer(), name,
                        default, help, flag_values, required=required, **args)


def DEFINE_multi_float(name, default, help, lower_bound=None, upper_bound=None,  # noqa: N802
                       flag_values=None, required=False, **args):
    return DEFINE_multi(FloatParser(lower_bound, upper_bound), ArgumentSerializer(), name,
                        default, help, flag_values, required=required, **args)


def DEFINE_multi_enum(name, default, enum_values, help, flag_values=None,  # noqa: N802
                      case_sensitive=True, required=False, **args):
    return DEFINE_multi(EnumParser(enum_values, case_sensitive), ArgumentSerializer(), name,
                        default, f"<{'|'.join(enum_values)}>: {help}", flag_values,
                        required=required, **args)


def DEFINE_multi_enum_class(name, default, enum_class, help, flag_values=None,  # noqa: N802
                            module_name=None, case_sensitive=False, required=False, **args):
    return DEFINE_flag(MultiEnumClassFlag(name, default, help, enum_class,
                                          case_sensitive=case_sensitive, **args),
                       flag_values, module_name, required)


def DEFINE_alias(name, original_name, flag_values=None, module_name=None):  # noqa: N802
    """`--name` sets (and FLAGS.name reads) the flag `original_name`."""
    fv = _fv(flag_values)
    original = fv._flag(original_name)
    if name in fv:
        raise DuplicateFlagError(f"The flag '{name}' is defined twice.")
    fv._flags[name] = original
    return FlagHolder(fv, original)


# ------------------------------------------------------------------ validators
def register_validator(flag_name, checker, message="Flag validation failed",  # noqa: D103
                       flag_values=None) -> None:
    _fv(flag_values)._add_validator(_Validator([flag_name], checker, message, False))


def validator(flag_name, message="Flag validation failed", flag_values=None):
    """Decorator form of register_validator."""
    def decorate(checker):
        register_validator(flag_name, checker, message, flag_values)
        return checker
    return decorate


def register_multi_flags_validator(flag_names, multi_flags_checker,  # noqa: D103
                                   message="Flags validation failed", flag_values=None):
    _fv(flag_values)._add_validator(_Validator([_name(n) for n in flag_names],
                                               multi_flags_checker, message, True))


def multi_flags_validator(flag_names, message="Flag validation failed", flag_values=None):
    """Decorator form of register_multi_flags_validator."""
    def decorate(checker):
        register_multi_flags_validator(flag_names, checker, message, flag_values)
        return checker
    return decorate


def _name(flag) -> str:
    return flag.name if isinstance(flag, FlagHolder) else flag


def mark_flag_as_required(flag_name, flag_values=None) -> None:
    fv = _fv(flag_values)
    name = _name(flag_name)
    if name not in fv:
        raise Error(f"Flag --{name} is not defined")
    fv._add_validator(_Validator([name], lambda value: value is not None,
                                 f"Flag --{name} must have a value other than None.", False))


def mark_flags_as_required(flag_names, flag_values=None) -> None:
    for name in flag_names:
        mark_flag_as_required(name, flag_values)


def mark_flags_as_mutual_exclusive(flag_names, required=False,  # noqa: D103
                                   flag_values=None) -> None:
    names = [_name(n) for n in flag_names]
    word = "Exactly" if required else "At most"
    register_multi_flags_validator(
        names, lambda values: (sum(v is not None for v in values.values()) == 1) if required
        else sum(v is not None for v in values.values()) <= 1,
        f"{word} one of ({', '.join(names)}) must have a value other than None.",
        flag_values)


def mark_bool_flags_as_mutual_exclusive(flag_names, required=False,  # noqa: D103
                                        flag_values=None) -> None:
    names = [_name(n) for n in flag_names]
    fv = _fv(flag_values)
    for n in names:
        if not fv[n].boolean:
            raise ValueError(f"Flag --{n} is not Boolean, which is required for flags "
                             "used in mark_bool_flags_as_mutual_exclusive.")
    word = "Exactly" if required else "At most"
    register_multi_flags_validator(
        names, lambda values: (sum(bool(v) for v in values.values()) == 1) if required
        else sum(bool(v) for v in values.values()) <= 1,
        f"{word} one of ({', '.join(names)}) must be True.", flag_values)


def set_default(flag_holder, value) -> None:
    """The flag's new default (its value too while the command line has not set it)."""
    flag_holder._flagvalues.set_default(flag_holder.name, value)


def override_value(flag_holder, value) -> None:
    """The flag's value, whatever the command line gave (validated)."""
    setattr(flag_holder._flagvalues, flag_holder.name, value)


# ------------------------------------------------------------------ key flags
def _caller_module() -> str:
    frame = sys._getframe(1)
    while frame is not None and frame.f_globals.get("__name__") in (__name__, "graphc.app"):
        frame = frame.f_back
    return frame.f_globals.get("__name__", "__main__") if frame is not None else "__main__"


def declare_key_flag(flag_name, flag_values=None) -> None:
    """Make `flag_name` a key flag of the calling module (shown by its --helpshort)."""
    fv = _fv(flag_values)
    flag = fv._flag(_name(flag_name))
    keys = fv._key_flags.setdefault(_caller_module(), [])
    if flag not in keys:
        keys.append(flag)


def adopt_module_key_flags(module, flag_values=None) -> None:
    """Make the key flags of `module` key flags of the calling module too."""
    if not hasattr(module, "__name__"):
        raise Error(f"Expected a module object, got {module!r}.")
    fv = _fv(flag_values)
    keys = fv._key_flags.setdefault(_caller_module(), [])
    for flag in fv.get_key_flags_for_module(module):
        if flag not in keys:
            keys.append(flag)


def disclaim_key_flags() -> None:
    """The calling module's flags are not its key flags (it defines them for others)."""
    FLAGS._key_flags.pop(_caller_module(), None)


# ------------------------------------------------------------------ help text
def get_help_width() -> int:
    """The terminal's width for help text (80 when not a terminal; at least 40)."""
    if not sys.stdout.isatty():
        return 80
    try:
        return max(40, os.get_terminal_size().columns)
    except OSError:
        return 80


def text_wrap(text, length=None, indent="", firstline_indent=None) -> str:
    """`text` wrapped to `length` columns (get_help_width() by default): each line a
    paragraph, blank lines kept, tabs as 4 spaces; `firstline_indent` (else `indent`)
    before the first line, `indent` before the others."""
    length = get_help_width() if length is None else length
    indent = "" if indent is None else indent
    first = indent if firstline_indent is None else firstline_indent
    if len(indent) >= length:
        raise ValueError("Length of indent exceeds length")
    if len(first) >= length:
        raise ValueError("Length of first line indent exceeds length")
    out = []
    wrapper = textwrap.TextWrapper(width=length, initial_indent=first,
                                   subsequent_indent=indent)
    for line in text.expandtabs(4).splitlines():
        line = line.strip()
        out.extend(wrapper.wrap(line) if line else [""])
        wrapper = textwrap.TextWrapper(width=length, initial_indent=indent,
                                       subsequent_indent=indent)
    return "\n".join(out)


def doc_to_help(doc) -> str:
    """A docstring as help text: trimmed as PEP 257 says, lines of a paragraph joined."""
    doc = re.sub(r"^[ \t]+$", "", doc.strip(), flags=re.M)
    lines = doc.expandtabs().splitlines()
    indents = [len(s) - len(s.lstrip()) for s in lines[1:] if s.strip()]
    cut = min(indents) if indents else 0
    lines = [lines[0].strip()] + [s[cut:].rstrip() for s in lines[1:]] if lines else []
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    return re.sub(r"(?<=\S)\n(?=\S)", " ", "\n".join(lines), flags=re.M)


def flag_dict_to_args(flag_map, multi_flags=None):
    """The command-line arguments of {name: value}: None and True give --name, False
    --noname, a string --name=value, a collection --name=a,b (--name=a --name=b for the
    names in multi_flags), anything else --name=str(value)."""
    for key, value in flag_map.items():
        if value is None or value is True:
            yield f"--{key}"
        elif value is False:
            yield f"--no{key}"
        elif isinstance(value, (bytes, str)):
            yield f"--{key}={value}"
        else:
            try:
                items = [str(v) for v in value]
            except TypeError:
                yield f"--{key}={value}"
                continue
            if multi_flags and key in multi_flags:
                for item in items:
                    yield f"--{key}={item}"
            else:
                yield f"--{key}={','.join(items)}"


__all__ = sorted(n for n, v in list(globals().items()) if not n.startswith("_") and (
    n == "FLAGS" or isinstance(v, type) and issubclass(v, (Error, Flag, FlagValues,
                                                            FlagHolder, ArgumentParser,
                                                            ArgumentSerializer)) or
    callable(v) and getattr(v, "__module__", None) == __name__))
