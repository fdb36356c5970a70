"""tf.resource_loader, tf.dtypes' functions, and the rest of tf.summary (FileWriterCache,
SessionLog, TaggedRunMetadata, SummaryDescription, get_summary_description)."""
from __future__ import annotations

import os

import numpy as np
import pytest

import graphc as tf


def test_resource_loader_paths_are_the_callers():
    here = os.path.dirname(os.path.abspath(__file__))
    rl = tf.resource_loader
    assert rl.get_data_files_path() == here
    assert rl.get_root_dir_with_all_resources() == here
    assert rl.get_path_to_datafile("x/y.txt") == os.path.join(here, "x/y.txt")
    assert rl.readahead_file_path("/a/b", "64M") == "/a/b"
    assert rl.load_resource("__init__.py").startswith(b'"""graphc')
    with pytest.raises(IOError):
        rl.load_resource("no/such/file")


def test_dtypes_namespace():
    d = tf.dtypes
    assert d.float32 is tf.float32 and d.as_dtype("complex64") is tf.complex64
    assert d.DType is tf.DType and d.complex64 is tf.complex64
    x = tf.constant([1.5, -2.5, 300.0])
    with tf.Session() as sess:
        got = sess.run([d.cast(x, tf.int32), d.saturate_cast(x, tf.uint8),
                        d.complex(x, x), d.as_string(tf.constant([1, 2]))])
    np.testing.assert_array_equal(got[0], [1, -2, 300])
    np.testing.assert_array_equal(got[1], [1, 0, 255])
    np.testing.assert_array_equal(got[2], np.array([1.5, -2.5, 300]) * (1 + 1j))
    assert list(got[3]) == [b"1", b"2"]


def test_summary_messages_and_cache(tmp_path):
    log = tf.summary.SessionLog(status=tf.summary.SessionLog.START, msg="go")
    assert tf.summary.SessionLog.FromString(log.SerializeToString()).msg == "go"
    tagged = tf.summary.TaggedRunMetadata(tag="step1", run_metadata=b"\x01")
    assert tagged.SerializeToString() == b"\n\x05step1\x12\x01\x01"
    with tf.Graph().as_default():
        a = tf.summary.FileWriterCache.get(str(tmp_path))
        assert tf.summary.FileWriterCache.get(str(tmp_path)) is a
        tf.summary.FileWriterCache.clear()
        assert tf.summary.FileWriterCache.get(str(tmp_path)) is not a
        tf.summary.FileWriterCache.clear()
        assert tf.summary.all_v2_summary_ops() == []
        tf.summary.initialize()
        with pytest.raises(TypeError):
            tf.summary.initialize(graph=3)
    node = tf.NodeDef(op="TensorSummary")
    node.attr["description"].s = b'{"typeHint": "image"}'
    assert tf.summary.get_summary_description(node).type_hint == "image"
    with pytest.raises(ValueError, match="Can't get_summary_description on Add"):
        tf.summary.get_summary_description(tf.NodeDef(op="Add"))


def test_mixed_precision_loss_scale_optimizer():
    mp = tf.mixed_precision
    with tf.Graph().as_default():
        w = tf.Variable([1.0, -2.0], name="w")
        x = tf.placeholder(tf.float32, [])
        loss = tf.reduce_sum(w * w) * x
        scale = mp.DynamicLossScale(initial_loss_scale=4.0, increment_period=2,
                                    multiplier=2.0)
        opt = mp.MixedPrecisionLossScaleOptimizer(tf.train.GradientDescentOptimizer(0.1),
                                                  scale)
        (g, _), = opt.compute_gradients(loss, [w])
        train = opt.minimize(loss, var_list=[w])
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            np.testing.assert_allclose(sess.run(g, {x: 1.0}), [2.0, -4.0])  # unscaled
            history = []
            for xv in (1.0, 1.0, 1.0, 1e38, 1.0):  # 1e38 * scale overflows: skipped step
                before = sess.run(w)
                sess.run(train, {x: xv})
                history.append((float(sess.run(scale())), sess.run(w) - before))
        scales = [s for s, _ in history]
        assert scales == [4.0, 8.0, 8.0, 4.0, 4.0]
        assert np.all(history[3][1] == 0) and np.all(history[0][1] != 0)
        assert scale.get_config() == {"initial_loss_scale": 4.0, "increment_period": 2,
                                      "multiplier": 2.0}
    with tf.Graph().as_default():
        w = tf.Variable(3.0)
        opt = mp.enable_mixed_precision_graph_rewrite(tf.train.GradientDescentOptimizer(0.5),
                                                      loss_scale=128)
        assert isinstance(opt, mp.MixedPrecisionLossScaleOptimizer)
        train = opt.minimize(w * w)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(train)
            assert sess.run(w) == 0.0   # 3 - 0.5 * 6, unscaled exactly
        mp.disable_mixed_precision_graph_rewrite()
    with pytest.raises(ValueError, match="Python int or float"):
        mp.FixedLossScale(tf.constant(2.0))
    with pytest.raises(ValueError, match="must be an instance of Optimizer"):
        mp.MixedPrecisionLossScaleOptimizer(object(), "dynamic")
