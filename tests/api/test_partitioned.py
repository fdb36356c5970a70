"""Partitioned variables (graphc/partitioned_variables.py, get_variable(partitioner=...))
and the orthogonal and uniform-unit-scaling initializers: TF1's part layout and names,
partitioners' choices, lookups over shards, gradients, and checkpoints in graphc's and
TensorFlow's formats (TensorFlow restores them into its own partitioned variables)."""
from __future__ import annotations

import os

import numpy as np
import pytest

import graphc as tf

FULL = np.arange(14, dtype=np.float32).reshape(7, 2)


def test_get_variable_with_a_partitioner():
    with tf.Graph().as_default():
        with tf.variable_scope("m", partitioner=tf.fixed_size_partitioner(3)):
            w = tf.get_variable("w", [7, 2], initializer=FULL)
        assert [v.op.name for v in w] == ["m/w/part_0", "m/w/part_1", "m/w/part_2"]
        assert [v.shape.as_list() for v in w] == [[3, 2], [2, 2], [2, 2]]
        assert w._get_partitions() == [3, 1] and w.shape.as_list() == [7, 2]
        assert [v.op.name for v in tf.global_variables()] == [v.op.name for v in w]
        assert [v._save_slice_info.spec for v in w] == ["7 2 0,3:0,2", "7 2 3,2:0,2",
                                                        "7 2 5,2:0,2"]
        with tf.variable_scope("m", reuse=True):
            assert tf.get_variable("w", [7, 2], partitioner=tf.fixed_size_partitioner(3)) is w
        x = tf.constant(np.ones((1, 7), np.float32))
        y = tf.matmul(x, w)
        grads = tf.gradients(tf.reduce_sum(y * [[1.0, 2.0]]), list(w))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            np.testing.assert_array_equal(np.concatenate(sess.run(list(w))), FULL)
            np.testing.assert_array_equal(sess.run(y), np.ones((1, 7)) @ FULL)
            for g, part in zip(sess.run(grads), w):
                np.testing.assert_array_equal(g, np.tile([1.0, 2.0], (part.shape[0].value, 1)))
        with pytest.raises(ValueError, match="already exists"):
            with tf.variable_scope("m", partitioner=tf.fixed_size_partitioner(3)):
                tf.get_variable("w", [7, 2])


def test_partitioners_choose_as_tf1():
    shape, f32 = tf.TensorShape([10, 4]), tf.float32
    assert tf.fixed_size_partitioner(4)(shape=shape, dtype=f32) == [4, 1]
    assert tf.fixed_size_partitioner(20, axis=1)(shape=shape, dtype=f32) == [1, 4]
    # 4 floats a row: 16 bytes; 40 bytes a shard holds 2 rows -> 5 shards (at most 3)
    assert tf.variable_axis_size_partitioner(40)(shape, f32) == [5, 1]
    assert tf.variable_axis_size_partitioner(40, max_shards=3)(shape, f32) == [3, 1]
    assert tf.variable_axis_size_partitioner(1)(shape, f32) == [10, 1]
    # 160 bytes, slices of at least 64 bytes: ceil(2.5) = 3 parts, at most max_partitions
    assert tf.min_max_variable_partitioner(8, min_slice_size=64)(shape, f32) == [3, 1]
    assert tf.min_max_variable_partitioner(2, min_slice_size=64)(shape, f32) == [2, 1]
    assert tf.min_max_variable_partitioner(8)(shape, tf.string) == [1, 1]
    with pytest.raises(ValueError, match="must be positive"):
        tf.variable_axis_size_partitioner(0)
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="along one dimension"):
            tf.get_variable("v", [4, 4], partitioner=lambda shape, dtype: [2, 2])


def test_create_partitioned_variables():
    with tf.Graph().as_default():
        parts = tf.create_partitioned_variables([4, 3], [1, 2], tf.ones_initializer())
        assert [p.op.name for p in parts] == ["PartitionedVariable/part_0",
                                              "PartitionedVariable/part_1"]
        assert [p.shape.as_list() for p in parts] == [[4, 2], [4, 1]]
        with pytest.raises(ValueError, match="must have the length"):
            tf.create_partitioned_variables([4, 3], [2], tf.ones_initializer())


@pytest.mark.parametrize("strategy", ["mod", "div"])
def test_embedding_lookup_over_shards(strategy):
    ids = np.int64([[0, 6], [3, 2]])
    with tf.Graph().as_default():
        w = tf.get_variable("emb", [7, 2], initializer=FULL,
                            partitioner=tf.fixed_size_partitioner(3))
        got = tf.nn.embedding_lookup(w, ids, partition_strategy=strategy)
        grad = tf.gradients(tf.reduce_sum(got), list(w))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            values, grads = sess.run([got, grad])
    parts = [FULL[:3], FULL[3:5], FULL[5:]]
    # TF1's assignment of ids to shards: mod, id % 3 (row id // 3); div, contiguous blocks
    # of 3, 2, 2 rows (get_variable's layout, so div reads the whole table's rows)
    if strategy == "mod":
        want = np.stack([[parts[i % 3][i // 3] for i in row] for row in ids])
    else:
        want = FULL[ids]
    np.testing.assert_array_equal(values, want)
    assert values.shape == (2, 2, 2)
    assert sum(g.sum() for g in grads) == 8.0


def test_initializers_get_partition_info():
    seen = []

    def init(shape, dtype=None, partition_info=None):
        seen.append((list(shape), partition_info.full_shape, partition_info.var_offset,
                     partition_info.single_offset(shape)))
        return tf.zeros(shape, dtype)

    with tf.Graph().as_default():
        tf.get_variable("v", [5, 3], initializer=init, partitioner=tf.fixed_size_partitioner(2))
    assert seen == [([3, 3], [5, 3], [0, 0], 0), ([2, 3], [5, 3], [3, 0], 3)]


@pytest.mark.parametrize("fmt", [2, "graphc"])
def test_saver_writes_one_entry_and_restores_any_partitioning(tmp_path, fmt):
    path = str(tmp_path / "model")
    with tf.Graph().as_default():
        tf.get_variable("w", [7, 2], initializer=FULL, partitioner=tf.fixed_size_partitioner(3))
        saver = tf.train.Saver(write_version=fmt)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            saver.save(sess, path)
    assert tf.train.list_variables(path) == [("w", [7, 2])]
    np.testing.assert_array_equal(tf.train.load_variable(path, "w"), FULL)
    with tf.Graph().as_default():
        w = tf.get_variable("w", [7, 2], partitioner=tf.fixed_size_partitioner(2))
        with tf.Session() as sess:
            tf.train.Saver({"w": w}).restore(sess, path)
            np.testing.assert_array_equal(np.concatenate(sess.run(list(w))), FULL)
    with tf.Graph().as_default():
        w = tf.get_variable("w", [7, 2])  # unpartitioned
        with tf.Session() as sess:
            tf.train.Saver().restore(sess, path)
            np.testing.assert_array_equal(sess.run(w), FULL)


def test_tensorflow_restores_graphc_partitioned_checkpoints(tmp_path):
    tf1 = pytest.importorskip("tensorflow").compat.v1
    path = str(tmp_path / "model")
    with tf.Graph().as_default():
        tf.get_variable("w", [7, 2], initializer=FULL, partitioner=tf.fixed_size_partitioner(3))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            tf.train.Saver().save(sess, path)
    import tensorflow as real_tf
    with real_tf.Graph().as_default():
        tf1.disable_resource_variables()
        w = tf1.get_variable("w", [7, 2], partitioner=tf1.fixed_size_partitioner(2))
        with tf1.Session() as sess:
            tf1.train.Saver().restore(sess, path)
            np.testing.assert_array_equal(np.concatenate(sess.run(list(w))), FULL)
    with real_tf.Graph().as_default():  # the .meta's saver lists the parts as slices
        saver = tf1.train.import_meta_graph(path + ".meta")
        with tf1.Session() as sess:
            saver.restore(sess, path)
            np.testing.assert_array_equal(sess.run("w/part_1:0"), FULL[3:5])
    assert os.path.exists(path + ".index")


def test_orthogonal_and_uniform_unit_scaling_initializers():
    with tf.Graph().as_default():
        tall = tf.orthogonal_initializer(gain=2.0, seed=3)([3, 2, 5])
        wide = tf.initializers.orthogonal(seed=1)([3, 6], dtype=tf.float64)
        again = tf.orthogonal_initializer(gain=2.0, seed=3)([3, 2, 5])
        uus = tf.uniform_unit_scaling_initializer(factor=1.5, seed=2)([8, 1000])
        with tf.Session() as sess:
            a, b, a2, u = sess.run([tall, wide, again, uus])
        m = a.reshape(6, 5)
        np.testing.assert_allclose(m.T @ m, 4 * np.eye(5), atol=1e-5)
        np.testing.assert_allclose(b @ b.T, np.eye(3), atol=1e-12)
        np.testing.assert_array_equal(a, a2)  # the op seed fixes the sample
        limit = 1.5 * np.sqrt(3 / 8)
        assert np.abs(u).max() <= limit and np.abs(u).max() > 0.95 * limit
        with pytest.raises(ValueError, match="at least two-dimensional"):
            tf.orthogonal_initializer()([4])
        with pytest.raises(ValueError, match="floating point"):
            tf.orthogonal_initializer()([2, 2], dtype=tf.int32)
        assert tf.initializers.uniform_unit_scaling is tf.uniform_unit_scaling_initializer
        assert tf.initializers.tables_initializer is tf.tables_initializer


def test_uniform_unit_scaling_scales_by_the_whole_variable():
    with tf.Graph().as_default():
        w = tf.get_variable("w", [12, 500], partitioner=tf.fixed_size_partitioner(3),
                            initializer=tf.uniform_unit_scaling_initializer(seed=4))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            full = np.concatenate(sess.run(list(w)))
        limit = np.sqrt(3 / 12)  # (input size 12, not a part's 4)
        assert np.abs(full).max() <= limit and np.abs(full).max() > 0.95 * limit
