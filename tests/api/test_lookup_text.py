"""tf.lookup's TextFileInitializer, TextFileIndex and StaticVocabularyTable
(graphc/lookup.py): TensorFlow's values for the same files (checked against TF 2.21's
tf.compat.v1.lookup: the expected arrays below are what it returned)."""
from __future__ import annotations

import numpy as np
import pytest

import graphc as tf


@pytest.fixture
def vocab(tmp_path):
    path = tmp_path / "vocab.txt"
    path.write_bytes(b"7 apple 0.5\n9 pear 1.5\r\n-3 fig 2\n")
    return str(path)


def test_columns_line_numbers_and_vocab_size(vocab):
    with tf.Graph().as_default():
        init = tf.lookup.TextFileInitializer(vocab, tf.int64, 0, tf.string, 1, delimiter=" ")
        a = tf.lookup.StaticHashTable(init, "?")
        b = tf.lookup.StaticHashTable(tf.lookup.TextFileInitializer(
            vocab, tf.string, 1, tf.float32, 2, delimiter=" ", vocab_size=2), -1.0)
        c = tf.lookup.StaticHashTable(tf.lookup.TextFileInitializer(
            vocab, tf.string, 1, tf.int64, tf.lookup.TextFileIndex.LINE_NUMBER,
            delimiter=" ", value_index_offset=10), -1)
        whole = tf.lookup.StaticHashTable(tf.lookup.TextFileInitializer(
            vocab, tf.string, tf.lookup.TextFileIndex.WHOLE_LINE, tf.int64,
            tf.lookup.TextFileIndex.LINE_NUMBER), -1)
        with tf.Session() as sess:
            sess.run(tf.tables_initializer())
            got = sess.run([a.lookup(tf.constant([9, -3, 4], tf.int64)),
                            b.lookup(tf.constant(["pear", "fig", "apple"])),
                            c.lookup(tf.constant(["fig", "x"])),
                            whole.lookup(tf.constant(["-3 fig 2", "fig"]))])
    assert list(got[0]) == [b"pear", b"fig", b"?"]
    np.testing.assert_array_equal(got[1], np.float32([1.5, -1.0, 0.5]))
    np.testing.assert_array_equal(got[2], [12, -1])
    np.testing.assert_array_equal(got[3], [2, -1])
    assert init.key_dtype == tf.int64 and init.value_dtype == tf.string


def test_text_file_checks(vocab, tmp_path):
    with tf.Graph().as_default():
        with pytest.raises(tf.errors.InvalidArgumentError, match="Invalid number of columns"):
            tf.lookup.TextFileInitializer(vocab, tf.string, 1, tf.int64, 5, delimiter=" ")
        with pytest.raises(tf.errors.InvalidArgumentError, match="Invalid vocab_size"):
            tf.lookup.TextFileInitializer(vocab, tf.string, 1, tf.int64, 0, delimiter=" ",
                                          vocab_size=5)
        with pytest.raises(tf.errors.InvalidArgumentError, match="does not parse"):
            tf.lookup.TextFileInitializer(vocab, tf.string, 0, tf.int64, 1, delimiter=" ")
        with pytest.raises(ValueError, match="must be integer"):
            tf.lookup.TextFileInitializer(vocab, tf.string, 0, tf.string, -1)
        with pytest.raises(tf.errors.NotFoundError):
            tf.lookup.TextFileInitializer(str(tmp_path / "missing"), tf.string, 0, tf.int64, -1)


def test_static_vocabulary_table(vocab):
    with tf.Graph().as_default():
        table = tf.lookup.StaticVocabularyTable(tf.lookup.TextFileInitializer(
            vocab, tf.string, 1, tf.int64, tf.lookup.TextFileIndex.LINE_NUMBER,
            delimiter=" "), 3)
        small = tf.lookup.StaticVocabularyTable(tf.lookup.KeyValueTensorInitializer(
            ["a", "b"], tf.constant([5, 9], tf.int64)), 2)
        keys = tf.constant(["pear", "apple", "zzz", "a", "b", "c"])
        with tf.Session() as sess:
            sess.run(tf.tables_initializer())
            ids, small_ids, size = sess.run([table.lookup(keys), small.lookup(keys),
                                             table.size()])
    # TensorFlow's ids: the file's line numbers, then 3 + Fingerprint64(key) % 3
    np.testing.assert_array_equal(ids, [1, 0, 3, 3, 4, 4])
    np.testing.assert_array_equal(small_ids, [2, 3, 2, 5, 9, 2])
    assert size == 6
    assert table.key_dtype == tf.string and table.value_dtype == tf.int64
    assert isinstance(table, tf.contrib.lookup.IdTableWithHashBuckets)
    with tf.Graph().as_default():
        with pytest.raises(ValueError, match="must be > 0"):
            tf.lookup.StaticVocabularyTable(tf.lookup.KeyValueTensorInitializer(
                ["a"], tf.constant([5], tf.int64)), 0)
        with pytest.raises(TypeError, match="Invalid `value_dtype`"):
            tf.lookup.StaticVocabularyTable(tf.lookup.KeyValueTensorInitializer(
                ["a"], tf.constant([5], tf.int32)), 1)
