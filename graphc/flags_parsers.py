"""absl's flag parsers, serializers and flag classes, as `tf.app.flags` has them
(graphc/flags.py holds the registry and the DEFINE functions).

A parser turns a command-line string (or a Python default) into a value
(`parse`), and says what it takes (`flag_type`, `syntactic_help`); a serializer turns a
value back into the string a command line would give. A Flag pairs them with a name,
default, help and current value: `parse` sets the value from one occurrence (a
MultiFlag appends), `value` is the default until then.
"""
from __future__ import annotations

import csv
import enum
import io
from typing import Optional


class Error(Exception):
    """absl's base flags error."""


class IllegalFlagValueError(Error):
    pass


class ArgumentParser:
    """Takes a string as it is (the parser of DEFINE_string)."""

    syntactic_help = ""

    def parse(self, argument):
        if not isinstance(argument, str):
            raise TypeError(f'flag value must be a string, found "{type(argument)}"')
        return argument

    def flag_type(self) -> str:
        return "string"

    def _custom_xml_dom_elements(self, doc) -> list:
        return []


class ArgumentSerializer:
    """A value as `str` gives it."""

    def serialize(self, value) -> str:
        return str(value)


class _NumericParser(ArgumentParser):
    number_name = "number"
    syntactic_help = "a number"

    def _bounds(self, lower_bound, upper_bound) -> None:
        self.lower_bound, self.upper_bound = lower_bound, upper_bound
        lo, hi, kind = lower_bound, upper_bound, self.number_name
        if lo is not None and hi is not None:
            self.syntactic_help = f"{self.syntactic_help} in the range [{lo}, {hi}]"
        elif lo == 1:
            self.syntactic_help = f"a positive {kind}"
        elif hi == -1:
            self.syntactic_help = f"a negative {kind}"
        elif lo == 0:
            self.syntactic_help = f"a non-negative {kind}"
        elif hi == 0:
            self.syntactic_help = f"a non-positive {kind}"
        elif hi is not None:
            self.syntactic_help = f"{kind} <= {hi}"
        elif lo is not None:
            self.syntactic_help = f"{kind} >= {lo}"

    def parse(self, argument):
        value = self.convert(argument)
        if (self.lower_bound is not None and value < self.lower_bound) or (
                self.upper_bound is not None and value > self.upper_bound):
            raise ValueError(f"{value} is not {self.syntactic_help}")
        return value


class IntegerParser(_NumericParser):
    """Integers (0x.. hexadecimal, 0o.. octal), within optional bounds."""

    number_name = "integer"
    syntactic_help = "an integer"

    def __init__(self, lower_bound=None, upper_bound=None) -> None:
        self._bounds(lower_bound, upper_bound)

    def convert(self, argument) -> int:
        if isinstance(argument, int) and not isinstance(argument, bool):
            return argument
        if isinstance(argument, str):
            text = argument.strip().lower()
            base = 16 if text.lstrip("-+").startswith("0x") else \
                8 if text.lstrip("-+").startswith("0o") else 10
            return int(text, base)
        raise TypeError(f"Expect argument to be a string or int, found {type(argument)}")

    def flag_type(self) -> str:
        return "int"


class FloatParser(_NumericParser):
    """Floats, within optional bounds."""

    def __init__(self, lower_bound=None, upper_bound=None) -> None:
        self._bounds(lower_bound, upper_bound)

    def convert(self, argument) -> float:
        if isinstance(argument, (int, float)) and not isinstance(argument, bool):
            return float(argument)
        if isinstance(argument, str):
            return float(argument)
        raise TypeError(f"Expect argument to be a string, int, or float, found "
                        f"{type(argument)}")

    def flag_type(self) -> str:
        return "float"


class BooleanParser(ArgumentParser):
    """true/t/1 and false/f/0 (any case), Python bools and the ints 0 and 1."""

    def parse(self, argument) -> bool:
        if isinstance(argument, str):
            low = argument.lower()
            if low in ("true", "t", "1"):
                return True
            if low in ("false", "f", "0"):
                return False
            raise ValueError("Non-boolean argument to boolean flag", argument)
        if isinstance(argument, int) and argument in (0, 1):
            return bool(argument)
        raise TypeError(f"Non-boolean argument to boolean flag: {argument!r}")

    def flag_type(self) -> str:
        return "bool"


class EnumParser(ArgumentParser):
    """One of `enum_values` (matched ignoring case unless case_sensitive; the value
    given back is the listed spelling)."""

    def __init__(self, enum_values, case_sensitive: bool = True) -> None:
        if not enum_values:
            raise ValueError(f"enum_values cannot be empty, found \"{enum_values}\"")
        if isinstance(enum_values, str):
            raise ValueError(f"enum_values cannot be a str, found \"{enum_values}\"")
        self.enum_values = list(enum_values)
        self.case_sensitive = case_sensitive

    def parse(self, argument) -> str:
        if self.case_sensitive:
            if argument in self.enum_values:
                return argument
        else:
            for v in self.enum_values:
                if str(v).upper() == str(argument).upper():
                    return v
        raise ValueError(f"value should be one of <{'|'.join(self.enum_values)}>")

    def flag_type(self) -> str:
        return "string enum"


class EnumClassParser(ArgumentParser):
    """A member of `enum_class`, by name (ignoring case unless case_sensitive)."""

    def __init__(self, enum_class, case_sensitive: bool = True) -> None:
        if not (isinstance(enum_class, type) and issubclass(enum_class, enum.Enum)):
            raise TypeError(f"{enum_class} is not a subclass of Enum.")
        if not enum_class.__members__:
            raise ValueError(f"enum_class cannot be empty, but \"{enum_class}\" is empty.")
        if not case_sensitive:
            lowered = [m.lower() for m in enum_class.__members__]
            if len(set(lowered)) != len(lowered):
                raise ValueError(f"Duplicate enum values for {enum_class} using "
                                 "case_sensitive=False")
        self.enum_class, self._case_sensitive = enum_class, case_sensitive
        self._member_names = tuple(enum_class.__members__)

    @property
    def member_names(self) -> tuple:
        return self._member_names

    def parse(self, argument):
        if isinstance(argument, self.enum_class):
            return argument
        if not isinstance(argument, str):
            raise ValueError(f"{argument} is not an enum member or a name of a member in "
                             f"{self.enum_class}")
        key = argument if self._case_sensitive else next(
            (m for m in self._member_names if m.lower() == argument.lower()), argument)
        if key not in self.enum_class.__members__:
            raise ValueError(f"value should be one of <{'|'.join(self._member_names)}>")
        return self.enum_class[key]

    def flag_type(self) -> str:
        return "enum class"


class BaseListParser(ArgumentParser):
    """A list of the strings between `token`s (a list is taken as it is)."""

    def __init__(self, token: Optional[str] = None, name: Optional[str] = None) -> None:
        self._token, self._name = token, name
        self.syntactic_help = f"a {name} separated list" if name else ""

    def parse(self, argument) -> list:
        if isinstance(argument, list):
            return argument
        if not argument:
            return []
        return [s.strip() for s in argument.split(self._token)]

    def flag_type(self) -> str:
        return f"{self._name} separated list of strings"


class ListParser(BaseListParser):
    """A comma-separated list, read as one CSV record (quotes protect commas)."""

    def __init__(self) -> None:
        super().__init__(",", "comma")

    def parse(self, argument) -> list:
        if isinstance(argument, list):
            return argument
        if not argument:
            return []
        try:
            return [s.strip() for s in next(csv.reader([argument], strict=True))]
        except csv.Error as e:
            raise ValueError(f"Unable to parse the value {argument!r} as a {self.flag_type()}: "
                             f"{e}") from None


class WhitespaceSeparatedListParser(BaseListParser):
    """A whitespace-separated list (commas too with comma_compat)."""

    def __init__(self, comma_compat: bool = False) -> None:
        self._comma_compat = comma_compat
        super().__init__(None, "whitespace or comma" if comma_compat else "whitespace")

    def parse(self, argument) -> list:
        if isinstance(argument, list):
            return argument
        if self._comma_compat:
            argument = argument.replace(",", " ")
        return argument.split()


class ListSerializer(ArgumentSerializer):
    """A list as its items joined by `list_sep`."""

    def __init__(self, list_sep: str) -> None:
        self.list_sep = list_sep

    def serialize(self, value) -> str:
        return self.list_sep.join(str(x) for x in value)


class CsvListSerializer(ListSerializer):
    """A list as one CSV record (quoting what needs it)."""

    def serialize(self, value) -> str:
        out = io.StringIO()
        csv.writer(out, delimiter=self.list_sep, lineterminator="").writerow(
            [str(x) for x in value])
        return out.getvalue()


class EnumClassSerializer(ArgumentSerializer):
    """An enum member as its name (lower case with `lowercase`)."""

    def __init__(self, lowercase: bool) -> None:
        self._lowercase = lowercase

    def serialize(self, value) -> str:
        name = str(value.name)
        return name.lower() if self._lowercase else name


class EnumClassListSerializer(ListSerializer):
    """A list of enum members as their names joined by `list_sep`."""

    def __init__(self, list_sep: str, **kwargs) -> None:
        super().__init__(list_sep)
        self._element = EnumClassSerializer(**kwargs)

    def serialize(self, value) -> str:
        items = value if isinstance(value, list) else [value]
        return self.list_sep.join(self._element.serialize(x) for x in items)


class Flag:
    """absl's Flag: a parser and serializer with a name, default and help; `value` is
    the default until `parse` sets it (`present` counts the occurrences)."""

    def __init__(self, parser, serializer, name, default, help_string, short_name=None,
                 boolean=False, allow_override=False, allow_override_cpp=False,
                 allow_hide_cpp=False, allow_overwrite=True,
                 allow_using_method_names=False) -> None:
        self.name, self.short_name = name, short_name
        self.help = help_string if help_string else "(no help available)"
        self.parser, self.serializer = parser, serializer
        self.boolean = boolean
        self.allow_override, self.allow_override_cpp = allow_override, allow_override_cpp
        self.allow_hide_cpp, self.allow_overwrite = allow_hide_cpp, allow_overwrite
        self.allow_using_method_names = allow_using_method_names
        self.present = 0
        self.using_default_value = True
        self.validators: list = []
        self._value = None
        self._set_default(default)

    @property
    def value(self):
        return self._value

    @value.setter
    def value(self, value) -> None:
        self._value = value

    def _parse(self, argument):
        try:
            return self.parser.parse(argument)
        except (TypeError, ValueError) as e:
            raise IllegalFlagValueError(f"flag --{self.name}={argument}: {e}") from None

    def parse(self, argument) -> None:
        """Set the value from one occurrence on the command line."""
        if self.present and not self.allow_overwrite:
            raise IllegalFlagValueError(f"flag --{self.name}={argument}: already defined "
                                        f"as {self.value}")
        self.value = self._parse(argument)
        self.present += 1
        self.using_default_value = False

    def unparse(self) -> None:
        self.value = self.default
        self.using_default_value = True
        self.present = 0

    def _set_default(self, value) -> None:
        self.default_unparsed = value
        self.default = None if value is None else self._parse(value)
        self.default_as_str = self._default_as_str()
        if self.using_default_value:
            self.value = self.default

    def _default_as_str(self):
        if self.default_unparsed is None:
            return None
        return repr(self._serialize(self.default) if self.serializer else
                    str(self.default_unparsed))

    def _serialize(self, value) -> str:
        if value is None:
            return ""
        if self.boolean:
            return "true" if value else "false"
        return self.serializer.serialize(value) if self.serializer else str(value)

    def serialize(self) -> str:
        """The command-line form of the value (`--name=value`; `--name` / `--noname`
        for a boolean; "" when the value is None)."""
        if self.value is None:
            return ""
        if self.boolean:
            return f"--{self.name}" if self.value else f"--no{self.name}"
        return f"--{self.name}={self._serialize(self.value)}"

    def flag_type(self) -> str:
        return self.parser.flag_type()

    def __hash__(self) -> int:
        return hash(id(self))

    def __eq__(self, other) -> bool:
        return self is other

    def __repr__(self) -> str:
        return f"<{type(self).__name__} --{self.name}={self.value!r}>"


class BooleanFlag(Flag):
    """A boolean: `--name`, `--noname`, `--name=false`."""

    def __init__(self, name, default, help, short_name=None, **args) -> None:
        super().__init__(BooleanParser(), None, name, default, help, short_name, True,
                         **args)


class EnumFlag(Flag):
    """One of `enum_values`."""

    def __init__(self, name, default, help, enum_values, short_name=None,
                 case_sensitive=True, **args) -> None:
        parser = EnumParser(enum_values, case_sensitive)
        super().__init__(parser, ArgumentSerializer(), name, default, help, short_name,
                         **args)
        self.help = f"<{'|'.join(parser.enum_values)}>: {self.help}"


class EnumClassFlag(Flag):
    """A member of `enum_class`."""

    def __init__(self, name, default, help, enum_class, short_name=None,
                 case_sensitive=False, **args) -> None:
        parser = EnumClassParser(enum_class, case_sensitive)
        super().__init__(parser, EnumClassSerializer(lowercase=not case_sensitive), name,
                         default, help, short_name, **args)
        self.help = f"<{'|'.join(parser.member_names)}>: {self.help}"


class MultiFlag(Flag):
    """A flag that may occur several times: its value is the list of them."""

    def parse(self, arguments) -> None:
        new = self._parse(arguments)
        if self.present:
            self.value.extend(new)
        else:
            self.value = new
        self.present += len(new)
        self.using_default_value = False

    def _parse(self, arguments):
        items = arguments if isinstance(arguments, list) else [arguments]
        return [Flag._parse(self, item) for item in items]

    def _serialize(self, value) -> str:
        return "" if value is None else "\n".join(
            f"--{self.name}={Flag._serialize(self, v)}" for v in value)

    def serialize(self) -> str:
        return self._serialize(self.value)

    def flag_type(self) -> str:
        return "multi " + self.parser.flag_type()


class MultiEnumClassFlag(MultiFlag):
    """Several members of `enum_class`."""

    def __init__(self, name, default, help_string, enum_class, case_sensitive=False,
                 **args) -> None:
        parser = EnumClassParser(enum_class, case_sensitive=case_sensitive)
        super().__init__(parser, EnumClassListSerializer(",", lowercase=not case_sensitive),
                         name, default, help_string, **args)
        self.help = f"<{'|'.join(parser.member_names)}>: {self.help}"
