"""TFRecord files (framing, compression, damage), TFRecordDataset, and Example parsing
(parse_example / parse_single_example, FixedLen/VarLen/FixedLenSequence features,
decode_raw) with TF1's values and errors."""
import gzip
import struct
import zlib

import numpy as np
import pytest

import graphc as tf
from graphc.ir import proto


def feature(kind: str, values) -> bytes:
    """A serialized tf.train.Feature (feature.proto: bytes 1, float 2, int64 3)."""
    if kind == "bytes":
        return proto.message((1, "bytes", b"".join(proto.field(1, "bytes", v)
                                                    for v in values)))
    if kind == "float":
        packed = struct.pack(f"<{len(values)}f", *values)
        return proto.message((2, "bytes", proto.field(1, "bytes", packed)))
    packed = b"".join(proto.varint(v) for v in values)
    return proto.message((3, "bytes", proto.field(1, "bytes", packed)))


def example(**features) -> bytes:
    entries = b"".join(proto.field(1, "bytes", proto.message((1, "bytes", k),
                                                             (2, "bytes", feature(*v))))
                       for k, v in features.items())
    return proto.message((1, "bytes", entries))


def test_crc32c_and_record_framing():
    assert proto.crc32c(b"123456789") == 0xE3069283  # the CRC-32C check value
    data = b"hello"
    framed = proto.record(data)
    assert framed[:8] == struct.pack("<Q", 5) and framed[12:17] == data
    assert len(framed) == 8 + 4 + 5 + 4


@pytest.mark.parametrize("compression", [None, "", "GZIP", "ZLIB",
                                         tf.python_io.TFRecordCompressionType.GZIP])
def test_writer_and_iterator_round_trip(tmp_path, compression):
    path = str(tmp_path / "r.tfrecord")
    options = tf.python_io.TFRecordOptions(compression) if compression is not None else None
    records = [b"", b"a", bytes(range(256)) * 300, "text"]
    with tf.python_io.TFRecordWriter(path, options) as w:
        for r in records:
            w.write(r)
    got = list(tf.python_io.tf_record_iterator(path, options))
    assert got == [b"", b"a", bytes(range(256)) * 300, b"text"]
    raw = open(path, "rb").read()
    name = tf.python_io.TFRecordOptions.get_compression_type_string(options)
    if name == "GZIP":
        raw = gzip.decompress(raw)
    elif name == "ZLIB":
        raw = zlib.decompress(raw)
    assert raw == b"".join(proto.record(r) for r in got)


def test_damaged_and_missing_files(tmp_path):
    path = str(tmp_path / "r.tfrecord")
    with tf.io.TFRecordWriter(path) as w:
        w.write(b"abcdef")
        w.write(b"ghi")
    data = bytearray(open(path, "rb").read())
    data[14] ^= 1
    open(path, "wb").write(bytes(data))
    with pytest.raises(tf.errors.DataLossError, match="bad data CRC"):
        list(tf.io.tf_record_iterator(path))
    open(path, "wb").write(bytes(data[:10]))
    with pytest.raises(tf.errors.DataLossError, match="truncated"):
        list(tf.io.tf_record_iterator(path))
    with pytest.raises(tf.errors.NotFoundError):
        list(tf.io.tf_record_iterator(str(tmp_path / "none")))


def _write(path, records, options=None):
    with tf.python_io.TFRecordWriter(str(path), options) as w:
        for r in records:
            w.write(r)


@pytest.mark.parametrize("backend", ["numpy", "llvm"])
def test_tfrecord_dataset_parse_batch(tmp_path, backend):
    _write(tmp_path / "a.tfrecord", [example(x=("float", [i, i + 0.5]), y=("int64", [i]))
                                     for i in range(3)])
    _write(tmp_path / "b.tfrecord", [example(x=("float", [i, -i]), y=("int64", [i]))
                                     for i in range(10, 12)], "GZIP")
    spec = {"x": tf.FixedLenFeature([2], tf.float32), "y": tf.FixedLenFeature([], tf.int64)}
    a = tf.data.TFRecordDataset(str(tmp_path / "a.tfrecord"))
    b = tf.data.TFRecordDataset([str(tmp_path / "b.tfrecord")], compression_type="GZIP")
    ds = a.concatenate(b).map(lambda s: tf.parse_single_example(s, spec)).batch(4)
    assert ds.output_shapes == {"x": tf.TensorShape([None, 2]), "y": tf.TensorShape([None])}
    nxt = ds.make_one_shot_iterator().get_next()
    with tf.Session(backend=backend) as sess:
        first, second = sess.run(nxt), sess.run(nxt)
        with pytest.raises(tf.errors.OutOfRangeError):
            sess.run(nxt)
    assert first["y"].tolist() == [0, 1, 2, 10] and second["y"].tolist() == [11]
    np.testing.assert_array_equal(first["x"], [[0, 0.5], [1, 1.5], [2, 2.5], [10, -10]])


def test_tfrecord_dataset_of_listed_files(tmp_path):
    for i in range(3):
        _write(tmp_path / f"part-{i}.tfrecord", [b"%d-%d" % (i, j) for j in range(2)])
    files = tf.data.Dataset.list_files(str(tmp_path / "part-*.tfrecord"), shuffle=False)
    got = []
    nxt = tf.data.TFRecordDataset(files).make_one_shot_iterator().get_next()
    with tf.Session() as sess:
        for _ in range(6):
            got.append(sess.run(nxt))
    assert got == [b"0-0", b"0-1", b"1-0", b"1-1", b"2-0", b"2-1"]


def test_parse_example_features_and_sparse_values():
    s = tf.placeholder(tf.string, [None])
    out = tf.parse_example(s, {
        "label": tf.FixedLenFeature([], tf.int64, default_value=-1),
        "tags": tf.VarLenFeature(tf.string),
        "frames": tf.FixedLenSequenceFeature([2], tf.float32, allow_missing=True),
        "w": tf.FixedLenFeature([2, 1], tf.float32)})
    assert out["frames"].shape.as_list() == [None, None, 2]
    assert out["w"].shape.as_list() == [None, 2, 1]
    batch = [example(label=("int64", [3]), tags=("bytes", [b"a", b"b"]),
                     frames=("float", [1, 2, 3, 4]), w=("float", [5, 6])),
             example(w=("float", [7, 8]), tags=("bytes", [b"c"]))]
    with tf.Session() as sess:
        v = sess.run(out, {s: batch})
    assert v["label"].tolist() == [3, -1]
    assert isinstance(v["tags"], tf.SparseTensorValue)
    assert v["tags"].indices.tolist() == [[0, 0], [0, 1], [1, 0]]
    assert v["tags"].values.tolist() == [b"a", b"b", b"c"]
    assert v["tags"].dense_shape.tolist() == [2, 2]
    assert v["frames"].tolist() == [[[1, 2], [3, 4]], [[0, 0], [0, 0]]]
    assert v["w"].tolist() == [[[5], [6]], [[7], [8]]]


def test_parse_single_example_and_errors():
    s = tf.placeholder(tf.string, [])
    out = tf.parse_single_example(s, {"x": tf.FixedLenFeature([3], tf.float32),
                                      "ids": tf.VarLenFeature(tf.int64)})
    with tf.Session() as sess:
        v = sess.run(out, {s: example(x=("float", [1, 2, 3]), ids=("int64", [-5, 2**40]))})
        assert v["x"].tolist() == [1, 2, 3]
        assert v["ids"].values.tolist() == [-5, 2**40] and v["ids"].indices.tolist() == [
            [0], [1]]
        with pytest.raises(tf.errors.InvalidArgumentError, match="is required"):
            sess.run(out, {s: example(ids=("int64", [1]))})
        with pytest.raises(tf.errors.InvalidArgumentError, match="Values size: 2"):
            sess.run(out, {s: example(x=("float", [1, 2]))})
        with pytest.raises(tf.errors.InvalidArgumentError, match="Data types don't match"):
            sess.run(out, {s: example(x=("int64", [1, 2, 3]))})
    with pytest.raises(ValueError, match="allow_missing"):
        tf.parse_example(tf.placeholder(tf.string, [None]),
                         {"f": tf.FixedLenSequenceFeature([], tf.float32)})
    with pytest.raises(ValueError, match="not supported"):
        tf.parse_single_example(s, {"f": tf.FixedLenFeature([], tf.int32)})


def test_decode_raw():
    b = tf.placeholder(tf.string, [None])
    x = tf.decode_raw(b, tf.uint8)
    y = tf.decode_raw(b, tf.int16, little_endian=False)
    assert x.shape.as_list() == [None, None]
    with tf.Session() as sess:
        assert sess.run(x, {b: [b"\x01\x02", b"\x03\x04"]}).tolist() == [[1, 2], [3, 4]]
        assert sess.run(y, {b: [b"\x01\x02"]}).tolist() == [[258]]
        f = sess.run(tf.decode_raw(tf.constant(np.float32([1.5, -2]).tobytes()), tf.float32))
        assert f.tolist() == [1.5, -2.0]
        with pytest.raises(tf.errors.InvalidArgumentError, match="same size"):
            sess.run(x, {b: [b"\x01", b"\x02\x03"]})
        with pytest.raises(tf.errors.InvalidArgumentError, match="multiple of 2"):
            sess.run(y, {b: [b"\x01\x02\x03"]})
        # `bytes`, TF1's deprecated name of input_bytes (exactly one of the two)
        assert sess.run(tf.decode_raw(bytes=b"\x05", out_type=tf.uint8)).tolist() == [5]
    with pytest.raises(ValueError, match="input_bytes .or its deprecated alias bytes., "
                                         "exactly one"):
        tf.decode_raw(b"\x05", tf.uint8, bytes=b"\x05")
    with pytest.raises(TypeError, match="decode_raw.. missing required argument: 'out_type'"):
        tf.decode_raw(b"\x05")
