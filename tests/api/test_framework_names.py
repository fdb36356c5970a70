"""TF1's graph-level names (graphc/framework_names.py), tf.config's devices and optimizer
options (graphc/config_devices.py), tf.debugging's switches
(graphc/debugging_switches.py) and tf.errors' code functions, with graphc's meanings."""
from __future__ import annotations

import numpy as np
import pytest

import graphc as tf


def test_report_and_assert_uninitialized_variables():
    with tf.Graph().as_default():
        a = tf.Variable(1.0, name="a")
        b = tf.Variable(2.0, name="b")
        loc = tf.Variable(3, name="loc", collections=[tf.GraphKeys.LOCAL_VARIABLES])
        report = tf.report_uninitialized_variables()
        check = tf.assert_variables_initialized([a, b])
        with tf.Session() as sess:
            assert list(sess.run(report)) == [b"a", b"b", b"loc"]
            sess.run(a.initializer)
            assert list(sess.run(report)) == [b"b", b"loc"]
            with pytest.raises(tf.errors.InvalidArgumentError, match="uninitialized"):
                sess.run(check)
            sess.run([b.initializer, loc.initializer])
            assert sess.run(report).shape == (0,)
            sess.run(check)
        assert tf.Session().run(tf.report_uninitialized_variables([])).shape == (0,)
    with tf.Graph().as_default():
        assert tf.assert_variables_initialized() is None


def test_enums_and_gradients_options():
    with tf.Graph().as_default():
        x = tf.constant(1.0)
        y = tf.constant(2.0)
        z = tf.square(x) + tf.square(x)
        g, none = tf.gradients(z, [x, y], unconnected_gradients=tf.UnconnectedGradients.ZERO,
                               aggregation_method=tf.AggregationMethod.EXPERIMENTAL_TREE)
        assert tf.Session().run([g, none]) == [4.0, 0.0]
        assert tf.gradients(z, y, unconnected_gradients=tf.UnconnectedGradients.NONE) == [None]
    assert tf.AggregationMethod.DEFAULT == tf.AggregationMethod.ADD_N == 0
    assert tf.VariableAggregation.ONLY_FIRST_TOWER is tf.VariableAggregation.ONLY_FIRST_REPLICA
    assert tf.VariableSynchronization.ON_READ.value == 3


def test_init_scope_op_scope_and_static_values():
    with tf.Graph().as_default() as g:
        x = tf.constant(1.0)
        with tf.control_dependencies([x]):
            with tf.init_scope():
                c = tf.constant(2.0)
            d = tf.constant(3.0)
        assert list(c.op.control_inputs) == [] and list(d.op.control_inputs) == [x.op]
        with tf.op_scope([x], "outer", "default") as scope:
            assert scope == "outer/" and tf.constant(0).name == "outer/Const:0"
        assert tf.no_regularizer(x) is None
        p = tf.placeholder(tf.float32, [None, 3])
        assert tf.get_static_value(tf.cast(tf.stack([1, 2]), tf.float32)).tolist() == [1, 2]
        assert tf.get_static_value(tf.shape(p)) is None
        assert tf.get_static_value(tf.shape(p), partial=True).tolist() == [None, 3]
        assert tf.get_static_value(np.float32(4)) == 4
        assert g is tf.get_default_graph()
    assert tf.executing_eagerly_outside_functions() is False


def test_switches_say_what_graphc_does():
    tf.disable_tensor_equality()
    tf.disable_v2_tensorshape()
    for switch in (tf.enable_v2_behavior, tf.enable_tensor_equality, tf.enable_v2_tensorshape):
        with pytest.raises(NotImplementedError, match="graph mode"):
            switch()
    assert tf.resource_variables_enabled() is False
    tf.enable_resource_variables()
    try:
        assert tf.resource_variables_enabled() is True
    finally:
        tf.disable_resource_variables()
    assert tf.resource_variables_enabled() is False


def test_device_spec():
    spec = tf.DeviceSpec.from_string("/job:ps/replica:0/task:1/device:GPU:2")
    assert (spec.job, spec.replica, spec.task, spec.device_type, spec.device_index) == \
        ("ps", 0, 1, "GPU", 2)
    assert spec.to_string() == "/job:ps/replica:0/task:1/device:GPU:2"
    short = tf.DeviceSpec.from_string("/cpu:0")
    assert short.to_string() == "/device:CPU:0"
    spec.merge_from(tf.DeviceSpec(job="worker", device_type="cpu", device_index=0))
    assert spec.to_string() == "/job:worker/replica:0/task:1/device:CPU:0"
    assert tf.DeviceSpec(device_type="GPU").to_string() == "/device:GPU:*"
    with pytest.raises(ValueError, match="Unknown attribute"):
        tf.DeviceSpec.from_string("/jobs:ps")


def test_tensor_spec():
    spec = tf.TensorSpec([None, 3], tf.float32, name="x")
    with tf.Graph().as_default():
        assert spec.is_compatible_with(tf.placeholder(tf.float32, [2, 3]))
        assert not spec.is_compatible_with(tf.placeholder(tf.float64, [2, 3]))
        assert not spec.is_compatible_with(np.zeros((2, 4), np.float32))
        t = tf.constant(np.zeros((2, 2), np.int32), name="c")
        assert tf.TensorSpec.from_tensor(t) == tf.TensorSpec([2, 2], tf.int32, "c")
    assert isinstance(spec, tf.TypeSpec)
    assert repr(spec) == "TensorSpec(shape=(?, 3), dtype=tf.float32, name='x')"


def test_module_tracks_variables_and_submodules():
    class Dense(tf.Module):
        def __init__(self, n, name=None):
            super().__init__(name=name)
            with self.name_scope:
                self.w = tf.Variable(np.ones((n, n), np.float32), name="w")
                self.b = tf.Variable(np.zeros(n, np.float32), name="b", trainable=False)

    class MLP(tf.Module):
        def __init__(self):
            super().__init__()
            self.layers = [Dense(2, "first"), Dense(3, "second")]
            self.extra = {"scale": tf.Variable(1.0, name="scale")}

    with tf.Graph().as_default():
        m = MLP()
        assert m.name == "mlp"
        assert [v.op.name for v in m.variables] == ["scale", "first/b", "first/w",
                                                    "second/b", "second/w"]
        assert [v.op.name for v in m.trainable_variables] == ["scale", "first/w", "second/w"]
        assert [s.name for s in m.submodules] == ["first", "second"]
        with pytest.raises(ValueError, match="valid module name"):
            tf.Module(name="not valid")


def test_config_devices_and_options():
    cpu = tf.config.list_physical_devices("CPU")
    assert cpu == [tf.config.PhysicalDevice("/physical_device:CPU:0", "CPU")]
    assert tf.config.list_physical_devices("GPU") == [] and tf.config.get_visible_devices() == cpu
    tf.config.set_visible_devices(cpu)
    with pytest.raises(ValueError, match="cannot be made invisible"):
        tf.config.set_visible_devices([])
    assert tf.config.get_logical_device_configuration(cpu[0]) is None
    tf.config.set_logical_device_configuration(
        cpu[0], [tf.config.LogicalDeviceConfiguration(), tf.config.LogicalDeviceConfiguration()])
    try:
        assert [d.name for d in tf.config.list_logical_devices()] == ["/device:CPU:0",
                                                                       "/device:CPU:1"]
    finally:
        tf.config.set_logical_device_configuration(cpu[0], None)
    assert tf.config.list_logical_devices("CPU") == [tf.config.LogicalDevice("/device:CPU:0",
                                                                             "CPU")]
    assert tf.config.get_soft_device_placement() is True
    assert tf.config.functions_run_eagerly() is False
    tf.config.run_functions_eagerly(False)
    with pytest.raises(NotImplementedError):
        tf.config.experimental_run_functions_eagerly(True)
    assert tf.config.optimizer.get_jit() == ""
    tf.config.optimizer.set_jit(True)
    assert tf.config.optimizer.get_jit() == "autoclustering"
    tf.config.optimizer.set_jit(False)
    with pytest.raises(ValueError, match="Unknown optimizer option"):
        tf.config.optimizer.set_experimental_options({"constant_foldin": False})


def test_optimizer_options_turn_passes_off_for_later_sessions():
    assert tf.config.optimizer.get_experimental_options() == {
        "disable_model_pruning": False, "disable_meta_optimizer": False}
    tf.config.optimizer.set_experimental_options({"constant_folding": False,
                                                  "remapping": False})
    try:
        with tf.Graph().as_default():
            with tf.Session() as sess:
                assert sess.run(tf.constant(2.0) * 3) == 6.0
                names = [name for name, *_ in sess.last_pass_manager.timings]
            assert "fold_constants" not in names and "fuse" not in names and "cse" in names
    finally:
        tf.config.optimizer.set_experimental_options({"constant_folding": True,
                                                      "remapping": True})
    with tf.Graph().as_default(), tf.Session() as sess:
        sess.run(tf.constant(2.0) * 3)
        assert "fold_constants" in [name for name, *_ in sess.last_pass_manager.timings]


def test_check_numerics_switch_applies_to_later_sessions():
    with tf.Graph().as_default():
        p = tf.placeholder(tf.float32)
        y = tf.log(p)
        tf.debugging.enable_check_numerics()
        try:
            checked = tf.Session()
        finally:
            tf.debugging.disable_check_numerics()
        with pytest.raises(tf.errors.InvalidArgumentError, match="Log op 'Log' produced NaN"):
            checked.run(y, {p: -1.0})
        assert np.isnan(tf.Session().run(y, {p: -1.0}))


def test_log_device_placement(capfd):
    assert tf.debugging.get_log_device_placement() is False
    tf.debugging.set_log_device_placement(True)
    try:
        with tf.Graph().as_default():
            sess = tf.Session()
            sess.run(tf.add(tf.constant(1.0), 2.0, name="sum"))
    finally:
        tf.debugging.set_log_device_placement(False)
    err = capfd.readouterr().err
    assert "sum: (Add): /job:localhost/replica:0/task:0/device:CPU:0" in err
    assert tf.debugging.is_traceback_filtering_enabled() is True
    tf.debugging.disable_traceback_filtering()
    assert tf.debugging.is_traceback_filtering_enabled() is False
    tf.debugging.enable_traceback_filtering()


def test_error_codes():
    assert tf.errors.error_code_from_exception_type(tf.errors.NotFoundError) == 5
    assert tf.errors.exception_type_from_error_code(11) is tf.errors.OutOfRangeError
    with pytest.warns(UserWarning, match="Unknown class exception"):
        assert tf.errors.error_code_from_exception_type(ValueError) == tf.errors.UNKNOWN
    with pytest.raises(KeyError):
        tf.errors.exception_type_from_error_code(99)
    with tf.errors.raise_exception_on_not_ok_status() as status:
        assert status.code == tf.errors.OK
    with pytest.raises(tf.errors.AbortedError, match="stopped"):
        with tf.errors.raise_exception_on_not_ok_status() as status:
            status.code, status.message = tf.errors.ABORTED, "stopped"
