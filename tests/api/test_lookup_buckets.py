"""Out-of-vocabulary hash buckets of TF1's lookup tables (index_table_from_tensor with
num_oov_buckets, IdTableWithHashBuckets): TensorFlow's Fingerprint64 buckets."""
from __future__ import annotations

import numpy as np
import pytest

import graphc as tf
from graphc.ir.ops.string_hash_ops import fingerprint64


def test_documented_example_and_fingerprint_buckets():
    tf.reset_default_graph()
    table = tf.contrib.lookup.index_table_from_tensor(["emerson", "lake", "palmer"],
                                                      num_oov_buckets=1)
    ids = table.lookup(tf.constant(["emerson", "lake", "and", "palmer"]))
    wide = tf.contrib.lookup.index_table_from_tensor(["a", "b"], num_oov_buckets=7)
    words = ["a", "king", "crimson", "b", "zz"]
    wide_ids = wide.lookup(words)
    with tf.Session() as sess:
        sess.run(tf.tables_initializer())
        got, got_wide, size = sess.run([ids, wide_ids, wide.size()])
    np.testing.assert_array_equal(got, [0, 1, 3, 2])
    want = [0, 2 + fingerprint64(b"king") % 7, 2 + fingerprint64(b"crimson") % 7, 1,
            2 + fingerprint64(b"zz") % 7]
    np.testing.assert_array_equal(got_wide, want)
    assert size == 9


def test_integer_keys_hash_as_their_strings():
    tf.reset_default_graph()
    table = tf.contrib.lookup.index_table_from_tensor(tf.constant([10, 20], tf.int64),
                                                      num_oov_buckets=5, dtype=tf.int64)
    ids = table.lookup(tf.constant([20, 33], tf.int64))
    with tf.Session() as sess:
        sess.run(tf.tables_initializer())
        np.testing.assert_array_equal(sess.run(ids), [1, 2 + fingerprint64(b"33") % 5])
    with pytest.raises(ValueError, match="num_oov_buckets"):
        tf.contrib.lookup.index_table_from_tensor(["a"], num_oov_buckets=-1)
