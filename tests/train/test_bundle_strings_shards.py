"""String tensors and several data shards in TensorFlow's V2 checkpoints: TensorFlow's
sharded checkpoint with string variables (tests/fixtures/tf/bundle, made by
make_bundle_fixtures.py) reads and restores in graphc; graphc writes string tensors
byte for byte as TensorFlow and bundles of several shards TensorFlow reads (where it is
installed); damaged string entries are refused naming the tensor."""
from __future__ import annotations

import os

import numpy as np
import pytest

import graphc as tf
from graphc.ir.errors import DataLossError
from graphc.train.tensor_bundle import TENSOR_BUNDLE

FIXTURES = os.path.join(os.path.dirname(os.path.dirname(__file__)), "fixtures", "tf", "bundle")
PREFIX = os.path.join(FIXTURES, "sharded", "model.ckpt")


def _expected() -> dict:
    with np.load(os.path.join(FIXTURES, "sharded.values.npz")) as f:
        return {k: v.astype(object) if v.dtype.kind == "S" else v for k, v in f.items()}


def _assert_same(got: dict, want: dict) -> None:
    assert sorted(got) == sorted(want)
    for k in want:
        value = np.asarray(got[k], dtype=object if isinstance(got[k], bytes) else None)
        assert value.shape == want[k].shape, k
        if want[k].dtype == object:
            assert value.dtype == object and value.tolist() == want[k].tolist(), k
        else:
            assert value.dtype == want[k].dtype, k
            np.testing.assert_array_equal(value, want[k], err_msg=k)


def test_tensorflows_sharded_checkpoint_with_strings_reads_in_graphc():
    reader = tf.train.NewCheckpointReader(PREFIX)
    want = _expected()
    assert reader.get_variable_to_dtype_map()["vocab/words"] is tf.string
    assert reader.get_variable_to_shape_map()["vocab/long"] == [1, 2]
    assert reader.get_variable_to_shape_map()["vocab/name"] == []
    _assert_same({k: reader.get_tensor(k) for k in want}, want)
    assert tf.train.load_variable(PREFIX, "vocab/words")[3] == "caf\u00e9".encode()
    assert TENSOR_BUNDLE.files(PREFIX)[1:] == [PREFIX + ".data-00000-of-00002",
                                              PREFIX + ".data-00001-of-00002"]


def test_string_variables_restore_and_save_as_tensorflow_writes_them(tmp_path):
    want = _expected()
    g = tf.Graph()
    with g.as_default():
        variables = [tf.Variable(np.zeros_like(v) if v.dtype != object else
                                 np.full(v.shape, b"?", dtype=object), name=k)
                     for k, v in sorted(want.items())]
        saver = tf.train.Saver(sharded=True)
        with tf.Session() as sess:
            saver.restore(sess, PREFIX)
            _assert_same(dict(zip(sorted(want), sess.run(variables))), want)
            prefix = saver.save(sess, str(tmp_path / "again"))
    _assert_same(TENSOR_BUNDLE.read_tensors(prefix), want)
    # a string tensor's bytes are TensorFlow's: one shard written, the fixture's shard
    # of the strings is the same bytes in the same order
    only = {k: want[k] for k in ("dense/w", "vocab/long", "vocab/name", "vocab/words")}
    TENSOR_BUNDLE.write(str(tmp_path / "cpu0"), only)
    with open(PREFIX + ".data-00000-of-00002", "rb") as f:
        theirs = f.read()
    with open(str(tmp_path / "cpu0") + ".data-00000-of-00001", "rb") as f:
        assert f.read() == theirs


def _several_shards(path: str) -> dict:
    values = {"a": np.arange(6, dtype=np.float32).reshape(2, 3), "b": np.array([b"x", b""],
                                                                               dtype=object),
              "c": np.array(7, np.int64), "d": np.array(["\u00fc", "plain"], dtype=object)}
    TENSOR_BUNDLE.write(path, values, shards=[["c"], ["a", "d"], ["b"]])
    return values


def test_graphc_writes_bundles_of_several_shards(tmp_path):
    prefix = str(tmp_path / "three")
    values = _several_shards(prefix)
    assert sorted(os.listdir(tmp_path)) == [f"three.data-0000{k}-of-00003" for k in range(3)] \
        + ["three.index"]
    got = TENSOR_BUNDLE.read_tensors(prefix)
    values["d"] = np.array([v.encode() for v in values["d"]], dtype=object)
    _assert_same(got, values)
    with pytest.raises(ValueError, match="every tensor once"):
        TENSOR_BUNDLE.write(str(tmp_path / "bad"), values, shards=[["a"], ["b", "c"]])


def test_tensorflow_reads_graphcs_sharded_string_checkpoint(tmp_path):
    tfm = pytest.importorskip("tensorflow")
    prefix = str(tmp_path / "three")
    values = _several_shards(prefix)
    reader = tfm.compat.v1.train.NewCheckpointReader(prefix)
    assert sorted(reader.get_variable_to_shape_map()) == ["a", "b", "c", "d"]
    np.testing.assert_array_equal(reader.get_tensor("a"), values["a"])
    assert reader.get_tensor("b").tolist() == [b"x", b""]
    assert reader.get_tensor("d").tolist() == ["\u00fc".encode(), b"plain"]
    assert reader.get_tensor("c") == 7


def test_damaged_string_entries_are_refused_naming_the_tensor(tmp_path):
    prefix = str(tmp_path / "s")
    TENSOR_BUNDLE.write(prefix, {"words": np.array([b"hello", b"graphc"], dtype=object)})
    data = prefix + ".data-00000-of-00001"
    raw = bytearray(open(data, "rb").read())
    for position, what in ((0, "lengths"), (len(raw) - 1, "checksum")):
        broken = bytearray(raw)
        broken[position] ^= 0x01
        open(data, "wb").write(bytes(broken))
        with pytest.raises(DataLossError, match="'words'.*" + what):
            TENSOR_BUNDLE.read_tensors(prefix)
    open(data, "wb").write(bytes(raw[:-3]))
    with pytest.raises(DataLossError, match="'words'"):
        TENSOR_BUNDLE.read_tensors(prefix)
