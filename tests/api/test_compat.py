"""TF1 surface beyond ops: compat.v1, config protos, devices, logging, app.flags."""
import pytest

import graphc as tf


def test_compat_v1_is_the_same_api():
    import graphc.compat.v1 as v1  # noqa: F401  (the import form TF1-on-TF2 code uses)
    assert tf.compat.v1 is tf
    tf.compat.v1.disable_v2_behavior()
    tf.disable_eager_execution()
    assert not tf.executing_eagerly()
    with pytest.raises(NotImplementedError, match="define-then-run"):
        tf.enable_eager_execution()


def test_devices_and_config_are_accepted():
    with tf.device("/gpu:0"):
        c = tf.constant(2.0)
    with tf.Session(config=tf.ConfigProto(log_device_placement=True)) as sess:
        assert sess.run(c) == 2.0


def test_logging_levels():
    tf.logging.set_verbosity(tf.logging.INFO)
    assert tf.logging.get_verbosity() == tf.logging.INFO
    tf.logging.info("hello %s", "world")
    tf.logging.set_verbosity(tf.logging.WARN)


def test_app_flags_parse_defaults_and_overrides():
    from graphc.flags import FlagValues
    flags, fv = tf.app.flags, FlagValues()
    flags.DEFINE_integer("batch_size", 32, "batch", flag_values=fv)
    flags.DEFINE_float("lr", 0.1, "learning rate", flag_values=fv)
    flags.DEFINE_boolean("fast", False, "speed", flag_values=fv)
    flags.DEFINE_string("data_dir", "/tmp", "data", flag_values=fv)
    rest = fv(["prog", "--batch_size=64", "--fast", "extra"])
    assert rest == ["prog", "extra"]
    assert (fv.batch_size, fv.lr, fv.fast) == (64, 0.1, True)
    assert fv.data_dir == "/tmp"
    with pytest.raises(AttributeError, match="missing"):
        getattr(fv, "missing")  # noqa: B009


def test_dtype_and_shape_names_at_top_level():
    assert tf.float32.name == "float32" and tf.as_dtype("float") is tf.float32
    assert tf.TensorShape([None, 2]).as_list() == [None, 2]
    assert tf.newaxis is None
    assert tf.GraphKeys.TRAINABLE_VARIABLES == "trainable_variables"
