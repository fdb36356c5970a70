"""TensorFlow's V2 checkpoints (tensor bundles): graphc's Saver writes them by default and
reads TensorFlow's (tests/fixtures/tf/ckpt, made by make_checkpoint_fixtures.py there);
graphc's own format stays readable; the readers, init_from_checkpoint; and damaged files
(bad CRCs, truncation, bit flips) are DataLossErrors naming the file, never a crash. Tests
that run TensorFlow on graphc's files skip where TensorFlow is not installed."""
from __future__ import annotations

import os
import shutil
import struct

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import graphc as tf
from graphc import protos
from graphc.train import sstable
from graphc.train.tensor_bundle import TENSOR_BUNDLE

FIXTURES = os.path.join(os.path.dirname(os.path.dirname(__file__)), "fixtures", "tf", "ckpt")
DATA = ".data-00000-of-00001"


def _values(name: str) -> dict:
    with np.load(os.path.join(FIXTURES, f"{name}.values.npz")) as f:
        return dict(f)


def _model(graph):
    with graph.as_default():
        w = tf.Variable(np.arange(6, dtype=np.float32).reshape(2, 3), name="w")
        with tf.variable_scope("layer"):
            b = tf.get_variable("b", dtype=tf.int64, initializer=np.array([1, 2, 3], np.int64))
        flag = tf.Variable(np.array([True, False]), name="flag")
        step = tf.train.get_or_create_global_step()
    return {"w": w, "layer/b": b, "flag": flag, "global_step": step}


def _saved(tmp_path, **saver_kwargs) -> tuple:
    g = tf.Graph()
    variables = _model(g)
    with g.as_default():
        saver = tf.train.Saver(**saver_kwargs)
        init = tf.global_variables_initializer()
    with tf.Session(graph=g) as sess:
        sess.run(init)
        values = sess.run(variables)
        prefix = saver.save(sess, str(tmp_path / "model.ckpt"), global_step=7)
    return prefix, values


# ---------------------------------------------------------------- graphc <-> graphc
def test_saver_writes_tensorflow_v2_by_default_and_reads_it_back(tmp_path):
    prefix, values = _saved(tmp_path)
    assert prefix == str(tmp_path / "model.ckpt-7")
    assert sorted(os.listdir(tmp_path)) == ["checkpoint", "model.ckpt-7" + DATA,
                                            "model.ckpt-7.index", "model.ckpt-7.meta"]
    raw = open(prefix + ".index", "rb").read()
    assert struct.unpack("<Q", raw[-8:])[0] == sstable.MAGIC
    rows = dict(sstable.read_table(raw, ValueError))
    header = protos.BundleHeaderProto.FromString(rows[b""])
    assert header.num_shards == 1 and header.version.producer == 1
    entry = protos.BundleEntryProto.FromString(rows[b"w"])
    assert entry.dtype == protos.DataType.Value("DT_FLOAT") and entry.size == 24
    reader = tf.train.NewCheckpointReader(prefix)
    assert reader.get_variable_to_shape_map() == {"w": [2, 3], "layer/b": [3], "flag": [2],
                                                  "global_step": []}
    assert reader.get_variable_to_dtype_map()["global_step"] is tf.int64
    for name, want in values.items():
        got = reader.get_tensor(name)
        assert got.dtype == np.asarray(want).dtype, name
        np.testing.assert_array_equal(got, want)
    assert reader.has_tensor("w") and not reader.has_tensor("w:0")
    assert tf.train.list_variables(str(tmp_path)) == [
        ("flag", [2]), ("global_step", []), ("layer/b", [3]), ("w", [2, 3])]
    np.testing.assert_array_equal(tf.train.load_variable(str(tmp_path), "layer/b"), [1, 2, 3])
    assert tf.train.checkpoint_exists(prefix) and not tf.train.checkpoint_exists(prefix + "x")
    assert tf.train.latest_checkpoint(str(tmp_path)) == prefix

    g = tf.Graph()
    variables = _model(g)
    with g.as_default():
        zero = tf.group(*[v.assign(tf.zeros_like(v)) for v in variables.values()])
        saver = tf.train.Saver()
    with tf.Session(graph=g) as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(zero)
        saver.restore(sess, prefix)
        for name, got in sess.run(variables).items():
            np.testing.assert_array_equal(got, values[name])


def test_renamed_keys_and_graphc_format_stays_readable(tmp_path):
    g = tf.Graph()
    variables = _model(g)
    with g.as_default():
        renamed = tf.train.Saver({"net/weights": variables["w"], "net/bias": variables["layer/b"]})
        own = tf.train.Saver(write_version="graphc")
    with tf.Session(graph=g) as sess:
        sess.run(tf.global_variables_initializer())
        p1 = renamed.save(sess, str(tmp_path / "renamed"))
        p2 = own.save(sess, str(tmp_path / "own"))
    assert tf.train.list_variables(p1) == [("net/bias", [3]), ("net/weights", [2, 3])]
    assert open(p2 + ".index", "rb").read(1) == b"{"  # graphc's JSON index
    g2 = tf.Graph()
    with g2.as_default():
        w = tf.Variable(np.zeros((2, 3), np.float32), name="other_w")
        b = tf.Variable(np.zeros(3, np.int64), name="other_b")
        restore_renamed = tf.train.Saver({"net/weights": w, "net/bias": b})
        restore_own = tf.train.Saver({"w": w, "layer/b": b})
    with tf.Session(graph=g2) as sess:
        restore_renamed.restore(sess, p1)
        np.testing.assert_array_equal(sess.run(w), np.arange(6).reshape(2, 3))
        sess.run(w.assign(tf.zeros_like(w)))
        restore_own.restore(sess, p2)
        np.testing.assert_array_equal(sess.run(b), [1, 2, 3])
        np.testing.assert_array_equal(sess.run(w), np.arange(6).reshape(2, 3))
    with pytest.raises(ValueError, match="V1 is not written"):
        tf.train.Saver(write_version=tf.train.SaverDef.V1)


def test_a_table_of_many_blocks(tmp_path, monkeypatch):
    monkeypatch.setattr(sstable, "BLOCK_BYTES", 200)  # many data blocks and restarts
    tensors = {f"scope{i % 3}/v{i:03d}": np.full((i % 5,), i, np.int32) for i in range(300)}
    tensors.update(half=np.array([0.5, -2.0], np.float16), u8=np.arange(7, dtype=np.uint8),
                   flags=np.array([[True], [False]]), scalar=np.float64(-1.25))
    TENSOR_BUNDLE.write(str(tmp_path / "m"), tensors)
    got = TENSOR_BUNDLE.read_tensors(str(tmp_path / "m"))
    assert list(got) == sorted(tensors)
    for name, value in tensors.items():
        assert got[name].dtype == value.dtype and got[name].shape == value.shape, name
        np.testing.assert_array_equal(got[name], value)


# ---------------------------------------------------------------- TensorFlow's files
@pytest.mark.parametrize("name", ["mlp", "convnet_bn"])
def test_tensorflow_checkpoints_read_and_restore(name):
    want = _values(name)
    directory = os.path.join(FIXTURES, name)
    prefix = tf.train.latest_checkpoint(directory)
    assert prefix == os.path.join(directory, "model.ckpt-3")
    reader = tf.train.NewCheckpointReader(prefix)
    assert sorted(reader.get_variable_to_shape_map()) == sorted(want)
    for key, value in want.items():
        got = reader.get_tensor(key)
        assert got.dtype == value.dtype and got.shape == value.shape, key
        np.testing.assert_array_equal(got, value)
    assert reader.get_tensor("global_step") == 3
    g = tf.Graph()
    with g.as_default():
        variables = {k: tf.Variable(np.zeros(v.shape, v.dtype), name=k) for k, v in want.items()}
        saver = tf.train.Saver(variables)
    with tf.Session(graph=g) as sess:
        saver.restore(sess, prefix)
        for key, got in sess.run(variables).items():
            np.testing.assert_array_equal(got, want[key])


def test_init_from_checkpoint_maps_scopes_names_and_variables():
    want = _values("mlp")
    prefix = os.path.join(FIXTURES, "mlp")
    g = tf.Graph()
    with g.as_default():
        with tf.variable_scope("student"):
            h1 = tf.get_variable("layer1/kernel", [12, 24])
            h1b = tf.get_variable("layer1/bias", [24])
        logits_k = tf.get_variable("head/kernel", [16, 5])
        plain = tf.Variable(np.zeros(5, np.float32), name="plain")
        untouched = tf.get_variable("untouched", initializer=np.float32(4.0))
        tf.train.init_from_checkpoint(prefix, {"hidden1/": "student/layer1/",
                                               "logits/kernel": "head/kernel",
                                               "logits/bias": plain})
        init = tf.global_variables_initializer()
    with tf.Session(graph=g) as sess:
        sess.run(init)
        np.testing.assert_array_equal(sess.run(h1), want["hidden1/kernel"])
        np.testing.assert_array_equal(sess.run(h1b), want["hidden1/bias"])
        np.testing.assert_array_equal(sess.run(logits_k), want["logits/kernel"])
        np.testing.assert_array_equal(sess.run(plain), want["logits/bias"])
        assert sess.run(untouched) == 4.0
    with tf.Graph().as_default():
        tf.get_variable("a/kernel", [3, 3])
        tf.get_variable("a/extra", [2])
        with pytest.raises(ValueError, match="Tensor nope is not found in"):
            tf.train.init_from_checkpoint(prefix, {"nope": "a/kernel"})
        with pytest.raises(ValueError,
                           match=r"Tensor hidden2/extra \(extra in hidden2/\) is not found"):
            tf.train.init_from_checkpoint(prefix, {"hidden2/": "a/"})
        with pytest.raises(ValueError, match=r"Shape of variable a/kernel:0 \(\(3, 3\)\) "
                           r"doesn't match with shape of tensor hidden1/kernel"):
            tf.train.init_from_checkpoint(prefix, {"hidden1/kernel": "a/kernel"})
        with pytest.raises(ValueError, match="should map to scope only"):
            tf.train.init_from_checkpoint(prefix, {"hidden1": "b/"})


def test_tensorflow_restores_graphc_checkpoints(tmp_path):
    tfm = pytest.importorskip("tensorflow")
    prefix, values = _saved(tmp_path)
    reader = tfm.compat.v1.train.NewCheckpointReader(prefix)
    assert sorted(reader.get_variable_to_shape_map()) == sorted(values)
    for name, want in values.items():
        np.testing.assert_array_equal(reader.get_tensor(name), want)
    tf1 = tfm.compat.v1
    graph = tfm.Graph()
    with graph.as_default():
        w = tf1.Variable(np.zeros((2, 3), np.float32), name="w", use_resource=False)
        saver = tf1.train.Saver({"w": w})
        with tf1.Session(graph=graph) as sess:
            saver.restore(sess, tf1.train.latest_checkpoint(str(tmp_path)))
            np.testing.assert_array_equal(sess.run(w), values["w"])


# ---------------------------------------------------------------- damaged files
def _copy_fixture(tmp_path) -> str:
    shutil.copytree(os.path.join(FIXTURES, "mlp"), tmp_path / "mlp")
    return str(tmp_path / "mlp" / "model.ckpt-3")


def _flip(path: str, offset: int) -> None:
    raw = bytearray(open(path, "rb").read())
    raw[offset] ^= 0x40
    open(path, "wb").write(bytes(raw))


def _cut(path: str, keep: int) -> None:
    raw = open(path, "rb").read()
    open(path, "wb").write(raw[:keep] if keep >= 0 else raw[:len(raw) + keep])


def _keep_tail(path: str, n: int) -> None:
    raw = open(path, "rb").read()
    open(path, "wb").write(raw[-n:])


def _entry_of(prefix: str, name: str):
    rows = dict(sstable.read_table(open(prefix + ".index", "rb").read(), ValueError))
    return protos.BundleEntryProto.FromString(rows[name.encode()])


def _rewrite_entry(prefix: str, name: str, edit) -> None:
    rows = sstable.read_table(open(prefix + ".index", "rb").read(), ValueError)
    out = []
    for key, value in rows:
        if key == name.encode():
            entry = protos.BundleEntryProto.FromString(value)
            edit(entry)
            value = entry.SerializeToString()
        out.append((key, value))
    open(prefix + ".index", "wb").write(sstable.build_table(out))


def _read_all(prefix: str) -> None:
    reader = tf.train.NewCheckpointReader(prefix)
    for name in reader.get_variable_to_shape_map():
        reader.get_tensor(name)


DAMAGE = {
    "data bit flip": (lambda p: _flip(p + DATA, _entry_of(p, "hidden1/kernel").offset + 5),
                      DATA, "tensor 'hidden1/kernel': checksum does not match"),
    "data truncated": (lambda p: _cut(p + DATA, -10), DATA, "truncated or corrupted"),
    "index bit flip": (lambda p: _flip(p + ".index", 30), ".index", "bad checksum"),
    "index truncated": (lambda p: _cut(p + ".index", 100), ".index", "a truncated one"),
    "index footer cut": (lambda p: _cut(p + ".index", -9), ".index", "a truncated one"),
    "index empty": (lambda p: _cut(p + ".index", 0), ".index", "a truncated one"),
    "index keeps its footer only": (lambda p: _keep_tail(p + ".index", 60), ".index",
                                    "beyond the table|bad"),
    "size mismatch": (lambda p: _rewrite_entry(p, "logits/bias", lambda e: setattr(
        e, "size", 7)), ".index", "needs 20 bytes; the index says 7"),
    "huge offset": (lambda p: _rewrite_entry(p, "logits/bias", lambda e: setattr(
        e, "offset", 1 << 60)), DATA, "lies beyond"),
    "missing shard": (lambda p: os.unlink(p + DATA), DATA, "cannot open"),
}


@pytest.mark.parametrize("case", sorted(DAMAGE))
def test_damaged_checkpoints_are_data_loss_errors_naming_the_file(tmp_path, case):
    damage, culprit, match = DAMAGE[case]
    prefix = _copy_fixture(tmp_path)
    damage(prefix)
    with pytest.raises(tf.errors.DataLossError, match=match) as info:
        _read_all(prefix)
    assert os.path.basename(prefix + culprit) in str(info.value)


REFUSED = {
    "sliced variable": (lambda e: e.slices.add(), r"'logits/bias' is saved in 1 slices \(a "
                        r"partitioned variable\); graphc reads whole tensors only"),
    "resource tensor": (lambda e: setattr(e, "dtype", protos.DataType.Value("DT_RESOURCE")),
                        "'logits/bias' has dtype resource; graphc reads numeric, bool and "
                        "string"),
    "bfloat16 tensor": (lambda e: setattr(e, "dtype", protos.DataType.Value("DT_BFLOAT16")),
                        "'logits/bias' has TensorFlow type DT_BFLOAT16, which graphc does "
                        "not support"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_what_graphc_does_not_read_is_refused_naming_file_and_tensor(tmp_path, case):
    edit, match = REFUSED[case]
    prefix = _copy_fixture(tmp_path)
    _rewrite_entry(prefix, "logits/bias", edit)
    with pytest.raises(tf.errors.UnimplementedError, match=match) as info:
        _read_all(prefix)
    assert "model.ckpt-3.index" in str(info.value)


@pytest.mark.timeout(120)
@settings(derandomize=True, max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_fuzzed_bundles_load_or_fail_cleanly(tmp_path, data):
    directory = tmp_path / f"case{len(os.listdir(tmp_path))}"
    directory.mkdir()
    prefix = str(directory / "m")
    for suffix in (".index", DATA):
        shutil.copy(os.path.join(FIXTURES, "convnet_bn", "model.ckpt-3" + suffix),
                    prefix + suffix)
    path = prefix + data.draw(st.sampled_from([".index", DATA]))
    raw = bytearray(open(path, "rb").read())
    if data.draw(st.booleans()):
        raw = raw[:data.draw(st.integers(0, len(raw) - 1))]
    else:
        for _ in range(data.draw(st.integers(1, 6))):
            raw[data.draw(st.integers(0, len(raw) - 1))] ^= data.draw(st.integers(1, 255))
    open(path, "wb").write(bytes(raw))
    try:
        _read_all(prefix)
    except (tf.errors.DataLossError, tf.errors.UnimplementedError) as exc:
        assert os.path.basename(path) in str(exc)
