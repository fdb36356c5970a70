import json
import os

import numpy as np
import pytest

import graphc as tf


def _model():
    g = tf.Graph()
    with g.as_default():
        w = tf.Variable(np.arange(6, dtype=np.float32).reshape(2, 3), name="w")
        with tf.variable_scope("layer"):
            b = tf.get_variable("b", [3], initializer=tf.zeros_initializer())
        bump = tf.group(w.assign_add(np.ones((2, 3), np.float32)), b.assign_add([1, 2, 3]))
        init = tf.global_variables_initializer()
    return g, w, b, bump, init


def test_save_restore_roundtrip_and_latest_checkpoint(tmp_path):
    g, w, b, bump, init = _model()
    with g.as_default():
        saver = tf.train.Saver()
    with tf.Session(graph=g) as sess:
        sess.run(init)
        sess.run(bump)
        path = saver.save(sess, str(tmp_path / "model.ckpt"), global_step=7)
        expected = sess.run([w, b])
    assert path.endswith("model.ckpt-7")
    assert tf.train.latest_checkpoint(str(tmp_path)) == path
    assert "layer/b" in dict(tf.train.list_variables(path))
    with tf.Session(graph=g) as sess:
        saver.restore(sess, path)
        got = sess.run([w, b])
    for e, v in zip(expected, got):
        np.testing.assert_array_equal(e, v)


def test_no_pickle_in_format(tmp_path):
    g, w, b, bump, init = _model()
    with g.as_default():
        saver = tf.train.Saver(write_version="graphc")
    with tf.Session(graph=g) as sess:
        sess.run(init)
        prefix = saver.save(sess, str(tmp_path / "m"))
    index = json.loads(open(prefix + ".index").read())
    assert index["format"] == "graphc-checkpoint" and index["version"] == 1
    assert set(index["tensors"]) == {"w", "layer/b"}


def test_max_to_keep(tmp_path):
    g, w, b, bump, init = _model()
    with g.as_default():
        saver = tf.train.Saver(max_to_keep=2)
    with tf.Session(graph=g) as sess:
        sess.run(init)
        for step in range(4):
            saver.save(sess, str(tmp_path / "m"), global_step=step)
    kept = sorted(f for f in os.listdir(tmp_path) if f.endswith(".index"))
    assert kept == ["m-2.index", "m-3.index"]
    state = tf.train.get_checkpoint_state(str(tmp_path))
    assert [os.path.basename(p) for p in state.all_model_checkpoint_paths] == ["m-2", "m-3"]


def test_selected_variables_by_list_and_dict(tmp_path):
    g, w, b, bump, init = _model()
    with g.as_default():
        only_w = tf.train.Saver([w])
        renamed = tf.train.Saver({"weights": w})
    with tf.Session(graph=g) as sess:
        sess.run(init)
        p1 = only_w.save(sess, str(tmp_path / "a"))
        p2 = renamed.save(sess, str(tmp_path / "b"))
    assert dict(tf.train.list_variables(p1)).keys() == {"w"}
    assert dict(tf.train.list_variables(p2)).keys() == {"weights"}


def test_restore_errors_name_missing_unexpected_and_mismatched(tmp_path):
    g, w, b, bump, init = _model()
    with g.as_default():
        saver = tf.train.Saver({"weights": w})
    with tf.Session(graph=g) as sess:
        sess.run(init)
        prefix = saver.save(sess, str(tmp_path / "m"))
    g2 = tf.Graph()
    with g2.as_default():
        w2 = tf.Variable(np.zeros((3, 3), np.float32), name="w")
        missing = tf.train.Saver({"w": w2})
        wrong_shape = tf.train.Saver({"weights": w2})
    with tf.Session(graph=g2) as sess:
        with pytest.raises(tf.errors.NotFoundError, match=r"\['w'\].*\['weights'\]"):
            missing.restore(sess, prefix)
        with pytest.raises(tf.errors.InvalidArgumentError,
                           match=r"weights: graph shape \(3, 3\), checkpoint shape \(2, 3\)"):
            wrong_shape.restore(sess, prefix)


@pytest.mark.parametrize("write_version", [2, "graphc"])
def test_crash_mid_save_keeps_previous_checkpoint(tmp_path, monkeypatch, write_version):
    g, w, b, bump, init = _model()
    with g.as_default():
        saver = tf.train.Saver(write_version=write_version)
    with tf.Session(graph=g) as sess:
        sess.run(init)
        prefix = saver.save(sess, str(tmp_path / "m"))
        before = sess.run(w)
        sess.run(bump)

        def crash(*args, **kwargs):
            raise OSError("disk full")
        with monkeypatch.context() as patch:
            patch.setattr(os, "fsync", crash)  # the first file of the save fails
            with pytest.raises(OSError):
                saver.save(sess, str(tmp_path / "m"))
        assert not [f for f in os.listdir(tmp_path) if f.startswith(".tmp-")]
        saver.restore(sess, prefix)
        np.testing.assert_array_equal(sess.run(w), before)


def test_corrupt_checkpoint_is_a_clear_error(tmp_path):
    g, w, b, bump, init = _model()
    with g.as_default():
        saver = tf.train.Saver()
    with tf.Session(graph=g) as sess:
        sess.run(init)
        prefix = saver.save(sess, str(tmp_path / "m"))
        with open(prefix + ".data-00000-of-00001", "r+b") as f:
            f.truncate(20)
        with pytest.raises(tf.errors.DataLossError, match="corrupt"):
            saver.restore(sess, prefix)
        with open(prefix + ".index", "w") as f:
            f.write("{not json")
        with pytest.raises(tf.errors.DataLossError, match="corrupt"):
            saver.restore(sess, prefix)


@pytest.mark.parametrize("max_to_keep", [None, 0])
def test_max_to_keep_none_keeps_every_file_and_lists_the_latest(tmp_path, max_to_keep):
    # TF1: with max_to_keep None or 0 nothing is deleted and the state file lists only
    # the latest checkpoint
    g, w, b, bump, init = _model()
    with g.as_default():
        saver = tf.train.Saver(max_to_keep=max_to_keep)
    with tf.Session(graph=g) as sess:
        sess.run(init)
        for step in range(3):
            saver.save(sess, str(tmp_path / "m"), global_step=step)
    kept = sorted(f for f in os.listdir(tmp_path) if f.endswith(".index"))
    assert kept == ["m-0.index", "m-1.index", "m-2.index"]
    state = tf.train.get_checkpoint_state(str(tmp_path))
    assert [os.path.basename(p) for p in state.all_model_checkpoint_paths] == ["m-2"]
    assert saver.last_checkpoints == []
