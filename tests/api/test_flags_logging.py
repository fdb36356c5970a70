"""tf.flags / tf.app.flags with absl's behaviour, and the rest of tf.logging."""
import logging

import pytest

import graphc as tf
from graphc.flags import FlagValues


def test_flags_forms_types_and_left_over_arguments():
    fv = FlagValues()
    f = tf.flags
    f.DEFINE_string("name", "x", "a name", flag_values=fv)
    f.DEFINE_integer("steps", 10, "steps", lower_bound=1, flag_values=fv)
    f.DEFINE_float("lr", 0.1, "learning rate", flag_values=fv)
    f.DEFINE_boolean("fast", False, "fast", flag_values=fv)
    f.DEFINE_bool("slow", True, "slow", flag_values=fv)
    f.DEFINE_list("layers", "1,2", "sizes", flag_values=fv)
    f.DEFINE_enum("mode", "train", ["train", "eval"], "mode", flag_values=fv)
    f.DEFINE_multi_string("tag", [], "tags", flag_values=fv)
    f.DEFINE_multi_integer("seed", None, "seeds", flag_values=fv)
    rest = fv(["prog", "--name", "y", "-steps=20", "--lr=0.5", "--fast", "--noslow",
               "--layers=3,4", "--mode=eval", "--tag=a", "--tag", "b", "--seed=1",
               "--seed=2", "pos", "--unknown=1"], known_only=True)
    assert rest == ["prog", "pos", "--unknown=1"]
    assert (fv.name, fv.steps, fv.lr, fv.fast, fv.slow) == ("y", 20, 0.5, True, False)
    assert fv.layers == ["3", "4"] and fv.mode == "eval"
    assert fv.tag == ["a", "b"] and fv.seed == [1, 2]
    assert fv.flag_values_dict()["steps"] == 20 and fv["steps"].default == 10
    fv.steps = 7
    assert fv.steps == 7
    with pytest.raises(AttributeError, match="not defined"):
        fv.missing = 1
    with pytest.raises(tf.flags.UnrecognizedFlagError):
        fv(["prog", "--unknown=1"])


def test_flags_errors_as_absl():
    fv = FlagValues()
    tf.app.flags.DEFINE_integer("n", 1, "n", lower_bound=0, upper_bound=5, flag_values=fv)
    with pytest.raises(tf.flags.DuplicateFlagError, match="defined twice"):
        tf.app.flags.DEFINE_integer("n", 1, "n", flag_values=fv)
    with pytest.raises(tf.flags.IllegalFlagValueError, match="--n=9"):
        fv(["prog", "--n=9"])
    with pytest.raises(tf.flags.IllegalFlagValueError, match="--n=abc"):
        fv(["prog", "--n=abc"])
    tf.flags.DEFINE_enum("m", "a", ["a", "b"], "m", flag_values=fv)
    with pytest.raises(tf.flags.IllegalFlagValueError, match="one of <a|b>"):
        fv(["prog", "--m=c"])
    tf.flags.DEFINE_string("req", None, "required", flag_values=fv)
    tf.flags.mark_flag_as_required("req", flag_values=fv)
    with pytest.raises(tf.flags.IllegalFlagValueError, match="must have a value"):
        fv(["prog"])
    fv(["prog", "--req=ok"])
    assert fv.req == "ok" and fv.is_parsed()


def test_flags_parse_sys_argv_on_first_access(monkeypatch):
    fv = FlagValues()
    tf.flags.DEFINE_integer("batch", 4, "batch", flag_values=fv)
    monkeypatch.setattr("sys.argv", ["prog", "--batch=8", "--other"])
    assert fv.batch == 8   # parsed now, tolerating --other as TF1's wrapper
    assert tf.flags is tf.app.flags and isinstance(tf.flags.FLAGS, FlagValues)


def test_logging_log_vlog_log_if_and_status():
    records = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(record)
    logger, handler = tf.logging.get_logger(), Keep()
    logger.addHandler(handler)
    try:
        tf.logging.set_verbosity(tf.logging.INFO)
        tf.logging.log(tf.logging.INFO, "plain %d", 1)
        tf.logging.vlog(tf.logging.WARN, "v %s", "x")
        tf.logging.log_if(tf.logging.INFO, "shown %d", True, 2)
        tf.logging.log_if(tf.logging.INFO, "hidden", False)
        tf.logging.TaskLevelStatusMessage("status")
        tf.logging.flush()
        assert [r.getMessage() for r in records] == ["plain 1", "v x", "shown 2", "status"]
        assert records[-1].levelno == logging.ERROR
    finally:
        logger.removeHandler(handler)
        tf.logging.set_verbosity(tf.logging.WARN)
