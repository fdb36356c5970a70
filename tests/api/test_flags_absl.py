"""tf.app.flags' absl names: parsers, serializers, flag classes, FlagHolder, DEFINE,
DEFINE_flag, DEFINE_multi*, DEFINE_enum_class, DEFINE_spaceseplist, DEFINE_alias,
validators and mutual exclusion, set_default / override_value, --flagfile, and the help
helpers; each checked against absl itself when it is installed (it comes with
TensorFlow), else against absl's documented results."""
from __future__ import annotations

import enum

import pytest

import graphc as tf
from graphc.flags import FlagValues

F = tf.app.flags


class Color(enum.Enum):
    RED = 1
    GREEN = 2


def test_parsers_and_serializers():
    assert F.IntegerParser(0, 5).parse("0x3") == 3
    assert F.IntegerParser(lower_bound=0).syntactic_help == "a non-negative integer"
    assert F.IntegerParser(1).syntactic_help == "a positive integer"
    assert F.FloatParser(0, 1).syntactic_help == "a number in the range [0, 1]"
    with pytest.raises(ValueError, match="7 is not an integer in the range"):
        F.IntegerParser(0, 5).parse("7")
    assert F.BooleanParser().parse("T") is True and F.BooleanParser().parse(0) is False
    with pytest.raises(ValueError, match="Non-boolean"):
        F.BooleanParser().parse("yes")
    assert F.EnumParser(["Aa", "b"], case_sensitive=False).parse("aA") == "Aa"
    assert F.EnumClassParser(Color, case_sensitive=False).parse("red") is Color.RED
    assert F.EnumClassParser(Color).member_names == ("RED", "GREEN")
    assert F.ListParser().parse('a,"b,c", d') == ["a", "b,c", "d"]
    assert F.WhitespaceSeparatedListParser(comma_compat=True).parse("a,b c") == ["a", "b",
                                                                                "c"]
    assert F.BaseListParser(";", "semicolon").parse("x; y") == ["x", "y"]
    assert F.CsvListSerializer(",").serialize(["a", "b,c"]) == 'a,"b,c"'
    assert F.ListSerializer(" ").serialize([1, 2]) == "1 2"
    assert F.EnumClassSerializer(lowercase=True).serialize(Color.GREEN) == "green"
    assert F.EnumClassListSerializer(",", lowercase=False).serialize(
        [Color.RED, Color.GREEN]) == "RED,GREEN"
    assert F.ArgumentSerializer().serialize(3) == "3"
    with pytest.raises(TypeError):
        F.ArgumentParser().parse(3)


def test_define_families_holders_and_serialize():
    fv = FlagValues()
    steps = F.DEFINE_integer("steps", 10, "steps", lower_bound=1, flag_values=fv)
    color = F.DEFINE_enum_class("color", "red", Color, "a color", flag_values=fv)
    shades = F.DEFINE_multi_enum_class("shade", ["RED"], Color, "shades", flag_values=fv)
    modes = F.DEFINE_multi_enum("mode", ["a"], ["a", "b"], "modes", flag_values=fv)
    words = F.DEFINE_spaceseplist("words", "x y", "words", flag_values=fv)
    custom = F.DEFINE(F.IntegerParser(), "custom", "4", "custom", flag_values=fv)
    many = F.DEFINE_multi(F.FloatParser(), F.ArgumentSerializer(), "w", [1.5], "ws",
                          flag_values=fv)
    own = F.DEFINE_flag(F.BooleanFlag("quiet", False, "quiet", short_name="q"),
                        flag_values=fv)
    F.DEFINE_alias("n", "steps", flag_values=fv)
    assert isinstance(steps, F.FlagHolder) and steps.name == "steps" and steps.default == 10
    fv(["prog", "--n=3", "--color=GREEN", "--shade=green", "--shade=red", "--mode=b",
        "--words=p q", "--custom=0x10", "--w=2", "-q"])
    assert steps.value == 3 and fv.n == 3 and color.value is Color.GREEN
    assert shades.value == [Color.GREEN, Color.RED] and modes.value == ["b"]
    assert words.value == ["p", "q"] and custom.value == 16 and many.value == [2.0]
    assert own.value is True and steps.present
    assert fv["steps"].serialize() == "--steps=3" and fv["quiet"].serialize() == "--quiet"
    assert fv["shade"].serialize() == "--shade=green\n--shade=red"
    assert fv["color"].serialize() == "--color=green"
    assert fv["words"].serialize() == "--words=p q"
    F.set_default(steps, 7)
    assert steps.default == 7 and steps.value == 3  # the command line's value stays
    F.override_value(steps, 9)
    assert fv.steps == 9
    with pytest.raises(TypeError, match="FlagHolder.value"):
        steps == 3  # noqa: B015
    with pytest.raises(F.FlagNameConflictsWithMethodError):
        F.DEFINE_string("is_parsed", "x", "clash", flag_values=fv)
    fv2 = FlagValues()
    F.DEFINE_string("name", "x", "n", flag_values=fv2)
    assert fv2.flags_into_string() == "--name=x\n"


def test_validators_and_mutual_exclusion():
    fv = FlagValues()
    lr = F.DEFINE_float("lr", 0.1, "lr", flag_values=fv)
    F.DEFINE_integer("a", None, "a", flag_values=fv)
    F.DEFINE_integer("b", None, "b", flag_values=fv)
    F.DEFINE_boolean("x", False, "x", flag_values=fv)
    F.DEFINE_boolean("y", False, "y", flag_values=fv)
    F.register_validator("lr", lambda v: v < 1, "lr must be < 1", flag_values=fv)

    @F.multi_flags_validator(["a", "b"], message="a must not exceed b", flag_values=fv)
    def _ordered(values):
        return values["a"] is None or values["b"] is None or values["a"] <= values["b"]

    F.mark_bool_flags_as_mutual_exclusive(["x", "y"], flag_values=fv)
    fv(["prog", "--a=1", "--b=2", "--x"])
    with pytest.raises(F.IllegalFlagValueError, match="lr must be < 1"):
        fv(["prog", "--lr=3"])
    with pytest.raises(F.IllegalFlagValueError, match="a must not exceed b"):
        fv(["prog", "--lr=0.5", "--a=5"])
    with pytest.raises(F.IllegalFlagValueError, match=r"At most one of \(x, y\) must be True"):
        fv(["prog", "--a=1", "--lr=0.5", "--y"])
    with pytest.raises(F.IllegalFlagValueError, match="lr must be < 1"):
        F.override_value(lr, 5.0)
    fv3 = FlagValues()
    F.DEFINE_string("u", None, "u", flag_values=fv3)
    F.DEFINE_string("v", None, "v", flag_values=fv3)
    F.mark_flags_as_mutual_exclusive(["u", "v"], required=True, flag_values=fv3)
    with pytest.raises(F.IllegalFlagValueError, match=r"Exactly one of \(u, v\)"):
        fv3(["prog"])
    assert fv3(["prog", "--v=1"]) == ["prog"]


def test_flagfile_and_key_flags(tmp_path):
    path = tmp_path / "flags.txt"
    path.write_text("# comment\n--depth=3\n\n// another\n--name=from_file\n")
    fv = FlagValues()
    F.DEFINE_integer("depth", 1, "depth", flag_values=fv)
    F.DEFINE_string("name", "x", "name", flag_values=fv)
    assert fv(["prog", f"--flagfile={path}", "pos"]) == ["prog", "pos"]
    assert (fv.depth, fv.name) == (3, "from_file")
    with pytest.raises(F.CantOpenFlagFileError):
        fv(["prog", "--flagfile", str(tmp_path / "missing")])
    F.declare_key_flag("depth", flag_values=fv)
    assert fv["depth"] in fv.get_key_flags_for_module(__name__)


def test_help_helpers_as_absl():
    text = "A rather long line of help text that goes on and on.\n\n\tTabbed second paragraph"
    wrapped = F.text_wrap(text, 30, indent="  ", firstline_indent="* ")
    doc = """First line.

        Second paragraph, which
        spans two lines.
    """
    args = list(F.flag_dict_to_args({"a": None, "b": True, "c": False, "d": "x",
                                     "e": [1, 2], "f": [3, 4], "g": 2.5},
                                    multi_flags={"f"}))
    assert args == ["--a", "--b", "--noc", "--d=x", "--e=1,2", "--f=3", "--f=4", "--g=2.5"]
    assert F.doc_to_help(doc) == "First line.\n\nSecond paragraph, which spans two lines."
    assert F.get_help_width() >= 40
    with pytest.raises(ValueError, match="indent exceeds length"):
        F.text_wrap("x", 4, indent="    ")
    absl = pytest.importorskip("absl.flags")
    assert wrapped == absl.text_wrap(text, 30, indent="  ", firstline_indent="* ")
    assert F.doc_to_help(doc) == absl.doc_to_help(doc)
    assert args == list(absl.flag_dict_to_args({"a": None, "b": True, "c": False, "d": "x",
                                                "e": [1, 2], "f": [3, 4], "g": 2.5},
                                               multi_flags={"f"}))
    assert F.IntegerParser(0, 5).syntactic_help == absl.IntegerParser(0, 5).syntactic_help
    assert F.CsvListSerializer(",").serialize(["a", "b,c"]) == \
        absl.CsvListSerializer(",").serialize(["a", "b,c"])
