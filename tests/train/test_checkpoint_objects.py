"""Issue 20's tf.train leftovers: Checkpoint (graph mode: save, write, restore statuses),
CheckpointManager (max_to_keep, latest_checkpoint, the state file, recovery, intervals),
CheckpointOptions, warm_start with VocabInfo, summary_iterator and the Event,
ClusterDef/JobDef/ServerDef messages; and tf.data's Options, NumpyIterator and
DatasetSpec. Where TensorFlow is installed its files and messages are checked too."""
from __future__ import annotations

import os

import numpy as np
import pytest

import graphc as tf

KEY = ".ATTRIBUTES/VARIABLE_VALUE"


def _model():
    w = tf.Variable(np.float32([[1, 2], [3, 4]]), name="w")
    b = tf.Variable(np.float32([0.5, -0.5]), name="b")
    return w, b


def test_checkpoint_save_and_restore(tmp_path):
    prefix = str(tmp_path / "ckpt")
    with tf.Graph().as_default():
        w, b = _model()
        ckpt = tf.train.Checkpoint(w=w, nested=tf.train.Checkpoint(b=b), more=[w])
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            first = ckpt.save(prefix)
            sess.run(w.assign(w * 10))
            second = ckpt.save(prefix, session=sess)
            written = ckpt.write(str(tmp_path / "plain"))
    assert first.endswith("ckpt-1") and second.endswith("ckpt-2")
    assert tf.train.latest_checkpoint(str(tmp_path)) == second
    names = dict(tf.train.list_variables(second))
    assert set(names) == {f"w/{KEY}", f"nested/b/{KEY}", f"more/0/{KEY}",
                          f"save_counter/{KEY}"}
    assert tf.train.load_variable(second, f"save_counter/{KEY}") == 2
    np.testing.assert_array_equal(tf.train.load_variable(first, f"w/{KEY}"), [[1, 2], [3, 4]])
    assert f"save_counter/{KEY}" in dict(tf.train.list_variables(written))
    with tf.Graph().as_default():
        w, b = _model()
        ckpt = tf.train.Checkpoint(w=w, nested=tf.train.Checkpoint(b=b), more=[w])
        status = ckpt.restore(second)
        with tf.Session() as sess:
            status.assert_consumed().assert_existing_objects_matched()
            status.initialize_or_restore(sess)
            np.testing.assert_array_equal(sess.run(w), [[10, 20], [30, 40]])
            assert sess.run(ckpt.save_counter) == 2
            assert ckpt.save(prefix).endswith("ckpt-3")
    with tf.Graph().as_default():
        w, b = _model()
        extra = tf.Variable(7.0, name="extra")
        ckpt = tf.train.Checkpoint(w=w, extra=extra)
        status = ckpt.restore(first)
        with pytest.raises(AssertionError, match="extra"):
            status.assert_existing_objects_matched()
        with tf.Session() as sess:
            status.initialize_or_restore(sess)
            assert sess.run(extra) == 7.0
            np.testing.assert_array_equal(sess.run(w), [[1, 2], [3, 4]])
        with pytest.raises(tf.errors.NotFoundError):
            ckpt.restore(str(tmp_path / "nothing-9"))
        with pytest.raises(ValueError, match="cannot track"):
            tf.train.Checkpoint(x=object())


def test_checkpoint_of_layers_and_optimizers(tmp_path):
    with tf.Graph().as_default():
        x = tf.constant(np.ones((2, 3), np.float32))
        layer = tf.layers.Dense(2, name="dense")
        loss = tf.reduce_sum(layer(x))
        opt = tf.train.AdamOptimizer(0.1)
        step = opt.minimize(loss)
        ckpt = tf.train.Checkpoint(model=layer, optimizer=opt)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(step)
            kernel = sess.run(layer.kernel)
            path = ckpt.save(str(tmp_path / "m"))
            sess.run(tf.global_variables_initializer())
            ckpt.restore(path).run_restore_ops(sess)
            np.testing.assert_array_equal(sess.run(layer.kernel), kernel)
    keys = [k for k, _ in tf.train.list_variables(path)]
    assert f"model/dense/kernel/{KEY}" in keys
    assert any(k.startswith("optimizer/") and "Adam" in k for k in keys)


def test_checkpoint_manager(tmp_path):
    directory = str(tmp_path / "run")
    os.makedirs(directory)
    with tf.Graph().as_default():
        w, _ = _model()
        step = tf.Variable(0, name="step")
        ckpt = tf.train.Checkpoint(w=w, step=step)
        manager = tf.train.CheckpointManager(ckpt, directory, max_to_keep=2)
        assert manager.latest_checkpoint is None and manager.checkpoints == []
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            assert manager.restore_or_initialize() is None
            paths = [manager.save() for _ in range(3)]
            assert paths[-1] == os.path.join(directory, "ckpt-3")
            numbered = manager.save(checkpoint_number=sess.run(step) + 100)
        assert numbered == os.path.join(directory, "ckpt-100")
        assert manager.checkpoints == [paths[2], numbered]
        assert manager.latest_checkpoint == numbered == tf.train.latest_checkpoint(directory)
        assert not os.path.exists(paths[0] + ".index") and not os.path.exists(
            paths[1] + ".index")
        state = tf.train.get_checkpoint_state(directory)
        assert state.all_model_checkpoint_paths == [paths[2], numbered]
        again = tf.train.CheckpointManager(ckpt, directory, max_to_keep=2)
        assert again.checkpoints == [paths[2], numbered]
        with tf.Session() as sess:
            assert again.restore_or_initialize(sess) == numbered
            np.testing.assert_array_equal(sess.run(w), [[1, 2], [3, 4]])
        everything = tf.train.CheckpointManager(ckpt, str(tmp_path / "all"), None,
                                                checkpoint_name="m", step_counter=step,
                                                checkpoint_interval=5)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            assert everything.save() is not None
            assert everything.save() is None  # (fewer than 5 steps since)
            sess.run(step.assign(5))
            assert everything.save().endswith("m-2")
            assert everything.save(check_interval=False).endswith("m-3")
        assert len(everything.checkpoints) == 3
        with pytest.raises(ValueError, match="max_to_keep"):
            tf.train.CheckpointManager(ckpt, directory, 0)
        with pytest.raises(ValueError, match="step_counter"):
            tf.train.CheckpointManager(ckpt, directory, 1, checkpoint_interval=3)
    assert tf.train.CheckpointOptions().experimental_io_device is None
    with pytest.raises(NotImplementedError):
        tf.train.CheckpointOptions(enable_async=True)


def test_tensorflow_reads_a_graphc_checkpoint_and_back(tmp_path):
    real = pytest.importorskip("tensorflow")
    with tf.Graph().as_default():
        w, b = _model()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            path = tf.train.Checkpoint(w=w, b=b).save(str(tmp_path / "g"))
    np.testing.assert_array_equal(real.train.load_variable(path, f"w/{KEY}"), [[1, 2], [3, 4]])
    tf1 = real.compat.v1
    with real.Graph().as_default(), tf1.Session() as their_session:  # (TF1's graph mode)
        v = tf1.Variable(np.float32([[5, 6], [7, 8]]))
        their_session.run(v.initializer)
        theirs = tf1.train.Checkpoint(w=v).save(str(tmp_path / "t"), session=their_session)
    with tf.Graph().as_default():
        w, _ = _model()
        status = tf.train.Checkpoint(w=w).restore(theirs)
        with tf.Session() as sess:
            status.assert_consumed()
            status.run_restore_ops(sess)
            np.testing.assert_array_equal(sess.run(w), [[5, 6], [7, 8]])


def test_warm_start_with_vocabulary(tmp_path):
    old_vocab, new_vocab = tmp_path / "old.txt", tmp_path / "new.txt"
    old_vocab.write_text("a\nb\nc\nd\n")
    new_vocab.write_text("d\nx\nb\n")
    with tf.Graph().as_default():
        emb = tf.get_variable("emb", initializer=np.float32(np.arange(8).reshape(4, 2)))
        dense = tf.get_variable("old_dense", initializer=np.float32([1, 2, 3]))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            path = tf.train.Saver().save(sess, str(tmp_path / "old"))
    with tf.Graph().as_default():
        emb = tf.get_variable("emb", [5, 2], initializer=tf.ones_initializer())
        dense = tf.get_variable("dense", [3], initializer=tf.zeros_initializer())
        cols = tf.get_variable("cols", [2, 3], initializer=tf.zeros_initializer())
        info = tf.train.VocabInfo(str(new_vocab), 3, 2, str(old_vocab),
                                  backup_initializer=tf.constant_initializer(-1.0))
        tf.train.warm_start(path, ["emb", "dense"], {"emb": info},
                            {"dense": "old_dense"})
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            np.testing.assert_array_equal(sess.run(emb), [[6, 7], [-1, -1], [2, 3], [-1, -1],
                                                          [-1, -1]])
            np.testing.assert_array_equal(sess.run(dense), [1, 2, 3])
            np.testing.assert_array_equal(sess.run(cols), np.zeros((2, 3)))
        with pytest.raises(ValueError, match="not used"):
            tf.train.warm_start(path, [], {"nothing": info})
        assert tf.train.VocabInfo("n", 1, 0, "o").old_vocab_size == -1
        with pytest.raises(ValueError, match="axis"):
            tf.train.VocabInfo("n", 1, 0, "o", axis=2)


def test_summary_iterator_reads_event_files(tmp_path):
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [])
        merged = tf.summary.merge([tf.summary.scalar("loss", x),
                                   tf.summary.histogram("h", tf.stack([x, 2 * x]))])
        writer = tf.summary.FileWriter(str(tmp_path))
        with tf.Session() as sess:
            for step in range(3):
                writer.add_summary(sess.run(merged, {x: step + 0.5}), step)
        writer.close()
    (path,) = [os.path.join(tmp_path, f) for f in os.listdir(tmp_path)]
    events = list(tf.train.summary_iterator(path))
    assert events[0].file_version == "brain.Event:2"
    scalars = [(e.step, v.simple_value) for e in events for v in e.summary.value
               if v.tag == "loss"]
    assert scalars == [(0, 0.5), (1, 1.5), (2, 2.5)]
    histos = [v.histo for e in events for v in e.summary.value if v.tag == "h"]
    assert histos[2].num == 2 and histos[2].max == 5.0
    assert isinstance(events[1], tf.Event) and tf.summary.Event is tf.Event


def test_event_and_cluster_messages_are_tensorflows():
    e = tf.Event(wall_time=1.5, step=7, session_log=tf.SessionLog(status=tf.SessionLog.START))
    e2 = tf.Event(step=1, log_message=tf.LogMessage(level=tf.LogMessage.WARN, message="m"))
    h = tf.HistogramProto(min=-1, max=2, num=3, bucket_limit=[0, 1], bucket=[1, 2])
    meta = tf.SummaryMetadata(display_name="d")
    meta.plugin_data.plugin_name = "scalars"
    cluster = tf.train.ClusterDef(job=[tf.train.JobDef(name="worker", tasks={0: "a:1"})])
    server = tf.train.ServerDef(cluster=cluster, job_name="worker", task_index=0,
                                protocol="grpc")
    assert tf.Event.FromString(e.SerializeToString()) == e
    real = pytest.importorskip("tensorflow")
    for mine, theirs in ((e, real.compat.v1.Event), (e2, real.compat.v1.Event),
                         (h, real.compat.v1.HistogramProto),
                         (meta, real.compat.v1.SummaryMetadata),
                         (cluster, real.compat.v1.train.ClusterDef),
                         (server, real.compat.v1.train.ServerDef)):
        data = mine.SerializeToString()
        assert theirs.FromString(data).SerializeToString() == data, type(mine).__name__


def test_data_options_numpy_iterator_and_spec():
    with tf.Graph().as_default():
        ds = tf.data.Dataset.from_tensor_slices({"a": np.arange(3), "b": np.ones((3, 2))})
        options = tf.data.Options()
        options.experimental_deterministic = False
        options.threading.private_threadpool_size = 4
        ds2 = ds.with_options(options).map(lambda d: d)
        assert ds2.options().deterministic is False
        assert ds2.options().threading.private_threadpool_size == 4
        assert ds.options() == tf.data.Options()
        other = tf.data.Options()
        other.deterministic = True
        with pytest.raises(ValueError, match="deterministic"):
            ds2.with_options(other)
        with pytest.raises(AttributeError):
            options.no_such_option = 1
        got = list(ds2.as_numpy_iterator())
        assert [g["a"] for g in got] == [0, 1, 2]
        np.testing.assert_array_equal(got[2]["b"], [1, 1])
        assert list(tf.data.NumpyIterator(tf.data.Dataset.range(2))) == [0, 1]
        spec = tf.data.DatasetSpec(ds.element_spec)
        assert spec.is_compatible_with(ds2) and spec == tf.data.DatasetSpec.from_value(ds)
        assert not spec.is_compatible_with(tf.data.Dataset.range(3))
        assert ds.element_spec["b"].shape.as_list() == [2]


def test_summary_iterator_reads_tensorflows_event_files(tmp_path):
    real = pytest.importorskip("tensorflow")
    tf1 = real.compat.v1
    with real.Graph().as_default(), tf1.Session() as sess:
        x = tf1.placeholder(real.float32, [])
        merged = tf1.summary.merge([tf1.summary.scalar("loss", x),
                                    tf1.summary.histogram("h", tf1.stack([x, 2 * x]))])
        writer = tf1.summary.FileWriter(str(tmp_path))
        for step in range(2):
            writer.add_summary(sess.run(merged, {x: step + 0.25}), step)
        writer.add_session_log(tf1.SessionLog(status=tf1.SessionLog.STOP), 2)
        writer.close()
    (path,) = [os.path.join(tmp_path, f) for f in os.listdir(tmp_path)]
    events = list(tf.train.summary_iterator(path))
    theirs = list(tf1.train.summary_iterator(path))
    assert [e.SerializeToString() for e in events] == [e.SerializeToString() for e in theirs]
    assert [(e.step, v.simple_value) for e in events for v in e.summary.value
            if v.tag == "loss"] == [(0, 0.25), (1, 1.25)]
    assert events[-1].session_log.status == tf.SessionLog.STOP
