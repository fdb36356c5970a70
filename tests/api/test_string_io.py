"""tf.io.decode_csv, encode/decode_base64, read_file, write_file, matching_files."""
from __future__ import annotations

import base64

import numpy as np
import pytest

import graphc as tf


def run(fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed)


def test_decode_csv_columns_defaults_and_quotes():
    tf.reset_default_graph()
    records = tf.constant(['1,2.5,"a,b"', ',-1e3,', '7,,"say ""hi"""'])
    a, b, c = tf.decode_csv(records, [[0], [0.5], ["dflt"]])
    assert a.dtype == tf.int32 and b.dtype == tf.float32 and c.dtype == tf.string
    got = run([a, b, c])
    np.testing.assert_array_equal(got[0], [1, 0, 7])
    np.testing.assert_allclose(got[1], [2.5, -1000.0, 0.5])
    assert list(got[2]) == [b"a,b", b"dflt", b'say "hi"']
    x, y = tf.io.decode_csv(["3|x|NA", "NA|y|4.5"], [tf.constant([9], tf.int64), [1.0]],
                            field_delim="|", select_cols=[0, 2], na_value="NA")
    got = run([x, y])
    np.testing.assert_array_equal(got[0], [3, 9])
    np.testing.assert_allclose(got[1], [1.0, 4.5])


def test_decode_csv_errors_name_the_field_and_record():
    tf.reset_default_graph()
    required = tf.decode_csv(["1,", "2,3"], [[0], tf.constant([], tf.int32)])
    with pytest.raises(tf.errors.InvalidArgumentError, match="Field 1 is required but "
                                                             "missing in record 0"):
        run(required)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Expect 2 fields but have 3"):
        run(tf.decode_csv(["1,2,3"], [[0], [0]]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="not a valid float32: x"):
        run(tf.decode_csv(["x"], [[0.0]]))


def test_base64_is_web_safe():
    tf.reset_default_graph()
    data = [b"hello?>", b"\xff\xfe\xfd", b""]
    enc, enc_pad = run([tf.io.encode_base64(data), tf.encode_base64(data, pad=True)])
    assert list(enc_pad) == [base64.urlsafe_b64encode(s) for s in data]
    assert list(enc) == [base64.urlsafe_b64encode(s).rstrip(b"=") for s in data]
    assert list(run(tf.io.decode_base64(enc))) == data
    with pytest.raises(tf.errors.InvalidArgumentError, match="base64"):
        run(tf.decode_base64(["a$b"]))


def test_files_are_read_written_and_matched(tmp_path):
    tf.reset_default_graph()
    path = str(tmp_path / "sub" / "x.txt")
    write = tf.io.write_file(path, tf.constant("some\nbytes"))
    with tf.Session() as sess:
        sess.run(write)
        assert sess.run(tf.read_file(path)) == b"some\nbytes"
        (tmp_path / "sub" / "y.txt").write_text("y")
        (tmp_path / "sub" / "z.csv").write_text("z")
        got = sess.run(tf.io.matching_files(str(tmp_path / "sub" / "*.txt")))
        assert [g.decode() for g in got] == [path, str(tmp_path / "sub" / "y.txt")]
        with pytest.raises(tf.errors.NotFoundError):
            sess.run(tf.read_file(str(tmp_path / "missing")))
